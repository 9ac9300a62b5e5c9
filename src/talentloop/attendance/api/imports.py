"""Time API: importing attendance-machine punches (``/clock-imports``) and the history of imports and
vendor pulls. The page /time/imports/ calls the same service."""

from __future__ import annotations

import datetime as dt

from django.http import Http404
from django.utils.translation import gettext as _
from ninja import File, Router, Schema, Status, UploadedFile

from talentloop.attendance import access
from talentloop.attendance.models import ClockImport
from talentloop.attendance.selectors import imports as selectors
from talentloop.attendance.services import imports as services
from talentloop.core.errors import InvalidInput, PermissionDenied
from talentloop.core.paging import PAGED, SelectorPage, paginated
from talentloop.core.schemas import ERRORS

router = Router()


class ClockImportRowErrorOut(Schema):
    line: int
    employee_number: str
    timestamp: str
    device: str
    reasons: list[str]


class ClockImportReportOut(Schema):
    file_name: str
    dry_run: bool
    import_id: int | None
    rows: int
    added: int
    duplicates: int
    rejected: int
    kept: int
    people: int
    first_at: dt.datetime | None
    last_at: dt.datetime | None
    ignored_columns: list[str]
    imported_before: dt.datetime | None
    errors: list[ClockImportRowErrorOut]
    errors_truncated: bool


class ClockImportOut(Schema):
    id: int
    source: str
    file_name: str
    rows: int
    added: int
    duplicates: int
    rejected: int
    by: str | None
    at: dt.datetime


class ClockImportDetailOut(ClockImportOut):
    errors: list[ClockImportRowErrorOut]


def _report(report: services.ClockImportReport) -> dict:
    return {"file_name": report.file_name, "dry_run": report.dry_run, "import_id": report.import_id,
            "rows": report.rows, "added": report.added, "duplicates": report.duplicates,
            "rejected": report.rejected, "kept": report.kept, "people": report.people,
            "first_at": report.first_at, "last_at": report.last_at, "ignored_columns": report.ignored_columns,
            "imported_before": report.imported_before, "errors": [e.as_dict() for e in report.errors],
            "errors_truncated": report.errors_truncated}


def _row(item: ClockImport) -> dict:
    return {"id": item.pk, "source": item.source, "file_name": item.file_name, "rows": item.rows,
            "added": item.added, "duplicates": item.duplicates, "rejected": item.rejected,
            "by": item.by.get_username() if item.by_id and item.by else None, "at": item.at}


@router.post("/clock-imports", response={200: ClockImportReportOut, 201: ClockImportReportOut, **ERRORS},
             summary="Import attendance-machine punches from CSV or Excel (dry run by default)")
def clock_import_upload(request, file: File[UploadedFile], dry_run: bool = True):
    """Columns: employee number (工号), timestamp (打卡时间, local time) or a date (日期) and a time (时间),
    device (设备); other columns are ignored. Every refused row is reported with its line and reasons
    and the good rows are kept; the same punch imported twice is one event. ``dry_run=true`` (200)
    writes nothing and reports what the import would do; ``dry_run=false`` (201) imports and records
    the import."""
    if not access.can_manage_attendance(request.actor):
        raise PermissionDenied(_("Only HR covering the whole organisation imports clock events."))
    if file.size is not None and file.size > services.MAX_BYTES:
        message = _("The file is larger than 64 MB. Split it into smaller files (a month each).")
        raise InvalidInput(message, {"file": [message]})
    report = services.clock_import(request.actor, file=file.read(), file_name=file.name or "", dry_run=dry_run)
    return Status(200 if dry_run else 201, _report(report))


@router.get("/clock-imports", response={200: list[ClockImportOut], **ERRORS},
            summary="Imports of machine punches and vendor pulls, newest first", description=PAGED)
@paginated(default=50, max_limit=200)
def clock_import_list(request):
    if not access.can_view_clock_imports(request.actor):
        raise PermissionDenied(_("Only HR covering the whole organisation sees the clock imports."))
    imports = selectors.clock_import_list(request.actor)

    def read(limit: int, offset: int) -> tuple[list[dict], int]:
        count = imports.count()
        return [_row(item) for item in imports[offset:offset + limit]] if count else [], count

    return SelectorPage(read)


@router.get("/clock-imports/{int:import_id}", response={200: ClockImportDetailOut, **ERRORS},
            summary="One import or pull with its refused rows")
def clock_import_get(request, import_id: int):
    item = selectors.clock_import_get(request.actor, import_id)
    if item is None:
        raise Http404
    return {**_row(item), "errors": item.errors}
