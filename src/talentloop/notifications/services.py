"""Notifications: creating them (``notify_each``, or ``notify_after_commit``: the one entry point of
every app), planning their deliveries, the delivery job, and what people change (read marks,
channel preferences, quiet hours).

How a notification travels:

1. ``notify_each`` (or ``notify_after_commit``) writes the inbox rows for a set of people in one
   INSERT — skipping people already told about the same (kind, dedupe_key) — and, in the same
   transaction, one ``Delivery`` row per person and channel they chose for the kind (the kind's
   defaults when they did not choose) that is configured and can reach them. A non-urgent delivery
   created in the person's quiet hours is scheduled for the end of them; urgent kinds ignore quiet
   hours.
2. After commit the delivery job runs (``deliver_due``; also every minute for scheduled ones and
   retries). It claims the due deliveries with one conditional UPDATE (a claim token and expiry),
   so two jobs never hold the same delivery; a crashed job's claim expires and the delivery is
   tried again. Three or more due deliveries of one kind to one person on one channel become one
   digest message; the others are marked ``digested`` and point to it.
3. Each delivery is recorded as sent the moment its channel accepted it — one row update right
   after the send — and only pending deliveries are ever claimed, so a delivery recorded as sent
   is never sent again, whether the job runs twice or dies half way.
"""

from __future__ import annotations

import datetime as dt
import json
import uuid
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from talentloop.core.access import Actor
from talentloop.core.errors import InvalidInput, NotFound, PermissionDenied
from talentloop.notifications import access
from talentloop.notifications import kinds as K
from talentloop.notifications.channels import CHANNEL_PATHS, Channel, Message, Result, get_channel
from talentloop.notifications.models import Delivery, DeliveryStatus, Notification, NotificationPreference, QuietHours
from talentloop.organisation.models import Employee, EmploymentStatus

DIGEST_MIN = 3
DIGEST_LINES = 20
MAX_ATTEMPTS = 5
RETRY_BASE_SECONDS = 60
CLAIM_SECONDS = 300
JOB_BATCH = 500
CHUNK = 900  # ids per IN (...) list: below every database's parameter limit


def _chunks(items: list, size: int = CHUNK) -> Iterator[list]:
    for start in range(0, len(items), size):
        yield items[start:start + size]


# ---------------------------------------------------------------- channels


def channel_or_none(key: str) -> Channel | None:
    """The channel object, or None when its module is not installed."""
    try:
        return get_channel(key)
    except (ImportError, AttributeError, KeyError):
        return None


def available_channels() -> list[Channel]:
    """Channels configured for the organisation, in the order they are offered (not the inbox)."""
    out = []
    for key in CHANNEL_PATHS:
        channel = channel_or_none(key)
        if channel is not None and channel.available():
            out.append(channel)
    return out


# ---------------------------------------------------------------- notify


@dataclass(frozen=True)
class Item:
    """One notification to create: for ``notify_each``, where data differ per person."""

    recipient_id: int
    data: dict
    link: str = ""
    dedupe_key: str = ""


def items_for(recipients: Iterable[int], data: dict, link: str = "", dedupe_key: str = "") -> list[Item]:
    """The same notification for a set of people (Employee ids), each once."""
    return [Item(r, data, link, dedupe_key) for r in dict.fromkeys(recipients)]


def notify_after_commit(*, kind: str, items: Iterable[Item]) -> None:
    """``notify_each`` once the caller's transaction has committed (nothing is said about a
    rolled-back change). For a caller whose inbox rows need not commit with its own writes."""
    items = list(items)
    transaction.on_commit(lambda: notify_each(kind=kind, items=items))


def notify_each(*, kind: str, items: Iterable[Item], now: dt.datetime | None = None) -> int:
    """The one way any app tells people something: one inbox row per item (data, link and dedupe
    key may differ per person) in one INSERT, skipping people who left and people already told
    about the same (kind, dedupe_key), and the deliveries their preferences ask for. Returns the
    number of inbox rows created. Safe inside any transaction: the rows commit with the caller's
    writes and the channels are sent to after it commits. ``kind`` must be registered."""
    try:
        k = K.get(kind)
    except KeyError:
        raise ValueError(f"unknown notification kind {kind!r}") from None
    now = now or timezone.now()
    items = [i for i in items if i.recipient_id is not None]
    if not items:
        return 0
    texts: dict[str, str] = {}
    rows: list[Notification] = []
    seen: set[tuple[int, str]] = set()
    assert k.render is not None  # a Kind cannot be built without its render function
    with translation.override(settings.LANGUAGE_CODE):
        for item in items:
            if len(item.link) > 300 or len(item.dedupe_key) > 120:
                raise ValueError("link or dedupe_key too long")
            payload = json.dumps(item.data, sort_keys=True, ensure_ascii=False, default=str)
            if payload not in texts:
                texts[payload] = str(k.render(json.loads(payload)))[:500]
            if item.dedupe_key:
                if (item.recipient_id, item.dedupe_key) in seen:
                    continue
                seen.add((item.recipient_id, item.dedupe_key))
            rows.append(Notification(recipient_id=item.recipient_id, kind=kind, data=json.loads(payload),
                                     text=texts[payload], link=item.link, dedupe_key=item.dedupe_key,
                                     created_at=now))
    with transaction.atomic():
        created = _insert_new(kind, rows)
        if created:
            planned = plan_deliveries(created, k, now)
            if planned:
                transaction.on_commit(_enqueue_delivery)
    return len(created)


def _insert_new(kind: str, rows: list[Notification]) -> list[Notification]:
    """Insert the rows whose recipient is a current employee and whose (recipient, kind, dedupe
    key) is new. A concurrent notify of the same key makes the INSERT fail; the check is then
    repeated (it now sees the other's rows) and the rest inserted."""
    ids = sorted({r.recipient_id for r in rows})
    current: set[int] = set()
    for part in _chunks(ids):
        current.update(Employee.objects.filter(pk__in=part).exclude(status=EmploymentStatus.TERMINATED)
                       .values_list("pk", flat=True))
    rows = [r for r in rows if r.recipient_id in current]
    for attempt in range(3):
        keys = sorted({r.dedupe_key for r in rows if r.dedupe_key})
        if keys:
            keyed = sorted({r.recipient_id for r in rows if r.dedupe_key})
            existing: set[tuple[int, str]] = set()
            for part in _chunks(keyed, CHUNK // 2):
                for kpart in _chunks(keys, CHUNK // 2):
                    existing.update(Notification.objects.filter(kind=kind, recipient_id__in=part, dedupe_key__in=kpart)
                                    .values_list("recipient_id", "dedupe_key"))
            rows = [r for r in rows if not r.dedupe_key or (r.recipient_id, r.dedupe_key) not in existing]
        if not rows:
            return []
        try:
            with transaction.atomic():
                return Notification.objects.bulk_create(rows, batch_size=500)
        except IntegrityError:
            if attempt == 2:
                raise
            for r in rows:
                r.pk = None
    return []


def _quiet_release(created: dt.datetime, start: dt.time, end: dt.time) -> dt.datetime | None:
    """The end of the quiet hours ``created`` falls in (aware, UTC), or None when it is outside them."""
    if start == end:
        return None
    tz = ZoneInfo(settings.TIME_ZONE)
    local = created.astimezone(tz)
    t = local.time()
    day = local.date()
    if start < end:
        if not (start <= t < end):
            return None
    else:  # spans midnight: 22:00–07:00
        if end <= t < start:
            return None
        if t >= start:
            day += dt.timedelta(days=1)
    return dt.datetime.combine(day, end, tzinfo=tz).astimezone(dt.UTC)


def wanted_channels(employee_ids: list[int], kind: K.Kind) -> dict[int, set[str]]:
    """The channels (besides the inbox) each person wants for the kind: their choice, else the defaults."""
    chosen: dict[int, list] = {}
    for part in _chunks(employee_ids):
        chosen.update(NotificationPreference.objects.filter(kind=kind.key, employee_id__in=part)
                      .values_list("employee_id", "channels"))
    defaults = set(kind.default_channels())
    return {e: (set(chosen[e]) if e in chosen else set(defaults)) - {K.INAPP} for e in employee_ids}


def plan_deliveries(notifications: list[Notification], kind: K.Kind, now: dt.datetime) -> int:
    """One pending ``Delivery`` per notification and channel the person wants, that is configured
    and can reach them. A few queries for the whole set: preferences, quiet hours, one address
    lookup per channel, one INSERT."""
    ids = sorted({n.recipient_id for n in notifications})
    wanted = wanted_channels(ids, kind)
    keys = [key for key in CHANNEL_PATHS if any(key in w for w in wanted.values())]
    if not keys:
        return 0
    quiet: dict[int, tuple[dt.time, dt.time]] = {}
    if not kind.urgent:
        for part in _chunks(ids):
            quiet.update({e: (s, t) for e, s, t in QuietHours.objects.filter(employee_id__in=part, enabled=True)
                          .values_list("employee_id", "start", "end")})
    release = {e: (_quiet_release(now, *quiet[e]) if e in quiet else None) or now for e in ids}
    deliveries: list[Delivery] = []
    for key in keys:
        channel = channel_or_none(key)
        if channel is None or not channel.available():
            continue
        who = [e for e in ids if key in wanted[e]]
        addresses = channel.addresses(who) if who else {}
        for n in notifications:
            address = addresses.get(n.recipient_id)
            if address:
                deliveries.append(Delivery(notification=n, channel=key, recipient_id=n.recipient_id,
                                           address=str(address)[:500], scheduled_for=release[n.recipient_id]))
    Delivery.objects.bulk_create(deliveries, batch_size=500, ignore_conflicts=True)
    return len(deliveries)


def _enqueue_delivery() -> None:
    # Imported here: the task module imports this one (its tasks call deliver_due).
    from talentloop.notifications.tasks import deliver_notifications

    deliver_notifications()


# ---------------------------------------------------------------- the delivery job


def recipient_languages(employee_ids: list[int]) -> dict[int, str]:
    """The language each person reads messages in: the one their account remembers (chosen in the app,
    or their browser's at sign-in), else the organisation's (``settings.LANGUAGE_CODE``). One query."""
    chosen = dict(Employee.objects.filter(pk__in=employee_ids).exclude(user__language="")
                  .values_list("pk", "user__language"))
    return {e: chosen.get(e) or settings.LANGUAGE_CODE for e in employee_ids}


def absolute_url(link: str) -> str:
    """A link into the product as an absolute URL for e-mail and chat apps."""
    if not link:
        return ""
    if link.startswith(("http://", "https://")):
        return link
    base = getattr(settings, "TALENTLOOP_SITE_URL", "")  # from the environment, read in settings
    if not base:
        host = next((h for h in settings.ALLOWED_HOSTS if h and h != "*" and not h.startswith(".")), "localhost")
        base = f"http://{host}"
    return base.rstrip("/") + "/" + link.lstrip("/")


def _message(delivery: Delivery, notes: list[Notification], kind: K.Kind) -> Message:
    if len(notes) == 1:
        note = notes[0]
        return Message(recipient_id=delivery.recipient_id, address=delivery.address, kind=kind.key,
                       subject=str(kind.label), text=note.message, url=absolute_url(note.link), urgent=kind.urgent)
    lines = [n.message for n in notes[:DIGEST_LINES]]
    if len(notes) > DIGEST_LINES:
        lines.append(_("… and %(n)d more.") % {"n": len(notes) - DIGEST_LINES})
    return Message(recipient_id=delivery.recipient_id, address=delivery.address, kind=kind.key,
                   subject=K.digest_subject(len(notes), kind), text="\n".join(lines),
                   url=absolute_url(reverse("notifications:inbox")), urgent=kind.urgent, count=len(notes))


def _finish(delivery: Delivery, token: str, result: Result, now: dt.datetime, summary: dict) -> None:
    """Record the outcome at once (one UPDATE), so a crash later in the job cannot lose it."""
    mine = Delivery.objects.filter(pk=delivery.pk, claim_token=token)
    if result.ok:
        mine.update(status=DeliveryStatus.SENT, sent_at=timezone.now(), external_id=(result.external_id or "")[:200],
                    last_error="", claim_token="", claimed_until=None)
        summary["sent"] += 1
    elif result.retry and delivery.attempts < MAX_ATTEMPTS:
        wait = dt.timedelta(seconds=RETRY_BASE_SECONDS * 2 ** (delivery.attempts - 1))
        mine.update(status=DeliveryStatus.PENDING, scheduled_for=now + wait, last_error=(result.error or "")[:300],
                    claim_token="", claimed_until=None)
        summary["retrying"] += 1
    else:
        mine.update(status=DeliveryStatus.FAILED, last_error=(result.error or "")[:300], claim_token="",
                    claimed_until=None)
        summary["failed"] += 1


def _claim(now: dt.datetime, limit: int) -> tuple[str, list[Delivery]]:
    unclaimed = Q(claimed_until__isnull=True) | Q(claimed_until__lte=now)
    due = Delivery.objects.filter(unclaimed, status=DeliveryStatus.PENDING, scheduled_for__lte=now)
    ids = list(due.order_by("scheduled_for", "id").values_list("pk", flat=True)[:limit])
    if not ids:
        return "", []
    token = uuid.uuid4().hex
    # The WHERE is checked again row by row as the UPDATE runs: of two jobs, one takes each row.
    Delivery.objects.filter(unclaimed, pk__in=ids, status=DeliveryStatus.PENDING).update(
        claim_token=token, claimed_until=now + dt.timedelta(seconds=CLAIM_SECONDS), attempts=F("attempts") + 1)
    return token, list(Delivery.objects.filter(claim_token=token).select_related("notification")
                       .order_by("-notification__created_at", "-id"))


def deliver_due(now: dt.datetime | None = None, *, limit: int = JOB_BATCH) -> dict:
    """Send every due pending delivery (up to ``limit``). Not one transaction: each outcome is
    committed as soon as it is known."""
    now = now or timezone.now()
    summary = {"claimed": 0, "sent": 0, "digested": 0, "retrying": 0, "failed": 0, "skipped": 0}
    token, claimed = _claim(now, limit)
    summary["claimed"] = len(claimed)
    if not claimed:
        return summary
    # Deliveries already carrying a digest (a retry of one that failed) keep their items.
    carried: dict[int | None, list[Notification]] = defaultdict(list)
    for child in (Delivery.objects.filter(digest_id__in=[d.pk for d in claimed]).select_related("notification")
                  .order_by("-notification__created_at", "-id")):
        carried[child.digest_id].append(child.notification)
    groups: dict[tuple[int, str, str], list[Delivery]] = defaultdict(list)
    for d in claimed:
        groups[(d.recipient_id, d.channel, d.notification.kind)].append(d)
    languages = recipient_languages(sorted({d.recipient_id for d in claimed}))
    channels: dict[str, Channel | None] = {}
    for (recipient, key, kind_key), group in groups.items():
        if key not in channels:
            channel = channel_or_none(key)
            channels[key] = channel if channel is not None and channel.available() else None
        channel = channels[key]
        kind = K.find(kind_key)
        if channel is None or kind is None:
            Delivery.objects.filter(pk__in=[d.pk for d in group], claim_token=token).update(
                status=DeliveryStatus.SKIPPED, last_error="channel not available", claim_token="",
                claimed_until=None)
            summary["skipped"] += len(group)
            continue
        total = len(group) + sum(len(carried[d.pk]) for d in group)
        if total >= DIGEST_MIN:
            carrier = next((d for d in group if carried[d.pk]), group[0])
            others = [d for d in group if d.pk != carrier.pk]
            notes = [carrier.notification] + [n for d in group for n in carried[d.pk]] + [d.notification
                                                                                          for d in others]
            notes.sort(key=lambda n: (n.created_at, n.pk), reverse=True)
            if others:
                Delivery.objects.filter(pk__in=[d.pk for d in others], claim_token=token).update(
                    status=DeliveryStatus.DIGESTED, digest=carrier, claim_token="", claimed_until=None)
                Delivery.objects.filter(digest_id__in=[d.pk for d in others]).update(digest=carrier)
                summary["digested"] += len(others)
            batches = [(carrier, notes)]
        else:
            batches = [(d, [d.notification]) for d in group]
        with translation.override(languages.get(recipient, settings.LANGUAGE_CODE)):
            for delivery, notes in batches:
                try:
                    result = channel.send(_message(delivery, notes, kind))
                except Exception as exc:  # a channel bug or network error must not stop the others
                    result = Result(ok=False, error=f"{type(exc).__name__}: {exc}"[:300])
                _finish(delivery, token, result, now, summary)
    return summary


# ---------------------------------------------------------------- what people change


def _employee(actor: Actor) -> Employee:
    if not access.can_have_preferences(actor):
        raise PermissionDenied(_("Only people with an employee record receive notifications."))
    assert actor.employee is not None  # can_have_preferences: only people with an employee record
    return actor.employee


@transaction.atomic
def notification_mark_read(*, actor: Actor, notification: Notification) -> Notification:
    if not access.can_read_notification(actor, notification):
        raise NotFound(_("Not found."))
    if notification.read_at is None:
        notification.read_at = timezone.now()
        Notification.objects.filter(pk=notification.pk, read_at__isnull=True).update(read_at=notification.read_at)
    return notification


@transaction.atomic
def notifications_mark_all_read(*, actor: Actor, kinds: Iterable[str] | None = None) -> int:
    """Everything in the actor's inbox, or only the kinds given (an app's page that lists its own)."""
    _employee(actor)
    unread = access.visible_notifications(actor).filter(read_at__isnull=True)
    if kinds is not None:
        unread = unread.filter(kind__in=list(kinds))
    return unread.update(read_at=timezone.now())


@transaction.atomic
def notifications_mark_read_about(*, actor: Actor, kinds: Iterable[str], subject: int) -> int:
    """The actor's unread notifications of these kinds about one thing (``data[kind.subject]``), marked
    read: what the owning app calls once the actor has decided it, from the inbox or anywhere else.
    Nothing for someone without an inbox or a kind without a subject."""
    if not access.can_have_preferences(actor):
        return 0
    marked = 0
    now = timezone.now()
    for key in kinds:
        kind = K.find(key)
        if kind is None or not kind.subject:
            continue
        marked += (access.visible_notifications(actor)
                   .filter(kind=key, read_at__isnull=True, **{f"data__{kind.subject}": subject})
                   .update(read_at=now))
    return marked


def personal_channel_keys() -> list[str]:
    return [K.INAPP, *CHANNEL_PATHS]


@transaction.atomic
def preferences_update(*, actor: Actor, kind_channels: dict[str, list[str]]) -> dict[str, list[str]]:
    """Set the channels for the kinds given (others keep theirs). The inbox is always on: it is
    where every notification lives, so leaving it out changes nothing."""
    employee = _employee(actor)
    known = {k.key for k in K.all_kinds()}
    channel_keys = set(personal_channel_keys())
    errors: dict[str, list[str]] = {}
    clean: dict[str, list[str]] = {}
    for kind, channels in (kind_channels or {}).items():
        if kind not in known:
            errors.setdefault(kind, []).append(_("Unknown kind of notification."))
            continue
        if not isinstance(channels, (list, tuple, set)):
            errors.setdefault(kind, []).append(_("Give a list of channels."))
            continue
        unknown = [str(c) for c in channels if c not in channel_keys]
        if unknown:
            errors.setdefault(kind, []).append(_("Unknown channel: %(keys)s.") % {"keys": ", ".join(unknown)})
            continue
        clean[kind] = [c for c in CHANNEL_PATHS if c in set(channels)]
    if errors:
        raise InvalidInput(_("Please correct the errors below."), errors)
    existing = {p.kind: p for p in NotificationPreference.objects.filter(employee=employee, kind__in=list(clean))}
    new, changed = [], []
    for kind, channels in clean.items():
        pref = existing.get(kind)
        if pref is None:
            new.append(NotificationPreference(employee=employee, kind=kind, channels=channels))
        elif pref.channels != channels:
            pref.channels = channels
            changed.append(pref)
    NotificationPreference.objects.bulk_create(new)
    NotificationPreference.objects.bulk_update(changed, ["channels", "updated_at"])
    return {kind: [K.INAPP, *channels] for kind, channels in clean.items()}


@transaction.atomic
def quiet_hours_set(*, actor: Actor, start: dt.time | None, end: dt.time | None, enabled: bool) -> QuietHours | None:
    employee = _employee(actor)
    errors: dict[str, list[str]] = {}
    for name, value in (("start", start), ("end", end)):
        if value is not None and value.tzinfo is not None:
            errors[name] = [_("Give a time of day without a time zone: the organisation's zone applies.")]
    if errors:
        raise InvalidInput(_("Please correct the errors below."), errors)
    if enabled:
        if start is None:
            errors["start"] = [_("This field is required.")]
        if end is None:
            errors["end"] = [_("This field is required.")]
        if start is not None and end is not None and start == end:
            errors["end"] = [_("Quiet hours end at another time than they start.")]
    if errors:
        raise InvalidInput(_("Please correct the errors below."), errors)
    current = QuietHours.objects.filter(employee=employee).first()
    if current is None:
        if start is None or end is None:
            return None
        current = QuietHours(employee=employee, start=start, end=end, enabled=enabled)
    else:
        current.enabled = enabled
        if start is not None and end is not None:
            current.start, current.end = start, end
    current.full_clean()
    current.save()
    return current


@transaction.atomic
def preferences_save(*, actor: Actor, kind_channels: dict[str, list[str]], quiet_start: dt.time | None,
                     quiet_end: dt.time | None, quiet_enabled: bool) -> None:
    """The settings page and the API save channels and quiet hours together: all or nothing."""
    errors: dict[str, list[str]] = {}
    try:
        preferences_update(actor=actor, kind_channels=kind_channels)
    except InvalidInput as exc:
        errors.update(exc.errors)
    try:
        with transaction.atomic():
            quiet_hours_set(actor=actor, start=quiet_start, end=quiet_end, enabled=quiet_enabled)
    except InvalidInput as exc:
        errors.update(exc.errors)
    if errors:
        raise InvalidInput(_("Please correct the errors below."), errors)
