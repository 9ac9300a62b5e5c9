"""HR's and administrators' compact overview: head count and what waits for their decision."""

from __future__ import annotations

from dataclasses import dataclass

from talentloop.home.selectors.base import DUE, INFO, Ctx, Section
from talentloop.mentoring import selectors as mentoring_selectors
from talentloop.organisation import selectors as org_selectors


@dataclass
class HrOverview(Section):
    key = "hr"
    headcount: int = 0
    applications: int | None = None
    plans_to_approve: int | None = None

    @property
    def waiting(self) -> int:
        return (self.applications or 0) + (self.plans_to_approve or 0)


def hr_overview(ctx: Ctx) -> HrOverview | None:
    """Active people in the actor's scope; for HR also mentor applications and mentoring plans waiting
    for a decision (administrators read, they do not decide). One to three count queries."""
    actor = ctx.actor
    if not (actor.is_hr or actor.is_admin):
        return None
    section = HrOverview(urgency=INFO, headcount=org_selectors.employee_queryset(
        actor, org_selectors.EmployeeFilters(status="active")).count())
    if actor.is_hr:
        section.applications, section.plans_to_approve = mentoring_selectors.decisions_waiting(actor)
        if section.waiting:
            section.urgency = DUE
    return section
