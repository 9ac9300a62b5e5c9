"""Who may see and change attendance. Every view, endpoint, task and command comes through here.

- Everyone with an employee record clocks, and sees their own events, days and months.
- A manager sees the attendance of everyone below them, approves their corrections and overtime and
  plans their rosters; while a manager is away, their delegate decides for them.
- HR covering a person sees and fixes everything about them; HR covering the whole organisation
  keeps the calendar, shifts, sites, policy and vendor credentials, imports machine punches and
  locks months.
- The raw position of a clock event (kept 30 days) is seen by the person and HR covering them only;
  managers see the result (which site, or outside by how far, and the reason).
- Admins read; they change nothing here.
"""

from __future__ import annotations

import datetime as dt

from django.db.models import Q, QuerySet
from django.utils import timezone

from talentloop.attendance.models import (
    ApprovalDelegation,
    ClockEvent,
    Correction,
    MonthlySummary,
    OvertimeRequest,
    RosterEntry,
    WorkSite,
)
from talentloop.core.access import Actor
from talentloop.organisation.access import hr_covers_unit, visible_employees
from talentloop.organisation.models import Employee, OrgUnit


def _today() -> dt.date:
    return timezone.localdate()


def is_self(actor: Actor, employee: Employee) -> bool:
    return actor.employee is not None and actor.employee.pk == employee.pk


def is_above(actor: Actor, employee: Employee) -> bool:
    return bool(actor.has_reports and actor.reports_prefix and employee.manager_path.startswith(actor.reports_prefix))


def delegating_manager_ids(actor: Actor, on: dt.date | None = None) -> list[int]:
    """The approvers for whom the actor decides today (their delegations running on ``on``)."""
    if not actor.is_authenticated or actor.employee is None:
        return []
    on = on or _today()
    return list(ApprovalDelegation.objects.filter(delegate=actor.employee, start__lte=on, end__gte=on)
                .values_list("approver_id", flat=True))


def _delegated_q(actor: Actor, prefix: str = "") -> Q:
    """People whose direct manager has delegated their approvals to the actor."""
    ids = delegating_manager_ids(actor)
    return Q(**{f"{prefix}manager_id__in": ids}) if ids else Q(pk__in=[])


# ---------------------------------------------------------------- people and configuration


def visible_time_people(actor: Actor) -> QuerySet[Employee]:
    """Whose attendance the actor sees: self, everyone below, HR's scope; admins everyone."""
    return visible_employees(actor)


def can_clock(actor: Actor) -> bool:
    return actor.is_authenticated and actor.employee is not None


def can_manage_attendance(actor: Actor) -> bool:
    """The organisation-wide settings: calendar, shifts, sites, policy, vendor apps, imports, locks."""
    return actor.is_authenticated and actor.is_hr and actor.hr_everywhere


def can_view_attendance_settings(actor: Actor) -> bool:
    return actor.is_authenticated and (actor.is_hr or actor.is_admin)


def can_manage_time_of(actor: Actor, employee: Employee) -> bool:
    """HR covering the person: fix their schedule, record adjustments."""
    return hr_covers_unit(actor, employee.org_unit)


def can_view_time_of(actor: Actor, employee: Employee) -> bool:
    if not actor.is_authenticated:
        return False
    return is_self(actor, employee) or is_above(actor, employee) or actor.is_admin or hr_covers_unit(
        actor, employee.org_unit)


def can_view_raw_location(actor: Actor, employee: Employee) -> bool:
    return actor.is_authenticated and (is_self(actor, employee) or hr_covers_unit(actor, employee.org_unit))


def can_approve_time(actor: Actor, employee: Employee) -> bool:
    """Corrections and overtime of ``employee``: anyone above them, their manager's delegate while the
    delegation runs, HR covering them. Never one's own."""
    if not actor.is_authenticated or is_self(actor, employee):
        return False
    if is_above(actor, employee) or hr_covers_unit(actor, employee.org_unit):
        return True
    return employee.manager_id is not None and employee.manager_id in delegating_manager_ids(actor)


def can_plan_roster(actor: Actor, employee: Employee) -> bool:
    return actor.is_authenticated and (is_above(actor, employee) or hr_covers_unit(actor, employee.org_unit))


def plannable_people(actor: Actor) -> QuerySet[Employee]:
    """Whose rosters the actor plans: everyone below them and HR's scope."""
    if not actor.is_authenticated:
        return Employee.objects.none()
    if actor.is_hr and actor.hr_everywhere:
        return Employee.objects.all()
    q = Q(pk__in=[])
    if actor.has_reports and actor.reports_prefix:
        q |= Q(manager_path__startswith=actor.reports_prefix)
    for path in actor.hr_unit_paths if actor.is_hr else ():
        q |= Q(org_unit__path__startswith=path)
    return Employee.objects.filter(q)


def can_lock_month(actor: Actor) -> bool:
    return can_manage_attendance(actor)


# ---------------------------------------------------------------- records


def visible_clock_events(actor: Actor) -> QuerySet[ClockEvent]:
    return ClockEvent.objects.filter(employee__in=visible_time_people(actor))


def visible_roster_entries(actor: Actor) -> QuerySet[RosterEntry]:
    return RosterEntry.objects.filter(employee__in=visible_time_people(actor))


def visible_summaries(actor: Actor) -> QuerySet[MonthlySummary]:
    return MonthlySummary.objects.filter(employee__in=visible_time_people(actor))


def _requests_q(actor: Actor) -> Q:
    """Requests of the people the actor sees, and of those whose approvals were delegated to them."""
    return Q(employee__in=visible_time_people(actor)) | Q(employee__in=Employee.objects.filter(
        _delegated_q(actor)))


def visible_corrections(actor: Actor) -> QuerySet[Correction]:
    if not actor.is_authenticated:
        return Correction.objects.none()
    return Correction.objects.filter(_requests_q(actor))


def visible_overtime(actor: Actor) -> QuerySet[OvertimeRequest]:
    if not actor.is_authenticated:
        return OvertimeRequest.objects.none()
    return OvertimeRequest.objects.filter(_requests_q(actor))


# ---- rosters


def can_plan_rosters(actor: Actor) -> bool:
    """The roster planner is for managers (their tree) and HR (their scope)."""
    return actor.is_authenticated and (actor.is_hr or (actor.employee is not None and actor.has_reports))


def staffable_units(actor: Actor) -> QuerySet[OrgUnit]:
    """The org units whose minimum staffing the actor sets and whose rosters they open by unit: HR's
    units and everything below them; a manager's own unit and every unit they head, with its sub-units."""
    units = OrgUnit.objects.filter(is_active=True)
    if not actor.is_authenticated:
        return units.none()
    if actor.is_hr and actor.hr_everywhere:
        return units
    q = Q(pk__in=[])
    for path in actor.hr_unit_paths if actor.is_hr else ():
        q |= Q(path__startswith=path)
    if actor.employee is not None and actor.has_reports:
        q |= Q(pk=actor.employee.org_unit_id)
        for path in OrgUnit.objects.filter(manager=actor.employee).values_list("path", flat=True):
            q |= Q(path__startswith=path)
    return units.filter(q)


def can_set_staffing(actor: Actor, unit: OrgUnit) -> bool:
    return staffable_units(actor).filter(pk=unit.pk).exists()


# ---- time requests (overtime and corrections)


def _approvable_people(actor: Actor) -> QuerySet[Employee]:
    """People whose overtime and corrections the actor decides (the set form of ``can_approve_time``):
    everyone below them, HR's scope, the reports of managers who delegated to them; never themselves."""
    if not actor.is_authenticated:
        return Employee.objects.none()
    q = _delegated_q(actor)
    if actor.has_reports and actor.reports_prefix:
        q |= Q(manager_path__startswith=actor.reports_prefix)
    if actor.is_hr:
        if actor.hr_everywhere:
            q = Q(pk__isnull=False)
        else:
            for path in actor.hr_unit_paths:
                q |= Q(org_unit__path__startswith=path)
    qs = Employee.objects.filter(q)
    if actor.employee is not None:
        qs = qs.exclude(pk=actor.employee.pk)
    return qs


def overtime_awaiting(actor: Actor) -> QuerySet[OvertimeRequest]:
    """Pending overtime the actor may approve."""
    return OvertimeRequest.objects.filter(status="pending", employee__in=_approvable_people(actor))


def corrections_awaiting(actor: Actor) -> QuerySet[Correction]:
    """Pending corrections the actor may approve."""
    return Correction.objects.filter(status="pending", employee__in=_approvable_people(actor))


def can_view_approvals(actor: Actor) -> bool:
    """The approvals page: managers, delegates and HR (anyone else has nothing to decide)."""
    return actor.is_authenticated and (actor.has_reports or actor.is_hr or bool(delegating_manager_ids(actor)))


def can_cancel_overtime(actor: Actor, request: OvertimeRequest) -> bool:
    """The person while it is pending; HR covering them while it is pending or approved."""
    if not actor.is_authenticated:
        return False
    if request.status == "pending" and is_self(actor, request.employee):
        return True
    return request.status in ("pending", "approved") and hr_covers_unit(actor, request.employee.org_unit)


def can_cancel_correction(actor: Actor, correction: Correction) -> bool:
    """Only while pending (an approved correction's event is a fact): the person or HR covering them."""
    if not actor.is_authenticated or correction.status != "pending":
        return False
    return is_self(actor, correction.employee) or hr_covers_unit(actor, correction.employee.org_unit)


def can_request_time(actor: Actor) -> bool:
    """Asking for overtime or a correction: anyone with an employee record, for themselves."""
    return can_clock(actor)


def can_view_cap_breaches(actor: Actor) -> bool:
    return actor.is_authenticated and actor.is_hr


def visible_cap_breaches(actor: Actor) -> QuerySet[OvertimeRequest]:
    """Overtime over a legal cap of the people in HR's scope (HR only)."""
    if not can_view_cap_breaches(actor):
        return OvertimeRequest.objects.none()
    qs = OvertimeRequest.objects.exclude(cap_breach="")
    if actor.hr_everywhere:
        return qs
    q = Q(pk__in=[])
    for path in actor.hr_unit_paths:
        q |= Q(employee__org_unit__path__startswith=path)
    return qs.filter(q)


# ---- calendar


def can_view_calendar(actor: Actor) -> bool:
    """The holiday calendar is everyone's: every signed-in person sees every year and every site."""
    return actor.is_authenticated


def calendar_sites(actor: Actor) -> QuerySet[WorkSite]:
    """The sites whose own calendar days a reader may look at (every active site, for anyone signed in)."""
    if not actor.is_authenticated:
        return WorkSite.objects.none()
    return WorkSite.objects.filter(is_active=True)


# ---- imports and vendor pulls


def can_view_clock_imports(actor: Actor) -> bool:
    """The history of machine-punch imports and vendor pulls (with their refused rows): HR covering
    the whole organisation, who imports, and admins, who read."""
    return actor.is_authenticated and ((actor.is_hr and actor.hr_everywhere) or actor.is_admin)


# ---- pages and navigation


def can_view_exceptions_today(actor: Actor) -> bool:
    """Today's exceptions: a manager's people, HR's scope."""
    return actor.is_authenticated and (actor.has_reports or actor.is_hr)


def approves_by_role(actor: Actor) -> bool:
    """Managers and HR decide time requests by their role (delegates only while a delegation runs):
    the navigation offers them the approval pages without a query."""
    return actor.is_authenticated and (actor.has_reports or actor.is_hr)


def can_review_summaries(actor: Actor) -> bool:
    """The monthly summaries list and export: HR (their scope), managers (their people), admins."""
    return actor.is_authenticated and (actor.is_hr or actor.is_admin or actor.has_reports)


def can_assign_schedules(actor: Actor) -> bool:
    """HR assigns work schedules (each target is then checked against their scope)."""
    return actor.is_authenticated and actor.is_hr
