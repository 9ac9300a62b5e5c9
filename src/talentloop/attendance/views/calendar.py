"""Attendance pages: the holiday calendar of a year (everyone; HR sets and removes days) and the
attendance policy (HR)."""

from __future__ import annotations

import datetime as dt

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from talentloop.attendance import access
from talentloop.attendance.models import DayKind
from talentloop.attendance.selectors import calendar as selectors
from talentloop.attendance.selectors.policy import attendance_policy
from talentloop.attendance.services import calendar as services
from talentloop.core.errors import DomainError
from talentloop.core.http import form_errors_from, invalid_form, render_partial
from talentloop.core.http import require as _require
from talentloop.core.widgets import DateInput

# ---------------------------------------------------------------- forms


class CalendarDayForm(forms.Form):
    date = forms.DateField(label=gettext_lazy("Date"), widget=DateInput())
    kind = forms.ChoiceField(label=pgettext_lazy("calendar day", "Kind of day"), choices=DayKind.choices)
    name = forms.CharField(label=gettext_lazy("Name"), max_length=80, required=False,
                           help_text=gettext_lazy("For example 劳动节 or 公司年会."))
    name_en = forms.CharField(label=gettext_lazy("English name"), max_length=80, required=False)


class PolicyForm(forms.Form):
    clock_window_days = forms.IntegerField(
        label=gettext_lazy("Clock events accepted up to (days back)"), min_value=0,
        max_value=services.MAX_CLOCK_WINDOW_DAYS)
    location_retention_days = forms.IntegerField(
        label=gettext_lazy("Raw position kept (days)"), min_value=1, max_value=services.MAX_RETENTION_DAYS,
        help_text=gettext_lazy("At most 30 days; afterwards only the result (which site, or outside by how far) "
                               "is kept."))
    overtime_after_allowed = forms.BooleanField(label=gettext_lazy("Overtime may be recorded after the fact"),
                                                required=False)
    rest_day_in_lieu = forms.BooleanField(label=gettext_lazy("Rest-day overtime as time off in lieu by default"),
                                          required=False)
    daily_overtime_cap_minutes = forms.IntegerField(
        label=gettext_lazy("Overtime cap per day (minutes)"), min_value=1, max_value=services.LEGAL_DAILY_CAP,
        help_text=gettext_lazy("The law allows at most 3 hours (180 minutes) a day."))
    monthly_overtime_cap_minutes = forms.IntegerField(
        label=gettext_lazy("Overtime cap per month (minutes)"), min_value=1, max_value=services.LEGAL_MONTHLY_CAP,
        help_text=gettext_lazy("The law allows at most 36 hours (2,160 minutes) a month."))
    default_shift = forms.ModelChoiceField(
        label=gettext_lazy("Default shift"), queryset=selectors.policy_shift_choices(), required=False,
        help_text=gettext_lazy("For people without a work schedule; empty: they work the calendar's workdays, "
                               "untimed."))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Read the active shifts when the form is built, not when the module was imported.
        self.fields["default_shift"].queryset = selectors.policy_shift_choices()


# ---------------------------------------------------------------- the calendar


def _site_from(request):
    """The site asked for in ``site`` (query or form), or None; an unknown or invisible site is a 404."""
    raw = request.POST.get("site") if request.method == "POST" else request.GET.get("site")
    if not raw:
        return None
    _require(raw.isdigit())
    site = selectors.calendar_site_get(request.actor, int(raw))
    _require(site is not None)
    return site


def _year_url(year: int, site) -> str:
    url = reverse("attendance:calendar-year", args=[year])
    return f"{url}?site={site.pk}" if site is not None else url


def _year_context(request, year: int, site) -> dict:
    days = selectors.calendar_year(year, site)
    return {
        "year": year, "site": site, "sites": selectors.calendar_site_list(request.actor),
        "months": selectors.calendar_months(days), "special": [d for d in days if d.special],
        "can_edit": access.can_manage_attendance(request.actor),
        "today": timezone.localdate(), "previous": year - 1 if selectors.valid_year(year - 1) else None,
        "next": year + 1 if selectors.valid_year(year + 1) else None,
        "statutory_count": sum(1 for d in days if d.kind == DayKind.STATUTORY),
        # Monday to Sunday, abbreviated in the reader's language (5 January 1970 was a Monday).
        "weekdays": [date_format(dt.date(1970, 1, 5 + n), "D") for n in range(7)],
    }


@login_required
@require_GET
def calendar_current(request):
    return redirect("attendance:calendar-year", year=timezone.localdate().year)


@login_required
@require_GET
def calendar_year(request, year: int):
    _require(access.can_view_calendar(request.actor) and selectors.valid_year(year))
    site = _site_from(request)
    return render_partial(request, "attendance/calendar_year.html", _year_context(request, year, site),
                          partial="year")


@login_required
@require_http_methods(["GET", "POST"])
def calendar_day_edit(request, year: int):
    """HR sets one day: the form (an htmx panel beside the grid, or a page of its own) and its answer."""
    actor = request.actor
    _require(access.can_manage_attendance(actor) and selectors.valid_year(year))
    site = _site_from(request)
    if request.method == "POST":
        form = CalendarDayForm(request.POST)
        if form.is_valid() and form.cleaned_data["date"].year != year:
            form.add_error("date", _("The date is not in %(year)s.") % {"year": year})
        if form.is_valid():
            data = form.cleaned_data
            try:
                services.calendar_day_set(actor=actor, date=data["date"], kind=data["kind"], name=data["name"],
                                          name_en=data["name_en"], site=site)
            except DomainError as exc:
                form_errors_from(form, exc)
            else:
                messages.success(request, _("%(date)s is set.") % {"date": data["date"].isoformat()})
                return _back_to_year(request, year, site)
        context = {"form": form, "year": year, "site": site, "row": None}
        return invalid_form(request, "attendance/calendar_day.html", context, partial="day-form")
    date = _date_param(request.GET.get("date"), year)
    row = selectors.calendar_day_row(date=date, site=site)
    initial = {"date": date, "kind": row.kind if row else _pattern_kind(date),
               "name": row.name if row else "", "name_en": row.name_en if row else ""}
    context = {"form": CalendarDayForm(initial=initial), "year": year, "site": site, "row": row}
    return render_partial(request, "attendance/calendar_day.html", context, partial="day-form")


@login_required
@require_POST
def calendar_day_remove(request, year: int):
    actor = request.actor
    _require(access.can_manage_attendance(actor) and selectors.valid_year(year))
    site = _site_from(request)
    date = _date_param(request.POST.get("date"), year)
    try:
        services.calendar_day_remove(actor=actor, date=date, site=site)
    except DomainError as exc:
        messages.error(request, exc.detail)
    else:
        messages.success(request, _("%(date)s follows the calendar again.") % {"date": date.isoformat()})
    return _back_to_year(request, year, site)


def _date_param(raw: str | None, year: int) -> dt.date:
    """An ISO date of ``year`` from the request; anything else is a 404 (a link that cannot exist)."""
    try:
        date = dt.date.fromisoformat(raw or "")
    except ValueError:
        date = None
    _require(date is not None and date.year == year)
    return date  # type: ignore[return-value]


def _pattern_kind(date: dt.date) -> str:
    return DayKind.REST if date.weekday() >= 5 else DayKind.WORKDAY


def _back_to_year(request, year: int, site) -> HttpResponse:
    url = _year_url(year, site)
    if getattr(request, "htmx", False):
        response = HttpResponse()
        response["HX-Redirect"] = url
        return response
    return HttpResponseRedirect(url)


# ---------------------------------------------------------------- the attendance policy


@login_required
@require_http_methods(["GET", "POST"])
def policy_edit(request):
    actor = request.actor
    _require(access.can_view_attendance_settings(actor))
    policy = attendance_policy()
    can_edit = access.can_manage_attendance(actor)
    initial = {key: getattr(policy, key) for key in services.POLICY_FIELDS}
    if request.method == "POST":
        _require(can_edit)
        form = PolicyForm(request.POST, initial=initial)
        if form.is_valid():
            try:
                services.attendance_policy_update(actor=actor, data=dict(form.cleaned_data))
            except DomainError as exc:
                form_errors_from(form, exc)
            else:
                messages.success(request, _("The attendance policy is saved."))
                return redirect("attendance:policy")
        return invalid_form(request, "attendance/calendar_policy.html",
                            {"form": form, "policy": policy, "can_edit": can_edit})
    form = PolicyForm(initial=initial)
    if not can_edit:
        for field in form.fields.values():
            field.disabled = True
    return TemplateResponse(request, "attendance/calendar_policy.html",
                            {"form": form, "policy": policy, "can_edit": can_edit})


urlpatterns = [
    path("calendar/", calendar_current, name="calendar"),
    path("calendar/<int:year>/", calendar_year, name="calendar-year"),
    path("calendar/<int:year>/day/", calendar_day_edit, name="calendar-day"),
    path("calendar/<int:year>/day/remove/", calendar_day_remove, name="calendar-day-remove"),
    path("settings/", policy_edit, name="policy"),
]
