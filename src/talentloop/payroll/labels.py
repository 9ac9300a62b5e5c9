"""The name of a payroll line in the reader's language, from its code. Line rows store the code, not
the name, so a payslip reads in its reader's language: the rules' fixed lines (``rules.month.LABELS``,
final pay's ``rules.final_pay.LABELS``), a fund's employee or employer part, a salary component's name
(``component.<key>``), a one-off item's reason (``component.item<id>``) and a benefit plan's parts
(``component.benefit.<plan>[.<part>]``). One query per kind named, whatever the number of lines."""

from __future__ import annotations

from collections.abc import Iterable

from django.utils.translation import gettext as _

from talentloop.benefits.selectors import plan_labels
from talentloop.payroll.models import PayItem, SalaryComponent
from talentloop.payroll.rules.final_pay import LABELS as FINAL_PAY_LABELS
from talentloop.payroll.rules.month import EMPLOYEE_FUND_LABELS, EMPLOYER_FUND_LABELS, LABELS
from talentloop.payroll.rules.social import Fund

COMPONENT_PREFIX = "component."
ITEM_PREFIX = "item"
BENEFIT_PREFIX = "benefit."


def item_id(key: str) -> int | None:
    """The one-off item a component key names (``item12`` -> 12), else None."""
    rest = key.removeprefix(ITEM_PREFIX)
    return int(rest) if rest != key and rest.isdigit() else None


def _fund_label(code: str) -> str | None:
    fund, _dot, side = code.rpartition(".")
    try:
        which = Fund(fund)
    except ValueError:
        return None
    if side == "employee":
        return str(EMPLOYEE_FUND_LABELS[which])
    if side == "employer":
        return str(EMPLOYER_FUND_LABELS[which])
    return None


def _benefit_label(key: str, plans: dict[str, str]) -> str:
    plan, _dot, part = key.removeprefix(BENEFIT_PREFIX).partition(".")
    name = plans.get(plan, plan)
    parts = {
        "": "%(plan)s",
        "exempt": _("%(plan)s (tax-free part)"),
        "employer": _("%(plan)s (company's part)"),
        "taxable": _("%(plan)s (taxable value, paid to the provider)"),
        "in_kind": _("%(plan)s (taxable value, paid to the provider)"),
        "employee": _("%(plan)s (your part)"),
    }
    return parts.get(part, "%(plan)s") % {"plan": name}


def line_labels(codes: Iterable[str]) -> dict[str, str]:
    """Each code's label in the active language."""
    codes = set(codes)
    keys = {c.removeprefix(COMPONENT_PREFIX) for c in codes if c.startswith(COMPONENT_PREFIX)}
    items = {i for k in keys if (i := item_id(k)) is not None}
    benefits = {k.removeprefix(BENEFIT_PREFIX).partition(".")[0] for k in keys if k.startswith(BENEFIT_PREFIX)}
    plain = keys - {k for k in keys if item_id(k) is not None or k.startswith(BENEFIT_PREFIX)}
    names = {c.key: c.label for c in SalaryComponent.objects.filter(key__in=plain)} if plain else {}
    reasons = dict(PayItem.objects.filter(pk__in=items).values_list("pk", "reason")) if items else {}
    plans = plan_labels(benefits) if benefits else {}
    out: dict[str, str] = {}
    for code in codes:
        if code.startswith(COMPONENT_PREFIX):
            key = code.removeprefix(COMPONENT_PREFIX)
            item = item_id(key)
            if item is not None:
                out[code] = reasons.get(item, key)
            elif key.startswith(BENEFIT_PREFIX):
                out[code] = _benefit_label(key, plans)
            else:
                out[code] = names.get(key, key)
        elif code in LABELS:
            out[code] = str(LABELS[code])
        elif code in FINAL_PAY_LABELS:
            out[code] = str(FINAL_PAY_LABELS[code])
        else:
            out[code] = _fund_label(code) or code
    return out
