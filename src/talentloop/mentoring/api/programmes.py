"""API of programme templates, mentoring plans and their schedule items."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Literal

from django.http import Http404
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status

from talentloop.core.errors import Conflict, InvalidInput, PermissionDenied
from talentloop.core.paging import PAGED_WAS_ARRAY, paginated
from talentloop.core.schemas import ERRORS, Id, InSchema
from talentloop.mentoring import access, selectors
from talentloop.mentoring.models import MentoringPlan, PlanItem, ProgrammeTemplate
from talentloop.mentoring.services import cadence as cadence_services
from talentloop.mentoring.services import programmes as services

router = Router(tags=["mentoring"])

ItemKindLiteral = Literal["one_to_one", "skill_assessment", "results_report"]


class TopicIn(InSchema):
    title: str = Field(..., min_length=1, max_length=200)
    description: str = Field("", max_length=500)


class TemplateTopicIn(TopicIn):
    core: bool = False


class CadenceIn(InSchema):
    kind: ItemKindLiteral
    every_months: int = Field(..., ge=1, le=24)


class MentoringTemplateIn(InSchema):
    name: str = Field(..., min_length=1, max_length=120)
    name_en: str = Field("", max_length=120)
    mentee_type: Literal["new_graduate", "job_transfer", "promotion_candidate", "job_family"]
    job_family_id: int | None = None
    description: str = Field("", max_length=2000)
    goals: list[str] = Field(default_factory=list, max_length=30)
    duration_months: int = Field(6, ge=1, le=36)
    allow_mentee_choice: bool = False
    is_active: bool = True
    topics: list[TemplateTopicIn] = Field(..., min_length=1, max_length=60)
    cadence: list[CadenceIn] = Field(default_factory=list, max_length=3)


class TopicOut(Schema):
    id: int
    title: str
    description: str
    core: bool
    order: int


class CadenceOut(Schema):
    kind: str
    every_months: int


class MentoringTemplateOut(Schema):
    id: int
    name: str
    name_en: str
    mentee_type: str
    job_family_id: int | None
    description: str
    goals: list[str]
    duration_months: int
    allow_mentee_choice: bool
    is_active: bool
    topics: list[TopicOut]
    cadence: list[CadenceOut]


class MentoringPlanIn(InSchema):
    template_id: int
    mentor_id: int
    mentee_id: int | None = None
    mentee_number: str | None = Field(None, max_length=32)
    starts_on: dt.date
    duration_months: int | None = Field(None, ge=1, le=36)
    goals: list[str] | None = Field(None, max_length=30)
    topics: list[TopicIn] | None = Field(None, max_length=60, description=(
        "The plan's topics in order; omit to take the template's. Core topics of the template must stay."))


class PlanPatchIn(InSchema):
    starts_on: dt.date | None = None
    duration_months: int | None = Field(None, ge=1, le=36)
    goals: list[str] | None = Field(None, max_length=30)
    topics: list[TopicIn] | None = Field(None, max_length=60)


class CommentIn(InSchema):
    comment: str = Field("", max_length=2000)


class MentoringPlanOut(Schema):
    id: int
    status: str
    template_id: int
    template: str
    mentor_id: int
    mentor_name: str
    mentee_id: int
    mentee_name: str
    starts_on: dt.date
    ends_on: dt.date
    goals: list[str]
    topics: list[TopicOut]
    hr_comment: str
    submitted_at: dt.datetime | None
    decided_at: dt.datetime | None
    overdue: bool = Field(False, description="an item is past its due date and not done (the plan is behind, not "
                                             "on track, whatever its status)")


class PlanQuery(InSchema):
    status: Literal["draft", "submitted", "returned", "approved", "active", "completed", "cancelled"] | None = None


class ItemOut(Schema):
    id: int
    plan_id: int
    kind: str
    sequence: int
    due_on: dt.date
    state: str | None = None
    reminded_on: dt.date | None
    escalated_on: dt.date | None
    completed_on: dt.date | None


class ItemCompleteIn(InSchema):
    """Fields by kind — one_to_one: held_on, duration_minutes, topics (plan topic ids), notes,
    agreed_actions; skill_assessment: score, assessed_on, note; results_report: text."""

    held_on: dt.date | None = None
    duration_minutes: int | None = Field(None, ge=5, le=600)
    topics: list[Id] = Field(default_factory=list, max_length=60)
    notes: str = Field("", max_length=5000)
    agreed_actions: str = Field("", max_length=2000)
    score: Decimal | None = Field(None, ge=0, le=100)
    assessed_on: dt.date | None = None
    note: str = Field("", max_length=500)
    text: str = Field("", max_length=10000)


class OverdueOut(Schema):
    id: int
    plan_id: int
    kind: str
    due_on: dt.date
    escalated_on: dt.date | None
    mentor_name: str
    mentee_name: str


class NoticeOut(Schema):
    id: int
    kind: str
    text: str
    link: str
    plan_id: int | None
    item_id: int | None
    created_at: dt.datetime
    read_at: dt.datetime | None


def _template_out(t: ProgrammeTemplate) -> dict:
    return {"id": t.pk, "name": t.name, "name_en": t.name_en, "mentee_type": t.mentee_type,
            "job_family_id": t.job_family_id, "description": t.description, "goals": t.goals,
            "duration_months": t.duration_months, "allow_mentee_choice": t.allow_mentee_choice,
            "is_active": t.is_active,
            "topics": [{"id": x.pk, "title": x.title, "description": x.description, "core": x.core, "order": x.order}
                       for x in t.topics.all()],
            "cadence": [{"kind": c.kind, "every_months": c.every_months} for c in t.cadence.all()]}


def _plan_out(p: MentoringPlan) -> dict:
    return {"id": p.pk, "status": p.status, "template_id": p.template_id, "template": p.template.label,
            "mentor_id": p.mentor_id, "mentor_name": p.mentor.employee.display_name, "mentee_id": p.mentee_id,
            "mentee_name": p.mentee.display_name, "starts_on": p.starts_on, "ends_on": p.ends_on, "goals": p.goals,
            "topics": [{"id": x.pk, "title": x.title, "description": x.description, "core": x.core, "order": x.order}
                       for x in p.topics.all()],
            "hr_comment": p.hr_comment, "submitted_at": p.submitted_at, "decided_at": p.decided_at,
            "overdue": bool(getattr(p, "has_overdue", False))}


def _item_out(i: PlanItem) -> dict:
    return {"id": i.pk, "plan_id": i.plan_id, "kind": i.kind, "sequence": i.sequence, "due_on": i.due_on,
            "state": getattr(i, "state", None), "reminded_on": i.reminded_on, "escalated_on": i.escalated_on,
            "completed_on": i.completed_on}


# ---------------------------------------------------------------- templates


def _template(request, template_id: int) -> ProgrammeTemplate:
    template = selectors.template_get(request.actor, template_id)
    if template is None:
        raise Http404
    return template


def _template_args(request, data: MentoringTemplateIn) -> dict:
    job_family = None
    if data.job_family_id is not None:
        job_family = selectors.job_family_get(request.actor, data.job_family_id)
        if job_family is None:
            raise InvalidInput(_("Please correct the errors below."), {"job_family_id": [_("No such job family.")]})
    return {"name": data.name, "name_en": data.name_en, "mentee_type": data.mentee_type, "job_family": job_family,
            "description": data.description, "goals": data.goals, "duration_months": data.duration_months,
            "allow_mentee_choice": data.allow_mentee_choice, "is_active": data.is_active,
            "topics": [t.dict() for t in data.topics], "cadence": [c.dict() for c in data.cadence]}


@router.get("/templates", response={200: list[MentoringTemplateOut], **ERRORS}, summary="Programme templates",
            description=PAGED_WAS_ARRAY)
@paginated(default=200, max_limit=1000)
def templates_list(request):
    return [_template_out(t) for t in selectors.template_list(request.actor)]


@router.post("/templates", response={201: MentoringTemplateOut, **ERRORS}, summary="Create a programme template")
def templates_post(request, data: MentoringTemplateIn):
    template = services.programme_template_save(actor=request.actor, **_template_args(request, data))
    return Status(201, _template_out(_template(request, template.pk)))


@router.get("/templates/{int:template_id}", response={200: MentoringTemplateOut, **ERRORS},
            summary="A programme template")
def template_get(request, template_id: int):
    return _template_out(_template(request, template_id))


@router.put("/templates/{int:template_id}", response={200: MentoringTemplateOut, **ERRORS},
            summary="Replace a programme template (existing plans keep their copies)")
def template_put(request, template_id: int, data: MentoringTemplateIn):
    template = _template(request, template_id)
    services.programme_template_save(actor=request.actor, template=template, **_template_args(request, data))
    return _template_out(_template(request, template_id))


# ---------------------------------------------------------------- plans


def _plan(request, plan_id: int) -> MentoringPlan:
    plan = selectors.plan_get(request.actor, plan_id)
    if plan is None:
        raise Http404
    return plan


@router.get("/plans", response={200: list[MentoringPlanOut], **ERRORS},
            summary="Plans: the mentee's own, the mentor's, HR's scope", description=PAGED_WAS_ARRAY)
@paginated(default=200, max_limit=1000)
def plans_list(request, query: Query[PlanQuery]):
    return [_plan_out(p) for p in selectors.plan_list(request.actor, query.status, with_topics=True)]


@router.post("/plans", response={201: MentoringPlanOut, **ERRORS}, summary="Start a draft plan from a template")
def plans_post(request, data: MentoringPlanIn):
    actor = request.actor
    if not access.can_start_plan(actor):
        raise PermissionDenied(_("Only HR or a mentor can start a plan."))
    template = selectors.template_get(actor, data.template_id)
    mentor = selectors.plan_mentor_get(actor, data.mentor_id)
    mentee = selectors.mentee_lookup(actor, data.mentee_number or "", pk=data.mentee_id)
    errors = {}
    if template is None:
        errors["template_id"] = [_("No such programme.")]
    if mentor is None:
        errors["mentor_id"] = [_("No such mentor, or you cannot start a plan for them.")]
    if mentee is None:
        errors["mentee_id"] = [_("No active employee with this id or number.")]
    if errors:
        raise InvalidInput(_("Please correct the errors below."), errors)
    plan = services.mentoring_plan_create(
        actor=actor, mentor=mentor, mentee=mentee, template=template, starts_on=data.starts_on,
        goals=data.goals, topics=None if data.topics is None else [t.dict() for t in data.topics],
        duration_months=data.duration_months)
    return Status(201, _plan_out(_plan(request, plan.pk)))


@router.get("/plans/{int:plan_id}", response={200: MentoringPlanOut, **ERRORS}, summary="A plan")
def plan_get(request, plan_id: int):
    return _plan_out(_plan(request, plan_id))


@router.patch("/plans/{int:plan_id}", response={200: MentoringPlanOut, **ERRORS},
              summary="Tailor a draft or returned plan (core topics must stay)")
def plan_patch(request, plan_id: int, data: PlanPatchIn):
    plan = _plan(request, plan_id)
    services.mentoring_plan_update(actor=request.actor, plan=plan, goals=data.goals, starts_on=data.starts_on,
                                   duration_months=data.duration_months,
                                   topics=None if data.topics is None else [t.dict() for t in data.topics])
    return _plan_out(_plan(request, plan_id))


@router.post("/plans/{int:plan_id}/submit", response={200: MentoringPlanOut, **ERRORS}, summary="Submit a plan to HR")
def plan_submit(request, plan_id: int):
    services.mentoring_plan_submit(actor=request.actor, plan=_plan(request, plan_id))
    return _plan_out(_plan(request, plan_id))


@router.post("/plans/{int:plan_id}/approve", response={200: MentoringPlanOut, **ERRORS},
             summary="HR approves a plan; its dated schedule is generated")
def plan_approve(request, plan_id: int, data: CommentIn):
    services.mentoring_plan_approve(actor=request.actor, plan=_plan(request, plan_id), comment=data.comment)
    return _plan_out(_plan(request, plan_id))


@router.post("/plans/{int:plan_id}/return", response={200: MentoringPlanOut, **ERRORS},
             summary="HR returns a plan with comments")
def plan_return(request, plan_id: int, data: CommentIn):
    services.mentoring_plan_return(actor=request.actor, plan=_plan(request, plan_id), comment=data.comment)
    return _plan_out(_plan(request, plan_id))


@router.post("/plans/{int:plan_id}/cancel", response={200: MentoringPlanOut, **ERRORS}, summary="Cancel a plan")
def plan_cancel(request, plan_id: int, data: CommentIn):
    services.mentoring_plan_cancel(actor=request.actor, plan=_plan(request, plan_id), reason=data.comment)
    return _plan_out(_plan(request, plan_id))


@router.get("/plans/{int:plan_id}/items", response={200: list[ItemOut], **ERRORS},
            summary="A plan's dated schedule items", description=PAGED_WAS_ARRAY)
@paginated(default=200, max_limit=1000)
def plan_items(request, plan_id: int):
    plan = _plan(request, plan_id)
    return [_item_out(i) for i in selectors.plan_items(request.actor, plan)]


@router.post("/items/{int:item_id}/complete", response={200: ItemOut, **ERRORS},
             summary="Complete an item: record the 1:1, the skill score or the report")
def item_complete(request, item_id: int, data: ItemCompleteIn):
    actor = request.actor
    item = selectors.item_get(actor, item_id)
    if item is None:
        raise Http404
    if item.completed_on is not None:
        raise Conflict(_("This item is already done."))
    if not access.can_complete_item(actor, item):
        raise PermissionDenied(_("Only the mentor records this item."))
    required = {"one_to_one": ("held_on", "duration_minutes"), "skill_assessment": ("score", "assessed_on"),
                "results_report": ("text",)}[item.kind]
    missing = {f: [_("This field is required.")] for f in required if getattr(data, f) in (None, "")}
    if missing:
        raise InvalidInput(_("Please correct the errors below."), missing)
    cadence_services.plan_item_complete(actor=actor, item=item, data=data.dict())
    return _item_out(selectors.item_get(actor, item_id, with_state=True))


@router.get("/overdue", response={200: list[OverdueOut], **ERRORS},
            summary="Overdue items of the mentors below me (the manager's alert list)", description=PAGED_WAS_ARRAY)
@paginated(default=200, max_limit=1000)
def overdue_list(request):
    return [{"id": i.pk, "plan_id": i.plan_id, "kind": i.kind, "due_on": i.due_on, "escalated_on": i.escalated_on,
             "mentor_name": i.plan.mentor.employee.display_name, "mentee_name": i.plan.mentee.display_name}
            for i in selectors.overdue_list(request.actor)]


@router.get("/notices", response={200: list[NoticeOut], **ERRORS}, summary="My mentoring notices",
            description=PAGED_WAS_ARRAY)
@paginated(default=200, max_limit=1000)
def notices_list(request):
    return [{"id": n.pk, "kind": n.kind, "text": n.message, "link": n.link, "plan_id": n.plan_id,
             "item_id": n.item_id, "created_at": n.created_at, "read_at": n.read_at}
            for n in selectors.notices_for(request.actor, limit=100)]
