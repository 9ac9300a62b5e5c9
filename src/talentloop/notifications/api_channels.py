"""API of the delivery channels under /api/v1/notifications: the Web Push key and one's own subscriptions,
HR's group bots and chat identities. Secrets (webhook addresses, signing secrets) are write-only."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from django.http import Http404
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status

from talentloop.core.errors import NotFound, PermissionDenied
from talentloop.core.paging import PAGED_WAS_ARRAY, paginated
from talentloop.core.schemas import ERRORS, Id, InSchema
from talentloop.notifications import channel_access as access
from talentloop.notifications import channel_selectors as selectors
from talentloop.notifications import channel_services as services

router = Router(tags=["notifications"])

VendorLiteral = Literal["wecom", "dingtalk", "feishu"]


class PushKeyOut(Schema):
    public_key: str


class PushKeysIn(InSchema):
    p256dh: str = Field(..., min_length=80, max_length=200)
    auth: str = Field(..., min_length=16, max_length=100)


class PushSubscriptionIn(InSchema):
    """The browser's ``PushSubscription.toJSON()``."""

    endpoint: str = Field(..., min_length=10, max_length=1000)
    keys: PushKeysIn
    expirationTime: int | None = None  # noqa: N815 - the browser's own field name
    user_agent: str = Field("", max_length=300)


class PushEndpointIn(InSchema):
    endpoint: str = Field(..., min_length=10, max_length=1000)


class PushSubscriptionOut(Schema):
    id: int
    endpoint: str
    user_agent: str
    created_at: dt.datetime
    last_success_at: dt.datetime | None


class DeletedOut(Schema):
    deleted: int


class GroupBotIn(InSchema):
    org_unit_id: Id
    vendor: VendorLiteral
    name: str = Field(..., min_length=1, max_length=100)
    webhook_url: str = Field(..., min_length=10, max_length=1000)
    signing_secret: str = Field("", max_length=200)
    kinds: list[str] = Field(default_factory=list, max_length=50)
    enabled: bool = True


class GroupBotOut(Schema):
    id: int
    org_unit_id: int
    org_unit: str
    vendor: str
    name: str
    kinds: list[str]
    enabled: bool
    signed: bool


class ImIdentityIn(InSchema):
    employee_id: Id
    vendor: VendorLiteral
    external_id: str = Field(..., min_length=1, max_length=128)


class ImIdentityOut(Schema):
    id: int
    employee_id: int
    employee_number: str
    employee_name: str
    vendor: str
    external_id: str


class ImIdentityQuery(InSchema):
    vendor: VendorLiteral | None = None
    q: str = Field("", max_length=60)


def _bot_out(b) -> dict:
    return {"id": b.pk, "org_unit_id": b.org_unit_id, "org_unit": b.org_unit.label, "vendor": b.vendor,
            "name": b.name, "kinds": b.kinds, "enabled": b.enabled, "signed": bool(b.signing_secret)}


def _identity_out(i) -> dict:
    return {"id": i.pk, "employee_id": i.employee_id, "employee_number": i.employee.employee_number,
            "employee_name": i.employee.display_name, "vendor": i.vendor, "external_id": i.external_id}


# ---------------------------------------------------------------- Web Push


@router.get("/push/key", response={200: PushKeyOut, **ERRORS}, summary="The VAPID public key (applicationServerKey)")
def push_key(request):
    key = selectors.vapid_public_key()
    if not key:
        raise NotFound(_("Web Push is not set up."))
    return {"public_key": key}


@router.get("/push/subscriptions", response={200: list[PushSubscriptionOut], **ERRORS},
            summary="One's own push subscriptions (devices)", description=PAGED_WAS_ARRAY)
@paginated(default=200, max_limit=1000)
def push_subscriptions_list(request):
    return [{"id": s.pk, "endpoint": s.endpoint, "user_agent": s.user_agent, "created_at": s.created_at,
             "last_success_at": s.last_success_at} for s in selectors.push_subscription_list(request.actor)]


@router.post("/push/subscriptions", response={201: PushSubscriptionOut, **ERRORS},
             summary="Subscribe this device to push messages")
def push_subscriptions_post(request, data: PushSubscriptionIn):
    user_agent = data.user_agent or request.headers.get("User-Agent", "")
    sub = services.push_subscription_save(actor=request.actor, endpoint=data.endpoint, p256dh=data.keys.p256dh,
                                          auth=data.keys.auth, user_agent=user_agent)
    return Status(201, {"id": sub.pk, "endpoint": sub.endpoint, "user_agent": sub.user_agent,
                        "created_at": sub.created_at, "last_success_at": sub.last_success_at})


@router.delete("/push/subscriptions", response={200: DeletedOut, **ERRORS},
               summary="Unsubscribe a device of one's own (by endpoint)")
def push_subscriptions_delete(request, data: PushEndpointIn):
    return {"deleted": services.push_subscription_delete(actor=request.actor, endpoint=data.endpoint)}


# ---------------------------------------------------------------- group bots


@router.get("/group-bots", response={200: list[GroupBotOut], **ERRORS}, summary="Group bots of HR's units",
            description=PAGED_WAS_ARRAY)
@paginated(default=200, max_limit=1000)
def group_bots_list(request):
    if not access.can_manage_group_bots(request.actor):
        raise PermissionDenied(_("Only HR manages group bots."))
    return [_bot_out(b) for b in selectors.group_bot_list(request.actor)]


@router.post("/group-bots", response={201: GroupBotOut, **ERRORS},
             summary="Add a group bot (team-level kinds only)")
def group_bots_post(request, data: GroupBotIn):
    if not access.can_manage_group_bots(request.actor):
        raise PermissionDenied(_("Only HR manages group bots."))
    unit = selectors.group_bot_units(request.actor).filter(pk=data.org_unit_id).first()
    if unit is None:
        raise NotFound(_("No such org unit in your scope."), {"org_unit_id": [_("No such org unit in your scope.")]})
    bot = services.group_bot_create(actor=request.actor, org_unit=unit, vendor=data.vendor, name=data.name,
                                    webhook_url=data.webhook_url, signing_secret=data.signing_secret,
                                    kinds=data.kinds, enabled=data.enabled)
    return Status(201, _bot_out(bot))


@router.delete("/group-bots/{bot_id}", response={204: None, **ERRORS}, summary="Remove a group bot")
def group_bots_delete(request, bot_id: int):
    bot = selectors.group_bot_get(request.actor, bot_id)
    if bot is None:
        raise Http404
    services.group_bot_delete(actor=request.actor, bot=bot)
    return Status(204, None)


# ---------------------------------------------------------------- chat identities


@router.get("/im-identities", response={200: list[ImIdentityOut], **ERRORS},
            summary="Chat identities of the people in scope (HR, administrators)", description=PAGED_WAS_ARRAY)
@paginated(default=200, max_limit=1000)
def im_identities_list(request, query: Query[ImIdentityQuery]):
    if not access.can_manage_im_identities(request.actor):
        raise PermissionDenied(_("Only HR and administrators manage chat identities."))
    return [_identity_out(i) for i in selectors.im_identity_list(request.actor, vendor=query.vendor or "",
                                                                 search=query.q)]


@router.post("/im-identities", response={200: ImIdentityOut, **ERRORS},
             summary="Set a person's ID on a chat platform")
def im_identities_post(request, data: ImIdentityIn):
    if not access.can_manage_im_identities(request.actor):
        raise PermissionDenied(_("Only HR and administrators manage chat identities."))
    employee = selectors.im_identity_employee(request.actor, pk=data.employee_id)
    if employee is None:
        raise NotFound(_("No such person in your scope."), {"employee_id": [_("No such person in your scope.")]})
    identity = services.im_identity_set(actor=request.actor, employee=employee, vendor=data.vendor,
                                        external_id=data.external_id)
    return _identity_out(identity)


@router.delete("/im-identities/{identity_id}", response={204: None, **ERRORS}, summary="Remove a chat identity")
def im_identities_delete(request, identity_id: int):
    identity = selectors.im_identity_get(request.actor, identity_id)
    if identity is None:
        raise Http404
    services.im_identity_delete(actor=request.actor, identity=identity)
    return Status(204, None)
