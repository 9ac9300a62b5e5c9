"""WeCom's documented replies (developer.work.weixin.qq.com): every answer carries ``errcode`` (0 is success)
and ``errmsg``."""

from __future__ import annotations

from talentloop.notifications.channels.http import VendorReply


class TokenReply(VendorReply):
    """``GET /cgi-bin/gettoken``: ``{"errcode": 0, "errmsg": "ok", "access_token": "...", "expires_in": 7200}``."""

    errcode: int = 0
    errmsg: str = ""
    access_token: str = ""
    expires_in: int | None = None


class SendReply(VendorReply):
    """``POST /cgi-bin/message/send``: ``{"errcode": 0, "errmsg": "ok", "invaliduser": "", ..., "msgid": "..."}``;
    a non-empty ``invaliduser`` names recipients not reached. A reply without ``errcode`` is a failure."""

    errcode: int = -1
    errmsg: str = ""
    invaliduser: str = ""
    msgid: str | int = ""


class WebhookReply(VendorReply):
    """A group robot's ``POST webhook?key=...``: ``{"errcode": 0, "errmsg": "ok"}``."""

    errcode: int = -1
    errmsg: str = ""
