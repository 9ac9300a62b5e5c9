"""Statutory paid annual leave, as pure functions of dates (no database): cumulative service, the
first eligibility, the year's entitlement with its pro-rating, tier changes and disqualification.

Sources: 职工带薪年休假条例 (State Council, 2007) and 企业职工带薪年休假实施办法 (2008).

- Tiers (条例 art. 3): cumulative work at any employer of 1 to under 10 years gives 5 days, 10 to under
  20 years 10 days, 20 years or more 15 days. The tiers are data (``AnnualLeaveTier``); the functions
  take them as ``[(min_years, days), ...]``.
- **Cumulative service** is the person's current employment (from the hire date) plus the verified
  prior service they stated, overlapping periods merged (two jobs at once count once). It is turned
  into an *equivalent start*: the hire date moved back by the number of days of merged prior service
  before it. N years of service are complete on the N-th anniversary of the equivalent start (a
  29 February anniversary falls on 1 March).
- **Eligibility** (实施办法 art. 3: 连续工作满12个月以上): 12 months of *continuous* work, at one or
  more employers. Continuous means without a gap of even one day: the current employment and any
  verified prior service that ends the day before it starts (or overlaps it), chained back the same
  way, form one continuous stretch. The person is first eligible on the first anniversary of the
  start of that stretch (the day after twelve full months are complete).
- **The year's entitlement** (实施办法 art. 5 and art. 12): the days of the year the person is
  employed and eligible (from the later of 1 January, the hire date and the eligibility date, to the
  earlier of 31 December and the termination date) are divided by 365 and multiplied by the tier's
  days. When the tier changes inside those days (cumulative service reaching 10 or 20 years), the
  days are split at the change: ``d1 / 365 × tier1 + d2 / 365 × tier2``. The sum is computed exactly
  (fractions, no rounding on the way) and the fraction of a day is dropped once, at the end
  (折算后不足1整天的部分不享受). A whole year gives at most the highest tier reached in it (a leap year
  has 366 days, which never adds a day).
- **No claw-back** (实施办法 art. 12): a leaver's pro-rated entitlement never goes below the annual
  leave already taken in the year; the caller takes the larger of the two.
- **Disqualification** (条例 art. 4, 实施办法 art. 8): leave recorded in the product disqualifies a
  year when, within it, the person has (a) paid personal leave (事假 without pay deduction) of 20 days or
  more in total, or (b) sick leave of 2 months or more with 1 to under 10 years of service, 3 months
  or more with 10 to under 20 years, 4 months or more with 20 years or more. A month of sick leave is
  counted as 30 calendar days (the calendar days the approved sick-leave requests span in the year).
  If the person had not taken any of that year's annual leave when the threshold was crossed, that
  year is lost; if they had, the *next* year's entitlement is (实施办法 art. 8). Winter and summer
  holidays (寒暑假, art. 4 (1)) are not modelled: the product has no teachers' vacations.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from fractions import Fraction

DAYS_IN_YEAR = 365
PERSONAL_LEAVE_LIMIT_DAYS = 20
SICK_MONTH_DAYS = 30
# Months of sick leave that disqualify, by the service years from which they apply (条例 art. 4).
SICK_LEAVE_MONTHS = ((0, 2), (10, 3), (20, 4))

Period = tuple[dt.date, dt.date]  # inclusive
Tiers = Sequence[tuple[int, Decimal]]
ONE_DAY = dt.timedelta(days=1)


def add_years(date: dt.date, years: int) -> dt.date:
    """The anniversary ``years`` later; 29 February goes to 1 March in a common year."""
    try:
        return date.replace(year=date.year + years)
    except ValueError:
        return dt.date(date.year + years, 3, 1)


def merge_periods(periods: Iterable[Period]) -> list[Period]:
    """Overlapping or touching periods (one ending the day before the next starts) merged, in order."""
    merged: list[Period] = []
    for start, end in sorted(periods):
        if end < start:
            raise ValueError("A period ends before it starts.")
        if merged and start <= merged[-1][1] + ONE_DAY:
            if end > merged[-1][1]:
                merged[-1] = (merged[-1][0], end)
        else:
            merged.append((start, end))
    return merged


def prior_days_before(hire_date: dt.date, prior: Iterable[Period]) -> int:
    """Days of merged prior service before the hire date (what overlaps the current job counts once)."""
    total = 0
    for start, end in merge_periods(prior):
        if start >= hire_date:
            continue
        total += (min(end, hire_date - ONE_DAY) - start).days + 1
    return total


def equivalent_start(hire_date: dt.date, prior: Iterable[Period]) -> dt.date:
    """The start date of one unbroken career as long as the cumulative service."""
    return hire_date - dt.timedelta(days=prior_days_before(hire_date, prior))


def service_years(start: dt.date, on: dt.date) -> int:
    """Whole years from the equivalent start ``start`` completed on ``on``."""
    if on < start:
        return 0
    years = on.year - start.year
    if add_years(start, years) > on:
        years -= 1
    return max(years, 0)


def continuous_start(hire_date: dt.date, prior: Iterable[Period]) -> dt.date:
    """The first day of the continuous stretch of work that runs into the current employment."""
    start = hire_date
    for p_start, p_end in reversed(merge_periods(prior)):
        if p_start < start and p_end >= start - ONE_DAY:
            start = p_start
    return start


def eligibility_date(hire_date: dt.date, prior: Iterable[Period]) -> dt.date:
    """The first day with twelve full months of continuous work behind it."""
    return add_years(continuous_start(hire_date, prior), 1)


def tier_days(tiers: Tiers, years: int) -> Decimal:
    """The days a year of the highest tier ``years`` reaches (0 below the first tier)."""
    days = Decimal("0")
    for min_years, tier in sorted(tiers):
        if years >= min_years:
            days = Decimal(tier)
    return days


@dataclass(frozen=True)
class Segment:
    start: dt.date
    end: dt.date
    years: int
    days_a_year: Decimal

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1


@dataclass(frozen=True)
class Entitlement:
    """A year's entitlement: whole ``days``, the exact value before dropping the fraction, the
    segments it was computed from and whether the year was disqualified."""

    year: int
    days: int
    exact: Fraction
    segments: tuple[Segment, ...] = ()
    disqualified: bool = False
    window: Period | None = None
    notes: tuple[str, ...] = field(default=())


def tier_segments(start: dt.date, end: dt.date, career_start: dt.date, tiers: Tiers) -> list[Segment]:
    """``start``..``end`` split where the tier changes (service reaching a tier's years)."""
    segments: list[Segment] = []
    cursor = start
    while cursor <= end:
        years = service_years(career_start, cursor)
        days = tier_days(tiers, years)
        # The next tier boundary after ``cursor``: the first anniversary of a tier's years in the future.
        stop = end
        for min_years, _tier in sorted(tiers):
            if min_years > years:
                change = add_years(career_start, min_years)
                if cursor < change <= end:
                    stop = min(stop, change - ONE_DAY)
                break
        segments.append(Segment(cursor, stop, years, days))
        cursor = stop + ONE_DAY
    return segments


def annual_entitlement(*, year: int, hire_date: dt.date, termination_date: dt.date | None,
                       prior: Iterable[Period], tiers: Tiers, disqualified: bool = False) -> Entitlement:
    """The annual leave of ``year`` (see the module's notes). ``termination_date`` is the last day of
    employment; pass it only once it is known to end the year's employment."""
    prior = list(prior)
    if disqualified:
        return Entitlement(year, 0, Fraction(0), disqualified=True)
    first = max(dt.date(year, 1, 1), hire_date, eligibility_date(hire_date, prior))
    last = dt.date(year, 12, 31)
    if termination_date is not None:
        last = min(last, termination_date)
    if first > last:
        return Entitlement(year, 0, Fraction(0))
    segments = tier_segments(first, last, equivalent_start(hire_date, prior), tiers)
    exact = sum((Fraction(s.days) * Fraction(s.days_a_year) / DAYS_IN_YEAR for s in segments), Fraction(0))
    days = math.floor(exact)
    highest = max((s.days_a_year for s in segments), default=Decimal("0"))
    days = min(days, math.floor(highest))
    return Entitlement(year, days, exact, tuple(segments), window=(first, last))


def sick_limit_days(years: int) -> int:
    months = 0
    for min_years, limit in SICK_LEAVE_MONTHS:
        if years >= min_years:
            months = limit
    return months * SICK_MONTH_DAYS


def disqualifying_date(*, year: int, career_start: dt.date, sick: Iterable[Period],
                       paid_personal: Iterable[tuple[dt.date, Decimal]]) -> dt.date | None:
    """The date within ``year`` on which the recorded leave first reaches a disqualifying total, or
    ``None``. ``sick``: the approved sick-leave requests (start, end); ``paid_personal``: the approved
    personal leave without pay deduction (the request's start date, its days)."""
    first, last = dt.date(year, 1, 1), dt.date(year, 12, 31)
    found: list[dt.date] = []
    total = 0
    for start, end in merge_periods(sick):
        start, end = max(start, first), min(end, last)
        if start > end:
            continue
        length = (end - start).days + 1
        # The limit depends on the service years on the day it would be reached.
        needed = sick_limit_days(service_years(career_start, start)) - total
        if length >= needed:
            found.append(start + dt.timedelta(days=needed - 1))
            break
        total += length
    personal = Decimal("0")
    for start, days in sorted(paid_personal):
        if first <= start <= last:
            personal += Decimal(days)
            if personal >= PERSONAL_LEAVE_LIMIT_DAYS:
                found.append(start)
                break
    return min(found) if found else None


def disqualified_years(*, year: int, crossed_on: dt.date | None, first_annual_use: dt.date | None) -> set[int]:
    """Which year a threshold crossed on ``crossed_on`` (in ``year``) takes away: that year when none
    of its annual leave had been taken before, otherwise the next year (实施办法 art. 8)."""
    if crossed_on is None:
        return set()
    if first_annual_use is not None and first_annual_use < crossed_on:
        return {year + 1}
    return {year}
