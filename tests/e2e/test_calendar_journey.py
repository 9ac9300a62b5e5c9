"""The holiday calendar and the employment contract in the browser: HR changes a day of the 2026
calendar from the desktop month grids (an htmx panel), an employee reads the special days on a phone
(390×844), and HR records a contract renewal on a phone and finds it on the person's page."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.e2e


@pytest.fixture
def calendar(world):
    from talentloop.attendance.tests.official_calendar import load_official_calendar

    load_official_calendar()


def test_hr_changes_a_day_on_the_desktop(world, calendar, new_page, sign_in, shot):
    page = new_page("desktop")
    page.goto("/accounts/login/", timeout=60_000)  # the live server's first answer can be slow on a busy machine
    sign_in(page, "hr")
    page.goto("/time/calendar/2026/")
    expect(page.get_by_test_id("month-grids")).to_be_visible()
    national_day = page.locator('[data-testid=month-grids] td[data-date="2026-10-01"]')
    expect(national_day).to_have_attribute("data-kind", "statutory")
    expect(page.locator('[data-testid=month-grids] td[data-date="2026-10-10"]')).to_have_class(
        "cal-day cal-adjusted-workday")
    shot(page, "01-year")

    page.locator('[data-testid=month-grids] td[data-date="2026-03-03"] a').click()
    form = page.get_by_test_id("day-form")
    expect(form).to_be_visible()
    form.locator("#id_kind").select_option("rest")
    form.locator("#id_name").fill("公司年会")
    form.locator("#id_name_en").fill("Company day")
    shot(page, "02-day-form")
    with page.expect_navigation():
        page.get_by_test_id("save-day").click()
    expect(page.locator('[data-testid=month-grids] td[data-date="2026-03-03"]')).to_have_attribute("data-kind", "rest")
    expect(page.get_by_test_id("special-days")).to_contain_text("Company day")

    # A statutory day without a name is refused in place, and nothing changes.
    page.locator('[data-testid=month-grids] td[data-date="2026-03-04"] a').click()
    page.get_by_test_id("day-form").locator("#id_kind").select_option("statutory")
    page.get_by_test_id("save-day").click()
    expect(page.get_by_test_id("day-form").locator(".errorlist")).to_contain_text("Name the holiday")
    expect(page.locator('[data-testid=month-grids] td[data-date="2026-03-04"]')).to_have_attribute(
        "data-kind", "workday")
    shot(page, "03-refused")


def test_an_employee_reads_the_special_days_on_a_phone(world, calendar, new_page, sign_in, shot):
    page = new_page("phone", locale="zh-CN")
    page.goto("/accounts/login/", timeout=60_000)
    sign_in(page, "employee")
    page.goto("/time/calendar/")
    expect(page).to_have_url("/time/calendar/" + page.url.rstrip("/").rsplit("/", 1)[-1] + "/")
    page.goto("/time/calendar/2026/")
    expect(page.get_by_test_id("month-grids")).to_be_hidden()
    days = page.get_by_test_id("special-days")
    expect(days).to_be_visible()
    expect(days.locator('li[data-date="2026-02-17"]')).to_contain_text("春节")
    expect(days.locator('li[data-date="2026-02-14"]')).to_have_attribute("data-kind", "workday")
    expect(page.get_by_test_id("add-day")).to_have_count(0)
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, width  # nothing wider than the phone
    shot(page, "01-special-days")


def test_hr_records_a_contract_on_a_phone(world, new_page, sign_in, shot):
    employee = world.emp(world.employee)
    page = new_page("phone")
    page.goto("/accounts/login/", timeout=60_000)
    sign_in(page, "hr")
    page.goto(f"/people/{employee.pk}/")
    expect(page.get_by_test_id("no-contract")).to_be_visible()
    page.get_by_test_id("record-contract").click()
    page.fill("#id_start_date", "2025-05-06")
    page.select_option("#id_term", "open_ended")
    page.select_option("#id_working_hours", "comprehensive")
    page.fill("#id_pay_group", "研发月薪")
    shot(page, "01-form")
    page.get_by_test_id("save-contract").click()
    # Comprehensive hours without a period: refused, with the reason beside the field.
    expect(page.locator(".field.has-error")).to_contain_text("Comprehensive hours are counted over a period")
    page.select_option("#id_comprehensive_period", "month")
    with page.expect_navigation():
        page.get_by_test_id("save-contract").click()
    expect(page.get_by_test_id("contract-hours")).to_contain_text("Comprehensive hours (Month)")
    expect(page.get_by_test_id("contract-pay-group")).to_have_text("研发月薪")
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, width
    shot(page, "02-profile")
