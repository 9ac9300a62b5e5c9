"""Pydantic's validation errors in the reader's language, keyed by field the way the API answers them.

Pydantic writes its messages in English only; a client reading zh-Hans must get its field errors in
zh-Hans like every other message of the API. Each error is translated from its ``type`` and ``ctx``
(stable across pydantic releases), never from its English ``msg``. Where Django or this project
already has a message for the same fault, its wording is reused so the catalogues hold one
translation of it. A type not listed keeps pydantic's own message: errors raised by our own
validators (``PydanticCustomError``, ``ValueError``) are already translated when raised.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from pydantic import BaseModel, ValidationError

# The segments ninja puts before a field's name: where the value came from, and the name of the
# view's argument when a schema is flattened into it.
SOURCE_SEGMENTS = ("body", "query", "path", "payload")
ARGUMENT_SEGMENTS = ("data", "filters")


def _ctx(error: Mapping[str, Any], name: str, default: Any = "") -> Any:
    return (error.get("ctx") or {}).get(name, default)


def _count(error: Mapping[str, Any], name: str) -> int:
    try:
        return int(_ctx(error, name, 0))
    except (TypeError, ValueError):
        return 0


def _too_short_text(error: Mapping[str, Any]) -> str:
    n = _count(error, "min_length")
    if n <= 1:
        return _("This field cannot be blank.")
    return ngettext("At least %(n)d character.", "At least %(n)d characters.", n) % {"n": n}


def _too_short_list(error: Mapping[str, Any]) -> str:
    n = _count(error, "min_length")
    return ngettext("At least %(n)d item.", "At least %(n)d items.", n) % {"n": n}


def _too_long_list(error: Mapping[str, Any]) -> str:
    n = _count(error, "max_length")
    return ngettext("At most %(n)d item.", "At most %(n)d items.", n) % {"n": n}


def _digits(error: Mapping[str, Any]) -> str:
    n = _count(error, "max_digits")
    return ngettext("Ensure that there are no more than %(max)s digit in total.",
                    "Ensure that there are no more than %(max)s digits in total.", n) % {"max": n}


def _places(error: Mapping[str, Any]) -> str:
    n = _count(error, "decimal_places")
    return ngettext("Ensure that there are no more than %(max)s decimal place.",
                    "Ensure that there are no more than %(max)s decimal places.", n) % {"max": n}


def _whole_digits(error: Mapping[str, Any]) -> str:
    n = _count(error, "whole_digits")
    return ngettext("Ensure that there are no more than %(max)s digit before the decimal point.",
                    "Ensure that there are no more than %(max)s digits before the decimal point.", n) % {"max": n}


def _choices(error: Mapping[str, Any]) -> str:
    # pydantic lists the choices in English ("'a', 'b' or 'c'"): a plain list reads in any language.
    return _("Choose one of: %(choices)s.") % {"choices": str(_ctx(error, "expected")).replace(" or ", ", ")}


def _raised(error: Mapping[str, Any]) -> str:
    """A validator of ours raised ValueError or AssertionError: its own text, without pydantic's prefix."""
    raised = _ctx(error, "error", None)
    return str(raised) if raised not in (None, "") else str(error.get("msg", ""))


# type -> the message, worked out when the error is read (so in the language of the request).
_MESSAGES: dict[str, Callable[[Mapping[str, Any]], str]] = {
    "missing": lambda e: _("This field is required."),
    "extra_forbidden": lambda e: _("Unknown field."),
    "string_type": lambda e: _("Must be a string."),
    "string_too_short": _too_short_text,
    "string_too_long": lambda e: _("At most %(n)d characters.") % {"n": _count(e, "max_length")},
    "string_pattern_mismatch": lambda e: _("Enter a valid value."),
    "int_type": lambda e: _("Enter a whole number."),
    "int_parsing": lambda e: _("Enter a whole number."),
    "int_from_float": lambda e: _("Enter a whole number."),
    "int_parsing_size": lambda e: _("Enter a whole number."),
    "float_type": lambda e: _("Enter a number."),
    "float_parsing": lambda e: _("Enter a number."),
    "decimal_type": lambda e: _("Must be a finite number."),
    "decimal_parsing": lambda e: _("Must be a finite number."),
    "finite_number": lambda e: _("Must be a finite number."),
    "decimal_max_digits": _digits,
    "decimal_max_places": _places,
    "decimal_whole_digits": _whole_digits,
    "bool_type": lambda e: _("Must be true or false."),
    "bool_parsing": lambda e: _("Must be true or false."),
    "datetime_type": lambda e: _("Enter a valid date/time."),
    "datetime_parsing": lambda e: _("Enter a valid date/time."),
    "datetime_from_date_parsing": lambda e: _("Enter a valid date/time."),
    "datetime_object_invalid": lambda e: _("Enter a valid date/time."),
    "date_type": lambda e: _("Enter a valid date."),
    "date_parsing": lambda e: _("Enter a valid date."),
    "date_from_datetime_parsing": lambda e: _("Enter a valid date."),
    "date_from_datetime_inexact": lambda e: _("Enter a valid date."),
    "time_type": lambda e: _("Enter a valid time."),
    "time_parsing": lambda e: _("Enter a valid time."),
    "time_delta_type": lambda e: _("Enter a valid duration."),
    "time_delta_parsing": lambda e: _("Enter a valid duration."),
    "uuid_type": lambda e: _("Enter a valid UUID."),
    "uuid_parsing": lambda e: _("Enter a valid UUID."),
    "url_type": lambda e: _("Enter a valid URL."),
    "url_parsing": lambda e: _("Enter a valid URL."),
    "url_scheme": lambda e: _("Enter a valid URL."),
    "greater_than": lambda e: _("Ensure this value is greater than %(limit_value)s.") % {
        "limit_value": _ctx(e, "gt")},
    "greater_than_equal": lambda e: _("Ensure this value is greater than or equal to %(limit_value)s.") % {
        "limit_value": _ctx(e, "ge")},
    "less_than": lambda e: _("Ensure this value is less than %(limit_value)s.") % {"limit_value": _ctx(e, "lt")},
    "less_than_equal": lambda e: _("Ensure this value is less than or equal to %(limit_value)s.") % {
        "limit_value": _ctx(e, "le")},
    "multiple_of": lambda e: _("Ensure this value is a multiple of step size %(limit_value)s.") % {
        "limit_value": _ctx(e, "multiple_of")},
    "literal_error": _choices,
    "enum": _choices,
    "list_type": lambda e: _("Must be a list."),
    "tuple_type": lambda e: _("Must be a list."),
    "set_type": lambda e: _("Must be a list."),
    "dict_type": lambda e: _("Must be an object."),
    "model_type": lambda e: _("Must be an object."),
    "model_attributes_type": lambda e: _("Must be an object."),
    "json_invalid": lambda e: _("Not valid JSON."),
    "json_type": lambda e: _("Not valid JSON."),
    "too_short": _too_short_list,
    "too_long": _too_long_list,
    "value_error": _raised,
    "assertion_error": _raised,
}


def error_message(error: Mapping[str, Any]) -> str:
    """One pydantic error (an item of ``ValidationError.errors()``) as a sentence in the active language."""
    message = _MESSAGES.get(str(error.get("type", "")))
    return message(error) if message is not None else str(error.get("msg", ""))


def error_field(loc: Sequence[Any]) -> str:
    """The key the API names a field by: the dotted path without where the value came from (body,
    query, ...) nor the view argument the schema was bound to; ``__all__`` for the whole value."""
    path = [str(p) for p in loc if p not in SOURCE_SEGMENTS]
    if len(path) > 1 and path[0] in ARGUMENT_SEGMENTS:
        path = path[1:]
    return ".".join(path) or "__all__"


def pydantic_errors(errors: Iterable[Mapping[str, Any]]) -> dict[str, list[str]]:
    """Pydantic's errors as the API's ``errors`` object: {field: [messages]}, each message once."""
    out: dict[str, list[str]] = {}
    for error in errors:
        messages = out.setdefault(error_field(error.get("loc", ())), [])
        message = error_message(error)
        if message not in messages:
            messages.append(message)
    return out


def item_errors(schema: type[BaseModel], items: Sequence[Any]) -> dict[int, dict[str, list[str]]]:
    """Validate each item of a bulk request with its schema on its own: {index: field errors} of the
    items refused (an empty dict when all pass), so one bad item never refuses the whole body.

    An item that is not a JSON object is refused as a whole (``__all__``): a schema reading attributes
    (ninja's do) would otherwise report every field of a string or a list as missing.
    """
    refused: dict[int, dict[str, list[str]]] = {}
    for index, raw in enumerate(items):
        if not isinstance(raw, dict):
            refused[index] = {"__all__": [_("Each item must be an object.")]}
            continue
        try:
            schema.model_validate(raw)
        except ValidationError as exc:
            refused[index] = pydantic_errors(exc.errors(include_url=False))
    return refused
