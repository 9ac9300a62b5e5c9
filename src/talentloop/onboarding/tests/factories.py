"""Builders of onboarding data for tests: templates through the service, checklists with fixed
dates written directly (so a test decides exactly which steps are past)."""

from __future__ import annotations

import datetime as dt

from talentloop.mentoring.models import Mentor, MentoringPlan, PlanStatus
from talentloop.mentoring.tests import programme_fixtures as F
from talentloop.onboarding.models import Checklist, ChecklistStep, ChecklistTemplate, TemplateStep

STEPS = [
    (-2, "it", "电脑和账号就绪", "Laptop and accounts ready"),
    (1, "manager", "欢迎午餐", "Welcome lunch"),
    (3, "mentor", "认识导师", "Meet your mentor"),
    (5, "new_hire", "阅读员工手册", "Read the employee handbook"),
    (30, "hr", "30天回访", "30-day check-in"),
]


def template(name: str = "全公司入职", *, org_unit=None, job_family=None, steps=STEPS, active: bool = True):
    tpl = ChecklistTemplate.objects.create(name=name, name_en=name, org_unit=org_unit, job_family=job_family,
                                           active=active)
    TemplateStep.objects.bulk_create([TemplateStep(template=tpl, due_day=d, owner=o, title=t, title_en=en, order=i)
                                      for i, (d, o, t, en) in enumerate(steps, start=1)])
    return tpl


def checklist(employee, start: dt.date, steps=STEPS, *, tpl=None) -> Checklist:
    c = Checklist.objects.create(employee=employee, template=tpl, template_name="入职", start_date=start)
    ChecklistStep.objects.bulk_create([
        ChecklistStep(checklist=c, due_day=d, owner=o, title=t, title_en=en, order=i,
                      due_on=start + dt.timedelta(days=d)) for i, (d, o, t, en) in enumerate(steps, start=1)])
    return c


def mentor_plan(mentor_employee, mentee, *, status=PlanStatus.ACTIVE, mentee_type="new_graduate") -> MentoringPlan:
    mentor, _created = Mentor.objects.get_or_create(employee=mentor_employee,
                                                    defaults={"capacity": 3, "since": dt.date(2024, 1, 1)})
    tpl = F.template(f"onb-{mentee.pk}-{mentee_type}", mentee_type=mentee_type)
    return F.plan(mentor, mentee, tpl, dt.date.today() - dt.timedelta(days=10), status=status)
