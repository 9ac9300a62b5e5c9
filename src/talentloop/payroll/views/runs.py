"""Payroll pages: runs (the list, a new run, the review with the workflow's buttons and every person's
lines), one-off pay items with the annual-bonus cliffs, and the attendance import.

For the payroll role (their pay groups) and administrators; anyone else gets the 404 of a page that
does not exist. A run's calculation runs in the worker (``payroll.tasks``): the page polls until it is
done."""

from __future__ import annotations

import datetime as dt
import secrets
from decimal import Decimal, InvalidOperation

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.http import HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from talentloop.core.errors import DomainError
from talentloop.core.http import form_errors_from, render_partial
from talentloop.core.http import require as _require
from talentloop.core.paging import paginate
from talentloop.payroll import access, tasks
from talentloop.payroll import forms_runs as forms
from talentloop.payroll import selectors_runs as selectors
from talentloop.payroll.models import PayItemKind, RunKind, RunState
from talentloop.payroll.services import runs as services
from talentloop.payroll.services.run_inputs import month_end

RUNS_PER_PAGE = 20
REVIEW_PER_PAGE = 50
ITEMS_PER_PAGE = 50
ATTENDANCE_PENDING_SECONDS = 3600
ERRORS_SHOWN = 200


def _require_payroll(actor) -> None:
    _require(access.can_use_payroll_pages(actor))


def _status(request) -> int:
    return 422 if getattr(request, "htmx", False) else 200


# ------------------------------------------------------------------------------------------------ runs


def _list_page(request, create_form: forms.RunCreateForm, status: int = 200):
    actor = request.actor
    filters = forms.RunFilterForm(request.GET or None, actor=actor)
    data = filters.cleaned_data if filters.is_valid() else {}
    runs = selectors.run_list(
        actor, pay_group=data.get("pay_group"), month=data.get("month"), state=data.get("state") or ""
    )
    page_obj = paginate(request, runs, per_page=RUNS_PER_PAGE)
    context = {
        "filters": filters,
        "page_obj": page_obj,
        "runs": list(page_obj.object_list),
        "form": create_form,
        "can_create": create_form.fields["pay_group"].queryset.exists(),
    }
    return TemplateResponse(request, "payroll/run_list.html", context, status=status)


@login_required
@require_GET
def run_list(request):
    """The runs of my pay groups, newest month first, and the form for a new one."""
    actor = request.actor
    _require_payroll(actor)
    month = timezone.localdate().replace(day=1)
    return _list_page(request, forms.RunCreateForm(actor=actor, initial={"month": month}))


@login_required
@require_POST
def run_create(request):
    actor = request.actor
    _require_payroll(actor)
    form = forms.RunCreateForm(request.POST, actor=actor)
    if form.is_valid():
        data = form.cleaned_data
        try:
            run = services.payroll_run_create(
                actor=actor, pay_group=data["pay_group"], month=data["month"], kind=data["kind"],
                title=data["title"], employee=data["employee"],
            )  # fmt: skip
        except DomainError as exc:
            form_errors_from(form, exc)
        else:
            messages.success(request, _("The run is created. Calculate it to see everyone's pay."))
            return redirect("payroll:run-detail", pk=run.pk)
    return _list_page(request, form, status=_status(request))


def _run_or_404(request, pk: int):
    actor = request.actor
    _require_payroll(actor)
    run = selectors.run_get(actor, pk)
    _require(run is not None)
    return run


def _steps(actor, run) -> dict:
    """Which of the workflow's buttons the actor sees, and why approval is not theirs to give."""
    can_run = access.can_run_payroll(actor, run.pay_group)
    calculable = run.kind != RunKind.REVERSAL and run.state in (RunState.DRAFT, RunState.CALCULATED)
    approve_blocked = ""
    if run.state == RunState.SUBMITTED and can_run and not access.can_approve_run(actor, run):
        approve_blocked = _("You submitted this run: another person who runs this pay group approves it.")
    return {
        "can_run": can_run,
        "can_calculate": can_run and calculable,
        "can_submit": can_run and run.state == RunState.CALCULATED,
        "submit_blocked": (
            _("%(count)s people could not be calculated: correct their data and calculate again.")
            % {"count": run.refused}
            if run.refused
            else ""
        ),
        "can_approve": run.state == RunState.SUBMITTED and access.can_approve_run(actor, run),
        "approve_blocked": approve_blocked,
        "can_reopen": can_run and run.state in (RunState.SUBMITTED, RunState.APPROVED),
        "can_lock": can_run and run.state == RunState.APPROVED,
        "can_reverse": can_run and run.is_locked and run.kind != RunKind.REVERSAL,
    }


def _calculating(run) -> dict | None:
    status = tasks.calculation_status(run.pk)
    if status is not None and status["state"] in (tasks.QUEUED, tasks.RUNNING):
        return status
    return None


@login_required
@require_GET
def run_detail(request, pk: int):
    """The review: the run's state and totals, its buttons, its history, and every person's pay."""
    actor = request.actor
    run = _run_or_404(request, pk)
    filters = forms.ReviewFilterForm(request.GET or None)
    data = filters.cleaned_data if filters.is_valid() else {}
    slips = selectors.payslip_review(actor, run, search=data.get("q", ""), only=data.get("only", ""))
    page_obj = paginate(request, slips, per_page=REVIEW_PER_PAGE)
    rows = selectors.review_read(actor, run, list(page_obj.object_list))
    steps = _steps(actor, run)
    reversal = selectors.run_reversal(run)
    if reversal is not None:
        steps["can_reverse"] = False
    context = {
        "run": run,
        "steps": steps,
        "reversal": reversal,
        "calculating": _calculating(run),
        "calculation": tasks.calculation_status(run.pk),
        "filters": filters,
        "page_obj": page_obj,
        "rows": rows,
        "history": selectors.run_history(run),
        "reason_form": forms.ReasonForm(),
        "lock_form": forms.LockForm(),
    }
    return render_partial(request, "payroll/run_detail.html", context, partial="review")


@login_required
@require_GET
def run_status(request, pk: int):
    """What the page polls while the run is being calculated; once done, the page reloads."""
    run = _run_or_404(request, pk)
    calculating = _calculating(run)
    if calculating is None:
        response = HttpResponse(status=204)
        response["HX-Refresh"] = "true"
        return response
    return TemplateResponse(request, "payroll/run_detail.html#status", {"run": run, "calculating": calculating})


def _step(request, pk: int, verb: str):
    actor = request.actor
    run = _run_or_404(request, pk)
    target = run
    try:
        if verb == "calculate":
            tasks.calculation_request(actor=actor, run=run)
            status = tasks.calculation_status(run.pk) or {}
            if status.get("state") == tasks.FAILED:
                messages.error(request, status.get("message", ""))
            elif status.get("state") == tasks.DONE:
                messages.success(request, _("The run is calculated."))
            else:
                messages.info(request, _("The run is being calculated. This page refreshes when it is done."))
        elif verb == "submit":
            services.payroll_run_submit(actor=actor, run=run)
            messages.success(request, _("The run is submitted for approval."))
        elif verb == "approve":
            services.payroll_run_approve(actor=actor, run=run)
            messages.success(request, _("The run is approved. Lock it once the wages are paid."))
        elif verb == "lock":
            form = forms.LockForm(request.POST)
            if not form.is_valid():
                messages.error(request, _("Confirm that the wages are paid before locking the run."))
                return redirect("payroll:run-detail", pk=run.pk)
            services.payroll_run_lock(actor=actor, run=run)
            messages.success(request, _("The run is locked and the payslips are published."))
        else:
            reason = forms.ReasonForm(request.POST)
            text = reason.cleaned_data["reason"] if reason.is_valid() else ""
            if verb == "reopen":
                services.payroll_run_reopen(actor=actor, run=run, reason=text)
                messages.success(request, _("The run is reopened: correct the data and calculate again."))
            else:
                target = services.payroll_run_reverse(actor=actor, run=run, reason=text)
                messages.success(request, _("A reversal run is made: submit and approve it like any run."))
    except DomainError as exc:
        problems = [m for ms in exc.errors.values() for m in ms]
        messages.error(request, " ".join(problems) if problems else exc.detail)
    return redirect("payroll:run-detail", pk=target.pk)


@login_required
@require_POST
def run_calculate(request, pk: int):
    return _step(request, pk, "calculate")


@login_required
@require_POST
def run_submit(request, pk: int):
    return _step(request, pk, "submit")


@login_required
@require_POST
def run_approve(request, pk: int):
    return _step(request, pk, "approve")


@login_required
@require_POST
def run_reopen(request, pk: int):
    return _step(request, pk, "reopen")


@login_required
@require_POST
def run_lock(request, pk: int):
    return _step(request, pk, "lock")


@login_required
@require_POST
def run_reverse(request, pk: int):
    return _step(request, pk, "reverse")


@login_required
@require_GET
def run_payslip(request, pk: int, payslip: int):
    """One person's lines in the run, each with its explanation (audited: payroll reading someone's pay)."""
    actor = request.actor
    run = _run_or_404(request, pk)
    slip = selectors.payslip_get(actor, run, payslip)
    _require(slip is not None)
    context = {"run": run, "slip": slip, "lines": selectors.payslip_lines(actor, slip)}
    return render_partial(request, "payroll/run_payslip.html", context, partial="lines")


# ------------------------------------------------------------------------------------------------ pay items


def _items_page(request, form: forms.PayItemForm, status: int = 200):
    actor = request.actor
    filters = forms.PayItemFilterForm(request.GET or None)
    data = filters.cleaned_data if filters.is_valid() else {}
    paid = {"yes": True, "no": False}.get(data.get("paid") or "")
    page_obj = paginate(request, selectors.pay_item_list(actor, month=data.get("month"), paid=paid),
                        per_page=ITEMS_PER_PAGE)  # fmt: skip
    context = {"filters": filters, "page_obj": page_obj, "items": list(page_obj.object_list), "form": form,
               "cliff": _cliff_of(form)}  # fmt: skip
    return TemplateResponse(request, "payroll/pay_item_list.html", context, status=status)


def _cliff_of(form: forms.PayItemForm):
    """The cliff the form's annual bonus falls in (the warning shown beside the amount)."""
    data = form.data
    if data.get("kind") != PayItemKind.ANNUAL_BONUS:
        return None
    try:
        amount = Decimal(str(data.get("amount", "")).strip())
        month = dt.datetime.strptime(str(data.get("month", "")).strip(), "%Y-%m").date()
    except (InvalidOperation, ValueError):
        return None
    return selectors.bonus_cliff_for(amount, month) if amount.is_finite() else None


@login_required
@require_http_methods(["GET", "POST"])
def pay_items(request):
    """The month's one-off items and the form to record one."""
    actor = request.actor
    _require_payroll(actor)
    if request.method == "GET":
        initial = {"month": timezone.localdate().replace(day=1), "taxable": True}
        return _items_page(request, forms.PayItemForm(actor=actor, initial=initial))
    form = forms.PayItemForm(request.POST, actor=actor)
    if form.is_valid():
        data = form.cleaned_data
        try:
            item = services.pay_item_record(
                actor=actor, employee=data["employee"], month=data["month"], kind=data["kind"],
                amount=data["amount"], reason=data["reason"], taxable=data["taxable"],
                bonus_method=data["bonus_method"], corrects=data["corrects"],
            )  # fmt: skip
        except DomainError as exc:
            form_errors_from(form, exc)
        else:
            messages.success(
                request,
                _("Recorded for %(name)s in %(month)s.") % {"name": item.employee.display_name,
                                                            "month": f"{item.month:%Y-%m}"},
            )  # fmt: skip
            return redirect("payroll:pay-items")
    return _items_page(request, form, status=_status(request))


@login_required
@require_GET
def pay_item_cliff(request):
    """The htmx warning beside an annual bonus's amount when it falls in a cliff."""
    _require_payroll(request.actor)
    form = forms.PayItemForm(request.GET, actor=request.actor)
    return TemplateResponse(request, "payroll/pay_item_list.html#cliff", {"cliff": _cliff_of(form)})


@login_required
@require_GET
def bonus_cliffs(request):
    """The annual-bonus ranges of the year that take home less than a smaller bonus."""
    _require_payroll(request.actor)
    raw = request.GET.get("year", "")
    year = int(raw) if raw.isdigit() and 2000 <= int(raw) <= 2100 else timezone.localdate().year
    cliffs = selectors.bonus_cliffs_of(dt.date(year, 1, 1))
    return TemplateResponse(request, "payroll/bonus_cliffs.html", {"year": year, "cliffs": cliffs})


# ------------------------------------------------------------------------------------------------ attendance


def _pending_key(token: str) -> str:
    return f"payroll.attendance.{token}"


def _attendance_page(request, form, *, preview: dict | None = None, status: int = 200):
    context = {"form": form, "preview": preview, "columns": forms.ATTENDANCE_COLUMNS,
               "aliases": forms.ATTENDANCE_ALIASES}  # fmt: skip
    return TemplateResponse(request, "payroll/attendance_import.html", context, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def attendance_import(request):
    """Upload a month's attendance kept elsewhere: the check row by row first (nothing stored), then
    store every row, or only the good ones."""
    actor = request.actor
    _require_payroll(actor)
    if request.method == "GET":
        return _attendance_page(request, forms.AttendanceUploadForm(initial={"month": _last_month()}))
    if request.POST.get("step") == "store":
        return _attendance_store(request)
    form = forms.AttendanceUploadForm(request.POST, request.FILES)
    if not form.is_valid():
        return _attendance_page(request, form, status=_status(request))
    month = form.cleaned_data["month"]
    try:
        file_rows = forms.attendance_rows(form.cleaned_data["file"].read())
    except DomainError as exc:
        form_errors_from(form, exc)
        return _attendance_page(request, form, status=_status(request))
    ids = selectors.attendance_people_by_number(actor, (r.get("employee_number", "") for _l, r in file_rows),
                                                month_end(month))  # fmt: skip
    rows = forms.attendance_service_rows(file_rows, ids)
    errors = selectors.attendance_check(actor, month, rows)
    token = secrets.token_urlsafe(24)
    cache.set(_pending_key(token), {"user": actor.user_id, "month": month.isoformat(), "rows": rows},
              ATTENDANCE_PENDING_SECONDS)  # fmt: skip
    lines = [line for line, _row in file_rows]
    shown = [
        {"line": lines[index], "number": file_rows[index][1].get("employee_number", ""), "errors": problems}
        for index, problems in sorted(errors.items())[:ERRORS_SHOWN]
    ]
    preview = {"token": token, "month": month, "total": len(rows), "bad": len(errors), "good": len(rows) - len(errors),
               "errors": shown, "more": max(len(errors) - ERRORS_SHOWN, 0)}  # fmt: skip
    return _attendance_page(request, form, preview=preview)


def _attendance_store(request):
    actor = request.actor
    form = forms.AttendanceConfirmForm(request.POST)
    pending = cache.get(_pending_key(form.data.get("token", "")[:64])) if form.is_valid() else None
    if pending is None or pending.get("user") != actor.user_id:
        messages.error(request, _("This upload has expired or was already stored. Upload the file again."))
        return redirect("payroll:attendance-import")
    month = dt.date.fromisoformat(pending["month"])
    try:
        result = services.attendance_figures_import(
            actor=actor, month=month, rows=pending["rows"], keep_good=form.cleaned_data["keep_good"]
        )
    except DomainError as exc:
        messages.error(request, exc.detail)
        return redirect("payroll:attendance-import")
    if result.errors and not result.saved and not form.cleaned_data["keep_good"]:
        messages.error(request, _("Some rows have errors: nothing was stored. Store the good rows only, or correct "
                                  "the file and upload it again."))  # fmt: skip
        return redirect("payroll:attendance-import")
    cache.delete(_pending_key(form.cleaned_data["token"]))
    messages.success(request, _("Attendance of %(month)s stored for %(count)s people.")
                     % {"month": f"{month:%Y-%m}", "count": result.saved})  # fmt: skip
    return redirect("payroll:attendance-import")


def _last_month() -> dt.date:
    return (timezone.localdate().replace(day=1) - dt.timedelta(days=1)).replace(day=1)


@login_required
@require_GET
def attendance_template(request):
    _require_payroll(request.actor)
    response = HttpResponse(forms.attendance_template_csv(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="attendance-template.csv"'
    return response


urlpatterns = [
    path("runs/", run_list, name="run-list"),
    path("runs/new/", run_create, name="run-create"),
    path("runs/<int:pk>/", run_detail, name="run-detail"),
    path("runs/<int:pk>/status/", run_status, name="run-status"),
    path("runs/<int:pk>/calculate/", run_calculate, name="run-calculate"),
    path("runs/<int:pk>/submit/", run_submit, name="run-submit"),
    path("runs/<int:pk>/approve/", run_approve, name="run-approve"),
    path("runs/<int:pk>/reopen/", run_reopen, name="run-reopen"),
    path("runs/<int:pk>/lock/", run_lock, name="run-lock"),
    path("runs/<int:pk>/reverse/", run_reverse, name="run-reverse"),
    path("runs/<int:pk>/payslips/<int:payslip>/", run_payslip, name="run-payslip"),
    path("items/", pay_items, name="pay-items"),
    path("items/bonus-check/", pay_item_cliff, name="pay-item-cliff"),
    path("items/bonus-cliffs/", bonus_cliffs, name="bonus-cliffs"),
    path("attendance/import/", attendance_import, name="attendance-import"),
    path("attendance/import/template/", attendance_template, name="attendance-template"),
]
