"""The benefits API under ``/api/v1/benefits/``: the plans (HR, payroll and administrators define them),
one's own enrolments or a plan's (for those who manage plans), joining and leaving a plan. Everything
comes through ``access``; a record the reader may not see is a 404."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Literal

from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status

from talentloop.benefits import access, selectors, services
from talentloop.benefits.models import BenefitPlan, Enrolment
from talentloop.core.errors import InvalidInput, PermissionDenied
from talentloop.core.http import get_or_404
from talentloop.core.paging import PAGED, paginated
from talentloop.core.schemas import ERRORS, InSchema

router = Router(tags=["benefits"])

PlanKindLiteral = Literal[
    "supplementary_medical", "enterprise_annuity", "meal_allowance", "transport_allowance", "commercial_health"
]
TaxTreatmentLiteral = Literal["taxable", "exempt_up_to_cap", "annuity", "health_insurance"]


# ------------------------------------------------------------------------------------------------ plans


class EnrolmentWindowOut(Schema):
    id: int
    opens_on: dt.date
    closes_on: dt.date
    open_today: bool


class BenefitPlanOut(Schema):
    id: int
    key: str
    name: str
    name_en: str
    description: str
    description_en: str
    kind: PlanKindLiteral
    employer_amount: Decimal
    employer_rate: Decimal
    employee_amount: Decimal
    employee_rate: Decimal
    tax_treatment: TaxTreatmentLiteral
    exempt_cap: Decimal | None
    employee_part_from_pay: bool
    job_families: list[str]
    min_level: int | None
    max_level: int | None
    min_tenure_months: int
    active: bool
    effective_from: dt.date
    effective_to: dt.date | None
    windows: list[EnrolmentWindowOut]


class EnrolmentWindowIn(InSchema):
    opens_on: dt.date
    closes_on: dt.date


class BenefitPlanIn(InSchema):
    key: str = Field(..., min_length=1, max_length=40, pattern=r"^[-a-zA-Z0-9_]+$")
    name: str = Field(..., min_length=1, max_length=120)
    name_en: str = Field("", max_length=120)
    description: str = Field("", max_length=2000)
    description_en: str = Field("", max_length=2000)
    kind: PlanKindLiteral
    employer_amount: Decimal = Field(Decimal(0), ge=0, max_digits=12, decimal_places=2, description="yuan a month")
    employer_rate: Decimal = Field(Decimal(0), ge=0, le=100, max_digits=5, decimal_places=2, description="% of base")
    employee_amount: Decimal = Field(Decimal(0), ge=0, max_digits=12, decimal_places=2, description="yuan a month")
    employee_rate: Decimal = Field(Decimal(0), ge=0, le=100, max_digits=5, decimal_places=2, description="% of base")
    tax_treatment: TaxTreatmentLiteral = "taxable"
    exempt_cap: Decimal | None = Field(None, ge=0, max_digits=12, decimal_places=2)
    employee_part_from_pay: bool = True
    job_families: list[str] = Field([], max_length=200, description="job family codes; empty: every family")
    min_level: int | None = Field(None, ge=1, le=20)
    max_level: int | None = Field(None, ge=1, le=20)
    min_tenure_months: int = Field(0, ge=0, le=600)
    active: bool = True
    effective_from: dt.date
    effective_to: dt.date | None = None
    windows: list[EnrolmentWindowIn] = Field([], max_length=20, description="enrolment windows to add")


def _plan_out(plan: BenefitPlan, today: dt.date) -> dict:
    out = {name: getattr(plan, name) for name in services.PLAN_FIELDS}
    out.update(
        {
            "id": plan.pk,
            "job_families": sorted(f.code for f in plan.job_families.all()),
            "windows": [
                {"id": w.pk, "opens_on": w.opens_on, "closes_on": w.closes_on, "open_today": w.is_open(today)}
                for w in plan.windows.all()
            ],
        }
    )
    return out


@router.get(
    "/benefit-plans",
    response={200: list[BenefitPlanOut], **ERRORS},
    summary="Benefit plans with their windows (HR, payroll and administrators see inactive ones too)",
    description=PAGED,
)
@paginated(default=100, max_limit=500)
def plan_list(request):
    today = timezone.localdate()
    return [_plan_out(plan, today) for plan in selectors.plan_list(request.actor)]


@router.post(
    "/benefit-plans",
    response={200: BenefitPlanOut, 201: BenefitPlanOut, **ERRORS},
    summary="Create a benefit plan, or change the one with this key, and add enrolment windows (HR, payroll)",
)
def plan_save(request, data: BenefitPlanIn):
    values = data.model_dump()
    values["windows"] = [(w["opens_on"], w["closes_on"]) for w in values["windows"]]
    plan, created = services.benefit_plan_save(actor=request.actor, **values)
    plan = selectors.plan_get(request.actor, plan.pk)
    return Status(201 if created else 200, _plan_out(plan, timezone.localdate()))


# ------------------------------------------------------------------------------------------------ enrolments


class EnrolmentOut(Schema):
    id: int
    employee: int
    employee_name: str
    plan: str
    plan_name: str
    start_month: dt.date
    end_month: dt.date | None
    state: Literal["active", "ended", "withdrawn"]
    enrolled_at: dt.datetime
    closed_at: dt.datetime | None

    @staticmethod
    def resolve_employee(obj: Enrolment) -> int:
        return obj.employee_id

    @staticmethod
    def resolve_employee_name(obj: Enrolment) -> str:
        return obj.employee.label

    @staticmethod
    def resolve_plan(obj: Enrolment) -> str:
        return obj.plan.key

    @staticmethod
    def resolve_plan_name(obj: Enrolment) -> str:
        return obj.plan.label


class EnrolmentIn(InSchema):
    plan: str = Field(..., min_length=1, max_length=40, description="the plan's key")


class EnrolmentFilters(InSchema):
    plan: str = Field("", max_length=40, description="a plan's key: its enrolments (HR, payroll); empty: your own")


@router.get(
    "/enrolments",
    response={200: list[EnrolmentOut], **ERRORS},
    summary="Your own enrolments, or a plan's enrolments for those who manage plans",
    description=PAGED,
)
@paginated(default=50, max_limit=500)
def enrolment_list(request, filters: Query[EnrolmentFilters]):
    actor = request.actor
    if not filters.plan:
        return selectors.enrolment_list(actor, mine=True)
    if not access.can_manage_plans(actor):
        raise PermissionDenied(
            _("Only those who manage plans list a plan's enrolments."),
            {"plan": [_("Leave it empty to list your own enrolments.")]},
        )
    plan = get_or_404(access.visible_plans(actor), key=filters.plan)
    return selectors.enrolment_list(actor, plan=plan)


@router.post(
    "/enrolments",
    response={201: EnrolmentOut, **ERRORS},
    summary="Join a plan during its open enrolment window (for yourself)",
)
def enrolment_create(request, data: EnrolmentIn):
    actor = request.actor
    if actor.employee is None:
        raise InvalidInput(_("Only people with an employee record join plans."), {"plan": [_("Not available.")]})
    plan = get_or_404(access.visible_plans(actor), key=data.plan)
    row = services.enrolment_create(actor=actor, employee=actor.employee, plan=plan)
    return Status(201, selectors.enrolment_get(actor, row.pk))


@router.post(
    "/enrolments/{int:enrolment_id}/cancel",
    response={200: EnrolmentOut, **ERRORS},
    summary="Leave a plan during its open enrolment window (it ends with this month)",
)
def enrolment_cancel(request, enrolment_id: int):
    actor = request.actor
    row = selectors.enrolment_get(actor, enrolment_id)
    if row is None:
        raise Http404
    row = services.enrolment_cancel(actor=actor, enrolment=row)
    return selectors.enrolment_get(actor, row.pk)
