"""Reads of leave requests: counting the days of a request, the preview the form shows (days and the
balance before and after), the lists (mine, what waits for me, the API's filters) and the team
calendar of a month.

Counting is a read, not a write, so the form's preview and ``leave_request_submit`` call the same
function: what the person sees before sending is what the request will count."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Prefetch, QuerySet, Sum
from django.db.models.functions import Coalesce
from django.utils.translation import gettext as _

from talentloop.attendance.calendar import Calendar, dates, plan
from talentloop.attendance.models import ApprovalDelegation, DayKind
from talentloop.core.access import Actor
from talentloop.leave import access
from talentloop.leave.models import (
    ApprovalStep,
    DayCounting,
    EntryKind,
    HalfDay,
    LeaveRequest,
    LeaveType,
    LeaveUnit,
    LedgerEntry,
)
from talentloop.leave.selectors.ledger import balance, balances
from talentloop.organisation.models import Employee, EmploymentStatus

ZERO = Decimal("0")
HALF = Decimal("0.5")
THOUSANDTH = Decimal("0.001")
MAX_SPAN_DAYS = 366  # one request covers at most a year of dates
ACTIVE_STATUSES = ("pending", "approved")


@dataclass
class LeaveCount:
    """What a request counts: ``days`` (to three places, as stored), the dates that count and the
    dates inside it that do not (rest days, statutory holidays, days off on the person's roster), and
    the problems of the dates and units as ``{field: [messages]}`` (empty when it is countable)."""

    days: Decimal = ZERO
    counted: list[dt.date] = field(default_factory=list)
    skipped: list[tuple[dt.date, str]] = field(default_factory=list)
    errors: dict[str, list[str]] = field(default_factory=dict)

    @property
    def holidays(self) -> list[dt.date]:
        return [d for d, kind in self.skipped if kind == DayKind.STATUTORY]


def _error(errors: dict[str, list[str]], name: str, message: str) -> None:
    errors.setdefault(name, []).append(message)


def leave_count(*, employee: Employee, leave_type: LeaveType, start: dt.date | None, end: dt.date | None,
                start_half: str = HalfDay.MORNING, end_half: str = HalfDay.AFTERNOON,
                hours: Decimal | None = None) -> LeaveCount:
    """The days a request counts, by the type's counting and unit:

    - workday types count the person's scheduled days (their plan: the calendar's workdays, 调休
      Saturdays included, or their roster's shifts) — rest days and statutory holidays inside the
      request are not leave; calendar types count every date;
    - full-day types start in the morning and end in the afternoon; half-day types may start in the
      afternoon or end in the morning (half a day less at that end, when that date counts);
    - hourly types are one date, ``hours`` ≤ the type's hours in a day, counted as hours / hours in a day.

    Two queries for the plan (schedules, calendar rows), three more when the person is on a roster."""
    count = LeaveCount()
    errors = count.errors
    if start is None:
        _error(errors, "start", _("This field is required."))
    if end is None:
        _error(errors, "end", _("This field is required."))
    if start is None or end is None:
        return count
    if end < start:
        _error(errors, "end", _("The last day must be on or after the first day."))
        return count
    if (end - start).days + 1 > MAX_SPAN_DAYS:
        _error(errors, "end", _("A request covers at most %(n)d days.") % {"n": MAX_SPAN_DAYS})
        return count
    if start_half not in HalfDay.values:
        _error(errors, "start_half", _("Choose the morning or the afternoon."))
    if end_half not in HalfDay.values:
        _error(errors, "end_half", _("Choose the morning or the afternoon."))
    unit = leave_type.unit
    if unit == LeaveUnit.HOUR:
        if start != end:
            _error(errors, "end", _("Hourly leave is for one day: the first and last day must be the same."))
        if hours is None:
            _error(errors, "hours", _("Enter the number of hours."))
        elif hours <= 0 or hours > leave_type.hours_per_day:
            _error(errors, "hours", _("Enter more than 0 and at most %(max)s hours.")
                   % {"max": leave_type.hours_per_day.normalize()})
        elif (hours * 4) != (hours * 4).to_integral_value():
            _error(errors, "hours", _("Hours are counted in quarters of an hour (0.25)."))
    else:
        if hours is not None:
            _error(errors, "hours", _("This leave type is taken in days, not hours."))
        if unit == LeaveUnit.DAY and (start_half != HalfDay.MORNING or end_half != HalfDay.AFTERNOON):
            _error(errors, "start_half", _("This leave type is taken in full days only."))
        if start == end and start_half == HalfDay.AFTERNOON and end_half == HalfDay.MORNING:
            _error(errors, "end_half", _("On a single day, leave cannot start in the afternoon and end in "
                                         "the morning."))
    if errors:
        return count

    if leave_type.counting == DayCounting.CALENDAR:
        count.counted = list(dates(start, end))
    else:
        for day in plan([employee.pk], start, end).get(employee.pk, []):
            if day.scheduled:
                count.counted.append(day.date)
            else:
                count.skipped.append((day.date, day.kind))
    counted = set(count.counted)
    if unit == LeaveUnit.HOUR:
        days = (Decimal(hours or 0) / leave_type.hours_per_day) if start in counted else ZERO
    else:
        days = Decimal(len(counted))
        if start_half == HalfDay.AFTERNOON and start in counted:
            days -= HALF
        if end_half == HalfDay.MORNING and end in counted:
            days -= HALF
    count.days = days.quantize(THOUSANDTH, rounding=ROUND_HALF_UP)
    return count


def committed_days(*, employee_id: int, leave_type_id: int, after: dt.date,
                   exclude_request_id: int | None = None) -> Decimal:
    """Days the person has already promised away besides the ledger as of ``after``: pending
    requests of the type (any dates), and the uses of approved leave dated after ``after`` net of
    their returns (the ledger holds those; a balance as of ``after`` does not yet). Two queries."""
    pending = LeaveRequest.objects.filter(employee_id=employee_id, leave_type_id=leave_type_id, status="pending")
    if exclude_request_id is not None:
        pending = pending.exclude(pk=exclude_request_id)
    waiting = pending.aggregate(total=Coalesce(Sum("days"), ZERO))["total"]
    later = LedgerEntry.objects.filter(employee_id=employee_id, leave_type_id=leave_type_id,
                                       effective_date__gt=after,
                                       kind__in=[EntryKind.USE, EntryKind.RETURN]).aggregate(
        total=Coalesce(Sum("days"), ZERO))["total"]
    return Decimal(waiting) - Decimal(later)


@dataclass
class LeavePreview:
    count: LeaveCount
    tracks_balance: bool
    before: Decimal | None = None  # available before this request: the ledger as of the end, less promises
    after: Decimal | None = None
    over_balance: bool = False


def leave_preview(*, employee: Employee, leave_type: LeaveType, start: dt.date | None, end: dt.date | None,
                  start_half: str = HalfDay.MORNING, end_half: str = HalfDay.AFTERNOON,
                  hours: Decimal | None = None) -> LeavePreview:
    """The days a request counts and, for a type drawn from a balance, the balance before and after."""
    count = leave_count(employee=employee, leave_type=leave_type, start=start, end=end, start_half=start_half,
                        end_half=end_half, hours=hours)
    preview = LeavePreview(count=count, tracks_balance=leave_type.tracks_balance)
    if leave_type.tracks_balance and end is not None and not count.errors:
        before = balance(employee_id=employee.pk, leave_type_id=leave_type.pk, as_of=end) - committed_days(
            employee_id=employee.pk, leave_type_id=leave_type.pk, after=end)
        preview.before = before
        preview.after = before - count.days
        preview.over_balance = preview.after < 0
    return preview


# ---------------------------------------------------------------- lists and one request


def _with_people(qs: QuerySet[LeaveRequest]) -> QuerySet[LeaveRequest]:
    return qs.select_related("employee", "leave_type")


def leave_request_list(actor: Actor, *, status: str | None = None, employee_id: int | None = None,
                       start: dt.date | None = None, end: dt.date | None = None,
                       mine: bool = False) -> QuerySet[LeaveRequest]:
    """The requests the actor may see, newest first; ``start``/``end``: those overlapping the range."""
    if mine:  # one's own requests are always visible: no need for the wider scope's delegation lookup
        if not access.can_request_leave(actor):
            return LeaveRequest.objects.none()
        qs = LeaveRequest.objects.filter(employee=actor.employee)
    else:
        qs = access.visible_leave_requests(actor)
    if status:
        qs = qs.filter(status=status)
    if employee_id is not None:
        qs = qs.filter(employee_id=employee_id)
    if start is not None:
        qs = qs.filter(end__gte=start)
    if end is not None:
        qs = qs.filter(start__lte=end)
    return _with_people(qs).order_by("-start", "-id")


def leave_request_get(actor: Actor, pk: int) -> LeaveRequest | None:
    """One visible request with its type, person and steps (approvers joined): three queries."""
    steps = ApprovalStep.objects.select_related("approver", "decided_by").order_by("order")
    return (_with_people(access.visible_leave_requests(actor)).select_related("employee__org_unit")
            .prefetch_related(Prefetch("steps", queryset=steps)).filter(pk=pk).first())


def current_step(request: LeaveRequest) -> ApprovalStep | None:
    """The first undecided step of a pending request (from the prefetched steps when there)."""
    if request.status != "pending":
        return None
    for step in request.steps.all():
        if not step.decision:
            return step
    return None


def approvals_waiting(actor: Actor) -> QuerySet[ApprovalStep]:
    """The steps waiting for the actor, oldest request first, with their requests, people and types."""
    return (access.leave_steps_waiting_for(actor)
            .select_related("request", "request__employee", "request__leave_type", "approver")
            .order_by("request__start", "request_id"))


@dataclass(frozen=True)
class BalanceRow:
    """One type's balance for the person: the ledger as of the date, the days of approved leave after
    it (booked: taken from the ledger on their first day), the days of pending requests, and what is
    left to request."""

    leave_type: LeaveType
    balance: Decimal
    booked: Decimal
    pending: Decimal

    @property
    def available(self) -> Decimal:
        return self.balance - self.booked - self.pending


def my_balances(employee: Employee, as_of: dt.date) -> list[BalanceRow]:
    """The person's balances of the active types drawn from one, as of a date: four queries (types,
    the ledger, the later uses net of returns, the pending requests), whatever the number of types."""
    types = list(LeaveType.objects.filter(is_active=True, tracks_balance=True))
    held = balances(employee_ids=[employee.pk], as_of=as_of).get(employee.pk, {})
    later = dict(LedgerEntry.objects.filter(employee=employee, effective_date__gt=as_of,
                                            kind__in=[EntryKind.USE, EntryKind.RETURN])
                 .values_list("leave_type_id").annotate(total=Sum("days")).order_by())
    pending = dict(LeaveRequest.objects.filter(employee=employee, status="pending")
                   .values_list("leave_type_id").annotate(total=Sum("days")).order_by())
    return [BalanceRow(leave_type=t, balance=held.get(t.pk, ZERO), booked=-Decimal(later.get(t.pk) or ZERO),
                       pending=Decimal(pending.get(t.pk) or ZERO)) for t in types]


def requestable_types(actor: Actor) -> QuerySet[LeaveType]:
    return access.visible_leave_types(actor).filter(is_active=True)


def requestable_type_get(actor: Actor, pk: int) -> LeaveType | None:
    return requestable_types(actor).filter(pk=pk).first()


def leave_person_get(actor: Actor, pk: int) -> Employee | None:
    """A person the actor sees (the service decides whether they may record leave for them)."""
    return access.visible_leave_people(actor).select_related("org_unit").filter(pk=pk).first()


def delegation_list(actor: Actor) -> QuerySet[ApprovalDelegation]:
    return (access.visible_delegations(actor).select_related("approver", "delegate")
            .order_by("-start", "-id"))


def delegation_get(actor: Actor, pk: int) -> ApprovalDelegation | None:
    return access.visible_delegations(actor).select_related("approver", "approver__org_unit").filter(pk=pk).first()


def overlapping_requests(*, employee_id: int, start: dt.date, end: dt.date, start_half: str, end_half: str,
                         exclude_request_id: int | None = None) -> list[LeaveRequest]:
    """Pending or approved requests of the person sharing a date with the range. A request ending in
    the morning and one starting that afternoon share the date but not the time: not an overlap."""
    qs = LeaveRequest.objects.filter(employee_id=employee_id, status__in=ACTIVE_STATUSES, start__lte=end,
                                     end__gte=start).select_related("leave_type")
    if exclude_request_id is not None:
        qs = qs.exclude(pk=exclude_request_id)
    out = []
    for other in qs:
        if other.end == start and other.end_half == HalfDay.MORNING and start_half == HalfDay.AFTERNOON \
                and other.hours is None:
            continue
        if other.start == end and other.start_half == HalfDay.AFTERNOON and end_half == HalfDay.MORNING \
                and other.hours is None:
            continue
        out.append(other)
    return out


# ---------------------------------------------------------------- the team calendar


@dataclass
class CalendarCell:
    date: dt.date
    kind: str  # the organisation's kind of the date: workday, rest, holiday
    away: bool = False
    half: str = ""  # "am"/"pm" when away half of the day
    pending: bool = False  # the leave is requested, not yet approved
    label: str = ""  # the kind of leave, only for those who may see it


@dataclass
class CalendarRow:
    employee: Employee
    cells: list[CalendarCell]

    @property
    def away_days(self) -> int:
        return sum(1 for c in self.cells if c.away)


@dataclass
class TeamCalendar:
    start: dt.date
    end: dt.date
    days: list[tuple[dt.date, str]]  # each date of the month and its kind
    rows: list[CalendarRow]
    by_day: list[tuple[dt.date, str, list[tuple[Employee, CalendarCell]]]]  # the phone's list per day


def team_calendar_people(actor: Actor) -> QuerySet[Employee]:
    return (access.team_calendar_people(actor).exclude(status=EmploymentStatus.TERMINATED).distinct()
            .order_by("name", "pk"))


def team_calendar(actor: Actor, *, people: list[Employee], start: dt.date, end: dt.date) -> TeamCalendar:
    """Who of ``people`` (a page of ``team_calendar_people``) is away on each date from ``start`` to
    ``end``: approved and pending leave (pending marked), the kind of leave only where the actor may see
    it, statutory holidays marked. Three queries whatever the number of people: the requests, which
    of them the actor may see the kind of, the calendar rows."""
    calendar = Calendar(start, end)
    days = [(d, calendar.kind(d)) for d in dates(start, end)]
    ids = [p.pk for p in people]
    requests = list(LeaveRequest.objects.filter(employee_id__in=ids, status__in=ACTIVE_STATUSES, start__lte=end,
                                                end__gte=start).select_related("leave_type").order_by("start", "pk"))
    kind_visible = access.leave_kind_visible_ids(actor, [r.pk for r in requests])
    by_person: dict[int, list[LeaveRequest]] = defaultdict(list)
    for r in requests:
        by_person[r.employee_id].append(r)
    rows = []
    per_day: dict[dt.date, list[tuple[Employee, CalendarCell]]] = defaultdict(list)
    for person in people:
        cells = []
        for date, kind in days:
            cell = CalendarCell(date=date, kind=kind)
            for r in by_person.get(person.pk, ()):
                if r.start <= date <= r.end:
                    cell.away = True
                    cell.pending = r.status == "pending"
                    if r.hours is None:
                        if date == r.start and r.start_half == HalfDay.AFTERNOON:
                            cell.half = HalfDay.AFTERNOON
                        elif date == r.end and r.end_half == HalfDay.MORNING:
                            cell.half = HalfDay.MORNING
                    cell.label = r.leave_type.label if r.pk in kind_visible else ""
                    break
            cells.append(cell)
            if cell.away:
                per_day[date].append((person, cell))
        rows.append(CalendarRow(employee=person, cells=cells))
    by_day = [(date, kind, per_day.get(date, [])) for date, kind in days]
    return TeamCalendar(start=start, end=end, days=days, rows=rows, by_day=by_day)


def waiting_count(actor: Actor) -> int:
    return access.leave_steps_waiting_for(actor).count()
