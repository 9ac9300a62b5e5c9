"""A person's balances as of a date with the ledger lines behind them, and prior service.

A balance is replayed from its lines: the page shows the lines and their running total, and the total
is the balance (the same sum ``selectors.ledger.balance`` computes in the database). Two queries
whatever the number of lines or types."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import QuerySet

from talentloop.core.access import Actor
from talentloop.leave import access
from talentloop.leave import entitlements as rules
from talentloop.leave.models import LeaveCategory, LeaveType, LedgerEntry, PriorService
from talentloop.organisation.models import Employee

ZERO = Decimal("0")


def plain(value: Decimal) -> Decimal:
    """Days without trailing zeros (6.500 → 6.5, 5.000 → 5), never in exponent form."""
    if value == value.to_integral_value():
        return value.quantize(Decimal(1))
    return value.normalize()


@dataclass
class LedgerLine:
    entry: LedgerEntry
    running: Decimal

    @property
    def days_shown(self) -> Decimal:
        return plain(self.entry.days)

    @property
    def running_shown(self) -> Decimal:
        return plain(self.running)


@dataclass(frozen=True)
class AnnualSummary:
    """What the statutory rules give for the year (``leave.entitlements``), shown beside the ledger so a
    person sees where the number comes from: cumulative years of service, first eligibility, days."""

    year: int
    days: int
    service_years: int
    eligible_from: dt.date


@dataclass
class TypeBalance:
    leave_type: LeaveType
    balance: Decimal = ZERO
    lines: list[LedgerLine] = field(default_factory=list)
    annual: AnnualSummary | None = None

    @property
    def balance_shown(self) -> Decimal:
        return plain(self.balance)


def balance_person_get(actor: Actor, employee_id: int | None) -> Employee | None:
    """Whose balances: the actor's own (``None``), or someone they may view the leave of."""
    if employee_id is None:
        return actor.employee
    person = access.visible_leave_people(actor).select_related("org_unit").filter(pk=employee_id).first()
    if person is None or not access.can_view_leave_of(actor, person):
        return None
    return person


def can_choose_person(actor: Actor) -> bool:
    """Whether the actor sees anyone's leave but their own (the page then offers the people picker)."""
    return bool(actor.is_hr or actor.is_admin or actor.is_manager)


def balance_report(actor: Actor, employee: Employee, as_of: dt.date) -> list[TypeBalance]:
    """Each type drawn from a balance (and any other type the person has ledger lines of), with the
    lines effective on or before ``as_of`` and their running total."""
    tracked = access.visible_leave_types(actor).filter(tracks_balance=True, is_active=True).prefetch_related("tiers")
    types = {t.pk: TypeBalance(t) for t in tracked}
    annual = [row for row in types.values() if row.leave_type.category == LeaveCategory.ANNUAL]
    if annual:
        prior = list(PriorService.objects.filter(employee=employee, status=PriorService.Status.VERIFIED)
                     .values_list("start", "end"))
        for annual_row in annual:
            annual_row.annual = annual_summary(employee, annual_row.leave_type, as_of, prior)
    entries = (LedgerEntry.objects.filter(employee=employee, effective_date__lte=as_of)
               .select_related("leave_type", "created_by").order_by("effective_date", "id"))
    for entry in entries:
        found = types.get(entry.leave_type_id)
        if found is None:
            found = types[entry.leave_type_id] = TypeBalance(entry.leave_type)
        row = found
        row.balance += entry.days
        row.lines.append(LedgerLine(entry, row.balance))
    return sorted(types.values(), key=lambda r: (r.leave_type.category != "annual", r.leave_type.code))


def annual_summary(employee: Employee, leave_type: LeaveType, as_of: dt.date,
                   prior: list[rules.Period]) -> AnnualSummary:
    """The year's statutory annual leave as of ``as_of`` (before any disqualification by absences)."""
    leaving = employee.termination_date if employee.termination_date and employee.termination_date <= as_of else None
    tiers = [(t.min_years, t.days) for t in leave_type.tiers.all()]
    ent = rules.annual_entitlement(year=as_of.year, hire_date=employee.hire_date, termination_date=leaving,
                                   prior=prior, tiers=tiers)
    career = rules.equivalent_start(employee.hire_date, prior)
    return AnnualSummary(as_of.year, ent.days, rules.service_years(career, as_of),
                         rules.eligibility_date(employee.hire_date, prior))


def my_prior_services(actor: Actor) -> QuerySet[PriorService]:
    if actor.employee is None:
        return PriorService.objects.none()
    return PriorService.objects.filter(employee=actor.employee).select_related("verified_by").order_by("start")


def prior_services_to_review(actor: Actor, *, status: str = "pending") -> list[PriorService]:
    """Statements HR covering the person may decide (never their own), oldest first."""
    rows = (access.visible_prior_services(actor).select_related("employee__org_unit", "verified_by")
            .order_by("id"))
    if status != "all":
        rows = rows.filter(status=status)
    return [r for r in rows[:500] if access.can_manage_leave_of(actor, r.employee)
            and not access.is_self(actor, r.employee)]


def prior_service_get(actor: Actor, pk: int) -> PriorService | None:
    return access.visible_prior_services(actor).select_related("employee__org_unit").filter(pk=pk).first()


def balance_type_get(actor: Actor, pk: int) -> LeaveType | None:
    return access.visible_leave_types(actor).filter(pk=pk).first()
