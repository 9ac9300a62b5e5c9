"""Feishu (飞书) bot messages to one person, from the organisation's own app.

- ``POST {base}/open-apis/auth/v3/tenant_access_token/internal`` with ``{"app_id", "app_secret"}`` gives the
  tenant access token;
- ``POST {base}/open-apis/im/v1/messages?receive_id_type=user_id`` (or ``open_id``) with
  ``Authorization: Bearer t-...`` and ``{"receive_id": "...", "msg_type": "text", "content": "{\\"text\\":\\"...\\"}"}``
  — ``content`` is a JSON *string*. 99991663 (tenant token invalid) and 99991661 (token missing) mean: get a
  new token.
"""

from __future__ import annotations

import json

from django.utils.translation import gettext_lazy

from talentloop.notifications.channels.base import Message, Result
from talentloop.notifications.channels.feishu import client
from talentloop.notifications.channels.im import ImChannel, TokenError, TokenExpired, text_of
from talentloop.notifications.models import ImCredentials, Vendor

TOKEN_ERRORS = frozenset({99991661, 99991663})
TOKEN_PATH = client.TOKEN_PATH
SEND_PATH = client.SEND_PATH
# Feishu: the receiver is not a user of the app or does not exist.
UNKNOWN_USER = frozenset({230013, 230002, 99992351, 99992361})


class FeishuChannel(ImChannel):
    vendor = Vendor.FEISHU
    key = "feishu"
    label = gettext_lazy("Feishu")

    def fetch_token(self, creds: ImCredentials) -> tuple[str, int]:
        reply = client.get_tenant_token(creds.base_url, app_id=creds.client_id, app_secret=creds.secret)
        if reply.code != 0 or not reply.tenant_access_token:
            raise TokenError(f"Feishu refused a token (code {reply.code})")
        return reply.tenant_access_token, reply.expire or 7200

    def payload(self, message: Message) -> dict:
        return {"receive_id": message.address, "msg_type": "text",
                "content": json.dumps({"text": text_of(message)}, ensure_ascii=False)}

    def deliver(self, creds: ImCredentials, token: str, message: Message) -> Result:
        reply = client.send_message(creds.base_url, token=token, receive_id_type=creds.receive_id_type or "user_id",
                                    payload=self.payload(message))
        if reply.code in TOKEN_ERRORS:
            raise TokenExpired
        if reply.code in UNKNOWN_USER:
            return Result(ok=False, error=f"Feishu: unknown recipient (code {reply.code})", retry=False)
        if reply.code != 0:
            return Result(ok=False, error=f"Feishu code {reply.code}", retry=reply.code < 0)
        return Result(ok=True, external_id=reply.data.message_id if reply.data else "")


CHANNEL = FeishuChannel()
