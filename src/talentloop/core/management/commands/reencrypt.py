"""``talentloop reencrypt``: every encrypted value into the one envelope (``enc2``) under the newest key.

Run it after adding a key to ``TALENTLOOP_ENCRYPTION_KEYS`` (then the older key may be removed), and once
after upgrading from the first envelope (``enc1``, bound to the field name only), which nothing else reads.
Values already current are left alone, so running it twice does nothing the second time.

Envelopes are read without being opened (``values_list`` gives them sealed) and written back per batch
with one UPDATE per column; each write is conditional on the envelope still being the one read, so a
value saved meanwhile is never overwritten with an older one.
"""

from __future__ import annotations

from django.apps import apps
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.db.models import Case, F, Q, Value, When

from talentloop.core import crypto
from talentloop.core.crypto.fields import ROW_UID, Ciphertext, EncryptedTextField, Sealed


def rewrap(token: str, field: EncryptedTextField, aad: str) -> str | None:
    """The value in the current envelope, or None when it is current already."""
    if crypto.is_current(token):
        return None
    parts = crypto.envelope_of(token)
    if parts is not None and parts[0] == crypto.LEGACY_PREFIX:
        plain = crypto.open_legacy(token, field.name)
    else:
        plain = crypto.decrypt(token, aad)
    return crypto.encrypt(plain, aad)


class Command(BaseCommand):
    help = ("Re-encrypt every sensitive value in the current envelope with the newest key (after adding a key to "
            "TALENTLOOP_ENCRYPTION_KEYS, and once after upgrading from the enc1 envelope).")

    def add_arguments(self, parser):
        parser.add_argument("--batch-size", type=int, default=1000)

    def handle(self, *args, **opts):
        newest = crypto.newest_kid()
        size = max(1, opts["batch_size"])
        total = 0
        failures: list[str] = []
        for model in apps.get_models():
            fields = [f for f in model._meta.concrete_fields if isinstance(f, EncryptedTextField)]
            if not fields:
                continue
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
                    for field, value in zip(fields, values, strict=True):
                        if not isinstance(value, Sealed):
                            continue  # empty
                        try:
                            new = rewrap(value.token, field, crypto.aad_for(table, field.column, row_uid))
                        except crypto.DecryptionError:
                            failures.append(f"{model._meta.label} pk={pk} {field.name}")
                            continue
                        if new is not None:
                            updates[field.attname].append((pk, value.token, new))
                            touched.add(pk)
                with transaction.atomic():
                    for attname, items in updates.items():
                        if not items:
                            continue
                        field = model._meta.get_field(attname)
                        whens = [When(Q(pk=pk) & Q(**{attname: Ciphertext(old)}),
                                      then=Value(Ciphertext(new), output_field=field)) for pk, old, new in items]
                        manager.filter(pk__in=[pk for pk, _o, _n in items]).update(
                            **{attname: Case(*whens, default=F(attname), output_field=field)})
                changed_rows += len(touched)
            total += changed_rows
            self.stdout.write(f"{model._meta.label}: {changed_rows} row(s) re-encrypted")
        if failures:
            for where in failures:
                self.stderr.write(f"does not open (altered, or moved from another row or column): {where}")
            raise CommandError(f"{len(failures)} value(s) could not be re-encrypted; {total} row(s) were.")
        self.stdout.write(self.style.SUCCESS(f"done: {total} row(s) re-encrypted; every value uses key {newest}"))
