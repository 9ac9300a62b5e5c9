from django.apps import AppConfig
from django.db.models.signals import post_migrate


class CoreConfig(AppConfig):
    name = "talentloop.core"
    label = "core"

    def ready(self) -> None:
        # Imported here: apps.py is loaded before the app registry (models, signals) is ready.
        from talentloop.core.crypto.rewrap import rewrap_legacy_after_migrate  # noqa: PLC0415 — models load after ready() starts

        post_migrate.connect(rewrap_legacy_after_migrate, sender=self, dispatch_uid="core-rewrap-legacy")
