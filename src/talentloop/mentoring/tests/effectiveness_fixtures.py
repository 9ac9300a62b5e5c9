"""Facts for the effectiveness, survey and matching tests, written straight to the tables (the
services under test only read them): mentors, templates, plans that ran, ratings, sessions."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from talentloop.mentoring.growth import add_months
from talentloop.mentoring.models import (
    MenteeType,
    Mentor,
    MentoringPlan,
    PlanStatus,
    ProgrammeTemplate,
    SessionRecord,
    SkillAssessment,
    TemplateTopic,
)
from talentloop.organisation.models import Employee, EmploymentEvent
from talentloop.performance.models import FinalRating
from talentloop.testing.factories import EmployeeFactory


def mentor_of(employee: Employee, *, capacity: int = 3, expertise: list[str] | None = None,
              active: bool = True) -> Mentor:
    mentor, _created = Mentor.objects.get_or_create(
        employee=employee, defaults={"capacity": capacity, "expertise": expertise or [], "active": active,
                                     "since": dt.date(2020, 1, 1)})
    if not _created:
        Mentor.objects.filter(pk=mentor.pk).update(capacity=capacity, expertise=expertise or mentor.expertise,
                                                   active=active)
        mentor.refresh_from_db()
    return mentor


def template(name: str = "新员工", *, topics: tuple[str, ...] = (), allow_choice: bool = False,
             months: int = 6) -> ProgrammeTemplate:
    t = ProgrammeTemplate.objects.create(name=name, name_en=name, mentee_type=MenteeType.NEW_GRADUATE,
                                         duration_months=months, allow_mentee_choice=allow_choice)
    for i, title in enumerate(topics):
        TemplateTopic.objects.create(template=t, title=title, core=i == 0, order=i)
    return t


def plan(mentor: Mentor, mentee: Employee, tpl: ProgrammeTemplate, starts_on: dt.date, *,
         status: str = PlanStatus.ACTIVE, months: int = 6) -> MentoringPlan:
    return MentoringPlan.objects.create(mentor=mentor, mentee=mentee, template=tpl, status=status,
                                        starts_on=starts_on, ends_on=add_months(starts_on, months))


def rate(employee: Employee, period_key: str, rating: str | Decimal) -> None:
    FinalRating.objects.update_or_create(employee=employee, period_key=period_key,
                                         defaults={"rating": Decimal(str(rating))})


def session(p: MentoringPlan, minutes: int, held_on: dt.date | None = None) -> SessionRecord:
    return SessionRecord.objects.create(plan=p, held_on=held_on or p.starts_on, duration_minutes=minutes)


def skill(p: MentoringPlan, score: str | int, on: dt.date, name: str = "") -> SkillAssessment:
    return SkillAssessment.objects.create(employee=p.mentee, plan=p, skill=name, score=Decimal(str(score)),
                                          assessed_on=on)


def promote(employee: Employee, on: dt.date) -> EmploymentEvent:
    return EmploymentEvent.objects.create(employee=employee, kind="promotion", effective_date=on,
                                          level=employee.level + 1)


def person(**kwargs) -> Employee:
    return EmployeeFactory(**kwargs)
