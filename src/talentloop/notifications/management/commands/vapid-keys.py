"""``talentloop vapid-keys``: make the organisation's VAPID key pair for Web Push and print the public key.

The private key is stored encrypted (``EncryptedTextField``) and never printed. Running it again refuses to
overwrite the keys unless ``--rotate`` is given: rotating makes every browser's subscription useless (they
were made for the old public key), so those subscriptions are removed and people subscribe again.
"""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from talentloop.core.errors import DomainError
from talentloop.notifications.channel_services import vapid_keys_generate


class Command(BaseCommand):
    help = "Generate the VAPID key pair for Web Push (stored encrypted) and print the public key."

    def add_arguments(self, parser):
        parser.add_argument("--subject", default="",
                            help="Contact for push services: mailto:it@example.com or an https:// address. "
                                 "Defaults to mailto: DEFAULT_FROM_EMAIL.")
        parser.add_argument("--rotate", action="store_true",
                            help="Replace existing keys (every push subscription is removed).")

    def handle(self, *args, **opts):
        subject = opts["subject"] or f"mailto:{settings.DEFAULT_FROM_EMAIL}"
        try:
            keys = vapid_keys_generate(actor=None, subject=subject, rotate=opts["rotate"])
        except DomainError as exc:
            raise CommandError(exc.detail) from None
        self.stdout.write(keys.public_key)
