"""Time API: leave requests under ``/api/v1/time/leave-requests`` — list (filtered, paged), submit,
one request with its steps, approve, reject, cancel. The same services as the pages."""

from __future__ import annotations

import base64
import binascii
import datetime as dt
from decimal import Decimal
from typing import Literal

from django.core.files.base import ContentFile
from django.http import Http404
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status

from talentloop.core.errors import InvalidInput
from talentloop.core.paging import paginated
from talentloop.core.schemas import ERRORS, Id, InSchema
from talentloop.leave import access
from talentloop.leave.models import LeaveRequest
from talentloop.leave.selectors import requests as selectors
from talentloop.leave.services import requests as services

router = Router()

StatusLiteral = Literal["pending", "approved", "rejected", "cancelled"]
HalfLiteral = Literal["am", "pm"]


class LeaveDocumentIn(InSchema):
    name: str = Field(..., min_length=1, max_length=120, description="File name, e.g. certificate.pdf")
    content_base64: str = Field(..., min_length=4, max_length=7_000_000,
                                description="The file, base64: PDF, JPEG or PNG, at most 5 MB")


class LeaveRequestIn(InSchema):
    leave_type_id: Id
    start: dt.date
    end: dt.date
    start_half: HalfLiteral = "am"
    end_half: HalfLiteral = "pm"
    hours: Decimal | None = Field(None, gt=0, le=24, max_digits=5, decimal_places=2)
    reason: str = Field("", max_length=300)
    document: LeaveDocumentIn | None = None
    employee_id: Id | None = Field(None, description="HR only: request for someone they cover")


class LeaveNoteIn(InSchema):
    note: str = Field("", max_length=300)


class LeaveStepOut(Schema):
    order: int
    role: str
    approver_id: int | None
    approver_name: str | None
    decision: str
    decided_at: dt.datetime | None
    note: str


class _LeaveRequestFields(Schema):
    id: int
    employee_id: int
    employee_name: str
    leave_type_id: int
    leave_type_code: str
    leave_type_name: str
    start: dt.date
    end: dt.date
    start_half: str
    end_half: str
    hours: Decimal | None
    days: Decimal
    reason: str
    has_document: bool
    status: str
    created_at: dt.datetime
    decided_at: dt.datetime | None


class LeaveRequestOut(_LeaveRequestFields):
    @staticmethod
    def resolve_employee_name(obj) -> str:
        return obj.employee.display_name

    @staticmethod
    def resolve_leave_type_code(obj) -> str:
        return obj.leave_type.code

    @staticmethod
    def resolve_leave_type_name(obj) -> str:
        return obj.leave_type.label

    @staticmethod
    def resolve_has_document(obj) -> bool:
        return bool(obj.document)


class LeaveRequestDetailOut(_LeaveRequestFields):
    steps: list[LeaveStepOut]
    can_decide: bool
    can_cancel: bool


class LeaveRequestFilters(InSchema):
    status: StatusLiteral | None = None
    employee_id: Id | None = None
    start: dt.date | None = Field(None, description="Requests ending on or after this date")
    end: dt.date | None = Field(None, description="Requests starting on or before this date")
    mine: bool = False


def _get(request, request_id: int) -> LeaveRequest:
    found = selectors.leave_request_get(request.actor, request_id)
    if found is None:
        raise Http404
    return found


def _detail(request, request_id: int) -> dict:
    actor = request.actor
    r = _get(request, request_id)
    step = selectors.current_step(r)
    out = {"id": r.pk, "employee_id": r.employee_id, "employee_name": r.employee.display_name,
           "leave_type_id": r.leave_type_id, "leave_type_code": r.leave_type.code,
           "leave_type_name": r.leave_type.label, "start": r.start, "end": r.end, "start_half": r.start_half,
           "end_half": r.end_half, "hours": r.hours, "days": r.days, "reason": r.reason,
           "has_document": bool(r.document), "status": r.status, "created_at": r.created_at,
           "decided_at": r.decided_at}
    out["steps"] = [{"order": s.order, "role": s.role, "approver_id": s.approver_id,
                     "approver_name": s.approver.display_name if s.approver else None, "decision": s.decision,
                     "decided_at": s.decided_at, "note": s.note} for s in r.steps.all()]
    out["can_decide"] = step is not None and access.can_decide_step(actor, step)
    out["can_cancel"] = r.status in ("pending", "approved") and access.can_cancel_leave(actor, r)
    return out


@router.get("/leave-requests", response={200: list[LeaveRequestOut], **ERRORS},
            summary="Leave requests I may see: mine, my team's, delegated to me, HR's scope; newest first")
@paginated(default=50, max_limit=200)
def leave_requests_list(request, filters: Query[LeaveRequestFilters]):
    return selectors.leave_request_list(request.actor, status=filters.status, employee_id=filters.employee_id,
                                        start=filters.start, end=filters.end, mine=filters.mine)


@router.post("/leave-requests", response={201: LeaveRequestDetailOut, **ERRORS},
             summary="Request leave (days counted by the type: workdays or calendar days, half days, hours); "
                     "refused with the reason when over the balance, overlapping, or on no workday")
def leave_requests_post(request, data: LeaveRequestIn):
    actor = request.actor
    errors: dict[str, list[str]] = {}
    leave_type = selectors.requestable_type_get(actor, data.leave_type_id)
    if leave_type is None:
        errors["leave_type_id"] = [_("No such leave type in use.")]
    employee = None
    if data.employee_id is not None:
        employee = selectors.leave_person_get(actor, data.employee_id)
        if employee is None:
            errors["employee_id"] = [_("No one with this id whose leave you may record.")]
    document = None
    if data.document is not None:
        try:
            raw = base64.b64decode(data.document.content_base64, validate=True)
        except (binascii.Error, ValueError):
            errors["document"] = [_("The document is not valid base64.")]
        else:
            document = ContentFile(raw, name=data.document.name.replace("/", "_").replace("\\", "_"))
    if errors:
        raise InvalidInput(_("Please correct the errors below."), errors)
    assert leave_type is not None
    created = services.leave_request_submit(
        actor, leave_type=leave_type, start=data.start, end=data.end, start_half=data.start_half,
        end_half=data.end_half, hours=data.hours if leave_type.unit == "hour" else None, reason=data.reason,
        document=document, employee=employee)
    return Status(201, _detail(request, created.pk))


@router.get("/leave-requests/{int:request_id}", response={200: LeaveRequestDetailOut, **ERRORS},
            summary="One leave request with its approval steps")
def leave_request_get(request, request_id: int):
    return _detail(request, request_id)


@router.post("/leave-requests/{int:request_id}/approve", response={200: LeaveRequestDetailOut, **ERRORS},
             summary="Approve the step waiting for me (the last approval takes the days from the balance)")
def leave_request_approve(request, request_id: int, data: LeaveNoteIn | None = None):
    services.leave_request_decide(request.actor, request=_get(request, request_id), decision="approved",
                                  note=data.note if data else "")
    return _detail(request, request_id)


@router.post("/leave-requests/{int:request_id}/reject", response={200: LeaveRequestDetailOut, **ERRORS},
             summary="Reject the step waiting for me: the request closes")
def leave_request_reject(request, request_id: int, data: LeaveNoteIn | None = None):
    services.leave_request_decide(request.actor, request=_get(request, request_id), decision="rejected",
                                  note=data.note if data else "")
    return _detail(request, request_id)


@router.post("/leave-requests/{int:request_id}/cancel", response={200: LeaveRequestDetailOut, **ERRORS},
             summary="Cancel leave (the person before it starts, HR any time); approved days go back to the balance")
def leave_request_cancel(request, request_id: int, data: LeaveNoteIn | None = None):
    services.leave_request_cancel(request.actor, request=_get(request, request_id), note=data.note if data else "")
    return _detail(request, request_id)
