"""Time API: overtime requests (``/overtime-requests``) and clock corrections (``/corrections``), each
with ``/{id}/approve``, ``/{id}/reject`` and ``/{id}/cancel``. The same services as the pages."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Literal

from django.http import Http404
from ninja import Field, Query, Router, Schema, Status

from talentloop.attendance.models import Correction, OvertimeRequest
from talentloop.attendance.overtime import describe_breach
from talentloop.attendance.selectors import requests as selectors
from talentloop.attendance.services import corrections as correction_services
from talentloop.attendance.services import overtime as overtime_services
from talentloop.core.access import Actor
from talentloop.core.paging import PAGED, SelectorPage, paginated
from talentloop.core.schemas import ERRORS, InSchema

router = Router()

StatusLiteral = Literal["pending", "approved", "rejected", "cancelled"]


class OvertimeIn(InSchema):
    kind: Literal["before", "after"] = Field("before", description="Asked for before, or recorded after "
                                                                   "(when the policy allows)")
    start: dt.datetime = Field(description="Without a zone: the organisation's local time")
    end: dt.datetime
    reason: str = Field(..., min_length=1, max_length=300)
    compensation: Literal["pay", "in_lieu"] | None = Field(
        None, description="Empty: as the policy says. Time off in lieu only for rest-day overtime.")


class OvertimeOut(Schema):
    id: int
    employee_id: int
    employee_name: str
    kind: str
    work_date: dt.date
    start: dt.datetime
    end: dt.datetime
    minutes: int = Field(description="Overtime minutes counted (under comprehensive hours only those over "
                                     "the period's standard hours)")
    day_class: str
    multiplier: Decimal
    compensation: str
    cap_breach: str = Field(description="Empty, or the legal cap exceeded, in the reader's language")
    reason: str
    status: str
    decided_at: dt.datetime | None
    decision_note: str


class CorrectionIn(InSchema):
    work_date: dt.date
    at: dt.datetime = Field(description="The missed punch; on the work date or the next morning (night "
                                        "shift). Without a zone: the organisation's local time")
    direction: Literal["in", "out"]
    reason: str = Field(..., min_length=1, max_length=300)


class CorrectionOut(Schema):
    id: int
    employee_id: int
    employee_name: str
    work_date: dt.date
    at: dt.datetime
    direction: str
    reason: str
    status: str
    decided_at: dt.datetime | None
    decision_note: str


class DecisionIn(InSchema):
    note: str = Field("", max_length=300)


class RequestQuery(InSchema):
    status: StatusLiteral | None = None
    mine: bool = Field(False, description="Only my own")
    awaiting: bool = Field(False, description="Only those pending that I may approve (status is ignored)")


def _overtime_out(o: OvertimeRequest) -> dict:
    return {"id": o.pk, "employee_id": o.employee_id, "employee_name": o.employee.display_name, "kind": o.kind,
            "work_date": o.work_date, "start": o.start, "end": o.end, "minutes": o.minutes,
            "day_class": o.day_class, "multiplier": o.multiplier, "compensation": o.compensation,
            "cap_breach": describe_breach(o.cap_breach), "reason": o.reason, "status": o.status,
            "decided_at": o.decided_at, "decision_note": o.decision_note}


def _correction_out(c: Correction) -> dict:
    return {"id": c.pk, "employee_id": c.employee_id, "employee_name": c.employee.display_name,
            "work_date": c.work_date, "at": c.at, "direction": c.direction, "reason": c.reason,
            "status": c.status, "decided_at": c.decided_at, "decision_note": c.decision_note}


def _page(qs, out) -> SelectorPage:
    """One page of a scoped queryset, each row shaped by ``out`` (a count and one slice)."""

    def read(limit: int, offset: int) -> tuple[list[dict], int]:
        count = qs.count()
        return ([out(row) for row in qs[offset:offset + limit]] if count else []), count

    return SelectorPage(read)


# ---------------------------------------------------------------- the records and their decisions


@dataclass(frozen=True)
class _Decidable:
    """One kind of time request: how to fetch it through access, the services per verb (each takes
    ``actor``, the record under ``arg`` and ``note``) and how it is shaped for the answer."""

    get: Callable[[Actor, int], Any]
    services: dict[str, Callable[..., Any]]
    arg: str
    out: Callable[[Any], dict]


_DECIDABLE = {
    "overtime": _Decidable(selectors.overtime_get, {"approve": overtime_services.overtime_approve,
                                                     "reject": overtime_services.overtime_reject,
                                                     "cancel": overtime_services.overtime_cancel},
                           "request", _overtime_out),
    "correction": _Decidable(selectors.correction_get, {"approve": correction_services.correction_approve,
                                                         "reject": correction_services.correction_reject,
                                                         "cancel": correction_services.correction_cancel},
                             "correction", _correction_out),
}


def _fetch(request, kind: str, pk: int):
    record = _DECIDABLE[kind].get(request.actor, pk)
    if record is None:
        raise Http404
    return record


def _one(request, kind: str, pk: int) -> dict:
    return _DECIDABLE[kind].out(_fetch(request, kind, pk))


def _decide(request, kind: str, verb: str, pk: int, data: DecisionIn | None) -> dict:
    """Approve, reject or cancel through the kind's service; the answer is the record read again."""
    spec = _DECIDABLE[kind]
    done = spec.services[verb](actor=request.actor, note=data.note if data else "",
                               **{spec.arg: _fetch(request, kind, pk)})
    return _one(request, kind, done.pk)


# ---------------------------------------------------------------- overtime


@router.get("/overtime-requests", response={200: list[OvertimeOut], **ERRORS},
            summary="Overtime requests I may see (mine, my team's, HR's scope)", description=PAGED)
@paginated(default=50, max_limit=200)
def overtime_list(request, query: Query[RequestQuery]):
    actor = request.actor
    if query.awaiting:
        qs = selectors.overtime_awaiting_list(actor)
    else:
        qs = selectors.overtime_list(actor, mine=query.mine, status=query.status or "")
    return _page(qs, _overtime_out)


@router.post("/overtime-requests", response={201: OvertimeOut, **ERRORS},
             summary="Ask for overtime (mine); classified by the calendar, refused with the reasons")
def overtime_post(request, data: OvertimeIn):
    o = overtime_services.overtime_submit(actor=request.actor, kind=data.kind, start=data.start, end=data.end,
                                          reason=data.reason, compensation=data.compensation)
    return Status(201, _one(request, "overtime", o.pk))


@router.get("/overtime-requests/{int:overtime_id}", response={200: OvertimeOut, **ERRORS},
            summary="An overtime request")
def overtime_get(request, overtime_id: int):
    return _one(request, "overtime", overtime_id)


@router.post("/overtime-requests/{int:overtime_id}/approve", response={200: OvertimeOut, **ERRORS},
             summary="Approve pending overtime (classified again; a cap breach is flagged to HR)")
def overtime_approve(request, overtime_id: int, data: DecisionIn | None = None):
    return _decide(request, "overtime", "approve", overtime_id, data)


@router.post("/overtime-requests/{int:overtime_id}/reject", response={200: OvertimeOut, **ERRORS},
             summary="Reject pending overtime")
def overtime_reject(request, overtime_id: int, data: DecisionIn | None = None):
    return _decide(request, "overtime", "reject", overtime_id, data)


@router.post("/overtime-requests/{int:overtime_id}/cancel", response={200: OvertimeOut, **ERRORS},
             summary="Cancel overtime: mine while pending; HR also approved overtime")
def overtime_cancel(request, overtime_id: int, data: DecisionIn | None = None):
    return _decide(request, "overtime", "cancel", overtime_id, data)


# ---------------------------------------------------------------- corrections


@router.get("/corrections", response={200: list[CorrectionOut], **ERRORS},
            summary="Clock corrections I may see (mine, my team's, HR's scope)", description=PAGED)
@paginated(default=50, max_limit=200)
def correction_list(request, query: Query[RequestQuery]):
    actor = request.actor
    if query.awaiting:
        qs = selectors.corrections_awaiting_list(actor)
    else:
        qs = selectors.correction_list(actor, mine=query.mine, status=query.status or "")
    return _page(qs, _correction_out)


@router.post("/corrections", response={201: CorrectionOut, **ERRORS},
             summary="Ask to add a missed punch (mine); the original punches stay")
def correction_post(request, data: CorrectionIn):
    c = correction_services.correction_submit(actor=request.actor, work_date=data.work_date, at=data.at,
                                              direction=data.direction, reason=data.reason)
    return Status(201, _one(request, "correction", c.pk))


@router.get("/corrections/{int:correction_id}", response={200: CorrectionOut, **ERRORS},
            summary="A clock correction")
def correction_get(request, correction_id: int):
    return _one(request, "correction", correction_id)


@router.post("/corrections/{int:correction_id}/approve", response={200: CorrectionOut, **ERRORS},
             summary="Approve a correction: the punch is added as a clock event (source correction)")
def correction_approve(request, correction_id: int, data: DecisionIn | None = None):
    return _decide(request, "correction", "approve", correction_id, data)


@router.post("/corrections/{int:correction_id}/reject", response={200: CorrectionOut, **ERRORS},
             summary="Reject a correction")
def correction_reject(request, correction_id: int, data: DecisionIn | None = None):
    return _decide(request, "correction", "reject", correction_id, data)


@router.post("/corrections/{int:correction_id}/cancel", response={200: CorrectionOut, **ERRORS},
             summary="Withdraw a pending correction (mine, or HR)")
def correction_cancel(request, correction_id: int, data: DecisionIn | None = None):
    return _decide(request, "correction", "cancel", correction_id, data)
