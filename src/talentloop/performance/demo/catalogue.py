"""What the demo company measures: metrics (with how a person's monthly values are drawn) and
the scorecards of its job families, as plain data for :mod:`.load` to write through the
configuration services."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from talentloop.performance.models import Aggregation, Direction, SubjectKind

HISTORY_YEARS = 3  # complete calendar years before the current one

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
    "sales-revenue": Gen("total", 60, places=2, per_month=(1, 4), noise=0.15),
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


SALES_RAISE_MONTH = (HISTORY_YEARS * 12) + 4  # May of the current year: the revenue target goes 50 → 60

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
        (SALES_RAISE_MONTH, _sales(60), "销售额目标上调 20% / revenue target raised by 20%"),
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
