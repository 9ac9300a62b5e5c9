"""Pydantic's errors in the reader's language: the translator itself, and every 422 of the API."""

from __future__ import annotations

import datetime as dt
import decimal
import uuid
from typing import Literal

import pytest
from django.utils import translation
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from talentloop.core.validation import error_field, item_errors, pydantic_errors


class Everything(BaseModel):
    model_config = ConfigDict(extra="forbid")

    short: str = Field(max_length=3)
    blank: str = Field(min_length=1)
    pair: str = Field(min_length=2)
    coded: str = Field(pattern=r"^[a-z]+$")
    text: str
    low: int = Field(ge=1)
    high: int = Field(le=5)
    above: int = Field(gt=1)
    below: int = Field(lt=5)
    whole: int
    real: float
    money: decimal.Decimal
    infinite: decimal.Decimal
    digits: decimal.Decimal = Field(max_digits=4, decimal_places=1)
    flag: bool
    moment: dt.datetime
    day: dt.date
    choice: Literal["a", "b", "c"]
    tags: list[int] = Field(min_length=1, max_length=2)
    many: list[int] = Field(max_length=2)
    listed: list[int]
    mapping: dict
    ident: uuid.UUID
    checked: int
    needed: int

    @field_validator("checked")
    @classmethod
    def _refuse(cls, value):
        raise ValueError("Not this one.")


BAD = {"short": "abcd", "blank": "", "pair": "a", "coded": "A1", "text": 5, "low": 0, "high": 6, "above": 1,
       "below": 5, "whole": "x", "real": "x", "money": "lots", "infinite": "NaN", "digits": "123.45",
       "flag": "maybe", "moment": "later", "day": "x", "choice": "d", "tags": [], "many": [1, 2, 3],
       "listed": "x", "mapping": [], "ident": "x", "checked": 1, "unknown": 1}

EXPECTED_EN = {
    "short": ["At most 3 characters."],
    "blank": ["This field cannot be blank."],
    "pair": ["At least 2 characters."],
    "coded": ["Enter a valid value."],
    "text": ["Must be a string."],
    "low": ["Ensure this value is greater than or equal to 1."],
    "high": ["Ensure this value is less than or equal to 5."],
    "above": ["Ensure this value is greater than 1."],
    "below": ["Ensure this value is less than 5."],
    "whole": ["Enter a whole number."],
    "real": ["Enter a number."],
    "money": ["Must be a finite number."],
    "infinite": ["Must be a finite number."],
    "digits": ["Ensure that there are no more than 4 digits in total."],
    "flag": ["Must be true or false."],
    "moment": ["Enter a valid date/time."],
    "day": ["Enter a valid date."],
    "choice": ["Choose one of: 'a', 'b', 'c'."],
    "tags": ["At least 1 item."],
    "many": ["At most 2 items."],
    "listed": ["Must be a list."],
    "mapping": ["Must be an object."],
    "ident": ["Enter a valid UUID."],
    "checked": ["Not this one."],
    "needed": ["This field is required."],
    "unknown": ["Unknown field."],
}


def _errors(data: dict, schema: type[BaseModel] = Everything) -> list:
    with pytest.raises(ValidationError) as caught:
        schema.model_validate(data)
    return caught.value.errors(include_url=False)


def test_each_common_error_type_has_its_own_sentence():
    with translation.override("en"):
        assert pydantic_errors(_errors(BAD)) == EXPECTED_EN


def _chinese(text: str) -> bool:
    return any("\u4e00" <= char <= "\u9fff" for char in text)


# Wordings the catalogues (the project's or Django's) already translate; the other sentences are new
# and follow once the catalogues are updated.
TRANSLATED = ("needed", "text", "money", "infinite", "short", "blank", "low", "high", "whole", "real", "moment",
              "day", "ident", "listed", "unknown")


def test_the_sentences_follow_the_active_language():
    with translation.override("zh-hans"):
        errors = pydantic_errors(_errors(BAD))
    assert set(errors) == set(EXPECTED_EN)
    for name in TRANSLATED:
        assert len(errors[name]) == 1 and _chinese(errors[name][0]), (name, errors[name])
    assert errors["checked"] == ["Not this one."]  # our own validator's text, as it was raised


def test_an_unlisted_type_keeps_pydantic_message_and_a_field_names_each_message_once():
    errors = [{"type": "something_new", "loc": ("body", "data", "x"), "msg": "Something new"},
              {"type": "missing", "loc": ("body", "data", "x"), "msg": "Field required"},
              {"type": "missing", "loc": ("body", "data", "x"), "msg": "Field required"}]
    with translation.override("en"):
        assert pydantic_errors(errors) == {"x": ["Something new", "This field is required."]}


@pytest.mark.parametrize(("loc", "key"), [
    (("body", "data", "items", 0, "value"), "items.0.value"),
    (("query", "period"), "period"),
    (("query", "filters", "status"), "status"),
    (("body", "data"), "data"),
    (("body",), "__all__"),
    ((), "__all__"),
])
def test_fields_are_named_as_the_api_always_named_them(loc, key):
    assert error_field(loc) == key


class Item(BaseModel):
    name: str
    count: int = Field(ge=0)


def test_item_errors_reports_each_refused_item_by_its_position():
    items = [{"name": "a", "count": 1}, {"name": "b", "count": -1}, "text", {"count": "x"}]
    with translation.override("en"):
        assert item_errors(Item, items) == {
            1: {"count": ["Ensure this value is greater than or equal to 0."]},
            2: {"__all__": ["Each item must be an object."]},
            3: {"name": ["This field is required."], "count": ["Enter a whole number."]},
        }
    assert item_errors(Item, [{"name": "a", "count": 0}]) == {}


# Through the API: a schema's 422 speaks the reader's language.

@pytest.mark.django_db
@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_a_body_refused_by_its_schema_answers_in_the_reader_language(world, api_client_for, language):
    body = {"criteria": [{"key": "nope"}], "default_capacity": "many", "reminder_days": 99}
    r = api_client_for("hr").post("/api/v1/mentoring/policy", body, content_type="application/json",
                                  HTTP_ACCEPT_LANGUAGE=language)
    assert r.status_code == 422, r.content
    errors = r.json()["errors"]
    assert set(errors) == {"criteria.0.key", "default_capacity", "reminder_days"}
    if language == "en":
        assert r.json()["detail"] == "The request is not valid."
        assert errors == {
            "default_capacity": ["Enter a whole number."],
            "reminder_days": ["Ensure this value is less than or equal to 60."],
            "criteria.0.key": ["Choose one of: 'annual_rating_min', 'mentoring_experience_years', "
                               "'successful_mentees', 'certification', 'tenure_years', 'level_min'."],
        }
    else:
        assert _chinese(r.json()["detail"])
        assert _chinese(errors["default_capacity"][0]) and _chinese(errors["reminder_days"][0])
        assert "60" in errors["reminder_days"][0]


@pytest.mark.django_db
@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_a_query_refused_by_its_schema_answers_in_the_reader_language(world, api_client_for, language):
    emp = world.emp(world.employee)
    r = api_client_for("hr").get(f"/api/v1/employees/{emp.pk}/scores", HTTP_ACCEPT_LANGUAGE=language)
    assert r.status_code == 422, r.content
    [message] = r.json()["errors"]["period"]
    assert message == "This field is required." if language == "en" else _chinese(message)
