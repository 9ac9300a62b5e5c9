"""The people a mentoring row concerns, for what is kept per person (``core.cache.register_personal``):
a plan and everything hanging on it (items, topics, session records) concern its mentee and its
mentor; a mentor's record concerns the mentor and the mentees of their plans."""

from __future__ import annotations

from talentloop.mentoring.models import Mentor, MentoringPlan


def _plans(**lookup) -> list[int]:
    out: list[int] = []
    for mentee_id, mentor_employee_id in MentoringPlan.objects.filter(**lookup).values_list(
            "mentee_id", "mentor__employee_id"):
        out += [mentee_id, mentor_employee_id]
    return out


def of_plan(plan: MentoringPlan) -> list[int]:
    """Read from the mentor's record, which outlives the plan (a deleted plan still names both)."""
    return [plan.mentee_id, *Mentor.objects.filter(pk=plan.mentor_id).values_list("employee_id", flat=True)]


def of_plan_part(row) -> list[int]:
    return _plans(pk=row.plan_id)


def of_mentor(mentor) -> list[int]:
    return [mentor.employee_id, *_plans(mentor_id=mentor.pk)]
