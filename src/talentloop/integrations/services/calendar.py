"""Personal calendar feeds: an address with a random token (stored only as its SHA-256 hash) that a
calendar app reads without signing in. The person renews it (the old address stops answering) or
revokes it; a feed answers only while its person's account is active."""

from __future__ import annotations

import hashlib
import secrets

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from talentloop.core.access import Actor
from talentloop.core.audit.services import audit_record
from talentloop.core.errors import PermissionDenied
from talentloop.integrations import access
from talentloop.integrations.models import CalendarFeed

TOKEN_BYTES = 32


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@transaction.atomic
def calendar_feed_renew(*, actor: Actor) -> tuple[CalendarFeed, str]:
    """Give the actor a new feed address (the token is returned this once); any old one stops working."""
    if not access.can_have_calendar_feed(actor):
        raise PermissionDenied(_("Only a person with an employee record has a calendar feed."))
    assert actor.employee is not None
    token = secrets.token_urlsafe(TOKEN_BYTES)
    feed, created = CalendarFeed.objects.select_for_update().get_or_create(
        employee=actor.employee, defaults={"token_hash": token_hash(token)})
    if not created:
        feed.token_hash = token_hash(token)
        feed.created_at = timezone.now()
        feed.last_read_at = None
        feed.save(update_fields=["token_hash", "created_at", "last_read_at"])
    audit_record(actor=actor, action="create" if created else "update", obj=feed, changes={"token": "changed"},
                 summary="calendar feed address renewed")
    return feed, token


@transaction.atomic
def calendar_feed_revoke(*, actor: Actor) -> bool:
    """Stop the actor's feed; returns whether there was one."""
    if not access.can_have_calendar_feed(actor):
        raise PermissionDenied(_("Only a person with an employee record has a calendar feed."))
    feed = CalendarFeed.objects.select_for_update().filter(employee=actor.employee).first()
    if feed is None:
        return False
    audit_record(actor=actor, action="delete", obj=feed, summary="calendar feed revoked")
    feed.delete()
    return True


def calendar_feed_read(*, feed: CalendarFeed) -> None:
    """Note when a calendar app last read the feed (shown on its page); at most once a minute."""
    now = timezone.now()
    if feed.last_read_at is None or (now - feed.last_read_at).total_seconds() > 60:
        CalendarFeed.objects.filter(pk=feed.pk).update(last_read_at=now)
