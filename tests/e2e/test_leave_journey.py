"""Requesting leave on a phone (390×844): the employee sees their balance, asks for a day with the
live preview of the days counted and the balance before and after; their manager approves with one
tap on the notification's own Approve button in the inbox; the employee's balance has gone down by
the day."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.e2e


@pytest.fixture
def scene(world):
    from django.utils import timezone

    from talentloop.attendance.calendar import Calendar
    from talentloop.leave.models import EntryKind, LeaveType
    from talentloop.leave.services.ledger import ledger_post

    kind = LeaveType.objects.create(code="e2e-annual", name="年休假（测试）", name_en="Annual leave (test)",
                                    category="annual", unit="half_day", tracks_balance=True)
    employee = world.emp(world.employee)
    today = timezone.localdate()
    ledger_post(by=None, employee_id=employee.pk, leave_type_id=kind.pk, kind=EntryKind.ACCRUAL,
                effective_date=today.replace(month=1, day=1), days=Decimal("5"), reason="e2e grant",
                key=f"e2e:{employee.pk}")
    # The first workday of the official calendar a week or more ahead: one day of leave.
    day = today + dt.timedelta(days=7)
    calendar = Calendar(day, day + dt.timedelta(days=30))
    while not calendar.is_workday(day):
        day += dt.timedelta(days=1)
    return {"kind": kind, "day": day}


def test_request_leave_and_see_the_balance_change_after_approval_from_the_notification(
        world, scene, new_page, sign_in, shot):
    kind, day = scene["kind"], scene["day"]
    page = new_page("phone")
    page.goto("/accounts/login/", timeout=60_000)  # the first page a fresh server serves may be slow
    sign_in(page, "employee")
    page.goto("/leave/")
    balance = page.locator(f"[data-testid=balance][data-type={kind.code}] [data-testid=balance-days]")
    expect(balance).to_have_text("5")
    shot(page, "01-my-leave")

    page.get_by_test_id("request-leave").click()
    page.select_option("#id_leave_type", str(kind.pk))
    page.fill("#id_start", day.isoformat())
    page.fill("#id_end", day.isoformat())
    page.locator("#id_end").dispatch_event("change")
    expect(page.get_by_test_id("preview-days")).to_have_text("1")
    expect(page.get_by_test_id("preview-before")).to_have_text("5")
    expect(page.get_by_test_id("preview-after")).to_have_text("4")
    page.fill("#id_reason", "家里有事")
    shot(page, "02-preview")
    with page.expect_navigation():
        page.get_by_test_id("submit").click()
    expect(page.get_by_test_id("status")).to_have_text("Pending")
    shot(page, "03-requested")
    page.goto("/leave/")
    pending_card = page.locator(f"[data-testid=balance][data-type={kind.code}]")
    expect(pending_card.get_by_test_id("pending")).to_contain_text("1")
    expect(pending_card.get_by_test_id("booked")).to_have_count(0)

    lead = new_page("phone")
    sign_in(lead, "lead")
    lead.goto("/notifications/")
    item = lead.get_by_test_id("notification").filter(has_text="approve or reject")
    expect(item).to_have_count(1)
    approve = item.locator("[data-testid=notification-action][data-action=approve]")
    expect(approve).to_be_visible()
    box = approve.bounding_box()
    assert box is not None and box["height"] >= 44 and box["width"] >= 44  # a full tap target on the phone
    shot(lead, "04-inbox")
    # One tap on the notification's own Approve: decided, the inbox answers in place with the message
    with lead.expect_response(lambda r: "/notifications/" in r.url and r.request.method == "GET"):
        approve.click()
    expect(lead.locator("#inbox-list .messages")).to_contain_text("Approved.")
    expect(item.get_by_test_id("notification-actions")).to_have_count(0)
    shot(lead, "05-approved-from-inbox")

    page.goto("/leave/")
    # 5 - 1 = 4 left, the day booked (taken from the ledger on the day itself), nothing pending
    card = page.locator(f"[data-testid=balance][data-type={kind.code}]")
    expect(balance).to_have_text("4")
    expect(card.get_by_test_id("booked")).to_contain_text("1")
    expect(card.get_by_test_id("pending")).to_have_count(0)
    expect(page.get_by_test_id("request").first).to_have_attribute("data-status", "approved")
    shot(page, "06-balance-after")

    # The team calendar on the phone: a list per day, the employee away on the day
    lead.goto(f"/leave/calendar/?month={day:%Y-%m}")
    expect(lead.get_by_test_id("calendar-grid")).to_be_hidden()
    expect(lead.get_by_test_id("away").filter(has_text="Employee")).to_have_count(1)
    shot(lead, "07-team-calendar")
