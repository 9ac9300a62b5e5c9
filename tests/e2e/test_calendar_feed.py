"""An employee turns on their calendar feed on the phone, in Chinese (390×844): the address is shown
once, a calendar app can read it without signing in, and revoking it (after a confirmation) makes it
stop answering."""

from __future__ import annotations

import httpx
import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.e2e


def test_an_employee_turns_the_feed_on_and_revokes_it(world, new_page, sign_in, shot, live_server):
    page = new_page("phone", locale="zh-CN")
    sign_in(page, "employee")
    page.goto("/integrations/calendar/")
    expect(page.locator("h1")).to_have_text("日历订阅")
    with page.expect_navigation():
        page.get_by_test_id("create-feed").click()
    address = page.get_by_test_id("calendar-feed-url-value").inner_text().strip()
    assert address.endswith(".ics")
    shot(page, "01-address-shown-once")
    path = address[address.index("/integrations/"):]
    feed = httpx.get(live_server.url + path)  # no session: the address is the credential
    assert feed.status_code == 200 and feed.headers["content-type"].startswith("text/calendar")
    assert feed.text.startswith("BEGIN:VCALENDAR")

    page.once("dialog", lambda dialog: dialog.accept())
    with page.expect_navigation():
        page.get_by_test_id("revoke").click()
    expect(page.get_by_test_id("create-feed")).to_be_visible()
    shot(page, "02-revoked")
    assert httpx.get(live_server.url + path).status_code == 404
