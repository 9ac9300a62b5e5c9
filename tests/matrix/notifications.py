"""The notification inbox and settings (the delivery channels' pages are in their own module).

Statuses in the order anonymous, employee, manager, mentor, hr, admin, outsider — by hand:

- Everyone reads only their own inbox: the notification below belongs to ``employee``, so opening
  or marking it read is a 404 for everybody else, HR and the admin included.
- The admin is a technical account with no employee record: an empty inbox page, no settings
  (404 on the web, 403 from the API), nothing to mark read.
"""

from __future__ import annotations

from talentloop.testing.matrix import Row

PREFS = {"quiet_start": "", "quiet_end": ""}

#                                                                     anon  empl  mgr  mentor  hr  admin  outs
WEB = [
    Row("notifications/", "GET", "/notifications/",                  (302, 200, 200, 200, 200, 200, 200)),
    Row("notifications/<int:pk>/open/", "POST", "/notifications/{notification}/open/",
        (302, 302, 404, 404, 404, 404, 404), body={}),
    Row("notifications/read-all/", "POST", "/notifications/read-all/", (302, 302, 302, 302, 302, 404, 302), body={}),
    Row("notifications/preferences/", "GET", "/notifications/preferences/",
        (302, 200, 200, 200, 200, 404, 200)),
    Row("notifications/preferences/", "POST", "/notifications/preferences/",
        (302, 302, 302, 302, 302, 404, 302), body=PREFS),
]

#                                                                     anon  empl  mgr  mentor  hr  admin  outs
API = [
    Row("/api/v1/notifications", "GET", "/api/v1/notifications",      (401, 200, 200, 200, 200, 200, 200)),
    Row("/api/v1/notifications/{notification_id}/read", "POST", "/api/v1/notifications/{notification}/read",
        (401, 200, 404, 404, 404, 404, 404), body={}),
    Row("/api/v1/notifications/read-all", "POST", "/api/v1/notifications/read-all",
        (401, 200, 200, 200, 200, 403, 200), body={}),
    Row("/api/v1/notifications/preferences", "GET", "/api/v1/notifications/preferences",
        (401, 200, 200, 200, 200, 403, 200)),
    Row("/api/v1/notifications/preferences", "PUT", "/api/v1/notifications/preferences",
        (401, 200, 200, 200, 200, 403, 200), body={"kinds": {"feedback_received": ["email"]}}),
]


def keys(world) -> dict:
    """A notification of ``employee``'s (created once per test)."""
    from django.utils import timezone

    from talentloop.notifications.models import Notification

    note, _created = Notification.objects.get_or_create(
        recipient=world.emp(world.employee), kind="feedback_received", dedupe_key="matrix",
        defaults={"data": {"giver": "王芳", "giver_en": "Wang Fang", "kind": "praise"},
                  "text": "Wang Fang gave you praise.", "link": "/performance/feedback/", "created_at": timezone.now()})
    return {"notification": note.pk}
