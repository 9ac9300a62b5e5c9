"""Time API: leave types and their policies (everyone reads the active ones; HR covering the whole
organisation creates and changes them)."""

from __future__ import annotations

from decimal import Decimal
from typing import Literal

from django.http import Http404
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema, Status

from talentloop.core.errors import PermissionDenied
from talentloop.core.paging import PAGED_WAS_ARRAY, paginated
from talentloop.core.schemas import ERRORS, Id, InSchema
from talentloop.leave import access
from talentloop.leave.models import LeaveType
from talentloop.leave.selectors.types import leave_type_get, leave_type_list
from talentloop.leave.services.types import EntitlementRow, TierRow, leave_type_save

router = Router()

Category = Literal["annual", "sick", "marriage", "maternity", "paternity", "parental", "bereavement", "personal",
                   "in_lieu", "other"]


class TierIO(InSchema):
    min_years: int = Field(..., ge=0, le=60)
    days: Decimal = Field(..., ge=0, le=366, max_digits=5, decimal_places=1)


class EntitlementIO(InSchema):
    province: str = Field("", max_length=40, description="empty: the national entitlement")
    days: Decimal = Field(..., gt=0, le=1000, max_digits=6, decimal_places=1)
    note: str = Field("", max_length=200)
    note_en: str = Field("", max_length=200)


class LeaveTypeOut(Schema):
    id: int
    code: str
    name: str
    name_en: str
    category: str
    counting: Literal["workdays", "calendar"]
    unit: Literal["day", "half_day", "hour"]
    paid: bool
    tracks_balance: bool
    allow_negative: bool
    requires_document: bool
    hr_approval_over_days: Decimal | None
    carry_over_max_days: Decimal
    carry_over_expires_month: int
    hours_per_day: Decimal
    is_active: bool
    tiers: list[TierIO]
    entitlements: list[EntitlementIO]


class LeaveTypePatch(InSchema):
    code: str | None = Field(None, min_length=1, max_length=40, pattern=r"^[-a-zA-Z0-9_]+$")
    name: str | None = Field(None, min_length=1, max_length=80)
    name_en: str | None = Field(None, max_length=80)
    category: Category | None = None
    counting: Literal["workdays", "calendar"] | None = None
    unit: Literal["day", "half_day", "hour"] | None = None
    paid: bool | None = None
    tracks_balance: bool | None = None
    allow_negative: bool | None = None
    requires_document: bool | None = None
    hr_approval_over_days: Decimal | None = Field(None, ge=0, le=999, max_digits=5, decimal_places=1)
    carry_over_max_days: Decimal | None = Field(None, ge=0, le=999, max_digits=5, decimal_places=1)
    carry_over_expires_month: int | None = Field(None, ge=1, le=12)
    hours_per_day: Decimal | None = Field(None, gt=0, le=24, max_digits=4, decimal_places=2)
    is_active: bool | None = None
    tiers: list[TierIO] | None = Field(None, max_length=60)
    entitlements: list[EntitlementIO] | None = Field(None, max_length=60)


class LeaveTypeIn(LeaveTypePatch):
    code: str = Field(..., min_length=1, max_length=40, pattern=r"^[-a-zA-Z0-9_]+$")
    name: str = Field(..., min_length=1, max_length=80)
    category: Category


def type_out(t: LeaveType) -> dict:
    return {"id": t.pk, "code": t.code, "name": t.name, "name_en": t.name_en, "category": t.category,
            "counting": t.counting, "unit": t.unit, "paid": t.paid, "tracks_balance": t.tracks_balance,
            "allow_negative": t.allow_negative, "requires_document": t.requires_document,
            "hr_approval_over_days": t.hr_approval_over_days, "carry_over_max_days": t.carry_over_max_days,
            "carry_over_expires_month": t.carry_over_expires_month, "hours_per_day": t.hours_per_day,
            "is_active": t.is_active,
            "tiers": [{"min_years": r.min_years, "days": r.days} for r in t.tiers.all()],
            "entitlements": [{"province": e.province, "days": e.days, "note": e.note, "note_en": e.note_en}
                             for e in t.entitlements.all()]}


def _save_args(data: LeaveTypePatch) -> dict:
    fields = data.model_dump(exclude_unset=True)
    tiers = fields.pop("tiers", None)
    entitlements = fields.pop("entitlements", None)
    if "name_en" in fields and fields["name_en"] is None:
        fields["name_en"] = ""
    # A field sent as null keeps its value, except the optional HR threshold, which null clears.
    fields = {k: v for k, v in fields.items() if v is not None or k == "hr_approval_over_days"}
    return {"data": fields,
            "tiers": None if tiers is None else [TierRow(int(t["min_years"]), Decimal(t["days"])) for t in tiers],
            "entitlements": None if entitlements is None else [
                EntitlementRow(e["province"].strip(), Decimal(e["days"]), e.get("note", ""), e.get("note_en", ""))
                for e in entitlements]}


@router.get("/leave-types", response={200: list[LeaveTypeOut], **ERRORS},
            summary="Leave types and their policies: the active ones (HR and admins: all)",
            description=PAGED_WAS_ARRAY)
@paginated(default=100, max_limit=500)
def leave_types_list(request):
    return [type_out(t) for t in leave_type_list(request.actor)]


@router.post("/leave-types", response={201: LeaveTypeOut, **ERRORS},
             summary="Create a leave type with its tiers and provincial entitlements (HR, whole organisation)")
def leave_types_post(request, data: LeaveTypeIn):
    actor = request.actor
    if not access.can_manage_leave_types(actor):
        raise PermissionDenied(_("Only HR covering the whole organisation keeps the leave types."))
    saved = leave_type_save(actor=actor, **_save_args(data))
    return Status(201, type_out(leave_type_get(actor, saved.pk)))


@router.patch("/leave-types/{type_id}", response={200: LeaveTypeOut, **ERRORS},
              summary="Change a leave type; tiers and entitlements, when sent, replace the type's rows")
def leave_types_patch(request, type_id: Id, data: LeaveTypePatch):
    actor = request.actor
    leave_type = leave_type_get(actor, type_id)
    if leave_type is None:
        raise Http404
    if not access.can_manage_leave_types(actor):
        raise PermissionDenied(_("Only HR covering the whole organisation keeps the leave types."))
    leave_type_save(actor=actor, leave_type=leave_type, **_save_args(data))
    return type_out(leave_type_get(actor, type_id))
