"""Facts from work tools: stored as the latest state of each, then recorded as observations.

Two steps, so a request from a tool costs little and nothing is lost:

1. ``tool_facts_store`` (the inbound endpoint, a backfill, a pull): the accounts an event names are
   created or refreshed (a new one matched to an employee by e-mail or handle when exactly one fits),
   and each fact is kept by its stable external id — a re-delivery changes nothing, an edit sets it
   back to ``queued``.
2. ``tool_events_record`` (the worker, soon after): queued facts of matched accounts become
   observations of the metrics HR mapped their kinds to, through ``performance``'s ingestion (the
   connector's account's scope; source ``connector:<key>``, the fact's external id) — an edit becomes
   a correction there. A fact of an unmatched account waits as ``unmatched`` until HR matches the
   account (``tool_account_match`` queues it again); one of a kind mapped to no metric is ``ignored``
   until a mapping is added (``tool_events_requeue``).

Every step converges when run again: an interrupted recording leaves its facts queued, and recording
them twice gives duplicates that the ingestion recognises.
"""

from __future__ import annotations

import datetime as dt
import logging
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.db.models import Q, QuerySet
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext as _

from talentloop.core.access import Actor, actor_for
from talentloop.core.audit.services import audit_record
from talentloop.core.errors import InvalidInput, PermissionDenied
from talentloop.integrations import access
from talentloop.integrations.connectors.base import ToolFact
from talentloop.integrations.models import (
    Connector,
    InboundDelivery,
    MatchedBy,
    ToolAccount,
    ToolEvent,
    ToolEventStatus,
)
from talentloop.organisation.access import visible_employees
from talentloop.organisation.models import Employee
from talentloop.performance.services.observations import MAX_ITEMS, observations_ingest

RECORD_BATCH = MAX_ITEMS
LAST_EVENT_EVERY = dt.timedelta(seconds=1)
SEEN_EVERY = dt.timedelta(minutes=5)

logger = logging.getLogger(__name__)


@dataclass
class StoreResult:
    new: int = 0
    changed: int = 0
    unchanged: int = 0
    accounts_created: int = 0
    accounts_matched: int = 0

    def as_dict(self) -> dict[str, int]:
        return {"new": self.new, "changed": self.changed, "unchanged": self.unchanged,
                "accounts_created": self.accounts_created, "accounts_matched": self.accounts_matched}


@dataclass
class RecordResult:
    recorded: int = 0
    unmatched: int = 0
    ignored: int = 0
    failed: int = 0
    errors: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {"recorded": self.recorded, "unmatched": self.unmatched, "ignored": self.ignored,
                "failed": self.failed, "errors": self.errors[:20]}


def source_of(connector: Connector) -> str:
    """The observations' source of a connector (``Observation.source`` holds 60 characters)."""
    return f"connector:{connector.key}"[:60]


def _people_by(scope: QuerySet[Employee], field: str, values: set[str]) -> dict[str, list[int]]:
    """Lower-cased value -> the ids of the people in ``scope`` whose ``field`` is that value, in any case
    (one query, set-based)."""
    found: dict[str, list[int]] = {}
    if values:
        rows = scope.annotate(match_key=Lower(field)).filter(match_key__in=values).values_list("pk", "match_key")
        for pk, key in rows:
            found.setdefault(key.strip(), []).append(pk)
    return found


def _matches(actor: Actor, refs: dict[str, ToolFact]) -> dict[str, tuple[int, str]]:
    """handle -> (employee id, how) for the accounts exactly one employee in the connector's scope fits:
    by e-mail first, then by the handle as the employee's sign-in name. Two or more candidates leave the
    account for HR."""
    scope = visible_employees(actor)
    by_email = _people_by(scope, "email", {f.account.email.strip().lower() for f in refs.values()} - {""})
    by_handle = _people_by(scope, "user__username", {h.lower() for h in refs})
    found: dict[str, tuple[int, str]] = {}
    for handle, fact in refs.items():
        email_hits = by_email.get(fact.account.email.strip().lower(), []) if fact.account.email.strip() else []
        if len(email_hits) == 1:
            found[handle] = (email_hits[0], MatchedBy.EMAIL)
            continue
        handle_hits = by_handle.get(handle.lower(), [])
        if not email_hits and len(handle_hits) == 1:
            found[handle] = (handle_hits[0], MatchedBy.HANDLE)
    return found


def _accounts(connector: Connector, facts: Iterable[ToolFact], now: dt.datetime,
              result: StoreResult) -> dict[str, ToolAccount]:
    refs: dict[str, ToolFact] = {}
    for fact in facts:
        refs.setdefault(fact.account.handle, fact)
    known = {a.handle: a for a in ToolAccount.objects.filter(connector=connector, handle__in=list(refs))}
    missing = {h: f for h, f in refs.items() if h not in known}
    if missing:
        matches = _matches(actor_for(connector.act_as), missing)
        rows = []
        for handle, fact in missing.items():
            employee_id, how = matches.get(handle, (None, MatchedBy.NONE))
            rows.append(ToolAccount(connector=connector, handle=handle, email=fact.account.email[:254],
                                    display_name=fact.account.display_name[:200], employee_id=employee_id,
                                    matched_by=how, matched_at=now if employee_id else None, last_seen_at=now))
        # A concurrent delivery may create the same account: the constraint keeps one, read back below.
        ToolAccount.objects.bulk_create(rows, ignore_conflicts=True)
        result.accounts_created += len(rows)
        result.accounts_matched += sum(1 for r in rows if r.employee_id)
        known.update({a.handle: a for a in ToolAccount.objects.filter(connector=connector, handle__in=list(missing))})
    # Refreshed at most every few minutes: a busy account's every delivery would otherwise rewrite its row.
    stale = [a.pk for a in known.values() if a.handle not in missing
             and (a.last_seen_at is None or now - a.last_seen_at >= SEEN_EVERY)]
    if stale:
        ToolAccount.objects.filter(pk__in=stale).update(last_seen_at=now)
    return known


@transaction.atomic
def tool_facts_store(*, connector: Connector, facts: list[ToolFact], delivery: InboundDelivery | None = None,
                     now: dt.datetime | None = None) -> StoreResult:
    """Keep each fact by its external id (set-based: a few queries whatever the number of facts)."""
    now = now or timezone.now()
    result = StoreResult()
    latest: dict[str, ToolFact] = {}
    for fact in facts:  # the same fact twice in one delivery: the last one counts
        latest[fact.external_id[:100]] = fact
    if not latest:
        return result
    accounts = _accounts(connector, latest.values(), now, result)
    existing = {e.external_id: e for e in ToolEvent.objects.filter(connector=connector, external_id__in=list(latest))}
    new_rows: list[ToolEvent] = []
    changed: list[ToolEvent] = []
    for external_id, fact in latest.items():
        account = accounts[fact.account.handle]
        row = existing.get(external_id)
        if row is None:
            new_rows.append(ToolEvent(connector=connector, account=account, delivery=delivery,
                                      event_kind=fact.event_kind[:60], external_id=external_id, value=fact.value,
                                      occurred_at=fact.occurred_at))
            continue
        if (row.value == fact.value and row.occurred_at == fact.occurred_at and row.account_id == account.pk
                and row.event_kind == fact.event_kind):
            result.unchanged += 1
            continue
        row.account, row.value, row.occurred_at, row.event_kind = account, fact.value, fact.occurred_at, fact.event_kind
        row.delivery, row.status, row.error, row.recorded_at = delivery, ToolEventStatus.QUEUED, "", None
        changed.append(row)
    if new_rows:
        ToolEvent.objects.bulk_create(new_rows, ignore_conflicts=True)
        result.new = len(new_rows)
    if changed:
        ToolEvent.objects.bulk_update(changed, ["account", "value", "occurred_at", "event_kind", "delivery",
                                                "status", "error", "recorded_at"])
        result.changed = len(changed)
    connector_seen(connector, now)
    if result.new or result.changed:
        record_soon()
    return result


# Set while a recording is queued and not yet started, so a thousand deliveries a second queue one job,
# not a thousand. The job clears it before it reads the queue: facts committed before the clearing are
# read by that job; a store committing after it sets the flag again and queues the next job. A flag
# left by a job that never ran expires; the minute job records in the meantime.
RECORD_QUEUED_KEY = "integrations:record-queued"
RECORD_QUEUED_SECONDS = 30


def connector_seen(connector: Connector, now: dt.datetime) -> None:
    """Note the connector's last event, at most once a second: at a thousand deliveries a second, every
    delivery's transaction would otherwise wait for the same row."""
    Connector.objects.filter(pk=connector.pk).filter(
        Q(last_event_at__isnull=True) | Q(last_event_at__lt=now - LAST_EVENT_EVERY)).update(last_event_at=now)


def record_soon() -> None:
    """After the commit, wake the worker to record what was queued (unless a recording is queued)."""
    if settings.TALENTLOOP_CONNECTORS_RECORD_AT_ONCE:
        transaction.on_commit(_queue_recording)


# A process that queued a recording (or found one queued) skips the shared flag for a moment (a third of
# TALENTLOOP_CONNECTORS_RECORD_LINGER): the job it queued is still to start, or is recording and lingers
# for more facts three times as long (below).
_queued_at = [float("-inf")]


def _queue_recording() -> None:
    # The tasks module imports this one: looked up when enqueueing.
    from talentloop.integrations.tasks import connector_events_record_now

    moment = time.monotonic()
    if moment - _queued_at[0] < settings.TALENTLOOP_CONNECTORS_RECORD_LINGER / 3:
        return
    _queued_at[0] = moment
    if cache.add(RECORD_QUEUED_KEY, 1, RECORD_QUEUED_SECONDS):
        connector_events_record_now()


def tool_events_record_queued() -> RecordResult:
    """The queued job: clear the flag, record everything queued, and go on while more arrives; it stops
    after ``TALENTLOOP_CONNECTORS_RECORD_LINGER`` seconds without a new fact (longer than a process skips
    the flag after queueing it, so a fact stored in that moment is never left for the minute job)."""
    cache.delete(RECORD_QUEUED_KEY)
    total = tool_events_record()
    idle_since = time.monotonic()
    while time.monotonic() - idle_since < settings.TALENTLOOP_CONNECTORS_RECORD_LINGER:
        time.sleep(0.05)
        if ToolEvent.objects.filter(status=ToolEventStatus.QUEUED).exists():
            more = tool_events_record()
            for name in ("recorded", "unmatched", "ignored", "failed"):
                setattr(total, name, getattr(total, name) + getattr(more, name))
            total.errors += more.errors
            if more.errors:
                break  # a failing connector's facts wait for the minute job
            idle_since = time.monotonic()
    return total


def tool_events_record(*, connector: Connector | None = None, limit: int = 100_000) -> RecordResult:
    """Record queued facts as observations, a batch per connector at a time; each batch commits alone,
    so one connector's failure (its account lost its rights, say) never stops the others."""
    result = RecordResult()
    connectors = Connector.objects.select_related("act_as").filter(is_active=True)
    if connector is not None:
        connectors = connectors.filter(pk=connector.pk)
    todo = set(ToolEvent.objects.filter(status=ToolEventStatus.QUEUED).values_list("connector_id", flat=True)
               .distinct())
    for each in connectors:
        if each.pk not in todo:
            continue
        done = 0
        while done < limit:
            count = _record_batch(each, result)
            if not count:
                break
            done += count
    return result


def _record_batch(connector: Connector, result: RecordResult) -> int:
    mapping = dict(connector.mappings.values_list("event_kind", "metric_key"))
    rows = list(ToolEvent.objects.filter(connector=connector, status=ToolEventStatus.QUEUED)
                .select_related("account").order_by("pk")[:RECORD_BATCH])
    if not rows:
        return 0
    now = timezone.now()
    unmatched = [r.pk for r in rows if r.account.employee_id is None]
    ignored = [r.pk for r in rows if r.account.employee_id is not None and r.event_kind not in mapping]
    todo = [r for r in rows if r.account.employee_id is not None and r.event_kind in mapping]
    source = source_of(connector)
    items = [{"metric": mapping[r.event_kind], "employee_id": r.account.employee_id, "value": str(r.value),
              "occurred_at": r.occurred_at.isoformat(), "source": source, "external_id": r.external_id}
             for r in todo]
    failed: dict[int, str] = {}
    try:
        with transaction.atomic():
            if items:
                outcome = observations_ingest(actor=actor_for(connector.act_as), items=items, partial=True,
                                              channel="connector")
                for rejected in outcome.rejected:
                    errors = rejected.get("errors", {})
                    text = "; ".join(f"{k}: {', '.join(map(str, v))}" for k, v in errors.items())
                    failed[todo[rejected["index"]].pk] = text[:300]
            recorded = [r.pk for r in todo if r.pk not in failed]
            ToolEvent.objects.filter(pk__in=recorded).update(status=ToolEventStatus.RECORDED, error="", recorded_at=now)
            ToolEvent.objects.filter(pk__in=unmatched).update(status=ToolEventStatus.UNMATCHED)
            ToolEvent.objects.filter(pk__in=ignored).update(status=ToolEventStatus.IGNORED)
            for pk, text in failed.items():
                ToolEvent.objects.filter(pk=pk).update(status=ToolEventStatus.FAILED, error=text)
            if failed:
                Connector.objects.filter(pk=connector.pk).update(
                    last_error=_("%(n)d events could not be recorded: %(first)s")
                    % {"n": len(failed), "first": next(iter(failed.values()))}, last_error_at=now)
    except (PermissionDenied, InvalidInput) as exc:
        # The connector's account may no longer record observations: its facts wait, its page says why.
        Connector.objects.filter(pk=connector.pk).update(last_error=str(exc)[:300], last_error_at=now)
        result.errors.append(f"{connector.key}: {exc}")
        return 0
    except Exception as exc:  # noqa: BLE001 - one connector's failure never stops the others' recording
        logger.exception("Recording connector %s's facts failed; they stay queued", connector.key)
        Connector.objects.filter(pk=connector.pk).update(last_error=_("Recording failed; it is tried again "
                                                                      "every minute.")[:300], last_error_at=now)
        result.errors.append(f"{connector.key}: {type(exc).__name__}")
        return 0
    result.recorded += len(todo) - len(failed)
    result.failed += len(failed)
    result.unmatched += len(unmatched)
    result.ignored += len(ignored)
    return len(rows)


def tool_events_requeue(*, connector: Connector, statuses: Iterable[str] = (ToolEventStatus.IGNORED,
                                                                            ToolEventStatus.FAILED)) -> int:
    """Queue a connector's waiting facts again (after its mappings or its account changed)."""
    count = ToolEvent.objects.filter(connector=connector, status__in=list(statuses)).update(
        status=ToolEventStatus.QUEUED, error="")
    if count:
        record_soon()
    return count


@transaction.atomic
def tool_account_match(*, actor: Actor, account: ToolAccount, employee: Employee | None) -> ToolAccount:
    """HR says whose a tool account is (``None`` undoes a match); the account's waiting facts are
    queued again and flow into the person's observations."""
    if not access.can_manage_connectors(actor):
        raise PermissionDenied(_("Only HR or an administrator matches tool accounts."))
    if employee is not None and not visible_employees(actor).filter(pk=employee.pk).exists():
        raise InvalidInput(_("Choose a person you can see."), {"employee": [_("Choose a person you can see.")]})
    account = ToolAccount.objects.select_for_update().get(pk=account.pk)
    before = account.employee_id
    account.employee = employee
    account.matched_by = MatchedBy.PERSON if employee is not None else MatchedBy.NONE
    account.matched_at = timezone.now() if employee is not None else None
    account.matched_by_user = actor.user if employee is not None else None
    account.save(update_fields=["employee", "matched_by", "matched_at", "matched_by_user"])
    if employee is not None:
        requeued = ToolEvent.objects.filter(account=account, status=ToolEventStatus.UNMATCHED).update(
            status=ToolEventStatus.QUEUED)
        if requeued:
            record_soon()
    audit_record(actor=actor, action="update", obj=account,
                 entity_label=f"{account.connector.key}:{account.handle}",
                 changes={"employee": [before, account.employee_id]},
                 summary="tool account matched" if employee is not None else "tool account match undone")
    return account
