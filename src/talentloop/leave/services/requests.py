"""Writes of leave requests: submitting (counting the days, the refusals, the approval steps),
deciding a step, cancelling. The pages and the API call these same functions.

The ledger moves only on a final approval (a ``use`` entry, key ``use:<request id>``) and on the
cancellation of approved leave (a ``return`` entry, key ``return:<request id>``), both dated on the
request's first day, so a balance as of any date after it tells the truth. Notifications go out
after the transaction commits."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.core.files.base import File
from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from talentloop.accounts.models import RoleAssignment
from talentloop.attendance.models import ApprovalDelegation
from talentloop.core.access import Actor
from talentloop.core.errors import Conflict, InvalidInput, PermissionDenied
from talentloop.leave import access
from talentloop.leave.models import (
    ApprovalChain,
    ApprovalRole,
    ApprovalStep,
    EntryKind,
    HalfDay,
    LeaveRequest,
    LeaveType,
)
from talentloop.leave.selectors.ledger import balance
from talentloop.leave.selectors.requests import (
    committed_days,
    leave_count,
    overlapping_requests,
)
from talentloop.leave.services.ledger import ledger_post
from talentloop.notifications.services import Item, notifications_mark_read_about, notify_after_commit
from talentloop.organisation.models import Employee, EmploymentStatus

BACKDATE_DAYS = 30  # a person requests leave at most this many days back; HR covering them any time
MAX_DOCUMENT_BYTES = 5 * 1024 * 1024
DOCUMENT_SIGNATURES = (  # what the first bytes of an accepted document must be
    (b"%PDF-", "pdf"),
    (b"\xff\xd8\xff", "jpeg"),
    (b"\x89PNG\r\n\x1a\n", "png"),
)
DEFAULT_STEPS = [ApprovalRole.MANAGER, ApprovalRole.HR]
DEFAULT_HR_OVER_DAYS = Decimal("3")
DECISIONS = ("approved", "rejected")

KIND_WAITING = "leave_request_waiting"
KIND_DECIDED = "leave_request_decided"
KIND_CANCELLED = "leave_request_cancelled"


def _detail_link(request: LeaveRequest) -> str:
    return reverse("leave:request-detail", args=[request.pk])


def _fail(errors: dict[str, list[str]]) -> None:
    if errors:
        first = next(iter(errors.values()))[0]
        raise InvalidInput(first, errors)


# ---------------------------------------------------------------- documents


def document_problem(document: File | None) -> str | None:
    """Why a document is refused, or None: PDF, JPEG or PNG by its content (not its name), ≤ 5 MB."""
    if document is None:
        return None
    size = getattr(document, "size", None)
    if size is None or size > MAX_DOCUMENT_BYTES:
        return _("The document may be at most 5 MB.")
    if size == 0:
        return _("The document is empty.")
    document.seek(0)
    head = document.read(16)
    document.seek(0)
    if not any(head.startswith(signature) for signature, _kind in DOCUMENT_SIGNATURES):
        return _("The document must be a PDF, JPEG or PNG file.")
    return None


# ---------------------------------------------------------------- approval steps


def _chain_for(employee: Employee) -> tuple[list[str], Decimal]:
    """The steps and HR threshold of the nearest chain of the person's unit (a unit's own chain, else
    its parent's, …, else the default chain ``org_unit=None``, else manager then HR above 3 days).
    One query."""
    path = employee.org_unit.path or ""
    unit_ids = [int(part) for part in reversed(path.strip("/").split("/")) if part]
    chains = {c.org_unit_id: c for c in ApprovalChain.objects.filter(Q(org_unit_id__in=unit_ids)
                                                                      | Q(org_unit__isnull=True))}
    for unit_id in [*unit_ids, None]:
        chain = chains.get(unit_id)
        if chain is not None:
            return [str(s) for s in chain.steps], chain.hr_over_days
    return [str(s) for s in DEFAULT_STEPS], DEFAULT_HR_OVER_DAYS


def _managers_up(employee: Employee) -> list[Employee]:
    """The person's managers from the nearest up, leavers skipped. One query (the chain is in
    ``manager_path``)."""
    ids = [int(part) for part in reversed(employee.manager_path.strip("/").split("/")) if part]
    if not ids:
        return []
    found = {e.pk: e for e in Employee.objects.filter(pk__in=ids).exclude(status=EmploymentStatus.TERMINATED)}
    return [found[i] for i in ids if i in found]


def build_steps(request: LeaveRequest) -> list[ApprovalStep]:
    """The steps of a new request, in order, unsaved. ``manager``: the person's manager (the next one up
    when theirs has left); ``manager2``: the one above that; ``hr``: any HR covering the person, only
    when the request counts more days than the threshold (the leave type's when set, else the chain's).
    A step without anyone to decide it is left out, as is a second step of the same approver; a
    request left with no step at all goes to HR."""
    roles, hr_over = _chain_for(request.employee)
    if request.leave_type.hr_approval_over_days is not None:
        hr_over = request.leave_type.hr_approval_over_days
    managers = _managers_up(request.employee)
    steps: list[ApprovalStep] = []
    used: set[int] = set()
    for role in roles:
        approver: Employee | None = None
        if role == ApprovalRole.MANAGER:
            approver = managers[0] if managers else None
        elif role == ApprovalRole.MANAGERS_MANAGER:
            approver = managers[1] if len(managers) > 1 else None
        elif role == ApprovalRole.HR:
            if request.days > hr_over:
                steps.append(ApprovalStep(request=request, role=ApprovalRole.HR, order=len(steps) + 1))
            continue
        else:
            continue
        if approver is None or approver.pk in used:
            continue
        used.add(approver.pk)
        steps.append(ApprovalStep(request=request, role=role, approver=approver, order=len(steps) + 1))
    if not steps:
        steps.append(ApprovalStep(request=request, role=ApprovalRole.HR, order=1))
    return steps


def _hr_covering(employee: Employee) -> list[int]:
    """Employee ids of the HR people covering the person (one query)."""
    grants = RoleAssignment.objects.filter(role="hr", user__employee__isnull=False,
                                           user__is_active=True).values_list("user__employee__id", "org_unit__path")
    path = employee.org_unit.path or ""
    return sorted({emp for emp, scope in grants if scope is None or path.startswith(scope)})


def _delegates_of(approver_id: int, on: dt.date) -> list[int]:
    return list(ApprovalDelegation.objects.filter(approver_id=approver_id, start__lte=on, end__gte=on)
                .values_list("delegate_id", flat=True))


def _tell_waiting(request: LeaveRequest, step: ApprovalStep) -> None:
    """The step's approver (and their delegate while the delegation runs), or HR covering the person."""
    if step.role == ApprovalRole.HR:
        recipients = [e for e in _hr_covering(request.employee) if e != request.employee_id]
    elif step.approver_id is not None:
        recipients = [step.approver_id, *_delegates_of(step.approver_id, timezone.localdate())]
    else:
        recipients = []
    data = _notice_data(request)
    notify_after_commit(kind=KIND_WAITING, items=[
        Item(r, data, _detail_link(request), f"leave-{request.pk}-step-{step.order}")
        for r in dict.fromkeys(recipients)])


def _notice_data(request: LeaveRequest) -> dict:
    return {"request": request.pk, "name": request.employee.name, "name_en": request.employee.name_en,
            "type": request.leave_type.name, "type_en": request.leave_type.name_en,
            "start": request.start.isoformat(), "end": request.end.isoformat(), "days": str(request.days.normalize()),
            "status": request.status}


# ---------------------------------------------------------------- submit


@transaction.atomic
def leave_request_submit(actor: Actor, *, leave_type: LeaveType, start: dt.date | None, end: dt.date | None,
                         start_half: str = HalfDay.MORNING, end_half: str = HalfDay.AFTERNOON,
                         hours: Decimal | None = None, reason: str = "", document: File | None = None,
                         employee: Employee | None = None) -> LeaveRequest:
    """A request for the actor (or, by HR covering them, for ``employee``), with its approval steps.
    Refused with the reason, nothing written: dates that hold no day to count, overlap with a pending
    or approved request, more than the balance of a type drawn from one (the ledger as of the last
    day, less pending requests and later approved leave) unless the type allows a negative balance, a
    missing or unacceptable document, dates more than 30 days back unless HR."""
    if employee is None:
        if not access.can_request_leave(actor):
            raise PermissionDenied(_("Only people with an employee record request leave."))
        employee = actor.employee
        assert employee is not None
    elif not (access.is_self(actor, employee) or access.can_manage_leave_of(actor, employee)):
        raise PermissionDenied(_("Only HR covering this person requests leave for them."))
    hr = access.can_manage_leave_of(actor, employee) and not access.is_self(actor, employee)
    errors: dict[str, list[str]] = {}
    if not leave_type.is_active:
        errors["leave_type"] = [_("This leave type is no longer in use.")]
    reason = (reason or "").strip()
    if len(reason) > 300:
        errors["reason"] = [_("Write at most 300 characters.")]
    if "\x00" in reason:
        errors["reason"] = [_("Null characters are not allowed.")]
    count = leave_count(employee=employee, leave_type=leave_type, start=start, end=end, start_half=start_half,
                        end_half=end_half, hours=hours)
    for name, messages in count.errors.items():
        errors.setdefault(name, []).extend(messages)
    _fail(errors)
    assert start is not None and end is not None
    today = timezone.localdate()
    if start < today - dt.timedelta(days=BACKDATE_DAYS) and not hr:
        errors["start"] = [_("Leave more than %(n)d days back is recorded by HR; ask them.") % {"n": BACKDATE_DAYS}]
    if count.days <= 0:
        errors["start"] = [_("These dates hold no workday of yours (rest days and public holidays are not "
                             "counted as leave): nothing to request.")]
    document_error = document_problem(document)
    if document_error:
        errors["document"] = [document_error]
    elif leave_type.requires_document and document is None:
        errors["document"] = [_("This leave type needs a supporting document (PDF, JPEG or PNG).")]
    _fail(errors)
    clash = overlapping_requests(employee_id=employee.pk, start=start, end=end, start_half=start_half,
                                 end_half=end_half)
    if clash:
        other = clash[0]
        raise InvalidInput(_("You already have leave from %(start)s to %(end)s (%(status)s) on these dates.") % {
            "start": other.start.isoformat(), "end": other.end.isoformat(),
            "status": other.get_status_display()}, {"start": [_("These dates overlap another request.")]})
    # Serialise the person's requests: two submissions at once cannot both pass the balance check.
    list(Employee.objects.select_for_update().filter(pk=employee.pk).values_list("pk", flat=True))
    if leave_type.tracks_balance and not leave_type.allow_negative:
        available = balance(employee_id=employee.pk, leave_type_id=leave_type.pk, as_of=end) - committed_days(
            employee_id=employee.pk, leave_type_id=leave_type.pk, after=end)
        if count.days > available:
            message = _("This request counts %(days)s days but only %(available)s are available.") % {
                "days": count.days.normalize(), "available": available.normalize()}
            raise InvalidInput(message, {"end": [message]})
    request = LeaveRequest(employee=employee, leave_type=leave_type, start=start, end=end,
                           start_half=start_half if leave_type.unit != "hour" else HalfDay.MORNING,
                           end_half=end_half if leave_type.unit != "hour" else HalfDay.AFTERNOON,
                           hours=hours, days=count.days, reason=reason)
    if document is not None:
        request.document.save(getattr(document, "name", "") or "document", document, save=False)
    request.full_clean(exclude=["document"])
    request.save()
    steps = build_steps(request)
    ApprovalStep.objects.bulk_create(steps)
    _tell_waiting(request, steps[0])
    return request


# ---------------------------------------------------------------- decide


def _locked(request: LeaveRequest) -> LeaveRequest:
    """The request again, locked for the rest of the transaction, so two deciders cannot both act."""
    return (LeaveRequest.objects.select_for_update().select_related("employee", "employee__org_unit", "leave_type")
            .get(pk=request.pk))


@transaction.atomic
def leave_step_decide(actor: Actor, *, step: ApprovalStep, decision: str, note: str = "") -> LeaveRequest:
    """Approve or reject one step. A rejection closes the request; the last approval approves it and,
    for a type drawn from a balance, posts the ledger's ``use`` entry. Only the step waiting now may be
    decided, by the person it waits for."""
    errors: dict[str, list[str]] = {}
    note = (note or "").strip()
    if decision not in DECISIONS:
        errors["decision"] = [_("Choose approve or reject.")]
    if len(note) > 300:
        errors["note"] = [_("Write at most 300 characters.")]
    if "\x00" in note:
        errors["note"] = [_("Null characters are not allowed.")]
    request = _locked(step.request)
    step = ApprovalStep.objects.select_related("approver").get(pk=step.pk)
    step.request = request
    if not access.can_decide_step(actor, step):
        raise PermissionDenied(_("This approval is not yours to decide."))
    _fail(errors)
    waiting = ApprovalStep.objects.filter(request=request, decision="").order_by("order").first()
    if request.status != "pending" or waiting is None or waiting.pk != step.pk:
        raise Conflict(_("This request is no longer waiting for this decision."))
    now = timezone.now()
    step.decision, step.decided_by, step.decided_at, step.note = decision, actor.user, now, note
    step.save(update_fields=["decision", "decided_by", "decided_at", "note"])
    following = ApprovalStep.objects.filter(request=request, decision="", order__gt=step.order).order_by(
        "order").first()
    if decision == "rejected" or following is None:
        request.status = decision
        request.decided_at = now
        request.save(update_fields=["status", "decided_at"])
        if decision == "approved" and request.leave_type.tracks_balance:
            ledger_post(by=actor.user, employee_id=request.employee_id, leave_type_id=request.leave_type_id,
                        kind=EntryKind.USE, effective_date=request.start, days=-request.days,
                        reason=_("Leave from %(start)s to %(end)s") % {"start": request.start.isoformat(),
                                                                      "end": request.end.isoformat()},
                        key=f"use:{request.pk}", request=request)
        data = {**_notice_data(request), "note": note}
        notify_after_commit(kind=KIND_DECIDED, items=[
            Item(request.employee_id, data, _detail_link(request), f"leave-{request.pk}-{decision}")])
    else:
        _tell_waiting(request, following)
    # Decided: the decider's "waiting for you" notice about it needs no more attention, wherever it was
    # decided (the request page, the inbox's button or the API).
    notifications_mark_read_about(actor=actor, kinds=[KIND_WAITING], subject=request.pk)
    return request


@transaction.atomic
def leave_request_decide(actor: Actor, *, request: LeaveRequest, decision: str, note: str = "") -> LeaveRequest:
    """Decide the step of the request that waits now (what the approve and reject buttons and
    endpoints do)."""
    steps = list(ApprovalStep.objects.filter(request=request).order_by("order"))
    step = next((s for s in steps if not s.decision), None) if request.status == "pending" else None
    if step is None:
        raise Conflict(_("This request is no longer waiting for a decision."))
    step.request = request
    return leave_step_decide(actor, step=step, decision=decision, note=note)


# ---------------------------------------------------------------- cancel


@transaction.atomic
def leave_request_cancel(actor: Actor, *, request: LeaveRequest, note: str = "") -> LeaveRequest:
    """The person cancels their pending or approved leave before it starts; HR covering them at any
    time. Cancelling approved leave drawn from a balance returns its days (a ``return`` entry)."""
    request = _locked(request)
    if not access.can_cancel_leave(actor, request):
        raise PermissionDenied(_("Only the person or HR covering them cancels this leave."))
    if request.status not in ("pending", "approved"):
        raise Conflict(_("Only pending or approved leave can be cancelled."))
    hr = access.can_manage_leave_of(actor, request.employee)
    if not hr and request.start <= timezone.localdate():
        raise InvalidInput(_("Leave that has started is cancelled by HR; ask them."),
                           {"__all__": [_("Leave that has started is cancelled by HR; ask them.")]})
    was_approved = request.status == "approved"
    request.status = "cancelled"
    request.decided_at = timezone.now()
    request.save(update_fields=["status", "decided_at"])
    if was_approved and request.leave_type.tracks_balance:
        ledger_post(by=actor.user, employee_id=request.employee_id, leave_type_id=request.leave_type_id,
                    kind=EntryKind.RETURN, effective_date=request.start, days=request.days,
                    reason=_("Cancelled leave from %(start)s to %(end)s") % {"start": request.start.isoformat(),
                                                                            "end": request.end.isoformat()},
                    key=f"return:{request.pk}", request=request)
    data = {**_notice_data(request), "note": (note or "").strip()[:300]}
    # The person when someone else cancelled; the approvers who had approved it, so the team knows.
    recipients: list[int] = [] if access.is_self(actor, request.employee) else [request.employee_id]
    if was_approved:
        recipients += [a for a in ApprovalStep.objects.filter(request=request, decision="approved")
                       .values_list("approver_id", flat=True) if a is not None]
    me = actor.employee.pk if actor.employee is not None else None
    notify_after_commit(kind=KIND_CANCELLED, items=[
        Item(r, data, _detail_link(request), f"leave-{request.pk}-cancelled")
        for r in dict.fromkeys(recipients) if r != me])
    return request
