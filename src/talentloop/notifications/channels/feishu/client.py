"""Feishu's HTTP calls (documented API: open.feishu.cn, "自建应用获取 tenant_access_token", "发送消息",
"自定义机器人使用指南")."""

from __future__ import annotations

from talentloop.notifications.channels import http
from talentloop.notifications.channels.feishu.schemas import SendReply, TokenReply, WebhookReply

TOKEN_PATH = "/open-apis/auth/v3/tenant_access_token/internal"  # noqa: S105 — a URL path, not a secret
SEND_PATH = "/open-apis/im/v1/messages"


def get_tenant_token(base_url: str, *, app_id: str, app_secret: str) -> TokenReply:
    _status, reply = http.request("POST", f"{base_url}{TOKEN_PATH}", TokenReply,
                                  body={"app_id": app_id, "app_secret": app_secret})
    return reply


def send_message(base_url: str, *, token: str, receive_id_type: str, payload: dict) -> SendReply:
    _status, reply = http.request("POST", f"{base_url}{SEND_PATH}", SendReply,
                                  params={"receive_id_type": receive_id_type},
                                  headers={"Authorization": f"Bearer {token}"}, body=payload)
    return reply


def post_webhook(url: str, body: dict) -> WebhookReply:
    _status, reply = http.request("POST", url, WebhookReply, body=body)
    return reply
