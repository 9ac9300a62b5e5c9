"""Programme templates and mentoring plans: tailoring, submission, HR's approval and the schedule.

The rules of a plan live here and nowhere else: core topics are kept, a mentee has at most one
active plan per programme, a mentor never exceeds their capacity, and the pair passes
``rules.pair_violations`` (the same check the matching engine uses).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from talentloop.core import cache
from talentloop.core.access import Actor
from talentloop.core.audit.services import audit_record
from talentloop.core.errors import Conflict, InvalidInput, PermissionDenied, errors_from_validation
from talentloop.mentoring import access, people, signals
from talentloop.mentoring.growth import add_months
from talentloop.mentoring.models import (
    CAPACITY_PLAN_STATUSES,
    CadenceRule,
    ItemKind,
    MenteeType,
    Mentor,
    MentoringPlan,
    PlanItem,
    PlanStatus,
    PlanTopic,
    ProgrammeTemplate,
    TemplateTopic,
)
from talentloop.mentoring.notification_kinds import PLAN_APPROVED, PLAN_RETURNED
from talentloop.mentoring.rules import pair_violations
from talentloop.mentoring.services.qualification import current_policy
from talentloop.notifications.services import Item, notify_each
from talentloop.organisation.models import Employee, JobFamily

INVALID = gettext_lazy("Please correct the errors below.")


def _clean(obj: models.Model, exclude: list[str] | None = None) -> None:
    try:
        obj.full_clean(exclude=exclude)
    except ValidationError as exc:
        raise InvalidInput(INVALID, errors_from_validation(exc)) from exc


def norm_title(title: str) -> str:
    """How topic titles are compared: case-insensitive, whitespace collapsed."""
    return re.sub(r"\s+", " ", (title or "").strip()).casefold()


def _clean_goals(goals: Iterable[str] | str | None) -> list[str]:
    if isinstance(goals, str):
        goals = goals.splitlines()
    return [g.strip()[:300] for g in (goals or []) if g and g.strip()][:30]


def _topic_entries(topics: Iterable[Any] | str | None) -> list[dict]:
    """Topics as ``[{"title", "description"}]`` from a list of dicts or strings, or from text
    with one topic per line (an optional " — description" or " | description" after the title)."""
    if isinstance(topics, str):
        topics = topics.splitlines()
    out = []
    for t in topics or []:
        if isinstance(t, dict):
            title, description = str(t.get("title") or "").strip(), str(t.get("description") or "").strip()
        else:
            text = str(t).strip().lstrip("*-• ").strip()
            parts = re.split(r"\s+[|—]\s+", text, maxsplit=1)
            title = parts[0].strip()
            description = parts[1].strip() if len(parts) > 1 else ""
        if title:
            out.append({"title": title[:200], "description": description[:500]})
    return out


# ---------------------------------------------------------------- templates


@transaction.atomic
def programme_template_save(
    *, actor: Actor, template: ProgrammeTemplate | None = None, name: str, name_en: str = "",
    mentee_type: str, job_family: JobFamily | None = None, description: str = "",
    goals: Iterable[str] | str = (), duration_months: int = 6, allow_mentee_choice: bool = False,
    is_active: bool = True, topics: list[dict] | None = None, cadence: list[dict] | None = None,
) -> ProgrammeTemplate:
    """Create or edit a template. ``topics``: ordered ``[{title, description, core}]``;
    ``cadence``: ``[{kind, every_months}]``. Existing plans keep their copies of goals and topics."""
    if not access.can_manage_mentoring(actor):
        raise PermissionDenied(_("Only HR defines programme templates."))
    obj = template or ProgrammeTemplate()
    obj.name, obj.name_en, obj.mentee_type, obj.description = name, name_en, mentee_type, description
    obj.job_family = job_family if mentee_type == MenteeType.JOB_FAMILY else None
    obj.goals, obj.duration_months = _clean_goals(goals), duration_months
    obj.allow_mentee_choice, obj.is_active = allow_mentee_choice, is_active
    errors: dict[str, list[str]] = {}
    if mentee_type == MenteeType.JOB_FAMILY and job_family is None:
        errors["job_family"] = [_("A job-family programme names its job family.")]
    topic_rows = [{**t, "core": bool(t.get("core"))} for t in (topics or []) if str(t.get("title") or "").strip()]
    titles = [norm_title(t["title"]) for t in topic_rows]
    if len(set(titles)) != len(titles):
        errors["topics"] = [_("Each topic title may appear only once.")]
    cadence_rows = [c for c in (cadence or []) if c.get("kind") and c.get("every_months")]
    kinds = [c["kind"] for c in cadence_rows]
    if len(set(kinds)) != len(kinds):
        errors["cadence"] = [_("Each kind of item may have only one cadence.")]
    for i, c in enumerate(cadence_rows):
        if c["kind"] not in ItemKind.values:
            errors[f"cadence.{i}.kind"] = [_("Unknown kind of item.")]
        elif not (1 <= int(c["every_months"]) <= 24):
            errors[f"cadence.{i}.every_months"] = [_("Between 1 and 24 months.")]
    if errors:
        raise InvalidInput(INVALID, errors)
    _clean(obj)
    created = obj.pk is None
    obj.save()
    existing = {norm_title(t.title): t for t in obj.topics.all()} if not created else {}
    keep: list[int] = []
    for order, row in enumerate(topic_rows):
        topic = existing.get(norm_title(row["title"])) or TemplateTopic(template=obj)
        topic.title, topic.description = row["title"].strip()[:200], str(row.get("description") or "")[:500]
        topic.core, topic.order = row["core"], order
        topic.save()
        keep.append(topic.pk)
    obj.topics.exclude(pk__in=keep).delete()
    obj.cadence.all().delete()
    CadenceRule.objects.bulk_create([CadenceRule(template=obj, kind=c["kind"], every_months=int(c["every_months"]))
                                     for c in cadence_rows])
    audit_record(actor=actor, action="create" if created else "update", obj=obj,
                 changes={"mentee_type": mentee_type, "duration_months": duration_months,
                          "core_topics": [t["title"] for t in topic_rows if t["core"]],
                          "cadence": {c["kind"]: int(c["every_months"]) for c in cadence_rows}})
    return obj


# ---------------------------------------------------------------- plans: building and tailoring


def _tailor_topics(template: ProgrammeTemplate, entries: list[dict]) -> list[dict]:
    """The plan's topics in the mentor's order, each core topic of the template kept (and marked
    core). Dropping a core topic is refused with an error that names it."""
    template_topics = list(template.topics.all())
    by_title = {norm_title(t.title): t for t in template_topics}
    seen: set[str] = set()
    rows: list[dict] = []
    errors: list[str] = []
    for entry in entries:
        key = norm_title(entry["title"])
        if key in seen:
            errors.append(_("The topic “%(title)s” is listed twice.") % {"title": entry["title"]})
            continue
        seen.add(key)
        source = by_title.get(key)
        rows.append({"title": source.title if source else entry["title"],
                     "description": entry.get("description") or (source.description if source else ""),
                     "core": bool(source and source.core), "template_topic": source})
    for t in template_topics:
        if t.core and norm_title(t.title) not in seen:
            errors.append(_("The core topic “%(title)s” cannot be dropped: every plan of this programme must "
                            "cover it.") % {"title": t.title})
    if errors:
        raise InvalidInput(errors[0] if len(errors) == 1 else INVALID, {"topics": errors})
    if not rows:
        raise InvalidInput(INVALID, {"topics": [_("A plan needs at least one topic.")]})
    return rows


def _replace_topics(plan: MentoringPlan, rows: list[dict]) -> None:
    plan.topics.all().delete()
    PlanTopic.objects.bulk_create([PlanTopic(plan=plan, title=r["title"], description=r["description"][:500],
                                             core=r["core"], order=i, template_topic=r["template_topic"])
                                   for i, r in enumerate(rows)])
    cache.bump_people(people.of_plan(plan))  # bulk_create sends no post_save


def _pair_errors(mentor: Mentor, mentee: Employee, template: ProgrammeTemplate) -> list[str]:
    problems = pair_violations(mentor, mentee, current_policy())
    if template.mentee_type == MenteeType.JOB_FAMILY and template.job_family_id != mentee.job_family_id:
        problems.append(_("This programme is for the job family “%(family)s”.") % {"family": template.job_family})
    return problems


@transaction.atomic
def mentoring_plan_create(
    *, actor: Actor, mentor: Mentor, mentee: Employee, template: ProgrammeTemplate, starts_on: dt.date,
    goals: Iterable[str] | str | None = None, topics: Iterable[Any] | str | None = None,
    duration_months: int | None = None,
) -> MentoringPlan:
    """A draft plan from a template: the template's goals and topics unless tailored ones are given."""
    if not access.can_start_plan(actor, mentor, mentee):
        raise PermissionDenied(_("Only HR or the mentor themselves can start a plan."))
    if not template.is_active:
        raise InvalidInput(INVALID, {"template": [_("This programme is no longer offered.")]})
    problems = _pair_errors(mentor, mentee, template)
    if problems:
        raise InvalidInput(problems[0], {"mentee": problems})
    entries = _topic_entries(topics) if topics is not None else [
        {"title": t.title, "description": t.description} for t in template.topics.all()]
    rows = _tailor_topics(template, entries)
    months = duration_months or template.duration_months
    plan = MentoringPlan(mentor=mentor, mentee=mentee, template=template, starts_on=starts_on,
                         ends_on=add_months(starts_on, months),
                         goals=_clean_goals(goals) if goals is not None else list(template.goals),
                         created_by=actor.user)
    _clean(plan)
    plan.save()
    _replace_topics(plan, rows)
    audit_record(actor=actor, action="create", obj=plan,
                 changes={"mentor": str(mentor.employee_id), "mentee": str(mentee.pk), "template": str(template.pk),
                          "starts_on": str(starts_on), "topics": [r["title"] for r in rows]})
    return plan


def _locked(plan: MentoringPlan) -> MentoringPlan:
    return (MentoringPlan.objects.select_for_update(of=("self",))
            .select_related("mentor__employee", "mentee__org_unit", "template").get(pk=plan.pk))


@transaction.atomic
def mentoring_plan_update(
    *, actor: Actor, plan: MentoringPlan, goals: Iterable[str] | str | None = None,
    topics: Iterable[Any] | str | None = None, starts_on: dt.date | None = None, duration_months: int | None = None,
) -> MentoringPlan:
    """Tailor a draft or returned plan: goals, topics (add, reorder; core topics stay), dates."""
    plan = _locked(plan)
    if not access.can_edit_plan(actor, plan):
        raise PermissionDenied(_("This plan cannot be changed now."))
    changes: dict[str, Any] = {}
    if topics is not None:
        rows = _tailor_topics(plan.template, _topic_entries(topics))
        _replace_topics(plan, rows)
        changes["topics"] = [r["title"] for r in rows]
    if goals is not None:
        plan.goals = _clean_goals(goals)
        changes["goals"] = plan.goals
    if starts_on is not None or duration_months is not None:
        months = duration_months or _months_between(plan.starts_on, plan.ends_on) or plan.template.duration_months
        plan.starts_on = starts_on or plan.starts_on
        plan.ends_on = add_months(plan.starts_on, months)
        changes.update(starts_on=str(plan.starts_on), ends_on=str(plan.ends_on))
    _clean(plan)
    plan.save()
    audit_record(actor=actor, action="update", obj=plan, changes=changes)
    return plan


def _months_between(start: dt.date, end: dt.date) -> int:
    return (end.year - start.year) * 12 + end.month - start.month


def _check_places(plan: MentoringPlan, *, approving: bool) -> None:
    """At most one active plan per mentee and programme; the mentor's capacity is never exceeded.
    The caller holds the mentor row locked, so two approvals cannot both take the last place."""
    others = MentoringPlan.objects.filter(mentee=plan.mentee, template=plan.template).exclude(pk=plan.pk)
    if others.filter(status__in=[PlanStatus.APPROVED, PlanStatus.ACTIVE]).exists():
        raise Conflict(_("%(mentee)s already has an active plan in this programme.")
                       % {"mentee": plan.mentee.display_name}, {"mentee": [_("Already has an active plan.")]})
    if not approving and others.filter(status=PlanStatus.SUBMITTED).exists():
        raise Conflict(_("%(mentee)s already has a plan in this programme waiting for HR.")
                       % {"mentee": plan.mentee.display_name}, {"mentee": [_("A plan is already waiting.")]})
    mentor = plan.mentor
    taken = (MentoringPlan.objects.filter(mentor=mentor, status__in=CAPACITY_PLAN_STATUSES)
             .exclude(pk=plan.pk).count())
    if taken >= mentor.capacity:
        raise Conflict(_("%(mentor)s already mentors %(taken)s of %(capacity)s possible mentees.")
                       % {"mentor": mentor.employee.display_name, "taken": taken, "capacity": mentor.capacity},
                       {"mentor": [_("The mentor has no free place.")]})


def _lock_mentor(plan: MentoringPlan) -> None:
    plan.mentor = Mentor.objects.select_for_update().select_related("employee").get(pk=plan.mentor_id)


def _check_rules(plan: MentoringPlan) -> None:
    problems = _pair_errors(plan.mentor, plan.mentee, plan.template)
    if problems:
        raise InvalidInput(problems[0], {"mentee": problems})
    _tailor_topics(plan.template, [{"title": t.title, "description": t.description} for t in plan.topics.all()])


def plan_submission_problems(plan: MentoringPlan) -> list[str]:
    """What would stop the plan's submission today, in the words submission uses; empty when it can go to HR.

    A draft may be saved with problems (the mentor works on it over days, and a place may free up); the plan
    page lists them beside a submit button that says why it is not available, so a draft is never silently
    unsubmittable. Submission itself still checks everything (``mentoring_plan_submit``).
    """
    problems: list[str] = []
    if not plan.template.is_active:
        problems.append(_("This programme is no longer offered."))
    problems += _pair_errors(plan.mentor, plan.mentee, plan.template)
    try:
        _tailor_topics(plan.template, [{"title": t.title, "description": t.description} for t in plan.topics.all()])
    except InvalidInput as exc:
        problems += exc.errors.get("topics") or [exc.detail]
    try:
        _check_places(plan, approving=False)
    except Conflict as exc:
        problems.append(exc.detail)
    return list(dict.fromkeys(problems))


def _notify_plan(plan: MentoringPlan, recipients: list[int | None], data: dict) -> None:
    """Tell the people of a plan about HR's decision (in this transaction; delivered after commit)."""
    kind = PLAN_RETURNED if data.get("decision") == "returned" else PLAN_APPROVED
    notify_each(kind=kind.key, items=[Item(r, {**data, "plan_id": plan.pk}, f"/mentoring/plans/{plan.pk}/")
                                      for r in dict.fromkeys(recipients) if r is not None])


@transaction.atomic
def mentoring_plan_submit(*, actor: Actor, plan: MentoringPlan) -> MentoringPlan:
    plan = _locked(plan)
    if not access.can_submit_plan(actor, plan):
        raise PermissionDenied(_("This plan cannot be submitted now."))
    _lock_mentor(plan)
    _check_rules(plan)
    _check_places(plan, approving=False)
    plan.status, plan.submitted_at = PlanStatus.SUBMITTED, timezone.now()
    plan.save(update_fields=["status", "submitted_at"])
    audit_record(actor=actor, action="update", obj=plan, summary="plan submitted", changes={"status": "submitted"})
    return plan


def schedule_dates(starts_on: dt.date, ends_on: dt.date, every_months: int) -> list[dt.date]:
    """Due dates every ``every_months`` months from the start, up to and including the end:
    a 6-month plan from 15 Jan with a monthly 1:1 is due 15 Feb, 15 Mar … 15 Jul."""
    out: list[dt.date] = []
    k = 1
    while True:
        due = add_months(starts_on, k * every_months)
        if due > ends_on:
            return out
        out.append(due)
        k += 1


def _generate_items(plan: MentoringPlan) -> list[PlanItem]:
    items = [PlanItem(plan=plan, kind=rule.kind, sequence=i, due_on=due)
             for rule in plan.template.cadence.all()
             for i, due in enumerate(schedule_dates(plan.starts_on, plan.ends_on, rule.every_months), start=1)]
    cache.bump_people(people.of_plan(plan))  # bulk_create sends no post_save
    return PlanItem.objects.bulk_create(items)


@transaction.atomic
def mentoring_plan_approve(*, actor: Actor, plan: MentoringPlan, comment: str = "",
                           today: dt.date | None = None) -> MentoringPlan:
    """HR approves a submitted plan: the schedule of dated items is generated and the plan becomes
    active (or approved, when it starts later)."""
    plan = _locked(plan)
    if not access.can_decide_plan(actor, plan):
        raise PermissionDenied(_("Only HR covering the mentee approves a submitted plan."))
    _lock_mentor(plan)
    _check_rules(plan)
    _check_places(plan, approving=True)
    today = today or timezone.localdate()
    plan.status = PlanStatus.ACTIVE if plan.starts_on <= today else PlanStatus.APPROVED
    plan.hr_comment = (comment or "").strip()
    plan.decided_by, plan.decided_at = actor.user, timezone.now()
    try:
        with transaction.atomic():
            plan.save(update_fields=["status", "hr_comment", "decided_by", "decided_at"])
    except IntegrityError as exc:
        raise Conflict(_("%(mentee)s already has an active plan in this programme.")
                       % {"mentee": plan.mentee.display_name}) from exc
    items = _generate_items(plan)
    audit_record(actor=actor, action="update", obj=plan, summary="plan approved",
                 changes={"status": plan.status, "items": len(items), "comment": plan.hr_comment})
    _notify_plan(plan, [plan.mentor.employee_id, plan.mentee_id],
                 {"decision": "approved", "template": plan.template.name, "template_en": plan.template.name_en,
                  "comment": plan.hr_comment})
    plan_id = plan.pk
    transaction.on_commit(lambda: signals.plan_approved.send(sender=MentoringPlan, plan_id=plan_id), robust=True)
    return plan


@transaction.atomic
def mentoring_plan_return(*, actor: Actor, plan: MentoringPlan, comment: str) -> MentoringPlan:
    plan = _locked(plan)
    if not access.can_decide_plan(actor, plan):
        raise PermissionDenied(_("Only HR covering the mentee returns a submitted plan."))
    comment = (comment or "").strip()
    if not comment:
        raise InvalidInput(_("Say what should change."), {"comment": [_("This field is required.")]})
    plan.status, plan.hr_comment = PlanStatus.RETURNED, comment
    plan.decided_by, plan.decided_at = actor.user, timezone.now()
    plan.save(update_fields=["status", "hr_comment", "decided_by", "decided_at"])
    audit_record(actor=actor, action="update", obj=plan, summary="plan returned",
                 changes={"status": "returned", "comment": comment})
    _notify_plan(plan, [plan.mentor.employee_id],
                 {"decision": "returned", "template": plan.template.name, "template_en": plan.template.name_en,
                  "comment": comment})
    return plan


@transaction.atomic
def mentoring_plan_cancel(*, actor: Actor, plan: MentoringPlan, reason: str = "") -> MentoringPlan:
    plan = _locked(plan)
    if not access.can_cancel_plan(actor, plan):
        raise PermissionDenied(_("This plan cannot be cancelled."))
    plan.status = PlanStatus.CANCELLED
    plan.hr_comment = (reason or plan.hr_comment or "").strip()
    plan.save(update_fields=["status", "hr_comment"])
    audit_record(actor=actor, action="update", obj=plan, summary="plan cancelled",
                 changes={"status": "cancelled", "reason": reason})
    return plan
