"""What organisation supplies to the apps below it, registered from ``apps.py``.

core and accounts sit below organisation and may not import it, yet who a signed-in user is (their
employee record, HR scopes, reports) and which accounts HR may reach depend on organisation's data.
They offer a slot; these functions fill it.
"""

from __future__ import annotations

from django.db.models import QuerySet

from talentloop.accounts.models import RoleAssignment, User
from talentloop.core.access import Actor
from talentloop.organisation.access import visible_employees
from talentloop.organisation.models import Employee


def load_actor(user: User, ip: str = "") -> Actor:
    """Build the actor with at most three small queries: the user's employee, roles and report check."""
    employee = Employee.objects.select_related("org_unit").filter(user=user).first()
    roles: set[str] = set()
    hr_paths: list[str] = []
    hr_everywhere = False
    for role, unit_path in RoleAssignment.objects.filter(user=user).values_list("role", "org_unit__path"):
        roles.add(role)
        if role == "hr":
            if unit_path:
                hr_paths.append(unit_path)
            else:
                hr_everywhere = True
    if user.is_superuser:
        roles.add("admin")
    reports_prefix = ""
    has_reports = False
    if employee is not None:
        roles.add("employee")
        reports_prefix = employee.reports_prefix
        has_reports = Employee.objects.filter(manager_path__startswith=reports_prefix).exists()
        if has_reports:
            roles.add("manager")
    return Actor(
        user=user,
        employee=employee,
        roles=frozenset(roles),
        hr_unit_paths=tuple(hr_paths),
        hr_everywhere=hr_everywhere,
        reports_prefix=reports_prefix,
        has_reports=has_reports,
        ip=ip,
    )


def staff_accounts(actor: Actor) -> QuerySet[User]:
    """The accounts of the people the actor may see (HR issues their reset codes)."""
    return User.objects.filter(employee__in=visible_employees(actor))
