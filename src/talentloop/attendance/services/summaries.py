"""Building, locking and adjusting the monthly attendance summaries.

A summary is a computation: ``summaries_build`` replaces an open month's rows from the facts (punches,
plans, leave, approved overtime) as often as it is asked to. ``summaries_lock`` freezes a month for
payroll; after that its rows never change, and a finding is recorded as a ``SummaryAdjustment``
against the locked month, which the first open month built after it carries (its figure changed by
the delta, the ``carried`` list saying from where).
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from talentloop.attendance import access
from talentloop.attendance.models import MonthLock, MonthlySummary, SummaryAdjustment
from talentloop.attendance.selectors.summaries import (
    ADJUSTABLE_FIELDS,
    LARGE_SET,
    MonthFigures,
    is_built,
    is_locked,
    month_bounds,
    month_figures,
    overtime_by_person,
    pending_adjustments,
)
from talentloop.core.access import Actor
from talentloop.core.audit.services import audit_record
from talentloop.core.db import insert_rows
from talentloop.core.errors import Conflict, InvalidInput, PermissionDenied
from talentloop.organisation.models import Employee

COLUMNS = ("employee_id", "month", "scheduled_days", "worked_days", "worked_minutes", "late_count", "late_minutes",
           "early_count", "early_minutes", "absent_days", "missing_punches", "outside_count", "leave",
           "overtime_150_minutes", "overtime_200_minutes", "overtime_300_minutes", "in_lieu_earned_minutes",
           "in_lieu_used_minutes", "cap_breaches", "carried", "built_at")
DELETE_BATCH = 900  # ids per DELETE … IN (SQLite's variable limit is higher; this keeps statements short)


@dataclass(frozen=True)
class BuildResult:
    month: dt.date
    people: int
    carried: int
    seconds: float


def parse_month(value: str | None) -> dt.date:
    """``YYYY-MM`` as the first day of that month; a clear error otherwise."""
    try:
        return dt.datetime.strptime((value or "").strip(), "%Y-%m").date()
    except ValueError:
        raise InvalidInput(_("Give the month as YYYY-MM."), {"month": [_("Give the month as YYYY-MM.")]}) from None


def _check_month_buildable(month: dt.date, today: dt.date) -> None:
    if month > today.replace(day=1):
        raise InvalidInput(_("A month that has not started cannot be built."),
                           {"month": [_("A month that has not started cannot be built.")]})
    if is_locked(month):
        raise Conflict(_("%(month)s is locked: record an adjustment instead.") % {"month": month.strftime("%Y-%m")},
                       {"month": [_("This month is locked.")]})


def _apply(figures: MonthFigures, adjustment: SummaryAdjustment) -> None:
    current = getattr(figures, adjustment.field)
    whole = ADJUSTABLE_FIELDS[adjustment.field]
    delta: Any = int(adjustment.delta) if whole else Decimal(adjustment.delta)
    value = current + delta
    floor = 0 if whole else Decimal(0)
    applied = delta if value >= floor else -current
    setattr(figures, adjustment.field, max(value, floor))
    figures.carried.append({"id": adjustment.pk, "month": adjustment.month.strftime("%Y-%m"),
                            "field": adjustment.field, "delta": str(adjustment.delta), "applied": str(applied),
                            "reason": adjustment.reason})


@transaction.atomic
def summaries_build(*, month: dt.date, employee_ids: list[int] | None = None, by: Actor | None = None,
                    today: dt.date | None = None) -> BuildResult:
    """(Re)build the summaries of an open month for everyone employed in it (or the given people).

    The current month is judged up to yesterday (today is still running) and a future month is
    refused, as is a locked one. ``by`` is the person who asked (HR covering everyone), or ``None``
    for the nightly job and the command. A fixed number of queries whatever the number of people."""
    started = timezone.now()
    month = month.replace(day=1)
    today = today or timezone.localdate()
    if by is not None and not access.can_manage_attendance(by):
        raise PermissionDenied(_("Only HR covering the whole organisation builds the monthly summaries."))
    _check_month_buildable(month, today)
    start, end = month_bounds(month)
    ids = None if employee_ids is None else sorted({int(i) for i in employee_ids})
    through = min(end, today - dt.timedelta(days=1))

    scope = ids if ids is None or len(ids) <= LARGE_SET else None  # a long list is filtered in Python
    overtime = overtime_by_person(scope, start, end)
    adjustments: dict[int, list[SummaryAdjustment]] = {}
    for adjustment in pending_adjustments(month, scope):
        adjustments.setdefault(adjustment.employee_id, []).append(adjustment)

    built_at = connection.ops.adapt_datetimefield_value(started)
    month_value = connection.ops.adapt_datefield_value(month)
    built: list[int] = []
    carried: list[int] = []

    def rows() -> Iterator[tuple]:
        for person_id, figures in month_figures(ids, start, end, through=through):
            for name, minutes in overtime.get(person_id, {}).items():
                setattr(figures, name, getattr(figures, name) + minutes)
            for adjustment in adjustments.get(person_id, ()):
                _apply(figures, adjustment)
                carried.append(adjustment.pk)
            built.append(person_id)
            yield (person_id, month_value, figures.scheduled_days, figures.worked_days, figures.worked_minutes,
                   figures.late_count, figures.late_minutes, figures.early_count, figures.early_minutes,
                   figures.absent_days, figures.missing_punches, figures.outside_count,
                   json.dumps(figures.leave, ensure_ascii=False), figures.overtime_150_minutes,
                   figures.overtime_200_minutes, figures.overtime_300_minutes, figures.in_lieu_earned_minutes,
                   figures.in_lieu_used_minutes, figures.cap_breaches, json.dumps(figures.carried, ensure_ascii=False),
                   built_at)

    old = MonthlySummary.objects.filter(month=month)
    if ids is None:
        old.delete()  # nothing refers to a summary: one DELETE
    else:
        for i in range(0, len(ids), DELETE_BATCH):
            old.filter(employee_id__in=ids[i:i + DELETE_BATCH]).delete()
    # The rows are computed before the insert starts: on PostgreSQL the insert is a COPY, during which
    # the connection runs no other statement (the punches are read through a cursor on it).
    count = insert_rows(MonthlySummary, COLUMNS, list(rows()))
    if carried:
        SummaryAdjustment.objects.filter(pk__in=carried).update(applied_to=month)
    # An adjustment this month carried before, for a person who is no longer in it, waits again.
    carried_set, id_set = set(carried), set(ids or ())
    stale: list[int] = []
    for person_id, waiting in adjustments.items():
        if ids is None or person_id in id_set:
            stale.extend(a.pk for a in waiting if a.applied_to == month and a.pk not in carried_set)
    if stale:
        SummaryAdjustment.objects.filter(pk__in=stale).update(applied_to=None)
    if by is not None:
        audit_record(actor=by, action="execute", entity_type="attendance.monthlysummary",
                     entity_id=month.strftime("%Y-%m"), entity_label=month.strftime("%Y-%m"),
                     summary=f"monthly summaries built: {count} people")
    return BuildResult(month, count, len(carried), (timezone.now() - started).total_seconds())


@transaction.atomic
def summaries_lock(actor: Actor, *, month: dt.date, today: dt.date | None = None) -> MonthLock:
    """Freeze a month for payroll. Only HR covering the whole organisation; only a month that is
    over and has been built; once."""
    month = month.replace(day=1)
    today = today or timezone.localdate()
    if not access.can_lock_month(actor):
        raise PermissionDenied(_("Only HR covering the whole organisation locks a month."))
    _start, end = month_bounds(month)
    errors: dict[str, list[str]] = {}
    if end >= today:
        errors["month"] = [_("A month can be locked once it is over.")]
    elif MonthLock.objects.select_for_update().filter(month=month).exists():
        raise Conflict(_("%(month)s is already locked.") % {"month": month.strftime("%Y-%m")},
                       {"month": [_("This month is locked.")]})
    elif not is_built(month):
        errors["month"] = [_("Build the summaries of the month before locking it.")]
    if errors:
        raise InvalidInput(errors["month"][0], errors)
    lock = MonthLock(month=month, locked_by=actor.user)
    lock.full_clean()
    lock.save()
    audit_record(actor=actor, action="create", obj=lock, entity_label=month.strftime("%Y-%m"),
                 summary=f"month locked: {month:%Y-%m}")
    return lock


@transaction.atomic
def summary_adjustment_record(actor: Actor, *, employee: Employee, month: dt.date, field: str, delta: Any,
                              reason: str) -> SummaryAdjustment:
    """Record a change to a locked month's figure of one person (HR covering them). The locked row
    stays as payroll read it; the first open month built afterwards carries the change."""
    month = month.replace(day=1)
    if not access.can_manage_time_of(actor, employee):
        raise PermissionDenied(_("Only HR covering this person records adjustments."))
    errors: dict[str, list[str]] = {}
    if not is_locked(month):
        errors["month"] = [_("Adjustments are for locked months; rebuild an open month instead.")]
    elif not MonthlySummary.objects.filter(employee=employee, month=month).exists():
        errors["month"] = [_("This person has no summary in that month.")]
    if field not in ADJUSTABLE_FIELDS:
        errors["field"] = [_("Choose a figure of the summary.")]
    value: Decimal | None
    try:
        value = Decimal(str(delta).strip())
    except (InvalidOperation, ValueError):
        value = None
    if value is None or not value.is_finite() or value == 0 or abs(value) >= Decimal("10000000"):
        errors["delta"] = [_("Give a change other than zero, e.g. 2 or -0.5.")]
    elif field in ADJUSTABLE_FIELDS and ADJUSTABLE_FIELDS[field] and value != value.to_integral_value():
        errors["delta"] = [_("This figure changes by whole numbers.")]
    elif value != value.quantize(Decimal("0.01")):
        errors["delta"] = [_("At most two decimal places.")]
    if not (reason or "").strip():
        errors["reason"] = [_("Say why the figure changes.")]
    if errors or value is None:
        raise InvalidInput(_("The adjustment was not recorded."), errors)
    adjustment = SummaryAdjustment(employee=employee, month=month, field=field, delta=value,
                                   reason=reason.strip()[:300], by=actor.user)
    adjustment.full_clean()
    adjustment.save()
    audit_record(actor=actor, action="create", obj=adjustment,
                 entity_label=f"{employee.employee_number} {month:%Y-%m}",
                 changes={field: {"delta": str(value)}}, summary=reason.strip()[:200])
    return adjustment
