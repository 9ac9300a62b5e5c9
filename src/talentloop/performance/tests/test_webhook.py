from __future__ import annotations

import json
import time

import pytest

from talentloop.core.access import actor_for
from talentloop.performance.models import Aggregation, Observation
from talentloop.performance.services.config import metric_save
from talentloop.performance.services.webhooks import sign, webhook_source_create

pytestmark = pytest.mark.django_db


@pytest.fixture
def source(world):
    hr = actor_for(world.hr)
    metric_save(actor=hr, data={"key": "tickets", "name": "工单", "aggregation": Aggregation.COUNT})
    src, secret = webhook_source_create(actor=hr, key="helpdesk", name="Helpdesk", act_as=world.hr)
    return src, secret


def body_for(world, ext="x1"):
    return json.dumps({"items": [{"employee_number": world.emp(world.employee).employee_number, "metric": "tickets",
                                  "value": 1, "occurred_at": "2026-03-02T08:00:00+08:00", "source": "helpdesk",
                                  "external_id": ext}]}).encode()


def post(client, body, ts, sig):
    headers = {}
    if ts is not None:
        headers["HTTP_X_TALENTLOOP_TIMESTAMP"] = str(ts)
    if sig is not None:
        headers["HTTP_X_TALENTLOOP_SIGNATURE"] = sig
    return client.post("/api/v1/webhooks/observations/helpdesk", data=body, content_type="application/json",
                       **headers)


def test_signed_request_accepted_once(client, world, source):
    _src, secret = source
    body = body_for(world)
    ts = int(time.time())
    sig = "sha256=" + sign(secret, ts, body)
    r = post(client, body, ts, sig)
    assert r.status_code == 200, r.content
    assert r.json()["accepted"] == 1
    # the same delivery again is a replay
    r = post(client, body, ts, sig)
    assert r.status_code == 401
    assert "replay" in r.json()["detail"]
    assert Observation.objects.count() == 1


def test_unsigned_stale_and_forged_refused(client, world, source):
    _src, secret = source
    body = body_for(world)
    ts = int(time.time())
    assert post(client, body, None, None).status_code == 401
    assert post(client, body, ts, "sha256=" + "0" * 64).status_code == 401
    old = ts - 301
    assert post(client, body, old, "sha256=" + sign(secret, old, body)).status_code == 401
    # a signature of another body does not fit this one
    assert post(client, body_for(world, "x2"), ts, "sha256=" + sign(secret, ts, body)).status_code == 401
    assert Observation.objects.count() == 0


def test_signature_matches_reference_computation():
    # HMAC-SHA256("secret", "1700000000.{}") computed independently with Python's hmac module
    import hashlib
    import hmac

    expected = hmac.new(b"secret", b"1700000000.{}", hashlib.sha256).hexdigest()
    assert sign("secret", 1700000000, b"{}") == expected
