"""Wage rules: daily/hourly wage, unpaid leave, overtime, sick pay, probation and leavers' final pay.

Legal sources: 劳社部发〔2008〕3号 (21.75 paid days a month, 8 hours a day); Labour Law art. 44 (overtime
150/200/300 %); 劳部发〔1995〕309号 art. 59 (sick pay not below 80 % of the minimum wage); Labour Contract
Law art. 20 (probation pay), art. 40, 46, 47, 87 (compensation); 企业职工带薪年休假实施办法 art. 10-12
(unused annual leave). Every expected figure is worked out by hand in its comment.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal as D

import pytest

from talentloop.core.errors import InvalidInput
from talentloop.payroll.rules.wages import (
    DEFAULT_COMPENSATION_BY_REASON,
    DEFAULT_WAGE_RULES,
    CompensationFormula,
    OvertimeKind,
    ProbationBreachReason,
    SickPayPolicy,
    SickPayTier,
    TerminationReason,
    WageRules,
    annual_leave_pay,
    average_monthly_wage,
    daily_wage,
    economic_compensation,
    final_pay,
    hourly_wage,
    overtime_pay,
    probation_check,
    prorated_unused_leave_days,
    service_length,
    sick_pay,
    unpaid_leave_deduction,
)

SHANGHAI_AVERAGE_2023 = D("12307")  # Shanghai's 2023 average monthly wage: cap 3 x 12,307 = 36,921
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


# --- Unused annual leave --------------------------------------------------------------------------


def test_annual_leave_pay_two_hundred_percent_extra() -> None:
    # 12 months of 10,875 (overtime excluded): 10,875 / 21.75 = 500 a day; 5 days x 500 x 200 % = 5,000.
    result = annual_leave_pay([D("10875")] * 12, D("5"))
    assert (result.average_monthly_wage, result.daily_wage, result.multiplier) == (D("10875"), D("500"), D("2"))
    assert result.amount == D("5000.00")


def test_annual_leave_pay_on_an_uneven_year() -> None:
    # 6 x 10,000 + 6 x 12,000 = 132,000 / 12 = 11,000; / 21.75 = 505.747126...; x 2 x 3 days = 3,034.4827...
    # -> 3,034.48.
    result = annual_leave_pay([D("10000")] * 6 + [D("12000")] * 6, D("3"))
    assert result.amount == D("3034.48")


def test_prorated_unused_leave_whole_days_only() -> None:
    # 200 / 365 x 10 = 5.479 -> 5 whole days, 2 taken: 3 unpaid days to pay.
    assert prorated_unused_leave_days(200, D("10"), D("2")) == D("3")


def test_prorated_unused_leave_never_negative() -> None:
    # 5 days due, 6 taken: nothing to pay and nothing clawed back.
    assert prorated_unused_leave_days(200, D("10"), D("6")) == D("0")


def test_average_needs_a_month() -> None:
    with pytest.raises(InvalidInput):
        average_monthly_wage([])


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


# --- Economic compensation ------------------------------------------------------------------------


def test_compensation_under_six_months_is_half_a_month() -> None:
    # 1 January to 30 April: 4 months, under six: N = 0.5; average 10,000; 0.5 x 10,000 = 5,000 (art. 47).
    result = economic_compensation(
        reason=TerminationReason.REDUNDANCY,
        start=dt.date(2024, 1, 1),
        last_day=dt.date(2024, 4, 30),
        monthly_wages=[D("10000")] * 4,
        city_average_monthly_wage=SHANGHAI_AVERAGE_2023,
    )
    assert result.service.months == 4
    assert result.service_years_counted == D("0.5")
    assert result.formula is CompensationFormula.N
    assert result.amount == D("5000.00")


@pytest.mark.parametrize(
    ("start", "last_day"),
    [
        (dt.date(2024, 1, 1), dt.date(2024, 6, 30)),  # exactly six months counts as a year
        (dt.date(2023, 8, 1), dt.date(2024, 4, 30)),  # nine months
    ],
)
def test_compensation_six_to_twelve_months_is_one_month(start: dt.date, last_day: dt.date) -> None:
    result = economic_compensation(
        reason=TerminationReason.MUTUAL_AGREEMENT_EMPLOYER_INITIATED,
        start=start,
        last_day=last_day,
        monthly_wages=[D("10000")] * 6,
        city_average_monthly_wage=SHANGHAI_AVERAGE_2023,
    )
    assert result.service_years_counted == D("1")
    assert result.amount == D("10000.00")


def test_compensation_years_with_a_short_remainder() -> None:
    # 1 March 2018 to 15 June 2024: 6 years 3 months 15 days -> 6 + 0.5 = 6.5; average 12,000;
    # 6.5 x 12,000 = 78,000.
    result = economic_compensation(
        reason=TerminationReason.CONTRACT_EXPIRY_NOT_RENEWED_BY_EMPLOYER,
        start=dt.date(2018, 3, 1),
        last_day=dt.date(2024, 6, 15),
        monthly_wages=[D("12000")] * 12,
        city_average_monthly_wage=SHANGHAI_AVERAGE_2023,
    )
    assert (result.service.full_years, result.service.remainder_months, result.service.days) == (6, 3, 15)
    assert result.service_years_counted == D("6.5")
    assert not result.capped
    assert result.amount == D("78000.00")


def test_compensation_years_with_a_long_remainder() -> None:
    # 1 March 2018 to 15 October 2024: 6 years 7 months -> 7; average of 6 x 9,000 and 6 x 12,000 = 10,500;
    # 7 x 10,500 = 73,500.
    result = economic_compensation(
        reason=TerminationReason.EMPLOYER_FAULT,
        start=dt.date(2018, 3, 1),
        last_day=dt.date(2024, 10, 15),
        monthly_wages=[D("9000")] * 6 + [D("12000")] * 6,
        city_average_monthly_wage=SHANGHAI_AVERAGE_2023,
    )
    assert result.average_monthly_wage == D("10500")
    assert result.service_years_counted == D("7")
    assert result.amount == D("73500.00")


def test_compensation_high_earner_capped_at_three_times_and_twelve_years() -> None:
    # 1 January 2008 to 31 December 2024: 17 years at 50,000 a month, over 3 x 12,307 = 36,921,
    # so 36,921 x 12 years = 443,052.
    result = economic_compensation(
        reason=TerminationReason.REDUNDANCY,
        start=dt.date(2008, 1, 1),
        last_day=dt.date(2024, 12, 31),
        monthly_wages=[D("50000")] * 12,
        city_average_monthly_wage=SHANGHAI_AVERAGE_2023,
    )
    assert not result.needs_review_for_service_before_2008
    assert result.service_years_counted == D("17")
    assert (result.wage_cap, result.capped) == (D("36921"), True)
    assert (result.monthly_wage_used, result.years_used) == (D("36921"), D("12"))
    assert result.amount == D("443052.00")


def test_compensation_high_earner_short_service_keeps_its_years() -> None:
    # 5 years at 50,000: capped wage 36,921 x 5 = 184,605 (under 12 years, nothing more to cut).
    result = economic_compensation(
        reason=TerminationReason.REDUNDANCY,
        start=dt.date(2020, 1, 1),
        last_day=dt.date(2024, 12, 31),
        monthly_wages=[D("50000")] * 12,
        city_average_monthly_wage=SHANGHAI_AVERAGE_2023,
    )
    assert result.amount == D("184605.00")


def test_compensation_long_service_under_the_wage_cap_is_not_cut_to_twelve_years() -> None:
    # 1 January 2009 to 31 December 2024: 16 years at 20,000 (under 36,921): all 16 count, 16 x 20,000 = 320,000.
    result = economic_compensation(
        reason=TerminationReason.REDUNDANCY,
        start=dt.date(2009, 1, 1),
        last_day=dt.date(2024, 12, 31),
        monthly_wages=[D("20000")] * 12,
        city_average_monthly_wage=SHANGHAI_AVERAGE_2023,
    )
    assert (result.capped, result.years_used) == (False, D("16"))
    assert result.amount == D("320000.00")


def test_compensation_for_service_from_before_2008_is_flagged_for_review() -> None:
    # LCL art. 97: the years before 1 January 2008 follow the rules then in force; the figure
    # (20 x 20,000 = 400,000 counted under the new law alone) is flagged rather than trusted.
    result = economic_compensation(
        reason=TerminationReason.REDUNDANCY,
        start=dt.date(2005, 1, 1),
        last_day=dt.date(2024, 12, 31),
        monthly_wages=[D("20000")] * 12,
        city_average_monthly_wage=SHANGHAI_AVERAGE_2023,
    )
    assert result.needs_review_for_service_before_2008
    assert result.amount == D("400000.00")


def test_compensation_n_plus_one() -> None:
    # Art. 40 without notice: 3 years x 10,000 = 30,000, plus the previous month's wage 10,500 = 40,500.
    result = economic_compensation(
        reason=TerminationReason.NO_FAULT_WITHOUT_NOTICE,
        start=dt.date(2021, 7, 1),
        last_day=dt.date(2024, 6, 30),
        monthly_wages=[D("10000")] * 12,
        city_average_monthly_wage=SHANGHAI_AVERAGE_2023,
        previous_month_wage=D("10500"),
    )
    assert result.formula is CompensationFormula.N_PLUS_1
    assert (result.standard, result.notice_pay, result.amount) == (D("30000.00"), D("10500.00"), D("40500.00"))


def test_compensation_with_notice_is_n() -> None:
    # Art. 40 with 30 days' notice: 3 x 10,000 = 30,000, no extra month.
    result = economic_compensation(
        reason=TerminationReason.NO_FAULT_WITH_NOTICE,
        start=dt.date(2021, 7, 1),
        last_day=dt.date(2024, 6, 30),
        monthly_wages=[D("10000")] * 12,
        city_average_monthly_wage=SHANGHAI_AVERAGE_2023,
    )
    assert (result.notice_pay, result.amount) == (D("0.00"), D("30000.00"))


def test_n_plus_one_needs_the_previous_month() -> None:
    with pytest.raises(InvalidInput):
        economic_compensation(
            reason=TerminationReason.NO_FAULT_WITHOUT_NOTICE,
            start=dt.date(2021, 7, 1),
            last_day=dt.date(2024, 6, 30),
            monthly_wages=[D("10000")] * 12,
            city_average_monthly_wage=SHANGHAI_AVERAGE_2023,
        )


def test_compensation_two_n_for_unlawful_termination() -> None:
    # Art. 87: twice the art. 47 standard, 2 x 3 x 10,000 = 60,000.
    result = economic_compensation(
        reason=TerminationReason.UNLAWFUL_TERMINATION,
        start=dt.date(2021, 7, 1),
        last_day=dt.date(2024, 6, 30),
        monthly_wages=[D("10000")] * 12,
        city_average_monthly_wage=SHANGHAI_AVERAGE_2023,
    )
    assert result.formula is CompensationFormula.TWO_N
    assert (result.standard, result.amount) == (D("30000.00"), D("60000.00"))


@pytest.mark.parametrize("reason", [TerminationReason.EMPLOYEE_RESIGNS, TerminationReason.DISMISSAL_FOR_CAUSE])
def test_reasons_that_pay_nothing_still_show_the_figures(reason: TerminationReason) -> None:
    # The standard would be 3 x 10,000 = 30,000, but the reason pays none of it.
    result = economic_compensation(
        reason=reason,
        start=dt.date(2021, 7, 1),
        last_day=dt.date(2024, 6, 30),
        monthly_wages=[D("10000")] * 12,
        city_average_monthly_wage=SHANGHAI_AVERAGE_2023,
    )
    assert result.formula is CompensationFormula.NONE
    assert result.standard == D("30000.00")
    assert result.amount == D("0.00")


def test_compensation_wage_raised_to_the_minimum_wage() -> None:
    # Average 2,000 is under the 2,690 minimum wage (实施条例 art. 27): 2 years x 2,690 = 5,380.
    result = economic_compensation(
        reason=TerminationReason.REDUNDANCY,
        start=dt.date(2022, 7, 1),
        last_day=dt.date(2024, 6, 30),
        monthly_wages=[D("2000")] * 12,
        city_average_monthly_wage=SHANGHAI_AVERAGE_2023,
        minimum_wage=SHANGHAI_MINIMUM,
    )
    assert (result.average_monthly_wage, result.monthly_wage_used) == (D("2000"), D("2690"))
    assert result.amount == D("5380.00")


def test_compensation_takes_at_most_twelve_months_of_wages() -> None:
    # Art. 47: the average of the last 12 months; a 13th month would dilute it.
    with pytest.raises(InvalidInput):
        economic_compensation(
            reason=TerminationReason.REDUNDANCY,
            start=dt.date(2021, 7, 1),
            last_day=dt.date(2024, 6, 30),
            monthly_wages=[D("10000")] * 13,
            city_average_monthly_wage=SHANGHAI_AVERAGE_2023,
        )


def test_compensation_rounded_to_the_fen() -> None:
    # Average (10,000 x 2 + 10,001) / 3 = 10,000.3333...; 0.5 x that = 5,000.1666... -> 5,000.17.
    result = economic_compensation(
        reason=TerminationReason.REDUNDANCY,
        start=dt.date(2024, 1, 1),
        last_day=dt.date(2024, 3, 31),
        monthly_wages=[D("10000"), D("10000"), D("10001")],
        city_average_monthly_wage=SHANGHAI_AVERAGE_2023,
    )
    assert result.amount == D("5000.17")


@pytest.mark.parametrize(
    ("reason", "formula"),
    [
        (TerminationReason.MUTUAL_AGREEMENT_EMPLOYER_INITIATED, CompensationFormula.N),
        (TerminationReason.EMPLOYEE_RESIGNS, CompensationFormula.NONE),
        (TerminationReason.EMPLOYER_FAULT, CompensationFormula.N),
        (TerminationReason.DISMISSAL_FOR_CAUSE, CompensationFormula.NONE),
        (TerminationReason.NO_FAULT_WITHOUT_NOTICE, CompensationFormula.N_PLUS_1),
        (TerminationReason.NO_FAULT_WITH_NOTICE, CompensationFormula.N),
        (TerminationReason.REDUNDANCY, CompensationFormula.N),
        (TerminationReason.CONTRACT_EXPIRY_NOT_RENEWED_BY_EMPLOYER, CompensationFormula.N),
        (TerminationReason.UNLAWFUL_TERMINATION, CompensationFormula.TWO_N),
    ],
)
def test_reason_mapping_follows_the_labour_contract_law(
    reason: TerminationReason, formula: CompensationFormula
) -> None:
    assert DEFAULT_COMPENSATION_BY_REASON[reason] is formula


def test_every_reason_has_a_formula() -> None:
    assert set(DEFAULT_COMPENSATION_BY_REASON) == set(TerminationReason)


# --- Final pay ------------------------------------------------------------------------------------


def test_final_pay_adds_leave_and_compensation() -> None:
    # Unused leave 5 days x 500 x 200 % = 5,000; N = 3 x 10,875 = 32,625; total 37,625.
    leave = annual_leave_pay([D("10875")] * 12, D("5"))
    compensation = economic_compensation(
        reason=TerminationReason.REDUNDANCY,
        start=dt.date(2021, 7, 1),
        last_day=dt.date(2024, 6, 30),
        monthly_wages=[D("10875")] * 12,
        city_average_monthly_wage=SHANGHAI_AVERAGE_2023,
    )
    result = final_pay(compensation=compensation, annual_leave=leave)
    assert result.total == D("37625.00")
    assert final_pay(compensation=compensation).total == D("32625.00")
