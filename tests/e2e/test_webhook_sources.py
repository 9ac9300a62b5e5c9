"""HR sets up a webhook source on the phone: the secret is shown once, and deactivating asks first
(dismissing the question keeps the source; agreeing deactivates it)."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.e2e


def test_hr_creates_a_source_and_deactivating_asks_first(world, new_page, sign_in, shot):
    from talentloop.performance.models import WebhookSource

    page = new_page("phone")
    sign_in(page, "hr")
    page.goto("/performance/webhook-sources/")
    page.fill("#id_key", "helpdesk")
    page.fill("#id_name", "服务台")
    with page.expect_navigation():
        page.get_by_test_id("create").click()
    secret = WebhookSource.objects.get(key="helpdesk").secret
    expect(page.get_by_test_id("webhook-secret-value")).to_have_text(secret)
    shot(page, "01-secret-shown-once")
    page.goto("/performance/webhook-sources/")
    expect(page.get_by_test_id("webhook-secret")).to_have_count(0)

    questions = []
    page.once("dialog", lambda dialog: (questions.append(dialog.message), dialog.dismiss()))
    page.get_by_test_id("deactivate").click()
    page.wait_for_timeout(300)
    assert questions and "Deactivate" in questions[0]
    assert WebhookSource.objects.get(key="helpdesk").is_active

    page.once("dialog", lambda dialog: dialog.accept())
    with page.expect_navigation():
        page.get_by_test_id("deactivate").click()
    assert not WebhookSource.objects.get(key="helpdesk").is_active
    shot(page, "02-deactivated")
