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


class _OneRequestHandler:
    """Built lazily (Django's server classes need settings): a request handler that closes the
    connection after each answer, so that once the server is stopped no kept-alive connection can
    still be served by a leftover handler thread."""

    @staticmethod
    def build():
        from django.core.servers.basehttp import WSGIRequestHandler

        class Handler(WSGIRequestHandler):
            def handle(self):
                self.close_connection = True
                self.handle_one_request()

            def log_message(self, *args):
                pass

        return Handler


@pytest.fixture
def stoppable_server(transactional_db):
    """A second live server of the test database that the test can stop (pytest-django's live server
    lives for the whole session). Yields (url, stop)."""
    from django.db import connections
    from django.test.testcases import LiveServerThread, _StaticFilesHandler

    handler = _OneRequestHandler.build()

    class Thread(LiveServerThread):
        def _create_server(self, connections_override=None):
            return self.server_class((self.host, self.port), handler, allow_reuse_address=False,
                                     connections_override=connections_override)

    shared = {}
    for conn in connections.all():
        if conn.vendor == "sqlite" and conn.is_in_memory_db():
            shared[conn.alias] = conn
            conn.inc_thread_sharing()
    thread = Thread("127.0.0.1", _StaticFilesHandler, connections_override=shared, port=0)
    thread.daemon = True
    thread.start()
    thread.is_ready.wait()
    if thread.error:
        raise thread.error
    state = {"running": True}

    def stop():
        if state["running"]:
            thread.terminate()
            state["running"] = False

    yield f"http://127.0.0.1:{thread.port}", stop
    stop()
    for conn in shared.values():
        conn.dec_thread_sharing()


def test_offline_copy_and_page_when_the_server_is_stopped(world, browser, stoppable_server, sign_in, shot):
    """Not the browser's offline switch: the network is up but the server is gone, so every request
    fails at the connection and the service worker answers from its caches."""
    url, stop = stoppable_server
    context = browser.new_context(base_url=url, locale="en-US", viewport={"width": 390, "height": 844},
                                  is_mobile=True, has_touch=True)
    context.set_default_timeout(10_000)
    try:
        page = context.new_page()
        sign_in(page, "employee")
        _wait_for_worker(page)
        page.goto("/")  # under the worker's control now: it keeps this copy of the home page
        page.wait_for_function("caches.open('tl-pages-v1').then((c) => c.match('/')).then((hit) => !!hit)")
        expect(page.locator(".offline-banner")).to_be_hidden()

        stop()
        with pytest.raises(Exception):  # noqa: B017 - any connection error proves the server is gone
            page.request.get("/healthz", timeout=3_000)

        # The last home page, marked as an offline copy, read-only, with the banner (the network is up).
        page.goto("/")
        expect(page.get_by_test_id("home-greeting")).to_be_visible(timeout=3_000)
        assert page.evaluate("navigator.onLine")
        assert page.locator("html").get_attribute("data-offline-copy") == "1"
        expect(page.locator(".offline-banner")).to_be_visible()
        sign_out = page.get_by_test_id("sign-out")
        assert sign_out.evaluate("(el) => getComputedStyle(el).pointerEvents") == "none"
        shot(page, "01-server-stopped-home")

        # A page the worker never kept: the offline page from the shell cache.
        page.goto("/org/")
        expect(page.get_by_test_id("offline-page")).to_be_visible(timeout=3_000)
        expect(page.get_by_role("heading", name="You are offline")).to_be_visible()
        shot(page, "02-server-stopped-other-page")
    finally:
        context.close()


def test_signing_out_clears_the_offline_copy(world, new_page, sign_in):
    """Nothing personal stays on a shared phone: signing out empties every cache of the app."""
    page = new_page("phone")
    sign_in(page, "employee")
    _wait_for_worker(page)
    page.goto("/")
    page.wait_for_function("caches.open('tl-pages-v1').then((c) => c.match('/')).then((hit) => !!hit)")
    with page.expect_navigation():
        page.get_by_test_id("sign-out").click()
    page.wait_for_function("caches.open('tl-pages-v1').then((c) => c.match('/')).then((hit) => !hit)")
    assert page.evaluate("caches.open('tl-pages-v1').then((c) => c.keys()).then((keys) => keys.length)") == 0


def test_top_bar_bell_shows_the_unread_count_on_a_phone(world, new_page, sign_in, shot):
    """The bell links to the inbox with the unread count, and the top bar still fits a 390 px phone."""
    from talentloop.notifications.services import items_for, notify_each

    notify_each(kind="feedback_received",
                items=items_for([world.emp(world.employee).pk], {"giver": "Lead"}, "/performance/feedback/"))
    notify_each(kind="feedback_received", items=items_for([world.emp(world.employee).pk], {"giver": "Manager"},
                                                          "/performance/feedback/", "second"))
    page = new_page("phone")
    sign_in(page, "employee")
    bell = page.get_by_test_id("notifications-bell")
    expect(bell).to_be_visible()
    expect(page.get_by_test_id("unread-count")).to_have_text("2")
    expect(bell).to_have_accessible_name("2 unread notifications")
    box = bell.bounding_box()
    assert box["width"] >= 44 and box["height"] >= 44
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    shot(page, "01-bell")
    bell.click()
    page.wait_for_url("**/notifications/")
