"""What the home page shows; reads only through the other apps' selectors and scopes."""

from __future__ import annotations

from talentloop.core.access import Actor
from talentloop.organisation import selectors as org_selectors


def home_summary(actor: Actor) -> dict:
    out: dict = {"employee": actor.employee}
    if actor.employee is not None:
        emp = org_selectors.employee_get(actor, actor.employee.pk)
        out["employee"] = emp
        if actor.has_reports:
            out["direct_reports"] = org_selectors.direct_reports(actor, emp)
            out["team_size"] = org_selectors.team_size(actor, emp)
    if actor.is_hr or actor.is_admin:
        _items, out["headcount"] = org_selectors.employee_list(
            actor, org_selectors.EmployeeFilters(status="active"), limit=1)
    return out
