"""Mentoring on the home page: the mentee's mentor and how to reach them, the way in to mentoring
for everyone else, and the mentor's own desk (mentees, what is due, statistics)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Count, F, OuterRef, Q, Subquery, Sum

from talentloop.home.selectors.base import DUE, INFO, LIVE, URGENT, Ctx, Section
from talentloop.home.selectors.performance import latest_totals
from talentloop.mentoring import access as m_access
from talentloop.mentoring.models import (
    ItemKind,
    MentorApplication,
    MentoringPlan,
    PlanItem,
    PlanStatus,
    ProgrammeTemplate,
    SessionRecord,
)
from talentloop.mentoring.services.qualification import current_policy_kept, person_qualifies
from talentloop.organisation.models import Employee

DUE_DAYS = 7
RUNNING = (PlanStatus.ACTIVE, PlanStatus.APPROVED)
TREND_STEP = Decimal(1)  # a change of at least one point of the total shows as up or down


def _person_fields(prefix: str) -> list[str]:
    """What a mentoring card shows of a person (never their encrypted HR fields)."""
    return [f"{prefix}{f}" for f in ("id", "name", "name_en", "employee_number")]


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
    """The mentor of the person's running plan and how to reach them (phone and e-mail as stored on
    the mentor's employee record, else their account's e-mail), and the next open item: one query of
    plain values. The person's own plans, which a mentee may always
    read (mentoring's visible_plans starts from exactly that), so no scope is built."""

    me = ctx.employee
    if me is None:
        return None
    upcoming = PlanItem.objects.filter(plan_id=OuterRef("pk"), completed_on__isnull=True).order_by("due_on", "id")
    rows = list(MentoringPlan.objects.filter(mentee_id=me.pk, status__in=RUNNING).order_by("-starts_on", "-id")
                .annotate(next_id=Subquery(upcoming.values("id")[:1]), next_kind=Subquery(upcoming.values("kind")[:1]),
                          next_due=Subquery(upcoming.values("due_on")[:1]))
                .values_list("id", "template__name", "template__name_en", "mentor__employee__name",
                             "mentor__employee__name_en", "mentor__employee__email", "mentor__employee__phone",
                             "mentor__employee__user__email", "next_id", "next_kind", "next_due")[:1])
    if not rows:
        return None
    (plan_id, programme, programme_en, name, name_en, email, phone, user_email,
     next_id, next_kind, next_due) = rows[0]
    mentor = Employee(name=name or "", name_en=name_en or "")
    section = MyMentorSection(urgency=LIVE, plan=MentoringPlan(pk=plan_id, mentee_id=me.pk), name=mentor.display_name,
                              phone=phone or "", email=email or user_email or "",
                              programme=ProgrammeTemplate(name=programme or "", name_en=programme_en or "").label)
    if next_id is not None:
        section.next_item = PlanItem(pk=next_id, plan_id=plan_id, kind=next_kind, due_on=next_due)
    return section


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
    section = MentorEntrySection(urgency=INFO)
    policy = current_policy_kept()
    if policy is not None:
        section.has_policy = True
        section.applied = m_access.visible_applications(ctx.actor).filter(
            employee_id=me.pk, status=MentorApplication.Status.SUBMITTED).exists()
        if not section.applied:
            section.qualifies = person_qualifies(policy, me, as_of=ctx.today)
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
    if "mentor_plans" not in ctx.cache:
        assert ctx.employee is not None  # read by the mentor sections, built for mentors only
        # A mentor's own plans are always theirs to read (mentoring's visible_plans grants every plan
        # whose mentor is the actor), so the mentor's desk filters them directly, without the scope.
        ctx.cache["mentor_plans"] = list(
            MentoringPlan.objects.filter(mentor__employee_id=ctx.employee.pk, status__in=RUNNING)
            .select_related("mentee", "template", "mentor")
            .only("id", "status", "starts_on", "mentor__capacity", "template__name", "template__name_en",
                  *_person_fields("mentee__"))
            .order_by("mentee__name", "id"))
    return ctx.cache["mentor_plans"]


def mentees(ctx: Ctx) -> MenteesSection | None:
    """The mentor's running plans with each mentee's live score and its direction (the scores of
    people in an active plan are open to their mentor, read only). Two queries."""
    if not ctx.is_mentor:
        return None
    plans = _mentor_plans(ctx)
    totals = latest_totals(ctx.actor, [p.mentee_id for p in plans], ctx.period)
    section = MenteesSection(urgency=LIVE, capacity=plans[0].mentor.capacity if plans else 0)
    for p in plans:
        total, previous = totals.get(p.mentee_id, (None, None))
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
    items = list(PlanItem.objects  # the mentor's own plans: always theirs to see (see _mentor_plans)
                 .filter(plan__mentor__employee_id=ctx.employee.pk, plan__status__in=RUNNING,
                         completed_on__isnull=True, due_on__lte=horizon)
                 .select_related("plan__mentee", "plan__mentor")
                 .only("id", "kind", "sequence", "due_on", "completed_on", "plan__id", "plan__status",
                       "plan__starts_on", "plan__mentor__id", "plan__mentor__employee_id",
                       *_person_fields("plan__mentee__"))
                 .order_by("due_on", "id")[:limit])
    section = DueSection(urgency=DUE, today=ctx.today)
    for item in items:
        overdue = item.due_on < ctx.today
        section.overdue += overdue
        # The mentor records a 1:1 once the plan runs (an approved plan starts later).
        can_record = (item.kind == ItemKind.ONE_TO_ONE and item.plan.status == PlanStatus.ACTIVE
                      and item.plan.starts_on <= ctx.today)
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
    many schedule items were done by their due date, of those done or overdue (two aggregate queries).
    The composite score and the survey results stay on the mentoring results page, which computes
    them for every mentor."""
    if not ctx.is_mentor:
        return None
    assert ctx.employee is not None  # is_mentor: a person with an employee record
    since = ctx.today - dt.timedelta(days=STATS_DAYS)
    sessions = SessionRecord.objects.filter(plan__mentor__employee_id=ctx.employee.pk, held_on__gte=since).aggregate(
        n=Count("id"), minutes=Sum("duration_minutes"))
    # Done in the window (on time or late) and overdue in it (past due, not done): an overdue item
    # counts against the rate, so a mentor with one is never "100 % on time".
    items = PlanItem.objects.filter(Q(completed_on__gte=since) | Q(
        completed_on__isnull=True, due_on__gte=since, due_on__lt=ctx.today),
        plan__mentor__employee_id=ctx.employee.pk).aggregate(
        done=Count("id", filter=Q(completed_on__isnull=False)),
        on_time=Count("id", filter=Q(completed_on__lte=F("due_on"))),
        overdue=Count("id", filter=Q(completed_on__isnull=True)))
    return MentorStatsSection(
        urgency=INFO, active_mentees=sum(1 for p in _mentor_plans(ctx) if p.status == PlanStatus.ACTIVE),
        sessions=sessions["n"] or 0, hours=(Decimal(sessions["minutes"] or 0) / 60).quantize(Decimal("0.1")),
        items_done=items["done"] or 0, items_on_time=items["on_time"] or 0, items_overdue=items["overdue"] or 0,
        since=since)

