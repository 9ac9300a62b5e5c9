"""Overtime requests: asked for before, or recorded after when the policy allows; approved or
rejected by whoever may approve the person's time; cancelled by the person while pending or by HR.

The classification (``attendance.overtime``) runs at submission, so the person and the approver see
the class, the multiplier and any cap breach, and again at approval against the overtime approved
in the meantime: the stored figures are those of the approval. A breach is flagged on the request and
told to HR covering the person when the overtime is approved; the hours are never cut.
"""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from talentloop.attendance import access
from talentloop.attendance.models import Compensation, OvertimeRequest, RequestStatus
from talentloop.attendance.overtime import MAX_SPAN_MINUTES, Classification, local_zone
from talentloop.attendance.selectors import requests as selectors
from talentloop.attendance.selectors.policy import attendance_policy
from talentloop.attendance.signals import overtime_approved, overtime_cancelled
from talentloop.core.access import Actor
from talentloop.core.errors import Conflict, InvalidInput, PermissionDenied, errors_from_validation
from talentloop.notifications.services import Item, items_for, notifications_mark_read_about, notify_after_commit

NOTE_MAX = 300


def _aware(value: dt.datetime) -> dt.datetime:
    """Local wall time when naive; whole minutes (seconds are dropped)."""
    if timezone.is_naive(value):
        value = timezone.make_aware(value, local_zone())
    return value.replace(second=0, microsecond=0)


def _check(errors: dict[str, list[str]]) -> None:
    if errors:
        raise InvalidInput(_("Please correct the errors below."), errors)


def overtime_preview(*, actor: Actor, kind: str, start: dt.datetime, end: dt.datetime,
                     compensation: str | None = None) -> Classification:
    """What a submission would record, without writing: the classification, or InvalidInput with the
    reasons it would be refused (the live preview of the form)."""
    if not access.can_request_time(actor) or actor.employee is None:
        raise PermissionDenied(_("Only people with an employee record request overtime."))
    start, end = _aware(start), _aware(end)
    errors = _span_errors(actor, kind, start, end)
    _check(errors)
    result = selectors.overtime_classify(employee=actor.employee, start=start, end=end, compensation=compensation)
    _check(result.errors)
    return result


def _span_errors(actor: Actor, kind: str, start: dt.datetime, end: dt.datetime) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    policy = attendance_policy()
    now = timezone.now()
    today = timezone.localdate()
    start_day = start.astimezone(local_zone()).date()
    if kind not in OvertimeRequest.Kind.values:
        errors["kind"] = [_("Choose whether the overtime is asked for before or recorded after.")]
    if end <= start:
        errors["end"] = [_("The end must be after the start.")]
    elif (end - start).total_seconds() > MAX_SPAN_MINUTES * 60:
        errors["end"] = [_("One request covers at most 24 hours.")]
    if kind == OvertimeRequest.Kind.BEFORE and start_day < today:
        errors["start"] = [_("Overtime asked for before starts today or later; record past overtime as "
                             "“recorded after”.")]
    elif kind == OvertimeRequest.Kind.AFTER:
        if not policy.overtime_after_allowed:
            errors["kind"] = [_("The attendance policy does not allow recording overtime after the fact; "
                                "ask for it before.")]
        elif end > now:
            errors["end"] = [_("Overtime recorded after the fact cannot end in the future.")]
        elif start_day < today - dt.timedelta(days=policy.clock_window_days):
            errors["start"] = [_("Overtime older than %(days)d days can no longer be recorded.")
                               % {"days": policy.clock_window_days}]
    if not errors and actor.employee is not None and selectors.overtime_overlaps(actor.employee, start, end):
        errors["start"] = [_("You already have overtime pending or approved in this time.")]
    return errors


@transaction.atomic
def overtime_submit(*, actor: Actor, kind: str, start: dt.datetime, end: dt.datetime, reason: str,
                    compensation: str | None = None) -> OvertimeRequest:
    """The actor's own overtime, pending approval. Refused (nothing written) when the span is not
    overtime the person may ask for; see ``_span_errors`` and the classification."""
    if not access.can_request_time(actor) or actor.employee is None:
        raise PermissionDenied(_("Only people with an employee record request overtime."))
    employee = actor.employee
    start, end = _aware(start), _aware(end)
    reason = (reason or "").strip()
    errors = _span_errors(actor, kind, start, end)
    if not reason:
        errors["reason"] = [_("Say what the overtime is for.")]
    elif len(reason) > 300:
        errors["reason"] = [_("At most 300 characters.")]
    if compensation not in (None, "", *Compensation.values):
        errors["compensation"] = [_("Choose paid or time off in lieu.")]
    _check(errors)
    result = selectors.overtime_classify(employee=employee, start=start, end=end, compensation=compensation or None)
    _check(result.errors)
    request = OvertimeRequest(employee=employee, kind=kind, work_date=result.work_date, start=start, end=end,
                              minutes=result.minutes, day_class=result.day_class, multiplier=result.multiplier,
                              compensation=result.compensation, cap_breach=result.breach, reason=reason)
    try:
        request.full_clean()
    except ValidationError as exc:
        raise InvalidInput(_("Please correct the errors below."), errors_from_validation(exc)) from exc
    request.save()
    data = {"name": employee.name, "name_en": employee.name_en, "minutes": request.minutes,
            "date": date_format(request.work_date, "SHORT_DATE_FORMAT"), "request_id": request.pk}
    notify_after_commit(kind="overtime_submitted", items=items_for(
        selectors.approver_ids(employee, timezone.localdate()), data,
        reverse("attendance:overtime-detail", args=[request.pk]), f"overtime-{request.pk}"))
    return request


def _locked(request: OvertimeRequest) -> OvertimeRequest:
    """The request row again, locked for the decision (two approvers never both decide)."""
    return OvertimeRequest.objects.select_for_update().select_related("employee", "employee__org_unit").get(
        pk=request.pk)


def _note(note: str) -> str:
    note = (note or "").strip()
    if len(note) > NOTE_MAX:
        raise InvalidInput(_("Please correct the errors below."), {"note": [_("At most 300 characters.")]})
    return note


def _decided(actor: Actor, request: OvertimeRequest, decision: str) -> None:
    """Tell the person, and clear the decider's "to approve" notice about it, wherever it was decided
    (the request page, the inbox's button or the API)."""
    notifications_mark_read_about(actor=actor, kinds=["overtime_submitted"], subject=request.pk)
    emp = request.employee
    notify_after_commit(kind="overtime_decided", items=[Item(
        emp.pk, {"date": date_format(request.work_date, "SHORT_DATE_FORMAT"), "decision": decision,
                 "request_id": request.pk},
        reverse("attendance:overtime-detail", args=[request.pk]), f"overtime-{request.pk}-{decision}")])


@transaction.atomic
def overtime_approve(*, actor: Actor, request: OvertimeRequest, note: str = "") -> OvertimeRequest:
    """Approve pending overtime: classified again against the person's overtime approved meanwhile;
    a cap breach is recorded and told to HR covering the person, the hours kept in full. Leave hears
    of it after commit (``overtime_approved``) and credits time off in lieu."""
    request = _locked(request)
    if not access.can_approve_time(actor, request.employee):
        raise PermissionDenied(_("You may not decide this person's overtime."))
    if request.status != RequestStatus.PENDING:
        raise Conflict(_("This request is no longer pending."))
    note = _note(note)
    result = selectors.overtime_classify(employee=request.employee, start=request.start, end=request.end,
                                         compensation=request.compensation, exclude=request.pk)
    _check(result.errors)
    request.minutes, request.day_class, request.multiplier = result.minutes, result.day_class, result.multiplier
    request.cap_breach = result.breach
    request.status = RequestStatus.APPROVED
    request.decided_by, request.decided_at, request.decision_note = actor.user, timezone.now(), note
    request.full_clean()
    request.save()
    _decided(actor, request, "approved")
    if request.cap_breach:
        emp = request.employee
        notify_after_commit(kind="overtime_cap_breach", items=items_for(
            selectors.hr_covering_ids(emp),
            {"name": emp.name, "name_en": emp.name_en, "date": date_format(request.work_date, "SHORT_DATE_FORMAT"),
             "breach": request.cap_breach, "request_id": request.pk},
            reverse("attendance:overtime-detail", args=[request.pk]), f"overtime-{request.pk}-breach"))
    approved = request
    transaction.on_commit(lambda: overtime_approved.send(sender=OvertimeRequest, request=approved))
    return request


@transaction.atomic
def overtime_reject(*, actor: Actor, request: OvertimeRequest, note: str = "") -> OvertimeRequest:
    request = _locked(request)
    if not access.can_approve_time(actor, request.employee):
        raise PermissionDenied(_("You may not decide this person's overtime."))
    if request.status != RequestStatus.PENDING:
        raise Conflict(_("This request is no longer pending."))
    request.status = RequestStatus.REJECTED
    request.decided_by, request.decided_at, request.decision_note = actor.user, timezone.now(), _note(note)
    request.save(update_fields=["status", "decided_by", "decided_at", "decision_note"])
    _decided(actor, request, "rejected")
    return request


@transaction.atomic
def overtime_cancel(*, actor: Actor, request: OvertimeRequest, note: str = "") -> OvertimeRequest:
    """The person withdraws pending overtime; HR covering them cancels pending or approved overtime.
    Cancelling approved overtime tells leave after commit (``overtime_cancelled``), which takes back
    any time off in lieu it credited."""
    request = _locked(request)
    if request.status not in (RequestStatus.PENDING, RequestStatus.APPROVED):
        raise Conflict(_("This request is already closed."))
    if not access.can_cancel_overtime(actor, request):
        raise PermissionDenied(_("You may not cancel this overtime."))
    was_approved = request.status == RequestStatus.APPROVED
    request.status = RequestStatus.CANCELLED
    request.decided_by, request.decided_at, request.decision_note = actor.user, timezone.now(), _note(note)
    request.save(update_fields=["status", "decided_by", "decided_at", "decision_note"])
    if not access.is_self(actor, request.employee):
        _decided(actor, request, "cancelled")
    if was_approved:
        cancelled = request
        transaction.on_commit(lambda: overtime_cancelled.send(sender=OvertimeRequest, request=cancelled))
    return request
