"""Who may see and change career ladders and paths.

Ladders are open to everyone signed in (what each level asks is no secret); HR edits them.
A person's promotion path shows their rating and skill scores: the person, anyone above them in
the reporting tree, HR covering them and their mentor (an approved or active plan) read it;
administrators read it too (technical accounts). The rating on it follows the rule of final
ratings (``performance.access.can_view_final_rating``): the mentor and the admin see the path
without it."""

from __future__ import annotations

from django.db.models import QuerySet

from talentloop.careers.models import CareerLadder, LadderLevel
from talentloop.core.access import Actor
from talentloop.mentoring.models import ACTIVE_PLAN_STATUSES, MentoringPlan
from talentloop.organisation.access import hr_covers_unit
from talentloop.organisation.models import Employee


def can_manage_ladders(actor: Actor) -> bool:
    return actor.is_authenticated and actor.is_hr


def visible_ladders(actor: Actor) -> QuerySet[CareerLadder]:
    return CareerLadder.objects.all() if actor.is_authenticated else CareerLadder.objects.none()


def visible_levels(actor: Actor) -> QuerySet[LadderLevel]:
    return LadderLevel.objects.filter(ladder__in=visible_ladders(actor))


def can_view_path(actor: Actor, employee: Employee) -> bool:
    if not actor.is_authenticated:
        return False
    if actor.is_admin or (actor.employee is not None and actor.employee.pk == employee.pk):
        return True
    if actor.has_reports and employee.manager_path.startswith(actor.reports_prefix):
        return True
    if actor.is_hr and hr_covers_unit(actor, employee.org_unit):
        return True
    return actor.employee is not None and MentoringPlan.objects.filter(
        mentor__employee=actor.employee, mentee=employee, status__in=ACTIVE_PLAN_STATUSES).exists()


def can_view_own_path(actor: Actor) -> bool:
    """One's own career path needs an employee record to start from."""
    return actor.is_authenticated and actor.employee is not None


def path_subjects(actor: Actor) -> QuerySet[Employee]:
    """People whose path the actor may look up by id (the predicate decides each one)."""
    return Employee.objects.all() if actor.is_authenticated else Employee.objects.none()
