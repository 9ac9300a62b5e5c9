"""An idle session ends: the next page is the sign-in page, saying why, and the offline copy of
the home page is gone from the phone."""

from __future__ import annotations

import time

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.e2e


def test_an_idle_session_signs_out_and_clears_the_offline_copy(world, settings, new_page, sign_in):
    page = new_page("phone")
    sign_in(page, "employee")
    page.evaluate("navigator.serviceWorker.ready.then((registration) => registration.scope)")
    page.wait_for_function("caches.keys().then((keys) => keys.includes('tl-shell-v1'))")
    page.goto("/")
    page.wait_for_function("caches.open('tl-pages-v1').then((c) => c.match('/')).then((hit) => !!hit)")

    settings.SESSION_IDLE_MINUTES = 0
    settings.SESSION_IDLE_MINUTES_PRIVILEGED = 0
    time.sleep(1.1)
    page.goto("/me/")
    expect(page).to_have_url("/accounts/login/?next=%2Fme%2F")
    expect(page.locator("body")).to_contain_text("You were signed out after 0 minutes without activity.")
    page.wait_for_function("caches.open('tl-pages-v1').then((c) => c.match('/')).then((hit) => !hit)")
    expect(page.get_by_test_id("sign-out")).to_have_count(0)
