"""The bulk observation endpoint validates each item with ObservationIn, reports it by its position in
the request, in the reader's language, and keeps the meaning of ``partial``."""

from __future__ import annotations

import pytest

from talentloop.performance.models import IngestBatch, Observation
from talentloop.performance.tests.test_recompute import obs, setup  # noqa: F401  (fixture)

pytestmark = pytest.mark.django_db

URL = "/api/v1/observations"


def _batch(emp) -> list:
    """good, wrong types, missing field, unknown metric, good, not an object."""
    return [
        obs(emp, "tasks-done", 1, 2, "ok-1"),
        {**obs(emp, "tasks-done", 1, 2, "types"), "value": "lots", "employee_id": "x"},
        {key: value for key, value in obs(emp, "tasks-done", 1, 2, "missing").items() if key != "source"},
        obs(emp, "no-such-metric", 1, 2, "unknown"),
        obs(emp, "tasks-done", 1, 3, "ok-2"),
        "not an object",
    ]


def _post(client, items, *, partial: bool, language: str = "en"):
    return client.post(URL, {"items": items, "partial": partial}, content_type="application/json",
                       HTTP_ACCEPT_LANGUAGE=language)


EXPECTED_EN = [
    {"index": 1, "errors": {"value": ["Must be a finite number."], "employee_id": ["Enter a whole number."]}},
    {"index": 2, "errors": {"source": ["This field is required."]}},
    {"index": 3, "errors": {"metric": ["Unknown metric."]}},
    {"index": 5, "errors": {"__all__": ["Each item must be an object."]}},
]


def test_without_partial_nothing_is_written_and_every_rejection_is_listed(world, setup, api_client_for):  # noqa: F811
    emp = world.emp(world.employee)
    r = _post(api_client_for("hr"), _batch(emp), partial=False)
    assert r.status_code == 422, r.content
    body = r.json()
    assert body["rejected"] == EXPECTED_EN
    assert body["detail"] == "4 item(s) were rejected; nothing was written."
    assert body["errors"] == {"items": ["Item 1 is invalid.", "Item 2 is invalid.", "Item 3 is invalid.",
                                        "Item 5 is invalid."]}
    assert not Observation.objects.exists() and not IngestBatch.objects.exists()


def test_with_partial_the_good_items_are_kept(world, setup, api_client_for):  # noqa: F811
    emp = world.emp(world.employee)
    r = _post(api_client_for("hr"), _batch(emp), partial=True)
    assert r.status_code == 200, r.content
    assert r.json() == {"accepted": 2, "duplicates": 0, "corrections": 0, "rejected": EXPECTED_EN}
    assert set(Observation.objects.values_list("external_id", flat=True)) == {"ok-1", "ok-2"}
    # The batch record counts every item sent: those the schema refused too.
    batch = IngestBatch.objects.get()
    assert (batch.accepted, batch.rejected) == (2, len(EXPECTED_EN))
    # Resent: the good ones are duplicates now, the same rejections by the same positions.
    r = _post(api_client_for("hr"), _batch(emp), partial=True)
    assert r.json() == {"accepted": 0, "duplicates": 2, "corrections": 0, "rejected": EXPECTED_EN}


@pytest.mark.parametrize("partial", [False, True])
def test_rejections_read_in_chinese(world, setup, api_client_for, partial):  # noqa: F811
    emp = world.emp(world.employee)
    r = _post(api_client_for("hr"), _batch(emp), partial=partial, language="zh-hans")
    assert r.status_code == (200 if partial else 422), r.content
    rejected = {item["index"]: item["errors"] for item in r.json()["rejected"]}
    assert sorted(rejected) == [1, 2, 3, 5]
    assert rejected[1] == {"value": ["必须是有限数值。"], "employee_id": ["请输入整数。"]}
    assert rejected[2] == {"source": ["此字段为必填项。"]}
    assert rejected[3] == {"metric": ["未知指标。"]}
    assert rejected[5] == {"__all__": ["每一项都必须是对象。"]}


def test_a_refused_item_also_names_the_faults_the_ingestion_finds(world, setup, api_client_for):  # noqa: F811
    """A malformed value and id beside an unknown field: one rejection naming them all, one message per
    field (the schema's wording where both checks fault the same field: the id is not "positive integer"
    twice in two wordings)."""
    emp = world.emp(world.employee)
    item = {**obs(emp, "tasks-done", 1, 2, "x"), "value": "lots", "employee_id": 0, "colour": "red"}
    for partial in (False, True):
        r = _post(api_client_for("hr"), [obs(emp, "tasks-done", 1, 2, "fine"), item], partial=partial)
        assert r.json()["rejected"] == [{"index": 1, "errors": {
            "value": ["Must be a finite number."],
            "employee_id": ["Ensure this value is greater than or equal to 1."],
            "__all__": ["Unknown fields: colour"]}}]


def test_the_schema_accepts_what_the_other_channels_accept(world, setup, api_client_for):  # noqa: F811
    """Ids sent as numbers, padded text and Django's looser times pass the schema as they pass the webhook."""
    emp = world.emp(world.employee)
    item = {**obs(emp, "tasks-done", 1, 2, "x"), "external_id": 12345, "source": "  git  ",
            "occurred_at": "2026-3-2 9:30"}
    r = _post(api_client_for("hr"), [item], partial=False)
    assert r.status_code == 200, r.content
    assert r.json()["accepted"] == 1
    assert Observation.objects.get().external_id == "12345"


def test_checks_that_come_before_the_items_are_unchanged(world, setup, api_client_for):  # noqa: F811
    emp = world.emp(world.employee)
    bad = {**obs(emp, "tasks-done", 1, 2, "b"), "value": "lots"}
    # an employee may not send observations, bad items or not
    for partial in (False, True):
        assert _post(api_client_for("employee"), [bad], partial=partial).status_code == 403
    # an oversized batch is refused whole
    r = _post(api_client_for("hr"), [bad] * 5001, partial=True)
    assert r.status_code == 413 and "5000" in r.json()["detail"]
    # the list itself is still checked by the body's schema
    r = _post(api_client_for("hr"), {"not": "a list"}, partial=False)
    assert r.status_code == 422 and r.json()["errors"] == {"items": ["Must be a list."]}


NUL_MESSAGE = "Null characters are not allowed."


@pytest.mark.parametrize("where", ["text", "key", "nested", "subject number"])
def test_a_null_character_anywhere_in_the_items_refuses_the_body(world, setup, api_client_for, where):  # noqa: F811
    """As every request body: PostgreSQL cannot store a NUL, so none is let through, wherever it is."""
    emp = world.emp(world.employee)
    good = obs(emp, "tasks-done", 1, 2, "ok")
    bad = {"text": {**obs(emp, "tasks-done", 1, 2, "x"), "external_id": "a\x00b"},
           "key": {**obs(emp, "tasks-done", 1, 2, "x"), "note\x00": 1},
           "nested": {**obs(emp, "tasks-done", 1, 2, "x"), "value": ["1", {"k": "\x00"}]},
           "subject number": {**obs(emp, "tasks-done", 1, 2, "x"), "employee_number": "\x00", "employee_id": None},
           }[where]
    for partial in (False, True):
        r = _post(api_client_for("hr"), [good, bad], partial=partial)
        assert r.status_code == 422, r.content
        assert r.json()["errors"] == {"items": [NUL_MESSAGE]}
    assert not Observation.objects.exists() and not IngestBatch.objects.exists()


@pytest.mark.parametrize("value", [
    [], [{}], [{"a": "b", "c": 1, "d": 1.5, "e": None, "f": True}], ["plain \x00 string"], [["x", "\x00"]],
    [{"a": ("t", "\x00")}], [{"a": {"b": ["c", "\x00"]}}], [{"a\x00": 1}], [{1: "x"}], [{"a": {"b\x00": 1}}],
    [{"a": "b"}, "c\x00"], [{"a": "b"}, 3, None], ("tuple", "\x00"), "text\x00", 5,
])
def test_the_body_s_null_character_check_sees_what_the_general_one_sees(value):
    from talentloop.core.schemas import has_null_character
    from talentloop.performance.api.scores import _items_hold_null_character

    assert _items_hold_null_character(value) == has_null_character(value)


def test_an_item_s_null_character_is_named_by_its_field():
    """Read on its own (as ``item_errors`` does), an item refuses a NUL in a text field, by name."""
    from pydantic import ValidationError

    from talentloop.performance.api.scores import ObservationIn

    item = {"metric": "m", "value": 1, "occurred_at": "2026-03-02T09:30:00+08:00", "source": "s\x00",
            "external_id": "e", "employee_id": 1}
    with pytest.raises(ValidationError) as caught:
        ObservationIn.model_validate(item)
    assert [(e["loc"], e["type"]) for e in caught.value.errors()] == [(("source",), "null_characters")]
    assert ObservationIn.model_validate({**item, "source": " s "}).source == "s"
