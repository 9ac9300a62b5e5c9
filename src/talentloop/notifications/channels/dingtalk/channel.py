"""DingTalk (钉钉) work notifications to one person.

- ``GET {base}/gettoken?appkey=KEY&appsecret=SECRET`` gives the access token;
- ``POST {base}/topapi/message/corpconversation/asyncsend_v2?access_token=TOKEN`` with
  ``{"agent_id": 123, "userid_list": "user1,user2", "msg": {"msgtype": "text", "text": {"content": "..."}}}``
  (or ``action_card`` with ``title``, ``markdown``, ``single_title``, ``single_url``); the task id is the
  external id. 40014 (invalid token) and 42001 (token expired) mean: get a new token.
"""

from __future__ import annotations

from dataclasses import replace

from django.utils.translation import gettext_lazy

from talentloop.notifications.channels.base import Message, Result
from talentloop.notifications.channels.dingtalk import client
from talentloop.notifications.channels.im import (
    ImChannel,
    TokenError,
    TokenExpired,
    card_button_label,
    errcode_failure,
    text_of,
)
from talentloop.notifications.models import ImCredentials, Vendor

TOKEN_ERRORS = frozenset({40014, 42001})
SEND_PATH = client.SEND_PATH
RETRY_FROM = 90000  # errcodes from here up are DingTalk's system errors


class DingTalkChannel(ImChannel):
    vendor = Vendor.DINGTALK
    key = "dingtalk"
    label = gettext_lazy("DingTalk")

    def fetch_token(self, creds: ImCredentials) -> tuple[str, int]:
        reply = client.get_token(creds.base_url, app_key=creds.client_id, app_secret=creds.secret)
        if reply.errcode != 0 or not reply.access_token:
            raise TokenError(f"DingTalk refused a token (errcode {reply.errcode})")
        return reply.access_token, reply.expires_in or 7200

    def payload(self, creds: ImCredentials, message: Message) -> dict:
        if message.url:
            msg = {"msgtype": "action_card", "action_card": {
                "title": (message.subject or message.text)[:60], "markdown": text_of(replace(message, url="")),
                "single_title": card_button_label(), "single_url": message.url}}
        else:
            msg = {"msgtype": "text", "text": {"content": text_of(message)}}
        return {"agent_id": int(creds.agent_id or 0), "userid_list": message.address, "msg": msg}

    def deliver(self, creds: ImCredentials, token: str, message: Message) -> Result:
        reply = client.send_work_notification(creds.base_url, token=token, payload=self.payload(creds, message))
        if reply.errcode in TOKEN_ERRORS:
            raise TokenExpired
        if reply.errcode != 0:
            return errcode_failure("DingTalk", reply.errcode, RETRY_FROM)
        return Result(ok=True, external_id=str(reply.task_id))


CHANNEL = DingTalkChannel()
