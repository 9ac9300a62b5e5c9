from django.apps import apps
from django.core.management.base import BaseCommand
from django.db import connection, transaction

from talentloop.core import crypto
from talentloop.core.crypto.fields import EncryptedTextField


class Command(BaseCommand):
    help = "Re-encrypt every sensitive value with the newest key (after adding a key to TALENTLOOP_ENCRYPTION_KEYS)."

    def add_arguments(self, parser):
        parser.add_argument("--batch-size", type=int, default=1000)

    def handle(self, *args, **opts):
        newest = crypto.newest_kid()
        total = 0
        for model in apps.get_models():
            fields = [f for f in model._meta.concrete_fields if isinstance(f, EncryptedTextField)]
            if not fields:
                continue
            columns = [f.column for f in fields]
            # Read the raw ciphertexts (not through the field) to find values under an older key.
            stale: list[int] = []
            table = connection.ops.quote_name(model._meta.db_table)
            cols = ", ".join(connection.ops.quote_name(c) for c in columns)
            pk_col = connection.ops.quote_name(model._meta.pk.column)
            with connection.cursor() as cur:
                cur.execute(f"SELECT {pk_col}, {cols} FROM {table}")  # noqa: S608 - identifiers quoted
                for pk, *values in cur.fetchall():
                    if any(v and crypto.kid_of(v) != newest for v in values):
                        stale.append(pk)
            for start in range(0, len(stale), opts["batch_size"]):
                chunk = stale[start: start + opts["batch_size"]]
                with transaction.atomic():
                    objs = list(model.objects.filter(pk__in=chunk))
                    # Saving through the field re-encrypts with the newest key.
                    model.objects.bulk_update(objs, [f.name for f in fields])
                total += len(chunk)
            self.stdout.write(f"{model._meta.label}: {len(stale)} row(s) re-encrypted")
        self.stdout.write(self.style.SUCCESS(f"done: {total} row(s) now use key {newest}"))
