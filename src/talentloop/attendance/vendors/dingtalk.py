"""DingTalk (钉钉) punch results (open.dingtalk.com, 考勤 › 获取打卡结果):

- ``GET {base}/gettoken?appkey=KEY&appsecret=SECRET`` gives the access token;
- ``POST {base}/attendance/list?access_token=TOKEN`` with ``{"workDateFrom": "2026-11-03 00:00:00",
  "workDateTo": "2026-11-03 00:00:00", "userIdList": [...], "offset": 0, "limit": 50, "isI18n": false}``
  (work dates at most 7 days apart, at most 50 users, at most 50 records a page; the next page asks
  from ``offset + limit`` while ``hasMore``) answers ``{"errcode": 0, "errmsg": "ok", "hasMore": false,
  "recordresult": [{"id", "userId", "checkType": "OnDuty", "userCheckTime": ms, "workDate": ms,
  "timeResult", "sourceType", "locationResult", ...}]}``. A result with ``timeResult`` NotSigned is a
  missed punch the system wrote, not a punch.
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pydantic
from django.conf import settings

from talentloop.attendance.vendors.base import Punch, TokenExpired, VendorError, from_epoch
from talentloop.notifications.channels import http
from talentloop.notifications.channels.dingtalk import client
from talentloop.notifications.channels.http import VendorReply

LIST_PATH = "/attendance/list"
BATCH = 50
PAGE = 50
MAX_PAGES = 200  # per request group: 10,000 results of 50 people in a day is far beyond real use
WINDOW = dt.timedelta(days=1)
TOKEN_ERRORS = frozenset({40014, 42001})
DIRECTIONS = {"OnDuty": "in", "OffDuty": "out"}


class AttendanceResult(VendorReply):
    id: int | str
    userId: str  # noqa: N815 - the vendor's field name
    checkType: str = ""  # noqa: N815
    userCheckTime: int = 0  # noqa: N815
    workDate: int | None = None  # noqa: N815
    timeResult: str = ""  # noqa: N815
    sourceType: str = ""  # noqa: N815


class ListReply(VendorReply):
    errcode: int = -1
    errmsg: str = ""
    hasMore: bool = False  # noqa: N815
    recordresult: list[AttendanceResult] = pydantic.Field(default_factory=list)


def fetch_token(base_url: str, app_id: str, secret: str) -> tuple[str, int]:
    reply = client.get_token(base_url, app_key=app_id, app_secret=secret)
    if reply.errcode != 0 or not reply.access_token:
        raise VendorError(f"DingTalk refused a token (errcode {reply.errcode})")
    return reply.access_token, reply.expires_in or 7200


def request_body(user_ids: list[str], first: dt.date, last: dt.date, offset: int) -> dict:
    return {"workDateFrom": f"{first:%Y-%m-%d} 00:00:00", "workDateTo": f"{last:%Y-%m-%d} 00:00:00",
            "userIdList": user_ids, "offset": offset, "limit": PAGE, "isI18n": False}


def punches(base_url: str, token: str, user_ids: list[str], start: dt.datetime, end: dt.datetime,
            id_type: str = "") -> list[Punch]:
    """The results of the work dates from ``start`` to ``end`` (local dates, both included)."""
    zone = ZoneInfo(settings.TIME_ZONE)
    first, last = start.astimezone(zone).date(), (end - dt.timedelta(microseconds=1)).astimezone(zone).date()
    out: list[Punch] = []
    offset = 0
    for _page in range(MAX_PAGES):
        _status, reply = http.request("POST", f"{base_url}{LIST_PATH}", ListReply, params={"access_token": token},
                                      body=request_body(user_ids, first, last, offset))
        if reply.errcode in TOKEN_ERRORS:
            raise TokenExpired
        if reply.errcode != 0:
            raise VendorError(f"DingTalk answered errcode {reply.errcode}")
        for result in reply.recordresult:
            if result.timeResult == "NotSigned" or not result.userCheckTime:
                continue
            work_date = from_epoch(result.workDate / 1000).astimezone(zone).date() if result.workDate else None
            out.append(Punch(user_id=result.userId, at=from_epoch(result.userCheckTime / 1000),
                             direction=DIRECTIONS.get(result.checkType, "punch"), record_id=str(result.id),
                             device=f"DingTalk {result.sourceType}".strip()[:80], work_date=work_date))
        if not reply.hasMore:
            return out
        offset += PAGE
    raise VendorError("DingTalk kept answering more pages")
