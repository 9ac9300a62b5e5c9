"""A leaver's final pay: economic compensation and unused annual leave.

Legal sources: Labour Contract Law (LCL) art. 36-41, 44, 46, 47, 87, 97; its Implementing Regulations
(R) art. 20, 22, 25, 27; 企业职工带薪年休假实施办法 (ALM) art. 10-12. The city figure is Shanghai's
average monthly wage behind the 2024-2025 contribution year, 12,307 (cap 3 x 12,307 = 36,921).
Every expected figure is worked out by hand in its comment. No test reads today's date.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal as D

import pytest

from talentloop.core.errors import InvalidInput
from talentloop.payroll.rules.final_pay import (
    ANNUAL_LEAVE,
    COMPENSATION,
    DAMAGES,
    METHOD_BY_REASON,
    NOTICE_PAY,
    SEVERANCE_CODES,
    TOTAL,
    Cap,
    FinalPayInput,
    LegalReason,
    MonthWage,
    Note,
    compensation_method,
    economic_compensation,
    final_pay,
    leaver_unused_leave_days,
    unused_leave_pay,
    validate_final_pay_input,
)
from talentloop.payroll.rules.month.records import LineKind
from talentloop.payroll.rules.social import load_policies
from talentloop.payroll.rules.wages import CompensationFormula

SHANGHAI_AVERAGE = D("12307")


def months_ending(year: int, month: int, count: int, wage: str, overtime: str = "0") -> list[MonthWage]:
    """``count`` consecutive months ending with ``year``-``month``, oldest first, each with the same wage."""
    items = []
    for back in range(count - 1, -1, -1):
        index = year * 12 + month - 1 - back
        items.append(MonthWage(dt.date(index // 12, index % 12 + 1, 1), D(wage), D(overtime)))
    return items


def leaver(
    hire: dt.date,
    last_day: dt.date,
    reason: LegalReason,
    wages: list[MonthWage],
    **extra: object,
) -> FinalPayInput:
    return FinalPayInput(
        hire_date=hire,
        termination_date=last_day,
        reason=reason,
        monthly_wages=tuple(wages),
        city_average_monthly_wage=SHANGHAI_AVERAGE,
        **extra,  # type: ignore[arg-type]  # the optional fields, as each test needs them
    )


# --- Service length: N ----------------------------------------------------------------------------


def test_service_under_six_months_is_half_a_month() -> None:
    # 1 January to 30 April 2025: 4 months, under six: N = 0.5 (LCL art. 47).
    # Average of the 4 months worked (R art. 27): 10,000; 0.5 x 10,000 = 5,000.00.
    result = final_pay(
        leaver(dt.date(2025, 1, 1), dt.date(2025, 4, 30), LegalReason.REDUNDANCY, months_ending(2025, 4, 4, "10000"))
    )
    comp = result.compensation
    assert (comp.service.months, comp.service.days) == (4, 0)
    assert comp.months_counted == D("0.5")
    assert comp.cap is Cap.NONE
    assert result.line(COMPENSATION).amount == D("5000.00")
    assert result.total == D("5000.00")


@pytest.mark.parametrize(
    ("hire", "last_day", "count", "expected_n"),
    [
        # 1 January to 29 June: 5 months 29 days, still under six months: N = 0.5.
        (dt.date(2025, 1, 1), dt.date(2025, 6, 29), 6, D("0.5")),
        # 1 January to 30 June: exactly six months counts as a year: N = 1.
        (dt.date(2025, 1, 1), dt.date(2025, 6, 30), 6, D("1")),
        # 1 October 2024 to 30 June 2025: nine months: N = 1.
        (dt.date(2024, 10, 1), dt.date(2025, 6, 30), 9, D("1")),
        # 1 July 2024 to 29 June 2025: 11 months 29 days: N = 1.
        (dt.date(2024, 7, 1), dt.date(2025, 6, 29), 12, D("1")),
    ],
)
def test_service_of_six_to_twelve_months_is_one_month(
    hire: dt.date, last_day: dt.date, count: int, expected_n: D
) -> None:
    # Average 8,000 over the months worked; N x 8,000.
    wages = months_ending(last_day.year, last_day.month, count, "8000")
    comp = economic_compensation(leaver(hire, last_day, LegalReason.MUTUAL_BY_EMPLOYER, wages))
    assert comp.months_counted == expected_n
    assert comp.amount == (expected_n * D("8000")).quantize(D("0.01"))


def test_three_years_seven_months_is_four_months() -> None:
    # 1 December 2021 to 30 June 2025: 3 years 7 months; the remainder of 7 months (six or more) counts
    # as a year: N = 4. Average of the last 12 months 15,000 (under the cap 36,921); 4 x 15,000 = 60,000.00.
    result = final_pay(
        leaver(dt.date(2021, 12, 1), dt.date(2025, 6, 30), LegalReason.REDUNDANCY, months_ending(2025, 6, 12, "15000"))
    )
    comp = result.compensation
    assert (comp.service.full_years, comp.service.remainder_months, comp.service.days) == (3, 7, 0)
    assert comp.months_counted == D("4")
    assert result.line(COMPENSATION).amount == D("60000.00")
    explain = result.line(COMPENSATION).explain
    assert explain["cap"] == "none"
    assert explain["months_used"] == D("4")
    assert explain["articles"] == "LCL 41, 46(4), 47"


def test_three_years_and_a_few_days_adds_half_a_month() -> None:
    # 1 June 2022 to 10 June 2025: 3 years and 10 days: a remainder under six months counts 0.5: N = 3.5.
    # 3.5 x 12,000 = 42,000.00.
    comp = economic_compensation(
        leaver(
            dt.date(2022, 6, 1),
            dt.date(2025, 6, 10),
            LegalReason.EMPLOYEE_FOR_EMPLOYER_FAULT,
            months_ending(2025, 6, 12, "12000"),
        )
    )
    assert (comp.service.full_years, comp.service.remainder_months, comp.service.days) == (3, 0, 10)
    assert comp.months_counted == D("3.5")
    assert comp.amount == D("42000.00")


# --- The caps of art. 47 --------------------------------------------------------------------------


def test_high_earner_capped_at_twelve_years_of_three_times_the_city_average() -> None:
    # 1 March 2010 to 31 May 2025: 15 years 3 months: N = 15.5. Average 60,000 > 3 x 12,307 = 36,921,
    # so the wage is 36,921 and the years at most 12 (LCL art. 47 para. 2): 12 x 36,921 = 443,052.00.
    result = final_pay(
        leaver(dt.date(2010, 3, 1), dt.date(2025, 5, 31), LegalReason.REDUNDANCY, months_ending(2025, 5, 12, "60000"))
    )
    comp = result.compensation
    assert comp.months_counted == D("15.5")
    assert comp.wage_cap == D("36921")
    assert comp.cap is Cap.WAGE_AND_YEARS
    assert (comp.monthly_wage_used, comp.months_used) == (D("36921"), D("12"))
    line = result.line(COMPENSATION)
    assert line.amount == D("443052.00")
    assert line.explain["cap"] == "wage_and_years"
    assert line.explain["average_monthly_wage"] == D("60000.00")
    assert line.explain["wage_cap"] == D("36921")


def test_capped_wage_with_under_twelve_years_keeps_the_years() -> None:
    # 1 January 2020 to 31 May 2025: 5 years 5 months: N = 5.5. Wage capped at 36,921; years under 12
    # stay: 5.5 x 36,921 = 203,065.50.
    comp = economic_compensation(
        leaver(dt.date(2020, 1, 1), dt.date(2025, 5, 31), LegalReason.REDUNDANCY, months_ending(2025, 5, 12, "50000"))
    )
    assert comp.cap is Cap.WAGE
    assert comp.months_used == D("5.5")
    assert comp.amount == D("203065.50")


def test_long_service_below_the_wage_cap_is_not_cut_to_twelve_years() -> None:
    # 1 January 2008 to 30 June 2025: 17 years 6 months: N = 18. Average 20,000 <= 36,921: no cap at all
    # (the 12-year limit only goes with the wage cap): 18 x 20,000 = 360,000.00.
    comp = economic_compensation(
        leaver(dt.date(2008, 1, 1), dt.date(2025, 6, 30), LegalReason.REDUNDANCY, months_ending(2025, 6, 12, "20000"))
    )
    assert comp.cap is Cap.NONE
    assert comp.months_used == D("18")
    assert comp.amount == D("360000.00")


def test_wage_exactly_at_the_cap_is_not_capped() -> None:
    # Average 36,921 = 3 x 12,307: "higher than three times" is not met. 14 years (2011-07-01 to
    # 2025-06-30) x 36,921 = 516,894.00, not cut to 12 years.
    comp = economic_compensation(
        leaver(dt.date(2011, 7, 1), dt.date(2025, 6, 30), LegalReason.REDUNDANCY, months_ending(2025, 6, 12, "36921"))
    )
    assert comp.cap is Cap.NONE
    assert comp.amount == D("516894.00")


def test_average_below_the_minimum_wage_is_raised_to_it() -> None:
    # R art. 27: an average of 2,000 below Shanghai's minimum wage 2,690 counts as 2,690.
    # 1 July 2023 to 30 June 2025: 2 years: 2 x 2,690 = 5,380.00.
    comp = economic_compensation(
        leaver(
            dt.date(2023, 7, 1),
            dt.date(2025, 6, 30),
            LegalReason.REDUNDANCY,
            months_ending(2025, 6, 12, "2000"),
            minimum_wage=D("2690"),
        )
    )
    assert comp.minimum_wage_applied
    assert comp.amount == D("5380.00")


def test_the_city_average_comes_from_the_policy_data() -> None:
    # Shanghai's figure for a termination on 31 May 2025 (contribution year 2024-07-01 to 2025-06-30).
    figure = load_policies().average_monthly_wage_for("shanghai", dt.date(2025, 5, 31))
    assert figure.amount == SHANGHAI_AVERAGE


# --- N+1, 2N, nothing -----------------------------------------------------------------------------


def test_n_plus_one_adds_the_previous_months_wage() -> None:
    # LCL art. 40 without notice. 1 March 2022 to 30 April 2025: 3 years 2 months: N = 3.5.
    # Last 12 months May 2024 - April 2025 at 12,000, but March 2025 at 13,200:
    # average (11 x 12,000 + 13,200) / 12 = 145,200 / 12 = 12,100; 3.5 x 12,100 = 42,350.00.
    # In lieu of notice, the previous month's (March) wage (R art. 20): 13,200.00. Total 55,550.00.
    wages = months_ending(2025, 4, 12, "12000")
    wages[-2] = MonthWage(dt.date(2025, 3, 1), D("13200"), D("0"))
    result = final_pay(leaver(dt.date(2022, 3, 1), dt.date(2025, 4, 30), LegalReason.NO_FAULT_IN_LIEU_OF_NOTICE, wages))
    assert result.compensation.method is CompensationFormula.N_PLUS_1
    assert result.line(COMPENSATION).amount == D("42350.00")
    assert result.line(NOTICE_PAY).amount == D("13200.00")
    assert result.line(NOTICE_PAY).explain["from_monthly_wages"] is True
    assert result.total == D("55550.00")
    assert result.line(TOTAL).amount == D("55550.00")
    assert result.line(TOTAL).kind is LineKind.TOTAL


def test_severance_and_wages_are_told_apart() -> None:
    # The compensation 42,350 and the notice pay 13,200 (as in the test above) are the one-off
    # compensation for the end of employment, 55,550; 2 unused days are wages:
    # average without overtime 12,100 / 21.75 x 2 x 2 = 2,225.2873... -> 2,225.29. Total 57,775.29.
    wages = months_ending(2025, 4, 12, "12000")
    wages[-2] = MonthWage(dt.date(2025, 3, 1), D("13200"), D("0"))
    result = final_pay(
        leaver(
            dt.date(2022, 3, 1),
            dt.date(2025, 4, 30),
            LegalReason.NO_FAULT_IN_LIEU_OF_NOTICE,
            wages,
            unused_leave_days=D("2"),
        )
    )
    assert SEVERANCE_CODES == (COMPENSATION, DAMAGES, NOTICE_PAY)
    assert result.severance == D("55550.00")
    assert result.wages == D("2225.29")
    assert result.total == D("57775.29")


def test_n_plus_one_extra_month_is_not_capped() -> None:
    # 1 June 2020 to 31 May 2025: 5 years: N = 5, wage capped: 5 x 36,921 = 184,605.00. The month in lieu
    # of notice is the previous month's wage as it is, 60,000.00 (the art. 47 cap does not reach it).
    # Total 244,605.00.
    result = final_pay(
        leaver(
            dt.date(2020, 6, 1),
            dt.date(2025, 5, 31),
            LegalReason.NO_FAULT_IN_LIEU_OF_NOTICE,
            months_ending(2025, 5, 12, "60000"),
        )
    )
    assert result.line(COMPENSATION).amount == D("184605.00")
    assert result.line(COMPENSATION).explain["cap"] == "wage"
    assert result.line(NOTICE_PAY).amount == D("60000.00")
    assert result.total == D("244605.00")


def test_n_plus_one_with_the_previous_month_given() -> None:
    # The previous month's wage passed explicitly, 11,000, wins over the monthly wages.
    # 1 May 2024 to 30 April 2025: 1 year: 1 x 12,000 + 11,000 = 23,000.00.
    result = final_pay(
        leaver(
            dt.date(2024, 5, 1),
            dt.date(2025, 4, 30),
            LegalReason.NO_FAULT_IN_LIEU_OF_NOTICE,
            months_ending(2025, 4, 12, "12000"),
            previous_month_wage=D("11000"),
        )
    )
    assert result.line(NOTICE_PAY).amount == D("11000.00")
    assert result.total == D("23000.00")


def test_n_plus_one_without_the_previous_month_is_refused() -> None:
    # Hired 1 April, left 30 April: no March wage to pay in lieu of notice from.
    with pytest.raises(InvalidInput) as caught:
        final_pay(
            leaver(
                dt.date(2025, 4, 1),
                dt.date(2025, 4, 30),
                LegalReason.NO_FAULT_IN_LIEU_OF_NOTICE,
                months_ending(2025, 4, 1, "9000"),
            )
        )
    assert "previous_month_wage" in caught.value.errors


def test_unlawful_termination_pays_twice_the_standard() -> None:
    # LCL art. 87: twice the art. 47 standard. 1 March 2022 to 30 April 2025: N = 3.5;
    # 3.5 x 12,000 = 42,000; x 2 = 84,000.00, on a damages line (R art. 25: instead of compensation).
    result = final_pay(
        leaver(dt.date(2022, 3, 1), dt.date(2025, 4, 30), LegalReason.UNLAWFUL, months_ending(2025, 4, 12, "12000"))
    )
    assert result.compensation.method is CompensationFormula.TWO_N
    assert result.line(DAMAGES).amount == D("84000.00")
    assert result.line(DAMAGES).explain["multiplier"] == D("2")
    assert [line.code for line in result.lines] == [DAMAGES, TOTAL]
    assert result.total == D("84000.00")


def test_unlawful_termination_of_a_capped_high_earner() -> None:
    # 1 March 2010 to 31 May 2025: N = 15.5 -> capped 12 x 36,921 = 443,052; x 2 = 886,104.00.
    result = final_pay(
        leaver(dt.date(2010, 3, 1), dt.date(2025, 5, 31), LegalReason.UNLAWFUL, months_ending(2025, 5, 12, "60000"))
    )
    assert result.total == D("886104.00")


@pytest.mark.parametrize(
    "reason",
    [
        LegalReason.EMPLOYEE_RESIGNATION,  # LCL art. 37
        LegalReason.DISMISSAL_FOR_CAUSE,  # LCL art. 39
        LegalReason.MUTUAL_BY_EMPLOYEE,  # LCL art. 36, proposed by the employee
        LegalReason.PENSION_STARTED,  # LCL art. 44(2)
    ],
)
def test_no_compensation(reason: LegalReason) -> None:
    result = final_pay(leaver(dt.date(2020, 1, 1), dt.date(2025, 6, 30), reason, months_ending(2025, 6, 12, "15000")))
    line = result.line(COMPENSATION)
    assert line.amount == D("0")
    assert not line.shown_on_payslip  # on the review, not on the payslip
    assert line.explain["method"] == "none"
    assert result.total == D("0")


def test_resignation_still_pays_unused_leave() -> None:
    # LCL art. 37: no compensation; 2 unused days: 15,000 / 21.75 x 2 x 2 = 2,758.6206... -> 2,758.62.
    result = final_pay(
        leaver(
            dt.date(2020, 1, 1),
            dt.date(2025, 6, 30),
            LegalReason.EMPLOYEE_RESIGNATION,
            months_ending(2025, 6, 12, "15000"),
            unused_leave_days=D("2"),
        )
    )
    assert result.line(ANNUAL_LEAVE).amount == D("2758.62")
    assert result.total == D("2758.62")


def test_fixed_term_expiry_pays_n() -> None:
    # LCL art. 44(1), 46(5): the employer did not renew. 1 July 2022 to 30 June 2025: 3 years;
    # 3 x 10,000 = 30,000.00.
    result = final_pay(
        leaver(
            dt.date(2022, 7, 1),
            dt.date(2025, 6, 30),
            LegalReason.FIXED_TERM_EXPIRY,
            months_ending(2025, 6, 12, "10000"),
        )
    )
    assert result.total == D("30000.00")
    assert result.line(COMPENSATION).explain["renewal_refused"] is False


def test_fixed_term_expiry_with_renewal_refused_pays_nothing() -> None:
    # LCL art. 46(5): the employer offered renewal on the same or better terms and the employee refused.
    result = final_pay(
        leaver(
            dt.date(2022, 7, 1),
            dt.date(2025, 6, 30),
            LegalReason.FIXED_TERM_EXPIRY,
            months_ending(2025, 6, 12, "10000"),
            renewal_refused=True,
        )
    )
    assert result.compensation.method is CompensationFormula.NONE
    assert result.total == D("0")
    assert result.line(COMPENSATION).explain["renewal_refused"] is True


def test_every_reason_has_a_method() -> None:
    assert set(METHOD_BY_REASON) == set(LegalReason)
    expected = {
        LegalReason.MUTUAL_BY_EMPLOYER: CompensationFormula.N,  # art. 46(2)
        LegalReason.EMPLOYEE_FOR_EMPLOYER_FAULT: CompensationFormula.N,  # art. 46(1)
        LegalReason.NO_FAULT_WITH_NOTICE: CompensationFormula.N,  # art. 46(3)
        LegalReason.NO_FAULT_IN_LIEU_OF_NOTICE: CompensationFormula.N_PLUS_1,  # art. 40, R art. 20
        LegalReason.REDUNDANCY: CompensationFormula.N,  # art. 46(4)
        LegalReason.TASK_COMPLETED: CompensationFormula.N,  # R art. 22
        LegalReason.EMPLOYER_CLOSURE: CompensationFormula.N,  # art. 44(4)(5), 46(6)
        LegalReason.UNLAWFUL: CompensationFormula.TWO_N,  # art. 87
        LegalReason.EMPLOYEE_RESIGNATION: CompensationFormula.NONE,
        LegalReason.DISMISSAL_FOR_CAUSE: CompensationFormula.NONE,
    }
    for reason, method in expected.items():
        assert compensation_method(reason) is method, reason
    assert compensation_method(LegalReason.FIXED_TERM_EXPIRY, renewal_refused=True) is CompensationFormula.NONE


def test_no_fault_with_notice_pays_n_without_an_extra_month() -> None:
    # LCL art. 40 with 30 days' written notice: N only. 1 July 2022 to 30 June 2025: 3 years;
    # 3 x 10,000 = 30,000.00 and no line in lieu of notice.
    result = final_pay(
        leaver(
            dt.date(2022, 7, 1),
            dt.date(2025, 6, 30),
            LegalReason.NO_FAULT_WITH_NOTICE,
            months_ending(2025, 6, 12, "10000"),
        )
    )
    assert result.compensation.notice_pay == D("0.00")
    assert [line.code for line in result.lines] == [COMPENSATION, TOTAL]
    assert result.total == D("30000.00")


def test_a_reason_that_pays_nothing_still_shows_the_standard() -> None:
    # LCL art. 39: the standard would be 3 x 10,000 = 30,000.00 (1 July 2022 to 30 June 2025), shown on the
    # review so the payroll role sees what the reason takes away; the multiplier 0 pays none of it.
    result = final_pay(
        leaver(
            dt.date(2022, 7, 1),
            dt.date(2025, 6, 30),
            LegalReason.DISMISSAL_FOR_CAUSE,
            months_ending(2025, 6, 12, "10000"),
        )
    )
    explain = result.line(COMPENSATION).explain
    assert (explain["standard"], explain["multiplier"]) == (D("30000.00"), D("0"))
    assert result.compensation.amount == D("0.00")


def test_the_average_is_rounded_to_the_fen_before_it_is_multiplied() -> None:
    # 1 January to 31 March 2025: N = 0.5. Average (10,000 + 10,000 + 10,001) / 3 = 10,000.3333... -> 10,000.33
    # (round_average_wage); 0.5 x 10,000.33 = 5,000.165 -> 5,000.17 (half up, to the fen).
    wages = months_ending(2025, 2, 2, "10000") + months_ending(2025, 3, 1, "10001")
    comp = economic_compensation(leaver(dt.date(2025, 1, 1), dt.date(2025, 3, 31), LegalReason.REDUNDANCY, wages))
    assert comp.average_monthly_wage == D("10000.33")
    assert comp.amount == D("5000.17")


# --- Service before 2008 (LCL art. 97) ------------------------------------------------------------


def test_compensation_counts_from_2008_and_flags_earlier_service() -> None:
    # Hired 1 July 2005, left 30 June 2025. Compensation counts from 1 January 2008 (LCL art. 97):
    # 17 years 6 months: N = 18; 18 x 10,000 = 180,000.00, with a note for the years before.
    result = final_pay(
        leaver(dt.date(2005, 7, 1), dt.date(2025, 6, 30), LegalReason.REDUNDANCY, months_ending(2025, 6, 12, "10000"))
    )
    comp = result.compensation
    assert comp.counted_from == dt.date(2008, 1, 1)
    assert comp.months_counted == D("18")
    assert result.total == D("180000.00")
    assert comp.service_before_2008_excluded
    assert result.notes == (Note.SERVICE_BEFORE_2008,)
    assert "2008" in result.note_messages()[0]
    assert result.line(COMPENSATION).explain["counted_from"] == "2008-01-01"


def test_damages_count_from_the_first_day_even_before_2008() -> None:
    # R art. 25: damages count the years from the first day of employment. 1 July 2005 to 30 June 2025:
    # 20 years: 20 x 10,000 x 2 = 400,000.00, and nothing to review.
    result = final_pay(
        leaver(dt.date(2005, 7, 1), dt.date(2025, 6, 30), LegalReason.UNLAWFUL, months_ending(2025, 6, 12, "10000"))
    )
    assert result.compensation.counted_from == dt.date(2005, 7, 1)
    assert result.total == D("400000.00")
    assert result.notes == ()


def test_no_note_when_no_compensation_is_owed() -> None:
    result = final_pay(
        leaver(
            dt.date(2005, 7, 1),
            dt.date(2025, 6, 30),
            LegalReason.EMPLOYEE_RESIGNATION,
            months_ending(2025, 6, 12, "10000"),
        )
    )
    assert result.notes == ()


# --- Unused annual leave --------------------------------------------------------------------------


def test_unused_leave_at_two_hundred_percent_extra_without_overtime() -> None:
    # Last 12 months July 2024 - June 2025: base 8,700 every month; six of them also 1,450 overtime
    # (wage 10,150). ALM art. 11: the daily wage leaves overtime out: 8,700 / 21.75 = 400.
    # ALM art. 10: 300 % including the normal wage already paid, so 200 % extra: 3 days x 400 x 2 = 2,400.00.
    # The compensation's average includes overtime (R art. 27): (6 x 8,700 + 6 x 10,150) / 12 =
    # 113,100 / 12 = 9,425; 1 January 2023 to 30 June 2025: 2 years 6 months: N = 3; 3 x 9,425 = 28,275.00.
    # Total 30,675.00.
    wages = [
        MonthWage(m.month, D("10150") if i % 2 else D("8700"), D("1450") if i % 2 else D("0"))
        for i, m in enumerate(months_ending(2025, 6, 12, "0"))
    ]
    result = final_pay(
        leaver(dt.date(2023, 1, 1), dt.date(2025, 6, 30), LegalReason.REDUNDANCY, wages, unused_leave_days=D("3"))
    )
    assert result.leave.average_monthly_wage == D("8700.00")
    assert result.leave.daily_wage == D("400")
    leave = result.line(ANNUAL_LEAVE)
    assert leave.amount == D("2400.00")
    assert leave.kind is LineKind.EARNING
    assert leave.explain["multiplier"] == D("2")
    assert leave.explain["average_monthly_wage_without_overtime"] == D("8700.00")
    assert result.compensation.average_monthly_wage == D("9425.00")
    assert result.line(COMPENSATION).amount == D("28275.00")
    assert result.total == D("30675.00")
    assert [line.code for line in result.lines] == [COMPENSATION, ANNUAL_LEAVE, TOTAL]


def test_no_leave_line_without_unused_days() -> None:
    result = final_pay(
        leaver(dt.date(2023, 1, 1), dt.date(2025, 6, 30), LegalReason.REDUNDANCY, months_ending(2025, 6, 12, "8700"))
    )
    with pytest.raises(KeyError):
        result.line(ANNUAL_LEAVE)


def test_unused_leave_pay_alone() -> None:
    # 10,000 / 21.75 = 459.770114...; 5 days x 2: 4,597.70114... -> 4,597.70.
    pay = unused_leave_pay(
        leaver(
            dt.date(2020, 1, 1),
            dt.date(2025, 6, 30),
            LegalReason.EMPLOYEE_RESIGNATION,
            months_ending(2025, 6, 12, "10000"),
            unused_leave_days=D("5"),
        )
    )
    assert pay.amount == D("4597.70")


def test_unused_leave_pay_over_an_uneven_year() -> None:
    # Six months at 10,000 and six at 12,000: 132,000 / 12 = 11,000; / 21.75 = 505.747126...;
    # x 2 x 3 days = 3,034.4827... -> 3,034.48.
    wages = months_ending(2024, 12, 6, "10000") + months_ending(2025, 6, 6, "12000")
    pay = unused_leave_pay(
        leaver(
            dt.date(2020, 1, 1),
            dt.date(2025, 6, 30),
            LegalReason.EMPLOYEE_RESIGNATION,
            wages,
            unused_leave_days=D("3"),
        )
    )
    assert pay.average_monthly_wage == D("11000.00")
    assert pay.amount == D("3034.48")


def test_fewer_than_twelve_months_are_averaged_over_the_months_worked() -> None:
    # 1 November 2024 to 30 June 2025: 8 months worked (R art. 27, ALM art. 11: average over the months
    # worked). Nov-Feb 9,000, Mar-Jun 11,000 (of which 1,000 overtime each):
    # compensation average (4 x 9,000 + 4 x 11,000) / 8 = 80,000 / 8 = 10,000; N = 1 (eight months): 10,000.00.
    # leave average without overtime (4 x 9,000 + 4 x 10,000) / 8 = 76,000 / 8 = 9,500; daily 9,500 / 21.75
    # = 436.7816...; 2 days x 2 = 1,747.1264... -> 1,747.13. Total 11,747.13.
    wages = months_ending(2025, 2, 4, "9000") + months_ending(2025, 6, 4, "11000", "1000")
    result = final_pay(
        leaver(dt.date(2024, 11, 1), dt.date(2025, 6, 30), LegalReason.REDUNDANCY, wages, unused_leave_days=D("2"))
    )
    assert result.compensation.months_averaged == 8
    assert result.compensation.average_monthly_wage == D("10000.00")
    assert result.line(COMPENSATION).amount == D("10000.00")
    assert result.leave.average_monthly_wage == D("9500.00")
    assert result.line(ANNUAL_LEAVE).amount == D("1747.13")
    assert result.total == D("11747.13")


def test_plain_tuples_are_accepted_as_months() -> None:
    # (month, wage, overtime) tuples; 1 January to 31 March 2025: N = 0.5 x 6,000 = 3,000.00.
    inp = FinalPayInput(
        hire_date=dt.date(2025, 1, 1),
        termination_date=dt.date(2025, 3, 31),
        reason=LegalReason.REDUNDANCY,
        monthly_wages=tuple((dt.date(2025, m, 1), D("6000"), D("0")) for m in (1, 2, 3)),  # type: ignore[arg-type]
        city_average_monthly_wage=SHANGHAI_AVERAGE,
    )
    assert isinstance(inp.monthly_wages[0], MonthWage)
    assert final_pay(inp).total == D("3000.00")


# --- A leaver's leave days (ALM art. 12) ----------------------------------------------------------


@pytest.mark.parametrize(
    ("hire", "last_day", "entitlement", "taken", "worked", "unused"),
    [
        # 1 January - 30 June 2025: 181 days; 181 / 365 x 10 = 4.9589...; - 2 taken = 2.9589 -> 2.
        (dt.date(2015, 3, 1), dt.date(2025, 6, 30), "10", "2", 181, "2"),
        # Nothing taken: 4.9589 -> 4 (the part of a day is not paid).
        (dt.date(2015, 3, 1), dt.date(2025, 6, 30), "10", "0", 181, "4"),
        # Half a day taken: 4.9589 - 0.5 = 4.4589 -> 4 (the part of a day is dropped after subtracting).
        (dt.date(2015, 3, 1), dt.date(2025, 6, 30), "10", "0.5", 181, "4"),
        # More taken than the prorated share: 0, the extra is not clawed back.
        (dt.date(2015, 3, 1), dt.date(2025, 6, 30), "10", "6", 181, "0"),
        # Hired this year, 1 March - 31 August 2025: 184 days; 184 / 365 x 15 = 7.5616... -> 7.
        (dt.date(2025, 3, 1), dt.date(2025, 8, 31), "15", "0", 184, "7"),
        # A leap year, the whole of 2024: 366 days, divided by 365 as the text says: 5.0136... -> 5.
        (dt.date(2020, 1, 1), dt.date(2024, 12, 31), "5", "0", 366, "5"),
    ],
)
def test_leaver_unused_leave_days(
    hire: dt.date, last_day: dt.date, entitlement: str, taken: str, worked: int, unused: str
) -> None:
    leave = leaver_unused_leave_days(
        hire_date=hire, termination_date=last_day, annual_entitlement_days=D(entitlement), days_taken=D(taken)
    )
    assert leave.days_worked_this_year == worked
    assert leave.unused_days == D(unused)


def test_leaver_unused_leave_days_refuses_bad_figures() -> None:
    with pytest.raises(InvalidInput) as caught:
        leaver_unused_leave_days(
            hire_date=dt.date(2025, 7, 1),
            termination_date=dt.date(2025, 6, 30),
            annual_entitlement_days=D("-5"),
            days_taken=D("-1"),
        )
    assert set(caught.value.errors) == {"termination_date", "annual_entitlement_days", "days_taken"}


# --- Bad input ------------------------------------------------------------------------------------


def test_termination_before_hire_is_refused() -> None:
    with pytest.raises(InvalidInput) as caught:
        final_pay(
            leaver(dt.date(2025, 7, 1), dt.date(2025, 6, 30), LegalReason.REDUNDANCY, months_ending(2025, 6, 1, "9000"))
        )
    assert "termination_date" in caught.value.errors


def test_negative_figures_are_refused_all_at_once() -> None:
    wages = months_ending(2025, 6, 12, "9000")
    wages[0] = MonthWage(wages[0].month, D("-1"), D("0"))
    wages[1] = MonthWage(wages[1].month, D("9000"), D("-5"))
    wages[2] = MonthWage(wages[2].month, D("9000"), D("9500"))  # overtime is part of the wage
    inp = leaver(
        dt.date(2020, 1, 1),
        dt.date(2025, 6, 30),
        LegalReason.REDUNDANCY,
        wages,
        unused_leave_days=D("-1"),
        minimum_wage=D("-2690"),
    )
    with pytest.raises(InvalidInput) as caught:
        final_pay(inp)
    errors = caught.value.errors
    assert set(errors) == {"monthly_wages", "unused_leave_days", "minimum_wage"}
    assert len(errors["monthly_wages"]) == 3
    assert "2024-07" in errors["monthly_wages"][0]


def test_months_outside_the_window_or_repeated_are_refused() -> None:
    wages = [
        MonthWage(dt.date(2025, 7, 1), D("9000")),  # after the last day
        MonthWage(dt.date(2024, 5, 1), D("9000")),  # more than 12 months before June 2025
        MonthWage(dt.date(2025, 5, 1), D("9000")),
        MonthWage(dt.date(2025, 5, 1), D("9000")),  # twice
    ]
    errors = validate_final_pay_input(leaver(dt.date(2025, 1, 1), dt.date(2025, 6, 30), LegalReason.REDUNDANCY, wages))
    messages = " ".join(errors["monthly_wages"])
    assert "2025-07" in messages
    assert "2024-05" in messages
    assert "twice" in messages


def test_a_month_before_the_hire_date_is_refused() -> None:
    errors = validate_final_pay_input(
        leaver(dt.date(2025, 3, 1), dt.date(2025, 6, 30), LegalReason.REDUNDANCY, months_ending(2025, 6, 5, "9000"))
    )
    assert "2025-02" in errors["monthly_wages"][0]


def test_too_many_or_too_few_months_are_refused() -> None:
    # Thirteen months is one too many; a person employed for years needs the full twelve (R art. 27).
    too_many = validate_final_pay_input(
        leaver(dt.date(2020, 1, 1), dt.date(2025, 6, 30), LegalReason.REDUNDANCY, months_ending(2025, 6, 13, "9000"))
    )
    assert "monthly_wages" in too_many
    too_few = validate_final_pay_input(
        leaver(dt.date(2020, 1, 1), dt.date(2025, 6, 30), LegalReason.REDUNDANCY, months_ending(2025, 6, 6, "9000"))
    )
    assert "monthly_wages" in too_few
    none = validate_final_pay_input(leaver(dt.date(2020, 1, 1), dt.date(2025, 6, 30), LegalReason.REDUNDANCY, []))
    assert "monthly_wages" in none


def test_twelve_months_ending_the_month_before_are_accepted() -> None:
    # The last day is 10 June 2025; the 12 full months June 2024 - May 2025 are a valid choice.
    assert not validate_final_pay_input(
        leaver(dt.date(2020, 1, 1), dt.date(2025, 6, 10), LegalReason.REDUNDANCY, months_ending(2025, 5, 12, "9000"))
    )


def test_renewal_refused_only_for_a_fixed_term_expiry() -> None:
    with pytest.raises(InvalidInput) as caught:
        final_pay(
            leaver(
                dt.date(2022, 7, 1),
                dt.date(2025, 6, 30),
                LegalReason.REDUNDANCY,
                months_ending(2025, 6, 12, "10000"),
                renewal_refused=True,
            )
        )
    assert "renewal_refused" in caught.value.errors


def test_city_average_must_be_positive() -> None:
    inp = FinalPayInput(
        hire_date=dt.date(2022, 7, 1),
        termination_date=dt.date(2025, 6, 30),
        reason=LegalReason.REDUNDANCY,
        monthly_wages=tuple(months_ending(2025, 6, 12, "10000")),
        city_average_monthly_wage=D("0"),
    )
    assert "city_average_monthly_wage" in validate_final_pay_input(inp)


def test_termination_before_the_labour_contract_law_is_refused() -> None:
    # LCL art. 97, 98: the law is in force from 1 January 2008; an earlier end follows the old rules.
    errors = validate_final_pay_input(
        leaver(dt.date(2000, 1, 1), dt.date(2007, 12, 31), LegalReason.REDUNDANCY, months_ending(2007, 12, 12, "5000"))
    )
    assert "termination_date" in errors


def test_months_not_given_as_triples_are_refused() -> None:
    with pytest.raises(InvalidInput) as caught:
        FinalPayInput(
            hire_date=dt.date(2025, 1, 1),
            termination_date=dt.date(2025, 3, 31),
            reason=LegalReason.REDUNDANCY,
            monthly_wages=((dt.date(2025, 1, 1),),),  # type: ignore[arg-type]
            city_average_monthly_wage=SHANGHAI_AVERAGE,
        )
    assert "monthly_wages" in caught.value.errors


def test_other_bad_fields_are_refused() -> None:
    # A reason that is not a legal reason, a negative previous month's wage, a month without its date,
    # and a month more than twelve months before the end for someone hired long before.
    wages = months_ending(2025, 6, 11, "9000") + [MonthWage(dt.date(2024, 5, 1), D("9000"))]
    inp = leaver(
        dt.date(2020, 1, 1),
        dt.date(2025, 6, 30),
        "redundancy",  # type: ignore[arg-type]
        wages,
        previous_month_wage=D("-1"),
    )
    errors = validate_final_pay_input(inp)
    assert set(errors) == {"reason", "previous_month_wage", "monthly_wages"}
    assert "2024-05" in errors["monthly_wages"][0]
    no_date = validate_final_pay_input(
        leaver(dt.date(2020, 1, 1), dt.date(2025, 6, 30), LegalReason.REDUNDANCY, [MonthWage("2025-06", D("1"))])  # type: ignore[arg-type]
    )
    assert "monthly_wages" in no_date


def test_dates_must_be_dates() -> None:
    errors = validate_final_pay_input(
        leaver("2020-01-01", dt.date(2025, 6, 30), LegalReason.REDUNDANCY, months_ending(2025, 6, 12, "9000"))  # type: ignore[arg-type]
    )
    assert "termination_date" in errors


def test_the_leave_line_explains_its_daily_wage() -> None:
    # 15,000 / 21.75 = 689.6551...; shown to four places, the amount from the unrounded figure:
    # 689.655172... x 2 x 2 = 2,758.62.
    result = final_pay(
        leaver(
            dt.date(2020, 1, 1),
            dt.date(2025, 6, 30),
            LegalReason.EMPLOYEE_RESIGNATION,
            months_ending(2025, 6, 12, "15000"),
            unused_leave_days=D("2"),
        )
    )
    line = result.line(ANNUAL_LEAVE)
    assert line.explain["daily_wage"] == D("689.6552")
    assert line.explain["monthly_paid_days"] == D("21.75")
    assert line.amount == D("2758.62")


def test_money_as_a_float_is_refused() -> None:
    # Money is Decimal end to end: a float wage or leave figure is refused, not converted.
    wages = months_ending(2025, 6, 12, "9000")
    wages[0] = MonthWage(wages[0].month, 9000.0, D("0"))  # type: ignore[arg-type]
    errors = validate_final_pay_input(
        leaver(dt.date(2020, 1, 1), dt.date(2025, 6, 30), LegalReason.REDUNDANCY, wages, unused_leave_days=2.5)
    )
    assert errors["monthly_wages"] == ["2024-07: the wage is not an exact decimal amount."]
    assert errors["unused_leave_days"] == ["Not an exact decimal amount."]
