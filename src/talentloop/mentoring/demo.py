"""The demo company's mentoring, for ``talentloop demo``.

Loaded after the organisation and its performance history:

* the **mentor policy** of PRODUCT.md (version 1): rated ≥ 4.5 in each of the last 3 complete
  years, ≥ 2 past mentees whose performance rose ≥ 20 %, the mentor-skills course exam passed
  (score ≥ 60), ≥ 2 years of mentoring experience;
* **programme templates** for new graduates, job transfers, promotion candidates, and the job
  families algorithm engineer, product manager and operations specialist — written through the
  template service as HR;
* **mentors**: the people the organisation demo gave the mentor role, each with a history of
  completed plans (1:1s held, skill scores rising) that started two and a half years ago, so
  growth, experience and effectiveness have data; the ``mentor`` account applies, is screened
  against real data (its past mentees are chosen among those whose ratings really rose) and is
  approved by ``hr``;
* **active plans**: the ``mentor`` account has two — ``newgrad`` on the new-graduate programme
  and ``employee`` on the promotion-candidate programme — built, submitted and approved through
  the services, with past 1:1s recorded except one left overdue; then the daily job runs as of the
  reference date, so reminders and the overdue alert to the mentor's manager exist.

Deterministic for a seed and reference date; historic rows are written in bulk.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass
from decimal import Decimal

from django.apps import apps
from django.db import transaction
from django.utils import timezone

from talentloop.accounts.models import Role, RoleAssignment, User
from talentloop.core.access import actor_for
from talentloop.mentoring.growth import add_months, rating_growths
from talentloop.mentoring.models import (
    ItemKind,
    MenteeType,
    Mentor,
    MentorCertification,
    MentoringPlan,
    PlanItem,
    PlanStatus,
    PlanTopic,
    ProgrammeTemplate,
    SessionRecord,
    SkillAssessment,
)
from talentloop.mentoring.services import cadence, programmes, qualification
from talentloop.organisation.models import Employee, JobFamily

POLICY = [
    {"key": "annual_rating_min", "params": {"min": "4.5", "years": 3}},
    {"key": "successful_mentees", "params": {"count": 2, "growth_min_pct": "20"}},
    {"key": "certification", "params": {"course": "mentor-skills", "min_score": "60"}},
    {"key": "mentoring_experience_years", "params": {"years": 2}},
]

MONTHLY_1_1 = {"kind": "one_to_one", "every_months": 1}
QUARTERLY_TEST = {"kind": "skill_assessment", "every_months": 3}
HALF_YEAR_REPORT = {"kind": "results_report", "every_months": 6}

# (name, English name, mentee type, job family code, goals, [(topic, core)], months, cadence)
TEMPLATES = [
    ("新员工融入计划", "New graduate onboarding", MenteeType.NEW_GRADUATE, None,
     ["快速融入团队与公司文化", "掌握岗位基本技能，三个月内独立完成任务"],
     [("公司价值观与文化", True), ("岗位实操技能", True), ("职场沟通", True), ("工具与流程", False),
      ("时间管理", False)], 6, [MONTHLY_1_1, QUARTERLY_TEST, HALF_YEAR_REPORT]),
    ("转岗适应计划", "Job transfer", MenteeType.JOB_TRANSFER, None,
     ["熟悉新岗位职责", "掌握核心业务流程", "建立跨团队协作关系"],
     [("新岗位职责", True), ("核心业务流程", True), ("跨团队协作", True), ("新团队的关键人物", False)], 6,
     [MONTHLY_1_1, QUARTERLY_TEST, HALF_YEAR_REPORT]),
    ("晋升候选人培养", "Promotion candidate", MenteeType.PROMOTION_CANDIDATE, None,
     ["具备带领小团队的能力", "能把部门战略拆解为可执行目标"],
     [("团队管理", True), ("战略拆解", True), ("决策能力", True), ("向上沟通", False), ("辅导他人", False)], 6,
     [MONTHLY_1_1, QUARTERLY_TEST, HALF_YEAR_REPORT]),
    ("算法工程师成长计划", "Algorithm engineer", MenteeType.JOB_FAMILY, "algorithm-engineer",
     ["独立完成一个模型从实验到上线", "建立可复现的实验习惯"],
     [("机器学习基础与评估", True), ("数据处理与特征工程", True), ("模型上线与监控", True), ("论文阅读", False)],
     6, [MONTHLY_1_1, QUARTERLY_TEST, HALF_YEAR_REPORT]),
    ("产品经理成长计划", "Product manager", MenteeType.JOB_FAMILY, "product-manager",
     ["独立负责一个功能从需求到上线", "用数据验证产品决策"],
     [("用户研究", True), ("需求文档与优先级", True), ("数据分析", True), ("与研发协作", False)], 6,
     [MONTHLY_1_1, QUARTERLY_TEST, HALF_YEAR_REPORT]),
    ("运营专员成长计划", "Operations specialist", MenteeType.JOB_FAMILY, "operations-specialist",
     ["独立策划并复盘一次活动", "掌握核心运营指标"],
     [("活动策划", True), ("运营数据指标", True), ("用户增长", True), ("内容运营", False)], 6,
     [MONTHLY_1_1, QUARTERLY_TEST, HALF_YEAR_REPORT]),
]

EXPERTISE = {
    "software-engineer": ["后端开发", "代码评审", "系统设计"],
    "algorithm-engineer": ["机器学习", "推荐算法", "实验设计"],
    "product-manager": ["需求分析", "用户研究", "数据分析"],
    "sales": ["大客户销售", "谈判"],
    "customer-service": ["客户沟通", "投诉处理"],
    "operations-specialist": ["活动运营", "用户增长"],
    "production-worker": ["安全生产", "质量控制"],
    "hr": ["招聘", "员工关系"],
}


@dataclass
class MentoringDemoResult:
    templates: int = 0
    mentors: int = 0
    plans: int = 0
    active_plans: int = 0
    sessions: int = 0
    notices: int = 0


def mentoring_loaded() -> bool:
    return ProgrammeTemplate.objects.exists()


@transaction.atomic
def wipe_mentoring() -> None:
    """Delete the mentoring data (before the organisation it refers to is deleted)."""
    models = list(apps.get_app_config("mentoring").get_models())
    for _pass in range(len(models)):
        left = False
        for model in models:
            try:
                with transaction.atomic():
                    model.objects.all().delete()
            except Exception:  # noqa: BLE001 - protected by a model not deleted yet; retried next pass
                left = True
        if not left:
            return


def summary(result: MentoringDemoResult) -> str:
    return (f"Loaded the mentoring demo: {result.templates} programme templates, {result.mentors} mentors, "
            f"{result.plans} plans ({result.active_plans} active), {result.sessions} 1:1 sessions, "
            f"{result.notices} notices.")


def _hr_actor():
    user = User.objects.filter(username="hr").first() or User.objects.filter(
        role_assignments__role=Role.HR, role_assignments__org_unit__isnull=True).first()
    return actor_for(user)


def _templates(hr) -> dict[str, ProgrammeTemplate]:
    families = {f.code: f for f in JobFamily.objects.all()}
    out = {}
    for name, name_en, kind, family, goals, topics, months, rules in TEMPLATES:
        if family and family not in families:
            continue
        tpl = programmes.programme_template_save(
            actor=hr, name=name, name_en=name_en, mentee_type=kind, job_family=families.get(family) if family else None,
            goals=goals, duration_months=months, allow_mentee_choice=kind == MenteeType.NEW_GRADUATE,
            topics=[{"title": t, "core": core} for t, core in topics], cadence=rules)
        out[family or kind] = tpl
    return out


def _history_plan(rng: random.Random, mentor: Mentor, mentee: Employee, tpl: ProgrammeTemplate, start: dt.date,
                  ref: dt.date, *, status: str = PlanStatus.COMPLETED) -> tuple[MentoringPlan, int]:
    """A plan of the past written in bulk: all its items done on time, 1:1s held, scores rising."""
    end = add_months(start, tpl.duration_months)
    plan = MentoringPlan.objects.create(mentor=mentor, mentee=mentee, template=tpl, status=status, starts_on=start,
                                        ends_on=end, goals=list(tpl.goals),
                                        completed_on=end if status == PlanStatus.COMPLETED else None)
    topics = PlanTopic.objects.bulk_create([PlanTopic(plan=plan, title=t.title, core=t.core, order=t.order,
                                                      template_topic=t) for t in tpl.topics.all()])
    items = []
    for rule in tpl.cadence.all():
        for i, due in enumerate(programmes.schedule_dates(start, end, rule.every_months), start=1):
            done = due - dt.timedelta(days=rng.randint(0, 6)) if rng.random() < 0.9 else due + dt.timedelta(days=3)
            remind = due - dt.timedelta(days=5)
            items.append(PlanItem(plan=plan, kind=rule.kind, sequence=i, due_on=due,
                                  completed_on=done if done <= ref else None,
                                  reminded_on=remind if remind <= ref else None))
    items = PlanItem.objects.bulk_create(items)
    sessions, scores = [], []
    score = Decimal(rng.randint(55, 72))
    first_day = start + dt.timedelta(days=3)
    scores.append(SkillAssessment(employee=mentee, plan=plan, score=score, assessed_on=first_day, note="baseline"))
    for item in items:
        if item.completed_on is None:
            continue
        if item.kind == ItemKind.ONE_TO_ONE:
            sessions.append(SessionRecord(plan=plan, item=item, held_on=item.completed_on,
                                          duration_minutes=rng.choice([30, 45, 60, 60, 90]),
                                          notes="回顾上月进展，讨论难点。", agreed_actions="完成下一阶段目标。"))
        elif item.kind == ItemKind.SKILL_ASSESSMENT:
            score = min(Decimal(100), score + Decimal(rng.randint(4, 12)))
            scores.append(SkillAssessment(employee=mentee, plan=plan, item=item, score=score,
                                          assessed_on=item.completed_on))
    SessionRecord.objects.bulk_create(sessions)
    SkillAssessment.objects.bulk_create(scores)
    through = SessionRecord.topics.through
    through.objects.bulk_create([through(sessionrecord_id=s.pk, plantopic_id=topics[i % len(topics)].pk)
                                 for i, s in enumerate(SessionRecord.objects.filter(plan=plan))])
    return plan, len(sessions)


def _pick_mentees(candidates: list[Employee], start: dt.date, ref: dt.date, n: int, rng: random.Random) -> list:
    """Prefer people whose ratings really rose by 20 % or more after ``start``."""
    growth = rating_growths([(e.pk, start) for e in candidates], as_of=ref)
    ranked = sorted(candidates, key=lambda e: (-(growth[(e.pk, start)].pct or 0) if (e.pk, start) in growth else 1,
                                               e.employee_number))
    good = [e for e in ranked if (e.pk, start) in growth and (growth[(e.pk, start)].pct or 0) >= 20]
    rest = [e for e in candidates if e not in good]
    rng.shuffle(rest)
    return (good + rest)[:n]


def load_mentoring(*, seed: int = 1, reference_date: dt.date | None = None) -> MentoringDemoResult:
    ref = reference_date or timezone.localdate()
    rng = random.Random(f"mentoring-{seed}")
    result = MentoringDemoResult()
    hr = _hr_actor()
    with transaction.atomic():
        if qualification.current_policy() is None:
            qualification.mentor_policy_create(actor=hr, criteria=POLICY, note="PRODUCT.md §2")
        templates = _templates(hr)
        result.templates = len(templates)
        # People mentored in the history are experienced (hired before it starts): a template for
        # their job family when there is one, otherwise the promotion-candidate programme.
        fallback_tpl = templates.get(MenteeType.PROMOTION_CANDIDATE, templates[MenteeType.NEW_GRADUATE])
        history_start = add_months(dt.date(ref.year, 1, 1), -21)  # e.g. 1 Apr two years before
        mentor_users = list(User.objects.filter(role_assignments__role=Role.MENTOR).distinct()
                            .values_list("pk", flat=True))
        mentor_people = list(Employee.objects.filter(user_id__in=mentor_users, status="active")
                             .select_related("user", "job_family").order_by("employee_number"))
        heads = Employee.objects.filter(manager__isnull=False).values("manager_id")
        pool = list(Employee.objects.filter(status="active", hire_date__lt=history_start)
                    .exclude(user_id__in=mentor_users).exclude(pk__in=heads).order_by("employee_number"))
        used: set[int] = set()
        named = next((e for e in mentor_people if e.user.username == "mentor"), None)
        for emp in mentor_people:
            tpl = templates.get(emp.job_family.code, fallback_tpl)
            is_named = named is not None and emp.pk == named.pk
            mentor = Mentor.objects.create(employee=emp, capacity=3, since=history_start,
                                           expertise=EXPERTISE.get(emp.job_family.code, [])[:3],
                                           profile="乐于分享经验，重视每月一对一。", active=not is_named)
            result.mentors += 1
            candidates = [e for e in pool if e.pk not in used and f"/{emp.pk}/" not in e.manager_path
                          and e.pk != emp.pk][:200]
            count = 3 if is_named else rng.randint(1, 2)
            for mentee in _pick_mentees(candidates, history_start, ref, count, rng):
                used.add(mentee.pk)
                _plan, n = _history_plan(rng, mentor, mentee, tpl if tpl.job_family_id in (None, mentee.job_family_id)
                                         else fallback_tpl, history_start, ref)
                result.plans += 1
                result.sessions += n
            if not is_named and rng.random() < 0.5:
                # An ongoing plan, so effectiveness, reminders and overdue alerts have current data.
                current = [e for e in candidates if e.pk not in used][:1]
                for mentee in current:
                    used.add(mentee.pk)
                    start = ref - dt.timedelta(days=rng.randint(20, 150))
                    _plan, n = _history_plan(rng, mentor, mentee, tpl if tpl.job_family_id in (
                        None, mentee.job_family_id) else fallback_tpl, start, ref, status=PlanStatus.ACTIVE)
                    result.plans += 1
                    result.sessions += n
            if rng.random() < 0.2:
                MentorCertification.objects.create(employee=emp, name="导师技能课程", passed_on=history_start,
                                                   score=Decimal(rng.randint(70, 95)))
        if named is not None:
            result.plans += _named_mentor(named, hr, templates, ref, result)
    result.notices = sum(v for v in cadence.run_daily(ref).values() if isinstance(v, int))
    result.active_plans = MentoringPlan.objects.filter(status=PlanStatus.ACTIVE).count()
    return result


def _named_mentor(emp: Employee, hr, templates: dict, ref: dt.date, result: MentoringDemoResult) -> int:
    """The ``mentor`` account: certified, applies, is approved by HR, and runs two active plans."""
    MentorCertification.objects.create(employee=emp, name="导师技能课程", passed_on=add_months(ref, -20),
                                       score=Decimal("86"))
    Mentor.objects.filter(employee=emp).update(active=False)  # re-activated by the approval below
    me = actor_for(emp.user)
    application = qualification.mentor_application_submit(
        actor=me, motivation="带过多名新人，希望系统地帮助新同事成长。", expertise=["后端开发", "代码评审", "系统设计"],
        as_of=ref)
    qualification.mentor_application_approve(
        actor=hr, application=application,
        reason="" if application.qualifies else "演示：资深工程师，经验丰富。")
    RoleAssignment.objects.get_or_create(user=emp.user, role=Role.MENTOR, org_unit=None)
    mentor = Mentor.objects.get(employee=emp)
    me = actor_for(emp.user)
    made = 0
    for username, key, months_ago in (("newgrad", MenteeType.NEW_GRADUATE, 2),
                                      ("employee", MenteeType.PROMOTION_CANDIDATE, 3)):
        mentee = Employee.objects.filter(user__username=username).first()
        if mentee is None:
            continue
        start = max(add_months(ref, -months_ago), mentee.hire_date)
        plan = programmes.mentoring_plan_create(actor=me, mentor=mentor, mentee=mentee, template=templates[key],
                                                starts_on=start)
        topics = [t.title for t in plan.topics.order_by("order")] + ["代码评审实践"]
        programmes.mentoring_plan_update(actor=me, plan=plan, topics=topics)
        programmes.mentoring_plan_submit(actor=me, plan=plan)
        programmes.mentoring_plan_approve(actor=hr, plan=plan, comment="同意。", today=ref)
        made += 1
        due = list(PlanItem.objects.filter(plan=plan, due_on__lt=ref).order_by("due_on", "kind"))
        for i, item in enumerate(due):
            if username == "employee" and i == len(due) - 1:
                continue  # left overdue: the mentor's manager is alerted
            if item.kind == ItemKind.ONE_TO_ONE:
                cadence.session_record(actor=me, item=item, held_on=min(item.due_on, ref), duration_minutes=60,
                                       topic_ids=list(plan.topics.values_list("pk", flat=True)[:2]),
                                       notes="讨论了本月目标和遇到的问题。", agreed_actions="下周提交第一版设计。")
                result.sessions += 1
            elif item.kind == ItemKind.SKILL_ASSESSMENT:
                cadence.skill_assessment_record(actor=me, item=item, score=Decimal("72"), assessed_on=item.due_on)
    return made
