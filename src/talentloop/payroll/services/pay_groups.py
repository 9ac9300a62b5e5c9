"""A pay group saved from its page: names, state, which month's attendance its runs pay and its sick pay.

``services.pay_group_save`` keeps the names and the state; the attendance lag came with the runs and
is set here in the same transaction, so the page's one save is whole or nothing."""

from __future__ import annotations

from decimal import Decimal

from django.db import transaction
from django.utils.translation import gettext as _

from talentloop.core.access import Actor
from talentloop.core.audit.services import audit_record
from talentloop.core.errors import InvalidInput, PermissionDenied
from talentloop.payroll import access
from talentloop.payroll.models import PayGroup
from talentloop.payroll.services import pay_group_save

#: 0: a tax month pays the attendance of the same month; 1: of the month before.
ATTENDANCE_LAGS = (0, 1)


@transaction.atomic
def pay_group_setup_save(
    *,
    actor: Actor,
    key: str,
    name: str,
    name_en: str = "",
    active: bool = True,
    attendance_lag: int = 1,
    sick_pay: list[tuple[Decimal, Decimal]] | None = None,
    new: bool = False,
) -> tuple[PayGroup, bool]:
    """Create or change the pay group ``key`` with its attendance lag; answers it and whether it is new.
    ``new``: the page's "new pay group" form, which must not change an existing group of the same key."""
    if not access.can_manage_pay_groups(actor):
        raise PermissionDenied(_("You may not manage pay groups."))
    if isinstance(attendance_lag, bool) or attendance_lag not in ATTENDANCE_LAGS:
        raise InvalidInput(
            _("Please correct the errors below."),
            {"attendance_lag": [_("Choose the same month or the month before.")]},
        )
    tiers = None
    if sick_pay is not None:
        problems = sick_pay_errors(sick_pay)
        if problems:
            raise InvalidInput(_("Please correct the errors below."), {"sick_pay": problems})
        tiers = [[str(years), str(percent)] for years, percent in sick_pay]
    if new and PayGroup.objects.filter(key=key).exists():
        raise InvalidInput(_("Please correct the errors below."), {"key": [_("This key is already used.")]})
    group, created = pay_group_save(actor=actor, key=key, name=name, name_en=name_en, active=active)
    if group.attendance_lag != attendance_lag:
        before = group.attendance_lag
        group.attendance_lag = attendance_lag
        group.save(update_fields=["attendance_lag", "updated_at"])
        audit_record(
            actor=actor,
            action="update",
            obj=group,
            changes={"attendance_lag": {"before": before, "after": attendance_lag}},
        )
    if tiers is not None and group.sick_pay != tiers:
        before = group.sick_pay
        group.sick_pay = tiers
        group.save(update_fields=["sick_pay", "updated_at"])
        audit_record(actor=actor, action="update", obj=group, changes={"sick_pay": {"before": before, "after": tiers}})
    return group, created


def sick_pay_errors(tiers: list[tuple[Decimal, Decimal]]) -> list[str]:
    """Why a sick pay policy cannot be used (empty when it can): tiers from 0 years up, each starting
    later than the one before, percentages from 0 to 100."""
    if not tiers:
        return [_("Give at least one tier, from 0 years of service.")]
    if tiers[0][0] != 0:
        return [_("The first tier starts at 0 years of service.")]
    for (years, _percent), (later, _later_percent) in zip(tiers, tiers[1:], strict=False):
        if later <= years:
            return [_("Each tier starts after the one before.")]
    if any(not 0 <= percent <= 100 for _years, percent in tiers):
        return [_("A percentage is from 0 to 100.")]
    return []
