"""Reads of onboarding data; every one starts from an access scope and runs a fixed number of
queries whatever the number of rows."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field

from django.db.models import Count, Exists, F, OuterRef, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from talentloop.core.access import Actor
from talentloop.mentoring.models import MenteeType, MentoringPlan, PlanStatus
from talentloop.onboarding import access
from talentloop.onboarding.models import Checklist, ChecklistStep, ChecklistTemplate
from talentloop.organisation.models import Employee, JobFamily, OrgUnit

NEW_HIRE_DAYS = 90
MAX_LIMIT = 300


# ---------------------------------------------------------------- templates


def template_list(actor: Actor) -> list[ChecklistTemplate]:
    return list(access.visible_templates(actor).select_related("org_unit", "job_family")
                .annotate(step_count=Count("steps")).order_by("name", "id"))


def template_get(actor: Actor, pk: int) -> ChecklistTemplate | None:
    return (access.visible_templates(actor).select_related("org_unit", "job_family")
            .prefetch_related("steps").filter(pk=pk).first())


def template_list_full(actor: Actor) -> list[ChecklistTemplate]:
    """Templates with their steps, for the API: two queries."""
    return list(access.visible_templates(actor).prefetch_related("steps").order_by("name", "id"))


def startable_template_get(actor: Actor, pk: int) -> ChecklistTemplate | None:
    """An active template, for whoever may start a checklist (managers pick one too)."""
    if not access.can_start_checklist(actor):
        return None
    return ChecklistTemplate.objects.filter(pk=pk, active=True).prefetch_related("steps").first()


def org_unit_get(actor: Actor, pk: int) -> OrgUnit | None:
    return OrgUnit.objects.filter(pk=pk).first() if actor.is_authenticated else None


def job_family_get(actor: Actor, pk: int) -> JobFamily | None:
    return JobFamily.objects.filter(pk=pk).first() if actor.is_authenticated else None


def resolve_template(templates: list[ChecklistTemplate], unit_path: str,
                     job_family_id: int | None) -> ChecklistTemplate | None:
    """The deepest org unit containing the person's wins (none = the whole organisation), then a
    job-family match; ties go to the newest template."""
    best, best_key = None, None
    for tpl in templates:
        if not tpl.active:
            continue
        if tpl.job_family_id is not None and tpl.job_family_id != job_family_id:
            continue
        if tpl.org_unit is not None and not unit_path.startswith(tpl.org_unit.path):
            continue
        depth = tpl.org_unit.depth if tpl.org_unit is not None else -1
        key = (depth, 1 if tpl.job_family_id is not None else 0, tpl.pk)
        if best_key is None or key > best_key:
            best, best_key = tpl, key
    return best


def active_templates() -> list[ChecklistTemplate]:
    """Every active template with its unit and steps: three queries, used by the services."""
    return list(ChecklistTemplate.objects.filter(active=True).select_related("org_unit")
                .prefetch_related("steps"))


# ---------------------------------------------------------------- checklists


@dataclass
class Week:
    number: int  # 0: before day one
    label: str
    steps: list[ChecklistStep] = field(default_factory=list)


@dataclass
class OnboardingSummary:
    checklist: Checklist
    employee: Employee
    steps: list[ChecklistStep]
    done: int
    total: int
    percent: int
    overdue: int
    next_steps: list[ChecklistStep]
    tickable: frozenset[str] = frozenset()

    @property
    def complete(self) -> bool:
        return self.checklist.completed_at is not None

    @property
    def weeks(self) -> list[Week]:
        """The steps grouped by week from the start date (week 1 = days 0–6)."""
        weeks: dict[int, Week] = {}
        for step in self.steps:
            days = (step.due_on - self.checklist.start_date).days
            number = 0 if days < 0 else days // 7 + 1
            if number not in weeks:
                label = _("Before day one") if number == 0 else _("Week %(n)d") % {"n": number}
                weeks[number] = Week(number, label)
            weeks[number].steps.append(step)
        return [weeks[k] for k in sorted(weeks)]


def _percent(done: int, total: int) -> int:
    return round(100 * done / total) if total else 0


def _mark(steps: list[ChecklistStep], today: dt.date, tickable: frozenset[str]) -> None:
    for s in steps:
        s.is_done = s.done_at is not None
        s.is_overdue = not s.is_done and s.due_on < today
        s.is_due_soon = not s.is_done and today <= s.due_on <= today + dt.timedelta(days=2)
        s.can_tick = s.owner in tickable


def checklist_summary(actor: Actor, checklist: Checklist, today: dt.date | None = None, *,
                      with_tickable: bool = True) -> OnboardingSummary:
    today = today or timezone.localdate()
    steps = list(checklist.steps.select_related("done_by").order_by("due_on", "order", "id"))
    tickable = access.tickable_owners(actor, checklist.employee) if with_tickable else frozenset()
    _mark(steps, today, tickable)
    open_steps = [s for s in steps if not s.is_done]
    done = len(steps) - len(open_steps)
    return OnboardingSummary(
        checklist=checklist, employee=checklist.employee, steps=steps, done=done, total=len(steps),
        percent=_percent(done, len(steps)), overdue=len([s for s in open_steps if s.is_overdue]),
        next_steps=open_steps[:3], tickable=tickable)


def checklist_for(actor: Actor, employee: Employee) -> Checklist | None:
    """The person's open checklist, else their latest one."""
    return (access.visible_checklists(actor).filter(employee=employee)
            .select_related("employee__org_unit", "employee__manager", "template")
            .order_by(F("completed_at").desc(nulls_first=True), "-start_date", "-id").first())


def onboarding_summary(actor: Actor, employee: Employee, today: dt.date | None = None) -> OnboardingSummary | None:
    """Progress, the next steps with their due dates and the overdue count of the person's
    checklist (None when they have none or the actor may not see it). Two queries for the home page
    (the checklist, its steps); tick permissions are worked out only for the actor's own checklist."""
    own = access.is_self(actor, employee)
    if own:
        # The person's own checklist is always theirs to see: no scope to build, and the employee
        # already loaded (every home page asks this) instead of joining it again.
        checklist = next(iter(Checklist.objects.filter(employee_id=employee.pk).select_related("template")
                              .order_by(F("completed_at").desc(nulls_first=True), "-start_date", "-id")[:1]), None)
        if checklist is not None:
            checklist.employee = employee
    else:
        checklist = checklist_for(actor, employee)
    if checklist is None:
        return None
    summary = checklist_summary(actor, checklist, today, with_tickable=False)
    if own:
        summary.tickable = access.tickable_owners(actor, checklist.employee, mentor=False)
        _mark(summary.steps, today or timezone.localdate(), summary.tickable)
    return summary


def checklist_get(actor: Actor, pk: int) -> Checklist | None:
    return (access.visible_checklists(actor).select_related("employee__org_unit", "employee__manager", "template")
            .filter(pk=pk).first())


def step_get(actor: Actor, pk: int) -> ChecklistStep | None:
    return (access.visible_steps(actor).select_related("checklist__employee__org_unit", "done_by")
            .filter(pk=pk).first())


def _with_progress(qs: QuerySet[Checklist], today: dt.date) -> QuerySet[Checklist]:
    return qs.annotate(
        total=Count("steps"),
        done=Count("steps", filter=Q(steps__done_at__isnull=False)),
        overdue=Count("steps", filter=Q(steps__done_at__isnull=True, steps__due_on__lt=today)),
    )


def _rows(checklists: list[Checklist]) -> list[Checklist]:
    for c in checklists:
        c.percent = _percent(c.done, c.total)
    return checklists


def checklist_list(actor: Actor, *, status: str = "open", limit: int = 200,
                   today: dt.date | None = None) -> list[Checklist]:
    """HR's list of checklists with progress: one query whatever the number of rows."""
    limit = max(1, min(limit, MAX_LIMIT))
    return checklist_rows(list(checklist_queryset(actor, status=status, today=today)[:limit]))


def checklist_queryset(actor: Actor, *, status: str = "open", search: str = "",
                       today: dt.date | None = None) -> QuerySet[Checklist]:
    """The checklists with their progress, the latest start first (the page pages it); ``search``
    matches the new hire's name, its pinyin (full or initials) or employee number."""
    today = today or timezone.localdate()
    qs = access.visible_checklists(actor)
    if status == "open":
        qs = qs.filter(completed_at__isnull=True)
    elif status == "done":
        qs = qs.filter(completed_at__isnull=False)
    term = " ".join(search.split()).lower()[:100]
    if term:
        qs = qs.filter(Q(employee__search_key__contains=term)
                       | Q(employee__search_key__contains=term.replace(" ", "")))
    return (_with_progress(qs, today).select_related("employee__org_unit", "employee__job_family",
                                                       "employee__manager")
            .defer("employee__national_id", "employee__bank_account",
                   "employee__manager__national_id", "employee__manager__bank_account")
            .order_by("-start_date", "-id"))


def checklist_rows(checklists: list[Checklist]) -> list[Checklist]:
    """A page of ``checklist_queryset`` with the figures each row shows."""
    return _rows(checklists)


def my_checklists(actor: Actor, *, today: dt.date | None = None) -> list[Checklist]:
    """Checklists the actor may see, with progress (the API's scoped list)."""
    return checklist_list(actor, status="all", today=today)


@dataclass
class TeamRow:
    employee: Employee
    checklist: Checklist
    done: int
    total: int
    percent: int
    overdue: int


def team_onboarding(actor: Actor, manager_employee: Employee, today: dt.date | None = None,
                    *, recent_days: int = 30) -> list[TeamRow]:
    """The new hires below ``manager_employee`` with their progress: open checklists and those
    completed in the last ``recent_days``. One query."""
    today = today or timezone.localdate()
    since = timezone.now() - dt.timedelta(days=recent_days)
    # The actor's own reporting tree is theirs to see (visible_checklists grants exactly that prefix to
    # anyone with reports): the general scope is built only when asking about someone else's tree.
    own_tree = access.is_self(actor, manager_employee) and actor.has_reports
    scope = Checklist.objects.all() if own_tree else access.visible_checklists(actor)
    qs = (scope.filter(employee__manager_path__startswith=manager_employee.reports_prefix)
          .filter(Q(completed_at__isnull=True) | Q(completed_at__gte=since)))
    rows = _rows(list(_with_progress(qs, today).select_related("employee__org_unit")
                      .only("id", "employee_id", "template_id", "template_name", "start_date", "created_at",
                            "created_by_id", "completed_at", "employee__id", "employee__name", "employee__name_en",
                            "employee__org_unit_id", "employee__org_unit__id", "employee__org_unit__name",
                            "employee__org_unit__name_en")
                      .order_by(F("completed_at").desc(nulls_first=True), "start_date", "id")[:MAX_LIMIT]))
    return [TeamRow(employee=c.employee, checklist=c, done=c.done, total=c.total, percent=c.percent,
                    overdue=c.overdue) for c in rows]


# One page may ask is_new_hire for the same person several times (the home page's roles, learning's
# audience for recommendations and resources). ``new_hire_known`` answers it once for a block of code;
# a context variable, so it ends with the block and never leaks into another request.
_KNOWN_NEW_HIRE: ContextVar[tuple[int, dt.date, bool] | None] = ContextVar("known_new_hire", default=None)


@contextmanager
def new_hire_known(employee: Employee, today: dt.date) -> Iterator[bool]:
    """Within the block, ``is_new_hire(employee, today)`` is answered from one check made here."""
    token = _KNOWN_NEW_HIRE.set(None)
    answer = is_new_hire(employee, today)
    _KNOWN_NEW_HIRE.set((employee.pk, today, answer))
    try:
        yield answer
    finally:
        _KNOWN_NEW_HIRE.reset(token)


def is_new_hire(employee: Employee, today: dt.date) -> bool:
    """In the first 90 days since the hire date, or mentored in an active new-graduate programme."""
    known = _KNOWN_NEW_HIRE.get()
    if known is not None and known[0] == employee.pk and known[1] == today:
        return known[2]
    days = (today - employee.hire_date).days
    if 0 <= days < NEW_HIRE_DAYS:
        return True
    return MentoringPlan.objects.filter(mentee=employee, status=PlanStatus.ACTIVE,
                                        template__mentee_type=MenteeType.NEW_GRADUATE).exists()


def start_subject_get(actor: Actor, *, employee_number: str = "", pk: int | None = None) -> Employee | None:
    qs = access.start_subjects(actor).select_related("org_unit", "manager")
    if pk is not None:
        return qs.filter(pk=pk).first()
    if employee_number:
        return qs.filter(employee_number=employee_number.strip()).first()
    return None


def people_without_checklist(since: dt.date, until: dt.date) -> QuerySet[Employee]:
    """Active people hired in [since, until] who never had a checklist (no scope: the daily job)."""
    has = Checklist.objects.filter(employee=OuterRef("pk"))
    return (Employee.objects.filter(status="active", hire_date__gte=since, hire_date__lte=until)
            .exclude(Exists(has)).select_related("org_unit"))
