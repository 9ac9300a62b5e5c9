"""HR's adjustment of a balance: a new ledger entry with its reason and who wrote it, never a change
of an existing one."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.db import transaction
from django.urls import reverse
from django.utils.crypto import get_random_string
from django.utils.translation import gettext as _

from talentloop.core.access import Actor
from talentloop.core.audit.services import audit_record
from talentloop.core.errors import InvalidInput, PermissionDenied
from talentloop.leave import access
from talentloop.leave.models import EntryKind, LeaveType, LedgerEntry
from talentloop.leave.services.ledger import ledger_post
from talentloop.notifications.services import Item, notify_after_commit
from talentloop.organisation.models import Employee

MAX_ADJUST_DAYS = Decimal("366")
EARLIEST = dt.date(2000, 1, 1)


@transaction.atomic
def leave_balance_adjust(*, actor: Actor, employee: Employee, leave_type: LeaveType, days: Decimal,
                         effective_date: dt.date, reason: str) -> LedgerEntry:
    """Adds ``days`` (negative takes away) to the person's balance of a type drawn from a balance, as
    of ``effective_date``. HR covering the person, never for themselves; a reason is required."""
    if not access.can_manage_leave_of(actor, employee) or access.is_self(actor, employee):
        raise PermissionDenied(_("Only HR covering the person adjusts their balance."))
    errors: dict[str, list[str]] = {}
    reason = (reason or "").strip()
    if not reason:
        errors["reason"] = [_("Say why the balance changes.")]
    elif len(reason) > 300:
        errors["reason"] = [_("The reason may be at most 300 characters.")]
    if not leave_type.tracks_balance:
        errors["leave_type"] = [_("This leave type is not drawn from a balance.")]
    if days == 0:
        errors["days"] = [_("An adjustment of zero days changes nothing.")]
    elif abs(days) > MAX_ADJUST_DAYS or days != days.quantize(Decimal("0.001")):
        errors["days"] = [_("Adjust by at most 366 days, to three decimals.")]
    if not EARLIEST <= effective_date <= dt.date(2100, 12, 31):
        errors["effective_date"] = [_("Choose a date from 2000 on.")]
    if errors:
        raise InvalidInput(next(iter(errors.values()))[0], errors)
    entry = ledger_post(by=actor.user, employee_id=employee.pk, leave_type_id=leave_type.pk,
                        kind=EntryKind.ADJUSTMENT, effective_date=effective_date, days=days, reason=reason,
                        key=f"adjust:{employee.pk}:{get_random_string(24)}")
    assert entry is not None  # a fresh random key is never in the ledger
    audit_record(actor=actor, action="leave_balance.adjust", obj=entry, entity_label=employee.display_name,
                 changes={"leave_type": {"after": leave_type.code}, "days": {"after": str(days)},
                          "effective_date": {"after": effective_date.isoformat()}, "reason": {"after": reason}})
    notify_after_commit(kind="leave_balance_adjusted", items=[Item(
        employee.pk, {"type": leave_type.name, "type_en": leave_type.name_en, "days": f"{days.normalize():f}",
                      "date": effective_date.isoformat(), "reason": reason},
        reverse("leave:balance-list"), f"leave-adjust:{entry.key}")])
    return entry
