"""The demo company's career ladders, for ``talentloop demo`` (after the organisation, its
performance history, mentoring and — when present — the learning library):

* a ladder for every job family of the organisation demo, written through the services as HR:
  the individual-contributor titles of the family, then the team lead and the manager, 4–6 levels;
* each level above the first asks a rating last year (3.5 rising to 4.5), months in the level below
  (12 rising to 36), two skills of the family with minimum scores, and — when the learning demo
  published a course with the family's tag — that course;
* a few skill test scores for ``employee`` and ``newgrad`` so their path shows met, unmet and
  unknown requirements.

Deterministic for a seed and reference date."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from talentloop.accounts.models import Role, User
from talentloop.careers import services
from talentloop.careers.models import CareerLadder
from talentloop.core.access import actor_for
from talentloop.learning.models import ContentItem
from talentloop.mentoring.models import SkillAssessment
from talentloop.organisation.demo import FAMILY_BY_CODE
from talentloop.organisation.models import Employee, JobFamily

RATINGS = ["3.5", "3.8", "4.0", "4.2", "4.5"]
MONTHS = [12, 18, 24, 24, 36]
# Two skills per family (slug, minimum at the second level; +5 per level above) and a course tag.
SKILLS = {
    "software-engineer": (("python", 60), ("code-review", 55), "code-review"),
    "algorithm-engineer": (("machine-learning", 60), ("python", 60), "machine-learning"),
    "product-manager": (("requirements-analysis", 60), ("data-analysis", 55), "product"),
    "sales": (("negotiation", 60), ("customer-communication", 60), "sales"),
    "customer-service": (("customer-communication", 60), ("complaint-handling", 55), "complaint-handling"),
    "operations-specialist": (("campaign-planning", 60), ("data-analysis", 55), "operations"),
    "production-worker": (("safety", 70), ("quality-control", 60), "safety"),
    "hr": (("recruiting", 60), ("employee-relations", 55), "hr"),
}


@dataclass
class CareersDemoResult:
    ladders: int = 0
    levels: int = 0
    courses_linked: int = 0


def careers_loaded() -> bool:
    return CareerLadder.objects.exists()


@transaction.atomic
def wipe_careers() -> None:
    CareerLadder.objects.all().delete()


def summary(result: CareersDemoResult) -> str:
    return (f"Loaded the careers demo: {result.ladders} ladders with {result.levels} levels "
            f"({result.courses_linked} course requirements).")


def _levels(code: str) -> list[tuple[int, str, str]]:
    fam = FAMILY_BY_CODE[code]
    levels = [(lv, zh, en) for lv, _suffix, zh, en in fam.titles]
    lead = levels[-1][0] + 2
    if lead <= 9:
        levels.append((lead, fam.lead[1], fam.lead[2]))
    if len(levels) < 6 and levels[-1][0] < 9:
        levels.append((9, fam.manager[1], fam.manager[2]))
    return levels[:6]


def _course_for(tag: str):
    return (ContentItem.objects.filter(kind="course", status="published", tag_index__contains=f",{tag},")
            .order_by("id").first())


def _hr_actor():
    user = User.objects.filter(username="hr").first() or User.objects.filter(
        role_assignments__role=Role.HR, role_assignments__org_unit__isnull=True).first()
    return actor_for(user)


def load_careers(*, seed: int = 1, reference_date: dt.date | None = None) -> CareersDemoResult:
    result = CareersDemoResult()
    if careers_loaded():
        return result
    ref = reference_date or timezone.localdate()
    hr = _hr_actor()
    if hr.user is None:
        return result
    with transaction.atomic():
        for family in JobFamily.objects.filter(code__in=list(FAMILY_BY_CODE)).order_by("code"):
            (s1, m1), (s2, m2), tag = SKILLS[family.code]
            ladder = services.career_ladder_save(actor=hr, job_family=family, name=f"{family.name}职业发展通道",
                                                 name_en=f"{family.name_en} career ladder")
            course = _course_for(tag)
            result.ladders += 1
            for i, (level, title, title_en) in enumerate(_levels(family.code)):
                asks = {}
                if i > 0:
                    step = i - 1
                    asks = {"min_rating": RATINGS[min(step, 4)], "min_months_in_level": MONTHS[min(step, 4)],
                            "required_skills": [{"skill": s1, "min_score": min(95, m1 + 5 * step)},
                                                {"skill": s2, "min_score": min(95, m2 + 5 * step)}],
                            "required_course_ids": [course.pk] if course is not None and i == 2 else []}
                    result.courses_linked += bool(asks["required_course_ids"])
                services.ladder_level_save(actor=hr, ladder=ladder, level=level, title=title, title_en=title_en,
                                           description="", **asks)
                result.levels += 1
        _skill_scores(ref)
    return result


def _skill_scores(ref: dt.date) -> None:
    """Skill test scores outside any plan for the named engineers (a quarter apart, rising)."""
    rows = []
    for username, scores in (("employee", {"python": ("64", "72"), "code-review": ("58", "66")}),
                             ("newgrad", {"python": ("55",)})):
        emp = Employee.objects.filter(user__username=username).first()
        if emp is None:
            continue
        for skill, values in scores.items():
            for n, value in enumerate(values):
                day = ref - dt.timedelta(days=30 + 91 * (len(values) - 1 - n))
                rows.append(SkillAssessment(employee=emp, skill=skill, score=Decimal(value), assessed_on=day,
                                            note="demo"))
    SkillAssessment.objects.bulk_create(rows)
