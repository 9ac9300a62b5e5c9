"""The installable PWA: a manifest with icons, a service worker, and an offline page."""

from __future__ import annotations

import json

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.e2e


def _wait_for_worker(page) -> str:
    """Wait until the service worker is active and has cached the shell; return its scope."""
    scope = page.evaluate("navigator.serviceWorker.ready.then((registration) => registration.scope)")
    page.wait_for_function("caches.keys().then((keys) => keys.includes('tl-shell-v1'))")
    return scope


def test_manifest_service_worker_and_offline_page(world, live_server, new_page, sign_in, shot):
    page = new_page("phone")

    response = page.request.get("/manifest.webmanifest")
    assert response.ok
    assert response.headers["content-type"].startswith("application/manifest+json")
    manifest = json.loads(response.text())
    assert manifest["start_url"] == "/" and manifest["display"] == "standalone"
    assert manifest["name"] and manifest["short_name"] and manifest["theme_color"]
    sizes = {icon["sizes"] for icon in manifest["icons"]}
    assert {"192x192", "512x512"} <= sizes
    assert any("maskable" in icon.get("purpose", "") for icon in manifest["icons"])
    for icon in manifest["icons"]:
        fetched = page.request.get(icon["src"])
        assert fetched.ok and fetched.headers["content-type"] == "image/png", icon

    sign_in(page, "employee")
    expect(page.get_by_test_id("home-greeting")).to_be_visible()
    assert page.locator("link[rel=manifest]").get_attribute("href") == "/manifest.webmanifest"
    assert _wait_for_worker(page) == f"{live_server.url}/"
    assert page.evaluate("caches.match('/offline/').then((hit) => !!hit)")
    shot(page, "01-online")

    # Offline, a page that was never cached comes back as the offline page from the worker's cache.
    page.context.set_offline(True)
    page.goto("/org/")
    expect(page.get_by_role("heading", name="You are offline")).to_be_visible()
    expect(page.get_by_test_id("offline-page")).to_be_visible()
    shot(page, "02-offline")

    # Back online, the same address works again.
    page.context.set_offline(False)
    page.goto("/org/")
    expect(page.get_by_role("heading", name="Org chart", exact=True)).to_be_visible()
    expect(page.locator(".offline-banner")).to_be_hidden()


def test_offline_home_shows_the_last_copy(world, new_page, sign_in, shot):
    page = new_page("phone")
    sign_in(page, "employee")
    _wait_for_worker(page)
    page.goto("/")  # now under the worker's control, which keeps this copy
    assert page.evaluate("navigator.serviceWorker.controller !== null")
    page.wait_for_function("caches.open('tl-pages-v1').then((c) => c.match('/')).then((hit) => !!hit)")

    page.context.set_offline(True)
    page.goto("/")
    shot(page, "01-offline-home")
    expect(page.get_by_test_id("home-greeting")).to_be_visible(timeout=2_000)
    expect(page.locator(".offline-banner")).to_be_visible()
