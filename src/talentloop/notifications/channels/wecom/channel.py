"""WeCom (企业微信) application messages to one person.

- ``GET {base}/cgi-bin/gettoken?corpid=ID&corpsecret=SECRET`` gives the access token;
- ``POST {base}/cgi-bin/message/send?access_token=TOKEN`` with
  ``{"touser": "userid", "msgtype": "text", "agentid": 1000002, "text": {"content": "..."}}`` (or ``textcard``
  with ``title``, ``description``, ``url``, ``btntxt``). 40014 (invalid token) and 42001 (token expired) mean:
  get a new token; 81013 means every recipient is invalid; a non-empty ``invaliduser`` names recipients not
  reached.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy

from talentloop.notifications.channels.base import Message, Result
from talentloop.notifications.channels.im import (
    ImChannel,
    TokenError,
    TokenExpired,
    card_button_label,
    cut_bytes,
    errcode_failure,
    text_of,
)
from talentloop.notifications.channels.wecom import client
from talentloop.notifications.models import ImCredentials, Vendor

TOKEN_ERRORS = frozenset({40014, 42001})
NO_RECIPIENT = 81013
RETRY_FROM = 45000  # errcodes from here up are WeCom's system errors


class WeComChannel(ImChannel):
    vendor = Vendor.WECOM
    key = "wecom"
    label = gettext_lazy("WeCom")

    def fetch_token(self, creds: ImCredentials) -> tuple[str, int]:
        reply = client.get_token(creds.base_url, corp_id=creds.client_id, secret=creds.secret)
        if reply.errcode != 0 or not reply.access_token:
            raise TokenError(f"WeCom refused a token (errcode {reply.errcode})")
        return reply.access_token, reply.expires_in or 7200

    def payload(self, creds: ImCredentials, message: Message) -> dict:
        base = {"touser": message.address, "agentid": int(creds.agent_id or 0)}
        if message.url:
            # A text card opens the link. The vendor counts bytes: title 128, description 512, button 4 chars.
            return {**base, "msgtype": "textcard", "textcard": {
                "title": cut_bytes(message.subject or message.text, 128),
                "description": cut_bytes(message.text, 512), "url": message.url, "btntxt": card_button_label()[:4]}}
        return {**base, "msgtype": "text", "text": {"content": cut_bytes(text_of(message), 2048)}}

    def deliver(self, creds: ImCredentials, token: str, message: Message) -> Result:
        reply = client.send_message(creds.base_url, token=token, payload=self.payload(creds, message))
        if reply.errcode in TOKEN_ERRORS:
            raise TokenExpired
        if reply.errcode == NO_RECIPIENT:
            return Result(ok=False, error="WeCom: unknown recipient", retry=False)
        if reply.errcode != 0:
            return errcode_failure("WeCom", reply.errcode, RETRY_FROM)
        if reply.invaliduser:
            return Result(ok=False, error="WeCom: unknown recipient", retry=False)
        return Result(ok=True, external_id=str(reply.msgid))


CHANNEL = WeComChannel()
