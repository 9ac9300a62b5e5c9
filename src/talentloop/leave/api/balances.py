"""Time API: leave balances as of a date with the ledger entries behind them, and HR's adjustment
(the same service as the balances page)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Literal

from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, File, Form, Query, Router, Schema, Status, UploadedFile

from talentloop.core.errors import InvalidInput, PermissionDenied
from talentloop.core.paging import PAGED_WAS_ARRAY, paginated
from talentloop.core.schemas import ERRORS, Id, InSchema
from talentloop.leave import access
from talentloop.leave.models import PriorService
from talentloop.leave.selectors.balances import (
    balance_person_get,
    balance_report,
    balance_type_get,
    my_prior_services,
    plain,
    prior_service_get,
    prior_services_to_review,
)
from talentloop.leave.selectors.ledger import balance
from talentloop.leave.services.balances import leave_balance_adjust
from talentloop.leave.services.prior_service import prior_service_decide, prior_service_submit

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
         "name_en": r.leave_type.name_en, "unit": r.leave_type.unit, "balance": r.balance_shown,
         "entries": [{"id": line.entry.pk, "kind": line.entry.kind, "effective_date": line.entry.effective_date,
                      "days": line.days_shown, "balance_after": line.running_shown, "reason": line.entry.reason,
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
                        "days": plain(Decimal(entry.days)), "balance_after": plain(running), "reason": entry.reason,
                        "created_by": _who(entry.created_by), "request_id": None})


# ---------------------------------------------------------------- prior service


class PriorServiceOut(Schema):
    id: int
    employee_id: int
    employer: str
    start: dt.date
    end: dt.date
    status: Literal["pending", "verified", "rejected"]
    verified_at: dt.datetime | None
    has_evidence: bool


class PriorServiceReviewQuery(InSchema):
    status: Literal["pending", "verified", "rejected", "all"] = "pending"


def _prior_out(row: PriorService) -> dict:
    return {"id": row.pk, "employee_id": row.employee_id, "employer": row.employer, "start": row.start,
            "end": row.end, "status": row.status, "verified_at": row.verified_at, "has_evidence": bool(row.evidence)}


@router.get("/prior-services", response={200: list[PriorServiceOut], **ERRORS},
            summary="My stated prior service for the annual-leave tier", description=PAGED_WAS_ARRAY)
@paginated(default=200, max_limit=500)
def prior_services_mine(request):
    return [_prior_out(r) for r in my_prior_services(request.actor)]


@router.post("/prior-services", response={201: PriorServiceOut, **ERRORS},
             summary="State prior service with evidence (a PDF or an image of at most 5 MB); HR verifies it")
def prior_services_post(request, employer: Form[str], start: Form[dt.date], end: Form[dt.date],
                        evidence: File[UploadedFile]):
    actor = request.actor
    if not access.can_request_leave(actor):
        raise PermissionDenied(_("Only people with an employee record state prior service."))
    row = prior_service_submit(actor=actor, employer=employer, start=start, end=end, evidence=evidence)
    return Status(201, _prior_out(row))


@router.get("/prior-services/review", response={200: list[PriorServiceOut], **ERRORS},
            summary="Prior service HR covering the people may verify or reject", description=PAGED_WAS_ARRAY)
@paginated(default=200, max_limit=500)
def prior_services_review(request, query: Query[PriorServiceReviewQuery]):
    if not access.can_review_prior_service(request.actor):
        raise PermissionDenied(_("Only HR verifies prior service."))
    return [_prior_out(r) for r in prior_services_to_review(request.actor, status=query.status)]


def _decide(request, prior_id: int, verify: bool) -> dict:
    actor = request.actor
    row = prior_service_get(actor, prior_id)
    if row is None:
        raise Http404
    if not access.can_manage_leave_of(actor, row.employee) or access.is_self(actor, row.employee):
        raise PermissionDenied(_("Only HR covering the person verifies their prior service."))
    return _prior_out(prior_service_decide(actor=actor, prior_service=row, verify=verify))


@router.post("/prior-services/{prior_id}/verify", response={200: PriorServiceOut, **ERRORS},
             summary="Verify stated prior service: it counts towards the annual-leave tier from the next accrual")
def prior_services_verify(request, prior_id: Id):
    return _decide(request, prior_id, True)


@router.post("/prior-services/{prior_id}/reject", response={200: PriorServiceOut, **ERRORS},
             summary="Reject stated prior service")
def prior_services_reject(request, prior_id: Id):
    return _decide(request, prior_id, False)
