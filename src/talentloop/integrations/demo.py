"""The demo's integrations, for ``talentloop demo`` (after the organisation and its history).

Out: HR's subscription of the company's data platform to the people events, with a month of deliveries
behind it — most accepted at once, one retried after a 503, one that failed every attempt while the
receiver was down and was then replayed. The receiver's address is an example, so new events of the
running demo fail and show the retries.

In: a GitLab and a Jira connector with a month of facts from the R&D engineers, stored and recorded
as the receiving side would (``tool_facts_store``, then ``tool_events_record``). A reverted change
counts as a bug (``bugs``, the numerator of the software engineers' bug rate) and a reopened issue as a
delivery delay (``delivery-delays``, on the engineers' delivery dimension), so the R&D scores reflect
them; merges and issues done are kept, counted for nothing until HR maps them. Two accounts nobody could
match (a contractor's, and an engineer's second account under a private e-mail) wait with their facts,
and one Jira delivery of an unknown shape was rejected.

Deterministic for a seed and reference date."""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass
from decimal import Decimal

from django.db import transaction
from django.db.models import F, Max, Q
from django.utils import timezone

from talentloop.accounts.models import User
from talentloop.core.access import actor_for
from talentloop.integrations import selectors
from talentloop.integrations.connectors.base import AccountRef, ToolFact
from talentloop.integrations.models import (
    Connector,
    Delivery,
    DeliveryStatus,
    InboundDelivery,
    Subscription,
    SyncRun,
    ToolEvent,
)
from talentloop.integrations.services.connector_events import tool_events_record, tool_facts_store
from talentloop.integrations.services.connectors import (
    connector_create,
    connector_mappings_set,
    mappable_metrics,
)
from talentloop.integrations.services.webhooks import RETRY_DELAYS, subscription_create
from talentloop.organisation.models import Employee, EmploymentEvent, EmploymentStatus

NAME = "企业数据中台"
URL = "https://hooks.example.com/talentloop/events"
TYPES = ["employee.hired", "employee.changed", "employee.left", "review_cycle.closed", "mentoring_plan.approved"]
KINDS = {"hire": "hired", "termination": "left"}


R_AND_D_FAMILIES = ("software-engineer", "algorithm-engineer")
ENGINEERS = 24
GITLAB_MAPPINGS = [{"event_kind": "revert", "metric_key": "bugs"}]
JIRA_MAPPINGS = [{"event_kind": "issue_reopened", "metric_key": "delivery-delays"}]


@dataclass
class IntegrationsDemoResult:
    subscriptions: int = 0
    deliveries: int = 0
    connectors: int = 0
    facts: int = 0
    recorded: int = 0
    unmatched_accounts: int = 0


def integrations_loaded() -> bool:
    return Subscription.objects.exists() or Connector.objects.exists()


@transaction.atomic
def wipe_integrations() -> None:
    Subscription.objects.all().delete()
    Connector.objects.all().delete()


def summary(result: IntegrationsDemoResult) -> str:
    return (f"Loaded the integrations demo: {result.subscriptions} webhook subscription with "
            f"{result.deliveries} deliveries; {result.connectors} connectors with {result.facts} facts "
            f"({result.recorded} recorded as observations, {result.unmatched_accounts} accounts to match).")


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
    _load_connectors(hr, rng, ref, result)
    return result


def _moment(ref: dt.date, rng: random.Random) -> dt.datetime:
    """A working hour of one of the 30 days before the reference date."""
    day = ref - dt.timedelta(days=rng.randint(1, 30))
    return dt.datetime.combine(day, dt.time(rng.randint(9, 18), rng.randint(0, 59)),
                               tzinfo=timezone.get_default_timezone())


def _engineers() -> list[Employee]:
    """R&D engineers whose tool accounts match them automatically (by e-mail or sign-in name)."""
    return list(Employee.objects.filter(job_family__code__in=R_AND_D_FAMILIES)
                .exclude(status=EmploymentStatus.TERMINATED)
                .filter(Q(email__gt="") | Q(user__isnull=False)).select_related("user")
                .order_by("employee_number")[:ENGINEERS])


def _account(person: Employee) -> AccountRef:
    handle = person.user.get_username() if person.user_id else person.employee_number.lower()
    return AccountRef(handle=handle, email=person.email, display_name=person.name_en or person.name)


def _load_connectors(hr: User, rng: random.Random, ref: dt.date, result: IntegrationsDemoResult) -> None:
    people = _engineers()
    if not people:
        return
    actor = actor_for(hr)
    gitlab, _secret = connector_create(actor=actor, key="gitlab", name="研发 GitLab", kind="gitlab",
                                       base_url="https://gitlab.example.com",
                                       config={"projects": ["platform/api", "platform/web", "algo/ranking"]})
    jira, _secret = connector_create(actor=actor, key="jira", name="研发 Jira", kind="jira",
                                     base_url="https://example.atlassian.net",
                                     config={"done_statuses": ["Done", "Closed"],
                                             "story_points_field": "customfield_10016"})
    known = mappable_metrics(actor)
    for connector, mappings in ((gitlab, GITLAB_MAPPINGS), (jira, JIRA_MAPPINGS)):
        connector_mappings_set(actor=actor, connector=connector,
                               mappings=[m for m in mappings if m["metric_key"] in known])
    result.connectors = 2
    code: list[ToolFact] = []
    issues: list[ToolFact] = []
    for n, person in enumerate(people):
        account = _account(person)
        for i in range(rng.randint(4, 12)):
            code.append(ToolFact(event_kind="merged", external_id=f"mr:{n}:{i}", account=account,
                                 occurred_at=_moment(ref, rng)))
        for i in range(rng.choice((0, 0, 1, 1, 2, 3))):
            code.append(ToolFact(event_kind="revert", external_id=f"revert:{n}:{i}", account=account,
                                 occurred_at=_moment(ref, rng)))
        for i in range(rng.randint(3, 9)):
            at, key = _moment(ref, rng), f"PLAT-{100 + n * 20 + i}"
            issues.append(ToolFact(event_kind="issue_done", external_id=f"done:{key}", account=account,
                                   occurred_at=at))
            issues.append(ToolFact(event_kind="story_points", external_id=f"points:{key}", account=account,
                                   occurred_at=at, value=Decimal(rng.choice((1, 2, 3, 5, 8)))))
        for i in range(rng.choice((0, 0, 0, 1, 1, 2))):
            issues.append(ToolFact(event_kind="issue_reopened", external_id=f"reopened:{n}:{i}", account=account,
                                   occurred_at=_moment(ref, rng)))
    # Two accounts no one could match: a contractor, and an engineer's second account (a private e-mail).
    twin = people[len(people) // 2]
    contractor = AccountRef(handle="lina-contractor", email="lina@outsourcing.example", display_name="Li Na (外包)")
    second = AccountRef(handle="557058:demo-second", email=f"{twin.name_en.replace(' ', '.').lower()}@mail.example"
                        if twin.name_en else "", display_name=twin.name_en or twin.name)
    code += [ToolFact(event_kind="revert", external_id=f"revert:contractor:{i}", account=contractor,
                      occurred_at=_moment(ref, rng)) for i in range(2)]
    issues += [ToolFact(event_kind="issue_reopened", external_id=f"reopened:second:{i}", account=second,
                        occurred_at=_moment(ref, rng)) for i in range(3)]
    for connector, facts in ((gitlab, code), (jira, issues)):
        stored = tool_facts_store(connector=connector, facts=facts)
        result.facts += stored.new
        result.unmatched_accounts += stored.accounts_created - stored.accounts_matched
        # Each fact arrived a few minutes after it happened (the health page's facts per day).
        ToolEvent.objects.filter(connector=connector).update(received_at=F("occurred_at") + dt.timedelta(minutes=3))
        latest = ToolEvent.objects.filter(connector=connector).aggregate(at=Max("received_at"))["at"]
        Connector.objects.filter(pk=connector.pk).update(last_event_at=latest)
    # The GitLab connector was set up with a backfill of the month before its webhook took over, and its
    # connection tested; the runs are kept as the worker keeps them.
    zone = timezone.get_default_timezone()
    set_up = dt.datetime.combine(ref - dt.timedelta(days=31), dt.time(10, 5), tzinfo=zone)
    backfilled = ToolEvent.objects.filter(connector=gitlab, occurred_at__lt=set_up + dt.timedelta(days=7)).count()
    for kind, started, counts, message in (
            (SyncRun.Kind.TEST, set_up, {}, "Connected to GitLab as talentloop-bot."),
            (SyncRun.Kind.BACKFILL, set_up + dt.timedelta(minutes=2),
             {"fetched": backfilled, "new": backfilled}, "")):
        run = SyncRun.objects.create(connector=gitlab, kind=kind, status=SyncRun.Status.SUCCEEDED, started_by=hr,
                                     since=(ref - dt.timedelta(days=30)) if kind == SyncRun.Kind.BACKFILL else None,
                                     started_at=started, finished_at=started + dt.timedelta(seconds=40),
                                     message=message, **counts)
        SyncRun.objects.filter(pk=run.pk).update(created_at=started)
    Connector.objects.filter(pk=gitlab.pk).update(last_synced_at=set_up + dt.timedelta(minutes=3))
    rejected_at = _moment(ref, rng)
    rejected = InboundDelivery.objects.create(
        connector=jira, delivery_id=f"demo-{seed_token(rng)}", event_name="jira:version_released",
        status=InboundDelivery.Status.REJECTED, payload={"webhookEvent": "jira:version_released"},
        error="Not an issue event: jira:version_released is not counted.")
    InboundDelivery.objects.filter(pk=rejected.pk).update(received_at=rejected_at)
    result.recorded = tool_events_record().recorded


def seed_token(rng: random.Random) -> str:
    return f"{rng.getrandbits(48):012x}"
