"""Who may see and change organisation data. Every view, endpoint and task comes through here."""

from __future__ import annotations

from django.db.models import Q, QuerySet

from talentloop.accounts.models import User
from talentloop.core.access import Actor
from talentloop.organisation.models import Employee, EmploymentEvent, JobFamily, OrgUnit, Position


def _hr_unit_q(actor: Actor, prefix: str = "org_unit__") -> Q:
    q = Q(pk__in=[])
    for path in actor.hr_unit_paths:
        q |= Q(**{f"{prefix}path__startswith": path})
    return q


def visible_employees(actor: Actor) -> QuerySet[Employee]:
    """Self, everyone below in the reporting tree, and everyone in an HR scope."""
    qs = Employee.objects.all()
    if not actor.is_authenticated:
        return qs.none()
    if actor.is_admin or actor.hr_everywhere:
        return qs
    q = Q(pk__in=[])
    if actor.employee is not None:
        q |= Q(pk=actor.employee.pk)
        if actor.has_reports:
            q |= Q(manager_path__startswith=actor.reports_prefix)
    if actor.hr_unit_paths:
        q |= _hr_unit_q(actor)
    return qs.filter(q)


def hr_covers_unit(actor: Actor, unit: OrgUnit | None) -> bool:
    if not actor.is_authenticated or not actor.is_hr:
        return False
    if actor.hr_everywhere:
        return True
    return unit is not None and any(unit.path.startswith(p) for p in actor.hr_unit_paths)


def can_manage_employee(actor: Actor, employee: Employee) -> bool:
    return hr_covers_unit(actor, employee.org_unit)


def can_create_employee(actor: Actor, org_unit: OrgUnit | None = None) -> bool:
    if org_unit is None:
        return actor.is_authenticated and actor.is_hr
    return hr_covers_unit(actor, org_unit)


def can_view_sensitive(actor: Actor, employee: Employee) -> bool:
    """The person themselves and HR covering them; managers and admins see the mask only."""
    if not actor.is_authenticated:
        return False
    if actor.employee is not None and actor.employee.pk == employee.pk:
        return True
    return can_manage_employee(actor, employee)


def can_view_history(actor: Actor, employee: Employee) -> bool:
    return visible_employees(actor).filter(pk=employee.pk).exists()


def visible_org_units(actor: Actor) -> QuerySet[OrgUnit]:
    """The structure of the organisation is known to every signed-in person."""
    if not actor.is_authenticated:
        return OrgUnit.objects.none()
    return OrgUnit.objects.all()


def can_manage_org_unit(actor: Actor, unit: OrgUnit | None) -> bool:
    """HR for the whole organisation manages any unit; scoped HR manages units inside its scope."""
    if unit is None:
        return actor.is_authenticated and actor.is_hr and actor.hr_everywhere
    return hr_covers_unit(actor, unit)


def can_manage_catalogue(actor: Actor) -> bool:
    """Job families and positions are organisation-wide catalogues."""
    return actor.is_authenticated and actor.is_hr


def can_view_org_directory(actor: Actor) -> bool:
    """The people directory: managers, HR and admins."""
    return actor.is_authenticated and (actor.is_manager or actor.is_hr or actor.is_admin)


def can_view_people_directory(actor: Actor) -> bool:
    """HR and admins read the directory as the organisation's people (a manager reads it as a team)."""
    return actor.is_authenticated and (actor.is_hr or actor.is_admin)


def can_view_team_directory(actor: Actor) -> bool:
    """A manager who is neither HR nor an admin reads the directory as their team."""
    return can_view_org_directory(actor) and not can_view_people_directory(actor)


def can_view_own_profile(actor: Actor) -> bool:
    """Only a person with an employee record has a profile of their own."""
    return actor.is_authenticated and actor.employee is not None


def can_view_org_units(actor: Actor) -> bool:
    """The list of org units is HR's working page."""
    return actor.is_authenticated and actor.is_hr


def visible_job_families(actor: Actor) -> QuerySet[JobFamily]:
    return JobFamily.objects.all() if actor.is_authenticated else JobFamily.objects.none()


def visible_positions(actor: Actor) -> QuerySet[Position]:
    return Position.objects.all() if actor.is_authenticated else Position.objects.none()


def visible_events(actor: Actor) -> QuerySet[EmploymentEvent]:
    return EmploymentEvent.objects.filter(employee__in=visible_employees(actor))


def can_import_employees(actor: Actor) -> bool:
    """HR imports; each row is then checked against the HR scope like a single hire or event."""
    return actor.is_authenticated and actor.is_hr


def can_export_employees(actor: Actor) -> bool:
    """HR and admins export; the file holds only ``visible_employees(actor)``."""
    return actor.is_authenticated and (actor.is_hr or actor.is_admin)


def can_give_login(actor: Actor, employee: Employee) -> bool:
    """HR covering the person, or an administrator, creates or links the person's account."""
    if not actor.is_authenticated:
        return False
    return actor.is_admin or can_manage_employee(actor, employee)


def linkable_accounts(actor: Actor) -> QuerySet:
    """Accounts that belong to no one and may be linked to a person: never an administrator's."""
    if not actor.is_authenticated or not (actor.is_admin or actor.is_hr):
        return User.objects.none()
    return (User.objects.filter(employee__isnull=True, is_superuser=False)
            .exclude(role_assignments__role="admin"))


def can_view_employee(actor: Actor, employee: Employee) -> bool:
    """The profile page's rule, for links to it: only a reader who may open the page gets a link."""
    if not actor.is_authenticated or employee is None:
        return False
    if actor.is_admin or actor.hr_everywhere:
        return True
    if actor.employee is not None and actor.employee.pk == employee.pk:
        return True
    return visible_employees(actor).filter(pk=employee.pk).exists()


# ---- contracts


def can_view_contract(actor: Actor, employee: Employee) -> bool:
    """The whole contract (term, probation, pay group, social-insurance city, notice): the person
    themselves and HR covering them."""
    if not actor.is_authenticated:
        return False
    if actor.employee is not None and actor.employee.pk == employee.pk:
        return True
    return can_manage_employee(actor, employee)


def can_view_contract_summary(actor: Actor, employee: Employee) -> bool:
    """The working-hour system and the contract's end: also everyone above the person in the reporting
    tree (to plan work and renewals) and administrators."""
    if can_view_contract(actor, employee):
        return True
    if not actor.is_authenticated:
        return False
    if actor.is_admin:
        return True
    return bool(actor.has_reports and actor.reports_prefix and employee.manager_path.startswith(actor.reports_prefix))


def can_manage_contract(actor: Actor, employee: Employee) -> bool:
    """Recording a contract row: HR covering the person."""
    return can_manage_employee(actor, employee)
