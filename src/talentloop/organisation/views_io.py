"""Employee import (upload, dry run, confirm) and export pages for HR.

The uploaded file is kept between the dry run and the confirm step encrypted on the server,
under a random token that is remembered in the uploader's session; the confirm step never
accepts a new upload, and the file is validated again before anything is written.
"""

from __future__ import annotations

import time

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from talentloop.core.errors import DomainError
from talentloop.core.http import form_errors_from
from talentloop.core.http import require as _require
from talentloop.organisation import access, importing
from talentloop.organisation.forms import EmployeeImportForm, ImportConfirmForm

SESSION_KEY = "organisation.employee_import"
PREVIEW_ROWS = 2000  # rows shown on the page; the counts always cover the whole file


def _download(content: bytes, fmt: str, stem: str) -> HttpResponse:
    response = HttpResponse(content, content_type=importing.CONTENT_TYPES[fmt])
    response["Content-Disposition"] = f'attachment; filename="{stem}-{timezone.localdate():%Y%m%d}.{fmt}"'
    response["Cache-Control"] = "no-store"
    return response


def _upload_page(request, form: EmployeeImportForm, status: int = 200):
    context = {"form": form, "can_export": access.can_export_employees(request.actor),
               "columns": importing.column_notes()}
    return TemplateResponse(request, "organisation/import.html", context, status=status)


def _preview_page(request, preview: importing.ImportPreview, token: str, status: int = 200):
    context = {"preview": preview, "counts": preview.counts, "rows": _shown(preview.rows), "token": token,
               "hidden_rows": max(0, len(preview.rows) - PREVIEW_ROWS)}
    return TemplateResponse(request, "organisation/import_preview.html", context, status=status)


def _shown(rows: list[importing.ImportRow]) -> list[importing.ImportRow]:
    """At most PREVIEW_ROWS rows, rejected first, then changes, then unchanged; in file order."""
    if len(rows) <= PREVIEW_ROWS:
        return rows
    rank = {importing.REJECT: 0, importing.CREATE: 1, importing.UPDATE: 1, importing.UNCHANGED: 2}
    keep = sorted(rows, key=lambda r: (rank[r.action], r.line))[:PREVIEW_ROWS]
    return sorted(keep, key=lambda r: r.line)


def _forget(request) -> None:
    pending = request.session.pop(SESSION_KEY, None)
    if pending:
        importing.import_upload_discard(actor=request.actor, token=pending.get("token", ""))


@login_required
@require_http_methods(["GET", "POST"])
def employee_import(request):
    actor = request.actor
    _require(access.can_import_employees(actor))
    if request.method == "GET":
        fmt = request.GET.get("template")
        if fmt is not None:
            _require(fmt in importing.FORMATS)
            return _download(importing.employee_import_template(fmt=fmt), fmt, "employee-import-template")
        return _upload_page(request, EmployeeImportForm())
    if request.POST.get("step") == "apply":
        return _apply(request)
    return _preview(request)


def _preview(request):
    actor = request.actor
    form = EmployeeImportForm(request.POST, request.FILES)
    if form.is_valid():
        upload, mode = form.cleaned_data["file"], form.cleaned_data["mode"]
        content = upload.read()
        try:
            preview = importing.employee_import_preview(actor=actor, file_name=upload.name, content=content,
                                                        mode=mode)
        except DomainError as exc:
            form_errors_from(form, exc)
        else:
            _forget(request)
            token = importing.import_upload_store(actor=actor, content=content)
            request.session[SESSION_KEY] = {"token": token, "file_name": upload.name[:200], "at": time.time()}
            return _preview_page(request, preview, token)
    return _upload_page(request, form, status=422 if getattr(request, "htmx", False) else 200)


def _apply(request):
    actor = request.actor
    form = ImportConfirmForm(request.POST)
    pending = request.session.get(SESSION_KEY) or {}
    fresh = time.time() - pending.get("at", 0) < importing.UPLOAD_MAX_AGE.total_seconds()
    content = None
    if form.is_valid() and pending.get("token") == form.cleaned_data["token"] and fresh:
        content = importing.import_upload_load(actor=actor, token=pending["token"])
    if content is None:
        _forget(request)
        messages.error(request, _("This upload has expired or was already imported. Upload the file again."))
        return redirect("organisation:employee-import")
    try:
        result = importing.employee_import_apply(actor=actor, file_name=pending["file_name"], content=content,
                                                 mode=form.cleaned_data["mode"])
    except DomainError as exc:
        messages.error(request, exc.detail)
        return redirect("organisation:employee-import")
    if not result.applied:
        messages.error(request, _("Nothing was written: some rows are rejected. Fix the file and upload it "
                                  "again, or import only the valid rows."))
        return _preview_page(request, result, pending["token"], status=422)
    _forget(request)
    counts = result.counts
    messages.success(request, _("Import finished: %(created)s added, %(updated)s changed, %(rejected)s "
                                "skipped.") % {"created": counts["create"], "updated": counts["update"],
                                               "rejected": counts["reject"]})
    rejected = [r for r in result.rows if r.action == importing.REJECT]
    return TemplateResponse(request, "organisation/import_result.html",
                            {"result": result, "counts": counts, "rows": _shown(rejected)})


@login_required
@require_GET
def employee_export(request):
    actor = request.actor
    _require(access.can_export_employees(actor))
    fmt = request.GET.get("format", "csv")
    _require(fmt in importing.FORMATS)
    return _download(importing.employee_export(actor=actor, fmt=fmt), fmt, "employees")
