"""The demo company's onboarding, for ``talentloop demo`` (after the organisation and mentoring):

* templates written through the template service as HR — the company-wide one, one for software
  engineers in R&D, one for the factory line and one for customer service;
* a checklist for ``newgrad`` started on their hire date and partly done (one of their own steps
  left overdue), and — through the daily job — checklists for everyone else hired in the last 30
  days, each with the steps that were due a few days ago done;
* then the reminder job runs as of the reference date, so due-soon reminders exist.

Deterministic for a seed and reference date."""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from talentloop.accounts.models import Role, User
from talentloop.core.access import actor_for
from talentloop.onboarding import services
from talentloop.onboarding.models import Checklist, ChecklistStep, ChecklistTemplate
from talentloop.organisation.models import Employee, JobFamily, OrgUnit

# (due day, owner, title, English title)
COMMON = [
    (-5, "hr", "发送入职通知与材料清单", "Send the offer pack and document list"),
    (-2, "it", "电脑和账号就绪", "Laptop and accounts ready"),
    (0, "hr", "办理入职手续、领取工牌", "Paperwork and badge on day one"),
    (1, "manager", "欢迎午餐", "Welcome lunch"),
    (3, "mentor", "认识导师", "Meet your mentor"),
    (5, "new_hire", "阅读员工手册", "Read the employee handbook"),
    (7, "new_hire", "完成信息安全培训", "Security training"),
    (10, "manager", "制定首月目标", "Set first-month goals"),
    (30, "hr", "30天回访", "30-day check-in"),
]
RND = [
    (-2, "it", "开通代码仓库、CI 与 VPN 权限", "Code repository, CI and VPN access"),
    (2, "mentor", "搭建本地开发环境", "Set up the development environment together"),
    (5, "new_hire", "提交第一个合并请求", "Open your first merge request"),
    (14, "new_hire", "阅读系统架构文档", "Read the architecture overview"),
    (20, "manager", "安排一次值班跟随", "Shadow an on-call shift"),
]
FACTORY = [
    (-3, "hr", "安排入职体检", "Book the pre-employment medical"),
    (-1, "it", "开通 MES 账号和门禁", "MES account and gate access"),
    (0, "hr", "领取劳保用品", "Safety gear issued"),
    (1, "new_hire", "完成三级安全教育", "Three-level safety training"),
    (2, "manager", "工位与设备讲解", "Workstation and machine walkthrough"),
    (5, "mentor", "跟岗实操", "Hands-on shift with your mentor"),
    (14, "manager", "上岗考核", "Line qualification check"),
    (30, "hr", "30天回访", "30-day check-in"),
]
SERVICE = [
    (-2, "it", "开通工单系统和电话坐席", "Ticketing system and phone seat ready"),
    (1, "manager", "欢迎午餐", "Welcome lunch"),
    (2, "new_hire", "学习产品知识库", "Study the product knowledge base"),
    (4, "mentor", "旁听客户来电", "Listen in on customer calls"),
    (7, "new_hire", "完成投诉处理课程", "Complaint handling course"),
    (10, "manager", "首次独立接待评估", "First solo shift review"),
    (30, "hr", "30天回访", "30-day check-in"),
]


@dataclass
class OnboardingDemoResult:
    templates: int = 0
    checklists: int = 0
    steps_done: int = 0
    reminders: int = 0


def onboarding_loaded() -> bool:
    return ChecklistTemplate.objects.exists()


@transaction.atomic
def wipe_onboarding() -> None:
    """Delete the onboarding data (before the organisation it refers to is deleted)."""
    Checklist.objects.all().delete()
    ChecklistTemplate.objects.all().delete()


def summary(result: OnboardingDemoResult) -> str:
    return (f"Loaded the onboarding demo: {result.templates} templates, {result.checklists} checklists, "
            f"{result.steps_done} steps done, {result.reminders} reminders.")


def _steps(rows) -> list[dict]:
    return [{"due_day": d, "owner": o, "title": t, "title_en": en} for d, o, t, en in rows]


def _hr_actor():
    user = User.objects.filter(username="hr").first() or User.objects.filter(
        role_assignments__role=Role.HR, role_assignments__org_unit__isnull=True).first()
    return actor_for(user)


def load_onboarding(*, seed: int = 1, reference_date: dt.date | None = None) -> OnboardingDemoResult:
    result = OnboardingDemoResult()
    if onboarding_loaded():
        return result
    ref = reference_date or timezone.localdate()
    rng = random.Random(seed * 7919 + 5)
    hr = _hr_actor()
    if hr.user is None:
        return result
    units = {u.code: u for u in OrgUnit.objects.filter(code__in=["rnd", "factory", "service"])}
    families = {f.code: f for f in JobFamily.objects.filter(code__in=["software-engineer"])}
    with transaction.atomic():
        services.checklist_template_save(actor=hr, name="公司入职清单", name_en="Company onboarding",
                                         steps=_steps(COMMON))
        result.templates += 1
        if "rnd" in units:
            services.checklist_template_save(
                actor=hr, name="研发工程师入职清单", name_en="R&D engineer onboarding", org_unit=units["rnd"],
                job_family=families.get("software-engineer"), steps=_steps(COMMON[:4] + RND + COMMON[7:]))
            result.templates += 1
        if "factory" in units:
            services.checklist_template_save(actor=hr, name="生产线入职清单", name_en="Factory line onboarding",
                                             org_unit=units["factory"], steps=_steps(FACTORY))
            result.templates += 1
        if "service" in units:
            services.checklist_template_save(actor=hr, name="客服入职清单", name_en="Customer service onboarding",
                                             org_unit=units["service"], steps=_steps(SERVICE))
            result.templates += 1
        newgrad = Employee.objects.filter(user__username="newgrad").select_related("org_unit").first()
        if newgrad is not None and not Checklist.objects.filter(employee=newgrad).exists():
            services.checklist_start(actor=hr, employee=newgrad, start_date=newgrad.hire_date)
        services.start_due_checklists(ref)
        result.checklists = Checklist.objects.count()
        result.steps_done = _progress(ref, rng, newgrad)
        result.reminders = services.send_step_reminders(ref).get("notified", 0)
    return result


def _progress(ref: dt.date, rng: random.Random, newgrad: Employee | None) -> int:
    """Steps due three or more days before the reference date are done (most of them; newgrad keeps
    the security training open, so the page shows an overdue step)."""
    done = []
    # newgrad's checklist stays open whatever template it follows: the security training (when the
    # template has it) and their two last steps are left to do.
    keep_open: set[int] = set()
    if newgrad is not None:
        theirs = list(ChecklistStep.objects.filter(checklist__employee=newgrad).order_by("-due_on", "-id")
                      .values_list("pk", "title_en"))
        keep_open = {pk for pk, _t in theirs[:2]} | {pk for pk, title in theirs if title == "Security training"}
    for step in (ChecklistStep.objects.filter(due_on__lte=ref - dt.timedelta(days=3))
                 .select_related("checklist").order_by("id")):
        is_newgrad = newgrad is not None and step.checklist.employee_id == newgrad.pk
        if step.pk in keep_open:
            continue
        if not is_newgrad and rng.random() < 0.15:
            continue
        when = dt.datetime.combine(max(step.due_on, step.checklist.start_date - dt.timedelta(days=5)),
                                   dt.time(10, rng.randint(0, 59)), tzinfo=dt.UTC)
        step.done_at = when
        done.append(step)
    ChecklistStep.objects.bulk_update(done, ["done_at"], batch_size=500)
    # a checklist whose steps are all done is complete
    for c in Checklist.objects.filter(completed_at__isnull=True).prefetch_related("steps"):
        steps = list(c.steps.all())
        if steps and all(s.done_at for s in steps):
            Checklist.objects.filter(pk=c.pk).update(completed_at=max(s.done_at for s in steps))
    return len(done)
