"""The payroll API under ``/api/v1/payroll/``: salary components, people's salary structures, tax
declarations and the social-insurance policies. Everything comes through ``access``; a person whose
salary the reader may not see is a 404."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Literal

from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status

from talentloop.core.errors import InvalidInput
from talentloop.core.http import get_or_404
from talentloop.core.paging import PAGED, paginated
from talentloop.core.schemas import ERRORS, Id, InSchema
from talentloop.payroll import access, api_exports, api_payslips, api_runs, api_tax_year, selectors, services
from talentloop.payroll.api_common import person_or_404
from talentloop.payroll.models import SalaryStructure, TaxDeclaration

router = Router(tags=["payroll"])

ComponentKindLiteral = Literal["earning", "deduction", "employer_cost"]
DeductionKindLiteral = Literal[
    "children_education",
    "infant_care",
    "continuing_education_degree",
    "continuing_education_vocational",
    "housing_loan_interest",
    "housing_rent",
    "elderly_support",
    "personal_pension",
    "commercial_health_insurance",
]
ElderlySplitLiteral = Literal["", "equal", "agreed", "designated"]


# ------------------------------------------------------------------------------------------------ components


class SalaryComponentOut(Schema):
    id: int
    key: str
    name: str
    name_en: str
    kind: ComponentKindLiteral
    taxable: bool
    in_social_insurance_base: bool
    in_wage_base: bool
    shown_on_payslip: bool
    formula: str
    order: int
    active: bool


class SalaryComponentIn(InSchema):
    key: str = Field(..., min_length=1, max_length=40, pattern=r"^[-a-zA-Z0-9_]+$")
    name: str = Field(..., min_length=1, max_length=120)
    name_en: str = Field("", max_length=120)
    kind: ComponentKindLiteral = "earning"
    taxable: bool = True
    in_social_insurance_base: bool = False
    in_wage_base: bool = False
    shown_on_payslip: bool = True
    formula: str = Field("", max_length=4000, description="blank: a fixed amount per person")
    order: int = Field(100, ge=0, le=32767)
    active: bool = True


@router.get(
    "/components",
    response={200: list[SalaryComponentOut], **ERRORS},
    summary="Salary components (payroll sees every one with its formula)",
    description=PAGED,
)
@paginated(default=100, max_limit=500)
def component_list(request):
    return selectors.salary_component_list(request.actor)


@router.post(
    "/components",
    response={200: SalaryComponentOut, 201: SalaryComponentOut, **ERRORS},
    summary="Create a salary component, or change the one with this key (payroll)",
)
def component_save(request, data: SalaryComponentIn):
    component, created = services.salary_component_save(actor=request.actor, **data.model_dump())
    return Status(201 if created else 200, component)


# ------------------------------------------------------------------------------------------------ salaries


class SalaryItemOut(Schema):
    component: str
    name: str
    name_en: str
    amount: Decimal


class SalaryStructureOut(Schema):
    id: int
    employee: int
    effective_from: dt.date
    note: str
    recorded_at: dt.datetime
    items: list[SalaryItemOut]


class SalaryItemIn(InSchema):
    component: str = Field(..., min_length=1, max_length=40)
    amount: Decimal


class SalaryStructureIn(InSchema):
    employee: Id
    effective_from: dt.date
    note: str = Field("", max_length=500)
    items: list[SalaryItemIn] = Field(..., min_length=1, max_length=200)


class SalaryFilters(InSchema):
    employee: Id | None = Field(None, description="whose salaries; default: your own")


def _structure_out(structure: SalaryStructure) -> dict:
    return {
        "id": structure.pk,
        "employee": structure.employee_id,
        "effective_from": structure.effective_from,
        "note": structure.note,
        "recorded_at": structure.recorded_at,
        "items": [
            {
                "component": item.component.key,
                "name": item.component.name,
                "name_en": item.component.name_en,
                "amount": Decimal(item.amount),
            }
            for item in structure.items.all()
        ],
    }


@router.get(
    "/salaries",
    response={200: list[SalaryStructureOut], **ERRORS},
    summary="A person's salary structures, newest first (default: your own)",
    description=PAGED,
)
@paginated(default=50, max_limit=200)
def salary_list(request, filters: Query[SalaryFilters]):
    employee = person_or_404(request, filters.employee)
    if employee is None:
        return []
    return [_structure_out(s) for s in selectors.salary_structure_history(request.actor, employee)]


@router.post(
    "/salaries",
    response={201: SalaryStructureOut, **ERRORS},
    summary="Record a person's salary from a date (a structure on the same date is replaced)",
)
def salary_set(request, data: SalaryStructureIn):
    employee = get_or_404(access.salary_people(request.actor), pk=data.employee)
    items: dict[str, Decimal] = {}
    for item in data.items:
        if item.component in items:
            msg = _("The component “%(key)s” is given twice.") % {"key": item.component}
            raise InvalidInput(msg, {f"items.{item.component}": [msg]})
        items[item.component] = item.amount
    structure = services.salary_structure_set(
        actor=request.actor, employee=employee, effective_from=data.effective_from, items=items, note=data.note
    )
    return Status(201, _structure_out(structure))


# ------------------------------------------------------------------------------------------------ tax declarations


class TaxDeclarationOut(Schema):
    id: int
    employee: int
    kind: DeductionKindLiteral
    start: dt.date
    end: dt.date | None
    share_percent: Decimal
    dependent: str
    dependent_birth_date: dt.date | None
    city_tier: int | None
    only_child: bool
    elderly_split: ElderlySplitLiteral
    sharers: int
    monthly_amount: Decimal | None
    months_already_used: int
    first_home: bool
    premarital_home: bool
    source: Literal["employee", "import"]
    active: bool
    recorded_at: dt.datetime
    withdrawn_at: dt.datetime | None


class TaxDeclarationIn(InSchema):
    employee: Id | None = Field(None, description="whose declaration; default: your own (payroll imports)")
    kind: DeductionKindLiteral
    start: dt.date = Field(..., description="the first month (the day is ignored)")
    end: dt.date | None = Field(None, description="the last month included; empty: until withdrawn")
    share_percent: Decimal = Field(Decimal(100), ge=0, le=100, max_digits=5, decimal_places=2)
    dependent: str = Field("", max_length=120)
    dependent_birth_date: dt.date | None = None
    city_tier: int | None = Field(None, ge=1, le=9)
    only_child: bool = True
    elderly_split: ElderlySplitLiteral = ""
    sharers: int = Field(1, ge=1, le=20)
    monthly_amount: Decimal | None = Field(None, ge=0, max_digits=12, decimal_places=2)
    months_already_used: int = Field(0, ge=0, le=1000)
    first_home: bool = True
    premarital_home: bool = False


class TaxDeclarationFilters(InSchema):
    employee: Id | None = Field(None, description="whose declarations; default: your own")


def _declaration_out(row: TaxDeclaration) -> dict:
    out = {field: getattr(row, field) for field in services.DECLARATION_FIELDS}
    out.update(
        {
            "id": row.pk,
            "employee": row.employee_id,
            "source": row.source,
            "active": row.active,
            "recorded_at": row.recorded_at,
            "withdrawn_at": row.withdrawn_at,
        }
    )
    return out


@router.get(
    "/tax-declarations",
    response={200: list[TaxDeclarationOut], **ERRORS},
    summary="A person's tax declarations, newest first (default: your own)",
    description=PAGED,
)
@paginated(default=50, max_limit=200)
def tax_declaration_list(request, filters: Query[TaxDeclarationFilters]):
    employee = person_or_404(request, filters.employee)
    if employee is None:
        return []
    return [_declaration_out(row) for row in selectors.tax_declaration_list(request.actor, employee)]


@router.post(
    "/tax-declarations",
    response={201: TaxDeclarationOut, **ERRORS},
    summary="Declare a deduction (your own, or payroll importing one for a person of their groups)",
)
def tax_declaration_create(request, data: TaxDeclarationIn):
    values = data.model_dump()
    employee = person_or_404(request, values.pop("employee"))
    if employee is None:
        raise InvalidInput(_("Name the person the declaration is for."), {"employee": [_("This field is required.")]})
    row = services.tax_declaration_save(actor=request.actor, employee=employee, **values)
    return Status(201, _declaration_out(row))


@router.post(
    "/tax-declarations/{int:declaration_id}/withdraw",
    response={200: TaxDeclarationOut, **ERRORS},
    summary="Withdraw a tax declaration from now on",
)
def tax_declaration_withdraw(request, declaration_id: int):
    row = get_or_404(access.visible_tax_declarations(request.actor), pk=declaration_id)
    row = services.tax_declaration_withdraw(actor=request.actor, declaration=row)
    return _declaration_out(row)


# ------------------------------------------------------------------------------------------------ social insurance


class SiFundOut(Schema):
    fund: str
    base_floor: Decimal
    base_ceiling: Decimal
    employer_rate: Decimal
    employee_rate: Decimal
    employee_fixed_amount: Decimal
    rounding: str


class SiPolicyOut(Schema):
    city: str
    valid_from: dt.date
    valid_to: dt.date | None
    verified: bool
    source: str
    funds: list[SiFundOut]


class SiPolicyFilters(InSchema):
    city: str = Field("", max_length=40)


@router.get(
    "/si-policies",
    response={200: list[SiPolicyOut], **ERRORS},
    summary="Social-insurance policies: each city's periods with their bases and rates",
    description=PAGED,
)
@paginated(default=100, max_limit=500)
def si_policy_list(request, filters: Query[SiPolicyFilters]):
    return selectors.si_policy_list(request.actor, city=filters.city)


# Each concern keeps its own router: runs and their lines, payslips, exports.
router.add_router("", api_runs.router)
router.add_router("", api_payslips.router)
router.add_router("", api_exports.router)
router.add_router("", api_tax_year.router)
