"""Feishu (飞书) bot messages to one person, from the organisation's own app.

Documented API (open.feishu.cn, "自建应用获取 tenant_access_token" and "发送消息"):
- ``POST {base}/open-apis/auth/v3/tenant_access_token/internal`` with ``{"app_id", "app_secret"}`` answers
  ``{"code": 0, "msg": "ok", "tenant_access_token": "t-...", "expire": 7200}``;
- ``POST {base}/open-apis/im/v1/messages?receive_id_type=user_id`` (or ``open_id``) with
  ``Authorization: Bearer t-...`` and ``{"receive_id": "...", "msg_type": "text", "content": "{\\"text\\":\\"...\\"}"}``
  — ``content`` is a JSON *string* — answers ``{"code": 0, "msg": "success", "data": {"message_id": "om_..."}}``.
  99991663 (tenant token invalid) and 99991661 (token missing) mean: get a new token.
"""

from __future__ import annotations

import json

from django.utils.translation import gettext_lazy

from talentloop.notifications.channels import Message, Result
from talentloop.notifications.channels._http import request_json
from talentloop.notifications.channels._im import ImChannel, TokenError, TokenExpired, text_of
from talentloop.notifications.models import ImCredentials, Vendor

TOKEN_ERRORS = frozenset({99991661, 99991663})
TOKEN_PATH = "/open-apis/auth/v3/tenant_access_token/internal"  # noqa: S105 — a URL path, not a secret
SEND_PATH = "/open-apis/im/v1/messages"
# Feishu: the receiver is not a user of the app or does not exist.
UNKNOWN_USER = frozenset({230013, 230002, 99992351, 99992361})


class FeishuChannel(ImChannel):
    vendor = Vendor.FEISHU
    key = "feishu"
    label = gettext_lazy("Feishu")
    token_error_codes = TOKEN_ERRORS

    def fetch_token(self, creds: ImCredentials) -> tuple[str, int]:
        answer = request_json("POST", f"{creds.base_url}{TOKEN_PATH}",
                              body={"app_id": creds.client_id, "app_secret": creds.secret})
        body = answer.body
        if body.get("code", -1) != 0 or not body.get("tenant_access_token"):
            raise TokenError(f"Feishu refused a token (code {body.get('code')})")
        return str(body["tenant_access_token"]), int(body.get("expire") or 7200)

    def payload(self, message: Message) -> dict:
        return {"receive_id": message.address, "msg_type": "text",
                "content": json.dumps({"text": text_of(message)}, ensure_ascii=False)}

    def deliver(self, creds: ImCredentials, token: str, message: Message) -> Result:
        answer = request_json("POST", f"{creds.base_url}{SEND_PATH}",
                              params={"receive_id_type": creds.receive_id_type or "user_id"},
                              headers={"Authorization": f"Bearer {token}"}, body=self.payload(message))
        body = answer.body
        code = int(body.get("code", -1))
        if code in self.token_error_codes:
            raise TokenExpired
        if code in UNKNOWN_USER:
            return Result(ok=False, error=f"Feishu: unknown recipient (code {code})", retry=False)
        if code != 0:
            return Result(ok=False, error=f"Feishu code {code}", retry=answer.status >= 500 or code < 0)
        return Result(ok=True, external_id=str((body.get("data") or {}).get("message_id", "")))


CHANNEL = FeishuChannel()
