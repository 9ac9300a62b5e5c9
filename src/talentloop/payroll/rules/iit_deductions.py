"""Special additional deductions (专项附加扣除) and the other allowed deductions of China's IIT.

The figures (monthly amounts, caps, month limits, allowed shares) come from effective-dated rule
data (``payroll/data/iit.json``, read by :func:`talentloop.payroll.rules.iit.load_iit_rules`); this
module only knows what each kind of deduction *means*. A declaration is checked against the rules of
one tax year, because people confirm their declarations year by year and every change of the
figures so far took effect on 1 January.

Serious illness (大病医疗) is settled only in the annual reconciliation, never in wage
withholding, so it has no kind here.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_DOWN, Decimal
from typing import Any

from django.utils.translation import gettext

from talentloop.core.errors import InvalidInput

FEN = Decimal("0.01")
HUNDRED = Decimal(100)
ZERO = Decimal(0)


class DeductionKind(enum.StrEnum):
    CHILDREN_EDUCATION = "children_education"
    INFANT_CARE = "infant_care"
    CONTINUING_EDUCATION_DEGREE = "continuing_education_degree"
    CONTINUING_EDUCATION_VOCATIONAL = "continuing_education_vocational"
    HOUSING_LOAN_INTEREST = "housing_loan_interest"
    HOUSING_RENT = "housing_rent"
    ELDERLY_SUPPORT = "elderly_support"
    # The "other deductions allowed by law" (依法确定的其他扣除) a payroll withholds with.
    PERSONAL_PENSION = "personal_pension"
    COMMERCIAL_HEALTH_INSURANCE = "commercial_health_insurance"


#: Kinds that are special additional deductions (the rest are "other deductions").
SPECIAL_ADDITIONAL_KINDS = frozenset(
    {
        DeductionKind.CHILDREN_EDUCATION,
        DeductionKind.INFANT_CARE,
        DeductionKind.CONTINUING_EDUCATION_DEGREE,
        DeductionKind.CONTINUING_EDUCATION_VOCATIONAL,
        DeductionKind.HOUSING_LOAN_INTEREST,
        DeductionKind.HOUSING_RENT,
        DeductionKind.ELDERLY_SUPPORT,
    }
)


class ElderlySplit(enum.StrEnum):
    """How siblings share the elderly support deduction."""

    EQUAL = "equal"  # 平均分摊
    AGREED = "agreed"  # 约定分摊 (written agreement between the siblings)
    DESIGNATED = "designated"  # 指定分摊 (the parent designates; takes priority over an agreement)


def round_share_down(amount: Decimal) -> Decimal:
    """An equal share of a deduction, cut down to the fen so the shares never exceed the whole.

    (3,000 shared by three is 1,000.00; 2,000 shared by three is 666.66, not 666.67.)
    """
    return amount.quantize(FEN, rounding=ROUND_DOWN)


@dataclass(frozen=True)
class DeductionRule:
    """One kind of deduction as the data defines it for a period."""

    kind: DeductionKind
    valid_from: date
    valid_to: date | None
    source: str
    monthly_amount: Decimal | None = None
    annual_amount: Decimal | None = None
    per_person_cap: Decimal | None = None
    max_months: int | None = None
    max_age_months: int | None = None
    min_age_months: int | None = None
    allowed_shares: tuple[Decimal, ...] = (HUNDRED,)
    tier_amounts: Mapping[int, Decimal] = field(default_factory=dict)

    def covers(self, day: date) -> bool:
        return self.valid_from <= day and (self.valid_to is None or day <= self.valid_to)


def _decimal_or_none(value: Any) -> Decimal | None:
    return None if value is None else Decimal(str(value))


def parse_deduction_rule(entry: Mapping[str, Any]) -> DeductionRule:
    """Build a rule from one ``deductions`` entry of the JSON data."""
    return DeductionRule(
        kind=DeductionKind(entry["kind"]),
        valid_from=date.fromisoformat(entry["valid_from"]),
        valid_to=date.fromisoformat(entry["valid_to"]) if entry.get("valid_to") else None,
        source=str(entry["source"]),
        monthly_amount=_decimal_or_none(entry.get("monthly_amount")),
        annual_amount=_decimal_or_none(entry.get("annual_amount")),
        per_person_cap=_decimal_or_none(entry.get("per_person_cap")),
        max_months=entry.get("max_months"),
        max_age_months=entry.get("max_age_months"),
        min_age_months=entry.get("min_age_months"),
        allowed_shares=tuple(Decimal(str(s)) for s in entry.get("allowed_shares", ["100"])),
        tier_amounts={int(k): Decimal(str(v)) for k, v in entry.get("tier_amounts", {}).items()},
    )


@dataclass(frozen=True)
class DeductionRules:
    """The deduction rules in force on one date, one rule per kind (a kind may be absent)."""

    as_of: date
    by_kind: Mapping[DeductionKind, DeductionRule]

    def get(self, kind: DeductionKind) -> DeductionRule | None:
        return self.by_kind.get(kind)


def deduction_rules_for_date(rules: Iterable[DeductionRule], day: date) -> DeductionRules:
    by_kind: dict[DeductionKind, DeductionRule] = {}
    for rule in rules:
        if rule.covers(day):
            by_kind[rule.kind] = rule
    return DeductionRules(as_of=day, by_kind=by_kind)


@dataclass(frozen=True)
class Declaration:
    """What one person declares for one deduction.

    ``start`` and ``end`` are months (the day is ignored); ``end`` is the last month included.
    ``dependent`` names the child for children's education and infant care (one declaration per
    child). ``monthly_amount`` is the agreed or designated share of an elderly support deduction, or
    the monthly contribution/premium of a personal pension or health insurance.
    ``months_already_used`` counts months of a degree course or of a housing loan already deducted
    before ``start`` (the 48- and 240-month limits count them).
    """

    kind: DeductionKind
    start: date
    end: date | None = None
    share_percent: Decimal = HUNDRED
    dependent: str = ""
    dependent_birth_date: date | None = None
    city_tier: int | None = None
    only_child: bool = True
    elderly_split: ElderlySplit | None = None
    sharers: int = 1
    monthly_amount: Decimal | None = None
    months_already_used: int = 0
    first_home: bool = True
    premarital_home: bool = False


def _month_index(day: date) -> int:
    return day.year * 12 + day.month - 1


def _months_between(start: date, end: date) -> int:
    """Whole months from ``start``'s month to ``end``'s month (0 when the same month)."""
    return _month_index(end) - _month_index(start)


def _add_months(day: date, months: int) -> date:
    index = _month_index(day) + months
    return date(index // 12, index % 12 + 1, 1)


def _declared_months_in_year(decl: Declaration, year: int) -> tuple[date, date] | None:
    """First and last month of ``year`` the declaration covers, or None."""
    first = max(date(decl.start.year, decl.start.month, 1), date(year, 1, 1))
    last = date(year, 12, 1) if decl.end is None else min(date(decl.end.year, decl.end.month, 1), date(year, 12, 1))
    return (first, last) if first <= last else None


def _covers_month(decl: Declaration, month: date) -> bool:
    if _month_index(month) < _month_index(decl.start):
        return False
    return decl.end is None or _month_index(month) <= _month_index(decl.end)


def _fmt(amount: Decimal) -> str:
    return f"{amount:,.2f}"


def _elderly_share(decl: Declaration, rule: DeductionRule) -> Decimal:
    """The monthly amount of a validated elderly support declaration under ``rule``."""
    assert rule.monthly_amount is not None
    if decl.only_child:
        return rule.monthly_amount
    if decl.elderly_split == ElderlySplit.EQUAL:
        return round_share_down(rule.monthly_amount / decl.sharers)
    assert decl.monthly_amount is not None
    return decl.monthly_amount


def validate_declaration(decl: Declaration, rules: DeductionRules, year: int) -> dict[str, list[str]]:
    """Per-field errors of one declaration for tax ``year`` (empty when it may be used).

    ``rules`` are the deduction rules of that year (``IitRuleBook.for_year(year).deductions``).
    """
    errors: dict[str, list[str]] = {}

    def add(name: str, message: str) -> None:
        errors.setdefault(name, []).append(message)

    if decl.end is not None and _month_index(decl.end) < _month_index(decl.start):
        add("end", gettext("The last month is before the first month."))
        return errors
    span = _declared_months_in_year(decl, year)
    if span is None:
        add("start", gettext("The declaration covers no month of %(year)s.") % {"year": year})
        return errors
    rule = rules.get(decl.kind)
    if rule is None or not (rule.covers(span[0]) and rule.covers(span[1])):
        add(
            "kind",
            gettext("This deduction is not available in %(year)s (outside the dates of its rule).") % {"year": year},
        )
        return errors

    if decl.share_percent not in rule.allowed_shares:
        allowed = ", ".join(f"{s.normalize()}%" for s in rule.allowed_shares)
        add("share_percent", gettext("The share must be one of: %(allowed)s.") % {"allowed": allowed})

    kind = decl.kind
    if kind in (DeductionKind.CHILDREN_EDUCATION, DeductionKind.INFANT_CARE) and not decl.dependent:
        add("dependent", gettext("Name the child this deduction is for."))
    if kind == DeductionKind.INFANT_CARE:
        _validate_infant_care(decl, rule, add)
    elif kind == DeductionKind.CHILDREN_EDUCATION and decl.dependent_birth_date and rule.min_age_months:
        first_month = _add_months(decl.dependent_birth_date, rule.min_age_months)
        if _month_index(decl.start) < _month_index(first_month):
            add(
                "start",
                gettext("Children's education starts in the month the child turns three (infant care before)."),
            )
    elif kind in (DeductionKind.CONTINUING_EDUCATION_DEGREE, DeductionKind.HOUSING_LOAN_INTEREST):
        _validate_month_limit(decl, rule, add)
        if kind == DeductionKind.HOUSING_LOAN_INTEREST:
            if not decl.first_home:
                add("first_home", gettext("Only the interest on a first home loan can be deducted."))
            if decl.share_percent != HUNDRED and not decl.premarital_home:
                add(
                    "share_percent",
                    gettext("Spouses may each deduct half only for homes each bought before the marriage."),
                )
    elif kind == DeductionKind.CONTINUING_EDUCATION_VOCATIONAL:
        if decl.start.year != year:
            add("start", gettext("A vocational certificate is deducted only in the year it is obtained."))
    elif kind == DeductionKind.HOUSING_RENT:
        if decl.city_tier not in rule.tier_amounts:
            tiers = ", ".join(str(t) for t in sorted(rule.tier_amounts))
            add("city_tier", gettext("Choose the city tier of the main place of work: %(tiers)s.") % {"tiers": tiers})
    elif kind == DeductionKind.ELDERLY_SUPPORT:
        _validate_elderly(decl, rule, add)
    elif kind in (DeductionKind.PERSONAL_PENSION, DeductionKind.COMMERCIAL_HEALTH_INSURANCE):
        _validate_contribution(decl, rule, add)
    return errors


def _validate_infant_care(decl: Declaration, rule: DeductionRule, add: Any) -> None:
    if decl.dependent_birth_date is None:
        add("dependent_birth_date", gettext("Give the child's date of birth."))
        return
    if _month_index(decl.start) < _month_index(decl.dependent_birth_date):
        add("start", gettext("Infant care starts in the month the child is born."))
    assert rule.max_age_months is not None
    last_month = _add_months(decl.dependent_birth_date, rule.max_age_months - 1)
    if decl.end is not None and _month_index(decl.end) > _month_index(last_month):
        add(
            "end",
            gettext("Infant care ends in the month before the child turns three (%(month)s).")
            % {"month": f"{last_month:%Y-%m}"},
        )


def _validate_month_limit(decl: Declaration, rule: DeductionRule, add: Any) -> None:
    assert rule.max_months is not None
    if decl.months_already_used < 0:
        add("months_already_used", gettext("The months already used cannot be negative."))
    elif decl.months_already_used >= rule.max_months:
        add(
            "months_already_used",
            gettext("The limit of %(months)s months of this deduction is already used up.")
            % {"months": rule.max_months},
        )
    elif (
        decl.end is not None and decl.months_already_used + _months_between(decl.start, decl.end) + 1 > rule.max_months
    ):
        add(
            "end",
            gettext("This deduction may be taken for at most %(months)s months.") % {"months": rule.max_months},
        )


def _validate_elderly(decl: Declaration, rule: DeductionRule, add: Any) -> None:
    assert rule.per_person_cap is not None
    if decl.only_child:
        if decl.elderly_split is not None or decl.monthly_amount is not None:
            add("elderly_split", gettext("An only child takes the whole amount; there is nothing to share."))
        return
    if decl.elderly_split is None:
        add("elderly_split", gettext("Say how the siblings share the deduction."))
        return
    if decl.elderly_split == ElderlySplit.EQUAL:
        if decl.sharers < 2:
            add("sharers", gettext("An equal split needs the number of siblings sharing (at least two)."))
        if decl.monthly_amount is not None:
            add("monthly_amount", gettext("An equal split has no amount to enter."))
        return
    amount = decl.monthly_amount
    if amount is None or amount <= 0:
        add("monthly_amount", gettext("Enter the monthly amount agreed or designated for you."))
    elif amount > rule.per_person_cap:
        add(
            "monthly_amount",
            gettext("A sibling's share may not exceed %(cap)s a month.") % {"cap": _fmt(rule.per_person_cap)},
        )
    elif amount != amount.quantize(FEN):
        add("monthly_amount", gettext("Amounts are in yuan with at most two decimal places."))


def _validate_contribution(decl: Declaration, rule: DeductionRule, add: Any) -> None:
    amount = decl.monthly_amount
    if amount is None or amount <= 0:
        add("monthly_amount", gettext("Enter the monthly contribution actually paid."))
    elif amount != amount.quantize(FEN):
        add("monthly_amount", gettext("Amounts are in yuan with at most two decimal places."))


def _overlap(a: Declaration, b: Declaration, year: int) -> bool:
    span_a, span_b = _declared_months_in_year(a, year), _declared_months_in_year(b, year)
    if span_a is None or span_b is None:
        return False
    return span_a[0] <= span_b[1] and span_b[0] <= span_a[1]


def validate_declarations(
    declarations: Sequence[Declaration], rules: DeductionRules, year: int
) -> dict[str, list[str]]:
    """Errors of a person's declarations for ``year``: each one's fields as ``"<index>.<field>"``,
    and the rules between them under ``"__all__"``."""
    errors: dict[str, list[str]] = {}
    for index, decl in enumerate(declarations):
        for name, messages in validate_declaration(decl, rules, year).items():
            errors[f"{index}.{name}"] = messages
    general: list[str] = []
    pairs = [(a, b) for i, a in enumerate(declarations) for b in declarations[i + 1 :]]
    housing = {DeductionKind.HOUSING_LOAN_INTEREST, DeductionKind.HOUSING_RENT}
    child_kinds = {DeductionKind.CHILDREN_EDUCATION, DeductionKind.INFANT_CARE}
    kinds = {d.kind for d in declarations if _declared_months_in_year(d, year) is not None}
    if housing <= kinds:
        general.append(gettext("Housing loan interest and rent cannot both be deducted in the same year."))
    for a, b in pairs:
        if not _overlap(a, b, year):
            continue
        if a.kind in child_kinds and b.kind in child_kinds and a.dependent and a.dependent == b.dependent:
            general.append(
                gettext("The child %(child)s is declared more than once for the same months.") % {"child": a.dependent}
            )
        elif a.kind == b.kind and a.kind not in child_kinds:
            # Per child is the only "per person" deduction: elderly support is one flat amount however
            # many parents, and a person has one rent, one first-home loan, one degree course at a time.
            general.append(gettext("A deduction of this kind is declared twice for the same months."))
    if general:
        errors["__all__"] = general
    return errors


@dataclass(frozen=True)
class DeductionBreakdown:
    """Deductions of a month (or of months summed): per kind, and the two totals a payroll uses."""

    by_kind: Mapping[DeductionKind, Decimal]
    special_additional: Decimal
    other: Decimal


def _breakdown(by_kind: Mapping[DeductionKind, Decimal]) -> DeductionBreakdown:
    special = sum((v for k, v in by_kind.items() if k in SPECIAL_ADDITIONAL_KINDS), ZERO)
    other = sum((v for k, v in by_kind.items() if k not in SPECIAL_ADDITIONAL_KINDS), ZERO)
    return DeductionBreakdown(by_kind=dict(by_kind), special_additional=special, other=other)


def _amount_in_month(decl: Declaration, rule: DeductionRule, month: date) -> Decimal:
    """The deduction of a valid declaration in one month, before the annual caps of contributions."""
    if not _covers_month(decl, month) or not rule.covers(month):
        return ZERO
    share = decl.share_percent / HUNDRED
    kind = decl.kind
    if kind in (DeductionKind.CHILDREN_EDUCATION,):
        assert rule.monthly_amount is not None
        return rule.monthly_amount * share
    if kind == DeductionKind.INFANT_CARE:
        assert rule.monthly_amount is not None and rule.max_age_months is not None
        assert decl.dependent_birth_date is not None
        age_months = _months_between(decl.dependent_birth_date, month)
        if not 0 <= age_months < rule.max_age_months:
            return ZERO
        return rule.monthly_amount * share
    if kind in (DeductionKind.CONTINUING_EDUCATION_DEGREE, DeductionKind.HOUSING_LOAN_INTEREST):
        assert rule.monthly_amount is not None and rule.max_months is not None
        if decl.months_already_used + _months_between(decl.start, month) >= rule.max_months:
            return ZERO
        return rule.monthly_amount * share
    if kind == DeductionKind.CONTINUING_EDUCATION_VOCATIONAL:
        assert rule.annual_amount is not None
        return rule.annual_amount if _month_index(month) == _month_index(decl.start) else ZERO
    if kind == DeductionKind.HOUSING_RENT:
        assert decl.city_tier is not None
        return rule.tier_amounts[decl.city_tier]
    if kind == DeductionKind.ELDERLY_SUPPORT:
        return _elderly_share(decl, rule)
    # Contributions: what was paid; the caps are applied over the year by the caller.
    assert decl.monthly_amount is not None
    return decl.monthly_amount


def _capped_contribution(paid_to_date: Decimal, rule: DeductionRule) -> Decimal:
    """Deductible part of the contributions paid so far this year (the annual and monthly caps)."""
    cap = rule.annual_amount
    return paid_to_date if cap is None else min(paid_to_date, cap)


def cumulative_deductions(
    declarations: Sequence[Declaration], rules: DeductionRules, year: int, through_month: int
) -> DeductionBreakdown:
    """Deductions from January to ``through_month`` of ``year`` (the figures cumulative withholding uses).

    Refuses (``InvalidInput``) declarations that do not validate for ``year``.
    """
    if not 1 <= through_month <= 12:
        raise InvalidInput(gettext("The month must be between 1 and 12."), {"month": [gettext("1 to 12.")]})
    errors = validate_declarations(declarations, rules, year)
    if errors:
        raise InvalidInput(gettext("The deduction declarations are not valid."), errors)
    totals: dict[DeductionKind, Decimal] = {}
    contributions: dict[DeductionKind, Decimal] = {}
    for decl in declarations:
        rule = rules.get(decl.kind)
        assert rule is not None
        for month_number in range(1, through_month + 1):
            month = date(year, month_number, 1)
            amount = _amount_in_month(decl, rule, month)
            if decl.kind == DeductionKind.COMMERCIAL_HEALTH_INSURANCE:
                assert rule.monthly_amount is not None
                amount = min(amount, rule.monthly_amount)
            if decl.kind in (DeductionKind.PERSONAL_PENSION, DeductionKind.COMMERCIAL_HEALTH_INSURANCE):
                contributions[decl.kind] = contributions.get(decl.kind, ZERO) + amount
            else:
                totals[decl.kind] = totals.get(decl.kind, ZERO) + amount
    for kind, paid in contributions.items():
        rule = rules.get(kind)
        assert rule is not None
        totals[kind] = _capped_contribution(paid, rule)
    return _breakdown(totals)


def monthly_deductions(
    declarations: Sequence[Declaration], rules: DeductionRules, year: int, month: int
) -> DeductionBreakdown:
    """The deductions of one month: the cumulative figure through ``month`` less that through the
    month before (so the annual caps of contributions bite in the month they are reached)."""
    now = cumulative_deductions(declarations, rules, year, month)
    if month == 1:
        return now
    before = cumulative_deductions(declarations, rules, year, month - 1)
    kinds = set(now.by_kind) | set(before.by_kind)
    return _breakdown({k: now.by_kind.get(k, ZERO) - before.by_kind.get(k, ZERO) for k in kinds})
