"""Writes of career ladders (HR): a ladder per job family and its levels with their requirements."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from talentloop.careers import access
from talentloop.careers.models import MAX_LEVEL, MAX_RATING, MIN_LEVEL, MIN_RATING, CareerLadder, LadderLevel
from talentloop.careers.selectors import courses_get
from talentloop.core.access import Actor
from talentloop.core.errors import InvalidInput, PermissionDenied, errors_from_validation
from talentloop.organisation.models import JobFamily

MAX_SKILLS = 20
MAX_COURSES = 20


def _require_hr(actor: Actor) -> None:
    if not access.can_manage_ladders(actor):
        raise PermissionDenied(_("Only HR edits career ladders."))


def _invalid(errors: dict[str, list[str]]) -> InvalidInput:
    return InvalidInput(_("Please correct the errors below."), errors)


@transaction.atomic
def career_ladder_save(*, actor: Actor, ladder: CareerLadder | None = None, job_family: JobFamily, name: str,
                       name_en: str = "", description: str = "") -> CareerLadder:
    _require_hr(actor)
    clash = CareerLadder.objects.filter(job_family=job_family)
    if ladder is not None:
        clash = clash.exclude(pk=ladder.pk)
    if clash.exists():
        raise _invalid({"job_family": [_("This job family has a ladder already.")]})
    obj = ladder or CareerLadder()
    obj.job_family, obj.name, obj.name_en, obj.description = (job_family, (name or "").strip(),
                                                              (name_en or "").strip(), (description or "").strip())
    try:
        obj.full_clean()
    except ValidationError as exc:
        raise _invalid(errors_from_validation(exc)) from exc
    obj.save()
    return obj


def validate_skills(raw: Any) -> tuple[list[dict], list[str]]:
    """``[{"skill": slug, "min_score": 0..100}, ...]``: well-formed, each skill once."""
    problems: list[str] = []
    if raw in (None, ""):
        return [], problems
    if not isinstance(raw, list):
        return [], [_("Skills must be a list of {\"skill\": …, \"min_score\": …} entries.")]
    if len(raw) > MAX_SKILLS:
        problems.append(_("At most %(n)d skills.") % {"n": MAX_SKILLS})
    clean: list[dict] = []
    seen: set[str] = set()
    for i, item in enumerate(raw, start=1):
        if not isinstance(item, dict) or set(item) - {"skill", "min_score"} or "skill" not in item \
                or "min_score" not in item:
            problems.append(_("Skill %(n)d: write {\"skill\": \"python\", \"min_score\": 80}.") % {"n": i})
            continue
        slug = item["skill"]
        if not isinstance(slug, str) or not slug.strip() or len(slug) > 60 or not all(
                c.isalnum() or c in "-_" for c in slug.strip()):
            problems.append(_("Skill %(n)d: the skill must be a short slug such as “python”.") % {"n": i})
            continue
        slug = slug.strip().lower()
        try:
            if isinstance(item["min_score"], bool):
                raise InvalidOperation
            score = Decimal(str(item["min_score"]))
        except (InvalidOperation, ValueError):
            problems.append(_("Skill %(n)d: the minimum score must be a number.") % {"n": i})
            continue
        if not score.is_finite() or not Decimal(0) <= score <= Decimal(100):
            problems.append(_("Skill %(n)d: the minimum score must be from 0 to 100.") % {"n": i})
            continue
        if slug in seen:
            problems.append(_("Skill %(n)d: “%(skill)s” is listed twice.") % {"n": i, "skill": slug})
            continue
        seen.add(slug)
        clean.append({"skill": slug, "min_score": int(score) if score == score.to_integral() else float(score)})
    return clean, problems


@transaction.atomic
def ladder_level_save(*, actor: Actor, ladder: CareerLadder, level_obj: LadderLevel | None = None, level: int,
                      title: str, title_en: str = "", description: str = "", min_rating: Any = None,
                      min_months_in_level: int | None = None, required_skills: Any = None,
                      required_course_ids: list[int] | None = None) -> LadderLevel:
    """Create or change a level. Levels are unique within a ladder; ratings are on the 1–5 scale;
    skills are well-formed with minimum scores 0–100; required courses must exist."""
    _require_hr(actor)

    errors: dict[str, list[str]] = {}
    if not isinstance(level, int) or not MIN_LEVEL <= level <= MAX_LEVEL:
        errors["level"] = [_("The level must be from %(lo)d to %(hi)d.") % {"lo": MIN_LEVEL, "hi": MAX_LEVEL}]
    else:
        clash = LadderLevel.objects.filter(ladder=ladder, level=level)
        if level_obj is not None:
            clash = clash.exclude(pk=level_obj.pk)
        if clash.exists():
            errors["level"] = [_("This ladder has a level %(n)d already.") % {"n": level}]
    rating = None
    if min_rating not in (None, ""):
        try:
            rating = Decimal(str(min_rating))
        except (InvalidOperation, ValueError):
            rating = None
            errors["min_rating"] = [_("Enter a number.")]
        else:
            if not rating.is_finite() or not MIN_RATING <= rating <= MAX_RATING:
                errors["min_rating"] = [_("The rating must be from %(lo)s to %(hi)s.") % {"lo": 1, "hi": 5}]
            elif rating != rating.quantize(Decimal("0.1")):
                errors["min_rating"] = [_("Use at most one decimal place.")]
    if min_months_in_level is not None and not 0 <= min_months_in_level <= 240:
        errors["min_months_in_level"] = [_("The months must be from 0 to 240.")]
    skills, skill_problems = validate_skills(required_skills)
    if skill_problems:
        errors["required_skills"] = skill_problems
    course_ids = list(dict.fromkeys(required_course_ids or []))
    courses = courses_get(course_ids)
    if len(course_ids) > MAX_COURSES:
        errors["required_courses"] = [_("At most %(n)d courses.") % {"n": MAX_COURSES}]
    elif len(courses) != len(course_ids):
        missing = sorted(set(course_ids) - {c.pk for c in courses})
        errors["required_courses"] = [_("No such course: %(ids)s.") % {"ids": ", ".join(map(str, missing))}]
    if errors:
        raise _invalid(errors)
    obj = level_obj or LadderLevel(ladder=ladder)
    obj.level, obj.title, obj.title_en, obj.description = (level, (title or "").strip(), (title_en or "").strip(),
                                                           (description or "").strip())
    obj.min_rating, obj.min_months_in_level, obj.required_skills = rating, min_months_in_level, skills
    try:
        obj.full_clean()
    except ValidationError as exc:
        raise _invalid(errors_from_validation(exc)) from exc
    obj.save()
    obj.required_courses.set(courses)
    return obj


@transaction.atomic
def ladder_level_delete(*, actor: Actor, level: LadderLevel) -> None:
    _require_hr(actor)
    level.delete()
