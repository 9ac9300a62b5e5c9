"""The inputs and outputs of one person's month, the line codes and their labels."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from enum import StrEnum
from types import MappingProxyType
from typing import TYPE_CHECKING, Any, NamedTuple

from django.utils.text import format_lazy
from django.utils.translation import pgettext_lazy

from talentloop.payroll.formula import Formula
from talentloop.payroll.rules.iit import (
    IitRules,
    WithholdingResult,
)
from talentloop.payroll.rules.iit_bonus import BonusMethod
from talentloop.payroll.rules.social import (
    FUND_LABELS,
    CityPolicy,
    Fund,
    half_up_fen,
)
from talentloop.payroll.rules.wages import (
    DEFAULT_WAGE_RULES,
    OvertimeKind,
    SickPayPolicy,
    WageRules,
)

if TYPE_CHECKING:
    from django.utils.functional import _StrOrPromise as StrOrPromise

ZERO = Decimal("0.00")
#: The fixed component whose amount is the formula variable ``base``.
BASE_COMPONENT_KEY = "base"
NO_EXPLANATION: Mapping[str, Any] = MappingProxyType({})


def round_component_amount(amount: Decimal) -> Decimal:
    """The named rounding of a component's amount (fixed or from a formula): to the fen, half up."""
    return half_up_fen(amount)


# --- Input ----------------------------------------------------------------------------------------


class ComponentKind(StrEnum):
    EARNING = "earning"
    DEDUCTION = "deduction"  # taken from pay after tax (e.g. a dormitory fee)
    EMPLOYER_COST = "employer_cost"  # paid by the employer on top of pay (e.g. supplementary insurance)


class LineKind(StrEnum):
    EARNING = "earning"
    DEDUCTION = "deduction"  # taken from the person's pay
    EMPLOYER_COST = "employer_cost"
    TOTAL = "total"


@dataclass(frozen=True, slots=True)
class ComponentValue:
    """One salary component of the month: a fixed ``amount`` or a compiled ``formula`` (exactly one)."""

    key: str
    label: StrOrPromise
    kind: ComponentKind
    taxable: bool = True
    in_si_base: bool = True
    in_wage_base: bool = False
    shown_on_payslip: bool = True
    amount: Decimal | None = None
    formula: Formula | None = None
    # Paid with the month but taxed on its own, outside the wages (a termination's compensation): not
    # in gross pay, the month's taxable income or the year to date; its tax is ``separate_tax``.
    outside_wages: bool = False

    def __post_init__(self) -> None:
        if (self.amount is None) == (self.formula is None):
            raise ValueError(f"Component {self.key!r}: give either an amount or a formula")
        if self.formula is not None and self.in_wage_base:
            raise ValueError(f"Component {self.key!r}: a formula component cannot be in the wage base")


@dataclass(frozen=True, slots=True)
class Attendance:
    """The month's attendance: days by the person's schedule, leave days, overtime hours by multiplier."""

    scheduled_days: Decimal
    unpaid_leave_days: Decimal = Decimal(0)
    sick_days: Decimal = Decimal(0)
    overtime_hours_150: Decimal = Decimal(0)
    overtime_hours_200: Decimal = Decimal(0)
    overtime_hours_300: Decimal = Decimal(0)

    @property
    def attendance_days(self) -> Decimal:
        return max(self.scheduled_days - self.unpaid_leave_days - self.sick_days, Decimal(0))


@dataclass(frozen=True, slots=True)
class Employment:
    """What the contract and the person's record say for the month."""

    contract_wage: Decimal
    minimum_wage: Decimal  # the local monthly minimum wage in force
    on_probation: bool = False
    years_of_service: Decimal = Decimal(0)  # complete years (formula variable, sick pay tier)
    months_employed: Decimal = Decimal(0)  # complete months since joining (formula variable)
    rating: Decimal | None = None  # the period's performance rating; None: no rating


@dataclass(frozen=True, slots=True)
class SocialInsuranceInput:
    """The city policy and the contribution wage.

    ``wage`` is the previous year's average monthly wage; None for a new hire, whose base is then the
    first month's wage: the month's earnings flagged ``in_si_base`` (full-month amounts, before leave).
    ``employee_rates`` / ``employer_rates`` carry the employer's choices where the policy allows a
    range (housing fund rate, work injury class).
    """

    policy: CityPolicy
    wage: Decimal | None = None
    employee_rates: Mapping[Fund, Decimal] = field(default_factory=dict)
    employer_rates: Mapping[Fund, Decimal] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class YearToDate:
    """Figures of the earlier locked months of the tax year at this employer (all zero in January or
    for a new hire). ``social_insurance`` is the employee's social insurance and housing fund;
    ``tax_withheld`` the wage tax withheld (a separately taxed bonus is not in it)."""

    year: int
    months_employed: int = 0
    income: Decimal = ZERO
    exempt_income: Decimal = ZERO
    social_insurance: Decimal = ZERO
    special_additional_deductions: Decimal = ZERO
    other_deductions: Decimal = ZERO
    tax_withheld: Decimal = ZERO
    first_wages_of_year: bool = False
    previous_year_low_income: bool = False
    separate_bonus_used: bool = False


@dataclass(frozen=True, slots=True)
class AnnualBonus:
    """An annual one-time bonus paid this month and how it is taxed (``BonusMethod``)."""

    amount: Decimal
    method: str = BonusMethod.SEPARATE


@dataclass(frozen=True, slots=True)
class PersonMonthInput:
    """Everything one person's month needs. ``special_additional_deductions`` and ``other_deductions``
    are the month's amounts (``iit_deductions.monthly_deductions(...).special_additional`` / ``.other``).
    ``iit_rules`` are those of the month (``book.for_date(date(year, month, 1))``)."""

    person_key: str
    year: int
    month: int
    components: tuple[ComponentValue, ...]
    attendance: Attendance
    employment: Employment
    social: SocialInsuranceInput
    ytd: YearToDate
    iit_rules: IitRules
    special_additional_deductions: Decimal = ZERO
    other_deductions: Decimal = ZERO
    bonus: AnnualBonus | None = None
    # What the person still owed at the end of an earlier month (that month's ``Totals.shortfall``),
    # recovered from this month's net pay as far as it goes; any rest is this month's shortfall again.
    shortfall_brought_forward: Decimal = ZERO
    sick_pay_policy: SickPayPolicy | None = None
    wage_rules: WageRules = DEFAULT_WAGE_RULES
    # A second payment in a month that already had one (an off-cycle bonus or correction run): the
    # month is not counted again for the basic deduction, its deductions are not added again, and no
    # social insurance is taken (the month's contributions were in the first payment).
    second_run_of_month: bool = False
    # The tax withheld on the month's income taxed on its own (``ComponentValue.outside_wages``).
    separate_tax: Decimal = ZERO


# --- Output ---------------------------------------------------------------------------------------


class Flag(StrEnum):
    PROBATION_BELOW_FLOOR = "probation_below_floor"
    NET_PAY_SHORTFALL = "net_pay_shortfall"
    FORMULA_ERROR = "formula_error"
    INVALID_INPUT = "invalid_input"


class Line(NamedTuple):
    """One line of the month: ``amount`` to the fen (negative for what is taken from pay), ``explain``
    the figures it was worked out from. A named tuple: immutable, and several times quicker to build
    than a frozen dataclass, which counts at some twenty lines per person and 100,000 people."""

    code: str
    label: StrOrPromise
    amount: Decimal
    kind: str  # a LineKind value
    explain: Mapping[str, Any] = NO_EXPLANATION
    shown_on_payslip: bool = True


@dataclass(frozen=True, slots=True)
class Totals:
    gross: Decimal
    bonus: Decimal
    employee_social_insurance: Decimal  # pension, medical, unemployment (employee)
    employee_housing_fund: Decimal
    taxable: Decimal  # this month's income less exempt income (bonus included when merged)
    iit: Decimal  # wage withholding of the month (a merged bonus's share is in bonus_tax)
    bonus_tax: Decimal
    deductions: Decimal  # deduction components
    shortfall_brought_forward: Decimal  # recovered from an earlier month's shortfall
    net: Decimal
    shortfall: Decimal  # what the person owes when the deductions exceed the pay (net is then 0)
    employer_social_insurance: Decimal  # employer social insurance and housing fund
    employer_cost: Decimal
    separate_income: Decimal = ZERO  # paid with the month, taxed on its own (outside the wages)
    separate_tax: Decimal = ZERO


@dataclass(frozen=True, slots=True)
class FlagNote:
    flag: Flag
    message: str


@dataclass(frozen=True, slots=True)
class PersonMonthResult:
    person_key: str
    year: int
    month: int
    lines: list[Line]
    totals: Totals
    ytd: YearToDate  # to store with this month, for the next month
    withholding: WithholdingResult
    flags: tuple[FlagNote, ...]

    def line(self, code: str) -> Line:
        for line in self.lines:
            if line.code == code:
                return line
        raise KeyError(code)

    def has_flag(self, flag: Flag) -> bool:
        return any(note.flag == flag for note in self.flags)


@dataclass(frozen=True, slots=True)
class PersonMonthRefusal:
    """The person's month could not be worked out; nothing is to be stored or paid from it."""

    person_key: str
    year: int
    month: int
    flag: Flag
    message: str
    component_key: str = ""
    errors: Mapping[str, list[str]] = field(default_factory=dict)


# --- Line codes and labels ------------------------------------------------------------------------

GROSS = "gross"
UNPAID_LEAVE = "unpaid_leave"
SICK_PAY_ADJUSTMENT = "sick_pay_adjustment"
IIT = "iit"
BONUS = "bonus"
BONUS_TAX = "bonus_tax"
NET = "net"
EMPLOYER_COST = "employer_cost"
SHORTFALL_BROUGHT_FORWARD = "shortfall_brought_forward"
SEPARATE_TAX = "separate_tax"
OVERTIME_CODES: Mapping[OvertimeKind, str] = {
    OvertimeKind.WORKDAY: "overtime_150",
    OvertimeKind.REST_DAY: "overtime_200",
    OvertimeKind.STATUTORY_HOLIDAY: "overtime_300",
}


def component_code(key: str) -> str:
    return f"component.{key}"


def employee_contribution_code(fund: Fund) -> str:
    return f"{fund.value}.employee"


def employer_contribution_code(fund: Fund) -> str:
    return f"{fund.value}.employer"


LABELS: Mapping[str, StrOrPromise] = {
    GROSS: pgettext_lazy("payslip", "Gross pay"),
    UNPAID_LEAVE: pgettext_lazy("payslip", "Unpaid leave"),
    SICK_PAY_ADJUSTMENT: pgettext_lazy("payslip", "Sick leave adjustment"),
    IIT: pgettext_lazy("payslip", "Individual income tax"),
    BONUS: pgettext_lazy("payslip", "Annual one-time bonus"),
    BONUS_TAX: pgettext_lazy("payslip", "Income tax on the annual bonus"),
    NET: pgettext_lazy("payslip", "Net pay"),
    EMPLOYER_COST: pgettext_lazy("payslip", "Employer cost"),
    SHORTFALL_BROUGHT_FORWARD: pgettext_lazy("payslip", "Owed from an earlier month"),
    SEPARATE_TAX: pgettext_lazy("payslip", "Income tax on the income taxed on its own"),
    "overtime_150": pgettext_lazy("payslip", "Overtime on working days (150 %)"),
    "overtime_200": pgettext_lazy("payslip", "Overtime on rest days (200 %)"),
    "overtime_300": pgettext_lazy("payslip", "Overtime on statutory holidays (300 %)"),
}
EMPLOYEE_FUND_LABELS: Mapping[Fund, StrOrPromise] = {
    fund: format_lazy(pgettext_lazy("payslip", "{fund} (employee)"), fund=label) for fund, label in FUND_LABELS.items()
}
EMPLOYER_FUND_LABELS: Mapping[Fund, StrOrPromise] = {
    fund: format_lazy(pgettext_lazy("payslip", "{fund} (employer)"), fund=label) for fund, label in FUND_LABELS.items()
}
