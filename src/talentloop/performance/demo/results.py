"""Work results in the demo company: HR's settings (customer feedback counts in the demo's
"customer-satisfaction" metric; the demo has no projects metric, so project reports are evidence
only), a few pending results of the ``manager``'s team waiting in their queue, and a few confirmed
and rejected ones of ``employee``.

Results of people with an account go through the services (so the confirmed feedback becomes an
observation and moves the score like a real one); the team's other members have no account to
submit with, so their pending rows are written directly, validated like the service does.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from talentloop.accounts.models import User
from talentloop.core.access import actor_for
from talentloop.organisation.models import Employee
from talentloop.performance.models import Metric, WorkResult, WorkResultAttachment, WorkResultSettings
from talentloop.performance.services import results as services

CSAT_METRIC = "customer-satisfaction"
PROJECTS_METRIC = "projects-delivered"  # not in the demo catalogue today; used when a later one adds it
CUSTOMERS = ["华东电网", "招商物流", "星河零售", "蓝海医疗", "青松教育", "远航汽车", "金桥银行", "云帆科技"]
PROJECTS = ["支付网关迁移", "客服工单系统升级", "数据看板重构", "移动端性能优化"]
SKILLS = [("python", "Python 进阶测评"), ("sql", "SQL 能力测评"), ("communication", "沟通技巧测评")]


@dataclass
class ResultsDemoResult:
    pending: int = 0
    confirmed: int = 0
    rejected: int = 0

    def __str__(self) -> str:
        return summary(self)


def summary(result: ResultsDemoResult) -> str:
    return (f"Loaded the work results demo: {result.pending} waiting for confirmation, {result.confirmed} "
            f"confirmed, {result.rejected} rejected.")


def results_loaded() -> bool:
    return WorkResult.objects.exists() or WorkResultSettings.objects.exists()


def _user(username: str) -> User | None:
    return User.objects.filter(username=username, is_active=True).first()


def _decider(employee: Employee) -> User | None:
    """Someone above the person with an account (their manager chain), or HR."""
    chain = [int(pk) for pk in employee.manager_path.strip("/").split("/") if pk]
    for pk in reversed(chain):
        boss = Employee.objects.filter(pk=pk, user__isnull=False, user__is_active=True).select_related("user").first()
        if boss is not None:
            return boss.user
    hr = User.objects.filter(role_assignments__role="hr", is_active=True, role_assignments__org_unit__isnull=True)
    return hr.first() or User.objects.filter(role_assignments__role="hr", is_active=True).first()


def load_results(*, seed: int = 1, reference_date: dt.date | None = None) -> ResultsDemoResult:
    """Idempotent: does nothing when work results (or their settings) are already there."""
    result = ResultsDemoResult()
    if results_loaded():
        return result
    rng = random.Random(f"results-{seed}")
    today = min(reference_date or timezone.localdate(), timezone.localdate())
    hr_user = User.objects.filter(role_assignments__role="hr", role_assignments__org_unit__isnull=True,
                                  is_active=True).first() or User.objects.filter(role_assignments__role="hr").first()
    with transaction.atomic():
        if hr_user is not None:
            csat = Metric.objects.filter(key=CSAT_METRIC, is_active=True).first()
            projects = Metric.objects.filter(key=PROJECTS_METRIC, is_active=True).first()
            services.work_result_settings_update(actor=actor_for(hr_user), values={
                "customer_feedback": {"trusted": False, "metric": csat},
                "project_report": {"trusted": False, "metric": projects},
                "skill_test": {"trusted": False, "metric": None},
            })
        employee_user = _user("employee")
        if employee_user is not None and Employee.objects.filter(user=employee_user).exists():
            _employee_history(employee_user, today, rng, result)
        manager = Employee.objects.filter(user__username="manager").first()
        if manager is not None:
            _team_pending(manager, today, rng, result)
    return result


def _employee_history(user: User, today: dt.date, rng: random.Random, result: ResultsDemoResult) -> None:
    actor = actor_for(user)
    emp = actor.employee
    decider = _decider(emp)
    if decider is None:
        return
    boss = actor_for(decider)
    confirmed = [
        services.work_result_submit(actor=actor, kind="customer_feedback", occurred_on=today - dt.timedelta(days=9),
                                    customer=CUSTOMERS[0], score=5, comment="响应及时，问题一次解决。"),
        services.work_result_submit(actor=actor, kind="skill_test", occurred_on=today - dt.timedelta(days=20),
                                    skill=SKILLS[0][0], test_name=SKILLS[0][1], score=rng.randint(78, 92)),
        services.work_result_submit(actor=actor, kind="project_report", occurred_on=today - dt.timedelta(days=14),
                                    title=PROJECTS[1], text="完成工单系统升级，平均处理时长下降 18%。"),
    ]
    for item in confirmed:
        if item.status == "pending":
            services.work_result_confirm(actor=boss, result=item, note="已核实")
        result.confirmed += 1
    rejected = services.work_result_submit(actor=actor, kind="customer_feedback",
                                           occurred_on=today - dt.timedelta(days=30), customer=CUSTOMERS[1], score=4,
                                           comment="")
    services.work_result_reject(actor=boss, result=rejected, note="客户名称与合同不符，请核对后重新提交。")
    result.rejected += 1
    services.work_result_submit(actor=actor, kind="customer_feedback", occurred_on=today - dt.timedelta(days=1),
                                customer=CUSTOMERS[2], score=4, comment="演示很清楚。")
    result.pending += 1


def _team_pending(manager: Employee, today: dt.date, rng: random.Random, result: ResultsDemoResult) -> None:
    team = list(Employee.objects.filter(manager_path__startswith=manager.reports_prefix, status="active")
                .exclude(user__username="employee").order_by("manager_path", "employee_number")[:5])
    for i, person in enumerate(team):
        kind = ("customer_feedback", "project_report", "skill_test")[i % 3]
        row = WorkResult(employee=person, kind=kind, occurred_on=today - dt.timedelta(days=rng.randint(1, 6)),
                         submitted_by=person.user if person.user_id else None)
        if kind == "customer_feedback":
            row.customer, row.score = CUSTOMERS[3 + i % 5], rng.choice([2, 4, 5])
            row.comment = "希望下次交付再提前一些。" if row.score < 3 else "服务专业。"
        elif kind == "project_report":
            row.title, row.text = PROJECTS[i % len(PROJECTS)], "本月按计划交付，附验收单。"
        else:
            row.skill, row.test_name = SKILLS[i % len(SKILLS)]
            row.score = rng.randint(55, 95)
        row.full_clean(exclude=["submitted_by", "decided_by", "metric", "skill_assessment"])
        row.save()
        result.pending += 1


@transaction.atomic
def wipe_results() -> None:
    """Delete the work results, their files and settings (before the people they refer to go)."""
    for attachment in WorkResultAttachment.objects.all():
        attachment.file.delete(save=False)
    WorkResultAttachment.objects.all().delete()
    WorkResult.objects.all().delete()
    WorkResultSettings.objects.all().delete()
