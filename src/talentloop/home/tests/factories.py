"""A company that has been running for a while, seen from the persona world: a scorecard, six months
of scores, feedback, an alert, a mentor with two mentees (one a new graduate hired a month ago) and
their schedules. Used by the selector tests, the query-count test and the browser tests.

The figures are chosen so the tests can work them out by hand:

- scorecard "Software engineer" for the engineering family: delivery 50 % (tasks done, target 10 a
  month), customer 30 % (satisfaction, an average of 4.5), teamwork 20 % (the manager's rating).
- employee's totals, oldest first: 80, 85, —, 90, 95, 104 (this month); this month's rating 4.2.
- mentee newgrad's totals: 70 last month, 75 this month (up); employee's 95 → 104 (up).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal as D

from django.utils import timezone

from talentloop.core.access import actor_for
from talentloop.mentoring.growth import add_months
from talentloop.mentoring.models import (
    ItemKind,
    MenteeType,
    Mentor,
    MentoringPlan,
    PlanItem,
    PlanStatus,
    ProgrammeTemplate,
)
from talentloop.organisation.models import Employee
from talentloop.performance import periods as P
from talentloop.performance.models import Aggregation, Alert, AlertRule, Feedback, FinalRating, Score
from talentloop.performance.services.config import metric_save, scorecard_save
from talentloop.testing.factories import EmployeeFactory, UserFactory, grant

MONTHS = 6
EMPLOYEE_TOTALS = [D(80), D(85), None, D(90), D(95), D(104)]


@dataclass
class HomeWorld:
    today: dt.date
    newgrad_user: object
    newgrad: Employee
    mentor_record: Mentor
    newgrad_plan: MentoringPlan
    employee_plan: MentoringPlan
    overdue_item: PlanItem
    soon_item: PlanItem
    employee_item: PlanItem
    late_assessment: PlanItem
    alert: Alert


def months(today: dt.date, count: int = MONTHS) -> list[P.Period]:
    out = [P.containing(today)]
    while len(out) < count:
        out.append(out[-1].previous())
    return out[::-1]


def detail(tasks: D | None, csat: D | None) -> dict:
    """The stored explanation of a score, as the recomputation writes it (the parts the home page reads)."""
    def part(key, name, actual, target, unit=""):
        score = None if actual is None else min(D(120), D(100) * actual / target).quantize(D("0.01"))
        return {"key": key, "name": name, "unit": unit, "actual": None if actual is None else str(actual),
                "target": str(target), "score": None if score is None else str(score)}
    return {"scorecard": "Software engineer", "dimensions": [
        {"key": "delivery", "name": "Delivery", "weight": "50", "metrics": [part("tasks-done", "任务", tasks, D(10),
                                                                              "件")]},
        {"key": "customer", "name": "Customer", "weight": "30", "metrics": [part("csat", "满意度", csat, D("4.5"))]},
        {"key": "teamwork", "name": "Teamwork", "weight": "20", "metrics": [
            {"key": "ratings", "name": "", "actual": None, "target": None, "score": None}]},
    ]}


def score(employee: Employee, period: P.Period, total: D | None, *, tasks=None, csat=None) -> Score:
    rating = None if total is None else (1 + 4 * (max(D(40), min(D(120), total)) - 40) / 80).quantize(D("0.1"))
    return Score.objects.create(employee=employee, period_key=period.key, period_start=period.start, total=total,
                                rating=rating, detail=detail(tasks, csat), computed_at=timezone.now())


def scorecard(world) -> None:
    hr = actor_for(world.hr)
    tasks = metric_save(actor=hr, data={"key": "tasks-done", "name": "完成任务", "name_en": "Tasks done",
                                        "aggregation": Aggregation.COUNT, "unit": "件"})
    csat = metric_save(actor=hr, data={"key": "csat", "name": "客户满意度", "name_en": "Customer satisfaction",
                                       "aggregation": Aggregation.AVG})
    scorecard_save(actor=hr, name="软件工程师", name_en="Software engineer", job_family=world.engineering,
                   valid_from=dt.date(2020, 1, 1), dimensions=[
                       {"key": "delivery", "name": "交付", "name_en": "Delivery", "weight": 50,
                        "metrics": [{"metric": tasks, "weight": 100, "target": 10}]},
                       {"key": "customer", "name": "客户", "name_en": "Customer", "weight": 30,
                        "metrics": [{"metric": csat, "weight": 100, "target": D("4.5")}]},
                       {"key": "teamwork", "name": "协作", "name_en": "Teamwork", "weight": 20, "ratings_weight": 100,
                        "manager_weight": 100, "peer_weight": 0, "self_weight": 0},
                   ])


def build_home_world(world, today: dt.date | None = None) -> HomeWorld:
    today = today or timezone.localdate()
    periods = months(today)
    lead = world.emp(world.lead)
    employee = world.emp(world.employee)
    mentor_emp = world.emp(world.mentor)
    mentor_emp.phone, mentor_emp.email = "13800000001", "mentor@example.com"
    mentor_emp.save(update_fields=["phone", "email"])

    newgrad_user = UserFactory(username="newgrad", display_name="Newgrad")
    newgrad = EmployeeFactory(user=newgrad_user, org_unit=world.platform, job_family=world.engineering, manager=lead,
                              level=1, name="newgrad-中文", name_en="Newgrad", employee_number="T-newgrad",
                              hire_date=today - dt.timedelta(days=30))

    scorecard(world)
    for period, total in zip(periods, EMPLOYEE_TOTALS, strict=True):
        if total is not None:
            last = period == periods[-1]
            score(employee, period, total, tasks=D(11) if last else D(9), csat=D(4) if last else D("4.6"))
    score(newgrad, periods[-2], D(70), tasks=D(6), csat=D(4))
    score(newgrad, periods[-1], D(75), tasks=D(7), csat=D(4))

    Feedback.objects.create(giver=lead, recipient=employee, text="Great code review on the billing service.")
    Feedback.objects.create(giver=mentor_emp, recipient=employee, text="Thanks for pairing on the release.")

    mentor_record = Mentor.objects.create(employee=mentor_emp, capacity=3, since=dt.date(2024, 1, 1))
    newgrad_tpl = ProgrammeTemplate.objects.create(name="新员工融入", name_en="New graduate onboarding",
                                                   mentee_type=MenteeType.NEW_GRADUATE, duration_months=6)
    growth_tpl = ProgrammeTemplate.objects.create(name="技能提升", name_en="Skills", mentee_type=MenteeType.JOB_FAMILY,
                                                  job_family=world.engineering, duration_months=12)
    newgrad_start = today - dt.timedelta(days=20)
    newgrad_plan = MentoringPlan.objects.create(mentor=mentor_record, mentee=newgrad, template=newgrad_tpl,
                                                starts_on=newgrad_start, ends_on=add_months(newgrad_start, 6),
                                                status=PlanStatus.ACTIVE)
    employee_start = add_months(today, -9)
    employee_plan = MentoringPlan.objects.create(mentor=mentor_record, mentee=employee, template=growth_tpl,
                                                 starts_on=employee_start, ends_on=add_months(employee_start, 12),
                                                 status=PlanStatus.ACTIVE)
    overdue_item = PlanItem.objects.create(plan=newgrad_plan, kind=ItemKind.ONE_TO_ONE, sequence=1,
                                           due_on=today - dt.timedelta(days=2))
    soon_item = PlanItem.objects.create(plan=newgrad_plan, kind=ItemKind.ONE_TO_ONE, sequence=2,
                                        due_on=today + dt.timedelta(days=3))
    PlanItem.objects.create(plan=newgrad_plan, kind=ItemKind.ONE_TO_ONE, sequence=3,
                            due_on=today + dt.timedelta(days=30))
    employee_item = PlanItem.objects.create(plan=employee_plan, kind=ItemKind.ONE_TO_ONE, sequence=1,
                                            due_on=today + dt.timedelta(days=5))
    late_assessment = PlanItem.objects.create(plan=employee_plan, kind=ItemKind.SKILL_ASSESSMENT, sequence=1,
                                              due_on=today - dt.timedelta(days=10))
    # Rating growth of employee's plan: the quarter before the start 3.0, the latest complete quarter at
    # least six months in 3.6 → +20.0 %.
    before = P.containing(employee_start, P.QUARTER).previous()
    after = P.containing(today, P.QUARTER).previous()
    FinalRating.objects.create(employee=employee, period_key=before.key, rating=D("3.0"))
    FinalRating.objects.create(employee=employee, period_key=after.key, rating=D("3.6"))

    rule = AlertRule.objects.create(name="交付下降", name_en="Delivery drop",
                                    metric_id=_metric_id("tasks-done"), threshold=D(2), notify_employee=True)
    alert = Alert.objects.create(rule=rule, employee=employee, manager=lead, window_start=periods[-2].start,
                                 window_end=periods[-1].start, window_label=periods[-2].key,
                                 baseline_value=D(10), current_value=D(6), worsening=D(4),
                                 opened_on=today)
    _other_apps(world, newgrad, today)
    return HomeWorld(today=today, newgrad_user=newgrad_user, newgrad=newgrad, mentor_record=mentor_record,
                     newgrad_plan=newgrad_plan, employee_plan=employee_plan, overdue_item=overdue_item,
                     soon_item=soon_item, employee_item=employee_item, late_assessment=late_assessment, alert=alert)


def _other_apps(world, newgrad: Employee, today: dt.date) -> None:
    """What the apps built alongside the home page hold for these people: newgrad's onboarding
    checklist (started 30 days ago: four steps past due, the 30-day check-in due today), a training
    session in three days, a published course to recommend, and the engineering career ladder."""
    from talentloop.careers.tests import factories as careers
    from talentloop.learning.tests.factories import ContentItemFactory, TrainingSessionFactory
    from talentloop.onboarding.tests import factories as onboarding

    onboarding.checklist(newgrad, today - dt.timedelta(days=30))
    TrainingSessionFactory(content=ContentItemFactory(title="代码评审工作坊", title_en="Code review workshop"))
    ContentItemFactory(title="客户投诉处理", title_en="Handling customer complaints", tags=["complaint-handling"],
                       published_at=timezone.now() - dt.timedelta(days=1))
    careers.ladder(world.engineering, [
        {"level": 1, "title": "初级工程师", "title_en": "Junior engineer"},
        {"level": 2, "title": "工程师", "title_en": "Engineer", "min_months_in_level": 6},
        {"level": 3, "title": "中级工程师", "title_en": "Intermediate engineer"},
        {"level": 4, "title": "高级工程师", "title_en": "Senior engineer", "min_rating": D("3.5"),
         "min_months_in_level": 12},
    ])


def _metric_id(key: str) -> int:
    from talentloop.performance.models import Metric

    return Metric.objects.get(key=key).pk


def grow_company(world, home: HomeWorld, extra: int) -> None:
    """``extra`` more people in the manager's tree and outside it, each with scores, and for every
    fifth one a mentoring plan of another mentor with due items: what must not change the number of
    queries of anyone's home page."""
    lead, outsider = world.emp(world.lead), world.emp(world.outsider)
    periods = months(home.today)
    tpl = home.newgrad_plan.template
    other_mentor = None
    for i in range(extra):
        emp = EmployeeFactory(org_unit=world.platform if i % 2 else world.sales, job_family=world.engineering,
                              manager=lead if i % 3 else outsider)
        for period in periods[-2:]:
            score(emp, period, D(60 + (i * 7) % 60), tasks=D(5), csat=D(4))
        if i % 5 == 0:
            if other_mentor is None:
                user = UserFactory()
                grant(user, "mentor")
                mentor_emp = EmployeeFactory(user=user, org_unit=world.platform, job_family=world.engineering,
                                             manager=lead)
                other_mentor = Mentor.objects.create(employee=mentor_emp, capacity=50, since=dt.date(2024, 1, 1))
            plan = MentoringPlan.objects.create(mentor=other_mentor, mentee=emp, template=tpl,
                                                starts_on=home.today - dt.timedelta(days=40),
                                                ends_on=home.today + dt.timedelta(days=140), status=PlanStatus.ACTIVE)
            PlanItem.objects.create(plan=plan, kind=ItemKind.ONE_TO_ONE, sequence=1,
                                    due_on=home.today - dt.timedelta(days=1))
            Feedback.objects.create(giver=lead, recipient=emp, text="Good work.")
