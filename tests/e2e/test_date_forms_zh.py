"""Date forms in Chinese (zh-CN browser, zh-Hans pages): each form is saved with a date, and the
saved date comes back. Browsers discard any value of ``<input type="date">`` that is not ISO
(``2026/12/07``), so these forms used to lose their dates and fail with "此字段为必填项"."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.e2e

ISO = re.compile(r"^\d{4}-\d{2}-\d{2}$")


@pytest.fixture
def mentoring(world):
    from talentloop.mentoring.tests import programme_fixtures as F

    F.policy([{"key": "level_min", "params": {"level": 3}}])
    F.mentor(world.emp(world.mentor), capacity=3)
    F.mentor(world.emp(world.outsider), capacity=3)
    return F.template("New graduate onboarding")


def _chinese_page(new_page, sign_in, username: str):
    page = new_page("phone", locale="zh-CN")
    page.goto("/accounts/login/", timeout=60_000)  # the first page of the session may be slow
    sign_in(page, username)
    expect(page.locator("html")).to_have_attribute("lang", "zh-Hans")
    return page


def _submit(page, selector: str) -> None:
    with page.expect_navigation():
        page.locator(selector).click()


def test_a_plan_is_created_and_edited_with_its_dates_in_chinese(world, mentoring, new_page, sign_in, shot):
    from talentloop.mentoring.models import MentoringPlan

    page = _chinese_page(new_page, sign_in, "mentor")
    page.goto("/mentoring/plans/new/")
    page.locator("#id_template").select_option(str(mentoring.pk))
    page.locator("#id_mentee").fill("T-employee")
    page.locator("#id_starts_on").fill("2026-12-07")
    _submit(page, "[data-testid=create-plan]")
    expect(page).to_have_url(re.compile(r"/mentoring/plans/\d+/edit/$"))
    plan = MentoringPlan.objects.get(mentee=world.emp(world.employee))
    assert plan.starts_on == dt.date(2026, 12, 7)
    # The edit page shows the saved date (a non-ISO value would be shown as an empty field).
    expect(page.locator("#id_starts_on")).to_have_value("2026-12-07")
    shot(page, "plan-edit")

    page.locator("#id_starts_on").fill("2027-01-04")
    _submit(page, "[data-testid=save]")
    expect(page).to_have_url(re.compile(r"/mentoring/plans/\d+/$"))
    plan.refresh_from_db()
    assert plan.starts_on == dt.date(2027, 1, 4)
    page.goto(f"/mentoring/plans/{plan.pk}/edit/")
    expect(page.locator("#id_starts_on")).to_have_value("2027-01-04")
    assert "此字段为必填项" not in page.content()


def test_a_matching_run_keeps_its_dates_in_chinese(world, mentoring, new_page, sign_in):
    from talentloop.mentoring.models import MatchRun

    page = _chinese_page(new_page, sign_in, "hr")
    page.goto("/mentoring/matching/runs/new/")
    assert ISO.match(page.locator("#id_starts_on").input_value())  # today, prefilled, survives
    page.locator("#id_template").select_option(str(mentoring.pk))
    page.locator("#id_starts_on").fill("2026-12-07")
    page.locator("#id_hired_from").fill("2000-01-01")
    page.locator("#id_numbers").fill("T-employee")
    _submit(page, "[data-testid=run-matching]")
    expect(page).to_have_url(re.compile(r"/mentoring/matching/runs/\d+/$"))
    assert MatchRun.objects.get().starts_on == dt.date(2026, 12, 7)


def test_a_work_result_keeps_its_prefilled_date_in_chinese(world, new_page, sign_in):
    from django.utils import timezone

    from talentloop.core.access import actor_for
    from talentloop.performance.models import Aggregation, WorkResult
    from talentloop.performance.services.config import metric_save
    from talentloop.performance.services.results import work_result_settings_update

    hr = actor_for(world.hr)
    csat = metric_save(
        actor=hr,
        data={
            "key": "csat",
            "name": "客户满意度",
            "name_en": "Customer satisfaction",
            "aggregation": Aggregation.AVG,
            "unit": "分",
        },
    )
    work_result_settings_update(actor=hr, values={"customer_feedback": {"trusted": False, "metric": csat}})

    page = _chinese_page(new_page, sign_in, "employee")
    page.goto("/performance/results/new/")
    date = page.locator("#id_occurred_on")
    assert ISO.match(date.input_value()), date.input_value()  # the prefilled day is kept by the browser
    page.locator("#id_customer").fill("华东电网")
    page.get_by_test_id("score-choice").get_by_role("radio", name="5").check()
    page.locator("#id_comment").fill("问题一次解决，非常满意。")
    _submit(page, "[data-testid=submit-result]")
    assert "此字段为必填项" not in page.content()
    result = WorkResult.objects.get()
    assert result.occurred_on == timezone.localdate()


def test_hr_schedules_a_session_and_a_promotion_with_dates_in_chinese(world, new_page, sign_in):
    from django.utils import timezone

    from talentloop.learning.models import TrainingSession
    from talentloop.learning.tests.factories import ContentItemFactory
    from talentloop.organisation.models import EmploymentEvent

    course = ContentItemFactory(title="代码评审", title_en="Code review")
    page = _chinese_page(new_page, sign_in, "hr")

    # A training session: date and time in one datetime-local input.
    page.goto(f"/learning/content/{course.pk}/sessions/new/")
    page.locator("#id_starts_at").fill("2030-05-06T09:30")
    page.locator("#id_ends_at").fill("2030-05-06T11:00")
    page.locator("#id_location").fill("A-301")
    _submit(page, "[data-testid=save]")
    assert TrainingSession.objects.filter(content=course).exists(), page.locator("main").inner_text()[:800]
    session = TrainingSession.objects.get(content=course)
    assert timezone.localtime(session.starts_at).replace(tzinfo=None) == dt.datetime(2030, 5, 6, 9, 30)
    assert timezone.localtime(session.ends_at).replace(tzinfo=None) == dt.datetime(2030, 5, 6, 11, 0)

    # A future-dated promotion.
    emp = world.emp(world.employee)
    page.goto(f"/people/{emp.pk}/events/new/?kind=promotion")
    page.locator("#id_effective_date").fill("2030-07-01")
    page.locator("#id_level").fill(str(emp.level + 1))
    _submit(page, "[data-testid=save]")
    assert "此字段为必填项" not in page.content()
    assert EmploymentEvent.objects.get(employee=emp, kind="promotion").effective_date == dt.date(2030, 7, 1)
