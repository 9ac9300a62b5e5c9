"""Attendance pages: the monthly summaries — HR's review of a month (filters, totals, build, lock,
Excel export), a person's month day by day with its summary, and the adjustments of a locked month."""

from __future__ import annotations

import datetime as dt

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from talentloop.attendance import access
from talentloop.attendance.selectors import summaries as selectors
from talentloop.attendance.services import summaries as services
from talentloop.core.errors import DomainError
from talentloop.core.http import form_errors_from, invalid_form
from talentloop.core.http import require as _require
from talentloop.core.paging import paginate


class MonthForm(forms.Form):
    month = forms.CharField(max_length=7)


class LockForm(forms.Form):
    month = forms.CharField(max_length=7)
    confirm = forms.BooleanField(label=gettext_lazy("I have reviewed the figures: lock the month for payroll"))


class AdjustmentForm(forms.Form):
    field = forms.ChoiceField(label=gettext_lazy("Figure"),
                              choices=[(k, v) for k, v in selectors.FIELD_LABELS.items()])
    delta = forms.DecimalField(label=gettext_lazy("Change"), max_digits=9, decimal_places=2,
                               help_text=gettext_lazy("Negative to lower the figure, e.g. -1"))
    reason = forms.CharField(label=gettext_lazy("Reason"), max_length=300)


def _month(value: str | None, default: dt.date) -> dt.date:
    try:
        return services.parse_month(value) if value else default
    except DomainError:
        return default


def _path_month(value: str) -> dt.date:
    """The month of a page's address; anything but YYYY-MM is a page that does not exist."""
    try:
        return services.parse_month(value)
    except DomainError:
        raise Http404 from None


def _previous_month(today: dt.date) -> dt.date:
    return (today.replace(day=1) - dt.timedelta(days=1)).replace(day=1)


@login_required
@require_GET
def summary_list(request):
    """The month's summaries of the people the actor sees (HR: their scope; a manager: their team)."""
    actor = request.actor
    _require(access.can_review_summaries(actor))
    today = timezone.localdate()
    month = _month(request.GET.get("month"), _previous_month(today))
    unit_id = request.GET.get("org_unit", "")
    unit = selectors.org_unit_get(actor, int(unit_id)) if unit_id.isdigit() else None
    exceptions_only = request.GET.get("exceptions") == "1"
    rows = selectors.summary_queryset(actor, month, org_unit=unit, exceptions_only=exceptions_only)
    lock = selectors.month_lock_get(month)
    context = {
        "month": month, "month_value": month.strftime("%Y-%m"),
        "previous": _previous_month(month).strftime("%Y-%m"),
        "next": selectors.next_month(month).strftime("%Y-%m"),
        "page_obj": paginate(request, rows), "totals": selectors.summary_totals(rows), "lock": lock,
        "units": selectors.org_unit_choices(actor), "unit": unit, "exceptions_only": exceptions_only,
        "can_build": access.can_manage_attendance(actor) and lock is None and month <= today.replace(day=1),
        "can_lock": access.can_lock_month(actor) and lock is None and selectors.month_bounds(month)[1] < today,
        "lock_form": LockForm(initial={"month": month.strftime("%Y-%m")}),
    }
    return TemplateResponse(request, "attendance/summaries_list.html", context)


@login_required
@require_POST
def summary_build(request):
    actor = request.actor
    _require(access.can_manage_attendance(actor))
    form = MonthForm(request.POST)
    month_value = request.POST.get("month", "")
    try:
        month = services.parse_month(form.data.get("month"))
        result = services.summaries_build(month=month, by=actor)
        messages.success(request, _("%(month)s built for %(count)s people.") % {
            "month": month.strftime("%Y-%m"), "count": result.people})
    except DomainError as exc:
        messages.error(request, exc.detail)
    return redirect(f"{reverse('attendance:summary-list')}?month={month_value}")


@login_required
@require_POST
def summary_lock(request):
    actor = request.actor
    _require(access.can_lock_month(actor))
    form = LockForm(request.POST)
    month_value = request.POST.get("month", "")
    if not form.is_valid():
        messages.error(request, _("Tick the box to confirm that the figures are reviewed."))
    else:
        try:
            services.summaries_lock(actor, month=services.parse_month(form.cleaned_data["month"]))
            messages.success(request, _("%(month)s is locked: payroll reads it now.") % {"month": month_value})
        except DomainError as exc:
            messages.error(request, exc.detail)
    return redirect(f"{reverse('attendance:summary-list')}?month={month_value}")


@login_required
@require_GET
def summary_export(request):
    actor = request.actor
    _require(access.can_review_summaries(actor))
    month = _month(request.GET.get("month"), _previous_month(timezone.localdate()))
    unit_id = request.GET.get("org_unit", "")
    unit = selectors.org_unit_get(actor, int(unit_id)) if unit_id.isdigit() else None
    content = selectors.summary_export_xlsx(actor, month, org_unit=unit,
                                            exceptions_only=request.GET.get("exceptions") == "1")
    response = HttpResponse(content, content_type=selectors.XLSX)
    response["Content-Disposition"] = f'attachment; filename="attendance-{month:%Y-%m}.xlsx"'
    response["Cache-Control"] = "no-store"
    return response


def _person_context(actor, employee, month: dt.date, form: AdjustmentForm | None = None) -> dict:
    today = timezone.localdate()
    lines = selectors.person_month(actor, employee, month, today=today)
    locked = selectors.is_locked(month)
    return {
        "employee": employee, "month": month, "month_value": month.strftime("%Y-%m"),
        "previous": _previous_month(month).strftime("%Y-%m"), "next": selectors.next_month(month).strftime("%Y-%m"),
        "summary": selectors.summary_get(actor, employee, month), "lines": lines, "locked": locked,
        "adjustments": selectors.adjustment_list(actor, employee=employee, month=month),
        "carried_here": selectors.adjustment_list(actor, employee=employee, applied_to=month),
        "can_adjust": locked and access.can_manage_time_of(actor, employee),
        "form": form or AdjustmentForm(), "field_labels": selectors.FIELD_LABELS,
    }


@login_required
@require_GET
def summary_person(request, pk: int, month: str):
    """A person's month day by day (the person, anyone above them, HR covering them)."""
    actor = request.actor
    employee = selectors.time_person_get(actor, pk)
    _require(employee is not None and access.can_view_time_of(actor, employee))
    return TemplateResponse(request, "attendance/summaries_person.html",
                            _person_context(actor, employee, _path_month(month)))


@login_required
@require_POST
def summary_adjust(request, pk: int, month: str):
    actor = request.actor
    employee = selectors.time_person_get(actor, pk)
    _require(employee is not None and access.can_manage_time_of(actor, employee))
    the_month = _path_month(month)
    form = AdjustmentForm(request.POST)
    if form.is_valid():
        d = form.cleaned_data
        try:
            services.summary_adjustment_record(actor, employee=employee, month=the_month, field=d["field"],
                                               delta=d["delta"], reason=d["reason"])
        except DomainError as exc:
            form_errors_from(form, exc)
        else:
            messages.success(request, _("Adjustment recorded: the next open month built carries it."))
            return redirect("attendance:summary-person", pk=employee.pk, month=the_month.strftime("%Y-%m"))
    return invalid_form(request, "attendance/summaries_person.html",
                        _person_context(actor, employee, the_month, form))


urlpatterns = [
    path("summaries/", summary_list, name="summary-list"),
    path("summaries/build/", summary_build, name="summary-build"),
    path("summaries/lock/", summary_lock, name="summary-lock"),
    path("summaries/export/", summary_export, name="summary-export"),
    path("summaries/<int:pk>/<str:month>/", summary_person, name="summary-person"),
    path("summaries/<int:pk>/<str:month>/adjust/", summary_adjust, name="summary-adjust"),
]
