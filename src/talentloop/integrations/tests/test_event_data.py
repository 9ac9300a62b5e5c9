"""What each outbound event says, read from the owning app's records; an event about a record that is
gone by the time it is read says nothing (no delivery)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from talentloop.integrations import selectors
from talentloop.mentoring.tests.programme_fixtures import mentor, plan, template
from talentloop.performance.models import ReviewCycle

pytestmark = pytest.mark.django_db


def test_review_cycle_closed_says_which_cycle_and_when(world):
    cycle = ReviewCycle.objects.create(name="2026 一季度", period_key="2026-Q1", self_due=dt.date(2026, 4, 10),
                                       peer_due=dt.date(2026, 4, 12), manager_due=dt.date(2026, 4, 20),
                                       status="closed", org_unit=world.platform)
    data = selectors.review_cycle_event_data(cycle.pk)
    assert data["cycle"]["id"] == cycle.pk and data["cycle"]["name"] == "2026 一季度"
    assert data["cycle"]["period"] == "2026-Q1" and data["cycle"]["org_unit"]["id"] == world.platform.pk
    assert selectors.review_cycle_event_data(cycle.pk + 1000) is None


def test_mentoring_plan_approved_names_the_programme_mentee_and_mentor(world):
    mentee, senior = world.emp(world.employee), world.emp(world.mentor)
    approved = plan(mentor(senior), mentee, template(), dt.date(2026, 3, 1))
    data = selectors.mentoring_plan_event_data(approved.pk)
    assert data["plan"]["id"] == approved.pk and data["plan"]["programme"] == approved.template.name
    assert data["mentee"]["id"] == mentee.pk and data["mentor"]["id"] == senior.pk
    assert selectors.mentoring_plan_event_data(approved.pk + 1000) is None


def test_an_event_about_someone_gone_says_nothing(world):
    gone = world.emp(world.employee).pk + 10_000
    assert selectors.employee_event_data(gone, "changed", None) is None
    assert selectors.final_rating_event_data(gone, "2026-Q1", Decimal("4.0")) is None
