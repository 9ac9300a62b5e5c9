"""Clock corrections: a person asks to add a punch they missed; whoever may approve their time
approves or rejects it; the person (or HR covering them) cancels it while pending.

Approval adds a clock event with source ``correction`` pointing to the correction; the original
events are never touched, so the day shows both what was punched and what was corrected.
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
from talentloop.attendance.models import ClockDirection, ClockEvent, ClockSource, Correction, RequestStatus
from talentloop.attendance.overtime import local_zone
from talentloop.attendance.selectors import requests as selectors
from talentloop.attendance.selectors.policy import attendance_policy
from talentloop.core.access import Actor
from talentloop.core.errors import Conflict, InvalidInput, PermissionDenied, errors_from_validation
from talentloop.notifications.services import Item, items_for, notifications_mark_read_about, notify_after_commit

# How far back a correction may go, beyond the policy's clock window.
EXTRA_DAYS = 30
# A night shift's punch after midnight counts to the day before: a correction's time may fall on the
# morning after its work date, up to this hour.
NEXT_MORNING_UNTIL = dt.time(12, 0)
NOTE_MAX = 300


def correction_window_days() -> int:
    return attendance_policy().clock_window_days + EXTRA_DAYS


@transaction.atomic
def correction_submit(*, actor: Actor, work_date: dt.date, at: dt.datetime, direction: str,
                      reason: str) -> Correction:
    """The actor's own correction, pending approval. Refused (nothing written) when the date is
    outside the window or in a locked month, the time is not on that date (or the next morning),
    is in the future, the reason is missing, or the same punch is already asked for."""
    if not access.can_request_time(actor) or actor.employee is None:
        raise PermissionDenied(_("Only people with an employee record ask for clock corrections."))
    employee = actor.employee
    errors: dict[str, list[str]] = {}
    today = timezone.localdate()
    if timezone.is_naive(at):
        at = timezone.make_aware(at, local_zone())
    at = at.replace(second=0, microsecond=0)
    local = at.astimezone(local_zone())
    reason = (reason or "").strip()
    window = correction_window_days()
    if work_date > today:
        errors["work_date"] = [_("The date cannot be in the future.")]
    elif work_date < today - dt.timedelta(days=window):
        errors["work_date"] = [_("Corrections go back at most %(days)d days.") % {"days": window}]
    elif selectors.month_locked(work_date):
        errors["work_date"] = [_("This month is locked; ask HR to record an adjustment.")]
    if direction not in (ClockDirection.IN, ClockDirection.OUT):
        errors["direction"] = [_("Choose clock-in or clock-out.")]
    if at > timezone.now():
        errors["at"] = [_("The time cannot be in the future.")]
    elif "work_date" not in errors and not (
            local.date() == work_date
            or (local.date() == work_date + dt.timedelta(days=1) and local.time() < NEXT_MORNING_UNTIL)):
        errors["at"] = [_("The time must be on the date, or the next morning for a night shift.")]
    if not reason:
        errors["reason"] = [_("Say why the punch is missing.")]
    elif len(reason) > 300:
        errors["reason"] = [_("At most 300 characters.")]
    if not errors and selectors.correction_duplicate(employee, work_date, direction):
        errors["direction"] = [_("You already asked for this correction; it is waiting for approval.")]
    if errors:
        raise InvalidInput(_("Please correct the errors below."), errors)
    correction = Correction(employee=employee, work_date=work_date, at=at, direction=direction, reason=reason)
    try:
        correction.full_clean()
    except ValidationError as exc:
        raise InvalidInput(_("Please correct the errors below."), errors_from_validation(exc)) from exc
    correction.save()
    notify_after_commit(kind="correction_submitted", items=items_for(
        selectors.approver_ids(employee, today),
        {"name": employee.name, "name_en": employee.name_en, "date": date_format(work_date, "SHORT_DATE_FORMAT"),
         "correction_id": correction.pk},
        reverse("attendance:correction-detail", args=[correction.pk]), f"correction-{correction.pk}"))
    return correction


def _locked(correction: Correction) -> Correction:
    return Correction.objects.select_for_update().select_related("employee", "employee__org_unit").get(
        pk=correction.pk)


def _note(note: str) -> str:
    note = (note or "").strip()
    if len(note) > NOTE_MAX:
        raise InvalidInput(_("Please correct the errors below."), {"note": [_("At most 300 characters.")]})
    return note


def _decided(actor: Actor, correction: Correction, decision: str) -> None:
    """Tell the person, and clear the decider's "to approve" notice about it, wherever it was decided
    (the request page, the inbox's button or the API)."""
    notifications_mark_read_about(actor=actor, kinds=["correction_submitted"], subject=correction.pk)
    notify_after_commit(kind="correction_decided", items=[Item(
        correction.employee_id, {"date": date_format(correction.work_date, "SHORT_DATE_FORMAT"),
                                 "decision": decision, "correction_id": correction.pk},
        reverse("attendance:correction-detail", args=[correction.pk]), f"correction-{correction.pk}-{decision}")])


def _decide(actor: Actor, correction: Correction, note: str) -> Correction:
    correction = _locked(correction)
    if not access.can_approve_time(actor, correction.employee):
        raise PermissionDenied(_("You may not decide this person's corrections."))
    if correction.status != RequestStatus.PENDING:
        raise Conflict(_("This request is no longer pending."))
    correction.decided_by, correction.decided_at, correction.decision_note = actor.user, timezone.now(), _note(note)
    return correction


@transaction.atomic
def correction_approve(*, actor: Actor, correction: Correction, note: str = "") -> Correction:
    """Approve: the missed punch becomes a clock event (source ``correction``); nothing else changes."""
    correction = _decide(actor, correction, note)
    if selectors.month_locked(correction.work_date):
        raise Conflict(_("This month is locked; ask HR to record an adjustment."))
    correction.status = RequestStatus.APPROVED
    correction.save(update_fields=["status", "decided_by", "decided_at", "decision_note"])
    ClockEvent.objects.create(employee=correction.employee, at=correction.at, work_date=correction.work_date,
                              direction=correction.direction, source=ClockSource.CORRECTION,
                              reason=correction.reason[:300], correction=correction)
    _decided(actor, correction, "approved")
    return correction


@transaction.atomic
def correction_reject(*, actor: Actor, correction: Correction, note: str = "") -> Correction:
    correction = _decide(actor, correction, note)
    correction.status = RequestStatus.REJECTED
    correction.save(update_fields=["status", "decided_by", "decided_at", "decision_note"])
    _decided(actor, correction, "rejected")
    return correction


@transaction.atomic
def correction_cancel(*, actor: Actor, correction: Correction, note: str = "") -> Correction:
    """Withdraw a pending correction (the person, or HR covering them)."""
    correction = _locked(correction)
    if correction.status != RequestStatus.PENDING:
        raise Conflict(_("This request is no longer pending."))
    if not access.can_cancel_correction(actor, correction):
        raise PermissionDenied(_("You may not cancel this correction."))
    correction.status = RequestStatus.CANCELLED
    correction.decided_by, correction.decided_at, correction.decision_note = actor.user, timezone.now(), _note(note)
    correction.save(update_fields=["status", "decided_by", "decided_at", "decision_note"])
    if not access.is_self(actor, correction.employee):
        _decided(actor, correction, "cancelled")
    return correction
