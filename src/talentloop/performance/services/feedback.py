"""Continuous feedback between colleagues, requests for it, and performance improvement plans
with goals and check-ins. The audit log records who did what, never the words written."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from talentloop.core.access import Actor
from talentloop.core.audit.services import audit_record
from talentloop.core.errors import Conflict, InvalidInput, PermissionDenied
from talentloop.notifications.services import items_for, notify_after_commit
from talentloop.organisation.models import Employee
from talentloop.performance import access
from talentloop.performance.models import CheckIn, Feedback, FeedbackRequest, ImprovementPlan, PlanGoal
from talentloop.performance.services.decisions import clean_text

MAX_GOALS = 10


def _invalid(errors: dict[str, list[str]]) -> InvalidInput:
    return InvalidInput(_("Please correct the errors below."), errors)


def _colleague(actor: Actor, person: Employee, field: str) -> None:
    if not access.feedback_colleagues(actor).filter(pk=person.pk).exists():
        raise _invalid({field: [_("Pick a current colleague other than yourself.")]})


# ---------------------------------------------------------------- feedback


@transaction.atomic
def feedback_give(
    *, actor: Actor, recipient: Employee, text: str, kind: str = Feedback.Kind.PRAISE,
    visibility: str = Feedback.Visibility.SHARED, request: FeedbackRequest | None = None,
) -> Feedback:
    """Praise or a suggestion to a colleague, shared with them and their manager or private to the
    manager; optionally the answer to a request (which it then closes)."""
    if not access.can_give_feedback(actor):
        raise PermissionDenied(_("Feedback is given by employees."))
    assert actor.employee is not None  # can_give_feedback: only people with an employee record
    _colleague(actor, recipient, "recipient")
    errors: dict[str, list[str]] = {}
    if kind not in Feedback.Kind.values:
        errors["kind"] = [_("Choose praise or a suggestion.")]
    if visibility not in Feedback.Visibility.values:
        errors["visibility"] = [_("Choose who sees it.")]
    try:
        text = clean_text(text, "text", required=True)
    except InvalidInput as exc:
        errors.update(exc.errors)
    if request is not None:
        request = FeedbackRequest.objects.select_for_update().get(pk=request.pk)
        if request.responder_id != actor.employee.pk:
            raise PermissionDenied(_("This request was sent to someone else."))
        if request.status != FeedbackRequest.Status.OPEN:
            raise Conflict(_("This request is no longer open."))
        if request.subject_id != recipient.pk:
            errors["recipient"] = [_("The request asks for feedback about someone else.")]
    if errors:
        raise _invalid(errors)
    feedback = Feedback.objects.create(giver=actor.employee, recipient=recipient, kind=kind, visibility=visibility,
                                       text=text, request=request)
    if request is not None:
        request.status = FeedbackRequest.Status.ANSWERED
        request.answered_at = timezone.now()
        request.save(update_fields=["status", "answered_at"])
    audit_record(actor=actor, action="create", obj=feedback, entity_label=recipient.display_name,
                 changes={"recipient": recipient.pk, "kind": kind, "visibility": visibility,
                          "request": request.pk if request else None})
    if visibility == Feedback.Visibility.SHARED:  # feedback only for the manager is not the person's to see
        notify_after_commit(kind="feedback_received", items=items_for(
            [recipient.pk], {"giver": actor.employee.name, "giver_en": actor.employee.name_en, "kind": kind},
            reverse("performance:feedback-list"), f"feedback:{feedback.pk}"))
    return feedback


@transaction.atomic
def feedback_request_create(
    *, actor: Actor, responder: Employee, subject: Employee | None = None, message: str = "",
) -> FeedbackRequest:
    """Ask a colleague for feedback about oneself, or (a manager) about someone in their team."""
    if not access.can_give_feedback(actor):
        raise PermissionDenied(_("Feedback is requested by employees."))
    assert actor.employee is not None  # can_give_feedback: only people with an employee record
    subject = subject or actor.employee
    if not access.can_request_feedback_about(actor, subject):
        raise PermissionDenied(_("You may ask for feedback about yourself or your team."))
    _colleague(actor, responder, "responder")
    if responder.pk == subject.pk:
        raise _invalid({"responder": [_("Ask someone other than the person the feedback is about.")]})
    message = clean_text(message, "message", required=False, limit=500)
    if FeedbackRequest.objects.filter(requester=actor.employee, subject=subject, responder=responder,
                                      status=FeedbackRequest.Status.OPEN).exists():
        raise Conflict(_("You have already asked this colleague; the request is still open."))
    req = FeedbackRequest.objects.create(requester=actor.employee, subject=subject, responder=responder,
                                         message=message)
    audit_record(actor=actor, action="create", obj=req, entity_label=subject.display_name,
                 changes={"subject": subject.pk, "responder": responder.pk})
    notify_after_commit(kind="feedback_requested", items=items_for(
        [responder.pk], {"requester": actor.employee.name, "requester_en": actor.employee.name_en,
                         "subject": subject.name, "subject_en": subject.name_en},
        reverse("performance:feedback-list"), f"feedback-request:{req.pk}"))
    return req


@transaction.atomic
def feedback_request_decline(*, actor: Actor, request: FeedbackRequest) -> FeedbackRequest:
    request = FeedbackRequest.objects.select_for_update().get(pk=request.pk)
    if actor.employee is None or request.responder_id != actor.employee.pk:
        raise PermissionDenied(_("Only the colleague asked declines a request."))
    if request.status != FeedbackRequest.Status.OPEN:
        raise Conflict(_("This request is no longer open."))
    request.status = FeedbackRequest.Status.DECLINED
    request.answered_at = timezone.now()
    request.save(update_fields=["status", "answered_at"])
    audit_record(actor=actor, action="update", obj=request, changes={"status": {"before": "open",
                                                                                 "after": "declined"}})
    return request


# ---------------------------------------------------------------- improvement plans


def _goal(data: dict, index: int | None = None) -> PlanGoal:
    prefix = "goals" if index is None else f"goals.{index}"
    title = clean_text(data.get("title", ""), f"{prefix}.title", required=True, limit=200)
    measure = clean_text(data.get("measure", ""), f"{prefix}.measure", required=False, limit=300)
    due = data.get("due") or None
    if due is not None and not isinstance(due, dt.date):
        raise _invalid({f"{prefix}.due": [_("Enter a valid date.")]})
    return PlanGoal(title=title, measure=measure, due=due)


@transaction.atomic
def improvement_plan_create(
    *, actor: Actor, employee: Employee, title: str, reason: str, starts_on: dt.date, ends_on: dt.date,
    goals: list[dict],
) -> ImprovementPlan:
    """A plan for a person, by their manager or HR, with at least one goal. One active plan per person."""
    if not access.can_manage_improvement_plan(actor, employee):
        raise PermissionDenied(_("The person's manager or HR sets up an improvement plan."))
    errors: dict[str, list[str]] = {}
    for fname, value, limit in (("title", title, 200), ("reason", reason, 4000)):
        try:
            clean_text(value, fname, required=True, limit=limit)
        except InvalidInput as exc:
            errors.update(exc.errors)
    if ends_on <= starts_on:
        errors["ends_on"] = [_("The plan ends after it starts.")]
    goals = [g for g in goals if (g.get("title") or "").strip()]
    if not goals:
        errors["goals"] = [_("Give the plan at least one goal.")]
    if len(goals) > MAX_GOALS:
        errors["goals"] = [_("At most %(n)s goals.") % {"n": MAX_GOALS}]
    built = []
    for i, g in enumerate(goals):
        try:
            built.append(_goal(g, i))
        except InvalidInput as exc:
            errors.update(exc.errors)
    if errors:
        raise _invalid(errors)
    if ImprovementPlan.objects.filter(employee=employee, status=ImprovementPlan.Status.ACTIVE).exists():
        raise Conflict(_("%(name)s already has an active improvement plan.") % {"name": employee.display_name})
    owner = actor.employee if actor.employee is not None and actor.has_reports and \
        employee.manager_path.startswith(actor.reports_prefix) else employee.manager
    plan = ImprovementPlan.objects.create(employee=employee, owner=owner, title=title.strip(), reason=reason.strip(),
                                          starts_on=starts_on, ends_on=ends_on, created_by=actor.user)
    for i, goal in enumerate(built):
        goal.plan = plan
        goal.order = i
    PlanGoal.objects.bulk_create(built)
    audit_record(actor=actor, action="create", obj=plan, entity_label=f"{employee.display_name}: {plan.title}",
                 changes={"starts_on": str(starts_on), "ends_on": str(ends_on), "goals": len(built)})
    return plan


def _plan_for_change(actor: Actor, plan: ImprovementPlan) -> ImprovementPlan:
    plan = (ImprovementPlan.objects.select_for_update(of=("self",))
            .select_related("employee", "employee__org_unit").get(pk=plan.pk))
    if not access.can_manage_improvement_plan(actor, plan.employee):
        raise PermissionDenied(_("The person's manager or HR changes an improvement plan."))
    if plan.status != ImprovementPlan.Status.ACTIVE:
        raise Conflict(_("This plan is closed."))
    return plan


@transaction.atomic
def improvement_plan_goal_add(*, actor: Actor, plan: ImprovementPlan, title: str, measure: str = "",
                              due: dt.date | None = None) -> PlanGoal:
    plan = _plan_for_change(actor, plan)
    goal = _goal({"title": title, "measure": measure, "due": due})
    count = PlanGoal.objects.filter(plan=plan).count()
    if count >= MAX_GOALS:
        raise _invalid({"title": [_("At most %(n)s goals.") % {"n": MAX_GOALS}]})
    goal.plan = plan
    goal.order = count
    goal.save()
    audit_record(actor=actor, action="create", obj=goal, entity_label=plan.title, changes={"plan": plan.pk})
    return goal


@transaction.atomic
def improvement_plan_goal_set_status(*, actor: Actor, goal: PlanGoal, status: str) -> PlanGoal:
    _plan_for_change(actor, goal.plan)
    if status not in PlanGoal.Status.values:
        raise _invalid({"status": [_("Choose open, met or not met.")]})
    before = goal.status
    if before != status:
        PlanGoal.objects.filter(pk=goal.pk).update(status=status)
        goal.status = status
        audit_record(actor=actor, action="update", obj=goal, entity_label=goal.title,
                     changes={"status": {"before": before, "after": status}})
    return goal


@transaction.atomic
def check_in_add(*, actor: Actor, plan: ImprovementPlan, progress: str, note: str) -> CheckIn:
    """A dated note on the plan by the person, their manager or HR."""
    plan = ImprovementPlan.objects.select_related("employee", "employee__org_unit").get(pk=plan.pk)
    if not access.can_check_in(actor, plan):
        if plan.status != ImprovementPlan.Status.ACTIVE:
            raise Conflict(_("This plan is closed."))
        raise PermissionDenied(_("The person, their manager or HR add check-ins."))
    errors: dict[str, list[str]] = {}
    if progress not in CheckIn.Progress.values:
        errors["progress"] = [_("Choose on track, at risk or off track.")]
    try:
        note = clean_text(note, "note", required=True)
    except InvalidInput as exc:
        errors.update(exc.errors)
    if errors:
        raise _invalid(errors)
    check_in = CheckIn.objects.create(plan=plan, author=actor.employee, created_by=actor.user, progress=progress,
                                      note=note)
    audit_record(actor=actor, action="create", obj=check_in, entity_label=plan.title,
                 changes={"plan": plan.pk, "progress": progress})
    return check_in


@transaction.atomic
def improvement_plan_close(*, actor: Actor, plan: ImprovementPlan, status: str, outcome_note: str) -> ImprovementPlan:
    plan = _plan_for_change(actor, plan)
    closing = {ImprovementPlan.Status.SUCCEEDED, ImprovementPlan.Status.NOT_MET, ImprovementPlan.Status.CANCELLED}
    errors: dict[str, list[str]] = {}
    if status not in closing:
        errors["status"] = [_("Choose how the plan ended.")]
    try:
        outcome_note = clean_text(outcome_note, "outcome_note", required=True)
    except InvalidInput as exc:
        errors.update(exc.errors)
    if errors:
        raise _invalid(errors)
    plan.status = status
    plan.outcome_note = outcome_note
    plan.closed_at = timezone.now()
    plan.save(update_fields=["status", "outcome_note", "closed_at"])
    audit_record(actor=actor, action="update", obj=plan, entity_label=plan.title,
                 changes={"status": {"before": "active", "after": status}})
    return plan
