"""Browser tests of the delivery-channel pages on a phone (390×844): the administrator's Channels page and
credentials form, HR's group bots (only team-level kinds can be ticked; the webhook never shows again) and
chat identities, each scanned with axe-core like every page; and the "Push on this device" toggle."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

pytestmark = pytest.mark.e2e

_spec = importlib.util.spec_from_file_location("a11y_for_channels", Path(__file__).with_name("test_accessibility.py"))
A11Y = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(A11Y)  # type: ignore[union-attr]

HOOK = "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=e2e-secret-key"


def scan(page, axe_source: str) -> list[str]:
    """axe-core on the page's own content (``main``): the shell (top bar, language picker, flash messages) is
    every page's and is scanned by tests/e2e/test_accessibility.py."""
    page.evaluate("document.querySelectorAll('.messages').forEach((e) => e.remove())")
    A11Y._configure_axe(page, axe_source)
    result = page.evaluate("""() => axe.run('main', {resultTypes: ['violations'],
                                                     rules: {'target-size': {enabled: true}}})""")
    found = [f"[{v['impact']}] {v['id']}: {n['target']} {n['html'][:160]}" for v in result["violations"]
             if v.get("impact") in A11Y.FAILING_IMPACTS for n in v["nodes"]
             if n.get("impact") in A11Y.FAILING_IMPACTS and ".messages" not in str(n["target"])]
    sizes = page.evaluate(A11Y.SIZE_CHECK.replace("document.querySelectorAll(fields)",
                                                  "document.querySelector('main').querySelectorAll(fields)"),
                          A11Y.MIN_FONT)
    return found + [f"[size] {p}" for p in sizes if not p.startswith("body font-size")]


@pytest.fixture(scope="module")
def axe_source() -> str:
    from axe_playwright_python.sync_playwright import Axe

    return Axe().axe_script


def test_admin_sets_up_a_chat_app(world, new_page, sign_in, shot, axe_source):
    page = new_page("phone")
    page.route("**/sw.js", lambda route: route.abort())
    page.goto("/accounts/login/", timeout=60_000)  # the first page of the session may be slow on a busy machine
    sign_in(page, "admin")
    page.goto("/notifications/channels/")
    assert page.locator("[data-testid=channel-wecom]").is_visible()
    assert scan(page, axe_source) == []
    shot(page, "channels")
    page.click("[data-testid=channel-wecom] a")
    page.fill("#id_client_id", "ww-e2e")
    page.fill("#id_agent_id", "1000002")
    page.fill("#id_secret", "e2e-app-secret")
    assert scan(page, axe_source) == []
    with page.expect_navigation():
        page.click("[data-testid=save]")
    card = page.locator("[data-testid=channel-wecom]")
    assert "ww-e2e" in card.inner_text()
    assert "e2e-app-secret" not in page.content()
    page.click("[data-testid=channel-wecom] a")
    assert page.input_value("#id_secret") == ""  # write-only
    shot(page, "credentials")


def test_hr_adds_a_group_bot_with_team_level_news_only(world, new_page, sign_in, shot, axe_source):
    page = new_page("phone")
    page.route("**/sw.js", lambda route: route.abort())
    sign_in(page, "hr")
    page.goto("/notifications/group-bots/")
    assert scan(page, axe_source) == []
    page.click("[data-testid=add-group-bot]")
    boxes = page.locator("input[name=kinds]")
    values = {boxes.nth(i).get_attribute("value") for i in range(boxes.count())}
    assert "review_cycle_open" in values
    assert not values & {"score_updated", "alert_opened", "feedback_received"}
    assert scan(page, axe_source) == []
    page.select_option("#id_org_unit", str(world.platform.pk))
    page.select_option("#id_vendor", "wecom")
    page.fill("#id_name", "平台组群")
    page.fill("#id_webhook_url", HOOK)
    page.check("input[name=kinds][value=review_cycle_open]")
    shot(page, "form")
    with page.expect_navigation():
        page.click("[data-testid=save]")
    row = page.locator("[data-testid=group-bots] tbody tr").first
    assert "平台组群" in row.inner_text()
    page.click("[data-testid=group-bots] tbody tr a")
    assert "e2e-secret-key" not in page.content()
    assert page.is_checked("input[name=kinds][value=review_cycle_open]")
    assert scan(page, axe_source) == []
    shot(page, "edit")


def test_hr_sets_and_imports_chat_identities(world, new_page, sign_in, shot, axe_source):
    page = new_page("phone")
    page.route("**/sw.js", lambda route: route.abort())
    sign_in(page, "hr")
    page.goto("/notifications/im-identities/")
    page.fill("#id_employee_number", "T-employee")
    page.select_option("#id_vendor", "dingtalk")
    page.fill("#id_external_id", "employee-dd")
    with page.expect_navigation():
        page.click("[data-testid=identity-form] button[type=submit]")
    page.fill("#id_text", "T-outsider,feishu,ou_out\nT-nobody,wecom,x")
    with page.expect_navigation():
        page.click("[data-testid=identity-import] button[type=submit]")
    assert "T-nobody" in page.locator("[data-testid=import-rejected]").inner_text()
    table = page.locator("[data-testid=identities]").inner_text()
    assert "employee-dd" in table and "ou_out" in table
    assert scan(page, axe_source) == []
    shot(page, "identities")


def test_push_toggle_on_the_preferences_page(world, new_page, sign_in, shot):
    """Headless Chromium has PushManager but no push service to subscribe to: the toggle must find the
    organisation's key and offer to turn push on (permission not asked before the tap)."""
    from talentloop.notifications.channel_services import vapid_keys_generate

    page = new_page("phone")
    page.goto("/accounts/login/", timeout=60_000)  # the first page of the session may be slow on a busy machine
    sign_in(page, "employee")
    page.goto("/notifications/preferences/")
    # A test that cannot run fails: a missing toggle is a regression, not a reason to skip.
    assert page.locator("[data-push-toggle]").count() == 1, "the preferences page has no push toggle"
    status = page.locator("[data-push-status]")
    page.wait_for_function("() => !document.querySelector('[data-push-status]').textContent.includes('…')")
    assert "not set up" in status.inner_text()
    vapid_keys_generate(actor=None, subject="mailto:e2e@example.com")
    page.reload()
    page.wait_for_selector("[data-push-on]:not([hidden])")
    assert "off" in status.inner_text()
    shot(page, "toggle")


def test_sign_out_still_works_with_the_push_clean_up(world, new_page, sign_in):
    """push.js holds the sign-out back to end push on the device, then submits again so app.js clears the
    page copies: with the service worker installed, signing out must still land on the sign-in page."""
    page = new_page("phone")
    page.goto("/accounts/login/", timeout=60_000)
    sign_in(page, "employee")
    page.goto("/accounts/tokens/")
    page.evaluate("() => navigator.serviceWorker.ready.then(() => true)")
    with page.expect_navigation(url="**/accounts/login/**"):
        page.get_by_test_id("sign-out").click()
    assert page.get_by_test_id("sign-out").count() == 0
    page.goto("/accounts/tokens/")
    assert "/accounts/login/" in page.url
