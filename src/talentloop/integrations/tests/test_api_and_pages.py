"""The webhook API and pages: the secret answered once, 422 with reasons, paging, the delivery log
and replay; who sees which subscriptions."""

from __future__ import annotations

import datetime as dt

import pytest

from talentloop.core.access import actor_for
from talentloop.integrations.models import Delivery, DeliveryStatus, Subscription
from talentloop.integrations.services import webhooks as services

pytestmark = pytest.mark.django_db

A = "/api/v1/webhooks"
BODY = {"name": "HRIS", "url": "https://hooks.example.com/tl", "event_types": ["employee.hired"]}


def _delivery(subscription, status=DeliveryStatus.FAILED, n=0):
    return Delivery.objects.create(subscription=subscription, event_id=f"evt_{subscription.pk}_{n}",
                                   event_type="employee.hired", payload={"type": "employee.hired", "data": {}},
                                   status=status, attempts=8, last_status_code=500, last_error="HTTP 500",
                                   log=[{"at": "2026-03-02T02:00:00+00:00", "status_code": 500, "error": "HTTP 500",
                                         "duration_ms": 12}])


def test_create_answers_the_secret_once(api_client_for):
    client = api_client_for("hr")
    response = client.post(f"{A}/subscriptions", BODY, content_type="application/json")
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["secret"].startswith("whsec_") and body["owner"] == "hr" and body["trusted"] is False
    got = client.get(f"{A}/subscriptions/{body['id']}").json()
    assert "secret" not in got
    listed = client.get(f"{A}/subscriptions").json()
    assert listed["count"] == 1 and "secret" not in listed["items"][0]
    rotated = client.post(f"{A}/subscriptions/{body['id']}/rotate").json()
    assert rotated["secret"].startswith("whsec_") and rotated["secret"] != body["secret"]


@pytest.mark.parametrize(("change", "field"), [
    ({"url": "gopher://x.example.com/"}, "url"),
    ({"event_types": ["employee.hired", "nope"]}, "event_types"),
    ({"event_types": []}, "event_types"),
    ({"name": ""}, "name"),
])
def test_bad_input_is_422_with_reasons(api_client_for, change, field):
    response = api_client_for("hr").post(f"{A}/subscriptions", {**BODY, **change}, content_type="application/json")
    assert response.status_code == 422, response.content
    assert field in response.json()["errors"]
    assert not Subscription.objects.exists()


def test_update_disable_enable_delete(api_client_for):
    client = api_client_for("hr")
    pk = client.post(f"{A}/subscriptions", BODY, content_type="application/json").json()["id"]
    response = client.patch(f"{A}/subscriptions/{pk}", {"name": "HRIS 2", "trusted": True},
                            content_type="application/json")
    assert response.status_code == 200 and response.json()["trusted"] is True
    response = client.patch(f"{A}/subscriptions/{pk}", {"is_active": False}, content_type="application/json")
    assert response.json()["is_active"] is False and response.json()["disabled_reason"] == "by_person"
    response = client.patch(f"{A}/subscriptions/{pk}", {"is_active": True}, content_type="application/json")
    assert response.json()["is_active"] is True
    response = client.patch(f"{A}/subscriptions/{pk}", {"url": "ftp://nope"}, content_type="application/json")
    assert response.status_code == 422
    assert client.delete(f"{A}/subscriptions/{pk}").status_code == 204
    assert client.get(f"{A}/subscriptions/{pk}").status_code == 404


def test_owners_see_their_own_and_hr_sees_all(world, api_client_for):
    mine, _secret = services.subscription_create(actor=actor_for(world.admin), name="Admin's",
                                                 url="https://a.example.com/", event_types=["employee.hired"])
    hrs, _secret = services.subscription_create(actor=actor_for(world.hr), name="HR's",
                                                url="https://h.example.com/", event_types=["employee.hired"])
    admin = api_client_for("admin")
    assert [s["id"] for s in admin.get(f"{A}/subscriptions").json()["items"]] == [mine.pk]
    assert admin.get(f"{A}/subscriptions/{hrs.pk}").status_code == 404
    hr = api_client_for("hr")
    assert {s["id"] for s in hr.get(f"{A}/subscriptions").json()["items"]} == {mine.pk, hrs.pk}
    assert api_client_for("manager").get(f"{A}/subscriptions").status_code == 403


def test_delivery_log_and_replay(world, api_client_for):
    subscription, _secret = services.subscription_create(actor=actor_for(world.hr), name="HRIS",
                                                         url="https://h.example.com/", event_types=["employee.hired"])
    failed = _delivery(subscription)
    _delivery(subscription, DeliveryStatus.SUCCEEDED, n=1)
    client = api_client_for("hr")
    log = client.get(f"{A}/subscriptions/{subscription.pk}/deliveries").json()
    assert log["count"] == 2 and log["items"][0]["log"]
    only_failed = client.get(f"{A}/subscriptions/{subscription.pk}/deliveries", {"status": "failed"}).json()
    assert [d["id"] for d in only_failed["items"]] == [failed.pk]
    assert client.get(f"{A}/subscriptions/{subscription.pk}/deliveries", {"status": "bad"}).status_code == 422
    response = client.post(f"{A}/deliveries/{failed.pk}/replay")
    assert response.status_code == 201
    replay = response.json()
    assert replay["replay_of"] == failed.pk and replay["event_id"] == failed.event_id and replay["status"] == "pending"
    assert api_client_for("admin").post(f"{A}/deliveries/{failed.pk}/replay").status_code == 404


def test_event_types_are_listed(api_client_for):
    body = api_client_for("admin").get(f"{A}/event-types").json()
    keys = {t["key"]: t["personal_result"] for t in body["items"]}
    assert keys["score.finalised"] is True and keys["employee.hired"] is False
    assert {"employee.changed", "employee.left", "review_cycle.closed", "mentoring_plan.approved"} <= set(keys)


# ---------------------------------------------------------------- pages


def test_create_page_shows_the_secret_once(client_for):
    client = client_for("hr")
    assert client.get("/integrations/webhooks/new/").status_code == 200
    response = client.post("/integrations/webhooks/new/", {"name": "HRIS", "url": "https://h.example.com/",
                                                           "event_types": ["employee.hired", "employee.left"],
                                                           "trusted": "on"})
    assert response.status_code == 200
    subscription = Subscription.objects.get()
    assert subscription.secret in response.content.decode() and subscription.trusted
    assert "no-cache" in response["Cache-Control"] or "no-store" in response["Cache-Control"]
    detail = client.get(f"/integrations/webhooks/{subscription.pk}/").content.decode()
    assert subscription.secret not in detail


def test_create_page_bad_input_shows_field_errors(client_for):
    client = client_for("admin")
    response = client.post("/integrations/webhooks/new/", {"name": "x", "url": "ftp://h.example.com/",
                                                           "event_types": ["employee.hired"]}, HTTP_HX_REQUEST="true")
    assert response.status_code == 422
    assert "Only http:// and https:// addresses are accepted." in response.content.decode()
    # The admin's form offers no trust: it is HR's to give.
    assert 'name="trusted"' not in client.get("/integrations/webhooks/new/").content.decode()
    assert not Subscription.objects.exists()


def test_detail_page_lists_deliveries_and_replays(world, client_for):
    subscription, _secret = services.subscription_create(actor=actor_for(world.hr), name="HRIS",
                                                         url="https://h.example.com/", event_types=["employee.hired"])
    failed = _delivery(subscription)
    client = client_for("hr")
    page = client.get(f"/integrations/webhooks/{subscription.pk}/").content.decode()
    assert failed.event_id in page and "HTTP 500" in page
    response = client.post(f"/integrations/webhooks/deliveries/{failed.pk}/replay/")
    assert response.status_code == 302
    assert Delivery.objects.filter(replay_of=failed).exists()
    response = client.post(f"/integrations/webhooks/{subscription.pk}/disable/")
    subscription.refresh_from_db()
    assert response.status_code == 302 and not subscription.is_active
    client.post(f"/integrations/webhooks/{subscription.pk}/enable/")
    subscription.refresh_from_db()
    assert subscription.is_active
    response = client.post(f"/integrations/webhooks/{subscription.pk}/edit/",
                           {"name": "HRIS 2", "url": "https://h2.example.com/", "event_types": ["employee.left"]})
    assert response.status_code == 302
    subscription.refresh_from_db()
    assert (subscription.name, subscription.event_types) == ("HRIS 2", ["employee.left"])


def test_pages_are_404_for_people_without_webhooks(client_for):
    for persona in ("employee", "manager", "mentor", "outsider"):
        assert client_for(persona).get("/integrations/webhooks/").status_code == 404


def test_dates_in_the_log_do_not_depend_on_today(world, client_for):
    subscription, _secret = services.subscription_create(actor=actor_for(world.hr), name="HRIS",
                                                         url="https://h.example.com/", event_types=["employee.hired"])
    delivery = _delivery(subscription)
    Delivery.objects.filter(pk=delivery.pk).update(created_at=dt.datetime(2026, 3, 2, 2, 0, tzinfo=dt.UTC))
    assert client_for("hr").get(f"/integrations/webhooks/{subscription.pk}/?status=failed").status_code == 200


def test_the_pages_change_rotate_disable_enable_replay_and_delete(world, client_for):
    subscription, _secret = services.subscription_create(actor=actor_for(world.hr), name="HRIS",
                                                         url="https://hooks.example.com/tl",
                                                         event_types=["employee.hired"])
    client = client_for("hr")
    page = f"/integrations/webhooks/{subscription.pk}/"
    changed = client.post(f"{page}edit/", {"name": "HRIS 2", "url": "https://hooks.example.com/v2",
                                           "event_types": ["employee.hired", "employee.left"]})
    assert changed.status_code == 302 and changed["Location"] == page
    subscription.refresh_from_db()
    assert subscription.name == "HRIS 2" and subscription.event_types == ["employee.hired", "employee.left"]
    refused = client.post(f"{page}edit/", {"name": "HRIS 2", "url": "ftp://hooks.example.com/v2",
                                           "event_types": ["employee.hired"]})
    assert refused.status_code in (200, 422) and "Only http:// and https:// addresses are accepted." in refused.text
    assert Subscription.objects.get(pk=subscription.pk).url == "https://hooks.example.com/v2"  # nothing changed
    old = subscription.secret
    rotated = client.post(f"{page}rotate/")
    subscription.refresh_from_db()
    assert rotated.status_code == 200 and subscription.secret != old and subscription.secret in rotated.text
    assert client.post(f"{page}disable/").status_code == 302
    assert not Subscription.objects.get(pk=subscription.pk).is_active
    assert client.post(f"{page}enable/").status_code == 302
    assert Subscription.objects.get(pk=subscription.pk).is_active
    failed = _delivery(subscription)
    replayed = client.post(f"/integrations/webhooks/deliveries/{failed.pk}/replay/")
    assert replayed.status_code == 302 and Delivery.objects.filter(subscription=subscription).count() == 2
    assert client.post(f"{page}delete/").status_code == 302
    assert not Subscription.objects.filter(pk=subscription.pk).exists()
    assert client.post(f"{page}rotate/").status_code == 404
