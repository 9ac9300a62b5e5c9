"""The fast monthly judgement (``month_figures``, what the build uses) agrees with judging each day
through ``daily.evaluate_seconds`` and adding them up (``add_up(judge_people(...))``) on random months:
fixed, night and flexible shifts, no, one, two or three punches at any hour, outside punches, whole,
half and hourly leave, people hired or leaving in the month, and a month still running."""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from talentloop.attendance.models import ClockEvent, Shift, WorkSchedule
from talentloop.attendance.selectors.summaries import add_up, judge_people, month_figures
from talentloop.leave.models import LeaveRequest, LeaveType
from talentloop.testing.factories import EmployeeFactory, OrgUnitFactory

pytestmark = pytest.mark.django_db

TZ = ZoneInfo("Asia/Shanghai")
START, END = dt.date(2026, 10, 1), dt.date(2026, 10, 31)


def _world(rng: random.Random) -> list[int]:
    unit = OrgUnitFactory(code="eng-rand")
    day = Shift.objects.create(code="r-day", name="白班", start=dt.time(9), end=dt.time(18), grace_minutes=5,
                               late_absent_minutes=90, early_absent_minutes=60)
    night = Shift.objects.create(code="r-night", name="夜班", start=dt.time(21), end=dt.time(5, 30), break_minutes=30)
    flex = Shift.objects.create(code="r-flex", name="弹性", kind="flexible", start=dt.time(7), end=dt.time(21),
                                core_start=dt.time(10), core_end=dt.time(16), required_minutes=480, grace_minutes=0)
    WorkSchedule.objects.create(org_unit=unit, kind="fixed", shift=day, effective_from=dt.date(2026, 1, 1))
    annual = LeaveType.objects.create(code="r-annual", name="年假", category="annual", counting="workdays",
                                      paid=True)
    lieu = LeaveType.objects.create(code="r-lieu", name="调休", category="in_lieu", counting="calendar",
                                    paid=True)
    ids = []
    for n in range(14):
        hire = dt.date(2026, 10, 14) if n == 3 else dt.date(2020, 1, 1)
        term = dt.date(2026, 10, 20) if n == 4 else None
        person = EmployeeFactory(org_unit=unit, hire_date=hire, termination_date=term)
        ids.append(person.pk)
        if n % 5 == 1:
            WorkSchedule.objects.create(employee=person, kind="fixed", shift=night, effective_from=dt.date(2026, 1, 1))
        elif n % 5 == 2:
            WorkSchedule.objects.create(employee=person, kind="fixed", shift=flex, effective_from=dt.date(2026, 1, 1))
        day_ = START
        while day_ <= END:
            punches = rng.choice([0, 1, 2, 2, 2, 2, 3])
            base = dt.datetime.combine(day_, dt.time(), TZ)
            for _ in range(punches):
                at = base + dt.timedelta(seconds=rng.randint(6 * 3600, 31 * 3600))
                ClockEvent.objects.create(employee=person, at=at, work_date=day_, direction="punch",
                                          source="device", outside=rng.random() < 0.1)
            roll = rng.random()
            if roll < 0.08:
                LeaveRequest.objects.create(employee=person, leave_type=annual, start=day_, end=day_,
                                            start_half=rng.choice(["am", "pm"]), end_half="pm", days=1,
                                            status="approved")
            elif roll < 0.12:
                LeaveRequest.objects.create(employee=person, leave_type=lieu, start=day_, end=day_,
                                            hours=Decimal(rng.choice([1, 2, 3])), days=Decimal("0.25"),
                                            status="approved")
            elif roll < 0.15:
                LeaveRequest.objects.create(employee=person, leave_type=annual, start=day_, end=day_, days=1,
                                            status="approved")
            day_ += dt.timedelta(days=1)
    return ids


@pytest.mark.parametrize(("seed", "through", "now"), [
    (1, END, dt.datetime(2026, 11, 3, tzinfo=TZ)),
    (2, END, dt.datetime(2026, 11, 3, tzinfo=TZ)),
    (3, dt.date(2026, 10, 15), dt.datetime(2026, 10, 16, 7, 0, tzinfo=TZ)),  # a night shift still running
])
def test_fast_figures_equal_the_day_by_day_judgement(seed, through, now):
    ids = _world(random.Random(seed))
    slow = {person.id: add_up(lines) for person, lines in judge_people(ids, START, END, through=through, now=now)}
    fast = dict(month_figures(ids, START, END, through=through, now=now))
    assert set(fast) == set(slow)
    assert len(fast) == 14
    for pk in ids:
        assert fast[pk] == slow[pk], pk
