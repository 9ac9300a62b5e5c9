"""Feishu's documented replies (open.feishu.cn): every answer carries ``code`` (0 is success) and ``msg``."""

from __future__ import annotations

import pydantic

from talentloop.notifications.channels.http import VendorReply


class TokenReply(VendorReply):
    """``POST /open-apis/auth/v3/tenant_access_token/internal``:
    ``{"code": 0, "msg": "ok", "tenant_access_token": "t-...", "expire": 7200}``."""

    code: int = -1
    msg: str = ""
    tenant_access_token: str = ""
    expire: int | None = None


class SentMessage(VendorReply):
    message_id: str = ""


class SendReply(VendorReply):
    """``POST /open-apis/im/v1/messages``: ``{"code": 0, "msg": "success", "data": {"message_id": "om_..."}}``."""

    code: int = -1
    msg: str = ""
    data: SentMessage | None = None


class WebhookReply(VendorReply):
    """A custom bot's ``POST webhook``: ``{"code": 0, "msg": "success"}``; older bots answer
    ``{"StatusCode": 0, "StatusMessage": "success"}``."""

    code: int | None = None
    msg: str = ""
    status_code: int | None = pydantic.Field(default=None, alias="StatusCode")

    @property
    def result_code(self) -> int:
        if self.code is not None:
            return self.code
        return self.status_code if self.status_code is not None else -1
