"""API of mentor qualification: policy versions, applications with their screening, HR's
decisions, who qualifies now and invitations, mentors and certifications."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any, Literal

from django.http import Http404
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status

from talentloop.core.errors import PermissionDenied
from talentloop.core.paging import PAGED_WAS_ARRAY, paginated
from talentloop.core.schemas import ERRORS, ErrorOut, Id, InSchema
from talentloop.mentoring import access, selectors
from talentloop.mentoring.models import Mentor, MentorApplication, MentorPolicy
from talentloop.mentoring.services import qualification as services

router = Router(tags=["mentoring"])


class CriterionIn(InSchema):
    key: Literal["annual_rating_min", "mentoring_experience_years", "successful_mentees", "certification",
                 "tenure_years", "level_min"]
    # The parameters are checked by the service per criterion (the web form shares the check), so the
    # field stays a plain object here; the document still names every parameter and its type.
    params: dict[str, Any] = Field(default_factory=dict, description=(
        "annual_rating_min {min: 4.5, years: 3}; mentoring_experience_years {years: 2}; successful_mentees "
        "{count: 2, growth_min_pct: 20}; certification {course: 'mentor-skills', min_score: 60}; "
        "tenure_years {years: 2}; level_min {level: 5}. Missing parameters take these defaults; a parameter "
        "the criterion does not take is refused."), json_schema_extra={
        "properties": {
            "min": {"type": ["number", "string"], "description": "annual_rating_min: the lowest rating, 1 to 5"},
            "years": {"type": ["number", "string"], "description": "annual_rating_min: how many past years "
                      "(1 to 10); mentoring_experience_years, tenure_years: the years required"},
            "count": {"type": "integer", "description": "successful_mentees: how many, 1 to 50"},
            "growth_min_pct": {"type": ["number", "string"],
                               "description": "successful_mentees: the mentee's growth that counts, in %"},
            "course": {"type": "string", "description": "certification: the course's slug"},
            "min_score": {"type": ["number", "string"], "description": "certification: the pass mark, 0 to 100"},
            "level": {"type": "integer", "description": "level_min: the lowest level, 1 to 20"},
        },
        "additionalProperties": False,
    })


class PolicyIn(InSchema):
    criteria: list[CriterionIn]
    allow_management_chain: bool = False
    default_capacity: int = Field(3, ge=1, le=50)
    reminder_days: int = Field(5, ge=0, le=60)
    escalate_after_days: int = Field(1, ge=1, le=60)
    note: str = Field("", max_length=300)


class PolicyOut(Schema):
    version: int
    criteria: list[dict[str, Any]]
    allow_management_chain: bool
    default_capacity: int
    reminder_days: int
    escalate_after_days: int
    note: str
    created_at: dt.datetime


class CriterionResultOut(Schema):
    key: str
    status: Literal["passed", "failed", "no_data"]
    evidence: dict[str, Any]


class ApplicationIn(InSchema):
    motivation: str = Field("", max_length=2000)
    expertise: list[str] = Field(default_factory=list, max_length=20)


class ApplicationOut(Schema):
    id: int
    employee_id: int
    employee_name: str
    policy_version: int
    status: str
    motivation: str
    expertise: list[str]
    qualifies: bool
    screening: list[CriterionResultOut]
    created_at: dt.datetime
    decided_at: dt.datetime | None
    reason: str


class ApplicationQuery(InSchema):
    status: Literal["submitted", "approved", "rejected", "withdrawn"] | None = None


class ApplicationDecisionIn(InSchema):
    reason: str = Field("", max_length=1000)
    capacity: int | None = Field(None, ge=1, le=50)


class QualifiedOut(Schema):
    employee_id: int
    employee_name: str
    employee_number: str
    is_mentor: bool
    applied: bool
    invited: bool
    screening: list[CriterionResultOut]


class InviteIn(InSchema):
    employee_ids: list[Id] = Field(..., min_length=1, max_length=500)
    message: str = Field("", max_length=500)


class InvitationOut(Schema):
    id: int
    employee_id: int
    policy_version: int


class MentorOut(Schema):
    id: int
    employee_id: int
    name: str
    org_unit: str
    capacity: int
    taken: int
    expertise: list[str]
    profile: str
    active: bool
    since: dt.date


class MentorPatchIn(InSchema):
    profile: str | None = Field(None, max_length=2000)
    expertise: list[str] | None = Field(None, max_length=20)
    capacity: int | None = Field(None, ge=1, le=50)
    active: bool | None = None


class CertificationIn(InSchema):
    employee_id: int
    course: str = Field("mentor-skills", max_length=60, pattern=r"^[-a-zA-Z0-9_]+$")
    name: str = Field(..., min_length=1, max_length=200)
    passed_on: dt.date
    score: Decimal | None = Field(None, ge=0, le=100)


class CertificationOut(Schema):
    id: int
    employee_id: int
    course: str
    name: str
    passed_on: dt.date
    score: Decimal | None


def _policy_out(policy: MentorPolicy) -> dict:
    return {"version": policy.version, "criteria": policy.criteria,
            "allow_management_chain": policy.allow_management_chain, "default_capacity": policy.default_capacity,
            "reminder_days": policy.reminder_days, "escalate_after_days": policy.escalate_after_days,
            "note": policy.note, "created_at": policy.created_at}


def _application_out(a: MentorApplication, actor) -> dict:
    return {"id": a.pk, "employee_id": a.employee_id, "employee_name": a.employee.display_name,
            "policy_version": a.policy.version, "status": a.status, "motivation": a.motivation,
            "expertise": a.expertise, "qualifies": a.qualifies,
            "screening": selectors.screening_for(actor, a.employee, a.screening), "created_at": a.created_at,
            "decided_at": a.decided_at, "reason": a.reason}


def _mentor_out(m: Mentor) -> dict:
    return {"id": m.pk, "employee_id": m.employee_id, "name": m.employee.display_name,
            "org_unit": m.employee.org_unit.label, "capacity": m.capacity, "taken": getattr(m, "taken", 0),
            "expertise": m.expertise, "profile": m.profile, "active": m.active, "since": m.since}


# ---------------------------------------------------------------- policy


@router.get("/policy", response={200: PolicyOut, **ERRORS}, summary="The current mentor policy")
def policy_get(request):
    policy = selectors.policy_get(request.actor)
    if policy is None:
        return Status(404, {"detail": _("HR has not set a mentor policy yet."), "errors": {}})
    return _policy_out(policy)


@router.post("/policy", response={201: PolicyOut, **ERRORS}, summary="Save a new version of the mentor policy")
def policy_post(request, data: PolicyIn):
    policy = services.mentor_policy_create(
        actor=request.actor, criteria=[c.dict() for c in data.criteria],
        allow_management_chain=data.allow_management_chain, default_capacity=data.default_capacity,
        reminder_days=data.reminder_days, escalate_after_days=data.escalate_after_days, note=data.note)
    return Status(201, _policy_out(policy))


# ---------------------------------------------------------------- applications


@router.get("/applications", response={200: list[ApplicationOut], **ERRORS},
            summary="Mentor applications: one's own; HR those in scope", description=PAGED_WAS_ARRAY)
@paginated(default=200, max_limit=1000)
def applications_list(request, query: Query[ApplicationQuery]):
    return [_application_out(a, request.actor) for a in selectors.application_list(request.actor, query.status)]


@router.post("/applications", response={201: ApplicationOut, **ERRORS},
             summary="Apply to become a mentor (screened at once)")
def applications_post(request, data: ApplicationIn):
    application = services.mentor_application_submit(actor=request.actor, motivation=data.motivation,
                                                     expertise=data.expertise)
    return Status(201, _application_out(application, request.actor))


def _application(request, application_id: int) -> MentorApplication:
    application = selectors.application_get(request.actor, application_id)
    if application is None:
        raise Http404
    return application


@router.get("/applications/{int:application_id}", response={200: ApplicationOut, **ERRORS},
            summary="An application with its screening")
def application_get(request, application_id: int):
    return _application_out(_application(request, application_id), request.actor)


@router.post("/applications/{int:application_id}/approve", response={200: ApplicationOut, **ERRORS},
             summary="HR approves an application; the person becomes a mentor")
def application_approve(request, application_id: int, data: ApplicationDecisionIn):
    application = _application(request, application_id)
    services.mentor_application_approve(actor=request.actor, application=application, reason=data.reason,
                                        capacity=data.capacity)
    return _application_out(_application(request, application_id), request.actor)


@router.post("/applications/{int:application_id}/reject", response={200: ApplicationOut, **ERRORS},
             summary="HR rejects an application with a reason")
def application_reject(request, application_id: int, data: ApplicationDecisionIn):
    application = _application(request, application_id)
    services.mentor_application_reject(actor=request.actor, application=application, reason=data.reason)
    return _application_out(_application(request, application_id), request.actor)


# ---------------------------------------------------------------- who qualifies now


@router.get("/qualified", response={200: list[QualifiedOut], **ERRORS},
            summary="Everyone in HR's scope who meets every criterion of the current policy now",
            description=PAGED_WAS_ARRAY)
@paginated(default=200, max_limit=1000)
def qualified_list(request):
    if not access.can_list_qualified(request.actor):
        raise PermissionDenied(_("Only HR lists who qualifies."))
    _policy, rows = selectors.qualified_list(request.actor)
    return [{"employee_id": r.employee.pk, "employee_name": r.employee.display_name,
             "employee_number": r.employee.employee_number, "is_mentor": r.is_mentor, "applied": r.applied,
             "invited": r.invited, "screening": r.screening} for r in rows]


@router.post("/qualified/invite", response={201: list[InvitationOut], **ERRORS},
             summary="Invite people who qualify now to apply")
def qualified_invite(request, data: InviteIn):
    if not access.can_list_qualified(request.actor):
        raise PermissionDenied(_("Only HR invites mentors."))
    people = selectors.invite_candidates(request.actor, data.employee_ids)
    if len(people) != len(set(data.employee_ids)):
        raise Http404
    created = services.mentor_invite(actor=request.actor, employees=people, message=data.message)
    return Status(201, [{"id": i.pk, "employee_id": i.employee_id, "policy_version": i.policy.version}
                        for i in created])


# ---------------------------------------------------------------- mentors


@router.get("/mentors", response={200: list[MentorOut], **ERRORS}, summary="Mentors, their expertise and load",
            description=PAGED_WAS_ARRAY)
@paginated(default=200, max_limit=1000)
def mentors_list(request, q: str = ""):
    return [_mentor_out(m) for m in selectors.mentor_list(request.actor, q[:60])]


def _mentor(request, mentor_id: int) -> Mentor:
    mentor = selectors.mentor_get(request.actor, mentor_id)
    if mentor is None:
        raise Http404
    return mentor


@router.get("/mentors/{int:mentor_id}", response={200: MentorOut, **ERRORS}, summary="A mentor's profile")
def mentor_get(request, mentor_id: int):
    return _mentor_out(_mentor(request, mentor_id))


@router.patch("/mentors/{int:mentor_id}", response={200: MentorOut, **ERRORS},
              summary="Edit a mentor: the mentor their profile; HR also capacity and status")
def mentor_patch(request, mentor_id: int, data: MentorPatchIn):
    mentor = _mentor(request, mentor_id)
    services.mentor_update(actor=request.actor, mentor=mentor, data=data.dict(exclude_unset=True))
    return _mentor_out(_mentor(request, mentor_id))


@router.post("/certifications", response={201: CertificationOut, **ERRORS},
             summary="Record a passed course exam (e.g. the mentor-skills course)")
def certification_post(request, data: CertificationIn):
    if not access.can_manage_mentoring(request.actor):
        raise PermissionDenied(_("Only HR records certifications."))
    employee = selectors.screening_subject_get(request.actor, data.employee_id)
    if employee is None:
        raise Http404
    cert = services.mentor_certification_record(actor=request.actor, employee=employee, course=data.course,
                                                name=data.name, passed_on=data.passed_on, score=data.score)
    return Status(201, {"id": cert.pk, "employee_id": cert.employee_id, "course": cert.course, "name": cert.name,
                        "passed_on": cert.passed_on, "score": cert.score})


__all__ = ["router", "ErrorOut"]
