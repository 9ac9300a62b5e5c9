"""One person's month: the steps in order, and every line with its explanation."""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal
from typing import Any

from django.utils.translation import gettext

from talentloop.core.errors import InvalidInput
from talentloop.payroll.rules.iit import (
    WithholdingResult,
    require_decimal,
)
from talentloop.payroll.rules.month.records import (
    BONUS,
    BONUS_TAX,
    EMPLOYEE_FUND_LABELS,
    EMPLOYER_COST,
    EMPLOYER_FUND_LABELS,
    GROSS,
    IIT,
    LABELS,
    NET,
    OVERTIME_CODES,
    SEPARATE_TAX,
    SHORTFALL_BROUGHT_FORWARD,
    SICK_PAY_ADJUSTMENT,
    UNPAID_LEAVE,
    ZERO,
    AnnualBonus,
    ComponentKind,
    Flag,
    FlagNote,
    Line,
    LineKind,
    PersonMonthInput,
    PersonMonthRefusal,
    PersonMonthResult,
    Totals,
    YearToDate,
    component_code,
    employee_contribution_code,
    employer_contribution_code,
    round_component_amount,
)
from talentloop.payroll.rules.month.steps import (
    BonusOutcome,
    PersonRefused,
    bonus_step,
    employer_cost_step,
    evaluate_components,
    net_pay_step,
    overtime_step,
    sick_pay_step,
    social_insurance_step,
    taxable_income_step,
    unpaid_leave_step,
    wage_base_of,
    withholding_input,
    withholding_step,
)
from talentloop.payroll.rules.social import (
    Fund,
)
from talentloop.payroll.rules.wages import (
    probation_check,
)

# --- The whole month ------------------------------------------------------------------------------


# Enum members read once: an attribute of an enum class is a descriptor lookup, which costs more than
# a module global at some ten reads per person and 100,000 people. A line's kind is the plain value, as
# it is stored (reading ``.value`` of a member is a descriptor lookup too).
_C_EARNING, _C_DEDUCTION = ComponentKind.EARNING, ComponentKind.DEDUCTION
_L_EARNING, _L_DEDUCTION, _L_COST, _L_TOTAL = (
    LineKind.EARNING.value,
    LineKind.DEDUCTION.value,
    LineKind.EMPLOYER_COST.value,
    LineKind.TOTAL.value,
)
_HOUSING_FUND = Fund.HOUSING_FUND


def calculate_person_month(inp: PersonMonthInput) -> PersonMonthResult | PersonMonthRefusal:
    """One person's month, or the reason it cannot be worked out (the run goes on with the others)."""
    try:
        return _calculate(inp)
    except PersonRefused as refused:
        return PersonMonthRefusal(
            person_key=inp.person_key,
            year=inp.year,
            month=inp.month,
            flag=refused.flag,
            message=refused.message,
            component_key=refused.component_key,
        )
    except InvalidInput as error:
        return PersonMonthRefusal(
            person_key=inp.person_key,
            year=inp.year,
            month=inp.month,
            flag=Flag.INVALID_INPUT,
            message=error.detail,
            errors=error.errors,
        )


def _check_input(inp: PersonMonthInput) -> None:
    if inp.ytd.year != inp.year:
        raise InvalidInput(
            gettext("The year-to-date figures are those of %(ytd)s, not of %(year)s.")
            % {"ytd": inp.ytd.year, "year": inp.year}
        )
    att, emp = inp.attendance, inp.employment
    figures = {
        "special_additional_deductions": inp.special_additional_deductions,
        "other_deductions": inp.other_deductions,
        "bonus": inp.bonus.amount if inp.bonus else ZERO,
        "shortfall_brought_forward": inp.shortfall_brought_forward,
        "separate_tax": inp.separate_tax,
        "scheduled_days": att.scheduled_days,
        "unpaid_leave_days": att.unpaid_leave_days,
        "sick_days": att.sick_days,
        "overtime_hours_150": att.overtime_hours_150,
        "overtime_hours_200": att.overtime_hours_200,
        "overtime_hours_300": att.overtime_hours_300,
        "contract_wage": emp.contract_wage,
        "minimum_wage": emp.minimum_wage,
        "years_of_service": emp.years_of_service,
        "months_employed": emp.months_employed,
    }
    if emp.rating is not None:
        figures["rating"] = emp.rating
    if inp.social.wage is not None:
        figures["social_insurance_wage"] = inp.social.wage
    for value in figures.values():
        if type(value) is not Decimal or not value.is_finite() or value < 0:
            break
    else:
        return  # the usual case, checked cheaply; the loop below finds the culprit for the message
    require_decimal(**figures)  # an int or a float is refused, never guessed at
    for name, value in figures.items():
        if value < 0:
            raise InvalidInput(
                gettext("The figures of the month cannot be negative."), {name: [gettext("Cannot be negative.")]}
            )


def _calculate(inp: PersonMonthInput) -> PersonMonthResult:
    _check_input(inp)
    rules = inp.wage_rules
    lines: list[Line] = []
    flags: list[FlagNote] = []

    # 1. components
    wage_base = wage_base_of(inp.components)
    evaluated = evaluate_components(inp, wage_base)
    earnings = non_taxable = si_first_month = deductions = employer_costs = ZERO
    deduction_lines: list[Line] = []
    cost_lines: list[Line] = []
    separate = ZERO
    for item in evaluated:
        c = item.component
        explain: dict[str, Any] = {}
        if c.formula is not None:
            explain["formula"] = c.formula.text
        if c.outside_wages:
            separate += item.amount
            explain["outside_wages"] = True
            lines.append(Line(component_code(c.key), c.label, item.amount, _L_EARNING, explain, c.shown_on_payslip))
        elif c.kind is _C_EARNING:
            earnings += item.amount
            if not c.taxable:
                non_taxable += item.amount
            if c.in_si_base:
                si_first_month += item.amount
            explain |= {"taxable": c.taxable, "in_si_base": c.in_si_base, "in_wage_base": c.in_wage_base}
            lines.append(Line(component_code(c.key), c.label, item.amount, _L_EARNING, explain, c.shown_on_payslip))
        elif c.kind is _C_DEDUCTION:
            deductions += item.amount
            deduction_lines.append(
                Line(component_code(c.key), c.label, -item.amount, _L_DEDUCTION, explain, c.shown_on_payslip)
            )
        else:
            employer_costs += item.amount
            cost_lines.append(Line(component_code(c.key), c.label, item.amount, _L_COST, explain, c.shown_on_payslip))

    # 2. unpaid leave
    leave_deduction = ZERO
    if inp.attendance.unpaid_leave_days:
        leave = unpaid_leave_step(wage_base, inp.attendance.unpaid_leave_days, rules)
        leave_deduction = leave.deduction
        lines.append(
            Line(
                UNPAID_LEAVE,
                LABELS[UNPAID_LEAVE],
                -leave.deduction,
                _L_DEDUCTION,
                {
                    "wage_base": wage_base,
                    "monthly_paid_days": rules.monthly_paid_days,
                    "daily_wage": leave.daily_wage,
                    "days": leave.days,
                    "computed": leave.computed,
                    "capped": leave.capped,
                    "rounding": rules.rounding,
                },
            )
        )

    # 3. sick pay
    sick = sick_pay_step(inp, wage_base, wage_base - leave_deduction, rules)
    sick_adjustment = ZERO
    if sick is not None:
        sick_adjustment = sick.adjustment
        lines.append(
            Line(
                SICK_PAY_ADJUSTMENT,
                LABELS[SICK_PAY_ADJUSTMENT],
                -sick.adjustment,
                _L_DEDUCTION,
                {
                    "days": sick.days,
                    "daily_wage": sick.daily_wage,
                    "percent": sick.percent,
                    "month_sick_pay": sick.month_sick_pay,
                    "floor": sick.floor,
                    "floor_applied": sick.floor_applied,
                    "normal_pay": sick.normal_pay,
                    "sick_pay": sick.sick_pay,
                    "computed": sick.computed,
                    "rounding": rules.rounding,
                },
            )
        )

    # 4. overtime
    overtime_total = ZERO
    for ot in overtime_step(wage_base, inp.attendance, rules):
        overtime_total += ot.amount
        code = OVERTIME_CODES[ot.kind]
        lines.append(
            Line(
                code,
                LABELS[code],
                ot.amount,
                _L_EARNING,
                {
                    "wage_base": wage_base,
                    "hourly_wage": ot.hourly_wage,
                    "multiplier": ot.multiplier,
                    "hours": ot.hours,
                    "rounding": rules.rounding,
                },
            )
        )

    gross = earnings + overtime_total - leave_deduction - sick_adjustment
    lines.append(
        Line(
            GROSS,
            LABELS[GROSS],
            gross,
            _L_TOTAL,
            {
                "earnings": earnings,
                "overtime": overtime_total,
                "unpaid_leave": leave_deduction,
                "sick_pay_adjustment": sick_adjustment,
            },
        )
    )

    # 5. social insurance and housing fund
    contrib = social_insurance_step(inp.social, si_first_month)
    if inp.second_run_of_month:
        contrib = replace(contrib, lines=(), employer_total=ZERO, employee_total=ZERO)
    employee_si = employee_hf = ZERO
    for cl in contrib.lines:
        explain = {
            "wage": cl.wage,
            "base": cl.base,
            "base_floor": cl.base_floor,
            "base_ceiling": cl.base_ceiling,
            "clamped": cl.clamped,
            "rounding": cl.rounding,
            "new_hire_first_month_wage": inp.social.wage is None,
        }
        if cl.employee_rate or cl.employee_fixed_amount:
            if cl.fund is _HOUSING_FUND:
                employee_hf += cl.employee_amount
            else:
                employee_si += cl.employee_amount
            lines.append(
                Line(
                    employee_contribution_code(cl.fund),
                    EMPLOYEE_FUND_LABELS[cl.fund],
                    -cl.employee_amount,
                    _L_DEDUCTION,
                    explain | {"rate": cl.employee_rate, "fixed_amount": cl.employee_fixed_amount},
                )
            )
    for cl in contrib.lines:
        cost_lines.append(
            Line(
                employer_contribution_code(cl.fund),
                EMPLOYER_FUND_LABELS[cl.fund],
                cl.employer_amount,
                _L_COST,
                # The base's floor, ceiling and rounding are on the person's own line of the fund.
                {"base": cl.base, "rate": cl.employer_rate},
                shown_on_payslip=False,
            )
        )
    month_contributions = employee_si + employee_hf

    # 6. taxable income and withholding
    income, exempt = taxable_income_step(gross, non_taxable)
    w_input = withholding_input(inp, income, exempt, month_contributions)
    wage_tax = withholding_step(inp.iit_rules, w_input)

    # 7. bonus
    bonus_amount = ZERO
    bonus_tax = ZERO
    final_withholding = wage_tax
    outcome: BonusOutcome | None = None
    if inp.bonus is not None:
        bonus_amount = round_component_amount(inp.bonus.amount)
        bonus = AnnualBonus(bonus_amount, inp.bonus.method)
        outcome = bonus_step(inp.iit_rules, bonus, w_input, wage_tax, used=inp.ytd.separate_bonus_used)
        bonus_tax = outcome.tax
        if outcome.merged_withholding is not None:
            final_withholding = outcome.merged_withholding
        lines.append(Line(BONUS, LABELS[BONUS], bonus_amount, _L_EARNING, {"method": outcome.method}))

    lines.append(Line(IIT, LABELS[IIT], -wage_tax.withholding, _L_DEDUCTION, _tax_explain(wage_tax)))
    if outcome is not None:
        lines.append(Line(BONUS_TAX, LABELS[BONUS_TAX], -bonus_tax, _L_DEDUCTION, _bonus_explain(outcome)))
    lines.extend(deduction_lines)
    if inp.separate_tax:
        lines.append(Line(SEPARATE_TAX, LABELS[SEPARATE_TAX], -inp.separate_tax, _L_DEDUCTION, {"income": separate}))
    owed = inp.shortfall_brought_forward
    if owed:
        lines.append(Line(SHORTFALL_BROUGHT_FORWARD, LABELS[SHORTFALL_BROUGHT_FORWARD], -owed, _L_DEDUCTION))

    # 8. net pay, employer cost, flags
    net, shortfall = net_pay_step(
        gross + bonus_amount + separate,
        month_contributions + wage_tax.withholding + bonus_tax + inp.separate_tax + deductions + owed,
    )
    lines.append(
        Line(
            NET,
            LABELS[NET],
            net,
            _L_TOTAL,
            {
                "gross": gross,
                "bonus": bonus_amount,
                "employee_contributions": month_contributions,
                "iit": wage_tax.withholding,
                "bonus_tax": bonus_tax,
                "separate_income": separate,
                "separate_tax": inp.separate_tax,
                "deductions": deductions,
                "shortfall_brought_forward": owed,
                "shortfall": shortfall,
            },
        )
    )
    if shortfall:
        flags.append(
            FlagNote(
                Flag.NET_PAY_SHORTFALL,
                gettext("The deductions exceed the pay by %(shortfall)s; net pay is 0 and the difference is owed.")
                % {"shortfall": shortfall},
            )
        )
    lines.extend(cost_lines)
    employer_cost = employer_cost_step(gross, bonus_amount + separate, contrib.employer_total, employer_costs)
    lines.append(
        Line(
            EMPLOYER_COST,
            LABELS[EMPLOYER_COST],
            employer_cost,
            _L_TOTAL,
            {
                "gross": gross,
                "bonus": bonus_amount,
                "employer_contributions": contrib.employer_total,
                "employer_cost_components": employer_costs,
            },
            shown_on_payslip=False,
        )
    )
    if inp.employment.on_probation:
        check = probation_check(wage_base, inp.employment.contract_wage, inp.employment.minimum_wage, rules)
        for breach in check.breaches:
            flags.append(FlagNote(Flag.PROBATION_BELOW_FLOOR, breach.message))

    ytd = inp.ytd
    new_ytd = YearToDate(
        year=ytd.year,
        months_employed=w_input.months_employed,
        income=final_withholding.ytd_income,
        exempt_income=w_input.ytd_exempt_income,
        social_insurance=w_input.ytd_social_insurance,
        special_additional_deductions=w_input.ytd_special_additional_deductions,
        other_deductions=w_input.ytd_other_deductions,
        tax_withheld=final_withholding.ytd_tax_withheld_after,
        first_wages_of_year=ytd.first_wages_of_year,
        previous_year_low_income=ytd.previous_year_low_income,
        separate_bonus_used=ytd.separate_bonus_used or (outcome is not None and outcome.separate is not None),
    )
    merged_bonus = bonus_amount if outcome is not None and outcome.separate is None else ZERO
    totals = Totals(
        gross=gross,
        bonus=bonus_amount,
        employee_social_insurance=employee_si,
        employee_housing_fund=employee_hf,
        taxable=income - exempt + merged_bonus,
        iit=wage_tax.withholding,
        bonus_tax=bonus_tax,
        deductions=deductions,
        shortfall_brought_forward=owed,
        net=net,
        shortfall=shortfall,
        employer_social_insurance=contrib.employer_total,
        employer_cost=employer_cost,
        separate_income=separate,
        separate_tax=inp.separate_tax,
    )
    return PersonMonthResult(
        person_key=inp.person_key,
        year=inp.year,
        month=inp.month,
        lines=lines,
        totals=totals,
        ytd=new_ytd,
        withholding=final_withholding,
        flags=tuple(flags),
    )


def _tax_explain(w: WithholdingResult) -> dict[str, Any]:
    return {
        "ytd_income": w.ytd_income,
        "ytd_exempt_income": w.ytd_exempt_income,
        "ytd_basic_deduction": w.ytd_basic_deduction,
        "basic_deduction_rule": w.basic_deduction_rule,
        "ytd_social_insurance": w.ytd_social_insurance,
        "ytd_special_additional_deductions": w.ytd_special_additional_deductions,
        "ytd_other_deductions": w.ytd_other_deductions,
        "cumulative_taxable_income": w.ytd_taxable_income,
        "cumulative_tax": w.ytd_tax,
        "bracket": w.bracket,
        "rate": w.rate,
        "quick_deduction": w.quick_deduction,
        "withheld_before": w.ytd_tax_withheld_before,
        "computed_withholding": w.computed_withholding,
    }


def _bonus_explain(outcome: BonusOutcome) -> dict[str, Any]:
    if outcome.separate is not None:
        s = outcome.separate
        return {
            "method": outcome.method,
            "monthly_equivalent": s.monthly_equivalent,
            "bracket": s.bracket,
            "rate": s.rate,
            "quick_deduction": s.quick_deduction,
            "source": s.source,
        }
    assert outcome.merged_withholding is not None
    m = outcome.merged_withholding
    return {
        "method": outcome.method,
        "cumulative_taxable_income": m.ytd_taxable_income,
        "cumulative_tax": m.ytd_tax,
        "bracket": m.bracket,
        "rate": m.rate,
        "quick_deduction": m.quick_deduction,
        "withheld_before": m.ytd_tax_withheld_before,
    }
