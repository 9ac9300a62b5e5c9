"""A mentor can save a draft plan that submission would refuse (the mentor has no free place, the mentee
already has a plan in the programme, the programme was withdrawn): the draft is kept, and the plan page
lists what blocks submission beside a submit button that is not available until it is fixed."""

from __future__ import annotations

import datetime as dt

import pytest

from talentloop.mentoring.models import MentoringPlan, PlanStatus
from talentloop.mentoring.services.programmes import plan_submission_problems
from talentloop.mentoring.tests import programme_fixtures as F
from talentloop.testing.factories import EmployeeFactory

pytestmark = pytest.mark.django_db

START = dt.date(2026, 1, 15)


@pytest.fixture
def setup(world):
    F.policy([{"key": "level_min"}])
    mentor = F.mentor(world.emp(world.mentor), capacity=1)
    return mentor, F.template()


def _draft(setup, world) -> MentoringPlan:
    mentor, tpl = setup
    return F.plan(mentor, world.emp(world.employee), tpl, START, status=PlanStatus.DRAFT)


def test_a_clean_draft_has_no_problems_and_submits(world, setup, client_for):
    plan = _draft(setup, world)
    assert plan_submission_problems(plan) == []
    page = client_for("mentor").get(f"/mentoring/plans/{plan.pk}/")
    assert page.status_code == 200 and page.context["submission_problems"] == []
    assert b'data-testid="submission-problems"' not in page.content
    assert client_for("mentor").post(f"/mentoring/plans/{plan.pk}/submit/").status_code == 302
    plan.refresh_from_db()
    assert plan.status == PlanStatus.SUBMITTED


def test_a_draft_beyond_the_mentors_capacity_says_why_it_cannot_be_submitted(world, setup, client_for):
    mentor, tpl = setup
    F.plan(mentor, EmployeeFactory(org_unit=world.emp(world.employee).org_unit,
                                   job_family=world.emp(world.employee).job_family), tpl, START)  # the one place
    plan = _draft(setup, world)
    problems = plan_submission_problems(plan)
    assert len(problems) == 1 and "1 of 1" in problems[0]
    page = client_for("mentor").get(f"/mentoring/plans/{plan.pk}/")
    html = page.content.decode()
    assert page.context["submission_problems"] == problems
    assert 'data-testid="submission-problems"' in html
    button = html[html.index('data-testid="submit-plan"'):][:200]
    assert "disabled" in button and 'aria-describedby="submission-problems"' in button
    # Submission refuses with the same words and keeps the draft.
    refused = client_for("mentor").post(f"/mentoring/plans/{plan.pk}/submit/")
    assert refused.status_code != 302 and problems[0] in refused.content.decode()
    plan.refresh_from_db()
    assert plan.status == PlanStatus.DRAFT


def test_a_withdrawn_programme_and_a_plan_already_running_are_listed(world, setup):
    mentor, tpl = setup
    mentor.capacity = 5
    mentor.save(update_fields=["capacity"])
    F.plan(mentor, world.emp(world.employee), tpl, dt.date(2025, 6, 1))  # active in the same programme
    plan = _draft(setup, world)
    tpl.is_active = False
    tpl.save(update_fields=["is_active"])
    plan.template.refresh_from_db()
    problems = plan_submission_problems(plan)
    assert len(problems) == 2
    assert any("no longer offered" in p for p in problems)
    assert any("already has an active plan" in p for p in problems)


def test_others_do_not_see_the_problems(world, setup, client_for):
    plan = _draft(setup, world)
    assert client_for("employee").get(f"/mentoring/plans/{plan.pk}/").context.get("submission_problems") in (None, [])
    assert client_for("outsider").get(f"/mentoring/plans/{plan.pk}/").status_code == 404
