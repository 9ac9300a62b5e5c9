"""Small builders for the qualification, plan and cadence tests (and the access-matrix keys)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from talentloop.core.access import actor_for
from talentloop.mentoring.models import (
    CadenceRule,
    ItemKind,
    MenteeType,
    Mentor,
    MentoringPlan,
    MentorPolicy,
    PlanItem,
    PlanStatus,
    PlanTopic,
    ProgrammeTemplate,
    TemplateTopic,
)
from talentloop.performance.models import FinalRating

ALL_CRITERIA = [
    {"key": "annual_rating_min", "params": {"min": "4.5", "years": 3}},
    {"key": "mentoring_experience_years", "params": {"years": 2}},
    {"key": "successful_mentees", "params": {"count": 2, "growth_min_pct": "20"}},
    {"key": "certification", "params": {"course": "mentor-skills", "min_score": "60"}},
    {"key": "tenure_years", "params": {"years": 2}},
    {"key": "level_min", "params": {"level": 5}},
]


def policy(criteria=None, **kwargs) -> MentorPolicy:
    latest = MentorPolicy.objects.order_by("-version").first()
    return MentorPolicy.objects.create(version=(latest.version + 1) if latest else 1,
                                       criteria=criteria if criteria is not None else ALL_CRITERIA, **kwargs)


def mentor(employee, capacity: int = 3, since: dt.date = dt.date(2025, 1, 1), **kwargs) -> Mentor:
    return Mentor.objects.create(employee=employee, capacity=capacity, since=since, **kwargs)


def template(name: str = "新员工融入", *, core=("公司价值观", "岗位实操技能"), optional=("职场沟通",),
             cadence=((ItemKind.ONE_TO_ONE, 1), (ItemKind.SKILL_ASSESSMENT, 3), (ItemKind.RESULTS_REPORT, 6)),
             mentee_type: str = MenteeType.NEW_GRADUATE, job_family=None, months: int = 6) -> ProgrammeTemplate:
    tpl = ProgrammeTemplate.objects.create(name=name, name_en=name, mentee_type=mentee_type, job_family=job_family,
                                           goals=["融入团队", "掌握基本技能"], duration_months=months)
    order = 0
    for title in core:
        TemplateTopic.objects.create(template=tpl, title=title, core=True, order=order)
        order += 1
    for title in optional:
        TemplateTopic.objects.create(template=tpl, title=title, core=False, order=order)
        order += 1
    for kind, every in cadence:
        CadenceRule.objects.create(template=tpl, kind=kind, every_months=every)
    return tpl


def plan(mentor_obj: Mentor, mentee, tpl: ProgrammeTemplate, starts_on: dt.date,
         status: str = PlanStatus.ACTIVE, months: int | None = None) -> MentoringPlan:
    """A plan written straight to the database (the services are tested on their own)."""
    from talentloop.mentoring.growth import add_months

    p = MentoringPlan.objects.create(mentor=mentor_obj, mentee=mentee, template=tpl, starts_on=starts_on,
                                     ends_on=add_months(starts_on, months or tpl.duration_months), status=status,
                                     goals=list(tpl.goals))
    for t in tpl.topics.all():
        PlanTopic.objects.create(plan=p, title=t.title, core=t.core, order=t.order, template_topic=t)
    return p


def item(p: MentoringPlan, due_on: dt.date, kind: str = ItemKind.ONE_TO_ONE, sequence: int | None = None) -> PlanItem:
    seq = sequence or (PlanItem.objects.filter(plan=p, kind=kind).count() + 1)
    return PlanItem.objects.create(plan=p, kind=kind, due_on=due_on, sequence=seq)


def rate(employee, key: str, rating: str) -> None:
    FinalRating.objects.update_or_create(employee=employee, period_key=key, defaults={"rating": Decimal(rating)})


def actor(world, persona: str):
    return actor_for(getattr(world, persona))
