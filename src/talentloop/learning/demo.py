"""The demo company's learning library, for ``talentloop demo``.

Loaded after the organisation, performance and mentoring demos:

* about 30 bilingual items written through the services as ``hr`` (the mentor resource library by
  the ``mentor`` account): courses and articles for every job family — Python, code review, SQL,
  product discovery, negotiation, complaint handling, customer empathy, lean manufacturing,
  safety, onboarding basics — tagged with the metric and dimension keys of the demo scorecards
  (``customer-satisfaction``, ``customer-complaints``, ``first-contact-resolution``, ``code-quality``…)
  and with the topics of the demo mentoring programmes (``职场沟通``, ``团队管理``…), so weak metrics and
  plan topics find them;
* training sessions in the next two weeks, and past ones whose attendance HR has marked (which
  completes the course for those present);
* behaviour: ``employee`` opened several Python items (and signed up for the code review session),
  ``newgrad`` opened and completed onboarding items and looked at Python once.

Idempotent (nothing happens when the library has items) and deterministic for a seed.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from talentloop.accounts.models import User
from talentloop.core.access import actor_for
from talentloop.core.cache import cache_bump
from talentloop.learning import services
from talentloop.learning.models import (
    BehaviourEvent,
    ContentCompletion,
    ContentItem,
    Dismissal,
    TrainingSession,
    TrainingSignup,
)
from talentloop.organisation.models import Employee, JobFamily

SE, AE, PM, SA, CS, OP, PW = ("software-engineer", "algorithm-engineer", "product-manager", "sales",
                              "customer-service", "operations-specialist", "production-worker")

# (key, kind, title, English title, summary, English summary, tags, audience, families, minutes)
ITEMS = [
    ("python-2", "course", "Python 编程进阶", "Python beyond the basics",
     "生成器、上下文管理器、类型注解与打包发布，写出可维护的 Python。",
     "Generators, context managers, type hints and packaging: maintainable Python.",
     ["python", "software-engineering"], "job_families", [SE, AE], 240),
    ("python-data", "course", "Python 数据处理实战", "Practical data wrangling in Python",
     "用 pandas 清洗、合并与汇总业务数据。", "Cleaning, joining and summarising business data with pandas.",
     ["python", "data-analysis", "数据分析"], "everyone", [], 180),
    ("python-testing", "course", "Python 自动化测试", "Automated testing with Python",
     "pytest、测试替身与持续集成，降低缺陷率。", "pytest, test doubles and CI to bring the bug rate down.",
     ["python", "testing", "code-quality", "bug-rate"], "job_families", [SE], 150),
    ("python-tips", "article", "十个 Python 惯用法", "Ten idiomatic Python habits",
     "推导式、解包、f-string 等日常技巧。", "Comprehensions, unpacking, f-strings and other daily habits.",
     ["python"], "everyone", [], 15),
    ("code-review", "course", "代码评审的艺术", "The art of code review",
     "评审什么、如何给出友善而具体的意见、如何缩短评审周期。",
     "What to look at, how to comment kindly and precisely, and how to keep reviews fast.",
     ["code-review", "code-quality", "peer-review-score", "teamwork"], "job_families", [SE, AE], 120),
    ("reviewable-code", "article", "如何写出易于评审的代码", "Writing code that is easy to review",
     "小步提交、清晰的描述与自测清单。", "Small commits, clear descriptions and a self-review checklist.",
     ["code-review", "bug-rate", "code-quality"], "everyone", [], 10),
    ("sql-basics", "course", "SQL 入门", "SQL fundamentals",
     "查询、连接、分组与窗口函数。", "Queries, joins, grouping and window functions.",
     ["sql", "data-analysis", "数据分析"], "everyone", [], 180),
    ("sql-tuning", "article", "SQL 性能优化", "SQL performance tuning",
     "读懂执行计划，建对索引。", "Read the query plan and build the right index.",
     ["sql", "performance"], "job_families", [SE, AE], 20),
    ("discovery", "course", "产品发现：从用户访谈到假设验证", "Product discovery: from interviews to tested bets",
     "用户访谈、机会树与低成本实验。", "User interviews, opportunity trees and cheap experiments.",
     ["product-discovery", "用户研究", "feature-adoption-rate", "outcomes"], "job_families", [PM], 200),
    ("prioritising", "article", "需求优先级排序", "Prioritising requirements",
     "RICE、机会成本与对齐干系人。", "RICE, opportunity cost and aligning stakeholders.",
     ["product-discovery", "需求文档与优先级", "requirements-on-time-rate"], "job_families", [PM], 15),
    ("negotiation", "course", "商务谈判技巧", "Negotiation skills",
     "准备、锚定、让步与成交。", "Preparing, anchoring, trading concessions and closing.",
     ["negotiation", "sales-revenue", "results"], "job_families", [SA], 180),
    ("key-accounts", "article", "大客户销售", "Key account selling",
     "识别决策链，经营长期关系。", "Map the decision chain and grow the relationship.",
     ["negotiation", "new-customers", "sales"], "job_families", [SA], 20),
    ("complaints", "course", "客户投诉处理", "Handling customer complaints",
     "倾听、致歉、解决与回访的四步法，把投诉变成忠诚。",
     "Listen, apologise, resolve and follow up: turn a complaint into loyalty.",
     ["complaint-handling", "customer-complaints", "customer-satisfaction", "customer-feedback"],
     "everyone", [], 150),
    ("empathy", "course", "同理心沟通：站在客户的角度", "Customer empathy",
     "识别情绪，复述需求，用客户的语言沟通。", "Notice feelings, restate needs and speak the customer's language.",
     ["customer-empathy", "customer-satisfaction", "first-contact-resolution", "quality"],
     "job_families", [CS, SA], 120),
    ("first-contact", "article", "一次解决客户问题", "Solving it on first contact",
     "知识库、授权与升级路径。", "Knowledge base, empowerment and escalation paths.",
     ["first-contact-resolution", "complaint-handling", "customer-service"], "job_families", [CS], 12),
    ("fast-response", "article", "快速响应的工单习惯", "Fast first response",
     "分拣、模板与队列纪律。", "Triage, templates and queue discipline.",
     ["first-response-minutes", "tickets-resolved", "efficiency"], "job_families", [CS], 10),
    ("lean", "course", "精益生产基础", "Lean manufacturing basics",
     "七种浪费、价值流图与持续改善。", "The seven wastes, value-stream maps and continuous improvement.",
     ["lean-manufacturing", "scrap-rate", "first-pass-yield", "improvement-proposals"],
     "job_families", [PW, OP], 240),
    ("five-s", "article", "5S 现场管理", "5S on the shop floor",
     "整理、整顿、清扫、清洁、素养。", "Sort, set in order, shine, standardise, sustain.",
     ["lean-manufacturing", "quality"], "job_families", [PW], 10),
    ("safety", "course", "安全生产规范", "Workplace safety",
     "个人防护、上锁挂牌与事故报告。", "Protective equipment, lock-out/tag-out and incident reporting.",
     ["safety"], "job_families", [PW], 120),
    ("machine-safety", "article", "设备与化学品安全", "Machine and chemical safety",
     "危险源识别与应急处置。", "Spotting hazards and responding to emergencies.",
     ["safety"], "everyone", [], 15),
    ("onboarding", "course", "新员工入职指南", "Onboarding basics",
     "公司价值观、组织架构、制度与常用系统。", "Our values, structure, policies and everyday systems.",
     ["onboarding", "公司价值观与文化"], "new_hires", [], 90),
    ("tools", "article", "办公工具与流程", "Tools and processes",
     "报销、请假、审批与协作工具。", "Expenses, leave, approvals and collaboration tools.",
     ["onboarding", "工具与流程"], "new_hires", [], 15),
    ("communication", "course", "职场沟通", "Communicating at work",
     "结构化表达、向上汇报与跨团队协作。", "Structured messages, reporting upwards and working across teams.",
     ["communication", "职场沟通", "向上沟通", "teamwork"], "everyone", [], 90),
    ("time", "article", "时间管理", "Time management",
     "优先级矩阵与专注时间块。", "The priority matrix and focus blocks.",
     ["时间管理", "productivity", "task-completion-rate", "delivery"], "everyone", [], 10),
    ("team-lead", "course", "团队管理入门", "First-time team lead",
     "目标、授权、一对一与决策。", "Goals, delegation, one-to-ones and decisions.",
     ["团队管理", "决策能力", "leadership"], "everyone", [], 180),
    ("strategy", "article", "把战略拆解为目标", "Turning strategy into goals",
     "从战略到 OKR 再到每周任务。", "From strategy to OKRs to weekly tasks.",
     ["战略拆解", "leadership"], "everyone", [], 15),
    ("ml-eval", "course", "机器学习模型评估", "Evaluating machine-learning models",
     "离线指标、A/B 实验与监控。", "Offline metrics, A/B tests and monitoring.",
     ["machine-learning", "model-metric-attainment", "python", "机器学习基础与评估"], "job_families", [AE], 180),
    ("mentor-skills", "course", "导师技能课程", "Mentor skills course",
     "辅导对话、目标设定与反馈，课程后有考试。",
     "Coaching conversations, goal setting and feedback, with an exam at the end.",
     ["mentoring-skills", "mentor-skills", "辅导他人"], "mentors", [], 240),
]
# The mentor resource library, written by the mentor account.
RESOURCES = [
    ("one-to-one", "一对一辅导会谈指南", "Running a good 1:1",
     "会前准备、开放式提问与会后跟进。", "Preparing, asking open questions and following up.",
     ["mentoring-skills", "辅导他人"]),
    ("feedback", "如何给出有效反馈", "Giving feedback that lands",
     "SBI 模型：情境、行为、影响。", "The SBI model: situation, behaviour, impact.", ["mentoring-skills", "feedback"]),
    ("newgrad-checklist", "新员工辅导清单", "Mentoring a new graduate: checklist",
     "前 90 天每周该做的事。", "What to do each week of the first 90 days.", ["mentoring-skills", "onboarding"]),
    ("plan-examples", "辅导计划范例", "Mentoring plan examples",
     "三个真实（脱敏）的辅导计划。", "Three real (anonymised) mentoring plans.", ["mentoring-skills"]),
]

# (item key, days from the reference date, hour, duration hours, location, capacity)
UPCOMING = [("complaints", 2, 14, 2, "上海总部 5F 培训室", 20), ("python-2", 3, 10, 3, "", 30),
            ("onboarding", 4, 9, 2, "上海总部 3F 大会议室", 40), ("code-review", 6, 15, 2, "", 25),
            ("lean", 9, 9, 4, "北京工厂 培训中心", 30), ("safety", 12, 13, 2, "北京工厂 培训中心", 50)]
PAST = [("python-2", 20, 10, 3, "", 30), ("complaints", 30, 14, 2, "上海总部 5F 培训室", 20),
        ("safety", 45, 13, 2, "北京工厂 培训中心", 50)]


@dataclass
class LearningDemoResult:
    items: int = 0
    sessions: int = 0
    signups: int = 0
    events: int = 0


def learning_loaded() -> bool:
    return ContentItem.objects.exists()


def summary(result: LearningDemoResult) -> str:
    return (f"Loaded the learning demo: {result.items} items, {result.sessions} training sessions, "
            f"{result.signups} sign-ups, {result.events} behaviour events.")


@transaction.atomic
def wipe_learning() -> None:
    """Delete the learning data (before the people it refers to are deleted)."""
    for model in (BehaviourEvent, Dismissal, ContentCompletion, TrainingSignup, TrainingSession):
        model.objects.all().delete()
    ContentItem.job_families.through.objects.all().delete()
    ContentItem.org_units.through.objects.all().delete()
    ContentItem.objects.all().delete()


def _moment(day: dt.date, hour: int) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour, 0), tzinfo=timezone.get_current_timezone())


@transaction.atomic
def load_learning(*, seed: int = 1, reference_date: dt.date | None = None) -> LearningDemoResult:
    result = LearningDemoResult()
    if learning_loaded():
        return result
    hr_user = User.objects.filter(username="hr").first()
    if hr_user is None:
        return result
    rng = random.Random(f"learning-{seed}")
    today = reference_date or timezone.localdate()
    hr = actor_for(hr_user)
    families = {f.code: f for f in JobFamily.objects.all()}
    items: dict[str, ContentItem] = {}
    for key, kind, title, title_en, summary_, summary_en, tags, audience, fams, minutes in ITEMS:
        chosen = [families[c] for c in fams if c in families]
        items[key] = services.content_create(
            actor=hr, kind=kind, title=title, title_en=title_en, summary=summary_, summary_en=summary_en,
            body=f"{summary_}\n\n{summary_en}", tags=tags,
            audience=audience if (audience != "job_families" or chosen) else "everyone",
            job_families=chosen, duration_minutes=minutes, publish=True)
    mentor_user = User.objects.filter(username="mentor").first()
    author = actor_for(mentor_user) if mentor_user is not None else hr
    for key, title, title_en, summary_, summary_en, tags in RESOURCES:
        items[key] = services.content_create(
            actor=author, kind="resource", title=title, title_en=title_en, summary=summary_, summary_en=summary_en,
            body=f"{summary_}\n\n{summary_en}", tags=tags, audience="mentors", publish=True)
    # Publication dates spread over the last months, newest last in the list.
    now = timezone.now()
    for i, item in enumerate(items.values()):
        ContentItem.objects.filter(pk=item.pk).update(
            published_at=now - dt.timedelta(days=(len(items) - i) * 4 + rng.randint(0, 3)))
    cache_bump("learning")  # the catalogue's dates were written past the model's signals
    result.items = len(items)

    organiser = Employee.objects.filter(user=hr_user).first()
    named = {e.user.username: e for e in Employee.objects.filter(
        user__username__in=("employee", "newgrad", "mentor")).select_related("user")}

    # Upcoming sessions, through the service (they must be in the future).
    upcoming: dict[str, TrainingSession] = {}
    for key, days, hour, hours, location, capacity in UPCOMING:
        start = _moment(today + dt.timedelta(days=days), hour)
        if start <= now:
            continue
        upcoming[key] = services.session_create(
            actor=hr, content=items[key], starts_at=start, ends_at=start + dt.timedelta(hours=hours),
            location=location, online_url="" if location else "https://meeting.example.com/talentloop",
            capacity=capacity, organiser=organiser)
    result.sessions += len(upcoming)
    if "employee" in named and "code-review" in upcoming:
        services.session_signup(actor=actor_for(named["employee"].user), session=upcoming["code-review"])
        result.signups += 1
    if "newgrad" in named and "onboarding" in upcoming:
        services.session_signup(actor=actor_for(named["newgrad"].user), session=upcoming["onboarding"])
        result.signups += 1

    # Past sessions: written as history (the service only schedules the future), then attendance.
    for key, days, hour, hours, location, capacity in PAST:
        item = items[key]
        start = _moment(today - dt.timedelta(days=days), hour)
        session = TrainingSession.objects.create(
            content=item, starts_at=start, ends_at=start + dt.timedelta(hours=hours), location=location,
            online_url="" if location else "https://meeting.example.com/talentloop", capacity=capacity,
            organiser=organiser, created_by=hr_user)
        people = Employee.objects.filter(status="active")
        fams = list(item.job_families.values_list("pk", flat=True))
        if fams:
            people = people.filter(job_family_id__in=fams)
        pool = list(people.exclude(user__username__in=("employee", "newgrad")).values_list("pk", flat=True)[:400])
        chosen = rng.sample(pool, min(len(pool), capacity - 4)) if pool else []
        TrainingSignup.objects.bulk_create([TrainingSignup(session=session, employee_id=e) for e in chosen])
        present = [e for e in chosen if rng.random() < 0.85]
        services.session_mark_attendance(actor=hr, session=session, attended=present,
                                         no_show=[e for e in chosen if e not in present])
        result.sessions += 1
        result.signups += len(chosen)

    # Behaviour of the demo accounts.
    events: list[dict] = []

    def opened(person: str, key: str, days_ago: float, verb: str = "open") -> None:
        if person in named:
            events.append({"employee_id": named[person].pk, "verb": verb, "content_id": items[key].pk,
                           "tags": items[key].tags, "source": "library",
                           "occurred_at": now - dt.timedelta(days=days_ago, hours=rng.randint(0, 8))})

    # Python items opened in the last two weeks are not suggested again (just read); the tag leads to the
    # Python course not opened yet.
    for key, days_ago in (("python-tips", 12), ("python-tips", 9), ("python-data", 6), ("python-tips", 4),
                          ("python-tips", 2), ("sql-basics", 15)):
        opened("employee", key, days_ago)
    for key, days_ago in (("onboarding", 20), ("tools", 18), ("communication", 10), ("python-tips", 5)):
        opened("newgrad", key, days_ago)
    opened("newgrad", "tools", 17, verb="complete")
    if "newgrad" in named:
        ContentCompletion.objects.create(employee=named["newgrad"], content=items["tools"],
                                         completed_at=now - dt.timedelta(days=17), via="self")
    opened("mentor", "one-to-one", 3)
    opened("mentor", "feedback", 2)
    result.events = services.behaviour_record_many(events)
    return result
