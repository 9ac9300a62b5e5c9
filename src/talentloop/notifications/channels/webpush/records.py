"""The push channel's own bookkeeping on the subscriptions it used (a system write, no actor)."""

from __future__ import annotations

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from talentloop.notifications.models import PushSubscription


@transaction.atomic
def push_delivery_record(*, delivered: list[int], gone: list[int], failed: list[int]) -> None:
    """The outcome of one push round (three statements at most): successes reset the failure count, gone
    subscriptions are deleted, other failures are counted."""
    if delivered:
        PushSubscription.objects.filter(pk__in=delivered).update(last_success_at=timezone.now(), failures=0)
    if gone:
        PushSubscription.objects.filter(pk__in=gone).delete()
    if failed:
        PushSubscription.objects.filter(pk__in=failed).update(failures=F("failures") + 1)
