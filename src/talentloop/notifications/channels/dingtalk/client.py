"""DingTalk's HTTP calls (documented API: open.dingtalk.com, "获取企业内部应用的access_token", "发送工作通知",
"自定义机器人")."""

from __future__ import annotations

from talentloop.notifications.channels import http
from talentloop.notifications.channels.dingtalk.schemas import SendReply, TokenReply, WebhookReply

TOKEN_PATH = "/gettoken"  # noqa: S105 — a URL path, not a secret
SEND_PATH = "/topapi/message/corpconversation/asyncsend_v2"


def get_token(base_url: str, *, app_key: str, app_secret: str) -> TokenReply:
    _status, reply = http.request("GET", f"{base_url}{TOKEN_PATH}", TokenReply,
                                  params={"appkey": app_key, "appsecret": app_secret})
    return reply


def send_work_notification(base_url: str, *, token: str, payload: dict) -> SendReply:
    _status, reply = http.request("POST", f"{base_url}{SEND_PATH}", SendReply, params={"access_token": token},
                                  body=payload)
    return reply


def post_webhook(url: str, body: dict) -> WebhookReply:
    _status, reply = http.request("POST", url, WebhookReply, body=body)
    return reply
