"""The leave reader attendance uses: approved requests expanded to dates."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from talentloop.attendance import hooks
from talentloop.attendance.models import CalendarDay, DayKind
from talentloop.leave.models import DayCounting, LeaveRequest, LeaveType
from talentloop.leave.selectors.days import leave_days_reader
from talentloop.testing.factories import EmployeeFactory

pytestmark = pytest.mark.django_db

D = dt.date


def _type(code: str, counting: str, **kw) -> LeaveType:
    return LeaveType.objects.create(code=code, name=code, name_en=code, category="other", counting=counting, **kw)


def _request(employee, kind, start, end, **kw) -> LeaveRequest:
    kw.setdefault("status", "approved")
    return LeaveRequest.objects.create(employee=employee, leave_type=kind, start=start, end=end,
                                       days=Decimal("1"), **kw)


def test_workday_type_skips_holidays_and_weekends_calendar_type_counts_every_date():
    # 2030-06-03 is a Monday. We make Wednesday 06-05 a statutory holiday and Saturday 06-08 an
    # adjusted workday (调休). A workday-counting request Mon 06-03 .. Mon 06-10 is then
    # Mon, Tue, Thu, Fri, Sat(调休), Mon = 6 days; a calendar-day request over the same range is 8 dates.
    CalendarDay.objects.update_or_create(date=D(2030, 6, 5), site=None, defaults={"kind": DayKind.STATUTORY})
    CalendarDay.objects.update_or_create(date=D(2030, 6, 8), site=None, defaults={"kind": DayKind.WORKDAY})
    a, b = EmployeeFactory(), EmployeeFactory()
    workdays = _type("t-work", DayCounting.WORKDAYS)
    calendar = _type("t-cal", DayCounting.CALENDAR)
    _request(a, workdays, D(2030, 6, 3), D(2030, 6, 10))
    _request(b, calendar, D(2030, 6, 3), D(2030, 6, 10))
    _request(b, workdays, D(2030, 6, 3), D(2030, 6, 4), status="pending")  # not approved: not read
    days = hooks.leave_days([a.pk, b.pk], D(2030, 6, 1), D(2030, 6, 30))
    a_dates = [d.date.day for d in days if d.employee_id == a.pk]
    b_dates = [d.date.day for d in days if d.employee_id == b.pk]
    assert a_dates == [3, 4, 6, 7, 8, 10]
    assert b_dates == [3, 4, 5, 6, 7, 8, 9, 10]
    assert all(d.fraction == 1 and d.hours == 8 and d.code in {"t-work", "t-cal"} for d in days)


def test_half_days_hours_and_range_clipping(django_assert_max_num_queries):
    a = EmployeeFactory()
    kind = _type("t-half", DayCounting.WORKDAYS, hours_per_day=Decimal("8"))
    # Tue 06-04 afternoon .. Thu 06-06 morning: 0.5 pm, 1, 0.5 am.
    _request(a, kind, D(2030, 6, 4), D(2030, 6, 6), start_half="pm", end_half="am")
    # Two hours on Fri 06-07: fraction 2/8 = 0.25.
    _request(a, kind, D(2030, 6, 7), D(2030, 6, 7), hours=Decimal("2"))
    with django_assert_max_num_queries(8):
        days = leave_days_reader([a.pk], D(2030, 6, 5), D(2030, 6, 7))  # clips off 06-04
    assert [(d.date.day, d.fraction, d.half, d.hours) for d in days] == [
        (5, Decimal("1"), "", Decimal("8.00")),
        (6, Decimal("0.5"), "am", Decimal("4.00")),
        (7, Decimal("0.250"), "", Decimal("2")),
    ]


def test_everyone_when_ids_are_none():
    a = EmployeeFactory()
    _request(a, _type("t-all", DayCounting.CALENDAR), D(2030, 6, 1), D(2030, 6, 2))
    assert len(leave_days_reader(None, D(2030, 6, 1), D(2030, 6, 30))) == 2
