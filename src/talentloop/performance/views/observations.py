"""HR's observation upload: CSV or Excel, a row-by-row dry run, then confirm.

Both steps call ``observations_ingest`` (the same door as ``POST /api/v1/observations``); the dry run
asks it to classify without writing. Between the two steps the file is kept encrypted on the server
under a random token remembered in the uploader's session (the organisation import's storage), and
the confirm step never accepts a new file: it reads and validates the stored one again.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from talentloop.core.errors import DomainError
from talentloop.core.http import form_errors_from, get_or_404, render_partial
from talentloop.organisation import importing
from talentloop.performance import access
from talentloop.performance.forms import (
    OBSERVATION_COLUMNS,
    ObservationConfirmForm,
    ObservationUploadForm,
    observation_template,
    read_observation_file,
)
from talentloop.performance.models import ImportJobState
from talentloop.performance.services.imports import BACKGROUND_ROWS, observation_import_job_start
from talentloop.performance.services.observations import MAX_ITEMS, IngestResult, observations_ingest

SESSION_KEY = "performance.observation_upload"
PREVIEW_ROWS = 1000  # rows listed on the page (rejected first); the counts always cover the whole file


@dataclass
class PreviewRow:
    line: int
    outcome: str  # accepted | duplicate | correction | rejected
    item: dict
    errors: list[str] = field(default_factory=list)
    after_close: bool = False


def _preview_rows(rows: list[tuple[int, dict]], result: IngestResult) -> list[PreviewRow]:
    errors = {r["index"]: r["errors"] for r in result.rejected}
    out = []
    for index, (line, item) in enumerate(rows):
        messages_ = [f"{key}: {msg}" if key != "__all__" else msg
                     for key, msgs in errors.get(index, {}).items() for msg in msgs]
        out.append(PreviewRow(line=line, outcome=result.outcomes.get(index, "rejected"), item=item,
                              errors=messages_, after_close=index in result.after_close))
    return out


def _shown(rows: list[PreviewRow]) -> list[PreviewRow]:
    if len(rows) <= PREVIEW_ROWS:
        return rows
    rank = {"rejected": 0, "correction": 1, "accepted": 2, "duplicate": 3}
    keep = sorted(rows, key=lambda r: (rank[r.outcome], r.line))[:PREVIEW_ROWS]
    return sorted(keep, key=lambda r: r.line)


def _upload_page(request, form: ObservationUploadForm, status: int = 200):
    context = {"form": form, "columns": OBSERVATION_COLUMNS, "max_rows": MAX_ITEMS}
    return TemplateResponse(request, "performance/observations/upload.html", context, status=status)


def _forget(request) -> None:
    pending = request.session.pop(SESSION_KEY, None)
    if pending:
        importing.import_upload_discard(actor=request.actor, token=pending.get("token", ""))


@login_required
@require_http_methods(["GET", "POST"])
def observation_upload(request):
    actor = request.actor
    if not access.can_upload_observations(actor):
        raise Http404
    if request.method == "GET":
        if request.GET.get("template") == "csv":
            response = HttpResponse(observation_template(), content_type=importing.CONTENT_TYPES["csv"])
            response["Content-Disposition"] = 'attachment; filename="observations-template.csv"'
            return response
        return _upload_page(request, ObservationUploadForm())
    if request.POST.get("step") == "apply":
        return _apply(request)
    return _preview(request)


def _preview(request):
    actor = request.actor
    form = ObservationUploadForm(request.POST, request.FILES)
    if form.is_valid():
        rows, mode = form.rows, form.cleaned_data["mode"]
        if len(rows) > BACKGROUND_ROWS:
            return _preview_in_background(request, form)
        try:
            result = observations_ingest(actor=actor, items=[item for _line, item in rows],
                                         partial=mode == "valid_only", channel="upload", dry_run=True)
        except DomainError as exc:
            form_errors_from(form, exc)
        else:
            _forget(request)
            token = importing.import_upload_store(actor=actor, content=form.content)
            upload = form.cleaned_data["file"]
            request.session[SESSION_KEY] = {"token": token, "file_name": upload.name[:200], "at": time.time()}
            return _preview_page(request, upload.name, rows, result, mode, token)
    return _upload_page(request, form, status=422 if getattr(request, "htmx", False) else 200)


def _preview_in_background(request, form: ObservationUploadForm):
    """A big file: stored as for the small ones, checked by the worker while the page shows progress."""
    actor = request.actor
    _forget(request)
    token = importing.import_upload_store(actor=actor, content=form.content)
    upload = form.cleaned_data["file"]
    request.session[SESSION_KEY] = {"token": token, "file_name": upload.name[:200], "at": time.time()}
    job = observation_import_job_start(actor=actor, token=token, file_name=upload.name, mode=form.cleaned_data["mode"],
                                       dry_run=True, total=len(form.rows))
    return redirect("performance:observation-upload-job", pk=job.pk)


def _preview_page(request, file_name: str, rows, result: IngestResult, mode: str, token: str, status: int = 200):
    preview = _preview_rows(rows, result)
    to_write = result.accepted + result.corrections
    context = {
        "file_name": file_name, "rows": _shown(preview), "hidden_rows": max(0, len(preview) - PREVIEW_ROWS),
        "counts": {"accepted": result.accepted, "duplicate": result.duplicates, "correction": result.corrections,
                   "rejected": len(result.rejected), "after_close": len(result.after_close)},
        "mode": mode, "token": token, "to_write": to_write,
        "can_apply_all": not result.rejected and to_write > 0, "can_apply_valid": to_write > 0,
    }
    return TemplateResponse(request, "performance/observations/preview.html", context, status=status)


def _apply(request):
    actor = request.actor
    form = ObservationConfirmForm(request.POST)
    pending = request.session.get(SESSION_KEY) or {}
    fresh = time.time() - pending.get("at", 0) < importing.UPLOAD_MAX_AGE.total_seconds()
    content = None
    if form.is_valid() and pending.get("token") == form.cleaned_data["token"] and fresh:
        content = importing.import_upload_load(actor=actor, token=pending["token"])
    if content is None:
        _forget(request)
        messages.error(request, _("This upload has expired or was already imported. Upload the file again."))
        return redirect("performance:observation-upload")
    mode = form.cleaned_data["mode"]
    try:
        rows = read_observation_file(content)
        if len(rows) > BACKGROUND_ROWS:
            # The worker imports it; the stored file is now the job's (it discards it when done).
            job = observation_import_job_start(actor=actor, token=pending["token"], file_name=pending["file_name"],
                                               mode=mode, dry_run=False, total=len(rows))
            request.session.pop(SESSION_KEY, None)
            return redirect("performance:observation-upload-job", pk=job.pk)
        result = observations_ingest(actor=actor, items=[item for _line, item in rows],
                                     partial=mode == "valid_only", channel="upload")
    except DomainError as exc:
        rejected = getattr(exc, "extra", {}).get("rejected")
        if rejected is not None:
            # Something changed since the dry run (e.g. a metric was switched off): show the rows again.
            again = observations_ingest(actor=actor, items=[item for _line, item in rows], partial=False,
                                        channel="upload", dry_run=True)
            messages.error(request, exc.detail)
            return _preview_page(request, pending["file_name"], rows, again, mode, pending["token"], status=422)
        messages.error(request, exc.detail)
        return redirect("performance:observation-upload")
    _forget(request)
    messages.success(request, _("Upload finished: %(accepted)s new, %(corrections)s corrections, %(duplicates)s "
                                "duplicates, %(rejected)s skipped.")
                     % {"accepted": result.accepted, "corrections": result.corrections,
                        "duplicates": result.duplicates, "rejected": len(result.rejected)})
    return TemplateResponse(request, "performance/observations/result.html",
                            {"result": result, "file_name": pending["file_name"], "rows": _rejected_rows(rows, result)})


def _rejected_rows(rows: list[tuple[int, dict]], result: IngestResult) -> list[PreviewRow]:
    out = []
    for rejected in result.rejected[:PREVIEW_ROWS]:
        line, item = rows[rejected["index"]]
        out.append(PreviewRow(line=line, outcome="rejected", item=item, errors=[
            f"{key}: {msg}" if key != "__all__" else msg for key, msgs in rejected["errors"].items() for msg in msgs]))
    return out


# ---------------------------------------------------------------- big files, run by the worker


@login_required
@require_GET
def observation_upload_job(request, pk: int):
    """A background check or import: its progress (polled by htmx), then the same pages as a small file."""
    actor = request.actor
    if not access.can_upload_observations(actor):
        raise Http404
    job = get_or_404(access.visible_import_jobs(actor), pk=pk)
    finished = job.state in (ImportJobState.DONE, ImportJobState.FAILED)
    if not finished or (getattr(request, "htmx", False) and request.GET.get("poll")):
        if finished:  # the polling fragment hands over to the full page
            response = HttpResponse(status=204)
            response["HX-Redirect"] = request.path
            return response
        return render_partial(request, "performance/observations/job.html", {"job": job}, partial="progress")
    if job.state == ImportJobState.FAILED:
        return TemplateResponse(request, "performance/observations/job.html", {"job": job}, status=422)
    data = job.result or {}
    result = IngestResult(accepted=data.get("accepted", 0), duplicates=data.get("duplicates", 0),
                          corrections=data.get("corrections", 0), rejected=data.get("rejected", []))
    if not job.dry_run:
        rows = [PreviewRow(line=r["line"], outcome="rejected", item=r["item"], errors=[
            f"{key}: {msg}" if key != "__all__" else msg for key, msgs in r["errors"].items() for msg in msgs])
            for r in data.get("rejected_rows", [])]
        return TemplateResponse(request, "performance/observations/result.html",
                                {"result": result, "file_name": job.file_name, "rows": rows})
    pending = request.session.get(SESSION_KEY) or {}
    content = importing.import_upload_load(actor=actor, token=job.token) if pending.get("token") == job.token \
        else None
    if content is None:
        messages.error(request, _("This upload has expired or was already imported. Upload the file again."))
        return redirect("performance:observation-upload")
    result.outcomes = {int(k): v for k, v in data.get("outcomes", {}).items()}
    result.after_close = set(data.get("after_close", []))
    return _preview_page(request, job.file_name, read_observation_file(content), result, job.mode, job.token)
