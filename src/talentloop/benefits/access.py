"""Who may see and change benefits. Every page, endpoint and service comes through here.

- Everyone with an employee record sees the active plans and their own enrolments, and joins or
  leaves plans for themselves.
- HR, payroll and administrators manage the plans and their windows. HR sees the enrolments of the
  people in their org-unit scope; payroll (who turn contributions into pay lines) and administrators
  see every enrolment.
- A manager sees nothing of anyone else's enrolments: being someone's manager gives no right here.
"""

from __future__ import annotations

from django.db.models import Q, QuerySet

from talentloop.benefits.models import BenefitPlan, Enrolment
from talentloop.core.access import Actor
from talentloop.organisation.models import Employee


def can_manage_plans(actor: Actor) -> bool:
    return actor.is_authenticated and (actor.is_hr or actor.is_payroll or actor.is_admin)


def can_use_benefits(actor: Actor) -> bool:
    """The employee's own benefits page: for people with an employee record."""
    return actor.is_authenticated and actor.employee is not None


def visible_plans(actor: Actor) -> QuerySet[BenefitPlan]:
    """Managers of plans see every plan; everyone else signed in the active ones."""
    if not actor.is_authenticated:
        return BenefitPlan.objects.none()
    if can_manage_plans(actor):
        return BenefitPlan.objects.all()
    if actor.employee is None:
        return BenefitPlan.objects.none()
    return BenefitPlan.objects.filter(active=True)


def _hr_people_q(actor: Actor, prefix: str = "employee__") -> Q:
    """The people of the actor's HR scope below particular org units (the paths their roles cover);
    HR of the whole organisation is handled by the callers."""
    q = Q(pk__in=[])
    for path in actor.hr_unit_paths:
        q |= Q(**{f"{prefix}org_unit__path__startswith": path})
    return q


def enrolment_subjects(actor: Actor) -> QuerySet[Employee]:
    """The people whose enrolments the actor manages (not counting themselves)."""
    if not actor.is_authenticated:
        return Employee.objects.none()
    if actor.is_admin or actor.is_payroll or (actor.is_hr and actor.hr_everywhere):
        return Employee.objects.all()
    if actor.is_hr:
        return Employee.objects.filter(_hr_people_q(actor, prefix=""))
    return Employee.objects.none()


def visible_enrolments(actor: Actor) -> QuerySet[Enrolment]:
    """Own enrolments, and those of the people the actor manages benefits for."""
    if not actor.is_authenticated:
        return Enrolment.objects.none()
    if actor.is_admin or actor.is_payroll or (actor.is_hr and actor.hr_everywhere):
        return Enrolment.objects.all()
    q = Q(pk__in=[])
    if actor.employee is not None:
        q |= Q(employee=actor.employee)
    if actor.is_hr:
        q |= _hr_people_q(actor)
    return Enrolment.objects.filter(q)


def can_enrol(actor: Actor, employee: Employee) -> bool:
    """People join and leave plans for themselves only."""
    return actor.is_authenticated and actor.employee is not None and actor.employee.pk == employee.pk


def can_cancel_enrolment(actor: Actor, enrolment: Enrolment) -> bool:
    return actor.is_authenticated and actor.employee is not None and actor.employee.pk == enrolment.employee_id
