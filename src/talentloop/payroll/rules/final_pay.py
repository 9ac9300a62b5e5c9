"""A leaver's final pay: economic compensation (N, N+1, 2N) and pay for unused annual leave.

Pure calculations, no database: the caller passes the dates, the legal reason of the termination,
the wages of the last months and the city's figure, and gets payslip lines whose ``explain`` holds
every figure used, so the payroll role can check the amounts before they are paid.

Legal basis:

- Labour Contract Law (劳动合同法) art. 46 lists when compensation is owed, art. 47 how much: one
  month's wage per full year of service, a remainder of six months or more counting as a year and
  a shorter one as half a month's wage; a monthly wage above three times the city's average monthly
  wage of the previous year is capped at three times that average and the years at twelve.
- Implementing Regulations (劳动合同法实施条例) art. 27: the monthly wage is the average of the 12
  months before the end (of the months worked when fewer), including bonuses, allowances and other
  cash income, and never below the local minimum wage; art. 20: the month in lieu of notice (art. 40)
  is the previous month's wage; art. 25: damages for unlawful termination (art. 87, twice the art. 47
  standard) replace compensation and count the years from the first day of employment.
- Service before 2008: art. 97 counts compensation years from 1 January 2008, the law's first day,
  and leaves earlier years to the rules then in force (劳部发〔1994〕481号 and local rules), which differ by
  reason and are not modelled here. The years are therefore counted from 1 January 2008 and the
  result says so (``service_before_2008_excluded`` and a note) so that HR adds what the old rules
  owe; damages (2N) count from the start of employment as art. 25 requires.
- Unused annual leave (企业职工带薪年休假实施办法): art. 10 pays each unused day at 300 % of the daily
  wage including the normal wage already paid, so 200 % on top; art. 11 takes the daily wage as the
  average monthly wage of the last 12 months without overtime pay / 21.75; art. 12 prorates a leaver's
  entitlement by the calendar days worked this year / 365, less the days already taken, and does not
  pay a part of a day.

Every legal figure (21.75, the 3x cap, the 12 years, the six-month threshold, 200 %, 365 days, the
date of 2008) comes from :class:`~talentloop.payroll.rules.wages.WageRules`, the one place the wage
rules keep them.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from decimal import ROUND_FLOOR, ROUND_HALF_UP, Decimal
from enum import StrEnum
from typing import TYPE_CHECKING, Any, NamedTuple

from django.utils.translation import gettext, pgettext_lazy

from talentloop.core.errors import InvalidInput
from talentloop.payroll.rules.month.records import Line, LineKind
from talentloop.payroll.rules.social import FEN, apply_rounding
from talentloop.payroll.rules.wages import (
    DEFAULT_WAGE_RULES,
    CompensationFormula,
    ServiceLength,
    WageRules,
    service_length,
)

if TYPE_CHECKING:
    from django.utils.functional import _StrOrPromise as StrOrPromise

ZERO = Decimal("0")
ONE = Decimal("1")
TWO = Decimal("2")


def round_average_wage(amount: Decimal) -> Decimal:
    """The named rounding of an average monthly wage: to the fen, half up.

    The average is a figure HR quotes and checks by hand (N x average), so it is rounded before it is
    multiplied; the amounts paid are rounded once more by the wage rules' rounding.
    """
    return amount.quantize(FEN, rounding=ROUND_HALF_UP)


# --- Legal reasons --------------------------------------------------------------------------------


class LegalReason(StrEnum):
    """Why the employment ended, as the Labour Contract Law (LCL) names it."""

    # LCL art. 36, agreement proposed by the employer: art. 46(2) owes compensation.
    MUTUAL_BY_EMPLOYER = "mutual_by_employer"
    # LCL art. 36, agreement proposed by the employee: art. 46(2) owes nothing.
    MUTUAL_BY_EMPLOYEE = "mutual_by_employee"
    # LCL art. 37: the employee resigns with notice (or during probation).
    EMPLOYEE_RESIGNATION = "employee_resignation"
    # LCL art. 38: the employee leaves because of the employer's fault (unpaid wages, no social
    # insurance, ...): art. 46(1).
    EMPLOYEE_FOR_EMPLOYER_FAULT = "employee_for_employer_fault"
    # LCL art. 39: dismissal for cause (serious breach of rules, fraud, criminal liability, ...).
    DISMISSAL_FOR_CAUSE = "dismissal_for_cause"
    # LCL art. 40 with 30 days' written notice: art. 46(3).
    NO_FAULT_WITH_NOTICE = "no_fault_with_notice"
    # LCL art. 40 with one month's wage in lieu of notice: art. 46(3), Implementing Regulations art. 20.
    NO_FAULT_IN_LIEU_OF_NOTICE = "no_fault_in_lieu_of_notice"
    # LCL art. 41(1), economic layoff: art. 46(4).
    REDUNDANCY = "redundancy"
    # LCL art. 44(1), a fixed-term contract expires: art. 46(5) owes compensation unless the employer
    # offered renewal on the same or better terms and the employee refused (``renewal_refused``).
    FIXED_TERM_EXPIRY = "fixed_term_expiry"
    # Implementing Regulations art. 22: a contract for a given task ends when the task is done.
    TASK_COMPLETED = "task_completed"
    # LCL art. 44(2): the employee starts drawing the basic pension; art. 46 owes nothing.
    PENSION_STARTED = "pension_started"
    # LCL art. 44(4) bankruptcy, 44(5) licence revoked, closure ordered or early dissolution: art. 46(6).
    EMPLOYER_CLOSURE = "employer_closure"
    # LCL art. 48 and 87, unlawful termination by the employer (the employee does not ask to be
    # reinstated): damages of twice the art. 47 standard, instead of compensation (Regulations art. 25).
    UNLAWFUL = "unlawful"


#: Which compensation each reason owes (LCL art. 46, 87). The one exception, a fixed-term expiry whose
#: renewal the employee refused on equal or better terms, is decided by :func:`compensation_method`.
METHOD_BY_REASON: Mapping[LegalReason, CompensationFormula] = {
    LegalReason.MUTUAL_BY_EMPLOYER: CompensationFormula.N,  # art. 46(2)
    LegalReason.MUTUAL_BY_EMPLOYEE: CompensationFormula.NONE,  # art. 46(2) a contrario
    LegalReason.EMPLOYEE_RESIGNATION: CompensationFormula.NONE,  # art. 37, not in art. 46
    LegalReason.EMPLOYEE_FOR_EMPLOYER_FAULT: CompensationFormula.N,  # art. 46(1)
    LegalReason.DISMISSAL_FOR_CAUSE: CompensationFormula.NONE,  # art. 39, not in art. 46
    LegalReason.NO_FAULT_WITH_NOTICE: CompensationFormula.N,  # art. 46(3)
    LegalReason.NO_FAULT_IN_LIEU_OF_NOTICE: CompensationFormula.N_PLUS_1,  # art. 40, 46(3)
    LegalReason.REDUNDANCY: CompensationFormula.N,  # art. 46(4)
    LegalReason.FIXED_TERM_EXPIRY: CompensationFormula.N,  # art. 46(5)
    LegalReason.TASK_COMPLETED: CompensationFormula.N,  # Regulations art. 22
    LegalReason.PENSION_STARTED: CompensationFormula.NONE,  # art. 44(2), not in art. 46
    LegalReason.EMPLOYER_CLOSURE: CompensationFormula.N,  # art. 46(6)
    LegalReason.UNLAWFUL: CompensationFormula.TWO_N,  # art. 87
}

#: The articles behind each reason, for the explanation: "LCL" the Labour Contract Law, "R" its
#: Implementing Regulations, "ALM" the Measures on paid annual leave of enterprise employees.
ARTICLES: Mapping[LegalReason, str] = {
    LegalReason.MUTUAL_BY_EMPLOYER: "LCL 36, 46(2), 47",
    LegalReason.MUTUAL_BY_EMPLOYEE: "LCL 36, 46(2)",
    LegalReason.EMPLOYEE_RESIGNATION: "LCL 37",
    LegalReason.EMPLOYEE_FOR_EMPLOYER_FAULT: "LCL 38, 46(1), 47",
    LegalReason.DISMISSAL_FOR_CAUSE: "LCL 39",
    LegalReason.NO_FAULT_WITH_NOTICE: "LCL 40, 46(3), 47",
    LegalReason.NO_FAULT_IN_LIEU_OF_NOTICE: "LCL 40, 46(3), 47; R 20",
    LegalReason.REDUNDANCY: "LCL 41, 46(4), 47",
    LegalReason.FIXED_TERM_EXPIRY: "LCL 44(1), 46(5), 47",
    LegalReason.TASK_COMPLETED: "R 22; LCL 47",
    LegalReason.PENSION_STARTED: "LCL 44(2)",
    LegalReason.EMPLOYER_CLOSURE: "LCL 44(4)(5), 46(6), 47",
    LegalReason.UNLAWFUL: "LCL 48, 87, 47; R 25",
}


def compensation_method(reason: LegalReason, *, renewal_refused: bool = False) -> CompensationFormula:
    """The compensation ``reason`` owes; ``renewal_refused`` is the art. 46(5) exception.

    ``renewal_refused`` means the employer offered to renew on the same or better terms and the employee
    refused; it only has a meaning for a fixed-term expiry (the caller's validation refuses it elsewhere).
    """
    if reason is LegalReason.FIXED_TERM_EXPIRY and renewal_refused:
        return CompensationFormula.NONE
    return METHOD_BY_REASON[reason]


# --- Input ----------------------------------------------------------------------------------------


class MonthWage(NamedTuple):
    """One month's wage as paid: ``wage`` is everything due for the month (time or piece wage,
    bonuses, allowances, overtime pay), ``overtime`` the part of it that is overtime pay."""

    month: dt.date  # any day of the month; only the year and month count
    wage: Decimal
    overtime: Decimal = ZERO


@dataclass(frozen=True)
class FinalPayInput:
    """What a leaver's final pay needs.

    ``monthly_wages`` are the months before the end that count: the 12 months before the last day
    (ending with its month or the month before), or every month worked when there were fewer.
    ``city_average_monthly_wage`` is the average monthly wage of the previous year published by the
    city of the employer (``PolicyBook.average_monthly_wage_for(city, termination_date)``).
    ``minimum_wage`` (optional) lifts a lower average to it (Regulations art. 27).
    ``previous_month_wage`` is the month in lieu of notice for N+1; when not given, it is the wage of the
    month before the termination month in ``monthly_wages``.
    ``unused_leave_days`` are whole days still owed (see :func:`leaver_unused_leave_days`).
    """

    hire_date: dt.date
    termination_date: dt.date  # the last day of employment
    reason: LegalReason
    monthly_wages: tuple[MonthWage, ...]
    city_average_monthly_wage: Decimal
    unused_leave_days: Decimal = ZERO
    renewal_refused: bool = False
    minimum_wage: Decimal | None = None
    previous_month_wage: Decimal | None = None

    def __post_init__(self) -> None:
        # Plain (month, wage) or (month, wage, overtime) tuples are accepted and kept as MonthWage items.
        try:
            months = tuple(m if isinstance(m, MonthWage) else MonthWage(*m) for m in self.monthly_wages)
        except TypeError:
            raise InvalidInput(
                gettext("The final pay cannot be calculated from these figures."),
                {"monthly_wages": [gettext("Give each month as (month, wage, overtime pay).")]},
            ) from None
        object.__setattr__(self, "monthly_wages", months)


# --- Validation -----------------------------------------------------------------------------------


def _month_index(day: dt.date) -> int:
    return day.year * 12 + day.month - 1


def _month_label(day: dt.date) -> str:
    return f"{day.year:04d}-{day.month:02d}"


def _is_amount(value: object) -> bool:
    return isinstance(value, Decimal) and value.is_finite()


def _amount_problem(value: object, not_decimal: str, negative: str) -> str | None:
    """Which of the two (translated, whole-sentence) messages applies to ``value``: not an exact decimal
    (money is never a float) or below zero; None when it can be used."""
    if not _is_amount(value):
        return not_decimal
    assert isinstance(value, Decimal)
    return negative if value < 0 else None


def validate_final_pay_input(inp: FinalPayInput, rules: WageRules = DEFAULT_WAGE_RULES) -> dict[str, list[str]]:
    """Per-field errors of the whole input (empty when it can be calculated); nothing is calculated first."""
    errors: dict[str, list[str]] = {}

    def add(name: str, message: str) -> None:
        errors.setdefault(name, []).append(message)

    dates_ok = isinstance(inp.hire_date, dt.date) and isinstance(inp.termination_date, dt.date)
    if not dates_ok:
        add("termination_date", gettext("Give the hire date and the last day of employment as dates."))
    elif inp.termination_date < inp.hire_date:
        add("termination_date", gettext("The last day of employment is before the hire date."))
    elif inp.termination_date < rules.labour_contract_law_in_force:
        add(
            "termination_date",
            gettext(
                "Employment that ended before %(date)s follows the rules in force then, which are not applied here."
            )
            % {"date": rules.labour_contract_law_in_force.isoformat()},
        )
    if not isinstance(inp.reason, LegalReason):
        add("reason", gettext("Choose the legal reason the employment ended for."))
    elif inp.renewal_refused and inp.reason is not LegalReason.FIXED_TERM_EXPIRY:
        add("renewal_refused", gettext("A refused renewal only applies when a fixed-term contract expires."))

    if not _is_amount(inp.city_average_monthly_wage) or inp.city_average_monthly_wage <= 0:
        add("city_average_monthly_wage", gettext("Give the city's average monthly wage as a positive amount."))
    not_decimal = gettext("Not an exact decimal amount.")
    checks = [("unused_leave_days", inp.unused_leave_days, gettext("The unused leave days cannot be negative."))]
    if inp.minimum_wage is not None:
        checks.append(("minimum_wage", inp.minimum_wage, gettext("The minimum wage cannot be negative.")))
    if inp.previous_month_wage is not None:
        checks.append(
            ("previous_month_wage", inp.previous_month_wage, gettext("The previous month's wage cannot be negative."))
        )
    for name, value, negative in checks:
        problem = _amount_problem(value, not_decimal, negative)
        if problem:
            add(name, problem)

    _validate_months(inp, rules, add, dates_ok and not errors.get("termination_date"))
    return errors


def _validate_months(inp: FinalPayInput, rules: WageRules, add: Callable[[str, str], None], dates_ok: bool) -> None:
    months = inp.monthly_wages
    most = rules.compensation_average_months
    if not months:
        add("monthly_wages", gettext("Give at least the wage of one month."))
        return
    if len(months) > most:
        add("monthly_wages", gettext("Give the wages of at most %(months)s months.") % {"months": most})
    seen: set[int] = set()
    for item in months:
        month, wage, overtime = item
        if not isinstance(month, dt.date):
            add("monthly_wages", gettext("Each month needs its date."))
            continue
        where = _month_label(month)
        values = {"month": where}
        wage_problem = _amount_problem(
            wage,
            gettext("%(month)s: the wage is not an exact decimal amount.") % values,
            gettext("%(month)s: the wage cannot be negative.") % values,
        )
        overtime_problem = _amount_problem(
            overtime,
            gettext("%(month)s: the overtime pay is not an exact decimal amount.") % values,
            gettext("%(month)s: the overtime pay cannot be negative.") % values,
        )
        for problem in (wage_problem, overtime_problem):
            if problem:
                add("monthly_wages", problem)
        if not wage_problem and not overtime_problem and overtime > wage:
            add(
                "monthly_wages",
                gettext("%(month)s: the overtime pay is part of the wage and cannot exceed it.") % {"month": where},
            )
        index = _month_index(month)
        if index in seen:
            add("monthly_wages", gettext("%(month)s is given twice.") % {"month": where})
        seen.add(index)
        if not dates_ok:
            continue
        last = _month_index(inp.termination_date)
        if index > last:
            add("monthly_wages", gettext("%(month)s is after the last day of employment.") % {"month": where})
        elif index < _month_index(inp.hire_date):
            add("monthly_wages", gettext("%(month)s is before the hire date.") % {"month": where})
        elif index < last - most:
            add(
                "monthly_wages",
                gettext("%(month)s is more than %(months)s months before the end of employment.")
                % {"month": where, "months": most},
            )
    if dates_ok and len(months) < most and service_length(inp.hire_date, inp.termination_date).months >= most:
        add(
            "monthly_wages",
            gettext("The person worked %(months)s months or more: give the wages of the last %(months)s months.")
            % {"months": most},
        )


# --- Economic compensation ------------------------------------------------------------------------


class Cap(StrEnum):
    """Which art. 47 cap applied to the compensation."""

    NONE = "none"
    # The monthly wage was above three times the city average: three times the average is paid, and
    # the years (at most twelve) were not cut.
    WAGE = "wage"
    # As WAGE, and the years counted were above twelve: twelve are paid.
    WAGE_AND_YEARS = "wage_and_years"


@dataclass(frozen=True)
class Compensation:
    """Every figure of the compensation (or damages), so HR and the leaver can follow it."""

    reason: LegalReason
    method: CompensationFormula
    counted_from: dt.date  # the hire date, or 1 January 2008 for earlier service (not for damages)
    service: ServiceLength  # from ``counted_from`` to the last day
    months_counted: Decimal  # N before the cap: full years, +1 for six months or more, +0.5 under six
    months_averaged: int
    average_monthly_wage: Decimal  # of the months given, overtime included, to the fen
    minimum_wage: Decimal | None
    minimum_wage_applied: bool
    city_average_monthly_wage: Decimal
    wage_cap: Decimal  # 3 x the city average
    cap: Cap
    monthly_wage_used: Decimal
    months_used: Decimal  # N after the cap
    standard: Decimal  # N x monthly wage used (art. 47), rounded
    multiplier: Decimal  # 0 (nothing owed), 1, or 2 for damages
    notice_pay: Decimal  # the month in lieu of notice (N+1), else 0
    amount: Decimal  # standard x multiplier + notice pay
    service_before_2008_excluded: bool


def economic_compensation(inp: FinalPayInput, rules: WageRules = DEFAULT_WAGE_RULES) -> Compensation:
    """Compensation by the legal reason (LCL art. 46, 47, 87; Regulations art. 20, 25, 27).

    The input is validated whole first (:class:`InvalidInput` with per-field errors).
    """
    _refuse_invalid(inp, rules)
    return _compensation(inp, rules)


def _compensation(inp: FinalPayInput, rules: WageRules) -> Compensation:
    method = compensation_method(inp.reason, renewal_refused=inp.renewal_refused)
    law_start = rules.labour_contract_law_in_force
    # Damages count from the first day of employment (Regulations art. 25); compensation from the law's
    # first day at the earliest (LCL art. 97).
    counted_from = inp.hire_date if method is CompensationFormula.TWO_N else max(inp.hire_date, law_start)
    service = service_length(counted_from, inp.termination_date)

    per_year = rules.compensation_months_per_year
    months_counted = Decimal(service.full_years) * per_year
    if service.remainder_months >= rules.compensation_half_year_threshold_months:
        months_counted += per_year
    elif service.remainder_months or service.days:
        months_counted += rules.compensation_short_service_months

    average = round_average_wage(sum((m.wage for m in inp.monthly_wages), ZERO) / len(inp.monthly_wages))
    minimum_applied = inp.minimum_wage is not None and average < inp.minimum_wage
    wage = inp.minimum_wage if minimum_applied and inp.minimum_wage is not None else average
    wage_cap = inp.city_average_monthly_wage * rules.compensation_wage_cap_multiple
    cap = Cap.NONE
    monthly_used, months_used = wage, months_counted
    if wage > wage_cap:
        monthly_used = wage_cap
        cap = Cap.WAGE
        if months_counted > rules.compensation_capped_years:
            months_used = rules.compensation_capped_years
            cap = Cap.WAGE_AND_YEARS

    multiplier = {
        CompensationFormula.NONE: ZERO,
        CompensationFormula.N: ONE,
        CompensationFormula.N_PLUS_1: ONE,
        CompensationFormula.TWO_N: TWO,
    }[method]
    standard = _pay(monthly_used * months_used, rules)
    notice = _pay(_previous_month_wage(inp), rules) if method is CompensationFormula.N_PLUS_1 else _pay(ZERO, rules)
    return Compensation(
        reason=inp.reason,
        method=method,
        counted_from=counted_from,
        service=service,
        months_counted=months_counted,
        months_averaged=len(inp.monthly_wages),
        average_monthly_wage=average,
        minimum_wage=inp.minimum_wage,
        minimum_wage_applied=minimum_applied,
        city_average_monthly_wage=inp.city_average_monthly_wage,
        wage_cap=wage_cap,
        cap=cap,
        monthly_wage_used=monthly_used,
        months_used=months_used,
        standard=standard,
        multiplier=multiplier,
        notice_pay=notice,
        amount=_pay(standard * multiplier + notice, rules),
        service_before_2008_excluded=counted_from > inp.hire_date and method is not CompensationFormula.NONE,
    )


def _previous_month_wage(inp: FinalPayInput) -> Decimal:
    """The month in lieu of notice: the previous month's wage (Regulations art. 20), not capped."""
    if inp.previous_month_wage is not None:
        return inp.previous_month_wage
    wanted = _month_index(inp.termination_date) - 1
    for item in inp.monthly_wages:
        if _month_index(item.month) == wanted:
            return item.wage
    raise InvalidInput(
        gettext("Pay in lieu of notice needs the previous month's wage."),
        {
            "previous_month_wage": [
                gettext("Give the previous month's wage, or the wage of %(month)s in the monthly wages.")
                % {"month": _month_label(dt.date(wanted // 12, wanted % 12 + 1, 1))}
            ]
        },
    )


# --- Unused annual leave --------------------------------------------------------------------------


@dataclass(frozen=True)
class LeaverLeave:
    """A leaver's unused leave in the year of leaving (实施办法 art. 12), with the figures used."""

    days_worked_this_year: int  # calendar days at this employer this year, the last day included
    days_in_year: Decimal  # 365 by the text of art. 12, also in a leap year
    annual_entitlement_days: Decimal
    prorated_days: Decimal  # days worked / 365 x entitlement, unrounded
    days_taken: Decimal
    unused_days: Decimal  # whole days, never below 0


def leaver_unused_leave_days(
    *,
    hire_date: dt.date,
    termination_date: dt.date,
    annual_entitlement_days: Decimal,
    days_taken: Decimal,
    rules: WageRules = DEFAULT_WAGE_RULES,
) -> LeaverLeave:
    """Days of annual leave still owed to a leaver (实施办法 art. 12).

    (Calendar days at this employer this year / 365) x the full-year entitlement (条例 art. 3: 5, 10 or
    15 days by total working years) - the days already taken this year; the part of a day left after
    that is not paid, and days taken beyond the prorated share are not clawed back.
    """
    errors: dict[str, list[str]] = {}
    if termination_date < hire_date:
        errors["termination_date"] = [gettext("The last day of employment is before the hire date.")]
    if not _is_amount(annual_entitlement_days) or annual_entitlement_days < 0:
        errors["annual_entitlement_days"] = [gettext("The annual leave entitlement cannot be negative.")]
    if not _is_amount(days_taken) or days_taken < 0:
        errors["days_taken"] = [gettext("The leave days taken cannot be negative.")]
    if errors:
        raise InvalidInput(gettext("The leave figures cannot be used."), errors)
    first_day = max(hire_date, dt.date(termination_date.year, 1, 1))
    worked = (termination_date - first_day).days + 1
    prorated = Decimal(worked) / rules.annual_leave_days_per_year * annual_entitlement_days
    unused = max((prorated - days_taken).to_integral_value(rounding=ROUND_FLOOR), ZERO)
    return LeaverLeave(
        days_worked_this_year=worked,
        days_in_year=rules.annual_leave_days_per_year,
        annual_entitlement_days=annual_entitlement_days,
        prorated_days=prorated,
        days_taken=days_taken,
        unused_days=unused,
    )


@dataclass(frozen=True)
class LeavePay:
    """Pay for unused annual leave (实施办法 art. 10, 11)."""

    months_averaged: int
    average_monthly_wage: Decimal  # without overtime pay, to the fen
    monthly_paid_days: Decimal  # 21.75
    daily_wage: Decimal  # unrounded; the amount is rounded once
    multiplier: Decimal  # the extra on top of the normal wage already paid: 2 = 200 %
    unused_days: Decimal
    amount: Decimal


def unused_leave_pay(inp: FinalPayInput, rules: WageRules = DEFAULT_WAGE_RULES) -> LeavePay:
    """200 % of the daily wage per unused day; the daily wage leaves overtime pay out (art. 11)."""
    _refuse_invalid(inp, rules)
    return _leave_pay(inp, rules)


def _leave_pay(inp: FinalPayInput, rules: WageRules) -> LeavePay:
    without_overtime = sum((m.wage - m.overtime for m in inp.monthly_wages), ZERO)
    average = round_average_wage(without_overtime / len(inp.monthly_wages))
    daily = average / rules.monthly_paid_days
    multiplier = rules.annual_leave_extra_multiplier
    return LeavePay(
        months_averaged=len(inp.monthly_wages),
        average_monthly_wage=average,
        monthly_paid_days=rules.monthly_paid_days,
        daily_wage=daily,
        multiplier=multiplier,
        unused_days=inp.unused_leave_days,
        amount=_pay(daily * multiplier * inp.unused_leave_days, rules),
    )


# --- Final pay ------------------------------------------------------------------------------------

COMPENSATION = "final_pay.compensation"
DAMAGES = "final_pay.damages"
NOTICE_PAY = "final_pay.notice_pay"
ANNUAL_LEAVE = "final_pay.annual_leave"
TOTAL = "final_pay.total"

#: The lines that form the one-off compensation for the end of employment (一次性补偿收入), taxed apart
#: from the wages by ``rules.iit_severance`` (财税〔2018〕164号 art. 5(1)): the compensation or damages, and
#: the month in lieu of notice, which is paid because the employment ends and not for work done. Pay
#: for unused annual leave is wages (实施办法 art. 10-11) and goes with the month's wages.
SEVERANCE_CODES: tuple[str, ...] = (COMPENSATION, DAMAGES, NOTICE_PAY)

LABELS: Mapping[str, StrOrPromise] = {
    COMPENSATION: pgettext_lazy("payslip", "Economic compensation"),
    DAMAGES: pgettext_lazy("payslip", "Damages for unlawful termination"),
    NOTICE_PAY: pgettext_lazy("payslip", "One month's wage in lieu of notice"),
    ANNUAL_LEAVE: pgettext_lazy("payslip", "Unused annual leave"),
    TOTAL: pgettext_lazy("payslip", "Final pay"),
}


class Note(StrEnum):
    """What the payroll role must look at before the final pay is paid."""

    SERVICE_BEFORE_2008 = "service_before_2008"


@dataclass(frozen=True)
class FinalPay:
    lines: tuple[Line, ...]
    total: Decimal
    compensation: Compensation
    leave: LeavePay
    notes: tuple[Note, ...]

    def line(self, code: str) -> Line:
        for line in self.lines:
            if line.code == code:
                return line
        raise KeyError(code)

    @property
    def severance(self) -> Decimal:
        """The one-off compensation for the end of employment in this final pay (``SEVERANCE_CODES``)."""
        return sum((line.amount for line in self.lines if line.code in SEVERANCE_CODES), ZERO)

    @property
    def wages(self) -> Decimal:
        """What is paid as wages (the unused leave): taxed with the month's wages."""
        return self.total - self.severance

    def note_messages(self) -> list[str]:
        """The notes in the active language."""
        return [NOTE_MESSAGES[note]() for note in self.notes]


def _service_before_2008_message() -> str:
    return gettext(
        "Employment began before 1 January 2008: the compensation counts the years from that date only. "
        "The years before follow the rules then in force; review them and add what they owe."
    )


NOTE_MESSAGES: Mapping[Note, Callable[[], str]] = {Note.SERVICE_BEFORE_2008: _service_before_2008_message}


def final_pay(inp: FinalPayInput, rules: WageRules = DEFAULT_WAGE_RULES) -> FinalPay:
    """A leaver's final pay lines (compensation or damages, pay in lieu of notice, unused leave) and total.

    The month's normal wage up to the last day is paid by the month's payroll, not here. The input is
    validated whole before anything is calculated.
    """
    _refuse_invalid(inp, rules)
    comp = _compensation(inp, rules)
    leave = _leave_pay(inp, rules)
    lines: list[Line] = []
    comp_code = DAMAGES if comp.method is CompensationFormula.TWO_N else COMPENSATION
    # The compensation line is always there, even at 0, so the review shows why nothing is owed; a zero
    # line is not printed on the payslip.
    lines.append(
        Line(
            comp_code,
            LABELS[comp_code],
            comp.standard * comp.multiplier,
            LineKind.EARNING,
            _compensation_explain(inp, comp),
            shown_on_payslip=comp.multiplier > 0,
        )
    )
    if comp.method is CompensationFormula.N_PLUS_1:
        lines.append(
            Line(
                NOTICE_PAY,
                LABELS[NOTICE_PAY],
                comp.notice_pay,
                LineKind.EARNING,
                {
                    "previous_month_wage": comp.notice_pay,
                    "from_monthly_wages": inp.previous_month_wage is None,
                    "capped": False,
                    "articles": "LCL 40; R 20",
                },
            )
        )
    if leave.unused_days > 0:
        lines.append(Line(ANNUAL_LEAVE, LABELS[ANNUAL_LEAVE], leave.amount, LineKind.EARNING, _leave_explain(leave)))
    total = sum((line.amount for line in lines), ZERO)
    lines.append(Line(TOTAL, LABELS[TOTAL], total, LineKind.TOTAL, {"codes": [line.code for line in lines]}))
    notes = (Note.SERVICE_BEFORE_2008,) if comp.service_before_2008_excluded else ()
    return FinalPay(lines=tuple(lines), total=total, compensation=comp, leave=leave, notes=notes)


def _compensation_explain(inp: FinalPayInput, comp: Compensation) -> dict[str, Any]:
    return {
        "reason": comp.reason.value,
        "articles": ARTICLES[comp.reason],
        "method": comp.method.value,
        "renewal_refused": inp.renewal_refused,
        "hire_date": inp.hire_date.isoformat(),
        "termination_date": inp.termination_date.isoformat(),
        "counted_from": comp.counted_from.isoformat(),
        "service_before_2008_excluded": comp.service_before_2008_excluded,
        "service_years": comp.service.full_years,
        "service_months": comp.service.remainder_months,
        "service_days": comp.service.days,
        "months_counted": comp.months_counted,
        "months_averaged": comp.months_averaged,
        "average_monthly_wage": comp.average_monthly_wage,
        "minimum_wage": comp.minimum_wage,
        "minimum_wage_applied": comp.minimum_wage_applied,
        "city_average_monthly_wage": comp.city_average_monthly_wage,
        "wage_cap": comp.wage_cap,
        "cap": comp.cap.value,
        "monthly_wage_used": comp.monthly_wage_used,
        "months_used": comp.months_used,
        "standard": comp.standard,
        "multiplier": comp.multiplier,
    }


def _leave_explain(leave: LeavePay) -> dict[str, Any]:
    return {
        "months_averaged": leave.months_averaged,
        "average_monthly_wage_without_overtime": leave.average_monthly_wage,
        "monthly_paid_days": leave.monthly_paid_days,
        # Shown to four places: the amount is worked out from the unrounded figure and rounded once.
        "daily_wage": leave.daily_wage.quantize(Decimal("0.0001"), rounding=ROUND_HALF_UP),
        "multiplier": leave.multiplier,
        "unused_days": leave.unused_days,
        "articles": "ALM 10, 11, 12",
    }


# --- Helpers --------------------------------------------------------------------------------------


def _pay(amount: Decimal, rules: WageRules) -> Decimal:
    return apply_rounding(rules.rounding, amount)


def _refuse_invalid(inp: FinalPayInput, rules: WageRules) -> None:
    errors = validate_final_pay_input(inp, rules)
    if errors:
        raise InvalidInput(gettext("The final pay cannot be calculated from these figures."), errors)
