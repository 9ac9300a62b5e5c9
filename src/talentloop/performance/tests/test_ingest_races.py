"""Observation batches that race each other, and impossible timestamps: answers, never a 500."""

from __future__ import annotations

import contextlib
import datetime as dt
import threading
from unittest import mock

import pytest
from django.db import connection

from talentloop.core.access import actor_for
from talentloop.performance.models import Aggregation, IngestBatch, Observation
from talentloop.performance.services import observations as obs_services
from talentloop.performance.services.config import metric_save


def _metric(world):
    hr = actor_for(world.hr)
    metric_save(actor=hr, data={"key": "tasks-done", "name": "任务", "aggregation": Aggregation.COUNT})
    return hr


def _items(emp, n=20, value=1):
    return [
        {
            "employee_id": emp.pk,
            "metric": "tasks-done",
            "value": value,
            "occurred_at": dt.datetime(2026, 3, 1 + i % 28, 10, tzinfo=dt.UTC).isoformat(),
            "source": "jira",
            "external_id": f"T-{i}",
        }
        for i in range(n)
    ]


@pytest.mark.django_db
@pytest.mark.parametrize(
    "bad",
    [
        "2026-13-01T10:00:00+08:00",  # month 13
        "2026-03-01T25:00:00+08:00",  # hour 25
        "2026-02-30T10:00:00",  # 30 February
        "2026-03-01T10:00:00+25:00",  # an offset of 25 hours
        "0001-01-01T00:00:00+01:00",  # before the calendar's start in UTC
        "garbage",
        "",
        "2026-03-01T10:00:00" + "0" * 10_000,
    ],
)
def test_an_impossible_occurred_at_is_a_422_with_the_items_index(world, api_client_for, bad):
    _metric(world)
    emp = world.emp(world.employee)
    items = _items(emp, 3)
    items[1]["occurred_at"] = bad
    hr = api_client_for("hr")
    r = hr.post("/api/v1/observations", {"items": items}, content_type="application/json")
    assert r.status_code == 422, r.content
    body = r.json()
    assert body["detail"] and [x["index"] for x in body["rejected"]] == [1]
    assert list(body["rejected"][0]["errors"]) == ["occurred_at"]
    assert not Observation.objects.exists()
    r = hr.post("/api/v1/observations", {"items": items, "partial": True}, content_type="application/json")
    assert r.status_code == 200 and r.json()["accepted"] == 2 and r.json()["rejected"][0]["index"] == 1


@pytest.mark.django_db
def test_a_batch_that_loses_the_race_answers_with_duplicates(world, api_client_for):
    """Another batch commits the same items between this batch's read and its insert (simulated:
    the first read sees nothing). The insert hits the unique current (source, external id); the
    batch is written again from a fresh read and answers as duplicates instead of a 500."""
    _metric(world)
    emp = world.emp(world.employee)
    hr = api_client_for("hr")
    items = _items(emp)
    assert hr.post("/api/v1/observations", {"items": items}, content_type="application/json").json()["accepted"] == 20
    real, calls = obs_services._current_rows, []

    def stale_first_read(source, external_ids):
        calls.append(1)
        return [] if len(calls) == 1 else real(source, external_ids)

    with mock.patch.object(obs_services, "_current_rows", stale_first_read):
        r = hr.post("/api/v1/observations", {"items": items}, content_type="application/json")
    assert r.status_code == 200, r.content
    assert r.json() == {"accepted": 0, "duplicates": 20, "corrections": 0, "rejected": []}
    assert len(calls) == 2
    assert Observation.objects.filter(is_current=True).count() == 20
    assert IngestBatch.objects.count() == 2  # the rolled-back attempt left no batch behind


@pytest.mark.django_db(transaction=True)
def test_two_identical_batches_at_once_on_postgresql(world, api_client_for):
    """Two identical batches sent at the same moment: both read "nothing there yet" before either
    writes (a barrier holds them), then both insert. One is accepted, the other answers as
    duplicates; nothing is counted twice and nobody gets a 500."""
    if connection.vendor != "postgresql":
        pytest.skip("SQLite runs one writer at a time: the race needs PostgreSQL (the PostgreSQL leg runs it)")
    _metric(world)
    emp = world.emp(world.employee)
    clients = [api_client_for("hr"), api_client_for("hr")]
    items = _items(emp, 50)
    barrier = threading.Barrier(2)
    real = obs_services._current_rows
    first_read = threading.local()

    def read_then_wait(source, external_ids):
        rows = list(real(source, external_ids))
        if not getattr(first_read, "done", False):
            first_read.done = True
            with contextlib.suppress(threading.BrokenBarrierError):
                barrier.wait(timeout=20)
        return rows

    answers: list = []

    def send(client):
        try:
            r = client.post("/api/v1/observations", {"items": items}, content_type="application/json")
            answers.append((r.status_code, r.json()))
        except Exception as exc:  # noqa: BLE001 - reported by the assertion below
            answers.append((500, repr(exc)))
        finally:
            connection.close()

    with mock.patch.object(obs_services, "_current_rows", read_then_wait):
        threads = [threading.Thread(target=send, args=(c,)) for c in clients]
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=120)
    assert [status for status, _body in answers] == [200, 200], answers
    outcomes = sorted((body["accepted"], body["duplicates"]) for _status, body in answers)
    assert outcomes == [(0, 50), (50, 0)]
    assert Observation.objects.filter(is_current=True).count() == 50
    assert Observation.objects.count() == 50
