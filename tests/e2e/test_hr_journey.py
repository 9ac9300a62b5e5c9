"""HR on a phone adds an employee: bad values first (errors next to the fields), then good ones."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.e2e


def _field(page, name: str):
    """The wrapper of one form field: label, input, help text and its error list."""
    return page.locator(".field", has=page.locator(f"#id_{name}"))


def _save(page):
    with page.expect_navigation() as navigation:
        page.get_by_test_id("save").click()
    return navigation.value


def test_hr_adds_an_employee_through_the_form_after_fixing_errors(world, new_page, sign_in, shot):
    from talentloop.organisation.models import Employee

    page = new_page("phone")
    sign_in(page, "hr")
    page.locator("nav.tabbar").get_by_role("link", name="People", exact=True).click()
    expect(page).to_have_url(re.compile(r"/people/$"))
    shot(page, "01-people")
    page.get_by_test_id("add-employee").click()
    expect(page).to_have_url(re.compile(r"/people/new/$"))
    shot(page, "02-empty-form")

    # 1. Values the form itself rejects: a malformed e-mail and a level above the maximum of 20.
    page.fill("#id_employee_number", "T-0999")
    page.fill("#id_name", "王小明")
    page.fill("#id_name_en", "Xiaoming Wang")
    page.fill("#id_email", "not-an-email")
    page.fill("#id_hire_date", "2024-03-01")
    page.select_option("#id_org_unit", str(world.platform.pk))
    page.select_option("#id_job_family", str(world.engineering.pk))
    page.fill("#id_level", "99")
    page.fill("#id_manager", "T-lead")
    page.fill("#id_national_id", "110101199202023456")
    response = _save(page)
    assert response is not None and response.status == 200
    expect(page).to_have_url(re.compile(r"/people/new/$"))
    expect(page.locator(".alert.error")).to_be_visible()
    expect(_field(page, "email").locator(".errorlist")).to_contain_text("valid email")
    expect(_field(page, "level").locator(".errorlist")).to_contain_text("20")
    expect(_field(page, "employee_number").locator(".errorlist")).to_have_count(0)
    # What was typed is kept, except nothing is saved.
    expect(page.locator("#id_name")).to_have_value("王小明")
    expect(page.locator("#id_email")).to_have_value("not-an-email")
    assert not Employee.objects.filter(name="王小明").exists()
    shot(page, "03-form-errors")

    # 2. A value only the service can reject: an employee number that already belongs to someone.
    page.fill("#id_email", "xiaoming.wang@example.com")
    page.fill("#id_level", "4")
    page.fill("#id_employee_number", "T-employee")
    _save(page)
    expect(page).to_have_url(re.compile(r"/people/new/$"))
    number_errors = _field(page, "employee_number").locator(".errorlist")
    expect(number_errors).to_be_visible()
    expect(number_errors).to_contain_text("already exists")
    expect(_field(page, "email").locator(".errorlist")).to_have_count(0)
    assert not Employee.objects.filter(name="王小明").exists()
    shot(page, "04-duplicate-number")

    # 3. Corrected: saved, and we land on the new person's profile.
    page.fill("#id_employee_number", "T-0999")
    _save(page)
    expect(page).to_have_url(re.compile(r"/people/\d+/$"))
    expect(page.get_by_test_id("profile-name")).to_have_text("Xiaoming Wang")
    expect(page.locator(".messages")).to_contain_text("Xiaoming Wang")
    expect(page.locator("#sensitive-national_id")).to_contain_text("••••3456")
    created = Employee.objects.get(employee_number="T-0999")
    assert (created.name, created.level, created.org_unit_id) == ("王小明", 4, world.platform.pk)
    assert created.manager == world.emp(world.lead)
    assert page.url.endswith(f"/people/{created.pk}/")
    shot(page, "05-new-profile")

    # The employee list search finds them, by name and by number.
    page.locator("nav.tabbar").get_by_role("link", name="People", exact=True).click()
    search = page.locator("#id_search")
    search.fill("Xiaoming")
    search.press("Enter")
    expect(page).to_have_url(re.compile(r"[?&]search=Xiaoming"))
    results = page.locator("#results")
    expect(page.get_by_test_id("result-count")).to_have_text("1 person")
    expect(results.get_by_role("link", name=re.compile("Xiaoming Wang"))).to_be_visible()
    expect(results).not_to_contain_text("T-employee")
    shot(page, "06-search")
    search.fill("T-0999")
    search.press("Enter")
    expect(page).to_have_url(re.compile(r"[?&]search=T-0999"))
    expect(page.get_by_test_id("result-count")).to_have_text("1 person")
    expect(results).to_contain_text("Xiaoming Wang")
