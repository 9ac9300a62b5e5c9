"""The Actor: who is asking, built once per request (or per task) and passed to every scope."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from talentloop.accounts.models import User
    from talentloop.organisation.models import Employee


@dataclass(frozen=True)
class Actor:
    user: User | None
    employee: Employee | None = None
    roles: frozenset[str] = field(default_factory=frozenset)
    # Materialised paths of the org units an HR role covers; empty when not HR.
    hr_unit_paths: tuple[str, ...] = ()
    hr_everywhere: bool = False
    # Materialised reporting path prefix for everyone below this person ("" when they have no reports).
    reports_prefix: str = ""
    has_reports: bool = False
    ip: str = ""

    @property
    def is_authenticated(self) -> bool:
        return self.user is not None and self.user.is_authenticated and self.user.is_active

    @property
    def is_admin(self) -> bool:
        return "admin" in self.roles

    @property
    def is_hr(self) -> bool:
        return "hr" in self.roles

    @property
    def is_manager(self) -> bool:
        return self.has_reports

    @property
    def user_id(self) -> Any:
        return self.user.pk if self.user is not None else None


ANONYMOUS = Actor(user=None)


def actor_for(user: User | None, ip: str = "") -> Actor:
    """Build the actor with at most three small queries: the user's employee, roles and report check."""
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return Actor(user=None, ip=ip)
    from talentloop.accounts.models import RoleAssignment
    from talentloop.organisation.models import Employee

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


def client_ip(request) -> str:
    """The client's address, honouring a trusted proxy's X-Forwarded-For (see ``core.http``)."""
    from talentloop.core.http import client_ip as _client_ip

    return _client_ip(request)
