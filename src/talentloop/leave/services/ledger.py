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


def ledger_post_many(*, by: User | None, entries: list[LedgerEntry]) -> list[LedgerEntry]:
    """Adds many entries at once (the accrual job): every entry's sign is checked first and nothing is
    written when one is wrong; keys already in the ledger are skipped (one query), and a key written
    concurrently is ignored by the insert. Returns the entries offered for insertion."""
    for entry in entries:
        sign = SIGNS.get(EntryKind(entry.kind))
        if sign is not None and entry.days * sign < 0:
            raise InvalidInput(_("The sign of the days does not fit the kind of entry."),
                               {"days": [_("The sign of the days does not fit the kind of entry.")]})
        if not entry.key or not entry.reason:
            raise InvalidInput(_("Every ledger entry needs a key and a reason."),
                               {"reason": [_("Every ledger entry needs a key and a reason.")]})
    keys = [e.key for e in entries]
    existing: set[str] = set()
    for start in range(0, len(keys), 2000):
        existing.update(LedgerEntry.objects.filter(key__in=keys[start:start + 2000]).values_list("key", flat=True))
    fresh: list[LedgerEntry] = []
    seen: set[str] = set()
    for entry in entries:
        if entry.key in existing or entry.key in seen:
            continue
        seen.add(entry.key)
        entry.reason = entry.reason[:300]
        if by is not None and entry.created_by_id is None:
            entry.created_by = by
        fresh.append(entry)
    with transaction.atomic():
        LedgerEntry.objects.bulk_create(fresh, batch_size=1000, ignore_conflicts=True)
    return fresh
