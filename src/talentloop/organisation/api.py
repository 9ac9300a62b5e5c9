from __future__ import annotations

import datetime as dt
from contextlib import contextmanager
from typing import Any, Literal

from django.http import HttpResponse
from django.utils.translation import gettext as _
from ninja import Field, File, Query, Router, Schema, Status, UploadedFile
from ninja.schema import DjangoGetter
from pydantic import ValidationInfo, model_validator

from talentloop.core.crypto import mask
from talentloop.core.errors import DomainError, InvalidInput, PermissionDenied
from talentloop.core.http import get_or_404
from talentloop.core.paging import PAGED, PAGED_WAS_ARRAY, SelectorPage, paginated
from talentloop.core.schemas import ERRORS, ErrorOut, InSchema
from talentloop.organisation import access, api_contracts, importing, selectors, services
from talentloop.organisation.models import EmploymentStatus, EventKind
from talentloop.organisation.search import scope_names

router = Router(tags=["organisation"])
router.add_router("", api_contracts.router)

StatusLiteral = Literal["active", "on_leave", "terminated"]
EventKindLiteral = Literal["hire", "transfer", "promotion", "demotion", "leave", "return", "termination"]
TerminationReasonLiteral = Literal[
    "mutual_by_employer", "mutual_by_employee", "employee_resignation", "employee_for_employer_fault",
    "dismissal_for_cause", "no_fault_with_notice", "no_fault_in_lieu_of_notice", "redundancy", "fixed_term_expiry",
    "task_completed", "pension_started", "employer_closure", "unlawful"]


class RowSchema(Schema):
    """An output schema that also takes a selector's plain row: a ``dict`` is validated as it is, at
    pydantic's own speed, and must hold every field already shaped (masks included); anything else (a
    model object) goes through ninja's getter as usual (attributes, ``resolve_*``). The getter costs
    some 40 microseconds a row, most of a long list's serialisation."""

    @model_validator(mode="wrap")
    @classmethod
    def _run_root_validator(cls, values: Any, handler: Any, info: ValidationInfo) -> Any:
        # Overrides ninja's validator of the same name (pydantic replaces an inherited validator by name).
        if type(values) is dict:
            return handler(values)
        return handler(DjangoGetter(values, cls, info.context))


class RefOut(RowSchema):
    id: int
    code: str
    name: str


class EmployeeRefOut(RowSchema):
    id: int
    employee_number: str
    name: str


class EmployeeOut(RowSchema):
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
    manager: EmployeeRefOut | None
    national_id_masked: str
    bank_account_masked: str

    @staticmethod
    def resolve_national_id_masked(obj) -> str:
        return mask(obj.national_id)

    @staticmethod
    def resolve_bank_account_masked(obj) -> str:
        return mask(obj.bank_account)


class EmployeeFiltersIn(InSchema):
    search: str = Field("", max_length=100)
    org_unit: int | None = Field(None, ge=1, le=2**53)
    job_family: int | None = Field(None, ge=1, le=2**53)
    status: StatusLiteral | None = None


class EmployeeIn(InSchema):
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


class EmployeePatchIn(InSchema):
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


class EmploymentEventIn(InSchema):
    kind: EventKindLiteral
    effective_date: dt.date
    org_unit_id: int | None = Field(None, ge=1, le=2**53)
    job_family_id: int | None = Field(None, ge=1, le=2**53)
    position_id: int | None = Field(None, ge=1, le=2**53)
    level: int | None = Field(None, ge=1, le=20)
    manager_id: int | None = Field(None, ge=1, le=2**53)
    note: str = Field("", max_length=500)
    immediate: bool = Field(False, description="a termination only: end the person's access now rather than "
                                               "at the end of the last day")
    termination_reason: TerminationReasonLiteral | Literal[""] = Field(
        "", description="a termination only: its legal reason, from which payroll works out the final pay")
    renewal_refused: bool = Field(False, description="a fixed-term contract's expiry only: the employee refused "
                                                     "a renewal on equal or better terms")


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


class OrgUnitIn(InSchema):
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


# Services name model fields ("manager"); API clients send and expect "manager_id".
API_FIELD_NAMES = {"org_unit": "org_unit_id", "job_family": "job_family_id", "position": "position_id",
                   "manager": "manager_id", "parent": "parent_id"}


@contextmanager
def _api_field_names():
    try:
        yield
    except DomainError as exc:
        exc.errors = {API_FIELD_NAMES.get(k, k): v for k, v in exc.errors.items()}
        raise


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


def _scope_enum(schema: dict) -> None:
    """The scopes the apps registered, read when the document is built (every app is ready then)."""
    schema["enum"] = scope_names()


class PersonSearchIn(InSchema):
    q: str = Field("", max_length=100, description="Part of a name, its pinyin (full or initials), an "
                   "English name or an employee number")
    scope: str = Field("visible", max_length=40, description="Whom the picker offers: visible, current, "
                       "colleagues, managed, mentees, new-hires", json_schema_extra=_scope_enum)
    limit: int = Field(20, ge=1, le=20)


class PersonMatchOut(Schema):
    id: int
    employee_number: str
    name: str
    name_en: str
    status: StatusLiteral


@router.get("/people/search", response={200: list[PersonMatchOut], **ERRORS},
            summary="Find a person to pick (name, pinyin, English name or number)")
def people_search(request, filters: Query[PersonSearchIn]):
    found = selectors.employee_search(request.actor, filters.q, scope=filters.scope, limit=filters.limit)
    if found is None:
        raise InvalidInput(_("Please correct the errors below."), {"scope": [_("No such scope.")]})
    return found


@router.get("/employees", response={200: list[EmployeeOut], **ERRORS}, summary="People you may see",
            description=PAGED)
@paginated(default=50, max_limit=200)
def employee_list(request, filters: Query[EmployeeFiltersIn]):
    wanted = selectors.EmployeeFilters(search=filters.search, org_unit=filters.org_unit,
                                       job_family=filters.job_family, status=filters.status or "")
    return SelectorPage(lambda limit, offset: selectors.employee_rows(request.actor, wanted, limit=limit,
                                                                      offset=offset))


@router.post("/employees", response={201: EmployeeOut, **ERRORS}, summary="Add (hire) an employee")
def employee_create(request, data: EmployeeIn):
    refs = _refs(request, data)
    with _api_field_names():
        employee = services.employee_create(
            actor=request.actor, employee_number=data.employee_number, name=data.name, name_en=data.name_en,
            email=data.email, phone=data.phone, hire_date=data.hire_date, level=data.level,
            national_id=data.national_id, bank_account=data.bank_account, org_unit=refs["org_unit"],
            job_family=refs["job_family"], position=refs.get("position"), manager=refs.get("manager"),
        )
    return Status(201, selectors.employee_get(request.actor, employee.pk))


@router.get("/employees/{int:employee_id}", response={200: EmployeeOut, **ERRORS}, summary="One person")
def employee_detail(request, employee_id: int):
    employee = selectors.employee_get(request.actor, employee_id)
    if employee is None:
        return get_or_404(access.visible_employees(request.actor), pk=employee_id)
    return employee


@router.patch("/employees/{int:employee_id}", response={200: EmployeeOut, **ERRORS},
              summary="Change personal fields (structural fields change through events)")
def employee_patch(request, employee_id: int, data: EmployeePatchIn):
    employee = get_or_404(access.visible_employees(request.actor), pk=employee_id)
    changes = data.model_dump(exclude_unset=True)
    renamed = {"org_unit_id": "org_unit", "job_family_id": "job_family", "position_id": "position",
               "manager_id": "manager"}
    changes = {renamed.get(k, k): v for k, v in changes.items()}
    with _api_field_names():
        if any(v is None for k, v in changes.items() if k in services.PLAIN_FIELDS):
            raise InvalidInput(_("Please correct the errors below."),
                               {k: [_("This field cannot be null.")] for k, v in changes.items() if v is None})
        services.employee_update(actor=request.actor, employee=employee, data=changes)
    return selectors.employee_get(request.actor, employee.pk)


@router.get("/employees/{int:employee_id}/events", response={200: list[EventOut], **ERRORS},
            summary="Employment history", description=PAGED_WAS_ARRAY)
@paginated(default=200, max_limit=1000)
def event_list(request, employee_id: int):
    employee = get_or_404(access.visible_employees(request.actor), pk=employee_id)
    return selectors.employee_events(request.actor, employee)


@router.post("/employees/{int:employee_id}/events", response={201: EventOut, **ERRORS},
             summary="Record a transfer, promotion, leave, return or termination")
def event_create(request, employee_id: int, data: EmploymentEventIn):
    employee = get_or_404(access.visible_employees(request.actor), pk=employee_id)
    refs = _refs(request, data)
    with _api_field_names():
        event = services.employment_event_record(
            actor=request.actor, employee=employee, kind=data.kind, effective_date=data.effective_date,
            level=data.level, note=data.note, immediate=data.immediate,
            termination_reason=data.termination_reason, renewal_refused=data.renewal_refused, **refs,
        )
    return Status(201, event)


@router.get("/org-units", response={200: list[OrgUnitOut], **ERRORS}, summary="The organisation's units",
            description=PAGED_WAS_ARRAY)
@paginated(default=200, max_limit=1000)
def org_unit_list(request):
    return list(access.visible_org_units(request.actor).order_by("path"))


@router.post("/org-units", response={201: OrgUnitOut, **ERRORS}, summary="Create an org unit")
def org_unit_create(request, data: OrgUnitIn):
    parent = _ref(access.visible_org_units(request.actor), data.parent_id, "parent_id")
    manager = _ref(access.visible_employees(request.actor), data.manager_id, "manager_id")
    with _api_field_names():
        unit = services.org_unit_create(actor=request.actor, code=data.code, name=data.name,
                                        name_en=data.name_en, parent=parent, manager=manager)
    return Status(201, unit)


@router.get("/job-families", response={200: list[CatalogueOut], **ERRORS}, summary="Job families",
            description=PAGED_WAS_ARRAY)
@paginated(default=200, max_limit=1000)
def job_family_list(request):
    return list(access.visible_job_families(request.actor))


@router.get("/positions", response={200: list[CatalogueOut], **ERRORS}, summary="Positions",
            description=PAGED_WAS_ARRAY)
@paginated(default=200, max_limit=1000)
def position_list(request):
    return list(access.visible_positions(request.actor))


__all__ = ["router", "EmploymentStatus", "EventKind"]


# ---------------------------------------------------------------- import and export

ImportActionLiteral = Literal["create", "update", "unchanged", "reject"]


class ImportChangeOut(Schema):
    before: str
    after: str


class ImportRowOut(Schema):
    line: int
    action: ImportActionLiteral
    employee_number: str
    name: str
    event: str
    changes: dict[str, ImportChangeOut]
    errors: list[str]
    warnings: list[str]


class ImportCountsOut(Schema):
    create: int
    update: int
    unchanged: int
    reject: int


class ImportReportOut(Schema):
    file_name: str
    mode: Literal["all", "valid_only"]
    dry_run: bool
    applied: bool
    counts: ImportCountsOut
    rows: list[ImportRowOut]


class ImportRejectedOut(ErrorOut):
    """A 422: the usual error body, plus the row-by-row report when the file itself was readable."""

    report: ImportReportOut | None = None


def _import_report(report: importing.ImportPreview) -> dict:
    return {"file_name": report.file_name, "mode": report.mode, "dry_run": report.dry_run,
            "applied": report.applied, "counts": report.counts, "rows": report.rows}


@router.post("/employees/import", response={200: ImportReportOut, **ERRORS, 422: ImportRejectedOut},
             summary="Import employees from CSV or Excel (dry run by default)")
def employee_import_upload(request, file: File[UploadedFile], dry_run: bool = True,
                           mode: Literal["all", "valid_only"] = "all"):
    """Answers each row's action (create, update, unchanged, reject) with its changes and reasons.

    With ``dry_run=false`` the file is written in one transaction: with ``mode=all`` only when no
    row is rejected (otherwise 422 with the report and nothing written), with ``mode=valid_only``
    the valid rows are written and the rejected ones reported.
    """
    if not access.can_import_employees(request.actor):
        raise PermissionDenied(_("Only HR imports employees."))
    if file.size is not None and file.size > importing.MAX_BYTES:
        raise InvalidInput(_("The file is larger than 5 MB. Split it into smaller files."),
                           {"file": [_("The file is larger than 5 MB. Split it into smaller files.")]})
    content = file.read()
    name = (file.name or "upload")[:200]
    if dry_run:
        report = importing.employee_import_preview(actor=request.actor, file_name=name, content=content,
                                                   mode=mode)
    else:
        report = importing.employee_import_apply(actor=request.actor, file_name=name, content=content,
                                                 mode=mode)
        if not report.applied:
            detail = _("Nothing was written: %(count)s rows are rejected.") % {"count": report.rejected}
            body = {"detail": detail, "errors": {"file": [detail]}, "report": _import_report(report)}
            return Status(422, body)
    return Status(200, _import_report(report))


@router.get("/employees/export", response=ERRORS, summary="Export the employees you may see (CSV or Excel)",
            openapi_extra={"responses": {200: {
                "description": "The file, in the columns of the import; sensitive values are never included.",
                "content": {media.split(";")[0]: {"schema": {"type": "string", "format": "binary"}}
                            for media in importing.CONTENT_TYPES.values()},
            }}})
def employee_export_download(request, format: Literal["csv", "xlsx"] = "csv"):
    content = importing.employee_export(actor=request.actor, fmt=format)
    response = HttpResponse(content, content_type=importing.CONTENT_TYPES[format])
    response["Content-Disposition"] = f'attachment; filename="employees.{format}"'
    response["Cache-Control"] = "no-store"
    return response
