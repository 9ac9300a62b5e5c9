"""Time API: the monthly attendance summaries — the month's rows (scoped), building and locking a
month (HR covering everyone), the Excel export, and adjustments of a locked month. The same services
as the pages."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.http import HttpResponse
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status

from talentloop.attendance import access
from talentloop.attendance.selectors import summaries as selectors
from talentloop.attendance.services import summaries as services
from talentloop.core.errors import InvalidInput, NotFound, PermissionDenied
from talentloop.core.paging import PAGED, SelectorPage, paginated
from talentloop.core.schemas import ERRORS, Id, InSchema

router = Router()

MONTH = Field(..., pattern=r"^[1-9]\d{3}-(0[1-9]|1[0-2])$", description="The month, YYYY-MM", examples=["2026-10"])


class SummaryQuery(Schema):
    month: str = MONTH
    org_unit_id: Id | None = Field(None, description="Only the people of this org unit and the units below")
    exceptions_only: bool = Field(False, description="Only people who were late, left early, were absent, "
                                                     "missed a punch or punched outside a site")


class MonthIn(InSchema):
    month: str = MONTH


class SummaryOut(Schema):
    employee_id: int
    employee_number: str
    employee_name: str
    org_unit: str
    month: str
    scheduled_days: Decimal
    worked_days: Decimal
    worked_minutes: int
    late_count: int
    late_minutes: int
    early_count: int
    early_minutes: int
    absent_days: Decimal
    missing_punches: int
    outside_count: int
    overtime_150_minutes: int
    overtime_200_minutes: int
    overtime_300_minutes: int
    in_lieu_earned_minutes: int
    in_lieu_used_minutes: int
    cap_breaches: int
    leave: dict[str, Any] = Field(description='Per leave type code: {"days": "2.5", "hours": "20", "paid": true}')
    carried: list[dict[str, Any]] = Field(description="Adjustments of earlier locked months carried into this one")
    built_at: dt.datetime


class BuildOut(Schema):
    month: str
    people: int
    carried: int
    seconds: float


class LockOut(Schema):
    month: str
    locked_at: dt.datetime
    locked_by: str


class AdjustmentIn(InSchema):
    employee_id: Id
    month: str = MONTH
    field: str = Field(..., max_length=40, description="The figure: " + ", ".join(selectors.ADJUSTABLE_FIELDS))
    delta: Decimal = Field(..., description="The change, e.g. -1 or 0.5 (whole numbers for counts and minutes)")
    reason: str = Field(..., min_length=1, max_length=300)


class AdjustmentOut(Schema):
    id: int
    employee_id: int
    month: str
    field: str
    delta: Decimal
    reason: str
    applied_to: str | None
    at: dt.datetime


def _org_unit(request, pk: int | None):
    if pk is None:
        return None
    unit = selectors.org_unit_get(request.actor, pk)
    if unit is None:  # a unit outside the reader's scope, as one that does not exist: not found
        raise NotFound(_("No such org unit."))
    return unit


@router.get("/summaries", response={200: list[SummaryOut], **ERRORS},
            summary="The monthly attendance summaries of the people I may see", description=PAGED)
@paginated(default=100, max_limit=1000)
def summaries_list(request, query: Query[SummaryQuery]):
    month = services.parse_month(query.month)
    unit = _org_unit(request, query.org_unit_id)
    return SelectorPage(lambda limit, offset: selectors.summary_page(
        request.actor, month, org_unit=unit, exceptions_only=query.exceptions_only, limit=limit, offset=offset))


@router.post("/summaries/build", response={200: BuildOut, **ERRORS},
             summary="Build (or rebuild) an open month's summaries from the punches (HR covering everyone)")
def summaries_build(request, data: MonthIn):
    if not access.can_manage_attendance(request.actor):
        raise PermissionDenied(_("Only HR covering the whole organisation builds the monthly summaries."))
    result = services.summaries_build(month=services.parse_month(data.month), by=request.actor)
    return {"month": result.month.strftime("%Y-%m"), "people": result.people, "carried": result.carried,
            "seconds": round(result.seconds, 2)}


@router.post("/summaries/lock", response={200: LockOut, **ERRORS},
             summary="Lock a finished, built month for payroll (HR covering everyone)")
def summaries_lock(request, data: MonthIn):
    lock = services.summaries_lock(request.actor, month=services.parse_month(data.month))
    return {"month": lock.month.strftime("%Y-%m"), "locked_at": lock.locked_at,
            "locked_by": request.actor.user.get_username()}


@router.get("/summaries/export", response=ERRORS, summary="The month's summaries I may see, as Excel",
            openapi_extra={"responses": {200: {"description": "An Excel workbook, one row per person.",
                                               "content": {selectors.XLSX: {"schema": {"type": "string",
                                                                                        "format": "binary"}}}}}})
def summaries_export(request, query: Query[SummaryQuery]):
    month = services.parse_month(query.month)
    content = selectors.summary_export_xlsx(request.actor, month, org_unit=_org_unit(request, query.org_unit_id),
                                            exceptions_only=query.exceptions_only)
    response = HttpResponse(content, content_type=selectors.XLSX)
    response["Content-Disposition"] = f'attachment; filename="attendance-{month:%Y-%m}.xlsx"'
    response["Cache-Control"] = "no-store"
    return response


@router.post("/summaries/adjustments", response={201: AdjustmentOut, **ERRORS},
             summary="Record a change to a locked month's figure (HR covering the person); the next open "
                     "month built carries it")
def summaries_adjust(request, data: AdjustmentIn):
    employee = selectors.time_person_get(request.actor, data.employee_id)
    if employee is None:
        raise InvalidInput(_("No such person whose attendance you may see."),
                           {"employee_id": [_("No such person whose attendance you may see.")]})
    adjustment = services.summary_adjustment_record(request.actor, employee=employee,
                                                    month=services.parse_month(data.month), field=data.field,
                                                    delta=data.delta, reason=data.reason)
    return Status(201, {"id": adjustment.pk, "employee_id": adjustment.employee_id,
                        "month": adjustment.month.strftime("%Y-%m"), "field": adjustment.field,
                        "delta": adjustment.delta, "reason": adjustment.reason, "applied_to": None,
                        "at": adjustment.at})
