"""DingTalk (钉钉): personal work notifications (``channel``) and custom robots, through ``client`` (HTTP) and
``schemas`` (the typed replies)."""

from talentloop.notifications.channels.dingtalk.channel import CHANNEL, DingTalkChannel

__all__ = ["CHANNEL", "DingTalkChannel"]
