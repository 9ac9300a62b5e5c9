"""Writes of the delivery channels' records. Keyword-only, actor first, transactional; credential changes are
audited with the names of the secret fields only (``core.audit`` records "changed", never a value)."""

from __future__ import annotations

import base64
import binascii
import ipaddress
import urllib.parse
from dataclasses import dataclass, field

from cryptography.hazmat.primitives import serialization
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _
from py_vapid import Vapid02

from talentloop.core.access import Actor
from talentloop.core.audit.services import CHANGED, audit_record
from talentloop.core.errors import Conflict, InvalidInput, PermissionDenied, errors_from_validation
from talentloop.notifications import channel_access as access
from talentloop.notifications.groupbots import group_safe_kinds
from talentloop.notifications.models import (
    GroupBot,
    ImCredentials,
    ImIdentity,
    PushSubscription,
    VapidKeys,
    Vendor,
)
from talentloop.organisation.models import Employee, OrgUnit

# ---------------------------------------------------------------- helpers


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _check_address(url: str, field_name: str) -> urllib.parse.SplitResult:
    """https only; plain http only to this machine (local stand-ins of a vendor, tests)."""
    parts = urllib.parse.urlsplit(url.strip())
    if parts.scheme == "https" and parts.hostname:
        return parts
    if parts.scheme == "http" and parts.hostname and _is_loopback(parts.hostname):
        return parts
    raise InvalidInput(_("Enter an https:// address."), {field_name: [_("Enter an https:// address.")]})


def _b64url_bytes(value: str) -> bytes | None:
    try:
        return base64.urlsafe_b64decode(value + "=" * (-len(value) % 4))
    except (binascii.Error, ValueError):
        return None


def _full_clean(obj, exclude: list[str] | None = None) -> None:
    try:
        obj.full_clean(exclude=exclude)
    except ValidationError as exc:
        raise InvalidInput(_("The values are not valid."), errors_from_validation(exc)) from None


# ---------------------------------------------------------------- push subscriptions


@transaction.atomic
def push_subscription_save(*, actor: Actor, endpoint: str, p256dh: str, auth: str,
                           user_agent: str = "") -> PushSubscription:
    """Record (or take over) the subscription of the browser the actor uses now: an endpoint belongs to one
    browser profile, so when someone else signs in on it the subscription follows the new person."""
    if not access.can_subscribe_push(actor):
        raise PermissionDenied(_("Only people with an employee record receive push messages."))
    endpoint = endpoint.strip()
    _check_address(endpoint, "endpoint")
    key = _b64url_bytes(p256dh)
    secret = _b64url_bytes(auth)
    errors: dict[str, list[str]] = {}
    if key is None or len(key) != 65 or key[0] != 4:
        errors["p256dh"] = [_("Not a P-256 public key.")]
    if secret is None or len(secret) != 16:
        errors["auth"] = [_("The authentication secret must be 16 bytes.")]
    if errors:
        raise InvalidInput(_("The subscription is not valid."), errors)
    sub = PushSubscription.objects.select_for_update().filter(endpoint=endpoint).first()
    if sub is None:
        sub = PushSubscription(endpoint=endpoint)
    sub.employee = actor.employee
    sub.p256dh, sub.auth, sub.user_agent = p256dh, auth, user_agent[:300]
    sub.failures = 0
    _full_clean(sub, exclude=["endpoint"] if sub.pk else None)
    sub.save()
    return sub


@transaction.atomic
def push_subscription_delete(*, actor: Actor, endpoint: str) -> int:
    """Remove the actor's own subscription for this endpoint; someone else's is left alone (0)."""
    if not access.can_subscribe_push(actor):
        raise PermissionDenied(_("Only people with an employee record receive push messages."))
    deleted, _rows = access.visible_push_subscriptions(actor).filter(endpoint=endpoint.strip()).delete()
    return deleted


# ---------------------------------------------------------------- VAPID keys


@transaction.atomic
def vapid_keys_generate(*, actor: Actor | None, subject: str, rotate: bool = False) -> VapidKeys:
    """A new P-256 key pair. Rotating invalidates every browser's subscription (they were made for the old
    public key), so the subscriptions are deleted with the old keys; browsers subscribe again."""
    if not subject.startswith(("mailto:", "https://")):
        raise InvalidInput(_("The subject must be a mailto: or https: address."),
                           {"subject": [_("The subject must be a mailto: or https: address.")]})
    existing = VapidKeys.objects.select_for_update().first()
    if existing is not None and not rotate:
        raise Conflict(_("VAPID keys exist already; rotate them explicitly."))
    vapid = Vapid02()
    vapid.generate_keys()
    raw = vapid.public_key.public_bytes(serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint)
    public = base64.urlsafe_b64encode(raw).decode().rstrip("=")
    pem = vapid.private_pem().decode()
    removed = 0
    if existing is not None:
        removed, _rows = PushSubscription.objects.all().delete()
        existing.delete()
    keys = VapidKeys(public_key=public, private_key=pem, subject=subject)
    _full_clean(keys)
    keys.save()
    before = existing.public_key if existing else None
    audit_record(actor=actor, action="update" if existing else "create", obj=keys,
                 changes={"private_key": CHANGED, "public_key": {"before": before, "after": public}},
                 summary=(f"VAPID keys rotated; {removed} push subscription(s) removed" if existing
                          else "VAPID keys created"))
    return keys


# ---------------------------------------------------------------- chat app credentials


@transaction.atomic
def im_credentials_set(*, actor: Actor, vendor: str, client_id: str, agent_id: str = "", secret: str | None = None,
                       enabled: bool = True, api_base: str = "",
                       receive_id_type: str = ImCredentials.ReceiveIdType.USER_ID) -> ImCredentials:
    """Set a chat app's credentials. ``secret=None`` (or empty) keeps the stored one: secrets are write-only."""
    if not access.can_manage_channel_credentials(actor):
        raise PermissionDenied(_("Only administrators set the chat apps' credentials."))
    if vendor not in Vendor.values:
        raise InvalidInput(_("Unknown chat platform."), {"vendor": [_("Unknown chat platform.")]})
    if api_base:
        _check_address(api_base, "api_base")
    creds = ImCredentials.objects.select_for_update().filter(vendor=vendor).first()
    created = creds is None
    before = {} if created else {"client_id": creds.client_id, "agent_id": creds.agent_id, "enabled": creds.enabled,
                                 "api_base": creds.api_base, "receive_id_type": creds.receive_id_type}
    creds = creds or ImCredentials(vendor=vendor)
    creds.client_id, creds.agent_id, creds.enabled = client_id.strip(), agent_id.strip(), enabled
    creds.api_base, creds.receive_id_type = api_base.strip(), receive_id_type
    if secret:
        creds.secret = secret.strip()
    errors: dict[str, list[str]] = {}
    if vendor in (Vendor.WECOM, Vendor.DINGTALK) and not creds.agent_id.isdigit():
        errors["agent_id"] = [_("The agent ID is a number.")]
    if not creds.secret:
        errors["secret"] = [_("Enter the app secret.")]
    if errors:
        raise InvalidInput(_("The credentials are not complete."), errors)
    _full_clean(creds)
    creds.save()
    after = {"client_id": creds.client_id, "agent_id": creds.agent_id, "enabled": creds.enabled,
             "api_base": creds.api_base, "receive_id_type": creds.receive_id_type}
    changes = {k: {"before": before.get(k), "after": v} for k, v in after.items() if before.get(k) != v}
    if secret:
        changes["secret"] = CHANGED
    audit_record(actor=actor, action="create" if created else "update", summary="chat app credentials set",
                 obj=creds, changes=changes)
    return creds


# ---------------------------------------------------------------- chat identities


@transaction.atomic
def im_identity_set(*, actor: Actor, employee: Employee, vendor: str, external_id: str) -> ImIdentity:
    if not access.can_set_im_identity(actor, employee):
        raise PermissionDenied(_("You may not set this person's chat identity."))
    external_id = external_id.strip()
    if vendor not in Vendor.values:
        raise InvalidInput(_("Unknown chat platform."), {"vendor": [_("Unknown chat platform.")]})
    if not external_id:
        raise InvalidInput(_("Enter the ID on the platform."), {"external_id": [_("Enter the ID on the platform.")]})
    taken = ImIdentity.objects.filter(vendor=vendor, external_id=external_id).exclude(employee=employee).exists()
    if taken:
        message = _("This ID belongs to someone else.")
        raise InvalidInput(message, {"external_id": [message]})
    identity = ImIdentity.objects.select_for_update().filter(vendor=vendor, employee=employee).first()
    before = identity.external_id if identity else None
    identity = identity or ImIdentity(vendor=vendor, employee=employee)
    identity.external_id = external_id
    _full_clean(identity, exclude=["employee"])
    identity.save()
    if before != external_id:
        audit_record(actor=actor, action="update", summary="chat identity set", obj=identity,
                     changes={"external_id": {"before": before, "after": external_id}})
    return identity


@transaction.atomic
def im_identity_delete(*, actor: Actor, identity: ImIdentity) -> None:
    if not access.can_set_im_identity(actor, identity.employee):
        raise PermissionDenied(_("You may not set this person's chat identity."))
    audit_record(actor=actor, action="delete", summary="chat identity removed", obj=identity)
    identity.delete()


@dataclass
class ImportResult:
    saved: int = 0
    rejected: list[dict] = field(default_factory=list)


def parse_identity_lines(text: str) -> list[tuple[int, str, str, str]]:
    """``employee number, vendor, id`` per line (comma, tab or semicolon); a header line is skipped."""
    rows = []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        cells = [c.strip() for c in line.replace("\t", ",").replace(";", ",").split(",")]
        cells += [""] * (3 - len(cells))
        if number == 1 and cells[1].lower() == "vendor":
            continue
        rows.append((number, cells[0], cells[1].lower(), cells[2]))
    return rows


@transaction.atomic
def im_identities_import(*, actor: Actor, text: str) -> ImportResult:
    """Set many identities at once; each bad line is reported, the good ones are kept. Set-based: one query
    for the people, one for the IDs already taken, then bulk writes."""
    if not access.can_manage_im_identities(actor):
        raise PermissionDenied(_("You may not set chat identities."))
    rows = parse_identity_lines(text)
    if len(rows) > 5000:
        message = _("Import at most 5,000 lines at once.")
        raise InvalidInput(message, {"text": [message]})
    allowed = {e.employee_number: e for e in access.im_identity_employees(actor)
               .filter(employee_number__in=[r[1] for r in rows]).select_related("org_unit")}
    taken = {(v, x): emp for v, x, emp in ImIdentity.objects.filter(external_id__in=[r[3] for r in rows])
             .values_list("vendor", "external_id", "employee_id")}
    result = ImportResult()
    wanted: dict[tuple[str, int], str] = {}
    seen_ids: dict[tuple[str, str], int] = {}
    for line, number, vendor, external_id in rows:
        employee = allowed.get(number)
        problem = ""
        if employee is None:
            problem = _("No such person in your scope.")
        elif vendor not in Vendor.values:
            problem = _("Unknown chat platform.")
        elif not external_id or len(external_id) > 128:
            problem = _("Enter the ID on the platform.")
        elif taken.get((vendor, external_id), employee.pk) != employee.pk or \
                seen_ids.get((vendor, external_id), employee.pk) != employee.pk:
            problem = _("This ID belongs to someone else.")
        if problem:
            result.rejected.append({"line": line, "employee_number": number, "error": problem})
            continue
        wanted[(vendor, employee.pk)] = external_id
        seen_ids[(vendor, external_id)] = employee.pk
    if wanted:
        existing = {(i.vendor, i.employee_id): i for i in ImIdentity.objects.filter(
            employee_id__in={emp for _v, emp in wanted}, vendor__in={v for v, _e in wanted})}
        to_update, to_create = [], []
        for (vendor, emp), external_id in wanted.items():
            obj = existing.get((vendor, emp))
            if obj is None:
                to_create.append(ImIdentity(vendor=vendor, employee_id=emp, external_id=external_id))
            elif obj.external_id != external_id:
                obj.external_id = external_id
                to_update.append(obj)
        try:
            # Free the IDs being moved first so the unique (vendor, external_id) holds at every step.
            if to_update:
                ImIdentity.objects.filter(pk__in=[o.pk for o in to_update]).delete()
                to_create += [ImIdentity(vendor=o.vendor, employee_id=o.employee_id, external_id=o.external_id)
                              for o in to_update]
            ImIdentity.objects.bulk_create(to_create)
        except IntegrityError:
            raise Conflict(_("Some IDs were changed meanwhile; import again.")) from None
        result.saved = len(to_create)
        audit_record(actor=actor, action="execute", entity_type="notifications.imidentity",
                     summary=f"chat identities imported: {result.saved} saved, {len(result.rejected)} rejected")
    return result


# ---------------------------------------------------------------- group bots


def _check_webhook(vendor: str, url: str) -> str:
    url = url.strip()
    parts = _check_address(url, "webhook_url")
    query = urllib.parse.parse_qs(parts.query)
    ok = {Vendor.DINGTALK: "access_token" in query, Vendor.WECOM: "key" in query,
          Vendor.FEISHU: "/bot/v2/hook/" in parts.path}.get(vendor, False)
    if not ok:
        message = _("This is not a webhook address of a %(vendor)s group robot.") % {
            "vendor": Vendor(vendor).label if vendor in Vendor.values else vendor}
        raise InvalidInput(message, {"webhook_url": [message]})
    return url


def _check_kinds(kinds: list[str]) -> list[str]:
    safe = {k.key for k in group_safe_kinds()}
    refused = [k for k in kinds if k not in safe]
    if refused:
        message = _("Only team-level news may be posted to a group; refused: %(kinds)s.") % {
            "kinds": ", ".join(refused)}
        raise InvalidInput(message, {"kinds": [message]})
    return sorted(set(kinds))


def _bot_snapshot(bot: GroupBot) -> dict:
    return {"name": bot.name, "vendor": bot.vendor, "org_unit": bot.org_unit_id, "kinds": bot.kinds,
            "enabled": bot.enabled}


@transaction.atomic
def group_bot_create(*, actor: Actor, org_unit: OrgUnit, vendor: str, name: str, webhook_url: str,
                     signing_secret: str = "", kinds: list[str], enabled: bool = True) -> GroupBot:
    if not access.can_manage_group_bot_of(actor, org_unit):
        raise PermissionDenied(_("You may not manage group bots of this unit."))
    if vendor not in Vendor.values:
        raise InvalidInput(_("Unknown chat platform."), {"vendor": [_("Unknown chat platform.")]})
    bot = GroupBot(org_unit=org_unit, vendor=vendor, name=name.strip(), webhook_url=_check_webhook(vendor, webhook_url),
                   signing_secret=signing_secret.strip(), kinds=_check_kinds(kinds), enabled=enabled)
    _full_clean(bot)
    bot.save()
    changes = {k: {"before": None, "after": v} for k, v in _bot_snapshot(bot).items()}
    changes["webhook_url"] = CHANGED
    if bot.signing_secret:
        changes["signing_secret"] = CHANGED
    audit_record(actor=actor, action="create", summary="group bot created", obj=bot, changes=changes)
    return bot


@transaction.atomic
def group_bot_update(*, actor: Actor, bot: GroupBot, name: str, kinds: list[str], enabled: bool,
                     webhook_url: str | None = None, signing_secret: str | None = None,
                     clear_signing_secret: bool = False) -> GroupBot:
    """``webhook_url``/``signing_secret`` None or empty keep the stored secrets (they are never shown back)."""
    if not access.can_manage_group_bot_of(actor, bot.org_unit):
        raise PermissionDenied(_("You may not manage group bots of this unit."))
    before = _bot_snapshot(bot)
    bot.name, bot.kinds, bot.enabled = name.strip(), _check_kinds(kinds), enabled
    changes: dict = {}
    if webhook_url:
        bot.webhook_url = _check_webhook(bot.vendor, webhook_url)
        changes["webhook_url"] = CHANGED
    if clear_signing_secret:
        bot.signing_secret = ""
        changes["signing_secret"] = CHANGED
    elif signing_secret:
        bot.signing_secret = signing_secret.strip()
        changes["signing_secret"] = CHANGED
    _full_clean(bot)
    bot.save()
    after = _bot_snapshot(bot)
    changes.update({k: {"before": before[k], "after": v} for k, v in after.items() if before[k] != v})
    audit_record(actor=actor, action="update", summary="group bot updated", obj=bot, changes=changes)
    return bot


@transaction.atomic
def group_bot_delete(*, actor: Actor, bot: GroupBot) -> None:
    if not access.can_manage_group_bot_of(actor, bot.org_unit):
        raise PermissionDenied(_("You may not manage group bots of this unit."))
    audit_record(actor=actor, action="delete", summary="group bot removed", obj=bot)
    bot.delete()

