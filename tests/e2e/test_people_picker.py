"""The people picker in a browser: typing pinyin initials offers the person, choosing one fills the
hidden id, and the form is saved for that person. The More page's search box filters its links."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.e2e


def test_feedback_to_a_colleague_found_by_pinyin_initials(world, new_page, sign_in, shot):
    from talentloop.performance.models import Feedback
    from talentloop.testing.factories import EmployeeFactory

    wang = EmployeeFactory(
        name="王小明",
        name_en="Wang Xiaoming",
        employee_number="TL0007",
        org_unit=world.sales,
        job_family=world.sales_family,
    )
    page = new_page("phone")
    sign_in(page, "employee")
    page.goto("/performance/feedback/give/")
    box = page.locator("#id_recipient")
    box.press_sequentially("wxm", delay=60)
    option = page.locator(f"[data-person-pick='{wang.pk}']")
    expect(option).to_be_visible()
    shot(page, "picker-suggestions")
    option.click()
    expect(page.locator("input[name=recipient_id]")).to_have_value(str(wang.pk))
    expect(box).to_have_value("Wang Xiaoming (TL0007)")
    page.fill("#id_text", "谢谢你的帮助")
    with page.expect_navigation():
        page.click("[data-testid=send-feedback]")
    assert Feedback.objects.get().recipient_id == wang.pk


def test_more_page_search_filters_links(world, new_page, sign_in):
    page = new_page("desktop")
    sign_in(page, "hr")
    page.goto("/more/")
    page.locator("[data-nav-filter]").fill("audit")
    expect(page.locator("main [data-nav-item]:visible")).to_have_count(1)
    expect(page.locator("main [data-nav-item]:visible a")).to_have_attribute("href", "/audit/")
    page.locator("[data-nav-filter]").fill("zzzz-nothing")
    expect(page.locator("[data-nav-empty]")).to_be_visible()
