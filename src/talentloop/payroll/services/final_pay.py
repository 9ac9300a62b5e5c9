"""A leaver's final pay from the stored facts: the preview the payroll role checks, and recording it as
one-off items of the leaver's final-pay run.

The figures come from where they are kept, never typed in again: the hire and termination dates
(organisation), the wages of the last 12 months from the locked payslips (gross plus the annual bonus;
overtime from the ``overtime_150/200/300`` lines), the city's average and minimum wage (the
social-insurance data of the contract's city), and the annual leave of the year of leaving (the leave
ledger). The rules are ``rules.final_pay`` (compensation, unused leave) and ``rules.iit_severance``
(the tax on the one-off compensation). The termination's legal reason is not recorded by organisation,
so the caller gives it.

What the one-off items cannot say yet: a one-off item is either taxable with the month's wages or not
taxable at all, while the compensation above the exemption is taxed *on its own* (财税〔2018〕164号 art.
5(1)). It is therefore recorded as a non-taxable earning (so the month's cumulative withholding does not
take it in) plus a deduction of the separately computed tax, which keeps the gross and the net right;
the tax is then not in the payslip's IIT figure. Unused leave is wages: a taxable earning.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.db.models import Sum
from django.utils.translation import gettext as _

from talentloop.core.access import Actor
from talentloop.core.audit.services import audit_record
from talentloop.core.errors import Conflict, DomainError, InvalidInput, PermissionDenied
from talentloop.leave.models import EntryKind, LeaveCategory
from talentloop.leave.selectors.ledger import balances, entries
from talentloop.organisation import selectors as org_selectors
from talentloop.organisation.models import Employee, EmploymentEvent, EventKind
from talentloop.payroll import access
from talentloop.payroll.models import (
    PayGroup,
    PayItem,
    PayItemKind,
    PayrollLine,
    PayrollRun,
    Payslip,
    RunKind,
    RunState,
)
from talentloop.payroll.rules.final_pay import (
    ANNUAL_LEAVE,
    LABELS,
    SEVERANCE_CODES,
    FinalPay,
    FinalPayInput,
    LeaverLeave,
    LegalReason,
    MonthWage,
    final_pay,
    leaver_unused_leave_days,
)
from talentloop.payroll.rules.iit_severance import SeveranceTax, severance_tax
from talentloop.payroll.rules.month import OVERTIME_CODES
from talentloop.payroll.rules.month.records import Line
from talentloop.payroll.rules.social import PolicyNotFound
from talentloop.payroll.services import first_of_month, iit_rules
from talentloop.payroll.services.run_inputs import policy_book
from talentloop.payroll.services.runs import pay_item_record, payroll_run_create

log = logging.getLogger(__name__)

ZERO = Decimal("0.00")
#: The months of wages the average takes (实施条例 art. 27, 实施办法 art. 11).
AVERAGE_MONTHS = 12
#: Ledger movements that are leave taken (a cancelled request gives its days back).
TAKEN_KINDS = (EntryKind.USE, EntryKind.RETURN)
#: Ledger movements that grant the year's annual leave.
GRANT_KINDS = (EntryKind.ACCRUAL, EntryKind.ADJUSTMENT)


def _month_index(day: dt.date) -> int:
    return day.year * 12 + day.month - 1


def _month(index: int) -> dt.date:
    return dt.date(index // 12, index % 12 + 1, 1)


@dataclass(frozen=True)
class LeaveFigures:
    """The annual leave of the year of leaving as the leave ledger has it, and what the final-pay rule
    makes of it (实施办法 art. 12)."""

    granted_days: Decimal  # granted for the year, before the leave app's own leaver adjustment
    taken_days: Decimal  # taken in the year up to the last day
    ledger_balance: Decimal  # the balance on the last day, as the leave pages show it
    carried_days: Decimal  # carried over from the year before: not in the proration
    hired_this_year: bool  # the grant then covers part of the year only, and is prorated once more
    unused: LeaverLeave

    def review_messages(self) -> list[str]:
        """What the payroll role checks by hand before recording (the rule cannot tell)."""
        messages = []
        if self.hired_this_year and self.granted_days:
            messages.append(
                _(
                    "Hired this year: the annual leave granted already covers only part of the year, and the "
                    "final-pay proration reduces it once more. Check the unused days."
                )
            )
        if self.carried_days > 0:
            messages.append(
                _("%(days)s days were carried over from last year; any still unused are not paid here.")
                % {"days": self.carried_days}
            )
        return messages


@dataclass(frozen=True)
class FinalPayPreview:
    """What the payroll role checks before the final pay is recorded: the rules' result with its lines
    (and the tax on the one-off compensation as a line), and the stored facts it was worked out from."""

    employee: Employee
    pay_group: PayGroup
    city: str
    inputs: FinalPayInput
    result: FinalPay
    severance_tax: SeveranceTax
    leave: LeaveFigures
    lines: tuple[Line, ...]

    @property
    def total(self) -> Decimal:
        return self.result.total

    @property
    def net_before_wage_tax(self) -> Decimal:
        """The final pay less the tax on the compensation (the leave pay is taxed with the month's wages)."""
        return self.result.total - self.severance_tax.tax


# ------------------------------------------------------------------------------------------------ facts


def monthly_wages(employee: Employee, last_day: dt.date) -> tuple[MonthWage, ...]:
    """The wages of the months that count, from the locked payslips: the 12 months ending with the month
    of the last day when it is paid already, else with the month before; fewer when the person was hired
    later. A month's wage is its gross pay plus the annual bonus (实施条例 art. 27: bonuses count), summed
    over the month's locked runs (a reversal subtracts); earlier final pay is not wages. Two queries."""
    last = _month_index(last_day)
    first = max(last - AVERAGE_MONTHS, _month_index(employee.hire_date))
    slips = Payslip.objects.filter(
        employee=employee, run__state=RunState.LOCKED, month__gte=_month(first), month__lte=_month(last)
    ).exclude(run__kind=RunKind.FINAL_PAY)
    paid = {
        row["month"]: (row["gross"] or ZERO) + (row["bonus"] or ZERO)
        for row in slips.values("month").annotate(gross=Sum("gross"), bonus=Sum("bonus")).order_by()
    }
    end = last if _month(last) in paid else last - 1
    start = max(end - AVERAGE_MONTHS + 1, _month_index(employee.hire_date))
    overtime = dict(
        PayrollLine.objects.filter(payslip__in=slips, code__in=list(OVERTIME_CODES.values()))
        .values("payslip__month")
        .annotate(total=Sum("amount"))
        .order_by()
        .values_list("payslip__month", "total")
    )
    return tuple(
        MonthWage(_month(i), paid[_month(i)], overtime.get(_month(i)) or ZERO)
        for i in range(start, end + 1)
        if _month(i) in paid
    )


def leave_figures(employee: Employee, last_day: dt.date) -> LeaveFigures:
    """The year's annual leave from the leave ledger, prorated to the last day by the final-pay rule.

    Granted: the year's grant and its corrections, without the adjustment the leave app posts on the last
    day for a leaver (the final-pay rule prorates again from the grant). Taken: the annual leave used in
    the year up to the last day. Days carried over from the year before are not counted, and the grant
    of a person hired this year covers part of the year only: both are named for the review."""
    jan1 = dt.date(last_day.year, 1, 1)
    granted = taken = carried = Decimal("0")
    annual_types: set[int] = set()
    for entry in entries(employee_id=employee.pk, as_of=last_day):
        if entry.leave_type.category != LeaveCategory.ANNUAL:
            continue
        annual_types.add(entry.leave_type_id)
        if entry.effective_date < jan1:
            continue
        if entry.kind in TAKEN_KINDS:
            taken -= entry.days
        elif entry.kind == EntryKind.CARRY_OVER:
            carried += entry.days
        elif entry.kind == EntryKind.ACCRUAL or (
            entry.kind == EntryKind.ADJUSTMENT and entry.effective_date < last_day
        ):
            granted += entry.days
    held = balances(employee_ids=[employee.pk], as_of=last_day).get(employee.pk, {})
    balance = sum((days for type_id, days in held.items() if type_id in annual_types), Decimal("0"))
    unused = leaver_unused_leave_days(
        hire_date=employee.hire_date,
        termination_date=last_day,
        annual_entitlement_days=max(granted, Decimal("0")),
        days_taken=max(taken, Decimal("0")),
    )
    return LeaveFigures(
        granted_days=granted,
        taken_days=taken,
        ledger_balance=balance,
        carried_days=carried,
        hired_this_year=employee.hire_date >= jan1,
        unused=unused,
    )


def _gather(employee: Employee, reason: Any, renewal_refused: bool) -> FinalPayPreview:
    last_day = org_selectors.last_day_of_employment(employee)
    if last_day is None:
        raise InvalidInput(
            _("The final pay cannot be worked out yet."),
            {"employee": [_("No termination is recorded for this person.")]},
        )
    contract = org_selectors.contract_as_of(employee, last_day)
    errors: dict[str, list[str]] = {}
    if contract is None or not contract.pay_group or not contract.social_insurance_city:
        errors["employee"] = [_("No employment contract with a pay group and a city on the last day.")]
    try:
        legal_reason = LegalReason(reason)
    except ValueError:
        errors["reason"] = [_("Choose the legal reason the employment ended for.")]
    if errors:
        raise InvalidInput(_("The final pay cannot be worked out yet."), errors)
    assert contract is not None
    book = policy_book()
    city = book.city_key(contract.social_insurance_city)
    try:
        average = book.average_monthly_wage_for(city, last_day).amount
        minimum = book.minimum_wage_for(city, last_day).amount
    except PolicyNotFound as exc:
        raise InvalidInput(_("The final pay cannot be worked out yet."), {"city": [exc.detail]}) from None
    pay_group = PayGroup.objects.filter(key=contract.pay_group).first()
    if pay_group is None:
        raise InvalidInput(
            _("The final pay cannot be worked out yet."),
            {"employee": [_("The pay group of the contract does not exist.")]},
        )
    leave = leave_figures(employee, last_day)
    inputs = FinalPayInput(
        hire_date=employee.hire_date,
        termination_date=last_day,
        reason=legal_reason,
        monthly_wages=monthly_wages(employee, last_day),
        city_average_monthly_wage=average,
        unused_leave_days=leave.unused.unused_days,
        renewal_refused=renewal_refused,
        minimum_wage=minimum,
    )
    result = final_pay(inputs)
    tax = severance_tax(
        iit_rules().for_date(last_day), compensation=result.severance, city_average_monthly_wage=average
    )
    # The tax line goes just before the total, so the review reads: amounts, tax, total.
    lines = (*result.lines[:-1], tax.line(), result.lines[-1])
    return FinalPayPreview(
        employee=employee,
        pay_group=pay_group,
        city=city,
        inputs=inputs,
        result=result,
        severance_tax=tax,
        leave=leave,
        lines=lines,
    )


# ------------------------------------------------------------------------------------------------ services


def final_pay_preview(
    *, actor: Actor | None, employee: Employee, reason: LegalReason | str, renewal_refused: bool = False
) -> FinalPayPreview:
    """The leaver's final pay as it would be recorded, with every figure it comes from.

    ``reason`` is the termination's legal reason (``rules.final_pay.LegalReason``); ``renewal_refused``
    the art. 46(5) case of a fixed-term expiry. Reading the person's wages is audited (never an amount).
    """
    if not access.can_handle_final_pay(actor, employee, org_selectors.last_day_of_employment(employee)):
        raise PermissionDenied(_("You may not handle this person's final pay."))
    preview = _gather(employee, reason, renewal_refused)
    if actor is not None:
        audit_record(actor=actor, action="read_sensitive", obj=employee, summary="final pay preview")
    return preview


@dataclass(frozen=True)
class FinalPayRecorded:
    run: PayrollRun
    items: tuple[PayItem, ...]
    preview: FinalPayPreview


def _open_final_pay_run(employee: Employee) -> PayrollRun | None:
    """A final-pay run of the person that is not undone by a reversal."""
    return (
        PayrollRun.objects.filter(kind=RunKind.FINAL_PAY, employee=employee, reversed_by__isnull=True)
        .order_by("-id")
        .first()
    )


def _items_to_record(preview: FinalPayPreview) -> list[dict[str, Any]]:
    """The one-off items that pay the final pay: per line of the one-off compensation its exempt part and
    its rest taxed on its own (the exemption used up in the order of the lines), the tax on that rest as
    a deduction, and the unused leave as a taxable earning."""
    items: list[dict[str, Any]] = []
    exempt_left = preview.severance_tax.exempt
    for line in preview.result.lines:
        if line.code in SEVERANCE_CODES and line.amount > 0:
            exempt = min(line.amount, exempt_left)
            exempt_left -= exempt
            label = str(LABELS[line.code])
            if exempt:
                items.append(
                    {
                        "kind": PayItemKind.SEPARATE_INCOME,
                        "amount": exempt,
                        "taxable": False,
                        "reason": _("%(line)s (tax-exempt)") % {"line": label},
                    }
                )
            if line.amount - exempt:
                items.append(
                    {
                        "kind": PayItemKind.SEPARATE_INCOME,
                        "amount": line.amount - exempt,
                        "taxable": False,
                        "reason": _("%(line)s (taxed separately)") % {"line": label},
                    }
                )
        elif line.code == ANNUAL_LEAVE and line.amount > 0:
            items.append(
                {
                    "kind": PayItemKind.EARNING,
                    "amount": line.amount,
                    "taxable": True,
                    "reason": _("%(line)s: %(days)s days")
                    % {"line": str(LABELS[ANNUAL_LEAVE]), "days": preview.inputs.unused_leave_days},
                }
            )
    if preview.severance_tax.tax > 0:
        items.append(
            {
                "kind": PayItemKind.SEPARATE_TAX,
                "amount": preview.severance_tax.tax,
                "taxable": False,
                "reason": _("Individual income tax on the compensation, taxed separately"),
            }
        )
    return items


@transaction.atomic
def final_pay_record(
    *, actor: Actor | None, employee: Employee, reason: LegalReason | str, renewal_refused: bool = False
) -> FinalPayRecorded:
    """Record the leaver's final pay: a draft final-pay run for the month of the last day, holding the
    amounts as one-off items; the run is calculated, approved and locked as any other.

    Everything is worked out and checked before the first write; a person whose final pay is already
    recorded (a final-pay run not reversed) is refused.
    """
    if not access.can_handle_final_pay(actor, employee, org_selectors.last_day_of_employment(employee)):
        raise PermissionDenied(_("You may not handle this person's final pay."))
    employee = Employee.objects.select_for_update().get(pk=employee.pk)
    preview = _gather(employee, reason, renewal_refused)
    existing = _open_final_pay_run(employee)
    if existing is not None:
        raise Conflict(
            _("This person's final pay is already recorded (run %(run)s): reverse that run to record it again.")
            % {"run": existing.pk}
        )
    planned = _items_to_record(preview)
    if not planned:
        raise InvalidInput(
            _("Nothing is owed: the final pay is zero."),
            {"reason": [_("This reason owes no compensation, and no annual leave is left.")]},
        )
    month = first_of_month(preview.inputs.termination_date)
    run = payroll_run_create(
        actor=actor,
        pay_group=preview.pay_group,
        month=month,
        kind=RunKind.FINAL_PAY,
        title=_("Final pay: %(name)s") % {"name": str(employee)},
        employee=employee,
    )
    items = tuple(pay_item_record(actor=actor, employee=employee, month=month, run=run, **item) for item in planned)
    audit_record(
        actor=actor,
        action="create",
        obj=run,
        summary="final pay recorded",
        changes={"reason": preview.inputs.reason.value, "items": str(len(items))},
    )
    return FinalPayRecorded(run=run, items=items, preview=preview)


def final_pay_on_termination(sender: Any, *, event: EmploymentEvent, **kwargs: Any) -> None:
    """Receiver for a recorded termination: records the final pay when the legal reason comes with it.

    Connected from ``payroll.apps`` once organisation announces a recorded termination (with the event
    and, when it records one, the legal reason in ``reason``). Without a reason nothing can be worked
    out; the payroll role records the final pay from the leaver's page instead.
    """
    reason = kwargs.get("reason")
    if event.kind != EventKind.TERMINATION or not reason:
        return
    employee = Employee.objects.get(pk=event.employee_id)
    if _open_final_pay_run(employee) is not None:
        return
    try:
        final_pay_record(
            actor=None, employee=employee, reason=reason, renewal_refused=bool(kwargs.get("renewal_refused"))
        )
    except DomainError as exc:
        # The termination stands; payroll records the final pay by hand once the facts are complete.
        # The message names what is missing, never an amount.
        log.warning("Final pay of employee %s not recorded: %s %s", employee.pk, exc.detail, sorted(exc.errors))
