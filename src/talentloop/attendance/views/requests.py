"""Attendance pages: overtime requests (mine, a new one with a live classification, one request),
clock corrections (mine, a new one, one correction), what waits for my approval, and HR's list of
overtime over the legal caps. Approve, reject and cancel call the same services as the API."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from talentloop.attendance import access
from talentloop.attendance.models import ClockDirection, Compensation, OvertimeRequest, RequestStatus
from talentloop.attendance.overtime import describe_breach, hours, local_zone
from talentloop.attendance.selectors import requests as selectors
from talentloop.attendance.services import corrections as correction_services
from talentloop.attendance.services import overtime as overtime_services
from talentloop.core.access import Actor
from talentloop.core.errors import DomainError
from talentloop.core.http import form_errors_from, invalid_form, render_partial, safe_next
from talentloop.core.http import require as _require
from talentloop.core.paging import paginate
from talentloop.core.widgets import DateInput, TimeInput

PER_PAGE = 50
APPROVALS_SHOWN = 100


class OvertimeForm(forms.Form):
    kind = forms.ChoiceField(label=gettext_lazy("Kind"), choices=OvertimeRequest.Kind.choices,
                             initial=OvertimeRequest.Kind.BEFORE)
    date = forms.DateField(label=gettext_lazy("Date"), widget=DateInput)
    start = forms.TimeField(label=pgettext_lazy("time span", "From"), widget=TimeInput)
    end = forms.TimeField(label=pgettext_lazy("time span", "Until"), widget=TimeInput,
                          help_text=gettext_lazy("A time before the start ends the next day."))
    compensation = forms.ChoiceField(label=gettext_lazy("Compensation"), required=False,
                                     choices=[("", gettext_lazy("As the policy says")), *Compensation.choices])
    reason = forms.CharField(label=gettext_lazy("Reason"), max_length=300, widget=forms.Textarea(attrs={"rows": 2}))

    def span(self) -> tuple[dt.datetime, dt.datetime]:
        d = self.cleaned_data
        tz = local_zone()
        start = dt.datetime.combine(d["date"], d["start"], tzinfo=tz)
        end = dt.datetime.combine(d["date"], d["end"], tzinfo=tz)
        if end <= start:
            end += dt.timedelta(days=1)
        return start, end


class CorrectionForm(forms.Form):
    work_date = forms.DateField(label=gettext_lazy("Work date"), widget=DateInput)
    direction = forms.ChoiceField(label=gettext_lazy("Punch"), choices=[
        (ClockDirection.IN.value, pgettext_lazy("clock", "In")), (ClockDirection.OUT.value,
                                                                 pgettext_lazy("clock", "Out"))])
    time = forms.TimeField(label=gettext_lazy("Time"), widget=TimeInput)
    next_morning = forms.BooleanField(label=gettext_lazy("The next morning (night shift)"), required=False)
    reason = forms.CharField(label=gettext_lazy("Reason"), max_length=300, widget=forms.Textarea(attrs={"rows": 2}))

    def at(self) -> dt.datetime:
        d = self.cleaned_data
        day = d["work_date"] + dt.timedelta(days=1 if d.get("next_morning") else 0)
        return dt.datetime.combine(day, d["time"], tzinfo=local_zone())


class NoteForm(forms.Form):
    note = forms.CharField(max_length=300, required=False)


STATUSES = (("", gettext_lazy("All")), *RequestStatus.choices)


def _go(request, name: str, pk: int) -> HttpResponse:
    """After a successful form: a redirect, or for htmx the same as a client-side redirect."""
    url = reverse(name, args=[pk])
    if getattr(request, "htmx", False):
        response = HttpResponse(status=204)
        response["HX-Redirect"] = url
        return response
    return redirect(url)


def _status(request) -> str:
    value = request.GET.get("status", "")
    return value if value in RequestStatus.values else ""


# ---------------------------------------------------------------- overtime


def _overtime_page(request, form: OvertimeForm) -> dict:
    actor = request.actor
    status = _status(request)
    page_obj = paginate(request, selectors.overtime_list(actor, mine=True, status=status), per_page=PER_PAGE)
    return {"form": form, "page_obj": page_obj, "rows": page_obj.object_list, "status": status,
            "statuses": STATUSES, "can_approve": access.can_view_approvals(actor),
            "can_see_breaches": access.can_view_cap_breaches(actor)}


@login_required
@require_http_methods(["GET", "POST"])
def overtime_list(request):
    actor = request.actor
    _require(access.can_request_time(actor))
    form = OvertimeForm(request.POST or None, initial={"date": timezone.localdate()})
    if request.method == "POST" and form.is_valid():
        start, end = form.span()
        try:
            created = overtime_services.overtime_submit(
                actor=actor, kind=form.cleaned_data["kind"], start=start, end=end,
                reason=form.cleaned_data["reason"], compensation=form.cleaned_data["compensation"] or None)
        except DomainError as exc:
            form_errors_from(form, exc)
        else:
            messages.success(request, _("Overtime request sent for approval."))
            return _go(request, "attendance:overtime-detail", created.pk)
    context = _overtime_page(request, form)
    if request.method == "POST":
        return invalid_form(request, "attendance/request_overtime_list.html", context, partial="overtime-form")
    return TemplateResponse(request, "attendance/request_overtime_list.html", context)


@login_required
@require_GET
def overtime_preview(request):
    """The live classification under the form (htmx): class, multiplier, counted minutes, any cap
    breach, or why the span would be refused. Writes nothing."""
    actor = request.actor
    _require(access.can_request_time(actor))
    form = OvertimeForm(request.GET)
    context: dict = {"preview": None, "problems": []}
    if form.has_error("date") or form.has_error("start") or form.has_error("end") or form.has_error("kind"):
        context["problems"] = [_("Enter the date and the times to see how the overtime counts.")]
    else:
        form.is_valid()  # the reason may still be empty: the preview does not need it
        start, end = form.span()
        try:
            result = overtime_services.overtime_preview(
                actor=actor, kind=form.cleaned_data["kind"], start=start, end=end,
                compensation=form.cleaned_data.get("compensation") or None)
        except DomainError as exc:
            context["problems"] = [m for msgs in exc.errors.values() for m in msgs] or [exc.detail]
        else:
            context["preview"] = result
            context["preview_hours"] = hours(result.minutes)
            context["span_hours"] = hours(result.span_minutes)
    return TemplateResponse(request, "attendance/request_overtime_list.html#preview", context)


def _overtime_or_404(request, pk: int) -> OvertimeRequest:
    ot = selectors.overtime_get(request.actor, pk)
    _require(ot is not None)
    assert ot is not None
    return ot


@login_required
@require_GET
def overtime_detail(request, pk: int):
    actor = request.actor
    ot = _overtime_or_404(request, pk)
    pending = ot.status == RequestStatus.PENDING
    return TemplateResponse(request, "attendance/request_overtime_detail.html", {
        "ot": ot, "hours": hours(ot.minutes), "breach": describe_breach(ot.cap_breach),
        "can_decide": pending and access.can_approve_time(actor, ot.employee),
        "can_cancel": access.can_cancel_overtime(actor, ot), "mine": access.is_self(actor, ot.employee)})


@login_required
@require_GET
def overtime_breaches(request):
    actor = request.actor
    _require(access.can_view_cap_breaches(actor))
    status = _status(request)
    page_obj = paginate(request, selectors.cap_breach_list(actor, status=status), per_page=PER_PAGE)
    rows = [(r, describe_breach(r.cap_breach), hours(r.minutes)) for r in page_obj.object_list]
    return TemplateResponse(request, "attendance/request_breaches.html", {
        "page_obj": page_obj, "rows": rows, "status": status,
        "statuses": (("", gettext_lazy("All")), (RequestStatus.PENDING.value, RequestStatus.PENDING.label),
                     (RequestStatus.APPROVED.value, RequestStatus.APPROVED.label))})


# ---------------------------------------------------------------- corrections


@login_required
@require_http_methods(["GET", "POST"])
def correction_list(request):
    actor = request.actor
    _require(access.can_request_time(actor))
    form = CorrectionForm(request.POST or None, initial={"work_date": timezone.localdate()})
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            created = correction_services.correction_submit(actor=actor, work_date=d["work_date"], at=form.at(),
                                                            direction=d["direction"], reason=d["reason"])
        except DomainError as exc:
            form_errors_from(form, exc)
        else:
            messages.success(request, _("Correction sent for approval."))
            return _go(request, "attendance:correction-detail", created.pk)
    status = _status(request)
    page_obj = paginate(request, selectors.correction_list(actor, mine=True, status=status), per_page=PER_PAGE)
    context = {"form": form, "page_obj": page_obj, "rows": page_obj.object_list, "status": status,
               "statuses": STATUSES, "can_approve": access.can_view_approvals(actor)}
    if request.method == "POST":
        return invalid_form(request, "attendance/request_correction_list.html", context, partial="correction-form")
    return TemplateResponse(request, "attendance/request_correction_list.html", context)


def _correction_or_404(request, pk: int):
    c = selectors.correction_get(request.actor, pk)
    _require(c is not None)
    return c


@login_required
@require_GET
def correction_detail(request, pk: int):
    actor = request.actor
    c = _correction_or_404(request, pk)
    return TemplateResponse(request, "attendance/request_correction_detail.html", {
        "c": c, "can_decide": c.status == RequestStatus.PENDING and access.can_approve_time(actor, c.employee),
        "can_cancel": access.can_cancel_correction(actor, c), "mine": access.is_self(actor, c.employee)})


# ---------------------------------------------------------------- approve, reject, cancel


@dataclass(frozen=True)
class _Decidable:
    """One kind of time request as the decision buttons see it: how to fetch it through access, the
    services per verb (each takes ``actor``, the record under ``arg`` and ``note``) and its page."""

    get: Callable[[Actor, int], object | None]
    services: dict[str, Callable[..., object]]
    arg: str
    detail: str


_DECIDABLE = {
    "overtime": _Decidable(selectors.overtime_get, {"approve": overtime_services.overtime_approve,
                                                     "reject": overtime_services.overtime_reject,
                                                     "cancel": overtime_services.overtime_cancel},
                           "request", "attendance:overtime-detail"),
    "correction": _Decidable(selectors.correction_get, {"approve": correction_services.correction_approve,
                                                         "reject": correction_services.correction_reject,
                                                         "cancel": correction_services.correction_cancel},
                             "correction", "attendance:correction-detail"),
}
_DONE = {"approve": gettext_lazy("Approved."), "reject": gettext_lazy("Rejected."),
         "cancel": gettext_lazy("Cancelled.")}


@login_required
@require_POST
def request_action(request, pk: int, kind: str, verb: str):
    """Approve, reject or cancel an overtime request or a correction (the buttons of its page, the
    approvals page and the inbox), then back to ``next`` when it is a page of this product."""
    actor = request.actor
    spec = _DECIDABLE[kind]
    record = spec.get(actor, pk)
    _require(record is not None)
    form = NoteForm(request.POST)
    note = form.cleaned_data.get("note", "") if form.is_valid() else ""
    try:
        spec.services[verb](actor=actor, note=note, **{spec.arg: record})
    except DomainError as exc:
        if exc.status == 403:  # a record the persona may not decide is a 404, like one they cannot see
            raise Http404 from exc
        messages.error(request, exc.detail if not exc.errors else " ".join(
            m for msgs in exc.errors.values() for m in msgs))
    else:
        messages.success(request, str(_DONE[verb]))
    if request.POST.get("next") == "approvals" and access.can_view_approvals(actor):
        return redirect("attendance:approvals")
    return redirect(safe_next(request) or reverse(spec.detail, args=[pk]))


# ---------------------------------------------------------------- approvals


@login_required
@require_GET
def approvals(request):
    actor = request.actor
    _require(access.can_view_approvals(actor))
    overtime = list(selectors.overtime_awaiting_list(actor)[:APPROVALS_SHOWN + 1])
    corrections = list(selectors.corrections_awaiting_list(actor)[:APPROVALS_SHOWN + 1])
    return render_partial(request, "attendance/request_approvals.html", {
        "overtime": [(o, hours(o.minutes), describe_breach(o.cap_breach)) for o in overtime[:APPROVALS_SHOWN]],
        "corrections": corrections[:APPROVALS_SHOWN], "more_overtime": len(overtime) > APPROVALS_SHOWN,
        "more_corrections": len(corrections) > APPROVALS_SHOWN})


urlpatterns = [
    path("overtime/", overtime_list, name="overtime-list"),
    path("overtime/preview/", overtime_preview, name="overtime-preview"),
    path("overtime/breaches/", overtime_breaches, name="overtime-breaches"),
    path("overtime/<int:pk>/", overtime_detail, name="overtime-detail"),
    path("corrections/", correction_list, name="correction-list"),
    path("corrections/<int:pk>/", correction_detail, name="correction-detail"),
    path("approvals/", approvals, name="approvals"),
    # attendance:overtime-approve, …-reject, …-cancel and the same for correction-*
    *[path(f"{prefix}/<int:pk>/{verb}/", request_action, {"kind": kind, "verb": verb}, name=f"{kind}-{verb}")
      for kind, prefix in (("overtime", "overtime"), ("correction", "corrections"))
      for verb in ("approve", "reject", "cancel")],
]
