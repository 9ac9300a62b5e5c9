"""Reads of the inbox and of a person's notification settings, always through ``access``."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db.models import BooleanField, Case, QuerySet, Value, When

from talentloop.core.access import Actor
from talentloop.notifications import access
from talentloop.notifications import kinds as K
from talentloop.notifications.models import Notification, NotificationPreference, QuietHours


def unread_count(actor: Actor, *, kinds: Iterable[str] | None = None) -> int:
    """One COUNT over the (recipient, read_at) index (of some kinds only, when given); no query for
    someone without an inbox."""
    if actor.employee is None:
        return 0
    qs = access.visible_notifications(actor).filter(read_at__isnull=True)
    if kinds is not None:
        qs = qs.filter(kind__in=list(kinds))
    return qs.count()


def inbox_queryset(actor: Actor, *, unread_only: bool = False) -> QuerySet[Notification]:
    """Unread first, newest first within each."""
    qs = access.visible_notifications(actor)
    if unread_only:
        qs = qs.filter(read_at__isnull=True)
    unread = Case(When(read_at__isnull=True, then=Value(True)), default=Value(False), output_field=BooleanField())
    return qs.annotate(is_unread=unread).order_by("-is_unread", "-created_at", "-id")


def notification_list(actor: Actor, *, unread_only: bool = False, limit: int = 20, offset: int = 0
                      ) -> list[Notification]:
    return list(inbox_queryset(actor, unread_only=unread_only)[offset:offset + limit])


def notification_count(actor: Actor, *, unread_only: bool = False) -> int:
    qs = access.visible_notifications(actor)
    if unread_only:
        qs = qs.filter(read_at__isnull=True)
    return qs.count()


def latest_of_kinds(actor: Actor, kinds: Iterable[str], *, limit: int = 20) -> list[Notification]:
    """The actor's latest notifications of some kinds, newest first: what an app's own page lists
    (the alerts page, the mentoring pages). One query; none without an inbox."""
    if actor.employee is None:
        return []
    return list(access.visible_notifications(actor).filter(kind__in=list(kinds)).order_by("-created_at", "-id")
                [:limit])


def actions_for(actor: Actor, notifications: Iterable[Notification]) -> dict[int, list[K.Action]]:
    """The decisions each notification still offers its reader, by notification id: only for kinds
    that declare actions, and only while the owning app says the thing decided still waits for this
    reader. One ``still_open`` call (one query) per such kind on the page, whatever its length."""
    wanted: dict[str, list[tuple[Notification, int]]] = {}
    for n in notifications:
        kind = K.find(n.kind)
        if kind is None or kind.actions is None:
            continue
        subject = K.subject_id(kind, n.data)
        if subject is not None:
            wanted.setdefault(n.kind, []).append((n, subject))
    out: dict[int, list[K.Action]] = {}
    for key, rows in wanted.items():
        kind = K.get(key)
        assert kind.actions is not None and kind.still_open is not None  # Kind checks both are set
        still = kind.still_open(actor, {subject for _, subject in rows})
        for n, subject in rows:
            if subject in still:
                out[n.pk] = list(kind.actions(n.data))
    return out


def notification_get(actor: Actor, pk: int) -> Notification | None:
    return access.visible_notifications(actor).filter(pk=pk).first()


@dataclass
class KindChoice:
    kind: K.Kind
    channels: list[str]  # chosen (or default) channels besides the inbox
    is_default: bool


@dataclass
class Preferences:
    kinds: list[KindChoice] = field(default_factory=list)
    quiet_hours: QuietHours | None = None


def preferences_get(actor: Actor) -> Preferences:
    """Every kind with the person's channels (their choice or the kind's default), and quiet hours.
    Two queries."""
    if not access.can_have_preferences(actor):
        return Preferences()
    assert actor.employee is not None  # can_have_preferences: only people with an employee record
    chosen = dict(NotificationPreference.objects.filter(employee_id=actor.employee.pk)
                  .values_list("kind", "channels"))
    out = Preferences(quiet_hours=QuietHours.objects.filter(employee_id=actor.employee.pk).first())
    for kind in K.all_kinds():
        if kind.key in chosen:
            out.kinds.append(KindChoice(kind, [c for c in chosen[kind.key] if c != K.INAPP], False))
        else:
            out.kinds.append(KindChoice(kind, list(kind.default_channels()), True))
    return out
