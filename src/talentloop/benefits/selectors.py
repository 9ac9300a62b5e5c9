"""Reads of benefits: the plans, who is eligible for which on a day (set-based), a person's own page,
the enrolments of a plan, and the monthly contributions payroll reads (``benefit_contributions``)."""

from __future__ import annotations

import calendar
import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import Prefetch, Q, QuerySet
from django.utils.translation import gettext as _

from talentloop.benefits import access
from talentloop.benefits.models import BenefitPlan, Enrolment, EnrolmentState, EnrolmentWindow, PlanKind
from talentloop.benefits.treatments import Contribution, deductible_cap, monthly_amount
from talentloop.core.access import Actor
from talentloop.organisation.models import Employee, EmploymentStatus

__all__ = [
    "Contribution",
    "benefit_contributions",
    "plan_labels",
    "eligible_plans",
    "enrolment_list",
    "ineligibility_reasons",
    "my_benefits",
    "plan_list",
]

# What eligibility needs of a person: read as plain values, never as full (encrypted) rows.
PERSON_FIELDS = ("id", "job_family_id", "level", "hire_date", "termination_date", "status")


# ------------------------------------------------------------------------------------------------ months


def month_start(day: dt.date) -> dt.date:
    return day.replace(day=1)


def add_months(day: dt.date, months: int) -> dt.date:
    """``day`` moved by whole months, kept within the target month (31 January + 1 month = 28/29 February)."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    last = calendar.monthrange(year, month + 1)[1]
    return dt.date(year, month + 1, min(day.day, last))


def month_end(month: dt.date) -> dt.date:
    return add_months(month_start(month), 1) - dt.timedelta(days=1)


def enrolment_start_month(day: dt.date) -> dt.date:
    """A plan joined on ``day`` (when it is in force) counts from the next month: the current month's
    payroll may already be under way."""
    return add_months(month_start(day), 1)


# ------------------------------------------------------------------------------------------------ plans


def _plan_queryset(qs: QuerySet[BenefitPlan]) -> QuerySet[BenefitPlan]:
    return qs.prefetch_related("job_families", Prefetch("windows", EnrolmentWindow.objects.order_by("-opens_on")))


def plan_list(actor: Actor) -> QuerySet[BenefitPlan]:
    """The plans the actor sees with their job families and windows (three queries for any number)."""
    return _plan_queryset(access.visible_plans(actor)).order_by("key")


def plan_get(actor: Actor, pk: int) -> BenefitPlan | None:
    return _plan_queryset(access.visible_plans(actor)).filter(pk=pk).first()


def plan_in_force(plan: BenefitPlan, day: dt.date) -> bool:
    return plan.active and plan.effective_from <= day and (plan.effective_to is None or plan.effective_to >= day)


def open_window(plan: BenefitPlan, day: dt.date) -> EnrolmentWindow | None:
    """The plan's window open on ``day`` (read from the prefetched windows when they are there)."""
    for window in plan.windows.all():
        if window.is_open(day):
            return window
    return None


def next_window(plan: BenefitPlan, day: dt.date) -> EnrolmentWindow | None:
    upcoming = [w for w in plan.windows.all() if w.opens_on > day]
    return min(upcoming, key=lambda w: w.opens_on) if upcoming else None


# ------------------------------------------------------------------------------------------------ eligibility


def ineligibility_reasons(person: Mapping[str, Any], plan: BenefitPlan, day: dt.date) -> list[str]:
    """Why the person (the values of ``PERSON_FIELDS``) may not join ``plan`` on ``day``; empty when
    they may. The plan's job families are read from its prefetch."""
    reasons = []
    employed = (
        person["status"] != EmploymentStatus.TERMINATED
        and person["hire_date"] <= day
        and (person["termination_date"] is None or person["termination_date"] >= day)
    )
    if not employed:
        reasons.append(_("Only people employed on the day may join a plan."))
    families = {f.pk for f in plan.job_families.all()}
    if families and person["job_family_id"] not in families:
        reasons.append(_("The plan is not offered to your job family."))
    if (plan.min_level is not None and person["level"] < plan.min_level) or (
        plan.max_level is not None and person["level"] > plan.max_level
    ):
        reasons.append(_("The plan is not offered at your level."))
    if plan.min_tenure_months and add_months(person["hire_date"], plan.min_tenure_months) > day:
        reasons.append(
            _("The plan is open after %(months)s months with the company.") % {"months": plan.min_tenure_months}
        )
    return reasons


def person_facts(employee_ids: Iterable[int] | QuerySet[Employee]) -> dict[int, dict[str, Any]]:
    qs = Employee.objects.order_by()
    if isinstance(employee_ids, QuerySet):
        qs = qs.filter(pk__in=employee_ids.values("pk"))
    else:
        qs = qs.filter(pk__in=list(employee_ids))
    return {row["id"]: row for row in qs.values(*PERSON_FIELDS)}


def eligible_plans(
    employee_ids: Iterable[int] | QuerySet[Employee], day: dt.date, *, plans: Iterable[BenefitPlan] | None = None
) -> dict[int, list[BenefitPlan]]:
    """Which plans in force on ``day`` each person may join, ``{employee id: [plans by key]}`` (everyone
    asked about is a key). Three queries whatever the number of people: the people's facts, the plans
    and their job families; the rules are then applied in memory."""
    if plans is None:
        plans = _plan_queryset(BenefitPlan.objects.filter(active=True)).order_by("key")
    in_force = [plan for plan in plans if plan_in_force(plan, day)]
    facts = person_facts(employee_ids)
    return {
        pk: [plan for plan in in_force if not ineligibility_reasons(person, plan, day)] for pk, person in facts.items()
    }


# ------------------------------------------------------------------------------------------------ one's own page


@dataclass
class PlanChoice:
    plan: BenefitPlan
    window: EnrolmentWindow | None  # open today
    next_window: EnrolmentWindow | None
    enrolment: Enrolment | None  # the open (or upcoming) enrolment, if any


@dataclass
class MyBenefits:
    day: dt.date
    current: list[Enrolment] = field(default_factory=list)  # open or upcoming enrolments
    past: list[Enrolment] = field(default_factory=list)
    choices: list[PlanChoice] = field(default_factory=list)  # eligible plans


def my_benefits(actor: Actor, day: dt.date) -> MyBenefits:
    """The actor's enrolments and the plans they may join, with today's window of each. Four queries."""
    page = MyBenefits(day=day)
    if not access.can_use_benefits(actor):
        return page
    assert actor.employee is not None
    enrolments = list(
        access.visible_enrolments(actor)
        .filter(employee=actor.employee)
        .select_related("plan")
        .order_by("-start_month", "-id")
    )
    page.current = [e for e in enrolments if e.state == EnrolmentState.ACTIVE]
    page.past = [e for e in enrolments if e.state != EnrolmentState.ACTIVE]
    open_by_plan = {e.plan_id: e for e in page.current}
    plans = list(_plan_queryset(access.visible_plans(actor).filter(active=True)).order_by("key"))
    eligible = eligible_plans([actor.employee.pk], day, plans=plans).get(actor.employee.pk, [])
    eligible_ids = {p.pk for p in eligible}
    for plan in plans:
        if plan.pk in eligible_ids or plan.pk in open_by_plan:
            page.choices.append(
                PlanChoice(
                    plan=plan,
                    window=open_window(plan, day),
                    next_window=next_window(plan, day),
                    enrolment=open_by_plan.get(plan.pk),
                )
            )
    return page


# ------------------------------------------------------------------------------------------------ enrolments


def enrolment_list(actor: Actor, *, plan: BenefitPlan | None = None, mine: bool = False) -> QuerySet[Enrolment]:
    """Enrolments the actor sees, newest first, with person and plan (one query per page)."""
    qs = access.visible_enrolments(actor).select_related("employee", "plan", "employee__org_unit")
    if mine:
        qs = qs.filter(employee=actor.employee) if actor.employee is not None else qs.none()
    if plan is not None:
        qs = qs.filter(plan=plan)
    return qs.order_by("-start_month", "-id")


def enrolment_get(actor: Actor, pk: int) -> Enrolment | None:
    return access.visible_enrolments(actor).select_related("plan", "employee").filter(pk=pk).first()


def in_force_q(month: dt.date, prefix: str = "") -> Q:
    """Enrolments counting in ``month``: started by then, not ended before, never withdrawn."""
    month = month_start(month)
    return (
        Q(**{f"{prefix}start_month__lte": month})
        & (Q(**{f"{prefix}end_month__isnull": True}) | Q(**{f"{prefix}end_month__gte": month}))
        & ~Q(**{f"{prefix}state": EnrolmentState.WITHDRAWN})
    )


# ------------------------------------------------------------------------------------------------ payroll


CASH_KINDS = {PlanKind.MEAL_ALLOWANCE, PlanKind.TRANSPORT_ALLOWANCE}


def benefit_contributions(
    employee_ids: Iterable[int] | QuerySet[Employee],
    month: dt.date,
    *,
    bases: Mapping[int, Decimal] | None = None,
) -> dict[int, list[Contribution]]:
    """Each person's benefit lines for ``month`` (any day of it), ``{employee id: [Contribution by plan
    key]}``; people without an enrolment in force are absent. One query whatever the number of people.

    For the payroll run, which reads every person of a group at once and audits the run as a whole.
    ``bases`` are the people's base salaries for the month (for a plan with a rate, and for the annuity's
    4 % cap; for the annuity payroll passes the base already capped at 300 % of the city's average
    wage). A person without a base gets the fixed amounts only. The plan must be active and in force
    during some day of the month."""
    first = month_start(month)
    last = month_end(first)
    qs = (
        Enrolment.objects.filter(in_force_q(first))
        .filter(plan__active=True, plan__effective_from__lte=last)
        .filter(Q(plan__effective_to__isnull=True) | Q(plan__effective_to__gte=first))
        .select_related("plan")
        .order_by("employee_id", "plan__key")
    )
    if isinstance(employee_ids, QuerySet):
        qs = qs.filter(employee__in=employee_ids.values("pk"))
    else:
        qs = qs.filter(employee_id__in=list(employee_ids))
    bases = bases or {}
    out: dict[int, list[Contribution]] = {}
    for enrolment in qs:
        plan = enrolment.plan
        base = bases.get(enrolment.employee_id)
        out.setdefault(enrolment.employee_id, []).append(
            Contribution(
                plan_key=plan.key,
                plan_label=plan.label,
                employee_amount=monthly_amount(plan.employee_amount, plan.employee_rate, base),
                employer_amount=monthly_amount(plan.employer_amount, plan.employer_rate, base),
                tax_treatment=plan.tax_treatment,
                deductible_cap=deductible_cap(plan.tax_treatment, base=base, exempt_cap=plan.exempt_cap),
                employee_part_from_pay=plan.employee_part_from_pay,
                cash=plan.kind in CASH_KINDS,
            )
        )
    return out


def plan_labels(keys: Iterable[str]) -> dict[str, str]:
    """The plans' names in the active language by key (one query): payroll names the lines of a plan."""
    return {plan.key: plan.label for plan in BenefitPlan.objects.filter(key__in=list(keys))}
