"""E-mail through Django's mail backend (``channel``); no vendor HTTP API."""

from talentloop.notifications.channels.email.channel import CHANNEL, EmailChannel

__all__ = ["CHANNEL", "EmailChannel"]
