"""Writing the ledger: every balance movement goes through ``ledger_post``; entries are never
updated or deleted (the model refuses to), and a key written twice is written once."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from talentloop.accounts.models import User
from talentloop.core.errors import InvalidInput
from talentloop.leave.models import EntryKind, LeaveRequest, LedgerEntry

SIGNS = {
    EntryKind.ACCRUAL: 1, EntryKind.RETURN: 1, EntryKind.CARRY_OVER: 1,
    EntryKind.USE: -1, EntryKind.EXPIRY: -1,
}


def ledger_post(*, by: User | None, employee_id: int, leave_type_id: int, kind: str, effective_date: dt.date,
                days: Decimal, reason: str, key: str, request: LeaveRequest | None = None) -> LedgerEntry | None:
    """Adds one entry; ``None`` when an entry with ``key`` exists already (the job ran before).
    ``days`` carries its sign: accruals, returns and carry-overs add, uses and expiries take,
    adjustments either way."""
    sign = SIGNS.get(EntryKind(kind))
    if sign is not None and days * sign < 0:
        raise InvalidInput(_("The sign of the days does not fit the kind of entry."),
                           {"days": [_("The sign of the days does not fit the kind of entry.")]})
    if LedgerEntry.objects.filter(key=key).exists():
        return None
    entry = LedgerEntry(employee_id=employee_id, leave_type_id=leave_type_id, kind=kind,
                        effective_date=effective_date, days=days, reason=reason[:300], key=key,
                        request=request, created_by=by)
    entry.full_clean(exclude=["employee", "leave_type", "request", "created_by"])
    try:
        with transaction.atomic():
            entry.save()
    except IntegrityError:  # a concurrent run wrote the same key first
        return None
    return entry
