"""Tax year statements under ``/api/v1/payroll/tax-year-statements``: whether this employer pays a
person's first wages of a tax year (国家税务总局公告2020年第13号). The person states their own;
payroll records it for the people of their groups."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status

from talentloop.core.errors import InvalidInput
from talentloop.core.paging import PAGED, paginated
from talentloop.core.schemas import ERRORS, Id, InSchema
from talentloop.payroll import selectors_setup as selectors
from talentloop.payroll.api_common import person_or_404
from talentloop.payroll.models import TaxYearStatement
from talentloop.payroll.services import tax_year as services

router = Router(tags=["payroll"])


class TaxYearStatementOut(Schema):
    id: int
    employee: int
    year: int
    first_wages_of_year: bool
    source: Literal["employee", "import"]
    recorded_at: dt.datetime


class TaxYearStatementIn(InSchema):
    employee: Id | None = Field(None, description="whose statement; default: your own (payroll records them)")
    year: int = Field(..., ge=services.FIRST_YEAR, le=services.LAST_YEAR, description="the tax year")
    first_wages_of_year: bool = Field(
        ..., description="this employer pays the person's first wages of the year (5,000 × the month number)"
    )


class TaxYearStatementFilters(InSchema):
    employee: Id | None = Field(None, description="whose statements; default: your own")
    year: int | None = Field(None, ge=services.FIRST_YEAR, le=services.LAST_YEAR)


def _out(row: TaxYearStatement) -> dict:
    return {
        "id": row.pk,
        "employee": row.employee_id,
        "year": row.year,
        "first_wages_of_year": row.first_wages_of_year,
        "source": row.source,
        "recorded_at": row.recorded_at,
    }


@router.get(
    "/tax-year-statements",
    response={200: list[TaxYearStatementOut], **ERRORS},
    summary="A person's tax year statements (first wages of the year), newest year first (default: your own)",
    description=PAGED,
)
@paginated(default=50, max_limit=200)
def tax_year_statement_list(request, filters: Query[TaxYearStatementFilters]):
    employee = person_or_404(request, filters.employee)
    if employee is None:
        return []
    rows = selectors.tax_year_statement_list(request.actor, employee=employee, year=filters.year)
    return [_out(row) for row in rows]


@router.post(
    "/tax-year-statements",
    response={200: TaxYearStatementOut, 201: TaxYearStatementOut, **ERRORS},
    summary="State whether this employer pays the first wages of a tax year (yours, or payroll for a person)",
)
def tax_year_statement_save(request, data: TaxYearStatementIn):
    employee = person_or_404(request, data.employee)
    if employee is None:
        raise InvalidInput(_("Name the person the statement is for."), {"employee": [_("This field is required.")]})
    row, created = services.tax_year_statement_save(
        actor=request.actor, employee=employee, year=data.year, first_wages_of_year=data.first_wages_of_year
    )
    return Status(201 if created else 200, _out(row))
