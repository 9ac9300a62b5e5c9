"""Reads of mentoring data for pages and the API; every one starts from an access scope and
runs a fixed number of queries whatever the number of rows."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Count, Exists, F, OuterRef, Q, QuerySet
from django.utils import timezone

from talentloop.core.access import Actor
from talentloop.mentoring import access
from talentloop.mentoring.models import (
    CAPACITY_PLAN_STATUSES,
    CriterionKey,
    CriterionStatus,
    Mentor,
    MentorApplication,
    MentoringPlan,
    MentorInvitation,
    MentorPolicy,
    PlanItem,
    PlanStatus,
    ProgrammeTemplate,
    SessionRecord,
)
from talentloop.mentoring.notification_kinds import NOTICE_KINDS
from talentloop.mentoring.services.cadence import cadence_settings
from talentloop.mentoring.services.programmes import plan_submission_problems
from talentloop.mentoring.services.qualification import current_policy, qualifies, screen_employees
from talentloop.notifications.selectors import latest_of_kinds
from talentloop.organisation.access import hr_covers_unit, visible_job_families
from talentloop.organisation.models import Employee, JobFamily
from talentloop.performance.access import can_view_final_rating, is_self

OPEN_PLAN_STATUSES = (PlanStatus.DRAFT, PlanStatus.SUBMITTED, PlanStatus.RETURNED, PlanStatus.APPROVED,
                      PlanStatus.ACTIVE)


# ---------------------------------------------------------------- qualification


def mentored_plan_starts(people: QuerySet[Employee]) -> list[tuple[int, dt.date]]:
    """(mentee id, start) of the active and completed plans of these people — what mentoring's measure
    of growth (mentoring.growth.rating_growths) takes. One query; ``people`` comes from the caller's
    own scope (a manager's reporting tree), and the plans' dates say nothing more than that."""
    return list(MentoringPlan.objects.filter(mentee__in=people.values("pk"),
                                             status__in=(PlanStatus.ACTIVE, PlanStatus.COMPLETED))
                .values_list("mentee_id", "starts_on"))


def policy_get(actor: Actor) -> MentorPolicy | None:
    return access.visible_policies(actor).order_by("-version").first()


def policy_history(actor: Actor, limit: int = 20) -> list[MentorPolicy]:
    return list(access.visible_policies(actor).select_related("created_by").order_by("-version")[:limit])


def screening_for(actor: Actor, employee: Employee, screening: list[dict]) -> list[dict]:
    """A stored screening as the reader may see it. The applicant's yearly ratings follow the rule
    of final ratings (``performance.access.can_view_final_rating``: the person, their managers, HR —
    not the technical admin); the ratings of their past mentees before and after a plan are HR's
    (covering the applicant), never the applicant's nor the admin's. What is withheld is marked
    ``hidden``; the criterion's status and counts stay."""

    own_ratings = can_view_final_rating(actor, employee)
    mentee_ratings = hr_covers_unit(actor, employee.org_unit) and not is_self(actor, employee)
    out = []
    for row in screening or []:
        evidence = row.get("evidence") or {}
        if row.get("key") == CriterionKey.ANNUAL_RATING_MIN and not own_ratings:
            evidence = {**evidence, "hidden": True,
                        "years": [{**y, "rating": None, "ok": None} for y in evidence.get("years", [])]}
        elif row.get("key") == CriterionKey.SUCCESSFUL_MENTEES and not mentee_ratings:
            evidence = {**evidence, "hidden": True, "mentees": [
                {**m, "before": None, "after": None, "before_key": None, "after_key": None, "growth_pct": None}
                for m in evidence.get("mentees", [])]}
        out.append({**row, "evidence": evidence})
    return out


def screening_rows(screening: list[dict]) -> list[dict]:
    """Screening results with the criterion's and the status's label, for pages."""
    out = []
    for r in screening or []:
        key = r.get("key")
        label = CriterionKey(key).label if key in CriterionKey.values else key
        out.append({**r, "label": label, "status_label": CriterionStatus(r["status"]).label})
    return out


def application_list(actor: Actor, status: str | None = None, limit: int = 200) -> list[MentorApplication]:
    return list(application_queryset(actor, status)[:limit])


def application_queryset(actor: Actor, status: str | None = None) -> QuerySet[MentorApplication]:
    """Mentor applications in scope, newest first (the page pages it)."""
    qs = access.visible_applications(actor).select_related(
        "employee__org_unit", "employee__job_family", "policy", "decided_by")
    if status:
        qs = qs.filter(status=status)
    return qs.order_by("-created_at", "-id")


def decisions_waiting(actor: Actor) -> tuple[int, int]:
    """How many mentor applications and mentoring plans in the actor's scope wait for HR's decision
    (two count queries)."""
    applications = access.visible_applications(actor).filter(status=MentorApplication.Status.SUBMITTED).count()
    plans = access.visible_plans(actor).filter(status=PlanStatus.SUBMITTED).count()
    return applications, plans


def application_get(actor: Actor, pk: int) -> MentorApplication | None:
    return (access.visible_applications(actor).select_related("employee__org_unit", "policy", "decided_by")
            .filter(pk=pk).first())


def my_application_state(actor: Actor, as_of: dt.date | None = None) -> dict:
    """What the apply page shows: the policy, a live screening preview, my applications, whether
    I am a mentor already and whether HR invited me."""
    policy = policy_get(actor)
    employee = actor.employee
    if employee is None:
        return {"policy": policy, "applications": [], "mentor": None, "preview": [], "invited": False,
                "open_application": None}
    applications = list(access.visible_applications(actor).filter(employee=employee)
                        .select_related("policy").order_by("-created_at", "-id")[:10])
    open_app = next((a for a in applications if a.status == MentorApplication.Status.SUBMITTED), None)
    preview = screen_employees(policy, [employee], as_of=as_of)[employee.pk] if policy and open_app is None else []
    return {
        "policy": policy, "applications": applications, "open_application": open_app,
        "mentor": Mentor.objects.filter(employee=employee).first(),
        "preview": screening_rows(screening_for(actor, employee, preview)),
        "preview_qualifies": qualifies(preview),
        "invited": bool(policy and MentorInvitation.objects.filter(employee=employee, policy=policy).exists()),
    }


@dataclass
class QualifiedRow:
    employee: Employee
    screening: list[dict]
    is_mentor: bool
    applied: bool
    invited: bool

    @property
    def can_invite(self) -> bool:
        return not (self.is_mentor or self.applied or self.invited)


def qualified_list(actor: Actor, as_of: dt.date | None = None) -> tuple[MentorPolicy | None, list[QualifiedRow]]:
    """Everyone in the actor's HR scope who passes every criterion of the current policy now."""
    policy = current_policy()
    if policy is None or not access.can_list_qualified(actor):
        return policy, []
    # Screen on the few fields the criteria read; load names and units for those who pass only.
    people = list(access.screening_subjects(actor).only("id", "hire_date", "level"))
    results = screen_employees(policy, people, as_of=as_of)
    ids = [p.pk for p in people if qualifies(results[p.pk])]
    passing = list(Employee.objects.filter(pk__in=ids).select_related("org_unit", "job_family")
                   .order_by("employee_number"))
    mentors = set(Mentor.objects.filter(employee_id__in=ids, active=True).values_list("employee_id", flat=True))
    applied = set(MentorApplication.objects.filter(employee_id__in=ids, status=MentorApplication.Status.SUBMITTED)
                  .values_list("employee_id", flat=True))
    invited = set(MentorInvitation.objects.filter(employee_id__in=ids, policy=policy)
                  .values_list("employee_id", flat=True))
    return policy, [QualifiedRow(p, results[p.pk], p.pk in mentors, p.pk in applied, p.pk in invited)
                    for p in passing]


def screening_subject_get(actor: Actor, pk: int) -> Employee | None:
    return access.screening_subjects(actor).filter(pk=pk).first()


def invite_candidates(actor: Actor, ids: list[int]) -> list[Employee]:
    return list(access.screening_subjects(actor).filter(pk__in=ids))


# ---------------------------------------------------------------- mentors


def _with_load(qs: QuerySet[Mentor]) -> QuerySet[Mentor]:
    return qs.annotate(taken=Count("plans", filter=Q(plans__status__in=CAPACITY_PLAN_STATUSES)))


def mentor_list(actor: Actor, search: str = "", limit: int = 500) -> list[Mentor]:
    return list(mentor_queryset(actor, search)[:limit])


def mentor_queryset(actor: Actor, search: str = "") -> QuerySet[Mentor]:
    """Mentors in scope, active first; ``search`` matches the name, its pinyin (full or initials), the
    English name, the employee number or an expertise. The page pages it."""
    qs = _with_load(access.visible_mentors(actor)).select_related("employee__org_unit", "employee__job_family")
    if search:
        term = " ".join(search.split()).lower()
        qs = qs.filter(Q(employee__search_key__contains=term)
                       | Q(employee__search_key__contains=term.replace(" ", ""))
                       | Q(employee__name__icontains=search) | Q(employee__name_en__icontains=search)
                       | Q(expertise__icontains=search))
    return qs.order_by("-active", "employee__employee_number")


def mentor_get(actor: Actor, pk: int) -> Mentor | None:
    return (_with_load(access.visible_mentors(actor)).select_related("employee__org_unit", "employee__job_family")
            .filter(pk=pk).first())


def mentor_of(actor: Actor) -> Mentor | None:
    """The actor's own mentor record, if they are one."""
    if actor.employee is None:
        return None
    return _with_load(Mentor.objects.filter(employee=actor.employee)).select_related("employee").first()


def mentor_plans(actor: Actor, mentor: Mentor) -> list[MentoringPlan]:
    return list(with_overdue(access.visible_plans(actor)).filter(mentor=mentor).select_related("mentee", "template")
                .order_by("-starts_on", "-id")[:100])


def plan_mentors(actor: Actor) -> QuerySet[Mentor]:
    """Mentors the actor may start a plan for: HR any active mentor; a mentor themselves."""
    qs = Mentor.objects.filter(active=True).select_related("employee")
    if actor.is_hr:
        return qs
    if actor.employee is not None:
        return qs.filter(employee=actor.employee)
    return qs.none()


def plan_mentor_get(actor: Actor, pk: int) -> Mentor | None:
    return plan_mentors(actor).filter(pk=pk).first()


def job_family_get(actor: Actor, pk: int) -> JobFamily | None:
    return visible_job_families(actor).filter(pk=pk).first()


def plan_mentee_candidates(actor: Actor) -> QuerySet[Employee]:
    """Whom a new plan may be for: HR within their scope; a mentor among active staff (the plan
    itself then shows the mentor only what mentoring needs). The plan form's people picker offers these."""
    if not access.can_start_plan(actor):
        return Employee.objects.none()
    if "mentor" in actor.roles and actor.employee is not None:
        return Employee.objects.filter(status="active")
    return access.screening_subjects(actor)


def mentee_lookup(actor: Actor, employee_number: str = "", pk: int | None = None) -> Employee | None:
    """A mentee picked by employee number (or id): HR within their scope; a mentor among active
    staff (the plan itself then shows the mentor only what mentoring needs)."""
    qs = plan_mentee_candidates(actor).select_related("org_unit", "job_family")
    if pk is not None:
        return qs.filter(pk=pk).first()
    return qs.filter(employee_number=(employee_number or "").strip()).first()


# ---------------------------------------------------------------- templates


def template_list(actor: Actor) -> list[ProgrammeTemplate]:
    return list(access.visible_templates(actor).select_related("job_family")
                .prefetch_related("topics", "cadence").order_by("mentee_type", "name"))


def template_get(actor: Actor, pk: int) -> ProgrammeTemplate | None:
    return (access.visible_templates(actor).select_related("job_family").prefetch_related("topics", "cadence")
            .filter(pk=pk).first())


# ---------------------------------------------------------------- plans


def with_overdue(qs: QuerySet[MentoringPlan], today: dt.date | None = None) -> QuerySet[MentoringPlan]:
    """Annotate ``has_overdue``: an item past its due date and not done. An active plan with one is
    shown as overdue, never as simply active (one subquery, whatever the number of plans)."""
    today = today or timezone.localdate()
    return qs.annotate(has_overdue=Exists(PlanItem.objects.filter(plan=OuterRef("pk"), completed_on__isnull=True,
                                                                  due_on__lt=today)))


def plan_list(actor: Actor, status: str | None = None, limit: int = 200,
              with_topics: bool = False) -> list[MentoringPlan]:
    return list(plan_queryset(actor, status, with_topics=with_topics)[:limit])


def plan_queryset(actor: Actor, status: str | None = None, *, search: str = "",
                  with_topics: bool = False) -> QuerySet[MentoringPlan]:
    """Plans in the actor's scope, the latest submitted first; the page pages it. ``search`` matches the
    mentee's or the mentor's name, its pinyin (full or initials) or employee number."""
    qs = with_overdue(access.visible_plans(actor)).select_related("mentor__employee", "mentee__org_unit", "template")
    if with_topics:
        qs = qs.prefetch_related("topics")
    if status:
        qs = qs.filter(status=status)
    term = " ".join(search.split()).lower()[:100]
    if term:
        compact = term.replace(" ", "")
        qs = qs.filter(Q(mentee__search_key__contains=term) | Q(mentee__search_key__contains=compact)
                       | Q(mentor__employee__search_key__contains=term)
                       | Q(mentor__employee__search_key__contains=compact))
    return qs.order_by(F("submitted_at").desc(nulls_last=True), "-id")


def plan_get(actor: Actor, pk: int) -> MentoringPlan | None:
    return (with_overdue(access.visible_plans(actor)).select_related("mentor__employee", "mentee__org_unit",
                                                                     "mentee__job_family", "template__job_family")
            .filter(pk=pk).first())


def plan_topics(actor: Actor, plan: MentoringPlan) -> list:
    if not access.visible_plans(actor).filter(pk=plan.pk).exists():
        return []
    return list(plan.topics.order_by("order", "id"))


def item_state(item: PlanItem, today: dt.date, reminder_days: int) -> str:
    if item.completed_on is not None:
        return "done"
    if item.due_on < today:
        return "overdue"
    if item.due_on <= today + dt.timedelta(days=reminder_days):
        return "due_soon"
    return "upcoming"


def plan_items(actor: Actor, plan: MentoringPlan, today: dt.date | None = None) -> list[PlanItem]:
    today = today or timezone.localdate()
    days, _esc = cadence_settings()
    items = list(access.visible_items(actor).filter(plan=plan).order_by("due_on", "kind", "id"))
    for item in items:
        item.state = item_state(item, today, days)
    return items


def plan_detail(actor: Actor, plan: MentoringPlan, today: dt.date | None = None) -> dict:
    items = plan_items(actor, plan, today)
    can_submit = access.can_submit_plan(actor, plan)
    submission_problems = plan_submission_problems(plan) if can_submit else []
    return {
        "plan": plan,
        "topics": list(plan.topics.all()),
        "items": items,
        "sessions": list(SessionRecord.objects.filter(plan=plan).prefetch_related("topics").order_by("-held_on")),
        "assessments": list(plan.assessments.order_by("assessed_on", "id")),
        "reports": list(plan.reports.order_by("-written_on")),
        "done": len([i for i in items if i.state == "done"]),
        "can_edit": access.can_edit_plan(actor, plan),
        "can_submit": can_submit,
        "submission_problems": submission_problems,
        "can_decide": access.can_decide_plan(actor, plan),
        "can_cancel": access.can_cancel_plan(actor, plan),
        "is_mentor": access.is_plan_mentor(actor, plan),
    }


def item_get(actor: Actor, pk: int, *, with_state: bool = False, today: dt.date | None = None) -> PlanItem | None:
    """One visible item; ``with_state`` attaches its state (done, overdue, due_soon, upcoming) as lists do."""
    item = (access.visible_items(actor).select_related("plan__mentor__employee", "plan__mentee__org_unit",
                                                       "plan__template").filter(pk=pk).first())
    if item is not None and with_state:
        days, _esc = cadence_settings()
        item.state = item_state(item, today or timezone.localdate(), days)
    return item


def _next_due(plans: list[MentoringPlan], today: dt.date) -> None:
    """Attach each plan's next open item (one query for all plans)."""
    by_plan: dict[int, PlanItem] = {}
    days, _esc = cadence_settings()
    for item in (PlanItem.objects.filter(plan__in=[p.pk for p in plans], completed_on__isnull=True)
                 .order_by("plan_id", "due_on", "id")):
        if item.plan_id not in by_plan:
            item.state = item_state(item, today, days)
            by_plan[item.plan_id] = item
    for plan in plans:
        plan.next_item = by_plan.get(plan.pk)


def my_mentoring(actor: Actor, today: dt.date | None = None) -> dict:
    """The mentee's page: their plans (not drafts) and their mentoring notices."""
    today = today or timezone.localdate()
    if actor.employee is None:
        return {"plans": [], "notices": []}
    plans = list(with_overdue(access.visible_plans(actor), today).filter(mentee=actor.employee)
                 .exclude(status=PlanStatus.DRAFT)
                 .select_related("mentor__employee", "template").order_by("-starts_on", "-id"))
    _next_due(plans, today)
    return {"plans": plans, "notices": notices_for(actor)}


def my_mentees(actor: Actor, today: dt.date | None = None) -> dict:
    """The mentor's page: their plans with the next item due, their load and notices."""
    today = today or timezone.localdate()
    mentor = mentor_of(actor)
    if mentor is None:
        return {"mentor": None, "plans": [], "notices": notices_for(actor)}
    plans = list(with_overdue(access.visible_plans(actor), today).filter(mentor=mentor, status__in=OPEN_PLAN_STATUSES)
                 .select_related("mentee__org_unit", "template").order_by("status", "-starts_on", "-id"))
    _next_due(plans, today)
    return {"mentor": mentor, "plans": plans, "notices": notices_for(actor)}


def overdue_list(actor: Actor, limit: int = 300) -> list[PlanItem]:
    return list(overdue_queryset(actor)[:limit])


def overdue_queryset(actor: Actor) -> QuerySet[PlanItem]:
    """Items the mentor's manager was alerted about, until they are done: the longest overdue first
    (what to chase first); the page pages it."""
    return (access.overdue_items_scope(actor)
            .filter(completed_on__isnull=True, escalated_on__isnull=False)
            .exclude(plan__status=PlanStatus.CANCELLED)
            .select_related("plan__mentor__employee", "plan__mentee", "plan__template")
            .order_by("due_on", "id"))


@dataclass(frozen=True)
class Notice:
    """One of the reader's mentoring notifications as the mentoring pages and API show it: under
    its notice name (``reminder``, ``overdue``, …) with the plan and item it is about."""

    pk: int
    kind: str
    label: str
    message: str
    link: str
    plan_id: int | None
    item_id: int | None
    created_at: dt.datetime
    read_at: dt.datetime | None


def notices_for(actor: Actor, limit: int = 20) -> list[Notice]:
    """The reader's latest mentoring notifications (one query, through the notifications app)."""
    out = []
    for n in latest_of_kinds(actor, NOTICE_KINDS, limit=limit):
        name, label = NOTICE_KINDS[n.kind]
        data = n.data if isinstance(n.data, dict) else {}
        out.append(Notice(pk=n.pk, kind=name, label=str(label), message=n.message, link=n.link,
                          plan_id=data.get("plan_id"), item_id=data.get("item_id"), created_at=n.created_at,
                          read_at=n.read_at))
    return out


def calendar_items(actor: Actor, *, start: dt.date, end: dt.date) -> list[PlanItem]:
    """The open dated items (1:1s, skill assessments, reports) of the plans the actor takes part in, as
    mentee or mentor, due between ``start`` and ``end``: for the person's calendar feed. One query."""
    if actor.employee is None:
        return []
    me = actor.employee.pk
    return list(access.visible_items(actor)
                .filter(Q(plan__mentee_id=me) | Q(plan__mentor__employee_id=me),
                        plan__status__in=(PlanStatus.APPROVED, PlanStatus.ACTIVE),
                        completed_on__isnull=True, due_on__gte=start, due_on__lte=end)
                .select_related("plan__mentee", "plan__mentor__employee").order_by("due_on", "id"))


def plan_with_people(plan_id: int) -> MentoringPlan | None:
    """A plan with its mentee, mentor and programme (one query), for an outbound event; None when gone."""
    return (MentoringPlan.objects.select_related("mentee", "mentor__employee", "template")
            .filter(pk=plan_id).first())
