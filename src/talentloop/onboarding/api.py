"""The onboarding API under /api/v1/onboarding: checklists, ticking steps, templates (HR)."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from django.http import Http404
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status

from talentloop.core.errors import InvalidInput, PermissionDenied
from talentloop.core.paging import PAGED_WAS_ARRAY, paginated
from talentloop.core.schemas import ERRORS, Id, InSchema
from talentloop.onboarding import access, selectors, services
from talentloop.onboarding.models import MAX_DUE_DAY, MIN_DUE_DAY, ChecklistTemplate

router = Router(tags=["onboarding"])

OwnerLiteral = Literal["hr", "it", "manager", "mentor", "new_hire"]


class StepIn(InSchema):
    title: str = Field(..., min_length=1, max_length=200)
    title_en: str = Field("", max_length=200)
    description: str = Field("", max_length=1000)
    owner: OwnerLiteral
    due_day: int = Field(..., ge=MIN_DUE_DAY, le=MAX_DUE_DAY)


class OnboardingTemplateIn(InSchema):
    name: str = Field(..., min_length=1, max_length=120)
    name_en: str = Field("", max_length=120)
    org_unit_id: Id | None = None
    job_family_id: Id | None = None
    active: bool = True
    steps: list[StepIn] = Field(..., min_length=1, max_length=80)


class TemplateStepOut(Schema):
    id: int
    title: str
    title_en: str
    description: str
    owner: str
    due_day: int
    order: int


class OnboardingTemplateOut(Schema):
    id: int
    name: str
    name_en: str
    org_unit_id: int | None
    job_family_id: int | None
    active: bool
    steps: list[TemplateStepOut]


class ChecklistIn(InSchema):
    employee_id: Id
    template_id: Id | None = None
    start_date: dt.date


class StepOut(Schema):
    id: int
    title: str
    title_en: str
    description: str
    owner: str
    due_on: dt.date
    done_at: dt.datetime | None
    note: str
    can_tick: bool = False


class ChecklistRowOut(Schema):
    id: int
    employee_id: int
    employee_name: str
    template_name: str
    start_date: dt.date
    completed_at: dt.datetime | None
    done: int
    total: int
    percent: int
    overdue: int


class ChecklistOut(ChecklistRowOut):
    steps: list[StepOut]


class TickIn(InSchema):
    note: str = Field("", max_length=500)


class ListQuery(InSchema):
    status: Literal["open", "done", "all"] = "all"


def _template_out(t: ChecklistTemplate) -> dict:
    return {"id": t.pk, "name": t.name, "name_en": t.name_en, "org_unit_id": t.org_unit_id,
            "job_family_id": t.job_family_id, "active": t.active,
            "steps": [{"id": s.pk, "title": s.title, "title_en": s.title_en, "description": s.description,
                       "owner": s.owner, "due_day": s.due_day, "order": s.order} for s in t.steps.all()]}


def _checklist_out(summary: selectors.OnboardingSummary) -> dict:
    c = summary.checklist
    return {"id": c.pk, "employee_id": c.employee_id, "employee_name": c.employee.display_name,
            "template_name": c.template_name, "start_date": c.start_date, "completed_at": c.completed_at,
            "done": summary.done, "total": summary.total, "percent": summary.percent, "overdue": summary.overdue,
            "steps": [{"id": s.pk, "title": s.title, "title_en": s.title_en, "description": s.description,
                       "owner": s.owner, "due_on": s.due_on, "done_at": s.done_at, "note": s.note,
                       "can_tick": s.can_tick} for s in summary.steps]}


def _checklist(request, checklist_id: int):
    checklist = selectors.checklist_get(request.actor, checklist_id)
    if checklist is None:
        raise Http404
    return checklist


# ---------------------------------------------------------------- checklists


@router.get("/checklists", response={200: list[ChecklistRowOut], **ERRORS},
            summary="Checklists I may see: my own, my team's, my mentees', HR's scope", description=PAGED_WAS_ARRAY)
@paginated(default=200, max_limit=1000)
def checklists_list(request, query: Query[ListQuery]):
    return [{"id": c.pk, "employee_id": c.employee_id, "employee_name": c.employee.display_name,
             "template_name": c.template_name, "start_date": c.start_date, "completed_at": c.completed_at,
             "done": c.done, "total": c.total, "percent": c.percent, "overdue": c.overdue}
            for c in selectors.checklist_list(request.actor, status=query.status)]


@router.post("/checklists", response={201: ChecklistOut, **ERRORS},
             summary="Start a checklist (HR or the person's manager); the template follows the precedence")
def checklists_post(request, data: ChecklistIn):
    actor = request.actor
    if not access.can_start_checklist(actor):
        raise PermissionDenied(_("Only HR or a manager starts an onboarding checklist."))
    employee = selectors.start_subject_get(actor, pk=data.employee_id)
    errors = {}
    if employee is None:
        errors["employee_id"] = [_("No active person with this id whose onboarding you may start.")]
    template = None
    if data.template_id is not None:
        template = selectors.startable_template_get(actor, data.template_id)
        if template is None:
            errors["template_id"] = [_("No such active template.")]
    if errors:
        raise InvalidInput(_("Please correct the errors below."), errors)
    checklist = services.checklist_start(actor=actor, employee=employee, template=template,
                                         start_date=data.start_date)
    return Status(201, _checklist_out(selectors.checklist_summary(actor, _checklist(request, checklist.pk))))


@router.get("/checklists/{int:checklist_id}", response={200: ChecklistOut, **ERRORS},
            summary="A checklist with its steps and progress")
def checklist_get(request, checklist_id: int):
    return _checklist_out(selectors.checklist_summary(request.actor, _checklist(request, checklist_id)))


def _step(request, step_id: int):
    step = selectors.step_get(request.actor, step_id)
    if step is None:
        raise Http404
    return step


@router.post("/steps/{int:step_id}/tick", response={200: ChecklistOut, **ERRORS},
             summary="Mark a step done (its owner or HR); answers the checklist with the new progress")
def step_tick(request, step_id: int, data: TickIn):
    step = _step(request, step_id)
    services.step_tick(actor=request.actor, step=step, note=data.note)
    return _checklist_out(selectors.checklist_summary(request.actor, _checklist(request, step.checklist_id)))


@router.post("/steps/{int:step_id}/untick", response={200: ChecklistOut, **ERRORS},
             summary="Mark a step not done again")
def step_untick(request, step_id: int):
    step = _step(request, step_id)
    services.step_untick(actor=request.actor, step=step)
    return _checklist_out(selectors.checklist_summary(request.actor, _checklist(request, step.checklist_id)))


# ---------------------------------------------------------------- templates


def _template(request, template_id: int) -> ChecklistTemplate:
    template = selectors.template_get(request.actor, template_id)
    if template is None:
        raise Http404
    return template


def _template_args(request, data: OnboardingTemplateIn) -> dict:
    actor = request.actor
    if not access.can_manage_onboarding(actor):
        raise PermissionDenied(_("Only HR edits onboarding templates."))
    errors = {}
    org_unit = job_family = None
    if data.org_unit_id is not None:
        org_unit = selectors.org_unit_get(actor, data.org_unit_id)
        if org_unit is None:
            errors["org_unit_id"] = [_("No such org unit.")]
    if data.job_family_id is not None:
        job_family = selectors.job_family_get(actor, data.job_family_id)
        if job_family is None:
            errors["job_family_id"] = [_("No such job family.")]
    if errors:
        raise InvalidInput(_("Please correct the errors below."), errors)
    return {"name": data.name, "name_en": data.name_en, "org_unit": org_unit, "job_family": job_family,
            "active": data.active, "steps": [s.dict() for s in data.steps]}


@router.get("/templates", response={200: list[OnboardingTemplateOut], **ERRORS}, summary="Onboarding templates (HR)",
            description=PAGED_WAS_ARRAY)
@paginated(default=200, max_limit=1000)
def templates_list(request):
    if not (access.can_manage_onboarding(request.actor) or request.actor.is_admin):
        raise PermissionDenied(_("Only HR reads onboarding templates."))
    return [_template_out(t) for t in selectors.template_list_full(request.actor)]


@router.post("/templates", response={201: OnboardingTemplateOut, **ERRORS}, summary="Create an onboarding template")
def templates_post(request, data: OnboardingTemplateIn):
    template = services.checklist_template_save(actor=request.actor, **_template_args(request, data))
    return Status(201, _template_out(_template(request, template.pk)))


@router.get("/templates/{int:template_id}", response={200: OnboardingTemplateOut, **ERRORS},
            summary="An onboarding template")
def template_get(request, template_id: int):
    return _template_out(_template(request, template_id))


@router.put("/templates/{int:template_id}", response={200: OnboardingTemplateOut, **ERRORS},
            summary="Replace a template (checklists already started keep their copies)")
def template_put(request, template_id: int, data: OnboardingTemplateIn):
    template = _template(request, template_id)
    services.checklist_template_save(actor=request.actor, template=template, **_template_args(request, data))
    return _template_out(_template(request, template_id))


@router.delete("/templates/{int:template_id}", response={204: None, **ERRORS}, summary="Delete a template")
def template_delete(request, template_id: int):
    services.checklist_template_delete(actor=request.actor, template=_template(request, template_id))
    return Status(204, None)
