"""Notifications hold no demo data of their own: the demo's events create them. Wiping removes the
inbox, deliveries and per-person settings before the people they belong to are deleted."""

from __future__ import annotations

from django.db import transaction

from talentloop.notifications.models import (
    Delivery,
    ImIdentity,
    Notification,
    NotificationPreference,
    PushSubscription,
    QuietHours,
)


@transaction.atomic
def wipe_notifications() -> None:
    for model in (Delivery, Notification, NotificationPreference, QuietHours, ImIdentity, PushSubscription):
        model.objects.all().delete()
