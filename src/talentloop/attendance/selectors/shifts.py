"""Reads of shifts, work schedules and the choices their forms offer."""

from __future__ import annotations

from django.db.models import Q, QuerySet

from talentloop.attendance import access
from talentloop.attendance.models import Shift, WorkSchedule, WorkSite
from talentloop.core.access import Actor
from talentloop.organisation.models import Employee, OrgUnit


def shift_list(actor: Actor, *, active_only: bool = False) -> QuerySet[Shift]:
    """Every shift for those who keep or read the settings and those who plan rosters; the active ones
    for everyone else who clocks (they see the shifts they are planned on)."""
    qs = Shift.objects.all()
    if not actor.is_authenticated:
        return qs.none()
    if active_only or not (access.can_view_attendance_settings(actor) or access.can_plan_rosters(actor)):
        qs = qs.filter(is_active=True)
    return qs


def shift_get(actor: Actor, pk: int) -> Shift | None:
    if not access.can_view_attendance_settings(actor):
        return None
    return Shift.objects.filter(pk=pk).first()


def schedule_units(actor: Actor) -> QuerySet[OrgUnit]:
    """The units HR may assign a schedule to: the ones they cover."""
    units = OrgUnit.objects.filter(is_active=True)
    if not (actor.is_authenticated and actor.is_hr):
        return units.none()
    if actor.hr_everywhere:
        return units
    q = Q(pk__in=[])
    for path in actor.hr_unit_paths:
        q |= Q(path__startswith=path)
    return units.filter(q)


def schedule_people(actor: Actor) -> QuerySet[Employee]:
    """The people HR may assign a schedule to."""
    if not (actor.is_authenticated and actor.is_hr):
        return Employee.objects.none()
    return Employee.objects.filter(org_unit__in=schedule_units(actor))


def schedule_list(actor: Actor) -> QuerySet[WorkSchedule]:
    """Schedules of the units and people the actor covers (HR) or of everyone (admins read), newest
    first: the history of each target reads down the list."""
    qs = WorkSchedule.objects.select_related("org_unit", "employee", "shift", "site").order_by(
        "-effective_from", "-id")
    if not access.can_view_attendance_settings(actor):
        return qs.none()
    if actor.is_admin or actor.hr_everywhere:
        return qs
    units = schedule_units(actor)
    return qs.filter(Q(org_unit__in=units) | Q(employee__org_unit__in=units))


def active_sites() -> QuerySet[WorkSite]:
    return WorkSite.objects.filter(is_active=True)
