"""Browser-test fixtures: Chromium through Playwright's sync API against pytest-django's live server.

Chromium is Debian's ``/usr/bin/chromium``. When it (or Playwright) is missing the tests skip on a
developer machine, but fail when ``TALENTLOOP_REQUIRE_BROWSER=1`` (``make test`` and CI), so a
broken browser setup can never turn the browser suite into a silent green run.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from pathlib import Path

import pytest

CHROMIUM = os.environ.get("TALENTLOOP_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
ARTIFACTS = Path(__file__).resolve().parent / "artifacts"
PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True,
         "device_scale_factor": 2}
DESKTOP = {"viewport": {"width": 1280, "height": 800}}
TIMEOUT_MS = 10_000


def _no_browser(reason: str):
    message = (f"Browser tests need Chromium at {CHROMIUM} driven by Playwright for Python: {reason}. "
               "Install it with `apt-get install chromium` (or `make browsers`).")
    if os.environ.get("TALENTLOOP_REQUIRE_BROWSER") == "1":
        pytest.fail(f"TALENTLOOP_REQUIRE_BROWSER=1 but {message}", pytrace=False)
    pytest.skip(message)


@pytest.fixture(scope="session")
def browser() -> Iterator:
    if not (os.path.isfile(CHROMIUM) and os.access(CHROMIUM, os.X_OK)):
        _no_browser("the executable is missing")
    try:
        from playwright.sync_api import Error as PlaywrightError
        from playwright.sync_api import sync_playwright
    except ImportError as exc:
        _no_browser(f"playwright is not importable ({exc})")
    # Playwright's sync API keeps an asyncio event loop running in this thread; Django refuses ORM
    # calls from a thread with a running loop unless told that it is safe (it is: the loop only drives
    # the browser). Set only while the browser runs, so unit tests collected in the same session keep
    # Django's guard.
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    manager = sync_playwright().start()
    try:
        try:
            chromium = manager.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        except PlaywrightError as exc:
            _no_browser(f"it did not start ({str(exc).splitlines()[0]})")
        yield chromium
        chromium.close()
    finally:
        manager.stop()
        if previous is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


@pytest.fixture
def world(transactional_db):
    """The personas, committed for real so that the live server thread sees them."""
    from talentloop.testing.personas import build_world

    return build_world()


def _context(browser, live_server, **options):
    context = browser.new_context(base_url=live_server.url, **options)
    context.set_default_timeout(TIMEOUT_MS)
    context.set_default_navigation_timeout(TIMEOUT_MS)
    return context


@pytest.fixture
def new_page(browser, live_server):
    """``new_page('phone' | 'desktop', locale='en-US')`` opens a page in a fresh browser context."""
    contexts = []

    def make(device: str = "phone", locale: str = "en-US"):
        options = {"phone": PHONE, "desktop": DESKTOP}[device]
        context = _context(browser, live_server, locale=locale, **options)
        contexts.append(context)
        return context.new_page()

    yield make
    for context in contexts:
        context.close()


@pytest.fixture
def shot(request):
    """``shot(page, 'step')`` saves tests/e2e/artifacts/<test>-<step>.png showing the whole page.

    A plain full-page screenshot draws fixed elements (the tab bar) where they sit in the first
    screen, across the content. So the viewport is stretched to the page height for the shot: the
    picture is what a very tall phone would show, with the tab bar at the bottom.
    """
    ARTIFACTS.mkdir(exist_ok=True)
    test = re.sub(r"[^A-Za-z0-9_.-]+", "-", request.node.name).strip("-")

    def take(page, step: str) -> Path:
        path = ARTIFACTS / f"{test}-{step}.png"
        size = page.viewport_size
        height = page.evaluate("document.documentElement.scrollHeight")
        if size and height > size["height"]:
            page.set_viewport_size({"width": size["width"], "height": height})
            try:
                page.screenshot(path=str(path))
            finally:
                page.set_viewport_size(size)
        else:
            page.screenshot(path=str(path))
        return path

    return take


@pytest.fixture
def sign_in():
    from talentloop.testing.personas import PASSWORD

    def do(page, username: str, password: str = PASSWORD):
        if "/accounts/login/" not in page.url:
            page.goto("/accounts/login/")
        page.fill("#id_username", username)
        page.fill("#id_password", password)
        with page.expect_navigation():
            page.click("[data-testid=sign-in]")

    return do
