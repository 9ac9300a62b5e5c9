"""Attendance pages: the roster planner (a team's week: a grid on a desktop, day by day on a phone;
one request per changed cell), copying a week, the team's minimum staffing, and my own roster."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_POST

from talentloop.attendance import access
from talentloop.attendance.forms_shifts import WEEKDAYS, CellForm, CopyWeekForm, StaffingForm
from talentloop.attendance.selectors import rosters as selectors
from talentloop.attendance.selectors import shifts as shift_selectors
from talentloop.attendance.services import rosters as services
from talentloop.core.errors import DomainError
from talentloop.core.http import render_partial
from talentloop.core.http import require as _require

MY_WEEKS = 4


def _week(value: str | None) -> dt.date:
    try:
        day = dt.date.fromisoformat(value or "")
    except ValueError:
        day = timezone.localdate()
    return services.week_start(day)


def _unit(actor, value) -> object | None:
    try:
        pk = int(value or 0)
    except (TypeError, ValueError):
        return None
    return selectors.unit_get(actor, pk) if pk > 0 else None


def _planner_url(week: dt.date, unit) -> str:
    query = {"week": week.isoformat()}
    if unit is not None:
        query["unit"] = unit.pk
    return f"{reverse('attendance:roster')}?{urlencode(query)}"


def _render(request, week: dt.date, unit, *, status: int = 200, error: str = "", partial: bool = True):
    actor = request.actor
    data = selectors.roster_week(actor, people=selectors.team_people(actor, unit=unit), start=week, unit=unit)
    lo, hi = services.planning_window()
    staffing_form = StaffingForm(actor=actor, initial={"week": week, "unit": unit.pk if unit else None,
                                                       "min_people": 1}) if unit is not None else None
    context = {"data": data, "week": week, "unit": unit, "units": access.staffable_units(actor),
               "error": error, "window": (lo, hi), "staffing_form": staffing_form, "weekdays": WEEKDAYS,
               "copy_from": week - dt.timedelta(days=7), "cell_url": reverse("attendance:roster-cell")}
    return render_partial(request, "attendance/rosters_planner.html", context,
                          partial="planner" if partial else None, status=status)


@login_required
@require_GET
def planner(request):
    actor = request.actor
    _require(access.can_plan_rosters(actor))
    return _render(request, _week(request.GET.get("week")), _unit(actor, request.GET.get("unit")))


@login_required
@require_POST
def cell_set(request):
    """One cell changed: plan it and answer the planner again (its shortfalls and rest checks follow)."""
    actor = request.actor
    _require(access.can_plan_rosters(actor))
    form = CellForm(request.POST)
    week = _week(request.POST.get("week"))
    unit = _unit(actor, request.POST.get("unit"))
    error = ""
    if not form.is_valid():
        error = _("The change could not be read; nothing was saved.")
    else:
        try:
            services.roster_set(actor=actor, cells=[services.Cell(**form.cell())])
        except DomainError as exc:
            rejected = exc.extra.get("rejected") or []
            error = "; ".join(m for r in rejected for ms in r["errors"].values() for m in ms) or exc.detail
    if not getattr(request, "htmx", False):
        if error:
            messages.error(request, error)
        return redirect(_planner_url(week, unit))
    return _render(request, week, unit, status=422 if error else 200, error=error)


@login_required
@require_POST
def copy_week(request):
    """Copy the previous week into the week shown, for the team shown."""
    actor = request.actor
    _require(access.can_plan_rosters(actor))
    form = CopyWeekForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose the week to plan."))
        return redirect("attendance:roster")
    week = services.week_start(form.cleaned_data["week"])
    unit = _unit(actor, form.cleaned_data.get("unit"))
    people = list(selectors.team_people(actor, unit=unit)[:selectors.MAX_TEAM])
    try:
        report = services.roster_copy_week(actor, people=people, from_week=week - dt.timedelta(days=7), to_week=week,
                                           overwrite=form.cleaned_data["overwrite"])
    except DomainError as exc:
        messages.error(request, exc.detail)
    else:
        text = ngettext("%(n)d day copied from last week.", "%(n)d days copied from last week.",
                        report.total_copied) % {"n": report.total_copied}
        if report.total_skipped:
            names = {p.pk: p.display_name for p in people}
            parts = [f"{names[pk]}: " + ", ".join(f"{s['date']:%m-%d} ({s['reason']})" for s in skipped)
                     for pk, skipped in report.skipped.items() if skipped]
            text += " " + ngettext("%(n)d day skipped", "%(n)d days skipped", report.total_skipped) % {
                "n": report.total_skipped} + " — " + "; ".join(parts[:10])
        messages.success(request, text)
    return redirect(_planner_url(week, unit))


@login_required
@require_POST
def staffing_set(request):
    actor = request.actor
    _require(access.can_plan_rosters(actor))
    form = StaffingForm(request.POST, actor=actor)
    week = _week(request.POST.get("week"))
    unit = _unit(actor, request.POST.get("unit"))
    _require(unit is not None)
    if not form.is_valid():
        messages.error(request, "; ".join(str(m) for ms in form.errors.values() for m in ms))
        return redirect(_planner_url(week, unit))
    d = form.cleaned_data
    try:
        services.shift_requirement_set(actor=actor, org_unit=unit, shift=d["shift"], weekdays=d["weekdays"],
                                       min_people=d["min_people"])
    except DomainError as exc:
        messages.error(request, exc.detail)
    else:
        messages.success(request, _("Minimum staffing saved."))
    return redirect(_planner_url(week, unit))


@login_required
@require_GET
def my_roster(request):
    actor = request.actor
    _require(access.can_clock(actor))
    start = _week(request.GET.get("week"))
    days = selectors.my_roster(actor, start=start, weeks=MY_WEEKS)
    return TemplateResponse(request, "attendance/rosters_me.html", {
        "days": days, "start": start, "previous": start - dt.timedelta(days=7 * MY_WEEKS),
        "next": start + dt.timedelta(days=7 * MY_WEEKS), "shifts": shift_selectors.shift_list(actor, active_only=True)})


urlpatterns = [
    path("rosters/", planner, name="roster"),
    path("rosters/cell/", cell_set, name="roster-cell"),
    path("rosters/copy/", copy_week, name="roster-copy"),
    path("rosters/staffing/", staffing_set, name="roster-staffing"),
    path("rosters/me/", my_roster, name="roster-me"),
]
