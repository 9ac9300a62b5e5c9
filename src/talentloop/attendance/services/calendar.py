"""Writes of the holiday calendar and of the attendance policy (HR for the whole organisation).

A calendar day is set for the organisation (``site`` empty) or for one site; a site's row wins over
the official one for that site's people. Setting a day never copies anything: not last year's days to
a new year, nor the official days to a site. The notice's own rows (``official``) may be changed —
the change is audited and the row is HR's from then on — but only days HR set may be removed."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from talentloop.attendance import access
from talentloop.attendance.models import AttendancePolicy, CalendarDay, DayKind, Shift, WorkSite
from talentloop.attendance.selectors.calendar import FIRST_YEAR, LAST_YEAR, calendar_day_row
from talentloop.attendance.selectors.policy import attendance_policy
from talentloop.core.access import Actor
from talentloop.core.audit.services import audit_record, diff, snapshot
from talentloop.core.errors import InvalidInput, NotFound, PermissionDenied, errors_from_validation

DAY_FIELDS = ["date", "kind", "name", "name_en", "site", "official"]


def _check_manager(actor: Actor) -> None:
    if not access.can_manage_attendance(actor):
        raise PermissionDenied(_("Only HR for the whole organisation keeps the calendar and the attendance policy."))


@transaction.atomic
def calendar_day_set(*, actor: Actor, date: dt.date, kind: str, name: str = "", name_en: str = "",
                     site: WorkSite | None = None) -> CalendarDay:
    """Set what ``date`` is, for the organisation or for ``site``, creating or changing its one row."""
    _check_manager(actor)
    errors: dict[str, list[str]] = {}
    if not isinstance(date, dt.date) or not FIRST_YEAR <= date.year <= LAST_YEAR:
        errors["date"] = [_("Enter a date between %(first)s and %(last)s.") % {"first": FIRST_YEAR, "last": LAST_YEAR}]
    if kind not in DayKind.values:
        errors["kind"] = [_("Choose workday, rest day or statutory holiday.")]
    if site is not None and not site.is_active:
        errors["site"] = [_("This work site is no longer active.")]
    if kind == DayKind.STATUTORY and not (name or "").strip() and not (name_en or "").strip():
        errors["name"] = [_("Name the holiday.")]
    if errors:
        raise InvalidInput(_("Please correct the errors below."), errors)
    existing = calendar_day_row(date=date, site=site)
    created = existing is None
    if existing is None:
        row = CalendarDay(date=date, site=site)
        before: dict[str, Any] = {}
    else:
        row = CalendarDay.objects.select_for_update().get(pk=existing.pk)
        before = snapshot(row, DAY_FIELDS)
    row.kind, row.name, row.name_en = kind, (name or "").strip(), (name_en or "").strip()
    row.official = False  # from now on HR's day, whatever it was before
    row.updated_by = actor.user
    try:
        row.full_clean(validate_unique=False, validate_constraints=False)
    except ValidationError as exc:
        raise InvalidInput(_("Please correct the errors below."), errors_from_validation(exc)) from exc
    if not created and not diff(before, snapshot(row, DAY_FIELDS)):
        return row
    row.save()
    audit_record(actor=actor, action="create" if created else "update", obj=row,
                 changes=snapshot(row, DAY_FIELDS) if created else diff(before, snapshot(row, DAY_FIELDS)))
    return row


@transaction.atomic
def calendar_day_remove(*, actor: Actor, date: dt.date, site: WorkSite | None = None) -> None:
    """Remove a day HR set; the date is again what the official calendar (or the weekly pattern) says."""
    _check_manager(actor)
    row = calendar_day_row(date=date, site=site)
    if row is None:
        raise NotFound(_("No day is set on this date."))
    if row.official:
        msg = _("This day comes from the State Council notice and cannot be removed; change it, or set "
                "a site's own day to differ.")
        raise InvalidInput(msg, {"date": [msg]})
    changes = snapshot(row, DAY_FIELDS)
    audit_record(actor=actor, action="delete", obj=row, changes=changes)
    row.delete()


# ---------------------------------------------------------------- the attendance policy

POLICY_FIELDS = ["clock_window_days", "location_retention_days", "overtime_after_allowed", "rest_day_in_lieu",
                 "daily_overtime_cap_minutes", "monthly_overtime_cap_minutes", "default_shift"]
# The legal caps of overtime (Labour Law art. 41): 3 hours a day, 36 hours a month. A policy may be
# stricter, never looser.
LEGAL_DAILY_CAP = 3 * 60
LEGAL_MONTHLY_CAP = 36 * 60
MAX_RETENTION_DAYS = 30  # the raw position is never kept beyond 30 days (issue 12)
MAX_CLOCK_WINDOW_DAYS = 31


def _policy_errors(data: dict[str, Any]) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}

    def whole(key: str, low: int, high: int) -> None:
        value = data.get(key)
        if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
            errors[key] = [_("Enter a whole number from %(low)s to %(high)s.") % {"low": low, "high": high}]

    whole("clock_window_days", 0, MAX_CLOCK_WINDOW_DAYS)
    whole("location_retention_days", 1, MAX_RETENTION_DAYS)
    whole("daily_overtime_cap_minutes", 1, LEGAL_DAILY_CAP)
    whole("monthly_overtime_cap_minutes", 1, LEGAL_MONTHLY_CAP)
    if not errors and data["daily_overtime_cap_minutes"] > data["monthly_overtime_cap_minutes"]:
        errors["monthly_overtime_cap_minutes"] = [_("The monthly cap cannot be below the daily cap.")]
    for key in ("overtime_after_allowed", "rest_day_in_lieu"):
        if not isinstance(data.get(key), bool):
            errors[key] = [_("Choose yes or no.")]
    shift = data.get("default_shift")
    if shift is not None and (not isinstance(shift, Shift) or not shift.is_active):
        errors["default_shift"] = [_("Choose an active shift.")]
    return errors


@transaction.atomic
def attendance_policy_update(*, actor: Actor, data: dict[str, Any]) -> AttendancePolicy:
    """Change the policy's fields named in ``data`` (others keep their value). The whole result is
    checked before anything is saved."""
    _check_manager(actor)
    unknown = [key for key in data if key not in POLICY_FIELDS]
    if unknown:
        raise InvalidInput(_("Unknown fields."), {key: [_("Unknown field.")] for key in unknown})
    policy = AttendancePolicy.objects.select_for_update().get(pk=attendance_policy().pk)
    before = snapshot(policy, POLICY_FIELDS)
    merged = {key: getattr(policy, key) for key in POLICY_FIELDS}
    merged.update(data)
    errors = _policy_errors(merged)
    if errors:
        raise InvalidInput(_("Please correct the errors below."), errors)
    for key, value in data.items():
        setattr(policy, key, value)
    changes = diff(before, snapshot(policy, POLICY_FIELDS))
    if changes:
        policy.save()
        audit_record(actor=actor, action="update", obj=policy, changes=changes)
    return policy
