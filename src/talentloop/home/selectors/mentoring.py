"""Mentoring on the home page: the mentee's mentor and how to reach them, the way in to mentoring
for everyone else, and the mentor's own desk (mentees, what is due, statistics)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from typing import TYPE_CHECKING

from talentloop.home.selectors.base import DUE, INFO, LIVE, URGENT, Ctx, Section
from talentloop.mentoring import selectors_home as mentoring_home

if TYPE_CHECKING:
    from talentloop.mentoring.models import MentoringPlan, PlanItem

DUE_DAYS = 7
TREND_STEP = Decimal(1)  # a change of at least one point of the total shows as up or down


# ---------------------------------------------------------------- the mentee's side


@dataclass
class MyMentorSection(Section):
    key = "my_mentor"
    plan: MentoringPlan | None = None
    name: str = ""
    email: str = ""
    phone: str = ""
    programme: str = ""
    next_item: PlanItem | None = None


def my_mentor(ctx: Ctx) -> MyMentorSection | None:
    """The mentor of the person's running plan, how to reach them and the next open item (mentoring's
    one query of plain values)."""
    found = mentoring_home.mentor_contact_get(ctx.actor)
    if found is None:
        return None
    return MyMentorSection(urgency=LIVE, plan=found.plan, name=found.name, email=found.email, phone=found.phone,
                           programme=found.programme, next_item=found.next_item)


@dataclass
class MentorEntrySection(Section):
    key = "mentor_entry"
    qualifies: bool = False
    applied: bool = False
    has_policy: bool = False


def mentor_entry(ctx: Ctx, *, has_mentor: bool) -> MentorEntrySection | None:
    """The way in: find a mentor, or apply to become one when the person meets every criterion of the
    mentor policy today (screened for this one person: a fixed handful of queries)."""

    me = ctx.employee
    if me is None or ctx.is_mentor:
        return None
    entry = mentoring_home.mentor_entry_get(ctx.actor, as_of=ctx.today)
    section = MentorEntrySection(urgency=INFO, qualifies=entry.qualifies, applied=entry.applied,
                                 has_policy=entry.has_policy)
    if has_mentor and not section.qualifies and not section.applied:
        return None
    return section


# ---------------------------------------------------------------- the mentor's desk


@dataclass
class MenteeRow:
    plan_id: int
    name: str
    programme: str
    status: str
    total: Decimal | None
    previous: Decimal | None

    @property
    def trend(self) -> str:
        """up, down, steady, or "" when there is nothing to compare."""
        if self.total is None or self.previous is None:
            return ""
        change = self.total - self.previous
        return "up" if change >= TREND_STEP else "down" if change <= -TREND_STEP else "steady"


@dataclass
class MenteesSection(Section):
    key = "mentees"
    rows: list[MenteeRow] = field(default_factory=list)
    capacity: int = 0


def _mentor_plans(ctx: Ctx) -> list[MentoringPlan]:
    """The mentor's running plans with their mentees' totals of this month and the last, read once per
    page (the mentees and the statistics both use them)."""
    if "mentor_plans" not in ctx.cache:
        assert ctx.employee is not None  # read by the mentor sections, built for mentors only
        ctx.cache["mentor_plans"] = mentoring_home.mentor_plan_list(
            ctx.actor, score_periods=(ctx.period.key, ctx.period.previous().key))
    return ctx.cache["mentor_plans"]


def mentees(ctx: Ctx) -> MenteesSection | None:
    """The mentor's running plans with each mentee's live score and its direction (the scores of
    people in an active plan are open to their mentor, read only). Two queries: the plans, then their
    mentees' totals of this month and the last (read once per page with the statistics)."""
    if not ctx.is_mentor:
        return None
    plans = _mentor_plans(ctx)
    section = MenteesSection(urgency=LIVE, capacity=plans[0].mentor.capacity if plans else 0)
    for p in plans:
        total, previous = p.mentee_totals  # type: ignore[attr-defined]
        section.rows.append(MenteeRow(p.pk, p.mentee.display_name, p.template.label, p.get_status_display(),
                                      total, previous))
    return section


@dataclass
class DueItem:
    item: PlanItem
    mentee: str
    overdue: bool
    can_record: bool


@dataclass
class DueSection(Section):
    key = "mentor_due"
    items: list[DueItem] = field(default_factory=list)
    overdue: int = 0
    today: dt.date | None = None


def mentor_due(ctx: Ctx, limit: int = 10) -> DueSection | None:
    """Open items of the mentor's running plans due within a week, overdue first; each 1:1 can be
    recorded in place. One query."""
    if not ctx.is_mentor:
        return None
    assert ctx.employee is not None  # is_mentor: a person with an employee record
    horizon = ctx.today + dt.timedelta(days=DUE_DAYS)
    items = mentoring_home.mentor_due_item_list(ctx.actor, horizon=horizon, limit=limit)
    section = DueSection(urgency=DUE, today=ctx.today)
    for item in items:
        overdue = item.due_on < ctx.today
        section.overdue += overdue
        can_record = mentoring_home.can_record_in_place(item, ctx.today)
        section.items.append(DueItem(item, item.plan.mentee.display_name, overdue, can_record))
    if section.overdue:
        section.urgency = URGENT
    elif not section.items:
        section.urgency = INFO
    return section


@dataclass
class MentorStatsSection(Section):
    key = "mentor_stats"
    active_mentees: int = 0
    sessions: int = 0
    hours: Decimal = Decimal(0)
    items_done: int = 0
    items_on_time: int = 0
    items_overdue: int = 0  # due in the window, past due and still not done: not on time either
    since: dt.date | None = None

    @property
    def on_time_pct(self) -> int | None:
        judged = self.items_done + self.items_overdue
        return round(100 * self.items_on_time / judged) if judged else None


STATS_DAYS = 365


def mentor_stats(ctx: Ctx) -> MentorStatsSection | None:
    """The mentor's own figures over the last twelve months: sessions held and their hours, and how
    many schedule items were done by their due date, of those done or overdue (two queries).
    The composite score and the survey results stay on the mentoring results page, which computes
    them for every mentor."""
    if not ctx.is_mentor:
        return None
    assert ctx.employee is not None  # is_mentor: a person with an employee record
    since = ctx.today - dt.timedelta(days=STATS_DAYS)
    figures = mentoring_home.mentor_stats_figures(ctx.actor, since=since, today=ctx.today)
    return MentorStatsSection(
        urgency=INFO, active_mentees=mentoring_home.active_plan_count(_mentor_plans(ctx)),
        sessions=figures["sessions"], hours=(Decimal(figures["minutes"]) / 60).quantize(Decimal("0.1")),
        items_done=figures["done"], items_on_time=figures["on_time"], items_overdue=figures["overdue"],
        since=since)
