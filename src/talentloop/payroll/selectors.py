"""Reads of payroll data. Salaries are read through here only: every read of a person's salary by
someone else leaves an audit entry (never the amounts)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import Exists, OuterRef, Prefetch, QuerySet
from django.utils.translation import gettext as _

from talentloop.core.access import Actor
from talentloop.core.audit.services import audit_record
from talentloop.core.errors import NotFound
from talentloop.organisation.models import Employee
from talentloop.payroll import access
from talentloop.payroll.models import (
    PayGroup,
    PayrollRun,
    RunKind,
    SalaryComponent,
    SalaryItem,
    SalaryStructure,
    TaxDeclaration,
)
from talentloop.payroll.rules.social import PolicyBook, load_policies

SALARY_READ = "salary"


def _audit_salary_read(actor: Actor, employee: Employee, what: str) -> None:
    """A salary read by anyone but its owner is recorded: who, whose, what (never an amount)."""
    if not access.is_self(actor, employee):
        audit_record(actor=actor, action="read_sensitive", obj=employee, summary=f"{SALARY_READ}: {what}"[:200])


def salaries_at(employee_ids: Iterable[int] | QuerySet[Employee], date: dt.date) -> dict[int, dict[str, Decimal]]:
    """The fixed amounts in force on ``date`` of each person, ``{employee id: {component key: amount}}``
    (people without a structure then are absent). One query whatever the number of people: an item is
    kept when its structure took effect on or before ``date`` and no later structure of the same person
    did. For payroll runs, which audit the run as a whole; a person's own reads go through
    :func:`salary_at`."""
    later = SalaryStructure.objects.filter(
        employee=OuterRef("structure__employee"),
        effective_from__lte=date,
        effective_from__gt=OuterRef("structure__effective_from"),
    )
    items = (
        SalaryItem.objects.filter(structure__effective_from__lte=date)
        .filter(~Exists(later))
        .order_by("structure__employee_id", "component__order")
    )
    if isinstance(employee_ids, QuerySet):
        items = items.filter(structure__employee__in=employee_ids.values("pk"))
    else:
        items = items.filter(structure__employee_id__in=list(employee_ids))
    # Plain rows opened one by one: building a model object per item cost more than the decryption.
    field = SalaryItem._meta.get_field("amount")
    out: dict[int, dict[str, Decimal]] = {}
    for employee_id, key, sealed, row_uid in items.values_list(
        "structure__employee_id", "component__key", "amount", "row_uid"
    ):
        out.setdefault(employee_id, {})[key] = Decimal(field.open_sealed(sealed, row_uid))
    return out


def salary_at(actor: Actor, employee: Employee, date: dt.date) -> dict[str, Decimal]:
    """The person's fixed amounts in force on ``date`` (empty when none), for someone who may see them."""
    if not access.can_view_salary(actor, employee):
        raise NotFound(_("Not found."))
    _audit_salary_read(actor, employee, date.isoformat())
    return salaries_at([employee.pk], date).get(employee.pk, {})


def salary_people(actor: Actor) -> QuerySet[Employee]:
    return access.salary_people(actor)


def salary_structure_history(actor: Actor, employee: Employee) -> QuerySet[SalaryStructure]:
    """Every structure of the person, newest first, with their items (two queries for any page)."""
    if not access.can_view_salary(actor, employee):
        raise NotFound(_("Not found."))
    _audit_salary_read(actor, employee, "history")
    items = SalaryItem.objects.select_related("component").order_by("component__order", "component__key")
    return (
        access.visible_salary_structures(actor)
        .filter(employee=employee)
        .select_related("recorded_by")
        .prefetch_related(Prefetch("items", queryset=items))
        .order_by("-effective_from", "-id")
    )


def salary_component_list(actor: Actor) -> QuerySet[SalaryComponent]:
    return access.visible_salary_components(actor).order_by("order", "key")


def tax_declaration_list(
    actor: Actor, employee: Employee, *, include_withdrawn: bool = True
) -> QuerySet[TaxDeclaration]:
    qs = access.visible_tax_declarations(actor).filter(employee=employee)
    if not include_withdrawn:
        qs = qs.filter(withdrawn_at__isnull=True)
    return qs.order_by("-start", "-id")


# ---------------------------------------------------------------------------------------- social insurance


@dataclass(frozen=True)
class FundRow:
    fund: str
    base_floor: Decimal
    base_ceiling: Decimal
    employer_rate: Decimal
    employee_rate: Decimal
    employee_fixed_amount: Decimal
    rounding: str


@dataclass(frozen=True)
class PolicyRow:
    city: str
    valid_from: dt.date
    valid_to: dt.date | None
    verified: bool
    source: str
    funds: list[FundRow]


def si_policy_list(actor: Actor, *, city: str = "", book: PolicyBook | None = None) -> list[PolicyRow]:
    """Every city's social-insurance policy periods with their bases and rates, by city then date."""
    if not access.can_view_si_policies(actor):
        return []
    book = book if book is not None else load_policies()
    rows = []
    for policy in sorted(book.policies, key=lambda p: (p.city, p.valid_from)):
        if city and policy.city != city:
            continue
        funds = [
            FundRow(
                fund=str(rule.fund),
                base_floor=rule.base_floor,
                base_ceiling=rule.base_ceiling,
                employer_rate=rule.employer_rate,
                employee_rate=rule.employee_rate,
                employee_fixed_amount=rule.employee_fixed_amount,
                rounding=rule.rounding,
            )
            for rule in policy.funds.values()
        ]
        source: Any = policy.source
        rows.append(
            PolicyRow(
                city=policy.city,
                valid_from=policy.valid_from,
                valid_to=policy.valid_to,
                verified=policy.verified,
                source=source.document,
                funds=funds,
            )
        )
    return rows


# ------------------------------------------------------------------------------------------------ runs


def pay_group_by_key(key: str) -> PayGroup:
    """The pay group ``key`` (the command line's way to name one)."""
    group = PayGroup.objects.filter(key=key).first()
    if group is None:
        raise NotFound(_("No pay group %(key)s.") % {"key": key})
    return group


def regular_run_for(pay_group: PayGroup, month: dt.date) -> PayrollRun | None:
    return PayrollRun.objects.filter(pay_group=pay_group, month=month.replace(day=1), kind=RunKind.REGULAR).first()
