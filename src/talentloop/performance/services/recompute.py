"""Durable recomputation: stale (person, period) marks written with the facts, drained by the worker.

A batch of observations writes its marks in its own transaction, so once the facts are committed the
need to recompute is too: a worker killed before, during or after the recomputation leaves marks
that the next drain (enqueued on commit) or the periodic sweep picks up. Draining is idempotent —
recomputing a score from the same facts gives the same score — so running it twice is harmless.
"""

from __future__ import annotations

import datetime as dt
import logging
import time
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from django.core.cache import cache
from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.crypto import get_random_string

from talentloop.core import db
from talentloop.organisation.models import Employee
from talentloop.performance import periods as P
from talentloop.performance.models import RecomputeMark
from talentloop.performance.services import scores
from talentloop.performance.services.alerts import alerts_check_after_ingest
from talentloop.performance.services.score_notices import scores_recompute_notifying

if TYPE_CHECKING:  # the scoring modules are imported where they run (see _recompute)
    from talentloop.performance.services.scores import RecomputeResult

logger = logging.getLogger(__name__)

STALE_CLAIM = dt.timedelta(minutes=5)  # a claim older than this belongs to a worker that died
CLAIM_LIMIT = 5000  # marks taken per round
CHUNK = 900


@dataclass
class DrainResult:
    claimed: int = 0
    recomputed: int = 0  # marks done and removed
    failed: list[str] = field(default_factory=list)  # periods whose recomputation failed (retried later)
    scored: int = 0
    person_errors: int = 0


def _periods_of_month(month_key: str) -> list[str]:
    month = P.parse(month_key)
    return [month.key, P.containing(month.start, P.QUARTER).key, P.containing(month.start, P.YEAR).key]


def recompute_marks_add(affected: Iterable[tuple[int, str]], *, notify: bool = False) -> int:
    """Mark the scores of (employee, month key) pairs — and of their quarters and years — stale.

    Call it inside the transaction that writes the facts. One statement: marks already there are
    kept once (the unique pair), and a mark a worker has claimed is released again, because the
    worker may have read the facts before these ones.
    """
    keys: dict[str, list[str]] = {}
    pairs: set[tuple[int, str]] = set()
    for emp, month_key in affected:
        if month_key not in keys:
            keys[month_key] = _periods_of_month(month_key)
        pairs.update((emp, key) for key in keys[month_key])
    return _write_marks(pairs, notify=notify)


def recompute_marks_add_period(period: P.Period, employee_ids: Iterable[int] | None = None, *,
                               notify: bool = False) -> int:
    """Mark one period stale for some people, or for everyone employed in it (HR's rebuild of a
    period, a closed review cycle). Call it inside the transaction that asks for the rebuild, so a
    crash before the worker ran still leaves the marks for the sweep."""
    if employee_ids is None:
        # The people recompute_period scores when it is given no one in particular.
        employee_ids = (Employee.objects.filter(hire_date__lt=period.end)
                        .filter(Q(termination_date__isnull=True) | Q(termination_date__gte=period.start))
                        .values_list("id", flat=True))
    return _write_marks({(emp, period.key) for emp in employee_ids}, notify=notify)


def _write_marks(pairs: set[tuple[int, str]], *, notify: bool) -> int:
    """One statement per chunk: marks already there are kept once (the unique pair), and a mark a
    worker has claimed is released again, because the worker may have read the facts before these."""
    if not pairs:
        return 0
    now = connection.ops.adapt_datetimefield_value(timezone.now())
    # Sorted, so two batches marking the same people take their row locks in the same order. Through
    # the raw upsert (``core.db``): a batch of observations marks about 1,500 pairs, and a model
    # instance for each was a third of the ingest's time. The claim columns are written empty, so a
    # claimed mark is released.
    return db.upsert_rows(RecomputeMark, _MARK_COLUMNS,
                          ((emp, key, notify, now, None, None) for emp, key in sorted(pairs)),
                          unique=("employee_id", "period_key"))


_MARK_COLUMNS = ("employee_id", "period_key", "notify", "marked_at", "claim", "claimed_at")


def _claim(token: str, now: dt.datetime, limit: int) -> list[tuple[int, str, bool]]:
    """Take up to ``limit`` free marks (or marks of a dead worker) for this token, oldest first.

    On PostgreSQL, rows another worker is claiming at the same moment are skipped rather than waited
    for; SQLite runs one writer at a time anyway."""
    with transaction.atomic():
        free = (
            RecomputeMark.objects.filter(Q(claim__isnull=True) | Q(claimed_at__lt=now - STALE_CLAIM))
            .order_by("marked_at", "id")
            .select_for_update(skip_locked=True)
        )
        ids = list(free.values_list("id", flat=True)[:limit])
        for start in range(0, len(ids), CHUNK):
            RecomputeMark.objects.filter(pk__in=ids[start : start + CHUNK]).update(claim=token, claimed_at=now)
    return list(RecomputeMark.objects.filter(claim=token).values_list("employee_id", "period_key", "notify"))


def _recompute(period_key: str, employee_ids: list[int], notify: bool) -> RecomputeResult:
    if notify:
        return scores_recompute_notifying(period_key, employee_ids)

    return scores.recompute_period(P.parse(period_key), employee_ids)


def recompute_marks_drain(*, limit: int = CLAIM_LIMIT, rounds: int = 20, now: dt.datetime | None = None) -> DrainResult:
    """Recompute what the marks say, period by period, and remove the marks done.

    A period whose recomputation fails gives its marks back (claim released) and the others go on;
    the next drain or sweep tries it again. One person's bad fact does not fail a period: the
    recomputation records it as that person's score error.

    The people whose marks came from new observations (``notify``) are then checked for decline
    alerts once per round, not once per batch: a late or corrected fact can complete an alert's
    window. A failing check is logged and left to the daily check; the scores stand.
    """
    result = DrainResult()
    for _round in range(rounds):
        token = get_random_string(32)
        claimed = _claim(token, now or timezone.now(), limit)
        if not claimed:
            break
        result.claimed += len(claimed)
        groups: dict[tuple[str, bool], list[int]] = defaultdict(list)
        for emp, key, notify in claimed:
            groups[key, notify].append(emp)
        for (key, notify), emps in sorted(groups.items()):
            mine = RecomputeMark.objects.filter(claim=token, period_key=key, notify=notify)
            try:
                outcome = _recompute(key, sorted(emps), notify)
            except Exception:  # noqa: BLE001 - give the marks back; the sweep retries them
                logger.exception("recomputing %s for %d people failed; will retry", key, len(emps))
                mine.update(claim=None, claimed_at=None)
                result.failed.append(key)
                continue
            result.scored += outcome.scored
            result.person_errors += len(getattr(outcome, "failed", {}) or {})
            # Marks released meanwhile (new facts) have no claim any more and stay for the next round.
            result.recomputed += mine.delete()[0]
        _check_alerts(sorted({emp for (_key, notify), emps in groups.items() if notify for emp in emps}))
        if len(claimed) < limit or result.failed:
            break
    return result


def _check_alerts(employee_ids: list[int]) -> None:
    if not employee_ids:
        return
    try:
        alerts_check_after_ingest(employee_ids)
    except Exception:  # noqa: BLE001 - the scores are done; the daily check catches up
        logger.exception("checking decline alerts for %d people failed", len(employee_ids))


def recompute_marks_pending() -> int:
    return RecomputeMark.objects.count()


# One drain at a time is asked for. Observations arrive in many small batches (ten a second from a
# busy company's systems), and a drain costs about 45 ms of CPU before it recomputes anyone: one drain
# per batch spent most of a core on that fixed part. A batch asks for a drain only when none is queued
# or running (a flag in the shared cache); the running drain takes the marks written meanwhile in its
# next round, so the batches in between are recomputed together.
DRAIN_QUEUED_KEY = "performance:recompute-drain-queued"
# A running drain sets the flag again after every round, so this only bounds how long a drain that was
# queued and lost (a flushed queue, a worker killed before it started) holds new requests back; the
# every-minute sweep drains in the meantime.
DRAIN_QUEUED_SECONDS = 10
# A drain that finds new marks after a round waits until this long after that round began, so the
# batches of that second are recomputed together (a round right after another takes about one batch
# and pays the fixed cost again). A lone batch is drained at once; a steady stream is counted in the
# scores within about this long plus a round.
DRAIN_ROUND_SECONDS = 1.0


def recompute_drain_wanted() -> bool:
    """Whether the caller should queue a drain: True (and the flag is set) when none is queued or
    running. Call it after the marks are committed."""
    return cache.add(DRAIN_QUEUED_KEY, 1, DRAIN_QUEUED_SECONDS)


def recompute_marks_drain_queued() -> DrainResult:
    """The queued drain: drain, and again while marks were written during the last round and no other
    drain has been asked for since.

    Why no mark is left waiting: a batch commits its marks *before* it tries to set the flag. If its
    try failed, the flag was still set, so this drain had not yet cleared it; the check for waiting
    marks comes after the clearing, so it sees that batch's marks and drains them. If its try
    succeeded, it queued a drain of its own."""
    total = DrainResult()
    holding = True  # this drain holds the flag (a failure clears it, so the next batch queues again)
    idle = 0  # rounds in a row that found nothing to claim
    try:
        while True:
            started = time.monotonic()
            done = recompute_marks_drain()
            total.claimed += done.claimed
            total.recomputed += done.recomputed
            total.scored += done.scored
            total.person_errors += done.person_errors
            total.failed += done.failed
            cache.delete(DRAIN_QUEUED_KEY)
            holding = False
            if done.failed:
                return total  # a failure the sweep retries later
            # Also after a round that claimed nothing: a batch may have committed its marks just after
            # the claim, while the flag was still set, and so queued no drain of its own.
            if not RecomputeMark.objects.filter(claim__isnull=True).exists():
                return total
            idle = 0 if done.claimed else idle + 1
            if idle > 1:
                return total  # free marks this drain cannot claim (another is claiming them): the sweep
            holding = recompute_drain_wanted()
            if not holding:
                return total  # another batch queued a drain since: it takes them
            time.sleep(max(0.0, DRAIN_ROUND_SECONDS - (time.monotonic() - started)))
    finally:
        if holding:
            cache.delete(DRAIN_QUEUED_KEY)
