"""Reads behind the payroll run pages and the runs API: the runs of the actor's pay groups, a run's
review (every person's payslip with the change against their previous one), one person's lines with
their labels and explanations, one-off items, the annual-bonus cliffs and the people an attendance
file names.

Payroll reading other people's pay leaves an audit entry (never an amount): one per review page or
page of lines (the run as a whole), one per person whose lines are opened."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.db.models import OuterRef, Q, QuerySet, Subquery
from django.utils.translation import gettext_lazy, pgettext_lazy

from talentloop.core.access import Actor
from talentloop.core.audit.models import AuditEntry
from talentloop.core.audit.services import audit_record
from talentloop.core.bilingual import localized
from talentloop.organisation.models import Employee
from talentloop.organisation.search import normalise_term
from talentloop.payroll import access
from talentloop.payroll.labels import line_labels
from talentloop.payroll.models import (
    PayGroup,
    PayItem,
    PayrollLine,
    PayrollRun,
    Payslip,
    RunKind,
    RunState,
)
from talentloop.payroll.rules.iit import IitRulesUnavailable
from talentloop.payroll.rules.iit_bonus import BonusCliff, bonus_cliffs
from talentloop.payroll.services import iit_rules
from talentloop.payroll.services.runs import attendance_figures_import

PAYSLIP_READ = "payslip"

#: The review's filters: which payslips a reviewer wants to look at first.
REVIEW_FILTERS = ("flagged", "outliers", "refused", "changed")

#: Why a net pay changed, in the reader's language (``Payslip.changes[].reason``).
CHANGE_REASONS: dict[str, Any] = {
    "new_hire": pgettext_lazy("pay change", "New hire"),
    "leaver": pgettext_lazy("pay change", "Leaver"),
    "raise": pgettext_lazy("pay change", "Raise"),
    "pay_cut": pgettext_lazy("pay change", "Pay cut"),
    "unpaid_leave": pgettext_lazy("pay change", "Unpaid leave"),
    "overtime": pgettext_lazy("pay change", "Overtime"),
    "bonus": pgettext_lazy("pay change", "Bonus"),
    "one_off": pgettext_lazy("pay change", "One-off item"),
    "tax_bracket": pgettext_lazy("pay change", "Tax bracket changed"),
    "reversal": pgettext_lazy("pay change", "Reversal"),
}

#: The figures a line is explained with (``PayrollLine.explain`` keys), in the reader's language.
EXPLAIN_LABELS: dict[str, Any] = {
    "key": gettext_lazy("Component"),
    "formula": gettext_lazy("Formula"),
    "taxable": gettext_lazy("Taxable"),
    "in_si_base": gettext_lazy("In the social-insurance base"),
    "in_wage_base": gettext_lazy("In the wage base"),
    "wage": gettext_lazy("Contribution wage"),
    "base": gettext_lazy("Contribution base"),
    "base_floor": gettext_lazy("Base floor"),
    "base_ceiling": gettext_lazy("Base ceiling"),
    "clamped": gettext_lazy("Base clamped to the floor or ceiling"),
    "rounding": gettext_lazy("Rounding"),
    "new_hire_first_month_wage": gettext_lazy("Base from the first month's wage (new hire)"),
    "rate": gettext_lazy("Rate"),
    "fixed_amount": gettext_lazy("Fixed amount"),
    "ytd_income": gettext_lazy("Income this year"),
    "ytd_exempt_income": gettext_lazy("Tax-exempt income this year"),
    "ytd_basic_deduction": gettext_lazy("Basic deduction this year"),
    "basic_deduction_rule": gettext_lazy("Basic deduction rule"),
    "ytd_social_insurance": gettext_lazy("Social insurance and housing fund this year"),
    "ytd_special_additional_deductions": gettext_lazy("Special additional deductions this year"),
    "ytd_other_deductions": gettext_lazy("Other deductions this year"),
    "cumulative_taxable_income": gettext_lazy("Cumulative taxable income"),
    "cumulative_tax": gettext_lazy("Cumulative tax"),
    "bracket": gettext_lazy("Tax bracket"),
    "quick_deduction": gettext_lazy("Quick deduction"),
    "withheld_before": gettext_lazy("Tax withheld in earlier months"),
    "computed_withholding": gettext_lazy("Withholding worked out"),
    "method": gettext_lazy("Bonus taxation"),
    "monthly_equivalent": gettext_lazy("Bonus divided by 12"),
    "source": gettext_lazy("Source"),
    "wage_base": gettext_lazy("Wage base"),
    "daily_wage": gettext_lazy("Daily wage"),
    "hourly_wage": gettext_lazy("Hourly wage"),
    "days": gettext_lazy("Days"),
    "hours": gettext_lazy("Hours"),
    "multiplier": gettext_lazy("Multiplier"),
}


# ------------------------------------------------------------------------------------------------ runs


def run_pay_groups(actor: Actor) -> QuerySet[PayGroup]:
    """The pay groups whose runs the actor sees, for the filters and the "new run" form."""
    return access.visible_pay_groups(actor).order_by("key")


def run_list(
    actor: Actor, *, pay_group: PayGroup | None = None, month: dt.date | None = None, state: str = ""
) -> QuerySet[PayrollRun]:
    """The runs of the actor's pay groups, newest tax month first."""
    runs = access.visible_runs(actor).select_related("pay_group", "employee")
    if pay_group is not None:
        runs = runs.filter(pay_group=pay_group)
    if month is not None:
        runs = runs.filter(month=month.replace(day=1))
    if state:
        runs = runs.filter(state=state)
    return runs.order_by("-month", "pay_group__key", "-id")


def run_get(actor: Actor, pk: int) -> PayrollRun | None:
    """One run the actor sees, with who did each step (one query); None when not visible."""
    return (
        access.visible_runs(actor)
        .select_related(
            "pay_group",
            "employee",
            "reverses",
            "created_by",
            "calculated_by",
            "submitted_by",
            "approved_by",
            "locked_by",
        )  # fmt: skip
        .filter(pk=pk)
        .first()
    )


def run_reversal(run: PayrollRun) -> PayrollRun | None:
    """The reversal run of a locked run, if one was made."""
    return PayrollRun.objects.filter(reverses=run).first() if run.is_locked else None


#: The run's steps as its history names them.
RUN_ACTIONS: dict[str, Any] = {
    "create": pgettext_lazy("payroll run step", "Created"),
    "calculate": pgettext_lazy("payroll run step", "Calculated"),
    "submit": pgettext_lazy("payroll run step", "Submitted"),
    "approve": pgettext_lazy("payroll run step", "Approved"),
    "reopen": pgettext_lazy("payroll run step", "Reopened"),
    "lock": pgettext_lazy("payroll run step", "Paid and locked"),
    "reverse": pgettext_lazy("payroll run step", "Reversed"),
}


@dataclass(frozen=True)
class RunEvent:
    at: dt.datetime
    action: str
    who: str
    summary: str


def run_history(run: PayrollRun, limit: int = 50) -> list[RunEvent]:
    """Who did what to the run and when, newest first, with the reasons given (reopen, reverse)."""
    entries = AuditEntry.objects.filter(entity_type="payroll.payrollrun", entity_id=str(run.pk)).exclude(
        action="read_sensitive"
    )
    return [
        RunEvent(at=e.at, action=str(RUN_ACTIONS.get(e.action, e.action)), who=e.actor_label, summary=e.summary)
        for e in entries.order_by("-at", "-id")[:limit]
    ]


# ------------------------------------------------------------------------------------------------ review


def _audit_run_read(actor: Actor, run: PayrollRun, what: str) -> None:
    audit_record(actor=actor, action="read_sensitive", obj=run, summary=f"{PAYSLIP_READ}: {what}"[:200])


def payslip_review(actor: Actor, run: PayrollRun, *, search: str = "", only: str = "") -> QuerySet[Payslip]:
    """Every person's payslip in the run (the caller pages it), by employee number, with the net of
    their previous published payslip of the tax year as ``previous_net`` (one correlated subquery).
    ``search`` matches name, pinyin or number; ``only`` is one of :data:`REVIEW_FILTERS`."""
    previous = (
        Payslip.objects.filter(
            employee=OuterRef("employee"),
            month__gte=run.month.replace(month=1),
            month__lte=run.month,
            published_at__isnull=False,
        )
        .exclude(run=run)
        .order_by("-published_at", "-id")
        .values("net")[:1]
    )
    slips = (
        access.visible_payslips(actor)
        .filter(run=run)
        .select_related("employee")
        .annotate(previous_net=Subquery(previous))
        .order_by("employee__employee_number", "id")
    )
    term = normalise_term(search)
    if term:
        slips = slips.filter(employee__search_key__contains=term)
    if only == "flagged":
        slips = slips.exclude(flags=[])
    elif only == "outliers":
        slips = slips.filter(outlier=True)
    elif only == "refused":
        slips = slips.exclude(refusal="")
    elif only == "changed":
        slips = slips.exclude(changes=[])
    return slips


def review_read(actor: Actor, run: PayrollRun, page_rows: Sequence[Payslip]) -> list[dict[str, Any]]:
    """The rows of one review page as the page shows them, audited as one read of the run's payslips."""
    _audit_run_read(actor, run, f"review of {len(page_rows)}")
    return [review_row(slip) for slip in page_rows]


def review_row(slip: Payslip) -> dict[str, Any]:
    previous = getattr(slip, "previous_net", None)
    return {
        "payslip": slip,
        "employee": slip.employee,
        "previous_net": previous,
        "change": (slip.net - previous) if previous is not None else None,
        "reasons": [_reason(c) for c in slip.changes or []],
        "flags": [f.get("message") or f.get("flag", "") for f in slip.flags or []],
    }


def _reason(change: dict[str, Any]) -> dict[str, Any]:
    code = str(change.get("reason", ""))
    amount = change.get("amount")
    return {
        "reason": code,
        "label": str(CHANGE_REASONS.get(code, code)),
        "amount": Decimal(str(amount)) if amount not in (None, "") and code != "tax_bracket" else None,
        "bracket": amount if code == "tax_bracket" else None,
    }


# ------------------------------------------------------------------------------------------------ lines


@dataclass
class ExplainedLine:
    line: PayrollLine
    label: str
    figures: list[Figure] = field(default_factory=list)


#: Explanation figures shown as money, and as a percentage.
MONEY_FIGURES = frozenset({
    "wage", "base", "base_floor", "base_ceiling", "fixed_amount", "ytd_income", "ytd_exempt_income",
    "ytd_basic_deduction", "ytd_social_insurance", "ytd_special_additional_deductions", "ytd_other_deductions",
    "cumulative_taxable_income", "cumulative_tax", "quick_deduction", "withheld_before", "computed_withholding",
    "monthly_equivalent", "wage_base", "daily_wage", "hourly_wage",
})  # fmt: skip
RATE_FIGURES = frozenset({"rate"})
HIDDEN_FIGURES = frozenset({"key"})  # the component's key: its name is the line's label already


@dataclass(frozen=True)
class Figure:
    label: str
    value: Any
    kind: str  # "money" (a Decimal), "percent" (text, already times 100: "7"), "bool" or "text"


def explain_figures(explain: dict[str, Any]) -> list[Figure]:
    """The explanation's figures in the rules' order, each labelled and typed for display."""
    out = []
    for key, raw in (explain or {}).items():
        if key in HIDDEN_FIGURES:
            continue
        label = str(EXPLAIN_LABELS.get(key, key))
        if isinstance(raw, bool):
            out.append(Figure(label, raw, "bool"))
            continue
        number = _decimal(raw) if key in MONEY_FIGURES or key in RATE_FIGURES else None
        if number is not None and key in RATE_FIGURES:
            out.append(Figure(label, f"{(number * 100).normalize():f}", "percent"))
        elif number is not None:
            out.append(Figure(label, number, "money"))
        else:
            out.append(Figure(label, raw, "text"))
    return out


def _decimal(value: Any) -> Decimal | None:
    try:
        number = Decimal(str(value))
    except ArithmeticError:
        return None
    return number if number.is_finite() else None


def payslip_get(actor: Actor, run: PayrollRun, pk: int) -> Payslip | None:
    """One payslip of the run that the actor sees; None else."""
    return access.visible_payslips(actor).filter(run=run, pk=pk).select_related("employee").first()


def payslip_lines(actor: Actor, payslip: Payslip) -> list[ExplainedLine]:
    """A payslip's lines with their labels and explanations. Reading someone else's is audited."""
    if not access.is_self(actor, payslip.employee):
        audit_record(
            actor=actor, action="read_sensitive", obj=payslip.employee, summary=f"{PAYSLIP_READ}: run {payslip.run_id}"
        )
    lines = list(PayrollLine.objects.filter(payslip=payslip).order_by("position", "id"))
    labels = line_labels(line.code for line in lines)
    return [ExplainedLine(line=line, label=labels[line.code], figures=explain_figures(line.explain)) for line in lines]


def run_lines(actor: Actor, run: PayrollRun, *, employee_id: int | None = None) -> QuerySet[PayrollLine]:
    """The run's lines (of payslips the actor sees), by person then position; the caller pages them."""
    lines = PayrollLine.objects.filter(payslip__in=access.visible_payslips(actor).filter(run=run).values("pk"))
    if employee_id is not None:
        lines = lines.filter(payslip__employee_id=employee_id)
    return lines.select_related("payslip").order_by("payslip__employee_id", "position", "id")


def run_lines_read(
    actor: Actor, run: PayrollRun, lines: Sequence[PayrollLine], *, employee_id: int | None = None
) -> list[dict[str, Any]]:
    """One page of lines as the API answers them, audited as one read (the run, or the person asked for)."""
    if employee_id is not None:
        person = Employee.objects.filter(pk=employee_id).first()
        if person is not None and not access.is_self(actor, person):
            audit_record(actor=actor, action="read_sensitive", obj=person, summary=f"{PAYSLIP_READ}: run {run.pk}")
    else:
        _audit_run_read(actor, run, f"{len(lines)} lines")
    labels = line_labels(line.code for line in lines)
    return [
        {
            "payslip": line.payslip_id,
            "employee": line.payslip.employee_id,
            "position": line.position,
            "code": line.code,
            "label": labels[line.code],
            "kind": line.kind,
            "amount": line.amount,
            "shown_on_payslip": line.shown_on_payslip,
            "explain": {k: (str(v) if isinstance(v, Decimal) else v) for k, v in (line.explain or {}).items()},
        }
        for line in lines
    ]


# ------------------------------------------------------------------------------------------------ one-off items


def pay_item_people(actor: Actor, on: dt.date | None = None) -> QuerySet[Employee]:
    """The people the actor may record one-off pay for (the people of their pay groups)."""
    return access.payroll_subjects(actor, on)


def visible_pay_items(actor: Actor) -> QuerySet[PayItem]:
    """One-off items of the people of the actor's pay groups, and those the actor's runs paid."""
    if not actor.is_authenticated or not (actor.is_admin or actor.is_payroll):
        return PayItem.objects.none()
    if actor.is_admin:
        return PayItem.objects.all()
    return PayItem.objects.filter(
        Q(employee__in=access.payroll_subjects(actor)) | Q(paid_in__in=access.visible_runs(actor))
    )


def pay_item_list(actor: Actor, *, month: dt.date | None = None, paid: bool | None = None) -> QuerySet[PayItem]:
    items = visible_pay_items(actor).select_related("employee", "corrects", "paid_in")
    if month is not None:
        items = items.filter(month=month.replace(day=1))
    if paid is not None:
        items = items.filter(paid_in__isnull=not paid)
    return items.order_by("-month", "employee__employee_number", "-id")


def locked_runs(actor: Actor) -> QuerySet[PayrollRun]:
    """The locked runs a correction may name."""
    return (
        access.visible_runs(actor)
        .filter(state=RunState.LOCKED)
        .exclude(kind=RunKind.REVERSAL)
        .select_related("pay_group")
        .order_by("-month", "-id")
    )


# ------------------------------------------------------------------------------------------------ bonus cliffs


def bonus_cliffs_of(month: dt.date) -> list[BonusCliff]:
    """The annual-bonus ranges that net less than a smaller bonus, with the rules of ``month``
    (none when no rules cover it)."""
    try:
        rules = iit_rules().for_date(month.replace(day=1))
    except IitRulesUnavailable:
        return []
    return bonus_cliffs(rules.monthly_table)


def bonus_cliff_for(amount: Decimal, month: dt.date) -> BonusCliff | None:
    """The cliff ``amount`` falls in, if any."""
    for cliff in bonus_cliffs_of(month):
        if cliff.first_worse <= amount <= cliff.last_worse:
            return cliff
    return None


# ------------------------------------------------------------------------------------------------ attendance


def attendance_people_by_number(actor: Actor, numbers: Iterable[str], on: dt.date) -> dict[str, int]:
    """``{employee number: id}`` of the numbers that name people of the actor's pay groups on ``on``
    (one query)."""
    wanted = {n.strip() for n in numbers if n and n.strip()}
    if not wanted:
        return {}
    return dict(
        access.payroll_subjects(actor, on).filter(employee_number__in=wanted).values_list("employee_number", "pk")
    )


def attendance_check(actor: Actor, month: dt.date, rows: list[dict[str, Any]]) -> dict[int, dict[str, list[str]]]:
    """The errors of each row as storing them would find them, storing nothing: the import itself
    runs in a savepoint that is rolled back, so the preview and the import can never disagree."""
    with transaction.atomic():
        result = attendance_figures_import(actor=actor, month=month, rows=rows, keep_good=False)
        transaction.set_rollback(True)
    return result.errors


def run_label(run: PayrollRun) -> str:
    """How a run is named in lists and pickers: group, month, kind and title."""
    title = f" · {run.title}" if run.title else ""
    return f"{localized(run.pay_group, 'name')} {run.month:%Y-%m} · {run.get_kind_display()}{title}"
