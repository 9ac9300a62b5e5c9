"""The official calendar shipped as data (migration 0003) for 2025 and 2026, checked against the
State Council notices by hand."""

from __future__ import annotations

import datetime as dt

import pytest

from talentloop.attendance.calendar import Calendar, dates
from talentloop.attendance.models import CalendarDay, DayKind
from talentloop.attendance.tests.official_calendar import official_calendar  # noqa: F401 - a fixture

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("official_calendar")]

D = dt.date


@pytest.mark.parametrize("year", [2025, 2026])
def test_thirteen_statutory_days_a_year(year):
    # From 2025: New Year 1 + Spring Festival 4 + Qingming 1 + Labour Day 2 + Dragon Boat 1
    # + Mid-Autumn 1 + National Day 3 = 13.
    rows = CalendarDay.objects.filter(site__isnull=True, official=True, kind=DayKind.STATUTORY,
                                      date__year=year)
    assert rows.count() == 13
    assert all(row.name and row.name_en for row in rows)


def test_statutory_days_of_2026_by_hand():
    expected = {D(2026, 1, 1), D(2026, 2, 16), D(2026, 2, 17), D(2026, 2, 18), D(2026, 2, 19), D(2026, 4, 5),
                D(2026, 5, 1), D(2026, 5, 2), D(2026, 6, 19), D(2026, 9, 25), D(2026, 10, 1), D(2026, 10, 2),
                D(2026, 10, 3)}
    got = set(CalendarDay.objects.filter(site__isnull=True, kind=DayKind.STATUTORY, date__year=2026)
              .values_list("date", flat=True))
    assert got == expected


@pytest.mark.parametrize("saturday_or_sunday", [
    D(2025, 1, 26), D(2025, 2, 8), D(2025, 4, 27), D(2025, 9, 28), D(2025, 10, 11),
    D(2026, 1, 4), D(2026, 2, 14), D(2026, 2, 28), D(2026, 5, 9), D(2026, 9, 20), D(2026, 10, 10),
])
def test_adjusted_weekend_days_are_workdays(saturday_or_sunday):
    assert saturday_or_sunday.weekday() >= 5
    assert Calendar(saturday_or_sunday, saturday_or_sunday).kind(saturday_or_sunday) == DayKind.WORKDAY


def test_national_day_week_2025_is_no_workday():
    # 1 to 8 October 2025 (Wednesday to Wednesday), 8 days off: 1-3 National Day and 6 Mid-Autumn
    # statutory, 4-5 the weekend, 7-8 adjusted rest days; 11 October (Saturday) is worked instead.
    calendar = Calendar(D(2025, 9, 27), D(2025, 10, 12))
    off = list(dates(D(2025, 10, 1), D(2025, 10, 8)))
    assert not any(calendar.is_workday(day) for day in off)
    assert [calendar.kind(day) for day in off] == ["statutory"] * 3 + ["rest"] * 2 + ["statutory"] + ["rest"] * 2
    assert calendar.is_workday(D(2025, 9, 28)) and calendar.is_workday(D(2025, 10, 11))
    assert calendar.is_workday(D(2025, 10, 9))


def test_spring_festival_2026_nine_days_off():
    # 15 (Sunday) to 23 February 2026 (Monday): 9 days, none a workday; 14 and 28 February are worked.
    calendar = Calendar(D(2026, 2, 1), D(2026, 2, 28))
    assert [day for day in dates(D(2026, 2, 14), D(2026, 2, 24)) if not calendar.is_workday(day)] == list(
        dates(D(2026, 2, 15), D(2026, 2, 23)))
    assert calendar.is_workday(D(2026, 2, 28))


def test_a_plain_weekend_stays_a_rest_day():
    # 7 and 8 March 2026: an ordinary weekend, no row.
    calendar = Calendar(D(2026, 3, 1), D(2026, 3, 31))
    assert calendar.kind(D(2026, 3, 7)) == DayKind.REST
    assert calendar.kind(D(2026, 3, 9)) == DayKind.WORKDAY


def test_the_rows_come_back_after_a_flush():
    # A transactional test empties the table when it ends; the fixture's loader puts the rows back,
    # keeping a day HR set on a date of the notice.
    from talentloop.attendance.tests.official_calendar import load_official_calendar

    CalendarDay.objects.all().delete()
    CalendarDay.objects.create(date=D(2026, 10, 1), kind=DayKind.WORKDAY, name="HR")
    load_official_calendar()
    # 2025: 13 statutory + 6 rest + 5 workdays; 2026: 13 + 9 + 6.
    assert CalendarDay.objects.filter(official=True).count() == 24 + 28 - 1
    assert CalendarDay.objects.get(date=D(2026, 10, 1)).name == "HR"
