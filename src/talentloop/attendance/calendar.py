"""The calendar: what a date is (workday, rest day, statutory holiday) for the organisation and for
a site, and which shift each person is planned on each day.

Everything here is read for a whole range and a whole set of people at once (a few queries, whatever
the number of people), because the summaries of 100,000 people go through it.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import partial

from talentloop.attendance.models import (
    AttendancePolicy,
    CalendarDay,
    DayKind,
    RosterEntry,
    ScheduleKind,
    WorkSchedule,
)
from talentloop.core import cache
from talentloop.organisation.models import Employee


def dates(start: dt.date, end: dt.date) -> Iterator[dt.date]:
    day = start
    while day <= end:
        yield day
        day += dt.timedelta(days=1)


class Calendar:
    """The kinds of the dates from ``start`` to ``end``: the weekly pattern (Monday to Friday work),
    overridden by the official rows, overridden by a site's own rows."""

    def __init__(self, start: dt.date, end: dt.date) -> None:
        self.start, self.end = start, end
        self.official: dict[dt.date, str] = {}
        self.sites: dict[int, dict[dt.date, str]] = defaultdict(dict)
        for date, kind, site_id in _special_days(start, end):
            if site_id is None:
                self.official[date] = kind
            else:
                self.sites[site_id][date] = kind

    def kind(self, date: dt.date, site_id: int | None = None) -> str:
        if site_id is not None and date in self.sites.get(site_id, {}):
            return self.sites[site_id][date]
        if date in self.official:
            return self.official[date]
        return DayKind.REST if date.weekday() >= 5 else DayKind.WORKDAY

    def is_workday(self, date: dt.date, site_id: int | None = None) -> bool:
        return self.kind(date, site_id) == DayKind.WORKDAY


def _special_days(start: dt.date, end: dt.date) -> list[tuple[dt.date, str, int | None]]:
    """The calendar's rows from ``start`` to ``end``, read a whole year at a time and kept with the
    rest of attendance's configuration (core.cache, name "attendance")."""
    out: list[tuple[dt.date, str, int | None]] = []
    for year in range(start.year, end.year + 1):
        rows = cache.cached(("attendance-calendar", year), partial(_year_rows, year), depends=("attendance",))
        out.extend(row for row in rows if start <= row[0] <= end)
    return out


def _year_rows(year: int) -> list[tuple[dt.date, str, int | None]]:
    return list(CalendarDay.objects.filter(date__year=year).values_list("date", "kind", "site_id"))


def _schedule_rows() -> list[tuple]:
    return list(WorkSchedule.objects.values_list(
        "id", "org_unit_id", "employee_id", "kind", "shift_id", "site_id", "effective_from").order_by(
        "effective_from", "id"))


def _default_shift() -> int | None:
    policy = AttendancePolicy.objects.order_by("pk").values_list("default_shift_id", flat=True).first()
    return policy


def day_kind(date: dt.date, site_id: int | None = None) -> str:
    return Calendar(date, date).kind(date, site_id)


@dataclass(frozen=True)
class PlannedDay:
    """A person's plan for one date: the calendar's kind of the day at their site, whether they are
    scheduled to work, and on which shift (``None`` for an untimed workday or a day off)."""

    date: dt.date
    kind: str
    scheduled: bool
    shift_id: int | None
    site_id: int | None
    # A roster schedule applies: the day is what the person's roster cell says (none: a day off).
    rostered: bool = False


@dataclass(frozen=True)
class _Schedule:
    id: int
    kind: str
    shift_id: int | None
    site_id: int | None
    effective_from: dt.date


def _unit_ancestors(path: str) -> list[int]:
    """Unit ids from the unit itself up to the root, for a materialised path "/1/4/9/"."""
    return [int(part) for part in reversed(path.strip("/").split("/")) if part]


def plan(employee_ids: Iterable[int] | None, start: dt.date, end: dt.date, *,
         paths: dict[int, str] | None = None) -> dict[int, list[PlannedDay]]:
    """Each person's planned days from ``start`` to ``end``, in date order. A person's own schedule
    wins over their unit's, the nearest unit's over its parents'; within the chosen rows the latest
    ``effective_from`` on or before a date applies (a weaker level applies on the dates before the
    stronger one's first row). A fixed schedule works its shift on the calendar's
    workdays; a roster works the shifts planned for the person, holidays included; with no schedule
    the policy's default shift (or an untimed day) on the calendar's workdays.

    People who share a schedule share one list of days (the result is read-only). ``paths`` (person →
    their org unit's path), when the caller already holds them, replaces ``employee_ids`` and spares
    the read of the people: with the configuration kept, one person's plan then costs no query."""
    if paths is not None:
        rows = sorted(paths.items())
    else:
        people = Employee.objects.all()
        if employee_ids is not None:
            people = people.filter(id__in=list(employee_ids))
        rows = list(people.values_list("id", "org_unit__path"))
    calendar = Calendar(start, end)
    default_shift = cache.cached("attendance-default-shift", _default_shift, depends=("attendance",))

    by_person: dict[int, list[_Schedule]] = defaultdict(list)
    by_unit: dict[int, list[_Schedule]] = defaultdict(list)
    for sid, unit_id, person_id, kind, shift_id, site_id, since in cache.cached(
            "attendance-schedules", _schedule_rows, depends=("attendance",)):
        if since > end:
            continue
        schedule = _Schedule(sid, kind, shift_id, site_id, since)
        (by_person[person_id] if person_id else by_unit[unit_id]).append(schedule)

    # The levels that may apply to a person, the strongest first: their own rows, then their unit's,
    # then each parent's. On a date the first level with a row in force wins, so a person's (or a
    # sub-unit's) schedule starting in March leaves January to the unit's (or the parent's).
    rostered: set[int] = set()
    chosen: dict[int, list[list[_Schedule]]] = {}
    for person_id, path in rows:
        levels = [by_person[person_id]] if person_id in by_person else []
        levels += [by_unit[unit_id] for unit_id in _unit_ancestors(path or "") if unit_id in by_unit]
        chosen[person_id] = levels
        if any(s.kind == ScheduleKind.ROSTER for level in levels for s in level):
            rostered.add(person_id)

    roster: dict[int, dict[dt.date, int | None]] = defaultdict(dict)
    if rostered:
        for person_id, date, shift_id in RosterEntry.objects.filter(
                date__range=(start, end), employee_id__in=rostered).values_list("employee_id", "date", "shift_id"):
            roster[person_id][date] = shift_id

    days = list(dates(start, end))
    shared: dict[tuple[int, ...], list[PlannedDay]] = {}
    result: dict[int, list[PlannedDay]] = {}
    for person_id, _path in rows:
        schedules = chosen[person_id]
        if person_id not in rostered:
            key = tuple(tuple(s.id for s in level) for level in schedules)
            if key not in shared:
                shared[key] = _fixed_days(days, schedules, calendar, default_shift)
            result[person_id] = shared[key]
        else:
            result[person_id] = _roster_days(days, schedules, calendar, default_shift, roster.get(person_id, {}))
    return result


def _applying(levels: list[list[_Schedule]], date: dt.date) -> _Schedule | None:
    for schedules in levels:
        current = None
        for schedule in schedules:  # in effective_from order
            if schedule.effective_from <= date:
                current = schedule
            else:
                break
        if current is not None:
            return current
    return None


def _fixed_days(days: list[dt.date], schedules: list[list[_Schedule]], calendar: Calendar,
                default_shift: int | None) -> list[PlannedDay]:
    out = []
    for date in days:
        schedule = _applying(schedules, date)
        site = schedule.site_id if schedule else None
        kind = calendar.kind(date, site)
        shift = schedule.shift_id if schedule else default_shift
        working = kind == DayKind.WORKDAY
        out.append(PlannedDay(date, kind, working, shift if working else None, site))
    return out


def _roster_days(days: list[dt.date], schedules: list[list[_Schedule]], calendar: Calendar, default_shift: int | None,
                 entries: dict[dt.date, int | None]) -> list[PlannedDay]:
    out = []
    for date in days:
        schedule = _applying(schedules, date)
        site = schedule.site_id if schedule else None
        kind = calendar.kind(date, site)
        if schedule is not None and schedule.kind == ScheduleKind.ROSTER:
            shift = entries.get(date)
            out.append(PlannedDay(date, kind, shift is not None, shift, site, rostered=True))
        else:
            shift = schedule.shift_id if schedule else default_shift
            working = kind == DayKind.WORKDAY
            out.append(PlannedDay(date, kind, working, shift if working else None, site))
    return out
