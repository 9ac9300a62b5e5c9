"""Overtime on a phone (390×844): the employee asks for tomorrow evening's overtime, sees how it counts
while filling the form (class, multiplier, hours), sends it; their manager opens the notification and
approves it from there."""

from __future__ import annotations

import datetime as dt

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.e2e

PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True, "device_scale_factor": 2}


def test_ask_for_overtime_with_the_preview_and_approve_it_from_the_notification(world, browser, live_server,
                                                                                sign_in, shot):
    from django.utils import timezone

    from talentloop.attendance.models import OvertimeRequest

    tomorrow = (timezone.localdate() + dt.timedelta(days=1)).isoformat()
    context = browser.new_context(base_url=live_server.url, locale="en-US", **PHONE)
    context.set_default_timeout(30_000)  # a loaded 2-core machine answers slowly
    try:
        page = context.new_page()
        sign_in(page, "employee")
        page.goto("/time/overtime/")
        form = page.get_by_test_id("overtime-form")
        form.get_by_label("Date").fill(tomorrow)
        form.get_by_label("From").fill("19:00")
        form.get_by_label("Until").fill("21:30")
        form.get_by_label("Reason").fill("Release night")
        form.get_by_label("Reason").press("Tab")
        preview = page.get_by_test_id("preview-result")
        expect(preview).to_contain_text("×")
        expect(preview).to_contain_text("2 h 30 min")
        shot(page, "01-preview")
        with page.expect_navigation():
            form.get_by_test_id("save").click()
        expect(page.get_by_test_id("status")).to_contain_text("Pending")
        shot(page, "02-sent")
        ot = OvertimeRequest.objects.get()
        assert (ot.minutes, ot.status) == (150, "pending")

        context.clear_cookies()
        sign_in(page, "lead")
        page.goto("/notifications/")
        with page.expect_navigation():
            page.get_by_test_id("notification").first.locator("button.notif-open").click()
        expect(page).to_have_url(f"{live_server.url}/time/overtime/{ot.pk}/")
        shot(page, "03-from-the-notification")
        with page.expect_navigation():
            page.get_by_test_id("approve").click()
        expect(page.get_by_test_id("status")).to_contain_text("Approved")
        shot(page, "04-approved")
        ot.refresh_from_db()
        assert ot.status == "approved"
    finally:
        context.close()
