"""China individual income tax (IIT) on wages: tax tables, cumulative withholding, the annual bonus.

Pure calculations over effective-dated rule data: every figure (brackets, the monthly basic
deduction, the dates a rule is in force) comes from an :class:`IitRules` built by
:class:`IitRuleBook` from ``payroll/data/iit.json`` (later from tables HR edits). All money is
``Decimal``; the one rounding is :func:`round_tax` (to the fen, half up).

Wage withholding uses the cumulative method (累计预扣法, 国家税务总局公告2018年第61号) from 2019;
earlier years used a different method and are refused. The annual one-time bonus is in
``iit_bonus``, the deductions in ``iit_deductions``.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from importlib import resources
from pathlib import Path
from typing import Any

from django.utils.translation import gettext

from talentloop.core.errors import InvalidInput
from talentloop.payroll.rules.iit_deductions import (
    DeductionRule,
    DeductionRules,
    deduction_rules_for_date,
    parse_deduction_rule,
)

FEN = Decimal("0.01")
#: Tax is rounded to the fen, half up (0.005 yuan goes up).
TAX_ROUNDING = ROUND_HALF_UP
ZERO = Decimal(0)
MONTHS_PER_YEAR = 12


def round_tax(amount: Decimal) -> Decimal:
    """The named rounding of every tax figure: to the fen (0.01 yuan), half up."""
    return amount.quantize(FEN, rounding=TAX_ROUNDING)


class IitRulesUnavailable(InvalidInput):
    """No rule in the data covers the date or year asked for (e.g. before 2019)."""


# --- rule data -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Bracket:
    """One bracket: amounts up to and including ``up_to`` (None: no upper bound)."""

    up_to: Decimal | None
    rate: Decimal
    quick_deduction: Decimal


@dataclass(frozen=True)
class TaxTable:
    valid_from: date
    valid_to: date | None
    source: str
    brackets: tuple[Bracket, ...]


@dataclass(frozen=True)
class WithholdingRule:
    valid_from: date
    valid_to: date | None
    source: str
    monthly_basic_deduction: Decimal


@dataclass(frozen=True)
class FirstWagesRule:
    """国家税务总局公告2020年第13号: a person first paid wages in the year counts from January."""

    valid_from: date
    valid_to: date | None
    source: str


@dataclass(frozen=True)
class LowIncomeRule:
    """国家税务总局公告2020年第19号: the whole year's basic deduction from the first month."""

    valid_from: date
    valid_to: date | None
    source: str
    annual_basic_deduction: Decimal
    previous_year_income_limit: Decimal


@dataclass(frozen=True)
class BonusRule:
    """A period in which the annual one-time bonus may be taxed separately."""

    valid_from: date
    valid_to: date | None
    source: str


@dataclass(frozen=True)
class IitRules:
    """The IIT rules in force on ``as_of``; optional rules are None when not in force then."""

    as_of: date
    comprehensive_table: TaxTable
    monthly_table: TaxTable
    withholding: WithholdingRule
    first_wages: FirstWagesRule | None
    low_income: LowIncomeRule | None
    bonus_separate: BonusRule | None
    deductions: DeductionRules


def _covering(entries: Sequence[Any], day: date) -> Any:
    for entry in entries:
        if entry.valid_from <= day and (entry.valid_to is None or day <= entry.valid_to):
            return entry
    return None


@dataclass(frozen=True)
class IitRuleBook:
    """All periods of all IIT rules; ``for_date``/``for_year`` pick the ones in force."""

    comprehensive_tables: tuple[TaxTable, ...]
    monthly_tables: tuple[TaxTable, ...]
    withholding_rules: tuple[WithholdingRule, ...]
    first_wages_rules: tuple[FirstWagesRule, ...]
    low_income_rules: tuple[LowIncomeRule, ...]
    bonus_rules: tuple[BonusRule, ...]
    deduction_rules: tuple[DeductionRule, ...]

    def for_date(self, day: date) -> IitRules:
        comprehensive = _covering(self.comprehensive_tables, day)
        monthly = _covering(self.monthly_tables, day)
        withholding = _covering(self.withholding_rules, day)
        if comprehensive is None or monthly is None or withholding is None:
            raise IitRulesUnavailable(
                gettext(
                    "No individual income tax rules for %(date)s: the cumulative withholding of wages "
                    "applies from 1 January 2019, and earlier periods are not supported."
                )
                % {"date": day.isoformat()},
                {"date": [gettext("No rules for this date.")]},
            )
        return IitRules(
            as_of=day,
            comprehensive_table=comprehensive,
            monthly_table=monthly,
            withholding=withholding,
            first_wages=_covering(self.first_wages_rules, day),
            low_income=_covering(self.low_income_rules, day),
            bonus_separate=_covering(self.bonus_rules, day),
            deductions=deduction_rules_for_date(self.deduction_rules, day),
        )

    def for_year(self, year: int) -> IitRules:
        """The rules of a tax year: those in force on its last day (what the annual reconciliation applies)."""
        return self.for_date(date(year, 12, 31))


def _date(value: str | None) -> date | None:
    return date.fromisoformat(value) if value else None


def _period(entry: Mapping[str, Any]) -> dict[str, Any]:
    valid_from = date.fromisoformat(entry["valid_from"])
    return {"valid_from": valid_from, "valid_to": _date(entry.get("valid_to")), "source": str(entry["source"])}


def _table(entry: Mapping[str, Any]) -> TaxTable:
    brackets = tuple(
        Bracket(
            up_to=None if b["up_to"] is None else Decimal(b["up_to"]),
            rate=Decimal(b["rate"]),
            quick_deduction=Decimal(b["quick_deduction"]),
        )
        for b in entry["brackets"]
    )
    bounds = [b.up_to for b in brackets]
    if not bounds or bounds[-1] is not None or None in bounds[:-1]:
        raise ValueError("A tax table ends with exactly one open bracket.")
    finite = [b for b in bounds if b is not None]
    if finite != sorted(finite) or len(set(finite)) != len(finite):
        raise ValueError("Tax brackets must rise.")
    return TaxTable(brackets=brackets, **_period(entry))


def rule_book_from_data(data: Mapping[str, Any]) -> IitRuleBook:
    """Build a rule book from the parsed JSON layout of ``payroll/data/iit.json``."""
    return IitRuleBook(
        comprehensive_tables=tuple(_table(e) for e in data["comprehensive_tables"]),
        monthly_tables=tuple(_table(e) for e in data["monthly_tables"]),
        withholding_rules=tuple(
            WithholdingRule(monthly_basic_deduction=Decimal(e["monthly_basic_deduction"]), **_period(e))
            for e in data["cumulative_withholding"]
        ),
        first_wages_rules=tuple(FirstWagesRule(**_period(e)) for e in data.get("first_wages_rule", [])),
        low_income_rules=tuple(
            LowIncomeRule(
                annual_basic_deduction=Decimal(e["annual_basic_deduction"]),
                previous_year_income_limit=Decimal(e["previous_year_income_limit"]),
                **_period(e),
            )
            for e in data.get("low_income_rule", [])
        ),
        bonus_rules=tuple(BonusRule(**_period(e)) for e in data.get("annual_bonus_separate_taxation", [])),
        deduction_rules=tuple(parse_deduction_rule(e) for e in data.get("deductions", [])),
    )


def load_iit_rules(path: Path | str | None = None) -> IitRuleBook:
    """Read the IIT rule data (by default the published figures shipped in ``payroll/data/iit.json``)."""
    if path is None:
        text = resources.files("talentloop.payroll").joinpath("data", "iit.json").read_text(encoding="utf-8")
    else:
        text = Path(path).read_text(encoding="utf-8")
    return rule_book_from_data(json.loads(text))


# --- tables ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class TaxComputation:
    """Tax on an amount with the bracket that applied, for a payslip to explain.

    ``bracket`` counts from 1 (the 3 % bracket is 1), as the published tables number them (级数).
    """

    amount: Decimal
    tax: Decimal
    bracket: int
    rate: Decimal
    quick_deduction: Decimal


def find_bracket(table: TaxTable, amount: Decimal) -> tuple[int, Bracket]:
    """The bracket ``amount`` falls in; upper bounds are inclusive (36,000.00 is still in the first)."""
    for number, bracket in enumerate(table.brackets, start=1):
        if bracket.up_to is None or amount <= bracket.up_to:
            return number, bracket
    raise AssertionError("the last bracket is open")  # pragma: no cover - _table guarantees it


def tax_from_table(table: TaxTable, amount: Decimal) -> TaxComputation:
    """amount x rate - quick deduction, rounded to the fen; nothing on zero or less."""
    require_decimal(amount=amount)
    number, bracket = find_bracket(table, amount)
    tax = round_tax(amount * bracket.rate - bracket.quick_deduction) if amount > 0 else ZERO
    return TaxComputation(
        amount=amount, tax=max(tax, ZERO), bracket=number, rate=bracket.rate, quick_deduction=bracket.quick_deduction
    )


def require_decimal(**values: Any) -> None:
    for name, value in values.items():
        if not isinstance(value, Decimal) or not value.is_finite():
            raise InvalidInput(
                gettext("Amounts must be exact decimal numbers."), {name: [gettext("Not a decimal amount.")]}
            )


# --- cumulative withholding -----------------------------------------------------------------------


class BasicDeductionRule:
    """Which basic deduction a month's withholding used (shown on the payslip)."""

    MONTHS_EMPLOYED = "months_employed"  # 5,000 x months employed here this year
    FIRST_WAGES = "first_wages"  # 5,000 x the month number (2020年第13号)
    PREVIOUS_YEAR_LOW_INCOME = "previous_year_low_income"  # 60,000 from January (2020年第19号)


@dataclass(frozen=True)
class WithholdingInput:
    """One person-month at one employer; every ``ytd_`` figure runs from January to this month
    included, except ``ytd_tax_withheld`` (the tax actually withheld in the earlier months)."""

    year: int
    month: int
    months_employed: int
    ytd_income: Decimal
    ytd_exempt_income: Decimal = ZERO
    ytd_social_insurance: Decimal = ZERO  # employee social insurance and housing fund (专项扣除)
    ytd_special_additional_deductions: Decimal = ZERO
    ytd_other_deductions: Decimal = ZERO
    ytd_tax_relief: Decimal = ZERO  # 累计减免税额
    ytd_tax_withheld: Decimal = ZERO
    first_wages_of_year: bool = False
    previous_year_low_income: bool = False


@dataclass(frozen=True)
class WithholdingResult:
    """Every figure of the month's withholding, in the order of the official formula."""

    year: int
    month: int
    basic_deduction_rule: str
    ytd_income: Decimal
    ytd_exempt_income: Decimal
    ytd_basic_deduction: Decimal
    ytd_social_insurance: Decimal
    ytd_special_additional_deductions: Decimal
    ytd_other_deductions: Decimal
    ytd_taxable_income: Decimal  # may be negative; tax is then 0
    ytd_tax: Decimal
    bracket: int
    rate: Decimal
    quick_deduction: Decimal
    ytd_tax_relief: Decimal
    ytd_tax_withheld_before: Decimal
    computed_withholding: Decimal  # may be negative: nothing is refunded during the year
    withholding: Decimal  # this month's withholding, never negative
    ytd_tax_withheld_after: Decimal


def _validate_withholding_input(rules: IitRules, inp: WithholdingInput) -> None:
    amounts = {
        "ytd_income": inp.ytd_income,
        "ytd_exempt_income": inp.ytd_exempt_income,
        "ytd_social_insurance": inp.ytd_social_insurance,
        "ytd_special_additional_deductions": inp.ytd_special_additional_deductions,
        "ytd_other_deductions": inp.ytd_other_deductions,
        "ytd_tax_relief": inp.ytd_tax_relief,
        "ytd_tax_withheld": inp.ytd_tax_withheld,
    }
    require_decimal(**amounts)
    errors: dict[str, list[str]] = {}
    for name, value in amounts.items():
        if value < 0:
            errors[name] = [gettext("Cannot be negative.")]
    if not 1 <= inp.month <= MONTHS_PER_YEAR:
        errors["month"] = [gettext("The month must be between 1 and 12.")]
    elif not 1 <= inp.months_employed <= inp.month:
        errors["months_employed"] = [gettext("The months employed this year must be between 1 and the month number.")]
    if inp.first_wages_of_year and inp.previous_year_low_income:
        errors["first_wages_of_year"] = [
            gettext("Someone first paid wages this year cannot also have been employed all of last year.")
        ]
    if errors:
        raise InvalidInput(gettext("The withholding figures are not valid."), errors)
    month_start = date(inp.year, inp.month, 1)
    if not (rules.withholding.valid_from <= month_start <= (rules.withholding.valid_to or month_start)):
        raise IitRulesUnavailable(
            gettext("The cumulative withholding method does not apply to %(year)s-%(month)02d.")
            % {"year": inp.year, "month": inp.month},
            {"year": [gettext("No withholding rules for this period.")]},
        )
    if rules.as_of.year != inp.year:
        raise InvalidInput(
            gettext("The rules given are those of %(rules_year)s, not of %(year)s.")
            % {"rules_year": rules.as_of.year, "year": inp.year},
            {"year": [gettext("Use the rules of the tax year.")]},
        )
    if inp.first_wages_of_year and rules.first_wages is None:
        raise InvalidInput(
            gettext("The first-wages-of-the-year rule is not in force for this period."),
            {"first_wages_of_year": [gettext("Not available for this period.")]},
        )
    if inp.previous_year_low_income and rules.low_income is None:
        raise InvalidInput(
            gettext("The previous-year low income rule is not in force for this period."),
            {"previous_year_low_income": [gettext("Not available for this period.")]},
        )


def qualifies_for_low_income_rule(
    rules: IitRules, *, previous_year_months_employed_here: int, previous_year_wage_income: Decimal
) -> bool:
    """Whether 国家税务总局公告2020年第19号 applies: employed here (the same withholding agent) in every
    month of the previous year, with that year's wage income at most the limit in the data (60,000).

    ``rules`` are those of the current year; the rule is not in force before 2021.
    """
    require_decimal(previous_year_wage_income=previous_year_wage_income)
    if rules.low_income is None:
        return False
    return (
        previous_year_months_employed_here == MONTHS_PER_YEAR
        and previous_year_wage_income <= rules.low_income.previous_year_income_limit
    )


def ytd_basic_deduction(rules: IitRules, inp: WithholdingInput) -> tuple[Decimal, str]:
    """The cumulative basic deduction (累计减除费用) and the rule that gave it."""
    monthly = rules.withholding.monthly_basic_deduction
    if inp.previous_year_low_income:
        assert rules.low_income is not None
        return rules.low_income.annual_basic_deduction, BasicDeductionRule.PREVIOUS_YEAR_LOW_INCOME
    if inp.first_wages_of_year:
        return monthly * inp.month, BasicDeductionRule.FIRST_WAGES
    return monthly * inp.months_employed, BasicDeductionRule.MONTHS_EMPLOYED


def withhold_month(rules: IitRules, inp: WithholdingInput) -> WithholdingResult:
    """This month's withholding under the cumulative method (国家税务总局公告2018年第61号):

    ytd taxable = ytd income - ytd exempt - ytd basic deduction - ytd social insurance and housing
    fund - ytd special additional - ytd other deductions; ytd tax = ytd taxable x rate - quick
    deduction (comprehensive table); this month = ytd tax - ytd relief - tax withheld before. A
    negative result withholds nothing ("暂不退税"); the next month subtracts what was really withheld.

    ``rules`` must be those of the withholding year (``book.for_date(date(year, month, 1))``).
    """
    _validate_withholding_input(rules, inp)
    basic, basic_rule = ytd_basic_deduction(rules, inp)
    taxable = (
        inp.ytd_income
        - inp.ytd_exempt_income
        - basic
        - inp.ytd_social_insurance
        - inp.ytd_special_additional_deductions
        - inp.ytd_other_deductions
    )
    computation = tax_from_table(rules.comprehensive_table, taxable)
    computed = computation.tax - inp.ytd_tax_relief - inp.ytd_tax_withheld
    withholding = max(computed, ZERO)
    return WithholdingResult(
        year=inp.year,
        month=inp.month,
        basic_deduction_rule=basic_rule,
        ytd_income=inp.ytd_income,
        ytd_exempt_income=inp.ytd_exempt_income,
        ytd_basic_deduction=basic,
        ytd_social_insurance=inp.ytd_social_insurance,
        ytd_special_additional_deductions=inp.ytd_special_additional_deductions,
        ytd_other_deductions=inp.ytd_other_deductions,
        ytd_taxable_income=taxable,
        ytd_tax=computation.tax,
        bracket=computation.bracket,
        rate=computation.rate,
        quick_deduction=computation.quick_deduction,
        ytd_tax_relief=inp.ytd_tax_relief,
        ytd_tax_withheld_before=inp.ytd_tax_withheld,
        computed_withholding=computed,
        withholding=withholding,
        ytd_tax_withheld_after=inp.ytd_tax_withheld + withholding,
    )


def annual_tax(rules: IitRules, annual_taxable_income: Decimal) -> TaxComputation:
    """Tax of a year's comprehensive income on the annual table (the reconciliation's figure)."""
    return tax_from_table(rules.comprehensive_table, annual_taxable_income)
