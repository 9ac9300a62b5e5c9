"""Reads of payslips for the people they belong to and for payroll: the list of one's published
payslips, one payslip laid out with every line's label and explanation in the reader's language, and
the questions asked on its lines.

A payslip page reads a fixed handful of queries whatever the number of lines (the payslip with its
run and person, its lines, the names of its components, its one-off items, its questions), so it stays
quick on a phone. A payslip read by anyone but its owner leaves an audit entry, never an amount.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

from django.db.models import QuerySet
from django.utils import formats
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from talentloop.core.access import Actor
from talentloop.core.audit.services import audit_record
from talentloop.core.bilingual import localized
from talentloop.organisation.models import OrgUnit
from talentloop.payroll import access
from talentloop.payroll.labels import COMPONENT_PREFIX, item_id, line_labels
from talentloop.payroll.models import (
    PayrollLine,
    PayrollRun,
    Payslip,
    PayslipQuestion,
    QuestionState,
    RunKind,
)
from talentloop.payroll.rules.month import (
    BONUS,
    BONUS_TAX,
    GROSS,
    IIT,
    NET,
    OVERTIME_CODES,
    SHORTFALL_BROUGHT_FORWARD,
    SICK_PAY_ADJUSTMENT,
    UNPAID_LEAVE,
)
from talentloop.payroll.rules.social import Fund

PAYSLIP_READ = "payslip"
ZERO = Decimal("0.00")
OVERTIME = frozenset(OVERTIME_CODES.values())


# ------------------------------------------------------------------------------------------------ formatting


def _dec(value: Any) -> Decimal:
    """A figure of a line's ``explain`` (stored as text) as a Decimal; 0 when absent or not a number."""
    if value is None or isinstance(value, bool):
        return ZERO
    try:
        number = Decimal(str(value))
    except (InvalidOperation, ValueError):
        return ZERO
    return number if number.is_finite() else ZERO


def money(value: Any, places: int = 2) -> str:
    """An amount in the active locale's number format, grouped, to ``places`` decimals rounded half up
    (Django's number format would cut the further decimals off)."""
    rounded = _dec(value).quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)
    return formats.number_format(rounded, places, use_l10n=True, force_grouping=True)


def number(value: Any) -> str:
    """A plain figure (days, hours, a multiplier) without trailing zeros."""
    text = f"{_dec(value).normalize():f}"
    return formats.number_format(Decimal(text), None, use_l10n=True)


def percent(fraction: Any) -> str:
    """A rate stored as a fraction (0.08) as a percentage figure (8)."""
    return number(_dec(fraction) * 100)


def month_label(month: dt.date) -> str:
    return formats.date_format(month, "YEAR_MONTH_FORMAT")


# ------------------------------------------------------------------------------------------------ labels


def run_kind_label(run: PayrollRun, payslip: Payslip) -> str:
    """What the person sees for the run that paid them: monthly pay, a bonus, a correction, final pay
    or a reversal (an off-cycle run paying an annual bonus is a bonus; any other is a correction)."""
    if run.kind == RunKind.REGULAR:
        return pgettext("payslip kind", "Monthly pay")
    if run.kind == RunKind.REVERSAL:
        return pgettext("payslip kind", "Reversal")
    if run.kind == RunKind.FINAL_PAY:
        return pgettext("payslip kind", "Final pay")
    if payslip.bonus:
        return pgettext("payslip kind", "Bonus")
    return pgettext("payslip kind", "Correction")


def _fund(code: str, suffix: str) -> Fund | None:
    try:
        return Fund(code.removesuffix(suffix))
    except ValueError:
        return None


# ------------------------------------------------------------------------------------------------ explanations


def _tax_explanation(e: Mapping[str, Any], amount: Decimal) -> str:
    text = _(
        "Income to date %(income)s − exempt income %(exempt)s − basic deduction %(basic)s − social insurance "
        "and housing fund %(si)s − special additional deductions %(special)s − other deductions %(other)s = "
        "taxable income to date %(taxable)s. Bracket %(bracket)s: %(rate)s %% less the quick deduction "
        "%(quick)s = tax to date %(tax)s; withheld before %(before)s; this month %(month)s."
    ) % {
        "income": money(e.get("ytd_income")),
        "exempt": money(e.get("ytd_exempt_income")),
        "basic": money(e.get("ytd_basic_deduction")),
        "si": money(e.get("ytd_social_insurance")),
        "special": money(e.get("ytd_special_additional_deductions")),
        "other": money(e.get("ytd_other_deductions")),
        "taxable": money(e.get("cumulative_taxable_income")),
        "bracket": e.get("bracket", ""),
        "rate": percent(e.get("rate")),
        "quick": money(e.get("quick_deduction")),
        "tax": money(e.get("cumulative_tax")),
        "before": money(e.get("withheld_before")),
        "month": money(abs(amount)),
    }
    rule = e.get("basic_deduction_rule")
    if rule == "first_wages":
        text += " " + _("First wages of the year: the basic deduction counts every month of the year so far.")
    elif rule == "previous_year_low_income":
        text += " " + _("Income of last year at most 60,000: 60,000 of basic deduction from January.")
    if _dec(e.get("computed_withholding")) < 0:
        text += " " + _("The result is negative: nothing is withheld this month.")
    return text


def _contribution_explanation(e: Mapping[str, Any]) -> str:
    base, wage = _dec(e.get("base")), _dec(e.get("wage"))
    text = _("Base %(base)s × %(rate)s %%") % {"base": money(base), "rate": percent(e.get("rate"))}
    if _dec(e.get("fixed_amount")):
        text += " + " + money(e.get("fixed_amount"))
    if e.get("clamped") and base > wage:
        text += " " + _("(your wage %(wage)s is below the floor %(floor)s: the floor is the base)") % {
            "wage": money(wage),
            "floor": money(e.get("base_floor")),
        }
    elif e.get("clamped") and base < wage:
        text += " " + _("(your wage %(wage)s is above the ceiling %(ceiling)s: the ceiling is the base)") % {
            "wage": money(wage),
            "ceiling": money(e.get("base_ceiling")),
        }
    else:
        text += " " + _("(between the floor %(floor)s and the ceiling %(ceiling)s)") % {
            "floor": money(e.get("base_floor")),
            "ceiling": money(e.get("base_ceiling")),
        }
    if e.get("new_hire_first_month_wage"):
        text += "; " + _("a new hire's base is the first month's wage")
    if e.get("rounding") == "HALF_UP_YUAN":
        text += "; " + _("rounded to the yuan")
    elif e.get("rounding") == "HALF_UP_JIAO":
        text += "; " + _("rounded to the jiao")
    return text


def _leave_explanation(e: Mapping[str, Any]) -> str:
    text = _("%(days)s days × daily wage %(daily)s (wage base %(base)s ÷ %(paid)s paid days)") % {
        "days": number(e.get("days")),
        "daily": money(e.get("daily_wage"), 4),
        "base": money(e.get("wage_base")),
        "paid": number(e.get("monthly_paid_days")),
    }
    if e.get("capped"):
        text += "; " + _("limited to the month's pay, which never goes below zero")
    return text


def _overtime_explanation(e: Mapping[str, Any]) -> str:
    return _("%(hours)s hours × hourly wage %(hourly)s × %(multiplier)s") % {
        "hours": number(e.get("hours")),
        "hourly": money(e.get("hourly_wage"), 4),
        "multiplier": number(e.get("multiplier")),
    }


def _sick_explanation(e: Mapping[str, Any]) -> str:
    text = _("%(days)s days of sick leave paid at %(percent)s %% of the daily wage %(daily)s") % {
        "days": number(e.get("days")),
        "percent": percent(e.get("percent")),
        "daily": money(e.get("daily_wage"), 4),
    }
    if e.get("floor_applied"):
        text += "; " + _("raised to the legal floor %(floor)s") % {"floor": money(e.get("floor"))}
    return text


def _bonus_explanation(e: Mapping[str, Any]) -> str:
    if e.get("method") == "merged":
        return _("Taxed together with this month's wages, as you chose.")
    return _("Taxed on its own as the annual one-time bonus, apart from the wages.")


def _bonus_tax_explanation(e: Mapping[str, Any]) -> str:
    if e.get("method") == "merged":
        return _(
            "With the wages: taxable income to date %(taxable)s, bracket %(bracket)s at %(rate)s %% less the "
            "quick deduction %(quick)s; the share of the tax due to the bonus."
        ) % {
            "taxable": money(e.get("cumulative_taxable_income")),
            "bracket": e.get("bracket", ""),
            "rate": percent(e.get("rate")),
            "quick": money(e.get("quick_deduction")),
        }
    return _(
        "Bonus ÷ 12 = %(monthly)s: bracket %(bracket)s of the monthly table, %(rate)s %% of the bonus less the "
        "quick deduction %(quick)s."
    ) % {
        "monthly": money(e.get("monthly_equivalent")),
        "bracket": e.get("bracket", ""),
        "rate": percent(e.get("rate")),
        "quick": money(e.get("quick_deduction")),
    }


def _component_explanation(e: Mapping[str, Any], kind: str) -> str:
    parts = []
    if e.get("formula"):
        parts.append(_("Worked out by the formula %(formula)s") % {"formula": e["formula"]})
    if kind == "earning" and e.get("taxable") is False:
        parts.append(_("not taxed"))
    return "; ".join(parts)


def explain_line(code: str, kind: str, amount: Decimal, explain: Mapping[str, Any] | None) -> str:
    """One sentence in the active language saying how the line's amount was worked out (empty when
    the line needs none, e.g. a fixed amount)."""
    e = explain or {}
    if code == IIT:
        return _tax_explanation(e, amount)
    if code.endswith(".employee") and _fund(code, ".employee") is not None:
        return _contribution_explanation(e)
    if code == UNPAID_LEAVE:
        return _leave_explanation(e)
    if code in OVERTIME:
        return _overtime_explanation(e)
    if code == SICK_PAY_ADJUSTMENT:
        return _sick_explanation(e)
    if code == BONUS:
        return _bonus_explanation(e)
    if code == BONUS_TAX:
        return _bonus_tax_explanation(e)
    if code == SHORTFALL_BROUGHT_FORWARD:
        return _("What an earlier month's deductions left owing, taken from this month's pay.")
    if code.startswith(COMPONENT_PREFIX):
        if item_id(code.removeprefix(COMPONENT_PREFIX)) is not None:
            return _component_explanation(e, kind) or _("A one-off amount of this month.")
        return _component_explanation(e, kind)
    return ""


# ------------------------------------------------------------------------------------------------ the list


def payslip_list(actor: Actor) -> QuerySet[Payslip]:
    """The actor's published payslips, newest first (two queries for a page: the count and the rows
    with their runs)."""
    return (
        access.my_payslips(actor)
        .select_related("run")
        .only("pk", "month", "net", "gross", "bonus", "published_at", "run__kind", "run__title", "run__month")
        .order_by("-month", "-published_at", "-pk")
    )


def payslip_rows(payslips: list[Payslip]) -> list[dict[str, Any]]:
    """What the list shows per payslip: the month, net pay and what kind of pay it was."""
    return [
        {"payslip": p, "month": p.month, "net": p.net, "kind": p.run.kind, "kind_label": run_kind_label(p.run, p)}
        for p in payslips
    ]


# ------------------------------------------------------------------------------------------------ one payslip


@dataclass
class LineView:
    code: str
    label: str
    kind: str
    amount: Decimal
    explanation: str
    questions: list[PayslipQuestion] = field(default_factory=list)


@dataclass
class Section:
    key: str
    title: str
    lines: list[LineView]
    total_label: str = ""
    total: Decimal | None = None


@dataclass
class PayslipView:
    payslip: Payslip
    run: PayrollRun
    kind_label: str
    mine: bool
    sections: list[Section]
    gross: Decimal
    bonus: Decimal
    deductions: Decimal
    net: Decimal
    shortfall: Decimal
    ytd: list[tuple[str, str]]
    questions: list[PayslipQuestion]
    can_ask: bool
    line_choices: list[tuple[str, str]]

    @property
    def month(self) -> dt.date:
        return self.payslip.month


def _visible(actor: Actor) -> QuerySet[Payslip]:
    return access.visible_payslips(actor).select_related("run__pay_group", "employee")


def payslip_for(actor: Actor, pk: int) -> Payslip | None:
    """The payslip if the actor may open it (their own once published; any of the groups they run;
    any for administrators), else None. Not audited: for checks before a write."""
    return _visible(actor).filter(pk=pk).first()


def _ytd(payslip: Payslip) -> list[tuple[str, str]]:
    return [
        (_("Months employed this year"), str(payslip.ytd_months)),
        (_("Income"), money(payslip.ytd_income)),
        (_("Exempt income"), money(payslip.ytd_exempt_income)),
        (_("Social insurance and housing fund"), money(payslip.ytd_social_insurance)),
        (_("Special additional deductions"), money(payslip.ytd_special_deductions)),
        (_("Other deductions"), money(payslip.ytd_other_deductions)),
        (_("Income tax withheld"), money(payslip.ytd_tax)),
    ]


#: Deductions that are part of gross pay (gross = earnings + overtime - these), shown with the pay.
IN_GROSS = frozenset({UNPAID_LEAVE, SICK_PAY_ADJUSTMENT})


def _sections(views: list[LineView], gross: Decimal, deductions: Decimal) -> list[Section]:
    """Pay (the lines that make up gross pay), a bonus paid with it, what is taken from pay, and what
    the company pays on top that the payslip shows. Total lines (gross, net), where stored, are the
    sections' totals instead."""
    pay, bonus, taken, company = [], [], [], []
    for view in views:
        if view.kind == "total" or view.code in (GROSS, NET):
            continue
        if view.kind == "employer_cost":
            company.append(view)
        elif view.code == BONUS:
            bonus.append(view)
        elif view.kind == "earning" or view.code in IN_GROSS:
            pay.append(view)
        else:
            taken.append(view)
    sections = [Section("pay", _("Pay"), pay, _("Gross pay"), gross)]
    if bonus:
        sections.append(Section("bonus", pgettext("payslip section", "Bonus"), bonus))
    sections.append(Section("deductions", _("Taken from pay"), taken, _("Total deductions"), deductions))
    if company:
        sections.append(Section("company", _("Paid by the company"), company))
    return sections


def payslip_get(actor: Actor, pk: int) -> PayslipView | None:
    """One payslip laid out for reading, in the active language; None when the actor may not open it.
    A read by anyone but its owner is audited (who, whose, which month; never an amount)."""
    payslip = payslip_for(actor, pk)
    if payslip is None:
        return None
    mine = access.is_own_payslip(actor, payslip)
    if not mine:
        audit_record(
            actor=actor,
            action="read_sensitive",
            obj=payslip.employee,
            summary=f"{PAYSLIP_READ}: {payslip.pk} {payslip.month:%Y-%m}",
        )
    lines = list(
        PayrollLine.objects.filter(payslip_id=payslip.pk, shown_on_payslip=True)
        .only("code", "kind", "amount", "explain", "position")
        .order_by("position")
    )
    labels = line_labels(line.code for line in lines)
    questions = list(
        access.visible_payslip_questions(actor).filter(payslip_id=payslip.pk).select_related("answered_by")
    )
    by_line: dict[str, list[PayslipQuestion]] = {}
    for q in questions:
        q.payslip = payslip  # already read: no query per question when a reader follows it
        by_line.setdefault(q.line_code, []).append(q)
    views = [
        LineView(
            code=line.code,
            label=labels[line.code],
            kind=line.kind,
            amount=line.amount,
            explanation=explain_line(line.code, line.kind, line.amount, line.explain),
            questions=by_line.get(line.code, []),
        )
        for line in lines
    ]
    owed = next(
        (_dec(v.get("shortfall_brought_forward")) for v in (ln.explain for ln in lines if ln.code == NET)), ZERO
    )
    deductions = (
        payslip.employee_social_insurance
        + payslip.employee_housing_fund
        + payslip.iit
        + payslip.bonus_tax
        + payslip.deductions
        + owed
    )
    return PayslipView(
        payslip=payslip,
        run=payslip.run,
        kind_label=run_kind_label(payslip.run, payslip),
        mine=mine,
        sections=_sections(views, payslip.gross, deductions),
        gross=payslip.gross,
        bonus=payslip.bonus,
        deductions=deductions,
        net=payslip.net,
        shortfall=payslip.shortfall,
        ytd=_ytd(payslip),
        questions=questions,
        can_ask=access.can_ask_about_payslip(actor, payslip),
        line_choices=[(v.code, v.label) for v in views if v.kind != "total"],
    )


def company_name() -> str:
    """The organisation's name for the PDF: the top org unit's, in the active language."""
    root = OrgUnit.objects.filter(parent__isnull=True).order_by("pk").only("name", "name_en").first()
    return localized(root, "name") if root is not None else ""


# ------------------------------------------------------------------------------------------------ questions


def question_list(actor: Actor, *, state: str = "") -> QuerySet[PayslipQuestion]:
    """The questions the actor answers (payroll of the groups; administrators), open ones first, oldest
    first within a state. Two queries for a page: the count and the rows with payslip, run and person."""
    rows = access.answerable_payslip_questions(actor).select_related(
        "payslip__run__pay_group", "payslip__employee", "answered_by"
    )
    if state in QuestionState.values:
        rows = rows.filter(state=state)
    return rows.order_by("state", "asked_at", "pk")


def question_get(actor: Actor, pk: int) -> PayslipQuestion | None:
    """A question the actor may answer, with its payslip and person; None else."""
    return question_list(actor).filter(pk=pk).first()


def question_line_labels(questions: list[PayslipQuestion]) -> dict[int, str]:
    """The name of the line each question is about, for a page of questions: at most two queries."""
    labels = line_labels(q.line_code for q in questions if q.line_code)
    return {q.pk: labels[q.line_code] if q.line_code else _("The payslip as a whole") for q in questions}
