"""DingTalk (钉钉) work notifications to one person.

Documented API (open.dingtalk.com, "获取企业内部应用的access_token" and "发送工作通知"):
- ``GET {base}/gettoken?appkey=KEY&appsecret=SECRET`` answers
  ``{"errcode": 0, "errmsg": "ok", "access_token": "...", "expires_in": 7200}``;
- ``POST {base}/topapi/message/corpconversation/asyncsend_v2?access_token=TOKEN`` with
  ``{"agent_id": 123, "userid_list": "user1,user2", "msg": {"msgtype": "text", "text": {"content": "..."}}}``
  (or ``action_card`` with ``title``, ``markdown``, ``single_title``, ``single_url``) answers
  ``{"errcode": 0, "errmsg": "ok", "task_id": 123, "request_id": "..."}``; the task id is the external id.
  40014 (invalid token) and 42001 (token expired) mean: get a new token.
"""

from __future__ import annotations

from dataclasses import replace

from django.utils.translation import gettext_lazy

from talentloop.notifications.channels import Message, Result
from talentloop.notifications.channels._im import ErrcodeChannel, card_button_label, text_of
from talentloop.notifications.models import ImCredentials, Vendor

TOKEN_ERRORS = frozenset({40014, 42001})
SEND_PATH = "/topapi/message/corpconversation/asyncsend_v2"


class DingTalkChannel(ErrcodeChannel):
    vendor = Vendor.DINGTALK
    key = "dingtalk"
    label = gettext_lazy("DingTalk")
    token_error_codes = TOKEN_ERRORS
    vendor_name = "DingTalk"
    token_path = "/gettoken"  # noqa: S105 — a URL path, not a secret
    send_path = SEND_PATH
    retry_from = 90000

    def token_params(self, creds: ImCredentials) -> dict:
        return {"appkey": creds.client_id, "appsecret": creds.secret}

    def payload(self, creds: ImCredentials, message: Message) -> dict:
        if message.url:
            msg = {"msgtype": "action_card", "action_card": {
                "title": (message.subject or message.text)[:60], "markdown": text_of(replace(message, url="")),
                "single_title": card_button_label(), "single_url": message.url}}
        else:
            msg = {"msgtype": "text", "text": {"content": text_of(message)}}
        return {"agent_id": int(creds.agent_id or 0), "userid_list": message.address, "msg": msg}

    def deliver(self, creds: ImCredentials, token: str, message: Message) -> Result:
        code, body = self.post(creds, token, message)
        if code != 0:
            return self.failure(code)
        return Result(ok=True, external_id=str(body.get("task_id", "")))

CHANNEL = DingTalkChannel()
