"""Payroll runs: create, calculate, submit, approve (by another person), lock, reopen and reverse; the
one-off items a run pays and the attendance payroll imports.

A calculation reads its inputs as a few set-based queries (``run_inputs.gather``), works out each
person's month with the pure rules (``rules.month``) and writes the payslips and their lines in bulk
(``core.db.insert_rows``: COPY on PostgreSQL). Calculating again replaces the run's payslips and
nothing else. A locked run is never changed: a correction is a one-off item in a later run, or a
reversal run that undoes it line by line.
"""

from __future__ import annotations

import datetime as dt
import json
import time
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from talentloop.core.access import Actor
from talentloop.core.audit.services import audit_record
from talentloop.core.db import insert_rows
from talentloop.core.errors import Conflict, InvalidInput, PermissionDenied
from talentloop.organisation.models import Employee
from talentloop.payroll import access
from talentloop.payroll.models import (
    AttendanceFigures,
    PayGroup,
    PayItem,
    PayItemKind,
    PayrollLine,
    PayrollRun,
    Payslip,
    RunKind,
    RunState,
)
from talentloop.payroll.notification_kinds import payslips_published
from talentloop.payroll.rules.iit import IitRulesUnavailable
from talentloop.payroll.rules.iit_bonus import BonusMethod
from talentloop.payroll.rules.month import (
    BONUS,
    OVERTIME_CODES,
    UNPAID_LEAVE,
    LineKind,
    PersonMonthRefusal,
    PersonMonthResult,
    calculate_person_month,
)
from talentloop.payroll.services import amount_errors, first_of_month, iit_rules
from talentloop.payroll.services.run_inputs import PersonInput, Previous, gather, month_end

ZERO = Decimal("0.00")
#: A change of net pay against the previous payslip larger than this share, with none of the reasons
#: that explain a change, marks the payslip as an outlier for the review.
OUTLIER_SHARE = Decimal("0.2")
EXPLAINING = {"new_hire", "raise", "pay_cut", "bonus", "leaver", "unpaid_leave", "one_off", "overtime"}

PAYSLIP_COLUMNS = [
    "run_id", "employee_id", "month", "wage_base", "tax_bracket", "gross", "bonus", "taxable", "iit", "bonus_tax",
    "employee_social_insurance", "employee_housing_fund", "deductions", "net", "shortfall",
    "employer_social_insurance", "employer_cost", "ytd_months", "ytd_income", "ytd_exempt_income",
    "ytd_social_insurance", "ytd_special_deductions", "ytd_other_deductions", "ytd_tax", "first_wages_of_year",
    "previous_year_low_income", "separate_bonus_used", "flags", "refusal", "changes", "outlier", "separate_income",
    "separate_tax",
]  # fmt: skip
TOTAL = LineKind.TOTAL.value
LINE_COLUMNS = ["payslip_id", "position", "code", "kind", "amount", "shown_on_payslip", "explain"]


def _json(value: Any) -> str:
    return json.dumps(value, default=str, ensure_ascii=False, separators=(",", ":"))


_quote = json.encoder.encode_basestring  # the C string encoder json.dumps uses
_KEYS: dict[str, str] = {}


def _explain_json(explain: Mapping[str, Any]) -> str:
    """A line's explanation as ``json.dumps(explain, default=str)`` writes it (Decimals as strings),
    for flat mappings of numbers, flags and words, about five times quicker: a run writes some
    1,400,000 of them."""
    if not explain:
        return "{}"
    parts = []
    keys = _KEYS
    for key, value in explain.items():
        name = keys.get(key)
        if name is None:
            name = keys[key] = _quote(key)
        kind = type(value)
        if kind is Decimal:
            parts.append(f'{name}:"{value}"')
        elif kind is bool:
            parts.append(f"{name}:true" if value else f"{name}:false")
        elif value is None:
            parts.append(f"{name}:null")
        elif kind is int:
            parts.append(f"{name}:{value}")
        else:
            parts.append(f"{name}:{_quote(str(value))}")
    return "{" + ",".join(parts) + "}"


def _month_label(month: dt.date) -> str:
    return month.strftime("%Y-%m")


def parse_month(text: str) -> dt.date:
    """``YYYY-MM`` as the month's first day, or a clear error."""
    try:
        return dt.datetime.strptime(text.strip(), "%Y-%m").date()
    except ValueError:
        raise InvalidInput(_("Enter the month as YYYY-MM."), {"month": [_("Enter the month as YYYY-MM.")]}) from None


# ------------------------------------------------------------------------------------------------ create


@transaction.atomic
def payroll_run_create(
    *,
    actor: Actor | None,
    pay_group: PayGroup,
    month: dt.date,
    kind: str = RunKind.REGULAR,
    title: str = "",
    employee: Employee | None = None,
) -> PayrollRun:
    """A new draft run of ``pay_group`` for the tax month ``month`` (any day of it). One regular run a
    month per group; none once that month's regular run is locked, except off-cycle and final-pay runs."""
    if not access.can_run_payroll(actor, pay_group):
        raise PermissionDenied(_("You may not run this pay group's payroll."))
    month = first_of_month(month)
    errors: dict[str, list[str]] = {}
    if kind not in (RunKind.REGULAR, RunKind.OFF_CYCLE, RunKind.FINAL_PAY):
        errors["kind"] = [_("Choose a regular, off-cycle or final-pay run.")]
    if kind == RunKind.FINAL_PAY and employee is None:
        errors["employee"] = [_("A final-pay run is for one leaver: choose the person.")]
    if not pay_group.active:
        errors["pay_group"] = [_("This pay group is not active.")]
    try:
        iit_rules().for_date(month)
    except IitRulesUnavailable as exc:
        errors["month"] = [exc.detail]
    if kind == RunKind.REGULAR:
        existing = PayrollRun.objects.filter(pay_group=pay_group, month=month, kind=RunKind.REGULAR).first()
        if existing is not None and existing.is_locked:
            errors["month"] = [
                _("The payroll of %(month)s is locked: record a correction for a later run instead.")
                % {"month": _month_label(month)}
            ]
        elif existing is not None:
            errors["month"] = [_("This pay group already has a run for %(month)s.") % {"month": _month_label(month)}]
    if errors:
        raise InvalidInput(_("Please correct the errors below."), errors)
    run = PayrollRun.objects.create(
        pay_group=pay_group,
        month=month,
        kind=kind,
        title=title.strip()[:120],
        employee=employee if kind == RunKind.FINAL_PAY else None,
        created_by=actor.user if actor is not None else None,
    )
    audit_record(actor=actor, action="create", obj=run, changes={"month": _month_label(month), "kind": kind})
    return run


# ------------------------------------------------------------------------------------------------ calculate


@dataclass(frozen=True)
class Calculated:
    run: PayrollRun
    people: int
    refused: int
    seconds: float


def _locked_for_change(run: PayrollRun, allowed: Iterable[str]) -> PayrollRun:
    locked = PayrollRun.objects.select_for_update().select_related("pay_group").get(pk=run.pk)
    if locked.state not in allowed:
        raise Conflict(
            _("The run is %(state)s: this step is not possible now.") % {"state": locked.get_state_display()}
        )
    return locked


def payroll_run_calculate(*, actor: Actor | None, run: PayrollRun) -> Calculated:
    """Work out everyone's month and replace the run's payslips. One person whose figures cannot be
    worked out is recorded as refused with the reason; the others are calculated."""
    if not access.can_run_payroll(actor, run.pay_group):
        raise PermissionDenied(_("You may not run this pay group's payroll."))
    started = time.perf_counter()
    with transaction.atomic():
        run = _locked_for_change(run, (RunState.DRAFT, RunState.CALCULATED))
        if run.kind == RunKind.REVERSAL:
            raise Conflict(_("A reversal run is not calculated: it undoes the run it reverses."))
        rules = iit_rules().for_date(run.month)
        inputs = gather(run, rules)
        results = [(p, calculate_person_month(p.inp) if p.inp is not None else None) for p in inputs.people]
        _clear(run)
        people, refused, flagged, totals = _write(run, results)
        run.people, run.refused, run.flagged = people, refused, flagged
        run.gross, run.iit, run.net, run.employer_cost = totals
        run.item_ids = inputs.item_ids
        run.state = RunState.CALCULATED
        run.calculations += 1
        run.calculated_at = timezone.now()
        run.calculated_by = actor.user if actor is not None else None
        run.save()
        audit_record(
            actor=actor,
            action="calculate",
            obj=run,
            summary=f"{people} people, {refused} refused, calculation {run.calculations}",
        )
    return Calculated(run=run, people=people, refused=refused, seconds=time.perf_counter() - started)


def _clear(run: PayrollRun) -> None:
    """Drop the run's earlier payslips and lines (plain DELETEs: the lines have no dependants)."""
    PayrollLine.objects.filter(payslip__run=run)._raw_delete(PayrollLine.objects.db)
    Payslip.objects.filter(run=run)._raw_delete(Payslip.objects.db)


def _reasons(
    person: PersonInput, result: PersonMonthResult, run: PayrollRun, wage_base: Decimal
) -> tuple[list[dict[str, str]], bool]:
    """Why the net pay differs from the previous payslip, and whether the change is an outlier."""
    previous: Previous | None = person.previous
    reasons: list[dict[str, str]] = []
    month, end = run.month, month_end(run.month)
    totals = result.totals
    if person.hire_date >= month and person.hire_date <= end:
        reasons.append({"reason": "new_hire"})
    if person.termination_date is not None and person.termination_date <= end:
        reasons.append({"reason": "leaver"})
    codes = {line.code: line.amount for line in result.lines}
    if previous is not None and wage_base != previous.wage_base and run.kind == RunKind.REGULAR:
        reasons.append(
            {"reason": "raise" if wage_base > previous.wage_base else "pay_cut",
             "amount": str(wage_base - previous.wage_base)}
        )  # fmt: skip
    if UNPAID_LEAVE in codes:
        reasons.append({"reason": "unpaid_leave", "amount": str(codes[UNPAID_LEAVE])})
    overtime = sum((codes[c] for c in OVERTIME_CODES.values() if c in codes), ZERO)
    if overtime:
        reasons.append({"reason": "overtime", "amount": str(overtime)})
    if BONUS in codes:
        reasons.append({"reason": "bonus", "amount": str(codes[BONUS])})
    if person.item_ids:
        reasons.append({"reason": "one_off"})
    if previous is not None and result.withholding.bracket != previous.tax_bracket:
        reasons.append({"reason": "tax_bracket", "amount": str(result.withholding.bracket)})
    outlier = False
    if previous is not None and previous.net:
        change = totals.net - previous.net
        outlier = abs(change) > abs(previous.net) * OUTLIER_SHARE and not EXPLAINING & {r["reason"] for r in reasons}
    return reasons, outlier


def _wage_base(result: PersonMonthResult) -> Decimal:
    for line in result.lines:
        if line.code == UNPAID_LEAVE or line.code in OVERTIME_CODES.values():
            return Decimal(line.explain["wage_base"])
    return sum(
        (line.amount for line in result.lines if line.explain.get("in_wage_base")),
        ZERO,
    )


def _write(
    run: PayrollRun, results: list[tuple[PersonInput, Any]]
) -> tuple[int, int, int, tuple[Decimal, Decimal, Decimal, Decimal]]:
    """Insert the payslips, read back their ids, insert the lines; answers the counts and totals."""
    gross = iit = net = cost = ZERO
    refused = flagged = 0
    rows = []
    by_person: dict[int, PersonMonthResult] = {}
    for person, result in results:
        flags = list(person.notes)
        if isinstance(result, PersonMonthResult):
            by_person[person.employee_id] = result
            t, y = result.totals, result.ytd
            flags.extend({"flag": str(note.flag), "message": note.message} for note in result.flags)
            wage_base = _wage_base(result)
            reasons, outlier = _reasons(person, result, run, wage_base)
            gross += t.gross + t.bonus + t.separate_income
            iit += t.iit + t.bonus_tax + t.separate_tax
            net += t.net
            cost += t.employer_cost
            rows.append((
                run.pk, person.employee_id, run.month, wage_base, result.withholding.bracket, t.gross,
                t.bonus, t.taxable, t.iit, t.bonus_tax, t.employee_social_insurance, t.employee_housing_fund,
                t.deductions, t.net, t.shortfall, t.employer_social_insurance, t.employer_cost, y.months_employed,
                y.income, y.exempt_income, y.social_insurance, y.special_additional_deductions, y.other_deductions,
                y.tax_withheld, y.first_wages_of_year, y.previous_year_low_income, y.separate_bonus_used,
                _json(flags), "", _json(reasons), outlier, t.separate_income, t.separate_tax,
            ))  # fmt: skip
        else:
            refused += 1
            message = person.refusal or _("The month could not be worked out.")
            if isinstance(result, PersonMonthRefusal):
                message = f"{result.component_key}: {result.message}" if result.component_key else result.message
            rows.append(_refused_row(run, person, message[:500], flags))
        if flags:
            flagged += 1
    insert_rows(Payslip, PAYSLIP_COLUMNS, rows)
    ids = dict(Payslip.objects.filter(run=run).values_list("employee_id", "id"))
    insert_rows(PayrollLine, LINE_COLUMNS, _line_rows(ids, by_person))
    return len(rows), refused, flagged, (gross, iit, net, cost)


def _refused_row(run: PayrollRun, person: PersonInput, message: str, flags: list[dict[str, str]]) -> tuple:
    zeros = [ZERO] * 12
    ytd = [0, *([ZERO] * 6), False, False, False]
    return (
        run.pk,
        person.employee_id,
        run.month,
        ZERO,
        0,
        *zeros,
        *ytd,
        _json(flags),
        message,
        "[]",
        False,
        ZERO,
        ZERO,
    )


def _line_rows(ids: dict[int, int], by_person: dict[int, PersonMonthResult]) -> Iterator[tuple]:
    postgres = connection.vendor == "postgresql"
    for employee_id, result in by_person.items():
        payslip = ids[employee_id]
        for position, line in enumerate(result.lines):
            if line.kind == TOTAL:
                continue  # gross, net and employer cost are the payslip's own columns
            yield (
                payslip, position, line.code, line.kind, line.amount,
                line.shown_on_payslip if postgres else int(line.shown_on_payslip), _explain_json(line.explain),
            )  # fmt: skip


# ------------------------------------------------------------------------------------------------ workflow


@transaction.atomic
def payroll_run_submit(*, actor: Actor, run: PayrollRun) -> PayrollRun:
    """Hand a calculated run to another person for approval. A run with refused people is not submitted."""
    if not access.can_run_payroll(actor, run.pay_group):
        raise PermissionDenied(_("You may not run this pay group's payroll."))
    run = _locked_for_change(run, (RunState.CALCULATED,))
    if run.refused:
        raise Conflict(
            _("%(count)s people could not be calculated: correct their data and calculate again.")
            % {"count": run.refused}
        )
    run.state, run.submitted_at, run.submitted_by = RunState.SUBMITTED, timezone.now(), actor.user
    run.save(update_fields=["state", "submitted_at", "submitted_by", "updated_at"])
    audit_record(actor=actor, action="submit", obj=run)
    return run


@transaction.atomic
def payroll_run_approve(*, actor: Actor, run: PayrollRun) -> PayrollRun:
    """Approve a submitted run: someone who runs the group's payroll, never its submitter."""
    run = _locked_for_change(run, (RunState.SUBMITTED,))
    if not access.can_approve_run(actor, run):
        if run.submitted_by_id == actor.user_id:
            raise PermissionDenied(_("Another person must approve the run you submitted."))
        raise PermissionDenied(_("You may not approve this run."))
    run.state, run.approved_at, run.approved_by = RunState.APPROVED, timezone.now(), actor.user
    run.save(update_fields=["state", "approved_at", "approved_by", "updated_at"])
    audit_record(actor=actor, action="approve", obj=run)
    return run


@transaction.atomic
def payroll_run_reopen(*, actor: Actor, run: PayrollRun, reason: str) -> PayrollRun:
    """Send a submitted or approved run back to calculated (to correct and calculate again)."""
    if not access.can_run_payroll(actor, run.pay_group):
        raise PermissionDenied(_("You may not run this pay group's payroll."))
    if not reason.strip():
        raise InvalidInput(_("Please correct the errors below."), {"reason": [_("Say why the run is reopened.")]})
    run = _locked_for_change(run, (RunState.SUBMITTED, RunState.APPROVED))
    run.state = RunState.CALCULATED
    run.submitted_at = run.submitted_by = run.approved_at = run.approved_by = None
    run.save(update_fields=["state", "submitted_at", "submitted_by", "approved_at", "approved_by", "updated_at"])
    audit_record(actor=actor, action="reopen", obj=run, summary=reason.strip()[:200])
    return run


def payroll_run_lock(*, actor: Actor, run: PayrollRun) -> PayrollRun:
    """Mark an approved run paid and lock it: its payslips are published to their people, the one-off
    items it paid are marked paid, and it is never changed again."""
    if not access.can_run_payroll(actor, run.pay_group):
        raise PermissionDenied(_("You may not run this pay group's payroll."))
    with transaction.atomic():
        run = _locked_for_change(run, (RunState.APPROVED,))
        now = timezone.now()
        run.state, run.locked_at, run.locked_by = RunState.LOCKED, now, actor.user
        run.save(update_fields=["state", "locked_at", "locked_by", "updated_at"])
        Payslip.objects.filter(run=run, refusal="").update(published_at=now)
        if run.item_ids:
            PayItem.objects.filter(pk__in=run.item_ids, paid_in__isnull=True).update(paid_in=run)
        audit_record(actor=actor, action="lock", obj=run)
        transaction.on_commit(lambda: _tell_people(run.pk))
    return run


def _tell_people(run_id: int) -> None:
    payslips_published(run_id)


@transaction.atomic
def payroll_run_reverse(*, actor: Actor, run: PayrollRun, reason: str) -> PayrollRun:
    """A reversal run for a locked run: every payslip and line negated, the year to date taken back by
    what the run added. It goes through submission, approval and lock like any run."""
    if not access.can_run_payroll(actor, run.pay_group):
        raise PermissionDenied(_("You may not run this pay group's payroll."))
    if not reason.strip():
        raise InvalidInput(_("Please correct the errors below."), {"reason": [_("Say why the run is reversed.")]})
    run = PayrollRun.objects.select_for_update().get(pk=run.pk)
    if not run.is_locked or run.kind == RunKind.REVERSAL:
        raise Conflict(_("Only a locked run can be reversed."))
    if PayrollRun.objects.filter(reverses=run).exists():
        raise Conflict(_("This run is already reversed."))
    reversal = PayrollRun.objects.create(
        pay_group=run.pay_group, month=run.month, kind=RunKind.REVERSAL, reverses=run, state=RunState.CALCULATED,
        title=reason.strip()[:120], created_by=actor.user, calculations=1, calculated_at=timezone.now(),
        calculated_by=actor.user, people=run.people, gross=-run.gross, iit=-run.iit, net=-run.net,
        employer_cost=-run.employer_cost,
    )  # fmt: skip
    _write_reversal(run, reversal)
    audit_record(actor=actor, action="reverse", obj=run, summary=reason.strip()[:200])
    return reversal


NEGATED = [
    "wage_base", "gross", "bonus", "taxable", "iit", "bonus_tax", "separate_income", "separate_tax",
    "employee_social_insurance", "employee_housing_fund",
    "deductions", "net", "shortfall", "employer_social_insurance", "employer_cost",
]  # fmt: skip
YTD_TAKEN_BACK = {
    "ytd_income": ("gross", "bonus"),
    "ytd_social_insurance": ("employee_social_insurance", "employee_housing_fund"),
    "ytd_tax": ("iit",),
}


def _write_reversal(run: PayrollRun, reversal: PayrollRun) -> None:
    """Negated copies of ``run``'s payslips and lines. The year to date after the reversal is each
    person's latest one less what ``run`` added to it (its income, contributions and wage tax; its
    month when it was a regular run)."""
    slips = list(Payslip.objects.filter(run=run, refusal=""))
    latest = {
        p.employee_id: p
        for p in Payslip.objects.filter(
            employee_id__in=[s.employee_id for s in slips], month__year=run.month.year, published_at__isnull=False
        ).order_by("published_at", "id")
    }
    rows = []
    for slip in slips:
        now = latest.get(slip.employee_id, slip)
        values: dict[str, Any] = {name: -getattr(slip, name) for name in NEGATED}
        values["ytd_income"] = now.ytd_income - slip.gross - slip.bonus
        values["ytd_social_insurance"] = (
            now.ytd_social_insurance - slip.employee_social_insurance - slip.employee_housing_fund
        )
        values["ytd_tax"] = now.ytd_tax - slip.iit
        values["ytd_months"] = max(now.ytd_months - (1 if run.kind == RunKind.REGULAR else 0), 0)
        rows.append((
            reversal.pk, slip.employee_id, run.month, values["wage_base"], slip.tax_bracket, values["gross"],
            values["bonus"], values["taxable"], values["iit"], values["bonus_tax"],
            values["employee_social_insurance"], values["employee_housing_fund"], values["deductions"],
            values["net"], values["shortfall"], values["employer_social_insurance"], values["employer_cost"],
            values["ytd_months"], values["ytd_income"], now.ytd_exempt_income, values["ytd_social_insurance"],
            now.ytd_special_deductions, now.ytd_other_deductions, values["ytd_tax"], now.first_wages_of_year,
            now.previous_year_low_income, now.separate_bonus_used, "[]", "",
            _json([{"reason": "reversal"}]), False, -slip.separate_income, -slip.separate_tax,
        ))  # fmt: skip
    insert_rows(Payslip, PAYSLIP_COLUMNS, rows)
    ids = dict(Payslip.objects.filter(run=reversal).values_list("employee_id", "id"))
    old = dict(Payslip.objects.filter(run=run).values_list("id", "employee_id"))
    postgres = connection.vendor == "postgresql"
    # Read before the COPY starts: PostgreSQL answers no query on a connection in the middle of a COPY.
    source = list(
        PayrollLine.objects.filter(payslip__run=run, payslip__refusal="").values_list(
            "payslip_id", "position", "code", "kind", "amount", "shown_on_payslip", "explain"
        )
    )
    lines = (
        (
            ids[old[payslip_id]],
            position,
            code,
            kind,
            -amount,
            shown if postgres else int(shown),
            _json(explain),
        )  # fmt: skip
        for payslip_id, position, code, kind, amount, shown, explain in source
    )
    insert_rows(PayrollLine, LINE_COLUMNS, lines)


# ------------------------------------------------------------------------------------------------ one-off items


@transaction.atomic
def pay_item_record(
    *,
    actor: Actor | None,
    employee: Employee,
    month: dt.date,
    kind: str,
    amount: Any,
    reason: str,
    taxable: bool = True,
    bonus_method: str = "",
    corrects: PayrollRun | None = None,
    run: PayrollRun | None = None,
) -> PayItem:
    """A one-off amount for ``employee`` paid in the tax month ``month``: an annual bonus (taxed
    separately or merged), a one-off earning or deduction, the correction of a locked run, or income
    taxed on its own with its tax (a termination's compensation). ``run`` names the run meant to pay it
    (a leaver's final-pay run); without one the month's next run of the person's group pays it."""
    if not access.can_record_pay_item(actor, employee):
        raise PermissionDenied(_("You may not record pay for this person."))
    month = first_of_month(month)
    errors: dict[str, list[str]] = {}
    if kind not in PayItemKind.values:
        errors["kind"] = [_("Choose a kind of item.")]
    if isinstance(amount, (int, Decimal)) and not isinstance(amount, bool):
        problems = amount_errors(abs(Decimal(amount)))
        if problems:
            errors["amount"] = problems
        elif not amount:
            errors["amount"] = [_("Enter an amount other than zero.")]
        elif amount < 0 and kind != PayItemKind.CORRECTION:
            errors["amount"] = [_("Only a correction may be negative; record a deduction instead.")]
    else:
        errors["amount"] = [_("Enter the amount as a number.")]
    if not reason.strip():
        errors["reason"] = [_("Say what the amount is for: the person sees it on the payslip.")]
    if kind == PayItemKind.ANNUAL_BONUS:
        if bonus_method not in (BonusMethod.SEPARATE, BonusMethod.MERGED):
            errors["bonus_method"] = [_("Choose how the bonus is taxed: separately or merged with the wages.")]
        elif PayItem.objects.filter(employee=employee, month=month, kind=PayItemKind.ANNUAL_BONUS).exists():
            errors["kind"] = [
                _("This person already has an annual bonus in %(month)s.") % {"month": _month_label(month)}
            ]
    elif bonus_method:
        errors["bonus_method"] = [_("Only an annual bonus has a taxation method.")]
    if kind == PayItemKind.CORRECTION and (corrects is None or not corrects.is_locked):
        errors["corrects"] = [_("A correction names the locked run it corrects.")]
    if run is not None and (
        run.state not in (RunState.DRAFT, RunState.CALCULATED)
        or run.month != month
        or (run.kind == RunKind.FINAL_PAY and run.employee_id != employee.pk)
    ):
        errors["run"] = [_("The run must be open, of the same month, and (a final-pay run) of this person.")]
    if errors:
        raise InvalidInput(_("Please correct the errors below."), errors)
    item = PayItem.objects.create(
        employee=employee, month=month, kind=kind, amount=Decimal(amount).quantize(Decimal("0.01")), taxable=taxable,
        bonus_method=bonus_method, reason=reason.strip()[:300], corrects=corrects, run=run,
        recorded_by=actor.user if actor is not None else None,
    )  # fmt: skip
    audit_record(actor=actor, action="create", obj=item, changes={"month": _month_label(month), "kind": kind})
    return item


# ------------------------------------------------------------------------------------------------ attendance


ATTENDANCE_FIELDS = [
    "scheduled_days", "unpaid_leave_days", "sick_days",
    "overtime_hours_150", "overtime_hours_200", "overtime_hours_300",
]  # fmt: skip


@dataclass(frozen=True)
class AttendanceImportResult:
    saved: int
    errors: dict[int, dict[str, list[str]]]


@transaction.atomic
def attendance_figures_import(
    *, actor: Actor, month: dt.date, rows: list[dict[str, Any]], keep_good: bool = False
) -> AttendanceImportResult:
    """Store a month's attendance kept outside Talentloop, one row per person
    (``employee`` id plus :data:`ATTENDANCE_FIELDS`). Every row is checked first; with errors nothing is
    stored unless ``keep_good`` says to store the good rows. A person's earlier figures of the month
    are replaced."""
    month = first_of_month(month)
    errors: dict[int, dict[str, list[str]]] = {}
    good: list[tuple[Employee, dict[str, Decimal]]] = []
    people = {
        e.pk: e
        for e in access.payroll_subjects(actor, month_end(month)).filter(
            pk__in=[r.get("employee") for r in rows if isinstance(r.get("employee"), int)]
        )
    }
    for index, row in enumerate(rows):
        problems: dict[str, list[str]] = {}
        employee = people.get(row.get("employee"))  # type: ignore[arg-type]  # None or a non-int is simply not found
        if employee is None:
            problems["employee"] = [_("No such person among the people of your pay groups.")]
        values: dict[str, Decimal] = {}
        for name in ATTENDANCE_FIELDS:
            raw = row.get(name, 0 if name != "scheduled_days" else None)
            try:
                value = Decimal(str(raw))
            except (ArithmeticError, ValueError):
                problems[name] = [_("Enter a number.")]
                continue
            if not value.is_finite() or value < 0 or value > 744:
                problems[name] = [_("Enter a number from 0 to 744.")]
                continue
            values[name] = value
        if "scheduled_days" in values and values["scheduled_days"] > 31:
            problems["scheduled_days"] = [_("A month has at most 31 days.")]
        if problems:
            errors[index] = problems
        elif employee is not None:
            good.append((employee, values))
    if errors and not keep_good:
        return AttendanceImportResult(saved=0, errors=errors)
    AttendanceFigures.objects.filter(month=month, employee__in=[e for e, _v in good]).delete()
    AttendanceFigures.objects.bulk_create(
        AttendanceFigures(employee=e, month=month, imported_by=actor.user, **v) for e, v in good
    )
    audit_record(actor=actor, action="import", entity_type="payroll.attendancefigures",
                 summary=f"{_month_label(month)}: {len(good)} people")  # fmt: skip
    return AttendanceImportResult(saved=len(good), errors=errors)
