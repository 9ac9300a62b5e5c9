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

from django.db.models import Exists, OuterRef, Q, QuerySet

from talentloop.attendance import access as time_access
from talentloop.attendance.models import ApprovalDelegation
from talentloop.core.access import Actor
from talentloop.leave.models import ApprovalRole, ApprovalStep, LeaveRequest, LeaveType, LedgerEntry, PriorService
from talentloop.organisation.access import hr_covers_unit, visible_employees
from talentloop.organisation.models import Employee, EmploymentStatus

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


# ---- leave requests, approvals, delegation, team calendar


def leave_steps_waiting_for(actor: Actor) -> QuerySet[ApprovalStep]:
    """The steps that wait for the actor now: undecided, of a pending request that is not their own,
    with no earlier undecided step, and theirs to decide (the same rule as ``can_decide_step``, as a
    queryset: the approver is the actor or someone who delegated to them; an HR step of a person
    their HR role covers)."""
    if not actor.is_authenticated or actor.employee is None:
        return ApprovalStep.objects.none()
    q = Q(pk__in=[])
    ids = _approver_ids(actor)
    if ids:
        q |= Q(approver_id__in=ids) & ~Q(role=ApprovalRole.HR)
    if actor.is_hr:
        if actor.hr_everywhere:
            q |= Q(role=ApprovalRole.HR)
        else:
            for path in actor.hr_unit_paths:
                q |= Q(role=ApprovalRole.HR, request__employee__org_unit__path__startswith=path)
    earlier = ApprovalStep.objects.filter(request=OuterRef("request"), order__lt=OuterRef("order"), decision="")
    return (ApprovalStep.objects.filter(q, decision="", request__status="pending")
            .exclude(request__employee=actor.employee).exclude(Exists(earlier)))


def leave_kind_visible_ids(actor: Actor, request_ids: list[int]) -> set[int]:
    """Of the given requests, those whose kind of leave the actor may see on the team calendar (the
    set form of ``can_see_leave_kind``: one query for a whole month)."""
    if not request_ids:
        return set()
    return set(visible_leave_requests(actor).filter(pk__in=request_ids).values_list("pk", flat=True))


def can_delegate_approvals(actor: Actor) -> bool:
    """People who approve others' time (managers, HR) name a delegate while they are away."""
    return actor.is_authenticated and actor.employee is not None and (actor.has_reports or actor.is_hr)


def visible_delegations(actor: Actor) -> QuerySet[ApprovalDelegation]:
    """Delegations the actor gave or received; HR also those of the approvers they cover."""
    if not actor.is_authenticated:
        return ApprovalDelegation.objects.none()
    q = Q(pk__in=[])
    if actor.employee is not None:
        q |= Q(approver=actor.employee) | Q(delegate=actor.employee)
    if actor.is_hr:
        if actor.hr_everywhere:
            q = Q()
        else:
            for path in actor.hr_unit_paths:
                q |= Q(approver__org_unit__path__startswith=path)
    return ApprovalDelegation.objects.filter(q)


def can_change_delegation(actor: Actor, delegation: ApprovalDelegation) -> bool:
    """The approver who gave it, or HR covering that approver."""
    return actor.is_authenticated and (is_self(actor, delegation.approver)
                                       or hr_covers_unit(actor, delegation.approver.org_unit))


def delegate_candidates(actor: Actor) -> QuerySet[Employee]:
    """Whom an approver may name as delegate: current colleagues under the same manager (and their
    teams), their own manager, everyone below them, HR's scope; never themselves."""
    if not can_delegate_approvals(actor):
        return Employee.objects.none()
    me = actor.employee
    assert me is not None  # can_delegate_approvals says so
    q = Q(manager_path__startswith=me.manager_path)
    if me.manager_id:
        q |= Q(pk=me.manager_id)
    people = Employee.objects.filter(q) | visible_leave_people(actor)
    return people.exclude(pk=me.pk).exclude(status=EmploymentStatus.TERMINATED)


# ---- pages and navigation


def can_view_team_calendar(actor: Actor) -> bool:
    """Everyone with an employee record sees their team's month; admins see everyone's."""
    return actor.is_authenticated and (actor.employee is not None or actor.is_admin)


def can_view_leave_approvals(actor: Actor) -> bool:
    """The list of what waits for the reader: anyone with an employee record may be an approver or
    a delegate (an empty list otherwise)."""
    return actor.is_authenticated and actor.employee is not None


def can_review_prior_service(actor: Actor) -> bool:
    return actor.is_authenticated and actor.is_hr
