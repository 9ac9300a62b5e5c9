"""The team calendar: who is away on each day of a month (people × days on a desktop, a list per day
on a phone), statutory holidays marked; the kind of leave only to those who may see the request."""

from __future__ import annotations

import calendar as month_calendar
import datetime as dt

from django.contrib.auth.decorators import login_required
from django.template.response import TemplateResponse
from django.urls import path
from django.utils import timezone
from django.views.decorators.http import require_GET

from talentloop.core.http import require as _require
from talentloop.core.paging import paginate
from talentloop.leave import access
from talentloop.leave.selectors import requests as selectors

PEOPLE_PER_PAGE = 40


def _month(value: str) -> dt.date:
    """The first day of ``YYYY-MM``; this month when the value is missing or wrong."""
    try:
        year, month = (int(part) for part in value.split("-"))
        return dt.date(year, month, 1)
    except (ValueError, TypeError):
        return timezone.localdate().replace(day=1)


@login_required
@require_GET
def team_calendar(request):
    actor = request.actor
    _require(access.can_view_team_calendar(actor))
    start = _month(request.GET.get("month", "")[:7])
    end = start.replace(day=month_calendar.monthrange(start.year, start.month)[1])
    page_obj = paginate(request, selectors.team_calendar_people(actor), per_page=PEOPLE_PER_PAGE)
    month = selectors.team_calendar(actor, people=list(page_obj.object_list), start=start, end=end)
    previous = (start - dt.timedelta(days=1)).replace(day=1)
    following = end + dt.timedelta(days=1)
    return TemplateResponse(request, "leave/calendar_month.html", {
        "month": month, "start": start, "page_obj": page_obj, "today": timezone.localdate(),
        "previous": previous.strftime("%Y-%m"), "following": following.strftime("%Y-%m")})


urlpatterns = [
    path("calendar/", team_calendar, name="calendar"),
]
