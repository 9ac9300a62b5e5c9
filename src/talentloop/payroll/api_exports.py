"""Payroll API: the files of a run (``exports/{kind}``) and the column layouts of the bank file and the
IIT sheet. The same code as the pages (``payroll.exports``): payroll of the run's pay group and
administrators, every download audited; a run the reader may not see is a 404."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from django.http import HttpResponse
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status

from talentloop.core.errors import PermissionDenied
from talentloop.core.http import get_or_404
from talentloop.core.paging import PAGED, paginated
from talentloop.core.schemas import ERRORS, Id, InSchema
from talentloop.payroll import access, exports
from talentloop.payroll import selectors_exports as selectors
from talentloop.payroll.exports.services import export_layout_delete, export_layout_save
from talentloop.payroll.exports.writers import CSV, XLSX
from talentloop.payroll.models import ExportLayout

router = Router(tags=["payroll"])

ExportKindLiteral = Literal["bank", "iit", "journal", "contributions"]
LayoutKindLiteral = Literal["bank", "iit"]
FormatLiteral = Literal["csv", "xlsx"]
EncodingLiteral = Literal["utf-8-sig", "gb18030"]


class ExportQuery(InSchema):
    run: Id
    layout: Id | None = Field(None, description="a layout of this export; its default layout when not given")
    format: FormatLiteral | None = Field(None, description="the layout's format when not given")


@router.get(
    "/exports/{kind}",
    response=ERRORS,
    summary="A file of a run: the bank transfer file, the IIT withholding sheet, the payroll journal or the "
    "contribution lists (payroll of the run's pay group)",
    openapi_extra={
        "responses": {
            200: {
                "description": "The file (CSV or Excel). Refused with 422 and the people named when someone "
                "paid has no bank account; 409 when the run is not far enough (approved for the bank "
                "file, locked for the others).",
                "content": {
                    XLSX: {"schema": {"type": "string", "format": "binary"}},
                    CSV: {"schema": {"type": "string", "format": "binary"}},
                },
            }
        }
    },
)
def export_download(request, kind: ExportKindLiteral, query: Query[ExportQuery]):
    actor = request.actor
    run = get_or_404(access.visible_runs(actor).select_related("pay_group"), pk=query.run)
    layout = None
    if query.layout is not None:
        layout = get_or_404(access.visible_export_layouts(actor), pk=query.layout)
    result = exports.export_for(actor, kind=kind, run=run, layout=layout, fmt=query.format or "")
    response = HttpResponse(result.content, content_type=result.content_type)
    response["Content-Disposition"] = content_disposition_header(True, result.filename)
    response["Cache-Control"] = "no-store"
    return response


# ------------------------------------------------------------------------------------------------ layouts


class ColumnSchema(Schema):
    field: str = Field(..., max_length=40)
    header: str = Field("", max_length=120, description="empty: the field's name in the reader's language")
    value: str = Field("", max_length=200, description="the text of a constant column")


class ExportLayoutOut(Schema):
    id: int
    kind: LayoutKindLiteral
    name: str
    format: FormatLiteral
    encoding: EncodingLiteral
    columns: list[ColumnSchema]
    is_default: bool
    updated_at: dt.datetime


class ExportLayoutIn(InSchema):
    kind: LayoutKindLiteral
    name: str = Field(..., min_length=1, max_length=120)
    format: FormatLiteral = "csv"
    encoding: EncodingLiteral = "gb18030"
    columns: list[ColumnSchema] = Field(..., min_length=1, max_length=60)
    is_default: bool = False


class LayoutFilters(InSchema):
    kind: LayoutKindLiteral | None = None


def _save(request, layout: ExportLayout | None, data: ExportLayoutIn) -> ExportLayout:
    body = data.model_dump()
    return export_layout_save(actor=request.actor, layout=layout, **body)


@router.get(
    "/export-layouts",
    response={200: list[ExportLayoutOut], **ERRORS},
    summary="The column layouts of the bank file and the IIT sheet (payroll)",
    description=PAGED,
)
@paginated(default=50, max_limit=200)
def layout_list(request, filters: Query[LayoutFilters]):
    if not access.can_manage_export_layouts(request.actor):
        raise PermissionDenied(_("Only payroll keeps the export layouts."))
    return selectors.export_layout_list(request.actor, filters.kind or "")


@router.post(
    "/export-layouts",
    response={201: ExportLayoutOut, **ERRORS},
    summary="Create a column layout; an unknown field is refused with its name (payroll)",
)
def layout_create(request, data: ExportLayoutIn):
    return Status(201, _save(request, None, data))


@router.put(
    "/export-layouts/{layout_id}",
    response={200: ExportLayoutOut, **ERRORS},
    summary="Change a column layout (its kind stays)",
)
def layout_update(request, layout_id: int, data: ExportLayoutIn):
    layout = get_or_404(access.visible_export_layouts(request.actor), pk=layout_id)
    return _save(request, layout, data)


@router.delete("/export-layouts/{layout_id}", response={204: None, **ERRORS}, summary="Delete a column layout")
def layout_delete(request, layout_id: int):
    layout = get_or_404(access.visible_export_layouts(request.actor), pk=layout_id)
    export_layout_delete(actor=request.actor, layout=layout)
    return Status(204, None)
