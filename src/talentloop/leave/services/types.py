"""Writes of leave types and their policies (HR covering the whole organisation): the type's fields,
the annual-leave tiers and the entitlements by province, saved together. Entries already in the
ledger keep their meaning; a changed tier applies to what the accrual job computes from then on."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from talentloop.core.access import Actor
from talentloop.core.audit.services import audit_record
from talentloop.core.errors import InvalidInput, PermissionDenied, errors_from_validation
from talentloop.leave import access
from talentloop.leave.models import AnnualLeaveTier, LeaveCategory, LeaveEntitlement, LeaveType

TYPE_FIELDS = ("code", "name", "name_en", "category", "counting", "unit", "paid", "tracks_balance",
               "allow_negative", "requires_document", "hr_approval_over_days", "carry_over_max_days",
               "carry_over_expires_month", "hours_per_day", "is_active")
MAX_ROWS = 60


@dataclass(frozen=True)
class TierRow:
    min_years: int
    days: Decimal


@dataclass(frozen=True)
class EntitlementRow:
    province: str
    days: Decimal
    note: str = ""
    note_en: str = ""


def _decimal(value: Any) -> Decimal | None:
    try:
        number = Decimal(str(value))
    except (InvalidOperation, ValueError):
        return None
    return number if number.is_finite() else None


def validate_tiers(rows: list[TierRow]) -> list[str]:
    problems: list[str] = []
    seen: set[int] = set()
    if len(rows) > MAX_ROWS:
        problems.append(_("At most %(n)d rows.") % {"n": MAX_ROWS})
    for n, row in enumerate(rows, start=1):
        if not 0 <= row.min_years <= 60:
            problems.append(_("Row %(n)d: the years must be from 0 to 60.") % {"n": n})
        if not Decimal("0") <= row.days <= Decimal("366"):
            problems.append(_("Row %(n)d: the days must be from 0 to 366.") % {"n": n})
        if row.min_years in seen:
            problems.append(_("Row %(n)d: %(years)d years appear twice.") % {"n": n, "years": row.min_years})
        seen.add(row.min_years)
    return problems


def validate_entitlements(rows: list[EntitlementRow]) -> list[str]:
    problems: list[str] = []
    seen: set[str] = set()
    if len(rows) > MAX_ROWS:
        problems.append(_("At most %(n)d rows.") % {"n": MAX_ROWS})
    for n, row in enumerate(rows, start=1):
        if len(row.province) > 40:
            problems.append(_("Row %(n)d: the province name is too long.") % {"n": n})
        if not Decimal("0") < row.days <= Decimal("1000"):
            problems.append(_("Row %(n)d: the days must be more than 0 and at most 1000.") % {"n": n})
        if len(row.note) > 200 or len(row.note_en) > 200:
            problems.append(_("Row %(n)d: the note is too long.") % {"n": n})
        if row.province in seen:
            problems.append(_("Row %(n)d: this province appears twice.") % {"n": n})
        seen.add(row.province)
    return problems


@transaction.atomic
def leave_type_save(*, actor: Actor, leave_type: LeaveType | None = None, data: dict[str, Any],
                    tiers: list[TierRow] | None = None,
                    entitlements: list[EntitlementRow] | None = None) -> LeaveType:
    """Create a type (``leave_type`` None) or change the fields given in ``data``; ``tiers`` and
    ``entitlements``, when given, replace the type's rows. Everything is checked before anything is
    saved."""
    if not access.can_manage_leave_types(actor):
        raise PermissionDenied(_("Only HR covering the whole organisation keeps the leave types."))
    unknown = set(data) - set(TYPE_FIELDS)
    if unknown:
        raise InvalidInput(_("Unknown fields."), {name: [_("Unknown field.")] for name in sorted(unknown)})
    creating = leave_type is None
    obj = leave_type or LeaveType()
    before = {f: getattr(obj, f) for f in TYPE_FIELDS} if not creating else {}
    for name, value in data.items():
        setattr(obj, name, value)
    errors: dict[str, list[str]] = {}
    try:
        obj.full_clean()
    except ValidationError as exc:
        errors.update(errors_from_validation(exc))
    if obj.carry_over_expires_month is not None and not 1 <= int(obj.carry_over_expires_month) <= 12:
        errors.setdefault("carry_over_expires_month", []).append(_("Choose a month from 1 to 12."))
    if obj.hours_per_day is not None and not Decimal("0") < Decimal(obj.hours_per_day) <= Decimal("24"):
        errors.setdefault("hours_per_day", []).append(_("A day has more than 0 and at most 24 hours."))
    if Decimal(obj.carry_over_max_days or 0) < 0:
        errors.setdefault("carry_over_max_days", []).append(_("The days carried over cannot be negative."))
    if obj.category == LeaveCategory.ANNUAL and obj.tracks_balance and tiers is not None and not tiers:
        errors.setdefault("tiers", []).append(_("Annual leave drawn from a balance needs at least one tier."))
    if tiers is not None:
        problems = validate_tiers(tiers)
        if problems:
            errors.setdefault("tiers", []).extend(problems)
    if entitlements is not None:
        problems = validate_entitlements(entitlements)
        if problems:
            errors.setdefault("entitlements", []).extend(problems)
    if errors:
        raise InvalidInput(_("The leave type could not be saved."), errors)
    obj.save()
    if tiers is not None:
        AnnualLeaveTier.objects.filter(leave_type=obj).delete()
        AnnualLeaveTier.objects.bulk_create([AnnualLeaveTier(leave_type=obj, min_years=t.min_years, days=t.days)
                                             for t in tiers])
    if entitlements is not None:
        LeaveEntitlement.objects.filter(leave_type=obj).delete()
        LeaveEntitlement.objects.bulk_create([
            LeaveEntitlement(leave_type=obj, province=e.province, days=e.days, note=e.note, note_en=e.note_en)
            for e in entitlements])
    after = {f: getattr(obj, f) for f in TYPE_FIELDS}
    changes: dict[str, dict[str, Any]] = {k: {"before": str(before.get(k, "")), "after": str(v)}
                                          for k, v in after.items() if creating or before.get(k) != v}
    if tiers is not None:
        changes["tiers"] = {"after": [[t.min_years, str(t.days)] for t in tiers]}
    if entitlements is not None:
        changes["entitlements"] = {"after": [[e.province, str(e.days)] for e in entitlements]}
    audit_record(actor=actor, action="leave_type.create" if creating else "leave_type.update", obj=obj,
                 entity_label=obj.code, changes=changes)
    return obj


def parse_decimal(value: Any) -> Decimal | None:
    return _decimal(value)
