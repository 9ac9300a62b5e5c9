"""Reads behind the pages: the observations behind a score, and the manager's team view as figures."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema

from talentloop.core.errors import PermissionDenied
from talentloop.core.http import get_or_404
from talentloop.core.paging import PAGED, SelectorPage, paginated
from talentloop.core.schemas import ERRORS, InSchema
from talentloop.performance import access, selectors_dashboards
from talentloop.performance import periods as P

router = Router(tags=["performance dashboards"])

PERIOD = r"^(19|2\d)\d{2}(-(0[1-9]|1[0-2])|-Q[1-4])?$"  # years 1900–2999


class ObservationQuery(InSchema):
    period: str = Field(pattern=PERIOD, description="YYYY-MM, YYYY-Qn or YYYY")
    metric: str = Field("", max_length=60, pattern=r"^[-a-zA-Z0-9_]*$",
                        description="A metric key; a ratio gives its numerator's and denominator's observations")
    include_replaced: bool = Field(False, description="Also the observations a correction replaced")


class ObservationOut(Schema):
    id: int
    metric: str
    value: Decimal
    occurred_at: dt.datetime
    occurred_on: dt.date
    source: str
    external_id: str
    is_current: bool
    supersedes_id: int | None
    after_close: bool

    @staticmethod
    def resolve_metric(obj) -> str:
        return obj.metric.key


@router.get("/employees/{int:employee_id}/observations", response={200: list[ObservationOut], **ERRORS},
            summary="The observations behind a person's score, newest first", description=PAGED)
@paginated(default=50, max_limit=200)
def employee_observations(request, employee_id: int, query: Query[ObservationQuery]):
    employee = get_or_404(access.score_subjects(request.actor), pk=employee_id)

    def read(limit: int, offset: int) -> tuple[list, int]:
        page = selectors_dashboards.score_observations(
            request.actor, employee, P.parse(query.period), metric_key=query.metric,
            include_replaced=query.include_replaced, page_size=limit, offset=offset)
        return page["items"], page["count"]

    return SelectorPage(read)


class TeamQuery(InSchema):
    period: str | None = Field(None, pattern=PERIOD, description="Default: the last complete month")
    manager_id: int | None = Field(None, ge=1, le=2**53, description="Default: your own team")


class BandOut(Schema):
    rating: int
    count: int


class MoverOut(Schema):
    employee_id: int
    employee_number: str
    name: str
    total: Decimal | None
    previous_total: Decimal | None
    change: Decimal | None


class TrendPointOut(Schema):
    period: str
    mean_total: Decimal | None


class TeamDashboardOut(Schema):
    manager_id: int
    period: str
    previous_period: str
    people: int
    scored: int
    distribution: list[BandOut]
    improving: list[MoverOut]
    declining: list[MoverOut]
    steady: int
    mean_total: Decimal | None
    previous_mean_total: Decimal | None
    trend: list[TrendPointOut]
    open_alerts: int | None


def _mover(m: selectors_dashboards.TeamMember) -> dict:
    return {"employee_id": m.id, "employee_number": m.employee_number, "name": m.name, "total": m.total,
            "previous_total": m.previous, "change": m.change}


@router.get("/dashboards/team", response={200: TeamDashboardOut, **ERRORS},
            summary="The manager's team view: rating distribution, who improves or declines, the mean over time")
def team_dashboard(request, query: Query[TeamQuery]):
    actor = request.actor
    if query.manager_id is not None:
        manager = get_or_404(access.score_subjects(actor), pk=query.manager_id)
    elif actor.employee is not None:
        manager = actor.employee
    else:
        raise PermissionDenied(_("You have no team; name a manager with manager_id."))
    if not access.can_view_team_dashboard(actor, manager):
        raise PermissionDenied(_("Only a manager, their management chain and HR see a team's figures."))
    period = P.parse(query.period) if query.period else selectors_dashboards.last_complete_month(
        timezone.localdate())
    view = selectors_dashboards.team_dashboard(actor, manager, period)
    return {
        "manager_id": manager.pk, "period": view.period.key, "previous_period": view.previous.key,
        "people": view.people, "scored": view.scored,
        "distribution": [{"rating": band, "count": n} for band, n in view.distribution.items()],
        "improving": [_mover(m) for m in view.improving], "declining": [_mover(m) for m in view.declining],
        "steady": view.steady, "mean_total": view.average, "previous_mean_total": view.average_previous,
        "trend": [{"period": key, "mean_total": value} for key, value in view.trend],
        "open_alerts": view.open_alerts,
    }
