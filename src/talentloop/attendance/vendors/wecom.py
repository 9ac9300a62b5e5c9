"""WeCom (企业微信) punch records (developer.work.weixin.qq.com, 打卡 › 获取打卡记录数据):

- ``GET {base}/cgi-bin/gettoken?corpid=ID&corpsecret=SECRET`` gives the access token (the secret of an
  app allowed to read 打卡 data);
- ``POST {base}/cgi-bin/checkin/getcheckindata?access_token=TOKEN`` with
  ``{"opencheckindatatype": 3, "starttime": 1492617600, "endtime": 1492790400, "useridlist": [...]}``
  (3: every kind of punch; Unix seconds; at most 30 days and 100 users) answers
  ``{"errcode": 0, "errmsg": "ok", "checkindata": [{"userid", "checkin_type": "上班打卡", "exception_type",
  "checkin_time", "location_title", "wifiname", "notes", ...}]}``. A record whose ``exception_type`` is
  未打卡 is a missed punch, not a punch. The records carry no id: a punch is known by (user, time, type).
"""

from __future__ import annotations

import datetime as dt
import hashlib

import pydantic

from talentloop.attendance.vendors.base import Punch, TokenExpired, VendorError, epoch, from_epoch
from talentloop.notifications.channels import http
from talentloop.notifications.channels.http import VendorReply
from talentloop.notifications.channels.wecom import client

CHECKIN_PATH = "/cgi-bin/checkin/getcheckindata"
BATCH = 100
WINDOW = dt.timedelta(days=1)  # a pull asks day by day (the API allows 30)
TOKEN_ERRORS = frozenset({40014, 42001})
DIRECTIONS = {"上班打卡": "in", "下班打卡": "out"}


class CheckinRecord(VendorReply):
    userid: str
    checkin_type: str = ""
    exception_type: str = ""
    checkin_time: int = 0
    location_title: str = ""
    wifiname: str = ""
    notes: str = ""


class CheckinReply(VendorReply):
    errcode: int = -1
    errmsg: str = ""
    checkindata: list[CheckinRecord] = pydantic.Field(default_factory=list)


def fetch_token(base_url: str, app_id: str, secret: str) -> tuple[str, int]:
    reply = client.get_token(base_url, corp_id=app_id, secret=secret)
    if reply.errcode != 0 or not reply.access_token:
        raise VendorError(f"WeCom refused a token (errcode {reply.errcode})")
    return reply.access_token, reply.expires_in or 7200


def request_body(user_ids: list[str], start: dt.datetime, end: dt.datetime) -> dict:
    return {"opencheckindatatype": 3, "starttime": epoch(start), "endtime": epoch(end), "useridlist": user_ids}


def punches(base_url: str, token: str, user_ids: list[str], start: dt.datetime, end: dt.datetime,
            id_type: str = "") -> list[Punch]:
    _status, reply = http.request("POST", f"{base_url}{CHECKIN_PATH}", CheckinReply,
                                  params={"access_token": token}, body=request_body(user_ids, start, end))
    if reply.errcode in TOKEN_ERRORS:
        raise TokenExpired
    if reply.errcode != 0:
        raise VendorError(f"WeCom answered errcode {reply.errcode}")
    out = []
    for record in reply.checkindata:
        if not record.checkin_time or "未打卡" in record.exception_type:
            continue
        key = f"{record.userid}\x1f{record.checkin_time}\x1f{record.checkin_type}"
        out.append(Punch(user_id=record.userid, at=from_epoch(record.checkin_time),
                         direction=DIRECTIONS.get(record.checkin_type, "punch"),
                         record_id=hashlib.blake2b(key.encode(), digest_size=16).hexdigest(),
                         device=(record.location_title or record.wifiname or "WeCom")[:80]))
    return out
