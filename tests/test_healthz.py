"""GET /healthz: 200 with the state of the database and the job queue, 503 when either is down."""

from __future__ import annotations

import pytest
from django.db import OperationalError, connection

pytestmark = pytest.mark.django_db


def test_healthy(client):
    r = client.get("/healthz")
    assert r.status_code == 200
    assert r["Content-Type"] == "application/json"
    assert "no-cache" in r["Cache-Control"] or "max-age=0" in r["Cache-Control"]
    body = r.json()
    assert body["status"] == "ok"
    assert body["database"] == {"ok": True}
    assert body["database_vendor"] == connection.vendor
    assert body["queue"]["ok"] is True
    assert isinstance(body["queue"]["pending"], int)
    assert body["queue"]["backend"].endswith("Huey")


class _DownConnection:
    vendor = connection.vendor

    def cursor(self):
        raise OperationalError("could not connect to server: password=hunter2")


def test_database_down_is_503(client, monkeypatch):
    monkeypatch.setattr("talentloop.core.selectors.connection", _DownConnection())
    r = client.get("/healthz")
    assert r.status_code == 503
    body = r.json()
    assert body["status"] == "error"
    assert body["database"] == {"ok": False, "error": "OperationalError"}
    assert body["queue"]["ok"] is True
    assert "hunter2" not in r.content.decode()  # the error's text may hold connection details


def test_queue_down_is_503(client, monkeypatch):
    from huey.contrib.djhuey import HUEY

    def down():
        raise ConnectionError("redis is gone")

    monkeypatch.setattr(HUEY, "pending_count", down)
    r = client.get("/healthz")
    assert r.status_code == 503
    assert r.json()["queue"] == {"ok": False, "error": "ConnectionError"}
    assert r.json()["database"] == {"ok": True}


def test_get_only(client):
    assert client.post("/healthz").status_code == 405
