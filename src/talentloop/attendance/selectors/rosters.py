"""Reads of the roster planner: a team's week (people × 7 days, the shortfall against the team's
minimum staffing, the minimum-rest breaches) and a person's own coming weeks.

A week is read with a constant number of queries whatever the size of the team: the people, the
plan (``calendar.plan``), the roster cells, the shifts and the team's requirements."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Q, QuerySet

from talentloop.attendance import access
from talentloop.attendance.calendar import dates, plan
from talentloop.attendance.models import RosterEntry, Shift, ShiftRequirement
from talentloop.core.access import Actor
from talentloop.organisation.models import Employee, EmploymentStatus, OrgUnit

MAX_TEAM = 300


def minutes(t: dt.time) -> int:
    return t.hour * 60 + t.minute


def shift_bounds(date: dt.date, shift: Shift) -> tuple[dt.datetime, dt.datetime]:
    """Start and end of ``shift`` worked on ``date`` (naive local times); a shift crossing midnight
    ends on the next day, and counts to the day it starts."""
    start = dt.datetime.combine(date, shift.start)
    end = dt.datetime.combine(date, shift.end)
    if shift.crosses_midnight:
        end += dt.timedelta(days=1)
    return start, end


def rest_breaches(days: list[tuple[dt.date, Shift | None]]) -> dict[dt.date, float]:
    """The dates (in order) whose shift starts less than its ``min_rest_hours`` after the previous
    shift ends, with the hours of rest actually left. ``days`` are one person's consecutive dates."""
    out: dict[dt.date, float] = {}
    previous_end: dt.datetime | None = None
    for date, shift in days:
        if shift is None:
            continue  # a day off: the rest is still counted from the last shift's end
        start, end = shift_bounds(date, shift)
        if previous_end is not None:
            rest = (start - previous_end).total_seconds() / 3600
            if rest < shift.min_rest_hours:
                out[date] = round(rest, 1)
        previous_end = end
    return out


def team_people(actor: Actor, *, unit: OrgUnit | None = None) -> QuerySet[Employee]:
    """Whose rosters the planner shows: the people the actor plans (their tree, HR's scope), still
    employed, within ``unit`` when one is chosen."""
    qs = access.plannable_people(actor).exclude(status=EmploymentStatus.TERMINATED)
    if unit is not None:
        qs = qs.filter(org_unit__path__startswith=unit.path)
    return qs.select_related("org_unit").order_by("org_unit__path", "name", "pk")


@dataclass
class RosterCell:
    date: dt.date
    shift: Shift | None  # what the person works that day (the roster's, or their fixed schedule's)
    planned: bool  # a roster cell exists (a rest day planned counts)
    rostered: bool  # a roster schedule applies that day: the cell decides the day
    kind: str  # the calendar's kind of the day
    rest_short: float | None = None  # hours of rest before this shift when under its minimum
    value: str = ""  # the roster cell as the planner's select reads it: "", "rest" or a shift's id


@dataclass
class RosterRow:
    person: Employee
    cells: list[RosterCell]
    on_roster: bool

    @property
    def breaches(self) -> int:
        return sum(1 for c in self.cells if c.rest_short is not None)


@dataclass
class Shortage:
    shift: Shift
    required: int
    planned: int

    @property
    def missing(self) -> int:
        return max(self.required - self.planned, 0)


@dataclass
class RosterWeek:
    start: dt.date
    days: list[dt.date]
    rows: list[RosterRow]
    shifts: list[Shift]
    unit: OrgUnit | None
    truncated: bool = False
    # Per day, each requirement of the unit with the people planned on its shift.
    staffing: dict[dt.date, list[Shortage]] = field(default_factory=dict)

    @property
    def previous(self) -> dt.date:
        return self.start - dt.timedelta(days=7)

    @property
    def next(self) -> dt.date:
        return self.start + dt.timedelta(days=7)

    @property
    def day_columns(self) -> list[tuple[dt.date, list[Shortage], int]]:
        """Each day with its requirements and the number of people missing on it."""
        return [(d, self.staffing.get(d, []), sum(s.missing for s in self.staffing.get(d, []))) for d in self.days]

    @property
    def by_day(self) -> list[tuple[dt.date, list[Shortage], int, list[tuple[Employee, RosterCell]]]]:
        """The phone's view: each day with its requirements, the people missing and every person's cell."""
        return [(d, needs, missing, [(row.person, row.cells[i]) for row in self.rows])
                for i, (d, needs, missing) in enumerate(self.day_columns)]

    @property
    def short_days(self) -> int:
        return sum(1 for _d, _s, missing in self.day_columns if missing)


def roster_week(actor: Actor, *, people: QuerySet[Employee], start: dt.date,
                unit: OrgUnit | None = None) -> RosterWeek:
    """The week from ``start`` (a Monday) for ``people`` (at most MAX_TEAM of them). The day before
    the week is read too, so a night shift on the Sunday before flags a short rest on Monday."""
    team = list(people[:MAX_TEAM + 1])
    truncated = len(team) > MAX_TEAM
    team = team[:MAX_TEAM]
    days = list(dates(start, start + dt.timedelta(days=6)))
    before = start - dt.timedelta(days=1)
    ids = [p.pk for p in team]
    shifts = Shift.objects.in_bulk()
    planned = plan(ids, before, days[-1]) if ids else {}
    cells: dict[tuple[int, dt.date], int | None] = {}
    if ids:
        cells = {(e, d): s for e, d, s in RosterEntry.objects.filter(
            employee_id__in=ids, date__range=(before, days[-1])).values_list("employee_id", "date", "shift_id")}
    rows: list[RosterRow] = []
    counts: dict[tuple[dt.date, int], int] = defaultdict(int)
    unit_path = unit.path if unit is not None else None
    for person in team:
        person_days = planned.get(person.pk, [])
        works: list[tuple[dt.date, Shift | None]] = []
        row_cells = []
        for day in person_days:
            shift = shifts.get(day.shift_id) if day.scheduled and day.shift_id else None
            works.append((day.date, shift))
            if day.date < start:
                continue
            key = (person.pk, day.date)
            value = "" if key not in cells else ("rest" if cells[key] is None else str(cells[key]))
            row_cells.append(RosterCell(day.date, shift, key in cells, day.rostered, day.kind, value=value))
            if shift is not None and (unit_path is None or person.org_unit.path.startswith(unit_path)):
                counts[(day.date, shift.pk)] += 1
        breaches = rest_breaches(works)
        for cell in row_cells:
            cell.rest_short = breaches.get(cell.date)
        rows.append(RosterRow(person, row_cells, any(c.rostered for c in row_cells)))
    staffing: dict[dt.date, list[Shortage]] = {}
    if unit is not None:
        needs = list(ShiftRequirement.objects.filter(org_unit=unit).values_list("shift_id", "weekday", "min_people"))
        for date in days:
            staffing[date] = [Shortage(shifts[s], n, counts.get((date, s), 0)) for s, w, n in needs
                              if w == date.weekday() and s in shifts]
    active = sorted((s for s in shifts.values() if s.is_active), key=lambda s: (s.start, s.code))
    return RosterWeek(start, days, rows, active, unit, truncated, staffing)


@dataclass
class MyDay:
    date: dt.date
    kind: str
    shift: Shift | None
    scheduled: bool


def my_roster(actor: Actor, *, start: dt.date, weeks: int = 4) -> list[MyDay]:
    """The actor's own planned days from ``start``: the shift of each day, or a day off."""
    if actor.employee is None:
        return []
    end = start + dt.timedelta(days=7 * weeks - 1)
    days = plan([actor.employee.pk], start, end).get(actor.employee.pk, [])
    shifts = Shift.objects.in_bulk({d.shift_id for d in days if d.shift_id})
    return [MyDay(d.date, d.kind, shifts.get(d.shift_id) if d.scheduled and d.shift_id else None, d.scheduled)
            for d in days]


def roster_entries(actor: Actor, *, start: dt.date, end: dt.date, unit: OrgUnit | None = None
                   ) -> QuerySet[RosterEntry]:
    """Roster cells of the people the actor plans and their own, in a date range."""
    qs = RosterEntry.objects.none()
    if not actor.is_authenticated:
        return qs
    q = Q(employee__in=access.plannable_people(actor))
    if actor.employee is not None:
        q |= Q(employee=actor.employee)
    qs = RosterEntry.objects.filter(q, date__range=(start, end))
    if unit is not None:
        qs = qs.filter(employee__org_unit__path__startswith=unit.path)
    return qs.select_related("shift").order_by("date", "employee_id")


def unit_get(actor: Actor, pk: int) -> OrgUnit | None:
    return access.staffable_units(actor).filter(pk=pk).first()


def requirement_list(actor: Actor, *, unit: OrgUnit | None) -> QuerySet[ShiftRequirement]:
    """The minimum staffing of a unit the actor staffs (nothing for another); without a unit, of every
    unit they staff."""
    qs = ShiftRequirement.objects.select_related("shift").order_by("org_unit_id", "weekday", "shift__start")
    if unit is None:
        return qs.filter(org_unit__in=access.staffable_units(actor))
    if not access.can_set_staffing(actor, unit):
        return qs.none()
    return qs.filter(org_unit=unit)
