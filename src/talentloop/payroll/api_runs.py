"""Payroll API: runs (create, calculate, submit, approve, reopen, lock, reverse), their review rows and
lines, one-off pay items and imported attendance. The same services as the run pages; a run outside the
reader's pay groups is a 404."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any, Literal

from django.http import Http404
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status

from talentloop.core.errors import InvalidInput, PermissionDenied
from talentloop.core.http import get_or_404
from talentloop.core.paging import PAGED, SelectorPage, paginated
from talentloop.core.schemas import ERRORS, ErrorOut, Id, InSchema
from talentloop.payroll import access
from talentloop.payroll import selectors_runs as selectors
from talentloop.payroll.models import PayItem, PayrollRun
from talentloop.payroll.services import runs as services
from talentloop.payroll.services.run_inputs import month_end

router = Router(tags=["payroll"])

MONTH = r"^\d{4}-(0[1-9]|1[0-2])$"
RunKindLiteral = Literal["regular", "off_cycle", "final_pay", "reversal"]
RunKindInLiteral = Literal["regular", "off_cycle", "final_pay"]
RunStateLiteral = Literal["draft", "calculated", "submitted", "approved", "locked"]
PayItemKindLiteral = Literal["annual_bonus", "earning", "deduction", "correction"]
ReviewFilterLiteral = Literal["", "flagged", "outliers", "refused", "changed"]
MAX_ATTENDANCE_ROWS = 20_000


def _month(text: str) -> dt.date:
    return services.parse_month(text)


# ------------------------------------------------------------------------------------------------ runs


class PayrollRunOut(Schema):
    id: int
    pay_group: str = Field(description="the pay group's key")
    month: str = Field(description="the tax month, YYYY-MM")
    kind: RunKindLiteral
    state: RunStateLiteral
    title: str
    employee: int | None = Field(description="a final-pay run's leaver")
    reverses: int | None
    calculations: int
    people: int
    refused: int
    flagged: int
    gross: Decimal
    iit: Decimal
    net: Decimal
    employer_cost: Decimal
    created_at: dt.datetime
    calculated_at: dt.datetime | None
    submitted_at: dt.datetime | None
    approved_at: dt.datetime | None
    locked_at: dt.datetime | None


def _run_out(run: PayrollRun) -> dict[str, Any]:
    return {
        "id": run.pk, "pay_group": run.pay_group.key, "month": f"{run.month:%Y-%m}", "kind": run.kind,
        "state": run.state, "title": run.title, "employee": run.employee_id, "reverses": run.reverses_id,
        "calculations": run.calculations, "people": run.people, "refused": run.refused, "flagged": run.flagged,
        "gross": run.gross, "iit": run.iit, "net": run.net, "employer_cost": run.employer_cost,
        "created_at": run.created_at, "calculated_at": run.calculated_at, "submitted_at": run.submitted_at,
        "approved_at": run.approved_at, "locked_at": run.locked_at,
    }  # fmt: skip


class RunFilters(InSchema):
    pay_group: str = Field("", max_length=40, description="a pay group's key")
    month: str = Field("", pattern=r"^(\d{4}-(0[1-9]|1[0-2]))?$", description="YYYY-MM")
    state: RunStateLiteral | None = None


class PayrollRunIn(InSchema):
    pay_group: str = Field(..., min_length=1, max_length=40, description="the pay group's key")
    month: str = Field(..., pattern=MONTH, description="the tax month (the month the wages are paid), YYYY-MM")
    kind: RunKindInLiteral = "regular"
    title: str = Field("", max_length=120)
    employee: Id | None = Field(None, description="final pay: the leaver")


class ReasonIn(InSchema):
    reason: str = Field(..., min_length=1, max_length=500)


class CalculationOut(Schema):
    run: PayrollRunOut
    people: int
    refused: int
    seconds: float


def _run(request, run_id: int) -> PayrollRun:
    run = selectors.run_get(request.actor, run_id)
    if run is None:
        raise Http404
    return run


@router.get(
    "/runs",
    response={200: list[PayrollRunOut], **ERRORS},
    summary="Payroll runs of your pay groups, newest month first",
    description=PAGED,
)
@paginated(default=50, max_limit=200)
def run_list(request, filters: Query[RunFilters]):
    actor = request.actor
    group = None
    if filters.pay_group:
        group = get_or_404(selectors.run_pay_groups(actor), key=filters.pay_group)
    month = _month(filters.month) if filters.month else None
    runs = selectors.run_list(actor, pay_group=group, month=month, state=filters.state or "")
    return SelectorPage(lambda limit, offset: ([_run_out(r) for r in runs[offset : offset + limit]], runs.count()))


@router.post("/runs", response={201: PayrollRunOut, **ERRORS}, summary="Create a draft payroll run")
def run_create(request, data: PayrollRunIn):
    actor = request.actor
    group = selectors.run_pay_groups(actor).filter(key=data.pay_group).first()
    errors: dict[str, list[str]] = {}
    if group is None:
        errors["pay_group"] = [_("No such pay group among yours.")]
    employee = None
    if data.employee is not None:
        employee = selectors.pay_item_people(actor).filter(pk=data.employee).first()
        if employee is None:
            errors["employee"] = [_("No such person among the people of your pay groups.")]
    if errors:
        raise InvalidInput(_("Please correct the errors below."), errors)
    assert group is not None
    run = services.payroll_run_create(
        actor=actor, pay_group=group, month=_month(data.month), kind=data.kind, title=data.title, employee=employee
    )
    return Status(201, _run_out(run))


@router.get("/runs/{int:run_id}", response={200: PayrollRunOut, **ERRORS}, summary="One payroll run with its totals")
def run_get(request, run_id: int):
    return _run_out(_run(request, run_id))


@router.post(
    "/runs/{int:run_id}/calculate",
    response={200: CalculationOut, **ERRORS},
    summary="Calculate (or calculate again) a draft or calculated run",
    description="Synchronous: the answer comes when the calculation is done (about a second per few thousand "
    "people). The run pages queue the same calculation in the background instead. Calculating again replaces "
    "the run's payslips and nothing else; a person who cannot be calculated is counted in `refused`.",
)
def run_calculate(request, run_id: int):
    result = services.payroll_run_calculate(actor=request.actor, run=_run(request, run_id))
    run = selectors.run_get(request.actor, run_id)
    assert run is not None
    return {"run": _run_out(run), "people": result.people, "refused": result.refused, "seconds": result.seconds}


@router.post("/runs/{int:run_id}/submit", response={200: PayrollRunOut, **ERRORS},
             summary="Submit a calculated run for approval (none refused)")  # fmt: skip
def run_submit(request, run_id: int):
    return _run_out(services.payroll_run_submit(actor=request.actor, run=_run(request, run_id)))


@router.post("/runs/{int:run_id}/approve", response={200: PayrollRunOut, **ERRORS},
             summary="Approve a submitted run (someone other than its submitter)")  # fmt: skip
def run_approve(request, run_id: int):
    return _run_out(services.payroll_run_approve(actor=request.actor, run=_run(request, run_id)))


@router.post("/runs/{int:run_id}/reopen", response={200: PayrollRunOut, **ERRORS},
             summary="Send a submitted or approved run back to calculated, with the reason")  # fmt: skip
def run_reopen(request, run_id: int, data: ReasonIn):
    return _run_out(services.payroll_run_reopen(actor=request.actor, run=_run(request, run_id), reason=data.reason))


@router.post("/runs/{int:run_id}/lock", response={200: PayrollRunOut, **ERRORS},
             summary="Mark an approved run paid and lock it: its payslips are published")  # fmt: skip
def run_lock(request, run_id: int):
    return _run_out(services.payroll_run_lock(actor=request.actor, run=_run(request, run_id)))


@router.post("/runs/{int:run_id}/reverse", response={201: PayrollRunOut, **ERRORS},
             summary="Make a reversal run of a locked run, with the reason; answers the reversal run")  # fmt: skip
def run_reverse(request, run_id: int, data: ReasonIn):
    reversal = services.payroll_run_reverse(actor=request.actor, run=_run(request, run_id), reason=data.reason)
    run = selectors.run_get(request.actor, reversal.pk)
    assert run is not None
    return Status(201, _run_out(run))


# ------------------------------------------------------------------------------------------------ review and lines


class ChangeOut(Schema):
    reason: str
    label: str
    amount: Decimal | None
    bracket: str | None = Field(None, description="tax_bracket: the new bracket")


class FlagOut(Schema):
    flag: str
    message: str


class PayslipReviewOut(Schema):
    id: int
    employee: int
    employee_number: str
    name: str
    gross: Decimal
    iit: Decimal
    net: Decimal
    employer_cost: Decimal
    previous_net: Decimal | None = Field(description="the net of the person's previous payslip this tax year")
    change: Decimal | None
    changes: list[ChangeOut]
    flags: list[FlagOut]
    refusal: str
    outlier: bool


class ReviewFilters(InSchema):
    q: str = Field("", max_length=100, description="name, pinyin or employee number")
    only: ReviewFilterLiteral = ""


def _review_out(row: dict[str, Any]) -> dict[str, Any]:
    slip = row["payslip"]
    return {
        "id": slip.pk, "employee": slip.employee_id, "employee_number": slip.employee.employee_number,
        "name": slip.employee.display_name, "gross": slip.gross, "iit": slip.iit, "net": slip.net,
        "employer_cost": slip.employer_cost, "previous_net": row["previous_net"], "change": row["change"],
        "changes": [{**c, "bracket": str(c["bracket"]) if c["bracket"] is not None else None} for c in row["reasons"]],
        "flags": [{"flag": str(f.get("flag", "")), "message": str(f.get("message", ""))} for f in slip.flags or []],
        "refusal": slip.refusal, "outlier": slip.outlier,
    }  # fmt: skip


@router.get("/runs/{int:run_id}/payslips", response={200: list[PayslipReviewOut], **ERRORS},
            summary="The run's review: every person's pay, the change against their previous payslip and why",
            description=PAGED)  # fmt: skip
@paginated(default=50, max_limit=500)
def run_payslips(request, run_id: int, filters: Query[ReviewFilters]):
    actor = request.actor
    run = _run(request, run_id)
    slips = selectors.payslip_review(actor, run, search=filters.q, only=filters.only)

    def read(limit: int, offset: int) -> tuple[list, int]:
        rows = selectors.review_read(actor, run, list(slips[offset : offset + limit]))
        return [_review_out(r) for r in rows], slips.count()

    return SelectorPage(read)


class LineOut(Schema):
    payslip: int
    employee: int
    position: int
    code: str
    label: str = Field(description="in the request's language")
    kind: Literal["earning", "deduction", "employer_cost", "total"]
    amount: Decimal = Field(description="signed: what is taken from pay is negative")
    shown_on_payslip: bool
    explain: dict[str, Any] = Field(description="the figures the line was worked out from")


class LineFilters(InSchema):
    employee: Id | None = Field(None, description="one person's lines")


@router.get("/runs/{int:run_id}/lines", response={200: list[LineOut], **ERRORS},
            summary="The run's lines, by person, each with its label and explanation", description=PAGED)  # fmt: skip
@paginated(default=100, max_limit=1000)
def run_lines(request, run_id: int, filters: Query[LineFilters]):
    actor = request.actor
    run = _run(request, run_id)
    lines = selectors.run_lines(actor, run, employee_id=filters.employee)

    def read(limit: int, offset: int) -> tuple[list, int]:
        page = list(lines[offset : offset + limit])
        return selectors.run_lines_read(actor, run, page, employee_id=filters.employee), lines.count()

    return SelectorPage(read)


# ------------------------------------------------------------------------------------------------ pay items


class BonusCliffOut(Schema):
    bracket: int
    edge: Decimal
    edge_net: Decimal
    first_worse: Decimal
    last_worse: Decimal
    break_even: Decimal


class PayItemOut(Schema):
    id: int
    employee: int
    month: str
    kind: PayItemKindLiteral
    amount: Decimal
    taxable: bool
    bonus_method: Literal["", "separate", "merged"]
    reason: str
    corrects: int | None
    paid_in: int | None
    recorded_at: dt.datetime
    bonus_cliff: BonusCliffOut | None = Field(
        None, description="an annual bonus in a range that takes home less than a smaller bonus"
    )


class PayItemIn(InSchema):
    employee: Id
    month: str = Field(..., pattern=MONTH, description="the tax month it is paid in, YYYY-MM")
    kind: PayItemKindLiteral
    amount: Decimal = Field(..., max_digits=12, decimal_places=2, description="yuan; only a correction may be < 0")
    taxable: bool = True
    bonus_method: Literal["", "separate", "merged"] = Field("", description="annual bonus only")
    reason: str = Field(..., min_length=1, max_length=300)
    corrects: Id | None = Field(None, description="correction only: the locked run it corrects")


class PayItemFilters(InSchema):
    month: str = Field("", pattern=r"^(\d{4}-(0[1-9]|1[0-2]))?$", description="YYYY-MM")
    paid: bool | None = None


def _item_out(item: PayItem, cliff: Any = None) -> dict[str, Any]:
    return {
        "id": item.pk, "employee": item.employee_id, "month": f"{item.month:%Y-%m}", "kind": item.kind,
        "amount": item.amount, "taxable": item.taxable, "bonus_method": item.bonus_method, "reason": item.reason,
        "corrects": item.corrects_id, "paid_in": item.paid_in_id, "recorded_at": item.recorded_at,
        "bonus_cliff": cliff.__dict__ if cliff is not None else None,
    }  # fmt: skip


@router.get("/pay-items", response={200: list[PayItemOut], **ERRORS},
            summary="One-off pay items of the people of your pay groups", description=PAGED)  # fmt: skip
@paginated(default=50, max_limit=500)
def pay_item_list(request, filters: Query[PayItemFilters]):
    month = _month(filters.month) if filters.month else None
    items = selectors.pay_item_list(request.actor, month=month, paid=filters.paid)
    return SelectorPage(lambda limit, offset: ([_item_out(i) for i in items[offset : offset + limit]], items.count()))


@router.post("/pay-items", response={201: PayItemOut, **ERRORS},
             summary="Record a one-off pay item (bonus, earning, deduction or correction)")  # fmt: skip
def pay_item_create(request, data: PayItemIn):
    actor = request.actor
    employee = get_or_404(selectors.pay_item_people(actor), pk=data.employee)
    corrects = None
    if data.corrects is not None:
        corrects = selectors.locked_runs(actor).filter(pk=data.corrects).first()
        if corrects is None:
            raise InvalidInput(_("Please correct the errors below."),
                               {"corrects": [_("A correction names the locked run it corrects.")]})  # fmt: skip
    month = _month(data.month)
    item = services.pay_item_record(
        actor=actor, employee=employee, month=month, kind=data.kind, amount=data.amount, reason=data.reason,
        taxable=data.taxable, bonus_method=data.bonus_method, corrects=corrects,
    )  # fmt: skip
    cliff = selectors.bonus_cliff_for(item.amount, month) if item.kind == "annual_bonus" else None
    return Status(201, _item_out(item, cliff))


# ------------------------------------------------------------------------------------------------ attendance


class AttendanceRowIn(InSchema):
    employee: Id | None = Field(None, description="the person's id, or give employee_number")
    employee_number: str = Field("", max_length=32)
    scheduled_days: Decimal = Field(..., ge=0, le=31, max_digits=5, decimal_places=2)
    unpaid_leave_days: Decimal = Field(Decimal(0), ge=0, le=31, max_digits=5, decimal_places=2)
    sick_days: Decimal = Field(Decimal(0), ge=0, le=31, max_digits=5, decimal_places=2)
    overtime_hours_150: Decimal = Field(Decimal(0), ge=0, le=744, max_digits=6, decimal_places=2)
    overtime_hours_200: Decimal = Field(Decimal(0), ge=0, le=744, max_digits=6, decimal_places=2)
    overtime_hours_300: Decimal = Field(Decimal(0), ge=0, le=744, max_digits=6, decimal_places=2)


class AttendanceImportIn(InSchema):
    month: str = Field(..., pattern=MONTH, description="the attendance month, YYYY-MM")
    rows: list[AttendanceRowIn] = Field(..., min_length=1, max_length=MAX_ATTENDANCE_ROWS)
    keep_good: bool = Field(False, description="store the good rows even when others are rejected")


class RejectedRowOut(Schema):
    index: int
    errors: dict[str, list[str]]


class AttendanceImportOut(Schema):
    saved: int
    rejected: list[RejectedRowOut]


class AttendanceImportErrorOut(ErrorOut):
    rejected: list[RejectedRowOut] = []


@router.post(
    "/attendance-imports",
    response={200: AttendanceImportOut, **ERRORS, 422: AttendanceImportErrorOut},
    summary="Store a month's attendance kept outside Talentloop, one row per person",
    description="Every row is checked first. Without `keep_good`, one rejected row stores nothing and the 422 "
    "lists every rejected row by index; with it, the good rows are stored and the answer lists the rejected ones.",
)
def attendance_import(request, data: AttendanceImportIn):
    actor = request.actor
    if not access.can_use_payroll_pages(actor):
        raise PermissionDenied(_("Only payroll imports attendance."))
    month = _month(data.month)
    ids = selectors.attendance_people_by_number(actor, (r.employee_number for r in data.rows), month_end(month))
    rows = []
    for row in data.rows:
        values = row.model_dump(exclude={"employee", "employee_number"})
        values["employee"] = row.employee if row.employee is not None else ids.get(row.employee_number.strip())
        rows.append(values)
    result = services.attendance_figures_import(actor=actor, month=month, rows=rows, keep_good=data.keep_good)
    rejected = [{"index": i, "errors": e} for i, e in sorted(result.errors.items())]
    if rejected and not data.keep_good:
        raise InvalidInput(
            _("%(n)d row(s) were rejected; nothing was stored.") % {"n": len(rejected)},
            {"rows": [_("Row %(i)d is invalid.") % {"i": r["index"]} for r in rejected[:50]]},
            rejected=rejected,
        )
    return {"saved": result.saved, "rejected": rejected}
