"""Mentoring's reads for the home page: the mentee's mentor and the way in to mentoring, the mentor's
desk (running plans, what is due, twelve months' figures) and the items overdue below a manager.

Each read is one query with only the columns a home card shows (never a person's encrypted HR
fields), so the home page's per-section query budget holds whatever the size of the company. The
home app reads mentoring only through this module, mentoring's other selectors and its access."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, F, OuterRef, Q, QuerySet, Subquery, Sum

from talentloop.core.access import Actor
from talentloop.core.bilingual import localized
from talentloop.mentoring import access
from talentloop.mentoring.models import (
    ItemKind,
    MentorApplication,
    MentoringPlan,
    PlanItem,
    PlanStatus,
    SessionRecord,
)
from talentloop.mentoring.selectors import item_get
from talentloop.mentoring.services.qualification import current_policy_kept, person_qualifies
from talentloop.performance.selectors_home import visible_totals

RUNNING = (PlanStatus.ACTIVE, PlanStatus.APPROVED)


def _person_fields(prefix: str) -> list[str]:
    """What a mentoring card shows of a person (never their encrypted HR fields)."""
    return [f"{prefix}{f}" for f in ("id", "name", "name_en", "employee_number")]


def _label(name: str | None, name_en: str | None) -> str:
    """A bilingual name read as plain values, in the reader's language (as the models' ``label``)."""
    return str(localized({"name": name or "", "name_en": name_en or ""}, "name"))


# ---------------------------------------------------------------- the mentee's side


@dataclass
class MentorContact:
    """The mentee's running plan as the home card shows it: the mentor and how to reach them, the
    programme, and the next open item (plan and item carry only what their links need)."""

    plan: MentoringPlan
    name: str
    email: str
    phone: str
    programme: str
    next_item: PlanItem | None


def mentor_contact_get(actor: Actor) -> MentorContact | None:
    """The mentor of the reader's running plan and how to reach them (phone and e-mail as stored on the
    mentor's employee record, else their account's e-mail), and the next open item: one query of plain
    values. The reader's own plans, which a mentee may always read (``visible_plans`` starts from
    exactly that), so no scope is built."""
    me = actor.employee
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
    next_item = None
    if next_id is not None:
        next_item = PlanItem(pk=next_id, plan_id=plan_id, kind=next_kind, due_on=next_due)
    return MentorContact(plan=MentoringPlan(pk=plan_id, mentee_id=me.pk), name=_label(name, name_en),
                         email=email or user_email or "", phone=phone or "", programme=_label(programme, programme_en),
                         next_item=next_item)


@dataclass
class MentorEntry:
    has_policy: bool = False
    applied: bool = False
    qualifies: bool = False


def mentor_entry_get(actor: Actor, *, as_of: dt.date) -> MentorEntry:
    """Whether there is a mentor policy, whether the reader has applied under it, and — when they have
    not — whether they meet every criterion today (screened for this one person: a fixed handful of
    queries; the policy itself is configuration kept in the shared cache)."""
    entry = MentorEntry()
    me = actor.employee
    policy = current_policy_kept()
    if me is None or policy is None:
        return entry
    entry.has_policy = True
    entry.applied = access.visible_applications(actor).filter(
        employee_id=me.pk, status=MentorApplication.Status.SUBMITTED).exists()
    if not entry.applied:
        entry.qualifies = person_qualifies(policy, me, as_of=as_of)
    return entry


# ---------------------------------------------------------------- the mentor's desk


def mentor_plan_list(actor: Actor, *, score_periods: tuple[str, ...] = ()) -> list[MentoringPlan]:
    """The reader's running plans as their mentor, with the mentee, programme and the mentor's
    capacity. A mentor's own plans are always theirs to read (``visible_plans`` grants every plan
    whose mentor is the actor), so they are filtered directly, without the scope. One query; with
    ``score_periods``, each plan also carries its mentee's total of each of those months as
    ``mentee_totals`` (a tuple in the same order; None where there is none), read in a second query
    within performance's score scope of the reader."""
    if actor.employee is None:
        return []
    qs = (MentoringPlan.objects.filter(mentor__employee_id=actor.employee.pk, status__in=RUNNING)
          .select_related("mentee", "template", "mentor")
          .only("id", "status", "starts_on", "mentor__capacity", "template__name", "template__name_en",
                *_person_fields("mentee__"))
          .order_by("mentee__name", "id"))
    plans = list(qs)
    if score_periods:
        totals = visible_totals(actor, [p.mentee_id for p in plans], score_periods)
        for plan in plans:
            plan.mentee_totals = tuple(totals.get((plan.mentee_id, key)) for key in score_periods)  # type: ignore[attr-defined]
    return plans


def active_plan_count(plans: list[MentoringPlan]) -> int:
    """How many of these plans are under way (an approved plan starts later)."""
    return sum(1 for p in plans if p.status == PlanStatus.ACTIVE)


def mentor_due_item_list(actor: Actor, *, horizon: dt.date, limit: int) -> list[PlanItem]:
    """Open items of the reader's running plans as their mentor due by ``horizon``, earliest first,
    with the mentee's name (the mentor's own plans: always theirs to read, see ``mentor_plan_list``).
    One query."""
    if actor.employee is None:
        return []
    return list(PlanItem.objects
                .filter(plan__mentor__employee_id=actor.employee.pk, plan__status__in=RUNNING,
                        completed_on__isnull=True, due_on__lte=horizon)
                .select_related("plan__mentee", "plan__mentor")
                .only("id", "kind", "sequence", "due_on", "completed_on", "plan__id", "plan__status",
                      "plan__starts_on", "plan__mentor__id", "plan__mentor__employee_id",
                      *_person_fields("plan__mentee__"))
                .order_by("due_on", "id")[:limit])


def can_record_in_place(item: PlanItem, today: dt.date) -> bool:
    """A 1:1 the mentor can record from a list: its plan runs (an approved plan starts later)."""
    return (item.kind == ItemKind.ONE_TO_ONE and item.plan.status == PlanStatus.ACTIVE
            and item.plan.starts_on <= today)


def one_to_one_get(actor: Actor, pk: int) -> PlanItem | None:
    """A schedule item the actor may see (mentoring's one item lookup) that is a 1:1, the only kind
    recorded from the home page."""
    item = item_get(actor, pk)
    return item if item is not None and item.kind == ItemKind.ONE_TO_ONE else None


def mentor_stats_figures(actor: Actor, *, since: dt.date, today: dt.date) -> dict[str, Any]:
    """The reader's figures as a mentor since ``since``: sessions held and their minutes, and schedule
    items done (on time or late) and overdue (past due, not done) in the window. Two plain aggregate
    queries (sessions; items, counted with filters): one query carrying the five figures as scalar
    subqueries took twice as long, most of it in building the SQL. An overdue item counts against the
    on-time rate, so a mentor with one is never "100 % on time"."""
    zero = {"sessions": 0, "minutes": 0, "done": 0, "on_time": 0, "overdue": 0}
    if actor.employee is None:
        return zero
    me = actor.employee.pk
    sessions = SessionRecord.objects.filter(plan__mentor__employee_id=me, held_on__gte=since).aggregate(
        sessions=Count("id"), minutes=Sum("duration_minutes"))
    items = PlanItem.objects.filter(Q(completed_on__gte=since) | Q(
        completed_on__isnull=True, due_on__gte=since, due_on__lt=today),
        plan__mentor__employee_id=me).aggregate(
        done=Count("id", filter=Q(completed_on__isnull=False)),
        on_time=Count("id", filter=Q(completed_on__lte=F("due_on"))),
        overdue=Count("id", filter=Q(completed_on__isnull=True)))
    return {k: int(v or 0) for k, v in {**sessions, **items}.items()}


# ---------------------------------------------------------------- the manager's side


def team_overdue_item_queryset(actor: Actor, *, today: dt.date) -> QuerySet[PlanItem]:
    """Items of running plans past their due date of the mentors below the actor (``overdue_items_scope``),
    with only the item, its date, the mentor and the mentee, as the overdue page shows; oldest first."""
    return (access.overdue_items_scope(actor)
            .filter(completed_on__isnull=True, due_on__lt=today, plan__status__in=RUNNING)
            .select_related("plan__mentor__employee", "plan__mentee")
            .only("id", "kind", "due_on", "plan__id", "plan__mentor__id", "plan__mentor__employee__name",
                  "plan__mentor__employee__name_en", "plan__mentee__name", "plan__mentee__name_en")
            .order_by("due_on", "id"))
