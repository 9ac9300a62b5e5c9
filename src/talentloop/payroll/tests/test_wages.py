"""Wage rules: daily/hourly wage, unpaid leave, overtime, sick pay, probation and length of service.

Legal sources: 劳社部发〔2008〕3号 (21.75 paid days a month, 8 hours a day); Labour Law art. 44 (overtime
150/200/300 %); 劳部发〔1995〕309号 art. 59 (sick pay not below 80 % of the minimum wage); Labour Contract
Law art. 20 (probation pay). A leaver's final pay is tested in ``test_final_pay``. Every expected figure
is worked out by hand in its comment.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal as D

import pytest

from talentloop.core.errors import InvalidInput
from talentloop.payroll.rules.wages import (
    DEFAULT_WAGE_RULES,
    OvertimeKind,
    ProbationBreachReason,
    SickPayPolicy,
    SickPayTier,
    WageRules,
    daily_wage,
    hourly_wage,
    overtime_pay,
    probation_check,
    service_length,
    sick_pay,
    unpaid_leave_deduction,
)

SHANGHAI_MINIMUM = D("2690")

# --- Daily and hourly wage ------------------------------------------------------------------------


def test_daily_and_hourly_wage() -> None:
    # 10,875 / 21.75 = 500 a day; 500 / 8 = 62.5 an hour.
    assert daily_wage(D("10875")) == D("500")
    assert hourly_wage(D("10875")) == D("62.5")


def test_daily_wage_keeps_precision_until_paid() -> None:
    # 10,000 / 21.75 = 459.770114942528...: not rounded here, only where it is paid.
    assert daily_wage(D("10000")).quantize(D("0.000001")) == D("459.770115")


def test_the_legal_figures_are_data() -> None:
    # A rule set with 20.83 days (the older figure) gives 8,332 / 20.83 = 400.
    rules = WageRules(monthly_paid_days=D("20.83"))
    assert daily_wage(D("8332"), rules) == D("400")
    assert DEFAULT_WAGE_RULES.monthly_paid_days == D("21.75")
    assert DEFAULT_WAGE_RULES.hours_per_day == D("8")


def test_negative_wage_refused() -> None:
    with pytest.raises(InvalidInput):
        daily_wage(D("-1"))


# --- Unpaid leave ---------------------------------------------------------------------------------


def test_unpaid_leave_deduction() -> None:
    # 8,700 / 21.75 = 400 a day; 3 days = 1,200; 8,700 - 1,200 = 7,500.
    result = unpaid_leave_deduction(D("8700"), D("3"), D("8700"))
    assert result.daily_wage == D("400")
    assert (result.deduction, result.capped, result.pay_after) == (D("1200.00"), False, D("7500.00"))


def test_unpaid_leave_rounded_to_the_fen() -> None:
    # 10,000 / 21.75 x 1 = 459.7701... -> 459.77.
    assert unpaid_leave_deduction(D("10000"), D("1"), D("10000")).deduction == D("459.77")


def test_unpaid_leave_never_below_zero_pay() -> None:
    # 25 days x 400 = 10,000 would exceed the month's 8,700: only 8,700 is deducted, pay 0.
    result = unpaid_leave_deduction(D("8700"), D("25"), D("8700"))
    assert result.computed == D("10000.00")
    assert result.deduction == D("8700")
    assert result.capped
    assert result.pay_after == D("0")


def test_unpaid_leave_half_day() -> None:
    # 0.5 x 400 = 200.
    assert unpaid_leave_deduction(D("8700"), D("0.5"), D("8700")).deduction == D("200.00")


# --- Overtime -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kind", "hours", "multiplier", "expected"),
    [
        # 8,700 / 21.75 / 8 = 50 an hour.
        (OvertimeKind.WORKDAY, D("10"), D("1.5"), D("750.00")),  # 50 x 150 % x 10
        (OvertimeKind.REST_DAY, D("8"), D("2"), D("800.00")),  # 50 x 200 % x 8
        (OvertimeKind.STATUTORY_HOLIDAY, D("8"), D("3"), D("1200.00")),  # 50 x 300 % x 8
    ],
)
def test_overtime_multipliers(kind: OvertimeKind, hours: D, multiplier: D, expected: D) -> None:
    result = overtime_pay(D("8700"), hours, kind)
    assert result.hourly_wage == D("50")
    assert result.multiplier == multiplier
    assert result.amount == expected


def test_overtime_rounded_to_the_fen() -> None:
    # 10,000 / 21.75 / 8 = 57.4712643...; x 1.5 x 3 h = 258.6206896... -> 258.62.
    assert overtime_pay(D("10000"), D("3"), OvertimeKind.WORKDAY).amount == D("258.62")


def test_negative_overtime_refused() -> None:
    with pytest.raises(InvalidInput):
        overtime_pay(D("10000"), D("-1"), OvertimeKind.WORKDAY)


# --- Sick pay -------------------------------------------------------------------------------------

SICK_POLICY = SickPayPolicy(
    tiers=(
        SickPayTier(D("0"), D("0.6")),
        SickPayTier(D("2"), D("0.7")),
        SickPayTier(D("4"), D("0.8")),
        SickPayTier(D("6"), D("0.9")),
        SickPayTier(D("8"), D("1")),
    )
)


def test_sick_pay_by_years_of_service() -> None:
    # 3 years: the 2-year tier, 70 % of 10,000 = 7,000; the floor 80 % x 2,690 = 2,152 does not apply.
    result = sick_pay(D("10000"), D("3"), SICK_POLICY, SHANGHAI_MINIMUM)
    assert (result.percent, result.computed, result.floor) == (D("0.7"), D("7000.00"), D("2152.00"))
    assert (result.amount, result.floor_applied) == (D("7000.00"), False)


def test_sick_pay_tier_starts_on_its_year() -> None:
    # Exactly 8 years: 100 %.
    assert sick_pay(D("10000"), D("8"), SICK_POLICY, SHANGHAI_MINIMUM).amount == D("10000.00")


def test_sick_pay_lifted_to_the_legal_floor() -> None:
    # 60 % of 3,000 = 1,800 is under 80 % of the 2,690 minimum wage = 2,152: 2,152 is paid.
    result = sick_pay(D("3000"), D("0"), SICK_POLICY, SHANGHAI_MINIMUM)
    assert result.computed == D("1800.00")
    assert (result.amount, result.floor_applied) == (D("2152.00"), True)


def test_sick_pay_policy_without_a_tier_refused() -> None:
    policy = SickPayPolicy(tiers=(SickPayTier(D("1"), D("0.6")),))
    with pytest.raises(InvalidInput):
        sick_pay(D("10000"), D("0.5"), policy, SHANGHAI_MINIMUM)


# --- Probation ------------------------------------------------------------------------------------


def test_probation_at_eighty_percent_is_fine() -> None:
    # 80 % of 10,000 = 8,000, above the 2,690 minimum wage.
    assert probation_check(D("8000"), D("10000"), SHANGHAI_MINIMUM).ok


def test_probation_below_eighty_percent() -> None:
    result = probation_check(D("7999.99"), D("10000"), SHANGHAI_MINIMUM)
    assert not result.ok
    [breach] = result.breaches
    assert breach.reason is ProbationBreachReason.BELOW_CONTRACT_FRACTION
    assert breach.required == D("8000")
    assert "80" in breach.message


def test_probation_below_minimum_wage() -> None:
    # 80 % of 3,000 = 2,400 is met by 2,600, but 2,600 is under the 2,690 minimum wage.
    [breach] = probation_check(D("2600"), D("3000"), SHANGHAI_MINIMUM).breaches
    assert breach.reason is ProbationBreachReason.BELOW_MINIMUM_WAGE
    assert breach.required == D("2690")


def test_probation_both_breaches() -> None:
    # 2,000 is under 80 % of 5,000 (4,000) and under 2,690.
    reasons = [b.reason for b in probation_check(D("2000"), D("5000"), SHANGHAI_MINIMUM).breaches]
    assert reasons == [ProbationBreachReason.BELOW_CONTRACT_FRACTION, ProbationBreachReason.BELOW_MINIMUM_WAGE]


# --- Service length -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("start", "last_day", "months", "days"),
    [
        (dt.date(2020, 3, 15), dt.date(2023, 9, 14), 42, 0),  # 3 years 6 months exactly
        (dt.date(2024, 1, 1), dt.date(2024, 1, 10), 0, 10),
        (dt.date(2024, 1, 31), dt.date(2024, 2, 28), 1, 0),  # 31 January to 29 February (exclusive) is a month
        (dt.date(2018, 3, 1), dt.date(2024, 6, 15), 75, 15),  # 6 years 3 months 15 days
    ],
)
def test_service_length(start: dt.date, last_day: dt.date, months: int, days: int) -> None:
    service = service_length(start, last_day)
    assert (service.months, service.days) == (months, days)


def test_service_ending_before_it_starts_refused() -> None:
    with pytest.raises(InvalidInput):
        service_length(dt.date(2024, 1, 2), dt.date(2024, 1, 1))
