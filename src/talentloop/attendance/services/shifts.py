"""Writes of shifts and work schedules (HR covering the whole organisation keeps the shifts; HR
covering a unit or a person assigns their schedule)."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from talentloop.attendance import access
from talentloop.attendance.models import (
    AttendancePolicy,
    RosterEntry,
    ScheduleKind,
    Shift,
    ShiftKind,
    ShiftRequirement,
    WorkSchedule,
    WorkSite,
)
from talentloop.core.access import Actor
from talentloop.core.errors import Conflict, InvalidInput, PermissionDenied, errors_from_validation
from talentloop.organisation.access import hr_covers_unit
from talentloop.organisation.models import Employee, OrgUnit

DAY = 24 * 60
COLOR = re.compile(r"^#[0-9a-fA-F]{6}$")
CODE = re.compile(r"^[-a-zA-Z0-9_]+$")
SHIFT_FIELDS = ("code", "name", "name_en", "kind", "start", "end", "break_minutes", "core_start", "core_end",
                "required_minutes", "grace_minutes", "late_absent_minutes", "early_absent_minutes",
                "min_rest_hours", "color", "is_active")


def minutes(t: dt.time) -> int:
    return t.hour * 60 + t.minute


def span_minutes(start: dt.time, end: dt.time) -> int:
    """Minutes from start to end; an end at or before the start is on the next day (22:00–06:00 is 480)."""
    return (minutes(end) - minutes(start)) % DAY or DAY


def _offset(start: dt.time, t: dt.time) -> int:
    """Minutes from the shift's start to ``t``, reading ``t`` on the next day when it is earlier."""
    return (minutes(t) - minutes(start)) % DAY


def validate_shift(data: dict[str, Any]) -> dict[str, list[str]]:
    """The rules of one shift, every field checked; {field: [messages]} of what is wrong."""
    errors: dict[str, list[str]] = {}

    def add(field: str, message: str) -> None:
        errors.setdefault(field, []).append(message)

    code = str(data.get("code") or "").strip()
    if not code:
        add("code", _("This field is required."))
    elif not CODE.match(code) or len(code) > 40:
        add("code", _("Use at most 40 letters, digits, hyphens or underscores."))
    if not str(data.get("name") or "").strip():
        add("name", _("This field is required."))
    if data.get("kind") not in ShiftKind.values:
        add("kind", _("Choose one of: %(choices)s.") % {"choices": ", ".join(ShiftKind.values)})
    start, end = data.get("start"), data.get("end")
    for field in ("start", "end"):
        if not isinstance(data.get(field), dt.time):
            add(field, _("Enter a valid time."))
    if errors.get("start") or errors.get("end"):
        return errors
    assert isinstance(start, dt.time) and isinstance(end, dt.time)
    if minutes(start) == minutes(end):
        add("end", _("A shift cannot end when it starts."))
        return errors
    span = span_minutes(start, end)
    break_minutes = int(data.get("break_minutes") or 0)
    if break_minutes < 0 or break_minutes >= span:
        add("break_minutes", _("The break must be shorter than the shift (%(n)d minutes).") % {"n": span})
    if data.get("kind") == ShiftKind.FLEXIBLE:
        required = data.get("required_minutes")
        if not required:
            add("required_minutes", _("A flexible shift needs the minutes to be worked."))
        elif not 0 < int(required) <= span - break_minutes:
            add("required_minutes", _("The required minutes must fit between the earliest start and the latest "
                                      "end, less the break (at most %(n)d).") % {"n": max(span - break_minutes, 0)})
        core_start, core_end = data.get("core_start"), data.get("core_end")
        if not isinstance(core_start, dt.time):
            add("core_start", _("A flexible shift needs a core time."))
        if not isinstance(core_end, dt.time):
            add("core_end", _("A flexible shift needs a core time."))
        if isinstance(core_start, dt.time) and isinstance(core_end, dt.time):
            a, b = _offset(start, core_start), _offset(start, core_end)
            if not (a < b <= span):
                add("core_end", _("The core time must run forwards and lie inside the shift."))
    grace = int(data.get("grace_minutes") or 0)
    late = int(data.get("late_absent_minutes") or 0)
    early = int(data.get("early_absent_minutes") or 0)
    if grace >= span:
        add("grace_minutes", _("The grace must be shorter than the shift."))
    if late <= grace:
        add("late_absent_minutes", _("Counting a late arrival as absent must start after the grace."))
    elif late > span:
        add("late_absent_minutes", _("At most the length of the shift (%(n)d minutes).") % {"n": span})
    if not 0 < early <= span:
        add("early_absent_minutes", _("More than 0 and at most the length of the shift (%(n)d minutes).")
            % {"n": span})
    if not 0 <= int(data.get("min_rest_hours") or 0) <= 24:
        add("min_rest_hours", _("From 0 to 24 hours."))
    if not COLOR.match(str(data.get("color") or "")):
        add("color", _("A colour like #2f6feb."))
    return errors


@transaction.atomic
def shift_save(*, actor: Actor, shift: Shift | None = None, **fields: Any) -> Shift:
    """Create a shift, or change one (``fields`` may name only what changes). Changing the times of a
    shift already planned changes those plans too: the roster keeps pointing at the shift."""
    if not access.can_manage_attendance(actor):
        raise PermissionDenied(_("Only HR covering the whole organisation keeps the shifts."))
    unknown = set(fields) - set(SHIFT_FIELDS)
    if unknown:
        raise InvalidInput(_("Please correct the errors below."), {f: [_("Unknown field.")] for f in sorted(unknown)})
    base = {f: getattr(shift, f) for f in SHIFT_FIELDS} if shift is not None else {
        "kind": ShiftKind.FIXED, "name_en": "", "break_minutes": 60, "grace_minutes": 5, "late_absent_minutes": 120,
        "early_absent_minutes": 120, "min_rest_hours": 11, "color": "#2f6feb", "is_active": True,
        "core_start": None, "core_end": None, "required_minutes": None}
    data = {**base, **fields}
    data["code"] = str(data.get("code") or "").strip()
    data["name"] = str(data.get("name") or "").strip()
    data["name_en"] = str(data.get("name_en") or "").strip()
    errors = validate_shift(data)
    if not errors.get("code"):
        clash = Shift.objects.filter(code__iexact=data["code"])
        if shift is not None:
            clash = clash.exclude(pk=shift.pk)
        if clash.exists():
            errors.setdefault("code", []).append(_("Another shift already has this code."))
    if errors:
        raise InvalidInput(_("Please correct the errors below."), errors)
    if data["kind"] == ShiftKind.FIXED:
        # Core time and required minutes mean nothing for fixed hours: never keep stale ones.
        data.update(core_start=None, core_end=None, required_minutes=None)
    obj = shift or Shift()
    for name in SHIFT_FIELDS:
        setattr(obj, name, data[name])
    try:
        obj.full_clean()
    except ValidationError as exc:
        raise InvalidInput(_("Please correct the errors below."), errors_from_validation(exc)) from exc
    obj.save()
    return obj


def shift_in_use(shift: Shift) -> bool:
    return (WorkSchedule.objects.filter(shift=shift).exists() or RosterEntry.objects.filter(shift=shift).exists()
            or AttendancePolicy.objects.filter(default_shift=shift).exists())


@transaction.atomic
def shift_set_active(*, actor: Actor, shift: Shift, active: bool) -> Shift:
    """A deactivated shift keeps every plan made with it; it can no longer be planned or assigned."""
    if not access.can_manage_attendance(actor):
        raise PermissionDenied(_("Only HR covering the whole organisation keeps the shifts."))
    shift.is_active = active
    shift.save(update_fields=["is_active", "updated_at"])
    return shift


@transaction.atomic
def shift_delete(*, actor: Actor, shift: Shift) -> None:
    """Only a shift nobody was ever scheduled or rostered on: one in use is deactivated instead."""
    if not access.can_manage_attendance(actor):
        raise PermissionDenied(_("Only HR covering the whole organisation keeps the shifts."))
    if shift_in_use(shift):
        raise Conflict(_("This shift is in use by a schedule, a roster or the policy: deactivate it instead."))
    ShiftRequirement.objects.filter(shift=shift).delete()
    shift.delete()


# ---------------------------------------------------------------- work schedules


def can_assign_schedule(actor: Actor, *, org_unit: OrgUnit | None, employee: Employee | None) -> bool:
    if employee is not None:
        return access.can_manage_time_of(actor, employee)
    return org_unit is not None and hr_covers_unit(actor, org_unit)


@transaction.atomic
def work_schedule_assign(*, actor: Actor, org_unit: OrgUnit | None = None, employee: Employee | None = None,
                         kind: str, shift: Shift | None = None, site: WorkSite | None = None,
                         effective_from: dt.date) -> WorkSchedule:
    """From ``effective_from`` on, the unit (and its sub-units, unless they have their own) or the
    person works ``shift`` on the calendar's workdays (fixed) or the days their roster plans (roster).
    The earlier rows stay as the history; a second row for the same target and date replaces the first."""
    errors: dict[str, list[str]] = {}
    if (org_unit is None) == (employee is None):
        raise InvalidInput(_("Please correct the errors below."),
                           {"__all__": [_("Choose either an org unit or a person.")]})
    if not can_assign_schedule(actor, org_unit=org_unit, employee=employee):
        raise PermissionDenied(_("Only HR covering them assigns a work schedule."))
    if kind not in ScheduleKind.values:
        errors["kind"] = [_("Choose one of: %(choices)s.") % {"choices": ", ".join(ScheduleKind.values)}]
    if kind == ScheduleKind.FIXED and shift is None:
        errors["shift"] = [_("A fixed schedule needs a shift.")]
    if shift is not None and not shift.is_active:
        errors["shift"] = [_("This shift is no longer in use.")]
    if site is not None and not site.is_active:
        errors["site"] = [_("This work site is no longer in use.")]
    if errors:
        raise InvalidInput(_("Please correct the errors below."), errors)
    row = WorkSchedule.objects.filter(org_unit=org_unit, employee=employee, effective_from=effective_from).first()
    row = row or WorkSchedule(org_unit=org_unit, employee=employee, effective_from=effective_from)
    row.kind, row.shift, row.site = kind, shift, site
    try:
        row.full_clean()
    except ValidationError as exc:
        raise InvalidInput(_("Please correct the errors below."), errors_from_validation(exc)) from exc
    row.save()
    return row
