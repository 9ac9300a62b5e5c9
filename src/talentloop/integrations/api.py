"""Outbound webhook subscriptions, their delivery logs and replays, and the calendar feed address.

A subscription's signing secret (``whsec_…``) is answered only by the create and rotate operations,
once; it is stored encrypted and never listed. Deliveries are signed per the Standard Webhooks
convention (``webhook-id``, ``webhook-timestamp``, ``webhook-signature: v1,<base64 HMAC-SHA256 of
"{id}.{timestamp}.{body}">``). HR and administrators create subscriptions; HR sees all of them and alone
marks an endpoint ``trusted`` for personal results (scores, ratings).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.urls import reverse
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status

from talentloop.core.errors import PermissionDenied
from talentloop.core.http import get_or_404
from talentloop.core.paging import PAGED, paginated
from talentloop.core.schemas import ERRORS, InSchema
from talentloop.integrations import access, events, selectors
from talentloop.integrations.models import DeliveryStatus
from talentloop.integrations.services import calendar as calendar_services
from talentloop.integrations.services import webhooks as services

router = Router(tags=["webhooks"])


class SubscriptionOut(Schema):
    id: int
    name: str
    url: str
    event_types: list[str]
    trusted: bool = Field(description="Personal results (scores, ratings) are sent to this endpoint.")
    is_active: bool
    disabled_reason: str = Field(description="\"\", \"by_person\" or \"failing\" (disabled after a day of failures).")
    owner: str = Field(description="The account that created the subscription; it receives what this account "
                                   "may see.")
    created_at: dt.datetime

    @staticmethod
    def resolve_owner(obj) -> str:
        return obj.owner.get_username()


class SubscriptionSecretOut(SubscriptionOut):
    """Only the create and rotate answers carry the secret (the service just set it on the object)."""

    secret: str = Field(description="The signing secret (whsec_…), shown this once.")


class SubscriptionIn(InSchema):
    name: str = Field(min_length=1, max_length=120)
    url: str = Field(min_length=1, max_length=500, description="http:// or https:// address of the receiver.")
    event_types: list[str] = Field(min_length=1, description="Event types to receive (GET /webhooks/event-types).")
    trusted: bool = Field(False, description="HR only: send personal results to this endpoint.")


class SubscriptionPatch(InSchema):
    name: str | None = Field(None, min_length=1, max_length=120)
    url: str | None = Field(None, min_length=1, max_length=500)
    event_types: list[str] | None = Field(None, min_length=1)
    trusted: bool | None = None
    is_active: bool | None = Field(None, description="false disables the endpoint (its waiting deliveries are "
                                                     "cancelled); true enables it again.")


class DeliveryOut(Schema):
    id: int
    event_id: str = Field(description="The webhook-id header: the same for every attempt and replay of the event.")
    event_type: str
    status: str = Field(description="pending, succeeded, failed (every attempt failed) or cancelled.")
    attempts: int
    next_attempt_at: dt.datetime | None
    last_status_code: int | None
    last_error: str
    last_duration_ms: int | None
    created_at: dt.datetime
    delivered_at: dt.datetime | None
    replay_of: int | None = None
    payload: dict[str, Any]
    log: list[dict[str, Any]] = Field(description="Each attempt: at, status_code, error, duration_ms.")

    @staticmethod
    def resolve_replay_of(obj) -> int | None:
        return obj.replay_of_id


class DeliveryFilters(InSchema):
    status: DeliveryStatus | None = None


class EventTypeOut(Schema):
    key: str
    label: str
    personal_result: bool = Field(description="Sent only to endpoints HR marked trusted.")


class CalendarFeedOut(Schema):
    url: str = Field(description="The feed's address, shown this once: it is the credential.")


def _require(request) -> None:
    if not access.can_use_webhooks(request.actor):
        raise PermissionDenied(_("Only HR or an administrator subscribes endpoints to events."))


def _subscription(request, subscription_id: int):
    _require(request)
    return get_or_404(access.visible_subscriptions(request.actor).select_related("owner"), pk=subscription_id)


@router.get("/webhooks/event-types", response={200: list[EventTypeOut], **ERRORS}, summary="Event types",
            description=PAGED)
@paginated(default=100, max_limit=100)
def event_types(request):
    _require(request)
    return [EventTypeOut(key=t.key, label=str(t.label), personal_result=t.personal_result)
            for t in events.all_types()]


@router.get("/webhooks/subscriptions", response={200: list[SubscriptionOut], **ERRORS},
            summary="Webhook subscriptions (yours; HR: all)", description=PAGED)
@paginated(default=50, max_limit=200)
def subscription_list(request):
    _require(request)
    return selectors.subscription_queryset(request.actor)


@router.post("/webhooks/subscriptions", response={201: SubscriptionSecretOut, **ERRORS},
             summary="Subscribe an endpoint (its secret is answered once)")
def subscription_create(request, data: SubscriptionIn):
    _require(request)
    subscription, secret = services.subscription_create(
        actor=request.actor, name=data.name, url=data.url, event_types=data.event_types, trusted=data.trusted)
    subscription.secret = secret
    return Status(201, subscription)


@router.get("/webhooks/subscriptions/{int:subscription_id}", response={200: SubscriptionOut, **ERRORS},
            summary="A webhook subscription")
def subscription_get(request, subscription_id: int):
    return _subscription(request, subscription_id)


@router.patch("/webhooks/subscriptions/{int:subscription_id}", response={200: SubscriptionOut, **ERRORS},
              summary="Change a webhook subscription, disable or enable it")
def subscription_update(request, subscription_id: int, data: SubscriptionPatch):
    subscription = _subscription(request, subscription_id)
    changes = data.dict(exclude_unset=True)
    active = changes.pop("is_active", None)
    if changes:
        subscription = services.subscription_update(actor=request.actor, subscription=subscription, data=changes)
    if active is False:
        subscription = services.subscription_disable(actor=request.actor, subscription=subscription)
    elif active is True:
        subscription = services.subscription_enable(actor=request.actor, subscription=subscription)
    return subscription


@router.delete("/webhooks/subscriptions/{int:subscription_id}", response={204: None, **ERRORS},
               summary="Delete a webhook subscription and its delivery log")
def subscription_delete(request, subscription_id: int):
    services.subscription_delete(actor=request.actor, subscription=_subscription(request, subscription_id))
    return Status(204, None)


@router.post("/webhooks/subscriptions/{int:subscription_id}/rotate", response={200: SubscriptionSecretOut, **ERRORS},
             summary="Rotate a subscription's secret (the new one is answered once)")
def subscription_rotate(request, subscription_id: int):
    subscription, secret = services.subscription_rotate(actor=request.actor,
                                                        subscription=_subscription(request, subscription_id))
    subscription.secret = secret
    return subscription


@router.get("/webhooks/subscriptions/{int:subscription_id}/deliveries", response={200: list[DeliveryOut], **ERRORS},
            summary="A subscription's delivery log, newest first", description=PAGED)
@paginated(default=50, max_limit=200)
def delivery_list(request, subscription_id: int, filters: Query[DeliveryFilters]):
    subscription = _subscription(request, subscription_id)
    return selectors.delivery_queryset(request.actor, subscription, status=filters.status or "")


@router.post("/webhooks/deliveries/{int:delivery_id}/replay", response={201: DeliveryOut, **ERRORS},
             summary="Send a delivery's event again (a new delivery with the same webhook-id)")
def delivery_replay(request, delivery_id: int):
    _require(request)
    delivery = get_or_404(access.visible_deliveries(request.actor).select_related("subscription"), pk=delivery_id)
    return Status(201, services.delivery_replay(actor=request.actor, delivery=delivery))


@router.post("/calendar/feed", response={201: CalendarFeedOut, **ERRORS}, tags=["calendar"],
             summary="A new address for your calendar feed (the old one stops working)")
def calendar_feed_renew(request):
    _feed, token = calendar_services.calendar_feed_renew(actor=request.actor)
    return Status(201, {"url": request.build_absolute_uri(reverse("integrations:calendar-feed", args=[token]))})


@router.delete("/calendar/feed", response={204: None, **ERRORS}, tags=["calendar"],
               summary="Revoke your calendar feed")
def calendar_feed_revoke(request):
    calendar_services.calendar_feed_revoke(actor=request.actor)
    return Status(204, None)
