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

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from talentloop.notifications.channels import Message, Result
from talentloop.notifications.channels._http import request_json
from talentloop.notifications.channels._im import ImChannel, TokenError, TokenExpired, text_of
from talentloop.notifications.models import ImCredentials, Vendor

TOKEN_ERRORS = frozenset({40014, 42001})
SEND_PATH = "/topapi/message/corpconversation/asyncsend_v2"


class DingTalkChannel(ImChannel):
    vendor = Vendor.DINGTALK
    key = "dingtalk"
    label = gettext_lazy("DingTalk")
    token_error_codes = TOKEN_ERRORS

    def fetch_token(self, creds: ImCredentials) -> tuple[str, int]:
        answer = request_json("GET", f"{creds.base_url}/gettoken",
                              params={"appkey": creds.client_id, "appsecret": creds.secret})
        body = answer.body
        if body.get("errcode", 0) != 0 or not body.get("access_token"):
            raise TokenError(f"DingTalk refused a token (errcode {body.get('errcode')})")
        return str(body["access_token"]), int(body.get("expires_in") or 7200)

    def payload(self, creds: ImCredentials, message: Message) -> dict:
        if message.url:
            msg = {"msgtype": "action_card", "action_card": {
                "title": (message.subject or message.text)[:60], "markdown": text_of(replace(message, url="")),
                "single_title": _("Open"), "single_url": message.url}}
        else:
            msg = {"msgtype": "text", "text": {"content": text_of(message)}}
        return {"agent_id": int(creds.agent_id or 0), "userid_list": message.address, "msg": msg}

    def deliver(self, creds: ImCredentials, token: str, message: Message) -> Result:
        answer = request_json("POST", f"{creds.base_url}{SEND_PATH}", params={"access_token": token},
                              body=self.payload(creds, message))
        body = answer.body
        code = int(body.get("errcode", -1))
        if code in self.token_error_codes:
            raise TokenExpired
        if code != 0:
            return Result(ok=False, error=f"DingTalk errcode {code}", retry=code < 0 or code >= 90000)
        return Result(ok=True, external_id=str(body.get("task_id", "")))


CHANNEL = DingTalkChannel()
