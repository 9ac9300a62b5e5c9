"""Reads of overtime requests and clock corrections: the lists and records each persona sees, what
waits for an approver, HR's cap breaches, and the inputs of an overtime classification (the calendar
at the person's site, their working-hour system, their period and their other approved overtime)."""

from __future__ import annotations

import datetime as dt

from django.db.models import Q, QuerySet

from talentloop.accounts.models import RoleAssignment
from talentloop.attendance import access
from talentloop.attendance.calendar import plan
from talentloop.attendance.hooks import leave_days
from talentloop.attendance.models import (
    ApprovalDelegation,
    Correction,
    DayClass,
    MonthLock,
    OvertimeRequest,
    RequestStatus,
    Shift,
    ShiftKind,
)
from talentloop.attendance.overtime import (
    STANDARD_DAY_MINUTES,
    Classification,
    Counted,
    PeriodCount,
    allocate,
    check_caps,
    classify,
    counted_by_date,
    local_zone,
    period_bounds,
)
from talentloop.attendance.selectors.policy import attendance_policy
from talentloop.core.access import Actor
from talentloop.organisation.models import Employee, EmploymentContract, WorkingHourSystem

_RELATED = ("employee", "employee__org_unit", "decided_by")


# ---------------------------------------------------------------- overtime


def overtime_list(actor: Actor, *, mine: bool = False, status: str = "") -> QuerySet[OvertimeRequest]:
    """Overtime the actor sees (their own only with ``mine``), newest work date first."""
    qs = access.visible_overtime(actor)
    if mine:
        qs = qs.filter(employee=actor.employee) if actor.employee is not None else qs.none()
    if status:
        qs = qs.filter(status=status)
    return qs.select_related(*_RELATED).order_by("-work_date", "-id")


def overtime_get(actor: Actor, pk: int) -> OvertimeRequest | None:
    return access.visible_overtime(actor).select_related(*_RELATED).filter(pk=pk).first()


def overtime_awaiting_list(actor: Actor) -> QuerySet[OvertimeRequest]:
    return access.overtime_awaiting(actor).select_related(*_RELATED).order_by("work_date", "id")


def cap_breach_list(actor: Actor, *, status: str = "") -> QuerySet[OvertimeRequest]:
    qs = access.visible_cap_breaches(actor).exclude(status__in=[RequestStatus.REJECTED, RequestStatus.CANCELLED])
    if status:
        qs = qs.filter(status=status)
    return qs.select_related(*_RELATED).order_by("-work_date", "-id")


def working_hour_system(employee: Employee, on: dt.date) -> tuple[str, str]:
    """The system and comprehensive period of the person's contract on ``on`` (standard without one)."""
    row = (EmploymentContract.objects.filter(employee=employee, effective_from__lte=on)
           .order_by("-effective_from").values_list("working_hours", "comprehensive_period").first())
    return (row[0], row[1]) if row else (WorkingHourSystem.STANDARD.value, "")


def _shift_minutes(shift: Shift | None) -> int:
    if shift is None:
        return STANDARD_DAY_MINUTES
    if shift.kind == ShiftKind.FLEXIBLE and shift.required_minutes:
        return int(shift.required_minutes)
    start = shift.start.hour * 60 + shift.start.minute
    end = shift.end.hour * 60 + shift.end.minute
    length = (end - start) % (24 * 60) or 24 * 60
    return max(0, length - int(shift.break_minutes))


def period_count(employee: Employee, work_date: dt.date, period: str, *, exclude: int | None = None) -> PeriodCount:
    """The comprehensive period of ``work_date``: standard, scheduled and approved minutes (see
    ``attendance.overtime``)."""
    start, end = period_bounds(work_date, period)
    days = plan([employee.pk], start, end).get(employee.pk, [])
    shifts = {s.pk: s for s in Shift.objects.filter(pk__in={d.shift_id for d in days if d.shift_id})}
    leave: dict[dt.date, float] = {}
    for day in leave_days([employee.pk], start, end):
        leave[day.date] = min(1.0, leave.get(day.date, 0.0) + float(day.fraction))
    standard = scheduled = 0
    for d in days:
        if d.kind == DayClass.WORKDAY:
            standard += STANDARD_DAY_MINUTES
        if d.scheduled and d.kind != DayClass.STATUTORY:
            minutes = _shift_minutes(shifts.get(d.shift_id) if d.shift_id else None)
            scheduled += round(minutes * (1 - leave.get(d.date, 0.0)))
    approved = 0
    others = (OvertimeRequest.objects.filter(employee=employee, status=RequestStatus.APPROVED,
                                             work_date__range=(start, end))
              .exclude(day_class=DayClass.STATUTORY).values_list("pk", "start", "end"))
    for pk, o_start, o_end in others:
        if pk != exclude:
            approved += int((o_end - o_start).total_seconds() // 60)
    return PeriodCount(start=start, end=end, standard_minutes=standard, scheduled_minutes=scheduled,
                       approved_minutes=approved)


def overtime_classify(*, employee: Employee, start: dt.datetime, end: dt.datetime, compensation: str | None = None,
                      exclude: int | None = None) -> Classification:
    """Classify a span of ``employee``'s overtime against the calendar at their site, their contract,
    the policy and their other approved overtime (``exclude``: the request being decided). A few
    queries whatever the span."""
    policy = attendance_policy()
    tz = local_zone()
    first, last = start.astimezone(tz).date(), (end - dt.timedelta(seconds=1)).astimezone(tz).date()
    last = max(first, last)
    days = plan([employee.pk], first - dt.timedelta(days=1), last).get(employee.pk, [])
    kinds = {d.date: d.kind for d in days if d.date >= first}
    timed = {s.pk: s for s in Shift.objects.filter(pk__in={d.shift_id for d in days if d.shift_id},
                                                     kind=ShiftKind.FIXED)}
    shifts = []
    for d in days:
        shift = timed.get(d.shift_id) if d.scheduled and d.shift_id else None
        if shift is not None:
            s_start = dt.datetime.combine(d.date, shift.start, tzinfo=tz)
            s_end = dt.datetime.combine(d.date + dt.timedelta(days=1 if shift.crosses_midnight else 0), shift.end,
                                        tzinfo=tz)
            shifts.append((s_start, s_end))
    system, period = working_hour_system(employee, first)
    counted_period = None
    if system == WorkingHourSystem.COMPREHENSIVE:
        counted_period = period_count(employee, first, period or "month", exclude=exclude)
    result = classify(start=start, end=end, kinds=kinds, system=system, compensation=compensation,
                      rest_day_in_lieu=policy.rest_day_in_lieu, period=counted_period, shifts=shifts)
    if result.errors:
        return result
    mine = allocate(start, end, result.minutes)
    months = {(d.year, d.month) for d in mine} or {(first.year, first.month)}
    lo = min(dt.date(y, m, 1) for y, m in months) - dt.timedelta(days=1)
    hi_y, hi_m = max(months)
    hi = dt.date(hi_y + hi_m // 12, hi_m % 12 + 1, 1)
    others = [Counted(s, e, m) for pk, s, e, m in OvertimeRequest.objects.filter(
        employee=employee, status=RequestStatus.APPROVED, work_date__range=(lo, hi)).values_list(
        "pk", "start", "end", "minutes") if pk != exclude]
    result.breach = check_caps(mine=mine, others=counted_by_date(others),
                               daily_cap=policy.daily_overtime_cap_minutes,
                               monthly_cap=policy.monthly_overtime_cap_minutes)
    return result


def overtime_overlaps(employee: Employee, start: dt.datetime, end: dt.datetime) -> bool:
    """Whether the person already has pending or approved overtime overlapping the span."""
    return OvertimeRequest.objects.filter(
        employee=employee, status__in=[RequestStatus.PENDING, RequestStatus.APPROVED], start__lt=end,
        end__gt=start).exists()


# ---------------------------------------------------------------- corrections


def correction_list(actor: Actor, *, mine: bool = False, status: str = "") -> QuerySet[Correction]:
    qs = access.visible_corrections(actor)
    if mine:
        qs = qs.filter(employee=actor.employee) if actor.employee is not None else qs.none()
    if status:
        qs = qs.filter(status=status)
    return qs.select_related(*_RELATED).order_by("-work_date", "-id")


def correction_get(actor: Actor, pk: int) -> Correction | None:
    return access.visible_corrections(actor).select_related(*_RELATED).filter(pk=pk).first()


def corrections_awaiting_list(actor: Actor) -> QuerySet[Correction]:
    return access.corrections_awaiting(actor).select_related(*_RELATED).order_by("work_date", "id")


def correction_duplicate(employee: Employee, work_date: dt.date, direction: str) -> bool:
    return Correction.objects.filter(employee=employee, work_date=work_date, direction=direction,
                                     status=RequestStatus.PENDING).exists()


def month_locked(date: dt.date) -> bool:
    return MonthLock.objects.filter(month=date.replace(day=1)).exists()


# ---------------------------------------------------------------- who to tell


def approver_ids(employee: Employee, on: dt.date) -> list[int]:
    """Whom a request of ``employee`` waits for: their manager and the manager's delegates of the day;
    without a manager, HR covering them."""
    if employee.manager_id is None:
        return hr_covering_ids(employee)
    delegates = ApprovalDelegation.objects.filter(approver_id=employee.manager_id, start__lte=on,
                                                  end__gte=on).values_list("delegate_id", flat=True)
    return sorted({employee.manager_id, *delegates} - {employee.pk})


def hr_covering_ids(employee: Employee) -> list[int]:
    """Employee ids of the HR people covering the person's org unit (one query)."""
    path = employee.org_unit.path if employee.org_unit_id else ""
    grants = RoleAssignment.objects.filter(role="hr", user__employee__isnull=False).filter(
        Q(org_unit__isnull=True) | Q(org_unit__path__in=list(_prefixes(path))))
    return sorted(set(grants.values_list("user__employee__id", flat=True)) - {employee.pk})


def _prefixes(path: str) -> list[str]:
    """"/1/4/9/" -> ["/1/", "/1/4/", "/1/4/9/"]: the paths of the unit and the units above it."""
    parts = [p for p in path.strip("/").split("/") if p]
    return ["/" + "/".join(parts[:i]) + "/" for i in range(1, len(parts) + 1)]
