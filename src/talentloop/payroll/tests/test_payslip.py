"""One person's month (``payroll.rules.month``): every expected figure is worked out by hand in its comment.

Figures used throughout:

- Shanghai social insurance (``payroll/data/social_policies.json``): from 2025-07-01 the base is
  7,460 to 37,302 (housing fund floor 2,740), from 2024-07-01 7,384 to 36,921; employee pension 8 %,
  medical 2 %, unemployment 0.5 %, housing fund 7 % rounded to the yuan; employer pension 16 %,
  medical 10 %, unemployment 0.5 %, work injury 0.16 %, housing fund 7 %
  (上海市人力资源和社会保障局 annual base notices; sources per entry in the data file).
- Cumulative withholding (国家税务总局公告2018年第61号): 5,000 a month basic deduction, the annual table
  3 % to 36,000, then 10 % less 2,520 to 144,000 (个人所得税法, 财税〔2018〕164号 for the bonus table).
- 21.75 paid days a month and 8 hours a day (劳社部发〔2008〕3号), overtime 150/200/300 % (Labour Law art. 44).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from decimal import Decimal as D
from typing import Any

import pytest

from talentloop.payroll.formula import PAYROLL_VARIABLES, compile_formula
from talentloop.payroll.rules.iit import WithholdingInput, load_iit_rules, withhold_month
from talentloop.payroll.rules.iit_bonus import BonusMethod
from talentloop.payroll.rules.month import (
    BONUS_TAX,
    EMPLOYER_COST,
    GROSS,
    IIT,
    NET,
    SHORTFALL_BROUGHT_FORWARD,
    SICK_PAY_ADJUSTMENT,
    UNPAID_LEAVE,
    AnnualBonus,
    Attendance,
    ComponentKind,
    ComponentValue,
    Employment,
    Flag,
    LineKind,
    PersonMonthInput,
    PersonMonthRefusal,
    PersonMonthResult,
    SocialInsuranceInput,
    YearToDate,
    calculate_person_month,
    component_code,
    employee_contribution_code,
    employer_contribution_code,
    round_component_amount,
)
from talentloop.payroll.rules.social import Fund, load_policies
from talentloop.payroll.rules.wages import SickPayPolicy, SickPayTier

BOOK = load_policies()
SH_2024 = BOOK.policy_for("shanghai", dt.date(2024, 7, 1))
SH_2025 = BOOK.policy_for("shanghai", dt.date(2025, 7, 1))
IIT_BOOK = load_iit_rules()
PERFORMANCE = compile_formula("if(rating >= 4, base * 0.2, 0)", PAYROLL_VARIABLES)
SICK_POLICY = SickPayPolicy(
    tiers=(SickPayTier(min_years_of_service=D(0), percent=D("0.6")), SickPayTier(D(2), D("0.7")))
)


def earning(key: str, amount: D | str, **flags: Any) -> ComponentValue:
    return ComponentValue(key, key.title(), ComponentKind.EARNING, amount=D(amount), **flags)


def base(amount: D | str) -> ComponentValue:
    return earning("base", amount, in_wage_base=True)


def person(
    *components: ComponentValue,
    year: int = 2025,
    month: int = 1,
    wage: D | str | None = "21000",
    ytd: YearToDate | None = None,
    attendance: Attendance | None = None,
    employment: Employment | None = None,
    policy: Any = None,
    **extra: Any,
) -> PersonMonthInput:
    """A Shanghai person; January 2025 by default (policy from 2024-07-01)."""
    if policy is None:
        policy = SH_2025 if dt.date(year, month, 1) >= dt.date(2025, 7, 1) else SH_2024
    return PersonMonthInput(
        person_key="p1",
        year=year,
        month=month,
        components=components or (base("20000"), earning("transport", "1000")),
        attendance=attendance or Attendance(scheduled_days=D(22)),
        employment=employment or Employment(contract_wage=D(20000), minimum_wage=D(2740)),
        social=extra.pop("social", None) or SocialInsuranceInput(policy, wage=None if wage is None else D(wage)),
        ytd=ytd or YearToDate(year=year),
        iit_rules=IIT_BOOK.for_date(dt.date(year, month, 1)),
        **extra,
    )


def ok(inp: PersonMonthInput) -> PersonMonthResult:
    result = calculate_person_month(inp)
    assert isinstance(result, PersonMonthResult), result
    return result


def amount(result: PersonMonthResult, code: str) -> D:
    return result.line(code).amount


# --- A plain month --------------------------------------------------------------------------------


def test_plain_month_totals() -> None:
    # Base 20,000 + transport 1,000 = gross 21,000; base 21,000 (between 7,384 and 36,921).
    # Employee: pension 1,680.00 + medical 420.00 + unemployment 105.00 = 2,205.00; housing fund 1,470.
    # Taxable (January) 21,000 - 5,000 - 3,675 = 12,325 -> 3 % = 369.75.
    # Net 21,000 - 3,675 - 369.75 = 16,955.25.
    r = ok(person())
    t = r.totals
    assert (t.gross, t.employee_social_insurance, t.employee_housing_fund) == (
        D("21000.00"),
        D("2205.00"),
        D("1470.00"),
    )
    assert (t.taxable, t.iit, t.net, t.shortfall) == (D("21000.00"), D("369.75"), D("16955.25"), D("0.00"))
    assert r.flags == ()


def test_plain_month_employee_lines_per_fund() -> None:
    # 21,000 x 8 % = 1,680; x 2 % = 420; x 0.5 % = 105; housing fund x 7 % = 1,470 (to the yuan).
    r = ok(person())
    assert amount(r, employee_contribution_code(Fund.PENSION)) == D("-1680.00")
    assert amount(r, employee_contribution_code(Fund.MEDICAL)) == D("-420.00")
    assert amount(r, employee_contribution_code(Fund.UNEMPLOYMENT)) == D("-105.00")
    assert amount(r, employee_contribution_code(Fund.HOUSING_FUND)) == D("-1470.00")
    # The employee pays no work injury insurance: no line.
    with pytest.raises(KeyError):
        r.line(employee_contribution_code(Fund.WORK_INJURY))


def test_plain_month_employer_cost() -> None:
    # Employer: 3,360.00 + 2,100.00 + 105.00 + 21,000 x 0.16 % = 33.60 + housing fund 1,470.00 = 7,068.60.
    # Employer cost 21,000 + 7,068.60 = 28,068.60.
    r = ok(person())
    assert amount(r, employer_contribution_code(Fund.WORK_INJURY)) == D("33.60")
    assert r.totals.employer_social_insurance == D("7068.60")
    assert r.totals.employer_cost == amount(r, EMPLOYER_COST) == D("28068.60")
    assert not r.line(EMPLOYER_COST).shown_on_payslip


def test_tax_line_explains_the_cumulative_figures() -> None:
    # Cumulative taxable 12,325.00, tax 369.75 in bracket 1 (3 %, quick deduction 0), nothing withheld before.
    explain = ok(person()).line(IIT).explain
    assert explain["cumulative_taxable_income"] == D("12325.00")
    assert explain["cumulative_tax"] == D("369.75")
    assert (explain["bracket"], explain["rate"], explain["quick_deduction"]) == (1, D("0.03"), D("0"))
    assert explain["withheld_before"] == D("0")
    assert explain["ytd_basic_deduction"] == D("5000")


def test_social_insurance_line_explains_base_rate_rounding() -> None:
    explain = ok(person()).line(employee_contribution_code(Fund.HOUSING_FUND)).explain
    assert (explain["base"], explain["rate"], explain["rounding"]) == (D("21000"), D("0.07"), "HALF_UP_YUAN")
    assert explain["clamped"] is False


def test_lines_add_up_to_net_pay() -> None:
    # Every earning and deduction line shown to the person adds up to the net pay line.
    dorm = ComponentValue("dorm", "Dormitory", ComponentKind.DEDUCTION, amount=D(300))
    r = ok(
        person(
            earning("meal", "500", taxable=False),
            base("21750"),
            dorm,
            attendance=Attendance(D(22), unpaid_leave_days=D(1), overtime_hours_150=D(2)),
            bonus=AnnualBonus(D(10000)),
            shortfall_brought_forward=D(100),
        )
    )
    paid = sum((x.amount for x in r.lines if x.kind in (LineKind.EARNING, LineKind.DEDUCTION)), D(0))
    assert paid == amount(r, NET) == r.totals.net


def test_every_line_amount_has_two_places() -> None:
    r = ok(person(bonus=AnnualBonus(D(36000)), attendance=Attendance(D(22), unpaid_leave_days=D(1))))
    assert all(line.amount.as_tuple().exponent == -2 for line in r.lines), [
        (x.code, x.amount) for x in r.lines if x.amount.as_tuple().exponent != -2
    ]


def test_special_additional_and_other_deductions_reduce_the_tax() -> None:
    # 12,325 - 2,000 special additional - 200 other = 10,125 -> 3 % = 303.75.
    r = ok(person(special_additional_deductions=D(2000), other_deductions=D(200)))
    assert r.totals.iit == D("303.75")
    assert r.ytd.special_additional_deductions == D("2000.00")
    assert r.ytd.other_deductions == D("200.00")


# --- New hire, bases ------------------------------------------------------------------------------


def test_mid_year_hire_first_month() -> None:
    # Joined in July 2025; no earlier months. First month's wage for social insurance: base 9,000 (the
    # meal allowance is not in the SI base). Employee 720 + 180 + 45 + housing fund 630 = 1,575.
    # Taxable: 9,300 income - 300 exempt meal - 5,000 (one month employed) - 1,575 = 2,425 -> 72.75.
    # Net 9,300 - 1,575 - 72.75 = 7,652.25.
    r = ok(
        person(
            base("9000"),
            earning("meal", "300", taxable=False, in_si_base=False),
            year=2025,
            month=7,
            wage=None,
        )
    )
    assert r.line(employee_contribution_code(Fund.PENSION)).explain["base"] == D("9000.00")
    assert r.line(employee_contribution_code(Fund.PENSION)).explain["new_hire_first_month_wage"] is True
    assert (r.totals.employee_social_insurance + r.totals.employee_housing_fund) == D("1575.00")
    assert r.totals.iit == D("72.75")
    assert r.totals.net == D("7652.25")
    assert r.line(IIT).explain["ytd_basic_deduction"] == D("5000")
    assert (r.ytd.months_employed, r.ytd.income, r.ytd.exempt_income) == (1, D("9300.00"), D("300.00"))
    assert (r.ytd.social_insurance, r.ytd.tax_withheld) == (D("1575.00"), D("72.75"))


def test_first_wages_of_the_year_counts_from_january() -> None:
    # 国家税务总局公告2020年第13号: first wages in July -> basic deduction 5,000 x 7 = 35,000, so 9,300 - 300
    # - 35,000 - 1,575 < 0 and nothing is withheld.
    ytd = YearToDate(year=2025, first_wages_of_year=True)
    r = ok(person(base("9000"), earning("meal", "300", taxable=False), month=7, wage=None, ytd=ytd))
    assert r.line(IIT).explain["ytd_basic_deduction"] == D("35000")
    assert r.totals.iit == D("0.00")


def test_previous_year_low_income_rule() -> None:
    # 国家税务总局公告2020年第19号: 60,000 deducted from January; 21,000 - 60,000 - 3,675 < 0 -> no tax.
    r = ok(person(ytd=YearToDate(year=2025, previous_year_low_income=True)))
    assert r.line(IIT).explain["ytd_basic_deduction"] == D("60000")
    assert r.totals.iit == D("0.00")


def test_component_not_in_si_base_is_left_out_of_a_new_hires_base() -> None:
    # 8,000 base + 1,500 allowance not in the SI base -> base 8,000: pension 8,000 x 8 % = 640.00.
    r = ok(person(base("8000"), earning("housing", "1500", in_si_base=False), month=7, wage=None))
    assert amount(r, employee_contribution_code(Fund.PENSION)) == D("-640.00")


def test_si_flag_does_not_change_a_given_previous_year_wage() -> None:
    # With last year's average (21,000) given, the month's components do not set the base.
    r = ok(person(base("8000"), earning("housing", "1500", in_si_base=False)))
    assert r.line(employee_contribution_code(Fund.PENSION)).explain["base"] == D("21000")


def test_base_at_floor() -> None:
    # New hire at 6,000 (July 2025): SI base raised to 7,460; housing fund base 6,000 (floor 2,740).
    # Pension 7,460 x 8 % = 596.80, medical 149.20, unemployment 37.30; housing fund 6,000 x 7 % = 420.
    r = ok(person(base("6000"), month=7, wage=None))
    pension = r.line(employee_contribution_code(Fund.PENSION))
    assert (pension.amount, pension.explain["base"], pension.explain["clamped"]) == (D("-596.80"), D("7460"), True)
    assert amount(r, employee_contribution_code(Fund.MEDICAL)) == D("-149.20")
    assert amount(r, employee_contribution_code(Fund.UNEMPLOYMENT)) == D("-37.30")
    assert amount(r, employee_contribution_code(Fund.HOUSING_FUND)) == D("-420.00")
    assert r.totals.employee_social_insurance == D("783.30")


def test_base_at_ceiling() -> None:
    # Previous-year wage 50,000 (2025-07 policy): base 37,302. Pension 2,984.16, medical 746.04,
    # unemployment 186.51; housing fund 37,302 x 7 % = 2,611.14 -> 2,611 (to the yuan).
    # Employer: 5,968.32 + 3,730.20 + 186.51 + work injury 59.6832 -> 59.68 + 2,611 = 12,555.71.
    r = ok(person(base("50000"), month=7, wage="50000"))
    assert r.line(employee_contribution_code(Fund.PENSION)).explain["base"] == D("37302")
    assert r.totals.employee_social_insurance == D("3916.71")
    assert r.totals.employee_housing_fund == D("2611.00")
    assert r.totals.employer_social_insurance == D("12555.71")


def test_housing_fund_rate_choice() -> None:
    # The employer chose 5 % for both sides: 21,000 x 5 % = 1,050.
    social = SocialInsuranceInput(
        SH_2024,
        wage=D(21000),
        employee_rates={Fund.HOUSING_FUND: D("0.05")},
        employer_rates={Fund.HOUSING_FUND: D("0.05")},
    )
    r = ok(person(social=social))
    assert r.totals.employee_housing_fund == D("1050.00")
    assert amount(r, employer_contribution_code(Fund.HOUSING_FUND)) == D("1050.00")


def test_housing_fund_rate_outside_the_range_refuses_the_person() -> None:
    social = SocialInsuranceInput(SH_2024, wage=D(21000), employee_rates={Fund.HOUSING_FUND: D("0.13")})
    result = calculate_person_month(person(social=social))
    assert isinstance(result, PersonMonthRefusal)
    assert result.flag == Flag.INVALID_INPUT
    assert "0.13" in result.message


# --- Unpaid leave and sick leave ------------------------------------------------------------------


def test_unpaid_leave() -> None:
    # Wage base 21,750 -> daily wage 21,750 / 21.75 = 1,000; 2 days = 2,000. Gross 19,750.
    r = ok(person(base("21750"), attendance=Attendance(D(22), unpaid_leave_days=D(2))))
    assert amount(r, UNPAID_LEAVE) == D("-2000.00")
    assert r.line(UNPAID_LEAVE).explain["daily_wage"] == D(1000)
    assert r.totals.gross == D("19750.00")


def test_unpaid_leave_partial_day_rounds_to_the_fen() -> None:
    # 10,000 / 21.75 = 459.770114...; x 1.5 days = 689.655... -> 689.66 (half up).
    r = ok(person(base("10000"), attendance=Attendance(D(22), unpaid_leave_days=D("1.5"))))
    assert amount(r, UNPAID_LEAVE) == D("-689.66")


def test_month_of_only_unpaid_leave_never_below_zero() -> None:
    # 22 days x 1,000 = 22,000 but only 21,750 of wage base to deduct from: deduction 21,750, gross 0.
    # Social insurance is still due on last year's wage 21,750: 1,740 + 435 + 108.75 + housing fund
    # 1,522.50 -> 1,523 (to the yuan) = 3,806.75, so net pay is 0 and 3,806.75 is owed.
    r = ok(person(base("21750"), wage="21750", attendance=Attendance(D(22), unpaid_leave_days=D(22))))
    assert r.line(UNPAID_LEAVE).explain["capped"] is True
    assert amount(r, UNPAID_LEAVE) == D("-21750.00")
    assert (r.totals.gross, r.totals.iit, r.totals.net) == (D("0.00"), D("0.00"), D("0.00"))
    assert r.totals.shortfall == D("3806.75")
    assert r.has_flag(Flag.NET_PAY_SHORTFALL)


def test_unpaid_leave_does_not_touch_components_outside_the_wage_base() -> None:
    # Same month with a 500 allowance outside the wage base: the deduction stays 21,750, gross 500.
    r = ok(
        person(
            base("21750"), earning("meal", "500"), wage="21750", attendance=Attendance(D(22), unpaid_leave_days=D(22))
        )
    )
    assert r.totals.gross == D("500.00")


def test_sick_days_paid_at_the_policy_percentage() -> None:
    # One year of service -> 60 %: a month of sick pay 21,750 x 60 % = 13,050 (above the floor 2,740 x 80 %).
    # 5 days: normal pay 5 x 1,000 = 5,000; sick pay 13,050 / 21.75 x 5 = 3,000; adjustment 2,000.
    employment = Employment(contract_wage=D(21750), minimum_wage=D(2740), years_of_service=D(1))
    r = ok(
        person(
            base("21750"),
            employment=employment,
            attendance=Attendance(D(22), sick_days=D(5)),
            sick_pay_policy=SICK_POLICY,
        )
    )
    assert amount(r, SICK_PAY_ADJUSTMENT) == D("-2000.00")
    assert r.line(SICK_PAY_ADJUSTMENT).explain["floor_applied"] is False
    assert r.totals.gross == D("19750.00")


def test_sick_pay_floor() -> None:
    # Wage base 3,000, 60 % = 1,800 < floor 2,740 x 80 % = 2,192 (劳部发〔1995〕309号 art. 59).
    # Normal pay 3,000 / 21.75 x 5 = 689.655 -> 689.66; sick pay 2,192 / 21.75 x 5 = 503.908 -> 503.91.
    # Adjustment 689.66 - 503.91 = 185.75; gross 3,000 - 185.75 = 2,814.25.
    employment = Employment(contract_wage=D(3000), minimum_wage=D(2740), years_of_service=D(1))
    r = ok(
        person(
            base("3000"),
            employment=employment,
            attendance=Attendance(D(22), sick_days=D(5)),
            sick_pay_policy=SICK_POLICY,
        )
    )
    line = r.line(SICK_PAY_ADJUSTMENT)
    assert (line.amount, line.explain["floor_applied"], line.explain["month_sick_pay"]) == (
        D("-185.75"),
        True,
        D("2192.00"),
    )
    assert r.totals.gross == D("2814.25")


def test_sick_days_without_a_policy_are_paid_in_full() -> None:
    r = ok(person(attendance=Attendance(D(22), sick_days=D(5))))
    assert r.totals.gross == D("21000.00")
    with pytest.raises(KeyError):
        r.line(SICK_PAY_ADJUSTMENT)


# --- Overtime -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("field", "hours", "code", "expected"),
    [
        # Wage base 17,400 -> daily 800 -> hourly 100.
        ("overtime_hours_150", D(10), "overtime_150", D("1500.00")),  # 100 x 1.5 x 10
        ("overtime_hours_200", D(4), "overtime_200", D("800.00")),  # 100 x 2 x 4
        ("overtime_hours_300", D(2), "overtime_300", D("600.00")),  # 100 x 3 x 2
    ],
)
def test_overtime_at_each_multiplier(field: str, hours: D, code: str, expected: D) -> None:
    attendance = Attendance(scheduled_days=D(22), **{field: hours})
    r = ok(person(base("17400"), attendance=attendance))
    assert amount(r, code) == expected
    assert r.line(code).explain["hourly_wage"] == D(100)
    assert r.totals.gross == D("17400.00") + expected


def test_overtime_all_three_and_no_line_without_hours() -> None:
    # 1,500 + 800 + 600 = 2,900; gross 17,400 + 2,900 = 20,300.
    r = ok(
        person(
            base("17400"),
            attendance=Attendance(D(22), overtime_hours_150=D(10), overtime_hours_200=D(4), overtime_hours_300=D(2)),
        )
    )
    assert r.totals.gross == D("20300.00")
    plain = ok(person(base("17400")))
    assert not [x for x in plain.lines if x.code.startswith("overtime")]


# --- Formula components ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("rating", "expected"),
    [
        (D(4), D("2000.00")),  # 10,000 x 0.2
        (D(5), D("2000.00")),
        (D(3), D("0.00")),
        (None, D("0.00")),  # no rating: rating is 0
    ],
)
def test_performance_formula(rating: D | None, expected: D) -> None:
    component = ComponentValue("performance", "Performance", ComponentKind.EARNING, formula=PERFORMANCE)
    employment = Employment(contract_wage=D(10000), minimum_wage=D(2740), rating=rating)
    r = ok(person(base("10000"), component, employment=employment))
    assert amount(r, component_code("performance")) == expected
    assert r.line(component_code("performance")).explain["formula"] == "if(rating >= 4, base * 0.2, 0)"
    assert r.totals.gross == D("10000.00") + expected


def test_formula_reads_attendance_and_is_rounded_to_the_fen() -> None:
    # 500 / 22 x 20 attended days (2 unpaid) = 454.5454... -> 454.55.
    formula = compile_formula("500 / scheduled_days * attendance_days", PAYROLL_VARIABLES)
    meal = ComponentValue("meal", "Meal", ComponentKind.EARNING, formula=formula)
    r = ok(person(base("21750"), meal, attendance=Attendance(D(22), unpaid_leave_days=D(2))))
    assert amount(r, component_code("meal")) == D("454.55")


def test_formula_reads_wage_base() -> None:
    # wage_base = the fixed earnings in the wage base: 20,000 (the transport allowance is not) -> 10 % = 2,000.
    formula = compile_formula("wage_base * 0.1", PAYROLL_VARIABLES)
    r = ok(
        person(
            base("20000"),
            earning("transport", "1000"),
            ComponentValue("x", "X", ComponentKind.EARNING, formula=formula),
        )
    )
    assert amount(r, component_code("x")) == D("2000.00")


def test_formula_error_refuses_only_that_person() -> None:
    formula = compile_formula("base / scheduled_days", PAYROLL_VARIABLES)
    daily = ComponentValue("daily", "Daily rate", ComponentKind.EARNING, formula=formula)
    broken = person(base("10000"), daily, attendance=Attendance(scheduled_days=D(0)))
    fine = person(base("10000"), daily)
    results = [calculate_person_month(p) for p in (broken, fine)]
    refusal = results[0]
    assert isinstance(refusal, PersonMonthRefusal)
    assert (refusal.flag, refusal.component_key, refusal.person_key) == (Flag.FORMULA_ERROR, "daily", "p1")
    assert "Daily rate" in refusal.message
    assert isinstance(results[1], PersonMonthResult)
    assert amount(results[1], component_code("daily")) == D("454.55")  # 10,000 / 22 = 454.5454...


def test_negative_formula_result_refuses_the_person() -> None:
    formula = compile_formula("base - 20000", PAYROLL_VARIABLES)
    refusal = calculate_person_month(
        person(base("10000"), ComponentValue("x", "X", ComponentKind.EARNING, formula=formula))
    )
    assert isinstance(refusal, PersonMonthRefusal)
    assert (refusal.flag, refusal.component_key) == (Flag.INVALID_INPUT, "x")


def test_component_needs_exactly_one_of_amount_and_formula() -> None:
    with pytest.raises(ValueError, match="either"):
        ComponentValue("x", "X", ComponentKind.EARNING)
    with pytest.raises(ValueError, match="either"):
        ComponentValue("x", "X", ComponentKind.EARNING, amount=D(1), formula=PERFORMANCE)
    with pytest.raises(ValueError, match="wage base"):
        ComponentValue("x", "X", ComponentKind.EARNING, formula=PERFORMANCE, in_wage_base=True)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [(D("454.545"), D("454.55")), (D("454.5449"), D("454.54")), (D("10"), D("10.00"))],
)
def test_component_rounding(raw: D, expected: D) -> None:
    assert round_component_amount(raw) == expected


# --- Non-taxable, deductions, employer costs ------------------------------------------------------


def test_non_taxable_allowance_adds_to_pay_not_to_tax() -> None:
    # +500 meal allowance (non-taxable): gross 21,500, tax still 369.75, net 16,955.25 + 500 = 17,455.25.
    r = ok(person(base("20000"), earning("transport", "1000"), earning("meal", "500", taxable=False)))
    assert (r.totals.gross, r.totals.taxable, r.totals.iit) == (D("21500.00"), D("21000.00"), D("369.75"))
    assert r.totals.net == D("17455.25")
    assert r.line(IIT).explain["ytd_exempt_income"] == D("500.00")


def test_deduction_component_is_taken_after_tax() -> None:
    # A 300 dormitory fee: tax unchanged 369.75, net 16,955.25 - 300 = 16,655.25.
    dorm = ComponentValue("dorm", "Dormitory", ComponentKind.DEDUCTION, amount=D(300))
    r = ok(person(base("20000"), earning("transport", "1000"), dorm))
    assert (r.totals.iit, r.totals.deductions, r.totals.net) == (D("369.75"), D("300.00"), D("16655.25"))
    assert amount(r, component_code("dorm")) == D("-300.00")


def test_employer_cost_component() -> None:
    # Supplementary insurance 200 paid by the employer: net and gross unchanged, employer cost 28,068.60 + 200.
    extra = ComponentValue("supplementary", "Supplementary", ComponentKind.EMPLOYER_COST, amount=D(200))
    r = ok(person(base("20000"), earning("transport", "1000"), extra))
    assert (r.totals.gross, r.totals.net) == (D("21000.00"), D("16955.25"))
    assert r.totals.employer_cost == D("28268.60")


def test_negative_fixed_amount_refuses_the_person() -> None:
    result = calculate_person_month(person(base("-1")))
    assert isinstance(result, PersonMonthRefusal)
    assert (result.flag, result.component_key) == (Flag.INVALID_INPUT, "base")


def test_year_to_date_of_another_year_is_refused() -> None:
    result = calculate_person_month(person(ytd=YearToDate(year=2024)))
    assert isinstance(result, PersonMonthRefusal)
    assert result.flag == Flag.INVALID_INPUT


# --- Several months -------------------------------------------------------------------------------


def _three_months() -> list[PersonMonthResult]:
    ytd = YearToDate(year=2025)
    results = []
    for month in (1, 2, 3):
        r = ok(person(base("30000"), wage="30000", month=month, ytd=ytd))
        results.append(r)
        ytd = r.ytd
    return results


def test_three_month_sequence_withholding() -> None:
    # Employee 2,400 + 600 + 150 + housing fund 2,100 = 5,250 a month; taxable 30,000 - 5,000 - 5,250
    # = 19,750 a month. January 19,750 x 3 % = 592.50. February 39,500 x 10 % - 2,520 = 1,430 -> 837.50.
    # March 59,250 x 10 % - 2,520 = 3,405 -> 3,405 - 1,430 = 1,975.00.
    jan, feb, mar = _three_months()
    assert (jan.totals.iit, feb.totals.iit, mar.totals.iit) == (D("592.50"), D("837.50"), D("1975.00"))
    assert feb.line(IIT).explain["withheld_before"] == D("592.50")
    assert (mar.line(IIT).explain["bracket"], mar.line(IIT).explain["quick_deduction"]) == (2, D("2520"))


def test_three_month_sequence_equals_a_direct_cumulative_computation() -> None:
    mar = _three_months()[-1]
    direct = withhold_month(
        IIT_BOOK.for_date(dt.date(2025, 3, 1)),
        WithholdingInput(year=2025, month=3, months_employed=3, ytd_income=D(90000), ytd_social_insurance=D(15750)),
    )
    assert direct.ytd_tax == mar.ytd.tax_withheld == D("3405.00")
    assert (mar.ytd.income, mar.ytd.social_insurance, mar.ytd.months_employed) == (D("90000.00"), D("15750.00"), 3)


def test_negative_withholding_month_withholds_nothing() -> None:
    # January 30,000: 592.50 withheld. February: 20 days of unpaid leave: 30,000 / 21.75 x 20 = 27,586.21,
    # gross 2,413.79. Cumulative 32,413.79 - 10,000 - 10,500 = 11,913.79 -> 357.41; 357.41 - 592.50
    # = -235.09: nothing withheld (nothing refunded during the year). Net 2,413.79 - 5,250 < 0: owes 2,836.21.
    jan = ok(person(base("30000"), wage="30000"))
    feb = ok(
        person(base("30000"), wage="30000", month=2, ytd=jan.ytd, attendance=Attendance(D(20), unpaid_leave_days=D(20)))
    )
    assert feb.totals.gross == D("2413.79")
    assert feb.line(IIT).explain["computed_withholding"] == D("-235.09")
    assert feb.totals.iit == D("0.00")
    assert feb.ytd.tax_withheld == D("592.50")
    assert (feb.totals.net, feb.totals.shortfall) == (D("0.00"), D("2836.21"))


# --- Annual bonus ---------------------------------------------------------------------------------


def test_bonus_taxed_separately() -> None:
    # 36,000 / 12 = 3,000 -> 3 % bracket of the monthly table: 1,080.00 (财税〔2018〕164号).
    # Wage tax unchanged 369.75; net 21,000 + 36,000 - 3,675 - 369.75 - 1,080 = 51,875.25.
    r = ok(person(bonus=AnnualBonus(D(36000), BonusMethod.SEPARATE)))
    assert (r.totals.iit, r.totals.bonus_tax, r.totals.net) == (D("369.75"), D("1080.00"), D("51875.25"))
    assert r.line(BONUS_TAX).explain["monthly_equivalent"] == D(3000)
    # The separate bonus stays out of the cumulative income and the wage tax withheld.
    assert (r.ytd.income, r.ytd.tax_withheld, r.ytd.separate_bonus_used) == (D("21000.00"), D("369.75"), True)
    assert r.totals.employer_cost == D("64068.60")  # 21,000 + 36,000 + 7,068.60


def test_bonus_merged() -> None:
    # Cumulative taxable 12,325 + 36,000 = 48,325 -> 10 % - 2,520 = 2,312.50; the bonus's share
    # 2,312.50 - 369.75 = 1,942.75. Net 57,000 - 3,675 - 2,312.50 = 51,012.50.
    r = ok(person(bonus=AnnualBonus(D(36000), BonusMethod.MERGED)))
    assert (r.totals.iit, r.totals.bonus_tax, r.totals.net) == (D("369.75"), D("1942.75"), D("51012.50"))
    assert r.line(BONUS_TAX).explain["cumulative_tax"] == D("2312.50")
    assert (r.ytd.income, r.ytd.tax_withheld, r.ytd.separate_bonus_used) == (D("57000.00"), D("2312.50"), False)
    assert r.totals.taxable == D("57000.00")


def test_separate_bonus_only_once_a_year() -> None:
    ytd = YearToDate(year=2025, separate_bonus_used=True)
    result = calculate_person_month(person(ytd=ytd, bonus=AnnualBonus(D(36000))))
    assert isinstance(result, PersonMonthRefusal)
    assert result.flag == Flag.INVALID_INPUT
    # Merged is still possible.
    assert ok(person(ytd=ytd, bonus=AnnualBonus(D(36000), BonusMethod.MERGED))).totals.bonus_tax == D("1942.75")


def test_separate_bonus_not_available_after_2027() -> None:
    # 财政部 税务总局公告2023年第30号 extends separate taxation to 2027-12-31 only.
    result = calculate_person_month(person(year=2028, policy=SH_2025, bonus=AnnualBonus(D(36000))))
    assert isinstance(result, PersonMonthRefusal)


# --- Flags, determinism ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("wage_base", "contract", "expected"),
    [
        ("7000", "10000", 1),  # below 80 % of 10,000 = 8,000
        ("2500", "3000", 1),  # above 2,400 (80 %) but below the minimum wage 2,740
        ("2000", "3000", 2),  # below both
        ("8000", "10000", 0),  # exactly 80 %: fine
    ],
)
def test_probation_floor(wage_base: str, contract: str, expected: int) -> None:
    employment = Employment(contract_wage=D(contract), minimum_wage=D(2740), on_probation=True)
    r = ok(person(base(wage_base), employment=employment))
    assert sum(note.flag == Flag.PROBATION_BELOW_FLOOR for note in r.flags) == expected


def test_probation_not_checked_after_probation() -> None:
    employment = Employment(contract_wage=D(10000), minimum_wage=D(2740), on_probation=False)
    assert ok(person(base("7000"), employment=employment)).flags == ()


def test_same_input_same_output() -> None:
    inp = person(
        base("21750"),
        ComponentValue("performance", "Performance", ComponentKind.EARNING, formula=PERFORMANCE),
        attendance=Attendance(D(22), unpaid_leave_days=D(1), overtime_hours_150=D(3)),
        employment=Employment(contract_wage=D(21750), minimum_wage=D(2740), rating=D(5)),
        bonus=AnnualBonus(D(50000), BonusMethod.MERGED),
    )
    first, second = ok(inp), ok(replace(inp))
    assert first == second
    assert [(x.code, x.amount, dict(x.explain)) for x in first.lines] == [
        (x.code, x.amount, dict(x.explain)) for x in second.lines
    ]
    assert inp == replace(inp)  # the input is not changed by the calculation


def test_gross_line_explains_its_parts() -> None:
    r = ok(person(base("21750"), attendance=Attendance(D(22), unpaid_leave_days=D(1), overtime_hours_150=D(2))))
    # 21,750 - 1,000 + 125 x 1.5 x 2 (hourly 1,000 / 8 = 125) = 21,125.
    explain = r.line(GROSS).explain
    assert (explain["earnings"], explain["unpaid_leave"], explain["overtime"]) == (
        D("21750.00"),
        D("1000.00"),
        D("375.00"),
    )
    assert r.totals.gross == D("21125.00")


def test_shortfall_is_recovered_the_next_month() -> None:
    # January: a month of only unpaid leave leaves 3,806.75 owed (see above). February, a full month of
    # 21,750: employee contributions 3,806.75; cumulative taxable 21,750 - 10,000 - 7,613.50 = 4,136.50
    # -> 124.10 (4,136.50 x 3 % = 124.095, half up). Net 21,750 - 3,806.75 - 124.10 - 3,806.75 = 14,012.40.
    jan = ok(person(base("21750"), wage="21750", attendance=Attendance(D(22), unpaid_leave_days=D(22))))
    feb = ok(
        person(
            base("21750"),
            wage="21750",
            month=2,
            ytd=jan.ytd,
            shortfall_brought_forward=jan.totals.shortfall,
        )
    )
    assert feb.totals.iit == D("124.10")
    assert amount(feb, SHORTFALL_BROUGHT_FORWARD) == D("-3806.75")
    assert (feb.totals.net, feb.totals.shortfall, feb.flags) == (D("14012.40"), D("0.00"), ())


def test_shortfall_larger_than_the_pay_is_carried_again() -> None:
    # A 20,000 debt against the plain month's 16,955.25: net 0, 3,044.75 still owed.
    r = ok(person(shortfall_brought_forward=D(20000)))
    assert (r.totals.net, r.totals.shortfall) == (D("0.00"), D("3044.75"))
    assert r.has_flag(Flag.NET_PAY_SHORTFALL)


@pytest.mark.parametrize(
    "attendance",
    [
        Attendance(D(22), overtime_hours_150=10),  # type: ignore[arg-type]  # an int, not a Decimal
        Attendance(D(22), unpaid_leave_days=D(-1)),
        Attendance(D("NaN")),
    ],
)
def test_malformed_attendance_refuses_the_person(attendance: Attendance) -> None:
    result = calculate_person_month(person(attendance=attendance))
    assert isinstance(result, PersonMonthRefusal)
    assert result.flag == Flag.INVALID_INPUT


def test_float_amount_refuses_the_person() -> None:
    component = ComponentValue("base", "Base", ComponentKind.EARNING, amount=20000.0)  # type: ignore[arg-type]
    result = calculate_person_month(person(component))
    assert isinstance(result, PersonMonthRefusal)
    assert result.component_key == "base"


def test_bonus_amount_is_rounded_to_the_fen_before_its_tax() -> None:
    # 36,000.004 -> 36,000.00 (round_component_amount): 36,000 / 12 = 3,000 stays in the 3 % bracket,
    # tax 1,080.00. Unrounded, 36,000.004 / 12 = 3,000.0003 would fall in the 10 % bracket (3,390.00).
    r = ok(person(bonus=AnnualBonus(D("36000.004"))))
    assert (r.totals.bonus, r.totals.bonus_tax) == (D("36000.00"), D("1080.00"))


def test_a_shortfall_of_a_few_fen_is_flagged() -> None:
    # Plain month net 16,955.25 against 16,955.50 still owed: net 0, 0.25 owed.
    r = ok(person(shortfall_brought_forward=D("16955.50")))
    assert (r.totals.net, r.totals.shortfall) == (D("0.00"), D("0.25"))
    assert r.has_flag(Flag.NET_PAY_SHORTFALL)


def test_sick_adjustment_never_takes_more_than_is_left_after_unpaid_leave() -> None:
    # Wage base 21,750 (daily 1,000): 20 unpaid days take 20,000, leaving 1,750. Five sick days at 60 %
    # would take 5,000 - 3,000 = 2,000, but only 1,750 is left: adjustment 1,750, gross 0.
    employment = Employment(contract_wage=D(21750), minimum_wage=D(2740), years_of_service=D(1))
    r = ok(
        person(
            base("21750"),
            employment=employment,
            attendance=Attendance(D(25), unpaid_leave_days=D(20), sick_days=D(5)),
            sick_pay_policy=SICK_POLICY,
        )
    )
    assert r.line(SICK_PAY_ADJUSTMENT).explain["computed"] == D("2000.00")
    assert amount(r, SICK_PAY_ADJUSTMENT) == D("-1750.00")
    assert r.totals.gross == D("0.00")


def test_exempt_income_never_exceeds_what_was_paid() -> None:
    # Wage base 21,750 + a non-taxable 1,000 in the wage base = 22,750; 23 unpaid days take all of it
    # (22,750 / 21.75 x 23 = 24,057.47 > 22,750): gross 0, so no exempt income is recorded either.
    housing = earning("housing", "1000", taxable=False, in_wage_base=True)
    r = ok(person(base("21750"), housing, attendance=Attendance(D(23), unpaid_leave_days=D(23))))
    assert r.totals.gross == D("0.00")
    assert r.ytd.exempt_income == D("0.00")


def test_first_wages_rule_is_carried_to_the_next_month() -> None:
    # July under the first-wages rule (35,000); August keeps it: 5,000 x 8 = 40,000.
    july = ok(person(base("9000"), month=7, wage=None, ytd=YearToDate(year=2025, first_wages_of_year=True)))
    assert july.ytd.first_wages_of_year is True
    august = ok(person(base("9000"), month=8, wage="9000", ytd=july.ytd))
    assert august.line(IIT).explain["ytd_basic_deduction"] == D("40000")


def test_rating_that_is_not_a_decimal_refuses_the_person() -> None:
    component = ComponentValue("performance", "Performance", ComponentKind.EARNING, formula=PERFORMANCE)
    employment = Employment(contract_wage=D(10000), minimum_wage=D(2740), rating=4)  # type: ignore[arg-type]
    result = calculate_person_month(person(base("10000"), component, employment=employment))
    assert isinstance(result, PersonMonthRefusal)
    assert result.errors == {"rating": ["Not a decimal amount."]}
