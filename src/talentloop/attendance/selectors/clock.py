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
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

from django.db.models import QuerySet
from django.utils import timezone

from talentloop.attendance import access, hooks
from talentloop.attendance.calendar import PlannedDay, dates, plan
from talentloop.attendance.daily import RUNNING_TAIL, DayResult, DayState, ShiftRule, shift_rules
from talentloop.attendance.hooks import LeaveDay
from talentloop.attendance.models import ClockDirection, ClockEvent, WorkSite
from talentloop.attendance.selectors.summaries import DayLine, Midnights, judge_line, judge_people, org_zone
from talentloop.core.access import Actor
from talentloop.organisation.models import Employee, EmploymentStatus, OrgUnit

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


def _leave_by_day(employee_ids: Iterable[int] | None, start: dt.date, end: dt.date
                  ) -> dict[tuple[int, dt.date], list[LeaveDay]]:
    """(person, date) → the approved leave of that date (usually one entry)."""
    out: dict[tuple[int, dt.date], list[LeaveDay]] = defaultdict(list)
    for day in hooks.leave_days(employee_ids, start, end):
        out[(day.employee_id, day.date)].append(day)
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


def _running(date: dt.date, rule: ShiftRule | None, midnights: Midnights, now: int) -> bool:
    """Whether the day is still to come or running (its shift's end and the tail not passed yet)."""
    return now < midnights.at[date] + (rule.end if rule is not None else 86400) + RUNNING_TAIL


def judge(date: dt.date, planned: PlannedDay | None, rule: ShiftRule | None, events: list[ClockEvent],
          leave: list[LeaveDay], now: dt.datetime, midnights: Midnights | None = None
          ) -> tuple[DayResult | None, bool]:
    """The judgement of a day (``summaries.judge_line``, the one rule) and whether it is still running
    (a running day is judged on what can already be said)."""
    if planned is None:
        return None, False
    midnights = midnights or Midnights(date, date, org_zone())
    now_epoch = int(now.timestamp())
    line = DayLine(planned, rule, int(events[0].at.timestamp()) if events else None,
                   int(events[-1].at.timestamp()) if events else None, len(events),
                   sum(1 for e in events if e.outside), leave, None, True,
                   events[-1].direction == ClockDirection.IN if events else None)
    return judge_line(line, midnights, now_epoch), _running(date, rule, midnights, now_epoch)


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
    leave = _leave_by_day([employee.pk], on, on).get((employee.pk, on), [])
    rule = rules.get(planned.shift_id) if planned is not None and planned.shift_id else None
    result, running = judge(on, planned, rule, events, leave, now)
    return DayView(on, planned, rule, events, result, leave[0].code if leave else "", running)


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
    midnights = Midnights(start, end, org_zone())
    out = []
    for date in dates(start, end):
        p = planned.get(date)
        rule = rules.get(p.shift_id) if p is not None and p.shift_id else None
        day_leave = leave.get((employee.pk, date), [])
        result, running = judge(date, p, rule, events.get(date, []), day_leave, now, midnights)
        out.append(DayView(date, p, rule, events.get(date, []), result, day_leave[0].code if day_leave else "",
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


def _judged_exceptions(people: QuerySet[Employee], on: dt.date, now: dt.datetime
                       ) -> Iterator[tuple[int, DayLine]]:
    """The judged day ``on`` (``summaries.judge_people``, the one rule) of each person of ``people``
    still employed whose day is an exception so far or who punched outside every site."""
    ids = list(people.filter(status=EmploymentStatus.ACTIVE).values_list("pk", flat=True))
    if not ids:
        return
    for person, lines in judge_people(ids, on, on, through=on, now=now):
        line = lines[0] if lines else None
        if line is None or not line.employed:
            continue
        if line.outside or (line.result is not None and line.result.is_exception):
            yield person.id, line


def day_exceptions(people: QuerySet[Employee], on: dt.date, *, now: dt.datetime | None = None
                   ) -> list[DayException]:
    """The people of ``people`` whose day ``on`` is an exception so far (late, absent, missing punch,
    left early) or who clocked outside every site; in name order. Judged by the monthly summaries'
    engine (one rule for the month, the home pages and this list), then the punches of those found
    are read for showing: a fixed number of queries whatever the number of people."""
    now = now or timezone.now()
    found = {}
    for person_id, line in _judged_exceptions(people, on, now):
        found[person_id] = line
    if not found:
        return []
    events: dict[int, list[ClockEvent]] = defaultdict(list)
    for event in ClockEvent.objects.filter(employee_id__in=list(found), work_date=on).select_related("site").order_by(
            "at", "pk"):
        events[event.employee_id].append(event)
    out = []
    zone = org_zone()
    midnights = Midnights(on, on, zone)
    now_epoch = int(now.timestamp())
    for employee in Employee.objects.filter(pk__in=list(found)).select_related("org_unit").order_by("name", "pk"):
        line = found[employee.pk]
        view = DayView(on, line.planned, line.shift, events.get(employee.pk, []), line.result,
                       line.leave[0].code if line.leave else "", _running(on, line.shift, midnights, now_epoch))
        out.append(DayException(employee, view))
    return out


def day_exception_count(people: QuerySet[Employee], on: dt.date, *, now: dt.datetime | None = None) -> int:
    """How many people of ``people`` have an exception on ``on`` so far (the same judgement as
    :func:`day_exceptions`, without reading who they are)."""
    return sum(1 for _line in _judged_exceptions(people, on, now or timezone.now()))


EXCEPTION_STATES = (DayState.ABSENT, DayState.HALF_ABSENT, DayState.MISSING, DayState.LATE, DayState.EARLY,
                    DayState.LATE_EARLY)


def site_unit_get(pk: int) -> OrgUnit | None:
    return site_units().filter(pk=pk).first()
