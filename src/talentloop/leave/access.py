"""Who may see and change leave. Every view, endpoint, task and command comes through here.

- Everyone with an employee record requests leave and sees their own balances, ledger and requests.
- A request's approval steps are decided by the step's approver (the manager, or the manager's
  manager) or their delegate while a delegation runs, and HR steps by HR covering the requester;
  anyone above the requester sees the request.
- HR covering a person sees everything about their leave, adjusts balances and verifies prior
  service; HR covering the whole organisation keeps the leave types, policies and approval chains.
- On the team calendar colleagues see that someone is away, not why; the kind of leave shows to
  the people who see the request.
- Admins read; they change nothing here.
"""

from __future__ import annotations

from django.db.models import Q, QuerySet

from talentloop.attendance import access as time_access
from talentloop.core.access import Actor
from talentloop.leave.models import ApprovalRole, ApprovalStep, LeaveRequest, LeaveType, LedgerEntry, PriorService
from talentloop.organisation.access import hr_covers_unit, visible_employees
from talentloop.organisation.models import Employee

is_self = time_access.is_self
is_above = time_access.is_above


def can_request_leave(actor: Actor) -> bool:
    return actor.is_authenticated and actor.employee is not None


def can_manage_leave_types(actor: Actor) -> bool:
    return actor.is_authenticated and actor.is_hr and actor.hr_everywhere


def visible_leave_types(actor: Actor) -> QuerySet[LeaveType]:
    if not actor.is_authenticated:
        return LeaveType.objects.none()
    if can_manage_leave_types(actor) or actor.is_admin:
        return LeaveType.objects.all()
    return LeaveType.objects.filter(is_active=True)


def can_manage_leave_of(actor: Actor, employee: Employee) -> bool:
    """Adjust a balance, verify prior service, cancel on someone's behalf: HR covering them."""
    return hr_covers_unit(actor, employee.org_unit)


def can_view_leave_of(actor: Actor, employee: Employee) -> bool:
    return time_access.can_view_time_of(actor, employee)


def visible_leave_people(actor: Actor) -> QuerySet[Employee]:
    return visible_employees(actor)


def visible_ledger(actor: Actor) -> QuerySet[LedgerEntry]:
    return LedgerEntry.objects.filter(employee__in=visible_leave_people(actor))


def visible_prior_services(actor: Actor) -> QuerySet[PriorService]:
    return PriorService.objects.filter(employee__in=visible_leave_people(actor))


def _approver_ids(actor: Actor) -> list[int]:
    """The actor and the approvers who delegated to them."""
    if actor.employee is None:
        return []
    return [actor.employee.pk, *time_access.delegating_manager_ids(actor)]


def visible_leave_requests(actor: Actor) -> QuerySet[LeaveRequest]:
    """Own, everyone below, HR's scope (admins all), and any request with a step the actor (or someone
    who delegated to them) is the approver of."""
    if not actor.is_authenticated:
        return LeaveRequest.objects.none()
    q = Q(employee__in=visible_leave_people(actor))
    ids = _approver_ids(actor)
    if ids:
        q |= Q(pk__in=ApprovalStep.objects.filter(approver_id__in=ids).values("request_id"))
    return LeaveRequest.objects.filter(q)


def can_decide_step(actor: Actor, step: ApprovalStep) -> bool:
    """The step waits for the actor: they are its approver (or the approver's delegate), or it is an
    HR step and they are HR covering the requester. Never one's own request."""
    if not actor.is_authenticated or is_self(actor, step.request.employee):
        return False
    if step.role == ApprovalRole.HR:
        return hr_covers_unit(actor, step.request.employee.org_unit)
    return step.approver_id is not None and step.approver_id in _approver_ids(actor)


def can_cancel_leave(actor: Actor, request: LeaveRequest) -> bool:
    """The requester cancels their own; HR covering them may cancel for them."""
    return actor.is_authenticated and (is_self(actor, request.employee)
                                       or hr_covers_unit(actor, request.employee.org_unit))


def can_see_leave_kind(actor: Actor, request: LeaveRequest) -> bool:
    """On the team calendar: the kind of leave shows to those who may see the request itself."""
    return can_view_leave_of(actor, request.employee) or visible_leave_requests(actor).filter(
        pk=request.pk).exists()


def team_calendar_people(actor: Actor) -> QuerySet[Employee]:
    """Whose absences the actor sees on the team calendar: their own team (same manager), everyone
    below them, HR's scope."""
    if not actor.is_authenticated or actor.employee is None:
        return visible_leave_people(actor)
    q = Q(pk=actor.employee.pk)
    if actor.employee.manager_id:
        q |= Q(manager_id=actor.employee.manager_id)
    return Employee.objects.filter(q) | visible_leave_people(actor)
