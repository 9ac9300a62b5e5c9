"""Builders of career ladders and the facts a promotion path reads, for tests."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.utils import timezone

from talentloop.careers.models import CareerLadder, LadderLevel
from talentloop.learning.models import ContentCompletion, ContentItem
from talentloop.mentoring.models import SkillAssessment
from talentloop.organisation.models import EmploymentEvent
from talentloop.performance.models import FinalRating


def course(title: str = "代码评审基础", title_en: str = "Code review fundamentals") -> ContentItem:
    return ContentItem.objects.create(kind="course", title=title, title_en=title_en, url="https://example.com/c",
                                      status="published", published_at=timezone.now())


def ladder(family, levels: list[dict]) -> CareerLadder:
    lad = CareerLadder.objects.create(job_family=family, name=f"{family.name}职级", name_en=f"{family.name_en} ladder")
    for spec in levels:
        courses = spec.pop("courses", [])
        lv = LadderLevel.objects.create(ladder=lad, **spec)
        lv.required_courses.set(courses)
    return lad


def rating(employee, year: int, value: str) -> None:
    FinalRating.objects.create(employee=employee, period_key=str(year), rating=Decimal(value))


def skill(employee, slug: str, score: str, on: dt.date) -> None:
    SkillAssessment.objects.create(employee=employee, skill=slug, score=Decimal(score), assessed_on=on)


def level_event(employee, kind: str, on: dt.date, level: int) -> None:
    EmploymentEvent.objects.create(employee=employee, kind=kind, effective_date=on, level=level,
                                   applied_at=timezone.now())


def completed(employee, item: ContentItem) -> None:
    ContentCompletion.objects.create(employee=employee, content=item, completed_at=timezone.now())
