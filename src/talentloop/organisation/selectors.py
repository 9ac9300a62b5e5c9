"""Reads of organisation data; every one starts from an access scope."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache

from django.db.models import (
    BigIntegerField,
    Case,
    Count,
    Exists,
    F,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    When,
)
from django.db.models.functions import Coalesce

from talentloop.accounts.models import User
from talentloop.core.access import Actor
from talentloop.core.bilingual import english_active
from talentloop.core.crypto import mask
from talentloop.core.crypto.fields import EncryptedTextField, Sealed
from talentloop.organisation import access, search
from talentloop.organisation.models import (
    Employee,
    EmploymentContract,
    EmploymentEvent,
    EmploymentStatus,
    EventKind,
    JobFamily,
    OrgUnit,
    Position,
)

MAX_LIMIT = 200


@dataclass
class EmployeeFilters:
    search: str = ""
    org_unit: int | None = None
    job_family: int | None = None
    status: str = ""


def employee_queryset(actor: Actor, filters: EmployeeFilters) -> QuerySet[Employee]:
    qs = access.visible_employees(actor)
    if filters.search:
        term = filters.search.strip()
        key = search.normalise_term(term)
        qs = qs.filter(Q(name__icontains=term) | Q(name_en__icontains=term) | Q(employee_number__icontains=term)
                       | Q(email__icontains=term) | Q(search_key__contains=key)
                       | Q(search_key__contains=key.replace(" ", "")))
    if filters.org_unit:
        unit = OrgUnit.objects.filter(pk=filters.org_unit).only("path").first()
        qs = qs.filter(org_unit__path__startswith=unit.path) if unit else qs.none()
    if filters.job_family:
        qs = qs.filter(job_family_id=filters.job_family)
    if filters.status:
        qs = qs.filter(status=filters.status)
    return qs


def _page(actor: Actor, filters: EmployeeFilters, limit: int, offset: int, columns: tuple[str, ...]
          ) -> tuple[list[tuple], int]:
    """One page of the people ``filters`` match in the actor's scope, as tuples of ``columns`` in
    employee-number order, and the total: a count and one page query whatever the page (past the end
    too: the same queries for every page) or company size. No model object is made."""
    limit = max(1, min(limit, MAX_LIMIT))
    offset = max(0, offset)
    qs = employee_queryset(actor, filters)
    count = qs.count()
    # The page's ids come from the scope and the employee_number index alone; only those rows are
    # joined. (A plain OFFSET would join every skipped row: 20 ms at offset 5,000 of 10,000 on
    # PostgreSQL.) The ids are the scope's, so the outer read needs no second copy of its filter.
    page_ids = qs.order_by("employee_number").values("pk")[offset: offset + limit]
    return list(_columns_of(columns).filter(pk__in=page_ids)), count


@cache
def _columns_of(columns: tuple[str, ...]) -> QuerySet:
    """The ordered read of ``columns``, built once per process (resolving a score of joined column
    names is a tenth of a page's CPU); each page filters a copy, so it is never evaluated itself."""
    return Employee.objects.order_by("employee_number").values_list(*columns)


# What the API shows of a person in a list (``EmployeeOut``), the encrypted values last with the row's
# uid that opens them.
_API_COLUMNS = (
    "pk", "employee_number", "name", "name_en", "email", "phone", "hire_date", "termination_date", "status",
    "level", "org_unit_id", "org_unit__code", "org_unit__name", "job_family_id", "job_family__code",
    "job_family__name", "position_id", "position__code", "position__name", "manager_id",
    "manager__employee_number", "manager__name", "row_uid", "national_id", "bank_account",
)


def _masked(field: EncryptedTextField, sealed: Sealed | str | None, row_uid: uuid.UUID) -> str:
    """An encrypted value read with ``values_list`` (``Sealed``; empty or NULL when there is none),
    opened with its row's uid and masked."""
    return mask(field.open_sealed(sealed, row_uid)) if isinstance(sealed, Sealed) else ""


def employee_rows(actor: Actor, filters: EmployeeFilters, *, limit: int = 50, offset: int = 0
                  ) -> tuple[list[dict], int]:
    """One page of people as the API lists them, and the total: plain dictionaries in the shape of
    ``EmployeeOut`` (nested references included), read from the columns it shows. The national id
    and the bank account are opened only to be masked, as on a person's own answer. Two queries."""
    rows, count = _page(actor, filters, limit, offset, _API_COLUMNS)
    national_id = Employee._meta.get_field("national_id")
    bank_account = Employee._meta.get_field("bank_account")
    items = [
        {"id": pk, "employee_number": number, "name": name, "name_en": name_en, "email": email, "phone": phone,
         "hire_date": hired, "termination_date": terminated, "status": status, "level": level,
         "org_unit": {"id": unit_id, "code": unit_code, "name": unit_name},
         "job_family": {"id": family_id, "code": family_code, "name": family_name},
         "position": (None if position_id is None else
                      {"id": position_id, "code": position_code, "name": position_name}),
         "manager": (None if manager_id is None else
                     {"id": manager_id, "employee_number": manager_number, "name": manager_name}),
         "national_id_masked": _masked(national_id, sealed_id, row_uid),
         "bank_account_masked": _masked(bank_account, sealed_account, row_uid)}
        for (pk, number, name, name_en, email, phone, hired, terminated, status, level, unit_id, unit_code,
             unit_name, family_id, family_code, family_name, position_id, position_code, position_name,
             manager_id, manager_number, manager_name, row_uid, sealed_id, sealed_account) in rows
    ]
    return items, count


@dataclass(slots=True)
class DirectoryRow:
    """A person as a row of the people list, in the reader's language: what the page shows, nothing
    more. Templates look a row up by key (``row["name"]``, Django's first try), code by attribute."""

    pk: int
    employee_number: str
    name: str
    display_name: str
    # The English name under the display name, when it says something the display name does not.
    subtitle: str
    initial: str
    unit: str
    role: str  # the position, else the job family
    level_label: str
    manager_id: int | None
    manager: str
    status: str
    status_label: str
    url: str = ""

    def __getitem__(self, key: str) -> object:
        try:
            return getattr(self, key)
        except AttributeError:
            raise KeyError(key) from None


_DIRECTORY_COLUMNS = (
    "pk", "employee_number", "name", "name_en", "level", "status", "org_unit__name", "org_unit__name_en",
    "position__name", "position__name_en", "job_family__name", "job_family__name_en", "manager_id",
    "manager__name", "manager__name_en",
)


def directory_rows(actor: Actor, filters: EmployeeFilters, *, limit: int = 25, offset: int = 0
                   ) -> tuple[list[DirectoryRow], int]:
    """One page of the people list and the total, in two queries: the shown columns only, each label
    in the reader's language (``core.bilingual.localized``'s rule, decided once per page)."""
    rows, count = _page(actor, filters, limit, offset, _DIRECTORY_COLUMNS)
    english = english_active()
    statuses = {value: str(label) for value, label in EmploymentStatus.choices}

    def pick(value: str | None, twin: str | None) -> str:
        return (twin if twin and english else value) or ""

    out = []
    for (pk, number, name, name_en, level, status, unit, unit_en, position, position_en, family, family_en,
         manager_id, manager, manager_en) in rows:
        shown = pick(name, name_en)
        out.append(DirectoryRow(
            pk=pk, employee_number=number, name=name, display_name=shown,
            subtitle=name_en if name_en and name_en != shown else "", initial=name[:1],
            unit=pick(unit, unit_en), role=pick(position, position_en) or pick(family, family_en),
            level_label=f"L{level}", manager_id=manager_id,
            manager=pick(manager, manager_en) if manager_id is not None else "",
            status=status, status_label=statuses.get(status, status)))
    return out, count


def employee_get(actor: Actor, pk: int) -> Employee | None:
    return (access.visible_employees(actor).select_related("org_unit", "job_family", "position", "manager", "user")
            .filter(pk=pk).first())


# What the profile page shows of the person and of the people and units it names; the rest of the
# joined rows (the account's password hash aside, which says whether a login was ever set up) stays
# in the database.
_PROFILE_FIELDS = (
    "user", "employee_number", "name", "name_en", "email", "phone", "hire_date", "termination_date", "org_unit",
    "job_family", "position", "level", "manager", "manager_path", "status", "national_id", "bank_account",
    "org_unit__name", "org_unit__name_en", "org_unit__path", "job_family__name", "job_family__name_en",
    "position__name", "position__name_en", "manager__name", "manager__name_en", "manager__manager_path",
    "manager__org_unit", "user__password", "user__email", "user__is_superuser", "user__is_active",
)


def profile_get(actor: Actor, pk: int) -> Employee | None:
    """The person of the profile page (``visible_employees``), with their unit, family, position,
    manager and account joined in one query, each with only the columns the page reads."""
    return (access.visible_employees(actor).select_related("org_unit", "job_family", "position", "manager", "user")
            .only(*_PROFILE_FIELDS).filter(pk=pk).first())


def profile_events(actor: Actor, employee: Employee) -> list[EmploymentEvent]:
    """The employment history as the profile lists it: each event with the names of the unit, position
    and manager it set, newest first (the API's ``employee_events`` reads the whole rows)."""
    return list(access.visible_events(actor).filter(employee=employee)
                .select_related("org_unit", "position", "manager")
                .only("kind", "effective_date", "applied_at", "level", "note", "org_unit", "position", "manager",
                      "org_unit__name", "org_unit__name_en", "position__name", "position__name_en",
                      "manager__name", "manager__name_en")
                .order_by("-effective_date", "-id"))


def profile_reports(actor: Actor, employee: Employee) -> list[Employee]:
    """The person's direct reports as the profile lists them: name and position."""
    return list(access.visible_employees(actor).filter(manager=employee).select_related("position")
                .only("name", "name_en", "position", "position__name", "position__name_en").order_by("name"))


def own_card_get(actor: Actor) -> Employee | None:
    """The reader's name, position, unit and manager for a greeting: one query of plain values (the
    person's own record, never the encrypted HR fields), shaped into unsaved model objects so a
    template reads the usual labels without instantiating full rows."""
    if actor.employee is None:
        return None
    rows = list(Employee.objects.filter(pk=actor.employee.pk).values_list(
        "name", "name_en", "org_unit__name", "org_unit__name_en", "job_family__name", "job_family__name_en",
        "position__name", "position__name_en", "manager_id", "manager__name", "manager__name_en")[:1])
    if not rows:
        return None
    (name, name_en, unit, unit_en, family, family_en, position, position_en,
     manager_id, manager, manager_en) = rows[0]
    person = Employee(pk=actor.employee.pk, name=name, name_en=name_en)
    person.org_unit = OrgUnit(name=unit or "", name_en=unit_en or "")
    # A display-only instance, never saved: a person without a job family shows none.
    person.job_family = (JobFamily(name=family or "", name_en=family_en or "")  # type: ignore[assignment]
                         if family is not None else None)
    person.position = Position(name=position or "", name_en=position_en or "") if position is not None else None
    person.manager = Employee(pk=manager_id, name=manager, name_en=manager_en or "") if manager_id else None
    return person


def employee_events(actor: Actor, employee: Employee) -> list[EmploymentEvent]:
    return list(access.visible_events(actor).filter(employee=employee)
                .select_related("org_unit", "job_family", "position", "manager", "recorded_by")
                .order_by("-effective_date", "-id"))


def direct_reports(actor: Actor, employee: Employee) -> list[Employee]:
    return list(access.visible_employees(actor).filter(manager=employee).select_related("position")
                .order_by("name"))


@dataclass
class OrgChartNode:
    unit: OrgUnit
    headcount: int
    children: list[OrgChartNode]


def org_chart(actor: Actor) -> list[OrgChartNode]:
    """The unit tree with the head and the headcount of each unit, in two queries."""
    units = list(access.visible_org_units(actor).filter(is_active=True).select_related("manager")
                 .order_by("depth", "name"))
    counts = dict(Employee.objects.exclude(status="terminated").values("org_unit").annotate(n=Count("id"))
                  .values_list("org_unit", "n"))
    nodes = {u.pk: OrgChartNode(unit=u, headcount=counts.get(u.pk, 0), children=[]) for u in units}
    roots: list[OrgChartNode] = []
    for unit in units:
        parent = nodes.get(unit.parent_id) if unit.parent_id else None
        (parent.children if parent else roots).append(nodes[unit.pk])
    # Head counts include every sub-unit: add each unit's count to its ancestors, deepest first.
    for unit in reversed(units):
        parent = nodes.get(unit.parent_id) if unit.parent_id else None
        if parent is not None:
            parent.headcount += nodes[unit.pk].headcount
    return roots


def team_tree(actor: Actor, manager: Employee, max_depth: int = 6) -> list[dict]:
    """Everyone below a manager as an indented list, in one query."""
    people = list(access.visible_employees(actor).filter(manager_path__startswith=manager.reports_prefix)
                  .exclude(status="terminated").select_related("position", "org_unit")
                  .order_by("manager_path", "name"))
    children: dict[int | None, list[Employee]] = {}
    for p in people:
        children.setdefault(p.manager_id, []).append(p)
    out: list[dict] = []

    def walk(pk: int, depth: int) -> None:
        for child in children.get(pk, []):
            out.append({"employee": child, "depth": depth, "reports": len(children.get(child.pk, []))})
            if depth < max_depth:
                walk(child.pk, depth + 1)

    walk(manager.pk, 0)
    return out


def team_size(actor: Actor, manager: Employee) -> int:
    """Active people anywhere below ``manager`` in the reporting tree."""
    return (access.visible_employees(actor).filter(manager_path__startswith=manager.reports_prefix)
            .exclude(status="terminated").count())


SEARCH_LIMIT = 20


def employee_search(actor: Actor, term: str, *, scope: str = "visible", limit: int = SEARCH_LIMIT
                    ) -> list[Employee] | None:
    """People in the picker's ``scope`` whose name, pinyin (full or initials), English name or number
    contains ``term``: one query over the precomputed key, at most ``limit`` rows; None for an unknown
    scope. Current staff come before people who left."""
    qs = search.scope_queryset(actor, scope)
    if qs is None:
        return None
    term = search.normalise_term(term)
    if not term:
        return []
    compact = term.replace(" ", "")
    q = Q(search_key__contains=term)
    if compact != term:
        q |= Q(search_key__contains=compact)
    limit = max(1, min(limit, SEARCH_LIMIT))
    return list(
        qs.filter(q)
        .annotate(gone=Case(When(status=EmploymentStatus.TERMINATED, then=1), default=0,
                            output_field=IntegerField()))
        .only("pk", "employee_number", "name", "name_en", "status")
        .order_by("gone", "name", "pk")[:limit]
    )


def linkable_account_get(actor: Actor, username: str) -> User | None:
    return access.linkable_accounts(actor).filter(username__iexact=username.strip()).first()


# ---- contracts


def contract_as_of(employee: Employee, date: dt.date) -> EmploymentContract | None:
    """The contract row in force for ``employee`` on ``date``: the latest ``effective_from`` on or before it."""
    return (EmploymentContract.objects.filter(employee=employee, effective_from__lte=date)
            .order_by("-effective_from", "-id").first())


def contracts_in_force(date: dt.date) -> QuerySet[EmploymentContract]:
    """The contract rows in force on ``date``, one per person who has one: a row is kept when no row
    of the same person takes effect after it and on or before ``date``. A queryset, so other apps can
    narrow it (a pay group) or read it as a subquery."""
    later = EmploymentContract.objects.filter(employee=OuterRef("employee"), effective_from__lte=date,
                                              effective_from__gt=OuterRef("effective_from"))
    return EmploymentContract.objects.filter(effective_from__lte=date).filter(~Exists(later))


def contracts_as_of(employee_ids: Iterable[int] | QuerySet | None, date: dt.date) -> dict[int, EmploymentContract]:
    """The contract row in force on ``date`` of each person (everyone when ``None``), by employee id;
    people without one are absent. One query whatever the number of people (``contracts_in_force``).
    ``employee_ids`` may be a queryset of employees (a scope), read as a subquery."""
    qs = contracts_in_force(date)
    if isinstance(employee_ids, QuerySet):
        qs = qs.filter(employee__in=employee_ids.values("pk"))
    elif employee_ids is not None:
        qs = qs.filter(employee_id__in=list(employee_ids))
    return {row.employee_id: row for row in qs.order_by("employee_id")}


def contract_history(actor: Actor, employee: Employee) -> list[EmploymentContract]:
    """Every contract row of a person the actor may see in full, newest first (empty otherwise)."""
    if not access.can_view_contract(actor, employee):
        return []
    return list(EmploymentContract.objects.filter(employee=employee).select_related("recorded_by")
                .order_by("-effective_from", "-id"))


@dataclass
class ContractSection:
    """What the person's page shows of their contract: every row for the person and HR (``full``); for
    managers the row in force only, of which the template shows the working-hour system and the end."""

    full: bool
    current: EmploymentContract | None
    history: list[EmploymentContract]
    can_manage: bool
    upcoming: list[EmploymentContract]


def contract_section(actor: Actor, employee: Employee, today: dt.date) -> ContractSection | None:
    """None when the actor may not see the person's contract at all. Two queries at most."""
    if not access.can_view_contract_summary(actor, employee):
        return None
    full = access.can_view_contract(actor, employee)
    rows = list(EmploymentContract.objects.filter(employee=employee).order_by("-effective_from", "-id"))
    current = next((row for row in rows if row.effective_from <= today), None)
    upcoming = [row for row in rows if row.effective_from > today]
    if not full:
        return ContractSection(full=False, current=current, history=[], can_manage=False, upcoming=[])
    return ContractSection(full=True, current=current, history=rows, can_manage=access.can_manage_contract(
        actor, employee), upcoming=upcoming)


def unit_on(employee_ref: str, day: dt.date) -> Coalesce:
    """An expression for the org unit a person belonged to on ``day``: the unit of their latest
    employment event on or before it that set one (a hire, a transfer), else their unit now.
    ``employee_ref`` is the path to the employee from the query's model (payroll's journal per cost
    centre groups a month's lines by it)."""
    moved = (
        EmploymentEvent.objects.filter(employee=OuterRef(employee_ref), org_unit__isnull=False, effective_date__lte=day)
        .order_by("-effective_date", "-id")
        .values("org_unit")[:1]
    )
    return Coalesce(Subquery(moved), F(f"{employee_ref}__org_unit"), output_field=BigIntegerField())


def last_day_of_employment(employee: Employee) -> dt.date | None:
    """The last day of employment: the applied termination, or a recorded one still waiting for its date
    (a termination not undone by a later return); None for someone staying."""
    if employee.termination_date is not None:
        return employee.termination_date
    latest = (
        EmploymentEvent.objects.filter(employee=employee, kind__in=(EventKind.TERMINATION, EventKind.RETURN))
        .order_by("-effective_date", "-id")
        .values_list("kind", "effective_date")
        .first()
    )
    if latest is not None and latest[0] == EventKind.TERMINATION:
        return latest[1]
    return None


# ---------------------------------------------------------------- one record, for an outbound event


def employee_with_refs(employee_id: int) -> Employee | None:
    """A person with their unit, job family, position and manager (one query); None when gone."""
    return (Employee.objects.select_related("org_unit", "job_family", "position", "manager")
            .filter(pk=employee_id).first())


def employee_plain(employee_id: int) -> Employee | None:
    return Employee.objects.filter(pk=employee_id).first()


def employment_event_brief(event_id: int) -> EmploymentEvent | None:
    """An employment event's kind and effective date; None when gone."""
    return EmploymentEvent.objects.filter(pk=event_id).only("pk", "kind", "effective_date").first()
