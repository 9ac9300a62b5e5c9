"""The schema check of one observation (run for every item of a batch of thousands): the short way
for plain items gives what the long way gives, and odd items still get the long way's answers."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from talentloop.performance.services.observations import _parse_shape

LATEST = dt.datetime(2026, 3, 10, tzinfo=dt.UTC)
GOOD = {"metric": "tasks-done", "value": 1.5, "occurred_at": "2026-03-02T09:30:00+08:00", "source": "git",
        "external_id": "e1", "employee_id": 7}


def shape(**changes):
    item = {**GOOD, **changes}
    return _parse_shape(0, {k: v for k, v in item.items() if v is not ...}, LATEST)


def test_a_plain_item():
    out, errors = shape()
    assert errors == {}
    assert out == {"metric": "tasks-done", "source": "git", "external_id": "e1", "employee_id": 7,
                   "value": Decimal("1.500000"),
                   "occurred_at": dt.datetime(2026, 3, 2, 9, 30, tzinfo=dt.timezone(dt.timedelta(hours=8)))}


def test_text_is_trimmed_and_numbers_are_read_as_text():
    out, errors = shape(metric="  tasks-done ", source=12, external_id=" e1")
    assert errors == {} and (out["metric"], out["source"], out["external_id"]) == ("tasks-done", "12", "e1")


@pytest.mark.parametrize(("changes", "field", "message"), [
    ({"metric": "m" * 61}, "metric", "At most 60 characters."),
    ({"external_id": "e" * 121}, "external_id", "At most 120 characters."),
    ({"source": "a\x00b"}, "source", "Null characters are not allowed."),
    ({"source": True}, "source", "Must be a string."),
    ({"source": ""}, "source", "This field is required."),
    ({"source": ...}, "source", "This field is required."),
    ({"value": "nan"}, "value", "Must be a finite number."),
    ({"value": "1e13"}, "value", "Must be a finite number."),
    ({"value": True}, "value", "Must be a finite number."),
    ({"occurred_at": "2026-13-01T00:00:00"}, "occurred_at",
     "Not a valid date and time (check the month, day, hour, minute and time zone offset)."),
    ({"occurred_at": "yesterday"}, "occurred_at", "Must be an ISO 8601 date and time."),
    ({"occurred_at": 20260302}, "occurred_at", "Must be an ISO 8601 date and time."),
    ({"occurred_at": "2026-03-12T00:00:00Z"}, "occurred_at", "Cannot be in the future."),
    ({"occurred_at": "1999-12-31T00:00:00Z"}, "occurred_at", "Too far in the past."),
    ({"employee_id": 0}, "employee_id", "Must be a positive integer."),
    ({"employee_id": ...}, "employee_id", "Give exactly one subject: employee_id, employee_number or org_unit_id."),
    ({"org_unit_id": 3}, "employee_id", "Give exactly one subject: employee_id, employee_number or org_unit_id."),
    ({"colour": "red"}, "__all__", "Unknown fields: colour"),
])
def test_faults_are_named(changes, field, message):
    _out, errors = shape(**changes)
    assert errors == {field: [message]}


def test_django_s_looser_times_and_naive_times():
    out, errors = shape(occurred_at="2026-3-2 9:30")
    assert errors == {} and out["occurred_at"] == timezone.make_aware(dt.datetime(2026, 3, 2, 9, 30))
    out, errors = shape(occurred_at="2026-03-02T09:30:00")
    assert errors == {} and timezone.is_aware(out["occurred_at"])


def test_not_an_object():
    assert _parse_shape(0, ["x"], LATEST) == ({}, {"__all__": ["Each item must be an object."]})
