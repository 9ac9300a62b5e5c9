"""Names and titles in two languages: the organisation's own (Chinese) and English.

A translated text is two columns, ``<field>`` (required where the model says so) and its English
twin ``<field>_en`` (always optional). ``bilingual()`` declares the pair so every twin is built
the same way; ``localized()`` is the one rule for reading it: the English twin when the reader
reads English and the twin is filled, else the original. Notification payloads and other
dictionaries that carry ``x`` and ``x_en`` keys are read with the same rule.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.db import models
from django.utils import translation


def english_active() -> bool:
    return (translation.get_language() or "").startswith("en")


def localized(source: Any, field: str) -> Any:
    """``source.<field>_en`` (or ``source[field + '_en']``) for an English reader when it is filled,
    else ``source.<field>``. The value keeps its type, so a missing or empty key stays as it was."""
    if isinstance(source, Mapping):
        value, twin = source.get(field), source.get(f"{field}_en")
    else:
        value, twin = getattr(source, field, ""), getattr(source, f"{field}_en", "")
    return twin if twin and english_active() else value


def bilingual(verbose_name: str, english_verbose_name: str, *, max_length: int, text: bool = False,
              blank: bool = False) -> tuple[models.Field, models.Field]:
    """The field and its English twin, declared together: ``name, name_en = bilingual(...)``.
    The twin is the same kind of field with the same limit and may always be left empty."""
    kind = models.TextField if text else models.CharField
    return (kind(verbose_name, max_length=max_length, blank=blank),
            kind(english_verbose_name, max_length=max_length, blank=True))


class Bilingual:
    """``label``: the model's display text in the reader's language (``label_field`` and its twin)."""

    label_field = "name"

    @property
    def label(self) -> str:
        return localized(self, self.label_field)
