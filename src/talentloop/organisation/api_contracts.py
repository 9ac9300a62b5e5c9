"""Employment contracts in the API: a person's contract rows, and HR recording a new one (the same
service as the person's page)."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from django.utils.translation import gettext as _
from ninja import Field, Router, Schema, Status

from talentloop.core.errors import PermissionDenied
from talentloop.core.http import get_or_404
from talentloop.core.paging import PAGED, paginated
from talentloop.core.schemas import ERRORS, InSchema
from talentloop.organisation import access, selectors, services_contracts

router = Router(tags=["organisation"])

TermLiteral = Literal["fixed", "open_ended", "task"]
HoursLiteral = Literal["standard", "comprehensive", "flexible"]
PeriodLiteral = Literal["", "week", "month", "quarter", "year"]


class EmploymentContractOut(Schema):
    """Managers above the person read ``working_hours``, ``comprehensive_period`` and ``end_date`` only
    (``full`` false): the other fields are null for them."""

    id: int
    full: bool
    effective_from: dt.date
    end_date: dt.date | None
    working_hours: HoursLiteral
    comprehensive_period: PeriodLiteral
    start_date: dt.date | None
    term: TermLiteral | None
    probation_end: dt.date | None
    pay_group: str | None
    social_insurance_city: str | None
    notice_period_days: int | None
    note: str | None
    recorded_at: dt.datetime | None


class EmploymentContractIn(InSchema):
    start_date: dt.date
    term: TermLiteral
    end_date: dt.date | None = None
    working_hours: HoursLiteral = "standard"
    comprehensive_period: PeriodLiteral = ""
    probation_end: dt.date | None = None
    pay_group: str = Field("", max_length=40)
    social_insurance_city: str = Field("", max_length=40)
    notice_period_days: int = Field(30, ge=0, le=services_contracts.MAX_NOTICE_DAYS)
    effective_from: dt.date | None = Field(None, description="when this row takes effect; default: start_date")
    note: str = Field("", max_length=500)


def _out(row, full: bool) -> dict:
    out = {"id": row.pk, "full": full, "effective_from": row.effective_from, "end_date": row.end_date,
           "working_hours": row.working_hours, "comprehensive_period": row.comprehensive_period}
    for key in ("start_date", "term", "probation_end", "pay_group", "social_insurance_city", "notice_period_days",
                "note", "recorded_at"):
        out[key] = getattr(row, key) if full else None
    return out


@router.get("/employees/{int:employee_id}/contracts", response={200: list[EmploymentContractOut], **ERRORS},
            summary="A person's employment contract rows, newest first", description=PAGED)
@paginated(default=200, max_limit=1000)
def contract_list(request, employee_id: int):
    employee = get_or_404(access.visible_employees(request.actor), pk=employee_id)
    section = selectors.contract_section(request.actor, employee, services_contracts.today())
    if section is None:
        raise PermissionDenied(_("You may not see this person's contract."))
    if section.full:
        return [_out(row, True) for row in section.history]
    return [_out(section.current, False)] if section.current is not None else []


@router.post("/employees/{int:employee_id}/contracts", response={201: EmploymentContractOut, **ERRORS},
             summary="Record a contract row: a new contract, a renewal or a change (HR)")
def contract_create(request, employee_id: int, data: EmploymentContractIn):
    employee = get_or_404(access.visible_employees(request.actor), pk=employee_id)
    row = services_contracts.employment_contract_record(actor=request.actor, employee=employee,
                                                        **data.model_dump())
    return Status(201, _out(row, True))
