"""The signed generic webhook: HMAC-SHA256 over ``timestamp + "." + body`` with a per-source secret."""

from __future__ import annotations

import hashlib
import hmac
import json
import secrets
import time

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from talentloop.accounts.models import User
from talentloop.core.access import Actor, actor_for
from talentloop.core.audit.services import audit_record
from talentloop.core.errors import DomainError, InvalidInput, PermissionDenied
from talentloop.performance import access
from talentloop.performance.models import WebhookDelivery, WebhookSource
from talentloop.performance.services.observations import IngestResult, observations_ingest

MAX_AGE_SECONDS = 300


class Unauthorised(DomainError):
    status = 401


def sign(secret: str, timestamp: int | str, body: bytes) -> str:
    message = f"{timestamp}.".encode() + body
    return hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()


def webhook_receive(*, source_key: str, timestamp: str | None, signature: str | None, body: bytes,
                    now: float | None = None) -> IngestResult:
    """Verify and ingest one delivery. Unsigned, stale (over 5 minutes) and replayed requests are refused."""
    source = WebhookSource.objects.select_related("act_as").filter(key=source_key, is_active=True).first()
    if source is None or not timestamp or not signature:
        raise Unauthorised(_("Missing or unknown signature."))
    try:
        ts = int(timestamp)
    except ValueError as exc:
        raise Unauthorised(_("Invalid timestamp.")) from exc
    now = time.time() if now is None else now
    if abs(now - ts) > MAX_AGE_SECONDS:
        raise Unauthorised(_("The request is older than 5 minutes."))
    given = signature.removeprefix("sha256=").strip().lower()
    expected = sign(source.secret, ts, body)
    if not hmac.compare_digest(given, expected):
        raise Unauthorised(_("The signature does not match."))
    try:
        payload = json.loads(body)
    except (ValueError, UnicodeDecodeError) as exc:
        raise InvalidInput(_("The body is not valid JSON."), {"body": [_("Not valid JSON.")]}) from exc
    if not isinstance(payload, dict) or not isinstance(payload.get("items"), list):
        raise InvalidInput(_("The body must be {\"items\": [...], \"partial\": false}."),
                           {"items": [_("Must be a list.")]})
    try:
        with transaction.atomic():
            WebhookDelivery.objects.create(source=source, signature=expected, timestamp=ts)
    except IntegrityError as exc:
        raise Unauthorised(_("This request was already received (replay).")) from exc
    actor = actor_for(source.act_as)
    return observations_ingest(actor=actor, items=payload["items"], partial=bool(payload.get("partial", False)),
                               channel=f"webhook:{source.key}")


def _require_manager(actor: Actor) -> None:
    if not access.can_manage_webhook_sources(actor):
        raise PermissionDenied(_("Only HR or an administrator configures webhook sources."))


@transaction.atomic
def webhook_source_create(*, actor: Actor, key: str, name: str, act_as: User | None) -> tuple[WebhookSource, str]:
    """Create a source and return its secret once: it is stored encrypted and never shown again."""
    _require_manager(actor)
    if act_as is None or not access.can_ingest_observations(actor_for(act_as)):
        raise InvalidInput(_("Observations are sent in the name of an HR or administrator account."),
                           {"act_as": [_("Choose an HR or administrator account.")]})
    if WebhookSource.objects.filter(key=key).exists():
        raise InvalidInput(_("A webhook source with this key exists already."),
                           {"key": [_("A webhook source with this key exists already.")]})
    secret = secrets.token_urlsafe(32)
    source = WebhookSource(key=key, name=name, secret=secret, act_as=act_as)
    source.full_clean()
    source.save()
    audit_record(actor=actor, action="create", obj=source, changes={"key": key, "secret": "changed"})
    return source, secret


@transaction.atomic
def webhook_source_rotate(*, actor: Actor, source: WebhookSource) -> tuple[WebhookSource, str]:
    """Give the source a new secret (returned once); requests signed with the old one are refused."""
    _require_manager(actor)
    source = WebhookSource.objects.select_for_update().get(pk=source.pk)
    if not source.is_active:
        raise InvalidInput(_("This webhook source is deactivated."), {"source": [_("Deactivated.")]})
    secret = secrets.token_urlsafe(32)
    source.secret = secret
    source.save(update_fields=["secret"])
    audit_record(actor=actor, action="update", obj=source, changes={"secret": "changed"},
                 summary="webhook secret rotated")
    return source, secret


@transaction.atomic
def webhook_source_deactivate(*, actor: Actor, source: WebhookSource) -> WebhookSource:
    """Stop accepting the source's deliveries; its past observations stay."""
    _require_manager(actor)
    source = WebhookSource.objects.select_for_update().get(pk=source.pk)
    if source.is_active:
        source.is_active = False
        source.save(update_fields=["is_active"])
        audit_record(actor=actor, action="update", obj=source, changes={"is_active": [True, False]},
                     summary="webhook source deactivated")
    return source
