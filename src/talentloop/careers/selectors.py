"""Reads of career ladders and the promotion path; every one starts from an access scope."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, cast

from django.db.models import Prefetch, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from talentloop.careers import access
from talentloop.careers.models import CareerLadder, LadderLevel
from talentloop.core import cache
from talentloop.core.access import Actor
from talentloop.learning.models import ContentItem
from talentloop.learning.selectors import completed_content
from talentloop.mentoring.models import SkillAssessment
from talentloop.organisation.models import Employee, EmploymentEvent, EventKind, JobFamily
from talentloop.performance.access import can_view_final_rating
from talentloop.performance.selectors import period_ratings

LEVEL_EVENTS = (EventKind.HIRE, EventKind.PROMOTION, EventKind.DEMOTION)


def _course_model() -> Any:  # learning.models.ContentItem, looked up where it is used

    return ContentItem


def _levels_prefetch() -> Prefetch:
    return Prefetch("levels", queryset=LadderLevel.objects.order_by("level").prefetch_related("required_courses"))


def ladder_list(actor: Actor) -> list[CareerLadder]:
    """Ladders with their levels and courses: three queries whatever the number of ladders."""
    return list(access.visible_ladders(actor).select_related("job_family").prefetch_related(_levels_prefetch())
                .order_by("name", "id"))


def ladder_get(actor: Actor, pk: int) -> CareerLadder | None:
    return (access.visible_ladders(actor).select_related("job_family").prefetch_related(_levels_prefetch())
            .filter(pk=pk).first())


def level_get(actor: Actor, pk: int) -> LadderLevel | None:
    return (access.visible_levels(actor).select_related("ladder__job_family").prefetch_related("required_courses")
            .filter(pk=pk).first())


def job_family_get(actor: Actor, pk: int) -> JobFamily | None:
    return JobFamily.objects.filter(pk=pk).first() if actor.is_authenticated else None


def courses_get(ids: list[int]) -> list:
    """The content items with these ids (courses a level may require)."""
    return list(_course_model().objects.filter(pk__in=ids)) if ids else []


def course_choices() -> QuerySet:
    return _course_model().objects.filter(kind="course").exclude(status="archived").order_by("title")


def path_subject_get(actor: Actor, pk: int) -> Employee | None:
    """The person, when the actor may read their path (None otherwise: a 404)."""
    emp = (access.path_subjects(actor).select_related("org_unit", "job_family", "manager")
           .defer("national_id", "bank_account").filter(pk=pk).first())
    if emp is None or not access.can_view_path(actor, emp):
        return None
    return emp


# ---------------------------------------------------------------- the promotion path


@dataclass
class Requirement:
    key: str  # "rating" | "months" | "skill" | "course"
    label: str
    met: bool | None  # None: no data to decide
    detail: str


@dataclass
class PromotionPath:
    employee: Employee
    ladder: CareerLadder
    levels: list[LadderLevel]
    current: LadderLevel | None
    next: LadderLevel | None
    requirements: list[Requirement] = field(default_factory=list)
    months_in_level: int | None = None
    level_since: dt.date | None = None

    @property
    def ready(self) -> bool:
        """Every requirement of the next level is met (unknown counts as not met)."""
        return self.next is not None and all(r.met is True for r in self.requirements)

    @property
    def met_count(self) -> int:
        return sum(1 for r in self.requirements if r.met is True)


def months_between(start: dt.date, end: dt.date) -> int:
    """Whole months from ``start`` to ``end`` (2025-01-31 → 2025-02-28 is 0, → 2025-03-01 is 1)."""
    months = (end.year - start.year) * 12 + end.month - start.month
    if end.day < start.day:
        months -= 1
    return max(0, months)


def level_since(employee: Employee, today: dt.date) -> dt.date | None:
    """When the person reached their current level: the latest hire, promotion or demotion that set
    it (applied, or effective by today). None when the history says nothing."""
    event = (EmploymentEvent.objects.filter(employee=employee, kind__in=LEVEL_EVENTS, level=employee.level,
                                            effective_date__lte=today)
             .filter(Q(applied_at__isnull=False) | Q(kind=EventKind.HIRE))
             .order_by("-effective_date", "-id").values_list("effective_date", flat=True).first())
    return event


def _skill_name(slug: str) -> str:
    return slug.replace("-", " ").replace("_", " ").strip().title() or slug


def _fmt(value: Decimal | None) -> str:
    return "—" if value is None else f"{Decimal(value).quantize(Decimal('0.1'))}"


def _requirements(actor: Actor, level: LadderLevel, employee: Employee, today: dt.date,
                  months: int | None) -> list[Requirement]:
    out: list[Requirement] = []
    if level.min_rating is not None:

        year = str(today.year - 1)
        label = _("Rating of %(min)s or better last year (%(year)s)") % {"min": _fmt(level.min_rating), "year": year}
        # The rating that counts is the final one where people decided it: the same rule as the
        # final-ratings pages (the person, their managers, HR), so a mentor or the technical admin
        # reading the path sees neither the figure nor whether it is met.
        rating = period_ratings([employee.pk], [year]).get((employee.pk, year)) \
            if can_view_final_rating(actor, employee) else False
        if rating is False:
            out.append(Requirement("rating", label, None, _("shown to the person, their managers and HR")))
        elif rating is None:
            out.append(Requirement("rating", label, None, _("no rating for %(year)s yet") % {"year": year}))
        else:
            out.append(Requirement("rating", label, Decimal(rating) >= level.min_rating,
                                   _("yours: %(rating)s") % {"rating": _fmt(cast(Decimal, rating))}))
    if level.min_months_in_level is not None:
        label = _("%(n)d months in level") % {"n": level.min_months_in_level}
        if months is None:
            out.append(Requirement("months", label, None, _("no record of when you reached your level")))
        else:
            out.append(Requirement("months", label, months >= level.min_months_in_level,
                                   _("you have %(n)d") % {"n": months}))
    if level.required_skills:
        latest: dict[str, Decimal] = {}
        slugs = [s["skill"] for s in level.required_skills]
        for skill, assessed in (SkillAssessment.objects.filter(employee=employee, skill__in=slugs)
                             .order_by("assessed_on", "id").values_list("skill", "score")):
            latest[skill] = assessed
        for req in level.required_skills:
            slug, minimum = req["skill"], Decimal(str(req["min_score"]))
            label = _("Skill %(skill)s %(min)s+") % {"skill": _skill_name(slug), "min": f"{minimum.normalize():f}"}
            score = latest.get(slug)
            if score is None:
                out.append(Requirement("skill", label, None, _("not assessed yet")))
            else:
                out.append(Requirement("skill", label, score >= minimum,
                                       _("your latest: %(score)s") % {"score": f"{Decimal(score).normalize():f}"}))
    courses = list(level.required_courses.all())
    if courses:
        done = completed_content([employee.pk]).get(employee.pk, set())
        for course in courses:
            label = _("Course: %(title)s") % {"title": course.label}
            if course.pk in done:
                out.append(Requirement("course", label, True, _("completed")))
            else:
                out.append(Requirement("course", label, False, _("not completed yet")))
    return out


def family_ladder(job_family_id: int | None) -> tuple[CareerLadder, list[LadderLevel]] | None:
    """The job family's ladder and its levels (lowest first, each with its required courses), kept
    in the shared cache while the configuration does not change (see core.cache). Read only."""
    if job_family_id is None:
        return None

    def build() -> tuple | None:
        ladder = (CareerLadder.objects.filter(job_family_id=job_family_id)
                  .prefetch_related(_levels_prefetch()).first())
        return None if ladder is None else (ladder, list(ladder.levels.all()))

    return cache.cached(("careers.family_ladder", job_family_id), build, depends=("careers",))


def promotion_path(actor: Actor, employee: Employee, today: dt.date | None = None) -> PromotionPath | None:
    """The ladder of the person's job family with their current level, the next level and each of
    its requirements met / not met / unknown, in plain words with the person's figures. None when
    the actor may not read it or the job family has no ladder. At most eight queries."""
    if not access.can_view_path(actor, employee):
        return None
    today = today or timezone.localdate()
    found = family_ladder(employee.job_family_id)
    if found is None:
        return None
    ladder, levels = found
    current = next((lv for lv in reversed(levels) if lv.level <= employee.level), None)
    upcoming = next((lv for lv in levels if lv.level > employee.level), None)
    since = level_since(employee, today)
    months = months_between(since, today) if since else None
    path = PromotionPath(employee=employee, ladder=ladder, levels=levels, current=current, next=upcoming,
                         months_in_level=months, level_since=since)
    if upcoming is not None:
        path.requirements = _requirements(actor, upcoming, employee, today, months)
    return path
