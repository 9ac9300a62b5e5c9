"""Reads of the delivery channels' records; each starts from a scope in ``channel_access``."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count, Q

from talentloop.core.access import Actor
from talentloop.notifications import channel_access as access
from talentloop.notifications.models import (
    DEFAULT_API_BASE,
    GroupBot,
    ImCredentials,
    ImIdentity,
    PushSubscription,
    VapidKeys,
    Vendor,
)


@dataclass(frozen=True)
class ChatAppStatus:
    vendor: str
    label: str
    configured: bool
    enabled: bool
    client_id: str
    agent_id: str
    api_base: str
    default_api_base: str
    receive_id_type: str
    has_secret: bool
    identities: int


@dataclass(frozen=True)
class PushStatus:
    configured: bool
    public_key: str
    subject: str
    subscriptions: int


def vapid_public_key() -> str:
    """The browsers' ``applicationServerKey`` ("" when Web Push is not set up)."""
    return VapidKeys.objects.values_list("public_key", flat=True).first() or ""


def push_status(actor: Actor) -> PushStatus | None:
    if not access.can_manage_channel_credentials(actor):
        return None
    keys = VapidKeys.objects.first()
    return PushStatus(configured=keys is not None, public_key=keys.public_key if keys else "",
                      subject=keys.subject if keys else "", subscriptions=PushSubscription.objects.count())


def chat_app_status(actor: Actor) -> list[ChatAppStatus]:
    """One row per platform in two queries; the secret is reported as present or not, never returned."""
    if not access.can_manage_channel_credentials(actor):
        return []
    creds = {c.vendor: c for c in ImCredentials.objects.all()}
    counts = dict(ImIdentity.objects.values("vendor").annotate(n=Count("id")).values_list("vendor", "n"))
    rows = []
    for vendor in Vendor:
        c = creds.get(vendor.value)
        rows.append(ChatAppStatus(
            vendor=vendor.value, label=str(vendor.label), configured=c is not None and bool(c.secret),
            enabled=bool(c and c.enabled), client_id=c.client_id if c else "", agent_id=c.agent_id if c else "",
            api_base=c.api_base if c else "", default_api_base=DEFAULT_API_BASE[vendor],
            receive_id_type=c.receive_id_type if c else ImCredentials.ReceiveIdType.USER_ID,
            has_secret=bool(c and c.secret), identities=counts.get(vendor.value, 0)))
    return rows


def chat_credentials_get(actor: Actor, vendor: str) -> ImCredentials | None:
    if not access.can_manage_channel_credentials(actor) or vendor not in Vendor.values:
        return None
    return ImCredentials.objects.filter(vendor=vendor).first()


def group_bot_list(actor: Actor) -> list[GroupBot]:
    return list(access.visible_group_bots(actor).order_by("org_unit__path", "name"))


def group_bot_get(actor: Actor, pk: int) -> GroupBot | None:
    return access.visible_group_bots(actor).filter(pk=pk).first()


def im_identity_list(actor: Actor, *, vendor: str = "", search: str = "", limit: int = 200) -> list[ImIdentity]:
    qs = access.visible_im_identities(actor).select_related("employee")
    if vendor:
        qs = qs.filter(vendor=vendor)
    if search:
        qs = qs.filter(Q(employee__name__icontains=search) | Q(employee__employee_number__icontains=search)
                       | Q(external_id__icontains=search))
    return list(qs.order_by("employee__employee_number", "vendor")[:limit])


def im_identity_get(actor: Actor, pk: int) -> ImIdentity | None:
    return access.visible_im_identities(actor).filter(pk=pk).first()


def im_identity_employee(actor: Actor, *, pk: int | None = None, number: str = ""):
    """A person whose identity the actor may set, by id or employee number (None otherwise)."""
    qs = access.im_identity_employees(actor).select_related("org_unit")
    if pk is not None:
        return qs.filter(pk=pk).first()
    return qs.filter(employee_number=number.strip()).first() if number.strip() else None


def push_subscription_list(actor: Actor) -> list[PushSubscription]:
    return list(access.visible_push_subscriptions(actor).order_by("-created_at"))


def group_bot_units(actor: Actor):
    return access.group_bot_units(actor).order_by("path")
