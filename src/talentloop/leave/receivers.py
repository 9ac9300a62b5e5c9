"""Leave's answers to what the apps below it announce."""

from __future__ import annotations

from decimal import Decimal

from django.dispatch import receiver
from django.utils.translation import gettext as _

from talentloop.attendance.models import Compensation
from talentloop.attendance.signals import overtime_approved, overtime_cancelled
from talentloop.leave.models import EntryKind, LeaveCategory, LeaveType, LedgerEntry
from talentloop.leave.services.ledger import ledger_post


def in_lieu_type() -> LeaveType | None:
    return (LeaveType.objects.filter(category=LeaveCategory.IN_LIEU, tracks_balance=True, is_active=True)
            .order_by("code").first())


@receiver(overtime_approved, dispatch_uid="leave-time-off-in-lieu")
def time_off_in_lieu(sender, request, **kwargs) -> None:
    """Overtime compensated by time off: its minutes become days of the time-off-in-lieu balance
    (minutes / 60 / the type's hours in a day), once per overtime request (key ``toil:<id>``)."""
    if request.compensation != Compensation.IN_LIEU or not request.minutes:
        return
    kind = in_lieu_type()
    if kind is None:
        return
    per_day = Decimal(kind.hours_per_day) or Decimal("8")
    days = (Decimal(request.minutes) / 60 / per_day).quantize(Decimal("0.001"))
    if days <= 0:
        return
    ledger_post(by=request.decided_by, employee_id=request.employee_id, leave_type_id=kind.pk,
                kind=EntryKind.ACCRUAL, effective_date=request.work_date, days=days,
                reason=_("Overtime on %(date)s: %(minutes)d minutes as time off in lieu")
                % {"date": request.work_date.isoformat(), "minutes": request.minutes},
                key=f"toil:{request.pk}")


@receiver(overtime_cancelled, dispatch_uid="leave-time-off-in-lieu-cancelled")
def time_off_in_lieu_taken_back(sender, request, **kwargs) -> None:
    """Cancelled overtime that had been credited as time off in lieu: the credit is taken back by an
    adjustment of the same days (key ``toil-cancel:<id>``), so the ledger keeps both lines."""
    credited = LedgerEntry.objects.filter(key=f"toil:{request.pk}").first()
    if credited is None:
        return
    ledger_post(by=None, employee_id=credited.employee_id, leave_type_id=credited.leave_type_id,
                kind=EntryKind.ADJUSTMENT, effective_date=credited.effective_date, days=-credited.days,
                reason=_("Overtime on %(date)s cancelled: its time off in lieu taken back")
                % {"date": request.work_date.isoformat()},
                key=f"toil-cancel:{request.pk}")
