"""DingTalk's documented replies (open.dingtalk.com): every answer carries ``errcode`` (0 is success) and
``errmsg``."""

from __future__ import annotations

from talentloop.notifications.channels.http import VendorReply


class TokenReply(VendorReply):
    """``GET /gettoken``: ``{"errcode": 0, "errmsg": "ok", "access_token": "...", "expires_in": 7200}``."""

    errcode: int = 0
    errmsg: str = ""
    access_token: str = ""
    expires_in: int | None = None


class SendReply(VendorReply):
    """``POST /topapi/message/corpconversation/asyncsend_v2``: ``{"errcode": 0, "errmsg": "ok", "task_id": 123,
    "request_id": "..."}``. A reply without ``errcode`` is a failure."""

    errcode: int = -1
    errmsg: str = ""
    task_id: int | str = ""
    request_id: str = ""


class WebhookReply(VendorReply):
    """A custom robot's ``POST webhook``: ``{"errcode": 0, "errmsg": "ok"}``."""

    errcode: int = -1
    errmsg: str = ""
