"""Surveys API: the mentee lists and answers their surveys; the mentor and HR read aggregates.

No operation returns a single answer: a mentee's answer goes in and is acknowledged, and the
aggregate is given only over whole steps of answers of at least 3 distinct mentees."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Literal

from django.http import Http404
from django.utils import timezone
from ninja import Field, Query, Router, Schema, Status

from talentloop.core.http import get_or_404
from talentloop.core.paging import PAGED_WAS_ARRAY, paginated
from talentloop.core.schemas import ERRORS, InSchema
from talentloop.mentoring import access
from talentloop.mentoring import scoring as S
from talentloop.mentoring import selectors_effectiveness as selectors
from talentloop.mentoring.services import surveys as services

router = Router(tags=["mentoring"])


class SurveyOut(Schema):
    id: int
    plan_id: int
    mentor: str
    programme: str
    occasion: Literal["during", "end"]
    sent_on: dt.date
    closes_on: dt.date
    state: Literal["open", "answered", "closed"]


class SurveyAnswerIn(InSchema):
    on_time: bool = Field(description="Our sessions were held on time")
    content_fits: bool = Field(description="The content fits my needs")
    problems_solved: bool = Field(description="My problems got solved")
    comment: str = Field("", max_length=2000)


class SurveyReceiptOut(Schema):
    survey_id: int
    answered: bool


class AggregateQuery(InSchema):
    mentor_id: int | None = Field(None, ge=1, le=2**53, description="default: your own mentor record")


class SurveyProgrammeOut(Schema):
    template_id: int
    programme: str
    shown: bool = Field(description="false when too few distinct mentees answered in this programme, or when "
                                    "showing it would narrow the others below the minimum")
    on_time: Decimal | None
    content_fits: Decimal | None
    problems_solved: Decimal | None


class AggregateOut(Schema):
    mentor_id: int
    min_answers: int = Field(description="distinct mentees needed before any figure is shown")
    shown: bool = Field(description="false below the minimum: no rate, no count")
    counted: int = Field(description="answers the rates are over: whole steps of answers of at least the "
                                     "minimum of distinct mentees, else 0")
    respondents: int = Field(description="distinct mentees behind the counted answers (0 when not shown)")
    on_time: Decimal | None
    content_fits: Decimal | None
    problems_solved: Decimal | None
    programmes: list[SurveyProgrammeOut] = Field(description="per programme, when the mentor has several")
    comments: list[str] = Field(description="comments of the counted answers, HR only; unattributed unless the "
                                            "settings name the mentee (\"name: comment\")")


@router.get("/surveys", response={200: list[SurveyOut], **ERRORS}, summary="My surveys (as a mentee)",
            description=PAGED_WAS_ARRAY)
@paginated(default=200, max_limit=1000)
def survey_list(request):
    rows = selectors.survey_list(request.actor, timezone.localdate())
    return [{"id": s.pk, "plan_id": s.plan_id, "mentor": s.plan.mentor.employee.display_name,
             "programme": s.plan.template.label, "occasion": s.occasion, "sent_on": s.sent_on,
             "closes_on": s.closes_on, "state": s.state} for s in rows]


@router.post("/surveys/{int:survey_id}/answer", response={201: SurveyReceiptOut, **ERRORS},
             summary="Answer my survey (once, while open); the answer stays confidential")
def survey_answer(request, survey_id: int, data: SurveyAnswerIn):
    survey = selectors.survey_get(request.actor, survey_id)
    if survey is None:
        raise Http404
    services.survey_answer(actor=request.actor, survey=survey, on_time=data.on_time,
                           content_fits=data.content_fits, problems_solved=data.problems_solved,
                           comment=data.comment)
    return Status(201, {"survey_id": survey.pk, "answered": True})


@router.get("/surveys/aggregate", response={200: AggregateOut, **ERRORS},
            summary="A mentor's survey rates (the mentor, HR); over at least 3 distinct mentees only")
def survey_aggregate(request, query: Query[AggregateQuery]):
    actor = request.actor
    if query.mentor_id is None:
        mentor = selectors.own_mentor(actor)
        if mentor is None:
            raise Http404
    else:
        mentor = get_or_404(access.visible_mentors(actor).select_related("employee", "employee__org_unit"),
                            pk=query.mentor_id)
    if not access.can_view_survey_aggregate(actor, mentor):
        raise Http404
    data = selectors.survey_aggregate_get(actor, mentor)
    stats = data["stats"]

    def r(v):
        return None if v is None else S.round1(v)

    return {"mentor_id": mentor.pk, "min_answers": data["min_answers"], "shown": stats.shown,
            "counted": stats.counted, "respondents": stats.respondents, "on_time": r(stats.on_time),
            "content_fits": r(stats.fit), "problems_solved": r(stats.solved),
            "programmes": [{"template_id": p["template"].pk, "programme": p["template"].label, "shown": p["shown"],
                            "on_time": r(p["stats"].on_time), "content_fits": r(p["stats"].fit),
                            "problems_solved": r(p["stats"].solved)} for p in data["programmes"]],
            "comments": data["comments"]}
