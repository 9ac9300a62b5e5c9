"""HR locks a month on a phone (390×844): opens last month's attendance, builds it from the punches,
reviews the rows and totals, confirms and locks it; the page then says it is locked and offers neither
building nor locking again."""

from __future__ import annotations

import datetime as dt

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.e2e

PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True, "device_scale_factor": 2}


def test_hr_builds_and_locks_last_month(world, browser, live_server, sign_in, shot):
    from django.utils import timezone

    from talentloop.attendance.models import MonthLock, MonthlySummary

    month = (timezone.localdate().replace(day=1) - dt.timedelta(days=1)).replace(day=1)
    context = browser.new_context(base_url=live_server.url, locale="en-US", **PHONE)
    context.set_default_timeout(30_000)  # a loaded 2-core machine answers slowly
    try:
        page = context.new_page()
        sign_in(page, "hr")
        page.goto(f"/time/summaries/?month={month:%Y-%m}")
        expect(page.get_by_test_id("no-summaries")).to_be_visible()
        shot(page, "01-not-built")
        with page.expect_navigation():
            page.get_by_test_id("build").click()
        expect(page.get_by_test_id("summary-T-employee")).to_be_visible()
        expect(page.get_by_test_id("totals")).to_contain_text("6")
        shot(page, "02-built")
        assert MonthlySummary.objects.filter(month=month).count() == 6
        page.get_by_test_id("lock-confirm").check()
        with page.expect_navigation():
            page.get_by_test_id("lock").click()
        expect(page.get_by_test_id("lock-state")).to_contain_text("Locked")
        expect(page.get_by_test_id("build")).to_have_count(0)
        expect(page.get_by_test_id("lock")).to_have_count(0)
        shot(page, "03-locked")
        assert MonthLock.objects.filter(month=month).exists()
    finally:
        context.close()
