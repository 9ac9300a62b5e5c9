"""HR subscribes an endpoint on the phone (390×844): a bad address is refused next to its field, the
secret is shown once, the subscription's page shows its delivery log, and disabling asks first."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.e2e


def test_hr_subscribes_an_endpoint(world, new_page, sign_in, shot):
    from talentloop.integrations.models import Subscription

    page = new_page("phone")
    assert page.viewport_size == {"width": 390, "height": 844}
    sign_in(page, "hr")
    page.goto("/integrations/webhooks/")
    with page.expect_navigation():
        page.get_by_test_id("new-subscription").click()
    page.fill("#id_name", "数据中台")
    page.fill("#id_url", "ftp://hooks.example.com/talentloop")
    page.get_by_label("Employee hired (employee.hired)").check()
    page.get_by_label("Employee left (employee.left)").check()
    with page.expect_navigation():
        page.get_by_test_id("save").click()
    expect(page.get_by_text("Only http:// and https:// addresses are accepted.")).to_be_visible()
    shot(page, "01-bad-address")
    assert not Subscription.objects.exists()

    page.fill("#id_url", "https://hooks.example.com/talentloop")
    with page.expect_navigation():
        page.get_by_test_id("save").click()
    subscription = Subscription.objects.get()
    assert subscription.event_types == ["employee.hired", "employee.left"]
    expect(page.get_by_test_id("subscription-secret-value")).to_have_text(subscription.secret)
    shot(page, "02-secret-shown-once")

    with page.expect_navigation():
        page.get_by_role("link", name="Done").click()
    expect(page.get_by_test_id("subscription-detail")).to_contain_text("https://hooks.example.com/talentloop")
    expect(page.get_by_test_id("subscription-secret")).to_have_count(0)
    expect(page.get_by_test_id("delivery-log")).to_contain_text("Nothing delivered yet.")

    page.once("dialog", lambda dialog: dialog.dismiss())
    page.get_by_test_id("disable").click()
    page.wait_for_timeout(300)
    assert Subscription.objects.get().is_active
    page.once("dialog", lambda dialog: dialog.accept())
    with page.expect_navigation():
        page.get_by_test_id("disable").click()
    assert not Subscription.objects.get().is_active
    expect(page.get_by_test_id("disabled")).to_be_visible()
    shot(page, "03-disabled")
