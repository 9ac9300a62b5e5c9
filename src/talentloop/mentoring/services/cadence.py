"""Cadence and follow-through: completing schedule items, and the daily jobs that remind both
sides before a due date and alert the mentor's manager when an item is overdue.

The daily jobs take the date they run "as of" and are idempotent per item:
- a reminder goes out by the first run on or after ``due_on − reminder_days`` (so a missed run
  catches up) while the item is still open and not yet due-passed; ``reminded_on`` records it and
  the notification's dedupe key (the item) makes a concurrent second run harmless;
- an overdue alert goes to the mentor's manager by the first run on or after
  ``due_on + escalate_after_days`` (default: the day after), once per item (``escalated_on``).
Each job is a few set-based queries, whatever the number of plans.
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from talentloop.core import cache
from talentloop.core.access import Actor
from talentloop.core.audit.services import audit_record
from talentloop.core.errors import Conflict, InvalidInput, PermissionDenied, errors_from_validation
from talentloop.mentoring import access
from talentloop.mentoring.models import (
    ItemKind,
    MentoringPlan,
    PlanItem,
    PlanReport,
    PlanStatus,
    SessionRecord,
    SkillAssessment,
)
from talentloop.mentoring.notification_kinds import ITEM_OVERDUE, SESSION_DUE
from talentloop.mentoring.services.qualification import current_policy
from talentloop.mentoring.services.surveys import send_due_surveys
from talentloop.notifications.services import Item, notify_each

DEFAULT_REMINDER_DAYS = 5
DEFAULT_ESCALATE_AFTER_DAYS = 1
# Plans whose open items are followed up (a completed plan's forgotten items still escalate).
FOLLOWED_STATUSES = (PlanStatus.APPROVED, PlanStatus.ACTIVE, PlanStatus.COMPLETED)


def _clean(obj: models.Model, exclude: list[str] | None = None) -> None:
    try:
        obj.full_clean(exclude=exclude)
    except ValidationError as exc:
        raise InvalidInput(_("Please correct the errors below."), errors_from_validation(exc)) from exc


# ---------------------------------------------------------------- completing items


def _locked_item(item: PlanItem) -> PlanItem:
    return (PlanItem.objects.select_for_update(of=("self",))
            .select_related("plan__mentor__employee", "plan__mentee__org_unit").get(pk=item.pk))


def _check_completion(actor: Actor, item: PlanItem, kind: str, day: dt.date) -> None:
    if item.kind != kind:
        raise InvalidInput(_("This item is a %(kind)s.") % {"kind": item.get_kind_display()},
                           {"kind": [_("Wrong kind of record for this item.")]})
    if item.completed_on is not None:
        raise Conflict(_("This item is already done."))
    if not access.can_complete_item(actor, item):
        raise PermissionDenied(_("Only the mentor records this item."))
    if day > timezone.localdate():
        raise InvalidInput(_("Please correct the errors below."), {"date": [_("The date cannot be in the future.")]})
    if day < item.plan.starts_on:
        raise InvalidInput(_("Please correct the errors below."),
                           {"date": [_("The date is before the plan started.")]})


def _done(actor: Actor, item: PlanItem, day: dt.date, changes: dict) -> None:
    item.completed_on, item.done_by = day, actor.user
    item.save(update_fields=["completed_on", "done_by"])
    audit_record(actor=actor, action="update", obj=item, summary=f"{item.kind} recorded",
                 changes={"completed_on": str(day), **changes})


@transaction.atomic
def session_record(*, actor: Actor, item: PlanItem, held_on: dt.date, duration_minutes: int,
                   topic_ids: list[int] | None = None, notes: str = "", agreed_actions: str = "") -> SessionRecord:
    """The mentor records a 1:1: date, duration, topics covered, notes and agreed actions."""
    item = _locked_item(item)
    _check_completion(actor, item, ItemKind.ONE_TO_ONE, held_on)
    topics = list(item.plan.topics.filter(pk__in=topic_ids or []))
    if len(topics) != len(set(topic_ids or [])):
        raise InvalidInput(_("Please correct the errors below."), {"topics": [_("Choose topics of this plan.")]})
    record = SessionRecord(plan=item.plan, item=item, held_on=held_on, duration_minutes=duration_minutes,
                           notes=(notes or "").strip(), agreed_actions=(agreed_actions or "").strip(),
                           recorded_by=actor.user)
    _clean(record)
    record.save()
    record.topics.set(topics)
    _done(actor, item, held_on, {"duration_minutes": duration_minutes, "topics": [t.title for t in topics]})
    return record


@transaction.atomic
def skill_assessment_record(*, actor: Actor, item: PlanItem, score: Decimal, assessed_on: dt.date,
                            skill: str = "", note: str = "") -> SkillAssessment:
    item = _locked_item(item)
    _check_completion(actor, item, ItemKind.SKILL_ASSESSMENT, assessed_on)
    assessment = SkillAssessment(employee=item.plan.mentee, plan=item.plan, item=item, skill=skill or "",
                                 score=score, assessed_on=assessed_on, note=(note or "").strip(),
                                 recorded_by=actor.user)
    _clean(assessment)
    assessment.save()
    _done(actor, item, assessed_on, {"score": str(score)})
    return assessment


@transaction.atomic
def plan_report_record(*, actor: Actor, item: PlanItem, text: str, written_on: dt.date | None = None) -> PlanReport:
    written_on = written_on or timezone.localdate()
    item = _locked_item(item)
    _check_completion(actor, item, ItemKind.RESULTS_REPORT, written_on)
    if not (text or "").strip():
        raise InvalidInput(_("Please correct the errors below."), {"text": [_("This field is required.")]})
    report = PlanReport(plan=item.plan, item=item, text=text.strip(), written_on=written_on, written_by=actor.user)
    _clean(report)
    report.save()
    _done(actor, item, written_on, {"length": len(report.text)})
    return report


def plan_item_complete(*, actor: Actor, item: PlanItem, data: dict[str, Any]) -> Any:
    """One entry point for the web and the API: the record that completes an item of this kind."""
    if item.kind == ItemKind.ONE_TO_ONE:
        return session_record(actor=actor, item=item, held_on=data["held_on"],
                              duration_minutes=data["duration_minutes"], topic_ids=data.get("topics") or [],
                              notes=data.get("notes", ""), agreed_actions=data.get("agreed_actions", ""))
    if item.kind == ItemKind.SKILL_ASSESSMENT:
        return skill_assessment_record(actor=actor, item=item, score=data["score"], assessed_on=data["assessed_on"],
                                       skill=data.get("skill", ""), note=data.get("note", ""))
    return plan_report_record(actor=actor, item=item, text=data.get("text", ""), written_on=data.get("written_on"))


def cadence_settings() -> tuple[int, int]:
    policy = current_policy()
    if policy is None:
        return DEFAULT_REMINDER_DAYS, DEFAULT_ESCALATE_AFTER_DAYS
    return policy.reminder_days, policy.escalate_after_days


@transaction.atomic
def send_reminders(as_of: dt.date) -> int:
    """Remind mentor and mentee of every open item due within ``reminder_days`` of ``as_of``
    (and not yet past due) that has not been reminded. Returns the number of items reminded."""
    days, _esc = cadence_settings()
    rows = list(PlanItem.objects.filter(
        completed_on__isnull=True, reminded_on__isnull=True, due_on__gte=as_of,
        due_on__lte=as_of + dt.timedelta(days=days), plan__status__in=FOLLOWED_STATUSES,
    ).values("id", "kind", "due_on", "plan_id", "plan__mentor__employee_id", "plan__mentor__employee__name",
             "plan__mentor__employee__name_en", "plan__mentee_id", "plan__mentee__name", "plan__mentee__name_en"))
    if not rows:
        return 0
    items: list[Item] = []
    for r in rows:
        left = (r["due_on"] - as_of).days
        mentor = (r["plan__mentor__employee__name"], r["plan__mentor__employee__name_en"] or "")
        mentee = (r["plan__mentee__name"], r["plan__mentee__name_en"] or "")
        for recipient, other in ((r["plan__mentor__employee_id"], mentee), (r["plan__mentee_id"], mentor)):
            data = {"item_kind": r["kind"], "due_on": r["due_on"].isoformat(), "days": left, "other": other[0],
                    "other_en": other[1], "plan_id": r["plan_id"], "item_id": r["id"]}
            # The key names the item: a concurrent second run tells nobody twice.
            items.append(Item(recipient, data, f"/mentoring/plans/{r['plan_id']}/", f"item:{r['id']}"))
    notify_each(kind=SESSION_DUE.key, items=items)
    ids = [r["id"] for r in rows]
    for i in range(0, len(ids), 5000):
        PlanItem.objects.filter(pk__in=ids[i:i + 5000], reminded_on__isnull=True).update(reminded_on=as_of)
    cache.bump_people(p for r in rows for p in (r["plan__mentor__employee_id"], r["plan__mentee_id"]))
    return len(rows)


@transaction.atomic
def escalate_overdue(as_of: dt.date) -> int:
    """Alert the mentor's manager once about each open item overdue as of ``as_of``.
    Returns the number of items escalated (an item whose mentor has no manager is marked too,
    so it is not looked at again)."""
    _days, after = cadence_settings()
    rows = list(PlanItem.objects.filter(
        completed_on__isnull=True, escalated_on__isnull=True, due_on__lte=as_of - dt.timedelta(days=after),
        plan__status__in=FOLLOWED_STATUSES,
    ).values("id", "kind", "due_on", "plan_id", "plan__mentor__employee__manager_id", "plan__mentor__employee__name",
             "plan__mentor__employee__name_en", "plan__mentee__name", "plan__mentee__name_en"))
    if not rows:
        return 0
    items: list[Item] = []
    for r in rows:
        manager = r["plan__mentor__employee__manager_id"]
        if manager is None:
            continue
        data = {"item_kind": r["kind"], "due_on": r["due_on"].isoformat(),
                "mentor": r["plan__mentor__employee__name"],
                "mentor_en": r["plan__mentor__employee__name_en"] or "",
                "mentee": r["plan__mentee__name"], "mentee_en": r["plan__mentee__name_en"] or "",
                "plan_id": r["plan_id"], "item_id": r["id"]}
        items.append(Item(manager, data, "/mentoring/overdue/", f"item:{r['id']}"))
    notify_each(kind=ITEM_OVERDUE.key, items=items)
    ids = [r["id"] for r in rows]
    for i in range(0, len(ids), 5000):
        PlanItem.objects.filter(pk__in=ids[i:i + 5000], escalated_on__isnull=True).update(escalated_on=as_of)
    cache.bump_people((), everyone=True)  # the daily escalation: whoever's plan it was
    return len(rows)


@transaction.atomic
def advance_plans(as_of: dt.date) -> dict[str, int]:
    """Approved plans start on their start date; active plans complete after their end date."""
    started = MentoringPlan.objects.filter(status=PlanStatus.APPROVED, starts_on__lte=as_of).update(
        status=PlanStatus.ACTIVE)
    completed = MentoringPlan.objects.filter(status=PlanStatus.ACTIVE, ends_on__lt=as_of).update(
        status=PlanStatus.COMPLETED, completed_on=as_of)
    if started or completed:
        cache.bump_people((), everyone=True)  # the daily advance of plans, through one statement each
    return {"started": started, "completed": completed}


# The daily jobs in the order ``talentloop run-reminders --date`` runs them; the scheduler runs each
# as its own periodic task (``mentoring/tasks.py``). Each takes the date it runs as of, returns a
# JSON-able summary and is idempotent for a date (running twice sends nothing twice).
DAILY_JOBS: tuple[Callable[[dt.date], Any], ...] = (advance_plans, send_reminders, escalate_overdue,
                                                     send_due_surveys)


def run_daily(as_of: dt.date) -> dict[str, Any]:
    """Every daily job as of ``as_of``, in order, with the seconds each took."""
    out: dict[str, Any] = {"as_of": as_of.isoformat()}
    seconds: dict[str, float] = {}
    for job in DAILY_JOBS:
        started = time.perf_counter()
        out[job.__name__] = job(as_of)
        seconds[job.__name__] = round(time.perf_counter() - started, 3)
    out["seconds"] = seconds
    return out
