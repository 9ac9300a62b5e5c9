"""Matching API: ranked mentor suggestions for one mentee, and cohort runs (create, review,
change a pair, publish as draft plans, discard)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Literal

from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status

from talentloop.core.errors import InvalidInput, PermissionDenied
from talentloop.core.http import get_or_404
from talentloop.core.paging import PAGED_WAS_ARRAY, paginated
from talentloop.core.schemas import ERRORS, Id, InSchema
from talentloop.mentoring import access
from talentloop.mentoring import selectors_matching as selectors
from talentloop.mentoring.services import matching as services
from talentloop.organisation import access as org_access

router = Router(tags=["mentoring"])


class PairInputOut(Schema):
    key: Literal["needs", "effectiveness", "capacity"]
    value: Decimal | None
    weight: Decimal
    effective_weight: Decimal


class NeedOut(Schema):
    label: str
    source: Literal["template", "dimension", "skill"]


class PairOut(Schema):
    mentor_id: int
    name: str
    score: Decimal | None = Field(description="0–100; null when the pair is not allowed")
    inputs: list[PairInputOut]
    covered: list[str]
    strengths: list[str]
    effectiveness: Decimal | None = Field(description="the mentor's composite; hidden from mentees")
    ranked: bool
    free: int
    capacity: int
    same_department: bool
    problems: list[str]


class SuggestionsQuery(InSchema):
    template_id: int = Field(ge=1, le=2**53)
    mentee_id: int | None = Field(None, ge=1, le=2**53, description="default: yourself")


class SuggestionsOut(Schema):
    mentee_id: int
    template_id: int
    needs: list[NeedOut]
    blocker: str = Field(description="'already_in_programme' or 'outside_programme' when the mentee is not matched")
    available: list[PairOut]
    available_count: int
    unavailable: list[PairOut]
    unavailable_count: int


class RunOut(Schema):
    id: int
    name: str
    template_id: int
    starts_on: dt.date
    status: Literal["draft", "published", "discarded"]
    summary: dict
    created_at: dt.datetime
    published_at: dt.datetime | None


class ProposalOut(Schema):
    id: int
    mentee_id: int
    mentee: str
    mentor_id: int | None
    mentor: str | None
    score: Decimal | None
    unplaced_reason: str
    changed_by_hr: bool
    plan_id: int | None
    explanation: dict

    @staticmethod
    def resolve_mentee(obj) -> str:
        return obj.mentee.display_name

    @staticmethod
    def resolve_mentor(obj) -> str | None:
        return obj.mentor.employee.display_name if obj.mentor_id else None


class RunDetailOut(RunOut):
    proposals: list[ProposalOut]
    proposal_count: int


class RunIn(InSchema):
    """The cohort: explicit ``mentee_ids``, or filters over the people HR may match (or both)."""

    template_id: int = Field(ge=1, le=2**53)
    starts_on: dt.date
    name: str = Field("", max_length=120)
    mentee_ids: list[Id] = Field(default_factory=list, max_length=2000)
    org_unit_id: int | None = Field(None, ge=1, le=2**53)
    job_family_id: int | None = Field(None, ge=1, le=2**53)
    hired_from: dt.date | None = None
    hired_until: dt.date | None = None


class ProposalPatchIn(InSchema):
    mentor_id: int | None = Field(description="another mentor, or null to take the mentee out of the run",
                                  ge=1, le=2**53)


class ProposalPageQuery(InSchema):
    placed: bool | None = None
    limit: int = Field(200, ge=1, le=2000)
    offset: int = Field(0, ge=0, le=10**6)


def _pair(row: dict) -> dict:
    e = row["explanation"]
    return {"mentor_id": row["mentor"].pk, "name": row["mentor"].employee.display_name,
            "score": row["result"].score, "inputs": e["inputs"], "covered": e["covered"], "strengths": e["strengths"],
            "effectiveness": e["effectiveness"], "ranked": e["ranked"], "free": e["free"], "capacity": e["capacity"],
            "same_department": e["same_department"], "problems": e["problems"]}


@router.get("/matches", response={200: SuggestionsOut, **ERRORS},
            summary="Ranked mentors for a mentee, with each pair's score and why")
def match_suggestions(request, query: Query[SuggestionsQuery]):
    actor = request.actor
    template = get_or_404(access.visible_templates(actor).filter(is_active=True), pk=query.template_id)
    if query.mentee_id is None or (actor.employee is not None and query.mentee_id == actor.employee.pk):
        if actor.employee is None:
            raise Http404
        mentee = actor.employee
    else:
        mentee = get_or_404(access.match_mentees(actor).select_related("org_unit"), pk=query.mentee_id)
    if not access.can_view_match_suggestions(actor, mentee, template):
        raise PermissionDenied(_("This programme does not let mentees choose their mentor."))
    data = selectors.match_suggestions(actor, mentee, template, as_of=timezone.localdate())
    return {"mentee_id": mentee.pk, "template_id": template.pk,
            "needs": [{"label": n.label, "source": n.source} for n in data["needs"]], "blocker": data["blocker"],
            "available": [_pair(r) for r in data["available"]], "available_count": data["available_count"],
            "unavailable": [_pair(r) for r in data["unavailable"]], "unavailable_count": data["unavailable_count"]}


def _run_or_404(request, run_id: int):
    run = selectors.match_run_get(request.actor, run_id)
    if run is None:
        raise Http404
    return run


def _detail(request, run, page: ProposalPageQuery | None = None) -> dict:
    page = page or ProposalPageQuery()
    proposals, count = selectors.match_run_proposals(request.actor, run, placed=page.placed, limit=page.limit,
                                                     offset=page.offset)
    return {"id": run.pk, "name": run.name, "template_id": run.template_id, "starts_on": run.starts_on,
            "status": run.status, "summary": run.summary, "created_at": run.created_at,
            "published_at": run.published_at, "proposals": proposals, "proposal_count": count}


@router.get("/matches/runs", response={200: list[RunOut], **ERRORS}, summary="Cohort matching runs",
            description=PAGED_WAS_ARRAY)
@paginated(default=200, max_limit=1000)
def run_list(request):
    actor = request.actor
    if not (access.can_run_matching(actor) or actor.is_admin):
        raise PermissionDenied(_("Only HR matches mentees to mentors."))
    return selectors.match_run_list(actor)


@router.post("/matches/runs", response={201: RunDetailOut, **ERRORS},
             summary="Match a cohort optimally under the mentors' free places (a draft for HR's review)")
def run_create(request, data: RunIn):
    actor = request.actor
    if not access.can_run_matching(actor):
        raise PermissionDenied(_("Only HR matches mentees to mentors."))
    template = get_or_404(access.visible_templates(actor), pk=data.template_id)
    org_unit = job_family = None
    if data.org_unit_id is not None:
        org_unit = org_access.visible_org_units(actor).filter(pk=data.org_unit_id).first()
        if org_unit is None:
            raise InvalidInput(_("Please correct the errors below."), {"org_unit_id": [_("No such record.")]})
    if data.job_family_id is not None:
        job_family = org_access.visible_job_families(actor).filter(pk=data.job_family_id).first()
        if job_family is None:
            raise InvalidInput(_("Please correct the errors below."), {"job_family_id": [_("No such record.")]})
    has_filter = any(v is not None for v in (org_unit, job_family, data.hired_from, data.hired_until))
    if not data.mentee_ids and not has_filter:
        raise InvalidInput(_("Please correct the errors below."), {"mentee_ids": [
            _("Say who is in the cohort: mentee ids, an org unit, a job family or hire dates.")]})
    mentees = selectors.cohort_mentees(actor, org_unit=org_unit, job_family=job_family, hired_from=data.hired_from,
                                       hired_until=data.hired_until) if has_filter else []
    if data.mentee_ids:
        wanted = set(data.mentee_ids)
        listed = list(access.match_mentees(actor).select_related("org_unit", "job_family").filter(pk__in=wanted))
        missing = sorted(wanted - {m.pk for m in listed})
        if missing:
            raise InvalidInput(_("Please correct the errors below."), {"mentee_ids": [
                _("Not found or not someone you can match: %(ids)s") % {"ids": ", ".join(map(str, missing[:10]))}]})
        mentees = listed if not has_filter else [m for m in mentees if m.pk in wanted]
    run = services.match_run_create(actor=actor, template=template, mentees=mentees, starts_on=data.starts_on,
                                    name=data.name)
    return Status(201, _detail(request, run))


@router.get("/matches/runs/{int:run_id}", response={200: RunDetailOut, **ERRORS},
            summary="A run with its proposed pairs and the mentees it could not place, with the reason")
def run_detail(request, run_id: int, page: Query[ProposalPageQuery]):
    return _detail(request, _run_or_404(request, run_id), page)


@router.patch("/matches/runs/{int:run_id}/proposals/{int:proposal_id}", response={200: ProposalOut, **ERRORS},
              summary="Move a mentee of a draft run to another mentor, or take them out")
def proposal_patch(request, run_id: int, proposal_id: int, data: ProposalPatchIn):
    actor = request.actor
    run = _run_or_404(request, run_id)
    proposal = selectors.match_proposal_get(actor, run, proposal_id)
    if proposal is None:
        raise Http404
    mentor = None
    if data.mentor_id is not None:
        mentor = access.visible_mentors(actor).select_related("employee").filter(pk=data.mentor_id).first()
        if mentor is None:
            raise InvalidInput(_("Please correct the errors below."), {"mentor_id": [_("No such record.")]})
    services.match_proposal_change(actor=actor, proposal=proposal, mentor=mentor)
    return selectors.match_proposal_get(actor, run, proposal_id)


@router.post("/matches/runs/{int:run_id}/publish", response={200: RunOut, **ERRORS},
             summary="Publish a draft run: one draft plan per placed mentee, all or nothing")
def run_publish(request, run_id: int):
    return services.match_run_publish(actor=request.actor, run=_run_or_404(request, run_id))


@router.post("/matches/runs/{int:run_id}/discard", response={200: RunOut, **ERRORS}, summary="Discard a draft run")
def run_discard(request, run_id: int):
    return services.match_run_discard(actor=request.actor, run=_run_or_404(request, run_id))
