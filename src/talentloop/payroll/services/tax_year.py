"""A person's statements about a tax year that the withholding needs and no record here can tell: that
this employer pays the first wages of their year (国家税务总局公告2020年第13号)."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from talentloop.core.access import Actor
from talentloop.core.audit.services import audit_record, diff, snapshot
from talentloop.core.errors import InvalidInput, PermissionDenied
from talentloop.organisation.models import Employee
from talentloop.payroll import access
from talentloop.payroll.models import DeclarationSource, Payslip, TaxYearStatement

#: The tax years a statement may be made for (the rule took effect on 2020-07-01).
FIRST_YEAR = 2020
LAST_YEAR = 2100
STATEMENT_FIELDS = ["first_wages_of_year"]


@transaction.atomic
def tax_year_statement_save(
    *, actor: Actor, employee: Employee, year: int, first_wages_of_year: bool
) -> tuple[TaxYearStatement, bool]:
    """State (or change) whether this employer pays the person's first wages of ``year``; answers the
    statement and whether it is new. Refused once a payslip of that year is published to the person:
    the months already withheld were worked out with the other deduction, and a locked run is never
    changed."""
    employee = Employee.objects.select_for_update().get(pk=employee.pk)
    if not access.can_state_tax_year(actor, employee):
        raise PermissionDenied(_("You may not make this statement for this person."))
    if isinstance(year, bool) or not isinstance(year, int) or not FIRST_YEAR <= year <= LAST_YEAR:
        raise InvalidInput(
            _("Please correct the errors below."),
            {"year": [_("Give a tax year from %(first)s on.") % {"first": FIRST_YEAR}]},
        )
    if not isinstance(first_wages_of_year, bool):
        raise InvalidInput(_("Please correct the errors below."), {"first_wages_of_year": [_("Answer yes or no.")]})
    row = TaxYearStatement.objects.select_for_update().filter(employee=employee, year=year).first()
    created = row is None
    unchanged = row is not None and row.first_wages_of_year == first_wages_of_year
    published = Payslip.objects.filter(employee=employee, month__year=year, published_at__isnull=False)
    if not unchanged and published.exists():
        raise InvalidInput(
            _("%(year)s already has a published payslip from us: its withholding cannot change any more.")
            % {"year": year},
            {
                "first_wages_of_year": [
                    _("Too late for %(year)s: a payslip of that year is already published. Ask payroll.")
                    % {"year": year}
                ]
            },
        )
    if row is None:
        row = TaxYearStatement(employee=employee, year=year)
    before = {} if created else snapshot(row, STATEMENT_FIELDS)
    row.first_wages_of_year = first_wages_of_year
    row.source = DeclarationSource.EMPLOYEE if access.is_self(actor, employee) else DeclarationSource.IMPORT
    row.recorded_by, row.recorded_at = actor.user, timezone.now()
    row.save()
    audit_record(
        actor=actor,
        action="create" if created else "update",
        obj=row,
        entity_label=f"{employee} · {year}",
        changes=diff(before, snapshot(row, STATEMENT_FIELDS)),
    )
    return row, created
