"""Each role's home page on a phone (390×844) with a company that has been running for a while
(src/talentloop/home/tests/factories.py): the sections of the role are there with real figures, the
page passes the accessibility scan, and a mentor records a due 1:1 in two taps."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.e2e


def _a11y():
    path = Path(__file__).resolve().parent / "test_accessibility.py"
    spec = importlib.util.spec_from_file_location("home_a11y", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)  # type: ignore[union-attr]
    return module


A11Y = _a11y()


@pytest.fixture
def home(world):
    from talentloop.home.tests.factories import build_home_world

    return build_home_world(world)


@pytest.fixture(scope="module")
def axe_source() -> str:
    from axe_playwright_python.sync_playwright import Axe

    return Axe().axe_script


def open_home(new_page, sign_in, username: str):
    page = new_page("phone")
    # The first page of a run waits for the live server to warm up on a busy machine.
    page.goto("/accounts/login/", timeout=30_000)
    sign_in(page, username)
    page.goto("/")
    return page


def assert_accessible(page, axe_source):
    """The home page's own content passes; the shell's language picker is base.html's (scanned by
    test_accessibility.py on every page) and is left out here."""
    problems = [p for p in A11Y._scan(page, axe_source) if "lang-select" not in p]
    assert not problems, "\n".join(problems)


def test_newgrad_home(home, new_page, sign_in, shot, axe_source):
    page = open_home(new_page, sign_in, "newgrad")
    mentor = page.get_by_test_id("section-my_mentor")
    expect(mentor.get_by_test_id("mentor-name")).to_have_text("Mentor")
    expect(mentor.get_by_test_id("mentor-phone")).to_have_attribute("href", "tel:13800000001")
    expect(mentor.get_by_test_id("mentor-email")).to_have_attribute("href", "mailto:mentor@example.com")
    goals = page.get_by_test_id("section-goals").get_by_test_id("goal")
    expect(goals).to_have_count(3)
    expect(goals.nth(0)).to_contain_text("counts for 50% of your score")
    expect(page.get_by_test_id("section-performance").get_by_test_id("my-total")).to_have_text("75.00")
    expect(page.get_by_test_id("section-training")).to_contain_text("Code review workshop")
    onboarding = page.get_by_test_id("section-onboarding")
    expect(onboarding.get_by_test_id("onboarding-percent")).to_have_text("0%")
    expect(onboarding.get_by_test_id("onboarding-step")).to_have_count(3)
    shot(page, "newgrad")
    assert_accessible(page, axe_source)


def test_employee_home(home, new_page, sign_in, shot, axe_source):
    page = open_home(new_page, sign_in, "employee")
    perf = page.get_by_test_id("section-performance")
    expect(perf.get_by_test_id("my-total")).to_have_text("104.00")
    expect(perf.get_by_test_id("my-rating")).to_have_text("4.2")
    expect(perf.get_by_test_id("metric")).to_have_count(2)
    expect(perf.get_by_test_id("sparkline").locator("polyline")).to_have_count(2)
    expect(page.get_by_test_id("section-feedback").get_by_test_id("feedback-item")).to_have_count(2)
    expect(page.get_by_test_id("section-alerts").get_by_test_id("alert-count")).to_have_text("1")
    expect(page.get_by_test_id("section-submit_result").get_by_test_id("submit-result")).to_be_visible()
    expect(page.get_by_test_id("section-promotion")).to_contain_text("Senior engineer")
    recommendation = page.get_by_test_id("section-recommendations").get_by_test_id("recommendation").filter(
        has_text="Handling customer complaints")
    expect(recommendation).to_have_count(1)
    for absent in ("team", "mentees", "mentor_due", "hr"):
        expect(page.get_by_test_id(f"section-{absent}")).to_have_count(0)
    shot(page, "employee")
    assert_accessible(page, axe_source)


def test_mentor_home_and_record_a_session_in_two_taps(home, new_page, sign_in, shot, axe_source):
    page = open_home(new_page, sign_in, "mentor")
    # The most urgent first: two items overdue.
    expect(page.locator(".home-section").first).to_have_attribute("data-testid", "section-mentor_due")
    mentees = page.get_by_test_id("section-mentees").get_by_test_id("mentee")
    expect(mentees).to_have_count(2)
    expect(mentees.nth(0).get_by_test_id("mentee-total")).to_have_text("104.00")
    expect(page.get_by_test_id("section-mentor_stats").get_by_test_id("stat-mentees")).to_have_text("2")
    due = page.get_by_test_id("section-mentor_due")
    expect(due.get_by_test_id("due-item")).to_have_count(4)
    expect(due.get_by_test_id("mentor-overdue")).to_contain_text("2")
    shot(page, "mentor")
    assert_accessible(page, axe_source)

    item = home.overdue_item.pk
    page.get_by_test_id(f"record-{item}").click()  # tap 1: the form opens, filled in
    expect(page.locator(f"#held-{item}")).to_have_value(home.today.isoformat())
    shot(page, "mentor-record-open")
    page.get_by_test_id(f"save-{item}").click()  # tap 2
    expect(page.get_by_test_id("recorded")).to_contain_text("Newgrad")
    due = page.get_by_test_id("section-mentor_due")
    expect(due.get_by_test_id("due-item")).to_have_count(3)
    expect(due.get_by_test_id("mentor-overdue")).to_contain_text("1")
    shot(page, "mentor-recorded")

    from talentloop.mentoring.models import SessionRecord

    record = SessionRecord.objects.get(item_id=item)
    assert (record.held_on, record.duration_minutes) == (home.today, 60)


def test_manager_home(home, new_page, sign_in, shot, axe_source):
    page = open_home(new_page, sign_in, "manager")
    team = page.get_by_test_id("section-team")
    # lead, mentor, employee, newgrad; scored this month: employee 104, newgrad 75 → 89.5.
    expect(team.get_by_test_id("team-people")).to_have_text("4")
    expect(team.get_by_test_id("team-average")).to_have_text("89.5")
    expect(team.get_by_test_id("team-below")).to_have_text("1")
    expect(page.get_by_test_id("section-team_overdue").get_by_test_id("team-overdue-count")).to_have_text("2")
    expect(page.get_by_test_id("section-team_growth").get_by_test_id("growth-mentees")).to_have_text("2")
    expect(page.get_by_test_id("section-alerts").get_by_test_id("alert-count")).to_have_text("1")
    expect(page.get_by_test_id("section-mentees")).to_have_count(0)
    shot(page, "manager")
    assert_accessible(page, axe_source)
