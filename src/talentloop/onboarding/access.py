"""Who may see and change onboarding data. Every view, endpoint and task comes through here.

- A new hire sees their own checklist and ticks their own steps.
- Anyone above the new hire in the reporting tree sees it and ticks manager steps.
- The new hire's active mentor sees it and ticks mentor steps.
- HR covering the new hire sees it, ticks any step, starts checklists and edits templates.
- Administrators read every checklist and may tick HR and IT steps (there is no IT role).
"""

from __future__ import annotations

from django.db.models import Q, QuerySet

from talentloop.core.access import Actor
from talentloop.mentoring.models import ACTIVE_PLAN_STATUSES, MentoringPlan
from talentloop.onboarding.models import Checklist, ChecklistStep, ChecklistTemplate, StepOwner
from talentloop.organisation.access import hr_covers_unit
from talentloop.organisation.models import Employee


def _hr_people_q(actor: Actor, prefix: str) -> Q:
    if actor.hr_everywhere:
        return Q(**{f"{prefix}pk__isnull": False})
    q = Q(pk__in=[])
    for path in actor.hr_unit_paths:
        q |= Q(**{f"{prefix}org_unit__path__startswith": path})
    return q


def mentee_ids(actor: Actor) -> QuerySet:
    """Ids of the people the actor mentors in an approved or active plan (a subquery)."""
    if not actor.is_authenticated or actor.employee is None:
        return MentoringPlan.objects.none().values("mentee_id")
    return MentoringPlan.objects.filter(mentor__employee=actor.employee,
                                        status__in=ACTIVE_PLAN_STATUSES).values("mentee_id")


def is_active_mentor_of(actor: Actor, employee: Employee) -> bool:
    if not actor.is_authenticated or actor.employee is None:
        return False
    return MentoringPlan.objects.filter(mentor__employee=actor.employee, mentee=employee,
                                        status__in=ACTIVE_PLAN_STATUSES).exists()


def is_above(actor: Actor, employee: Employee) -> bool:
    """The actor is somewhere above ``employee`` in the reporting tree."""
    return bool(actor.has_reports and actor.reports_prefix and employee.manager_path.startswith(actor.reports_prefix))


def is_self(actor: Actor, employee: Employee) -> bool:
    return actor.employee is not None and actor.employee.pk == employee.pk


# ---------------------------------------------------------------- templates


def can_manage_onboarding(actor: Actor) -> bool:
    """Templates and the checklist list are HR's."""
    return actor.is_authenticated and actor.is_hr


def visible_templates(actor: Actor) -> QuerySet[ChecklistTemplate]:
    if not (can_manage_onboarding(actor) or (actor.is_authenticated and actor.is_admin)):
        return ChecklistTemplate.objects.none()
    return ChecklistTemplate.objects.all()


# ---------------------------------------------------------------- checklists


def visible_checklists(actor: Actor) -> QuerySet[Checklist]:
    """The new hire's own, those of people below the actor, of their mentees, HR's scope; admins all."""
    qs = Checklist.objects.all()
    if not actor.is_authenticated:
        return qs.none()
    if actor.is_admin or actor.hr_everywhere:
        return qs
    q = Q(pk__in=[])
    if actor.employee is not None:
        q |= Q(employee=actor.employee) | Q(employee__in=mentee_ids(actor))
        if actor.has_reports:
            q |= Q(employee__manager_path__startswith=actor.reports_prefix)
    if actor.is_hr:
        q |= _hr_people_q(actor, "employee__")
    return qs.filter(q)


def visible_steps(actor: Actor) -> QuerySet[ChecklistStep]:
    return ChecklistStep.objects.filter(checklist__in=visible_checklists(actor))


def can_list_checklists(actor: Actor) -> bool:
    return actor.is_authenticated and (actor.is_hr or actor.is_admin)


def can_start_checklist(actor: Actor, employee: Employee | None = None) -> bool:
    """HR covering the person, or anyone above them in the reporting tree."""
    if not actor.is_authenticated:
        return False
    if employee is None:
        return actor.is_hr or actor.has_reports
    return (actor.is_hr and hr_covers_unit(actor, employee.org_unit)) or is_above(actor, employee)


def start_subjects(actor: Actor) -> QuerySet[Employee]:
    """Whom the actor may start a checklist for: active people below them or in their HR scope."""
    if not actor.is_authenticated:
        return Employee.objects.none()
    q = Q(pk__in=[])
    if actor.is_hr:
        q |= _hr_people_q(actor, "")
    if actor.has_reports:
        q |= Q(manager_path__startswith=actor.reports_prefix)
    return Employee.objects.filter(q, status="active")


def can_view_team(actor: Actor) -> bool:
    return actor.is_authenticated and actor.has_reports


def can_view_own_onboarding(actor: Actor) -> bool:
    """Anyone with an employee record has an onboarding page (empty when there is no checklist)."""
    return actor.is_authenticated and actor.employee is not None


def tickable_owners(actor: Actor, employee: Employee, *, mentor: bool | None = None) -> frozenset[str]:
    """The owners whose steps the actor may tick on ``employee``'s checklist (at most one query:
    whether the actor is the person's active mentor; pass ``mentor`` when already known)."""
    if not actor.is_authenticated:
        return frozenset()
    if actor.is_hr and hr_covers_unit(actor, employee.org_unit):
        return frozenset(StepOwner.values)
    owners: set[str] = set()
    if actor.is_admin:
        owners |= {StepOwner.HR, StepOwner.IT}
    if is_self(actor, employee):
        owners.add(StepOwner.NEW_HIRE)
    if is_above(actor, employee):
        owners.add(StepOwner.MANAGER)
    if mentor is None:
        mentor = not is_self(actor, employee) and is_active_mentor_of(actor, employee)
    if mentor:
        owners.add(StepOwner.MENTOR)
    return frozenset(owners)


def can_tick_step(actor: Actor, step: ChecklistStep) -> bool:
    return step.owner in tickable_owners(actor, step.checklist.employee)
