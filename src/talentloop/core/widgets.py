"""Date and time inputs that browsers understand in every language.

An ``<input type="date">`` holds only an ISO value (``2026-12-07``); anything else, such as the
``2026/12/07`` Django writes under zh-Hans's first DATE_INPUT_FORMATS, is discarded, so the field
comes back empty and the form fails with "required". These widgets always write ISO values
(``datetime-local``: ``2026-12-07T09:30``; ``time``: ``09:30``), whatever the reader's language.
Django's date, datetime and time fields read these values in every language (zh-Hans and en list
``%Y-%m-%d`` and ``%H:%M``; datetime fields fall back to ISO 8601). Every form field holding a date
or time uses one of these widgets (a test checks all forms).
"""

from __future__ import annotations

from django import forms

ISO_DATE = "%Y-%m-%d"
ISO_DATETIME = "%Y-%m-%dT%H:%M"
ISO_TIME = "%H:%M"


class DateInput(forms.DateInput):
    """``<input type="date">`` with an ISO value."""

    input_type = "date"

    def __init__(self, attrs=None, format=None):  # noqa: A002 - Django's own argument name
        super().__init__(attrs=attrs, format=format or ISO_DATE)


class DateTimeInput(forms.DateTimeInput):
    """``<input type="datetime-local">`` with an ISO value to the minute (in the current time zone)."""

    input_type = "datetime-local"

    def __init__(self, attrs=None, format=None):  # noqa: A002
        super().__init__(attrs=attrs, format=format or ISO_DATETIME)


class TimeInput(forms.TimeInput):
    """``<input type="time">`` with an ISO value to the minute."""

    input_type = "time"

    def __init__(self, attrs=None, format=None):  # noqa: A002
        super().__init__(attrs=attrs, format=format or ISO_TIME)
