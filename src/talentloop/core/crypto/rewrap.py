"""Rewrite stored envelopes: every value into the current envelope (``enc2``) under the newest key.

Used by ``talentloop reencrypt`` (after adding a key) and, for values still in the first envelope
(``enc1``), after every ``migrate``: an upgraded installation converges on its own, so no value is left
that the application would refuse to open.

Envelopes are read without being opened (``values_list`` gives them sealed) and written back per batch
with one UPDATE per column; each write is conditional on the envelope still being the one read, so a
value saved meanwhile is never overwritten with an older one.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field

from django.apps import apps
from django.db import transaction
from django.db.models import Case, F, Q, Value, When

from talentloop.core import crypto
from talentloop.core.crypto.fields import ROW_UID, Ciphertext, EncryptedTextField, Sealed

logger = logging.getLogger(__name__)


@dataclass
class Rewrapped:
    rows_by_model: dict[str, int] = field(default_factory=dict)
    failures: list[str] = field(default_factory=list)

    @property
    def total(self) -> int:
        return sum(self.rows_by_model.values())


def rewrap(token: str, fld: EncryptedTextField, aad: str, *, legacy_only: bool = False) -> str | None:
    """The value in the current envelope, or None when it needs no rewrite."""
    parts = crypto.envelope_of(token)
    legacy = parts is not None and parts[0] == crypto.LEGACY_PREFIX
    if legacy:
        return crypto.encrypt(crypto.open_legacy(token, fld.name), aad)
    if legacy_only or crypto.is_current(token):
        return None
    return crypto.encrypt(crypto.decrypt(token, aad), aad)


def _models_with_encrypted_fields():
    for model in apps.get_models():
        fields = [f for f in model._meta.concrete_fields if isinstance(f, EncryptedTextField)]
        if fields:
            yield model, fields


def rewrap_all(*, batch_size: int = 1000, legacy_only: bool = False,
               progress: Callable[[str, int], None] | None = None) -> Rewrapped:
    """Rewrite what needs it in every model; a value that does not open is reported, never dropped."""
    out = Rewrapped()
    size = max(1, batch_size)
    for model, fields in _models_with_encrypted_fields():
        table = model._meta.db_table
        manager = model._base_manager
        rows = manager.order_by("pk").values_list("pk", ROW_UID, *[f.attname for f in fields])
        changed_rows = 0
        last = None
        while True:
            batch = list((rows.filter(pk__gt=last) if last is not None else rows)[:size])
            if not batch:
                break
            last = batch[-1][0]
            updates: dict[str, list[tuple[object, str, str]]] = {f.attname: [] for f in fields}
            touched: set[object] = set()
            for pk, row_uid, *values in batch:
                for fld, value in zip(fields, values, strict=True):
                    if not isinstance(value, Sealed):
                        continue  # empty
                    try:
                        new = rewrap(value.token, fld, crypto.aad_for(table, fld.column, row_uid),
                                     legacy_only=legacy_only)
                    except crypto.DecryptionError:
                        out.failures.append(f"{model._meta.label} pk={pk} {fld.name}")
                        continue
                    if new is not None:
                        updates[fld.attname].append((pk, value.token, new))
                        touched.add(pk)
            with transaction.atomic():
                for attname, items in updates.items():
                    if not items:
                        continue
                    fld = model._meta.get_field(attname)
                    whens = [When(Q(pk=pk) & Q(**{attname: Ciphertext(old)}),
                                  then=Value(Ciphertext(new), output_field=fld)) for pk, old, new in items]
                    manager.filter(pk__in=[pk for pk, _o, _n in items]).update(
                        **{attname: Case(*whens, default=F(attname), output_field=fld)})
            changed_rows += len(touched)
        out.rows_by_model[model._meta.label] = changed_rows
        if progress is not None:
            progress(model._meta.label, changed_rows)
    return out


def rewrap_legacy_after_migrate(sender, *, using: str = "default", **kwargs) -> None:
    """``post_migrate`` (sent once for the core app): values still in ``enc1`` move to ``enc2``."""
    if using != "default":
        return
    result = rewrap_all(legacy_only=True)
    if result.failures:
        # Left as they are (nothing is lost) and named, so `talentloop reencrypt` can report them again.
        logger.error("encrypted values that do not open: %s", ", ".join(result.failures))
