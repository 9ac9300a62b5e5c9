"""Onboarding on a phone: the new hire ticks a step and sees the progress go up without a reload;
their manager sees the new progress in Team onboarding."""

from __future__ import annotations

import datetime as dt

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.e2e


@pytest.fixture
def checklist(world):
    from talentloop.onboarding.tests import factories as OF

    return OF.checklist(world.emp(world.employee), dt.date.today() - dt.timedelta(days=2))


def test_the_new_hire_ticks_a_step_and_the_manager_sees_it(checklist, new_page, sign_in, shot):
    page = new_page("phone")
    sign_in(page, "employee")
    page.goto("/onboarding/me/")
    expect(page.get_by_test_id("percent")).to_have_text("0%")
    expect(page.get_by_test_id("step")).to_have_count(5)
    shot(page, "01-my-onboarding")
    # Only the new hire's own step has a button; ticking it updates the progress in place.
    buttons = page.get_by_test_id("tick")
    expect(buttons).to_have_count(1)
    page.evaluate("window.__marker = 'same page'")
    buttons.first.click()
    expect(page.get_by_test_id("percent")).to_have_text("20%")
    expect(page.locator("[data-testid=step][data-done='1']")).to_have_count(1)
    assert page.evaluate("window.__marker") == "same page"      # no reload happened
    expect(page.get_by_test_id("untick")).to_have_count(1)
    shot(page, "02-ticked")

    manager = new_page("phone")
    sign_in(manager, "manager")
    manager.goto("/onboarding/team/")
    row = manager.get_by_test_id("team-row")
    expect(row).to_have_count(1)
    expect(row.get_by_test_id("team-percent")).to_have_text("20%")
    shot(manager, "03-team-onboarding")
    row.get_by_role("link").click()
    expect(manager.get_by_test_id("percent")).to_have_text("20%")


def test_the_career_path_on_a_phone(world, new_page, sign_in, shot):
    """The promotion path next to onboarding in the new employee's first weeks: the ladder with the
    current level highlighted and the next level's checklist in plain words."""
    from decimal import Decimal

    from talentloop.careers.tests import factories as CF

    emp = world.emp(world.employee)
    CF.ladder(world.engineering, [
        {"level": 1, "title": "初级工程师", "title_en": "Junior engineer"},
        {"level": 3, "title": "工程师", "title_en": "Engineer"},
        {"level": 5, "title": "高级工程师", "title_en": "Senior engineer", "min_rating": Decimal("4.0"),
         "min_months_in_level": 24, "required_skills": [{"skill": "python", "min_score": 80}],
         "courses": [CF.course()]},
    ])
    CF.rating(emp, dt.date.today().year - 1, "4.2")
    CF.skill(emp, "python", "72", dt.date.today() - dt.timedelta(days=20))
    page = new_page("phone")
    sign_in(page, "employee")
    page.goto("/careers/me/")
    expect(page.get_by_test_id("current-level")).to_contain_text("Engineer")
    reqs = page.get_by_test_id("requirement")
    expect(reqs).to_have_count(4)
    expect(page.locator("[data-key=rating]")).to_have_attribute("data-met", "yes")
    expect(page.locator("[data-key=rating]")).to_contain_text("yours: 4.2")
    expect(page.locator("[data-key=skill]")).to_contain_text("Skill Python 80+ — your latest: 72")
    expect(page.locator("[data-key=course]")).to_contain_text("Course: Code review fundamentals")
    shot(page, "01-career-path")
