"""Attendance pages: shifts (HR keeps them; admins read) and work schedules (HR assigns them)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from talentloop.attendance import access
from talentloop.attendance.forms_shifts import ScheduleForm, ShiftForm
from talentloop.attendance.selectors import shifts as selectors
from talentloop.attendance.services import shifts as services
from talentloop.core.errors import DomainError
from talentloop.core.http import form_errors_from, invalid_form
from talentloop.core.http import require as _require
from talentloop.core.paging import paginate


@login_required
@require_GET
def shift_list(request):
    actor = request.actor
    _require(access.can_view_attendance_settings(actor))
    return TemplateResponse(request, "attendance/shifts_list.html", {
        "shifts": selectors.shift_list(actor), "can_edit": access.can_manage_attendance(actor)})


@login_required
@require_http_methods(["GET", "POST"])
def shift_edit(request, pk: int | None = None):
    actor = request.actor
    _require(access.can_manage_attendance(actor))
    shift = selectors.shift_get(actor, pk) if pk else None
    _require(pk is None or shift is not None)
    form = ShiftForm(request.POST or None, initial=ShiftForm.initial_from(shift))
    if request.method == "POST" and form.is_valid():
        try:
            saved = services.shift_save(actor=actor, shift=shift, **form.service_data())
        except DomainError as exc:
            form_errors_from(form, exc)
        else:
            messages.success(request, _("Shift “%(name)s” saved.") % {"name": saved.label})
            return redirect("attendance:shift-list")
    context = {"form": form, "shift": shift}
    if request.method == "POST":
        return invalid_form(request, "attendance/shifts_form.html", context)
    return TemplateResponse(request, "attendance/shifts_form.html", context)


@login_required
@require_POST
def shift_toggle(request, pk: int):
    actor = request.actor
    _require(access.can_manage_attendance(actor))
    shift = selectors.shift_get(actor, pk)
    _require(shift is not None)
    services.shift_set_active(actor=actor, shift=shift, active=not shift.is_active)
    if shift.is_active:
        messages.success(request, _("Shift “%(name)s” can be planned again.") % {"name": shift.label})
    else:
        messages.success(request, _("Shift “%(name)s” deactivated; plans made with it stay.") % {"name": shift.label})
    return redirect("attendance:shift-list")


@login_required
@require_POST
def shift_delete(request, pk: int):
    actor = request.actor
    _require(access.can_manage_attendance(actor))
    shift = selectors.shift_get(actor, pk)
    _require(shift is not None)
    try:
        services.shift_delete(actor=actor, shift=shift)
    except DomainError as exc:
        messages.error(request, exc.detail)
    else:
        messages.success(request, _("Shift deleted."))
    return redirect("attendance:shift-list")


SCHEDULES_PER_PAGE = 50


@login_required
@require_http_methods(["GET", "POST"])
def schedule_list(request):
    actor = request.actor
    _require(access.can_view_attendance_settings(actor))
    can_assign = access.can_assign_schedules(actor)
    form = None
    if can_assign:
        form = ScheduleForm(request.POST or None, actor=actor,
                            initial={"effective_from": timezone.localdate(), "kind": "fixed"})
    _require(request.method == "GET" or form is not None)
    if request.method == "POST" and form is not None and form.is_valid():
        d = form.cleaned_data
        try:
            services.work_schedule_assign(actor=actor, org_unit=d.get("org_unit"), employee=d.get("employee"),
                                          kind=d["kind"], shift=d.get("shift"), site=d.get("site"),
                                          effective_from=d["effective_from"])
        except DomainError as exc:
            form_errors_from(form, exc)
        else:
            messages.success(request, _("Work schedule saved."))
            return redirect("attendance:schedule-list")
    page_obj = paginate(request, selectors.schedule_list(actor), per_page=SCHEDULES_PER_PAGE)
    context = {"form": form, "page_obj": page_obj, "schedules": page_obj.object_list}
    if request.method == "POST":
        return invalid_form(request, "attendance/shifts_schedules.html", context)
    return TemplateResponse(request, "attendance/shifts_schedules.html", context)


urlpatterns = [
    path("shifts/", shift_list, name="shift-list"),
    path("shifts/new/", shift_edit, name="shift-create"),
    path("shifts/<int:pk>/", shift_edit, name="shift-edit"),
    path("shifts/<int:pk>/toggle/", shift_toggle, name="shift-toggle"),
    path("shifts/<int:pk>/delete/", shift_delete, name="shift-delete"),
    path("schedules/", schedule_list, name="schedule-list"),
]
