"""Schemas shared by every app's API."""

from typing import Annotated

from django.core.validators import ProhibitNullCharactersValidator
from ninja import FilterSchema, Schema
from pydantic import BaseModel, Field, field_validator
from pydantic_core import PydanticCustomError


class ErrorOut(Schema):
    detail: str
    errors: dict[str, list[str]] = {}


class InSchema(Schema):
    """Base for request bodies and query parameters: text may not hold NUL characters, which
    PostgreSQL cannot store (a 500 otherwise) and no person's data ever needs."""

    @field_validator("*", mode="after")
    @classmethod
    def _no_null_characters(cls, value):
        if has_null_character(value):
            raise PydanticCustomError("null_characters", str(ProhibitNullCharactersValidator.message))
        return value


class InItem(BaseModel):
    """Base for the items of a bulk body, validated one by one (``core.validation.item_errors``): the
    same NUL rule as :class:`InSchema`, on plain pydantic — ninja's ``Schema`` reads every field through
    its attribute getter, about six times slower over a batch of thousands of items."""

    @field_validator("*", mode="after")
    @classmethod
    def _no_null_characters(cls, value):
        if has_null_character(value):
            raise PydanticCustomError("null_characters", str(ProhibitNullCharactersValidator.message))
        return value


def has_null_character(value) -> bool:
    """True when text anywhere in ``value`` (strings inside lists and dicts too) holds a NUL."""
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, (list, tuple, set)):
        return any(has_null_character(v) for v in value)
    if isinstance(value, dict):
        return any(has_null_character(k) or has_null_character(v) for k, v in value.items())
    return False


ERRORS = {400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut, 422: ErrorOut}


# An id in a request: positive and within the range every supported database stores.
Id = Annotated[int, Field(ge=1, le=2**53)]


class FiltersIn(FilterSchema, InSchema):
    """Base for the filters of a list endpoint: ninja's FilterSchema (each set field narrows the scoped
    queryset by its lookup, an unset one does nothing) with the request checks of :class:`InSchema`."""
