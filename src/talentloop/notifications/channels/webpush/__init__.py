"""Web Push to the installed app (``channel``), delivered by ``client`` with the typed payload of ``schemas``."""

from talentloop.notifications.channels.webpush.channel import CHANNEL, WebPushChannel

__all__ = ["CHANNEL", "WebPushChannel"]
