"""Balances: the sum of the ledger as of a date, in one query for one person or for many."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from decimal import Decimal

from django.db.models import QuerySet, Sum
from django.db.models.functions import Coalesce

from talentloop.leave.models import LedgerEntry

ZERO = Decimal("0")


def balance(*, employee_id: int, leave_type_id: int, as_of: dt.date) -> Decimal:
    """One balance as of a date (the entries effective on or before it): one query."""
    total = LedgerEntry.objects.filter(employee_id=employee_id, leave_type_id=leave_type_id,
                                       effective_date__lte=as_of).aggregate(
        total=Coalesce(Sum("days"), ZERO))["total"]
    return Decimal(total)


def balances(*, employee_ids: Iterable[int], as_of: dt.date) -> dict[int, dict[int, Decimal]]:
    """``{employee_id: {leave_type_id: days}}`` for many people as of a date: one grouped query."""
    out: dict[int, dict[int, Decimal]] = defaultdict(dict)
    rows = (LedgerEntry.objects.filter(employee_id__in=list(employee_ids), effective_date__lte=as_of)
            .values_list("employee_id", "leave_type_id").annotate(total=Sum("days")).order_by())
    for employee_id, type_id, total in rows:
        out[employee_id][type_id] = Decimal(total)
    return dict(out)


def entries(*, employee_id: int, leave_type_id: int | None = None,
            as_of: dt.date | None = None) -> QuerySet[LedgerEntry]:
    """The ledger lines behind a balance, oldest first (one query)."""
    qs = LedgerEntry.objects.filter(employee_id=employee_id).select_related("leave_type")
    if leave_type_id is not None:
        qs = qs.filter(leave_type_id=leave_type_id)
    if as_of is not None:
        qs = qs.filter(effective_date__lte=as_of)
    return qs.order_by("effective_date", "id")
