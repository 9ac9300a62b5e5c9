"""The ingest's short ways: a plain item is read once (and what it reads is what the long ways read),
the current rows of a batch are found in one statement, and the observation table keeps Django's
``on_delete`` rules without database constraints on its metric and subjects."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.db.models import ProtectedError
from pydantic import ValidationError

from talentloop.organisation.models import Employee
from talentloop.performance.api.scores import ObservationIn
from talentloop.performance.models import Metric, Observation
from talentloop.performance.services.observations import _parse_shape, _plain, observations_ingest
from talentloop.performance.tests.test_recompute import obs, setup  # noqa: F401  (fixture)

LATEST = dt.datetime(2026, 3, 10, tzinfo=dt.UTC)
GOOD = {"metric": "tasks-done", "value": 1.5, "occurred_at": "2026-03-02T09:30:00+08:00", "source": "git",
        "external_id": "e1", "employee_id": 7}

VARIANTS = [
    {}, {"value": 3}, {"value": -2.25}, {"value": 0}, {"value": 1e-7}, {"value": 9999999999999.5},
    {"value": 1e13}, {"value": -1e13}, {"value": 10**13}, {"value": float("nan")}, {"value": float("inf")},
    {"value": True}, {"value": "1.5"}, {"value": None}, {"value": [1]},
    {"metric": "  tasks-done "}, {"metric": "   "}, {"metric": ""}, {"metric": "m" * 60}, {"metric": "m" * 61},
    {"metric": 5}, {"source": None}, {"external_id": "e" * 120}, {"external_id": "e" * 121},
    {"external_id": 12345}, {"external_id": "a\x00b"},
    {"employee_id": 0}, {"employee_id": 2**53}, {"employee_id": 2**53 - 1}, {"employee_id": "7"},
    {"employee_id": 7.0}, {"employee_id": True}, {"employee_id": None, "employee_number": "E0007"},
    {"employee_id": None, "employee_number": " E7 "}, {"employee_id": None, "employee_number": 7},
    {"employee_id": None, "employee_number": "x" * 33}, {"employee_id": None, "org_unit_id": 3},
    {"org_unit_id": 3}, {"org_unit_id": ""}, {"employee_number": None},
    {"occurred_at": "2026-03-02T09:30:00"}, {"occurred_at": "2026-03-02"}, {"occurred_at": "2026-3-2 9:30"},
    {"occurred_at": "2026-03-02T09:30:00Z"}, {"occurred_at": "2026-03-12T00:00:00Z"},
    {"occurred_at": "1999-12-31T23:00:00Z"}, {"occurred_at": "2026-13-01T00:00:00"},
    {"occurred_at": "yesterday"}, {"occurred_at": 20260302}, {"occurred_at": "2026-03-02T09:30:00+25:00"},
    {"colour": "red"},
]


@pytest.mark.parametrize("changes", VARIANTS, ids=[repr(v)[:60] for v in VARIANTS])
def test_the_short_way_reads_what_the_long_ways_read(changes):
    """Whatever the short way accepts, the schema accepts and the full check reads the same; anything
    else it leaves to them (None), so their messages are unchanged."""
    item = {**GOOD, **changes}
    short = _plain(item, LATEST)
    if short is None:
        return
    out, errors = _parse_shape(0, item, LATEST)
    assert errors == {}
    assert out == short
    assert [type(v) for v in out.values()] == [type(v) for v in short.values()]
    ObservationIn.model_validate(item)  # does not raise


def test_plain_items_take_the_short_way():
    for changes in ({}, {"value": 3}, {"occurred_at": "2026-03-02T09:30:00"},
                    {"employee_id": None, "employee_number": "E0007"}, {"employee_id": None, "org_unit_id": 3}):
        assert _plain({**GOOD, **changes}, LATEST) is not None, changes
    assert _plain({**GOOD, "value": 1.5}, LATEST)["value"] == Decimal("1.500000")


def test_items_the_schema_refuses_never_take_the_short_way():
    for changes in VARIANTS:
        item = {**GOOD, **changes}
        try:
            ObservationIn.model_validate(item)
        except ValidationError:
            assert _plain(item, LATEST) is None, changes


@pytest.mark.django_db
def test_a_large_batch_with_corrections_and_duplicates_in_one_go(world, setup, api_client_for):  # noqa: F811
    """The shapes read once by the API, the current rows found in one statement per source: a resent
    batch is all duplicates, a changed one all corrections, each superseding the row before."""
    emp = world.emp(world.employee)
    items = [obs(emp, "tasks-done", 1, 1 + i % 20, f"big-{i}") for i in range(1200)]
    client = api_client_for("hr")
    r = client.post("/api/v1/observations", {"items": items}, content_type="application/json")
    assert r.json() == {"accepted": 1200, "duplicates": 0, "corrections": 0, "rejected": []}
    r = client.post("/api/v1/observations", {"items": items}, content_type="application/json")
    assert r.json() == {"accepted": 0, "duplicates": 1200, "corrections": 0, "rejected": []}
    changed = [{**item, "value": 2} for item in items]
    r = client.post("/api/v1/observations", {"items": changed}, content_type="application/json")
    assert r.json() == {"accepted": 0, "duplicates": 0, "corrections": 1200, "rejected": []}
    assert Observation.objects.filter(is_current=True).count() == 1200
    assert Observation.objects.filter(is_current=False).count() == 1200
    current = Observation.objects.filter(is_current=True, external_id="big-7").get()
    assert current.value == Decimal(2) and current.supersedes.value == Decimal(1)
    assert not current.supersedes.is_current


@pytest.mark.django_db
def test_deleting_a_person_or_a_metric_keeps_the_on_delete_rules(world, setup):  # noqa: F811
    """No database constraint on the metric and the subject: Django's collector still deletes a
    deleted person's observations (corrections included) and refuses to delete a metric in use."""
    hr = setup[0]
    emp, other = world.emp(world.employee), world.emp(world.lead)
    observations_ingest(actor=hr, items=[obs(emp, "tasks-done", 1, 2, "a"), obs(other, "tasks-done", 1, 2, "b")])
    observations_ingest(actor=hr, items=[obs(emp, "tasks-done", 2, 2, "a")])  # a correction of "a"
    assert Observation.objects.filter(employee=emp).count() == 2
    with pytest.raises(ProtectedError):
        Metric.objects.get(key="tasks-done").delete()
    Employee.objects.filter(pk=emp.pk).delete()
    assert not Observation.objects.filter(employee_id=emp.pk).exists()
    assert list(Observation.objects.values_list("external_id", flat=True)) == ["b"]


@pytest.mark.django_db
@pytest.mark.parametrize("value", [0.1, 96.38, 0.000001, -2.5, 12, 9999999.999999, "123456789.123456"])
def test_a_resent_value_reads_back_equal(world, setup, value):  # noqa: F811
    """The current rows are read with raw SQL: a value stored and read back (a binary float on SQLite)
    still equals the one sent again, so the item is a duplicate, not a correction."""
    hr = setup[0]
    emp = world.emp(world.employee)
    item = obs(emp, "tasks-done", value, 2, "v")
    assert observations_ingest(actor=hr, items=[item]).accepted == 1
    again = observations_ingest(actor=hr, items=[item, obs(emp, "tasks-done", value, 3, "w")])
    assert (again.accepted, again.duplicates, again.corrections) == (1, 1, 0)
