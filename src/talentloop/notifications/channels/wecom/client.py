"""WeCom's HTTP calls (documented API: developer.work.weixin.qq.com, "获取access_token", "发送应用消息",
"群机器人配置说明")."""

from __future__ import annotations

from talentloop.notifications.channels import http
from talentloop.notifications.channels.wecom.schemas import SendReply, TokenReply, WebhookReply

TOKEN_PATH = "/cgi-bin/gettoken"  # noqa: S105 — a URL path, not a secret
SEND_PATH = "/cgi-bin/message/send"


def get_token(base_url: str, *, corp_id: str, secret: str) -> TokenReply:
    _status, reply = http.request("GET", f"{base_url}{TOKEN_PATH}", TokenReply,
                                  params={"corpid": corp_id, "corpsecret": secret})
    return reply


def send_message(base_url: str, *, token: str, payload: dict) -> SendReply:
    _status, reply = http.request("POST", f"{base_url}{SEND_PATH}", SendReply, params={"access_token": token},
                                  body=payload)
    return reply


def post_webhook(url: str, body: dict) -> WebhookReply:
    _status, reply = http.request("POST", url, WebhookReply, body=body)
    return reply
