"""The demo company's performance history, for ``talentloop demo`` and ``talentloop seed``.

What it loads into a company that :mod:`talentloop.organisation.demo` has just written:

* **Metrics** with bilingual names, units, directions and aggregations (sums, averages, counts,
  last values and the ratio "bugs per 1,000 lines"), for people and for org units (headcount,
  hours, budget, market demand: the context of a root-cause review).
* **Scorecards**: the two examples of PRODUCT.md — the factory (output 30, quality 25, customer
  feedback 20, innovation 15, teamwork 10) and the software engineer (code quality 30, delivery
  25, teamwork 20, customer feedback 25, with an older version before it) — one per other job
  family, one for an org unit and family together, and the organisation-wide default. Written
  through the configuration services, so they obey the same rules as HR's own.
* **Observations** for every person for every month from 1 January three years ago until today,
  only while they are employed and not on leave: individual trends (steady, improving, declining,
  a recent drop, the ramp-up of a new hire, and "stars" such as the ``mentor`` account whose annual
  rating is at least 4.5 in each of the last three complete years), corrections among them, and
  org-unit context every month. A few stories give alerts and root-cause reviews something to
  find: the sales target raised too far in May of the current year (a new scorecard version),
  a customer-service hotline short of hours whose response times climb (one agent from about
  1 h to about 3 h), and a packaging line whose skill assessments lag its peers.
* **Quarterly review cycles** (closed) with self, manager and peer reviews whose ratings feed
  the teamwork dimensions, **scores** rebuilt with :func:`recompute_period` for every month,
  quarter and year, **final ratings** for the complete years, and those years' periods closed.

Everything comes from ``random.Random`` seeded with the seed and each person's employee number,
so the same company, seed and reference date give the same history; observations are written
with a few set-based statements, never one query per person.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import math
import random
import time
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.apps import apps
from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from talentloop.accounts.models import Role, RoleAssignment, User
from talentloop.core.access import actor_for
from talentloop.organisation.models import Employee, EmploymentEvent, EventKind, JobFamily, OrgUnit
from talentloop.performance import periods as P
from talentloop.performance.models import (
    Aggregation,
    Direction,
    FinalRating,
    IngestBatch,
    Metric,
    Observation,
    PeriodState,
    QualitativeRating,
    Review,
    ReviewCycle,
    Score,
    Scorecard,
    SubjectKind,
)
from talentloop.performance.services.config import metric_save, scorecard_save
from talentloop.performance.services.scores import recompute_period

HISTORY_YEARS = 3  # complete calendar years before the current one
CORRECTION_SHARE = 0.01
INSERT_BATCH = 5000
ONE_DAY = dt.timedelta(days=1)

# ---------------------------------------------------------------- metrics


@dataclass(frozen=True)
class MetricDef:
    key: str
    name: str
    name_en: str
    unit: str
    direction: str
    aggregation: str
    source: str
    subject: str = SubjectKind.EMPLOYEE
    ratio: tuple[str, str, int] | None = None  # (numerator, denominator, scale)
    description: str = ""


H, L = Direction.HIGHER, Direction.LOWER
SUM, AVG, COUNT, LAST, RATIO = (Aggregation.SUM, Aggregation.AVG, Aggregation.COUNT, Aggregation.LAST,
                                Aggregation.RATIO)
UNIT = SubjectKind.ORG_UNIT

METRICS: tuple[MetricDef, ...] = (
    # Software and algorithm engineering (code repository, issue tracker, code review).
    MetricDef("bugs", "缺陷数", "Bugs found", "个", L, SUM, "gitlab"),
    MetricDef("lines-changed", "代码变更行数", "Lines of code changed", "行", H, SUM, "gitlab"),
    MetricDef("bug-rate", "千行代码缺陷率", "Bugs per 1,000 lines", "个/千行", L, RATIO, "gitlab",
              ratio=("bugs", "lines-changed", 1000),
              description="缺陷数 ÷ 代码变更行数 × 1000 / bugs ÷ lines changed × 1,000"),
    MetricDef("code-reuse-rate", "代码复用率", "Code reuse rate", "%", H, AVG, "sonar"),
    MetricDef("task-completion-rate", "任务按期完成率", "On-time task completion", "%", H, AVG, "jira"),
    MetricDef("delivery-delays", "交付延期次数", "Delivery delays", "次", L, SUM, "jira"),
    MetricDef("peer-review-score", "同行评审得分", "Peer review score", "分 (1–5)", H, AVG, "gitlab"),
    MetricDef("model-metric-attainment", "模型指标达成率", "Model metric attainment", "%", H, AVG, "mlflow"),
    MetricDef("experiments-completed", "完成实验数", "Experiments completed", "个", H, SUM, "mlflow"),
    # Product, sales, service, operations, HR.
    MetricDef("customer-satisfaction", "客户满意度", "Customer satisfaction", "分 (1–5)", H, AVG, "survey"),
    MetricDef("feature-adoption-rate", "功能采纳率", "Feature adoption rate", "%", H, AVG, "analytics"),
    MetricDef("requirements-on-time-rate", "需求按期交付率", "Requirements delivered on time", "%", H, AVG, "jira"),
    MetricDef("sales-revenue", "销售额", "Sales revenue", "万元", H, SUM, "crm"),
    MetricDef("new-customers", "新签客户数", "New customers signed", "个", H, COUNT, "crm"),
    MetricDef("payment-collection-rate", "回款率", "Payment collection rate", "%", H, AVG, "finance"),
    MetricDef("tickets-resolved", "解决工单数", "Tickets resolved", "个", H, SUM, "helpdesk"),
    MetricDef("first-response-minutes", "平均首次响应时长", "Average first response time", "分钟", L, AVG,
              "helpdesk"),
    MetricDef("first-contact-resolution", "一次解决率", "First-contact resolution", "%", H, AVG, "helpdesk"),
    MetricDef("campaign-goal-attainment", "运营目标达成率", "Operations goal attainment", "%", H, AVG, "bi"),
    MetricDef("cost-savings", "降本金额", "Cost savings", "万元", H, SUM, "finance"),
    MetricDef("positions-filled-on-time", "招聘及时率", "Positions filled on time", "%", H, AVG, "ats"),
    MetricDef("training-hours-delivered", "培训授课时长", "Training hours delivered", "小时", H, SUM, "lms"),
    MetricDef("employee-satisfaction", "员工满意度", "Employee satisfaction", "分 (1–5)", H, AVG, "survey"),
    # The factory (manufacturing execution system, suggestion scheme).
    MetricDef("units-produced", "产量", "Units produced", "件", H, SUM, "mes"),
    MetricDef("first-pass-yield", "一次合格率", "First-pass yield", "%", H, AVG, "mes"),
    MetricDef("scrap-rate", "报废率", "Scrap rate", "%", L, AVG, "mes"),
    MetricDef("customer-complaints", "客户投诉数", "Customer complaints", "次", L, SUM, "crm"),
    MetricDef("improvement-proposals", "改善提案数", "Improvement proposals", "条", H, COUNT, "oa"),
    # Everybody, every quarter: capability (root cause "capability short", mentee growth).
    MetricDef("skill-assessment", "技能测评得分", "Skill assessment score", "分", H, AVG, "lms"),
    # Org-unit context for root-cause reviews.
    MetricDef("headcount", "在岗人数", "Headcount", "人", H, LAST, "hris", subject=UNIT),
    MetricDef("hours-worked", "工时", "Hours worked", "小时", H, SUM, "attendance", subject=UNIT),
    MetricDef("budget", "人力预算", "People budget", "万元", H, SUM, "finance", subject=UNIT),
    MetricDef("market-demand-index", "市场需求指数", "Market demand index", "点", H, AVG, "market", subject=UNIT),
)
METRIC_BY_KEY = {m.key: m for m in METRICS}


@dataclass(frozen=True)
class Gen:
    """How a person's monthly values of a metric are drawn; ``base`` is the value of someone
    exactly on target (quality 1.0)."""

    kind: str  # level | total | events | count | per-kloc | quarterly
    base: float
    lo: float = 0.0
    hi: float = 1e9
    places: int = 2
    per_month: tuple[int, int] = (1, 1)
    noise: float = 0.06


GEN: dict[str, Gen] = {
    "lines-changed": Gen("total", 4000, places=0, per_month=(3, 6), noise=0.2),
    "bugs": Gen("per-kloc", 2.0, places=0),
    "code-reuse-rate": Gen("level", 30, 0, 100, 1, noise=0.08),
    "task-completion-rate": Gen("level", 90, 0, 100, 1, per_month=(1, 2), noise=0.04),
    "delivery-delays": Gen("events", 1.0, places=0),
    "peer-review-score": Gen("level", 4.0, 1, 5, 1, per_month=(2, 4), noise=0.06),
    "model-metric-attainment": Gen("level", 90, 0, 100, 1, noise=0.05),
    "experiments-completed": Gen("total", 6, places=0, per_month=(1, 3), noise=0.15),
    "customer-satisfaction": Gen("level", 4.2, 1, 5, 1, per_month=(1, 3), noise=0.06),
    "feature-adoption-rate": Gen("level", 35, 0, 100, 1, noise=0.1),
    "requirements-on-time-rate": Gen("level", 85, 0, 100, 1, noise=0.05),
    "sales-revenue": Gen("total", 50, places=2, per_month=(1, 4), noise=0.15),
    "new-customers": Gen("count", 2.0),
    "payment-collection-rate": Gen("level", 95, 0, 100, 1, noise=0.03),
    "tickets-resolved": Gen("total", 180, places=0, per_month=(4, 4), noise=0.08),
    "first-response-minutes": Gen("level", 60, 1, 1e4, 1, per_month=(2, 4), noise=0.12),
    "first-contact-resolution": Gen("level", 80, 0, 100, 1, noise=0.05),
    "campaign-goal-attainment": Gen("level", 100, 0, 200, 1, noise=0.08),
    "cost-savings": Gen("total", 2.0, places=2, noise=0.3),
    "positions-filled-on-time": Gen("level", 85, 0, 100, 1, noise=0.06),
    "training-hours-delivered": Gen("total", 12, places=1, per_month=(1, 3), noise=0.2),
    "employee-satisfaction": Gen("level", 4.0, 1, 5, 1, noise=0.05),
    "units-produced": Gen("total", 2000, places=0, per_month=(4, 4), noise=0.06),
    "first-pass-yield": Gen("level", 98, 0, 100, 2, per_month=(2, 2), noise=0.01),
    "scrap-rate": Gen("level", 1.5, 0, 100, 2, noise=0.15),
    "customer-complaints": Gen("events", 0.6, places=0),
    "improvement-proposals": Gen("count", 1.0),
    "skill-assessment": Gen("quarterly", 75, 0, 100, 0, noise=0.05),
}

# ---------------------------------------------------------------- scorecards


def _metric(key: str, weight: int, target, tolerance=None) -> dict:
    return {"metric": key, "weight": weight, "target": target, "tolerance": tolerance}


def _dim(key: str, name: str, name_en: str, weight: int, metrics: Iterable[dict] = (), ratings: int = 0,
         manager: int = 100, peer: int = 0, self_: int = 0) -> dict:
    return {"key": key, "name": name, "name_en": name_en, "weight": weight, "metrics": list(metrics),
            "ratings_weight": ratings, "manager_weight": manager, "peer_weight": peer, "self_weight": self_}


def _teamwork(weight: int, *, review: int = 0, manager: int = 70, peer: int = 30, self_: int = 0) -> dict:
    metrics = [_metric("peer-review-score", review, 4.0)] if review else []
    return _dim("teamwork", "团队协作", "Teamwork", weight, metrics, ratings=100 - review, manager=manager,
                peer=peer, self_=self_)


@dataclass(frozen=True)
class CardDef:
    name: str
    name_en: str
    family: str | None
    unit: str | None
    versions: tuple[tuple[int, tuple[dict, ...], str], ...]  # (months after the history start, dimensions, note)


SOFTWARE_ENGINEER = (
    _dim("code-quality", "代码质量", "Code quality", 30,
         [_metric("bug-rate", 60, 2.0), _metric("code-reuse-rate", 40, 30)]),
    _dim("delivery", "项目交付", "Project delivery", 25,
         [_metric("task-completion-rate", 70, 90), _metric("delivery-delays", 30, 1)]),
    _teamwork(20, review=50, manager=40, peer=60),
    _dim("customer-feedback", "客户反馈", "Customer feedback", 25, [_metric("customer-satisfaction", 100, 4.2)]),
)
SOFTWARE_ENGINEER_V1 = (
    _dim("code-quality", "代码质量", "Code quality", 35,
         [_metric("bug-rate", 70, 2.0), _metric("code-reuse-rate", 30, 30)]),
    _dim("delivery", "项目交付", "Project delivery", 30,
         [_metric("task-completion-rate", 70, 90), _metric("delivery-delays", 30, 1)]),
    _teamwork(15, review=50, manager=40, peer=60),
    _dim("customer-feedback", "客户反馈", "Customer feedback", 20, [_metric("customer-satisfaction", 100, 4.2)]),
)
FACTORY = (
    _dim("output", "产量", "Output", 30, [_metric("units-produced", 100, 2000)]),
    _dim("quality", "质量", "Quality", 25, [_metric("first-pass-yield", 70, 98), _metric("scrap-rate", 30, 1.5)]),
    _dim("customer-feedback", "客户反馈", "Customer feedback", 20,
         [_metric("customer-complaints", 100, 0.5)]),
    _dim("innovation", "创新提案", "Innovation proposals", 15, [_metric("improvement-proposals", 100, 1)]),
    _teamwork(10, manager=70, peer=30),
)


def _sales(revenue_target: int) -> tuple[dict, ...]:
    return (
        _dim("results", "销售业绩", "Sales results", 50,
             [_metric("sales-revenue", 70, revenue_target), _metric("new-customers", 30, 2)]),
        _dim("collection", "回款", "Payment collection", 20, [_metric("payment-collection-rate", 100, 95)]),
        _dim("customer-feedback", "客户反馈", "Customer feedback", 15, [_metric("customer-satisfaction", 100, 4.2)]),
        _teamwork(15, manager=70, peer=30),
    )


def _service(efficiency: int, quality: int, feedback: int, teamwork: int) -> tuple[dict, ...]:
    return (
        _dim("efficiency", "服务效率", "Efficiency", efficiency,
             [_metric("tickets-resolved", 60, 180), _metric("first-response-minutes", 40, 60)]),
        _dim("quality", "服务质量", "Service quality", quality, [_metric("first-contact-resolution", 100, 80)]),
        _dim("customer-feedback", "客户反馈", "Customer feedback", feedback,
             [_metric("customer-satisfaction", 100, 4.5)]),
        _teamwork(teamwork, manager=70, peer=30),
    )


SALES_RAISE_MONTH = (HISTORY_YEARS * 12) + 4  # May of the current year: the revenue target goes 50 → 70

CARDS: tuple[CardDef, ...] = (
    CardDef("通用绩效卡", "Company default", None, None, ((0, (
        _dim("delivery", "工作交付", "Delivery", 50, [_metric("task-completion-rate", 100, 90)]),
        _dim("customer-feedback", "客户反馈", "Customer feedback", 20, [_metric("customer-satisfaction", 100, 4.2)]),
        _teamwork(30, manager=70, peer=20, self_=10),
    ), "组织默认 / organisation-wide default"),)),
    CardDef("软件工程师绩效卡", "Software engineer", "software-engineer", None, (
        (0, SOFTWARE_ENGINEER_V1, "初版 / first version"),
        (24, SOFTWARE_ENGINEER, "代码质量与客户反馈并重 / PRODUCT.md weights"),
    )),
    CardDef("生产工人绩效卡", "Production worker", "production-worker", None, ((0, FACTORY, ""),)),
    CardDef("算法工程师绩效卡", "Algorithm engineer", "algorithm-engineer", None, ((0, (
        _dim("model-quality", "模型效果", "Model quality", 35, [_metric("model-metric-attainment", 100, 90)]),
        _dim("research", "实验产出", "Research output", 20, [_metric("experiments-completed", 100, 6)]),
        _dim("delivery", "项目交付", "Project delivery", 25,
             [_metric("task-completion-rate", 70, 90), _metric("delivery-delays", 30, 1)]),
        _teamwork(20, review=50, manager=40, peer=60),
    ), ""),)),
    CardDef("产品经理绩效卡", "Product manager", "product-manager", None, ((0, (
        _dim("outcomes", "产品成效", "Product outcomes", 35, [_metric("feature-adoption-rate", 100, 35)]),
        _dim("delivery", "需求交付", "Delivery", 25, [_metric("requirements-on-time-rate", 100, 85)]),
        _dim("customer-feedback", "客户反馈", "Customer feedback", 20, [_metric("customer-satisfaction", 100, 4.2)]),
        _teamwork(20, manager=50, peer=40, self_=10),
    ), ""),)),
    CardDef("销售绩效卡", "Sales", "sales", None, (
        (0, _sales(50), ""),
        (SALES_RAISE_MONTH, _sales(70), "销售额目标上调 40% / revenue target raised by 40%"),
    )),
    CardDef("客户服务绩效卡", "Customer service", "customer-service", None, ((0, _service(30, 25, 30, 15), ""),)),
    CardDef("客户成功组绩效卡", "Customer success team", "customer-service", "service-success",
            ((0, _service(20, 25, 40, 15), "客户成功组更重客户反馈 / customer success weighs feedback more"),)),
    CardDef("运营专员绩效卡", "Operations specialist", "operations-specialist", None, ((0, (
        _dim("goals", "运营目标", "Operations goals", 40, [_metric("campaign-goal-attainment", 100, 100)]),
        _dim("efficiency", "效率与成本", "Efficiency and cost", 25,
             [_metric("task-completion-rate", 60, 90), _metric("cost-savings", 40, 2)]),
        _dim("customer-feedback", "内部客户反馈", "Internal customer feedback", 15,
             [_metric("customer-satisfaction", 100, 4.2)]),
        _teamwork(20, manager=60, peer=30, self_=10),
    ), ""),)),
    CardDef("人力资源绩效卡", "HR", "hr", None, ((0, (
        _dim("service", "人才服务", "People services", 40,
             [_metric("positions-filled-on-time", 60, 85), _metric("training-hours-delivered", 40, 12)]),
        _dim("internal-customers", "员工满意度", "Employee satisfaction", 30,
             [_metric("employee-satisfaction", 100, 4.0)]),
        _teamwork(30, manager=60, peer=30, self_=10),
    ), ""),)),
)


def card_metric_keys(card: CardDef) -> set[str]:
    keys = set()
    for _offset, dims, _note in card.versions:
        for dim in dims:
            for m in dim["metrics"]:
                keys.add(m["metric"])
                ratio = METRIC_BY_KEY[m["metric"]].ratio
                if ratio:
                    keys.update(ratio[:2])
    return keys


# ---------------------------------------------------------------- the people, as the generator sees them


@dataclass
class Person:
    id: int
    number: str
    username: str
    unit: str
    department: str
    family: str
    level: int
    hire: dt.date
    end: dt.date | None  # last day employed
    absences: list[tuple[dt.date, dt.date]]  # [from, to) on leave
    manager: str | None  # employee number
    is_head: bool
    mentor_role: bool


@dataclass
class Unit:
    id: int
    code: str
    parent: str | None
    department: str


@dataclass
class Company:
    people: list[Person]
    units: list[Unit]
    reference_date: dt.date


def read_company(reference_date: dt.date | None = None) -> Company:
    """The company as it is in the database, in a stable order (employee numbers, unit codes)."""
    units_raw = list(OrgUnit.objects.values("id", "code", "parent_id", "manager_id", "depth").order_by("code"))
    by_id = {u["id"]: u for u in units_raw}

    def department(u: dict) -> str:
        while u["depth"] > 1 and u["parent_id"] is not None:
            u = by_id[u["parent_id"]]
        return u["code"]

    units = [Unit(u["id"], u["code"], by_id[u["parent_id"]]["code"] if u["parent_id"] else None, department(u))
             for u in units_raw]
    heads = {u["manager_id"] for u in units_raw if u["manager_id"]}
    mentors = set(RoleAssignment.objects.filter(role=Role.MENTOR).values_list("user_id", flat=True))
    absences: dict[int, list[tuple[dt.date, dt.date]]] = defaultdict(list)
    open_leave: dict[int, dt.date] = {}
    far = dt.date(9999, 1, 1)
    for emp, kind, day in (EmploymentEvent.objects.filter(kind__in=[EventKind.LEAVE, EventKind.RETURN],
                                                          applied_at__isnull=False)
                           .order_by("employee_id", "effective_date", "id")
                           .values_list("employee_id", "kind", "effective_date")):
        if kind == EventKind.LEAVE:
            open_leave[emp] = day
        elif emp in open_leave:
            absences[emp].append((open_leave.pop(emp), day))
    for emp, day in open_leave.items():
        absences[emp].append((day, far))
    numbers = dict(Employee.objects.values_list("id", "employee_number"))
    unit_code = {u.id: u for u in units}
    families = dict(JobFamily.objects.values_list("id", "code"))
    people = []
    for e in Employee.objects.order_by("employee_number").values(
            "id", "employee_number", "user__username", "user_id", "org_unit_id", "job_family_id", "level",
            "hire_date", "termination_date", "manager_id"):
        unit = unit_code[e["org_unit_id"]]
        people.append(Person(
            id=e["id"], number=e["employee_number"], username=e["user__username"] or "", unit=unit.code,
            department=unit.department, family=families[e["job_family_id"]], level=e["level"],
            hire=e["hire_date"], end=e["termination_date"], absences=absences.get(e["id"], []),
            manager=numbers.get(e["manager_id"]), is_head=e["id"] in heads, mentor_role=e["user_id"] in mentors))
    return Company(people, units, reference_date or timezone.localdate())


def company_from_plan(plan) -> Company:
    """The same view of a planned company (``organisation.demo.plan_company``), without a database:
    ids are plan indexes. Gives the same history as :func:`read_company` once the plan is loaded."""
    by_code = {u.code: u for u in plan.units}

    def department(code: str) -> str:
        u = by_code[code]
        while u.depth > 1 and u.parent is not None:
            u = by_code[u.parent]
        return u.code

    units = [Unit(i, u.code, u.parent, department(u.code)) for i, u in enumerate(sorted(plan.units,
                                                                                          key=lambda u: u.code))]
    heads = {u.head for u in plan.units if u.head is not None}
    mentors = {username for username, role, _unit in plan.roles if role == Role.MENTOR}
    numbers = {p.index: p.employee_number for p in plan.people}
    far = dt.date(9999, 1, 1)
    people = []
    for p in sorted(plan.people, key=lambda p: p.employee_number):
        absences, leave = [], None
        for item in p.history:
            if item.kind == EventKind.LEAVE:
                leave = item.date
            elif item.kind == EventKind.RETURN and leave is not None:
                absences.append((leave, item.date))
                leave = None
        if leave is not None:
            absences.append((leave, far))
        people.append(Person(
            id=p.index, number=p.employee_number, username=p.username, unit=p.unit, department=department(p.unit),
            family=p.family, level=p.level, hire=p.hire_date, end=p.termination_date, absences=absences,
            manager=numbers.get(p.manager) if p.manager is not None else None, is_head=p.index in heads,
            mentor_role=p.username in mentors))
    return Company(people, units, plan.reference_date)


# ---------------------------------------------------------------- the history plan


@dataclass
class Profile:
    kind: str  # star, steady, improving, declining, recent-drop
    base: float
    slope: float  # per year


@dataclass
class ObservationRow:
    metric: str
    employee: str | None  # employee number
    unit: str | None  # org unit code
    value: Decimal
    occurred_at: dt.datetime  # aware, UTC
    occurred_on: dt.date  # local
    source: str
    external_id: str
    wrong_value: Decimal | None = None  # first sent with this value, then corrected


@dataclass
class RatingRow:
    quarter: str  # YYYY-Qn
    employee: str
    rater: str
    kind: str  # self | manager | peer
    rating: Decimal


def _poisson(rng: random.Random, lam: float) -> int:
    if lam <= 0:
        return 0
    if lam > 30:
        return max(0, round(rng.gauss(lam, math.sqrt(lam))))
    limit, k, p = math.exp(-lam), 0, 1.0
    while True:
        p *= rng.random()
        if p <= limit:
            return k
        k += 1


def _rating(value: float) -> Decimal:
    """A rating as people give it: 1 to 5 in steps of 0.5."""
    return Decimal(str(min(5.0, max(1.0, round(value * 2) / 2))))


def _quality_to_rating(q: float) -> float:
    return 1 + 4 * (min(max(100 * q, 40), 120) - 40) / 80


class HistoryPlanner:
    """Draws the history of a company; every person's draws come from their own seeded generator."""

    def __init__(self, company: Company, seed: int):
        self.company = company
        self.seed = seed
        self.ref = company.reference_date
        self.tz = ZoneInfo(settings.TIME_ZONE)
        self.start = dt.date(self.ref.year - HISTORY_YEARS, 1, 1)
        self.months = self._months()
        self.last_complete = P.containing(self.ref).previous()
        recent = self.last_complete
        for _ in range(3):
            recent = recent.previous()
        self.recent_from = recent.start  # the last four complete months and the current one
        self.unit_cards = {c.unit: c for c in CARDS if c.unit}
        self.family_cards = {c.family: c for c in CARDS if c.family and not c.unit}
        self.default_card = next(c for c in CARDS if c.family is None and c.unit is None)
        self.profiles = {p.number: self._profile(p) for p in company.people}

    def _months(self) -> list[P.Period]:
        out, cur = [], P.month(self.start.year, 1)
        while cur.start <= self.ref:
            out.append(cur)
            cur = cur.next()
        return out

    def rng(self, *parts: object) -> random.Random:
        digest = hashlib.sha256(":".join(str(p) for p in (self.seed, *parts)).encode()).digest()
        return random.Random(int.from_bytes(digest[:8], "big"))

    def card_for(self, person: Person) -> CardDef:
        card = self.unit_cards.get(person.unit)
        if card is not None and card.family in (None, person.family):
            return card
        return self.family_cards.get(person.family, self.default_card)

    def _profile(self, p: Person) -> Profile:
        rng = self.rng("profile", p.number)
        tenure = (self.ref - p.hire).days / 365.25
        senior = p.level >= 6 and tenure > HISTORY_YEARS + 1
        if p.username == "mentor":
            return Profile("star", 1.19, 0.0)
        if p.username == "employee":
            return Profile("improving", 0.86, 0.07)
        if p.username == "manager":
            return Profile("steady", 1.06, 0.0)
        roll = rng.random()
        if (p.mentor_role and roll < 0.6) or (senior and roll < 0.08):
            return Profile("star", rng.uniform(1.17, 1.21), 0.0)
        if roll < 0.15:
            return Profile("improving", rng.uniform(0.8, 0.9), rng.uniform(0.04, 0.07))
        if roll < 0.25:
            return Profile("declining", rng.uniform(1.0, 1.08), -rng.uniform(0.04, 0.07))
        if roll < 0.29:
            return Profile("recent-drop", rng.uniform(0.95, 1.05), 0.0)
        return Profile("steady", min(1.12, max(0.75, rng.gauss(0.98, 0.07))), rng.gauss(0, 0.015))

    # ------------------------------------------------------------ presence

    def span(self, p: Person, period: P.Period) -> tuple[dt.date, dt.date, int] | None:
        """First and last day the person works in the period (until yesterday for the current
        month) and how many days that is, leave excluded; None when not at all."""
        first = max(period.start, p.hire)
        last = min(period.end, self.ref) - ONE_DAY
        if p.end is not None:
            last = min(last, p.end)
        if last < first:
            return None
        days = (last - first).days + 1
        for a, b in p.absences:
            lo, hi = max(a, first), min(b - ONE_DAY, last)
            if hi >= lo:
                days -= (hi - lo).days + 1
        return (first, last, days) if days > 0 else None

    def _day(self, rng: random.Random, p: Person, first: dt.date, last: dt.date) -> dt.date:
        day = first
        for _ in range(20):
            day = first + dt.timedelta(days=rng.randrange((last - first).days + 1))
            if not any(a <= day < b for a, b in p.absences):
                break
        return day

    def quality(self, p: Person, month_index: int, rng: random.Random) -> float:
        prof = self.profiles[p.number]
        q = prof.base + prof.slope * month_index / 12
        month = self.months[month_index]
        since_hire = (month.start.year - p.hire.year) * 12 + month.start.month - p.hire.month
        if since_hire < 4:
            q -= 0.15 * (1 - max(0, since_hire) / 4)
        if prof.kind == "recent-drop" and month.start >= self.last_complete.previous().start:
            q -= 0.22
        if prof.kind == "star":
            return min(1.25, q + rng.gauss(0, 0.012))
        return min(1.25, max(0.55, q + rng.gauss(0, 0.03)))

    def story(self, p: Person, metric: str, month: P.Period) -> float:
        """Multipliers of the stories that alerts and root-cause reviews should find."""
        recent = month.start >= self.recent_from
        if p.unit == "service-hotline" and recent:
            if metric == "first-response-minutes":
                return 1.45
            if metric == "tickets-resolved":
                return 0.85
        if p.unit == "factory-packaging" and recent and metric == "units-produced":
            return 0.86
        return 1.0

    # ------------------------------------------------------------ observations

    def _moment(self, rng: random.Random, day: dt.date) -> tuple[dt.datetime, dt.date]:
        local = dt.datetime.combine(day, dt.time(rng.randint(9, 18), rng.randint(0, 59)), tzinfo=self.tz)
        return local.astimezone(dt.UTC), day

    def person_observations(self, p: Person) -> Iterator[ObservationRow]:
        card = self.card_for(p)
        keys = sorted(card_metric_keys(card))
        hotline_agent = p.unit == "service-hotline" and not p.is_head and self._first_member(p)
        for index, month in enumerate(self.months):
            span = self.span(p, month)
            if span is None:
                continue
            first, last, present = span
            rng = self.rng("obs", p.number, month.key)
            share = present / month.days
            q = self.quality(p, index, rng)
            tag = f"{month.start:%Y%m}"
            lines = 0.0
            for key in keys:
                gen = GEN.get(key)
                if gen is None or gen.kind == "per-kloc":
                    continue
                mdef = METRIC_BY_KEY[key]
                mult = self.story(p, key, month)
                if hotline_agent and key == "first-response-minutes" and month.start >= self.last_complete.start:
                    mult = 3.0  # the PRODUCT.md example: from about 1 h to about 3 h
                values = self._values(rng, gen, mdef, q, share, mult)
                if key == "lines-changed":
                    lines = sum(values)
                yield from self._rows(rng, p, mdef, values, first, last, tag)
            if "bugs" in keys:
                bugs = _poisson(rng, lines / 1000 * GEN["bugs"].base / q)
                yield from self._rows(rng, p, METRIC_BY_KEY["bugs"], [float(bugs)], first, last, tag)
            if month.start.month % 3 == 0 and last >= month.end - dt.timedelta(days=10):
                # The quarterly skill test: better with quality and with tenure.
                gen = GEN["skill-assessment"]
                skill = gen.base * (0.85 + 0.15 * min(q, 1.2)) + rng.gauss(0, 4)
                skill += min(8.0, 2.0 * (month.start - p.hire).days / 365.25)
                if p.unit == "factory-packaging" and month.start >= self.recent_from:
                    skill -= 12
                yield from self._rows(rng, p, METRIC_BY_KEY["skill-assessment"], [min(100.0, max(20.0, skill))],
                                      max(first, last - dt.timedelta(days=4)), last, tag)

    def _first_member(self, p: Person) -> bool:
        members = [x for x in self.company.people if x.unit == p.unit and not x.is_head and x.end is None]
        return bool(members) and members[0].number == p.number

    def _values(self, rng: random.Random, gen: Gen, mdef: MetricDef, q: float, share: float,
                mult: float) -> list[float]:
        n = rng.randint(*gen.per_month)
        if gen.kind == "level":
            level = (gen.base * q if mdef.direction == H else gen.base / q) * mult
            return [min(gen.hi, max(gen.lo, level * (1 + rng.gauss(0, gen.noise)))) for _ in range(n)]
        if gen.kind == "total":
            total = max(0.0, gen.base * q * share * mult * (1 + rng.gauss(0, gen.noise)))
            weights = [rng.random() + 0.5 for _ in range(n)]
            return [total * w / sum(weights) for w in weights]
        if gen.kind == "events":
            return [float(_poisson(rng, gen.base * share / q * mult))]
        if gen.kind == "count":
            return [1.0] * _poisson(rng, gen.base * q * share * mult)
        return []

    def _rows(self, rng: random.Random, p: Person, mdef: MetricDef, values: list[float], first: dt.date,
              last: dt.date, tag: str) -> Iterator[ObservationRow]:
        places = GEN[mdef.key].places
        quantum = Decimal(1).scaleb(-places)
        for i, value in enumerate(values):
            at, on = self._moment(rng, self._day(rng, p, first, last))
            amount = Decimal(repr(round(value, places))).quantize(quantum)
            wrong = None
            if rng.random() < CORRECTION_SHARE:
                wrong = (amount * Decimal(rng.choice((10, 2, "0.5")))).quantize(quantum) or amount + 1
            yield ObservationRow(mdef.key, p.number, None, amount, at, on, mdef.source,
                                 f"{mdef.source}-{p.number}-{mdef.key}-{tag}-{i}", wrong)

    def unit_observations(self) -> Iterator[ObservationRow]:
        """Headcount, hours and budget of every unit every month (its whole subtree), and market
        demand for the sales department."""
        units = {u.code: u for u in self.company.units}
        ancestors: dict[str, list[str]] = {}
        for u in self.company.units:
            chain, cur = [], u
            while cur is not None:
                chain.append(cur.code)
                cur = units.get(cur.parent) if cur.parent else None
            ancestors[u.code] = chain
        rates = {"rnd": 3.6, "product": 3.2, "sales": 2.6, "service": 1.5, "operations": 2.0, "factory": 1.1,
                 "hr": 2.2}
        for month in self.months:
            if month.start > self.last_complete.start:
                continue  # context arrives after a month closes
            head: dict[str, int] = defaultdict(int)
            hours: dict[str, float] = defaultdict(float)
            budget: dict[str, float] = defaultdict(float)
            for p in self.company.people:
                span = self.span(p, month)
                if span is None:
                    continue
                _first, last, present = span
                present_at_end = last >= month.end - dt.timedelta(days=3)
                worked = present / month.days * 174
                if p.unit == "service-hotline" and month.start >= self.recent_from:
                    worked *= 0.78  # two agents lent to a project: the hotline runs short of hours
                for code in ancestors[p.unit]:
                    head[code] += present_at_end
                    hours[code] += worked
                    budget[code] += rates.get(p.department, 2.0) * present / month.days
            rng = self.rng("units", month.key)
            tag = f"{month.start:%Y%m}"
            last_day = month.end - dt.timedelta(days=1)
            for code in sorted(head):
                if not head[code] and not hours[code]:
                    continue
                at, on = self._moment(rng, last_day)
                rows = [("headcount", float(head[code])), ("hours-worked", hours[code] * rng.uniform(0.97, 1.05)),
                        ("budget", budget[code] * rng.uniform(0.98, 1.03))]
                if units[code].department == "sales" and units[code].parent is not None:
                    season = 100 + 8 * math.sin((month.start.month - 3) / 12 * 2 * math.pi)
                    rows.append(("market-demand-index", season * rng.uniform(0.95, 1.05)))
                for key, value in rows:
                    mdef = METRIC_BY_KEY[key]
                    yield ObservationRow(key, None, code, Decimal(repr(round(value, 1))).quantize(Decimal("0.1")),
                                         at, on, mdef.source, f"{mdef.source}-{code}-{key}-{tag}")

    def observations(self) -> Iterator[ObservationRow]:
        for p in self.company.people:
            yield from self.person_observations(p)
        yield from self.unit_observations()

    # ------------------------------------------------------------ reviews

    def quarters(self) -> list[P.Period]:
        """Complete quarters whose review cycle is over (three weeks after the quarter ends)."""
        out, q = [], P.quarter(self.start.year, 1)
        while q.end + dt.timedelta(days=21) <= self.ref:
            out.append(q)
            q = q.next()
        return out

    def ratings(self) -> Iterator[RatingRow]:
        by_unit: dict[str, list[Person]] = defaultdict(list)
        people = {p.number: p for p in self.company.people}
        for p in self.company.people:
            by_unit[p.unit].append(p)
        month_index = {m.key: i for i, m in enumerate(self.months)}
        for quarter in self.quarters():
            present = {p.number: (self.span(p, quarter) or (0, 0, 0))[2] for p in self.company.people}
            for p in self.company.people:
                if present[p.number] < 30:
                    continue
                rng = self.rng("ratings", p.number, quarter.key)
                qs = [self.quality(p, month_index[m.key], rng) for m in quarter.months_in()]
                true = _quality_to_rating(sum(qs) / len(qs))
                yield RatingRow(quarter.key, p.number, p.number, "self", _rating(true + 0.3 + rng.gauss(0, 0.2)))
                boss = people.get(p.manager) if p.manager else None
                if boss is not None and present[boss.number] >= 30:
                    yield RatingRow(quarter.key, p.number, boss.number, "manager",
                                    _rating(true + rng.gauss(0, 0.15)))
                peers = [x for x in by_unit[p.unit] if x.number != p.number and present[x.number] >= 30]
                for peer in rng.sample(peers, min(2, len(peers))):
                    yield RatingRow(quarter.key, p.number, peer.number, "peer", _rating(true + rng.gauss(0, 0.3)))

    def fingerprint(self) -> str:
        """A digest of everything the plan would write (for determinism checks)."""
        h = hashlib.sha256()
        for o in self.observations():
            h.update(f"{o.metric}|{o.employee}|{o.unit}|{o.value}|{o.occurred_at.isoformat()}|{o.external_id}|"
                     f"{o.wrong_value}\n".encode())
        for r in self.ratings():
            h.update(f"{r.quarter}|{r.employee}|{r.rater}|{r.kind}|{r.rating}\n".encode())
        return h.hexdigest()


# ---------------------------------------------------------------- writing it


def insert_rows(model, columns: list[str], rows: Iterable[tuple], *, batch: int = INSERT_BATCH) -> int:
    """INSERT many rows with the fewest round trips: COPY on PostgreSQL, executemany on SQLite.

    ``columns`` are database column names; values are Python values (Decimal, aware datetimes,
    dates, bools, ints, None), adapted here with the backend's own adapters.
    """
    table = model._meta.db_table
    qn = connection.ops.quote_name
    count = 0
    if connection.vendor == "postgresql":
        connection.ensure_connection()
        with connection.connection.cursor() as cur, cur.copy(
                f"COPY {qn(table)} ({', '.join(qn(c) for c in columns)}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)
                count += 1
        return count
    fields = {f.column: f for f in model._meta.concrete_fields}
    ops = connection.ops
    adapters: list[Callable] = []
    for column in columns:
        f = fields[column]
        kind = f.get_internal_type()
        if kind == "DecimalField":
            adapters.append(lambda v, f=f: None if v is None else ops.adapt_decimalfield_value(v, f.max_digits,
                                                                                                 f.decimal_places))
        elif kind == "DateTimeField":
            adapters.append(ops.adapt_datetimefield_value)
        elif kind == "DateField":
            adapters.append(ops.adapt_datefield_value)
        else:
            adapters.append(None)
    sql = (f"INSERT INTO {qn(table)} ({', '.join(qn(c) for c in columns)}) "  # noqa: S608 - quoted identifiers
           f"VALUES ({', '.join(['%s'] * len(columns))})")
    pending: list[tuple] = []
    with connection.cursor() as cur:
        for row in rows:
            pending.append(tuple(a(v) if a is not None else v for a, v in zip(adapters, row, strict=True)))
            if len(pending) >= batch:
                cur.executemany(sql, pending)
                count += len(pending)
                pending = []
        if pending:
            cur.executemany(sql, pending)
            count += len(pending)
    return count


OBS_COLUMNS = ["metric_id", "employee_id", "org_unit_id", "value", "occurred_at", "occurred_on", "source",
               "external_id", "batch_id", "supersedes_id", "is_current", "after_close"]


@dataclass
class HistoryResult:
    metrics: int = 0
    scorecards: int = 0
    observations: int = 0
    corrections: int = 0
    review_cycles: int = 0
    ratings: int = 0
    scores: int = 0
    final_ratings: int = 0
    closed_periods: int = 0
    seconds: dict[str, float] = field(default_factory=dict)


def _hr_user() -> User:
    user = User.objects.filter(username="hr").first()
    if user is None:
        user = User.objects.filter(role_assignments__role=Role.HR, role_assignments__org_unit__isnull=True).first()
    if user is None:
        raise RuntimeError("Loading performance history needs an HR account for the whole organisation.")
    return user


def configure(actor, start: dt.date) -> tuple[int, int]:
    """Metrics and scorecards through the configuration services (the rules HR obeys)."""
    metrics: dict[str, Metric] = {}
    for mdef in METRICS:
        data = {"key": mdef.key, "name": mdef.name, "name_en": mdef.name_en, "unit": mdef.unit,
                "direction": mdef.direction, "aggregation": mdef.aggregation, "subject_kind": mdef.subject,
                "description": mdef.description}
        if mdef.ratio:
            data.update(numerator=metrics[mdef.ratio[0]], denominator=metrics[mdef.ratio[1]],
                        ratio_scale=Decimal(mdef.ratio[2]))
        metrics[mdef.key] = metric_save(actor=actor, data=data)
    families = {f.code: f for f in JobFamily.objects.all()}
    units = {u.code: u for u in OrgUnit.objects.all()}
    cards = 0
    for card in CARDS:
        if (card.family and card.family not in families) or (card.unit and card.unit not in units):
            continue
        scorecard = None
        for offset, dims, note in card.versions:
            y, m = divmod(start.month - 1 + offset, 12)
            dimensions = [{**d, "metrics": [{**x, "metric": metrics[x["metric"]]} for x in d["metrics"]]}
                          for d in dims]
            version = scorecard_save(actor=actor, name=card.name, name_en=card.name_en,
                                     job_family=families.get(card.family), org_unit=units.get(card.unit),
                                     valid_from=dt.date(start.year + y, m + 1, 1), dimensions=dimensions,
                                     note=note, scorecard=scorecard)
            scorecard = version.scorecard
        cards += 1
    return len(metrics), cards


def _write_observations(planner: HistoryPlanner, hr: User, result: HistoryResult) -> None:
    metric_ids = dict(Metric.objects.values_list("key", "id"))
    emp_ids = {p.number: p.id for p in planner.company.people}
    unit_ids = {u.code: u.id for u in planner.company.units}
    now = timezone.now()
    batch = IngestBatch.objects.create(received_by=hr, channel="demo")
    fixes = IngestBatch.objects.create(received_by=hr, channel="demo")
    wrong: list[ObservationRow] = []

    def rows() -> Iterator[tuple]:
        for o in planner.observations():
            if o.wrong_value is not None:
                wrong.append(o)
                continue
            yield (metric_ids[o.metric], emp_ids.get(o.employee), unit_ids.get(o.unit), o.value, o.occurred_at,
                   o.occurred_on, o.source, o.external_id, batch.pk, None, True, False)

    written = insert_rows(Observation, OBS_COLUMNS, rows())
    # A correction: the first value (no longer current), then the new row that supersedes it.
    insert_rows(Observation, OBS_COLUMNS, (
        (metric_ids[o.metric], emp_ids.get(o.employee), unit_ids.get(o.unit), o.wrong_value, o.occurred_at,
         o.occurred_on, o.source, o.external_id, batch.pk, None, False, False) for o in wrong))
    first = dict(Observation.objects.filter(is_current=False, batch=batch).values_list("external_id", "id"))
    insert_rows(Observation, OBS_COLUMNS, (
        (metric_ids[o.metric], emp_ids.get(o.employee), unit_ids.get(o.unit), o.value, o.occurred_at,
         o.occurred_on, o.source, o.external_id, fixes.pk, first[o.external_id], True, False) for o in wrong))
    IngestBatch.objects.filter(pk=batch.pk).update(accepted=written + len(wrong), received_at=now)
    IngestBatch.objects.filter(pk=fixes.pk).update(corrections=len(wrong), received_at=now)
    result.observations = written + 2 * len(wrong)
    result.corrections = len(wrong)


def _optional(model, **values) -> dict:
    """Only the fields the model has (the reviews model grows while this generator stays put)."""
    names = {f.name for f in model._meta.get_fields()}
    return {k: v for k, v in values.items() if k in names}


def _write_reviews(planner: HistoryPlanner, hr: User, result: HistoryResult) -> None:
    emp_ids = {p.number: p.id for p in planner.company.people}
    tz = planner.tz
    cycles: dict[str, ReviewCycle] = {}
    for q in planner.quarters():
        year, n = q.key.split("-Q")
        closed_at = dt.datetime.combine(q.end + dt.timedelta(days=20), dt.time(18), tzinfo=tz)
        cycle = ReviewCycle(name=f"{year}年第{n}季度绩效回顾", period_key=q.key, self_due=q.end + dt.timedelta(days=7),
                            peer_due=q.end + dt.timedelta(days=10), manager_due=q.end + dt.timedelta(days=14),
                            status=ReviewCycle.Status.CLOSED,
                            **_optional(ReviewCycle, created_by=hr, closed_at=closed_at,
                                        opened_at=closed_at - dt.timedelta(days=20)))
        cycles[q.key] = cycle
    ReviewCycle.objects.bulk_create(cycles.values())
    ratings = list(planner.ratings())
    reviews = []
    for r in ratings:
        cycle = cycles[r.quarter]
        due = cycle.self_due if r.kind == "self" else cycle.peer_due if r.kind == "peer" else cycle.manager_due
        submitted = dt.datetime.combine(due - dt.timedelta(days=1), dt.time(17), tzinfo=tz)
        reviews.append(Review(cycle=cycle, reviewee_id=emp_ids[r.employee], reviewer_id=emp_ids[r.rater],
                              kind=r.kind, status=Review.Status.SUBMITTED, submitted_at=submitted,
                              **_optional(Review, due=due, rating=r.rating,
                                          dimension_ratings={"teamwork": str(r.rating)})))
    Review.objects.bulk_create(reviews, batch_size=2000)
    quarters = {q.key: q for q in planner.quarters()}
    QualitativeRating.objects.bulk_create([
        QualitativeRating(employee_id=rev.reviewee_id, rater_id=rev.reviewer_id, rater_kind=r.kind,
                          dimension_key="teamwork", rating=r.rating, covers_start=quarters[r.quarter].start,
                          covers_end=quarters[r.quarter].end, review=rev)
        for r, rev in zip(ratings, reviews, strict=True)], batch_size=2000)
    result.review_cycles, result.ratings = len(cycles), len(ratings)


def all_periods(start: dt.date, ref: dt.date) -> list[P.Period]:
    out = []
    for year in range(start.year, ref.year + 1):
        y = P.year(year)
        out.append(y)
        for q in range(1, 5):
            quarter = P.quarter(year, q)
            if quarter.start <= ref:
                out.append(quarter)
                out.extend(m for m in quarter.months_in() if m.start <= ref)
    return out


def _final_ratings(planner: HistoryPlanner, hr: User, years: list[str]) -> int:
    """The decisions of the yearly calibrations: mostly the computed rating, some moved by people."""
    numbers = {p.id: p.number for p in planner.company.people}
    now = timezone.now()
    rows = []
    for emp, key, rating in (Score.objects.filter(period_key__in=years, rating__isnull=False)
                             .order_by("period_key", "employee_id").values_list("employee_id", "period_key",
                                                                                "rating")):
        number = numbers.get(emp)
        rng = planner.rng("calibration", number, key)
        final, note = rating, "年度绩效评审 / annual review"
        if planner.profiles[number].kind != "star" and rng.random() < 0.06:
            final = min(Decimal(5), max(Decimal(1), rating + Decimal(rng.choice(("-0.3", "-0.2", "0.2", "0.3")))))
            note = "校准会调整 / changed in calibration"
        rows.append(FinalRating(employee_id=emp, period_key=key, rating=final, decided_by=hr, note=note,
                                acknowledged_at=now))
    FinalRating.objects.bulk_create(rows, batch_size=2000)
    return len(rows)


def load_history(*, seed: int, reference_date: dt.date | None = None,
                 progress: Callable[[str], None] | None = None) -> HistoryResult:
    """Write the whole performance history of the company in the database (see the module doc)."""
    result = HistoryResult()
    say = progress or (lambda _msg: None)
    clock = time.perf_counter()

    def lap(name: str) -> None:
        nonlocal clock
        now = time.perf_counter()
        result.seconds[name] = round(now - clock, 2)
        clock = now

    hr = _hr_user()
    with transaction.atomic():
        company = read_company(reference_date)
        planner = HistoryPlanner(company, seed)
        result.metrics, result.scorecards = configure(actor_for(hr), planner.start)
        lap("configuration")
        _write_observations(planner, hr, result)
        lap("observations")
        _write_reviews(planner, hr, result)
        lap("reviews")
    say(f"  {result.observations:,} observations, {result.ratings:,} review ratings written; scoring "
        f"{len(planner.months)} months…")
    analyze_tables()
    for period in all_periods(planner.start, planner.ref):
        result.scores += recompute_period(period).scored
    lap("scores")
    past = [str(y) for y in range(planner.start.year, planner.ref.year)]
    with transaction.atomic():
        result.final_ratings = _final_ratings(planner, hr, past)
        closed = [p.key for p in all_periods(planner.start, dt.date(planner.ref.year - 1, 12, 31))]
        PeriodState.objects.bulk_create([PeriodState(key=k, closed=True, changed_by=hr) for k in closed])
        result.closed_periods = len(closed)
    analyze_tables()
    lap("decisions")
    return result


def analyze_tables() -> None:
    with connection.cursor() as cursor:
        for model in (Observation, Score, QualitativeRating, Review):
            cursor.execute(f"ANALYZE {connection.ops.quote_name(model._meta.db_table)}")


def history_loaded() -> bool:
    return Observation.objects.exists() or Scorecard.objects.exists()


def summary(result: HistoryResult) -> str:
    return (f"Loaded the performance history: {result.metrics} metrics, {result.scorecards} scorecards, "
            f"{result.observations:,} observations ({result.corrections:,} corrected), {result.review_cycles} "
            f"review cycles with {result.ratings:,} ratings, {result.scores:,} scores, {result.final_ratings:,} "
            f"final ratings, {result.closed_periods} closed periods "
            f"in {sum(result.seconds.values()):.1f} s.")


@transaction.atomic
def wipe_performance() -> None:
    """Delete every row of the performance app (before the organisation it refers to is deleted).

    Raw deletes: the tables are emptied as a whole, and Django's collector would otherwise load
    every observation to follow the self-reference of corrections.
    """
    models = list(apps.get_app_config("performance").get_models())
    table_of = {m: m._meta.db_table for m in models}
    # Children first: a model is deleted after every model that refers to it.
    remaining, order = set(models), []
    while remaining:
        leaves = {m for m in remaining
                  if not any(f.related_model is m for other in remaining if other is not m
                             for f in other._meta.concrete_fields if f.is_relation)}
        leaves = leaves or set(remaining)  # a cycle: constraints are deferred until commit
        order.extend(sorted(leaves, key=lambda m: m.__name__))
        remaining -= leaves
    with connection.cursor() as cursor:
        for model in order:
            if model is Observation:
                cursor.execute(f"UPDATE {connection.ops.quote_name(table_of[model])} SET supersedes_id = NULL")
            cursor.execute(f"DELETE FROM {connection.ops.quote_name(table_of[model])}")  # noqa: S608
