"""The files payroll hands on from a run: the bank transfer file, the monthly IIT withholding sheet, the
payroll journal per cost centre and the social-insurance and housing-fund contribution lists.

:func:`export_for` is the door for people: it checks that the actor runs the run's pay group, that the
run is far enough (approved for the bank file, which is paid before the lock; locked for the rest) and
records the export as a sensitive read (what and for how many people, never an amount or an account).
:func:`build` makes the same file without those checks, for the benchmark and the command line.

Every file is built from a few set-based queries (``selectors_exports``) whatever the number of people,
and written row by row (CSV, or openpyxl's write-only workbook).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import pgettext, pgettext_lazy

from talentloop.core.access import Actor
from talentloop.core.audit.services import audit_record
from talentloop.core.errors import Conflict, InvalidInput, PermissionDenied
from talentloop.payroll import access
from talentloop.payroll import selectors_exports as selectors
from talentloop.payroll.exports.layouts import (
    CONSTANT,
    FIELDS,
    IIT_BONUS_HEADERS,
    IIT_BONUS_SHEET,
    IIT_SHEET,
    RESIDENT_ID_CARD,
    default_layout,
    header_of,
)
from talentloop.payroll.exports.writers import CSV, XLSX, Sheet, write_csv, write_xlsx
from talentloop.payroll.labels import line_labels
from talentloop.payroll.models import ExportEncoding, ExportFormat, ExportLayout, PayrollRun, RunState
from talentloop.payroll.rules.iit_deductions import DeductionKind, cumulative_deductions, monthly_deductions
from talentloop.payroll.rules.social import FUND_LABELS, Fund

ZERO = Decimal("0.00")
BANK, IIT, JOURNAL, CONTRIBUTIONS = "bank", "iit", "journal", "contributions"
KINDS = (BANK, IIT, JOURNAL, CONTRIBUTIONS)
KIND_LABELS = {
    BANK: pgettext_lazy("export kind", "Bank transfer file"),
    IIT: pgettext_lazy("export kind", "Monthly IIT withholding sheet"),
    JOURNAL: pgettext_lazy("export kind", "Payroll journal per cost centre"),
    CONTRIBUTIONS: pgettext_lazy("export kind", "Social insurance and housing fund contribution lists"),
}
FORMATS = {
    BANK: (ExportFormat.CSV, ExportFormat.XLSX),
    IIT: (ExportFormat.XLSX, ExportFormat.CSV),
    JOURNAL: (ExportFormat.XLSX, ExportFormat.CSV),
    CONTRIBUTIONS: (ExportFormat.XLSX,),
}
#: The run states each file may be made in: the bank file pays an approved run (the lock follows the
#: payment); the others report what was paid.
STATES = {
    BANK: (RunState.APPROVED, RunState.LOCKED),
    IIT: (RunState.LOCKED,),
    JOURNAL: (RunState.LOCKED,),
    CONTRIBUTIONS: (RunState.LOCKED,),
}
LAYOUT_KINDS = (BANK, IIT)
LINE_KIND_LABELS = {
    "earning": pgettext_lazy("payroll line kind", "Earning"),
    "deduction": pgettext_lazy("payroll line kind", "Deduction"),
    "employer_cost": pgettext_lazy("payroll line kind", "Employer cost"),
    "total": pgettext_lazy("payroll line kind", "Total"),
}


@dataclass(frozen=True)
class Export:
    kind: str
    format: str
    filename: str
    content_type: str
    content: bytes
    people: int


def export_for(
    actor: Actor, *, kind: str, run: PayrollRun, layout: ExportLayout | None = None, fmt: str = ""
) -> Export:
    """The file for someone who runs the run's pay group, recorded in the audit log."""
    if not access.can_export_run(actor, run):
        raise PermissionDenied(_("Only payroll for this pay group makes its files."))
    result = build(kind, run, layout, fmt)
    audit_record(
        actor=actor,
        action="read_sensitive",
        obj=run,
        summary=f"payroll export {kind} ({result.format}): {result.people} people",
        changes={"export": kind, "format": result.format, "layout": layout.pk if layout else None,
                 "people": result.people},
    )  # fmt: skip
    return result


def build(kind: str, run: PayrollRun, layout: ExportLayout | None = None, fmt: str = "") -> Export:
    """The export file of ``run`` (the default layout when none is given, the layout's format when
    ``fmt`` is empty). Refuses a run not far enough, a layout of another kind, a format the export does
    not come in, and a bank file for people without a bank account (all named; nothing is written)."""
    if kind not in KINDS:
        raise InvalidInput(_("Unknown export."), {"kind": [_("One of: %(kinds)s.") % {"kinds": ", ".join(KINDS)}]})
    if run.state not in STATES[kind]:
        raise Conflict(
            _("This file is made from a run in the state: %(states)s.")
            % {"states": ", ".join(str(RunState(s).label) for s in STATES[kind])}
        )
    if kind in LAYOUT_KINDS:
        if layout is None:
            layout = selectors.default_layout_saved(kind) or default_layout(kind)
        elif layout.kind != kind:
            raise InvalidInput(
                _("This layout is for another export."), {"layout": [_("Choose a layout of this export.")]}
            )
    elif layout is not None:
        raise InvalidInput(_("This export has no layouts."), {"layout": [_("Leave it out for this export.")]})
    fmt = fmt or (layout.format if layout is not None else FORMATS[kind][0])
    if fmt not in FORMATS[kind]:
        raise InvalidInput(
            _("This export comes as: %(formats)s.") % {"formats": ", ".join(FORMATS[kind])},
            {"format": [_("Not available for this export.")]},
        )
    if kind == BANK:
        assert layout is not None
        sheets, people = _bank(run, layout)
    elif kind == IIT:
        assert layout is not None
        sheets, people = _iit(run, layout)
        if fmt == ExportFormat.CSV and len(sheets) > 1:
            raise InvalidInput(
                _("This month has annual bonuses taxed separately: they go on their own sheet, which only "
                  "the Excel file has."),
                {"format": [_("Choose Excel.")]},
            )  # fmt: skip
    elif kind == JOURNAL:
        sheets, people = _journal(run)
    else:
        sheets, people = _contributions(run)
    encoding = layout.encoding if layout is not None else ExportEncoding.UTF8_BOM
    if fmt == ExportFormat.CSV:
        content, content_type = write_csv(sheets[0], encoding), f"{CSV}; charset={encoding.removesuffix('-sig')}"
    else:
        content, content_type = write_xlsx(sheets), XLSX
    name = f"{kind}-{run.pay_group.key}-{run.month:%Y-%m}-{run.pk}.{fmt}"
    return Export(kind=kind, format=fmt, filename=name, content_type=content_type, content=content, people=people)


# ------------------------------------------------------------------------------------------------ bank file

Getter = Callable[[Any], Any]


def _month(run: PayrollRun) -> str:
    return f"{run.month:%Y-%m}"


def _getters(layout: ExportLayout, fields: dict[str, Getter]) -> list[Getter]:
    out: list[Getter] = []
    for column in layout.columns:
        field = column.get("field")
        if field == CONSTANT:
            value = column.get("value", "")
            out.append(lambda _p, value=value: value)
        elif field in fields:
            out.append(fields[field])
        else:  # a layout saved before a field was withdrawn: an empty column, not a failure
            out.append(lambda _p: "")
    return out


def _money_columns(kind: str, layout: ExportLayout) -> frozenset[int]:
    declared = FIELDS[kind]
    return frozenset(
        i for i, c in enumerate(layout.columns) if c.get("field") in declared and declared[c["field"]].money
    )


def _bank(run: PayrollRun, layout: ExportLayout) -> tuple[list[Sheet], int]:
    chosen = {c.get("field") for c in layout.columns}
    people = list(
        selectors.bank_people(
            run,
            bank_account="bank_account" in chosen,
            national_id="national_id" in chosen,
            org_unit="org_unit" in chosen,
        )
    )
    if "bank_account" in chosen:
        missing = [f"{p.employee_number} {p.name}" for p in people if not p.bank_account.strip()]
        if missing:
            raise InvalidInput(
                _("%(count)s people have no bank account; record them before making the bank file.")
                % {"count": len(missing)},
                {"bank_account": missing},
            )
    units = selectors.unit_labels(p.org_unit for p in people) if "org_unit" in chosen else {}
    month, group = _month(run), run.pay_group.label
    fields: dict[str, Getter] = {
        "employee_number": lambda p: p.employee_number,
        "name": lambda p: p.name,
        "name_en": lambda p: p.name_en,
        "national_id": lambda p: p.national_id,
        "bank_account": lambda p: p.bank_account,
        "net_pay": lambda p: p.net,
        "month": lambda _p: month,
        "payslip": lambda p: p.payslip,
        "pay_group": lambda _p: group,
        "org_unit": lambda p: units.get(p.org_unit, ""),
    }
    getters = _getters(layout, fields)
    header = [header_of(BANK, c) for c in layout.columns]
    rows = ([get(p) for get in getters] for p in people)
    title = pgettext("export sheet", "Bank transfer %(month)s") % {"month": month}
    return [Sheet(title, header, rows, _money_columns(BANK, layout))], len(people)


# ------------------------------------------------------------------------------------------------ IIT sheet

#: The cumulative special additional deductions per column (continuing education: both kinds).
YTD_KINDS: dict[str, tuple[DeductionKind, ...]] = {
    "ytd_children_education": (DeductionKind.CHILDREN_EDUCATION,),
    "ytd_continuing_education": (
        DeductionKind.CONTINUING_EDUCATION_DEGREE,
        DeductionKind.CONTINUING_EDUCATION_VOCATIONAL,
    ),
    "ytd_housing_loan_interest": (DeductionKind.HOUSING_LOAN_INTEREST,),
    "ytd_housing_rent": (DeductionKind.HOUSING_RENT,),
    "ytd_elderly_support": (DeductionKind.ELDERLY_SUPPORT,),
    "ytd_infant_care": (DeductionKind.INFANT_CARE,),
    "ytd_personal_pension": (DeductionKind.PERSONAL_PENSION,),
}


@dataclass(frozen=True, slots=True)
class _Deductions:
    cumulative: dict[DeductionKind, Decimal]
    month: dict[DeductionKind, Decimal]
    remark: str = ""


def _deductions_of(rows: list[Any], rules: Any, month: dt.date) -> _Deductions:
    from talentloop.payroll.services import as_declaration  # services import models; kept off module load

    declarations = [as_declaration(r) for r in rows]
    try:
        cumulative = cumulative_deductions(declarations, rules, month.year, month.month).by_kind
        this_month = monthly_deductions(declarations, rules, month.year, month.month).by_kind
    except InvalidInput:
        return _Deductions({}, {}, _("Deduction declarations to check"))
    return _Deductions(dict(cumulative), dict(this_month))


def _iit(run: PayrollRun, layout: ExportLayout) -> tuple[list[Sheet], int]:
    from talentloop.payroll.services import iit_rules

    chosen = {c.get("field") for c in layout.columns}
    people = selectors.iit_people(run, national_id=True, org_unit="org_unit" in chosen)
    wants_deductions = bool(chosen & (set(YTD_KINDS) | {"commercial_health_insurance", "remark"}))
    declarations = selectors.month_declarations(run) if wants_deductions else {}
    rules = iit_rules().for_date(run.month).deductions
    # Each declaring person's deduction columns, worked out once; everyone else has zeros.
    figures: dict[int, dict[str, Any]] = {}
    for pk, rows in declarations.items():
        found = _deductions_of(rows, rules, run.month)
        values: dict[str, Any] = {
            key: sum((found.cumulative.get(k, ZERO) for k in kinds), ZERO).quantize(ZERO)
            for key, kinds in YTD_KINDS.items()
        }
        values["commercial_health_insurance"] = found.month.get(
            DeductionKind.COMMERCIAL_HEALTH_INSURANCE, ZERO
        ).quantize(ZERO)
        values["remark"] = found.remark
        figures[pk] = values
    nothing: dict[str, Any] = dict.fromkeys(YTD_KINDS, ZERO) | {"commercial_health_insurance": ZERO, "remark": ""}
    units = selectors.unit_labels(p.org_unit for p in people) if "org_unit" in chosen else {}
    month = _month(run)

    def declared(key: str) -> Getter:
        return lambda p: figures.get(p.employee, nothing)[key]

    fields: dict[str, Getter] = {
        "employee_number": lambda p: p.employee_number,
        "name": lambda p: p.name,
        "name_en": lambda p: p.name_en,
        "id_type": lambda _p: RESIDENT_ID_CARD,
        "national_id": lambda p: p.national_id,
        "income": lambda p: p.income,
        "exempt_income": lambda p: p.exempt_income,
        "pension": lambda p: p.pension,
        "medical": lambda p: p.medical,
        "unemployment": lambda p: p.unemployment,
        "housing_fund": lambda p: p.housing_fund,
        **{key: declared(key) for key in YTD_KINDS},
        "commercial_health_insurance": declared("commercial_health_insurance"),
        # Not kept by payroll yet: written as zero so the tax bureau's import reads a number.
        "enterprise_annuity": lambda _p: ZERO,
        "tax_deferred_pension": lambda _p: ZERO,
        "other": lambda _p: ZERO,
        "donation": lambda _p: ZERO,
        "tax_relief": lambda _p: ZERO,
        "remark": declared("remark"),
        "month": lambda _p: month,
        "org_unit": lambda p: units.get(p.org_unit, ""),
    }
    getters = _getters(layout, fields)
    header = [header_of(IIT, c) for c in layout.columns]
    wages = [p for p in people if p.income or p.taxable or p.pension or p.medical or p.housing_fund]
    sheets = [Sheet(IIT_SHEET, header, ([get(p) for get in getters] for p in wages), _money_columns(IIT, layout))]
    bonuses = [p for p in people if p.separate_bonus]
    if bonuses:
        rows = (
            [p.employee_number, p.name, RESIDENT_ID_CARD, p.national_id, p.separate_bonus,
             ZERO, ZERO, ZERO, ZERO, ZERO, ""]
            for p in bonuses
        )  # fmt: skip
        sheets.append(Sheet(IIT_BONUS_SHEET, list(IIT_BONUS_HEADERS), rows, frozenset({4, 5, 6, 7, 8, 9})))
    return sheets, len({p.employee for p in wages} | {p.employee for p in bonuses})


# ------------------------------------------------------------------------------------------------ journal


def _journal(run: PayrollRun) -> tuple[list[Sheet], int]:
    rows = selectors.journal_rows(run)
    units = selectors.unit_labels(r.org_unit for r in rows)
    labels = line_labels(r.code for r in rows)
    header = [
        pgettext("export column", "Cost centre"),
        pgettext("export column", "Line code"),
        pgettext("export column", "Line"),
        pgettext("export column", "Kind"),
        pgettext("export column", "Amount"),
        pgettext("export column", "People"),
    ]
    out = (
        [units.get(r.org_unit, "") if r.org_unit else "", r.code, labels.get(r.code, r.code),
         str(LINE_KIND_LABELS.get(r.kind, r.kind)), r.amount, r.people]
        for r in rows
    )  # fmt: skip
    total_people = sum(r.people for r in rows if r.code == "net")
    title = pgettext("export sheet", "Journal %(month)s") % {"month": _month(run)}
    return [Sheet(title, header, out, frozenset({4}))], total_people


# ------------------------------------------------------------------------------------------------ contributions


@dataclass
class _Contribution:
    employee_number: str
    name: str
    base: Decimal = ZERO
    employee: Decimal = ZERO
    employer: Decimal = ZERO


def _contributions(run: PayrollRun) -> tuple[list[Sheet], int]:
    cities = selectors.contribution_cities(run)
    groups: dict[tuple[str, Fund], dict[int, _Contribution]] = {}
    people: set[int] = set()
    for line in selectors.contribution_lines(run):
        fund_key, _dot, side = line.code.partition(".")
        fund = Fund(fund_key)
        group = groups.setdefault((cities.get(line.employee, ""), fund), {})
        row = group.get(line.employee)
        if row is None:
            row = group[line.employee] = _Contribution(line.employee_number, line.name)
        people.add(line.employee)
        if line.explain.get("base") is not None:
            row.base = Decimal(str(line.explain["base"]))
        if side == "employee":
            row.employee += -line.amount
        else:
            row.employer += line.amount
    header = [
        pgettext("export column", "Employee number"),
        pgettext("export column", "Name"),
        pgettext("export column", "Contribution base"),
        pgettext("export column", "Employee amount"),
        pgettext("export column", "Employer amount"),
    ]
    order = {fund: i for i, fund in enumerate(Fund)}
    sheets = []
    for (city, fund), rows in sorted(groups.items(), key=lambda kv: (kv[0][0], order[kv[0][1]])):
        title = f"{city or '-'} {FUND_LABELS[fund]}"
        sheets.append(Sheet(title, header, _contribution_rows(rows.values()), frozenset({2, 3, 4})))
    if not sheets:
        sheets.append(Sheet(pgettext("export sheet", "Contributions"), header, []))
    return sheets, len(people)


def _contribution_rows(rows: Sequence[_Contribution] | Any) -> Iterator[list[Any]]:
    employee = employer = ZERO
    count = 0
    for row in rows:
        count += 1
        employee += row.employee
        employer += row.employer
        yield [row.employee_number, row.name, row.base, row.employee, row.employer]
    yield [pgettext("export row", "Total"), pgettext("export row", "%(count)s people") % {"count": count}, None,
           employee, employer]  # fmt: skip
