"""Individual income tax on a one-off compensation for the end of employment (解除劳动关系一次性补偿收入).

财税〔2018〕164号 art. 5(1): the one-off compensation an employee receives when the employment is ended
(economic compensation, living allowances and other subsidies paid by the employer) is exempt up to
three times the local average annual wage of the previous year; the rest is **not** added to the
year's comprehensive income but taxed on its own with the comprehensive (annual) table, with no
deduction of any kind: tax = rest x rate - quick deduction. (The older method of 国税发〔1999〕178号,
which spread the rest over the years of service and used the monthly table, ended with 2018.)

Pure calculations, no database. The rule's dates and its multiple are data in ``payroll/data/iit.json``
(``severance_separate_taxation``, effective-dated like the other tax rules); the table is the
comprehensive table of the :class:`~talentloop.payroll.rules.iit.IitRules` in force on the payment
date. The local average annual wage is the city's average monthly wage of the previous year x 12
(``PolicyBook.average_monthly_wage_for``), the figure the art. 47 compensation cap also uses.

Which final-pay amounts form the one-off compensation is decided in
:mod:`talentloop.payroll.rules.final_pay` (``SEVERANCE_CODES``); pay for unused leave is wages.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from importlib import resources
from typing import TYPE_CHECKING, Any

from django.utils.translation import gettext, pgettext_lazy

from talentloop.core.errors import InvalidInput
from talentloop.payroll.rules.iit import MONTHS_PER_YEAR, ZERO, IitRules, tax_from_table
from talentloop.payroll.rules.month.records import Line, LineKind

if TYPE_CHECKING:
    from django.utils.functional import _StrOrPromise as StrOrPromise

#: The payslip line of the tax withheld on the compensation (a deduction, negative).
SEVERANCE_TAX = "final_pay.severance_tax"
LABEL: StrOrPromise = pgettext_lazy("payslip", "Individual income tax on the compensation (taxed separately)")


@dataclass(frozen=True)
class SeveranceRule:
    """A period in which the exemption and separate taxation of 164号 art. 5(1) apply."""

    valid_from: date
    valid_to: date | None
    source: str
    exempt_multiple: Decimal  # of the local average annual wage of the previous year

    def covers(self, day: date) -> bool:
        return self.valid_from <= day and (self.valid_to is None or day <= self.valid_to)


def severance_rules_from_data(data: Mapping[str, Any]) -> tuple[SeveranceRule, ...]:
    """The periods of the rule from the parsed layout of ``payroll/data/iit.json``; overlaps refused."""
    rules = tuple(
        sorted(
            (
                SeveranceRule(
                    valid_from=date.fromisoformat(e["valid_from"]),
                    valid_to=date.fromisoformat(e["valid_to"]) if e.get("valid_to") else None,
                    source=str(e["source"]),
                    exempt_multiple=Decimal(e["exempt_multiple_of_average_annual_wage"]),
                )
                for e in data.get("severance_separate_taxation", [])
            ),
            key=lambda r: r.valid_from,
        )
    )
    for earlier, later in zip(rules, rules[1:], strict=False):
        if earlier.valid_to is None or earlier.valid_to >= later.valid_from:
            raise ValueError("The periods of severance_separate_taxation overlap.")
    return rules


def load_severance_rules() -> tuple[SeveranceRule, ...]:
    """The rule's periods shipped in ``payroll/data/iit.json`` (beside the other tax rules)."""
    text = resources.files("talentloop.payroll").joinpath("data", "iit.json").read_text(encoding="utf-8")
    return severance_rules_from_data(json.loads(text))


@dataclass(frozen=True)
class SeveranceTax:
    """Every figure of the tax on a one-off compensation, for the review and the payslip line."""

    compensation: Decimal  # the one-off compensation income
    city_average_monthly_wage: Decimal
    city_average_annual_wage: Decimal  # x 12
    exempt_multiple: Decimal
    exempt_limit: Decimal  # multiple x the annual wage
    exempt: Decimal  # the part within the limit: not taxed
    taxable: Decimal  # the rest, taxed on its own
    bracket: int  # of the comprehensive table, counted from 1
    rate: Decimal
    quick_deduction: Decimal
    tax: Decimal
    paid_on: date
    source: str

    @property
    def net(self) -> Decimal:
        return self.compensation - self.tax

    def explain(self) -> dict[str, Any]:
        """The figures a payslip line shows (money as Decimal; the caller stores them as JSON)."""
        return {
            "compensation": self.compensation,
            "city_average_monthly_wage": self.city_average_monthly_wage,
            "city_average_annual_wage": self.city_average_annual_wage,
            "exempt_multiple": self.exempt_multiple,
            "exempt_limit": self.exempt_limit,
            "exempt": self.exempt,
            "taxable": self.taxable,
            "table": "comprehensive",
            "bracket": self.bracket,
            "rate": self.rate,
            "quick_deduction": self.quick_deduction,
            "paid_on": self.paid_on.isoformat(),
            "articles": "财税〔2018〕164号 5(1)",
        }

    def line(self) -> Line:
        """The tax as a payslip deduction line (negative), always shown: the person sees why it is taken."""
        return Line(SEVERANCE_TAX, LABEL, -self.tax, LineKind.DEDUCTION, self.explain())


def _is_amount(value: object) -> bool:
    return isinstance(value, Decimal) and value.is_finite()


def severance_tax(
    iit_rules: IitRules,
    *,
    compensation: Decimal,
    city_average_monthly_wage: Decimal,
    severance_rules: Sequence[SeveranceRule] | None = None,
) -> SeveranceTax:
    """Tax on a one-off compensation paid on ``iit_rules.as_of`` (the rules in force on the payment date).

    The whole input is checked first (:class:`InvalidInput` with per-field errors); nothing is taxed
    when the rule does not cover the payment date.
    """
    periods = load_severance_rules() if severance_rules is None else severance_rules
    paid_on = iit_rules.as_of
    errors: dict[str, list[str]] = {}
    if not _is_amount(compensation):
        errors["compensation"] = [gettext("Not an exact decimal amount.")]
    elif compensation < 0:
        errors["compensation"] = [gettext("The compensation cannot be negative.")]
    if not _is_amount(city_average_monthly_wage) or city_average_monthly_wage <= 0:
        errors["city_average_monthly_wage"] = [gettext("Give the city's average monthly wage as a positive amount.")]
    rule = next((r for r in periods if r.covers(paid_on)), None)
    if rule is None:
        errors["paid_on"] = [
            gettext("No rule for the tax on a compensation for the end of employment covers %(date)s.")
            % {"date": paid_on.isoformat()}
        ]
    if errors:
        raise InvalidInput(gettext("The tax on the compensation cannot be worked out from these figures."), errors)
    assert rule is not None
    annual = city_average_monthly_wage * MONTHS_PER_YEAR
    limit = annual * rule.exempt_multiple
    exempt = min(compensation, limit)
    taxable = compensation - exempt
    computed = tax_from_table(iit_rules.comprehensive_table, taxable)
    return SeveranceTax(
        compensation=compensation,
        city_average_monthly_wage=city_average_monthly_wage,
        city_average_annual_wage=annual,
        exempt_multiple=rule.exempt_multiple,
        exempt_limit=limit,
        exempt=exempt,
        taxable=taxable,
        bracket=computed.bracket if taxable > 0 else 0,
        rate=computed.rate if taxable > 0 else ZERO,
        quick_deduction=computed.quick_deduction if taxable > 0 else ZERO,
        tax=computed.tax,
        paid_on=paid_on,
        source=rule.source,
    )
