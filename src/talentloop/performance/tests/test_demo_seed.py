"""``talentloop seed`` and the company it loads, on an empty database.

These tests need a database without organisation data, so they live apart from the tests that
share the demo company loaded once per module (test_demo_history.py): in a random order they would
otherwise run while that company is loaded."""

from __future__ import annotations

import datetime as dt
from io import StringIO

import pytest
from django.core.management import call_command

from talentloop.organisation import demo as org_demo
from talentloop.organisation.models import Employee
from talentloop.performance import demo
from talentloop.performance.models import Observation, Score, Scorecard

REF = dt.date(2026, 3, 18)


@pytest.mark.django_db
def test_database_company_gives_the_planned_history():
    plan = org_demo.plan_company(60, seed=3, reference_date=REF)
    org_demo.load_company(plan)
    from_db = demo.HistoryPlanner(demo.read_company(REF), seed=3).fingerprint()
    assert from_db == demo.HistoryPlanner(demo.company_from_plan(plan), seed=3).fingerprint()


@pytest.mark.django_db
def test_seed_writes_the_organisation_only_by_default():
    out = StringIO()
    call_command("seed", employees=50, seed=5, reference_date=REF, stdout=out)
    assert Employee.objects.count() == 50
    assert not Observation.objects.exists() and not Score.objects.exists() and not Scorecard.objects.exists()
    assert "--history" in out.getvalue()


@pytest.mark.django_db
def test_seed_history_and_no_performance_contradict():
    from django.core.management.base import CommandError

    with pytest.raises(CommandError):
        call_command("seed", employees=50, history=True, no_performance=True, stdout=StringIO())
    assert not Employee.objects.exists()


@pytest.mark.django_db
def test_seed_loads_history_and_reset_wipes_it():
    call_command("seed", employees=50, seed=5, history=True, reference_date=REF, stdout=StringIO())
    assert Observation.objects.exists() and Score.objects.exists() and Scorecard.objects.exists()
    call_command("seed", employees=45, seed=5, reset=True, no_performance=True, stdout=StringIO())
    assert Employee.objects.count() == 45
    assert not Observation.objects.exists() and not Score.objects.exists() and not Scorecard.objects.exists()
