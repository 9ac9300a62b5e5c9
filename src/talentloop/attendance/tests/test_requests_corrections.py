"""Clock corrections: submitting with the refusals, approval adding a punch beside the originals,
rejection and cancellation. Now is Tuesday 12 May 2026, 10:00 in Shanghai; the policy's clock window
is 3 days, so corrections reach back 3 + 30 = 33 days, to 9 April."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine

from talentloop.attendance.models import AttendancePolicy, ClockEvent, Correction, MonthLock
from talentloop.attendance.services.corrections import (
    correction_approve,
    correction_cancel,
    correction_reject,
    correction_submit,
)
from talentloop.core.errors import Conflict, InvalidInput, PermissionDenied
from talentloop.notifications.models import Notification

TZ = ZoneInfo("Asia/Shanghai")
NOW = dt.datetime(2026, 5, 12, 10, 0, tzinfo=TZ)
MAY_11 = dt.date(2026, 5, 11)


def at(day: dt.date, h: int, m: int = 0) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(h, m), tzinfo=TZ)


@pytest.fixture
def now(world):
    AttendancePolicy.objects.all().delete()
    AttendancePolicy.objects.create(clock_window_days=3)
    with time_machine.travel(NOW, tick=False):
        yield world


def test_approval_adds_a_correction_event_and_keeps_the_original(now, world, actor_of,
                                                                 django_capture_on_commit_callbacks):
    emp = world.emp(world.employee)
    original = ClockEvent.objects.create(employee=emp, at=at(MAY_11, 18, 5), work_date=MAY_11, direction="out",
                                         source="phone")
    with django_capture_on_commit_callbacks(execute=True):
        c = correction_submit(actor=actor_of("employee"), work_date=MAY_11, at=at(MAY_11, 8, 58), direction="in",
                              reason="忘记打卡")
    assert Notification.objects.filter(kind="correction_submitted", recipient=world.emp(world.lead)).exists()
    with django_capture_on_commit_callbacks(execute=True):
        correction_approve(actor=actor_of("lead"), correction=c)
    c.refresh_from_db()
    assert c.status == "approved"
    events = list(ClockEvent.objects.filter(employee=emp).order_by("at"))
    assert [(e.source, e.direction, e.correction_id) for e in events] == [("correction", "in", c.pk),
                                                                          ("phone", "out", None)]
    assert events[1].pk == original.pk and events[1].at == at(MAY_11, 18, 5)
    assert events[0].work_date == MAY_11 and events[0].at == at(MAY_11, 8, 58)
    assert Notification.objects.filter(kind="correction_decided", recipient=emp).exists()
    # Decided once: a second approval is a conflict and adds nothing.
    with pytest.raises(Conflict):
        correction_approve(actor=actor_of("manager"), correction=c)
    assert ClockEvent.objects.filter(employee=emp).count() == 2


def test_a_night_shift_morning_punch_counts_to_the_day_before(now, actor_of):
    c = correction_submit(actor=actor_of("employee"), work_date=MAY_11, at=at(dt.date(2026, 5, 12), 6, 5),
                          direction="out", reason="夜班")
    assert c.work_date == MAY_11


@pytest.mark.parametrize(("work_date", "when", "direction", "reason", "field"), [
    (dt.date(2026, 5, 13), at(dt.date(2026, 5, 13), 9), "in", "x", "work_date"),      # a future date
    (dt.date(2026, 5, 12), at(dt.date(2026, 5, 12), 18), "out", "x", "at"),           # later today: future
    (dt.date(2026, 4, 8), at(dt.date(2026, 4, 8), 9), "in", "x", "work_date"),        # 34 days back
    (MAY_11, at(dt.date(2026, 5, 10), 9), "in", "x", "at"),                           # not on the date
    (MAY_11, at(dt.date(2026, 5, 12), 13), "out", "x", "at"),                         # next day, afternoon
    (MAY_11, at(MAY_11, 9), "in", "  ", "reason"),                                    # no reason
    (MAY_11, at(MAY_11, 9), "punch", "x", "direction"),                               # in or out only
])
def test_bad_corrections_are_refused_and_write_nothing(now, actor_of, work_date, when, direction, reason, field):
    with pytest.raises(InvalidInput) as exc:
        correction_submit(actor=actor_of("employee"), work_date=work_date, at=when, direction=direction,
                          reason=reason)
    assert field in exc.value.errors
    assert not Correction.objects.exists()


def test_the_oldest_day_of_the_window_is_accepted(now, actor_of):
    # 12 May - 33 days = 9 April.
    c = correction_submit(actor=actor_of("employee"), work_date=dt.date(2026, 4, 9), at=at(dt.date(2026, 4, 9), 9),
                          direction="in", reason="x")
    assert c.pk


def test_a_duplicate_pending_correction_is_refused(now, actor_of):
    correction_submit(actor=actor_of("employee"), work_date=MAY_11, at=at(MAY_11, 9), direction="in", reason="x")
    with pytest.raises(InvalidInput) as exc:
        correction_submit(actor=actor_of("employee"), work_date=MAY_11, at=at(MAY_11, 9, 1), direction="in",
                          reason="x")
    assert "direction" in exc.value.errors
    assert Correction.objects.count() == 1
    # The other direction of the same day is a different punch.
    correction_submit(actor=actor_of("employee"), work_date=MAY_11, at=at(MAY_11, 18), direction="out", reason="x")


def test_a_locked_month_takes_no_correction(now, actor_of):
    MonthLock.objects.create(month=dt.date(2026, 4, 1))
    with pytest.raises(InvalidInput) as exc:
        correction_submit(actor=actor_of("employee"), work_date=dt.date(2026, 4, 30), at=at(dt.date(2026, 4, 30), 9),
                          direction="in", reason="x")
    assert "work_date" in exc.value.errors


def test_reject_and_cancel(now, world, actor_of):
    c = correction_submit(actor=actor_of("employee"), work_date=MAY_11, at=at(MAY_11, 9), direction="in", reason="x")
    for persona in ("employee", "outsider", "mentor", "admin"):
        with pytest.raises(PermissionDenied):
            correction_reject(actor=actor_of(persona), correction=c)
    correction_reject(actor=actor_of("hr"), correction=c, note="有打卡记录")
    c.refresh_from_db()
    assert (c.status, c.decision_note) == ("rejected", "有打卡记录")
    assert not ClockEvent.objects.exists()
    d = correction_submit(actor=actor_of("employee"), work_date=MAY_11, at=at(MAY_11, 9), direction="in", reason="x")
    with pytest.raises(PermissionDenied):
        correction_cancel(actor=actor_of("manager"), correction=d)  # managers decide, they do not withdraw
    correction_cancel(actor=actor_of("employee"), correction=d)
    d.refresh_from_db()
    assert d.status == "cancelled"
    with pytest.raises(Conflict):
        correction_cancel(actor=actor_of("employee"), correction=d)
