"""Attendance pages: the clock page (big In / Out buttons on the phone), my month, and the day's
exceptions of a team or of HR's scope."""

from __future__ import annotations

import datetime as dt

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from talentloop.attendance import access
from talentloop.attendance.models import ClockDirection
from talentloop.attendance.selectors import clock as selectors
from talentloop.attendance.services.clock import clock_event_record
from talentloop.core.errors import DomainError
from talentloop.core.http import form_errors_from, invalid_form
from talentloop.core.http import require as _require
from talentloop.core.paging import paginate


class ClockForm(forms.Form):
    """What the clock buttons post. The position comes from the browser (clock.js) in hidden fields."""

    direction = forms.ChoiceField(choices=[(ClockDirection.IN.value, ClockDirection.IN.label),
                                           (ClockDirection.OUT.value, ClockDirection.OUT.label)])
    latitude = forms.FloatField(required=False, min_value=-90, max_value=90, widget=forms.HiddenInput)
    longitude = forms.FloatField(required=False, min_value=-180, max_value=180, widget=forms.HiddenInput)
    accuracy_m = forms.IntegerField(required=False, min_value=0, max_value=100_000, widget=forms.HiddenInput)
    reason = forms.CharField(label=gettext_lazy("Why do you clock outside the work sites?"), max_length=300,
                             required=False, widget=forms.Textarea(attrs={"rows": 2}))
    next = forms.CharField(required=False, widget=forms.HiddenInput)


def _today_context(actor, form: ClockForm | None = None, outside: str = "") -> dict:
    today = timezone.localdate()
    return {"day": selectors.day_view(actor.employee, today), "form": form or ClockForm(), "today": today,
            "outside": outside, "month": today.strftime("%Y-%m"),
            "sees_exceptions": access.can_view_exceptions_today(actor)}


@login_required
@require_GET
def clock(request):
    actor = request.actor
    _require(access.can_clock(actor))
    return TemplateResponse(request, "attendance/clock_page.html", _today_context(actor))


def _next_url(request, value: str) -> str:
    if value and url_has_allowed_host_and_scheme(value, allowed_hosts={request.get_host()},
                                                 require_https=request.is_secure()):
        return value
    return reverse("attendance:clock")


@login_required
@require_POST
def clock_record(request):
    """One tap: from the clock page or the home page. Outside every site without a reason, the clock
    page comes back asking for the reason, the position kept in the form for the second try."""
    actor = request.actor
    _require(access.can_clock(actor))
    form = ClockForm(request.POST)
    outside = ""  # the message saying how far outside, when the reason is missing
    if form.is_valid():
        d = form.cleaned_data
        try:
            clocked = clock_event_record(actor, direction=d["direction"], latitude=d["latitude"],
                                         longitude=d["longitude"], accuracy_m=d["accuracy_m"], reason=d["reason"])
        except DomainError as exc:
            outside = exc.detail if exc.extra.get("outside") else ""
            form_errors_from(form, exc)
        else:
            event = clocked.event
            at = timezone.localtime(event.at).strftime("%H:%M")
            where = event.site.label if event.site else _("outside the work sites")
            if event.direction == ClockDirection.IN:
                text = _("Clocked in at %(time)s, %(where)s.") % {"time": at, "where": where}
            else:
                text = _("Clocked out at %(time)s, %(where)s.") % {"time": at, "where": where}
            messages.success(request, text)
            return redirect(_next_url(request, d.get("next") or ""))
    return invalid_form(request, "attendance/clock_page.html", _today_context(actor, form, outside))


def _month(value: str) -> dt.date | None:
    try:
        return dt.datetime.strptime(value, "%Y-%m").date()
    except ValueError:
        return None


@login_required
@require_GET
def my_month(request, month: str):
    actor = request.actor
    _require(access.can_clock(actor))
    first = _month(month)
    _require(first is not None and 2000 <= first.year <= 2100)
    assert first is not None
    previous = (first - dt.timedelta(days=1)).replace(day=1)
    following = (first + dt.timedelta(days=32)).replace(day=1)
    days = selectors.month_days(actor.employee, first)
    return TemplateResponse(request, "attendance/clock_month.html", {
        "days": days, "month": first, "previous": previous.strftime("%Y-%m"), "next": following.strftime("%Y-%m"),
        "exceptions": sum(1 for d in days if d.is_exception)})


EXCEPTIONS_PER_PAGE = 50


@login_required
@require_GET
def exceptions_today(request):
    """Today's attendance exceptions: a manager's people below them, HR's scope."""
    actor = request.actor
    _require(access.can_view_exceptions_today(actor))
    people = selectors.hr_people(actor) if actor.is_hr else selectors.team_people(actor)
    today = timezone.localdate()
    page_obj = paginate(request, selectors.day_exceptions(people, today), per_page=EXCEPTIONS_PER_PAGE)
    return TemplateResponse(request, "attendance/clock_exceptions.html", {"page_obj": page_obj, "today": today,
                                                                         "hr": actor.is_hr})


urlpatterns = [
    path("", clock, name="clock"),
    path("clock/", clock_record, name="clock-record"),
    path("me/<str:month>/", my_month, name="clock-month"),
    path("today/", exceptions_today, name="exceptions-today"),
]
