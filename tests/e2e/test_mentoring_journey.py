"""Mentoring on a phone: an employee applies to be a mentor and sees the screening; a mentor builds
and submits a plan; HR approves it; the mentor records a 1:1."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.e2e


@pytest.fixture
def mentoring(world):
    from talentloop.mentoring.tests import programme_fixtures as F

    F.policy([{"key": "annual_rating_min", "params": {"min": "4.5", "years": 3}},
              {"key": "level_min", "params": {"level": 3}}])
    F.mentor(world.emp(world.mentor), capacity=3)
    F.template("New graduate onboarding")
    return world


def test_an_employee_applies_and_sees_the_screening(mentoring, new_page, sign_in, shot):
    page = new_page("phone")
    sign_in(page, "employee")
    page.goto("/mentoring/apply/")
    screening = page.get_by_test_id("screening")
    expect(screening.locator("[data-criterion=level_min]")).to_have_attribute("data-status", "passed")
    expect(screening.locator("[data-criterion=annual_rating_min]")).to_have_attribute("data-status", "no_data")
    expect(screening).to_contain_text("no rating")
    shot(page, "01-preview")
    page.get_by_label("Why I want to mentor").fill("I like helping new colleagues.")
    page.get_by_label("Areas of expertise").fill("Go, code review")
    page.get_by_test_id("apply").click()
    expect(page).to_have_url(re.compile(r"/mentoring/apply/\d+/$"))
    expect(page.get_by_test_id("application-status")).to_have_text("Waiting for HR")
    expect(page.get_by_test_id("screening").locator("[data-criterion=level_min]")).to_contain_text(
        "Current level: 3")
    shot(page, "02-application")


def test_a_plan_is_submitted_approved_and_a_one_to_one_recorded(mentoring, new_page, sign_in, shot):
    # The mentor builds a plan from the programme, tailors it and submits it.
    page = new_page("phone")
    sign_in(page, "mentor")
    page.goto("/mentoring/mentees/")
    page.get_by_test_id("new-plan").click()
    page.get_by_label("Programme").select_option(label="New graduate onboarding")
    # The mentee is chosen by searching: typing the number offers the person, one tap picks them.
    page.locator("#id_mentee").press_sequentially("T-employee", delay=30)
    page.locator("[data-person-pick]").first.click()
    expect(page.locator("input[name=mentee_id]")).not_to_have_value("")
    page.get_by_test_id("create-plan").click()
    expect(page).to_have_url(re.compile(r"/mentoring/plans/\d+/edit/$"))
    topics = page.get_by_label("Topics")
    # Dropping a core topic is refused, naming it.
    topics.fill("岗位实操技能\n职场沟通")
    page.get_by_test_id("save").click()
    expect(page.locator(".errorlist")).to_contain_text("公司价值观")
    shot(page, "01-core-topic-kept")
    topics.fill("公司价值观\n岗位实操技能\nCode review practice\n职场沟通")
    page.get_by_test_id("save").click()
    expect(page).to_have_url(re.compile(r"/mentoring/plans/\d+/$"))
    expect(page.get_by_test_id("topics")).to_contain_text("Code review practice")
    page.get_by_test_id("submit-plan").click()
    expect(page.get_by_test_id("plan-status")).to_have_text("Waiting for HR")
    plan_url = page.url
    shot(page, "02-submitted")

    # HR approves it from the inbox; the schedule is generated.
    hr = new_page("phone")
    sign_in(hr, "hr")
    hr.goto("/mentoring/plans/")
    hr.get_by_test_id("plans").get_by_role("link", name="Employee").click()
    hr.get_by_label("Comment").fill("Looks good.")
    hr.get_by_test_id("approve-plan").click()
    expect(hr.get_by_test_id("plan-status")).to_have_text("Active")
    expect(hr.get_by_test_id("schedule").locator("tr")).to_have_count(9)
    shot(hr, "03-approved")

    # The mentor records the first 1:1.
    page.goto(plan_url)
    page.get_by_test_id("record-one_to_one").first.click()
    page.get_by_label("Held on").fill(dt.date.today().isoformat())
    page.get_by_label("Duration (minutes)").fill("45")
    page.get_by_label("公司价值观").check()
    page.get_by_label("Notes").fill("Talked about the team's values.")
    page.get_by_label("Agreed actions").fill("Read the handbook.")
    page.get_by_test_id("save").click()
    expect(page).to_have_url(plan_url)
    expect(page.get_by_test_id("schedule").locator("tr[data-state=done]")).to_have_count(1)
    expect(page.get_by_test_id("sessions")).to_contain_text("Read the handbook.")
    shot(page, "04-one-to-one")
