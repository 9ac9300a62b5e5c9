"""Every write of benefits: plans, enrolment windows, joining and leaving a plan. Keyword-only, actor
first, access re-checked, the whole input validated before anything is written."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from talentloop.benefits import access, selectors
from talentloop.benefits.models import BenefitPlan, Enrolment, EnrolmentState, EnrolmentWindow, TaxTreatment
from talentloop.core.access import Actor
from talentloop.core.audit.services import audit_record, diff, snapshot
from talentloop.core.errors import Conflict, InvalidInput, PermissionDenied, errors_from_validation
from talentloop.organisation.models import Employee, JobFamily

FEN = Decimal("0.01")

PLAN_FIELDS = [
    "key",
    "name",
    "name_en",
    "description",
    "description_en",
    "kind",
    "employer_amount",
    "employer_rate",
    "employee_amount",
    "employee_rate",
    "tax_treatment",
    "exempt_cap",
    "employee_part_from_pay",
    "min_level",
    "max_level",
    "min_tenure_months",
    "active",
    "effective_from",
    "effective_to",
]
AMOUNT_FIELDS = ("employer_amount", "employee_amount", "exempt_cap")
RATE_FIELDS = ("employer_rate", "employee_rate")


def _please_correct(errors: dict[str, list[str]]) -> InvalidInput:
    return InvalidInput(_("Please correct the errors below."), errors)


def _full_clean(obj: models.Model, errors: dict[str, list[str]], exclude: list[str] | None = None) -> None:
    try:
        obj.full_clean(exclude=exclude, validate_unique=False, validate_constraints=False)
    except ValidationError as exc:
        for name, messages in errors_from_validation(exc).items():
            errors.setdefault(name, []).extend(messages)


def _money_errors(value: Any, *, rate: bool = False) -> list[str]:
    if value is None:
        return []
    if isinstance(value, bool) or not isinstance(value, (Decimal, int)):
        return [_("Enter a number.")]
    amount = Decimal(value)
    if not amount.is_finite():
        return [_("Enter a finite number.")]
    if amount < 0:
        return [_("The figure cannot be negative.")]
    if rate and amount > 100:
        return [_("A rate is at most 100 %.")]
    if amount != amount.quantize(FEN):
        return [_("Use at most two decimal places.")]
    return []


# ------------------------------------------------------------------------------------------------ plans


@transaction.atomic
def benefit_plan_save(
    *,
    actor: Actor,
    key: str,
    name: str,
    kind: str,
    effective_from: dt.date,
    plan: BenefitPlan | None = None,
    name_en: str = "",
    description: str = "",
    description_en: str = "",
    employer_amount: Decimal = Decimal(0),
    employer_rate: Decimal = Decimal(0),
    employee_amount: Decimal = Decimal(0),
    employee_rate: Decimal = Decimal(0),
    tax_treatment: str = TaxTreatment.TAXABLE,
    exempt_cap: Decimal | None = None,
    employee_part_from_pay: bool = True,
    job_families: Iterable[str] = (),
    min_level: int | None = None,
    max_level: int | None = None,
    min_tenure_months: int = 0,
    active: bool = True,
    effective_to: dt.date | None = None,
    windows: Iterable[tuple[dt.date, dt.date]] = (),
) -> tuple[BenefitPlan, bool]:
    """Create a plan, or change ``plan`` (or the plan with this ``key`` when none is given), and add the
    enrolment ``windows`` given as ``(opens_on, closes_on)``. Job families are given by code. Answers
    the plan and whether it is new. Enrolments keep their months: a changed amount applies to every
    month payroll has not yet calculated."""
    if not access.can_manage_plans(actor):
        raise PermissionDenied(_("You may not manage benefit plans."))
    if plan is None:
        plan = BenefitPlan.objects.select_for_update().filter(key=key).first()
    else:
        plan = BenefitPlan.objects.select_for_update().get(pk=plan.pk)
    created = plan is None
    if plan is None:
        plan = BenefitPlan()
    before = snapshot(plan, PLAN_FIELDS) if not created else {}
    values = {
        "key": key.strip(),
        "name": name.strip(),
        "name_en": name_en.strip(),
        "description": description.strip(),
        "description_en": description_en.strip(),
        "kind": kind,
        "employer_amount": employer_amount,
        "employer_rate": employer_rate,
        "employee_amount": employee_amount,
        "employee_rate": employee_rate,
        "tax_treatment": tax_treatment,
        "exempt_cap": exempt_cap,
        "employee_part_from_pay": employee_part_from_pay,
        "min_level": min_level,
        "max_level": max_level,
        "min_tenure_months": min_tenure_months,
        "active": active,
        "effective_from": effective_from,
        "effective_to": effective_to,
    }
    errors: dict[str, list[str]] = {}
    for name_ in AMOUNT_FIELDS:
        if msgs := _money_errors(values[name_]):
            errors[name_] = msgs
    for name_ in RATE_FIELDS:
        if msgs := _money_errors(values[name_], rate=True):
            errors[name_] = msgs
    for name_, value in values.items():
        setattr(plan, name_, value)
    _full_clean(plan, errors)
    if min_level is not None and max_level is not None and max_level < min_level:
        errors.setdefault("max_level", []).append(_("The highest level is below the lowest."))
    if effective_to is not None and effective_from is not None and effective_to < effective_from:
        errors.setdefault("effective_to", []).append(_("The plan cannot end before it starts."))
    if tax_treatment == TaxTreatment.EXEMPT_UP_TO_CAP and exempt_cap is None:
        errors.setdefault("exempt_cap", []).append(_("Give the monthly amount that is exempt from tax."))
    if tax_treatment != TaxTreatment.EXEMPT_UP_TO_CAP and exempt_cap is not None:
        errors.setdefault("exempt_cap", []).append(_("Only a plan exempt up to a cap has an exempt amount."))
    if BenefitPlan.objects.filter(key=values["key"]).exclude(pk=plan.pk).exists():
        errors.setdefault("key", []).append(_("This key is already used."))
    codes = sorted({c.strip() for c in job_families if c.strip()})
    families = list(JobFamily.objects.filter(code__in=codes))
    unknown = sorted(set(codes) - {f.code for f in families})
    if unknown:
        errors["job_families"] = [_("Unknown job family: %(codes)s.") % {"codes": ", ".join(unknown)}]
    windows = list(windows)
    for index, (opens_on, closes_on) in enumerate(windows):
        others = windows[:index]
        for name_, msgs in _window_errors(None if created else plan, opens_on, closes_on, others).items():
            errors[f"windows.{index}.{name_}"] = msgs
    if errors:
        raise _please_correct(errors)
    plan.save()
    EnrolmentWindow.objects.bulk_create(
        [EnrolmentWindow(plan=plan, opens_on=o, closes_on=c, created_by=actor.user) for o, c in windows]
    )
    before_families = [] if created else sorted(plan.job_families.values_list("code", flat=True))
    plan.job_families.set(families)
    changes = diff(before, snapshot(plan, PLAN_FIELDS))
    if before_families != codes:
        changes["job_families"] = codes
    if windows:
        changes["windows"] = [f"{o}–{c}" for o, c in windows]
    audit_record(actor=actor, action="create" if created else "update", obj=plan, changes=changes)
    return plan, created


def _window_errors(
    plan: BenefitPlan | None,
    opens_on: dt.date,
    closes_on: dt.date,
    others: Iterable[tuple[dt.date, dt.date]] = (),
) -> dict[str, list[str]]:
    """Why a window cannot be added to ``plan`` (None: a plan not yet saved) next to ``others``."""
    if not isinstance(opens_on, dt.date) or not isinstance(closes_on, dt.date):
        return {"opens_on": [_("Enter a valid date.")]}
    if closes_on < opens_on:
        return {"closes_on": [_("The window cannot close before it opens.")]}
    overlaps = any(o <= closes_on and c >= opens_on for o, c in others)
    if not overlaps and plan is not None:
        overlaps = plan.windows.filter(opens_on__lte=closes_on, closes_on__gte=opens_on).exists()
    if overlaps:
        return {"opens_on": [_("The plan already has a window on some of these days.")]}
    return {}


@transaction.atomic
def enrolment_window_create(
    *, actor: Actor, plan: BenefitPlan, opens_on: dt.date, closes_on: dt.date
) -> EnrolmentWindow:
    """Open the plan to joining and leaving from ``opens_on`` to ``closes_on`` (both days included).
    Windows of one plan may not overlap, so a day has at most one."""
    if not access.can_manage_plans(actor):
        raise PermissionDenied(_("You may not manage benefit plans."))
    plan = BenefitPlan.objects.select_for_update().get(pk=plan.pk)
    window = EnrolmentWindow(plan=plan, opens_on=opens_on, closes_on=closes_on, created_by=actor.user)
    errors = _window_errors(plan, opens_on, closes_on)
    if errors:
        raise _please_correct(errors)
    window.save()
    audit_record(
        actor=actor,
        action="create",
        obj=window,
        changes={"plan": plan.key, "opens_on": str(opens_on), "closes_on": str(closes_on)},
    )
    return window


# ------------------------------------------------------------------------------------------------ enrolments


@transaction.atomic
def enrolment_create(*, actor: Actor, employee: Employee, plan: BenefitPlan) -> Enrolment:
    """Join a plan during one of its open windows; it counts from the next month (``enrolment_start_month``).
    Refused, with the reason, when the person may not join it, no window is open today, or they are
    already in it."""
    if not access.can_enrol(actor, employee):
        raise PermissionDenied(_("You may only join plans for yourself."))
    today = timezone.localdate()
    # The person's row is locked so two taps on the button cannot both pass the duplicate check.
    Employee.objects.select_for_update().filter(pk=employee.pk).values("pk").first()
    plan = BenefitPlan.objects.prefetch_related("job_families", "windows").get(pk=plan.pk)
    if not selectors.plan_in_force(plan, today):
        raise InvalidInput(_("This plan is not offered now."), {"plan": [_("This plan is not offered now.")]})
    facts = selectors.person_facts([employee.pk])[employee.pk]
    reasons = selectors.ineligibility_reasons(facts, plan, today)
    if reasons:
        raise InvalidInput(_("You may not join this plan."), {"plan": reasons})
    if selectors.open_window(plan, today) is None:
        upcoming = selectors.next_window(plan, today)
        message = (
            _("Enrolment is closed. The next window opens on %(day)s.") % {"day": upcoming.opens_on.isoformat()}
            if upcoming
            else _("Enrolment is closed: the plan has no open enrolment window.")
        )
        raise InvalidInput(message, {"plan": [message]})
    start = selectors.enrolment_start_month(today)
    if plan.effective_to is not None and start > plan.effective_to:
        message = _("The plan ends before your first month in it.")
        raise InvalidInput(message, {"plan": [message]})
    if Enrolment.objects.filter(employee=employee, plan=plan, state=EnrolmentState.ACTIVE).exists():
        raise Conflict(_("You are already in this plan."), {"plan": [_("You are already in this plan.")]})
    enrolment = Enrolment(
        employee=employee, plan=plan, start_month=start, state=EnrolmentState.ACTIVE, enrolled_by=actor.user
    )
    enrolment.save()
    audit_record(actor=actor, action="create", obj=enrolment, changes={"plan": plan.key, "start_month": str(start)})
    return enrolment


@transaction.atomic
def enrolment_cancel(*, actor: Actor, enrolment: Enrolment) -> Enrolment:
    """Leave a plan during one of its open windows. The enrolment keeps its months: it ends with the
    current month (this month's contribution is still taken), or, when it has not started yet, is
    withdrawn and never counts."""
    if not access.can_cancel_enrolment(actor, enrolment):
        raise PermissionDenied(_("You may only leave plans for yourself."))
    enrolment = Enrolment.objects.select_for_update().get(pk=enrolment.pk)
    if enrolment.state != EnrolmentState.ACTIVE:
        message = _("This enrolment has already ended.")
        raise Conflict(message, {"enrolment": [message]})
    today = timezone.localdate()
    plan = BenefitPlan.objects.prefetch_related("windows").get(pk=enrolment.plan_id)
    if selectors.open_window(plan, today) is None:
        message = _("Enrolment is closed: you may leave the plan during its next open window.")
        raise InvalidInput(message, {"enrolment": [message]})
    this_month = selectors.month_start(today)
    if enrolment.start_month > this_month:
        enrolment.state = EnrolmentState.WITHDRAWN
    else:
        enrolment.state = EnrolmentState.ENDED
        enrolment.end_month = this_month
    enrolment.closed_by = actor.user
    enrolment.closed_at = timezone.now()
    enrolment.save(update_fields=["state", "end_month", "closed_by", "closed_at"])
    audit_record(
        actor=actor,
        action="update",
        obj=enrolment,
        changes={"state": enrolment.state, "end_month": str(enrolment.end_month) if enrolment.end_month else None},
    )
    return enrolment
