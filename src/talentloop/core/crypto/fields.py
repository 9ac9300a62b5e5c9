from __future__ import annotations

from django.db import models

from talentloop.core import crypto


class EncryptedTextField(models.TextField):
    """Stores a value encrypted at rest; Python code sees the plain text.

    The field name is the additional authenticated data, so a ciphertext cannot be moved from
    one column into another unnoticed.
    """

    def from_db_value(self, value, expression, connection):
        if value is None or value == "":
            return value
        return crypto.decrypt(value, aad=self.name)

    def get_prep_value(self, value):
        value = super().get_prep_value(value)
        if value is None or value == "":
            return value
        return crypto.encrypt(value, aad=self.name)

    def deconstruct(self):
        name, _path, args, kwargs = super().deconstruct()
        return name, "talentloop.core.crypto.fields.EncryptedTextField", args, kwargs


def encrypted_fields(model) -> list[str]:
    return [f.name for f in model._meta.get_fields() if isinstance(f, EncryptedTextField)]
