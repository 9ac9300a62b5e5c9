"""Every write of payroll data: pay groups and who runs them, salary components, salary structures and
tax declarations. Keyword-only, actor first, access re-checked, validated whole before anything is
written; amounts never reach an audit entry."""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from talentloop.accounts.models import User
from talentloop.core.access import Actor
from talentloop.core.audit.services import CHANGED, audit_record, diff, snapshot
from talentloop.core.errors import InvalidInput, PermissionDenied, errors_from_validation
from talentloop.organisation.models import Employee
from talentloop.payroll import access
from talentloop.payroll.formula import PAYROLL_VARIABLES, FormulaError, compile_formula
from talentloop.payroll.models import (
    DeclarationSource,
    PayGroup,
    PayGroupAccess,
    SalaryComponent,
    SalaryItem,
    SalaryStructure,
    TaxDeclaration,
)
from talentloop.payroll.rules.iit import IitRuleBook, IitRulesUnavailable, load_iit_rules
from talentloop.payroll.rules.iit_deductions import (
    Declaration,
    DeductionKind,
    ElderlySplit,
    validate_declaration,
    validate_declarations,
)

#: Salary amounts are yuan with at most two decimal places (fen), and at most this much.
FEN = Decimal("0.01")
MAX_AMOUNT = Decimal("9999999999.99")

COMPONENT_FIELDS = [
    "key",
    "name",
    "name_en",
    "kind",
    "taxable",
    "in_social_insurance_base",
    "in_wage_base",
    "shown_on_payslip",
    "formula",
    "order",
    "active",
]
DECLARATION_FIELDS = [
    "kind",
    "start",
    "end",
    "share_percent",
    "dependent",
    "dependent_birth_date",
    "city_tier",
    "only_child",
    "elderly_split",
    "sharers",
    "monthly_amount",
    "months_already_used",
    "first_home",
    "premarital_home",
]
# What a declaration's audit entry records only as "changed": they name or date a family member.
DECLARATION_SENSITIVE = {"dependent", "dependent_birth_date"}


def _full_clean(obj: models.Model, exclude: list[str] | None = None) -> None:
    try:
        obj.full_clean(exclude=exclude, validate_unique=False, validate_constraints=False)
    except ValidationError as exc:
        raise InvalidInput(_("Please correct the errors below."), errors_from_validation(exc)) from exc


def amount_text(amount: Decimal) -> str:
    """The stored text of an amount already checked to have at most two places: always two places
    ("8000" is "8000.00"). The quantize is exact, never a rounding, because more places are refused."""
    return str(amount.quantize(FEN))


def amount_errors(value: Any) -> list[str]:
    """Why ``value`` is not a salary amount (empty when it is one)."""
    if isinstance(value, bool) or not isinstance(value, (Decimal, int)):
        return [_("Enter the amount as a number.")]
    amount = Decimal(value)
    if not amount.is_finite():
        return [_("Enter a finite number.")]
    if amount < 0:
        return [_("An amount cannot be negative.")]
    if amount > MAX_AMOUNT:
        return [_("An amount may be at most %(max)s.") % {"max": f"{MAX_AMOUNT:,}"}]
    if amount != amount.quantize(FEN):
        return [_("Amounts are in yuan with at most two decimal places.")]
    return []


# ------------------------------------------------------------------------------------------------ pay groups


@transaction.atomic
def pay_group_save(
    *, actor: Actor, key: str, name: str, name_en: str = "", active: bool = True
) -> tuple[PayGroup, bool]:
    """Create the pay group ``key`` or change its names and state; answers it and whether it is new."""
    if not access.can_manage_pay_groups(actor):
        raise PermissionDenied(_("You may not manage pay groups."))
    group = PayGroup.objects.select_for_update().filter(key=key).first()
    created = group is None
    if group is None:
        group = PayGroup(key=key)
    before = snapshot(group, ["name", "name_en", "active"])
    group.name, group.name_en, group.active = name.strip(), name_en.strip(), active
    _full_clean(group, exclude=[] if created else ["key"])
    if created and PayGroup.objects.filter(key=key).exists():
        raise InvalidInput(_("Please correct the errors below."), {"key": [_("This key is already used.")]})
    group.save()
    audit_record(
        actor=actor,
        action="create" if created else "update",
        obj=group,
        changes=diff(before, snapshot(group, ["key", "name", "name_en", "active"])),
    )
    return group, created


@transaction.atomic
def pay_group_access_grant(*, actor: Actor, pay_group: PayGroup, user: User) -> PayGroupAccess:
    """Let ``user`` run payroll for ``pay_group`` (they need the payroll role to use it)."""
    if not access.can_manage_pay_groups(actor):
        raise PermissionDenied(_("You may not manage pay groups."))
    row, created = PayGroupAccess.objects.get_or_create(
        pay_group=pay_group, user=user, defaults={"granted_by": actor.user}
    )
    if created:
        audit_record(
            actor=actor,
            action="create",
            obj=row,
            entity_label=f"{pay_group.key} · {user}",
            changes={"pay_group": pay_group.key, "user": str(user.pk)},
        )
    return row


@transaction.atomic
def pay_group_access_revoke(*, actor: Actor, pay_group: PayGroup, user: User) -> None:
    if not access.can_manage_pay_groups(actor):
        raise PermissionDenied(_("You may not manage pay groups."))
    deleted, _rows = PayGroupAccess.objects.filter(pay_group=pay_group, user=user).delete()
    if deleted:
        audit_record(
            actor=actor,
            action="delete",
            entity_type="payroll.paygroupaccess",
            entity_label=f"{pay_group.key} · {user}",
            changes={"pay_group": pay_group.key, "user": str(user.pk)},
        )


# ------------------------------------------------------------------------------------------------ components


def formula_errors(text: str) -> list[str]:
    """Each problem of a formula with where it is, in the reader's language (empty: it compiles)."""
    try:
        compile_formula(text, PAYROLL_VARIABLES)
    except FormulaError as exc:
        out = []
        for problem in exc.problems:
            if problem.line > 1 or "\n" in text:
                out.append(
                    _("Line %(line)s, column %(column)s: %(message)s")
                    % {"line": problem.line, "column": problem.column, "message": problem.message}
                )
            else:
                out.append(_("Column %(column)s: %(message)s") % {"column": problem.column, "message": problem.message})
        return out
    return []


@transaction.atomic
def salary_component_save(
    *,
    actor: Actor,
    key: str,
    name: str,
    name_en: str = "",
    kind: str = "earning",
    taxable: bool = True,
    in_social_insurance_base: bool = False,
    in_wage_base: bool = False,
    shown_on_payslip: bool = True,
    formula: str = "",
    order: int = 100,
    active: bool = True,
) -> tuple[SalaryComponent, bool]:
    """Create the component ``key`` or change it; answers it and whether it is new. A formula is
    compiled over the payroll variables and refused with each problem's position."""
    if not access.can_manage_components(actor):
        raise PermissionDenied(_("You may not manage salary components."))
    component = SalaryComponent.objects.select_for_update().filter(key=key).first()
    created = component is None
    if component is None:
        component = SalaryComponent(key=key)
    before = snapshot(component, COMPONENT_FIELDS)
    formula = formula.strip()
    values = {
        "name": name.strip(),
        "name_en": name_en.strip(),
        "kind": kind,
        "taxable": taxable,
        "in_social_insurance_base": in_social_insurance_base,
        "in_wage_base": in_wage_base,
        "shown_on_payslip": shown_on_payslip,
        "formula": formula,
        "order": order,
        "active": active,
    }
    for field, value in values.items():
        setattr(component, field, value)
    errors: dict[str, list[str]] = {}
    try:
        component.full_clean(validate_unique=False, validate_constraints=False)
    except ValidationError as exc:
        errors.update(errors_from_validation(exc))
    if formula:
        problems = formula_errors(formula)
        if problems:
            errors.setdefault("formula", []).extend(problems)
        elif not created and SalaryItem.objects.filter(component=component).exists():
            errors.setdefault("formula", []).append(
                _("People's salary structures hold fixed amounts of this component; it cannot become a formula.")
            )
    if errors:
        raise InvalidInput(_("Please correct the errors below."), errors)
    component.save()
    audit_record(
        actor=actor,
        action="create" if created else "update",
        obj=component,
        changes=diff(before, snapshot(component, COMPONENT_FIELDS)),
    )
    return component, created


# ------------------------------------------------------------------------------------------------ salaries


def _item_errors(items: Mapping[str, Any], components: Mapping[str, SalaryComponent]) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    if not items:
        errors["items"] = [_("Give at least one component's amount.")]
    for key, value in items.items():
        where = f"items.{key}"
        component = components.get(key)
        if component is None:
            errors[where] = [_("There is no salary component “%(key)s”.") % {"key": key}]
        elif not component.active:
            errors[where] = [_("The salary component “%(key)s” is no longer in use.") % {"key": key}]
        elif not component.is_fixed:
            errors[where] = [_("“%(key)s” is worked out by its formula; it takes no fixed amount.") % {"key": key}]
        else:
            problems = amount_errors(value)
            if problems:
                errors[where] = problems
    return errors


@transaction.atomic
def salary_structure_set(
    *,
    actor: Actor,
    employee: Employee,
    effective_from: dt.date | None,
    items: Mapping[str, Decimal],
    note: str = "",
) -> SalaryStructure:
    """The person's fixed pay from ``effective_from`` on (a raise is a new structure; earlier months keep
    theirs). A structure already on that date is replaced, with an audit entry saying so."""
    employee = Employee.objects.select_for_update().get(pk=employee.pk)
    if not access.can_set_salary(actor, employee):
        raise PermissionDenied(_("You may not set this person's salary."))
    errors: dict[str, list[str]] = {}
    if effective_from is None:
        errors["effective_from"] = [_("Give the date the salary takes effect.")]
    components = {c.key: c for c in SalaryComponent.objects.filter(key__in=list(items))}
    errors.update(_item_errors(items, components))
    note = (note or "").strip()
    note_limit = SalaryStructure._meta.get_field("note").max_length or 0
    if len(note) > note_limit:
        errors["note"] = [_("At most %(limit)d characters.") % {"limit": note_limit}]
    if errors or effective_from is None:
        raise InvalidInput(_("Please correct the errors below."), errors)
    structure = SalaryStructure(
        employee=employee, effective_from=effective_from, note=note, recorded_by=actor.user, recorded_at=timezone.now()
    )
    _full_clean(structure, exclude=["employee", "recorded_by"])
    existing = SalaryStructure.objects.filter(employee=employee, effective_from=effective_from).first()
    replaced = existing is not None
    if existing is not None:
        # No payroll run locks a month yet, so a structure of the same date may be replaced.
        SalaryItem.objects.filter(structure=existing).delete()
        existing.note, existing.recorded_by, existing.recorded_at = structure.note, actor.user, structure.recorded_at
        existing.save(update_fields=["note", "recorded_by", "recorded_at"])
        structure = existing
    else:
        structure.save()
    SalaryItem.objects.bulk_create(
        [
            SalaryItem(structure=structure, component=components[key], amount=amount_text(Decimal(value)))
            for key, value in sorted(items.items())
        ]
    )
    audit_record(
        actor=actor,
        action="update" if replaced else "create",
        obj=structure,
        entity_label=str(employee),
        summary=_("Salary structure replaced") if replaced else _("Salary structure recorded"),
        changes={
            "employee": str(employee.pk),
            "effective_from": effective_from.isoformat(),
            "components": sorted(items),
            "amounts": CHANGED,
        },
    )
    return structure


# ------------------------------------------------------------------------------------------------ tax declarations


@functools.cache
def iit_rules() -> IitRuleBook:
    """The IIT rule data shipped with the app, read once per process."""
    return load_iit_rules()


def first_of_month(day: dt.date) -> dt.date:
    return day.replace(day=1)


def as_declaration(row: TaxDeclaration) -> Declaration:
    """The rules' view of a stored declaration."""
    return Declaration(
        kind=DeductionKind(row.kind),
        start=row.start,
        end=row.end,
        share_percent=Decimal(row.share_percent),
        dependent=row.dependent,
        dependent_birth_date=row.dependent_birth_date,
        city_tier=row.city_tier,
        only_child=row.only_child,
        elderly_split=ElderlySplit(row.elderly_split) if row.elderly_split else None,
        sharers=row.sharers,
        monthly_amount=None if row.monthly_amount is None else Decimal(row.monthly_amount),
        months_already_used=row.months_already_used,
        first_home=row.first_home,
        premarital_home=row.premarital_home,
    )


def declaration_years(row: TaxDeclaration) -> range:
    """The tax years a declaration is checked for: from its first month's year to its last month's (the
    first year only when it is open-ended: people confirm their declarations again each year)."""
    return range(row.start.year, (row.end.year if row.end else row.start.year) + 1)


def _declaration_errors(row: TaxDeclaration, others: list[TaxDeclaration]) -> dict[str, list[str]]:
    """The rules' errors of ``row`` for every year it touches, beside the person's other active ones."""
    errors: dict[str, list[str]] = {}

    def add(field: str, messages: list[str]) -> None:
        if not messages:
            return
        bucket = errors.setdefault(field, [])
        bucket.extend(m for m in messages if m not in bucket)

    decl = as_declaration(row)
    book = iit_rules()
    for year in declaration_years(row):
        try:
            rules = book.for_year(year).deductions
        except IitRulesUnavailable as exc:
            add("start", [exc.detail])
            continue
        own = validate_declaration(decl, rules, year)
        for field, messages in own.items():
            add(field, messages)
        if own:
            continue
        together = validate_declarations([decl, *(as_declaration(o) for o in others)], rules, year)
        add("__all__", together.get("__all__", []))
    return errors


@transaction.atomic
def tax_declaration_save(
    *,
    actor: Actor,
    employee: Employee,
    kind: str,
    start: dt.date,
    end: dt.date | None = None,
    share_percent: Decimal = Decimal(100),
    dependent: str = "",
    dependent_birth_date: dt.date | None = None,
    city_tier: int | None = None,
    only_child: bool = True,
    elderly_split: str = "",
    sharers: int = 1,
    monthly_amount: Decimal | None = None,
    months_already_used: int = 0,
    first_home: bool = True,
    premarital_home: bool = False,
    declaration: TaxDeclaration | None = None,
) -> TaxDeclaration:
    """Record a declaration (or change ``declaration``, an active one of the same person). The person
    declares their own; payroll imports them for the people of their groups. Refused whole, with each
    field's errors, when the rules of any year it touches refuse it."""
    employee = Employee.objects.select_for_update().get(pk=employee.pk)
    if not access.can_declare(actor, employee):
        raise PermissionDenied(_("You may not declare deductions for this person."))
    if declaration is not None and (declaration.employee_id != employee.pk or not declaration.active):
        raise InvalidInput(_("Only an active declaration of the same person can be changed."))
    row = declaration if declaration is not None else TaxDeclaration(employee=employee)
    before = snapshot(row, DECLARATION_FIELDS) if declaration is not None else {}
    values = {
        "kind": kind,
        "start": first_of_month(start),
        "end": first_of_month(end) if end else None,
        "share_percent": share_percent,
        "dependent": (dependent or "").strip(),
        "dependent_birth_date": dependent_birth_date,
        "city_tier": city_tier,
        "only_child": only_child,
        "elderly_split": elderly_split or "",
        "sharers": sharers,
        "monthly_amount": monthly_amount,
        "months_already_used": months_already_used,
        "first_home": first_home,
        "premarital_home": premarital_home,
    }
    for field, value in values.items():
        setattr(row, field, value)
    row.source = DeclarationSource.EMPLOYEE if access.is_self(actor, employee) else DeclarationSource.IMPORT
    row.recorded_by, row.recorded_at = actor.user, timezone.now()
    try:
        row.full_clean(
            exclude=["employee", "recorded_by", "withdrawn_by"], validate_unique=False, validate_constraints=False
        )
    except ValidationError as exc:
        raise InvalidInput(_("Please correct the errors below."), errors_from_validation(exc)) from exc
    if row.end is not None and row.end < row.start:
        raise InvalidInput(
            _("Please correct the errors below."), {"end": [_("The last month is before the first month.")]}
        )
    others_qs = TaxDeclaration.objects.filter(employee=employee, withdrawn_at__isnull=True)
    if row.pk is not None:
        others_qs = others_qs.exclude(pk=row.pk)
    others = list(others_qs)
    errors = _declaration_errors(row, others)
    if errors:
        raise InvalidInput(_("Please correct the errors below."), errors)
    row.save()
    changes = diff(before, snapshot(row, DECLARATION_FIELDS), sensitive=DECLARATION_SENSITIVE)
    audit_record(
        actor=actor,
        action="update" if declaration is not None else "create",
        obj=row,
        entity_label=f"{employee} · {row.kind}",
        changes=changes,
    )
    return row


@transaction.atomic
def tax_declaration_withdraw(*, actor: Actor, declaration: TaxDeclaration) -> TaxDeclaration:
    """Stop using a declaration from now on; the row stays as the record of what was used."""
    row = TaxDeclaration.objects.select_for_update().select_related("employee").get(pk=declaration.pk)
    if not access.can_declare(actor, row.employee):
        raise PermissionDenied(_("You may not withdraw this declaration."))
    if not row.active:
        raise InvalidInput(_("This declaration is already withdrawn."))
    row.withdrawn_at, row.withdrawn_by = timezone.now(), actor.user
    row.save(update_fields=["withdrawn_at", "withdrawn_by"])
    audit_record(
        actor=actor,
        action="update",
        obj=row,
        entity_label=f"{row.employee} · {row.kind}",
        summary=_("Tax declaration withdrawn"),
    )
    return row
