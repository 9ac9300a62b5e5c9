"""Continuous feedback, feedback requests and improvement plans — the same services as the web pages."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from django.http import Http404
from ninja import Field, Query, Router, Schema, Status

from talentloop.core.http import get_or_404
from talentloop.core.paging import PAGED_WAS_ARRAY, paginated
from talentloop.core.schemas import ERRORS, InSchema
from talentloop.organisation.access import visible_employees
from talentloop.performance import access
from talentloop.performance import selectors_reviews as sel
from talentloop.performance.api.reviews import ID, PersonOut, ref
from talentloop.performance.services import feedback as services

router = Router(tags=["feedback and improvement plans"])


# ---------------------------------------------------------------- feedback


class FeedbackIn(InSchema):
    recipient_id: int = Field(**ID)
    kind: Literal["praise", "suggestion"] = "praise"
    visibility: Literal["shared", "manager"] = Field(
        "shared", description="shared: the person and their manager; manager: only their manager")
    text: str = Field(min_length=1, max_length=4000)
    request_id: int | None = Field(None, **ID, description="The request this feedback answers")


class FeedbackOut(Schema):
    id: int
    giver: PersonOut
    recipient: PersonOut
    kind: Literal["praise", "suggestion"]
    visibility: Literal["shared", "manager"]
    text: str
    request_id: int | None
    created_at: dt.datetime


class FeedbackFiltersIn(InSchema):
    box: Literal["received", "given", "team"] = "received"


class FeedbackRequestIn(InSchema):
    responder_id: int = Field(**ID)
    subject_id: int | None = Field(None, **ID, description="Whom the feedback is about: yourself (default) "
                                   "or someone in your team")
    message: str = Field("", max_length=500)


class FeedbackRequestOut(Schema):
    id: int
    requester: PersonOut
    subject: PersonOut
    responder: PersonOut
    message: str
    status: Literal["open", "answered", "declined"]
    created_at: dt.datetime
    answered_at: dt.datetime | None


class FeedbackRequestFiltersIn(InSchema):
    box: Literal["asked", "mine"] = Field("asked", description="asked: requests sent to you; mine: your own")


def _colleagues(actor):
    return access.feedback_colleagues(actor)


@router.get("/feedback", response={200: list[FeedbackOut], **ERRORS},
            summary="Feedback you received, gave, or (managers) about your team", description=PAGED_WAS_ARRAY)
@paginated(default=50, max_limit=200)
def feedback_list(request, filters: Query[FeedbackFiltersIn]):
    return sel.feedback_box(request.actor, box=filters.box)


@router.post("/feedback", response={201: FeedbackOut, **ERRORS}, summary="Give feedback to a colleague")
def feedback_give(request, data: FeedbackIn):
    actor = request.actor
    recipient = ref(_colleagues(actor), data.recipient_id, "recipient_id")
    req = ref(access.visible_feedback_requests(actor), data.request_id, "request_id")
    feedback = services.feedback_give(actor=actor, recipient=recipient, kind=data.kind, visibility=data.visibility,
                                      text=data.text, request=req)
    return Status(201, feedback)


@router.get("/feedback-requests", response={200: list[FeedbackRequestOut], **ERRORS},
            summary="Feedback requests sent to you, or your own", description=PAGED_WAS_ARRAY)
@paginated(default=50, max_limit=200)
def feedback_request_list(request, filters: Query[FeedbackRequestFiltersIn]):
    return sel.feedback_request_box(request.actor, box=filters.box)


@router.post("/feedback-requests", response={201: FeedbackRequestOut, **ERRORS},
             summary="Ask a colleague for feedback")
def feedback_request_create(request, data: FeedbackRequestIn):
    actor = request.actor
    responder = ref(_colleagues(actor), data.responder_id, "responder_id")
    subject = ref(visible_employees(actor), data.subject_id, "subject_id")
    req = services.feedback_request_create(actor=actor, responder=responder, subject=subject, message=data.message)
    return Status(201, req)


@router.post("/feedback-requests/{int:request_id}/decline", response={200: FeedbackRequestOut, **ERRORS},
             summary="Decline a request sent to you")
def feedback_request_decline(request, request_id: int):
    req = get_or_404(access.visible_feedback_requests(request.actor).select_related(
        "requester", "subject", "responder"), pk=request_id)
    return services.feedback_request_decline(actor=request.actor, request=req)


# ---------------------------------------------------------------- improvement plans


class GoalIn(InSchema):
    title: str = Field(min_length=1, max_length=200)
    measure: str = Field("", max_length=300)
    due: dt.date | None = None


class GoalOut(Schema):
    id: int
    title: str
    measure: str
    due: dt.date | None
    status: Literal["open", "met", "not_met"]


class GoalStatusIn(InSchema):
    status: Literal["open", "met", "not_met"]


class CheckInIn(InSchema):
    progress: Literal["on_track", "at_risk", "off_track"]
    note: str = Field(min_length=1, max_length=4000)


class CheckInOut(Schema):
    id: int
    author: PersonOut | None
    progress: Literal["on_track", "at_risk", "off_track"]
    note: str
    created_at: dt.datetime


PlanStatus = Literal["active", "succeeded", "not_met", "cancelled"]


class ImprovementPlanIn(InSchema):
    employee_id: int = Field(**ID)
    title: str = Field(min_length=1, max_length=200)
    reason: str = Field(min_length=1, max_length=4000)
    starts_on: dt.date
    ends_on: dt.date
    goals: list[GoalIn] = Field(min_length=1, max_length=10)


class ImprovementPlanOut(Schema):
    id: int
    employee: PersonOut
    owner: PersonOut | None
    title: str
    reason: str
    starts_on: dt.date
    ends_on: dt.date
    status: PlanStatus
    outcome_note: str
    created_at: dt.datetime
    closed_at: dt.datetime | None


class ImprovementPlanDetailOut(ImprovementPlanOut):
    goals: list[GoalOut]
    check_ins: list[CheckInOut]

    @staticmethod
    def resolve_goals(obj) -> list:
        return obj.goals_list

    @staticmethod
    def resolve_check_ins(obj) -> list:
        return obj.check_ins_list


class PlanCloseIn(InSchema):
    status: Literal["succeeded", "not_met", "cancelled"]
    outcome_note: str = Field(min_length=1, max_length=4000)


class ImprovementPlanFiltersIn(InSchema):
    status: PlanStatus | None = None


def _plan(request, plan_id: int):
    plan = sel.plan_get(request.actor, plan_id)
    if plan is None:
        get_or_404(access.visible_improvement_plans(request.actor), pk=plan_id)
    return plan


def _plan_detail(request, plan):
    plan.goals_list, plan.check_ins_list = sel.plan_detail(request.actor, plan)
    return plan


@router.get("/improvement-plans", response={200: list[ImprovementPlanOut], **ERRORS},
            summary="Improvement plans: your own and those of the people you manage", description=PAGED_WAS_ARRAY)
@paginated(default=50, max_limit=200)
def plan_list(request, filters: Query[ImprovementPlanFiltersIn]):
    return sel.plan_queryset(request.actor, status=filters.status or "")


@router.post("/improvement-plans", response={201: ImprovementPlanDetailOut, **ERRORS},
             summary="Set up an improvement plan with goals (the manager or HR)")
def plan_create(request, data: ImprovementPlanIn):
    actor = request.actor
    employee = ref(visible_employees(actor).select_related("org_unit"), data.employee_id, "employee_id")
    plan = services.improvement_plan_create(actor=actor, employee=employee, title=data.title, reason=data.reason,
                                            starts_on=data.starts_on, ends_on=data.ends_on,
                                            goals=[g.model_dump() for g in data.goals])
    return Status(201, _plan_detail(request, _plan(request, plan.pk)))


@router.get("/improvement-plans/{int:plan_id}", response={200: ImprovementPlanDetailOut, **ERRORS},
            summary="An improvement plan with its goals and check-ins")
def plan_detail(request, plan_id: int):
    return _plan_detail(request, _plan(request, plan_id))


@router.post("/improvement-plans/{int:plan_id}/check-ins", response={201: CheckInOut, **ERRORS},
             summary="Add a check-in (the person, their manager or HR)")
def plan_check_in(request, plan_id: int, data: CheckInIn):
    plan = _plan(request, plan_id)
    return Status(201, services.check_in_add(actor=request.actor, plan=plan, progress=data.progress, note=data.note))


@router.post("/improvement-plans/{int:plan_id}/goals", response={201: GoalOut, **ERRORS},
             summary="Add a goal to an active plan")
def plan_goal_add(request, plan_id: int, data: GoalIn):
    plan = _plan(request, plan_id)
    return Status(201, services.improvement_plan_goal_add(actor=request.actor, plan=plan, title=data.title,
                                                          measure=data.measure, due=data.due))


@router.post("/improvement-plans/{int:plan_id}/goals/{int:goal_id}", response={200: GoalOut, **ERRORS},
             summary="Mark a goal open, met or not met")
def plan_goal_status(request, plan_id: int, goal_id: int, data: GoalStatusIn):
    plan = _plan(request, plan_id)
    goal = sel.plan_goal_get(request.actor, plan, goal_id)
    if goal is None:
        raise Http404
    return services.improvement_plan_goal_set_status(actor=request.actor, goal=goal, status=data.status)


@router.post("/improvement-plans/{int:plan_id}/close", response={200: ImprovementPlanDetailOut, **ERRORS},
             summary="Close a plan with its outcome")
def plan_close(request, plan_id: int, data: PlanCloseIn):
    plan = _plan(request, plan_id)
    services.improvement_plan_close(actor=request.actor, plan=plan, status=data.status,
                                    outcome_note=data.outcome_note)
    return _plan_detail(request, _plan(request, plan_id))
