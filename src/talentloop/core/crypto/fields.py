"""Encrypted model fields bound to their row.

A value is encrypted with ``crypto.aad_for(table, column, row_uid)`` as associated data, so a ciphertext
copied into another row, another column or another table does not open. ``row_uid`` comes from
``EncryptedRowMixin``: a UUID given when the object is made, so it exists before the INSERT (a primary
key does not, for ``bulk_create`` on every engine).

Django hands ``from_db_value`` and ``get_prep_value`` no model instance, so the work happens where the
instance is known:

- reading: the column's envelope is kept as a ``Sealed`` value and opened by the attribute's descriptor
  on first access, with that object's ``row_uid`` (values nobody reads are never decrypted);
- writing: ``pre_save`` (called by ``save()`` and ``bulk_create``) encrypts for the object being written
  and hands a ``Ciphertext`` on; ``EncryptedRowQuerySet.bulk_update`` does the same per object.

Limits, each refused with a clear error rather than a wrong write: ``QuerySet.update()`` of an encrypted
field with a value (clearing it to ``""`` or ``None`` is fine), a lookup comparing an encrypted field with
a value, ``bulk_create(update_conflicts=True)`` updating an encrypted field, and ``.values()``/
``.values_list()`` of an encrypted field read as text (they give ``Sealed`` envelopes). Raw saves
(``loaddata``) skip ``pre_save`` and are refused too.
"""

from __future__ import annotations

import uuid

from django.core import checks
from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django.db.models.query_utils import DeferredAttribute

from talentloop.core import crypto

ROW_UID = "row_uid"


class EncryptedWriteRefused(ValueError):
    """A plain value reached the database without its row (``update()``, a lookup, a raw save): it could
    not be bound to a row, so it is not written."""


class Sealed:
    """An envelope read from the database, not opened yet: only its row can open it."""

    __slots__ = ("token",)

    def __init__(self, token: str):
        self.token = token

    def __repr__(self) -> str:
        return "<Sealed encrypted value>"

    def __str__(self) -> str:
        raise TypeError("An encrypted value was read without its row (values()/values_list()); "
                        "read it from the model object.")

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Sealed) and other.token == self.token

    def __hash__(self) -> int:
        return hash(self.token)

    def __getstate__(self):
        return self.token

    def __setstate__(self, state):
        self.token = state


class Ciphertext(str):
    """An envelope made for one row, on its way to the database (the field writes it as it is)."""

    __slots__ = ()


class EncryptedAttribute(DeferredAttribute):
    """A data descriptor (it has ``__set__``), so every read goes through ``__get__`` and a ``Sealed``
    value is opened with the object it belongs to."""

    def __get__(self, instance, cls=None):
        if instance is None:
            return self
        data = instance.__dict__
        name = self.field.attname
        if name not in data:
            # A deferred value: fetch it with the row's uid in the same query (refresh_from_db opens the
            # value on the object it loads, which needs that object's uid).
            instance.refresh_from_db(fields=[name, ROW_UID])
        value = data[name]
        if isinstance(value, Sealed):
            value = self.field.open(instance, value.token)
            data[name] = value
        return value

    def __set__(self, instance, value):
        instance.__dict__[self.field.attname] = value


class EncryptedTextField(models.TextField):
    """Stores a value encrypted at rest, bound to its table, column and row; Python code sees the plain
    text. The model must have a ``row_uid`` (``EncryptedRowMixin``)."""

    descriptor_class = EncryptedAttribute

    def aad(self, instance: models.Model) -> str:
        return crypto.aad_for(instance._meta.db_table, self.column, getattr(instance, ROW_UID))

    def open(self, instance: models.Model, token: str) -> str:
        return crypto.decrypt(token, self.aad(instance))

    def open_sealed(self, value: Sealed, row_uid: object) -> str:
        """A value read with ``values_list()`` beside its row's ``row_uid``: for bulk reads that build no
        model objects (a payroll run opens some 300,000 salary amounts)."""
        return crypto.decrypt(value.token, crypto.aad_for(self.model._meta.db_table, self.column, row_uid))

    def seal(self, instance: models.Model, value: str) -> Ciphertext:
        return Ciphertext(crypto.encrypt(str(value), self.aad(instance)))

    def from_db_value(self, value, expression, connection):
        if value is None or value == "":
            return value
        return Sealed(value)

    def pre_save(self, model_instance, add):
        value = getattr(model_instance, self.attname)
        if value is None or value == "" or isinstance(value, Ciphertext) or hasattr(value, "resolve_expression"):
            return value
        return self.seal(model_instance, value)

    def get_prep_value(self, value):
        if isinstance(value, Ciphertext):
            return str(value)
        value = super().get_prep_value(value)
        if value is None or value == "":
            return value
        raise EncryptedWriteRefused(
            f"{self.model._meta.label}.{self.name} is encrypted for its row: write it with save(), bulk_create() "
            f"or bulk_update(); QuerySet.update() may only clear it, and lookups cannot compare it with a value.")

    def check(self, **kwargs):
        errors = super().check(**kwargs)
        meta = self.model._meta
        if not meta.abstract:
            try:
                uid = meta.get_field(ROW_UID)
            except FieldDoesNotExist:
                uid = None
            if not isinstance(uid, models.UUIDField) or not uid.unique:
                errors.append(checks.Error(
                    f"{meta.label} has an encrypted field but no unique `{ROW_UID}` UUID column.",
                    hint="Inherit talentloop.core.crypto.fields.EncryptedRowMixin.", obj=self,
                    id="talentloop.E101"))
        return errors

    def deconstruct(self):
        name, _path, args, kwargs = super().deconstruct()
        return name, "talentloop.core.crypto.fields.EncryptedTextField", args, kwargs


def encrypted_fields(model) -> list[str]:
    return [f.name for f in model._meta.get_fields() if isinstance(f, EncryptedTextField)]


def _own_encrypted(model) -> list[EncryptedTextField]:
    return [f for f in model._meta.concrete_fields if isinstance(f, EncryptedTextField)]


class EncryptedRowQuerySet(models.QuerySet):
    """Bulk writes that bind each encrypted value to its own row."""

    def bulk_update(self, objs, fields, *args, **kwargs):
        objs, fields = list(objs), list(fields)
        sealed = [f for f in _own_encrypted(self.model) if f.name in fields or f.attname in fields]
        if not sealed:
            return super().bulk_update(objs, fields, *args, **kwargs)
        # Django reads each value with getattr(obj, attname): hand it the row's ciphertext for the
        # duration of the call, then give the objects their plain values back.
        kept: list[tuple[models.Model, str, object]] = []
        try:
            for obj in objs:
                for field in sealed:
                    plain = getattr(obj, field.attname)
                    kept.append((obj, field.attname, plain))
                    obj.__dict__[field.attname] = field.pre_save(obj, add=False)
            return super().bulk_update(objs, fields, *args, **kwargs)
        finally:
            for obj, attname, plain in kept:
                obj.__dict__[attname] = plain

    def bulk_create(self, objs, *args, **kwargs):
        if kwargs.get("update_conflicts"):
            names = {f.name for f in _own_encrypted(self.model)}
            if names.intersection(kwargs.get("update_fields") or ()):
                # The conflicting row keeps its own row_uid, so a value sealed for the new object would
                # not open there.
                raise EncryptedWriteRefused("An upsert cannot update an encrypted field; save the row instead.")
        return super().bulk_create(objs, *args, **kwargs)

    def only(self, *fields):
        own = {f.name for f in _own_encrypted(self.model)}
        if own.intersection(fields) and ROW_UID not in fields:
            fields = (*fields, ROW_UID)
        return super().only(*fields)


class EncryptedRowMixin(models.Model):
    """For a model with encrypted fields: the per-row uid they are bound to, and a manager whose bulk
    writes bind each value to its row. A model with its own manager builds it on ``EncryptedRowQuerySet``."""

    row_uid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)

    objects = EncryptedRowQuerySet.as_manager()

    class Meta:
        abstract = True
