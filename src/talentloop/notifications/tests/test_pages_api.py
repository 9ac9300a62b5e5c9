"""The inbox and settings pages and the API: one's own notifications only, read marks, safe links,
preferences with validation, query counts at two sizes."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from talentloop.core.access import actor_for
from talentloop.notifications import kinds as K
from talentloop.notifications.context_processors import unread
from talentloop.notifications.models import Notification, NotificationPreference, QuietHours
from talentloop.notifications.tests.factories import NotificationFactory, notifications_for

pytestmark = pytest.mark.django_db


def test_inbox_lists_unread_first_then_newest(world, client_for):
    emp = world.emp(world.employee)
    now = timezone.now()
    old_unread = NotificationFactory(recipient=emp, created_at=now - dt.timedelta(days=3), text="old unread",
                                     data={}, kind="unknown-kind")
    NotificationFactory(recipient=emp, created_at=now, read_at=now, text="new read", data={}, kind="unknown-kind")
    NotificationFactory(recipient=emp, created_at=now - dt.timedelta(days=1), text="mid unread", data={},
                        kind="unknown-kind")
    NotificationFactory(recipient=world.emp(world.lead), text="someone else's", data={}, kind="unknown-kind")
    response = client_for("employee").get("/notifications/")
    assert response.status_code == 200
    html = response.content.decode()
    assert html.index("mid unread") < html.index("old unread") < html.index("new read")
    assert "someone else&#x27;s" not in html and "someone else's" not in html
    assert "2 unread" in html
    assert f"/notifications/{old_unread.pk}/open/" in html
    only_unread = client_for("employee").get("/notifications/?unread=1").content.decode()
    assert "new read" not in only_unread and "mid unread" in only_unread


def test_opening_marks_read_and_goes_to_the_link_only_if_local(world, client_for):
    emp = world.emp(world.employee)
    good = NotificationFactory(recipient=emp, link="/performance/feedback/")
    evil = NotificationFactory(recipient=emp, link="//evil.example.com/x")
    absolute = NotificationFactory(recipient=emp, link="https://evil.example.com/")
    client = client_for("employee")
    assert client.get(f"/notifications/{good.pk}/open/").status_code == 405  # reading is a POST
    response = client.post(f"/notifications/{good.pk}/open/")
    assert response.status_code == 302 and response["Location"] == "/performance/feedback/"
    good.refresh_from_db()
    assert good.read_at is not None
    for n in (evil, absolute):
        response = client.post(f"/notifications/{n.pk}/open/")
        assert response["Location"] == "/notifications/"


def test_nobody_opens_another_persons_notification(world, client_for, api_client_for):
    mine = NotificationFactory(recipient=world.emp(world.employee))
    for persona in ("lead", "manager", "hr", "admin", "outsider"):
        assert client_for(persona).post(f"/notifications/{mine.pk}/open/").status_code == 404
        assert api_client_for(persona).post(f"/api/v1/notifications/{mine.pk}/read").status_code == 404
        listed = api_client_for(persona).get("/api/v1/notifications").json()
        assert mine.pk not in [i["id"] for i in listed["items"]]
    mine.refresh_from_db()
    assert mine.read_at is None


def test_mark_all_read_with_htmx_returns_the_list(world, client_for):
    emp = world.emp(world.employee)
    notifications_for(emp, 3)
    other = NotificationFactory(recipient=world.emp(world.lead))
    response = client_for("employee").post("/notifications/read-all/", HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    html = response.content.decode()
    assert 'id="inbox-list"' in html and "<html" not in html
    assert "0 unread" in html and 'hx-swap-oob' in html  # the bell in the top bar is replaced too
    assert not Notification.objects.filter(recipient=emp, read_at__isnull=True).exists()
    other.refresh_from_db()
    assert other.read_at is None
    plain = client_for("employee").post("/notifications/read-all/")
    assert plain.status_code == 302 and plain["Location"] == "/notifications/"


def test_unread_count_context_processor_is_one_query(world):
    emp = world.emp(world.employee)
    notifications_for(emp, 4, read=1)
    request = RequestFactory().get("/")
    request.user = world.employee
    request.actor = actor_for(world.employee)
    with CaptureQueriesContext(connection) as queries:
        assert unread(request) == {"unread_notifications": 3}
    assert len(queries) == 1
    request.user = type("Anon", (), {"is_authenticated": False})()
    with CaptureQueriesContext(connection) as queries:
        assert unread(request) == {}
    assert len(queries) == 0
    request.user = world.admin
    request.actor = actor_for(world.admin)
    with CaptureQueriesContext(connection) as queries:
        assert unread(request) == {"unread_notifications": None}  # no inbox: no bell
    assert len(queries) == 0


def _queries(client, url) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def test_inbox_and_list_endpoint_query_counts_do_not_grow(world, client_for, api_client_for):
    emp = world.emp(world.employee)
    client, api = client_for("employee"), api_client_for("employee")
    notifications_for(emp, 3, read=1)
    _queries(client, "/notifications/"), _queries(api, "/api/v1/notifications")  # sessions, token use stamp
    small_page, small_api = _queries(client, "/notifications/"), _queries(api, "/api/v1/notifications?limit=50")
    notifications_for(emp, 60, start=timezone.now() - dt.timedelta(days=1), read=20, prefix="g")
    Notification.objects.filter(recipient=emp).update(kind="feedback_received")
    assert _queries(client, "/notifications/") == small_page
    assert _queries(client, "/notifications/?page=2") == small_page
    assert _queries(api, "/api/v1/notifications?limit=50") == small_api


def test_api_list_read_and_read_all(world, api_client_for):
    emp = world.emp(world.employee)
    rows = notifications_for(emp, 5, read=2)
    api = api_client_for("employee")
    body = api.get("/api/v1/notifications?limit=2").json()
    assert (body["count"], body["unread"], len(body["items"])) == (5, 3, 2)
    first = body["items"][0]
    assert first["read_at"] is None and first["text"] == "Wang Fang gave you praise."
    assert first["kind"] == "feedback_received" and first["kind_label"] == "Feedback received"
    assert api.get("/api/v1/notifications?unread=true&offset=2").json()["count"] == 3
    assert len(api.get("/api/v1/notifications?unread=true&offset=2").json()["items"]) == 1
    unread_row = next(r for r in rows if r.read_at is None)
    response = api.post(f"/api/v1/notifications/{unread_row.pk}/read")
    assert response.status_code == 200 and response.json()["read_at"] is not None
    assert api.post("/api/v1/notifications/read-all").json() == {"marked": 2}
    assert api.get("/api/v1/notifications").json()["unread"] == 0
    bad = api.get("/api/v1/notifications?limit=0")
    assert bad.status_code == 422 and "limit" in bad.json()["errors"]
    assert api.post("/api/v1/notifications/999999/read").status_code == 404
    assert api_client_for("admin").post("/api/v1/notifications/read-all").status_code == 403


def test_api_preferences_round_trip_and_errors(world, api_client_for):
    api = api_client_for("employee")
    body = api.get("/api/v1/notifications/preferences").json()
    kinds = {k["kind"]: k for k in body["kinds"]}
    assert kinds["alert_opened"]["channels"] == ["inapp", "email"] and kinds["alert_opened"]["is_default"]
    assert kinds["feedback_received"]["channels"] == ["inapp"]
    assert {"key": "email", "label": "E-mail"} in body["channels"]
    assert body["quiet_hours"] == {"enabled": False, "start": None, "end": None}
    response = api.put("/api/v1/notifications/preferences", {
        "kinds": {"feedback_received": ["inapp", "email"], "alert_opened": []},
        "quiet_hours": {"enabled": True, "start": "22:00", "end": "07:00"}}, content_type="application/json")
    assert response.status_code == 200, response.content
    kinds = {k["kind"]: k for k in response.json()["kinds"]}
    assert kinds["feedback_received"]["channels"] == ["inapp", "email"]
    assert kinds["alert_opened"]["channels"] == ["inapp"] and not kinds["alert_opened"]["is_default"]
    assert response.json()["quiet_hours"] == {"enabled": True, "start": "22:00:00", "end": "07:00:00"}
    # Bad kinds, channels or hours: 422 with the fields, and nothing changes.
    bad = api.put("/api/v1/notifications/preferences", {
        "kinds": {"feedback_received": ["pigeon"], "nope": []},
        "quiet_hours": {"enabled": True, "start": "08:00", "end": "08:00"}}, content_type="application/json")
    assert bad.status_code == 422
    assert set(bad.json()["errors"]) == {"feedback_received", "nope", "end"}
    assert NotificationPreference.objects.get(kind="feedback_received").channels == ["email"]
    assert QuietHours.objects.get().start == dt.time(22)
    malformed = api.put("/api/v1/notifications/preferences", {"kinds": {"feedback_received": "email"}},
                        content_type="application/json")
    assert malformed.status_code == 422
    assert api_client_for("admin").get("/api/v1/notifications/preferences").status_code == 403


def test_preferences_page_saves_and_shows_errors(world, client_for):
    client = client_for("employee")
    page = client.get("/notifications/preferences/")
    assert page.status_code == 200
    html = page.content.decode()
    assert 'name="feedback_received__email"' in html and 'name="alert_opened__email" id="id_alert_opened__email" ' \
        'checked' in html
    # The default boxes as shown, plus e-mail for feedback, minus e-mail for alerts.
    form = {f"{k.key}__email": "on" for k in K.all_kinds() if "email" in k.default_channels()}
    form.update({"feedback_received__email": "on", "quiet_enabled": "on", "quiet_start": "22:00",
                 "quiet_end": "07:00"})
    del form["alert_opened__email"]
    response = client.post("/notifications/preferences/", form)
    assert response.status_code == 302
    # Only the kinds whose boxes changed are stored; the others keep following their defaults.
    assert dict(NotificationPreference.objects.values_list("kind", "channels")) == {
        "feedback_received": ["email"], "alert_opened": []}
    assert QuietHours.objects.get().end == dt.time(7)
    bad = client.post("/notifications/preferences/", {"quiet_enabled": "on", "quiet_start": "22:00",
                                                      "quiet_end": "22:00"}, HTTP_HX_REQUEST="true")
    assert bad.status_code == 422
    assert "Quiet hours end at another time than they start." in bad.content.decode()
    missing = client.post("/notifications/preferences/", {"quiet_enabled": "on", "quiet_start": ""})
    assert missing.status_code == 200 and "This field is required." in missing.content.decode()
    assert QuietHours.objects.get().start == dt.time(22)
    assert client_for("admin").get("/notifications/preferences/").status_code == 404
