"""Leave pages: my requests and balances, the request form with its live preview, one request with
its steps and the approver's buttons, what waits for my approval, and delegating my approvals."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from talentloop.core.errors import DomainError
from talentloop.core.http import form_errors_from, invalid_form, render_partial, safe_next
from talentloop.core.http import require as _require
from talentloop.core.paging import paginate
from talentloop.leave import access
from talentloop.leave.notification_kinds import plural_days
from talentloop.leave.request_forms import DecisionForm, DelegationForm, LeaveRequestForm
from talentloop.leave.selectors import requests as selectors
from talentloop.leave.services import delegation as delegation_services
from talentloop.leave.services import requests as services

PER_PAGE = 20
STATUSES = ("pending", "approved", "rejected", "cancelled")


@login_required
@require_GET
def request_list(request):
    """My leave: balances of the types drawn from one, my requests (newest first), the way to ask."""
    actor = request.actor
    _require(access.can_request_leave(actor))
    status = request.GET.get("status", "")
    status = status if status in STATUSES else ""
    page_obj = paginate(request, selectors.leave_request_list(actor, mine=True, status=status or None),
                        per_page=PER_PAGE)
    today = timezone.localdate()
    return TemplateResponse(request, "leave/request_list.html", {
        "balances": selectors.my_balances(actor.employee, today), "today": today,
        "requests": list(page_obj.object_list), "page_obj": page_obj, "status": status, "statuses": STATUSES,
        "waiting": selectors.waiting_count(actor), "can_delegate": access.can_delegate_approvals(actor)})


def _preview_context(form: LeaveRequestForm, actor) -> dict:
    leave_type = form.chosen_type()
    preview = None
    if leave_type is not None and actor.employee is not None:
        preview = selectors.leave_preview(
            employee=actor.employee, leave_type=leave_type, start=form.raw("start"), end=form.raw("end"),
            start_half=form.raw("start_half") or "am", end_half=form.raw("end_half") or "pm",
            hours=form.raw("hours") if leave_type.unit == "hour" else None)
    return {"form": form, "leave_type": leave_type, "preview": preview}


@login_required
@require_http_methods(["GET", "POST"])
def request_new(request):
    actor = request.actor
    _require(access.can_request_leave(actor))
    form = LeaveRequestForm(request.POST or None, request.FILES or None, actor=actor,
                            initial={"start": request.GET.get("start", "")[:10], "end": request.GET.get("end", "")[:10],
                                     "start_half": "am", "end_half": "pm"})
    if request.method == "POST" and form.is_valid():
        try:
            created = services.leave_request_submit(actor, **form.service_data())
        except DomainError as exc:
            form_errors_from(form, exc)
        else:
            messages.success(request, ngettext("Leave requested: %(days)s day, waiting for approval.",
                                               "Leave requested: %(days)s days, waiting for approval.",
                                               plural_days(created.days)) % {"days": created.days.normalize()})
            return redirect("leave:request-detail", pk=created.pk)
    context = _preview_context(form, actor) if request.method == "POST" else {"form": form, "preview": None,
                                                                              "leave_type": None}
    if request.method == "POST":
        return invalid_form(request, "leave/request_form.html", context)
    return TemplateResponse(request, "leave/request_form.html", context)


@login_required
@require_GET
def request_preview(request):
    """The htmx part of the form that follows the chosen type: the half-day or hour inputs, the days
    counted and the balance before and after."""
    actor = request.actor
    _require(access.can_request_leave(actor))
    data = request.GET.copy()
    # The half-day selectors appear only once a half-day type is chosen: until then, whole days.
    data.setdefault("start_half", "am")
    data.setdefault("end_half", "pm")
    form = LeaveRequestForm(data, actor=actor)
    return render_partial(request, "leave/request_form.html", _preview_context(form, actor), partial="dynamic")


def _detail_context(actor, leave_request) -> dict:
    step = selectors.current_step(leave_request)
    can_decide = step is not None and access.can_decide_step(actor, step)
    can_cancel = (leave_request.status in ("pending", "approved") and access.can_cancel_leave(actor, leave_request)
                  and (access.can_manage_leave_of(actor, leave_request.employee)
                       or leave_request.start > timezone.localdate()))
    return {"leave_request": leave_request, "steps": list(leave_request.steps.all()), "current": step,
            "can_decide": can_decide, "can_cancel": can_cancel, "decision_form": DecisionForm(),
            "mine": access.is_self(actor, leave_request.employee)}


@login_required
@require_GET
def request_detail(request, pk: int):
    actor = request.actor
    leave_request = selectors.leave_request_get(actor, pk)
    _require(leave_request is not None)
    return TemplateResponse(request, "leave/request_detail.html", _detail_context(actor, leave_request))


def _act(request, pk: int, verb: str):
    actor = request.actor
    leave_request = selectors.leave_request_get(actor, pk)
    _require(leave_request is not None)
    form = DecisionForm(request.POST)
    form.is_valid()
    note = form.cleaned_data.get("note", "")
    try:
        if verb == "cancel":
            services.leave_request_cancel(actor, request=leave_request, note=note)
            messages.success(request, _("Leave cancelled."))
        else:
            services.leave_request_decide(actor, request=leave_request, decision=verb, note=note)
            messages.success(request, _("Approved.") if verb == "approved" else _("Rejected."))
    except DomainError as exc:
        if exc.status == 403:  # an action the persona may not take is a 404, like a page they cannot use
            raise Http404 from exc
        messages.error(request, exc.detail)
    after = request.POST.get("next", "")
    if after == "approvals":
        return redirect("leave:approval-list")
    # Back where the button was (the inbox, say), when that is a page of this product.
    return redirect(safe_next(request) or reverse("leave:request-detail", args=[pk]))


@login_required
@require_POST
def request_approve(request, pk: int):
    return _act(request, pk, "approved")


@login_required
@require_POST
def request_reject(request, pk: int):
    return _act(request, pk, "rejected")


@login_required
@require_POST
def request_cancel(request, pk: int):
    return _act(request, pk, "cancel")


@login_required
@require_GET
def request_document(request, pk: int):
    """The supporting document, to those who see the request; never from a public URL."""
    leave_request = selectors.leave_request_get(request.actor, pk)
    _require(leave_request is not None and bool(leave_request.document))
    name = leave_request.document.name.rsplit("/", 1)[-1]
    response = FileResponse(leave_request.document.open("rb"), as_attachment=True, filename=name)
    response["X-Content-Type-Options"] = "nosniff"
    return response


@login_required
@require_GET
def approval_list(request):
    """What waits for my decision (mine, delegated to me, HR's steps), oldest leave first."""
    actor = request.actor
    _require(access.can_view_leave_approvals(actor))
    page_obj = paginate(request, selectors.approvals_waiting(actor), per_page=PER_PAGE)
    return TemplateResponse(request, "leave/request_approvals.html", {
        "steps": list(page_obj.object_list), "page_obj": page_obj, "decision_form": DecisionForm()})


@login_required
@require_http_methods(["GET", "POST"])
def delegation_list(request):
    actor = request.actor
    _require(access.can_delegate_approvals(actor))
    form = DelegationForm(request.POST or None, actor=actor)
    if request.method == "POST" and form.is_valid():
        try:
            delegation_services.delegation_create(actor, **form.cleaned_data)
        except DomainError as exc:
            form_errors_from(form, exc)
        else:
            messages.success(request, _("Your approvals are delegated."))
            return redirect("leave:delegation-list")
    context = {"form": form, "delegations": list(selectors.delegation_list(actor)), "me": actor.employee,
               "today": timezone.localdate()}
    if request.method == "POST":
        return invalid_form(request, "leave/request_delegation.html", context)
    return TemplateResponse(request, "leave/request_delegation.html", context)


@login_required
@require_POST
def delegation_delete(request, pk: int):
    actor = request.actor
    delegation = selectors.delegation_get(actor, pk)
    _require(delegation is not None and access.can_change_delegation(actor, delegation))
    delegation_services.delegation_delete(actor, delegation=delegation)
    messages.success(request, _("Delegation ended."))
    return redirect("leave:delegation-list")


urlpatterns = [
    path("", request_list, name="request-list"),
    path("new/", request_new, name="request-new"),
    path("new/preview/", request_preview, name="request-preview"),
    path("<int:pk>/", request_detail, name="request-detail"),
    path("<int:pk>/approve/", request_approve, name="request-approve"),
    path("<int:pk>/reject/", request_reject, name="request-reject"),
    path("<int:pk>/cancel/", request_cancel, name="request-cancel"),
    path("<int:pk>/document/", request_document, name="request-document"),
    path("approvals/", approval_list, name="approval-list"),
    path("delegation/", delegation_list, name="delegation-list"),
    path("delegation/<int:pk>/delete/", delegation_delete, name="delegation-delete"),
]
