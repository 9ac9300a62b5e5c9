"""Attendance pages: importing attendance-machine punches (upload, the check's report row by row, then
the import; the history of imports and pulls) and the vendor apps (credentials, pull now, last pull).

The checked file waits for the import step encrypted on the server under a random token bound to the
uploader; the import step never takes a new upload and checks the file again as it writes."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from talentloop.attendance import access
from talentloop.attendance.selectors import imports as selectors
from talentloop.attendance.services import imports as services
from talentloop.attendance.services import vendors as vendor_services
from talentloop.core.crypto import mask
from talentloop.core.errors import DomainError
from talentloop.core.http import form_errors_from
from talentloop.core.http import require as _require
from talentloop.core.paging import paginate

HISTORY_PER_PAGE = 20


class ClockImportForm(forms.Form):
    file = forms.FileField(
        label=gettext_lazy("File"),
        help_text=gettext_lazy("CSV or Excel (.xlsx) exported from the attendance machine, up to 64 MB."))


class ConfirmForm(forms.Form):
    token = forms.CharField(max_length=32)


class VendorForm(forms.Form):
    app_id = forms.CharField(label=gettext_lazy("Corp ID / AppKey / App ID"), max_length=120)
    secret = forms.CharField(label=gettext_lazy("Secret"), required=False, max_length=500,
                             widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "off"}),
                             help_text=gettext_lazy("Never shown again once saved. Leave empty to keep the "
                                                    "current one; enter a new one to replace it."))
    base_url = forms.CharField(label=gettext_lazy("API address"), required=False, max_length=200,
                               help_text=gettext_lazy("Leave empty for the vendor's documented address."))
    enabled = forms.BooleanField(label=gettext_lazy("Pull punches every 30 minutes"), required=False)


def _page(request, form: ClockImportForm | None, status: int = 200):
    actor = request.actor
    context = {"form": form, "can_import": access.can_manage_attendance(actor),
               "page_obj": paginate(request, selectors.clock_import_list(actor), per_page=HISTORY_PER_PAGE),
               "aliases": services.ALIASES}
    return TemplateResponse(request, "attendance/imports_page.html", context, status=status)


def _report(request, report: services.ClockImportReport, token: str = "", status: int = 200):
    return TemplateResponse(request, "attendance/imports_report.html",
                            {"report": report, "token": token}, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def imports(request):
    actor = request.actor
    _require(access.can_view_clock_imports(actor))
    if request.method == "GET":
        return _page(request, ClockImportForm() if access.can_manage_attendance(actor) else None)
    _require(access.can_manage_attendance(actor))
    if request.POST.get("step") == "apply":
        return _apply(request)
    form = ClockImportForm(request.POST, request.FILES)
    if form.is_valid():
        upload = form.cleaned_data["file"]
        if upload.size > services.MAX_BYTES:
            form.add_error("file", _("The file is larger than 64 MB. Split it into smaller files (a month each)."))
        else:
            content = upload.read()
            try:
                report = services.clock_import(actor, file=content, file_name=upload.name, dry_run=True)
            except DomainError as exc:
                form_errors_from(form, exc)
            else:
                token = services.clock_upload_store(actor, content=content) if report.added else ""
                request.session["attendance.clock_import"] = {"token": token, "file_name": report.file_name}
                return _report(request, report, token)
    return _page(request, form, status=422 if getattr(request, "htmx", False) else 200)


def _apply(request):
    actor = request.actor
    form = ConfirmForm(request.POST)
    pending = request.session.get("attendance.clock_import") or {}
    content = None
    if form.is_valid() and pending.get("token") == form.cleaned_data["token"]:
        content = services.clock_upload_load(actor, token=form.cleaned_data["token"])
    if content is None:
        messages.error(request, _("This upload has expired or was already imported. Upload the file again."))
        return redirect("attendance:imports")
    try:
        report = services.clock_import(actor, file=content, file_name=pending.get("file_name", ""), dry_run=False)
    except DomainError as exc:
        messages.error(request, exc.detail)
        return redirect("attendance:imports")
    services.clock_upload_discard(actor, token=pending["token"])
    request.session.pop("attendance.clock_import", None)
    messages.success(request, _("Import finished: %(added)s punches added, %(duplicates)s already there, "
                                "%(rejected)s refused.") % {"added": report.added, "duplicates": report.duplicates,
                                                            "rejected": report.rejected})
    return _report(request, report)


@login_required
@require_GET
def import_detail(request, pk: int):
    item = selectors.clock_import_get(request.actor, pk)
    _require(item is not None)
    return TemplateResponse(request, "attendance/imports_detail.html", {"item": item})


# ---------------------------------------------------------------- vendor apps


def _vendors_page(request, forms_by_vendor: dict | None = None, status: int = 200):
    actor = request.actor
    rows = selectors.vendor_settings(actor)
    can_manage = access.can_manage_attendance(actor)
    for row in rows:
        current = row["settings"]
        row["masked"] = mask(current.secret) if current is not None and current.secret else ""
        if can_manage:
            row["form"] = (forms_by_vendor or {}).get(row["vendor"]) or VendorForm(initial={
                "app_id": current.app_id if current else "", "base_url": current.base_url if current else "",
                "enabled": current.enabled if current else True}, prefix=row["vendor"])
    return TemplateResponse(request, "attendance/imports_vendors.html", {"rows": rows, "can_manage": can_manage},
                            status=status)


@login_required
@require_GET
def vendors(request):
    _require(access.can_view_clock_imports(request.actor))
    return _vendors_page(request)


@login_required
@require_POST
def vendor_save(request, vendor: str):
    actor = request.actor
    _require(access.can_manage_attendance(actor) and vendor in vendor_services.MODULES)
    form = VendorForm(request.POST, prefix=vendor)
    if form.is_valid():
        try:
            vendor_services.vendor_save(actor, vendor=vendor, **form.cleaned_data)
        except DomainError as exc:
            form_errors_from(form, exc)
        else:
            messages.success(request, _("The app's settings are saved."))
            return redirect("attendance:vendors")
    return _vendors_page(request, {vendor: form}, status=422 if getattr(request, "htmx", False) else 200)


@login_required
@require_POST
def vendor_pull(request, vendor: str):
    actor = request.actor
    _require(access.can_manage_attendance(actor))
    row = selectors.vendor_get(actor, vendor)
    _require(row is not None)
    try:
        vendor_services.vendor_pull_request(actor, vendor=row)
    except DomainError as exc:
        messages.error(request, exc.detail)
    else:
        messages.success(request, _("The pull has started; its result appears below in a moment."))
    return redirect("attendance:vendors")


urlpatterns = [
    path("imports/", imports, name="imports"),
    path("imports/<int:pk>/", import_detail, name="import-detail"),
    path("vendors/", vendors, name="vendors"),
    path("vendors/<str:vendor>/", vendor_save, name="vendor-save"),
    path("vendors/<str:vendor>/pull/", vendor_pull, name="vendor-pull"),
]
