"""Who sees which notification: everyone their own, nobody anyone else's — HR and admins included.
An inbox is as private as a letterbox; a notification one may not see is a 404."""

from __future__ import annotations

from django.db.models import QuerySet

from talentloop.core.access import Actor
from talentloop.notifications.models import Notification


def visible_notifications(actor: Actor) -> QuerySet[Notification]:
    if actor.employee is None:
        return Notification.objects.none()
    return Notification.objects.filter(recipient_id=actor.employee.pk)


def can_have_preferences(actor: Actor) -> bool:
    """Preferences belong to a person; an account with no employee record receives nothing."""
    return actor.is_authenticated and actor.employee is not None


def can_read_notification(actor: Actor, notification: Notification) -> bool:
    return actor.employee is not None and notification.recipient_id == actor.employee.pk
