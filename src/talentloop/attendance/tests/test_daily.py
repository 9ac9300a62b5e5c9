"""Judging one day, worked out by hand. Shift 09:00–18:00, 60 minutes' break, 5 minutes' grace, late or
early beyond 120 minutes is half a day absent (the model's defaults), unless a case says otherwise."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from talentloop.attendance.calendar import PlannedDay
from talentloop.attendance.daily import DayState, ShiftRule, evaluate_day, local_seconds

TZ = ZoneInfo("Asia/Shanghai")
DATE = dt.date(2026, 11, 3)  # a Tuesday
WORKDAY = PlannedDay(DATE, "workday", True, 1, None)
DAY_OFF = PlannedDay(DATE, "rest", False, None, None)

FIXED = ShiftRule.from_values(1, "fixed", dt.time(9), dt.time(18), 60, 5, 120, 120)
NIGHT = ShiftRule.from_values(2, "fixed", dt.time(22), dt.time(6), 30, 5, 120, 120)
# Flexible: 07:00–21:00, core 10:00–16:00, 480 minutes required, 60 minutes' break.
FLEX = ShiftRule.from_values(3, "flexible", dt.time(7), dt.time(21), 60, 0, 120, 120, dt.time(10), dt.time(16), 480)


def at(h: int, m: int = 0, s: int = 0, day: dt.date = DATE) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(h, m, s), tzinfo=TZ).astimezone(dt.UTC)


def judge(first, last, *, shift=FIXED, planned=WORKDAY, fraction="0", half=""):
    return evaluate_day(date=DATE, planned=planned, shift=shift, first_in=first, last_out=last,
                        leave_fraction=Decimal(fraction), leave_half=half, tz=TZ)


def test_local_seconds_counts_from_the_dates_local_midnight():
    # 08:30 Shanghai is 00:30 UTC: 8.5 h = 30600 s; 02:00 the next morning is 26 h = 93600 s.
    assert local_seconds(at(8, 30), DATE, TZ) == 30600
    assert local_seconds(at(2, 0, day=DATE + dt.timedelta(days=1)), DATE, TZ) == 93600


def test_on_time_full_day():
    # 08:55–18:05: span 550 minutes, covers the middle 13:30, less 60 break = 490.
    r = judge(at(8, 55), at(18, 5))
    assert (r.worked_minutes, r.late_minutes, r.early_minutes, r.absent, r.state) == (490, 0, 0, 0, DayState.NORMAL)
    assert not r.is_exception


@pytest.mark.parametrize(("arrival", "late"), [
    ((9, 4), 0),       # within the 5 minutes' grace
    ((9, 5), 0),       # exactly the grace: still on time
    ((9, 5, 59), 0),   # 5 min 59 s rounds down to 5: on time
    ((9, 6), 6),       # beyond the grace: counted from 09:00
    ((9, 7), 7),       # the example
    ((11, 0), 120),    # exactly the absent threshold is still lateness
])
def test_lateness_counts_from_the_start_beyond_the_grace(arrival, late):
    r = judge(at(*arrival), at(18, 0))
    assert r.late_minutes == late
    assert r.state == (DayState.LATE if late else DayState.NORMAL)
    assert r.absent == 0


def test_late_beyond_the_threshold_is_half_a_day_absent_instead():
    # 11:01 is 121 minutes late > 120: half a day absent, no late minutes.
    r = judge(at(11, 1), at(18, 0))
    assert (r.late_minutes, r.absent, r.state) == (0, Decimal("0.5"), DayState.HALF_ABSENT)
    # worked: 11:01–18:00 = 419 minutes, covers 13:30, less 60 = 359.
    assert r.worked_minutes == 359


def test_leaving_early_has_no_grace():
    # 17:58: 2 minutes early.
    r = judge(at(9, 0), at(17, 58))
    assert (r.early_minutes, r.state) == (2, DayState.EARLY)
    # 17:58:30 is 1 min 30 s early: rounds down to 1.
    assert judge(at(9, 0), at(17, 58, 30)).early_minutes == 1


def test_late_and_early_together():
    r = judge(at(9, 10), at(17, 30))
    assert (r.late_minutes, r.early_minutes, r.state) == (10, 30, DayState.LATE_EARLY)


def test_early_beyond_threshold_and_late_beyond_threshold_make_a_whole_day():
    # 11:30 (150 late) to 15:00 (180 early): both halves absent.
    r = judge(at(11, 30), at(15, 0))
    assert (r.absent, r.late_minutes, r.early_minutes, r.state) == (Decimal(1), 0, 0, DayState.ABSENT)


def test_no_punch_on_a_scheduled_day_is_absent():
    r = judge(None, None)
    assert (r.absent, r.worked_minutes, r.state, r.is_exception) == (Decimal(1), 0, DayState.ABSENT, True)


def test_no_punch_with_half_a_day_of_leave_is_half_absent():
    r = judge(None, None, fraction="0.5", half="am")
    assert (r.absent, r.state) == (Decimal("0.5"), DayState.HALF_ABSENT)


def test_whole_day_of_leave_has_no_exception():
    r = judge(None, None, fraction="1")
    assert (r.absent, r.state, r.is_exception) == (0, DayState.LEAVE, False)


def test_one_punch_is_a_missing_punch_and_nothing_is_guessed():
    for first, last in ((at(9, 30), None), (None, at(18, 0)), (at(9, 30), at(9, 30))):
        r = judge(first, last)
        assert (r.missing_punch, r.late_minutes, r.absent, r.state) == (True, 0, 0, DayState.MISSING)


def test_day_off_has_no_exceptions_but_counts_work():
    # 10:00–15:00 on a day off: 300 minutes, covers 13:30, less 60 = 240.
    r = judge(at(10), at(15), planned=DAY_OFF)
    assert (r.scheduled, r.worked_minutes, r.absent, r.state) == (False, 240, 0, DayState.REST)
    assert judge(None, None, planned=DAY_OFF).absent == 0


def test_untimed_workday_only_needs_presence():
    r = judge(at(11), at(12), shift=None)
    assert (r.worked_minutes, r.late_minutes, r.state) == (60, 0, DayState.NORMAL)


def test_short_span_not_covering_the_middle_keeps_the_break():
    # 09:00–12:00 with the afternoon off: 180 minutes, does not reach 13:30, no break taken off.
    r = judge(at(9), at(12), fraction="0.5", half="pm")
    assert r.worked_minutes == 180


def test_half_day_morning_off_moves_the_start_to_the_middle():
    # Middle of 09:00–18:00 is 13:30. Arriving 13:40 is 10 minutes late (beyond grace), leaving 18:00.
    r = judge(at(13, 40), at(18), fraction="0.5", half="am")
    assert (r.late_minutes, r.early_minutes, r.state) == (10, 0, DayState.LATE)
    # 13:33 is within the grace.
    assert judge(at(13, 33), at(18), fraction="0.5", half="am").state == DayState.NORMAL


def test_half_day_afternoon_off_moves_the_end_to_the_middle():
    # Leaving 13:00 with the afternoon off: 30 minutes before 13:30.
    r = judge(at(9), at(13), fraction="0.5", half="pm")
    assert (r.early_minutes, r.state) == (30, DayState.EARLY)


def test_half_day_without_a_known_half_takes_the_kinder_half():
    # 13:30–18:00: on time for an afternoon's work (morning off); as morning work it would be absent.
    r = judge(at(13, 30), at(18), fraction="0.5")
    assert (r.absent, r.late_minutes, r.early_minutes, r.state) == (0, 0, 0, DayState.NORMAL)


def test_hours_of_leave_excuse_lateness_first_then_early():
    # 0.25 of a day = 0.25 × 480 net minutes = 120 excused. Arriving 11:00 (120 late): all excused.
    r = judge(at(11), at(18), fraction="0.25")
    assert (r.late_minutes, r.early_minutes, r.state) == (0, 0, DayState.NORMAL)
    # Arriving 10:00 (60 late) and leaving 16:30 (90 early): 60 excuse the lateness, 60 of the 90 early.
    r = judge(at(10), at(16, 30), fraction="0.25")
    assert (r.late_minutes, r.early_minutes, r.state) == (0, 30, DayState.EARLY)


def test_night_shift_counts_to_the_day_it_starts():
    # 22:03 to 06:10 the next morning: grace keeps 22:03 on time; 8 h 7 min = 487, covers 02:00, less 30 = 457.
    r = judge(at(22, 3), at(6, 10, day=DATE + dt.timedelta(days=1)), shift=NIGHT)
    assert (r.late_minutes, r.early_minutes, r.worked_minutes, r.state) == (0, 0, 457, DayState.NORMAL)
    # Leaving 05:20: 40 minutes early; arriving 22:20: 20 late.
    r = judge(at(22, 20), at(5, 20, day=DATE + dt.timedelta(days=1)), shift=NIGHT)
    assert (r.late_minutes, r.early_minutes, r.state) == (20, 40, DayState.LATE_EARLY)


def test_flexible_shift_judges_the_core_time_and_the_required_minutes():
    # 08:00–17:30: core 10–16 kept; span 570, covers the middle 14:00, less 60 = 510 ≥ 480.
    r = judge(at(8), at(17, 30), shift=FLEX)
    assert (r.late_minutes, r.early_minutes, r.worked_minutes, r.state) == (0, 0, 510, DayState.NORMAL)
    # 10:20–18:00: 20 late against the core start (no grace); span 460 less 60 = 400, 80 short → 80 early.
    r = judge(at(10, 20), at(18), shift=FLEX)
    assert (r.late_minutes, r.early_minutes, r.state) == (20, 80, DayState.LATE_EARLY)
    # 07:00–15:30: 30 minutes before the core end, 510 − 60 = 450 worked, 30 short: early 30 (the larger).
    r = judge(at(7), at(15, 30), shift=FLEX)
    assert (r.early_minutes, r.state) == (30, DayState.EARLY)


def test_flexible_half_day_halves_the_required_minutes():
    # Afternoon off: core end moves to 13:00 (middle of 10–16), 240 required. 08:00–12:30:
    # 270 worked (does not reach 14:00, no break), 30 before 13:00 → early 30.
    r = judge(at(8), at(12, 30), shift=FLEX, fraction="0.5", half="pm")
    assert (r.worked_minutes, r.early_minutes, r.state) == (270, 30, DayState.EARLY)


def test_shift_rule_from_values_places_a_crossing_end_on_the_next_day():
    assert (NIGHT.start, NIGHT.end, NIGHT.middle) == (79200, 108000, 93600)
    assert FIXED.net_minutes == 480
    assert FLEX.window == (36000, 57600)
