"""Wage rules: daily and hourly wage, unpaid leave, overtime, sick pay, probation pay, length of service.

A leaver's final pay (compensation, unused annual leave) is worked out in
:mod:`talentloop.payroll.rules.final_pay` from the figures kept here.

Every legal figure (21.75 paid days a month, 8 hours a day, the overtime multipliers, the 80 % floors,
the compensation caps) comes in through a :class:`WageRules` object; ``DEFAULT_WAGE_RULES`` holds the
national figures with their sources, and a later table can hold the same fields. Intermediate figures
keep full precision; amounts that are paid are rounded once, at the end, by the rules' named
rounding rule (to the fen by default).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from enum import StrEnum

from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from talentloop.core.errors import InvalidInput
from talentloop.payroll.rules.social import apply_rounding

ZERO = Decimal("0")


class OvertimeKind(StrEnum):
    WORKDAY = "workday"  # extended hours on a working day
    REST_DAY = "rest_day"  # a rest day without time off in lieu
    STATUTORY_HOLIDAY = "statutory_holiday"


class CompensationFormula(StrEnum):
    """Which compensation a termination owes; the legal reasons map to it in ``rules.final_pay``."""

    NONE = "none"
    N = "n"  # Labour Contract Law art. 46/47
    N_PLUS_1 = "n_plus_1"  # art. 40 without 30 days' notice: one more month's wage in lieu
    TWO_N = "two_n"  # art. 87 unlawful termination: twice the art. 47 standard


@dataclass(frozen=True)
class WageRules:
    """The legal figures the wage calculations use; the defaults are the national ones.

    - ``monthly_paid_days`` 21.75 and ``hours_per_day`` 8: 劳社部发〔2008〕3号 (Notice on the annual
      working days and hours and the conversion of wages), art. 2-3.
    - Overtime multipliers 150 / 200 / 300 %: Labour Law art. 44.
    - ``sick_pay_floor_of_minimum_wage`` 80 %: 劳部发〔1995〕309号 (opinions on the Labour Law) art. 59.
    - ``probation_fraction_of_contract_wage`` 80 %: Labour Contract Law art. 20 (and never below the
      local minimum wage).
    - ``annual_leave_extra_multiplier`` 200 %: 职工带薪年休假条例 art. 5 and 实施办法 art. 10 (300 % of the
      daily wage including the normal wage already paid).
    - Compensation: Labour Contract Law art. 47 (one month per full year, six months or more count as
      one year, under six months half a month; capped at 3 times the city's average monthly wage and then
      at 12 years), art. 40 (one more month in lieu of notice), art. 87 (twice the standard).
    """

    monthly_paid_days: Decimal = Decimal("21.75")
    hours_per_day: Decimal = Decimal("8")
    overtime_multipliers: Mapping[OvertimeKind, Decimal] = field(
        default_factory=lambda: {
            OvertimeKind.WORKDAY: Decimal("1.5"),
            OvertimeKind.REST_DAY: Decimal("2"),
            OvertimeKind.STATUTORY_HOLIDAY: Decimal("3"),
        }
    )
    sick_pay_floor_of_minimum_wage: Decimal = Decimal("0.8")
    probation_fraction_of_contract_wage: Decimal = Decimal("0.8")
    annual_leave_extra_multiplier: Decimal = Decimal("2")
    annual_leave_days_per_year: Decimal = Decimal("365")
    compensation_months_per_year: Decimal = Decimal("1")
    compensation_half_year_threshold_months: int = 6
    compensation_short_service_months: Decimal = Decimal("0.5")  # under six months: half a month's wage
    compensation_wage_cap_multiple: Decimal = Decimal("3")
    compensation_capped_years: Decimal = Decimal("12")
    compensation_average_months: int = 12
    # Labour Contract Law art. 97: service before it came into force follows the rules then in force.
    labour_contract_law_in_force: dt.date = dt.date(2008, 1, 1)
    rounding: str = "HALF_UP_FEN"


DEFAULT_WAGE_RULES = WageRules()


def _pay(amount: Decimal, rules: WageRules) -> Decimal:
    return apply_rounding(rules.rounding, amount)


def _not_negative(value: Decimal, message: str) -> None:
    """``message`` is marked with ``gettext_noop`` and translated only when it is raised: these checks
    run for every person of a payroll run, and looking a message up costs more than the arithmetic."""
    if value < 0:
        raise InvalidInput(_(message))


# --- Daily and hourly wage ------------------------------------------------------------------------


def daily_wage(monthly_wage_base: Decimal, rules: WageRules = DEFAULT_WAGE_RULES) -> Decimal:
    """The month's wage-base components divided by the legal monthly paid days (unrounded)."""
    _not_negative(monthly_wage_base, gettext_noop("The monthly wage cannot be negative."))
    return monthly_wage_base / rules.monthly_paid_days


def hourly_wage(monthly_wage_base: Decimal, rules: WageRules = DEFAULT_WAGE_RULES) -> Decimal:
    """The daily wage divided by the legal hours a day (unrounded)."""
    return daily_wage(monthly_wage_base, rules) / rules.hours_per_day


# --- Unpaid leave ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class UnpaidLeaveDeduction:
    daily_wage: Decimal
    days: Decimal
    computed: Decimal  # days x daily wage, rounded
    deduction: Decimal  # what is deducted: never more than the month's gross pay
    capped: bool
    pay_after: Decimal


def unpaid_leave_deduction(
    monthly_wage_base: Decimal, days: Decimal, month_gross_pay: Decimal, rules: WageRules = DEFAULT_WAGE_RULES
) -> UnpaidLeaveDeduction:
    """Days of unpaid leave times the daily wage; the month's pay never goes below zero."""
    _not_negative(days, gettext_noop("The unpaid leave days cannot be negative."))
    _not_negative(month_gross_pay, gettext_noop("The month's gross pay cannot be negative."))
    daily = daily_wage(monthly_wage_base, rules)
    computed = _pay(daily * days, rules)
    deduction = min(computed, month_gross_pay)
    return UnpaidLeaveDeduction(
        daily_wage=daily,
        days=days,
        computed=computed,
        deduction=deduction,
        capped=deduction < computed,
        pay_after=month_gross_pay - deduction,
    )


# --- Overtime -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class OvertimePay:
    kind: OvertimeKind
    hourly_wage: Decimal
    multiplier: Decimal
    hours: Decimal
    amount: Decimal


def overtime_pay(
    monthly_wage_base: Decimal, hours: Decimal, kind: OvertimeKind, rules: WageRules = DEFAULT_WAGE_RULES
) -> OvertimePay:
    """Hourly wage x multiplier x hours (Labour Law art. 44)."""
    _not_negative(hours, gettext_noop("The overtime hours cannot be negative."))
    hourly = hourly_wage(monthly_wage_base, rules)
    multiplier = rules.overtime_multipliers[kind]
    return OvertimePay(
        kind=kind,
        hourly_wage=hourly,
        multiplier=multiplier,
        hours=hours,
        amount=_pay(hourly * multiplier * hours, rules),
    )


# --- Sick pay -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class SickPayTier:
    min_years_of_service: Decimal
    percent: Decimal  # a fraction: 0.6 = 60 %


@dataclass(frozen=True)
class SickPayPolicy:
    """The company's sick pay by years of service: the tier with the highest minimum reached applies."""

    tiers: tuple[SickPayTier, ...]

    def tier_for(self, years_of_service: Decimal) -> SickPayTier:
        reached = [t for t in self.tiers if t.min_years_of_service <= years_of_service]
        if not reached:
            raise InvalidInput(
                _("The sick pay policy has no tier for %(years)s years of service.") % {"years": years_of_service}
            )
        return max(reached, key=lambda t: t.min_years_of_service)


@dataclass(frozen=True)
class SickPay:
    """A month's sick pay: the policy's percentage, lifted to the legal floor where it falls below it."""

    percent: Decimal
    computed: Decimal
    floor: Decimal
    amount: Decimal
    floor_applied: bool


def sick_pay(
    monthly_wage: Decimal,
    years_of_service: Decimal,
    policy: SickPayPolicy,
    minimum_wage: Decimal,
    rules: WageRules = DEFAULT_WAGE_RULES,
) -> SickPay:
    """A full month of sick leave; for part of a month, the caller prorates (by the daily wage)."""
    _not_negative(monthly_wage, gettext_noop("The monthly wage cannot be negative."))
    tier = policy.tier_for(years_of_service)
    computed = _pay(monthly_wage * tier.percent, rules)
    floor = _pay(minimum_wage * rules.sick_pay_floor_of_minimum_wage, rules)
    return SickPay(
        percent=tier.percent,
        computed=computed,
        floor=floor,
        amount=max(computed, floor),
        floor_applied=computed < floor,
    )


# --- Probation ------------------------------------------------------------------------------------


class ProbationBreachReason(StrEnum):
    BELOW_CONTRACT_FRACTION = "below_contract_fraction"
    BELOW_MINIMUM_WAGE = "below_minimum_wage"


@dataclass(frozen=True)
class ProbationBreach:
    reason: ProbationBreachReason
    required: Decimal
    actual: Decimal
    message: str


@dataclass(frozen=True)
class ProbationCheck:
    breaches: tuple[ProbationBreach, ...]

    @property
    def ok(self) -> bool:
        return not self.breaches


def probation_check(
    probation_wage: Decimal, contract_wage: Decimal, minimum_wage: Decimal, rules: WageRules = DEFAULT_WAGE_RULES
) -> ProbationCheck:
    """Pay during probation must reach 80 % of the contract wage and the local minimum wage (LCL art. 20)."""
    breaches = []
    required = contract_wage * rules.probation_fraction_of_contract_wage
    if probation_wage < required:
        breaches.append(
            ProbationBreach(
                reason=ProbationBreachReason.BELOW_CONTRACT_FRACTION,
                required=required,
                actual=probation_wage,
                message=_("The probation wage %(actual)s is below %(percent)s %% of the contract wage (%(required)s).")
                % {
                    "actual": probation_wage,
                    "percent": (rules.probation_fraction_of_contract_wage * 100).normalize(),
                    "required": required,
                },
            )
        )
    if probation_wage < minimum_wage:
        breaches.append(
            ProbationBreach(
                reason=ProbationBreachReason.BELOW_MINIMUM_WAGE,
                required=minimum_wage,
                actual=probation_wage,
                message=_("The probation wage %(actual)s is below the local minimum wage %(required)s.")
                % {"actual": probation_wage, "required": minimum_wage},
            )
        )
    return ProbationCheck(breaches=tuple(breaches))


# --- Length of service (used by final pay) -------------------------------------------------------


@dataclass(frozen=True)
class ServiceLength:
    months: int  # full months
    days: int  # days beyond the full months

    @property
    def full_years(self) -> int:
        return self.months // 12

    @property
    def remainder_months(self) -> int:
        return self.months % 12


def service_length(start: dt.date, last_day: dt.date) -> ServiceLength:
    """Full months and remaining days from the first day to the last day of employment, both included.

    A month is full when the same day of the month is reached again (15 March to 14 April is one
    month); a start on the 29th-31st counts a shorter month's last day as reaching it.
    """
    if last_day < start:
        raise InvalidInput(_("The last day of employment is before the first."))
    end = last_day + dt.timedelta(days=1)  # exclusive
    months = (end.year - start.year) * 12 + (end.month - start.month)
    anniversary = _add_months(start, months)
    if anniversary > end:
        months -= 1
        anniversary = _add_months(start, months)
    return ServiceLength(months=months, days=(end - anniversary).days)


def _add_months(day: dt.date, months: int) -> dt.date:
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    next_month = dt.date(year + (month == 12), month % 12 + 1, 1)
    last = (next_month - dt.timedelta(days=1)).day
    return dt.date(year, month, min(day.day, last))
