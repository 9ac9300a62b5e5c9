"""What a payroll run's calculation is fed, read as a few set-based queries for all its people at once:
the people of the run, their contracts, fixed salaries, formula components, attendance, the earlier
payslips of the tax year, tax declarations, one-off items and ratings. :func:`gather` answers one
``PersonMonthInput`` per person (or why the person cannot be worked out) and the notes the run keeps
beside the calculation (missing attendance, the previous payslip for the change reasons)."""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import Count, F, Q, QuerySet, Sum, Window
from django.db.models.functions import RowNumber
from django.utils.translation import gettext as _

from talentloop.attendance.calendar import Calendar
from talentloop.attendance.selectors import summaries as attendance_summaries
from talentloop.benefits.selectors import Contribution, benefit_contributions
from talentloop.core.errors import DomainError
from talentloop.organisation import selectors as org_selectors
from talentloop.organisation.models import Employee
from talentloop.payroll.formula import PAYROLL_VARIABLES, Formula, compile_formula
from talentloop.payroll.models import (
    AttendanceFigures,
    PayItem,
    PayItemKind,
    PayrollRun,
    Payslip,
    RunKind,
    SalaryComponent,
    TaxDeclaration,
)
from talentloop.payroll.rules.iit import IitRules
from talentloop.payroll.rules.iit_deductions import Declaration, DeductionBreakdown, monthly_deductions
from talentloop.payroll.rules.month import (
    AnnualBonus,
    Attendance,
    ComponentKind,
    ComponentValue,
    Employment,
    PersonMonthInput,
    SocialInsuranceInput,
    YearToDate,
)
from talentloop.payroll.rules.social import CityPolicy, PolicyBook, load_policies
from talentloop.payroll.rules.wages import SickPayPolicy, SickPayTier
from talentloop.payroll.selectors import salaries_at
from talentloop.payroll.selectors_setup import first_wages_people
from talentloop.payroll.services import as_declaration, first_of_month
from talentloop.performance.selectors import period_ratings

ZERO = Decimal("0.00")
#: The leave type code whose days are sick days (the time area's default type); other unpaid types
#: count as unpaid leave, paid types change nothing.
SICK_LEAVE_CODE = "sick"
#: The previous year's income at this employer at or under which the basic deduction is taken for the
#: whole year at once (国家税务总局公告2020年第19号) is in the IIT rules; a person qualifies only with
#: wages from this employer in each month of that year.
MONTHS_IN_YEAR = 12
CHUNK = 5000


def month_end(month: dt.date) -> dt.date:
    following = dt.date(month.year + (month.month == 12), month.month % 12 + 1, 1)
    return following - dt.timedelta(days=1)


def add_months(month: dt.date, months: int) -> dt.date:
    index = month.year * 12 + month.month - 1 + months
    return dt.date(index // 12, index % 12 + 1, 1)


@functools.cache
def policy_book() -> PolicyBook:
    """The social-insurance data shipped with the app, read once per process."""
    return load_policies()


@dataclass(frozen=True)
class Previous:
    """The person's latest published payslip of the tax year (the year to date starts from it)."""

    month: dt.date
    net: Decimal
    gross: Decimal
    wage_base: Decimal
    tax_bracket: int
    shortfall: Decimal
    ytd: YearToDate


@dataclass
class PersonInput:
    employee_id: int
    hire_date: dt.date
    termination_date: dt.date | None
    inp: PersonMonthInput | None = None
    refusal: str = ""
    notes: list[dict[str, str]] = field(default_factory=list)
    previous: Previous | None = None
    item_ids: list[int] = field(default_factory=list)


@dataclass
class RunInputs:
    people: list[PersonInput]
    item_ids: list[int]


def _chunks(ids: list[int]) -> Iterator[list[int]]:
    for start in range(0, len(ids), CHUNK):
        yield ids[start : start + CHUNK]


def _people(
    run: PayrollRun, end: dt.date
) -> tuple[list[tuple[int, dt.date, dt.date | None, str, dt.date | None]], QuerySet[Employee]]:
    """(id, hire date, termination date, social-insurance city, probation end) of the run's people:
    employed in the month with a contract of the pay group in force at its end; and the same people as
    a queryset, which the other reads take as a subquery (no list of ids to send and check)."""
    contracts = org_selectors.contracts_in_force(end).filter(pay_group=run.pay_group.key)
    people = Employee.objects.filter(pk__in=contracts.values("employee"), hire_date__lte=end).filter(
        Q(termination_date__isnull=True) | Q(termination_date__gte=run.month)
    )
    if run.kind == RunKind.FINAL_PAY:
        people = people.filter(pk=run.employee_id)
    elif run.kind == RunKind.OFF_CYCLE:
        people = people.filter(pk__in=_open_items(run).values("employee"))
    cities = dict(contracts.values_list("employee_id", "social_insurance_city"))
    probation = dict(contracts.values_list("employee_id", "probation_end"))
    rows = [
        (pk, hired, left, cities.get(pk, ""), probation.get(pk))
        for pk, hired, left in people.order_by("pk").values_list("pk", "hire_date", "termination_date")
    ]
    return rows, people


def _open_items(run: PayrollRun) -> Any:
    """The unpaid one-off items a run pays: those recorded for it (a final-pay run pays only these),
    and the month's items meant for no run in particular."""
    items = PayItem.objects.filter(month=run.month, paid_in__isnull=True)
    if run.kind == RunKind.FINAL_PAY:
        return items.filter(run=run)
    return items.filter(Q(run=run) | Q(run__isnull=True))


def _components(kind: str) -> tuple[list[SalaryComponent], dict[str, Formula]]:
    """The active components and their compiled formulas (a regular run pays them; others none)."""
    if kind != RunKind.REGULAR:
        return [], {}
    components = list(SalaryComponent.objects.filter(active=True).order_by("order", "key"))
    formulas = {c.key: compile_formula(c.formula, PAYROLL_VARIABLES) for c in components if not c.is_fixed}
    return components, formulas


def _latest_payslips(scope: QuerySet[Employee], month: dt.date) -> dict[int, Previous]:
    """Each person's latest published payslip of the tax year up to ``month`` (one windowed query)."""
    fields = [
        "employee_id", "month", "net", "gross", "wage_base", "tax_bracket", "shortfall", "ytd_months",
        "ytd_income", "ytd_exempt_income", "ytd_social_insurance", "ytd_special_deductions",
        "ytd_other_deductions", "ytd_tax", "first_wages_of_year", "previous_year_low_income",
        "separate_bonus_used",
    ]  # fmt: skip
    out: dict[int, Previous] = {}
    year_start = month.replace(month=1)
    rows = (
        Payslip.objects.filter(
            employee__in=scope.values("pk"), month__gte=year_start, month__lte=month, published_at__isnull=False
        )
        .annotate(
            latest=Window(
                RowNumber(), partition_by=[F("employee_id")], order_by=[F("published_at").desc(), F("id").desc()]
            )
        )
        .filter(latest=1)
        .values_list(*fields)
    )
    for r in rows:
        out[r[0]] = Previous(
            month=r[1], net=r[2], gross=r[3], wage_base=r[4], tax_bracket=r[5], shortfall=r[6],
            ytd=YearToDate(
                year=month.year, months_employed=r[7], income=r[8], exempt_income=r[9], social_insurance=r[10],
                special_additional_deductions=r[11], other_deductions=r[12], tax_withheld=r[13],
                first_wages_of_year=r[14], previous_year_low_income=r[15], separate_bonus_used=r[16],
            ),
        )  # fmt: skip
    return out


def _previous_year(scope: QuerySet[Employee], year: int) -> dict[int, tuple[Decimal, int]]:
    """(income, months paid) of each person at this employer in the year before, from its published
    payslips: the social-insurance wage (its monthly average) and the low-income rule read it."""
    out: dict[int, tuple[Decimal, int]] = {}
    rows = (
        Payslip.objects.filter(
            employee__in=scope.values("pk"),
            month__gte=dt.date(year - 1, 1, 1),
            month__lte=dt.date(year - 1, 12, 1),
            published_at__isnull=False,
        )
        .values("employee_id")
        .order_by()
        .annotate(income=Sum("gross") + Sum("bonus"), months=Count("month", distinct=True))
        .values_list("employee_id", "income", "months")
    )
    for pk, income, months in rows:
        out[pk] = (Decimal(income), months)
    return out


def _attendance(run: PayrollRun, ids: list[int], scope: QuerySet[Employee]) -> tuple[dict[int, Attendance], str]:
    """The month's attendance per person and where it came from: the time area's locked summaries
    first, else the figures payroll imported. Regular runs only."""
    month = add_months(run.month, -run.pay_group.attendance_lag)
    if attendance_summaries.is_locked(month):
        wanted = set(ids)
        out = {}
        for row in attendance_summaries.monthly_summaries(month=month):
            if row.employee_id not in wanted:
                continue
            unpaid = Decimal(row.absent_days)
            sick = ZERO
            for code, figures in (row.leave or {}).items():
                days = Decimal(str(figures.get("days", 0)))
                if code == SICK_LEAVE_CODE:
                    sick += days
                elif not figures.get("paid", True):
                    unpaid += days
            out[row.employee_id] = Attendance(
                scheduled_days=Decimal(row.scheduled_days),
                unpaid_leave_days=unpaid,
                sick_days=sick,
                overtime_hours_150=Decimal(row.overtime_150_minutes) / 60,
                overtime_hours_200=Decimal(row.overtime_200_minutes) / 60,
                overtime_hours_300=Decimal(row.overtime_300_minutes) / 60,
            )
        return out, "time"
    out = {}
    for figures in AttendanceFigures.objects.filter(month=month, employee__in=scope.values("pk")):
        out[figures.employee_id] = Attendance(
            scheduled_days=figures.scheduled_days,
            unpaid_leave_days=figures.unpaid_leave_days,
            sick_days=figures.sick_days,
            overtime_hours_150=figures.overtime_hours_150,
            overtime_hours_200=figures.overtime_hours_200,
            overtime_hours_300=figures.overtime_hours_300,
        )
    return out, "import"


def _declarations(scope: QuerySet[Employee], month: dt.date) -> dict[int, list[TaxDeclaration]]:
    out: dict[int, list[TaxDeclaration]] = {}
    year_start = month.replace(month=1)
    rows = TaxDeclaration.objects.filter(
        employee__in=scope.values("pk"), withdrawn_at__isnull=True, start__lte=month
    ).filter(Q(end__isnull=True) | Q(end__gte=first_of_month(year_start)))
    for row in rows:
        out.setdefault(row.employee_id, []).append(row)
    return out


def _items(run: PayrollRun, scope: QuerySet[Employee]) -> dict[int, list[PayItem]]:
    out: dict[int, list[PayItem]] = {}
    if run.kind == RunKind.REVERSAL:
        return out
    for item in _open_items(run).filter(employee__in=scope.values("pk")).order_by("id"):
        out.setdefault(item.employee_id, []).append(item)
    return out


def _ratings(ids: list[int], period_key: str) -> dict[int, Decimal]:
    out: dict[int, Decimal] = {}
    for chunk in _chunks(ids):
        for (pk, _key), rating in period_ratings(chunk, [period_key]).items():
            out[pk] = rating
    return out


def _workdays(month: dt.date) -> list[dt.date]:
    """The month's working days by the company calendar (public holidays and swapped days included)."""
    end = month_end(month)
    calendar = Calendar(month, end)
    days = [month + dt.timedelta(days=n) for n in range((end - month).days + 1)]
    return [d for d in days if calendar.kind(d) == "workday"]


class _Memo:
    """What many people of a run share, worked out once per run: a city's policy and minimum wage, and
    the month's deductions of a set of declarations (many people declare the same: two children at
    school, the rent of a first-tier city)."""

    def __init__(self, book: PolicyBook, rules: IitRules, month: dt.date) -> None:
        self.book, self.rules, self.month = book, rules, month
        self.cities: dict[str, tuple[CityPolicy, Decimal]] = {}
        self.sick_pay: SickPayPolicy | None = None
        self.deductions: dict[tuple[Declaration, ...], DeductionBreakdown] = {}

    def city(self, city: str) -> tuple[CityPolicy, Decimal]:
        figures = self.cities.get(city)
        if figures is None:
            end, key = month_end(self.month), self.book.city_key(city)
            figures = self.cities[city] = (
                self.book.policy_for(key, end),
                self.book.minimum_wage_for(key, end).amount,
            )
        return figures

    def monthly_deductions(self, declarations: tuple[Declaration, ...]) -> DeductionBreakdown:
        found = self.deductions.get(declarations)
        if found is None:
            found = self.deductions[declarations] = monthly_deductions(
                declarations, self.rules.deductions, self.month.year, self.month.month
            )
        return found


def _complete(start: dt.date, end: dt.date) -> tuple[int, int]:
    """Complete (years, months) from ``start`` to ``end``."""
    months = (end.year - start.year) * 12 + end.month - start.month - (end.day < start.day)
    months = max(months, 0)
    return months // 12, months


def _benefits(
    scope: QuerySet[Employee],
    month: dt.date,
    components: list[SalaryComponent],
    fixed: dict[int, dict[str, Decimal]],
    cities: dict[int, str],
) -> dict[int, list[Contribution]]:
    """Each person's benefit plans in force in the month, on their wage base (capped, for the
    annuity's 4 %, at three times their city's average wage; uncapped where the city has none)."""
    book = policy_book()
    end = month_end(month)
    in_base = [c.key for c in components if c.in_wage_base]
    caps: dict[str, Decimal | None] = {}
    bases: dict[int, Decimal] = {}
    for pk, amounts in fixed.items():
        base = sum((amounts[key] for key in in_base if key in amounts), ZERO)
        city = cities.get(pk, "")
        if city not in caps:
            try:
                caps[city] = book.average_monthly_wage_for(book.city_key(city), end).amount * 3
            except DomainError:
                caps[city] = None
        cap = caps[city]
        bases[pk] = base if cap is None else min(base, cap)
    return benefit_contributions(scope, month, bases=bases)


def _benefit_components(c: Contribution) -> list[ComponentValue]:
    """A plan's month as salary components: a cash allowance is an earning (its exempt part not taxed);
    a plan paid to a provider costs the employer, and the taxable value of it is added to the wages and
    taken off again (taxed, never paid in cash); the employee's part is taken from pay after tax. What
    the plan allows off taxable income is passed as "other deductions"."""
    out = []
    taxable = c.taxable_income
    label = c.plan_label
    if c.cash:
        if taxable:
            out.append(
                ComponentValue(f"benefit.{c.plan_key}", label, ComponentKind.EARNING, in_si_base=False, amount=taxable)
            )
        if c.employer_amount - taxable > 0:
            out.append(
                ComponentValue(
                    f"benefit.{c.plan_key}.exempt", label, ComponentKind.EARNING, taxable=False, in_si_base=False,
                    amount=c.employer_amount - taxable,
                )
            )  # fmt: skip
    else:
        if c.employer_amount:
            out.append(
                ComponentValue(
                    f"benefit.{c.plan_key}.employer", label, ComponentKind.EMPLOYER_COST, in_si_base=False,
                    shown_on_payslip=False, amount=c.employer_amount,
                )
            )  # fmt: skip
        if taxable:
            in_kind = _("%(plan)s (taxable value, paid to the provider)") % {"plan": label}
            out.append(
                ComponentValue(
                    f"benefit.{c.plan_key}.taxable", in_kind, ComponentKind.EARNING, in_si_base=False, amount=taxable
                )
            )
            out.append(
                ComponentValue(f"benefit.{c.plan_key}.in_kind", in_kind, ComponentKind.DEDUCTION, amount=taxable)
            )
    if c.employee_amount and c.employee_part_from_pay:
        out.append(
            ComponentValue(
                f"benefit.{c.plan_key}.employee", _("%(plan)s (your part)") % {"plan": label}, ComponentKind.DEDUCTION,
                amount=c.employee_amount,
            )
        )  # fmt: skip
    return out


def _item_component(item: PayItem) -> ComponentValue:
    kind = ComponentKind.EARNING
    if item.kind == PayItemKind.DEDUCTION or item.amount < 0:
        kind = ComponentKind.DEDUCTION
    return ComponentValue(
        key=f"item{item.pk}",
        label=item.reason,
        kind=kind,
        taxable=item.taxable and item.kind != PayItemKind.SEPARATE_INCOME,
        in_si_base=False,
        amount=abs(item.amount),
        outside_wages=item.kind == PayItemKind.SEPARATE_INCOME,
    )


def gather(run: PayrollRun, rules: IitRules) -> RunInputs:
    """Every person's input for ``run`` (a regular, off-cycle or final-pay run)."""
    month, end = run.month, month_end(run.month)
    people, scope = _people(run, end)
    ids = [p[0] for p in people]
    components, formulas = _components(run.kind)
    fixed = salaries_at(scope, end) if run.kind == RunKind.REGULAR and ids else {}
    attendance, source = _attendance(run, ids, scope) if run.kind == RunKind.REGULAR else ({}, "")
    latest = _latest_payslips(scope, month) if ids else {}
    last_year = _previous_year(scope, month.year) if ids else {}
    declarations = _declarations(scope, month) if ids else {}
    first_wages = first_wages_people(scope, month.year) if ids else set()
    benefits = _benefits(scope, month, components, fixed, {p[0]: p[3] for p in people}) if fixed else {}
    items = _items(run, scope) if ids else {}
    ratings = _ratings(ids, add_months(month, -run.pay_group.attendance_lag).strftime("%Y-%m")) if formulas else {}
    memo = _Memo(policy_book(), rules, month)
    memo.sick_pay = SickPayPolicy(
        tuple(SickPayTier(Decimal(years), Decimal(percent) / 100) for years, percent in run.pay_group.sick_pay)
    )
    workdays = _workdays(month) if run.kind == RunKind.REGULAR else []
    out: list[PersonInput] = []
    all_items: list[int] = []
    for pk, hired, left, city, probation_end in people:
        person = PersonInput(employee_id=pk, hire_date=hired, termination_date=left)
        out.append(person)
        previous = latest.get(pk)
        person.previous = previous
        try:
            person.inp = _person_input(
                run=run, rules=rules, memo=memo, pk=pk, hired=hired, left=left, city=city,
                probation_end=probation_end, components=components, formulas=formulas, fixed=fixed.get(pk, {}),
                attendance=attendance.get(pk), source=source, previous=previous, last_year=last_year.get(pk),
                declarations=[as_declaration(d) for d in declarations.get(pk, [])], items=items.get(pk, []),
                rating=ratings.get(pk), workdays=workdays, person=person, benefits=benefits.get(pk, []),
                first_wages=pk in first_wages,
            )  # fmt: skip
        except DomainError as exc:
            person.refusal = str(exc.detail)
            continue
        person.item_ids = [item.pk for item in items.get(pk, [])]
        all_items.extend(person.item_ids)
    return RunInputs(people=out, item_ids=all_items)


def _person_input(
    *,
    run: PayrollRun,
    rules: IitRules,
    memo: _Memo,
    pk: int,
    hired: dt.date,
    left: dt.date | None,
    city: str,
    probation_end: dt.date | None,
    components: list[SalaryComponent],
    formulas: dict[str, Formula],
    fixed: dict[str, Decimal],
    attendance: Attendance | None,
    source: str,
    previous: Previous | None,
    last_year: tuple[Decimal, int] | None,
    declarations: list[Any],
    items: list[PayItem],
    rating: Decimal | None,
    workdays: list[dt.date],
    person: PersonInput,
    benefits: list[Contribution],
    first_wages: bool,
) -> PersonMonthInput:
    month, end = run.month, month_end(run.month)
    if not city:
        raise DomainError(_("The employment contract names no social-insurance city."))
    policy, minimum_wage = memo.city(city)
    values: list[ComponentValue] = []
    for c in components:
        if c.key in formulas:
            values.append(
                ComponentValue(
                    key=c.key, label=c.name, kind=ComponentKind(c.kind), taxable=c.taxable,
                    in_si_base=c.in_social_insurance_base, in_wage_base=False, shown_on_payslip=c.shown_on_payslip,
                    formula=formulas[c.key],
                )
            )  # fmt: skip
        elif c.key in fixed:
            values.append(
                ComponentValue(
                    key=c.key, label=c.name, kind=ComponentKind(c.kind), taxable=c.taxable,
                    in_si_base=c.in_social_insurance_base, in_wage_base=c.in_wage_base,
                    shown_on_payslip=c.shown_on_payslip, amount=fixed[c.key],
                )
            )  # fmt: skip
    other_deductions = ZERO
    for contribution in benefits:
        values.extend(_benefit_components(contribution))
        other_deductions += contribution.pre_tax_deduction
    bonus: AnnualBonus | None = None
    separate_tax = ZERO
    for item in items:
        if item.kind == PayItemKind.SEPARATE_TAX:
            separate_tax += item.amount
        elif item.kind == PayItemKind.ANNUAL_BONUS:
            if bonus is not None:
                raise DomainError(_("Two annual one-time bonuses in one month: record them as one."))
            bonus = AnnualBonus(item.amount, item.bonus_method or "separate")
        else:
            values.append(_item_component(item))
    if run.kind == RunKind.REGULAR:
        if attendance is None:
            attendance = Attendance(scheduled_days=Decimal(len(workdays)))
            worked_from = add_months(month, -run.pay_group.attendance_lag)
            if hired <= month_end(worked_from):  # someone hired later had no attendance that month to miss
                person.notes.append(
                    {"flag": "attendance_missing", "message": _("No attendance for the month: a full month is paid.")}
                )
        not_employed = sum(1 for d in workdays if d < hired or (left is not None and d > left))
        if not_employed:
            attendance = Attendance(
                scheduled_days=attendance.scheduled_days,
                unpaid_leave_days=attendance.unpaid_leave_days + not_employed,
                sick_days=attendance.sick_days,
                overtime_hours_150=attendance.overtime_hours_150,
                overtime_hours_200=attendance.overtime_hours_200,
                overtime_hours_300=attendance.overtime_hours_300,
            )
            person.notes.append(
                {
                    "flag": "part_month",
                    "message": _("%(days)s working days of the month outside the employment are deducted.")
                    % {"days": not_employed},
                }
            )
    else:
        attendance = Attendance(scheduled_days=ZERO)
    wage_base = sum((v.amount for v in values if v.in_wage_base and v.amount is not None), ZERO)
    years, months = _complete(hired, end)
    same_month = previous is not None and previous.month == month
    if previous is not None:
        ytd = previous.ytd
    else:
        low_income = False
        if rules.low_income is not None and last_year is not None:
            income, paid_months = last_year
            low_income = paid_months == MONTHS_IN_YEAR and income <= rules.low_income.previous_year_income_limit
        # Both rules start the year's basic deduction early; the low-income one (the whole year's at once)
        # gives at least as much, and the rules refuse both together.
        ytd = YearToDate(
            year=month.year, previous_year_low_income=low_income, first_wages_of_year=first_wages and not low_income
        )
    si_wage = None
    if last_year is not None and last_year[1]:
        si_wage = (last_year[0] / last_year[1]).quantize(Decimal("0.01"))
    deductions = memo.monthly_deductions(tuple(declarations)) if declarations else None
    return PersonMonthInput(
        person_key=str(pk),
        year=month.year,
        month=month.month,
        components=tuple(values),
        attendance=attendance,
        employment=Employment(
            contract_wage=wage_base,
            minimum_wage=minimum_wage,
            on_probation=probation_end is not None and probation_end >= month,
            years_of_service=Decimal(years),
            months_employed=Decimal(months),
            rating=rating,
        ),
        social=SocialInsuranceInput(policy, wage=si_wage),
        ytd=ytd,
        iit_rules=rules,
        special_additional_deductions=deductions.special_additional if deductions else ZERO,
        other_deductions=(deductions.other if deductions else ZERO) + other_deductions,
        bonus=bonus,
        shortfall_brought_forward=previous.shortfall if previous is not None and not same_month else ZERO,
        second_run_of_month=same_month,
        separate_tax=separate_tax,
        sick_pay_policy=memo.sick_pay,
    )


def ids_of(people: Iterable[PersonInput]) -> list[int]:
    return [p.employee_id for p in people]
