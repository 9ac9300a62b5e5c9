"""``talentloop reencrypt``: every encrypted value into the one envelope (``enc2``) under the newest key.

Run it after adding a key to ``TALENTLOOP_ENCRYPTION_KEYS`` (then the older key may be removed). Values in
the first envelope (``enc1``) are also rewritten after every ``migrate``; this command does it on demand.
Values already current are left alone, so running it twice does nothing the second time.
"""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from talentloop.core import crypto
from talentloop.core.crypto.rewrap import rewrap_all


class Command(BaseCommand):
    help = ("Re-encrypt every sensitive value in the current envelope with the newest key (after adding a key to "
            "TALENTLOOP_ENCRYPTION_KEYS, and once after upgrading from the enc1 envelope).")

    def add_arguments(self, parser):
        parser.add_argument("--batch-size", type=int, default=1000)

    def handle(self, *args, **opts):
        newest = crypto.newest_kid()
        result = rewrap_all(batch_size=opts["batch_size"],
                            progress=lambda label, rows: self.stdout.write(f"{label}: {rows} row(s) re-encrypted"))
        if result.failures:
            for where in result.failures:
                self.stderr.write(f"does not open (altered, or moved from another row or column): {where}")
            raise CommandError(f"{len(result.failures)} value(s) could not be re-encrypted; "
                               f"{result.total} row(s) were.")
        self.stdout.write(self.style.SUCCESS(
            f"done: {result.total} row(s) re-encrypted; every value uses key {newest}"))
