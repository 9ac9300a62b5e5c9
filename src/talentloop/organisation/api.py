from __future__ import annotations

import datetime as dt
from typing import Literal

from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema

from talentloop.core.errors import InvalidInput
from talentloop.core.http import get_or_404
from talentloop.core.schemas import ERRORS
from talentloop.organisation import access, selectors, services
from talentloop.organisation.models import EmploymentStatus, EventKind

router = Router(tags=["organisation"])

StatusLiteral = Literal["active", "on_leave", "terminated"]
EventKindLiteral = Literal["hire", "transfer", "promotion", "demotion", "leave", "return", "termination"]


class RefOut(Schema):
    id: int
    code: str
    name: str


class PersonRefOut(Schema):
    id: int
    employee_number: str
    name: str


class EmployeeOut(Schema):
    id: int
    employee_number: str
    name: str
    name_en: str
    email: str
    phone: str
    hire_date: dt.date
    termination_date: dt.date | None
    status: StatusLiteral
    level: int
    org_unit: RefOut
    job_family: RefOut
    position: RefOut | None
    manager: PersonRefOut | None
    national_id_masked: str
    bank_account_masked: str

    @staticmethod
    def resolve_national_id_masked(obj) -> str:
        from talentloop.core.crypto import mask

        return mask(obj.national_id)

    @staticmethod
    def resolve_bank_account_masked(obj) -> str:
        from talentloop.core.crypto import mask

        return mask(obj.bank_account)


class EmployeePageOut(Schema):
    items: list[EmployeeOut]
    count: int


class EmployeeFiltersIn(Schema):
    search: str = Field("", max_length=100)
    org_unit: int | None = Field(None, ge=1, le=2**53)
    job_family: int | None = Field(None, ge=1, le=2**53)
    status: StatusLiteral | None = None
    limit: int = Field(50, ge=1, le=200)
    offset: int = Field(0, ge=0, le=10**9)


class EmployeeIn(Schema):
    employee_number: str = Field(min_length=1, max_length=32)
    name: str = Field(min_length=1, max_length=120)
    name_en: str = Field("", max_length=120)
    email: str = Field("", max_length=254)
    phone: str = Field("", max_length=32)
    hire_date: dt.date
    org_unit_id: int = Field(ge=1, le=2**53)
    job_family_id: int = Field(ge=1, le=2**53)
    position_id: int | None = Field(None, ge=1, le=2**53)
    level: int = Field(1, ge=1, le=20)
    manager_id: int | None = Field(None, ge=1, le=2**53)
    national_id: str = Field("", max_length=40)
    bank_account: str = Field("", max_length=40)


class EmployeePatchIn(Schema):
    """Personal fields only; structural fields are listed so that a request changing them gets a
    clear refusal instead of being silently ignored."""

    name: str | None = Field(None, min_length=1, max_length=120)
    name_en: str | None = Field(None, max_length=120)
    email: str | None = Field(None, max_length=254)
    phone: str | None = Field(None, max_length=32)
    hire_date: dt.date | None = None
    national_id: str | None = Field(None, max_length=40)
    bank_account: str | None = Field(None, max_length=40)
    org_unit_id: int | None = None
    job_family_id: int | None = None
    position_id: int | None = None
    level: int | None = None
    manager_id: int | None = None
    status: str | None = None


class EventIn(Schema):
    kind: EventKindLiteral
    effective_date: dt.date
    org_unit_id: int | None = Field(None, ge=1, le=2**53)
    job_family_id: int | None = Field(None, ge=1, le=2**53)
    position_id: int | None = Field(None, ge=1, le=2**53)
    level: int | None = Field(None, ge=1, le=20)
    manager_id: int | None = Field(None, ge=1, le=2**53)
    note: str = Field("", max_length=500)


class EventOut(Schema):
    id: int
    kind: str
    effective_date: dt.date
    org_unit_id: int | None
    job_family_id: int | None
    position_id: int | None
    level: int | None
    manager_id: int | None
    status: str
    note: str
    applied: bool
    before: dict

    @staticmethod
    def resolve_applied(obj) -> bool:
        return obj.applied_at is not None


class OrgUnitOut(Schema):
    id: int
    code: str
    name: str
    name_en: str
    parent_id: int | None
    manager_id: int | None
    depth: int
    is_active: bool


class OrgUnitIn(Schema):
    code: str = Field(min_length=1, max_length=40, pattern=r"^[-a-zA-Z0-9_]+$")
    name: str = Field(min_length=1, max_length=120)
    name_en: str = Field("", max_length=120)
    parent_id: int | None = Field(None, ge=1, le=2**53)
    manager_id: int | None = Field(None, ge=1, le=2**53)


class CatalogueOut(Schema):
    id: int
    code: str
    name: str
    name_en: str


def _ref(qs, pk, field):
    if pk is None:
        return None
    obj = qs.filter(pk=pk).first()
    if obj is None:
        raise InvalidInput(_("Please correct the errors below."), {field: [_("No such record.")]})
    return obj


def _refs(request, data) -> dict:
    actor = request.actor
    out = {}
    if getattr(data, "org_unit_id", None) is not None:
        out["org_unit"] = _ref(access.visible_org_units(actor), data.org_unit_id, "org_unit_id")
    if getattr(data, "job_family_id", None) is not None:
        out["job_family"] = _ref(access.visible_job_families(actor), data.job_family_id, "job_family_id")
    if getattr(data, "position_id", None) is not None:
        out["position"] = _ref(access.visible_positions(actor), data.position_id, "position_id")
    if getattr(data, "manager_id", None) is not None:
        out["manager"] = _ref(access.visible_employees(actor), data.manager_id, "manager_id")
    return out


@router.get("/employees", response={200: EmployeePageOut, **ERRORS}, summary="People you may see")
def employee_list(request, filters: Query[EmployeeFiltersIn]):
    items, count = selectors.employee_list(
        request.actor,
        selectors.EmployeeFilters(search=filters.search, org_unit=filters.org_unit,
                                  job_family=filters.job_family, status=filters.status or ""),
        limit=filters.limit, offset=filters.offset,
    )
    return {"items": items, "count": count}


@router.post("/employees", response={201: EmployeeOut, **ERRORS}, summary="Add (hire) an employee")
def employee_create(request, data: EmployeeIn):
    refs = _refs(request, data)
    employee = services.employee_create(
        actor=request.actor, employee_number=data.employee_number, name=data.name, name_en=data.name_en,
        email=data.email, phone=data.phone, hire_date=data.hire_date, level=data.level,
        national_id=data.national_id, bank_account=data.bank_account, org_unit=refs["org_unit"],
        job_family=refs["job_family"], position=refs.get("position"), manager=refs.get("manager"),
    )
    return 201, selectors.employee_get(request.actor, employee.pk)


@router.get("/employees/{employee_id}", response={200: EmployeeOut, **ERRORS}, summary="One person")
def employee_detail(request, employee_id: int):
    employee = selectors.employee_get(request.actor, employee_id)
    if employee is None:
        return get_or_404(access.visible_employees(request.actor), pk=employee_id)
    return employee


@router.patch("/employees/{employee_id}", response={200: EmployeeOut, **ERRORS},
              summary="Change personal fields (structural fields change through events)")
def employee_patch(request, employee_id: int, data: EmployeePatchIn):
    employee = get_or_404(access.visible_employees(request.actor), pk=employee_id)
    changes = data.model_dump(exclude_unset=True)
    renamed = {"org_unit_id": "org_unit", "job_family_id": "job_family", "position_id": "position",
               "manager_id": "manager"}
    changes = {renamed.get(k, k): v for k, v in changes.items()}
    if any(v is None for k, v in changes.items() if k in services.PLAIN_FIELDS):
        raise InvalidInput(_("Please correct the errors below."),
                           {k: [_("This field cannot be null.")] for k, v in changes.items() if v is None})
    services.employee_update(actor=request.actor, employee=employee, data=changes)
    return selectors.employee_get(request.actor, employee.pk)


@router.get("/employees/{employee_id}/events", response={200: list[EventOut], **ERRORS},
            summary="Employment history")
def event_list(request, employee_id: int):
    employee = get_or_404(access.visible_employees(request.actor), pk=employee_id)
    return selectors.employee_events(request.actor, employee)


@router.post("/employees/{employee_id}/events", response={201: EventOut, **ERRORS},
             summary="Record a transfer, promotion, leave, return or termination")
def event_create(request, employee_id: int, data: EventIn):
    employee = get_or_404(access.visible_employees(request.actor), pk=employee_id)
    refs = _refs(request, data)
    event = services.employment_event_record(
        actor=request.actor, employee=employee, kind=data.kind, effective_date=data.effective_date,
        level=data.level, note=data.note, **refs,
    )
    return 201, event


@router.get("/org-units", response={200: list[OrgUnitOut], **ERRORS}, summary="The organisation's units")
def org_unit_list(request):
    return list(access.visible_org_units(request.actor).order_by("path"))


@router.post("/org-units", response={201: OrgUnitOut, **ERRORS}, summary="Create an org unit")
def org_unit_create(request, data: OrgUnitIn):
    parent = _ref(access.visible_org_units(request.actor), data.parent_id, "parent_id")
    manager = _ref(access.visible_employees(request.actor), data.manager_id, "manager_id")
    unit = services.org_unit_create(actor=request.actor, code=data.code, name=data.name, name_en=data.name_en,
                                    parent=parent, manager=manager)
    return 201, unit


@router.get("/job-families", response={200: list[CatalogueOut], **ERRORS}, summary="Job families")
def job_family_list(request):
    return list(access.visible_job_families(request.actor))


@router.get("/positions", response={200: list[CatalogueOut], **ERRORS}, summary="Positions")
def position_list(request):
    return list(access.visible_positions(request.actor))


__all__ = ["router", "EmploymentStatus", "EventKind"]
