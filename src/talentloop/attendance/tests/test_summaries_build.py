"""Building a month from the raw punches, worked out by hand for October 2026 (the official calendar of
migration 0003): 1–3 Oct statutory holidays, 4–7 Oct rest days, Sat 10 Oct an adjusted workday
(调休上班). Scheduled workdays: 8, 9, 10, 12–16, 19–23, 26–30 = 3 + 5 + 5 + 5 = 18.

Person A works the day shift 09:00–18:00 (60 minutes' break, 5 minutes' grace); person B the night
shift 22:00–06:00 (30 minutes' break), which counts to the day it starts."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from talentloop.attendance.models import (
    ClockEvent,
    MonthLock,
    MonthlySummary,
    OvertimeRequest,
    Shift,
    SummaryAdjustment,
    WorkSchedule,
)
from talentloop.attendance.selectors.summaries import MonthNotLocked, monthly_summaries
from talentloop.attendance.services.summaries import (
    summaries_build,
    summaries_lock,
    summary_adjustment_record,
)
from talentloop.core.access import actor_for
from talentloop.core.errors import Conflict, InvalidInput, PermissionDenied
from talentloop.leave.models import LeaveRequest, LeaveType
from talentloop.testing.factories import EmployeeFactory, OrgUnitFactory

pytestmark = pytest.mark.django_db

TZ = ZoneInfo("Asia/Shanghai")
OCT = dt.date(2026, 10, 1)
NOV = dt.date(2026, 11, 1)
AFTER = dt.date(2026, 11, 5)  # "today" for the builds: October is over
SCHEDULED = [dt.date(2026, 10, d) for d in (8, 9, 10, 12, 13, 14, 15, 16, 19, 20, 21, 22, 23, 26, 27, 28, 29, 30)]


def at(day: int, h: int, m: int = 0, month: int = 10) -> dt.datetime:
    return dt.datetime(2026, month, day, h, m, tzinfo=TZ)


def punch(person, when: dt.datetime, work_date: dt.date | None = None, outside: bool = False) -> None:
    ClockEvent.objects.create(employee=person, at=when, work_date=work_date or when.date(), direction="punch",
                              source="device", outside=outside)


def overtime(person, day: int, minutes: int, day_class: str, multiplier: str, compensation: str = "pay",
             status: str = "approved", breach: str = "") -> None:
    start = at(day, 18)
    OvertimeRequest.objects.create(employee=person, work_date=dt.date(2026, 10, day), start=start,
                                   end=start + dt.timedelta(minutes=minutes), minutes=minutes, day_class=day_class,
                                   multiplier=Decimal(multiplier), compensation=compensation, reason="release",
                                   status=status, cap_breach=breach)


@pytest.fixture
def month_world(db):
    unit = OrgUnitFactory(code="plant", name="工厂", name_en="Plant")
    day = Shift.objects.create(code="day", name="白班", start=dt.time(9), end=dt.time(18), break_minutes=60,
                               grace_minutes=5)
    night = Shift.objects.create(code="night", name="夜班", start=dt.time(22), end=dt.time(6), break_minutes=30,
                                 grace_minutes=5)
    a = EmployeeFactory(org_unit=unit, hire_date=dt.date(2020, 1, 1))
    b = EmployeeFactory(org_unit=unit, hire_date=dt.date(2020, 1, 1))
    WorkSchedule.objects.create(org_unit=unit, kind="fixed", shift=day, effective_from=dt.date(2026, 1, 1))
    WorkSchedule.objects.create(employee=b, kind="fixed", shift=night, effective_from=dt.date(2026, 1, 1))

    # A: on time 08:55–18:05 on 12 days (10, 15, 19–23, 26–30).
    for d in (10, 15, 19, 20, 21, 22, 23, 26, 27, 28, 29, 30):
        punch(a, at(d, 8, 55))
        punch(a, at(d, 18, 5))
    punch(a, at(8, 9, 7))               # 7 minutes late
    punch(a, at(8, 12, 0))              # a punch in between changes nothing
    punch(a, at(8, 18, 5))
    # 9 Oct: no punch — absent.
    punch(a, at(12, 13, 30))            # morning off (half a day of annual leave)
    punch(a, at(12, 18, 0))
    punch(a, at(13, 9, 0))              # one punch only — missing punch
    punch(a, at(14, 9, 0))
    punch(a, at(14, 17, 0), outside=True)  # 60 minutes early, outside every site
    # 16 Oct: a day of time off in lieu, no punch.
    punch(a, at(3, 10, 0))              # a statutory holiday worked (overtime below)
    punch(a, at(3, 15, 0))

    annual = LeaveType.objects.create(code="t-annual", name="年假", category="annual", counting="workdays",
                                      unit="half_day", paid=True)
    lieu = LeaveType.objects.create(code="t-lieu", name="调休", category="in_lieu", counting="workdays", paid=True)
    LeaveRequest.objects.create(employee=a, leave_type=annual, start=dt.date(2026, 10, 12),
                                end=dt.date(2026, 10, 12), start_half="am", end_half="am", days=Decimal("0.5"),
                                status="approved")
    LeaveRequest.objects.create(employee=a, leave_type=lieu, start=dt.date(2026, 10, 16),
                                end=dt.date(2026, 10, 16), days=Decimal(1), status="approved")
    LeaveRequest.objects.create(employee=a, leave_type=annual, start=dt.date(2026, 10, 19),
                                end=dt.date(2026, 10, 19), days=Decimal(1), status="pending")  # not counted

    overtime(a, 3, 300, "statutory", "3.0")
    overtime(a, 15, 120, "workday", "1.5", breach="daily cap")
    overtime(a, 11, 240, "rest", "2.0", compensation="in_lieu")
    overtime(a, 20, 60, "workday", "1.5", status="rejected")  # not counted

    # B: night of 8 Oct 21:58 → 9 Oct 06:03 on time; night of 9 Oct 22:15 → 10 Oct 06:00, 15 late.
    punch(b, at(8, 21, 58), dt.date(2026, 10, 8))
    punch(b, at(9, 6, 3), dt.date(2026, 10, 8))
    punch(b, at(9, 22, 15), dt.date(2026, 10, 9))
    punch(b, at(10, 6, 0), dt.date(2026, 10, 9))
    return {"a": a, "b": b, "unit": unit}


def test_the_month_by_hand(month_world):
    result = summaries_build(month=OCT, today=AFTER)
    assert result.people == 2
    a = MonthlySummary.objects.get(employee=month_world["a"], month=OCT)
    assert a.scheduled_days == 18
    # Worked minutes: 12 days × (550 − 60) = 5880; 8 Oct 09:07–18:05 = 538 − 60 = 478; 12 Oct 13:30–18:00 = 270
    # (arriving at the middle keeps the break); 14 Oct 09:00–17:00 = 480 − 60 = 420; 3 Oct (a holiday, no shift)
    # 10:00–15:00 = 300. Total 7348.
    assert a.worked_minutes == 7348
    assert (a.late_count, a.late_minutes, a.early_count, a.early_minutes) == (1, 7, 1, 60)
    assert (a.absent_days, a.missing_punches, a.outside_count) == (Decimal(1), 1, 1)
    # Days worked: the 17 scheduled days not wholly on leave, less 9 Oct (absent) and half of 12 Oct = 15.5.
    assert a.worked_days == Decimal("15.5")
    assert a.leave == {"t-annual": {"days": "0.5", "hours": "4.00", "paid": True},
                       "t-lieu": {"days": "1", "hours": "8.00", "paid": True}}
    assert a.in_lieu_used_minutes == 480
    assert (a.overtime_150_minutes, a.overtime_200_minutes, a.overtime_300_minutes) == (120, 0, 300)
    assert (a.in_lieu_earned_minutes, a.cap_breaches) == (240, 1)
    assert a.carried == []

    b = MonthlySummary.objects.get(employee=month_world["b"], month=OCT)
    # B: 18 nights scheduled, two worked (one 15 minutes late), 16 absent.
    # 8 Oct: 21:58–06:03 = 485 − 30 = 455; 9 Oct: 22:15–06:00 = 465 − 30 = 435.
    assert (b.scheduled_days, b.worked_days, b.absent_days) == (18, 2, 16)
    assert (b.late_count, b.late_minutes, b.worked_minutes) == (1, 15, 890)


def test_rebuilding_replaces_the_rows(month_world):
    summaries_build(month=OCT, today=AFTER)
    punch(month_world["a"], at(13, 18, 0))  # the missing departure, added by a correction
    summaries_build(month=OCT, today=AFTER)
    a = MonthlySummary.objects.get(employee=month_world["a"], month=OCT)
    assert a.missing_punches == 0
    assert MonthlySummary.objects.filter(month=OCT).count() == 2


def test_the_current_month_is_judged_up_to_yesterday(month_world):
    # Today 14 Oct: 8–13 Oct judged (8 late, 9 absent, 10 ok, 12 ok, 13 missing); 14 Oct onwards not yet.
    summaries_build(month=OCT, today=dt.date(2026, 10, 14))
    a = MonthlySummary.objects.get(employee=month_world["a"], month=OCT)
    assert (a.scheduled_days, a.absent_days, a.early_count, a.missing_punches) == (18, 1, 0, 1)


def test_a_future_month_is_refused(month_world):
    with pytest.raises(InvalidInput):
        summaries_build(month=dt.date(2026, 12, 1), today=AFTER)
    assert not MonthlySummary.objects.exists()


def test_people_outside_their_employment_are_left_out(month_world):
    late_hire = EmployeeFactory(org_unit=month_world["unit"], hire_date=dt.date(2026, 10, 26))
    EmployeeFactory(org_unit=month_world["unit"], hire_date=dt.date(2020, 1, 1),
                    termination_date=dt.date(2026, 9, 30), status="terminated")
    summaries_build(month=OCT, today=AFTER)
    assert MonthlySummary.objects.filter(month=OCT).count() == 3
    row = MonthlySummary.objects.get(employee=late_hire, month=OCT)
    assert (row.scheduled_days, row.absent_days) == (5, 5)  # 26–30 Oct, no punches


def test_building_some_people_keeps_the_others(month_world):
    summaries_build(month=OCT, today=AFTER)
    summaries_build(month=OCT, employee_ids=[month_world["b"].pk], today=AFTER)
    assert MonthlySummary.objects.filter(month=OCT).count() == 2


def test_lock_then_rebuild_refused_and_adjustment_carried(month_world, world):
    hr = actor_for(world.hr)
    a = month_world["a"]
    summaries_build(month=OCT, today=AFTER)
    with pytest.raises(InvalidInput):  # October is not over on 31 Oct
        summaries_lock(hr, month=OCT, today=dt.date(2026, 10, 31))
    with pytest.raises(PermissionDenied):
        summaries_lock(actor_for(world.manager), month=OCT, today=AFTER)
    summaries_lock(hr, month=OCT, today=AFTER)
    with pytest.raises(Conflict):
        summaries_lock(hr, month=OCT, today=AFTER)
    with pytest.raises(Conflict):
        summaries_build(month=OCT, today=AFTER)

    # Payroll reads the locked month; November is open.
    rows = monthly_summaries(month=OCT, employee_ids=[a.pk, month_world["b"].pk])
    assert [r.employee_id for r in rows] == sorted([a.pk, month_world["b"].pk])
    assert len(monthly_summaries(month=dt.date(2026, 10, 17))) == MonthlySummary.objects.filter(month=OCT).count()
    with pytest.raises(MonthNotLocked):
        monthly_summaries(month=NOV)

    # The 9 Oct absence was a business trip: one day less absent, recorded against October.
    adj = summary_adjustment_record(hr, employee=a, month=OCT, field="absent_days", delta="-1",
                                    reason="business trip")
    assert MonthlySummary.objects.get(employee=a, month=OCT).absent_days == 1  # the locked row stays
    # November (21 workdays: 2–6, 9–13, 16–20, 23–27, 30) has no punch: 21 absent, less the carried 1 = 20.
    summaries_build(month=NOV, today=dt.date(2026, 12, 2))
    nov = MonthlySummary.objects.get(employee=a, month=NOV)
    assert nov.absent_days == 20
    assert nov.carried == [{"id": adj.pk, "month": "2026-10", "field": "absent_days", "delta": "-1.00",
                            "applied": "-1.00", "reason": "business trip"}]
    adj.refresh_from_db()
    assert adj.applied_to == NOV
    # A rebuild of November carries it again, once.
    summaries_build(month=NOV, today=dt.date(2026, 12, 2))
    assert len(MonthlySummary.objects.get(employee=a, month=NOV).carried) == 1
    # An adjustment that adds: 30 late minutes more.
    summary_adjustment_record(hr, employee=a, month=OCT, field="late_minutes", delta=30, reason="gate log")
    summaries_build(month=NOV, today=dt.date(2026, 12, 2))
    nov = MonthlySummary.objects.get(employee=a, month=NOV)
    assert nov.late_minutes == 30  # November's own 0 + 30
    assert len(nov.carried) == 2
    # A figure never goes below zero: 100 fewer early minutes on November's 0 applies 0.
    summary_adjustment_record(hr, employee=a, month=OCT, field="early_minutes", delta=-100, reason="gate log")
    summaries_build(month=NOV, today=dt.date(2026, 12, 2))
    nov = MonthlySummary.objects.get(employee=a, month=NOV)
    assert (nov.early_minutes, nov.carried[-1]["applied"]) == (0, "0")


@pytest.mark.parametrize(("fields", "errors"), [
    ({"field": "salary"}, {"field"}),
    ({"delta": "0"}, {"delta"}),
    ({"delta": "abc"}, {"delta"}),
    ({"delta": "1.5", "field": "late_minutes"}, {"delta"}),
    ({"reason": "  "}, {"reason"}),
    ({"month": NOV}, {"month"}),
])
def test_bad_adjustments_are_refused_and_change_nothing(month_world, world, fields, errors):
    hr = actor_for(world.hr)
    summaries_build(month=OCT, today=AFTER)
    summaries_lock(hr, month=OCT, today=AFTER)
    values = {"field": "absent_days", "delta": "-0.5", "reason": "trip", "month": OCT, **fields}
    with pytest.raises(InvalidInput) as exc:
        summary_adjustment_record(hr, employee=month_world["a"], **values)
    assert set(exc.value.errors) == errors
    assert not SummaryAdjustment.objects.exists()


def test_only_hr_covering_the_person_adjusts(month_world, world):
    summaries_build(month=OCT, today=AFTER)
    summaries_lock(actor_for(world.hr), month=OCT, today=AFTER)
    with pytest.raises(PermissionDenied):
        summary_adjustment_record(actor_for(world.manager), employee=month_world["a"], month=OCT,
                                  field="absent_days", delta="-1", reason="trip")


def test_lock_refused_when_not_built(world):
    with pytest.raises(InvalidInput):
        summaries_lock(actor_for(world.hr), month=OCT, today=AFTER)
    assert not MonthLock.objects.exists()


def _more_people(unit, count: int) -> None:
    for _ in range(count):
        person = EmployeeFactory(org_unit=unit, hire_date=dt.date(2020, 1, 1))
        punch(person, at(8, 9, 0))
        punch(person, at(8, 18, 0))


def test_the_build_runs_a_fixed_number_of_queries(month_world):
    with CaptureQueriesContext(connection) as small:
        summaries_build(month=OCT, today=AFTER)
    _more_people(month_world["unit"], 12)
    with CaptureQueriesContext(connection) as large:
        summaries_build(month=OCT, today=AFTER)
    assert MonthlySummary.objects.filter(month=OCT).count() == 14
    assert len(small.captured_queries) == len(large.captured_queries)
