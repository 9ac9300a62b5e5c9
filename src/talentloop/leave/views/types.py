"""Leave pages: the leave types and their policies (HR covering the whole organisation)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from talentloop.core.errors import DomainError
from talentloop.core.http import form_errors_from, invalid_form
from talentloop.core.http import require as _require
from talentloop.leave import access
from talentloop.leave.core_forms import LeaveTypeForm
from talentloop.leave.selectors.types import leave_type_get, leave_type_list
from talentloop.leave.services.types import leave_type_save


@login_required
@require_GET
def type_list(request):
    actor = request.actor
    _require(access.can_manage_leave_types(actor))
    return TemplateResponse(request, "leave/types_list.html", {"types": leave_type_list(actor)})


@login_required
@require_http_methods(["GET", "POST"])
def type_edit(request, pk: int | None = None):
    actor = request.actor
    _require(access.can_manage_leave_types(actor))
    leave_type = leave_type_get(actor, pk) if pk else None
    _require(pk is None or leave_type is not None)
    form = LeaveTypeForm(request.POST or None, initial=LeaveTypeForm.initial_from(leave_type))
    if request.method == "POST" and form.is_valid():
        try:
            saved = leave_type_save(actor=actor, leave_type=leave_type, **form.service_args())
        except DomainError as exc:
            form_errors_from(form, exc)
        else:
            messages.success(request, _("Leave type “%(name)s” saved.") % {"name": saved.label})
            return redirect("leave:type-list")
    context = {"form": form, "leave_type": leave_type}
    if request.method == "POST":
        return invalid_form(request, "leave/types_form.html", context)
    return TemplateResponse(request, "leave/types_form.html", context)


urlpatterns = [
    path("types/", type_list, name="type-list"),
    path("types/new/", type_edit, name="type-create"),
    path("types/<int:pk>/", type_edit, name="type-edit"),
]
