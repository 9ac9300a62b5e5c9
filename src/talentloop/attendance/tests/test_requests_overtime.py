"""Overtime: classification by the calendar, the working-hour systems, the legal caps, and the
services that submit, approve, reject and cancel. Every figure is worked out by hand in a comment.

The 2026 calendar used (State Council notice, shipped as data and set again here so the tests do not
depend on it): 1 May (Fri) statutory, 4 and 5 May (Mon, Tue) rest days, 9 May (Sat) an adjusted
workday (调休上班), 10 May a Sunday rest day. May 2026 therefore has 19 workdays: 21 weekdays, less
1, 4 and 5 May, plus Saturday 9 May.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
import time_machine

from talentloop.attendance import overtime as ot
from talentloop.attendance.models import (
    AttendancePolicy,
    CalendarDay,
    OvertimeRequest,
    Shift,
    WorkSchedule,
)
from talentloop.attendance.selectors.requests import period_count
from talentloop.attendance.services.overtime import (
    overtime_approve,
    overtime_cancel,
    overtime_preview,
    overtime_reject,
    overtime_submit,
)
from talentloop.attendance.signals import overtime_approved, overtime_cancelled
from talentloop.core.errors import Conflict, InvalidInput, PermissionDenied
from talentloop.notifications.models import Notification
from talentloop.organisation.models import EmploymentContract

TZ = ZoneInfo("Asia/Shanghai")
MAY_1, MAY_4, MAY_6, MAY_9, MAY_10 = (dt.date(2026, 5, d) for d in (1, 4, 6, 9, 10))
NOW = dt.datetime(2026, 5, 12, 10, 0, tzinfo=TZ)  # a Tuesday; the policy's window is 3 days back


def at(day: dt.date, h: int, m: int = 0) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(h, m), tzinfo=TZ)


# ---------------------------------------------------------------- pure rules (no database)


def test_minutes_are_split_by_local_date():
    # 22:00 Wednesday to 01:30 Thursday: 120 minutes on the 6th, 90 on the 7th.
    assert ot.split_by_date(at(MAY_6, 22), at(MAY_6 + dt.timedelta(days=1), 1, 30)) == {
        MAY_6: 120, MAY_6 + dt.timedelta(days=1): 90}


@pytest.mark.parametrize(("kind", "multiplier"), [("workday", "1.5"), ("rest", "2.0"), ("statutory", "3.0")])
def test_multiplier_by_day_kind(kind, multiplier):
    c = ot.classify(start=at(MAY_6, 19), end=at(MAY_6, 21), kinds={MAY_6: kind}, system="standard")
    assert (c.day_class, c.multiplier, c.minutes, c.errors) == (kind, Decimal(multiplier), 120, {})


def test_an_adjusted_saturday_is_a_workday_extension():
    c = ot.classify(start=at(MAY_9, 18), end=at(MAY_9, 20), kinds={MAY_9: "workday"}, system="standard")
    assert (c.day_class, c.multiplier) == ("workday", Decimal("1.5"))


def test_time_off_in_lieu_only_on_rest_days():
    rest = ot.classify(start=at(MAY_10, 9), end=at(MAY_10, 12), kinds={MAY_10: "rest"}, system="standard",
                       rest_day_in_lieu=True)
    assert rest.compensation == "in_lieu" and rest.in_lieu_allowed
    chosen = ot.classify(start=at(MAY_10, 9), end=at(MAY_10, 12), kinds={MAY_10: "rest"}, system="standard",
                         compensation="pay", rest_day_in_lieu=True)
    assert chosen.compensation == "pay"
    holiday = ot.classify(start=at(MAY_1, 9), end=at(MAY_1, 12), kinds={MAY_1: "statutory"}, system="standard",
                          compensation="in_lieu")
    assert "compensation" in holiday.errors  # 300%, never in lieu
    workday = ot.classify(start=at(MAY_6, 19), end=at(MAY_6, 20), kinds={MAY_6: "workday"}, system="standard",
                          compensation="in_lieu")
    assert "compensation" in workday.errors
    # The policy's default never puts a holiday in lieu.
    assert ot.classify(start=at(MAY_1, 9), end=at(MAY_1, 12), kinds={MAY_1: "statutory"}, system="standard",
                       rest_day_in_lieu=True).compensation == "pay"


def test_a_span_into_another_kind_of_day_is_refused():
    # Thursday 30 April 22:00 into Friday 1 May (statutory) 01:00: one request per kind of day.
    c = ot.classify(start=at(dt.date(2026, 4, 30), 22), end=at(MAY_1, 1),
                    kinds={dt.date(2026, 4, 30): "workday", MAY_1: "statutory"}, system="standard")
    assert "end" in c.errors


def test_a_span_over_midnight_within_one_kind_counts_to_its_start_date():
    thu = MAY_6 + dt.timedelta(days=1)
    c = ot.classify(start=at(MAY_6, 22), end=at(thu, 1), kinds={MAY_6: "workday", thu: "workday"}, system="standard")
    assert (c.work_date, c.minutes, c.errors) == (MAY_6, 180, {})


def test_flexible_hours_have_no_overtime_but_on_statutory_holidays():
    for day, kind in ((MAY_6, "workday"), (MAY_10, "rest")):
        c = ot.classify(start=at(day, 19), end=at(day, 21), kinds={day: kind}, system="flexible")
        assert "start" in c.errors
    c = ot.classify(start=at(MAY_1, 9), end=at(MAY_1, 17), kinds={MAY_1: "statutory"}, system="flexible")
    assert (c.multiplier, c.minutes, c.errors) == (Decimal("3.0"), 480, {})


def test_comprehensive_hours_count_only_what_is_over_the_period():
    # Standard 19 workdays x 480 = 9,120 minutes. Scheduled 5,700 and approved 3,300: 9,000 before.
    period = ot.PeriodCount(start=dt.date(2026, 5, 1), end=dt.date(2026, 5, 31), standard_minutes=9120,
                            scheduled_minutes=5700, approved_minutes=3300)
    # 180 more: 9,180 - 9,120 = 60 over; the first 120 are ordinary hours of the period.
    c = ot.classify(start=at(MAY_10, 9), end=at(MAY_10, 12), kinds={MAY_10: "rest"}, system="comprehensive",
                    period=period)
    assert (c.minutes, c.span_minutes, c.multiplier, c.day_class) == (60, 180, Decimal("1.5"), "rest")
    assert not c.in_lieu_allowed  # rest days are not separately 200%, nor in lieu
    # Already over: everything counts. Under: nothing does (the hours are still recorded).
    over = ot.PeriodCount(dt.date(2026, 5, 1), dt.date(2026, 5, 31), 9120, 9120, 10)
    assert over.overtime_of(180) == 180
    under = ot.PeriodCount(dt.date(2026, 5, 1), dt.date(2026, 5, 31), 9120, 5700, 0)
    assert under.overtime_of(180) == 0
    # A statutory holiday is 300% in full and never measured against the period.
    h = ot.classify(start=at(MAY_1, 9), end=at(MAY_1, 12), kinds={MAY_1: "statutory"}, system="comprehensive",
                    period=under)
    assert (h.minutes, h.multiplier) == (180, Decimal("3.0"))


def test_counted_minutes_are_the_latest_of_the_span():
    # 22:00-01:00 with 60 counted: the hour after midnight.
    thu = MAY_6 + dt.timedelta(days=1)
    assert ot.allocate(at(MAY_6, 22), at(thu, 1), 60) == {thu: 60}


def test_period_bounds():
    assert ot.period_bounds(MAY_6, "week") == (dt.date(2026, 5, 4), dt.date(2026, 5, 10))
    assert ot.period_bounds(MAY_6, "month") == (dt.date(2026, 5, 1), dt.date(2026, 5, 31))
    assert ot.period_bounds(dt.date(2026, 11, 30), "quarter") == (dt.date(2026, 10, 1), dt.date(2026, 12, 31))
    assert ot.period_bounds(MAY_6, "year") == (dt.date(2026, 1, 1), dt.date(2026, 12, 31))


def test_caps_daily_and_monthly():
    # Daily: 100 already approved on the 6th + 120 = 220 > 180.
    assert ot.check_caps(mine={MAY_6: 120}, others={MAY_6: 100}, daily_cap=180, monthly_cap=2160) == \
        "d:2026-05-06:220:180"
    # Monthly: 2,100 approved in May (every class counted) + 120 = 2,220 > 2,160; the day itself is fine.
    assert ot.check_caps(mine={MAY_6: 120}, others={MAY_4: 2100}, daily_cap=180, monthly_cap=2160) == \
        "m:2026-05:2220:2160"
    # Exactly at the caps is no breach: 180 a day, 2,160 a month.
    assert ot.check_caps(mine={MAY_6: 180}, others={MAY_4: 1980}, daily_cap=180, monthly_cap=2160) == ""
    text = ot.describe_breach("d:2026-05-06:220:180;m:2026-05:2220:2160")
    assert "3 h 40 min" in text and "37 h" in text and "36 h" in text


# ---------------------------------------------------------------- services


@pytest.fixture
def may(world):
    """The May 2026 calendar rows, the default policy and the time: Tuesday 12 May 2026, 10:00."""
    for date, kind in ((MAY_1, "statutory"), (dt.date(2026, 5, 2), "statutory"), (MAY_4, "rest"),
                       (dt.date(2026, 5, 5), "rest"), (MAY_9, "workday")):
        CalendarDay.objects.update_or_create(date=date, site=None, defaults={"kind": kind})
    AttendancePolicy.objects.all().delete()
    AttendancePolicy.objects.create(clock_window_days=31)  # "after" records reach back to 11 April
    with time_machine.travel(NOW, tick=False):
        yield world


def _approved(emp, day: dt.date, h: int, minutes: int, day_class: str = "workday") -> OvertimeRequest:
    start = at(day, h)
    return OvertimeRequest.objects.create(
        employee=emp, kind="after", work_date=day, start=start, end=start + dt.timedelta(minutes=minutes),
        minutes=minutes, day_class=day_class, multiplier=ot.MULTIPLIERS[day_class], reason="r", status="approved")


def test_submit_after_on_an_adjusted_saturday(may, actor_of):
    r = overtime_submit(actor=actor_of("employee"), kind="after", start=at(MAY_9, 18), end=at(MAY_9, 20, 30),
                        reason="发版")
    assert (r.work_date, r.day_class, r.multiplier, r.minutes, r.compensation, r.status) == (
        MAY_9, "workday", Decimal("1.5"), 150, "pay", "pending")


def test_statutory_holiday_is_300_and_never_in_lieu(may, actor_of):
    with pytest.raises(InvalidInput) as exc:
        overtime_submit(actor=actor_of("employee"), kind="after", start=at(MAY_1, 9), end=at(MAY_1, 12),
                        reason="值班", compensation="in_lieu")
    assert "compensation" in exc.value.errors
    assert not OvertimeRequest.objects.exists()
    r = overtime_submit(actor=actor_of("employee"), kind="after", start=at(MAY_1, 9), end=at(MAY_1, 12), reason="值班")
    assert (r.day_class, r.multiplier, r.compensation) == ("statutory", Decimal("3.0"), "pay")


def test_rest_day_in_lieu_per_policy_and_leave_is_told_on_approval_and_cancellation(
        may, actor_of, django_capture_on_commit_callbacks):
    AttendancePolicy.objects.update(rest_day_in_lieu=True)
    r = overtime_submit(actor=actor_of("employee"), kind="after", start=at(MAY_10, 9), end=at(MAY_10, 13),
                        reason="上线")
    assert (r.day_class, r.multiplier, r.compensation) == ("rest", Decimal("2.0"), "in_lieu")
    heard: list[tuple[str, int]] = []

    def on_approved(sender, request, **kw):
        heard.append(("approved", request.pk))

    def on_cancelled(sender, request, **kw):
        heard.append(("cancelled", request.pk))

    overtime_approved.connect(on_approved)
    overtime_cancelled.connect(on_cancelled)
    try:
        with django_capture_on_commit_callbacks(execute=True):
            overtime_approve(actor=actor_of("manager"), request=r)
        assert heard == [("approved", r.pk)]
        # The person may no longer withdraw it; HR cancels it and leave is told.
        with pytest.raises(PermissionDenied):
            overtime_cancel(actor=actor_of("employee"), request=r)
        with django_capture_on_commit_callbacks(execute=True):
            overtime_cancel(actor=actor_of("hr"), request=r)
        assert heard == [("approved", r.pk), ("cancelled", r.pk)]
    finally:
        overtime_approved.disconnect(on_approved)
        overtime_cancelled.disconnect(on_cancelled)
    r.refresh_from_db()
    assert r.status == "cancelled"


def test_monthly_cap_breach_is_flagged_kept_in_full_and_told_to_hr(
        may, world, actor_of, django_capture_on_commit_callbacks):
    emp = world.emp(world.employee)
    # Approved before, every class counted: 150 minutes at 19:00 on each of 1-11 May (11 x 150 = 1,650)
    # and 300 more on Monday 4 May (a rest day) from 09:00: 1,950 minutes in May.
    kinds = {MAY_1: "statutory", dt.date(2026, 5, 2): "statutory", MAY_4: "rest", dt.date(2026, 5, 5): "rest",
             MAY_9: "workday"}
    for d in range(1, 12):
        day = dt.date(2026, 5, d)
        _approved(emp, day, 19, 150, kinds.get(day, "rest" if day.weekday() >= 5 else "workday"))
    _approved(emp, MAY_4, 9, 300, "rest")
    assert sum(OvertimeRequest.objects.filter(work_date__month=5).values_list("minutes", flat=True)) == 1950
    # Tuesday 12 May, 07:00-10:00 (before the shift, already worked): 180 minutes.
    # Month: 1,950 + 180 = 2,130 <= 2,160: no breach yet.
    first = overtime_submit(actor=actor_of("employee"), kind="after", start=at(dt.date(2026, 5, 12), 7),
                            end=at(dt.date(2026, 5, 12), 10), reason="故障")
    assert first.cap_breach == ""
    with django_capture_on_commit_callbacks(execute=True):
        overtime_approve(actor=actor_of("manager"), request=first)
    # Sunday 10 May already has 150 approved; 08:00-09:00 more is 210 that day (> 180) and
    # 2,130 + 60 = 2,190 in May (> 2,160): both caps, flagged on submission already.
    second = overtime_submit(actor=actor_of("employee"), kind="after", start=at(MAY_10, 8), end=at(MAY_10, 9),
                             reason="故障")
    assert second.cap_breach == "d:2026-05-10:210:180;m:2026-05:2190:2160"
    with django_capture_on_commit_callbacks(execute=True):
        overtime_approve(actor=actor_of("hr"), request=second)
    second.refresh_from_db()
    assert (second.status, second.minutes, second.cap_breach) == (
        "approved", 60, "d:2026-05-10:210:180;m:2026-05:2190:2160")
    hr_notes = Notification.objects.filter(kind="overtime_cap_breach", recipient=world.emp(world.hr))
    assert hr_notes.count() == 1
    assert "36 h" in hr_notes.get().text


def test_daily_cap_breach_at_approval_counts_what_was_approved_meanwhile(may, world, actor_of):
    # Two pending requests on Wednesday 6 May: 18:00-20:00 and 20:00-21:30 (120 + 90 = 210 > 180).
    a = overtime_submit(actor=actor_of("employee"), kind="after", start=at(MAY_6, 18), end=at(MAY_6, 20), reason="x")
    b = overtime_submit(actor=actor_of("employee"), kind="after", start=at(MAY_6, 20), end=at(MAY_6, 21, 30),
                        reason="y")
    assert a.cap_breach == b.cap_breach == ""  # pending ones do not count
    overtime_approve(actor=actor_of("manager"), request=a)
    overtime_approve(actor=actor_of("manager"), request=b)
    b.refresh_from_db()
    assert (b.minutes, b.cap_breach) == (90, "d:2026-05-06:210:180")


@pytest.mark.parametrize(("kind", "start", "end", "reason", "field"), [
    ("before", at(MAY_6, 19), at(MAY_6, 21), "x", "start"),            # asked before, but in the past
    ("after", at(dt.date(2026, 5, 12), 19), at(dt.date(2026, 5, 12), 21), "x", "end"),  # ends in the future
    ("after", at(MAY_6, 21), at(MAY_6, 19), "x", "end"),               # ends before it starts
    ("after", at(MAY_6, 19), at(MAY_6, 21), "  ", "reason"),           # no reason
    ("after", at(dt.date(2026, 4, 1), 19), at(dt.date(2026, 4, 1), 21), "x", "start"),  # beyond 31 days
    ("after", at(MAY_4, 0), at(MAY_6, 0), "x", "end"),                 # over 24 hours
])
def test_bad_submissions_are_refused_and_write_nothing(may, actor_of, kind, start, end, reason, field):
    with pytest.raises(InvalidInput) as exc:
        overtime_submit(actor=actor_of("employee"), kind=kind, start=start, end=end, reason=reason)
    assert field in exc.value.errors
    assert not OvertimeRequest.objects.exists()


def test_after_the_fact_only_when_the_policy_allows(may, actor_of):
    AttendancePolicy.objects.update(overtime_after_allowed=False)
    with pytest.raises(InvalidInput) as exc:
        overtime_submit(actor=actor_of("employee"), kind="after", start=at(MAY_6, 19), end=at(MAY_6, 21), reason="x")
    assert "kind" in exc.value.errors
    # Asked for before (tomorrow, Wednesday 13 May) is still fine.
    r = overtime_submit(actor=actor_of("employee"), kind="before", start=at(dt.date(2026, 5, 13), 19),
                        end=at(dt.date(2026, 5, 13), 21), reason="x")
    assert r.kind == "before"


def test_overlapping_overtime_is_refused(may, actor_of):
    overtime_submit(actor=actor_of("employee"), kind="after", start=at(MAY_6, 19), end=at(MAY_6, 21), reason="x")
    with pytest.raises(InvalidInput) as exc:
        overtime_submit(actor=actor_of("employee"), kind="after", start=at(MAY_6, 20), end=at(MAY_6, 22), reason="x")
    assert "start" in exc.value.errors
    assert OvertimeRequest.objects.count() == 1


def test_comprehensive_contract_counts_over_the_month(may, world, actor_of):
    emp = world.emp(world.employee)
    EmploymentContract.objects.create(employee=emp, effective_from=dt.date(2026, 1, 1), start_date=dt.date(2026, 1, 1),
                                      working_hours="comprehensive", comprehensive_period="month")
    # A 09:00-15:00 shift less 60 minutes' break: 300 minutes on each of May's 19 workdays = 5,700.
    shift = Shift.objects.create(code="short", name="短班", start=dt.time(9), end=dt.time(15), break_minutes=60)
    WorkSchedule.objects.create(employee=emp, kind="fixed", shift=shift, effective_from=dt.date(2026, 1, 1))
    # Approved this month, outside the request: 3 x 1,100 = 3,300 (a statutory day would not count).
    for day in (dt.date(2026, 5, 16), dt.date(2026, 5, 17), dt.date(2026, 5, 23)):
        _approved(emp, day, 0, 1100, "rest")
    _approved(emp, MAY_1, 9, 240, "statutory")
    count = period_count(emp, MAY_10, "month")
    assert (count.standard_minutes, count.scheduled_minutes, count.approved_minutes) == (9120, 5700, 3300)
    # Sunday 10 May 09:00-12:00 (180): 5,700 + 3,300 + 180 = 9,180, 60 over 9,120 -> 60 at 150%.
    r = overtime_submit(actor=actor_of("employee"), kind="after", start=at(MAY_10, 9), end=at(MAY_10, 12), reason="x")
    assert (r.minutes, r.multiplier, r.day_class, r.compensation) == (60, Decimal("1.5"), "rest", "pay")
    # Pending requests do not fill the period: another hour is 9,000 + 60 = 9,060 <= 9,120, no overtime.
    hour = {"kind": "after", "start": at(MAY_6, 18), "end": at(MAY_6, 19)}
    assert overtime_preview(actor=actor_of("employee"), **hour).minutes == 0
    # Once the Sunday is approved the period is at 9,180: every minute of a further hour counts.
    overtime_approve(actor=actor_of("manager"), request=r)
    assert overtime_preview(actor=actor_of("employee"), **hour).minutes == 60


def test_flexible_contract_refuses_workday_overtime_but_pays_holidays(may, world, actor_of):
    emp = world.emp(world.employee)
    EmploymentContract.objects.create(employee=emp, effective_from=dt.date(2026, 1, 1), start_date=dt.date(2026, 1, 1),
                                      working_hours="flexible")
    with pytest.raises(InvalidInput):
        overtime_submit(actor=actor_of("employee"), kind="after", start=at(MAY_6, 19), end=at(MAY_6, 21), reason="x")
    r = overtime_submit(actor=actor_of("employee"), kind="after", start=at(MAY_1, 9), end=at(MAY_1, 17), reason="x")
    assert (r.multiplier, r.minutes) == (Decimal("3.0"), 480)


def test_decisions_are_once_and_by_approvers_only(may, actor_of, django_capture_on_commit_callbacks, world):
    r = overtime_submit(actor=actor_of("employee"), kind="after", start=at(MAY_6, 19), end=at(MAY_6, 21), reason="x")
    for persona in ("employee", "outsider", "mentor", "admin"):
        with pytest.raises(PermissionDenied):
            overtime_approve(actor=actor_of(persona), request=r)
    with django_capture_on_commit_callbacks(execute=True):
        overtime_reject(actor=actor_of("lead"), request=r, note="不需要")
    with pytest.raises(Conflict):
        overtime_approve(actor=actor_of("manager"), request=r)
    r.refresh_from_db()
    assert (r.status, r.decision_note, r.decided_by) == ("rejected", "不需要", world.lead)
    assert Notification.objects.filter(kind="overtime_decided", recipient=world.emp(world.employee)).count() == 1


def test_submission_tells_the_manager(may, world, actor_of, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        overtime_submit(actor=actor_of("employee"), kind="after", start=at(MAY_6, 19), end=at(MAY_6, 21), reason="x")
    assert list(Notification.objects.filter(kind="overtime_submitted").values_list("recipient_id", flat=True)) == [
        world.emp(world.lead).pk]


def test_overtime_is_time_outside_the_planned_shift(may, world, actor_of):
    shift = Shift.objects.create(code="day", name="白班", start=dt.time(9), end=dt.time(18), break_minutes=60)
    WorkSchedule.objects.create(employee=world.emp(world.employee), kind="fixed", shift=shift,
                                effective_from=dt.date(2026, 1, 1))
    with pytest.raises(InvalidInput) as exc:  # 17:00-19:00 overlaps the 09:00-18:00 shift
        overtime_submit(actor=actor_of("employee"), kind="after", start=at(MAY_6, 17), end=at(MAY_6, 19), reason="x")
    assert "09:00" in exc.value.errors["start"][0]
    r = overtime_submit(actor=actor_of("employee"), kind="after", start=at(MAY_6, 18), end=at(MAY_6, 20), reason="x")
    assert r.minutes == 120
    # A rest day has no shift planned: any time is overtime.
    assert overtime_submit(actor=actor_of("employee"), kind="after", start=at(MAY_10, 10), end=at(MAY_10, 12),
                           reason="x").day_class == "rest"
