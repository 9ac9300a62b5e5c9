"""An employee on a phone receives a notification (their manager's feedback), sees the unread count,
reads it in the inbox, and chooses e-mail for feedback in the notification settings."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.e2e

UNREAD = "talentloop.notifications.context_processors.unread"


@pytest.fixture
def bell(settings):
    """The unread count in the top bar (the context processor is wired in the base settings by the lead)."""
    templates = [dict(t, OPTIONS=dict(t["OPTIONS"])) for t in settings.TEMPLATES]
    processors = templates[0]["OPTIONS"]["context_processors"]
    if UNREAD not in processors:
        templates[0]["OPTIONS"]["context_processors"] = [*processors, UNREAD]
        settings.TEMPLATES = templates


def test_employee_reads_a_notification_and_changes_a_preference(world, bell, new_page, sign_in, shot):
    from talentloop.core.access import actor_for
    from talentloop.notifications.models import Notification, NotificationPreference
    from talentloop.performance.services.feedback import feedback_give

    employee = world.emp(world.employee)
    # The manager praises the employee through the real service; the notification follows the commit.
    feedback_give(actor=actor_for(world.manager), recipient=employee, kind="praise",
                  text="The release went smoothly — thank you for the late checks.")
    assert Notification.objects.filter(recipient=employee, kind="feedback_received").count() == 1

    page = new_page("phone")
    sign_in(page, "employee")
    count = page.get_by_test_id("unread-count")
    expect(count).to_have_text("1")
    page.get_by_test_id("notifications-bell").click()
    expect(page).to_have_url(re.compile(r"/notifications/$"))
    expect(page.get_by_role("heading", name="Notifications", exact=True)).to_be_visible()
    items = page.get_by_test_id("notification")
    expect(items).to_have_count(1)
    expect(items.first).to_contain_text("Manager gave you praise.")
    expect(page.get_by_test_id("unread-total")).to_have_text("1 unread")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    shot(page, "01-inbox")

    # Reading it opens the feedback page and the count drops.
    items.first.get_by_role("button").click()
    expect(page).to_have_url(re.compile(r"/performance/feedback/$"))
    expect(page.get_by_test_id("feedback-received")).to_contain_text("late checks")
    expect(page.get_by_test_id("unread-count")).to_have_count(0)
    assert Notification.objects.get(recipient=employee).read_at is not None
    page.goto("/notifications/")
    expect(page.get_by_test_id("unread-total")).to_have_text("0 unread")
    expect(page.locator(".notif.unread")).to_have_count(0)
    shot(page, "02-read")

    # Settings: feedback by e-mail too, and quiet hours; a bad time pair is refused first.
    page.get_by_test_id("notification-settings").click()
    expect(page.get_by_role("heading", name="Notification settings")).to_be_visible()
    box = page.locator("input[name=feedback_received__email]")
    expect(box).not_to_be_checked()
    expect(page.locator("input[name=alert_opened__email]")).to_be_checked()  # urgent: e-mail by default
    box.check()
    page.get_by_label("Quiet hours on").check()
    page.get_by_label("Quiet from").fill("22:00")
    page.get_by_label("Quiet until").fill("22:00")
    page.get_by_test_id("save-preferences").click()
    expect(page.get_by_text("Quiet hours end at another time than they start.")).to_be_visible()
    assert not NotificationPreference.objects.filter(employee=employee).exists()
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    shot(page, "03-settings-error")
    page.get_by_label("Quiet until").fill("07:00")
    page.locator("input[name=feedback_received__email]").check()
    page.get_by_test_id("save-preferences").click()
    expect(page.get_by_text("Your notification settings are saved.")).to_be_visible()
    expect(page.locator("input[name=feedback_received__email]")).to_be_checked()
    assert NotificationPreference.objects.get(employee=employee, kind="feedback_received").channels == ["email"]
    shot(page, "04-settings-saved")
