"""Time API: leave balances as of a date with the ledger entries behind them, and HR's adjustment
(the same service as the balances page)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status

from talentloop.core.errors import InvalidInput, PermissionDenied
from talentloop.core.schemas import ERRORS, Id, InSchema
from talentloop.leave import access
from talentloop.leave.selectors.balances import balance_person_get, balance_report, balance_type_get
from talentloop.leave.selectors.ledger import balance
from talentloop.leave.services.balances import leave_balance_adjust

router = Router()


class BalanceQuery(InSchema):
    employee: Id | None = Field(None, description="the person's id; empty: my own balances")
    as_of: dt.date | None = Field(None, description="ISO date; empty: today in the organisation's time zone")


class EntryOut(Schema):
    id: int | None
    kind: str
    effective_date: dt.date
    days: Decimal
    balance_after: Decimal
    reason: str
    created_by: str | None = Field(None, description="who wrote it; null: the daily accrual job")
    request_id: int | None


class BalanceOut(Schema):
    leave_type_id: int
    code: str
    name: str
    name_en: str
    unit: str
    balance: Decimal
    entries: list[EntryOut]


class BalancesOut(Schema):
    employee_id: int
    as_of: dt.date
    balances: list[BalanceOut]


class AdjustIn(InSchema):
    employee_id: Id
    leave_type_id: Id
    days: Decimal = Field(..., ge=-366, le=366, max_digits=7, decimal_places=3,
                          description="positive adds, negative takes away")
    effective_date: dt.date
    reason: str = Field(..., min_length=1, max_length=300)


def _who(user) -> str | None:
    if user is None:
        return None
    return getattr(user, "display_name", "") or user.get_username()


@router.get("/leave-balances", response={200: BalancesOut, **ERRORS},
            summary="A person's balances as of a date, each with its ledger entries (my own without employee)")
def leave_balances(request, query: Query[BalanceQuery]):
    actor = request.actor
    person = balance_person_get(actor, query.employee)
    if person is None:
        raise Http404
    as_of = query.as_of or timezone.localdate()
    rows = balance_report(actor, person, as_of)
    return {"employee_id": person.pk, "as_of": as_of, "balances": [
        {"leave_type_id": r.leave_type.pk, "code": r.leave_type.code, "name": r.leave_type.name,
         "name_en": r.leave_type.name_en, "unit": r.leave_type.unit, "balance": r.balance,
         "entries": [{"id": line.entry.pk, "kind": line.entry.kind, "effective_date": line.entry.effective_date,
                      "days": line.entry.days, "balance_after": line.running, "reason": line.entry.reason,
                      "created_by": _who(line.entry.created_by), "request_id": line.entry.request_id}
                     for line in r.lines]} for r in rows]}


@router.post("/leave-balances/adjust", response={201: EntryOut, **ERRORS},
             summary="Adjust a balance by a new ledger entry with its reason (HR covering the person)")
def leave_balances_adjust(request, data: AdjustIn):
    actor = request.actor
    person = balance_person_get(actor, data.employee_id)
    if person is None:
        raise Http404
    if not access.can_manage_leave_of(actor, person) or access.is_self(actor, person):
        raise PermissionDenied(_("Only HR covering the person adjusts their balance."))
    leave_type = balance_type_get(actor, data.leave_type_id)
    if leave_type is None:
        raise InvalidInput(_("No such leave type."), {"leave_type_id": [_("No such leave type.")]})
    entry = leave_balance_adjust(actor=actor, employee=person, leave_type=leave_type, days=data.days,
                                 effective_date=data.effective_date, reason=data.reason)
    running = balance(employee_id=person.pk, leave_type_id=leave_type.pk, as_of=entry.effective_date)
    return Status(201, {"id": entry.pk, "kind": entry.kind, "effective_date": entry.effective_date,
                        "days": entry.days, "balance_after": running, "reason": entry.reason,
                        "created_by": _who(entry.created_by), "request_id": None})
