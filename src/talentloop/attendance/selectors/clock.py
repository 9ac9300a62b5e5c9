"""Reads of clocking: the work sites, a person's punches, today's state (the clock page and the home
page), a person's month, and the day's exceptions of a team or of HR's scope.

Days are judged by ``attendance.daily`` (the same rules as the monthly summaries); today is still
running, so an arrival alone is judged for lateness only, a day without a punch is "not in yet" until
the lateness would count as absence, and a punch without its pair becomes a missing punch only four
hours after the shift's end (the tail within which a night shift's morning punch still counts to it).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import QuerySet
from django.utils import timezone

from talentloop.attendance import access, hooks
from talentloop.attendance.calendar import PlannedDay, dates, plan
from talentloop.attendance.daily import (
    DayResult,
    DayState,
    ShiftRule,
    evaluate_day,
    evaluate_seconds,
    local_seconds,
    shift_rules,
)
from talentloop.attendance.models import ClockDirection, ClockEvent, WorkSite
from talentloop.core.access import Actor
from talentloop.organisation.models import Employee, EmploymentStatus, OrgUnit

TAIL_SECONDS = 4 * 3600  # a pair of punches may still come up to 4 h after the shift's end


# ---------------------------------------------------------------- sites


def site_list(actor: Actor) -> QuerySet[WorkSite]:
    if not access.can_view_attendance_settings(actor):
        return WorkSite.objects.none()
    return WorkSite.objects.select_related("org_unit").order_by("org_unit__path", "name", "pk")


def site_get(actor: Actor, pk: int) -> WorkSite | None:
    return site_list(actor).filter(pk=pk).first()


def site_units() -> QuerySet[OrgUnit]:
    """The units a site may belong to (the form's choices)."""
    return OrgUnit.objects.filter(is_active=True).order_by("path")


# ---------------------------------------------------------------- one person's punches


def my_events(actor: Actor, *, start: dt.date | None = None, end: dt.date | None = None) -> QuerySet[ClockEvent]:
    """The actor's own punches by work date (both ends included), oldest first."""
    if not access.can_clock(actor):
        return ClockEvent.objects.none()
    qs = ClockEvent.objects.filter(employee=actor.employee).select_related("site")
    if start is not None:
        qs = qs.filter(work_date__gte=start)
    if end is not None:
        qs = qs.filter(work_date__lte=end)
    return qs.order_by("at", "pk")


def _tz() -> dt.tzinfo:
    return timezone.get_default_timezone()


def _leave_by_day(employee_ids: Iterable[int] | None, start: dt.date, end: dt.date
                  ) -> dict[tuple[int, dt.date], tuple[Decimal, str, str]]:
    """(person, date) → (fraction of the day on leave, half, leave type code)."""
    out: dict[tuple[int, dt.date], tuple[Decimal, str, str]] = {}
    for day in hooks.leave_days(employee_ids, start, end):
        key = (day.employee_id, day.date)
        fraction, half, code = out.get(key, (Decimal(0), "", day.code))
        out[key] = (min(Decimal(1), fraction + day.fraction), day.half or half, code)
    return out


@dataclass
class DayView:
    """One day of one person: the plan, the punches and the judgement (``result`` None while today
    has nothing to judge yet)."""

    date: dt.date
    planned: PlannedDay | None
    shift: ShiftRule | None
    events: list[ClockEvent] = field(default_factory=list)
    result: DayResult | None = None
    leave_code: str = ""
    in_progress: bool = False

    @property
    def first(self) -> ClockEvent | None:
        return self.events[0] if self.events else None

    @property
    def last_in(self) -> ClockEvent | None:
        ins = [e for e in self.events if e.direction == ClockDirection.IN]
        return ins[-1] if ins else None

    @property
    def outside(self) -> list[ClockEvent]:
        return [e for e in self.events if e.outside]

    @property
    def next_direction(self) -> str:
        """What the big button should offer next: in, unless the last punch was an arrival."""
        if self.events and self.events[-1].direction == ClockDirection.IN:
            return ClockDirection.OUT
        return ClockDirection.IN

    @property
    def is_exception(self) -> bool:
        return bool(self.outside) or (self.result is not None and self.result.is_exception)

    @property
    def shift_start(self) -> dt.time | None:
        if self.shift is None:
            return None
        start = self.shift.window[0] % 86400
        return dt.time(start // 3600, start % 3600 // 60)


def judge(date: dt.date, planned: PlannedDay | None, rule: ShiftRule | None, events: list[ClockEvent],
          leave: tuple[Decimal, str, str] | None, now: dt.datetime) -> tuple[DayResult | None, bool]:
    """The judgement of a day and whether it is still running (a running day is judged on what can
    already be said)."""
    tz = _tz()
    fraction, half, _code = leave or (Decimal(0), "", "")
    if planned is None:
        return None, False
    now_s = local_seconds(now, date, tz)
    if now_s < 0:  # a day still to come
        return None, True
    end_s = (rule.end if rule is not None else 86400) + TAIL_SECONDS
    first = events[0].at if events else None
    last = events[-1].at if len(events) > 1 else None
    if now_s >= end_s:
        return evaluate_day(date=date, planned=planned, shift=rule, first_in=first, last_out=last,
                            leave_fraction=fraction, leave_half=half, tz=tz), False
    # Today, still running.
    if not planned.scheduled or fraction >= 1:
        return evaluate_seconds(date, planned.scheduled, rule, None, None, 0, fraction, half), True
    if first is None:
        if rule is not None and now_s > rule.window[0] + rule.late_absent_minutes * 60:
            return evaluate_seconds(date, True, rule, None, None, 0, fraction, half), True
        return None, True
    arrive = local_seconds(first, date, tz)
    if last is None or events[-1].direction == ClockDirection.IN:
        if rule is None:
            return None, True
        # Only the arrival is known: judge it as if the person stays to the end.
        leave_s = max(arrive, rule.window[1], rule.end)
        return evaluate_seconds(date, True, rule, arrive, leave_s, 2, fraction, half), True
    return evaluate_seconds(date, True, rule, arrive, local_seconds(last, date, tz), 2, fraction, half), True


def day_view(employee: Employee, on: dt.date, *, now: dt.datetime | None = None,
             rules: dict[int, ShiftRule] | None = None, events: list[ClockEvent] | None = None) -> DayView:
    """One person's day (the clock page and the home page): the punches (unless ``events``, the day's
    punches in time order, are given, as a punch just recorded gives them) and the leave; the plan
    and the shifts come from kept configuration (the person's unit is loaded with them)."""
    now = now or timezone.now()
    rules = shift_rules() if rules is None else rules
    days = plan([employee.pk], on, on, paths={employee.pk: employee.org_unit.path}).get(employee.pk) or []
    planned = days[0] if days else None
    if events is None:
        events = list(ClockEvent.objects.filter(employee=employee, work_date=on).select_related("site")
                      .order_by("at", "pk"))
    leave = _leave_by_day([employee.pk], on, on).get((employee.pk, on))
    rule = rules.get(planned.shift_id) if planned is not None and planned.shift_id else None
    result, running = judge(on, planned, rule, events, leave, now)
    return DayView(on, planned, rule, events, result, leave[2] if leave else "", running)


def month_days(employee: Employee, month: dt.date, *, now: dt.datetime | None = None) -> list[DayView]:
    """Every day of a month for one person, judged; a fixed number of queries whatever the month."""
    now = now or timezone.now()
    start = month.replace(day=1)
    end = (start + dt.timedelta(days=32)).replace(day=1) - dt.timedelta(days=1)
    rules = shift_rules()
    planned = {p.date: p for p in plan([employee.pk], start, end).get(employee.pk) or []}
    events: dict[dt.date, list[ClockEvent]] = defaultdict(list)
    for event in (ClockEvent.objects.filter(employee=employee, work_date__range=(start, end))
                  .select_related("site").order_by("at", "pk")):
        events[event.work_date].append(event)
    leave = _leave_by_day([employee.pk], start, end)
    out = []
    for date in dates(start, end):
        p = planned.get(date)
        rule = rules.get(p.shift_id) if p is not None and p.shift_id else None
        day_leave = leave.get((employee.pk, date))
        result, running = judge(date, p, rule, events.get(date, []), day_leave, now)
        out.append(DayView(date, p, rule, events.get(date, []), result, day_leave[2] if day_leave else "",
                           running))
    return out


# ---------------------------------------------------------------- the day's exceptions of many people


@dataclass(frozen=True)
class DayException:
    employee: Employee
    view: DayView

    @property
    def state(self) -> str:
        if self.view.result is not None and self.view.result.is_exception:
            return self.view.result.state
        return "outside"


def team_people(actor: Actor) -> QuerySet[Employee]:
    """The people below the actor in the reporting tree (not the actor), still employed."""
    if not actor.has_reports or not actor.reports_prefix:
        return Employee.objects.none()
    return access.visible_time_people(actor).filter(manager_path__startswith=actor.reports_prefix)


def hr_people(actor: Actor) -> QuerySet[Employee]:
    """Everyone whose attendance HR covers (the whole company for HR everywhere)."""
    if not actor.is_hr:
        return Employee.objects.none()
    return access.visible_time_people(actor)


def day_exceptions(people: QuerySet[Employee], on: dt.date, *, now: dt.datetime | None = None,
                   rules: dict[int, ShiftRule] | None = None) -> list[DayException]:
    """The people of ``people`` whose day ``on`` is an exception so far (late, absent, missing punch,
    left early) or who clocked outside every site; in name order. Five queries whatever the number of
    people (people, shifts unless ``rules`` are given, the plan's reads, the punches, the leave)."""
    now = now or timezone.now()
    rows = list(people.filter(status=EmploymentStatus.ACTIVE).select_related("org_unit").order_by("name", "pk"))
    if not rows:
        return []
    ids = [e.pk for e in rows]
    rules = shift_rules() if rules is None else rules
    planned = {pid: days[0] for pid, days in plan(ids, on, on).items() if days}
    events: dict[int, list[ClockEvent]] = defaultdict(list)
    for event in ClockEvent.objects.filter(employee_id__in=ids, work_date=on).select_related("site").order_by(
            "at", "pk"):
        events[event.employee_id].append(event)
    leave = _leave_by_day(ids, on, on)
    out = []
    for employee in rows:
        p = planned.get(employee.pk)
        rule = rules.get(p.shift_id) if p is not None and p.shift_id else None
        day_leave = leave.get((employee.pk, on))
        result, running = judge(on, p, rule, events.get(employee.pk, []), day_leave, now)
        view = DayView(on, p, rule, events.get(employee.pk, []), result, day_leave[2] if day_leave else "", running)
        if view.is_exception:
            out.append(DayException(employee, view))
    return out


EXCEPTION_STATES = (DayState.ABSENT, DayState.HALF_ABSENT, DayState.MISSING, DayState.LATE, DayState.EARLY,
                    DayState.LATE_EARLY)


def site_unit_get(pk: int) -> OrgUnit | None:
    return site_units().filter(pk=pk).first()
