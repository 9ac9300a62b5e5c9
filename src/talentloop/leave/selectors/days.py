"""Approved leave by person and date, for attendance (the day results and the monthly summaries).

Registered as ``attendance.hooks`` leave reader from the app config: attendance sits below leave and
reads leave only through that slot.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from decimal import Decimal

from talentloop.attendance.calendar import dates, plan
from talentloop.attendance.hooks import LeaveDay
from talentloop.leave.models import DayCounting, HalfDay, LeaveRequest, LeaveType

ONE = Decimal("1")
HALF = Decimal("0.5")


def _fraction_and_half(request_start: dt.date, request_end: dt.date, start_half: str, end_half: str,
                       date: dt.date) -> tuple[Decimal, str]:
    """A request starting in the afternoon takes the afternoon of its first day; one ending in the
    morning the morning of its last day. A one-day request from afternoon to morning is impossible
    (the request service refuses it); it is read as nothing that day."""
    first_pm = date == request_start and start_half == HalfDay.AFTERNOON
    last_am = date == request_end and end_half == HalfDay.MORNING
    if first_pm and last_am:
        return Decimal("0"), ""
    if first_pm:
        return HALF, HalfDay.AFTERNOON
    if last_am:
        return HALF, HalfDay.MORNING
    return ONE, ""


def leave_days_reader(employee_ids: Iterable[int] | None, start: dt.date, end: dt.date) -> list[LeaveDay]:
    """Each approved request expanded to its dates within ``start``..``end``. Types that count
    scheduled workdays skip the dates the person's plan has no work on (a holiday inside annual leave
    is not leave); calendar-day types count every date. A half day is a fraction of 0.5 (with its half);
    an hourly request is its hours, and the fraction ``hours / hours_per_day`` of the type.

    Three queries whatever the number of people: the requests, the leave types and one plan for the
    people who have workday-counting leave in the range."""
    requests = LeaveRequest.objects.filter(status="approved", start__lte=end, end__gte=start).order_by(
        "employee_id", "start", "id")
    if employee_ids is not None:
        requests = requests.filter(employee_id__in=list(employee_ids))
    # Plain tuples and the few leave types once: 200,000 requests become model instances in seconds.
    rows = list(requests.values_list("employee_id", "leave_type_id", "start", "end", "start_half", "end_half",
                                     "hours"))
    if not rows:
        return []
    types = {t.pk: t for t in LeaveType.objects.all()}
    workday_people = {r[0] for r in rows if types[r[1]].counting == DayCounting.WORKDAYS}
    scheduled: dict[int, set[dt.date]] = {}
    if workday_people:
        # A long list of ids is read for everyone (SQL variable limits); people sharing a plan share its set.
        scope = workday_people if len(workday_people) <= 20000 else None
        shared: dict[int, set[dt.date]] = {}
        for person_id, days in plan(scope, start, end).items():
            if person_id in workday_people:
                if id(days) not in shared:
                    shared[id(days)] = {day.date for day in days if day.scheduled}
                scheduled[person_id] = shared[id(days)]
    out: list[LeaveDay] = []
    nothing: set[dt.date] = set()
    for employee_id, type_id, r_start, r_end, start_half, end_half, r_hours in rows:
        kind = types[type_id]
        per_day = Decimal(kind.hours_per_day) or Decimal("8")
        for date in dates(max(r_start, start), min(r_end, end)):
            if kind.counting == DayCounting.WORKDAYS and date not in scheduled.get(employee_id, nothing):
                continue
            if r_hours is not None:
                hours = Decimal(r_hours)
                fraction = (hours / per_day).quantize(Decimal("0.001"))
                out.append(LeaveDay(employee_id, date, kind.code, kind.category, kind.paid, fraction, hours))
                continue
            fraction, half = _fraction_and_half(r_start, r_end, start_half, end_half, date)
            if not fraction:
                continue
            out.append(LeaveDay(employee_id, date, kind.code, kind.category, kind.paid, fraction,
                                (fraction * per_day).quantize(Decimal("0.01")), half))
    return out
