"""Feishu (飞书): personal bot messages (``channel``) and custom group bots, through ``client`` (HTTP) and
``schemas`` (the typed replies)."""

from talentloop.notifications.channels.feishu.channel import CHANNEL, FeishuChannel

__all__ = ["CHANNEL", "FeishuChannel"]
