"""Factories and small helpers of the notifications tests."""

from __future__ import annotations

import datetime as dt

import factory
from django.utils import timezone
from factory.django import DjangoModelFactory

from talentloop.notifications.models import Notification, NotificationPreference
from talentloop.notifications.services import items_for, notify_each


class NotificationFactory(DjangoModelFactory):
    class Meta:
        model = Notification

    kind = "feedback_received"
    data = factory.LazyFunction(lambda: {"giver": "王芳", "giver_en": "Wang Fang", "kind": "praise"})
    text = "Wang Fang gave you praise."
    link = "/performance/feedback/"
    created_at = factory.LazyFunction(timezone.now)


def notifications_for(employee, count: int, *, start: dt.datetime | None = None, read: int = 0,
                      prefix: str = "f") -> list:
    """``count`` notifications for one person in one INSERT, the first ``read`` of them read."""
    start = start or timezone.now()
    rows = [NotificationFactory.build(recipient=employee, created_at=start - dt.timedelta(minutes=i),
                                      read_at=start if i < read else None, dedupe_key=f"{prefix}{i}")
            for i in range(count)]
    return Notification.objects.bulk_create(rows)


def notify(*, recipients, kind: str, data: dict, link: str = "", dedupe_key: str = "") -> int:
    """The same notification for a set of people, through the one service (shorthand for tests)."""
    return notify_each(kind=kind, items=items_for(recipients, data, link, dedupe_key))


def prefer(employee, kind: str, channels: list[str]) -> None:
    NotificationPreference.objects.update_or_create(employee=employee, kind=kind, defaults={"channels": channels})
