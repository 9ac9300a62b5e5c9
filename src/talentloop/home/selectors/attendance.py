"""Sections fed by attendance: one-tap clocking with the day's state for everyone with an employee
record, the day's exceptions of a manager's people, and the count of HR's. Each reads through
attendance's selectors in a fixed number of queries whatever the size of the team or company."""

from __future__ import annotations

from dataclasses import dataclass, field

from talentloop.attendance import access as attendance_access
from talentloop.attendance.daily import shift_rules
from talentloop.attendance.selectors import clock as clock_selectors
from talentloop.home.selectors.base import DUE, LIVE, URGENT, Ctx, Section, kept_a_while

TEAM_SHOWN = 5


def _rules(ctx: Ctx) -> dict:
    """The shifts' rules, read once for the page's attendance sections."""
    if "shift_rules" not in ctx.cache:
        ctx.cache["shift_rules"] = shift_rules()
    return ctx.cache["shift_rules"]


@dataclass
class AttendanceSection(Section):
    @property
    def partial_name(self) -> str:
        return f"home/attendance.html#{self.key}"


@dataclass
class ClockSection(AttendanceSection):
    key = "clock"
    day: object = None


def clock_today(ctx: Ctx) -> ClockSection | None:
    """The day's state and the In / Out buttons. Urgent-ish while a scheduled person has not clocked in."""
    if ctx.employee is None or not attendance_access.can_clock(ctx.actor):
        return None
    day = clock_selectors.day_view(ctx.employee, ctx.today, rules=_rules(ctx))
    waiting = not day.events and day.planned is not None and day.planned.scheduled and not day.leave_code
    return ClockSection(urgency=DUE + 5 if waiting else LIVE + 5, day=day)


@dataclass
class TeamAttendanceSection(AttendanceSection):
    key = "team_attendance"
    count: int = 0
    items: list = field(default_factory=list)
    # On the whole page the section is a placeholder that fetches itself (home:section) once shown:
    # judging a large team's day costs more than the rest of the page, and it must not hold it up.
    deferred: bool = False


def team_attendance(ctx: Ctx) -> TeamAttendanceSection | None:
    """Today's exceptions of the people below the manager: late, absent, missing punch, outside."""
    if not ctx.actor.has_reports:
        return None
    if ctx.whole_page:
        return TeamAttendanceSection(urgency=LIVE - 5, deferred=True)
    found = clock_selectors.day_exceptions(clock_selectors.team_people(ctx.actor), ctx.today)
    return TeamAttendanceSection(urgency=URGENT - 5 if found else LIVE - 5, count=len(found),
                                 items=found[:TEAM_SHOWN])


@dataclass
class HrAttendanceSection(AttendanceSection):
    key = "hr_attendance"
    count: int = 0
    deferred: bool = False  # as TeamAttendanceSection: a placeholder on the whole page


HR_COUNT_SECONDS = 60  # how long HR's count of the day's exceptions is kept before it is judged again


def _hr_exception_count(ctx: Ctx) -> int:
    """The count of the day's exceptions in HR's scope, judged at most once a minute per HR person
    and date (``kept_a_while``): judging a company of 100,000 people takes a second or two, and HR's
    home page is opened far more often than that. A new shift or calendar day counts again at once; a
    punch shows in the count within the minute, and the list behind the link is always judged live."""
    return kept_a_while(ctx, "hr-attendance", HR_COUNT_SECONDS, ("attendance",),
                        lambda: clock_selectors.day_exception_count(clock_selectors.hr_people(ctx.actor), ctx.today))


def hr_attendance(ctx: Ctx) -> HrAttendanceSection | None:
    """How many people HR covers have an exception today, with the link to the list."""
    if not ctx.actor.is_hr:
        return None
    if ctx.whole_page:
        return HrAttendanceSection(urgency=LIVE - 10, deferred=True)
    count = _hr_exception_count(ctx)
    return HrAttendanceSection(urgency=DUE if count else LIVE - 10, count=count)
