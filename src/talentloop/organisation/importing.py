"""Employee import and export: CSV or Excel in, a row-by-row dry run, one transaction out.

Validation is set-based: the whole file is parsed first, every code and employee number it
mentions is fetched with a handful of queries (the count does not grow with the file until a
lookup has to be split into chunks), and then each row is decided in memory with the same rules
as ``services.employee_create`` and ``services.employment_event_record``. Applying runs the same
validation again inside the transaction, so what is written is what the rules allow at that moment.
"""

from __future__ import annotations

import codecs
import contextlib
import csv
import datetime as dt
import hashlib
import io
import os
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from django.contrib.auth.validators import UnicodeUsernameValidator
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.crypto import get_random_string
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from talentloop.accounts.models import User
from talentloop.core import cache, crypto, tabular
from talentloop.core.access import Actor
from talentloop.core.audit.models import AuditEntry
from talentloop.core.audit.services import CHANGED, audit_record, snapshot
from talentloop.core.errors import Conflict, InvalidInput, PermissionDenied
from talentloop.organisation import access, signals
from talentloop.organisation import importing_contracts as contracts
from talentloop.organisation.models import (
    Employee,
    EmploymentEvent,
    EmploymentStatus,
    EventKind,
    JobFamily,
    OrgUnit,
    Position,
)
from talentloop.organisation.selectors import contracts_as_of
from talentloop.organisation.services import EMPLOYEE_AUDIT_FIELDS, SENSITIVE_FIELDS

MAX_BYTES = tabular.MAX_BYTES
MAX_ROWS = 20_000
CHUNK = 900  # values per IN (...) list, below every SQLite build's parameter limit

# The same columns, in the same order, for the export, the template and the import.
COLUMNS = ["employee_number", "name", "name_en", "email", "phone", "hire_date", "org_unit", "job_family",
           "position", "level", "manager", "status", "effective_date", *contracts.CONTRACT_COLUMNS]
# Accepted on import, never exported.
SENSITIVE_COLUMNS = ["national_id", "bank_account"]
# Import only: a username to create for the person (a login with no password yet; HR then issues a
# reset code or the person follows an invitation from their profile page).
LOGIN_COLUMN = "login"
IMPORT_COLUMNS = COLUMNS + SENSITIVE_COLUMNS + [LOGIN_COLUMN]
REQUIRED_COLUMNS = ["employee_number", "name", "hire_date", "org_unit", "job_family"]
FORMATS = ("csv", "xlsx")
MODES = ("all", "valid_only")
CONTENT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}

CREATE, UPDATE, UNCHANGED, REJECT = "create", "update", "unchanged", "reject"
ACTIONS = (CREATE, UPDATE, UNCHANGED, REJECT)
PLAIN_COLUMNS = ("name", "name_en", "email", "phone", "hire_date", "national_id", "bank_account")
STRUCTURAL_COLUMNS = ("org_unit", "job_family", "position", "level", "manager")
EVENT_BEFORE_FIELDS = ["org_unit", "job_family", "position", "level", "manager", "status", "termination_date"]
SENSITIVE_MAX = 40
# Text cells starting with one of these could run as a formula in a spreadsheet (CSV injection).
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_HARMLESS_NUMBER = re.compile(r"^[+-][\d\s().-]*$")
_USERNAME = UnicodeUsernameValidator()
_DATE_RE = re.compile(r"^(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})日?(?:[ T]00:00(?::00)?)?$")


# ---------------------------------------------------------------- results


@dataclass
class ImportRow:
    """One line of the report: what will happen to this row and why."""

    line: int
    action: str
    employee_number: str
    name: str = ""
    event: str = ""
    changes: dict[str, dict[str, str]] = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


@dataclass
class ImportPreview:
    file_name: str
    rows: list[ImportRow]
    mode: str = "all"
    dry_run: bool = True
    applied: bool = False
    sha256: str = ""

    @property
    def counts(self) -> dict[str, int]:
        out = dict.fromkeys(ACTIONS, 0)
        for row in self.rows:
            out[row.action] += 1
        return out

    @property
    def rejected(self) -> int:
        return self.counts[REJECT]

    @property
    def to_write(self) -> int:
        counts = self.counts
        return counts[CREATE] + counts[UPDATE]

    @property
    def can_apply_all(self) -> bool:
        return self.rejected == 0 and self.to_write > 0

    @property
    def can_apply_valid(self) -> bool:
        return self.to_write > 0


@dataclass
class _Row:
    """A parsed row and everything resolved for it; turned into an ``ImportRow`` at the end."""

    line: int
    number: str
    cells: dict[str, Any]
    errors: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    employee: Employee | None = None
    org_unit: OrgUnit | None = None
    job_family: JobFamily | None = None
    position: Position | None = None
    manager: str = ""  # employee number of the manager named in the row
    plain: dict[str, Any] = field(default_factory=dict)
    structural: dict[str, Any] = field(default_factory=dict)
    event: str = ""
    effective_date: dt.date | None = None
    changes: dict[str, dict[str, str]] = field(default_factory=dict)
    login: str = ""  # a username to create and link, checked against the accounts as a set
    contract: dict[str, Any] | None = None  # a contract row to add (``importing_contracts``)

    @property
    def is_new(self) -> bool:
        return self.employee is None

    def reject(self, message: str) -> None:
        self.errors.append(message)

    def out(self) -> ImportRow:
        if self.errors:
            action = REJECT
        elif self.is_new:
            action = CREATE
        else:
            action = UPDATE if (self.plain or self.structural or self.login or self.contract) else UNCHANGED
        name = self.cells.get("name") or (self.employee.name if self.employee else "")
        return ImportRow(line=self.line, action=action, employee_number=self.number, name=name,
                         event=self.event if action == UPDATE else "",
                         changes=self.changes if action != REJECT else {},
                         errors=list(self.errors), warnings=list(self.warnings))


# ---------------------------------------------------------------- reading files


_file_error = tabular.file_error
_cell_text = tabular.cell_text

TABLE = tabular.Columns(
    allowed=IMPORT_COLUMNS, required=REQUIRED_COLUMNS, max_rows=MAX_ROWS,
    too_wide=gettext_lazy("The header row has %(n)s columns; an employee file has at most %(max)s. Keep only "
                          "the employee columns."),
    no_rows=gettext_lazy("The file has a header row but no employees."))


def _read_table(content: bytes) -> tuple[list[str], list[tuple[int, dict[str, Any]]]]:
    """The header's column keys and the non-blank data rows as (line, {column: raw value})."""
    return tabular.read_table(content, TABLE)


# ---------------------------------------------------------------- parsing cells


def _parse_date(value: Any) -> dt.date | None:
    """ISO dates, Excel date cells and Excel serial numbers; ``None`` when it is not a date."""
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        if 1 <= value < 2958466:
            from openpyxl.utils.datetime import from_excel  # heavy optional import (see core.tabular)

            try:
                return from_excel(value).date()
            except (ValueError, OverflowError):
                return None
        return None
    match = _DATE_RE.match(_cell_text(value))
    if not match:
        return None
    try:
        return dt.date(*(int(g) for g in match.groups()))
    except ValueError:
        return None


def _parse_level(value: Any) -> int | None:
    text = _cell_text(value).upper().removeprefix("L").removesuffix(".0")
    return int(text) if re.fullmatch(r"\d{1,3}", text) else None


def _status_value(text: str) -> str | None:
    lowered = text.strip().lower().replace(" ", "_")
    for value, label in EmploymentStatus.choices:
        if lowered in (value, str(label).lower().replace(" ", "_")):
            return value
    return None


def _parse_row(line: int, cells: dict[str, Any]) -> _Row:
    text = {key: _cell_text(value) for key, value in cells.items() if key != tabular.EXTRA}
    row = _Row(line=line, number=text.get("employee_number", ""), cells={})
    if cells.get(tabular.EXTRA):
        row.reject(_("This row has more cells than the header has columns."))
    if not row.number:
        row.reject(_("employee_number is required."))
    parsed: dict[str, Any] = {}
    for key, value in text.items():
        if key in ("hire_date", "effective_date", *contracts.DATE_COLUMNS):
            if value:
                date = _parse_date(cells[key])
                if date is None:
                    row.reject(_("%(column)s: “%(value)s” is not a date; use YYYY-MM-DD.")
                               % {"column": key, "value": value[:40]})
                parsed[key] = date
            else:
                parsed[key] = None
        elif key == "level":
            level = _parse_level(value) if value else None
            if value and (level is None or not 1 <= level <= 20):
                row.reject(_("level: “%(value)s” is not a level from 1 to 20.") % {"value": value[:40]})
                level = None
            parsed[key] = level
        elif key == "status":
            status = _status_value(value) if value else ""
            if status is None:
                row.reject(_("status: “%(value)s” is not a known status (active, on_leave, terminated).")
                           % {"value": value[:40]})
            parsed[key] = status or ""
        elif key == LOGIN_COLUMN:
            if value:
                try:
                    _USERNAME(value)
                    if len(value) > 150:
                        raise ValidationError("")
                except ValidationError:
                    row.reject(_("login: “%(value)s” is not a valid username (letters, digits and @ . + - _, at "
                                 "most 150).") % {"value": value[:40]})
            parsed[key] = value
        elif key in SENSITIVE_COLUMNS:
            if len(value) > SENSITIVE_MAX:
                row.reject(_("%(column)s: at most %(max)s characters.")
                           % {"column": key, "max": SENSITIVE_MAX})
            parsed[key] = value
        else:
            parsed[key] = value
    row.cells = parsed
    row.manager = parsed.get("manager", "")
    return row


def _clean_fields(row: _Row, values: dict[str, Any]) -> None:
    """The model's own field rules (lengths, e-mail format) without touching the database."""
    checked = {k: v for k, v in values.items() if v not in (None, "")}
    if not checked:
        return
    probe = Employee(**checked)
    exclude = [f.name for f in Employee._meta.fields if f.name not in checked]
    try:
        probe.clean_fields(exclude=exclude)
    except ValidationError as exc:
        for key, messages in exc.message_dict.items():
            for message in messages:
                row.reject(f"{key}: {message}")


# ---------------------------------------------------------------- deciding rows


def _chunks(values: Iterable[Any], size: int = CHUNK) -> Iterator[list[Any]]:
    items = sorted(set(values))
    for start in range(0, len(items), size):
        yield items[start: start + size]


@dataclass
class _Lookups:
    employees: dict[str, Employee]  # by employee number: rows of the file and the managers they name
    visible_managers: set[str]
    number_of: dict[int, str]  # id -> employee number, for every loaded person and their manager chain
    manager_of: dict[int, int | None]  # id -> manager id, idem
    units: dict[str, OrgUnit]
    families: dict[str, JobFamily]
    positions: dict[str, Position]


def _lookups(actor: Actor, rows: list[_Row], *, with_sensitive: bool, lock: bool) -> _Lookups:
    numbers = {r.number for r in rows if r.number} | {r.manager for r in rows if r.manager}
    people = Employee.objects.select_related("org_unit", "job_family", "position")
    if not with_sensitive:
        people = people.defer("national_id", "bank_account")
    if lock:
        people = people.select_for_update(of=("self",))
    employees = {e.employee_number: e for chunk in _chunks(numbers)
                 for e in people.filter(employee_number__in=chunk)}

    manager_numbers = {r.manager for r in rows if r.manager and r.manager in employees}
    visible = access.visible_employees(actor).values_list("employee_number", flat=True)
    visible_managers = {number for chunk in _chunks(manager_numbers)
                        for number in visible.filter(employee_number__in=chunk)}

    number_of = {e.pk: e.employee_number for e in employees.values()}
    manager_of: dict[int, int | None] = {e.pk: e.manager_id for e in employees.values()}
    chain_ids = {int(p) for e in employees.values() for p in e.manager_path.split("/") if p.isdigit()}
    for chunk in _chunks(chain_ids - number_of.keys()):
        for pk, number, manager_id in Employee.objects.filter(pk__in=chunk).values_list(
                "pk", "employee_number", "manager_id"):
            number_of[pk], manager_of[pk] = number, manager_id

    def by_code(queryset, column):
        codes = {r.cells.get(column) for r in rows if r.cells.get(column)}
        return {o.code: o for chunk in _chunks(codes) for o in queryset.filter(code__in=chunk)}

    return _Lookups(
        employees=employees, visible_managers=visible_managers, number_of=number_of, manager_of=manager_of,
        units=by_code(access.visible_org_units(actor), "org_unit"),
        families=by_code(access.visible_job_families(actor), "job_family"),
        positions=by_code(access.visible_positions(actor), "position"),
    )


def _resolve_refs(row: _Row, found: _Lookups) -> None:
    for column, table, attr, label in (
        ("org_unit", found.units, "org_unit", _("org unit")),
        ("job_family", found.families, "job_family", _("job family")),
        ("position", found.positions, "position", _("position")),
    ):
        code = row.cells.get(column)
        if code:
            obj = table.get(code)
            if obj is None:
                row.reject(_("%(column)s: there is no %(thing)s with the code “%(code)s”.")
                           % {"column": column, "thing": label, "code": code[:40]})
            setattr(row, attr, obj)


@dataclass
class _Context:
    actor: Actor
    found: _Lookups
    in_file: dict[str, _Row]  # rows of the file by employee number (numbers that appear once)
    duplicates: set[str]
    today: dt.date


def _check_manager_ref(row: _Row, ctx: _Context) -> None:
    number, found = row.manager, ctx.found
    if not number:
        return
    if number in ctx.duplicates:
        row.reject(_("manager: %(number)s appears more than once in the file.") % {"number": number})
    elif number in found.employees:
        manager = found.employees[number]
        if number not in found.visible_managers:
            row.reject(_("manager: no employee has the number “%(number)s”.") % {"number": number[:40]})
        elif manager.status == EmploymentStatus.TERMINATED:
            row.reject(_("manager: %(number)s has left the organisation.") % {"number": number})
    elif number not in ctx.in_file:
        row.reject(_("manager: no employee has the number “%(number)s”, in the system or in this file.")
                   % {"number": number[:40]})


def _decide_create(row: _Row, ctx: _Context) -> None:
    cells, actor = row.cells, ctx.actor
    for column in ("name", "hire_date", "org_unit", "job_family"):
        if cells.get(column) in (None, "") and not any(e.startswith(f"{column}:") for e in row.errors):
            row.reject(_("%(column)s is required for a new employee.") % {"column": column})
    if row.org_unit is not None and not access.can_create_employee(actor, row.org_unit):
        row.reject(_("You may not add people to the org unit “%(code)s”.") % {"code": row.org_unit.code})
    if row.position and row.job_family and row.position.job_family_id != row.job_family.pk:
        row.reject(_("position: “%(code)s” belongs to another job family.") % {"code": row.position.code})
    if cells.get("status") not in (None, "", EmploymentStatus.ACTIVE):
        row.reject(_("status: a new employee is hired as active; record leave or termination afterwards."))
    _check_manager_ref(row, ctx)
    _clean_fields(row, {k: cells.get(k) for k in ("employee_number", "name", "name_en", "email", "phone")})
    level = cells.get("level") or 1
    for column, value in (("name", cells.get("name")), ("name_en", cells.get("name_en")),
                          ("email", cells.get("email")), ("phone", cells.get("phone")),
                          ("hire_date", cells.get("hire_date")), ("org_unit", cells.get("org_unit")),
                          ("job_family", cells.get("job_family")), ("position", cells.get("position")),
                          ("level", level), ("manager", row.manager)):
        if value not in (None, ""):
            row.changes[column] = {"before": "", "after": str(value)}
    for column in SENSITIVE_COLUMNS:
        if cells.get(column):
            row.changes[column] = {"before": "", "after": CHANGED}


def _decide_update(row: _Row, ctx: _Context) -> None:
    employee, cells, actor = row.employee, row.cells, ctx.actor
    assert employee is not None
    if not access.can_manage_employee(actor, employee):
        row.reject(_("You may not change the record of %(number)s.") % {"number": row.number})
        return
    # Personal fields: a present column sets the value; an empty sensitive or hire date cell keeps it.
    for column in PLAIN_COLUMNS:
        if column not in cells:
            continue
        new = cells[column]
        if column == "name" and not new:
            row.reject(_("name cannot be empty."))
            continue
        if column in ("hire_date", *SENSITIVE_COLUMNS) and new in (None, ""):
            continue
        old = getattr(employee, column)
        if new != old:
            row.plain[column] = new
            sensitive = column in SENSITIVE_FIELDS
            row.changes[column] = {"before": "" if sensitive else str(old or ""),
                                   "after": CHANGED if sensitive else str(new or "")}
    _clean_fields(row, {k: v for k, v in row.plain.items() if k not in SENSITIVE_FIELDS})

    # Structural fields change through an employment event; an empty cell keeps the current value.
    current_manager = ctx.found.number_of.get(employee.manager_id, "") if employee.manager_id else ""
    if row.org_unit is not None and row.org_unit.pk != employee.org_unit_id:
        row.structural["org_unit"] = row.org_unit
        if not access.hr_covers_unit(actor, row.org_unit):
            row.reject(_("You may not move people into the org unit “%(code)s”.")
                       % {"code": row.org_unit.code})
    if row.job_family is not None and row.job_family.pk != employee.job_family_id:
        row.structural["job_family"] = row.job_family
    if row.position is not None and row.position.pk != employee.position_id:
        row.structural["position"] = row.position
    level = cells.get("level")
    if level is not None and level != employee.level:
        row.structural["level"] = level
    if row.manager and row.manager != current_manager:
        row.structural["manager"] = row.manager
        _check_manager_ref(row, ctx)
    if row.structural:
        if employee.status == EmploymentStatus.TERMINATED:
            row.reject(_("%(number)s has already left; org unit, job, level and manager cannot change.")
                       % {"number": row.number})
        family_id = row.job_family.pk if row.job_family else employee.job_family_id
        if row.position is not None and row.position.job_family_id != family_id:
            row.reject(_("position: “%(code)s” belongs to another job family.") % {"code": row.position.code})
        row.effective_date = cells.get("effective_date") or ctx.today
        if row.effective_date < employee.hire_date:
            row.reject(_("effective_date: the change cannot take effect before the hire date (%(date)s).")
                       % {"date": employee.hire_date.isoformat()})
        new_level = row.structural.get("level", employee.level)
        row.event = (EventKind.PROMOTION if new_level > employee.level
                     else EventKind.DEMOTION if new_level < employee.level else EventKind.TRANSFER)
        before = {"org_unit": employee.org_unit.code, "job_family": employee.job_family.code,
                  "position": employee.position.code if employee.position else "",
                  "level": str(employee.level), "manager": current_manager}
        for key, value in row.structural.items():
            after = value.code if hasattr(value, "code") else str(value)
            row.changes[key] = {"before": before[key], "after": after}
        if ("job_family" in row.structural and "position" not in row.structural and employee.position_id
                and employee.position.job_family_id != row.structural["job_family"].pk):
            row.changes["position"] = {"before": employee.position.code, "after": ""}
    status = cells.get("status")
    if status and status != employee.status:
        row.warnings.append(_("status is not changed by an import (it is “%(status)s” now); record leave, "
                              "return or termination as an employment event.") % {"status": employee.status})


def _plan(actor: Actor, header: list[str], raw: list[tuple[int, dict[str, Any]]], *, lock: bool = False
          ) -> tuple[list[_Row], _Lookups]:
    rows = [_parse_row(line, cells) for line, cells in raw]
    lines_of: dict[str, list[int]] = {}
    for row in rows:
        if row.number:
            lines_of.setdefault(row.number, []).append(row.line)
    for row in rows:
        lines = lines_of.get(row.number, [])
        if len(lines) > 1:
            row.reject(_("employee_number %(number)s appears more than once in the file (rows %(lines)s).")
                       % {"number": row.number, "lines": ", ".join(str(n) for n in lines)})
    found = _lookups(actor, rows, with_sensitive=any(c in header for c in SENSITIVE_COLUMNS), lock=lock)
    ctx = _Context(actor=actor, found=found, today=timezone.localdate(),
                   in_file={r.number: r for r in rows if r.number and len(lines_of[r.number]) == 1},
                   duplicates={n for n, lines in lines_of.items() if len(lines) > 1})
    for row in rows:
        row.employee = found.employees.get(row.number) if row.number else None
        _resolve_refs(row, found)
        if row.is_new:
            _decide_create(row, ctx)
        else:
            _decide_update(row, ctx)
    contracts.plan(rows, today=ctx.today)
    _settle_reporting_lines(rows, found, ctx.in_file)
    _check_logins(rows)
    return rows, found


def _check_logins(rows: list[_Row]) -> None:
    """Usernames to create: unique in the file and among accounts (one query per chunk, whatever the
    case), for a current person who has no login yet."""
    wanted = [r for r in rows if r.cells.get(LOGIN_COLUMN) and not r.errors]
    lines_of: dict[str, list[int]] = {}
    for row in wanted:
        lines_of.setdefault(row.cells[LOGIN_COLUMN].lower(), []).append(row.line)
    taken = {name for chunk in _chunks(lines_of) for name in
             User.objects.annotate(lower=Lower("username")).filter(lower__in=chunk).values_list("lower", flat=True)}
    for row in wanted:
        username = row.cells[LOGIN_COLUMN]
        lines = lines_of[username.lower()]
        if len(lines) > 1:
            row.reject(_("login %(login)s appears more than once in the file (rows %(lines)s).")
                       % {"login": username, "lines": ", ".join(str(n) for n in lines)})
        elif username.lower() in taken:
            row.reject(_("login %(login)s is taken.") % {"login": username})
        elif row.employee is not None and row.employee.user_id is not None:
            row.reject(_("This person already has a login."))
        elif row.employee is not None and row.employee.status == EmploymentStatus.TERMINATED:
            row.reject(_("This person has left the organisation."))
        else:
            row.login = username
            row.changes["login"] = {"before": "", "after": username}


def _settle_reporting_lines(rows: list[_Row], found: _Lookups, in_file: dict[str, _Row]) -> None:
    """Reject rows whose manager's row is rejected, and rows that would make the reporting line loop.

    The graph is the reporting line after the import: rows of the file with their new manager,
    everyone else as they are. Repeats until nothing more is rejected, since each rejection
    changes the graph.
    """
    while True:
        changed = _reject_orphans(rows, in_file)
        changed = _reject_cycles(rows, found, in_file) or changed
        if not changed:
            return


def _reject_orphans(rows: list[_Row], in_file: dict[str, _Row]) -> bool:
    children: dict[str, list[_Row]] = {}
    for row in rows:
        if not row.errors and row.manager in in_file and in_file[row.manager].is_new:
            children.setdefault(row.manager, []).append(row)
    queue = [r for r in rows if r.errors and r.is_new and r.number]
    changed = False
    while queue:
        parent = queue.pop()
        for child in children.pop(parent.number, []):
            if not child.errors:
                child.reject(_("manager: the row of %(number)s (row %(line)s) is rejected.")
                             % {"number": parent.number, "line": parent.line})
                queue.append(child)
                changed = True
    return changed


def _reject_cycles(rows: list[_Row], found: _Lookups, in_file: dict[str, _Row]) -> bool:
    def manager_after(number: str) -> str | None:
        row = in_file.get(number)
        if row is not None and not row.errors and row.manager:
            return row.manager
        pk = pk_of.get(number)
        if pk is None:
            return None
        manager_id = found.manager_of.get(pk)
        return found.number_of.get(manager_id) if manager_id else None

    pk_of = {number: pk for pk, number in found.number_of.items()}
    starts = [r.number for r in rows if not r.errors and r.manager
              and (r.is_new or "manager" in r.structural)]
    done: set[str] = set()
    changed = False
    for start in starts:
        walk: list[str] = []
        position: dict[str, int] = {}
        node: str | None = start
        while node is not None and node not in done and node not in position:
            position[node] = len(walk)
            walk.append(node)
            node = manager_after(node)
        if node is not None and node in position:
            loop = walk[position[node]:]
            description = " → ".join([*loop, loop[0]])
            for number in loop:
                row = in_file.get(number)
                if row is not None and not row.errors:
                    if len(loop) == 1:
                        row.reject(_("manager: someone cannot report to themselves."))
                    else:
                        row.reject(_("manager: the reporting line would loop (%(loop)s).")
                                   % {"loop": description})
                    changed = True
        done.update(walk)
    return changed


# ---------------------------------------------------------------- services


def _check_mode(mode: str) -> None:
    if mode not in MODES:
        raise InvalidInput(_("Unknown import mode."), {"mode": [_("Choose “all” or “valid_only”.")]})


def employee_import_preview(*, actor: Actor, file_name: str, content: bytes, mode: str = "all"
                            ) -> ImportPreview:
    """The dry run: what each row would do, and why a row is rejected. Writes nothing."""
    if not access.can_import_employees(actor):
        raise PermissionDenied(_("Only HR imports employees."))
    _check_mode(mode)
    header, raw = _read_table(content)
    rows, _found = _plan(actor, header, raw)
    return ImportPreview(file_name=file_name, rows=[r.out() for r in rows], mode=mode, dry_run=True,
                         sha256=hashlib.sha256(content).hexdigest())


@transaction.atomic
def employee_import_apply(*, actor: Actor, file_name: str, content: bytes, mode: str) -> ImportPreview:
    """Validate again, under lock, and write in this one transaction.

    ``all``: a single rejected row means nothing is written (``applied`` stays false).
    ``valid_only``: the valid rows are written and the rejected ones are reported.
    """
    if not access.can_import_employees(actor):
        raise PermissionDenied(_("Only HR imports employees."))
    _check_mode(mode)
    header, raw = _read_table(content)
    rows, found = _plan(actor, header, raw, lock=True)
    digest = hashlib.sha256(content).hexdigest()
    result = ImportPreview(file_name=file_name, rows=[r.out() for r in rows], mode=mode, dry_run=False,
                           sha256=digest)
    if mode == "all" and result.rejected:
        return result
    result.applied = True
    if not result.to_write:
        return result
    try:
        with transaction.atomic():
            _write(actor, [r for r in rows if not r.errors], found, file_name=file_name)
    except IntegrityError as exc:
        raise Conflict(_("The employees changed while the file was being imported. Preview the file "
                         "again.")) from exc
    counts = result.counts
    audit_record(
        actor=actor, action="execute", entity_type="organisation.import", entity_label=file_name[:200],
        summary=_("Employee import: %(created)s added, %(updated)s changed, %(rejected)s rejected")
        % {"created": counts[CREATE], "updated": counts[UPDATE], "rejected": counts[REJECT]},
        changes={"file": file_name[:200], "sha256": digest, "mode": mode, "rows": len(rows), **counts},
    )
    return result


def _write(actor: Actor, rows: list[_Row], found: _Lookups, *, file_name: str) -> None:
    """Insert and update in bulk: the rows were validated as a set, so they are written as one."""
    now = timezone.now()
    today = timezone.localdate()
    note = (_("Imported from %(file)s") % {"file": file_name})[:500]
    user = actor.user
    audit: list[AuditEntry] = []
    # Everyone the rows name, by number; loaded people are the very objects the rows point to.
    people: dict[str, Employee] = dict(found.employees)
    cache.bump_people((), everyone=True)  # the bulk writes below send no model signals

    # 1. New people in bulk; managers are linked once everyone has an id (a manager may be new too).
    creates = [r for r in rows if r.is_new]
    new_people = [Employee(
        employee_number=r.number, name=r.cells["name"], name_en=r.cells.get("name_en", ""),
        email=r.cells.get("email", ""), phone=r.cells.get("phone", ""), hire_date=r.cells["hire_date"],
        org_unit=r.org_unit, job_family=r.job_family, position=r.position, level=r.cells.get("level") or 1,
        manager_path="/", status=EmploymentStatus.ACTIVE, national_id=r.cells.get("national_id", ""),
        bank_account=r.cells.get("bank_account", ""),
    ) for r in creates]
    Employee.objects.bulk_create(new_people, batch_size=500)
    if any(e.pk is None for e in new_people):  # a backend that cannot return ids from a bulk insert
        pairs = Employee.objects.values_list("employee_number", "pk")
        ids = {n: pk for chunk in _chunks(e.employee_number for e in new_people)
               for n, pk in pairs.filter(employee_number__in=chunk)}
        for employee in new_people:
            employee.pk = ids[employee.employee_number]
    people.update({e.employee_number: e for e in new_people})
    for employee, row in zip(new_people, creates, strict=True):
        employee.manager = people[row.manager] if row.manager else None
    Employee.objects.bulk_update([e for e in new_people if e.manager_id], ["manager"], batch_size=500)
    hires = EmploymentEvent.objects.bulk_create([
        EmploymentEvent(employee=e, kind=EventKind.HIRE, effective_date=e.hire_date, org_unit=e.org_unit,
                        job_family=e.job_family, position=e.position, level=e.level, manager=e.manager,
                        status=EmploymentStatus.ACTIVE, note=note, recorded_by=user, applied_at=now)
        for e in new_people], batch_size=500)
    for employee in new_people:
        changes = snapshot(employee, EMPLOYEE_AUDIT_FIELDS)
        for key in SENSITIVE_FIELDS:
            changes[key] = CHANGED if changes.get(key) else ""
        audit.append(_audit_entry(actor, "create", employee, changes))

    # 2. People already employed: personal fields directly, the rest through employment events,
    #    applied at once when effective today or earlier, as employment_event_record does.
    updates = [r for r in rows if not r.is_new and (r.plain or r.structural)]
    events: list[tuple[EmploymentEvent, Employee, dict[str, Any]]] = []
    movers: list[tuple[Employee, str]] = []  # (person, their reports prefix before the move)
    touched: set[str] = set()
    for row in updates:
        employee = row.employee
        assert employee is not None
        if row.plain:
            before = {k: _plain(getattr(employee, k)) for k in row.plain}
            for key, value in row.plain.items():
                setattr(employee, key, value)
            touched.update(row.plain)
            audit.append(_audit_entry(actor, "update", employee, {
                k: CHANGED if k in SENSITIVE_FIELDS else {"before": before[k], "after": _plain(v)}
                for k, v in row.plain.items()}))
        if not row.structural:
            continue
        target = {k: (people[v] if k == "manager" else v) for k, v in row.structural.items()}
        assert row.effective_date is not None
        event = EmploymentEvent(employee=employee, kind=row.event, effective_date=row.effective_date,
                                note=note, recorded_by=user, **target)
        if row.effective_date <= today:
            event.before = snapshot(employee, EVENT_BEFORE_FIELDS)
            event.applied_at = now
            if "manager" in target:
                movers.append((employee, employee.reports_prefix))
            for key, value in target.items():
                setattr(employee, key, value)
            if ("job_family" in target and "position" not in target and employee.position is not None
                    and employee.position.job_family_id != target["job_family"].pk):
                employee.position = None
                touched.add("position")
            touched.update(target)
        events.append((event, employee, target))
    if touched:
        Employee.objects.bulk_update([r.employee for r in updates], sorted(touched), batch_size=500)
    EmploymentEvent.objects.bulk_create([event for event, _e, _t in events], batch_size=500)
    for event, employee, target in events:
        changes = {"kind": event.kind, "effective_date": str(event.effective_date),
                   **{k: str(_plain(v)) for k, v in target.items()}}
        audit.append(_audit_entry(actor, "create", event, changes, label=str(employee)))

    # 3. Reporting paths of the new people, of those who changed manager and of everyone below them.
    _fix_manager_paths(new_people, movers, known={e.pk: e for e in people.values()})

    # 4. Logins asked for: accounts without a password yet, each linked to its person.
    logins = [(r.login, people[r.number]) for r in rows if r.login]
    if logins:
        users = []
        for username, employee in logins:
            account = User(username=username, display_name=employee.name, email=employee.email)
            account.set_unusable_password()
            users.append(account)
        User.objects.bulk_create(users, batch_size=500)
        if any(u.pk is None for u in users):
            ids = dict(User.objects.filter(username__in=[u.username for u in users]).values_list("username", "pk"))
            for account in users:
                account.pk = ids[account.username]
        for account, (_username, employee) in zip(users, logins, strict=True):
            employee.user = account
            audit.append(_audit_entry(actor, "create", account, {"username": account.username},
                                      label=str(employee)))
        Employee.objects.bulk_update([e for _u, e in logins], ["user"], batch_size=500)

    # 5. Contract rows: a new contract, a renewal or a change, each a row of its own.
    audit += contracts.write(actor, rows, people, note=note, audit_entry=_audit_entry)
    AuditEntry.objects.bulk_create(audit, batch_size=500)

    # 6. The apps above hear of each hire, change and leaving once the import commits, as for one person.
    for employee, hire in zip(new_people, hires, strict=True):
        signals.announce_employee_change(employee.pk, "hired", hire.pk)
    announced = set()
    for event, employee, _target in events:
        if event.applied_at is not None:
            announced.add(employee.pk)
            signals.announce_employee_change(
                employee.pk, "left" if event.kind == EventKind.TERMINATION else "changed", event.pk)
    for row in updates:
        if row.plain and row.employee is not None and row.employee.pk not in announced:
            signals.announce_employee_change(row.employee.pk, "changed", None)


def _fix_manager_paths(new_people: list[Employee], movers: list[tuple[Employee, str]],
                       known: dict[int, Employee]) -> None:
    """Recompute ``manager_path`` from the final reporting line for everyone whose chain changed.

    ``known`` holds loaded people whose stored path is still right unless they are affected.
    """
    nodes: dict[int, Employee] = {e.pk: e for e in new_people}
    nodes.update({e.pk: e for e, _prefix in movers})
    prefixes = [prefix for _employee, prefix in movers]
    for start in range(0, len(prefixes), 200):
        below = Q()
        for prefix in prefixes[start: start + 200]:
            below |= Q(manager_path__startswith=prefix)
        rows = Employee.objects.filter(below).values_list("pk", "manager_id", "manager_path")
        for pk, manager_id, path in rows:
            if pk not in nodes:
                nodes[pk] = known.get(pk) or Employee(pk=pk, manager_id=manager_id, manager_path=path)
    if not nodes:
        return
    stored = {pk: e.manager_path for pk, e in nodes.items()}
    outside = {e.manager_id for e in nodes.values() if e.manager_id and e.manager_id not in nodes}
    outside -= known.keys()
    fixed_paths = {pk: known[pk].manager_path for pk in known}
    for chunk in _chunks(outside):
        fixed_paths.update(Employee.objects.filter(pk__in=chunk).values_list("pk", "manager_path"))

    final: dict[int, str] = {}
    for start in nodes:
        chain: list[int] = []
        pk: int | None = start
        while pk is not None and pk in nodes and pk not in final and pk not in chain:
            chain.append(pk)
            pk = nodes[pk].manager_id
        for node in reversed(chain):
            manager_id = nodes[node].manager_id
            if manager_id is None:
                final[node] = "/"
            elif manager_id in final:
                final[node] = f"{final[manager_id]}{manager_id}/"
            else:
                final[node] = f"{fixed_paths.get(manager_id, '/')}{manager_id}/"
    changed = []
    for pk, employee in nodes.items():
        if final[pk] != stored[pk]:
            employee.manager_path = final[pk]
            changed.append(employee)
    Employee.objects.bulk_update(changed, ["manager_path"], batch_size=500)


def _plain(value: Any) -> Any:
    if hasattr(value, "pk"):
        return str(value.pk)
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


def _audit_entry(actor: Actor, action: str, obj, changes: dict[str, Any], label: str = "") -> AuditEntry:
    """What ``audit_record`` writes, built in memory so that a whole batch is one insert."""
    user = actor.user
    return AuditEntry(
        actor=user, actor_label=(user.get_username() if user is not None else "system")[:150], action=action,
        entity_type=obj._meta.label_lower, entity_id=str(obj.pk), entity_label=(label or str(obj))[:200],
        changes=changes, ip=(actor.ip or "")[:45],
    )


# ---------------------------------------------------------------- export


def _guard(value: str) -> str:
    """Keep a spreadsheet from running a cell as a formula; the import strips the quote again."""
    if value.startswith(FORMULA_START) and not _HARMLESS_NUMBER.match(value):
        return "'" + value
    return value


def employee_export_rows(actor: Actor) -> Iterator[list[Any]]:
    """The people the actor may see, as rows of ``COLUMNS``, in two queries (the people, and the contract
    in force today of each). Sensitive values stay out."""
    visible = access.visible_employees(actor)
    in_force = contracts_as_of(visible, timezone.localdate())
    qs = (visible.order_by("employee_number").values_list(
        "pk", "employee_number", "name", "name_en", "email", "phone", "hire_date", "org_unit__code",
        "job_family__code", "position__code", "level", "manager__employee_number", "status"))
    for pk, *values in qs.iterator(chunk_size=2000):
        yield [*values, None, *contracts.export_values(in_force.get(pk))]


def employee_export(*, actor: Actor, fmt: str) -> bytes:
    if not access.can_export_employees(actor):
        raise PermissionDenied(_("Only HR and administrators export employees."))
    if fmt not in FORMATS:
        raise InvalidInput(_("Unknown format."), {"format": [_("Choose csv or xlsx.")]})
    rows = list(employee_export_rows(actor))
    audit_record(actor=actor, action="execute", entity_type="organisation.export",
                 summary=_("Employee export (%(format)s): %(count)s people")
                 % {"format": fmt, "count": len(rows)},
                 changes={"format": fmt, "rows": len(rows)})
    return _to_csv(rows) if fmt == "csv" else _to_xlsx(rows)


def employee_import_template(*, fmt: str) -> bytes:
    """An empty file with the header row; the workbook also explains each column."""
    if fmt not in FORMATS:
        raise InvalidInput(_("Unknown format."), {"format": [_("Choose csv or xlsx.")]})
    header_only: list[list[Any]] = []
    if fmt == "csv":
        return _to_csv(header_only, sensitive=True)
    return _to_xlsx(header_only, sensitive=True, notes=True)


def column_notes() -> list[tuple[str, str]]:
    return [
        ("employee_number", _("Required. Unique. A new number adds a person; an existing one updates them.")),
        ("name", _("Required.")),
        ("name_en", _("Optional English name.")),
        ("email", _("Optional.")),
        ("phone", _("Optional.")),
        ("hire_date", _("Required for new people. YYYY-MM-DD or an Excel date.")),
        ("org_unit", _("Required for new people. The org unit's code.")),
        ("job_family", _("Required for new people. The job family's code.")),
        ("position", _("Optional. The position's code; it must belong to the job family.")),
        ("level", _("1 to 20. New people default to 1. A higher level is a promotion, a lower one a "
                    "demotion.")),
        ("manager", _("Optional. The manager's employee number; it may be another row of the same file.")),
        ("status", _("Exported for information. An import does not change it: record leave, return or "
                     "termination as an employment event.")),
        ("effective_date", _("Optional. When a change of unit, job, level or manager takes effect; default "
                             "today.")),
        *contracts.column_notes(),
        ("national_id", _("Optional, import only. Stored encrypted; never exported.")),
        ("bank_account", _("Optional, import only. Stored encrypted; never exported.")),
        (LOGIN_COLUMN, _("Optional, import only. A username to create for a person without a login; they "
                         "choose a password through an invitation or a reset code.")),
    ]


def _to_csv(rows: Iterable[list[Any]], sensitive: bool = False) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(IMPORT_COLUMNS if sensitive else COLUMNS)
    for values in rows:
        writer.writerow([_guard(_cell_text(v)) for v in values])
    # The byte-order mark makes Excel open the Chinese names correctly.
    return codecs.BOM_UTF8 + out.getvalue().encode("utf-8")


def _to_xlsx(rows: Iterable[list[Any]], sensitive: bool = False, notes: bool = False) -> bytes:
    # Heavy optional import (about 0.2 s, see core.tabular): only when a workbook is exported.
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell  # heavy optional import, as above

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(_("Employees")[:31])
    sheet.append(IMPORT_COLUMNS if sensitive else COLUMNS)

    def cell(value: Any):
        if value is None or value == "":
            return None
        item = WriteOnlyCell(sheet, value=value)
        if isinstance(value, str):
            item.data_type = "s"  # text stays text, even when it starts with "="
        return item

    for values in rows:
        sheet.append([cell(v) for v in values])
    if notes:
        help_sheet = workbook.create_sheet(_("Columns")[:31])
        help_sheet.append([_("Column"), _("How to fill it in")])
        for key, text in column_notes():
            help_sheet.append([key, text])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


# ---------------------------------------------------------------- uploads kept between preview and confirm

UPLOAD_DIR = "imports"
UPLOAD_MAX_AGE = dt.timedelta(hours=1)


def _upload_name(actor: Actor, token: str) -> str:
    return f"{UPLOAD_DIR}/{actor.user_id}-{token}.bin"


def import_upload_store(*, actor: Actor, content: bytes) -> str:
    """Keep an uploaded file for the confirm step, encrypted (it may hold ID and bank numbers).

    Returns a random token; the file can only be read back by the same user with that token.
    """
    if not access.can_import_employees(actor):
        raise PermissionDenied(_("Only HR imports employees."))
    _upload_cleanup()
    token = get_random_string(32)
    keys, kid = crypto.keyring()
    nonce = os.urandom(12)
    sealed = AESGCM(keys[kid]).encrypt(nonce, content, _upload_name(actor, token).encode())
    blob = kid.encode() + b"\n" + nonce + sealed
    default_storage.save(_upload_name(actor, token), ContentFile(blob))
    return token


def import_upload_load(*, actor: Actor, token: str) -> bytes | None:
    if not re.fullmatch(r"[A-Za-z0-9]{32}", token or ""):
        return None
    name = _upload_name(actor, token)
    try:
        if not default_storage.exists(name):
            return None
        with default_storage.open(name, "rb") as handle:
            blob = handle.read()
        kid, _sep, rest = blob.partition(b"\n")
        keys, _newest = crypto.keyring()
        key = keys.get(kid.decode())
        if key is None:
            return None
        return AESGCM(key).decrypt(rest[:12], rest[12:], name.encode())
    except (OSError, InvalidTag, UnicodeDecodeError):
        return None


def import_upload_discard(*, actor: Actor, token: str) -> None:
    if re.fullmatch(r"[A-Za-z0-9]{32}", token or ""):
        with contextlib.suppress(OSError):
            default_storage.delete(_upload_name(actor, token))


def _upload_cleanup() -> None:
    """Best effort: forget uploads nobody confirmed within the hour."""
    try:
        _dirs, files = default_storage.listdir(UPLOAD_DIR)
    except (OSError, NotImplementedError, FileNotFoundError):
        return
    cutoff = timezone.now() - UPLOAD_MAX_AGE
    for name in files:
        path = f"{UPLOAD_DIR}/{name}"
        try:
            if default_storage.get_modified_time(path) < cutoff:
                default_storage.delete(path)
        except (OSError, NotImplementedError, FileNotFoundError):
            continue
