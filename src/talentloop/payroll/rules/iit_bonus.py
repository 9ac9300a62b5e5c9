"""The annual one-time bonus (全年一次性奖金): taxed apart or merged, compared, and its cliffs.

Separate taxation (财税〔2018〕164号): bonus / 12 picks the bracket of the monthly-converted table, and
tax = bonus x rate - quick deduction. It is allowed only on the dates the rule data gives (extended
to 2027-12-31 by 财政部 税务总局公告2023年第30号) and once per person per tax year (国税发〔2005〕9号).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from decimal import ROUND_FLOOR, Decimal

from django.utils.translation import gettext

from talentloop.core.errors import InvalidInput
from talentloop.payroll.rules.iit import (
    FEN,
    MONTHS_PER_YEAR,
    ZERO,
    IitRules,
    TaxTable,
    WithholdingInput,
    WithholdingResult,
    annual_tax,
    find_bracket,
    require_decimal,
    round_tax,
    withhold_month,
)


class BonusSeparateTaxationRefused(InvalidInput):
    """Separate taxation of the annual bonus is not available (out of dates, or used already)."""


@dataclass(frozen=True)
class BonusTax:
    """Separate taxation of an annual one-time bonus: bonus / 12 picks the bracket of the monthly table,
    tax = bonus x rate - quick deduction."""

    bonus: Decimal
    monthly_equivalent: Decimal
    tax: Decimal
    bracket: int
    rate: Decimal
    quick_deduction: Decimal
    net: Decimal
    source: str


def bonus_separate_available(rules: IitRules) -> bool:
    return rules.bonus_separate is not None


def bonus_tax_separate(rules: IitRules, bonus: Decimal, *, already_used_this_year: bool) -> BonusTax:
    """Tax on an annual one-time bonus taxed apart from the year's comprehensive income.

    ``rules`` are those of the payment date. Refused when the data does not allow it on that date
    (e.g. after 2027-12-31 per 财政部 税务总局公告2023年第30号) or when the person already used it this
    tax year (国税发〔2005〕9号: once per person per year).
    """
    require_decimal(bonus=bonus)
    if bonus < 0:
        raise InvalidInput(gettext("The bonus cannot be negative."), {"bonus": [gettext("Cannot be negative.")]})
    if rules.bonus_separate is None:
        raise BonusSeparateTaxationRefused(
            gettext(
                "Separate taxation of the annual one-time bonus is not available on %(date)s; "
                "the bonus is added to the comprehensive income."
            )
            % {"date": rules.as_of.isoformat()},
            {"bonus": [gettext("Separate taxation not available on this date.")]},
        )
    if already_used_this_year:
        raise BonusSeparateTaxationRefused(
            gettext("Separate taxation of an annual bonus may be used only once per person in a tax year."),
            {"bonus": [gettext("Already used this tax year.")]},
        )
    monthly = bonus / MONTHS_PER_YEAR
    number, bracket = find_bracket(rules.monthly_table, monthly)
    tax = max(round_tax(bonus * bracket.rate - bracket.quick_deduction), ZERO)
    return BonusTax(
        bonus=bonus,
        monthly_equivalent=monthly,
        tax=tax,
        bracket=number,
        rate=bracket.rate,
        quick_deduction=bracket.quick_deduction,
        net=bonus - tax,
        source=rules.bonus_separate.source,
    )


@dataclass(frozen=True)
class MergedBonusTax:
    """The bonus added to the month's cumulative income: its tax is what it adds to the withholding."""

    without_bonus: WithholdingResult
    with_bonus: WithholdingResult
    tax: Decimal


def bonus_tax_merged(rules: IitRules, month: WithholdingInput, bonus: Decimal) -> MergedBonusTax:
    """Tax on a bonus merged into the month's wages (``month`` holds the figures without the bonus)."""
    require_decimal(bonus=bonus)
    if bonus < 0:
        raise InvalidInput(gettext("The bonus cannot be negative."), {"bonus": [gettext("Cannot be negative.")]})
    without = withhold_month(rules, month)
    with_bonus = withhold_month(rules, replace(month, ytd_income=month.ytd_income + bonus))
    return MergedBonusTax(
        without_bonus=without, with_bonus=with_bonus, tax=with_bonus.withholding - without.withholding
    )


class BonusMethod:
    SEPARATE = "separate"
    MERGED = "merged"


@dataclass(frozen=True)
class BonusComparison:
    """Both ways of taxing a bonus this month; ``separate`` is None when that way is not available."""

    bonus: Decimal
    separate: BonusTax | None
    separate_unavailable_reason: str
    merged: MergedBonusTax
    separate_month_total: Decimal | None  # the month's wage withholding + the bonus tax
    merged_month_total: Decimal
    cheaper: str  # BonusMethod; separate wins a tie (it leaves next months' brackets untouched)


def compare_bonus_methods(
    rules: IitRules, month: WithholdingInput, bonus: Decimal, *, already_used_this_year: bool
) -> BonusComparison:
    """Tax withheld this month under either method, and the cheaper one."""
    merged = bonus_tax_merged(rules, month, bonus)
    separate: BonusTax | None
    reason = ""
    try:
        separate = bonus_tax_separate(rules, bonus, already_used_this_year=already_used_this_year)
    except BonusSeparateTaxationRefused as refusal:
        separate, reason = None, refusal.detail
    separate_total = None if separate is None else merged.without_bonus.withholding + separate.tax
    merged_total = merged.with_bonus.withholding
    cheaper = BonusMethod.MERGED
    if separate_total is not None and separate_total <= merged_total:
        cheaper = BonusMethod.SEPARATE
    return BonusComparison(
        bonus=bonus,
        separate=separate,
        separate_unavailable_reason=reason,
        merged=merged,
        separate_month_total=separate_total,
        merged_month_total=merged_total,
        cheaper=cheaper,
    )


@dataclass(frozen=True)
class AnnualBonusComparison:
    """The year's tax with the bonus apart or merged, on the annual table (as the reconciliation does)."""

    separate_total: Decimal | None
    merged_total: Decimal
    cheaper: str


def compare_bonus_methods_annual(
    rules: IitRules, annual_taxable_income_without_bonus: Decimal, bonus: Decimal, *, already_used_this_year: bool
) -> AnnualBonusComparison:
    """Whole-year comparison: tax(taxable) + bonus tax, against tax(taxable + bonus).

    ``annual_taxable_income_without_bonus`` is after every deduction and may be negative (unused
    deductions then absorb part of a merged bonus). ``rules`` are those of the tax year.
    """
    require_decimal(annual_taxable_income_without_bonus=annual_taxable_income_without_bonus)
    merged = annual_tax(rules, annual_taxable_income_without_bonus + bonus).tax
    try:
        separate = bonus_tax_separate(rules, bonus, already_used_this_year=already_used_this_year)
    except BonusSeparateTaxationRefused:
        return AnnualBonusComparison(separate_total=None, merged_total=merged, cheaper=BonusMethod.MERGED)
    separate_total = annual_tax(rules, annual_taxable_income_without_bonus).tax + separate.tax
    cheaper = BonusMethod.SEPARATE if separate_total <= merged else BonusMethod.MERGED
    return AnnualBonusComparison(separate_total=separate_total, merged_total=merged, cheaper=cheaper)


@dataclass(frozen=True)
class BonusCliff:
    """A range of bonuses that leave less after tax than the bracket's upper edge (年终奖无效区间).

    Every bonus from ``first_worse`` to ``last_worse`` (to the cent, both included) nets less than
    ``edge`` does; from ``break_even`` on, a larger bonus nets at least as much again.
    """

    bracket: int  # the bracket whose upper edge is ``edge``
    edge: Decimal
    edge_net: Decimal
    first_worse: Decimal
    last_worse: Decimal
    break_even: Decimal


def _separate_net(table: TaxTable, bonus: Decimal) -> Decimal:
    _, bracket = find_bracket(table, bonus / MONTHS_PER_YEAR)
    return bonus - max(round_tax(bonus * bracket.rate - bracket.quick_deduction), ZERO)


def bonus_cliffs(table: TaxTable) -> list[BonusCliff]:
    """The ranges of bonuses above each bracket's edge (12 x its monthly upper bound) that net less
    than the edge itself, worked out from the monthly table.

    Above the edge E (bracket i: rate r, quick deduction q; next: r', q') a bonus B nets
    B (1 - r') + q', and the edge nets E (1 - r) + q, so B nets less while
    B < (E (1 - r) + q - q') / (1 - r'). The end points are then moved to the cent so that each
    one really nets less (or not) after rounding the tax to the fen.
    """
    cliffs: list[BonusCliff] = []
    for number, (low, high) in enumerate(zip(table.brackets, table.brackets[1:], strict=False), start=1):
        assert low.up_to is not None
        edge = low.up_to * MONTHS_PER_YEAR
        edge_net = _separate_net(table, edge)
        first = edge + FEN
        if _separate_net(table, first) >= edge_net:
            continue  # no cliff after this edge (never with rising rates, but the data decides)
        exact = (edge * (1 - low.rate) + low.quick_deduction - high.quick_deduction) / (1 - high.rate)
        last = exact.quantize(FEN, rounding=ROUND_FLOOR)
        while _separate_net(table, last) >= edge_net:
            last -= FEN
        while _separate_net(table, last + FEN) < edge_net:
            last += FEN
        cliffs.append(
            BonusCliff(
                bracket=number, edge=edge, edge_net=edge_net, first_worse=first, last_worse=last, break_even=last + FEN
            )
        )
    return cliffs
