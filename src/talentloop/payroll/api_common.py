"""What the payroll API routers share."""

from __future__ import annotations

from talentloop.core.http import get_or_404
from talentloop.organisation.models import Employee
from talentloop.payroll import access


def person_or_404(request, employee_id: int | None) -> Employee | None:
    """The person asked for (default: oneself) among those whose salary the reader may see; 404 else.
    None when no one is named and the reader has no employee record."""
    actor = request.actor
    if employee_id is None:
        if actor.employee is None:
            return None
        employee_id = actor.employee.pk
    return get_or_404(access.salary_people(actor), pk=employee_id)
