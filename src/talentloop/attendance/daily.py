"""One person's day judged against their plan: worked minutes, lateness, leaving early, absence and
a missing punch. Pure functions, no queries (``shift_rules()`` is the one read, done once per build),
so the home page, the month view and the monthly summaries of 100,000 people judge days the same way.

The rules (each has a hand-computed test in ``tests/test_daily.py``):

- The shift runs from its start to its end on the date; an end at or before the start is on the
  next day (a night shift counts to the day it starts; ``ClockEvent.work_date`` already says so).
- Times are compared to the second and counted in whole minutes, rounded down in the person's favour.
- Late: the arrival after the start, counted only beyond the grace, and then FROM THE START (with 5
  minutes' grace, 09:07 is 7 minutes late and 09:04 is on time). Late beyond ``late_absent_minutes``
  counts as half a day absent instead of late.
- Early: the departure before the end (no grace); beyond ``early_absent_minutes`` it is half a day
  absent instead of early.
- Flexible shifts: late only against the core start, early against the core end; worked minutes
  short of ``required_minutes`` are early minutes too (the larger of the two counts).
- Worked minutes: from the first to the last punch, less the break when the span runs across the
  middle of the shift (where the break is; arriving or leaving at the middle keeps it), never below zero.
- A scheduled day without any punch is a day absent, less the leave that covers it. One punch alone
  is a missing punch: no lateness or absence is guessed; the day waits for a correction.
- A half day of leave moves the expected start (morning off) or end (afternoon off) to the middle of
  the shift (for a flexible shift, of the core time) and halves the required minutes. A half day
  whose half is not known is judged against whichever half is kinder to the person. Other partial
  leave (hours) excuses that many minutes, lateness first, then leaving early. A whole day of leave
  has no exceptions.
- Days off (not scheduled) have no exceptions; worked minutes are still counted.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.utils.translation import pgettext_lazy

from talentloop.attendance.calendar import PlannedDay
from talentloop.attendance.models import Shift
from talentloop.core import cache

ZERO = Decimal(0)
HALF = Decimal("0.5")
ONE = Decimal(1)
DAY = 86400
# A day is over four hours after its shift's end: until then a late departure (or a night shift's
# morning punch) may still come, so a lone punch is not yet a missing one.
RUNNING_TAIL = 4 * 3600


class DayState:
    """The one word a day shows (home page, month view, exports)."""

    REST = "rest"
    LEAVE = "leave"
    ABSENT = "absent"
    HALF_ABSENT = "half_absent"
    MISSING = "missing_punch"
    LATE = "late"
    EARLY = "early"
    LATE_EARLY = "late_early"
    NORMAL = "normal"


STATE_LABELS: dict[str, Any] = {
    DayState.REST: pgettext_lazy("attendance day", "Day off"),
    DayState.LEAVE: pgettext_lazy("attendance day", "On leave"),
    DayState.ABSENT: pgettext_lazy("attendance day", "Absent"),
    DayState.HALF_ABSENT: pgettext_lazy("attendance day", "Half day absent"),
    DayState.MISSING: pgettext_lazy("attendance day", "Missing punch"),
    DayState.LATE: pgettext_lazy("attendance day", "Late"),
    DayState.EARLY: pgettext_lazy("attendance day", "Left early"),
    DayState.LATE_EARLY: pgettext_lazy("attendance day", "Late and left early"),
    DayState.NORMAL: pgettext_lazy("attendance day", "Normal"),
}


@dataclass(frozen=True, slots=True)
class ShiftRule:
    """A shift reduced to what judging a day needs, in seconds from the date's local midnight
    (``end`` past 86400 for a shift crossing midnight)."""

    id: int
    flexible: bool
    start: int
    end: int
    break_minutes: int
    grace_minutes: int
    late_absent_minutes: int
    early_absent_minutes: int
    core_start: int | None = None
    core_end: int | None = None
    required_minutes: int | None = None

    @property
    def middle(self) -> int:
        return (self.start + self.end) // 2

    @property
    def window(self) -> tuple[int, int]:
        """Where lateness and leaving early are measured: the shift, or a flexible shift's core time."""
        if self.flexible and self.core_start is not None and self.core_end is not None:
            return self.core_start, self.core_end
        return self.start, self.end

    @property
    def net_minutes(self) -> int:
        if self.flexible and self.required_minutes:
            return self.required_minutes
        return max(0, (self.end - self.start) // 60 - self.break_minutes)

    @classmethod
    def from_shift(cls, shift: Any) -> ShiftRule:
        return cls.from_values(shift.id, shift.kind, shift.start, shift.end, shift.break_minutes,
                               shift.grace_minutes, shift.late_absent_minutes, shift.early_absent_minutes,
                               shift.core_start, shift.core_end, shift.required_minutes)

    @classmethod
    def from_values(cls, id: int, kind: str, start: dt.time, end: dt.time, break_minutes: int, grace: int,
                    late_absent: int, early_absent: int, core_start: dt.time | None = None,
                    core_end: dt.time | None = None, required: int | None = None) -> ShiftRule:
        s = _seconds(start)
        e = _seconds(end)
        if e <= s:
            e += DAY
        cs = _seconds(core_start) if core_start is not None else None
        ce = _seconds(core_end) if core_end is not None else None
        if cs is not None and cs < s:
            cs += DAY
        if ce is not None and cs is not None and ce <= cs:
            ce += DAY
        return cls(id=id, flexible=kind == "flexible", start=s, end=e, break_minutes=break_minutes or 0,
                   grace_minutes=grace or 0, late_absent_minutes=late_absent, early_absent_minutes=early_absent,
                   core_start=cs, core_end=ce, required_minutes=required)


def _seconds(t: dt.time) -> int:
    return t.hour * 3600 + t.minute * 60 + t.second


def shift_rules() -> dict[int, ShiftRule]:
    """Every shift (active or not: old days keep their shift), kept with attendance's configuration
    (core.cache, name "attendance")."""
    return cache.cached("attendance-shift-rules", _shift_rules, depends=("attendance",))


def _shift_rules() -> dict[int, ShiftRule]:
    return {row[0]: ShiftRule.from_values(*row) for row in Shift.objects.values_list(
        "id", "kind", "start", "end", "break_minutes", "grace_minutes", "late_absent_minutes",
        "early_absent_minutes", "core_start", "core_end", "required_minutes")}


@dataclass(frozen=True, slots=True)
class DayResult:
    date: dt.date
    scheduled: bool
    worked_minutes: int
    late_minutes: int
    early_minutes: int
    absent: Decimal
    missing_punch: bool
    state: str

    @property
    def is_exception(self) -> bool:
        return self.state in (DayState.ABSENT, DayState.HALF_ABSENT, DayState.MISSING, DayState.LATE,
                              DayState.EARLY, DayState.LATE_EARLY)

    @property
    def state_label(self) -> Any:
        return STATE_LABELS.get(self.state, self.state)


def local_seconds(at: dt.datetime, date: dt.date, tz: dt.tzinfo) -> int:
    """Seconds from the local midnight starting ``date`` to ``at`` (past 86400 the next morning)."""
    local = at.astimezone(tz)
    return ((local.date() - date).days * DAY + local.hour * 3600 + local.minute * 60 + local.second)


def evaluate_day(*, date: dt.date, planned: PlannedDay, shift: ShiftRule | None, first_in: dt.datetime | None,
                 last_out: dt.datetime | None, leave_fraction: Decimal | int = 0, leave_half: str = "",
                 tz: dt.tzinfo) -> DayResult:
    """Judge one day. ``first_in`` and ``last_out`` are the first and last punch of the work date
    (the same instant, or one of them ``None``, when there was one punch only)."""
    arrive = local_seconds(first_in, date, tz) if first_in is not None else None
    leave = local_seconds(last_out, date, tz) if last_out is not None else None
    if arrive is None and leave is not None:
        arrive = leave
    if leave is None and arrive is not None:
        leave = arrive
    punches = 0 if arrive is None else (1 if arrive == leave else 2)
    return evaluate_seconds(date, planned.scheduled, shift, arrive, leave, punches,
                            Decimal(leave_fraction), leave_half)


def evaluate_seconds(date: dt.date, scheduled: bool, rule: ShiftRule | None, arrive: int | None,
                     leave: int | None, punches: int, leave_fraction: Decimal = ZERO,
                     leave_half: str = "") -> DayResult:
    """The same judgement on local seconds from the date's midnight (the monthly build converts each
    punch once and calls this for millions of days). ``punches`` is 0, 1 or 2 (two or more)."""
    worked = 0
    if punches >= 2 and arrive is not None and leave is not None:
        span = max(0, leave - arrive) // 60
        if rule is not None and arrive < rule.middle < leave:
            span -= rule.break_minutes
        worked = max(0, span)
    if not scheduled:
        return DayResult(date, False, worked, 0, 0, ZERO, False, DayState.REST)
    if leave_fraction >= ONE:
        return DayResult(date, True, worked, 0, 0, ZERO, False, DayState.LEAVE)
    if punches == 0:
        absent = ONE - leave_fraction
        return DayResult(date, True, 0, 0, 0, absent, False,
                         DayState.ABSENT if absent >= ONE else DayState.HALF_ABSENT)
    if punches == 1:
        return DayResult(date, True, 0, 0, 0, ZERO, True, DayState.MISSING)
    assert arrive is not None and leave is not None
    if rule is None:  # an untimed workday: present is all that counts
        return DayResult(date, True, worked, 0, 0, ZERO, False, DayState.NORMAL)

    if leave_fraction == HALF and leave_half not in ("am", "pm"):
        results = [_judge(date, rule, arrive, leave, worked, leave_fraction, half) for half in ("am", "pm")]
        return min(results, key=lambda r: (r.absent, r.late_minutes + r.early_minutes))
    return _judge(date, rule, arrive, leave, worked, leave_fraction, leave_half)


def _judge(date: dt.date, rule: ShiftRule, arrive: int, leave: int, worked: int, fraction: Decimal,
           half: str) -> DayResult:
    start, end = rule.window
    required = rule.required_minutes if rule.flexible else None
    excused = 0
    if fraction == HALF:
        middle = (start + end) // 2
        if half == "am":
            start = middle
        else:
            end = middle
        if required:
            required = required // 2
    elif fraction > ZERO:
        excused = int(fraction * rule.net_minutes)

    late = max(0, arrive - start) // 60
    if late <= rule.grace_minutes:
        late = 0
    early = max(0, end - leave) // 60
    if required:
        early = max(early, required - worked)
    if excused:
        taken = min(late, excused)
        late -= taken
        early = max(0, early - (excused - taken))

    absent = ZERO
    if late > rule.late_absent_minutes:
        absent += HALF
        late = 0
    if early > rule.early_absent_minutes:
        absent += HALF
        early = 0
    if absent >= ONE:
        state = DayState.ABSENT
    elif absent:
        state = DayState.HALF_ABSENT
    elif late and early:
        state = DayState.LATE_EARLY
    elif late:
        state = DayState.LATE
    elif early:
        state = DayState.EARLY
    else:
        state = DayState.NORMAL
    return DayResult(date, True, worked, late, early, absent, False, state)
