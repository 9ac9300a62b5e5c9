"""The named steps of a person's month, in the order ``calculate`` runs them."""

from __future__ import annotations

from dataclasses import dataclass, replace
from decimal import Decimal

from django.utils.translation import gettext

from talentloop.core.errors import InvalidInput
from talentloop.payroll.formula import FormulaEvaluationError
from talentloop.payroll.rules.iit import (
    IitRules,
    WithholdingInput,
    WithholdingResult,
    withhold_month,
)
from talentloop.payroll.rules.iit_bonus import BonusMethod, BonusTax, bonus_tax_separate
from talentloop.payroll.rules.month.records import (
    BASE_COMPONENT_KEY,
    ZERO,
    AnnualBonus,
    Attendance,
    ComponentKind,
    ComponentValue,
    Flag,
    PersonMonthInput,
    SocialInsuranceInput,
    round_component_amount,
)
from talentloop.payroll.rules.social import (
    Contributions,
    apply_rounding,
    contributions,
)
from talentloop.payroll.rules.wages import (
    OvertimeKind,
    OvertimePay,
    UnpaidLeaveDeduction,
    WageRules,
    daily_wage,
    overtime_pay,
    sick_pay,
    unpaid_leave_deduction,
)

# --- Steps ----------------------------------------------------------------------------------------


class PersonRefused(Exception):
    """Raised inside a step when this person cannot be worked out; becomes a ``PersonMonthRefusal``."""

    def __init__(self, flag: Flag, message: str, component_key: str = "") -> None:
        super().__init__(message)
        self.flag = flag
        self.message = message
        self.component_key = component_key


@dataclass(frozen=True, slots=True)
class EvaluatedComponent:
    component: ComponentValue
    amount: Decimal


def wage_base_of(components: tuple[ComponentValue, ...]) -> Decimal:
    """The sum of the fixed earnings flagged ``in_wage_base``."""
    total = ZERO
    for c in components:
        if c.in_wage_base and c.kind is ComponentKind.EARNING and c.amount is not None:
            total += c.amount
    return total


def formula_variables(inp: PersonMonthInput, wage_base: Decimal) -> dict[str, Decimal]:
    """The month's values of the payroll formula variables (``formula.PAYROLL_VARIABLES``)."""
    base = ZERO
    for c in inp.components:
        if c.key == BASE_COMPONENT_KEY and c.amount is not None:
            base = c.amount
    att = inp.attendance
    emp = inp.employment
    return {
        "base": base,
        "wage_base": wage_base,
        "attendance_days": att.attendance_days,
        "scheduled_days": att.scheduled_days,
        "unpaid_leave_days": att.unpaid_leave_days,
        "overtime_hours_150": att.overtime_hours_150,
        "overtime_hours_200": att.overtime_hours_200,
        "overtime_hours_300": att.overtime_hours_300,
        "years_of_service": emp.years_of_service,
        "rating": emp.rating if emp.rating is not None else Decimal(0),
        "has_rating": Decimal(1) if emp.rating is not None else Decimal(0),
        "months_employed": emp.months_employed,
    }


def evaluate_components(inp: PersonMonthInput, wage_base: Decimal) -> list[EvaluatedComponent]:
    """Each component's amount for the month, rounded by :func:`round_component_amount`.

    A formula that cannot be evaluated, or any amount below zero, refuses the person."""
    variables: dict[str, Decimal] | None = None
    evaluated = []
    for c in inp.components:
        if c.formula is not None:
            if variables is None:
                variables = formula_variables(inp, wage_base)
            try:
                raw = c.formula.evaluate(variables)
            except FormulaEvaluationError as error:
                raise PersonRefused(
                    Flag.FORMULA_ERROR,
                    gettext("The formula of “%(component)s” could not be worked out: %(error)s")
                    % {"component": c.label, "error": error.message},
                    c.key,
                ) from None
        else:
            assert c.amount is not None
            raw = c.amount
        if type(raw) is not Decimal or not raw.is_finite() or raw < 0:
            raise PersonRefused(
                Flag.INVALID_INPUT,
                gettext("The amount of “%(component)s” is %(amount)s; it must be an exact amount of zero or more.")
                % {"component": c.label, "amount": raw},
                c.key,
            )
        evaluated.append(EvaluatedComponent(c, round_component_amount(raw)))
    return evaluated


def unpaid_leave_step(wage_base: Decimal, days: Decimal, rules: WageRules) -> UnpaidLeaveDeduction:
    """wage base / 21.75 x days, capped at the wage base itself so the pay never goes below zero."""
    return unpaid_leave_deduction(wage_base, days, wage_base, rules)


@dataclass(frozen=True, slots=True)
class SickPayAdjustment:
    days: Decimal
    daily_wage: Decimal
    percent: Decimal
    month_sick_pay: Decimal  # a full month of sick pay by the policy, floor applied
    floor: Decimal
    floor_applied: bool
    normal_pay: Decimal  # the days at the daily wage
    sick_pay: Decimal  # the days at the month's sick pay / 21.75
    computed: Decimal  # normal pay - sick pay, never below zero
    adjustment: Decimal  # what is deducted: never more than the pay left after unpaid leave


def sick_pay_step(
    inp: PersonMonthInput, wage_base: Decimal, pay_left: Decimal, rules: WageRules
) -> SickPayAdjustment | None:
    """Sick days paid at the policy's percentage of the wage base instead of in full, with the floor
    of 80 % of the minimum wage (``wages.sick_pay``), prorated by days over 21.75.

    None without sick days or without a policy (the days are then paid as normal days)."""
    days = inp.attendance.sick_days
    if days <= 0 or inp.sick_pay_policy is None:
        return None
    month = sick_pay(
        wage_base, inp.employment.years_of_service, inp.sick_pay_policy, inp.employment.minimum_wage, rules
    )
    daily = daily_wage(wage_base, rules)
    normal = apply_rounding(rules.rounding, daily * days)
    sick = apply_rounding(rules.rounding, month.amount / rules.monthly_paid_days * days)
    computed = max(normal - sick, ZERO)
    return SickPayAdjustment(
        days=days,
        daily_wage=daily,
        percent=month.percent,
        month_sick_pay=month.amount,
        floor=month.floor,
        floor_applied=month.floor_applied,
        normal_pay=normal,
        sick_pay=sick,
        computed=computed,
        adjustment=min(computed, pay_left),
    )


def overtime_step(wage_base: Decimal, attendance: Attendance, rules: WageRules) -> list[OvertimePay]:
    """Overtime pay at each multiplier with hours (Labour Law art. 44)."""
    result = []
    for kind, hours in (
        (OvertimeKind.WORKDAY, attendance.overtime_hours_150),
        (OvertimeKind.REST_DAY, attendance.overtime_hours_200),
        (OvertimeKind.STATUTORY_HOLIDAY, attendance.overtime_hours_300),
    ):
        if hours:
            result.append(overtime_pay(wage_base, hours, kind, rules))
    return result


def social_insurance_step(social: SocialInsuranceInput, first_month_wage: Decimal) -> Contributions:
    """Contributions per fund on the wage clamped to each fund's floor and ceiling."""
    wage = social.wage if social.wage is not None else first_month_wage
    return contributions(
        wage, social.policy, employer_rates=social.employer_rates or None, employee_rates=social.employee_rates or None
    )


def withholding_input(
    inp: PersonMonthInput, month_income: Decimal, month_exempt: Decimal, month_social_insurance: Decimal
) -> WithholdingInput:
    """The cumulative figures of the withholding: the earlier months plus this one."""
    ytd = inp.ytd
    again = inp.second_run_of_month
    return WithholdingInput(
        year=inp.year,
        month=inp.month,
        months_employed=ytd.months_employed + (0 if again else 1),
        ytd_income=ytd.income + month_income,
        ytd_exempt_income=ytd.exempt_income + month_exempt,
        ytd_social_insurance=ytd.social_insurance + month_social_insurance,
        ytd_special_additional_deductions=ytd.special_additional_deductions
        + (ZERO if again else inp.special_additional_deductions),
        ytd_other_deductions=ytd.other_deductions + (ZERO if again else inp.other_deductions),
        ytd_tax_withheld=ytd.tax_withheld,
        first_wages_of_year=ytd.first_wages_of_year,
        previous_year_low_income=ytd.previous_year_low_income,
    )


def taxable_income_step(gross: Decimal, non_taxable: Decimal) -> tuple[Decimal, Decimal]:
    """(income, exempt income) of the month: the exempt part never exceeds what was paid."""
    exempt = min(non_taxable, gross)
    return gross, exempt


def withholding_step(rules: IitRules, withholding: WithholdingInput) -> WithholdingResult:
    """This month's wage tax by the cumulative method (``iit.withhold_month``)."""
    return withhold_month(rules, withholding)


@dataclass(frozen=True, slots=True)
class BonusOutcome:
    method: str
    tax: Decimal
    separate: BonusTax | None  # when taxed apart
    merged_withholding: WithholdingResult | None  # the month's withholding with the bonus merged


def bonus_step(
    rules: IitRules, bonus: AnnualBonus, withholding: WithholdingInput, without: WithholdingResult, *, used: bool
) -> BonusOutcome:
    """Tax on the bonus: apart (``iit_bonus.bonus_tax_separate``) or merged into the month's income
    (its tax is what it adds to the month's withholding, as ``iit_bonus.bonus_tax_merged``)."""
    if bonus.method == BonusMethod.SEPARATE:
        separate = bonus_tax_separate(rules, bonus.amount, already_used_this_year=used)
        return BonusOutcome(method=bonus.method, tax=separate.tax, separate=separate, merged_withholding=None)
    if bonus.method != BonusMethod.MERGED:
        raise InvalidInput(gettext("Unknown bonus taxation method “%(method)s”.") % {"method": bonus.method})
    with_bonus = withhold_month(rules, replace(withholding, ytd_income=withholding.ytd_income + bonus.amount))
    return BonusOutcome(
        method=bonus.method,
        tax=with_bonus.withholding - without.withholding,
        separate=None,
        merged_withholding=with_bonus,
    )


def net_pay_step(pay: Decimal, taken: Decimal) -> tuple[Decimal, Decimal]:
    """(net pay, shortfall): pay less what is taken from it, never below zero; the rest is owed."""
    net = pay - taken
    if net < 0:
        return ZERO, -net
    return net, ZERO


def employer_cost_step(gross: Decimal, bonus: Decimal, employer_contributions: Decimal, costs: Decimal) -> Decimal:
    """Gross pay + bonus + employer social insurance and housing fund + employer-cost components."""
    return gross + bonus + employer_contributions + costs
