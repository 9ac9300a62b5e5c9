"""WeCom (企业微信) application messages to one person.

Documented API (developer.work.weixin.qq.com, "获取access_token" and "发送应用消息"):
- ``GET {base}/cgi-bin/gettoken?corpid=ID&corpsecret=SECRET`` answers
  ``{"errcode": 0, "errmsg": "ok", "access_token": "...", "expires_in": 7200}``;
- ``POST {base}/cgi-bin/message/send?access_token=TOKEN`` with
  ``{"touser": "userid", "msgtype": "text", "agentid": 1000002, "text": {"content": "..."}}`` (or ``textcard``
  with ``title``, ``description``, ``url``, ``btntxt``) answers ``{"errcode": 0, "errmsg": "ok",
  "invaliduser": "", ..., "msgid": "..."}``. 40014 (invalid token) and 42001 (token expired) mean: get a new
  token; 81013 means every recipient is invalid; a non-empty ``invaliduser`` names recipients not reached.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy

from talentloop.notifications.channels import Message, Result
from talentloop.notifications.channels._im import ErrcodeChannel, card_button_label, cut_bytes, text_of
from talentloop.notifications.models import ImCredentials, Vendor

TOKEN_ERRORS = frozenset({40014, 42001})
NO_RECIPIENT = 81013


class WeComChannel(ErrcodeChannel):
    vendor = Vendor.WECOM
    key = "wecom"
    label = gettext_lazy("WeCom")
    token_error_codes = TOKEN_ERRORS
    vendor_name = "WeCom"
    token_path = "/cgi-bin/gettoken"  # noqa: S105 — a URL path, not a secret
    send_path = "/cgi-bin/message/send"
    retry_from = 45000

    def token_params(self, creds: ImCredentials) -> dict:
        return {"corpid": creds.client_id, "corpsecret": creds.secret}

    def payload(self, creds: ImCredentials, message: Message) -> dict:
        base = {"touser": message.address, "agentid": int(creds.agent_id or 0)}
        if message.url:
            # A text card opens the link. The vendor counts bytes: title 128, description 512, button 4 chars.
            return {**base, "msgtype": "textcard", "textcard": {
                "title": cut_bytes(message.subject or message.text, 128),
                "description": cut_bytes(message.text, 512), "url": message.url, "btntxt": card_button_label()[:4]}}
        return {**base, "msgtype": "text", "text": {"content": cut_bytes(text_of(message), 2048)}}

    def deliver(self, creds: ImCredentials, token: str, message: Message) -> Result:
        code, body = self.post(creds, token, message)
        if code == NO_RECIPIENT:
            return Result(ok=False, error="WeCom: unknown recipient", retry=False)
        if code != 0:
            return self.failure(code)
        if body.get("invaliduser"):
            return Result(ok=False, error="WeCom: unknown recipient", retry=False)
        return Result(ok=True, external_id=str(body.get("msgid", "")))

CHANNEL = WeComChannel()
