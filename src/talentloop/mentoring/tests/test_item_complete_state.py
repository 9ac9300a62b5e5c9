"""Completing a mentoring item through the API answers the item's real state ("done"), as the item list
does, never ``state: null``."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine

from talentloop.mentoring import selectors
from talentloop.mentoring.models import ItemKind
from talentloop.mentoring.tests import programme_fixtures as F

pytestmark = pytest.mark.django_db


@pytest.fixture
def plan(world):
    F.policy([{"key": "level_min"}])
    mentor = F.mentor(world.emp(world.mentor))
    return F.plan(mentor, world.emp(world.employee), F.template(), dt.date(2026, 1, 15))


@time_machine.travel(dt.datetime(2026, 3, 20, 2, 0, tzinfo=dt.UTC), tick=False)
def test_api_complete_answers_done(plan, api_client_for):
    item = F.item(plan, dt.date(2026, 3, 15))  # overdue on the 20th until recorded
    api = api_client_for("mentor")
    listed = api.get(f"/api/v1/mentoring/plans/{plan.pk}/items").json()["items"]
    assert [i["state"] for i in listed if i["id"] == item.pk] == ["overdue"]
    r = api.post(
        f"/api/v1/mentoring/items/{item.pk}/complete",
        {"held_on": "2026-03-19", "duration_minutes": 45, "notes": "ok"},
        content_type="application/json",
    )
    assert r.status_code == 200, r.content
    body = r.json()
    assert body["state"] == "done" and body["completed_on"] == "2026-03-19"
    listed = api.get(f"/api/v1/mentoring/plans/{plan.pk}/items").json()["items"]
    assert [i["state"] for i in listed if i["id"] == item.pk] == ["done"]


@time_machine.travel(dt.datetime(2026, 3, 20, 2, 0, tzinfo=dt.UTC), tick=False)
def test_skill_assessment_complete_answers_done(plan, api_client_for):
    item = F.item(plan, dt.date(2026, 4, 15), kind=ItemKind.SKILL_ASSESSMENT)
    r = api_client_for("mentor").post(
        f"/api/v1/mentoring/items/{item.pk}/complete",
        {"assessed_on": "2026-03-19", "score": 80},
        content_type="application/json",
    )
    assert r.status_code == 200 and r.json()["state"] == "done"


def test_item_get_attaches_the_state_only_when_asked(plan, actor_of):
    item = F.item(plan, dt.date(2026, 3, 15))
    actor = actor_of("mentor")
    got = selectors.item_get(actor, item.pk, with_state=True, today=dt.date(2026, 3, 12))
    assert got.state == "due_soon"  # within the 5 reminder days
    assert selectors.item_get(actor, item.pk, with_state=True, today=dt.date(2026, 3, 16)).state == "overdue"
    assert not hasattr(selectors.item_get(actor, item.pk), "state")
