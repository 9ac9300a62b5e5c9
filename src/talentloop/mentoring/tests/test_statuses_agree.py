"""Statuses agree with the facts: an active plan with an overdue item is shown as overdue, not as
simply active ("正常"), and a mentor with an overdue item is never "100 % on time"."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine

from talentloop.core.access import actor_for
from talentloop.mentoring.models import ItemKind, PlanItem
from talentloop.mentoring.tests import effectiveness_fixtures as F

pytestmark = pytest.mark.django_db

TODAY = dt.date(2026, 3, 16)
START = dt.date(2026, 1, 5)


@pytest.fixture
def plan(world):
    mentor = F.mentor_of(world.emp(world.mentor))
    return F.plan(mentor, world.emp(world.employee), F.template("新员工"), START)


def _item(plan, sequence: int, due: dt.date, done: dt.date | None = None) -> PlanItem:
    return PlanItem.objects.create(
        plan=plan, kind=ItemKind.ONE_TO_ONE, sequence=sequence, due_on=due, completed_on=done
    )


def test_an_active_plan_with_an_overdue_one_to_one_is_shown_overdue(world, plan, client_for, api_client_for):
    _item(plan, 1, dt.date(2026, 2, 2), done=dt.date(2026, 2, 1))
    with time_machine.travel(dt.datetime(2026, 3, 16, 4, 0, tzinfo=dt.UTC), tick=False):
        html = client_for("mentor").get("/mentoring/mentees/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
        assert 'data-overdue="1"' not in html and ">Active<" in html
        assert api_client_for("mentor").get(f"/api/v1/mentoring/plans/{plan.pk}").json()["overdue"] is False
        _item(plan, 2, dt.date(2026, 3, 2))  # two weeks past due, not held
        for url in ("/mentoring/mentees/", f"/mentoring/plans/{plan.pk}/"):
            html = client_for("mentor").get(url, HTTP_ACCEPT_LANGUAGE="en").content.decode()
            assert 'data-overdue="1"' in html and ">Overdue<" in html and ">Active<" not in html, url
        hr_list = client_for("hr").get("/mentoring/plans/?status=active", HTTP_ACCEPT_LANGUAGE="en").content.decode()
        assert 'data-overdue="1"' in hr_list
        assert api_client_for("mentor").get(f"/api/v1/mentoring/plans/{plan.pk}").json()["overdue"] is True
        listed = api_client_for("hr").get("/api/v1/mentoring/plans").json()["items"]
        assert [p["overdue"] for p in listed if p["id"] == plan.pk] == [True]
        # the mentee's own page agrees
        mine = client_for("employee").get("/mentoring/me/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
        assert 'data-overdue="1"' in mine


def test_a_mentor_with_an_overdue_item_is_not_all_on_time(world, plan):
    from talentloop.home.selectors.base import Ctx
    from talentloop.home.selectors.mentoring import mentor_stats

    # two items done on time; one due a week ago and not done; one due next week (not judged yet)
    _item(plan, 1, dt.date(2026, 2, 2), done=dt.date(2026, 2, 1))
    _item(plan, 2, dt.date(2026, 2, 16), done=dt.date(2026, 2, 16))
    ctx = Ctx(actor=actor_for(world.mentor), today=TODAY)
    assert mentor_stats(ctx).on_time_pct == 100
    _item(plan, 3, dt.date(2026, 3, 9))
    _item(plan, 4, dt.date(2026, 3, 23))
    s = mentor_stats(Ctx(actor=actor_for(world.mentor), today=TODAY))
    # 2 on time of 2 done + 1 overdue = 67 %
    assert (s.items_done, s.items_on_time, s.items_overdue, s.on_time_pct) == (2, 2, 1, 67)
