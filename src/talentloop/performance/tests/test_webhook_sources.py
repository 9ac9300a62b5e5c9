"""Webhook sources managed from a page, the API and a command; the secret is shown once."""

from __future__ import annotations

import io
import json
import time

import pytest
from django.core.management import CommandError, call_command

from talentloop.core.access import actor_for
from talentloop.core.errors import DomainError, PermissionDenied
from talentloop.performance.models import Aggregation, WebhookSource
from talentloop.performance.services.config import metric_save
from talentloop.performance.services.webhooks import (
    sign,
    webhook_source_create,
    webhook_source_deactivate,
    webhook_source_rotate,
)

pytestmark = pytest.mark.django_db


def _deliver(client, world, key, secret, ext):
    body = json.dumps(
        {
            "items": [
                {
                    "employee_number": world.emp(world.employee).employee_number,
                    "metric": "tickets",
                    "value": 1,
                    "occurred_at": "2026-03-02T08:00:00+08:00",
                    "source": key,
                    "external_id": ext,
                }
            ]
        }
    ).encode()
    ts = int(time.time())
    return client.post(
        f"/api/v1/webhooks/observations/{key}",
        data=body,
        content_type="application/json",
        HTTP_X_TALENTLOOP_TIMESTAMP=str(ts),
        HTTP_X_TALENTLOOP_SIGNATURE="sha256=" + sign(secret, ts, body),
    )


@pytest.fixture
def tickets(world):
    metric_save(actor=actor_for(world.hr), data={"key": "tickets", "name": "工单", "aggregation": Aggregation.COUNT})


# ---------------------------------------------------------------- services


def test_rotating_refuses_the_old_secret_and_accepts_the_new(client, world, tickets):
    hr = actor_for(world.hr)
    source, old = webhook_source_create(actor=hr, key="helpdesk", name="Helpdesk", act_as=world.hr)
    _source, new = webhook_source_rotate(actor=hr, source=source)
    assert new != old
    assert _deliver(client, world, "helpdesk", old, "a").status_code == 401
    assert _deliver(client, world, "helpdesk", new, "b").status_code == 200
    # stored encrypted: the raw column does not hold the secret
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT secret FROM performance_webhooksource WHERE id = %s", [source.pk])
        assert new not in cursor.fetchone()[0]


def test_a_deactivated_source_is_refused(client, world, tickets):
    hr = actor_for(world.hr)
    source, secret = webhook_source_create(actor=hr, key="helpdesk", name="Helpdesk", act_as=world.hr)
    webhook_source_deactivate(actor=hr, source=source)
    assert _deliver(client, world, "helpdesk", secret, "a").status_code == 401
    with pytest.raises(DomainError):
        webhook_source_rotate(actor=hr, source=source)


@pytest.mark.parametrize("persona", ["employee", "manager", "mentor", "outsider"])
def test_only_hr_and_admin_manage_sources(world, persona):
    with pytest.raises(PermissionDenied):
        webhook_source_create(actor=actor_for(getattr(world, persona)), key="x", name="X", act_as=world.hr)
    source, _secret = webhook_source_create(actor=actor_for(world.admin), key="y", name="Y", act_as=world.admin)
    with pytest.raises(PermissionDenied):
        webhook_source_rotate(actor=actor_for(getattr(world, persona)), source=source)
    with pytest.raises(PermissionDenied):
        webhook_source_deactivate(actor=actor_for(getattr(world, persona)), source=source)


def test_a_source_acts_as_an_hr_or_admin_account_and_keys_are_unique(world):
    hr = actor_for(world.hr)
    with pytest.raises(DomainError) as exc:
        webhook_source_create(actor=hr, key="x", name="X", act_as=world.employee)
    assert "act_as" in exc.value.errors
    webhook_source_create(actor=hr, key="x", name="X", act_as=world.hr)
    with pytest.raises(DomainError) as exc:
        webhook_source_create(actor=hr, key="x", name="X again", act_as=world.hr)
    assert "key" in exc.value.errors
    assert WebhookSource.objects.count() == 1


# ---------------------------------------------------------------- page


def test_the_page_shows_the_secret_once(client_for, world):
    c = client_for("hr")
    r = c.post("/performance/webhook-sources/", {"key": "helpdesk", "name": "服务台"})
    assert r.status_code == 200
    assert "no-store" in r["Cache-Control"]
    secret = WebhookSource.objects.get(key="helpdesk").secret
    assert secret in r.content.decode()
    again = c.get("/performance/webhook-sources/").content.decode()
    assert "helpdesk" in again and secret not in again
    # destructive actions ask first
    assert 'data-confirm="' in again

    r = c.post(f"/performance/webhook-sources/{WebhookSource.objects.get().pk}/rotate/")
    rotated = WebhookSource.objects.get().secret
    assert rotated != secret and rotated in r.content.decode()


def test_the_page_refuses_bad_input_and_changes_nothing(client_for, world):
    r = client_for("hr").post("/performance/webhook-sources/", {"key": "has space", "name": ""})
    assert r.status_code == 200
    assert WebhookSource.objects.count() == 0
    assert 'data-testid="webhook-secret"' not in r.content.decode()


def test_deactivating_from_the_page(client_for, world):
    source, _secret = webhook_source_create(actor=actor_for(world.hr), key="helpdesk", name="Helpdesk", act_as=world.hr)
    r = client_for("admin").post(f"/performance/webhook-sources/{source.pk}/deactivate/")
    assert r.status_code == 302
    source.refresh_from_db()
    assert not source.is_active


# ---------------------------------------------------------------- API


def test_the_api_answers_the_secret_only_on_create_and_rotate(api_client_for, world):
    c = api_client_for("hr")
    r = c.post("/api/v1/webhook-sources", {"key": "crm", "name": "CRM"}, content_type="application/json")
    assert r.status_code == 201, r.content
    created = r.json()
    assert created["secret"] == WebhookSource.objects.get(key="crm").secret
    assert created["act_as"] == "hr" and created["url"] == "/api/v1/webhooks/observations/crm"
    listed = c.get("/api/v1/webhook-sources").json()["items"]
    assert [s["key"] for s in listed] == ["crm"] and "secret" not in listed[0]
    assert "secret" not in c.get(f"/api/v1/webhook-sources/{created['id']}").json()
    rotated = c.post(f"/api/v1/webhook-sources/{created['id']}/rotate").json()
    assert rotated["secret"] != created["secret"]
    r = c.post(f"/api/v1/webhook-sources/{created['id']}/deactivate")
    assert r.status_code == 200 and r.json()["is_active"] is False and "secret" not in r.json()
    r = c.post(f"/api/v1/webhook-sources/{created['id']}/rotate")
    assert r.status_code == 422


def test_the_api_refuses_a_duplicate_key_and_a_bad_key(api_client_for, world):
    c = api_client_for("hr")
    assert (
        c.post("/api/v1/webhook-sources", {"key": "crm", "name": "CRM"}, content_type="application/json").status_code
        == 201
    )
    r = c.post("/api/v1/webhook-sources", {"key": "crm", "name": "CRM"}, content_type="application/json")
    assert r.status_code == 422 and "key" in r.json()["errors"]
    r = c.post("/api/v1/webhook-sources", {"key": "a b", "name": "CRM"}, content_type="application/json")
    assert r.status_code == 422 and "key" in r.json()["errors"]


# ---------------------------------------------------------------- command


def _run(*args) -> str:
    out = io.StringIO()
    call_command("webhook-source", *args, stdout=out, stderr=io.StringIO())
    return out.getvalue().strip()


def test_the_command_creates_lists_rotates_and_deactivates(world):
    secret = _run("create", "helpdesk", "--name", "服务台", "--act-as", "hr")
    source = WebhookSource.objects.get(key="helpdesk")
    assert secret == source.secret and source.act_as == world.hr and source.name == "服务台"
    listing = _run("list")
    assert "helpdesk" in listing and secret not in listing
    rotated = _run("rotate", "helpdesk")
    source.refresh_from_db()
    assert rotated == source.secret != secret
    assert _run("deactivate", "helpdesk", "--as", "admin") == "deactivated"
    source.refresh_from_db()
    assert not source.is_active


def test_the_command_refuses_what_it_cannot_do(world):
    with pytest.raises(CommandError, match="neither HR"):
        _run("create", "helpdesk", "--act-as", "employee")
    with pytest.raises(CommandError, match="No account"):
        _run("create", "helpdesk", "--act-as", "nobody")
    with pytest.raises(CommandError, match="No webhook source"):
        _run("rotate", "missing")
    _run("create", "helpdesk", "--act-as", "hr")
    with pytest.raises(CommandError, match="exists already"):
        _run("create", "helpdesk", "--act-as", "hr")
    with pytest.raises(CommandError, match="neither HR"):
        _run("rotate", "helpdesk", "--as", "employee")
