"""Every write to organisation data: validated, transactional, audited."""

from __future__ import annotations

import datetime as dt
import logging
from typing import Any

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.db.models import F, Value
from django.db.models.functions import Concat, Substr
from django.utils import timezone
from django.utils.translation import gettext as _

from talentloop.accounts.models import User
from talentloop.accounts.services import account_deactivate
from talentloop.core import cache
from talentloop.core.access import Actor
from talentloop.core.audit.services import audit_record, diff, snapshot
from talentloop.core.errors import InvalidInput, NotFound, PermissionDenied, errors_from_validation
from talentloop.organisation import access, signals
from talentloop.organisation.models import (
    Employee,
    EmploymentEvent,
    EmploymentStatus,
    EventKind,
    JobFamily,
    OrgUnit,
    Position,
    TerminationReason,
)

logger = logging.getLogger(__name__)
# Scheduled jobs act as the system: no user, audited as such.
SYSTEM = Actor(user=None)

# Fields that only employment events may change.
STRUCTURAL_FIELDS = ("org_unit", "job_family", "position", "level", "manager", "status")
PLAIN_FIELDS = ("name", "name_en", "email", "phone", "hire_date", "national_id", "bank_account")
SENSITIVE_FIELDS = {"national_id", "bank_account"}
EMPLOYEE_AUDIT_FIELDS = ["employee_number", *PLAIN_FIELDS, *STRUCTURAL_FIELDS, "termination_date", "user"]


def _full_clean(obj: models.Model, exclude: list[str] | None = None) -> None:
    try:
        obj.full_clean(exclude=exclude)
    except ValidationError as exc:
        raise InvalidInput(_("Please correct the errors below."), errors_from_validation(exc)) from exc


def today() -> dt.date:
    return timezone.localdate()


# ---------------------------------------------------------------- org units


def _unit_path(parent: OrgUnit | None, pk: int) -> str:
    return f"{parent.path if parent else '/'}{pk}/"


@transaction.atomic
def org_unit_create(
    *, actor: Actor, code: str, name: str, name_en: str = "", parent: OrgUnit | None = None,
    manager: Employee | None = None,
) -> OrgUnit:
    if not access.can_manage_org_unit(actor, parent):
        raise PermissionDenied(_("You may not create org units here."))
    unit = OrgUnit(code=code, name=name, name_en=name_en, parent=parent, manager=manager,
                   depth=(parent.depth + 1) if parent else 0)
    _full_clean(unit, exclude=["path"])
    unit.save()
    unit.path = _unit_path(parent, unit.pk)
    OrgUnit.objects.filter(pk=unit.pk).update(path=unit.path)
    audit_record(actor=actor, action="create", obj=unit,
                 changes=snapshot(unit, ["code", "name", "name_en", "parent", "manager"]))
    return unit


@transaction.atomic
def org_unit_update(*, actor: Actor, unit: OrgUnit, data: dict[str, Any]) -> OrgUnit:
    unit = OrgUnit.objects.select_for_update().get(pk=unit.pk)
    if not access.can_manage_org_unit(actor, unit):
        raise PermissionDenied(_("You may not change this org unit."))
    fields = ["code", "name", "name_en", "parent", "manager", "is_active"]
    before = snapshot(unit, fields)
    new_parent = data.get("parent", unit.parent)
    if "parent" in data and new_parent != unit.parent:
        if new_parent is not None and new_parent.path.startswith(unit.path):
            raise InvalidInput(_("A unit cannot move under itself."),
                               {"parent": [_("A unit cannot move under itself.")]})
        if not access.can_manage_org_unit(actor, new_parent):
            raise PermissionDenied(_("You may not move units there."))
    for key, value in data.items():
        if key in fields:
            setattr(unit, key, value)
    _full_clean(unit, exclude=["path"])
    old_path, old_depth = unit.path, unit.depth
    unit.depth = (unit.parent.depth + 1) if unit.parent else 0
    unit.path = _unit_path(unit.parent, unit.pk)
    unit.save()
    if old_path != unit.path:
        # Re-root the whole subtree in one statement.
        OrgUnit.objects.filter(path__startswith=old_path).exclude(pk=unit.pk).update(
            path=Concat(Value(unit.path), Substr("path", len(old_path) + 1)),
            depth=F("depth") + (unit.depth - old_depth),
        )
    changes = diff(before, snapshot(unit, fields))
    if changes:
        audit_record(actor=actor, action="update", obj=unit, changes=changes)
    return unit


# ---------------------------------------------------------------- catalogues


@transaction.atomic
def job_family_save(*, actor: Actor, job_family: JobFamily | None = None, data: dict[str, Any]) -> JobFamily:
    if not access.can_manage_catalogue(actor):
        raise PermissionDenied(_("Only HR manages job families."))
    fields = ["code", "name", "name_en", "description"]
    obj = job_family or JobFamily()
    before = snapshot(obj, fields) if obj.pk else {}
    for key in fields:
        if key in data:
            setattr(obj, key, data[key])
    _full_clean(obj)
    created = obj.pk is None
    obj.save()
    audit_record(actor=actor, action="create" if created else "update", obj=obj,
                 changes=diff(before, snapshot(obj, fields)))
    return obj


@transaction.atomic
def position_save(*, actor: Actor, position: Position | None = None, data: dict[str, Any]) -> Position:
    if not access.can_manage_catalogue(actor):
        raise PermissionDenied(_("Only HR manages positions."))
    fields = ["code", "name", "name_en", "job_family", "org_unit", "is_active"]
    obj = position or Position()
    before = snapshot(obj, fields) if obj.pk else {}
    for key in fields:
        if key in data:
            setattr(obj, key, data[key])
    _full_clean(obj)
    created = obj.pk is None
    obj.save()
    audit_record(actor=actor, action="create" if created else "update", obj=obj,
                 changes=diff(before, snapshot(obj, fields)))
    return obj


# ---------------------------------------------------------------- employees


def _check_manager(employee: Employee | None, manager: Employee | None) -> None:
    if manager is None:
        return
    if manager.status == EmploymentStatus.TERMINATED:
        raise InvalidInput(_("The manager has left the organisation."),
                           {"manager": [_("The manager has left the organisation.")]})
    if employee is not None and employee.pk is not None and (
            manager.pk == employee.pk or manager.manager_path.startswith(employee.reports_prefix)):
        raise InvalidInput(_("Someone cannot report to themselves or to one of their own reports."),
                           {"manager": [_("Someone cannot report to themselves or to one of their "
                                          "own reports.")]})


def _check_position(position: Position | None, job_family: JobFamily | None) -> None:
    if position is not None and job_family is not None and position.job_family_id != job_family.pk:
        raise InvalidInput(_("The position belongs to another job family."),
                           {"position": [_("The position belongs to another job family.")]})


@transaction.atomic
def employee_create(
    *,
    actor: Actor,
    employee_number: str,
    name: str,
    org_unit: OrgUnit,
    job_family: JobFamily,
    hire_date: dt.date,
    name_en: str = "",
    email: str = "",
    phone: str = "",
    position: Position | None = None,
    level: int = 1,
    manager: Employee | None = None,
    national_id: str = "",
    bank_account: str = "",
    user: User | None = None,
    note: str = "",
) -> Employee:
    if not access.can_create_employee(actor, org_unit):
        raise PermissionDenied(_("You may not add people to this org unit."))
    _check_manager(None, manager)
    _check_position(position, job_family)
    employee = Employee(
        employee_number=employee_number, name=name, name_en=name_en, email=email, phone=phone,
        hire_date=hire_date, org_unit=org_unit, job_family=job_family, position=position, level=level,
        manager=manager, manager_path=manager.reports_prefix if manager else "/",
        status=EmploymentStatus.ACTIVE, national_id=national_id, bank_account=bank_account, user=user,
    )
    _full_clean(employee, exclude=["manager_path"])
    employee.save()
    hire = EmploymentEvent.objects.create(
        employee=employee, kind=EventKind.HIRE, effective_date=hire_date, org_unit=org_unit,
        job_family=job_family, position=position, level=level, manager=manager,
        status=EmploymentStatus.ACTIVE, note=note, recorded_by=actor.user, applied_at=timezone.now(),
    )
    changes = snapshot(employee, EMPLOYEE_AUDIT_FIELDS)
    for key in SENSITIVE_FIELDS:
        changes[key] = "changed" if changes.get(key) else ""
    audit_record(actor=actor, action="create", obj=employee, changes=changes)
    signals.announce_employee_change(employee.pk, "hired", hire.pk)
    return employee


@transaction.atomic
def employee_update(*, actor: Actor, employee: Employee, data: dict[str, Any]) -> Employee:
    """Change personal fields. Structural fields are refused: they change through events."""
    refused = [key for key in data if key in STRUCTURAL_FIELDS]
    if refused:
        msg = _("This field changes only through an employment event (transfer, promotion, ...).")
        raise InvalidInput(_("Org unit, position, level, manager and status change only through "
                             "employment events."), {key: [msg] for key in refused})
    unknown = [key for key in data if key not in PLAIN_FIELDS]
    if unknown:
        raise InvalidInput(_("Unknown fields."), {key: [_("Unknown field.")] for key in unknown})
    employee = Employee.objects.select_for_update().get(pk=employee.pk)
    if not access.can_manage_employee(actor, employee):
        raise PermissionDenied(_("You may not change this person's record."))
    before = snapshot(employee, list(PLAIN_FIELDS))
    for key, value in data.items():
        setattr(employee, key, value)
    _full_clean(employee, exclude=["manager_path"])
    employee.save()
    changes = diff(before, snapshot(employee, list(PLAIN_FIELDS)), sensitive=SENSITIVE_FIELDS)
    if changes:
        audit_record(actor=actor, action="update", obj=employee, changes=changes)
        signals.announce_employee_change(employee.pk, "changed", None)
    return employee


def employee_read_sensitive(*, actor: Actor, employee: Employee, field: str) -> str:
    """Return a sensitive value in full, for those allowed, and record that it was read."""
    if field not in SENSITIVE_FIELDS:
        raise NotFound(_("No such field."))
    if not access.can_view_sensitive(actor, employee):
        raise PermissionDenied(_("You may not see this value."))
    value = getattr(employee, field)
    audit_record(actor=actor, action="read_sensitive", obj=employee, summary=field)
    return value


# ---------------------------------------------------------------- employment events

EVENT_ALLOWED_FIELDS: dict[str, set[str]] = {
    EventKind.TRANSFER: {"org_unit", "job_family", "position", "manager", "level"},
    EventKind.PROMOTION: {"level", "position", "job_family", "org_unit", "manager"},
    EventKind.DEMOTION: {"level", "position", "job_family", "org_unit", "manager"},
    EventKind.LEAVE: set(),
    EventKind.RETURN: set(),
    EventKind.TERMINATION: set(),
}


def _validate_event(employee: Employee, kind: str, changes: dict[str, Any]) -> None:
    errors: dict[str, list[str]] = {}
    if kind == EventKind.HIRE:
        raise InvalidInput(_("A hire is recorded by adding the employee."),
                           {"kind": [_("A hire is recorded by adding the employee.")]})
    if kind not in EVENT_ALLOWED_FIELDS:
        raise InvalidInput(_("Unknown kind of event."), {"kind": [_("Unknown kind of event.")]})
    allowed = EVENT_ALLOWED_FIELDS[kind]
    for key, value in changes.items():
        if key not in allowed and value is not None:
            errors.setdefault(key, []).append(_("This event cannot change this field."))
    status = employee.status
    if kind == EventKind.LEAVE and status != EmploymentStatus.ACTIVE:
        errors.setdefault("kind", []).append(_("Only an active employee can go on leave."))
    if kind == EventKind.RETURN and status != EmploymentStatus.ON_LEAVE:
        errors.setdefault("kind", []).append(_("Only an employee on leave can return."))
    if kind != EventKind.RETURN and status == EmploymentStatus.TERMINATED:
        errors.setdefault("kind", []).append(_("This person has already left."))
    new_level = changes.get("level")
    if kind == EventKind.PROMOTION and (new_level is None or new_level <= employee.level):
        errors.setdefault("level", []).append(_("A promotion needs a higher level than the current one."))
    if kind == EventKind.DEMOTION and (new_level is None or new_level >= employee.level):
        errors.setdefault("level", []).append(_("A demotion needs a lower level than the current one."))
    if new_level is not None and not 1 <= new_level <= 20:
        errors.setdefault("level", []).append(_("Level must be between 1 and 20."))
    if kind == EventKind.TRANSFER and not any(v is not None for v in changes.values()):
        errors.setdefault("org_unit", []).append(_("A transfer must change the unit, position or manager."))
    if errors:
        raise InvalidInput(_("Please correct the errors below."), errors)
    _check_manager(employee, changes.get("manager"))
    if changes.get("position") is not None:
        _check_position(changes["position"], changes.get("job_family") or employee.job_family)


@transaction.atomic
def employment_event_record(
    *,
    actor: Actor,
    employee: Employee,
    kind: str,
    effective_date: dt.date,
    org_unit: OrgUnit | None = None,
    job_family: JobFamily | None = None,
    position: Position | None = None,
    level: int | None = None,
    manager: Employee | None = None,
    note: str = "",
    immediate: bool = False,
    termination_reason: str = "",
    renewal_refused: bool = False,
) -> EmploymentEvent:
    """Record an employment event; applied at once when it is effective today or earlier.

    A termination's effective date is the last day of employment: the person's account is
    deactivated at the end of that day (``terminated_accounts_deactivate``), or at once when HR marks
    the termination ``immediate`` or records it after that day. Its legal reason (and for a fixed-term
    expiry whether a renewal was refused) is announced with ``signals.termination_recorded`` once the
    transaction commits; payroll works out the final pay from it."""
    employee = Employee.objects.select_for_update().get(pk=employee.pk)
    if not access.can_manage_employee(actor, employee):
        raise PermissionDenied(_("You may not change this person's employment."))
    if org_unit is not None and not access.hr_covers_unit(actor, org_unit):
        raise PermissionDenied(_("You may not move people into that org unit."))
    changes = {"org_unit": org_unit, "job_family": job_family, "position": position, "level": level,
               "manager": manager}
    _validate_event(employee, kind, changes)
    if kind != EventKind.TERMINATION and (termination_reason or renewal_refused):
        raise InvalidInput(_("Please correct the errors below."),
                           {"termination_reason": [_("Only a termination has a legal reason.")]})
    if renewal_refused and termination_reason != TerminationReason.FIXED_TERM_EXPIRY:
        raise InvalidInput(_("Please correct the errors below."),
                           {"renewal_refused": [
                               _("Only a fixed-term contract's expiry can follow a refused renewal.")]})
    statuses: dict[str, str] = {
        EventKind.LEAVE: EmploymentStatus.ON_LEAVE,
        EventKind.RETURN: EmploymentStatus.ACTIVE,
        EventKind.TERMINATION: EmploymentStatus.TERMINATED,
    }
    status = statuses.get(kind, "")
    event = EmploymentEvent(
        employee=employee, kind=kind, effective_date=effective_date, status=status, note=note,
        termination_reason=termination_reason, renewal_refused=renewal_refused,
        recorded_by=actor.user, **{k: v for k, v in changes.items() if v is not None},
    )
    _full_clean(event, exclude=["employee", "before"])
    event.save()
    audit_record(actor=actor, action="create", obj=event, entity_label=str(employee),
                 changes={"kind": kind, "effective_date": str(effective_date),
                          **{k: str(v.pk if hasattr(v, "pk") else v) for k, v in changes.items() if v is not None}})
    if effective_date <= today():
        _apply_event(event, employee)
    if kind == EventKind.TERMINATION and (immediate or effective_date < today()) and employee.user is not None:
        account_deactivate(actor=actor, user=employee.user, reason="termination")
    if kind == EventKind.TERMINATION:
        transaction.on_commit(lambda: signals.termination_recorded.send(
            sender=EmploymentEvent, event=event, actor=actor, reason=termination_reason,
            renewal_refused=renewal_refused))
    return event


def _apply_event(event: EmploymentEvent, employee: Employee) -> None:
    manager = None
    if event.manager_id is not None:
        # Read the manager now: an event applied just before may have moved them, and a future-dated
        # change checked when it was recorded may have become a loop since.
        manager = Employee.objects.get(pk=event.manager_id)
        _check_manager(employee, manager)
    fields = ["org_unit", "job_family", "position", "level", "manager", "status", "termination_date"]
    before = snapshot(employee, fields)
    old_prefix = employee.reports_prefix
    for key in ("org_unit", "job_family", "position", "level", "manager"):
        value = getattr(event, key)
        if value is not None:
            setattr(employee, key, value)
    if event.status:
        employee.status = event.status
    if event.kind == EventKind.TERMINATION:
        employee.termination_date = event.effective_date
    if event.kind == EventKind.RETURN:
        employee.termination_date = None
    if event.job_family_id is not None and event.position_id is None and employee.position is not None \
            and employee.position.job_family_id != event.job_family_id:
        employee.position = None
    if manager is not None:
        employee.manager_path = manager.reports_prefix
    employee.save()
    new_prefix = employee.reports_prefix
    if new_prefix != old_prefix:
        # Everyone below moves with their manager: one statement for the whole subtree.
        Employee.objects.filter(manager_path__startswith=old_prefix).update(
            manager_path=Concat(Value(new_prefix), Substr("manager_path", len(old_prefix) + 1))
        )
    event.before = before
    event.applied_at = timezone.now()
    EmploymentEvent.objects.filter(pk=event.pk).update(before=before, applied_at=event.applied_at)
    cache.bump_people((), everyone=True)  # a move or promotion: the person, their old and new colleagues
    signals.announce_employee_change(employee.pk, "left" if event.kind == EventKind.TERMINATION else "changed",
                                     event.pk)



@transaction.atomic
def employment_events_apply_due(*, on: dt.date | None = None) -> int:
    """Apply every event whose effective date has come (run daily by the scheduler)."""
    on = on or today()
    count = 0
    pending = (EmploymentEvent.objects.select_related("manager").filter(applied_at__isnull=True,
               effective_date__lte=on).order_by("effective_date", "id"))
    for event in pending:
        employee = Employee.objects.select_for_update().get(pk=event.employee_id)
        try:
            with transaction.atomic():
                _apply_event(event, employee)
        except InvalidInput as exc:
            # Valid when recorded, not any more (the new manager left, or now reports to this person):
            # left pending for HR to correct rather than applied or failing the whole run.
            logger.warning("Employment event %s not applied: %s", event.pk, exc.detail)
            continue
        count += 1
    return count


def terminated_accounts_deactivate(*, on: dt.date | None = None) -> int:
    """End the access of everyone whose last day of employment is over (before ``on``, the
    organisation's today). Idempotent; one account that fails is logged and the others go on.
    Returns how many accounts were deactivated."""
    on = on or today()
    users = list(User.objects.filter(is_active=True, employee__status=EmploymentStatus.TERMINATED,
                                     employee__termination_date__lt=on).order_by("pk"))
    count = 0
    for user in users:
        try:
            if account_deactivate(actor=SYSTEM, user=user, reason="termination"):
                count += 1
        except Exception:  # noqa: BLE001 - one bad record must not stop the others
            logger.exception("Account %s of a terminated employee was not deactivated", user.pk)
    return count
