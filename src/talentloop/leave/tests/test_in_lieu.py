"""Approved overtime taken as time off in lieu becomes days of that balance."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from talentloop.attendance.models import OvertimeRequest
from talentloop.attendance.signals import overtime_approved
from talentloop.leave.models import LeaveType
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
