"""One person's pay for one tax month, every line with its explanation (pure: no database).

:func:`calculate_person_month` is what a payroll run calls once per person. It builds on the rule
modules and holds no legal figure of its own: wages (``wages``), social insurance and housing fund
(``social``), cumulative withholding (``iit``) and the annual bonus (``iit_bonus``). The steps, each
a named function, run in this order:

1. :func:`evaluate_components` - fixed amounts and formula components (with the month's variables);
2. :func:`unpaid_leave_step` - wage base / 21.75 per day, never more than the wage-base pay;
3. :func:`sick_pay_step` - sick days paid at the policy's percentage (with the legal floor);
4. :func:`overtime_step` - 150 / 200 / 300 % of the hourly wage;
5. :func:`social_insurance_step` - employee and employer amounts per fund on the clamped base;
6. :func:`taxable_income_step` and :func:`withholding_step` - IIT by cumulative withholding;
7. :func:`bonus_step` - the annual one-time bonus, taxed separately or merged;
8. :func:`net_pay_step` and :func:`employer_cost_step`; flags (probation, shortfall).

Money is ``Decimal`` throughout. Component amounts are rounded by :func:`round_component_amount`
(to the fen, half up); every other rounding is the rule module's own (wages: the wage rules'
rounding; contributions: the fund's rounding rule; tax: ``iit.round_tax``).

Definitions the caller relies on:

- the **wage base** is the sum of the month's *fixed* earnings flagged ``in_wage_base`` (a formula
  component cannot be in the wage base, since formulas may read ``wage_base``); unpaid leave, sick
  pay and overtime are worked out from it;
- **gross pay** = earnings components + overtime - unpaid leave - sick pay adjustment (the bonus is
  a line of its own);
- **deduction components** are taken from pay after tax; the tax "other deductions" (commercial
  health insurance, tax-deferred pension) only reduce taxable income and come in as an amount;
- **employer-cost components** never reach the payslip's net pay nor the tax;
- **net pay** never goes below zero: what is left over is ``Totals.shortfall`` (flagged), which the
  caller passes as ``shortfall_brought_forward`` of a later month to recover it;
- line amounts are signed: what is taken from pay is negative, so the person's earning and
  deduction lines add up to the net pay (unless there is a shortfall).
- ``base`` (formula variable) is the amount of the fixed component keyed ``"base"`` (0 without one).

A person whose figures cannot be worked out (a formula that fails for their values, a negative
amount, separate bonus taxation already used) gets a :class:`PersonMonthRefusal` instead of a
result; the run goes on with the others.
"""

from talentloop.payroll.rules.month.calculate import calculate_person_month
from talentloop.payroll.rules.month.records import (
    BASE_COMPONENT_KEY,
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
    SHORTFALL_BROUGHT_FORWARD,
    SICK_PAY_ADJUSTMENT,
    UNPAID_LEAVE,
    AnnualBonus,
    Attendance,
    ComponentKind,
    ComponentValue,
    Employment,
    Flag,
    FlagNote,
    Line,
    LineKind,
    PersonMonthInput,
    PersonMonthRefusal,
    PersonMonthResult,
    SocialInsuranceInput,
    Totals,
    YearToDate,
    component_code,
    employee_contribution_code,
    employer_contribution_code,
    round_component_amount,
)

__all__ = [
    "SHORTFALL_BROUGHT_FORWARD",
    "BASE_COMPONENT_KEY",
    "AnnualBonus",
    "Attendance",
    "BONUS",
    "BONUS_TAX",
    "ComponentKind",
    "ComponentValue",
    "EMPLOYEE_FUND_LABELS",
    "EMPLOYER_COST",
    "EMPLOYER_FUND_LABELS",
    "Employment",
    "Flag",
    "FlagNote",
    "GROSS",
    "IIT",
    "LABELS",
    "Line",
    "LineKind",
    "NET",
    "OVERTIME_CODES",
    "PersonMonthInput",
    "PersonMonthRefusal",
    "PersonMonthResult",
    "SICK_PAY_ADJUSTMENT",
    "SocialInsuranceInput",
    "Totals",
    "UNPAID_LEAVE",
    "YearToDate",
    "calculate_person_month",
    "component_code",
    "employee_contribution_code",
    "employer_contribution_code",
    "round_component_amount",
]
