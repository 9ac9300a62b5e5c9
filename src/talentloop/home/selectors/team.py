"""The manager's view of their reporting tree: performance at a glance (set-based), mentoring
items overdue in the team, the team's growth from mentoring, work results to confirm and new hires
settling in. Everything through performance's and mentoring's access scopes."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import TYPE_CHECKING, cast

from django.db.models import Q, QuerySet

from talentloop.core.bilingual import localized
from talentloop.home.selectors.base import DUE, INFO, LIVE, URGENT, Ctx, Section, head_and_count
from talentloop.mentoring.growth import rating_growths
from talentloop.mentoring.selectors import mentored_plan_starts
from talentloop.mentoring.selectors_home import team_overdue_item_queryset
from talentloop.onboarding import selectors as onboarding_selectors
from talentloop.performance import access as perf_access
from talentloop.performance import selectors as perf_selectors
from talentloop.performance import selectors_results

if TYPE_CHECKING:
    from talentloop.organisation.models import Employee

BELOW_SHOWN = 5
TARGET_TOTAL = Decimal(100)  # a total of 100 means the targets were met
# Rating bands as the team dashboard draws them: the rating rounded half up to a whole step.
BANDS = {1: Q(rating__lt=Decimal("1.5")), 2: Q(rating__gte=Decimal("1.5"), rating__lt=Decimal("2.5")),
         3: Q(rating__gte=Decimal("2.5"), rating__lt=Decimal("3.5")),
         4: Q(rating__gte=Decimal("3.5"), rating__lt=Decimal("4.5")), 5: Q(rating__gte=Decimal("4.5"))}


def team(ctx: Ctx) -> QuerySet[Employee]:
    """Everyone active below the actor in the reporting tree whose scores the actor may open."""
    assert ctx.employee is not None  # read by the team sections, which are built for managers only
    return perf_access.team_members(ctx.actor, ctx.employee).filter(status="active")


@dataclass
class Below:
    employee_id: int
    name: str
    total: Decimal


@dataclass
class TeamGlance(Section):
    key = "team"
    people: int = 0
    period_key: str = ""
    scored: int = 0
    average: Decimal | None = None
    distribution: list[tuple[int, int, int]] = field(default_factory=list)  # band, count, bar width %
    below_count: int = 0
    below: list[Below] = field(default_factory=list)


def team_glance(ctx: Ctx) -> TeamGlance | None:
    """The team's average total, the distribution by rating and who is below target, for this month
    or — early in a month nobody has a score for yet — last month. Three queries whatever the size
    of the team, each counted in SQL: the head count, one aggregate of the month shown (chosen in the
    same query), the lowest totals."""
    if ctx.employee is None or not ctx.actor.has_reports:
        return None
    members = team(ctx)
    keys = [ctx.period.key, ctx.period.previous().key]
    # ``members`` already comes from the actor's score scope (team_members), so the scores read below
    # are within it without nesting visible_scores in the SQL.
    row = perf_selectors.team_month_summary(members, keys, below=TARGET_TOTAL, bands=BANDS)
    section = TeamGlance(urgency=LIVE, people=members.count(), period_key=keys[0])
    if row is None:
        return section
    chosen = row["period_key"]
    section.period_key, section.scored, section.below_count = chosen, row["n"], row["below"]
    section.average = Decimal(str(row["avg"])).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
    top = max([row[f"b{b}"] for b in BANDS] + [1])
    section.distribution = [(b, row[f"b{b}"], round(100 * row[f"b{b}"] / top)) for b in BANDS]
    for r in perf_selectors.team_lowest_scores(members, chosen, below=TARGET_TOTAL, limit=BELOW_SHOWN):
        name = localized(r, "employee__name")
        section.below.append(Below(r["employee_id"], name, cast(Decimal, r["total"])))  # total__lt: never null
    return section


@dataclass
class TeamOverdue(Section):
    key = "team_overdue"
    items: list = field(default_factory=list)
    count: int = 0


def team_overdue(ctx: Ctx, limit: int = 5) -> TeamOverdue | None:
    """Mentoring items past their due date of the mentors below the manager (only the item, its date,
    the mentor and the mentee, as the overdue page shows). One query."""
    if not ctx.actor.has_reports:
        return None
    items, count = head_and_count(team_overdue_item_queryset(ctx.actor, today=ctx.today), limit)
    return TeamOverdue(urgency=URGENT, items=items, count=count) if count else None


@dataclass
class TeamGrowth(Section):
    key = "team_growth"
    mentees: int = 0
    measured: int = 0
    average_pct: Decimal | None = None
    improved: int = 0


def team_growth(ctx: Ctx) -> TeamGrowth | None:
    """How the people of the team who are (or were) mentored grew: their rating before the plan
    against the latest complete quarter at least six months in (mentoring's one definition of
    growth). Aggregated — the ratings themselves are the manager's to see anyway. Three queries."""

    if ctx.employee is None or not ctx.actor.has_reports:
        return None
    pairs = mentored_plan_starts(team(ctx))
    section = TeamGrowth(urgency=INFO, mentees=len({m for m, _s in pairs}))
    pcts = [g.pct for g in rating_growths(pairs, as_of=ctx.today).values() if g.pct is not None]
    section.measured = len(pcts)
    section.improved = len([pct for pct in pcts if pct > 0])
    if pcts:
        section.average_pct = (sum(pcts, Decimal(0)) / len(pcts)).quantize(
            Decimal("0.1"), rounding=ROUND_HALF_UP)
    return section


@dataclass
class ResultsToConfirm(Section):
    key = "results_confirm"
    count: int = 0


def results_to_confirm(ctx: Ctx) -> ResultsToConfirm | None:
    """Work results the manager (or HR) still has to confirm before they count."""
    if not perf_access.can_confirm_work_results(ctx.actor):
        return None
    count = selectors_results.work_results_pending_count(ctx.actor)
    return ResultsToConfirm(urgency=URGENT, count=count) if count else None


@dataclass
class TeamOnboarding(Section):
    key = "team_onboarding"
    rows: list = field(default_factory=list)
    overdue: int = 0


def team_onboarding(ctx: Ctx, shown: int = 5) -> TeamOnboarding | None:
    if ctx.employee is None or not ctx.actor.has_reports:
        return None
    rows = onboarding_selectors.team_onboarding(ctx.actor, ctx.employee, ctx.today)
    if not rows:
        return None
    overdue = sum(1 for r in rows if r.overdue)
    return TeamOnboarding(urgency=URGENT if overdue else DUE, rows=rows[:shown], overdue=overdue)


__all__ = ["ResultsToConfirm", "TeamGlance", "TeamGrowth", "TeamOnboarding", "TeamOverdue", "results_to_confirm",
           "team_glance", "team_growth", "team_onboarding", "team_overdue"]
