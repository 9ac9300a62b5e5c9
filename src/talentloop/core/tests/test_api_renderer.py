"""The API's JSON is written by orjson: every answer holds the same values as ninja's ``json.dumps``
renderer wrote (dates, Decimal, UUID, lazy translations, pydantic models), only more compactly."""

from __future__ import annotations

import datetime as dt
import enum
import json
import uuid
from decimal import Decimal
from zoneinfo import ZoneInfo

import numpy as np
import pytest
from django.db import models
from django.utils.translation import gettext_lazy, override
from ninja import Schema
from ninja.renderers import JSONRenderer

from talentloop.config.api import OrjsonRenderer, api

OLD = JSONRenderer()
NEW = OrjsonRenderer()


def _old(data) -> str:
    return OLD.render(None, data, response_status=200)


def _new(data) -> bytes:
    return NEW.render(None, data, response_status=200)


class Colour(models.TextChoices):
    RED = "red", "Red"


class Kind(enum.StrEnum):
    A = "a"


class Inner(Schema):
    when: dt.datetime
    amount: Decimal


UTC = dt.UTC
SHANGHAI = ZoneInfo("Asia/Shanghai")


@pytest.mark.parametrize("value", [
    dt.datetime(2026, 12, 7, 18, 30, 5, 123456, tzinfo=UTC),      # milliseconds, and Z for UTC
    dt.datetime(2026, 12, 7, 18, 30, 5, tzinfo=UTC),
    dt.datetime(2026, 12, 7, 18, 30, 5, 999, tzinfo=SHANGHAI),    # an offset other than UTC
    dt.datetime(2026, 12, 7, 18, 30, 5, 120000),                  # naive
    dt.date(2026, 2, 28),
    dt.time(9, 5, 7, 654321),
    dt.time(9, 5),
    Decimal("12.50"), Decimal("-0.000100"), Decimal("1E+3"),
    uuid.UUID("0b0ee952-376c-45ea-ab48-cdbfcd985361"),
    gettext_lazy("Not found."),
    Colour.RED, Kind.A,
    "星河智造 — ünïcode \u2028 \"quoted\" \\ </script>", "", "\x00\x1f",
    0, -1, 2**63 - 1, -(2**63), 2**64, 10**30,                    # past 64 bits: ninja's renderer writes them
    1.5, 0.1, 1e16, 1e-7, -0.0, np.float64(2.25),
    True, False, None,
    [1, "a", None], (1, 2), {"a": {"b": [dt.date(2026, 1, 1)]}},
    {1: "int key", "2": "str key"},                               # non-string keys: ninja's renderer writes them
    "\ud800 unpaired surrogate",
    Inner(when=dt.datetime(2026, 1, 2, 3, 4, 5, 678901, tzinfo=UTC), amount=Decimal("3.10")),
    {"items": [{"id": 1, "hire_date": dt.date(2019, 5, 6), "manager": None}], "count": 1},
])
def test_same_values_as_ninjas_json_renderer(value):
    old, new = _old({"v": value}), _new({"v": value})
    assert json.loads(new) == json.loads(old)


def test_strings_are_utf8_not_escapes_and_compact():
    assert _new({"name": "星河", "n": [1, 2]}) == '{"name":"星河","n":[1,2]}'.encode()


def test_lazy_translations_are_read_in_the_active_language():
    message = {"d": gettext_lazy("Not found.")}
    with override("zh-hans"):
        assert json.loads(_new(message)) == json.loads(_old(message)) != {"d": "Not found."}


def test_what_json_refused_is_still_refused():
    for value in ({1, 2}, b"bytes", object(), np.int64(3), {(1, 2): "tuple key"}):
        with pytest.raises(TypeError):
            _old({"v": value})
        with pytest.raises(TypeError):
            _new({"v": value})


def test_nan_and_infinity_are_null():
    """The one deliberate difference: ``json`` wrote ``NaN``, which no JSON parser accepts."""
    assert _new({"a": float("nan"), "b": float("inf"), "c": np.float64("-inf")}) == b'{"a":null,"b":null,"c":null}'


def test_the_api_renders_with_orjson():
    assert isinstance(api.renderer, OrjsonRenderer)
    assert api.get_content_type() == "application/json; charset=utf-8"


# ---------------------------------------------------------------- whole answers, old and new


@pytest.fixture
def both_ways(monkeypatch):
    """``get(client, path)``: the answer with the API's renderer and with ninja's ``json.dumps`` one."""

    def answer(client, method, path, body=None):
        call = getattr(client, method)
        kwargs = {"content_type": "application/json", "data": json.dumps(body)} if body is not None else {}
        return call(path, **kwargs)

    def both(client, path, method="get", body=None):
        new = answer(client, method, path, body)
        with monkeypatch.context() as patch:
            patch.setattr(api, "renderer", OLD)
            old = answer(client, method, path, body)
        return old, new

    return both


@pytest.mark.django_db
def test_answers_hold_the_same_values_as_before(world, api_client_for, both_ways):
    hr = api_client_for("hr")
    employee = world.emp(world.employee)
    # Some data with datetimes, Decimals, dicts and translations in it.
    hr.post(f"/api/v1/employees/{employee.pk}/events",
            {"kind": "promotion", "effective_date": dt.date.today().isoformat(), "level": 4, "note": "晋升"},
            content_type="application/json")
    created = hr.post("/api/v1/metrics", {"key": "api-renderer", "name": "渲染", "ratio_scale": "1000.5",
                                          "zero_point": "-0.25"}, content_type="application/json")
    assert created.status_code == 201, created.content
    hr.get("/api/v1/auth/tokens")  # the token's first use stamps it; both answers below see the stamp
    paths = [
        "/api/v1/employees?limit=200", f"/api/v1/employees/{employee.pk}", f"/api/v1/employees/{employee.pk}/events",
        "/api/v1/org-units", "/api/v1/job-families", "/api/v1/positions", "/api/v1/people/search?q=lead",
        "/api/v1/auth/tokens", "/api/v1/me", "/api/v1/metrics", "/api/v1/notifications",
        "/api/v1/notifications/preferences", "/api/v1/periods",
        "/api/v1/employees/999999",                          # 404
        "/api/v1/employees?limit=0",                         # 422 with field errors
    ]
    for client, path in [(hr, p) for p in paths] + [(api_client_for("employee"), "/api/v1/employees"),
                                                     (api_client_for(None), "/api/v1/employees")]:  # 401
        old, new = both_ways(client, path)
        assert (new.status_code, new["Content-Type"]) == (old.status_code, old["Content-Type"]), path
        assert json.loads(new.content) == json.loads(old.content), path
    # A refusal with a translated message (403 of a read-only token on a write).
    reader = api_client_for("hr", scope="read")
    old, new = both_ways(reader, f"/api/v1/employees/{employee.pk}", method="patch", body={"phone": "1"})
    assert new.status_code == old.status_code == 403
    assert json.loads(new.content) == json.loads(old.content)
