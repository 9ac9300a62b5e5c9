"""Feishu (飞书) punch flows (open.feishu.cn, 考勤打卡 › 批量查询打卡流水):

- ``POST {base}/open-apis/auth/v3/tenant_access_token/internal`` with ``{"app_id", "app_secret"}`` gives
  the tenant access token;
- ``POST {base}/open-apis/attendance/v1/user_flows/query?employee_type=employee_id&include_terminated_user=true``
  with ``Authorization: Bearer TOKEN`` and ``{"user_ids": [...], "check_time_from": "1566641088",
  "check_time_to": "1566641088"}`` (at most 50 users; Unix seconds as strings; ``employee_type``
  ``employee_id`` for Feishu user ids, ``employee_no`` for employee numbers) answers
  ``{"code": 0, "msg": "success", "data": {"user_flow_results": [{"user_id", "record_id", "check_time",
  "location_name", "device_id", "is_field", ...}]}}``. Flows carry no direction.
"""

from __future__ import annotations

import datetime as dt

import pydantic

from talentloop.attendance.vendors.base import Punch, TokenExpired, VendorError, epoch, from_epoch
from talentloop.notifications.channels import http
from talentloop.notifications.channels.feishu import client
from talentloop.notifications.channels.http import VendorReply

FLOWS_PATH = "/open-apis/attendance/v1/user_flows/query"
BATCH = 50
WINDOW = dt.timedelta(days=1)
TOKEN_ERRORS = frozenset({99991661, 99991663, 99991664})
EMPLOYEE_ID = "employee_id"
EMPLOYEE_NO = "employee_no"


class UserFlow(VendorReply):
    user_id: str
    record_id: str
    check_time: str
    location_name: str = ""
    device_id: str = ""


class FlowsData(VendorReply):
    user_flow_results: list[UserFlow] = pydantic.Field(default_factory=list)


class FlowsReply(VendorReply):
    code: int = -1
    msg: str = ""
    data: FlowsData | None = None


def fetch_token(base_url: str, app_id: str, secret: str) -> tuple[str, int]:
    reply = client.get_tenant_token(base_url, app_id=app_id, app_secret=secret)
    if reply.code != 0 or not reply.tenant_access_token:
        raise VendorError(f"Feishu refused a token (code {reply.code})")
    return reply.tenant_access_token, reply.expire or 7200


def request_body(user_ids: list[str], start: dt.datetime, end: dt.datetime) -> dict:
    return {"user_ids": user_ids, "check_time_from": str(epoch(start)), "check_time_to": str(epoch(end))}


def punches(base_url: str, token: str, user_ids: list[str], start: dt.datetime, end: dt.datetime,
            id_type: str = EMPLOYEE_ID) -> list[Punch]:
    _status, reply = http.request("POST", f"{base_url}{FLOWS_PATH}", FlowsReply,
                                  params={"employee_type": id_type or EMPLOYEE_ID, "include_terminated_user": "true"},
                                  headers={"Authorization": f"Bearer {token}"},
                                  body=request_body(user_ids, start, end))
    if reply.code in TOKEN_ERRORS:
        raise TokenExpired
    if reply.code != 0:
        raise VendorError(f"Feishu answered code {reply.code}")
    out = []
    for flow in reply.data.user_flow_results if reply.data else []:
        try:
            seconds = int(flow.check_time)
        except ValueError:
            continue
        out.append(Punch(user_id=flow.user_id, at=from_epoch(seconds), direction="punch", record_id=flow.record_id,
                         device=(flow.location_name or flow.device_id or "Feishu")[:80]))
    return out
