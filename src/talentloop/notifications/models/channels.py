"""Records the delivery channels keep: push subscriptions, VAPID keys, IM identities, app credentials, group bots."""

from django.db import models  # noqa: F401

__all__: list[str] = []
