"""Approved overtime taken as time off in lieu becomes days of that balance."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from talentloop.attendance.models import OvertimeRequest
from talentloop.attendance.signals import overtime_approved, overtime_cancelled
from talentloop.leave.models import LeaveType, LedgerEntry
from talentloop.leave.selectors.ledger import balance
from talentloop.testing.factories import EmployeeFactory

pytestmark = pytest.mark.django_db


def overtime(employee, minutes: int, compensation: str) -> OvertimeRequest:
    start = timezone.make_aware(dt.datetime(2026, 3, 7, 9, 0))
    return OvertimeRequest.objects.create(
        employee=employee, work_date=dt.date(2026, 3, 7), start=start, end=start + dt.timedelta(minutes=minutes),
        minutes=minutes, day_class="rest", multiplier=Decimal("2.0"), compensation=compensation, reason="release",
        status="approved")


def test_in_lieu_overtime_accrues_once_and_paid_overtime_does_not():
    kind = LeaveType.objects.get(code="in_lieu")  # 8 hours a day
    person = EmployeeFactory()
    # 4 hours on a rest day as time off: 240 / 60 / 8 = 0.5 day.
    request = overtime(person, 240, "in_lieu")
    overtime_approved.send(sender=OvertimeRequest, request=request)
    overtime_approved.send(sender=OvertimeRequest, request=request)  # sent twice: counted once
    # 3 hours paid at 200%: nothing in the balance.
    overtime_approved.send(sender=OvertimeRequest, request=overtime(person, 180, "pay"))
    assert balance(employee_id=person.pk, leave_type_id=kind.pk, as_of=dt.date(2026, 3, 31)) == Decimal("0.5")


def test_cancelled_in_lieu_overtime_takes_its_days_back_once():
    kind = LeaveType.objects.get(code="in_lieu")
    person = EmployeeFactory()
    request = overtime(person, 240, "in_lieu")  # 0.5 day credited
    overtime_approved.send(sender=OvertimeRequest, request=request)
    overtime_cancelled.send(sender=OvertimeRequest, request=request)
    overtime_cancelled.send(sender=OvertimeRequest, request=request)  # sent twice: taken back once
    # 0.5 credited − 0.5 taken back = 0, and both lines stay in the ledger.
    assert balance(employee_id=person.pk, leave_type_id=kind.pk, as_of=dt.date(2026, 3, 31)) == Decimal("0")
    assert list(LedgerEntry.objects.filter(employee=person).values_list("kind", "days").order_by("id")) == [
        ("accrual", Decimal("0.500")), ("adjustment", Decimal("-0.500"))]
    # Paid overtime never credited anything, so cancelling it writes nothing.
    overtime_cancelled.send(sender=OvertimeRequest, request=overtime(person, 180, "pay"))
    assert LedgerEntry.objects.filter(employee=person).count() == 2
