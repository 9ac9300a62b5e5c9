"""The demo's outbound webhook, for ``talentloop demo`` (after the organisation and its history): HR's
subscription of the company's data platform to the people events, with a month of deliveries behind
it — most accepted at once, one retried after a 503, one that failed every attempt while the receiver
was down and was then replayed. Deterministic for a seed and reference date; the receiver's address is
an example, so new events of the running demo fail and show the retries."""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from talentloop.accounts.models import User
from talentloop.core.access import actor_for
from talentloop.integrations import selectors
from talentloop.integrations.models import Delivery, DeliveryStatus, Subscription
from talentloop.integrations.services.webhooks import RETRY_DELAYS, subscription_create
from talentloop.organisation.models import EmploymentEvent

NAME = "企业数据中台"
URL = "https://hooks.example.com/talentloop/events"
TYPES = ["employee.hired", "employee.changed", "employee.left", "review_cycle.closed", "mentoring_plan.approved"]
KINDS = {"hire": "hired", "termination": "left"}


@dataclass
class IntegrationsDemoResult:
    subscriptions: int = 0
    deliveries: int = 0


def integrations_loaded() -> bool:
    return Subscription.objects.exists()


@transaction.atomic
def wipe_integrations() -> None:
    Subscription.objects.all().delete()


def summary(result: IntegrationsDemoResult) -> str:
    return (f"Loaded the integrations demo: {result.subscriptions} webhook subscription with "
            f"{result.deliveries} deliveries.")


def _attempt(at: dt.datetime, code: int | None, rng: random.Random, error: str = "") -> dict:
    if not error and not (code and code < 300):
        error = f"HTTP {code}"
    return {"at": at.isoformat(), "status_code": code, "error": error, "duration_ms": rng.randint(40, 400)}


@transaction.atomic
def load_integrations(*, seed: int = 1, reference_date: dt.date | None = None) -> IntegrationsDemoResult:
    result = IntegrationsDemoResult()
    hr = User.objects.filter(username="hr").first()
    if integrations_loaded() or hr is None:
        return result
    rng = random.Random(seed * 104729 + 16)
    ref = reference_date or timezone.localdate()
    subscription, _secret = subscription_create(actor=actor_for(hr), name=NAME, url=URL, event_types=TYPES)
    result.subscriptions = 1
    # The latest employment events of the company's history, told as a month of deliveries.
    events = list(EmploymentEvent.objects.filter(effective_date__lte=ref).order_by("-effective_date", "-id")[:14])
    events.reverse()
    zone = timezone.get_default_timezone()
    rows: list[tuple[Delivery, dt.datetime]] = []
    for n, event in enumerate(events):
        change = KINDS.get(event.kind, "changed")
        data = selectors.employee_event_data(event.employee_id, change, event.pk)
        if data is None:
            continue
        day = ref - dt.timedelta(days=30 - 2 * n)
        at = dt.datetime.combine(day, dt.time(9 + n % 8, rng.randint(0, 59)), tzinfo=zone)
        payload = {"type": f"employee.{change}", "timestamp": at.isoformat(), "data": data}
        delivery = Delivery(subscription=subscription, event_id=f"evt_demo{seed}{n:04d}{event.pk:08d}",
                            event_type=payload["type"], payload=payload, status=DeliveryStatus.SUCCEEDED)
        if n == 3:  # the receiver answered 503 once, then took it
            delivery.log = [_attempt(at, 503, rng), _attempt(at + RETRY_DELAYS[0], 200, rng)]
        elif n == 6:  # the receiver was down: every attempt failed, HR replayed it afterwards
            moments = [at]
            for delay in RETRY_DELAYS:
                moments.append(moments[-1] + delay)
            delivery.status = DeliveryStatus.FAILED
            delivery.log = [_attempt(m, None, rng, "ConnectError: connection refused") for m in moments]
        else:
            delivery.log = [_attempt(at, 200, rng)]
        last = delivery.log[-1]
        delivery.attempts = len(delivery.log)
        delivery.last_status_code = last["status_code"]
        delivery.last_error = last["error"]
        delivery.last_duration_ms = last["duration_ms"]
        if delivery.status == DeliveryStatus.SUCCEEDED:
            delivery.delivered_at = dt.datetime.fromisoformat(last["at"])
        rows.append((delivery, at))
    created = Delivery.objects.bulk_create([d for d, _at in rows])
    for delivery, (_d, at) in zip(created, rows, strict=True):
        Delivery.objects.filter(pk=delivery.pk).update(created_at=at)
        if delivery.status == DeliveryStatus.FAILED:
            replayed_at = dt.datetime.fromisoformat(delivery.log[-1]["at"]) + dt.timedelta(hours=3)
            replay = Delivery.objects.create(
                subscription=subscription, event_id=delivery.event_id, event_type=delivery.event_type,
                payload=delivery.payload, status=DeliveryStatus.SUCCEEDED, attempts=1, last_status_code=200,
                last_duration_ms=120, delivered_at=replayed_at, replay_of=delivery,
                log=[_attempt(replayed_at, 200, rng)])
            Delivery.objects.filter(pk=replay.pk).update(created_at=replayed_at)
    result.deliveries = Delivery.objects.filter(subscription=subscription).count()
    return result
