"""WeCom (企业微信): personal application messages (``channel``) and group robots, through ``client`` (HTTP)
and ``schemas`` (the typed replies)."""

from talentloop.notifications.channels.wecom.channel import CHANNEL, WeComChannel

__all__ = ["CHANNEL", "WeComChannel"]
