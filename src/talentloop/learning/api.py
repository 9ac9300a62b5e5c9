"""The learning API under /api/v1/learning — the same services and selectors as the web pages."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from django.http import Http404
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status

from talentloop.core.errors import PermissionDenied
from talentloop.core.paging import PAGED, SelectorPage, paginated
from talentloop.core.schemas import ERRORS, Id, InSchema
from talentloop.learning import access, selectors, services

router = Router(tags=["learning"])

KindLiteral = Literal["course", "article", "resource"]
AudienceLiteral = Literal["everyone", "org_units", "job_families", "mentors", "new_hires"]


class ContentOut(Schema):
    id: int
    kind: KindLiteral
    title: str
    title_en: str
    summary: str
    summary_en: str
    url: str
    body: str
    tags: list[str]
    audience: AudienceLiteral
    duration_minutes: int | None
    status: Literal["draft", "published", "archived"]
    published_at: dt.datetime | None


class ContentFiltersIn(InSchema):
    q: str = Field("", max_length=100)
    tag: str = Field("", max_length=40)
    kind: KindLiteral | None = None


class ContentIn(InSchema):
    kind: KindLiteral
    title: str = Field(min_length=1, max_length=200)
    title_en: str = Field("", max_length=200)
    summary: str = Field("", max_length=2000)
    summary_en: str = Field("", max_length=2000)
    url: str = Field("", max_length=500)
    body: str = Field("", max_length=20000)
    tags: list[str] = Field(default_factory=list, max_length=12)
    audience: AudienceLiteral = "everyone"
    org_unit_ids: list[Id] = Field(default_factory=list, max_length=200)
    job_family_ids: list[Id] = Field(default_factory=list, max_length=200)
    duration_minutes: int | None = Field(None, ge=1, le=6000)
    publish: bool = False


class ContentPatchIn(InSchema):
    kind: KindLiteral | None = None
    title: str | None = Field(None, min_length=1, max_length=200)
    title_en: str | None = Field(None, max_length=200)
    summary: str | None = Field(None, max_length=2000)
    summary_en: str | None = Field(None, max_length=2000)
    url: str | None = Field(None, max_length=500)
    body: str | None = Field(None, max_length=20000)
    tags: list[str] | None = Field(None, max_length=12)
    audience: AudienceLiteral | None = None
    org_unit_ids: list[Id] | None = Field(None, max_length=200)
    job_family_ids: list[Id] | None = Field(None, max_length=200)
    duration_minutes: int | None = Field(None, ge=1, le=6000)
    status: Literal["draft", "published", "archived"] | None = None


class CompletionOut(Schema):
    content_id: int
    completed_at: dt.datetime
    via: Literal["self", "session"]


class DismissOut(Schema):
    content_id: int
    dismissed_at: dt.datetime


class RecommendationOut(Schema):
    content: ContentOut
    reason: str
    score: float
    signal: str


class RecommendationQuery(InSchema):
    limit: int = Field(3, ge=1, le=10)


class SessionOut(Schema):
    id: int
    content_id: int
    title: str
    starts_at: dt.datetime
    ends_at: dt.datetime
    location: str
    online_url: str
    capacity: int | None
    taken: int
    signed_up: bool
    status: Literal["scheduled", "cancelled"]


class SessionFiltersIn(InSchema):
    when: Literal["upcoming", "past"] = "upcoming"
    content_id: int | None = Field(None, ge=1, le=2**53)


class SessionIn(InSchema):
    content_id: Id
    starts_at: dt.datetime
    ends_at: dt.datetime
    location: str = Field("", max_length=200)
    online_url: str = Field("", max_length=500)
    capacity: int | None = Field(None, ge=1, le=10000)


class SignupOut(Schema):
    session_id: int
    employee_id: int
    status: Literal["signed_up", "cancelled", "attended", "no_show"]


class AttendanceIn(InSchema):
    attended: list[Id] = Field(default_factory=list, max_length=2000, description="employee ids present")
    no_show: list[Id] = Field(default_factory=list, max_length=2000, description="employee ids absent")


class AttendanceOut(Schema):
    attended: int
    no_show: int
    completed: int


class LearningEventIn(InSchema):
    verb: Literal["open", "submit"]
    content_id: Id


def _not_allowed() -> str:
    return _("You may not do this.")


def _session_out(s) -> dict:
    return {"id": s.pk, "content_id": s.content_id, "title": s.content.label, "starts_at": s.starts_at,
            "ends_at": s.ends_at, "location": s.location, "online_url": s.online_url, "capacity": s.capacity,
            "taken": getattr(s, "taken", 0), "signed_up": bool(getattr(s, "signed_up", False)),
            "status": s.status}


def _content(request, content_id: int):
    item = selectors.content_get(request.actor, content_id)
    if item is None:
        raise Http404
    return item


def _session(request, session_id: int):
    session = selectors.session_get(request.actor, session_id)
    if session is None:
        raise Http404
    return session


@router.get("/content", response={200: list[ContentOut], **ERRORS}, summary="The content library",
            description=PAGED)
@paginated(default=20, max_limit=100)
def content_list(request, filters: Query[ContentFiltersIn]):
    return SelectorPage(lambda limit, offset: selectors.content_list(
        request.actor, q=filters.q, tag=filters.tag, kind=filters.kind or "", limit=limit, offset=offset))


@router.get("/content/{int:content_id}", response={200: ContentOut, **ERRORS},
            summary="One item (records that you opened it)")
def content_get(request, content_id: int):
    item = _content(request, content_id)
    services.content_open(actor=request.actor, content=item)
    return item


@router.post("/content", response={201: ContentOut, **ERRORS}, summary="Write an item (HR; mentors: resources "
             "and articles)")
def content_create(request, data: ContentIn):
    actor = request.actor
    if not access.can_create_content(actor, data.kind):
        raise PermissionDenied(_not_allowed())
    units, families = selectors.audience_refs(actor, data.org_unit_ids, data.job_family_ids)
    item = services.content_create(
        actor=actor, kind=data.kind, title=data.title, title_en=data.title_en, summary=data.summary,
        summary_en=data.summary_en, url=data.url, body=data.body, tags=data.tags, audience=data.audience,
        org_units=units, job_families=families, duration_minutes=data.duration_minutes, publish=data.publish)
    return Status(201, item)


@router.patch("/content/{int:content_id}", response={200: ContentOut, **ERRORS}, summary="Change an item")
def content_update(request, content_id: int, data: ContentPatchIn):
    actor = request.actor
    item = _content(request, content_id)
    if not access.can_edit_content(actor, item):
        raise PermissionDenied(_not_allowed())
    changes = data.model_dump(exclude_unset=True)
    status = changes.pop("status", None)
    unit_ids, family_ids = changes.pop("org_unit_ids", None), changes.pop("job_family_ids", None)
    units, families = selectors.audience_refs(actor, unit_ids or [], family_ids or [])
    item = services.content_update(actor=actor, content=item, org_units=units if unit_ids is not None else None,
                                   job_families=families if family_ids is not None else None, **changes)
    if status == "published" and item.status != "published":
        item = services.content_publish(actor=actor, content=item)
    elif status == "archived" and item.status != "archived":
        item = services.content_archive(actor=actor, content=item)
    return item


@router.post("/content/{int:content_id}/complete", response={200: CompletionOut, **ERRORS},
             summary="Mark an item as completed (yourself)")
def content_complete(request, content_id: int):
    item = _content(request, content_id)
    c = services.content_complete(actor=request.actor, content=item)
    return {"content_id": c.content_id, "completed_at": c.completed_at, "via": c.via}


@router.post("/content/{int:content_id}/dismiss", response={200: DismissOut, **ERRORS},
             summary="Dismiss a recommendation: never suggested again")
def content_dismiss(request, content_id: int):
    item = _content(request, content_id)
    d = services.recommendation_dismiss(actor=request.actor, content=item)
    return {"content_id": d.content_id, "dismissed_at": d.at}


@router.get("/recommendations", response={200: list[RecommendationOut], **ERRORS},
            summary="Your recommendations, each with its reason")
def recommendation_list(request, query: Query[RecommendationQuery]):
    actor = request.actor
    if actor.employee is None:
        raise Http404
    recs = selectors.recommendation_list(actor, actor.employee, limit=query.limit)
    full = selectors.recommended_content(actor, recs)
    return [{"content": full[r.pk], "reason": r.reason, "score": r.score, "signal": r.signal}
            for r in recs if r.pk in full]


@router.get("/sessions", response={200: list[SessionOut], **ERRORS}, summary="Training sessions",
            description=PAGED)
@paginated(default=20, max_limit=100)
def session_list(request, filters: Query[SessionFiltersIn]):
    def read(limit: int, offset: int) -> tuple[list[dict], int]:
        rows, count = selectors.session_list(request.actor, upcoming=filters.when == "upcoming",
                                             content_id=filters.content_id, limit=limit, offset=offset)
        return [_session_out(s) for s in rows], count

    return SelectorPage(read)


@router.post("/sessions", response={201: SessionOut, **ERRORS}, summary="Schedule a session of a course (HR)")
def session_create(request, data: SessionIn):
    actor = request.actor
    if not access.can_manage_sessions(actor):
        raise PermissionDenied(_not_allowed())
    item = _content(request, data.content_id)
    session = services.session_create(actor=actor, content=item, starts_at=data.starts_at, ends_at=data.ends_at,
                                      location=data.location, online_url=data.online_url, capacity=data.capacity,
                                      organiser=actor.employee)
    return Status(201, _session_out(selectors.session_get(actor, session.pk)))


@router.post("/sessions/{int:session_id}/signup", response={201: SignupOut, **ERRORS},
             summary="Sign up for a session (yourself)")
def session_signup(request, session_id: int):
    s = services.session_signup(actor=request.actor, session=_session(request, session_id))
    return Status(201, {"session_id": s.session_id, "employee_id": s.employee_id, "status": s.status})


@router.delete("/sessions/{int:session_id}/signup", response={200: SignupOut, **ERRORS},
               summary="Cancel your place")
def session_cancel_signup(request, session_id: int):
    s = services.session_cancel_signup(actor=request.actor, session=_session(request, session_id))
    return {"session_id": s.session_id, "employee_id": s.employee_id, "status": s.status}


@router.post("/sessions/{int:session_id}/attendance", response={200: AttendanceOut, **ERRORS},
             summary="Mark who attended (HR, the organiser); attending completes the course")
def session_attendance(request, session_id: int, data: AttendanceIn):
    session = _session(request, session_id)
    if not access.can_mark_attendance(request.actor, session):
        raise PermissionDenied(_not_allowed())
    return services.session_mark_attendance(actor=request.actor, session=session, attended=data.attended,
                                            no_show=data.no_show)


@router.post("/events", response={201: None, **ERRORS},
             summary="Record what you did in the app (your own behaviour only)")
def event_record(request, data: LearningEventIn):
    item = _content(request, data.content_id)
    services.behaviour_record_for_self(actor=request.actor, verb=data.verb, content=item, source="app")
    return Status(201, None)
