"""The database refuses what no service may write: negative amounts, reversed dates and levels, an
exempt plan without its cap, a second open enrolment in the same plan, an end month that does not
match the state."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction

from talentloop.benefits.models import Enrolment, EnrolmentWindow
from talentloop.benefits.tests.scene import build_scene, make_plan

pytestmark = pytest.mark.django_db

JAN, FEB, MAR = dt.date(2026, 1, 1), dt.date(2026, 2, 1), dt.date(2026, 3, 1)


def _refused(**values):
    with pytest.raises(IntegrityError), transaction.atomic():
        make_plan("bad", **values)


def test_plan_constraints(world):
    _refused(employer_amount=Decimal("-1"))
    _refused(employee_rate=Decimal("100.01"))
    _refused(effective_to=dt.date(2024, 12, 31))
    _refused(min_level=5, max_level=4)
    _refused(tax_treatment="exempt_up_to_cap")
    plan = make_plan("ok", tax_treatment="exempt_up_to_cap", exempt_cap=Decimal(0), min_level=4, max_level=4)
    assert plan.pk is not None


def test_window_closes_after_it_opens(world):
    plan = make_plan("meal")
    with pytest.raises(IntegrityError), transaction.atomic():
        EnrolmentWindow.objects.create(plan=plan, opens_on=FEB, closes_on=JAN)
    EnrolmentWindow.objects.create(plan=plan, opens_on=FEB, closes_on=FEB)


def test_enrolment_constraints(world):
    scene = build_scene(world)
    employee = world.emp(world.employee)

    def refused(**values):
        with pytest.raises(IntegrityError), transaction.atomic():
            Enrolment.objects.create(employee=employee, plan=scene.meal, **values)

    refused(start_month=MAR, end_month=FEB, state="ended")  # ends before it starts
    refused(start_month=MAR, state="ended")  # ended without an end month
    refused(start_month=MAR, end_month=MAR, state="active")  # open with an end month
    Enrolment.objects.create(employee=employee, plan=scene.meal, start_month=JAN, end_month=FEB, state="ended")
    Enrolment.objects.create(employee=employee, plan=scene.meal, start_month=MAR, state="active")
    refused(start_month=MAR, state="active")  # a second open enrolment in the same plan
    Enrolment.objects.create(employee=employee, plan=scene.annuity, start_month=MAR, state="active")
    Enrolment.objects.create(employee=employee, plan=scene.meal, start_month=MAR, state="withdrawn")
