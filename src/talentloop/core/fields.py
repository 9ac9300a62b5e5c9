"""Model fields shared by the apps."""

from __future__ import annotations

import json
from typing import Any

from django.db import models


class JSONTextField(models.JSONField):
    """A JSON document kept as the text it was written as (a ``text`` column on every database).

    For documents that are written in bulk and read whole, never searched inside: PostgreSQL parses a
    ``jsonb`` value into its binary form on every write, which for a recomputation's score
    explanations (about 3 KB each) cost more server time than storing them (10,000 rows: about 0.4 s
    as ``jsonb``, 0.02 s as text). Values read back are decoded as with ``JSONField``; lookups into
    the document (``detail__key``) are not offered, since the database sees only text.
    """

    def db_type(self, connection) -> str:
        return "text"

    def get_db_prep_value(self, value: Any, connection, prepared: bool = False) -> Any:
        if not prepared:
            value = self.get_prep_value(value)
        if hasattr(value, "as_sql"):  # an expression: the database works it out
            return value
        if value is None:
            return None
        return json.dumps(value, cls=self.encoder, ensure_ascii=False, separators=(",", ":"))

    def get_transform(self, name: str):
        # Only the plain field's transforms: no key lookups into what the database holds as text.
        return models.Field.get_transform(self, name)
