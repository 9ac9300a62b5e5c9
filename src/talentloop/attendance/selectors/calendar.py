"""Reads of the holiday calendar: a year day by day (for the page and the API) and the special days.

A year is read in one query, whatever the number of sites: the official rows and, when a site is
asked for, that site's rows."""

from __future__ import annotations

import calendar as pycalendar
import datetime as dt
from dataclasses import dataclass

from django.db.models import Q, QuerySet

from talentloop.attendance import access
from talentloop.attendance.calendar import dates
from talentloop.attendance.models import CalendarDay, DayKind, Shift, WorkSite
from talentloop.core.access import Actor

FIRST_YEAR = 2000
LAST_YEAR = 2100


class Source:
    PATTERN = "pattern"  # the weekly pattern: Monday to Friday work, no row
    OFFICIAL = "official"  # a row of the organisation's calendar (site empty)
    SITE = "site"  # a row of the site's own calendar


@dataclass(frozen=True)
class YearDay:
    """One date as the calendar answers it: its kind and name, and where that answer comes from.
    ``official`` is true for a row of the State Council notice as shipped (never changed by HR)."""

    date: dt.date
    kind: str
    name: str
    name_en: str
    label: str
    source: str
    official: bool
    row_id: int | None

    @property
    def weekend(self) -> bool:
        return self.date.weekday() >= 5

    @property
    def special(self) -> bool:
        """A day set apart from the weekly pattern (what the phone's list shows)."""
        return self.source != Source.PATTERN

    @property
    def adjusted(self) -> str:
        """``rest`` for a weekday off in a break, ``workday`` for a weekend worked (调休上班), else empty."""
        if self.kind == DayKind.REST and not self.weekend:
            return "rest"
        if self.kind == DayKind.WORKDAY and self.weekend:
            return "workday"
        return ""


@dataclass(frozen=True)
class Month:
    first: dt.date
    weeks: list[list[YearDay | None]]  # Monday first; None pads the first and last week


def valid_year(year: int) -> bool:
    return FIRST_YEAR <= year <= LAST_YEAR


def calendar_year(year: int, site: WorkSite | None = None) -> list[YearDay]:
    """Every date of ``year`` with its kind: the site's row wins over the official one, which wins over
    the weekly pattern (the rule of ``attendance.calendar.Calendar``). One query."""
    start, end = dt.date(year, 1, 1), dt.date(year, 12, 31)
    where = Q(site__isnull=True)
    if site is not None:
        where |= Q(site=site)
    official: dict[dt.date, CalendarDay] = {}
    own: dict[dt.date, CalendarDay] = {}
    for found in CalendarDay.objects.filter(where, date__range=(start, end)).order_by("date"):
        (official if found.site_id is None else own)[found.date] = found
    out = []
    for date in dates(start, end):
        row = own.get(date) or official.get(date)
        if row is None:
            kind = DayKind.REST if date.weekday() >= 5 else DayKind.WORKDAY
            out.append(YearDay(date, kind, "", "", "", Source.PATTERN, False, None))
        else:
            out.append(YearDay(date, row.kind, row.name, row.name_en, row.label,
                               Source.SITE if row.site_id else Source.OFFICIAL, row.official, row.pk))
    return out


def calendar_months(days: list[YearDay]) -> list[Month]:
    """The days of a year as twelve month grids of Monday-first weeks."""
    by_date = {day.date: day for day in days}
    year = days[0].date.year
    months = []
    for month in range(1, 13):
        weeks = []
        for week in pycalendar.Calendar(firstweekday=0).monthdatescalendar(year, month):
            weeks.append([by_date[d] if d.month == month else None for d in week])
        months.append(Month(dt.date(year, month, 1), weeks))
    return months


def calendar_day_row(*, date: dt.date, site: WorkSite | None) -> CalendarDay | None:
    """The row the calendar holds for ``date`` in the official calendar (``site`` None) or the site's own."""
    qs = CalendarDay.objects.filter(date=date)
    qs = qs.filter(site=site) if site is not None else qs.filter(site__isnull=True)
    return qs.first()


def calendar_site_get(actor: Actor, pk: int | None) -> WorkSite | None:
    if pk is None:
        return None
    return access.calendar_sites(actor).filter(pk=pk).first()


def calendar_site_list(actor: Actor) -> list[WorkSite]:
    return list(access.calendar_sites(actor).order_by("name", "pk"))


def policy_shift_get(pk: int) -> Shift | None:
    """A shift the policy may name as the default (an active one)."""
    return Shift.objects.filter(pk=pk, is_active=True).first()


def policy_shift_choices() -> QuerySet[Shift]:
    return Shift.objects.filter(is_active=True).order_by("start", "code")
