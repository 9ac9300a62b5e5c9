"""Writes of onboarding: templates (HR), starting a checklist, ticking steps, and the two daily
jobs — starting checklists for recent hires and reminding step owners."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from talentloop.accounts.models import RoleAssignment
from talentloop.core import cache
from talentloop.core.access import Actor
from talentloop.core.errors import Conflict, InvalidInput, PermissionDenied, errors_from_validation
from talentloop.mentoring.models import ACTIVE_PLAN_STATUSES, MentoringPlan
from talentloop.notifications.services import Item, notify_each
from talentloop.onboarding import access, selectors
from talentloop.onboarding.models import (
    MAX_DUE_DAY,
    MIN_DUE_DAY,
    Checklist,
    ChecklistStep,
    ChecklistTemplate,
    StepOwner,
    TemplateStep,
)
from talentloop.organisation.models import Employee, JobFamily, OrgUnit

START_WINDOW_DAYS = 30
REMIND_DAYS = 2
MAX_STEPS = 80


# ---------------------------------------------------------------- templates


def _validate_steps(steps: list[dict]) -> tuple[list[dict], dict[str, list[str]]]:
    errors: dict[str, list[str]] = {}
    clean: list[dict] = []
    if not steps:
        errors["steps"] = [_("Add at least one step.")]
    if len(steps) > MAX_STEPS:
        errors["steps"] = [_("At most %(n)d steps.") % {"n": MAX_STEPS}]
    for i, raw in enumerate(steps, start=1):
        title = str(raw.get("title") or "").strip()
        owner = raw.get("owner")
        due_day = raw.get("due_day")
        problems = []
        if not title:
            problems.append(_("Step %(n)d: a title is required.") % {"n": i})
        elif len(title) > 200:
            problems.append(_("Step %(n)d: the title is too long.") % {"n": i})
        if owner not in StepOwner.values:
            problems.append(_("Step %(n)d: the owner must be one of %(owners)s.")
                            % {"n": i, "owners": ", ".join(StepOwner.values)})
        if not isinstance(due_day, int) or isinstance(due_day, bool) or not MIN_DUE_DAY <= due_day <= MAX_DUE_DAY:
            problems.append(_("Step %(n)d: the due day must be a whole number from %(lo)d to %(hi)d.")
                            % {"n": i, "lo": MIN_DUE_DAY, "hi": MAX_DUE_DAY})
        if problems:
            errors.setdefault("steps", []).extend(problems)
            continue
        clean.append({"title": title, "title_en": str(raw.get("title_en") or "").strip()[:200],
                      "description": str(raw.get("description") or "").strip()[:1000], "owner": owner,
                      "due_day": due_day, "order": i})
    return clean, errors


@transaction.atomic
def checklist_template_save(*, actor: Actor, template: ChecklistTemplate | None = None, name: str,
                            name_en: str = "", org_unit: OrgUnit | None = None, job_family: JobFamily | None = None,
                            active: bool = True, steps: list[dict]) -> ChecklistTemplate:
    """Create or replace a template and its steps. Checklists already started keep their copies."""
    if not access.can_manage_onboarding(actor):
        raise PermissionDenied(_("Only HR edits onboarding templates."))
    clean, errors = _validate_steps(steps)
    if not (name or "").strip():
        errors["name"] = [_("This field is required.")]
    if active:
        clash = ChecklistTemplate.objects.filter(active=True, org_unit=org_unit, job_family=job_family)
        if template is not None:
            clash = clash.exclude(pk=template.pk)
        if clash.exists():
            errors.setdefault("__all__", []).append(
                _("Another active template already covers this org unit and job family."))
    if errors:
        raise InvalidInput(_("Please correct the errors below."), errors)
    tpl = template or ChecklistTemplate()
    tpl.name, tpl.name_en, tpl.org_unit, tpl.job_family, tpl.active = (
        name.strip(), (name_en or "").strip(), org_unit, job_family, active)
    try:
        tpl.full_clean()
    except ValidationError as exc:
        raise InvalidInput(_("Please correct the errors below."), errors_from_validation(exc)) from exc
    tpl.save()
    if template is not None:
        tpl.steps.all().delete()
    TemplateStep.objects.bulk_create([TemplateStep(template=tpl, **s) for s in clean])
    return tpl


@transaction.atomic
def checklist_template_delete(*, actor: Actor, template: ChecklistTemplate) -> None:
    """Checklists made from it keep their steps; they only lose the link."""
    if not access.can_manage_onboarding(actor):
        raise PermissionDenied(_("Only HR edits onboarding templates."))
    template.delete()


# ---------------------------------------------------------------- checklists


def _steps_from(template: ChecklistTemplate, checklist: Checklist, today: dt.date) -> list[ChecklistStep]:
    """Copies of the template's steps. Steps already past when the checklist is created (a late
    start) count as reminded and alerted, so the new checklist does not open with a burst of alerts."""
    out = []
    for s in template.steps.all():
        due_on = checklist.start_date + dt.timedelta(days=s.due_day)
        past = today if due_on < today else None
        out.append(ChecklistStep(checklist=checklist, title=s.title, title_en=s.title_en, description=s.description,
                                 owner=s.owner, due_day=s.due_day, order=s.order, due_on=due_on,
                                 reminded_on=past, overdue_on=past))
    return out


def _started_notices(checklists: list[Checklist]) -> None:
    """Tell each new hire and their manager, after commit, in one INSERT."""
    if not checklists:
        return

    items = []
    for c in checklists:
        emp = c.employee
        items.append(Item(emp.pk, {"for_new_hire": True}, reverse("onboarding:my-onboarding"),
                          f"checklist-{c.pk}-started"))
        if emp.manager_id:
            items.append(Item(emp.manager_id, {"name": emp.name, "name_en": emp.name_en,
                                               "start_date": c.start_date.isoformat()},
                              reverse("onboarding:checklist-detail", args=[c.pk]), f"checklist-{c.pk}-started"))
    transaction.on_commit(lambda: notify_each(kind="onboarding_started", items=items))


@transaction.atomic
def checklist_start(*, actor: Actor, employee: Employee, template: ChecklistTemplate | None = None,
                    start_date: dt.date) -> Checklist:
    """HR or the person's manager starts a checklist; without a template the precedence picks one."""
    if not access.can_start_checklist(actor, employee):
        raise PermissionDenied(_("Only HR or the person's manager starts an onboarding checklist."))
    if template is None:
        template = selectors.resolve_template(selectors.active_templates(), employee.org_unit.path,
                                              employee.job_family_id)
        if template is None:
            raise InvalidInput(_("No onboarding template applies to this person."),
                               {"template": [_("Choose a template: none applies to this person.")]})
    elif not template.active:
        raise InvalidInput(_("Please correct the errors below."), {"template": [_("This template is not active.")]})
    if Checklist.objects.filter(employee=employee, completed_at__isnull=True).exists():
        raise Conflict(_("%(name)s already has an open onboarding checklist.") % {"name": employee.display_name})
    checklist = Checklist(employee=employee, template=template, template_name=template.name, start_date=start_date,
                          created_by=actor.user)
    checklist.full_clean()
    try:
        with transaction.atomic():
            checklist.save()
    except IntegrityError as exc:  # a concurrent start won the race
        raise Conflict(_("%(name)s already has an open onboarding checklist.")
                       % {"name": employee.display_name}) from exc
    ChecklistStep.objects.bulk_create(_steps_from(template, checklist, timezone.localdate()))
    cache.bump_people([employee.pk])  # bulk_create sends no post_save
    _started_notices([checklist])
    return checklist


@transaction.atomic
def start_due_checklists(date: dt.date) -> int:
    """The daily job: a checklist for everyone hired in the last 30 days who never had one.
    A fixed number of queries for any number of people; running it twice creates nothing new."""
    people = list(selectors.people_without_checklist(date - dt.timedelta(days=START_WINDOW_DAYS), date))
    if not people:
        return 0
    templates = selectors.active_templates()
    chosen: list[tuple[Employee, ChecklistTemplate]] = []
    for emp in people:
        tpl = selectors.resolve_template(templates, emp.org_unit.path, emp.job_family_id)
        if tpl is not None:
            chosen.append((emp, tpl))
    checklists = Checklist.objects.bulk_create([
        Checklist(employee=emp, template=tpl, template_name=tpl.name, start_date=emp.hire_date)
        for emp, tpl in chosen])
    if checklists and checklists[0].pk is None:  # a backend that does not return ids
        by_emp = dict(Checklist.objects.filter(employee__in=[e for e, _t in chosen], completed_at__isnull=True)
                      .values_list("employee_id", "pk"))
        for c in checklists:
            c.pk = by_emp[c.employee_id]
    steps = []
    for checklist, (emp, tpl) in zip(checklists, chosen, strict=True):
        checklist.employee = emp
        steps.extend(_steps_from(tpl, checklist, date))
    ChecklistStep.objects.bulk_create(steps, batch_size=1000)
    cache.bump_people(c.employee_id for c in checklists)  # bulk writes send no post_save
    _started_notices(checklists)
    return len(checklists)


def _complete_if_done(checklist: Checklist) -> None:
    open_left = checklist.steps.filter(done_at__isnull=True).exists()
    if not open_left and checklist.completed_at is None:
        checklist.completed_at = timezone.now()
        checklist.save(update_fields=["completed_at"])
    elif open_left and checklist.completed_at is not None:
        if Checklist.objects.filter(employee_id=checklist.employee_id, completed_at__isnull=True).exists():
            raise Conflict(_("The person has another open checklist; this one cannot be reopened."))
        checklist.completed_at = None
        checklist.save(update_fields=["completed_at"])


def _check_tick(actor: Actor, step: ChecklistStep) -> None:
    if not access.can_tick_step(actor, step):
        raise PermissionDenied(_("Only the step's owner (%(owner)s) or HR can tick this step.")
                               % {"owner": step.get_owner_display()})


@transaction.atomic
def step_tick(*, actor: Actor, step: ChecklistStep, note: str = "") -> ChecklistStep:
    """Mark a step done; the checklist completes when its last step is done."""
    _check_tick(actor, step)
    step = ChecklistStep.objects.select_for_update().select_related("checklist__employee__org_unit").get(pk=step.pk)
    if step.done_at is not None:
        return step
    step.done_at = timezone.now()
    step.done_by = actor.user
    step.note = (note or "").strip()[:500]
    step.full_clean()
    step.save(update_fields=["done_at", "done_by", "note"])
    _complete_if_done(step.checklist)
    return step


@transaction.atomic
def step_untick(*, actor: Actor, step: ChecklistStep) -> ChecklistStep:
    _check_tick(actor, step)
    step = ChecklistStep.objects.select_for_update().select_related("checklist__employee__org_unit").get(pk=step.pk)
    if step.done_at is None:
        return step
    step.done_at = None
    step.done_by = None
    step.save(update_fields=["done_at", "done_by"])
    _complete_if_done(step.checklist)
    return step


# ---------------------------------------------------------------- reminders


def _hr_covering(units: Iterable[str]) -> dict[str, list[int]]:
    """Employee ids of the HR people covering each unit path (one query)."""
    grants = list(RoleAssignment.objects.filter(role="hr", user__employee__isnull=False)
                  .values_list("user__employee__id", "org_unit__path"))
    out: dict[str, list[int]] = {}
    for path in set(units):
        out[path] = sorted({emp for emp, scope in grants if scope is None or path.startswith(scope)})
    return out


def _owners(steps: list[ChecklistStep]) -> dict[int, list[int]]:
    """The employees to notify for each step: the new hire, their manager, their active mentor(s)
    or the HR people covering them. Two queries for any number of steps."""
    employees = {s.checklist.employee_id: s.checklist.employee for s in steps}
    mentors: dict[int, list[int]] = defaultdict(list)
    if any(s.owner == StepOwner.MENTOR for s in steps):
        for mentee, mentor in (MentoringPlan.objects.filter(mentee__in=list(employees), status__in=ACTIVE_PLAN_STATUSES)
                               .values_list("mentee_id", "mentor__employee_id")):
            mentors[mentee].append(mentor)
    hr = _hr_covering(e.org_unit.path for e in employees.values()) if any(
        s.owner in (StepOwner.HR, StepOwner.IT) for s in steps) else {}
    out = {}
    for s in steps:
        emp = employees[s.checklist.employee_id]
        if s.owner == StepOwner.NEW_HIRE:
            who = [emp.pk]
        elif s.owner == StepOwner.MANAGER:
            who = [emp.manager_id] if emp.manager_id else []
        elif s.owner == StepOwner.MENTOR:
            who = mentors.get(emp.pk, [])
        else:
            who = hr.get(emp.org_unit.path, [])
        out[s.pk] = sorted(set(who))
    return out


def _step_data(step: ChecklistStep, **extra: object) -> dict:
    return {"step_id": step.pk, "checklist_id": step.checklist_id, "title": step.title, "title_en": step.title_en,
            "due_on": step.due_on.isoformat(), "owner": step.owner, "name": step.checklist.employee.name,
            "name_en": step.checklist.employee.name_en,
            **extra}


@transaction.atomic
def send_step_reminders(date: dt.date) -> dict[str, int]:
    """The daily job: remind the owners of steps due within two days (once), and alert the owners
    and the new hire's manager once when a step is overdue (urgent). Steps are selected and marked
    with set-based queries; ``reminded_on``/``overdue_on`` and the dedupe keys make a rerun send nothing."""
    base = (ChecklistStep.objects.filter(done_at__isnull=True, checklist__completed_at__isnull=True)
            .select_related("checklist__employee__org_unit"))
    due = list(base.filter(reminded_on__isnull=True, due_on__gte=date,
                           due_on__lte=date + dt.timedelta(days=REMIND_DAYS)))
    overdue = list(base.filter(overdue_on__isnull=True, due_on__lt=date))
    owners = _owners(due + overdue)

    due_items, overdue_items = [], []
    for step in due:
        emp_id = step.checklist.employee_id
        for who in owners[step.pk]:
            own = who == emp_id
            link = (reverse("onboarding:my-onboarding") if own
                    else reverse("onboarding:checklist-detail", args=[step.checklist_id]))
            due_items.append(Item(who, _step_data(step, for_new_hire=own), link, f"step-{step.pk}-due"))
    for step in overdue:
        emp = step.checklist.employee
        who_all = set(owners[step.pk])
        if emp.manager_id:
            who_all.add(emp.manager_id)  # the escalation
        link = reverse("onboarding:checklist-detail", args=[step.checklist_id])
        for who in sorted(who_all):
            overdue_items.append(Item(who, _step_data(step), link, f"step-{step.pk}-overdue"))
    ChecklistStep.objects.filter(pk__in=[s.pk for s in due]).update(reminded_on=date)
    ChecklistStep.objects.filter(pk__in=[s.pk for s in overdue]).update(overdue_on=date)
    cache.bump_people(s.checklist.employee_id for s in [*due, *overdue])
    sent = notify_each(kind="onboarding_step_due", items=due_items) if due_items else 0
    sent += notify_each(kind="onboarding_step_overdue", items=overdue_items) if overdue_items else 0
    return {"due": len(due), "overdue": len(overdue), "notified": sent}
