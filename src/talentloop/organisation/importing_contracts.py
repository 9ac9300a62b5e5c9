"""The employment contract in the people import and export: optional columns that describe the
contract in force, checked with the same rules as ``services_contracts.employment_contract_record``.

A row whose contract cells are all empty leaves the contract alone. Otherwise the cells are the whole
contract (an empty term is open-ended without an end and fixed-term with one; empty hours are
standard hours; empty notice is 30 days); it takes effect on the row's ``effective_date``, or on
``contract_start``. A contract equal to the one in force today, or on that date, changes nothing
(so an exported file imports as unchanged); a different one is a new contract row. The existing
rows of everyone in the file are read in a handful of queries, and the new rows are written in bulk.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Iterable
from typing import Any

from django.utils.translation import gettext as _

from talentloop.core.access import Actor
from talentloop.core.audit.models import AuditEntry
from talentloop.core.audit.services import snapshot
from talentloop.organisation.models import (
    ComprehensivePeriod,
    ContractTerm,
    Employee,
    EmploymentContract,
    WorkingHourSystem,
)
from talentloop.organisation.services_contracts import CONTRACT_FIELDS, contract_errors

CONTRACT_COLUMNS = ["contract_start", "contract_end", "contract_term", "working_hours", "comprehensive_period",
                    "probation_end", "pay_group", "social_insurance_city", "notice_days"]
DATE_COLUMNS = ("contract_start", "contract_end", "probation_end")
# Column -> contract field.
FIELD_OF = {"contract_start": "start_date", "contract_end": "end_date", "contract_term": "term",
            "working_hours": "working_hours", "comprehensive_period": "comprehensive_period",
            "probation_end": "probation_end", "pay_group": "pay_group",
            "social_insurance_city": "social_insurance_city", "notice_days": "notice_period_days"}
COMPARED = list(FIELD_OF.values())
TEXT_MAX = 40
CHUNK = 900


def _choice(text: str, choices: list[tuple[str, Any]]) -> str | None:
    """A choice's value from its value or its label, in any case (``open_ended``, ``Open-ended``, 无固定期限…)."""
    lowered = text.strip().lower().replace(" ", "_").replace("-", "_")
    for value, label in choices:
        if lowered in (value, str(label).strip().lower().replace(" ", "_").replace("-", "_")):
            return value
    return None


def has_contract(cells: dict[str, Any]) -> bool:
    return any(cells.get(column) not in (None, "") for column in CONTRACT_COLUMNS)


def parse(row: Any) -> dict[str, Any] | None:
    """The contract fields of a row (None when its contract cells are empty); problems reject the row."""
    cells = row.cells
    if not has_contract(cells):
        return None
    start = cells.get("contract_start") or (cells.get("hire_date") if row.employee is None else None)
    if start is None:
        if not any(e.startswith("contract_start:") for e in row.errors):
            row.reject(_("contract_start is required when the contract columns are filled."))
        return None
    end = cells.get("contract_end")
    values: dict[str, Any] = {"start_date": start, "end_date": end, "probation_end": cells.get("probation_end")}
    term_text = cells.get("contract_term") or ""
    term = _choice(term_text, ContractTerm.choices) if term_text else (
        ContractTerm.FIXED if end else ContractTerm.OPEN_ENDED)
    if term is None:
        row.reject(_("contract_term: “%(value)s” is not a term (fixed, open_ended, task).") % {"value": term_text[:40]})
    hours_text = cells.get("working_hours") or ""
    hours = _choice(hours_text, WorkingHourSystem.choices) if hours_text else WorkingHourSystem.STANDARD
    if hours is None:
        row.reject(_("working_hours: “%(value)s” is not a working-hour system (standard, comprehensive, flexible).")
                   % {"value": hours_text[:40]})
    period_text = cells.get("comprehensive_period") or ""
    period = _choice(period_text, ComprehensivePeriod.choices) if period_text else ""
    if period is None:
        row.reject(_("comprehensive_period: “%(value)s” is not a period (week, month, quarter, year).")
                   % {"value": period_text[:40]})
    notice_text = str(cells.get("notice_days") or "").removesuffix(".0")
    notice = int(notice_text) if re.fullmatch(r"\d{1,4}", notice_text) else (30 if not notice_text else None)
    if notice is None:
        row.reject(_("notice_days: “%(value)s” is not a whole number of days.") % {"value": notice_text[:40]})
    for column in ("pay_group", "social_insurance_city"):
        if len(cells.get(column) or "") > TEXT_MAX:
            row.reject(_("%(column)s: at most %(max)s characters.") % {"column": column, "max": TEXT_MAX})
    values.update({"term": term, "working_hours": hours, "comprehensive_period": period or "",
                   "notice_period_days": notice, "pay_group": (cells.get("pay_group") or "").strip(),
                   "social_insurance_city": (cells.get("social_insurance_city") or "").strip()})
    values["effective_from"] = cells.get("effective_date") or start
    return values


def existing_rows(rows: Iterable[Any]) -> dict[int, list[EmploymentContract]]:
    """The contract rows of the people already employed that the file gives a contract, by employee id."""
    ids = sorted({row.employee.pk for row in rows if row.employee is not None and has_contract(row.cells)})
    found: dict[int, list[EmploymentContract]] = {}
    for start in range(0, len(ids), CHUNK):
        for contract in EmploymentContract.objects.filter(employee_id__in=ids[start: start + CHUNK]).order_by(
                "employee_id", "effective_from"):
            found.setdefault(contract.employee_id, []).append(contract)
    return found


def _in_force(rows: list[EmploymentContract], on: dt.date) -> EmploymentContract | None:
    current = None
    for contract in rows:  # in effective_from order
        if contract.effective_from <= on:
            current = contract
    return current


def _text(value: Any) -> str:
    if value is None:
        return ""
    return value.isoformat() if isinstance(value, dt.date) else str(value)


def plan(rows: list[Any], *, today: dt.date) -> None:
    """Decide each row's contract: ``row.contract`` holds the fields of the new row to write (None:
    nothing to write), ``row.changes`` what differs from the contract in force."""
    found = existing_rows(rows)
    for row in rows:
        row.contract = None
        values = parse(row)
        if values is None or row.errors:
            continue
        employee = row.employee
        hire_date = employee.hire_date if employee is not None else row.cells.get("hire_date")
        if hire_date is None:
            continue  # a new person without a hire date is rejected already
        history = found.get(employee.pk, []) if employee is not None else []
        effective = values["effective_from"]
        current = _in_force(history, max(today, effective))
        candidates = [c for c in (current, _in_force(history, effective)) if c is not None]
        if any(all(getattr(c, key) == values[key] for key in COMPARED) for c in candidates):
            continue  # the contract in force already says this
        errors = contract_errors({**values, "note": ""}, hire_date=hire_date,
                                 taken=[c.effective_from for c in history])
        for key, messages in errors.items():
            column = next((c for c, f in FIELD_OF.items() if f == key), "effective_date")
            for message in messages:
                row.reject(f"{column}: {message}")
        if errors:
            continue
        row.contract = values
        before = candidates[0] if candidates else None
        for column, key in FIELD_OF.items():
            old = _text(getattr(before, key)) if before is not None else ""
            new = _text(values[key])
            if old != new:
                row.changes[column] = {"before": old, "after": new}


def write(actor: Actor, rows: list[Any], people: dict[str, Employee], *, note: str,
          audit_entry: Callable[..., AuditEntry]) -> list[AuditEntry]:
    """Insert the planned contract rows in bulk; returns their audit entries (inserted by the caller)."""
    planned = [(people[row.number], row.contract) for row in rows if getattr(row, "contract", None)]
    if not planned:
        return []
    contracts = [EmploymentContract(employee=employee, recorded_by=actor.user, note=note, **values)
                 for employee, values in planned]
    EmploymentContract.objects.bulk_create(contracts, batch_size=500)
    if any(c.pk is None for c in contracts):  # a backend that cannot return ids from a bulk insert
        wanted = {(c.employee_id, c.effective_from) for c in contracts}
        ids = {(e, d): pk for pk, e, d in EmploymentContract.objects.filter(
            employee_id__in=sorted({e for e, _d in wanted})).values_list("pk", "employee_id", "effective_from")}
        for contract in contracts:
            contract.pk = ids[(contract.employee_id, contract.effective_from)]
    return [audit_entry(actor, "create", contract, snapshot(contract, CONTRACT_FIELDS), label=str(employee))
            for contract, (employee, _values) in zip(contracts, planned, strict=True)]


def export_values(contract: EmploymentContract | None) -> list[Any]:
    """The contract columns of the export, for the contract in force (empty cells without one)."""
    if contract is None:
        return [None] * len(CONTRACT_COLUMNS)
    return [contract.start_date, contract.end_date, contract.term, contract.working_hours,
            contract.comprehensive_period, contract.probation_end, contract.pay_group,
            contract.social_insurance_city, contract.notice_period_days]


def column_notes() -> list[tuple[str, str]]:
    return [
        ("contract_start", _("Optional: the employment contract in force. Its start, YYYY-MM-DD (new people: "
                             "the hire date when empty). Leave every contract column empty to keep the contract.")),
        ("contract_end", _("Empty for an open-ended contract; required for a fixed-term one.")),
        ("contract_term", _("fixed, open_ended or task. Empty: fixed-term with an end, open-ended without.")),
        ("working_hours", _("standard, comprehensive or flexible. Empty: standard.")),
        ("comprehensive_period", _("Comprehensive hours only: week, month, quarter or year.")),
        ("probation_end", _("Optional. Within the contract.")),
        ("pay_group", _("Optional.")),
        ("social_insurance_city", _("Optional.")),
        ("notice_days", _("Notice period in days. Empty: 30.")),
    ]
