"""Statutory annual leave computed by hand (职工带薪年休假条例, 企业职工带薪年休假实施办法)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from fractions import Fraction

import pytest

from talentloop.leave import entitlements as e

D = dt.date
TIERS = [(1, Decimal("5")), (10, Decimal("10")), (20, Decimal("15"))]


def entitled(year, hire, prior=(), end=None, **kw) -> int:
    return e.annual_entitlement(year=year, hire_date=hire, termination_date=end, prior=list(prior), tiers=TIERS,
                                **kw).days


def test_merge_overlapping_and_touching_periods():
    periods = [(D(2012, 1, 1), D(2012, 6, 30)), (D(2012, 7, 1), D(2012, 12, 31)),  # touching
               (D(2015, 1, 1), D(2016, 12, 31)), (D(2016, 6, 1), D(2016, 8, 1))]  # contained
    assert e.merge_periods(periods) == [(D(2012, 1, 1), D(2012, 12, 31)), (D(2015, 1, 1), D(2016, 12, 31))]
    with pytest.raises(ValueError):
        e.merge_periods([(D(2020, 1, 2), D(2020, 1, 1))])


def test_cumulative_service_across_employers_decides_5_10_15():
    # Hired 2020-01-01. Prior service 2008-01-01..2013-12-31 (6 years = 2192 days: 2008 and 2012 are
    # leap years, 6×365+2) and 2013-06-01..2015-12-31 overlapping it (counted once: only 2014-01-01..
    # 2015-12-31 = 730 more days). 2922 days back from 2020-01-01 is 2012-01-01 (2012..2019: 8 years,
    # 2 leap days = 2922). Equivalent start 2012-01-01: 10 years on 2022-01-01.
    prior = [(D(2008, 1, 1), D(2013, 12, 31)), (D(2013, 6, 1), D(2015, 12, 31))]
    assert e.prior_days_before(D(2020, 1, 1), prior) == 2922
    assert e.equivalent_start(D(2020, 1, 1), prior) == D(2012, 1, 1)
    assert entitled(2021, D(2020, 1, 1), prior) == 5    # 9 years all through 2021
    assert entitled(2022, D(2020, 1, 1), prior) == 10   # 10 years from 1 January 2022
    # Prior service from 1998-01-01 to 2007-12-31 (10 years) plus the above: 20 years from 2022-01-01.
    more = [*prior, (D(1998, 1, 1), D(2007, 12, 31))]
    assert entitled(2022, D(2020, 1, 1), more) == 15
    # Without any prior service: first job, eligible 2021-01-01, 5 days in 2021.
    assert entitled(2021, D(2020, 1, 1)) == 5


def test_twelve_months_of_continuous_work_before_the_first_entitlement():
    # First job from 2025-03-01: eligible on 2026-03-01. 2025 gives nothing; 2026 gives the rest of
    # the year: 2026-03-01..2026-12-31 = 306 days; 306 / 365 × 5 = 4.19 → 4 days.
    assert e.eligibility_date(D(2025, 3, 1), []) == D(2026, 3, 1)
    assert entitled(2025, D(2025, 3, 1)) == 0
    assert entitled(2026, D(2025, 3, 1)) == 4
    # Prior service that ends the day before the hire date is continuous: 2023-09-01..2025-02-28 and
    # hired 2025-03-01 → eligible from the start (2024-09-01 ≤ 2025-03-01); joiner pro-rating 2025-03-01..
    # 2025-12-31 = 306 days → 4 days (the art. 5 new-joiner case).
    touching = [(D(2023, 9, 1), D(2025, 2, 28))]
    assert e.continuous_start(D(2025, 3, 1), touching) == D(2023, 9, 1)
    assert entitled(2025, D(2025, 3, 1), touching) == 4
    # A one-day gap breaks continuity: prior service ending 2025-02-27 does not count towards the 12
    # months (eligible 2026-03-01), though it still counts towards the cumulative years.
    gap = [(D(2023, 9, 1), D(2025, 2, 27))]
    assert e.eligibility_date(D(2025, 3, 1), gap) == D(2026, 3, 1)
    assert entitled(2025, D(2025, 3, 1), gap) == 0


def test_mid_year_joiner_pro_rated_by_calendar_days_fraction_dropped():
    # Eligible joiner (continuous prior service) hired 2026-07-15 with 12 years' cumulative service:
    # 2026-07-15..2026-12-31 = 17 + 31 + 30 + 31 + 30 + 31 = 170 days; 170 / 365 × 10 = 4.66 → 4 days.
    prior = [(D(2014, 7, 15), D(2026, 7, 14))]
    ent = e.annual_entitlement(year=2026, hire_date=D(2026, 7, 15), termination_date=None, prior=prior, tiers=TIERS)
    assert ent.window == (D(2026, 7, 15), D(2026, 12, 31))
    assert ent.exact == Fraction(170 * 10, 365)
    assert ent.days == 4


def test_leaver_pro_rated_by_days_passed():
    # Hired 2015-01-01 (first job), leaves on 2026-04-30: 11 years, 10 days a year.
    # 2026-01-01..2026-04-30 = 31 + 28 + 31 + 30 = 120 days; 120 / 365 × 10 = 3.29 → 3 days.
    assert entitled(2026, D(2015, 1, 1), end=D(2026, 4, 30)) == 3
    # Leaving on 2026-02-05: 36 days; 36 / 365 × 10 = 0.99 → 0 days.
    assert entitled(2026, D(2015, 1, 1), end=D(2026, 2, 5)) == 0


def test_tier_change_in_the_year_splits_it_by_days():
    # First job from 2016-07-01: 10 years on 2026-07-01. 2026-01-01..06-30 = 181 days at 5,
    # 07-01..12-31 = 184 days at 10: (181 × 5 + 184 × 10) / 365 = 2745 / 365 = 7.52 → 7 days.
    ent = e.annual_entitlement(year=2026, hire_date=D(2016, 7, 1), termination_date=None, prior=[], tiers=TIERS)
    assert [(s.days, s.days_a_year) for s in ent.segments] == [(181, 5), (184, 10)]
    assert ent.exact == Fraction(2745, 365)
    assert ent.days == 7
    # Reaching 20 years on 2026-03-01 (first job from 2006-03-01): 59 days at 10 and 306 at 15:
    # (59 × 10 + 306 × 15) / 365 = 5180 / 365 = 14.19 → 14 days.
    assert entitled(2026, D(2006, 3, 1)) == 14


def test_leap_year_never_gives_more_than_the_tier():
    # 2028 has 366 days: 366 / 365 × 15 = 15.04 → 15, never 16.
    assert entitled(2028, D(2000, 1, 1)) == 15


def test_service_years_and_leap_day_anniversary():
    assert e.add_years(D(2024, 2, 29), 1) == D(2025, 3, 1)
    assert e.service_years(D(2016, 7, 1), D(2026, 6, 30)) == 9
    assert e.service_years(D(2016, 7, 1), D(2026, 7, 1)) == 10
    assert e.service_years(D(2016, 7, 1), D(2015, 1, 1)) == 0


def test_disqualification_sick_leave_by_service_and_personal_leave():
    # 5 years' service: 2 months = 60 days of sick leave. Requests 2026-02-01..02-28 (28 days) and
    # 2026-04-01..05-15 (30 + 15 = 45 days): the 60th day is 2026-04-01 + 31 days = 2026-05-02.
    start = D(2021, 1, 1)
    sick = [(D(2026, 2, 1), D(2026, 2, 28)), (D(2026, 4, 1), D(2026, 5, 15))]
    assert e.disqualifying_date(year=2026, career_start=start, sick=sick, paid_personal=[]) == D(2026, 5, 2)
    # With 12 years' service the limit is 3 months = 90 days: 73 days are not enough.
    assert e.disqualifying_date(year=2026, career_start=D(2014, 1, 1), sick=sick, paid_personal=[]) is None
    # Paid personal leave of 20 days or more: 12 + 8 reach 20 on the second request's start.
    personal = [(D(2026, 3, 2), Decimal("12")), (D(2026, 9, 1), Decimal("8"))]
    assert e.disqualifying_date(year=2026, career_start=start, sick=[], paid_personal=personal) == D(2026, 9, 1)
    # 19.5 days are not.
    assert e.disqualifying_date(year=2026, career_start=start, sick=[],
                                paid_personal=[(D(2026, 3, 2), Decimal("19.5"))]) is None


def test_disqualification_takes_this_year_or_the_next():
    # Crossed on 2026-05-02 before any annual leave was taken: 2026 is lost.
    assert e.disqualified_years(year=2026, crossed_on=D(2026, 5, 2), first_annual_use=None) == {2026}
    assert e.disqualified_years(year=2026, crossed_on=D(2026, 5, 2), first_annual_use=D(2026, 6, 1)) == {2026}
    # Annual leave already taken in March: 2027 is lost instead (实施办法 art. 8).
    assert e.disqualified_years(year=2026, crossed_on=D(2026, 5, 2), first_annual_use=D(2026, 3, 9)) == {2027}
    assert e.disqualified_years(year=2026, crossed_on=None, first_annual_use=None) == set()
    assert entitled(2026, D(2015, 1, 1), disqualified=True) == 0
