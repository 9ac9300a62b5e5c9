"""The careers API under /api/v1/careers: ladders and levels (HR edits), promotion paths."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.http import Http404
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema, Status

from talentloop.careers import access, selectors, services
from talentloop.careers.models import CareerLadder, LadderLevel
from talentloop.core.errors import InvalidInput, PermissionDenied
from talentloop.core.paging import PAGED_WAS_ARRAY, paginated
from talentloop.core.schemas import ERRORS, Id, InSchema

router = Router(tags=["careers"])


class SkillIn(InSchema):
    skill: str = Field(..., min_length=1, max_length=60)
    min_score: Decimal = Field(..., ge=0, le=100)


class LevelIn(InSchema):
    level: int = Field(..., ge=1, le=20)
    title: str = Field(..., min_length=1, max_length=120)
    title_en: str = Field("", max_length=120)
    description: str = Field("", max_length=2000)
    min_rating: Decimal | None = Field(None, ge=1, le=5)
    min_months_in_level: int | None = Field(None, ge=0, le=240)
    required_skills: list[SkillIn] = Field(default_factory=list, max_length=20)
    required_course_ids: list[Id] = Field(default_factory=list, max_length=20)


class LevelPatchIn(InSchema):
    level: int | None = Field(None, ge=1, le=20)
    title: str | None = Field(None, min_length=1, max_length=120)
    title_en: str | None = Field(None, max_length=120)
    description: str | None = Field(None, max_length=2000)
    min_rating: Decimal | None = Field(None, ge=1, le=5)
    min_months_in_level: int | None = Field(None, ge=0, le=240)
    required_skills: list[SkillIn] | None = Field(None, max_length=20)
    required_course_ids: list[Id] | None = Field(None, max_length=20)


class LadderIn(InSchema):
    job_family_id: Id
    name: str = Field(..., min_length=1, max_length=120)
    name_en: str = Field("", max_length=120)
    description: str = Field("", max_length=2000)


class LadderPatchIn(InSchema):
    job_family_id: Id | None = None
    name: str | None = Field(None, min_length=1, max_length=120)
    name_en: str | None = Field(None, max_length=120)
    description: str | None = Field(None, max_length=2000)


class SkillOut(Schema):
    skill: str
    min_score: float


class CourseOut(Schema):
    id: int
    title: str
    title_en: str


class LevelOut(Schema):
    id: int
    ladder_id: int
    level: int
    title: str
    title_en: str
    description: str
    min_rating: Decimal | None
    min_months_in_level: int | None
    required_skills: list[SkillOut]
    required_courses: list[CourseOut]


class LadderOut(Schema):
    id: int
    job_family_id: int
    name: str
    name_en: str
    description: str
    levels: list[LevelOut]


class RequirementOut(Schema):
    key: str
    label: str
    met: bool | None
    detail: str


class PathOut(Schema):
    employee_id: int
    level: int
    ladder_id: int | None
    current: LevelOut | None
    next: LevelOut | None
    requirements: list[RequirementOut]
    ready: bool
    months_in_level: int | None
    level_since: dt.date | None


def _level_out(lv: LadderLevel) -> dict:
    return {"id": lv.pk, "ladder_id": lv.ladder_id, "level": lv.level, "title": lv.title, "title_en": lv.title_en,
            "description": lv.description, "min_rating": lv.min_rating, "min_months_in_level": lv.min_months_in_level,
            "required_skills": lv.required_skills,
            "required_courses": [{"id": c.pk, "title": c.title, "title_en": c.title_en}
                                 for c in lv.required_courses.all()]}


def _ladder_out(ladder: CareerLadder) -> dict:
    return {"id": ladder.pk, "job_family_id": ladder.job_family_id, "name": ladder.name, "name_en": ladder.name_en,
            "description": ladder.description, "levels": [_level_out(lv) for lv in ladder.levels.all()]}


def _path_out(employee, path) -> dict:
    if path is None:
        return {"employee_id": employee.pk, "level": employee.level, "ladder_id": None, "current": None, "next": None,
                "requirements": [], "ready": False, "months_in_level": None, "level_since": None}
    return {"employee_id": employee.pk, "level": employee.level, "ladder_id": path.ladder.pk,
            "current": _level_out(path.current) if path.current else None,
            "next": _level_out(path.next) if path.next else None,
            "requirements": [{"key": r.key, "label": r.label, "met": r.met, "detail": r.detail}
                             for r in path.requirements],
            "ready": path.ready, "months_in_level": path.months_in_level, "level_since": path.level_since}


def _ladder(request, ladder_id: int) -> CareerLadder:
    ladder = selectors.ladder_get(request.actor, ladder_id)
    if ladder is None:
        raise Http404
    return ladder


def _job_family(request, pk: int):
    family = selectors.job_family_get(request.actor, pk)
    if family is None:
        raise InvalidInput(_("Please correct the errors below."), {"job_family_id": [_("No such job family.")]})
    return family


def _require_hr(request) -> None:
    if not access.can_manage_ladders(request.actor):
        raise PermissionDenied(_("Only HR edits career ladders."))


@router.get("/ladders", response={200: list[LadderOut], **ERRORS}, summary="Career ladders with their levels",
            description=PAGED_WAS_ARRAY)
@paginated(default=200, max_limit=1000)
def ladders_list(request):
    return [_ladder_out(lad) for lad in selectors.ladder_list(request.actor)]


@router.post("/ladders", response={201: LadderOut, **ERRORS}, summary="Create a ladder for a job family (HR)")
def ladders_post(request, data: LadderIn):
    _require_hr(request)
    ladder = services.career_ladder_save(actor=request.actor, job_family=_job_family(request, data.job_family_id),
                                         name=data.name, name_en=data.name_en, description=data.description)
    return Status(201, _ladder_out(_ladder(request, ladder.pk)))


@router.get("/ladders/{int:ladder_id}", response={200: LadderOut, **ERRORS}, summary="A ladder")
def ladder_get(request, ladder_id: int):
    return _ladder_out(_ladder(request, ladder_id))


@router.patch("/ladders/{int:ladder_id}", response={200: LadderOut, **ERRORS}, summary="Change a ladder (HR)")
def ladder_patch(request, ladder_id: int, data: LadderPatchIn):
    ladder = _ladder(request, ladder_id)
    _require_hr(request)
    family = _job_family(request, data.job_family_id) if data.job_family_id is not None else ladder.job_family
    services.career_ladder_save(
        actor=request.actor, ladder=ladder, job_family=family,
        name=ladder.name if data.name is None else data.name,
        name_en=ladder.name_en if data.name_en is None else data.name_en,
        description=ladder.description if data.description is None else data.description)
    return _ladder_out(_ladder(request, ladder_id))


@router.post("/ladders/{int:ladder_id}/levels", response={201: LevelOut, **ERRORS},
             summary="Add a level with its requirements (HR)")
def levels_post(request, ladder_id: int, data: LevelIn):
    ladder = _ladder(request, ladder_id)
    _require_hr(request)
    level = services.ladder_level_save(
        actor=request.actor, ladder=ladder, level=data.level, title=data.title, title_en=data.title_en,
        description=data.description, min_rating=data.min_rating, min_months_in_level=data.min_months_in_level,
        required_skills=[s.dict() for s in data.required_skills], required_course_ids=data.required_course_ids)
    return Status(201, _level_out(selectors.level_get(request.actor, level.pk)))


@router.patch("/levels/{int:level_id}", response={200: LevelOut, **ERRORS}, summary="Change a level (HR)")
def level_patch(request, level_id: int, data: LevelPatchIn):
    level = selectors.level_get(request.actor, level_id)
    if level is None:
        raise Http404
    _require_hr(request)
    sent = data.dict(exclude_unset=True)
    skills = ([s.dict() for s in data.required_skills] if data.required_skills is not None
              else level.required_skills)
    courses = (data.required_course_ids if data.required_course_ids is not None
               else [c.pk for c in level.required_courses.all()])
    services.ladder_level_save(
        actor=request.actor, ladder=level.ladder, level_obj=level,
        level=data.level if data.level is not None else level.level,
        title=data.title if data.title is not None else level.title,
        title_en=data.title_en if data.title_en is not None else level.title_en,
        description=data.description if data.description is not None else level.description,
        min_rating=data.min_rating if "min_rating" in sent else level.min_rating,
        min_months_in_level=data.min_months_in_level if "min_months_in_level" in sent else level.min_months_in_level,
        required_skills=skills, required_course_ids=courses)
    return _level_out(selectors.level_get(request.actor, level_id))


@router.get("/path", response={200: PathOut, **ERRORS}, summary="My promotion path")
def my_path(request):
    actor = request.actor
    if actor.employee is None:
        raise Http404
    return _path_out(actor.employee, selectors.promotion_path(actor, actor.employee))


@router.get("/path/{int:employee_id}", response={200: PathOut, **ERRORS},
            summary="A person's promotion path (themselves, their managers, HR, their mentor)")
def person_path(request, employee_id: int):
    employee = selectors.path_subject_get(request.actor, employee_id)
    if employee is None:
        raise Http404
    return _path_out(employee, selectors.promotion_path(request.actor, employee))
