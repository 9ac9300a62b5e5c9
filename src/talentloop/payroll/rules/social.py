"""Social insurance and housing fund contributions per city, over effective-dated policy data.

A city policy is valid for a period (usually 1 July to 30 June, the cities' contribution year) and
gives, per fund, the contribution base floor and ceiling, the employer's and the employee's rate, an
optional fixed employee amount (Beijing's 3 yuan for serious-illness medical insurance) and the
rounding rule the city applies to that fund. Every figure comes from the policy object; the
arithmetic holds no rule figure of its own, so the same functions serve data that HR edits later.

The published figures live in ``payroll/data/social_policies.json`` with a source per entry.
"""

from __future__ import annotations

import datetime as dt
import functools
import json
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, ROUND_UP, Decimal, InvalidOperation
from enum import StrEnum
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple, TypeVar

from django.utils.translation import gettext as _
from django.utils.translation import pgettext_lazy

from talentloop.core.errors import InvalidInput, NotFound

if TYPE_CHECKING:
    from django.utils.functional import _StrOrPromise as StrOrPromise

DEFAULT_POLICY_FILE = Path(__file__).resolve().parent.parent / "data" / "social_policies.json"

ZERO = Decimal("0")
FEN = Decimal("0.01")
JIAO = Decimal("0.1")
YUAN = Decimal("1")


class Fund(StrEnum):
    PENSION = "pension"
    # Medical insurance; where a city merged maternity insurance into it, its rate includes maternity.
    MEDICAL = "medical"
    UNEMPLOYMENT = "unemployment"
    WORK_INJURY = "work_injury"
    # Only where the city still levies maternity insurance separately.
    MATERNITY = "maternity"
    HOUSING_FUND = "housing_fund"


FUND_LABELS: Mapping[Fund, StrOrPromise] = {
    Fund.PENSION: pgettext_lazy("social insurance fund", "Pension insurance"),
    Fund.MEDICAL: pgettext_lazy("social insurance fund", "Medical insurance"),
    Fund.UNEMPLOYMENT: pgettext_lazy("social insurance fund", "Unemployment insurance"),
    Fund.WORK_INJURY: pgettext_lazy("social insurance fund", "Work injury insurance"),
    Fund.MATERNITY: pgettext_lazy("social insurance fund", "Maternity insurance"),
    Fund.HOUSING_FUND: pgettext_lazy("social insurance fund", "Housing fund"),
}


def fund_label(fund: Fund) -> str:
    """The fund's name for payslips and messages, in the active language."""
    return str(FUND_LABELS[fund])


# --- Rounding rules -------------------------------------------------------------------------------
# Each rule is a named function; a policy names the rule per fund. Results always carry two decimal
# places so payslip lines line up, whatever unit the rule rounds to.


def half_up_fen(amount: Decimal) -> Decimal:
    """To the fen (0.01 yuan), halves away from zero."""
    return amount.quantize(FEN, rounding=ROUND_HALF_UP)


def half_up_jiao(amount: Decimal) -> Decimal:
    """To the jiao (0.1 yuan), halves away from zero."""
    return amount.quantize(JIAO, rounding=ROUND_HALF_UP).quantize(FEN)


def half_up_yuan(amount: Decimal) -> Decimal:
    """To the whole yuan, halves away from zero (housing funds' usual 四舍五入到元)."""
    return amount.quantize(YUAN, rounding=ROUND_HALF_UP).quantize(FEN)


def up_jiao(amount: Decimal) -> Decimal:
    """Up to the next jiao as soon as there is any fen (见分进角)."""
    return amount.quantize(JIAO, rounding=ROUND_UP).quantize(FEN)


def up_yuan(amount: Decimal) -> Decimal:
    """Up to the next whole yuan as soon as there is any fraction (见角进元)."""
    return amount.quantize(YUAN, rounding=ROUND_UP).quantize(FEN)


ROUNDING_RULES: Mapping[str, Callable[[Decimal], Decimal]] = {
    "HALF_UP_FEN": half_up_fen,
    "HALF_UP_JIAO": half_up_jiao,
    "HALF_UP_YUAN": half_up_yuan,
    "UP_JIAO": up_jiao,
    "UP_YUAN": up_yuan,
}


def apply_rounding(rule: str, amount: Decimal) -> Decimal:
    """Round ``amount`` by the named rule; an unknown name is refused rather than guessed."""
    try:
        func = ROUNDING_RULES[rule]
    except KeyError:
        raise InvalidInput(_("Unknown rounding rule “%(rule)s”.") % {"rule": rule}) from None
    return func(amount)


# --- Errors ---------------------------------------------------------------------------------------


class PolicyNotFound(NotFound):
    """No policy (or wage figure) covers the asked city and date."""


class InvalidPolicyData(InvalidInput):
    """The policy data or an override does not make sense (overlap, unknown fund, rate out of range)."""


# --- Policy data ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Source:
    """Where a figure comes from: the issuing body, the document and its address, and what was checked."""

    issuer: str
    document: str
    url: str = ""
    note: str = ""


@dataclass(frozen=True)
class RateRange:
    """The range an employer may choose a rate in (housing fund 5-12 %, work injury by industry class)."""

    minimum: Decimal
    maximum: Decimal

    def contains(self, rate: Decimal) -> bool:
        return self.minimum <= rate <= self.maximum


@dataclass(frozen=True)
class FundRule:
    fund: Fund
    base_floor: Decimal
    base_ceiling: Decimal
    employer_rate: Decimal
    employee_rate: Decimal
    rounding: str
    employee_fixed_amount: Decimal = ZERO
    employer_rate_range: RateRange | None = None
    employee_rate_range: RateRange | None = None
    source: Source | None = None


@dataclass(frozen=True)
class CityPolicy:
    city: str
    valid_from: dt.date
    valid_to: dt.date | None  # inclusive; None: until further notice
    funds: Mapping[Fund, FundRule]
    source: Source
    # False while a figure of the policy has not been checked against the official text.
    verified: bool = False

    def covers(self, on: dt.date) -> bool:
        return self.valid_from <= on and (self.valid_to is None or on <= self.valid_to)

    def rule(self, fund: Fund) -> FundRule:
        try:
            return self.funds[fund]
        except KeyError:
            raise InvalidPolicyData(
                _("The %(city)s policy from %(date)s has no rule for the fund “%(fund)s”.")
                % {"city": self.city, "date": self.valid_from.isoformat(), "fund": fund_label(fund)}
            ) from None


@dataclass(frozen=True)
class WageFigure:
    """A city's wage figure valid for a period: the minimum monthly wage or the average monthly wage."""

    city: str
    valid_from: dt.date
    valid_to: dt.date | None
    amount: Decimal
    source: Source
    verified: bool = False

    def covers(self, on: dt.date) -> bool:
        return self.valid_from <= on and (self.valid_to is None or on <= self.valid_to)


_Dated = TypeVar("_Dated", CityPolicy, WageFigure)


def _find_covering(items: Iterable[_Dated], city: str, on: dt.date) -> _Dated | None:
    for item in items:
        if item.city == city and item.covers(on):
            return item
    return None


@dataclass(frozen=True)
class PolicyBook:
    """Every city's policies and wage figures, as loaded from the data file (or later, the tables)."""

    policies: tuple[CityPolicy, ...]
    minimum_wages: tuple[WageFigure, ...] = ()
    # The city's average monthly wage of the previous year, valid for the period it is used in.
    average_monthly_wages: tuple[WageFigure, ...] = ()
    # Each city's key by the names a contract may give it (its key, its Chinese name with or without 市).
    city_names: Mapping[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        _refuse_overlaps(self.policies, "policies")
        _refuse_overlaps(self.minimum_wages, "minimum_wages")
        _refuse_overlaps(self.average_monthly_wages, "average_monthly_wages")

    def cities(self) -> tuple[str, ...]:
        return tuple(sorted({p.city for p in self.policies}))

    def city_key(self, text: str) -> str:
        """The data's key of the city a contract names ("上海", "上海市", "Shanghai" and "shanghai" are
        all ``shanghai``); the text itself, trimmed, when no city of the data has that name."""
        name = text.strip()
        return self.city_names.get(name.lower(), self.city_names.get(name.removesuffix("市"), name))

    def policy_for(self, city: str, on: dt.date, *, require_verified: bool = False) -> CityPolicy:
        policy = _find_covering(self.policies, city, on)
        if policy is None:
            raise PolicyNotFound(
                _("No social insurance policy for %(city)s on %(date)s.") % {"city": city, "date": on.isoformat()}
            )
        if require_verified and not policy.verified:
            raise PolicyNotFound(
                _("The social insurance policy for %(city)s on %(date)s is not checked against the official text.")
                % {"city": city, "date": on.isoformat()}
            )
        return policy

    def minimum_wage_for(self, city: str, on: dt.date) -> WageFigure:
        figure = _find_covering(self.minimum_wages, city, on)
        if figure is None:
            raise PolicyNotFound(
                _("No minimum wage for %(city)s on %(date)s.") % {"city": city, "date": on.isoformat()}
            )
        return figure

    def average_monthly_wage_for(self, city: str, on: dt.date) -> WageFigure:
        figure = _find_covering(self.average_monthly_wages, city, on)
        if figure is None:
            raise PolicyNotFound(
                _("No average monthly wage for %(city)s on %(date)s.") % {"city": city, "date": on.isoformat()}
            )
        return figure


def _refuse_overlaps(items: Iterable[CityPolicy | WageFigure], what: str) -> None:
    # ``what`` names the data file's list (policies, minimum_wages, ...), so it is not translated.
    by_city: dict[str, list[CityPolicy | WageFigure]] = {}
    for item in items:
        if item.valid_to is not None and item.valid_to < item.valid_from:
            raise InvalidPolicyData(
                _("%(city)s %(what)s: the period starting %(start)s ends before it starts.")
                % {"what": what, "city": item.city, "start": item.valid_from.isoformat()}
            )
        by_city.setdefault(item.city, []).append(item)
    for city, periods in by_city.items():
        periods.sort(key=lambda p: p.valid_from)
        for earlier, later in zip(periods, periods[1:], strict=False):
            if earlier.valid_to is None or earlier.valid_to >= later.valid_from:
                raise InvalidPolicyData(
                    _("%(city)s %(what)s: the periods starting %(first)s and %(second)s overlap.")
                    % {
                        "what": what,
                        "city": city,
                        "first": earlier.valid_from.isoformat(),
                        "second": later.valid_from.isoformat(),
                    }
                )


# --- Loading --------------------------------------------------------------------------------------


def _decimal(value: Any, where: str) -> Decimal:
    # Figures are strings in the file so that no float ever touches money.
    if not isinstance(value, str):
        raise InvalidPolicyData(
            _("%(where)s: write the figure as a string, not %(value)r.") % {"where": where, "value": value}
        )
    try:
        return Decimal(value)
    except InvalidOperation:
        raise InvalidPolicyData(
            _("%(where)s: “%(value)s” is not a number.") % {"where": where, "value": value}
        ) from None


def _required(raw: Mapping[str, Any], key: str, where: str) -> Any:
    try:
        return raw[key]
    except (KeyError, TypeError):
        raise InvalidPolicyData(_("%(where)s: “%(key)s” is missing.") % {"where": where, "key": key}) from None


def _start(raw: Mapping[str, Any], where: str) -> dt.date:
    start = _date(_required(raw, "valid_from", where), where)
    if start is None:
        raise InvalidPolicyData(_("%(where)s: “%(key)s” is missing.") % {"where": where, "key": "valid_from"})
    return start


def _rate(raw: Mapping[str, Any], key: str, where: str) -> Decimal:
    rate = _decimal(_required(raw, key, where), where)
    if not ZERO <= rate <= 1:
        raise InvalidPolicyData(
            _("%(where)s: the rate %(rate)s is not between 0 and 1 (write 8 %% as 0.08).")
            % {"where": where, "rate": rate}
        )
    return rate


def _date(value: Any, where: str) -> dt.date | None:
    if value is None:
        return None
    try:
        return dt.date.fromisoformat(value)
    except (TypeError, ValueError):
        raise InvalidPolicyData(_("%(where)s: “%(value)s” is not a date.") % {"where": where, "value": value}) from None


def _source(raw: Mapping[str, Any] | None, where: str) -> Source:
    if not raw or not raw.get("issuer") or not raw.get("document"):
        raise InvalidPolicyData(
            _("%(where)s: every entry needs a source with an issuer and a document.") % {"where": where}
        )
    return Source(
        issuer=str(raw["issuer"]),
        document=str(raw["document"]),
        url=str(raw.get("url", "")),
        note=str(raw.get("note", "")),
    )


def _rate_range(raw: Any, default: Decimal, where: str) -> RateRange | None:
    if raw is None:
        return None
    if not isinstance(raw, list) or len(raw) != 2:
        raise InvalidPolicyData(_("%(where)s: a rate range is a list of two rates.") % {"where": where})
    allowed = RateRange(minimum=_rate({"low": raw[0]}, "low", where), maximum=_rate({"high": raw[1]}, "high", where))
    if not allowed.contains(default):
        raise InvalidPolicyData(
            _("%(where)s: the default rate %(rate)s is outside its range.") % {"where": where, "rate": default}
        )
    return allowed


def _fund_rule(fund_key: str, raw: Mapping[str, Any], where: str) -> FundRule:
    try:
        fund = Fund(fund_key)
    except ValueError:
        raise InvalidPolicyData(_("%(where)s: unknown fund “%(fund)s”.") % {"where": where, "fund": fund_key}) from None
    here = f"{where} {fund_key}"
    rounding = str(raw.get("rounding", ""))
    if rounding not in ROUNDING_RULES:
        raise InvalidPolicyData(_("%(where)s: unknown rounding rule “%(rule)s”.") % {"where": here, "rule": rounding})
    employer_rate = _rate(raw, "employer_rate", here)
    employee_rate = _rate(raw, "employee_rate", here)
    rule = FundRule(
        fund=fund,
        base_floor=_decimal(_required(raw, "base_floor", here), here),
        base_ceiling=_decimal(_required(raw, "base_ceiling", here), here),
        employer_rate=employer_rate,
        employee_rate=employee_rate,
        rounding=rounding,
        employee_fixed_amount=_decimal(raw.get("employee_fixed_amount", "0"), here),
        employer_rate_range=_rate_range(raw.get("employer_rate_range"), employer_rate, here),
        employee_rate_range=_rate_range(raw.get("employee_rate_range"), employee_rate, here),
        source=_source(raw["source"], here) if raw.get("source") else None,
    )
    if rule.base_floor > rule.base_ceiling:
        raise InvalidPolicyData(_("%(where)s: the base floor is above the ceiling.") % {"where": here})
    return rule


def _wage_figures(city: str, raws: Iterable[Mapping[str, Any]], where: str) -> list[WageFigure]:
    figures = []
    for raw in raws:
        here = f"{where} {raw.get('valid_from')}"
        figures.append(
            WageFigure(
                city=city,
                valid_from=_start(raw, here),
                valid_to=_date(raw.get("valid_to"), here),
                amount=_decimal(_required(raw, "amount", here), here),
                source=_source(raw.get("source"), here),
                verified=bool(raw.get("verified", False)),
            )
        )
    return figures


def policies_from_data(data: Mapping[str, Any]) -> PolicyBook:
    """Build a :class:`PolicyBook` from the parsed JSON layout of ``social_policies.json``."""
    policies: list[CityPolicy] = []
    minimum_wages: list[WageFigure] = []
    average_wages: list[WageFigure] = []
    names: dict[str, str] = {}
    for city, raw_city in data.get("cities", {}).items():
        names[city.lower()] = city
        if raw_city.get("name"):
            names[str(raw_city["name"]).strip().removesuffix("市")] = city
        for raw in raw_city.get("policies", []):
            where = f"{city} {raw.get('valid_from')}"
            raw_funds = _required(raw, "funds", where)
            funds = {rule.fund: rule for rule in (_fund_rule(k, v, where) for k, v in raw_funds.items())}
            policies.append(
                CityPolicy(
                    city=city,
                    valid_from=_start(raw, where),
                    valid_to=_date(raw.get("valid_to"), where),
                    funds=funds,
                    source=_source(raw.get("source"), where),
                    verified=bool(raw.get("verified", False)),
                )
            )
        minimum_wages += _wage_figures(city, raw_city.get("minimum_wages", []), f"{city} minimum wage")
        average_wages += _wage_figures(city, raw_city.get("average_monthly_wages", []), f"{city} average wage")
    return PolicyBook(
        policies=tuple(policies),
        minimum_wages=tuple(minimum_wages),
        average_monthly_wages=tuple(average_wages),
        city_names=names,
    )


def load_policies(path: Path | str | None = None) -> PolicyBook:
    """Read the policies from ``path`` (by default the shipped ``social_policies.json``)."""
    if path is None:
        return _default_book()
    with Path(path).open(encoding="utf-8") as handle:
        return policies_from_data(json.load(handle))


@cache
def _default_book() -> PolicyBook:
    with DEFAULT_POLICY_FILE.open(encoding="utf-8") as handle:
        return policies_from_data(json.load(handle))


def policy_for(city: str, on: dt.date, *, book: PolicyBook | None = None, require_verified: bool = False) -> CityPolicy:
    """The policy of ``city`` valid on ``on``; refuses a date no policy covers (:class:`PolicyNotFound`)."""
    return (book or load_policies()).policy_for(city, on, require_verified=require_verified)


# --- Calculation ----------------------------------------------------------------------------------


def contribution_base(previous_year_average_monthly_wage: Decimal, policy: CityPolicy, fund: Fund) -> Decimal:
    """The wage clamped to the fund's floor and ceiling.

    The wage is the employee's average monthly wage of the previous year; for a new hire, the caller
    passes the first month's wage instead.
    """
    rule = policy.rule(fund)
    return min(max(previous_year_average_monthly_wage, rule.base_floor), rule.base_ceiling)


class ContributionLine(NamedTuple):
    """One fund's contribution, with every figure that explains it on a payslip. A named tuple: a run
    builds five or six of them per person, and a frozen dataclass takes several times longer to build."""

    fund: Fund
    wage: Decimal  # as passed in, before clamping
    base: Decimal
    base_floor: Decimal
    base_ceiling: Decimal
    employer_rate: Decimal
    employee_rate: Decimal
    employee_fixed_amount: Decimal
    rounding: str
    employer_amount: Decimal
    employee_amount: Decimal

    @property
    def clamped(self) -> bool:
        return self.base != self.wage


@dataclass(frozen=True)
class Contributions:
    city: str
    policy_valid_from: dt.date
    lines: tuple[ContributionLine, ...]
    employer_total: Decimal
    employee_total: Decimal
    total: Decimal = field(init=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "total", self.employer_total + self.employee_total)

    def line(self, fund: Fund) -> ContributionLine:
        for line in self.lines:
            if line.fund == fund:
                return line
        raise KeyError(fund)

    @property
    def social_insurance_employee_total(self) -> Decimal:
        return sum((x.employee_amount for x in self.lines if x.fund != Fund.HOUSING_FUND), ZERO)

    @property
    def housing_fund_employee_total(self) -> Decimal:
        return sum((x.employee_amount for x in self.lines if x.fund == Fund.HOUSING_FUND), ZERO)


def _chosen_rate(rule: FundRule, chosen: Decimal | None, *, employer: bool) -> Decimal:
    default = rule.employer_rate if employer else rule.employee_rate
    allowed = rule.employer_rate_range if employer else rule.employee_rate_range
    if chosen is None or chosen == default:
        return default
    values = {"fund": fund_label(rule.fund), "rate": chosen, "default": default}
    if allowed is None:
        if employer:
            message = _("The employer's %(fund)s rate is fixed at %(default)s; %(rate)s cannot be chosen.")
        else:
            message = _("The employee's %(fund)s rate is fixed at %(default)s; %(rate)s cannot be chosen.")
        raise InvalidPolicyData(message % values)
    if not allowed.contains(chosen):
        values |= {"low": allowed.minimum, "high": allowed.maximum}
        if employer:
            message = _("The employer's %(fund)s rate %(rate)s is outside %(low)s to %(high)s.")
        else:
            message = _("The employee's %(fund)s rate %(rate)s is outside %(low)s to %(high)s.")
        raise InvalidPolicyData(message % values)
    return chosen


def contributions(
    wages: Decimal | Mapping[Fund, Decimal],
    policy: CityPolicy,
    *,
    funds: Iterable[Fund] | None = None,
    employer_rates: Mapping[Fund, Decimal] | None = None,
    employee_rates: Mapping[Fund, Decimal] | None = None,
) -> Contributions:
    """Employer and employee amounts per fund, with base, rate and rounding used, and the totals.

    ``wages`` is one wage for every fund or a wage per fund (some employers declare a different housing
    fund base); each is clamped to its fund's floor and ceiling. ``funds`` limits the calculation (by
    default every fund of the policy, or the funds of the mapping). ``employer_rates`` and
    ``employee_rates`` carry the employer's choices where the policy allows a range (housing fund,
    work injury by industry class).
    """
    if isinstance(wages, Mapping):
        wanted = list(funds) if funds is not None else list(wages)
        missing = [f.value for f in wanted if f not in wages]
        if missing:
            raise InvalidPolicyData(_("No wage given for: %(funds)s.") % {"funds": ", ".join(missing)})
    else:
        wanted = list(funds) if funds is not None else list(policy.funds)
    lines = []
    employer_total = employee_total = ZERO
    for fund in wanted:
        rule = policy.rule(fund)
        wage = wages[fund] if isinstance(wages, Mapping) else wages
        base = min(max(wage, rule.base_floor), rule.base_ceiling)  # contribution_base, inlined
        employer_rate = (
            _chosen_rate(rule, employer_rates.get(fund), employer=True) if employer_rates else rule.employer_rate
        )
        employee_rate = (
            _chosen_rate(rule, employee_rates.get(fund), employer=False) if employee_rates else rule.employee_rate
        )
        round_amount = ROUNDING_RULES.get(rule.rounding) or functools.partial(apply_rounding, rule.rounding)
        employer_amount = round_amount(base * employer_rate)
        employee_amount = round_amount(base * employee_rate) + rule.employee_fixed_amount
        employer_total += employer_amount
        employee_total += employee_amount
        lines.append(
            ContributionLine(
                fund=fund,
                wage=wage,
                base=base,
                base_floor=rule.base_floor,
                base_ceiling=rule.base_ceiling,
                employer_rate=employer_rate,
                employee_rate=employee_rate,
                employee_fixed_amount=rule.employee_fixed_amount,
                rounding=rule.rounding,
                employer_amount=employer_amount,
                employee_amount=employee_amount,
            )
        )
    return Contributions(
        city=policy.city,
        policy_valid_from=policy.valid_from,
        lines=tuple(lines),
        employer_total=employer_total,
        employee_total=employee_total,
    )
