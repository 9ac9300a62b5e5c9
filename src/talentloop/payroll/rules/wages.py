"""Wage rules: daily and hourly wage, unpaid leave, overtime, sick pay, probation pay and final pay.

Every legal figure (21.75 paid days a month, 8 hours a day, the overtime multipliers, the 80 % floors,
the compensation caps) comes in through a :class:`WageRules` object; ``DEFAULT_WAGE_RULES`` holds the
national figures with their sources, and a later table can hold the same fields. Intermediate figures
keep full precision; amounts that are paid are rounded once, at the end, by the rules' named
rounding rule (to the fen by default).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_FLOOR, Decimal
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
    NONE = "none"
    N = "n"  # Labour Contract Law art. 46/47
    N_PLUS_1 = "n_plus_1"  # art. 40 without 30 days' notice: one more month's wage in lieu
    TWO_N = "two_n"  # art. 87 unlawful termination: twice the art. 47 standard


class TerminationReason(StrEnum):
    MUTUAL_AGREEMENT_EMPLOYER_INITIATED = "mutual_agreement_employer_initiated"  # art. 36, 46(2)
    MUTUAL_AGREEMENT_EMPLOYEE_INITIATED = (
        "mutual_agreement_employee_initiated"  # art. 36; art. 46(2) pays only if employer proposed
    )
    EMPLOYEE_RESIGNS = "employee_resigns"  # art. 37
    EMPLOYER_FAULT = "employer_fault"  # art. 38, 46(1)
    DISMISSAL_FOR_CAUSE = "dismissal_for_cause"  # art. 39
    NO_FAULT_WITHOUT_NOTICE = "no_fault_without_notice"  # art. 40, paid in lieu of notice
    NO_FAULT_WITH_NOTICE = "no_fault_with_notice"  # art. 40, 30 days' written notice given
    REDUNDANCY = "redundancy"  # art. 41, 46(4)
    CONTRACT_EXPIRY_NOT_RENEWED_BY_EMPLOYER = "contract_expiry_not_renewed_by_employer"  # art. 44(1), 46(5)
    UNLAWFUL_TERMINATION = "unlawful_termination"  # art. 48, 87


# Which compensation a termination reason pays (Labour Contract Law). Data, so a table can hold it.
DEFAULT_COMPENSATION_BY_REASON: Mapping[TerminationReason, CompensationFormula] = {
    TerminationReason.MUTUAL_AGREEMENT_EMPLOYER_INITIATED: CompensationFormula.N,
    TerminationReason.MUTUAL_AGREEMENT_EMPLOYEE_INITIATED: CompensationFormula.NONE,
    TerminationReason.EMPLOYEE_RESIGNS: CompensationFormula.NONE,
    TerminationReason.EMPLOYER_FAULT: CompensationFormula.N,
    TerminationReason.DISMISSAL_FOR_CAUSE: CompensationFormula.NONE,
    TerminationReason.NO_FAULT_WITHOUT_NOTICE: CompensationFormula.N_PLUS_1,
    TerminationReason.NO_FAULT_WITH_NOTICE: CompensationFormula.N,
    TerminationReason.REDUNDANCY: CompensationFormula.N,
    TerminationReason.CONTRACT_EXPIRY_NOT_RENEWED_BY_EMPLOYER: CompensationFormula.N,
    TerminationReason.UNLAWFUL_TERMINATION: CompensationFormula.TWO_N,
}


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
    compensation_by_reason: Mapping[TerminationReason, CompensationFormula] = field(
        default_factory=lambda: dict(DEFAULT_COMPENSATION_BY_REASON)
    )
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


# --- Final pay: unused annual leave ---------------------------------------------------------------


def average_monthly_wage(monthly_wages: Sequence[Decimal]) -> Decimal:
    """The average of the months given (unrounded); the caller passes the months that count."""
    if not monthly_wages:
        raise InvalidInput(_("At least one month's wage is needed for an average."))
    return sum(monthly_wages, ZERO) / len(monthly_wages)


def prorated_unused_leave_days(
    days_elapsed_in_year: int,
    annual_entitlement_days: Decimal,
    days_taken: Decimal,
    rules: WageRules = DEFAULT_WAGE_RULES,
) -> Decimal:
    """Unused leave of a leaver (实施办法 art. 12): elapsed days / 365 x entitlement - days taken, whole days only.

    A part of a day is not paid; leave taken beyond the prorated share is not clawed back (never below 0).
    """
    share = Decimal(days_elapsed_in_year) / rules.annual_leave_days_per_year * annual_entitlement_days
    whole = share.to_integral_value(rounding=ROUND_FLOOR) - days_taken
    return max(whole, ZERO)


@dataclass(frozen=True)
class AnnualLeavePay:
    average_monthly_wage: Decimal  # last 12 months, overtime excluded
    daily_wage: Decimal
    unused_days: Decimal
    multiplier: Decimal  # the extra paid on top of the normal wage already paid (2 = 200 %)
    amount: Decimal


def annual_leave_pay(
    monthly_wages_excluding_overtime: Sequence[Decimal], unused_days: Decimal, rules: WageRules = DEFAULT_WAGE_RULES
) -> AnnualLeavePay:
    """Unused annual leave of a leaver: 200 % extra of the daily wage per day (实施办法 art. 10-12).

    The daily wage is the average monthly wage of the last 12 months excluding overtime, divided by
    21.75; pass those months (fewer if the person worked fewer).
    """
    _not_negative(unused_days, gettext_noop("The unused leave days cannot be negative."))
    average = average_monthly_wage(monthly_wages_excluding_overtime)
    daily = daily_wage(average, rules)
    multiplier = rules.annual_leave_extra_multiplier
    return AnnualLeavePay(
        average_monthly_wage=average,
        daily_wage=daily,
        unused_days=unused_days,
        multiplier=multiplier,
        amount=_pay(daily * multiplier * unused_days, rules),
    )


# --- Final pay: economic compensation -------------------------------------------------------------


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


@dataclass(frozen=True)
class EconomicCompensation:
    """Every figure of the compensation, so HR and the leaver can follow it."""

    reason: TerminationReason
    formula: CompensationFormula
    service: ServiceLength
    service_years_counted: Decimal  # N before the cap: full years, +1 for six months or more, +0.5 under six
    average_monthly_wage: Decimal  # of the last 12 months (or fewer months worked)
    minimum_wage: Decimal | None
    monthly_wage_used: Decimal  # the average, raised to the minimum wage, capped at 3 x the city average
    city_average_monthly_wage: Decimal
    wage_cap: Decimal  # 3 x the city average
    capped: bool
    years_used: Decimal  # N after the 12-year cap (which applies only to the capped high earner)
    standard: Decimal  # N x monthly wage used (art. 47)
    notice_pay: Decimal  # art. 40: one more month in lieu of notice (N+1), else 0
    amount: Decimal
    # True when employment began before 1 January 2008: the years before follow the rules then in force
    # (LCL art. 97), which this calculation does not apply; HR must review the figure.
    needs_review_for_service_before_2008: bool = False


def economic_compensation(
    *,
    reason: TerminationReason,
    start: dt.date,
    last_day: dt.date,
    monthly_wages: Sequence[Decimal],
    city_average_monthly_wage: Decimal,
    minimum_wage: Decimal | None = None,
    previous_month_wage: Decimal | None = None,
    rules: WageRules = DEFAULT_WAGE_RULES,
) -> EconomicCompensation:
    """Compensation for a leaver by the termination's legal reason (Labour Contract Law art. 40, 46, 47, 87).

    ``monthly_wages`` are the wages of the last 12 months before the end (fewer if the person worked
    fewer; 实施条例 art. 27), including overtime and bonuses as the law's "wage" does. A monthly wage
    below ``minimum_wage`` is raised to it (实施条例 art. 27). For N+1 the extra month is the previous
    month's wage (实施条例 art. 20), ``previous_month_wage``.

    The whole service is counted under the Labour Contract Law; where it began before the law came into
    force, the result says so (``needs_review_for_service_before_2008``) rather than splitting it.
    """
    formula = rules.compensation_by_reason[reason]
    if len(monthly_wages) > rules.compensation_average_months:
        raise InvalidInput(
            _("Pass the wages of at most the last %(months)s months before the end of employment.")
            % {"months": rules.compensation_average_months}
        )
    service = service_length(start, last_day)
    counted = Decimal(service.full_years) * rules.compensation_months_per_year
    if service.remainder_months >= rules.compensation_half_year_threshold_months:
        counted += rules.compensation_months_per_year
    elif service.remainder_months or service.days:
        counted += rules.compensation_short_service_months

    average = average_monthly_wage(monthly_wages)
    wage = max(average, minimum_wage) if minimum_wage is not None else average
    cap = city_average_monthly_wage * rules.compensation_wage_cap_multiple
    capped = wage > cap
    years_used = min(counted, rules.compensation_capped_years) if capped else counted
    monthly_used = cap if capped else wage
    standard = monthly_used * years_used

    notice = ZERO
    if formula is CompensationFormula.N_PLUS_1:
        if previous_month_wage is None:
            raise InvalidInput(_("Pay in lieu of notice needs the previous month's wage."))
        notice = previous_month_wage
    multiplier = {
        CompensationFormula.NONE: ZERO,
        CompensationFormula.N: Decimal("1"),
        CompensationFormula.N_PLUS_1: Decimal("1"),
        CompensationFormula.TWO_N: Decimal("2"),
    }[formula]
    amount = (
        _pay(standard * multiplier + notice, rules) if formula is not CompensationFormula.NONE else _pay(ZERO, rules)
    )
    return EconomicCompensation(
        reason=reason,
        formula=formula,
        service=service,
        service_years_counted=counted,
        average_monthly_wage=average,
        minimum_wage=minimum_wage,
        monthly_wage_used=monthly_used,
        city_average_monthly_wage=city_average_monthly_wage,
        wage_cap=cap,
        capped=capped,
        years_used=years_used,
        standard=_pay(standard, rules),
        notice_pay=_pay(notice, rules),
        amount=amount,
        needs_review_for_service_before_2008=start < rules.labour_contract_law_in_force,
    )


@dataclass(frozen=True)
class FinalPay:
    annual_leave: AnnualLeavePay | None
    compensation: EconomicCompensation
    total: Decimal


def final_pay(
    *,
    compensation: EconomicCompensation,
    annual_leave: AnnualLeavePay | None = None,
) -> FinalPay:
    """The leaver's extra pay: unused annual leave plus compensation (the month's normal wage is separate)."""
    total = compensation.amount + (annual_leave.amount if annual_leave else ZERO)
    return FinalPay(annual_leave=annual_leave, compensation=compensation, total=total)
