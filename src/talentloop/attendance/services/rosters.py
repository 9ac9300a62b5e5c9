"""Writes of the roster planner: set cells (one or a whole week), copy a week, and a team's minimum
staffing. Every cell is checked (a person the actor plans, a date inside the planning window, an
active shift); the set is checked as a whole with a few queries, then written in one transaction."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from talentloop.attendance import access
from talentloop.attendance.calendar import plan
from talentloop.attendance.models import RosterEntry, Shift, ShiftRequirement
from talentloop.attendance.selectors.rosters import rest_breaches
from talentloop.core.access import Actor
from talentloop.core.errors import InvalidInput, PermissionDenied
from talentloop.organisation.models import Employee, OrgUnit

PAST_DAYS = 7
AHEAD_WEEKS = 26
MAX_CELLS = 5000


def planning_window(today: dt.date | None = None) -> tuple[dt.date, dt.date]:
    """The dates a roster may be changed for: the past 7 days (a late fix) to 26 weeks ahead."""
    today = today or timezone.localdate()
    return today - dt.timedelta(days=PAST_DAYS), today + dt.timedelta(weeks=AHEAD_WEEKS)


def week_start(date: dt.date) -> dt.date:
    return date - dt.timedelta(days=date.weekday())


@dataclass
class Cell:
    """One change: ``shift_id`` None plans a rest day; ``clear`` removes the cell (nothing planned)."""

    employee_id: Any
    date: Any
    shift_id: Any = None
    clear: bool = False


@dataclass
class RosterResult:
    saved: int = 0
    cleared: int = 0
    rejected: list[dict] = field(default_factory=list)
    # Shifts now starting less than their minimum rest after the previous one ends (saved anyway: a
    # manager may have a reason; the planner shows the flag).
    warnings: list[dict] = field(default_factory=list)

    def as_dict(self) -> dict:
        return {"saved": self.saved, "cleared": self.cleared, "rejected": self.rejected, "warnings": self.warnings}


def _plannable_ids(actor: Actor, ids: Iterable[int]) -> set[int]:
    wanted = {i for i in ids if isinstance(i, int) and not isinstance(i, bool)}
    if not wanted:
        return set()
    return set(access.plannable_people(actor).filter(pk__in=wanted).values_list("pk", flat=True))


def _check_cells(actor: Actor, cells: Sequence[Cell], today: dt.date) -> tuple[list[Cell], list[dict]]:
    """The cells that pass and the rejected ones by index, with three queries whatever their number."""
    lo, hi = planning_window(today)
    people = _plannable_ids(actor, (c.employee_id for c in cells))
    shift_ids = {c.shift_id for c in cells if isinstance(c.shift_id, int) and not isinstance(c.shift_id, bool)}
    active = set(Shift.objects.filter(pk__in=shift_ids, is_active=True).values_list("pk", flat=True)) \
        if shift_ids else set()
    good: list[Cell] = []
    rejected: list[dict] = []
    seen: set[tuple[int, dt.date]] = set()
    for index, cell in enumerate(cells):
        errors: dict[str, list[str]] = {}
        if cell.employee_id not in people:
            errors["employee_id"] = [_("No person with this id whose roster you plan.")]
        if not isinstance(cell.date, dt.date):
            errors["date"] = [_("Enter a valid date.")]
        elif not lo <= cell.date <= hi:
            errors["date"] = [_("Rosters are planned from %(lo)s to %(hi)s.") % {"lo": lo.isoformat(),
                                                                                  "hi": hi.isoformat()}]
        if not cell.clear and cell.shift_id is not None and cell.shift_id not in active:
            errors["shift_id"] = [_("No active shift with this id.")]
        if not errors:
            key = (cell.employee_id, cell.date)
            if key in seen:
                errors["date"] = [_("This person and date appear twice in the request.")]
            seen.add(key)
        if errors:
            rejected.append({"index": index, "errors": errors})
        else:
            good.append(cell)
    return good, rejected


@transaction.atomic
def roster_set(*, actor: Actor, cells: Sequence[Cell], partial: bool = False,
               today: dt.date | None = None) -> RosterResult:
    """Plan the cells. Without ``partial`` one rejected cell writes nothing (a 422 lists every
    rejected cell); with it the good cells are written and the rejected ones reported."""
    if not access.can_plan_rosters(actor):
        raise PermissionDenied(_("Only managers and HR plan rosters."))
    if not cells:
        raise InvalidInput(_("Please correct the errors below."), {"items": [_("Send at least one cell.")]})
    if len(cells) > MAX_CELLS:
        raise InvalidInput(_("Please correct the errors below."),
                           {"items": [_("At most %(n)d cells at once.") % {"n": MAX_CELLS}]})
    good, rejected = _check_cells(actor, cells, today or timezone.localdate())
    if rejected and not partial:
        raise InvalidInput(_("%(n)d cell(s) were rejected; nothing was written.") % {"n": len(rejected)},
                           {"items": [_("Cell %(i)d is invalid.") % {"i": r["index"]} for r in rejected[:50]]},
                           rejected=rejected)
    result = RosterResult(rejected=rejected)
    to_clear = [c for c in good if c.clear]
    to_plan = [c for c in good if not c.clear]
    if to_clear:
        by_date: dict[dt.date, list[int]] = defaultdict(list)
        for c in to_clear:
            by_date[c.date].append(c.employee_id)
        for date, ids in by_date.items():
            RosterEntry.objects.filter(date=date, employee_id__in=ids).delete()
        result.cleared = len(to_clear)
    if to_plan:
        _upsert([RosterEntry(employee_id=c.employee_id, date=c.date, shift_id=c.shift_id, planned_by_id=actor.user_id)
                 for c in to_plan])
        result.saved = len(to_plan)
        result.warnings = _rest_warnings(to_plan)
    return result


def _rest_warnings(cells: Sequence[Cell]) -> list[dict]:
    """Short rests the planned cells take part in: on a planned day, or on the day after one (its
    start now follows a planned shift). Read with the plan of the people and days touched."""
    ids = sorted({c.employee_id for c in cells})
    lo = min(c.date for c in cells) - dt.timedelta(days=1)
    hi = max(c.date for c in cells) + dt.timedelta(days=1)
    touched = {(c.employee_id, c.date) for c in cells} | {(c.employee_id, c.date + dt.timedelta(days=1))
                                                           for c in cells}
    shifts = Shift.objects.in_bulk()
    out = []
    for person, days in plan(ids, lo, hi).items():
        works = [(d.date, shifts.get(d.shift_id) if d.scheduled and d.shift_id else None) for d in days]
        for date, hours in rest_breaches(works).items():
            if (person, date) in touched:
                out.append({"employee_id": person, "date": date, "rest_hours": hours})
    return sorted(out, key=lambda w: (w["employee_id"], w["date"]))


def _upsert(entries: list[RosterEntry]) -> None:
    RosterEntry.objects.bulk_create(entries, update_conflicts=True, unique_fields=["employee", "date"],
                                    update_fields=["shift", "planned_by", "planned_at"], batch_size=1000)


@dataclass
class CopyReport:
    """Per person: how many cells were copied and which were skipped, with the reason."""

    copied: dict[int, int] = field(default_factory=dict)
    skipped: dict[int, list[dict]] = field(default_factory=dict)

    @property
    def total_copied(self) -> int:
        return sum(self.copied.values())

    @property
    def total_skipped(self) -> int:
        return sum(len(v) for v in self.skipped.values())


@transaction.atomic
def roster_copy_week(actor: Actor, *, people: Sequence[Employee], from_week: dt.date, to_week: dt.date,
                     overwrite: bool = False, today: dt.date | None = None) -> CopyReport:
    """Copy each person's cells of the week of ``from_week`` to the week of ``to_week`` (both read as
    their Monday). A cell already planned in the target week is kept unless ``overwrite``; a day
    outside the planning window and a shift no longer active are skipped. Four queries and one write,
    whatever the number of people."""
    if not access.can_plan_rosters(actor):
        raise PermissionDenied(_("Only managers and HR plan rosters."))
    lo, hi = planning_window(today)
    for name, value in (("from_week", from_week), ("to_week", to_week)):
        if not lo - dt.timedelta(weeks=AHEAD_WEEKS + 1) <= value <= hi:
            raise InvalidInput(_("Please correct the errors below."), {name: [
                _("Rosters are planned from %(lo)s to %(hi)s.") % {"lo": lo.isoformat(), "hi": hi.isoformat()}]})
    source, target = week_start(from_week), week_start(to_week)
    if source == target:
        raise InvalidInput(_("Please correct the errors below."),
                           {"to_week": [_("Copy to a different week.")]})
    ids = [p.pk for p in people]
    allowed = _plannable_ids(actor, ids)
    outside = [p for p in people if p.pk not in allowed]
    if outside:
        message = _("You do not plan the roster of %(name)s.") % {"name": outside[0].display_name}
        raise InvalidInput(_("Please correct the errors below."), {"people": [message]})
    shift_of = Shift.objects.in_bulk()
    delta = target - source
    existing = set(RosterEntry.objects.filter(employee_id__in=ids, date__range=(target, target + dt.timedelta(days=6)))
                   .values_list("employee_id", "date"))
    report = CopyReport(copied=dict.fromkeys(ids, 0), skipped={i: [] for i in ids})
    new: list[RosterEntry] = []
    for employee_id, date, shift_id in RosterEntry.objects.filter(
            employee_id__in=ids, date__range=(source, source + dt.timedelta(days=6))).values_list(
            "employee_id", "date", "shift_id").order_by("employee_id", "date"):
        day = date + delta
        reason = None
        if not lo <= day <= hi:
            reason = _("outside the planning window")
        elif shift_id is not None and not shift_of[shift_id].is_active:
            reason = _("the shift %(code)s is no longer in use") % {"code": shift_of[shift_id].code}
        elif (employee_id, day) in existing and not overwrite:
            reason = _("already planned")
        if reason:
            report.skipped[employee_id].append({"date": day, "reason": reason})
            continue
        new.append(RosterEntry(employee_id=employee_id, date=day, shift_id=shift_id, planned_by_id=actor.user_id))
        report.copied[employee_id] += 1
    if new:
        _upsert(new)
    return report


# ---------------------------------------------------------------- minimum staffing


@transaction.atomic
def shift_requirement_set(*, actor: Actor, org_unit: OrgUnit, shift: Shift, weekdays: Iterable[int],
                          min_people: int) -> int:
    """At least ``min_people`` of the unit on ``shift`` on each of ``weekdays``; 0 removes the rule.
    Answers the number of weekdays set."""
    if not access.can_set_staffing(actor, org_unit):
        raise PermissionDenied(_("You do not plan this team."))
    days = sorted(set(weekdays))
    errors: dict[str, list[str]] = {}
    if not days or any(not isinstance(d, int) or not 0 <= d <= 6 for d in days):
        errors["weekdays"] = [_("Choose one or more days from Monday (0) to Sunday (6).")]
    if not isinstance(min_people, int) or not 0 <= min_people <= 999:
        errors["min_people"] = [_("A whole number from 0 to 999.")]
    if not shift.is_active:
        errors["shift"] = [_("This shift is no longer in use.")]
    if errors:
        raise InvalidInput(_("Please correct the errors below."), errors)
    ShiftRequirement.objects.filter(org_unit=org_unit, shift=shift, weekday__in=days).delete()
    if min_people:
        ShiftRequirement.objects.bulk_create([ShiftRequirement(org_unit=org_unit, shift=shift, weekday=d,
                                                               min_people=min_people) for d in days])
    return len(days)
