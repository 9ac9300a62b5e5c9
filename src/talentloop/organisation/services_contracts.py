"""Recording employment contracts: one effective-dated row per change, never edited.

A renewal, a new working-hour system or a move to another social-insurance city is a new row taking
effect on its date; earlier rows stay as the history. The rules live in ``contract_errors`` so that
the page, the API and the people import refuse the same things with the same words."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from talentloop.core.access import Actor
from talentloop.core.audit.services import audit_record, snapshot
from talentloop.core.errors import InvalidInput, PermissionDenied, errors_from_validation
from talentloop.organisation import access
from talentloop.organisation.models import (
    ComprehensivePeriod,
    ContractTerm,
    Employee,
    EmploymentContract,
    WorkingHourSystem,
)

CONTRACT_FIELDS = ["effective_from", "start_date", "end_date", "term", "working_hours", "comprehensive_period",
                   "probation_end", "pay_group", "social_insurance_city", "notice_period_days", "note"]
MAX_NOTICE_DAYS = 365


def contract_errors(values: dict[str, Any], *, hire_date: dt.date, taken: Iterable[dt.date] = ()
                    ) -> dict[str, list[str]]:
    """The contract rules over one row's ``values`` (the keys of ``CONTRACT_FIELDS``), against the
    person's hire date and the dates their other rows already take effect on. Empty when it is valid."""
    errors: dict[str, list[str]] = {}

    def add(key: str, message: str) -> None:
        errors.setdefault(key, []).append(message)

    start, end = values.get("start_date"), values.get("end_date")
    effective, probation = values.get("effective_from"), values.get("probation_end")
    term, hours = values.get("term"), values.get("working_hours")
    period = values.get("comprehensive_period") or ""
    for key in ("start_date", "end_date", "effective_from", "probation_end"):
        if values.get(key) is not None and not isinstance(values[key], dt.date):
            add(key, _("Enter a valid date."))
    if errors:
        return errors
    if start is None:
        add("start_date", _("The contract needs a start date."))
    if term not in ContractTerm.values:
        add("term", _("Choose fixed term, open-ended or until a task is done."))
    if hours not in WorkingHourSystem.values:
        add("working_hours", _("Choose standard, comprehensive or flexible hours."))
    if period and period not in ComprehensivePeriod.values:
        add("comprehensive_period", _("Choose a week, a month, a quarter or a year."))
    if start is not None and end is not None and end < start:
        add("end_date", _("The contract cannot end before it starts."))
    if term == ContractTerm.OPEN_ENDED and end is not None:
        add("end_date", _("An open-ended contract has no end date."))
    if term == ContractTerm.FIXED and end is None:
        add("end_date", _("A fixed-term contract needs an end date."))
    if hours == WorkingHourSystem.COMPREHENSIVE and not period:
        add("comprehensive_period", _("Comprehensive hours are counted over a period: choose one."))
    if hours in WorkingHourSystem.values and hours != WorkingHourSystem.COMPREHENSIVE and period:
        add("comprehensive_period", _("Only comprehensive hours have a period."))
    if probation is not None and start is not None and (probation < start or (end is not None and probation > end)):
        add("probation_end", _("The probation ends within the contract."))
    if effective is not None:
        if effective < hire_date:
            add("effective_from", _("The row cannot take effect before the hire date (%(date)s).")
                % {"date": hire_date.isoformat()})
        if start is not None and effective < start:
            add("effective_from", _("The row cannot take effect before the contract starts."))
        if end is not None and effective > end:
            add("effective_from", _("The row cannot take effect after the contract ends."))
        if effective in set(taken):
            add("effective_from", _("Another contract row of this person already takes effect on %(date)s.")
                % {"date": effective.isoformat()})
    notice = values.get("notice_period_days")
    if isinstance(notice, bool) or not isinstance(notice, int) or not 0 <= notice <= MAX_NOTICE_DAYS:
        add("notice_period_days", _("Enter a whole number of days from 0 to %(max)s.") % {"max": MAX_NOTICE_DAYS})
    return errors


@transaction.atomic
def employment_contract_record(
    *,
    actor: Actor,
    employee: Employee,
    start_date: dt.date,
    term: str,
    working_hours: str = WorkingHourSystem.STANDARD,
    end_date: dt.date | None = None,
    comprehensive_period: str = "",
    probation_end: dt.date | None = None,
    pay_group: str = "",
    social_insurance_city: str = "",
    notice_period_days: int = 30,
    note: str = "",
    effective_from: dt.date | None = None,
) -> EmploymentContract:
    """Add a contract row for ``employee``, in force from ``effective_from`` (the contract's start when
    not given) until the next row."""
    employee = Employee.objects.select_for_update().select_related("org_unit").get(pk=employee.pk)
    if not access.can_manage_contract(actor, employee):
        raise PermissionDenied(_("You may not record this person's contract."))
    values = {"effective_from": effective_from or start_date, "start_date": start_date, "end_date": end_date,
              "term": term, "working_hours": working_hours, "comprehensive_period": comprehensive_period or "",
              "probation_end": probation_end, "pay_group": (pay_group or "").strip(),
              "social_insurance_city": (social_insurance_city or "").strip(),
              "notice_period_days": notice_period_days, "note": (note or "").strip()}
    taken = EmploymentContract.objects.filter(employee=employee).values_list("effective_from", flat=True)
    errors = contract_errors(values, hire_date=employee.hire_date, taken=list(taken))
    if errors:
        raise InvalidInput(_("Please correct the errors below."), errors)
    contract = EmploymentContract(employee=employee, recorded_by=actor.user, **values)
    try:
        contract.full_clean(exclude=["employee", "recorded_by"], validate_unique=False, validate_constraints=False)
    except ValidationError as exc:
        raise InvalidInput(_("Please correct the errors below."), errors_from_validation(exc)) from exc
    try:
        with transaction.atomic():
            contract.save()
    except IntegrityError as exc:  # another row for the same date was recorded at the same moment
        msg = _("Another contract row of this person already takes effect on %(date)s.") % {
            "date": values["effective_from"].isoformat()}
        raise InvalidInput(msg, {"effective_from": [msg]}) from exc
    audit_record(actor=actor, action="create", obj=contract, entity_label=str(employee),
                 changes=snapshot(contract, CONTRACT_FIELDS))
    return contract


def today() -> dt.date:
    return timezone.localdate()
