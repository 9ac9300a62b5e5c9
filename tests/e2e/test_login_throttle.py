"""Repeated wrong passwords lock the account on this address, and the sign-in page says so."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.e2e


def test_repeated_wrong_passwords_show_the_throttle_message(world, settings, new_page, sign_in, shot):
    # The third failure on this (account, address) pair locks it for 15 minutes.
    settings.LOGIN_THROTTLE = {**settings.LOGIN_THROTTLE, "LOCK_AFTER": 3, "LOCK_MINUTES": 15}
    page = new_page("phone")
    page.goto("/accounts/login/")
    alert = page.locator(".alert.error")
    for attempt in range(1, 3):
        sign_in(page, "employee", password=f"wrong-{attempt}")
        expect(alert).to_have_text("Wrong username or password.")
        expect(page.locator("#id_username")).to_have_value("employee")
    shot(page, "01-wrong-password")
    sign_in(page, "employee", password="wrong-3")
    expect(alert).to_contain_text("Too many failed sign-in attempts")

    # Now even the right password is refused, with a clear message and a 429.
    def is_login_post(response):
        return response.url.endswith("/accounts/login/") and response.request.method == "POST"

    with page.expect_response(is_login_post) as info:
        sign_in(page, "employee")
    assert info.value.status == 429
    assert info.value.headers.get("retry-after") and int(info.value.headers["retry-after"]) > 800
    expect(alert).to_contain_text("Too many failed sign-in attempts")
    expect(alert).to_contain_text("15 minutes")
    expect(page.get_by_test_id("sign-out")).to_have_count(0)
    shot(page, "02-locked")

    # Another account on the same machine is not locked out by it.
    sign_in(page, "mentor")
    expect(page.get_by_test_id("home-greeting")).to_be_visible()
