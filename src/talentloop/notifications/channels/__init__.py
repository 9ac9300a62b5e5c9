"""Delivery channels, one package per vendor (``wecom``, ``dingtalk``, ``feishu``, ``email``, ``webpush``), each
exposing its ``CHANNEL``; a chat vendor's package keeps its HTTP calls in ``client.py`` and the typed replies in
``schemas.py``. ``base`` defines what a channel is (``Channel``, ``Message``, ``Result``); ``http`` is the one
HTTP door of the chat vendors; ``im`` what the chat channels share.

``CHANNELS`` is the registry, in the order channels are offered to people. ``inapp`` is not a channel object:
the inbox row itself is the in-app delivery.
"""

from __future__ import annotations

from talentloop.notifications.channels.base import Channel, Message, Result
from talentloop.notifications.channels.dingtalk import CHANNEL as DINGTALK
from talentloop.notifications.channels.email import CHANNEL as EMAIL
from talentloop.notifications.channels.feishu import CHANNEL as FEISHU
from talentloop.notifications.channels.webpush import CHANNEL as WEBPUSH
from talentloop.notifications.channels.wecom import CHANNEL as WECOM

CHANNELS: dict[str, Channel] = {
    "email": EMAIL,
    "webpush": WEBPUSH,
    "wecom": WECOM,
    "dingtalk": DINGTALK,
    "feishu": FEISHU,
}

# The registry's keys under their earlier name (callers iterate over it for the keys, in order).
CHANNEL_PATHS = CHANNELS


def get_channel(key: str) -> Channel:
    """The channel registered under ``key``; KeyError for an unknown one."""
    return CHANNELS[key]


def all_channels() -> list[Channel]:
    return list(CHANNELS.values())


__all__ = ["CHANNELS", "CHANNEL_PATHS", "Channel", "Message", "Result", "all_channels", "get_channel"]
