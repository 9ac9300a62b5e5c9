"""Outbound webhooks: subscriptions, publishing Talentloop's events to them, and sending the deliveries.

Publishing writes one ``Delivery`` per subscription that may receive the event (``access.may_receive``)
and, once that commits, queues a job that sends them. ``deliveries_send`` is what the worker runs (the
every-minute job and ``talentloop webhooks deliver``): it claims a batch of due deliveries
(``SELECT … FOR UPDATE SKIP LOCKED`` on PostgreSQL, then a claim time, so a worker that dies leaves
claims that expire and are taken again), sends them side by side on a few threads with bounded
timeouts (one slow endpoint holds one thread for at most its timeout, never the others), and records
each outcome as it comes.

A failed attempt is tried again after 5 s, 5 min, 30 min, 2 h, 5 h, 10 h and 10 h (the back-off of the
Standard Webhooks reference implementation), then the delivery has failed. An endpoint that has not
accepted a single delivery for ``DISABLE_AFTER`` (24 h) of failures is disabled, its waiting deliveries
cancelled, and its owner told.
"""

from __future__ import annotations

import datetime as dt
import ipaddress
import json
import logging
import socket
import time
import uuid
from collections import defaultdict, deque
from collections.abc import Iterable
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

import httpx
from django.conf import settings
from django.core.cache import cache as shared_cache
from django.db import connection, models, transaction
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from talentloop.core import cache
from talentloop.core.access import Actor, actor_for
from talentloop.core.audit.services import audit_record
from talentloop.core.errors import InvalidInput, PermissionDenied
from talentloop.integrations import access, events, signing
from talentloop.integrations.models import Delivery, DeliveryStatus, DisabledReason, Subscription
from talentloop.integrations.notification_kinds import ENDPOINT_DISABLED
from talentloop.notifications.services import Item, notify_after_commit

logger = logging.getLogger(__name__)

RETRY_DELAYS = (dt.timedelta(seconds=5), dt.timedelta(minutes=5), dt.timedelta(minutes=30), dt.timedelta(hours=2),
                dt.timedelta(hours=5), dt.timedelta(hours=10), dt.timedelta(hours=10))
MAX_ATTEMPTS = len(RETRY_DELAYS) + 1
DISABLE_AFTER = dt.timedelta(hours=24)
BATCH = 100
THREADS = 16
RUN_SECONDS = 50.0
SENDING_KEY = "integrations:webhooks-sending"
# At most this many attempts in flight to one endpoint, and claimed deliveries waiting for it in a sender.
PER_ENDPOINT = 4
PER_ENDPOINT_WAITING = 32
RECORD_EVERY = 32
MAX_NAME = 120
MAX_URL = 500
USER_AGENT = "Talentloop-Webhooks/1"


# ---------------------------------------------------------------- checks


def _is_private(address: str) -> bool:
    ip = ipaddress.ip_address(address)
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return (ip.is_private or ip.is_loopback or ip.is_link_local or ip.is_reserved or ip.is_multicast
            or ip.is_unspecified)


def url_problems(url: str) -> list[str]:
    """What is wrong with an endpoint address: only http(s) with a host; no private, loopback or
    link-local address (a literal one or ``localhost``) unless the settings allow them."""
    url = (url or "").strip()
    if not url:
        return [_("This field is required.")]
    if len(url) > MAX_URL:
        return [_("At most %(n)d characters.") % {"n": MAX_URL}]
    try:
        parts = urlsplit(url)
        host = parts.hostname or ""
        _port = parts.port
    except ValueError:
        return [_("Enter a valid address.")]
    if parts.scheme not in ("http", "https"):
        return [_("Only http:// and https:// addresses are accepted.")]
    if not host:
        return [_("Enter a valid address.")]
    if parts.username or parts.password:
        return [_("Put no user name or password in the address; the signature authenticates Talentloop.")]
    if not settings.TALENTLOOP_WEBHOOKS_ALLOW_PRIVATE:
        if host == "localhost" or host.endswith(".localhost"):
            return [_("Private, loopback and link-local addresses are not accepted.")]
        try:
            private = _is_private(host)
        except ValueError:
            private = False  # a host name: checked again, resolved, before every attempt
        if private:
            return [_("Private, loopback and link-local addresses are not accepted.")]
    return []


def _resolves_to_private(url: str) -> bool:
    host = urlsplit(url).hostname or ""
    try:
        infos = socket.getaddrinfo(host, None)
    except OSError:
        return False  # the attempt fails on its own with the name error
    return any(_is_private(str(info[4][0]).split("%")[0]) for info in infos)


def _event_types_problems(types: Iterable[str]) -> list[str]:
    types = list(types)
    if not types:
        return [_("Choose at least one event type.")]
    known = set(events.keys())
    unknown = [t for t in types if t not in known]
    if unknown:
        return [_("Unknown event type: %(types)s.") % {"types": ", ".join(sorted(map(str, unknown)))}]
    return []


def _clean(name: str, url: str, event_types: list[str]) -> tuple[str, str, list[str]]:
    errors: dict[str, list[str]] = {}
    name = (name or "").strip()
    if not name:
        errors["name"] = [_("This field is required.")]
    elif len(name) > MAX_NAME:
        errors["name"] = [_("At most %(n)d characters.") % {"n": MAX_NAME}]
    if problems := url_problems(url):
        errors["url"] = problems
    if not isinstance(event_types, list) or not all(isinstance(t, str) for t in event_types):
        errors["event_types"] = [_("Give a list of event types.")]
    elif problems := _event_types_problems(event_types):
        errors["event_types"] = problems
    if errors:
        raise InvalidInput(_("Please correct the errors below."), errors)
    return name, url.strip(), sorted(set(event_types))


def _require_manage(actor: Actor, subscription: Subscription) -> None:
    if not access.can_manage_subscription(actor, subscription):
        raise PermissionDenied(_("Only the subscription's owner or HR changes it."))


def _locked(subscription: Subscription) -> Subscription:
    return Subscription.objects.select_for_update().get(pk=subscription.pk)


# ---------------------------------------------------------------- subscriptions


@transaction.atomic
def subscription_create(*, actor: Actor, name: str, url: str, event_types: list[str],
                        trusted: bool = False) -> tuple[Subscription, str]:
    """Create a subscription owned by the actor; its secret is returned this once (stored encrypted)."""
    if not access.can_create_subscription(actor):
        raise PermissionDenied(_("Only HR or an administrator subscribes endpoints to events."))
    if trusted and not access.can_set_trusted(actor):
        raise PermissionDenied(_("Only HR marks an endpoint as trusted for personal results."))
    name, url, event_types = _clean(name, url, event_types)
    secret = signing.new_secret()
    subscription = Subscription(owner=actor.user, name=name, url=url, event_types=event_types, secret=secret,
                                trusted=trusted)
    subscription.full_clean()
    subscription.save()
    audit_record(actor=actor, action="create", obj=subscription,
                 changes={"name": name, "url": url, "event_types": event_types, "trusted": trusted,
                          "secret": "changed"})
    return subscription, secret


@transaction.atomic
def subscription_update(*, actor: Actor, subscription: Subscription, data: dict[str, Any]) -> Subscription:
    """Change the name, address, event types or (HR only) the trust. A new address withdraws the trust
    unless HR grants it again in the same change."""
    unknown = set(data) - {"name", "url", "event_types", "trusted"}
    if unknown:
        raise InvalidInput(_("Unknown fields."), {key: [_("Unknown field.")] for key in sorted(unknown)})
    _require_manage(actor, subscription)
    subscription = _locked(subscription)
    if "trusted" in data and bool(data["trusted"]) != subscription.trusted and not access.can_set_trusted(actor):
        raise PermissionDenied(_("Only HR marks an endpoint as trusted for personal results."))
    name, url, event_types = _clean(data.get("name", subscription.name), data.get("url", subscription.url),
                                    data.get("event_types", subscription.event_types))
    before = {"name": subscription.name, "url": subscription.url, "event_types": subscription.event_types,
              "trusted": subscription.trusted}
    trusted = bool(data.get("trusted", subscription.trusted))
    if url != subscription.url and "trusted" not in data:
        trusted = False
    subscription.name, subscription.url, subscription.event_types = name, url, event_types
    subscription.trusted = trusted
    subscription.full_clean()
    subscription.save()
    after = {"name": name, "url": url, "event_types": event_types, "trusted": trusted}
    changes = {k: {"before": before[k], "after": after[k]} for k in after if before[k] != after[k]}
    if changes:
        audit_record(actor=actor, action="update", obj=subscription, changes=changes)
    return subscription


@transaction.atomic
def subscription_rotate(*, actor: Actor, subscription: Subscription) -> tuple[Subscription, str]:
    """A new secret, returned this once; deliveries from now on are signed with it."""
    _require_manage(actor, subscription)
    subscription = _locked(subscription)
    secret = signing.new_secret()
    subscription.secret = secret
    subscription.save(update_fields=["secret", "updated_at"])
    audit_record(actor=actor, action="update", obj=subscription, changes={"secret": "changed"},
                 summary="webhook subscription secret rotated")
    return subscription, secret


def _cancel_waiting(subscription: Subscription, reason: str) -> int:
    return Delivery.objects.filter(subscription=subscription, status=DeliveryStatus.PENDING).update(
        status=DeliveryStatus.CANCELLED, next_attempt_at=None, claimed_until=None, last_error=reason[:300])


@transaction.atomic
def subscription_disable(*, actor: Actor, subscription: Subscription) -> Subscription:
    """Stop sending to the endpoint; its waiting deliveries are cancelled (each may be replayed)."""
    _require_manage(actor, subscription)
    subscription = _locked(subscription)
    if subscription.is_active:
        subscription.is_active = False
        subscription.disabled_reason = DisabledReason.BY_PERSON
        subscription.disabled_at = timezone.now()
        subscription.save(update_fields=["is_active", "disabled_reason", "disabled_at", "updated_at"])
        _cancel_waiting(subscription, "endpoint disabled")
        audit_record(actor=actor, action="update", obj=subscription, changes={"is_active": [True, False]},
                     summary="webhook subscription disabled")
    return subscription


@transaction.atomic
def subscription_enable(*, actor: Actor, subscription: Subscription) -> Subscription:
    _require_manage(actor, subscription)
    subscription = _locked(subscription)
    if not subscription.is_active:
        if problems := url_problems(subscription.url):
            raise InvalidInput(_("Please correct the errors below."), {"url": problems})
        subscription.is_active = True
        subscription.disabled_reason = DisabledReason.NONE
        subscription.disabled_at = None
        subscription.failing_since = None
        subscription.save(update_fields=["is_active", "disabled_reason", "disabled_at", "failing_since",
                                         "updated_at"])
        audit_record(actor=actor, action="update", obj=subscription, changes={"is_active": [False, True]},
                     summary="webhook subscription enabled")
    return subscription


@transaction.atomic
def subscription_delete(*, actor: Actor, subscription: Subscription) -> None:
    """Delete the subscription and its delivery log."""
    _require_manage(actor, subscription)
    subscription = _locked(subscription)
    audit_record(actor=actor, action="delete", obj=subscription, changes={"name": subscription.name,
                                                                          "url": subscription.url})
    subscription.delete()


@transaction.atomic
def delivery_replay(*, actor: Actor, delivery: Delivery, now: dt.datetime | None = None) -> Delivery:
    """Send an event again: a new delivery of the same event (same ``webhook-id``, so a receiver that
    already has it can tell), due at once. The endpoint must be active."""
    subscription = delivery.subscription
    _require_manage(actor, subscription)
    if not subscription.is_active:
        raise InvalidInput(_("Enable the endpoint before replaying its deliveries."),
                           {"subscription": [_("The endpoint is disabled.")]})
    now = now or timezone.now()
    replay = Delivery.objects.create(subscription=subscription, event_id=delivery.event_id,
                                     event_type=delivery.event_type, payload=delivery.payload,
                                     next_attempt_at=now, replay_of=delivery)
    audit_record(actor=actor, action="create", obj=replay, changes={"replay_of": delivery.pk},
                 summary="webhook delivery replayed")
    _send_soon()
    return replay


# ---------------------------------------------------------------- publishing


def listened_types() -> frozenset[str]:
    """The event types some active subscription wants (kept in the shared cache until a subscription
    changes), so an event nobody listens to costs no query."""
    def build() -> frozenset[str]:
        types: set[str] = set()
        for row in Subscription.objects.filter(is_active=True).values_list("event_types", flat=True):
            types.update(row or [])
        return frozenset(types)

    return cache.cached("integrations:listened-types", build, depends=("integrations",))


def _send_soon() -> None:
    if settings.TALENTLOOP_WEBHOOKS_SEND_AT_ONCE:
        from talentloop.integrations.tasks import webhooks_send_now

        transaction.on_commit(webhooks_send_now)


def events_publish(*, event_type: str, data: dict, now: dt.datetime | None = None) -> int:
    """Write a delivery of the event for every subscription that may receive it; returns how many.

    Runs after the announcing transaction committed; one query when nobody listens to the type."""
    kind = events.get(event_type)
    if kind is None:
        raise ValueError(f"unknown event type {event_type!r}")
    if event_type not in listened_types():
        return 0
    now = now or timezone.now()
    event_id = f"evt_{uuid.uuid4().hex}"
    payload = {"type": event_type, "timestamp": now.isoformat().replace("+00:00", "Z"), "data": data}
    subscriptions = [s for s in Subscription.objects.filter(is_active=True).select_related("owner")
                     if event_type in (s.event_types or [])]
    owners: dict[int, Actor] = {}
    rows = []
    for subscription in subscriptions:
        if subscription.owner_id not in owners:
            owners[subscription.owner_id] = actor_for(subscription.owner)
        if access.may_receive(owners[subscription.owner_id], subscription, kind, data):
            rows.append(Delivery(subscription=subscription, event_id=event_id, event_type=event_type,
                                 payload=payload, next_attempt_at=now))
    if not rows:
        return 0
    with transaction.atomic():
        Delivery.objects.bulk_create(rows)
        _send_soon()
    return len(rows)


# ---------------------------------------------------------------- sending


@dataclass
class Outcome:
    delivery_id: int
    ok: bool
    status_code: int | None = None
    error: str = ""
    duration_ms: int = 0


@dataclass
class SendResult:
    sent: int = 0
    failed: int = 0
    disabled: list[int] = field(default_factory=list)

    def as_dict(self) -> dict:
        return {"sent": self.sent, "failed": self.failed, "disabled": self.disabled}


def _claim(now: dt.datetime, batch: int, claim_for: dt.timedelta, *, skip: Iterable[int] = ()) -> list[int]:
    """Claim up to ``batch`` due deliveries, none of the subscriptions in ``skip`` (endpoints that have as
    many deliveries waiting in this sender as they may)."""
    with transaction.atomic():
        due = (Delivery.objects.select_for_update(skip_locked=True, of=("self",))
               .filter(status=DeliveryStatus.PENDING, next_attempt_at__lte=now, subscription__is_active=True)
               .filter(Q(claimed_until__isnull=True) | Q(claimed_until__lt=now))
               .order_by("next_attempt_at", "id"))
        skip = list(skip)
        if skip:
            due = due.exclude(subscription_id__in=skip)
        ids = [row.pk for row in due.only("pk")[:batch]]
        if ids:
            Delivery.objects.filter(pk__in=ids).update(claimed_until=now + claim_for)
    return ids


def _release(ids: list[int]) -> None:
    """Give back claimed deliveries this sender will not start soon (the next run takes them)."""
    if ids:
        Delivery.objects.filter(pk__in=ids, status=DeliveryStatus.PENDING).update(claimed_until=None)


def _body(payload: dict) -> bytes:
    return json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode()


def _attempt(client: httpx.Client, delivery: Delivery, secret: str) -> Outcome:
    """One POST; only the status is read (the answer's body is never downloaded)."""
    body = _body(delivery.payload)
    headers = {"content-type": "application/json", "user-agent": USER_AGENT,
               **signing.headers(secret, delivery.event_id, int(time.time()), body)}
    started = time.monotonic()
    if not settings.TALENTLOOP_WEBHOOKS_ALLOW_PRIVATE and _resolves_to_private(delivery.subscription.url):
        return Outcome(delivery.pk, False, None, "address not allowed (private network)", 0)
    try:
        with client.stream("POST", delivery.subscription.url, content=body, headers=headers) as response:
            code = response.status_code
    except httpx.TimeoutException:
        return Outcome(delivery.pk, False, None, "timeout", int((time.monotonic() - started) * 1000))
    except httpx.HTTPError as exc:
        return Outcome(delivery.pk, False, None, f"{type(exc).__name__}: {exc}"[:300],
                       int((time.monotonic() - started) * 1000))
    duration = int((time.monotonic() - started) * 1000)
    ok = 200 <= code < 300
    return Outcome(delivery.pk, ok, code, "" if ok else f"HTTP {code}", duration)


def _record(outcomes: list[Outcome], now: dt.datetime, result: SendResult) -> None:
    """Write the outcomes of finished attempts in one transaction: a few queries for the lot."""
    by_id = {o.delivery_id: o for o in outcomes}
    with transaction.atomic():
        # Locked in a fixed order (by id), so two senders recording at once never wait on each other.
        deliveries = list(Delivery.objects.select_for_update(of=("self",)).filter(
            pk__in=list(by_id), status=DeliveryStatus.PENDING).order_by("pk"))
        if not deliveries:
            return  # cancelled meanwhile (the endpoint was disabled)
        subscriptions = {s.pk: s for s in Subscription.objects.select_for_update().filter(
            pk__in={d.subscription_id for d in deliveries}).order_by("pk")}
        failing_before = {pk: s.failing_since for pk, s in subscriptions.items()}
        for delivery in deliveries:
            outcome = by_id[delivery.pk]
            delivery.attempts += 1
            delivery.claimed_until = None
            delivery.last_status_code = outcome.status_code
            delivery.last_error = outcome.error
            delivery.last_duration_ms = outcome.duration_ms
            delivery.log = [*delivery.log, {"at": now.isoformat(), "status_code": outcome.status_code,
                                            "error": outcome.error, "duration_ms": outcome.duration_ms}]
            subscription = subscriptions[delivery.subscription_id]
            if outcome.ok:
                delivery.status = DeliveryStatus.SUCCEEDED
                delivery.delivered_at = now
                delivery.next_attempt_at = None
                result.sent += 1
                subscription.failing_since = None
                continue
            result.failed += 1
            if delivery.attempts >= MAX_ATTEMPTS:
                delivery.status = DeliveryStatus.FAILED
                delivery.next_attempt_at = None
            else:
                delivery.next_attempt_at = now + RETRY_DELAYS[delivery.attempts - 1]
            if subscription.failing_since is None:
                subscription.failing_since = now
            elif subscription.is_active and now - subscription.failing_since >= DISABLE_AFTER:
                _write(connection, [delivery])  # its attempt, before the cancelling
                _disable_failing(subscription, now)
                result.disabled.append(subscription.pk)
                if delivery.status == DeliveryStatus.PENDING:
                    delivery.status = DeliveryStatus.CANCELLED
                    delivery.next_attempt_at = None
        # An endpoint disabled by one of these outcomes: its other deliveries here were cancelled with it.
        for delivery in deliveries:
            if delivery.status == DeliveryStatus.PENDING and delivery.subscription_id in result.disabled:
                delivery.status, delivery.next_attempt_at = DeliveryStatus.CANCELLED, None
        _write(connection, deliveries)
        for pk, subscription in subscriptions.items():  # an endpoint failing since, or recovered
            if subscription.failing_since != failing_before[pk]:
                Subscription.objects.filter(pk=pk).update(failing_since=subscription.failing_since)


_RECORDED = ["attempts", "claimed_until", "last_status_code", "last_error", "last_duration_ms", "log", "status",
             "delivered_at", "next_attempt_at"]


def _write(conn: BaseDatabaseWrapper, deliveries: list[Delivery]) -> None:
    """The recorded fields of each delivery: one prepared UPDATE executed for all of them (a batch in
    one round trip on PostgreSQL). ``bulk_update`` would build a CASE expression per field and row, which
    cost the sender more than sending."""
    fields = [field for name in _RECORDED if isinstance(field := Delivery._meta.get_field(name), models.Field)]
    columns = ", ".join(f"{conn.ops.quote_name(f.column)} = %s" for f in fields)
    # Names from the model only (quoted); every value is a parameter.
    sql = f"UPDATE {conn.ops.quote_name(Delivery._meta.db_table)} SET {columns} WHERE id = %s"  # noqa: S608
    rows = [[f.get_db_prep_save(getattr(d, f.attname), conn) for f in fields] + [d.pk] for d in deliveries]
    with conn.cursor() as cursor:
        cursor.executemany(sql, rows)


def _disable_failing(subscription: Subscription, now: dt.datetime) -> None:
    subscription.is_active = False
    subscription.disabled_reason = DisabledReason.FAILING
    subscription.disabled_at = now
    subscription.save(update_fields=["is_active", "disabled_reason", "disabled_at", "updated_at"])
    _cancel_waiting(subscription, "endpoint disabled after failing")
    audit_record(actor=None, action="update", obj=subscription, changes={"is_active": [True, False]},
                 summary="webhook subscription disabled after failing for a day")
    owner = actor_for(subscription.owner)
    if owner.employee is None:
        logger.warning("Webhook subscription %s disabled; its owner has no employee record to tell",
                       subscription.pk)
        return
    notify_after_commit(kind=ENDPOINT_DISABLED.key, items=[Item(
        owner.employee.pk, {"name": subscription.name, "subscription": subscription.pk},
        reverse("integrations:subscription-detail", args=[subscription.pk]),
        f"webhook-disabled:{subscription.pk}:{now.date()}")])


def deliveries_send_alone() -> SendResult:
    """What the worker runs: one sender at a time in the whole installation (a sender already running
    claims new deliveries every second, so a second one would only hold another worker thread), for at
    most ``RUN_SECONDS`` of claiming; the minute job starts the next."""
    if not shared_cache.add(SENDING_KEY, 1, int(RUN_SECONDS + settings.TALENTLOOP_WEBHOOKS_TIMEOUT * 2 + 30)):
        return SendResult()
    try:
        return deliveries_send(max_seconds=RUN_SECONDS)
    finally:
        shared_cache.delete(SENDING_KEY)


def deliveries_send(*, now: dt.datetime | None = None, batch: int = BATCH, max_seconds: float | None = None,
                    transport: httpx.BaseTransport | None = None) -> SendResult:
    """Send the due deliveries until none is due (or, with ``max_seconds``, until that long has passed:
    then what is in flight finishes and what waits goes back).

    A pipeline, not batch after batch: ``THREADS`` attempts are in flight at any moment, and a finished
    one makes room for the next at once. An endpoint has at most ``PER_ENDPOINT`` attempts in flight and
    ``PER_ENDPOINT_WAITING`` claimed deliveries waiting here; the claims skip it while it has that many,
    so a slow endpoint holds a few threads for up to the timeout while the others go on at full speed.
    Outcomes are recorded a group at a time."""
    result = SendResult()
    timeout = settings.TALENTLOOP_WEBHOOKS_TIMEOUT
    claim_for = dt.timedelta(seconds=timeout * (PER_ENDPOINT_WAITING // PER_ENDPOINT + 1) + 30)
    limits = httpx.Limits(max_connections=THREADS * 2, max_keepalive_connections=THREADS)
    waiting: dict[int, deque[Delivery]] = defaultdict(deque)  # by subscription, claimed, not started
    flying: dict[int, int] = defaultdict(int)  # by subscription, attempts in flight
    running: dict[Future[Outcome], int] = {}
    secrets: dict[int, str] = {}
    idle = False  # the last claim found nothing due: claim again at most once a second meanwhile
    claimed_at = 0.0
    stop_at = time.monotonic() + max_seconds if max_seconds is not None else None
    outcomes: list[Outcome] = []  # finished, not yet recorded
    recorded_at = time.monotonic()
    with httpx.Client(timeout=httpx.Timeout(timeout, connect=min(timeout, 5.0)), follow_redirects=False,
                      transport=transport, limits=limits) as client, \
            ThreadPoolExecutor(max_workers=THREADS) as pool:
        try:
            while True:
                # Deliveries ready to start: those of an endpoint at its limit do not count, so a slow
                # endpoint's backlog never stops the claims for the others.
                queued = sum(len(q) for sid, q in waiting.items() if flying[sid] < PER_ENDPOINT)
                claimed = False
                if stop_at is not None and time.monotonic() >= stop_at and not idle:
                    idle, claimed_at = True, float("inf")  # no more claims
                    _release([d.pk for q in waiting.values() for d in q])
                    waiting.clear()
                if queued < THREADS and (not idle or time.monotonic() - claimed_at >= 1.0):
                    full = [sid for sid, q in waiting.items() if len(q) + flying[sid] >= PER_ENDPOINT_WAITING]
                    ids = _claim(now or timezone.now(), batch, claim_for, skip=full)
                    # Nothing due, apart from endpoints skipped as full: those are claimed as they drain.
                    claimed_at, idle, claimed = time.monotonic(), not ids and not full, bool(ids)
                    fresh = list(Delivery.objects.select_related("subscription").filter(pk__in=ids).order_by(
                        "next_attempt_at", "id"))
                    excess: list[int] = []
                    for delivery in fresh:
                        sid = delivery.subscription_id
                        secrets[sid] = delivery.subscription.secret
                        if len(waiting[sid]) + flying[sid] >= PER_ENDPOINT_WAITING:
                            excess.append(delivery.pk)
                        else:
                            waiting[sid].append(delivery)
                    _release(excess)
                for sid, q in waiting.items():
                    while q and flying[sid] < PER_ENDPOINT and len(running) < THREADS:
                        delivery = q.popleft()
                        flying[sid] += 1
                        running[pool.submit(_attempt, client, delivery, secrets[sid])] = sid
                if claimed and len(running) < THREADS:
                    continue  # threads to spare: claim again before waiting for an answer
                if not running:
                    if idle and not any(waiting.values()):
                        break
                    continue
                done, _pending = wait(running, timeout=1.0, return_when=FIRST_COMPLETED)
                for future in done:
                    flying[running.pop(future)] -= 1
                    outcomes.append(future.result())
                # Recorded a group at a time (a few queries a group): when enough have finished, a
                # moment has passed, or nothing else is in flight.
                if outcomes and (len(outcomes) >= RECORD_EVERY or not running
                                 or time.monotonic() - recorded_at >= 0.05):
                    _record(outcomes, now or timezone.now(), result)
                    outcomes, recorded_at = [], time.monotonic()
        finally:
            if outcomes:
                _record(outcomes, now or timezone.now(), result)
            # Stopped by an error: what was claimed and not attempted goes back at once.
            _release([d.pk for q in waiting.values() for d in q])
    return result
