"""Pulling punches from WeCom, DingTalk and Feishu, against local stand-ins that CHECK each documented
request (path, method, query, token, body fields and limits) and answer the documented JSON.

Now is 2026-11-10 02:00 UTC (10:00 in Shanghai). A vendor last pulled until 00:00 UTC is asked from
22:00 UTC the day before (the two-hour overlap), which is 06:00 local on 11-10: one local day."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.cache import cache

from talentloop.attendance.models import ClockEvent, ClockImport, VendorAttendance
from talentloop.attendance.services.vendors import vendor_pull, vendor_pull_all, vendor_save
from talentloop.core.errors import InvalidInput, PermissionDenied
from talentloop.notifications.models import ImIdentity
from talentloop.notifications.tests.channel_standin import StandIn

pytestmark = pytest.mark.django_db

NOW = dt.datetime(2026, 11, 10, 2, 0, tzinfo=dt.UTC)
SHANGHAI = dt.timezone(dt.timedelta(hours=8))


def _ts(local: str) -> int:
    return int(dt.datetime.fromisoformat(local).replace(tzinfo=SHANGHAI).timestamp())


def _vendor(code: str, base: str, **extra) -> VendorAttendance:
    cache.clear()
    row = VendorAttendance(vendor=code, app_id="APP-1", base_url=base, enabled=True,
                           pulled_until=dt.datetime(2026, 11, 10, 0, 0, tzinfo=dt.UTC), **extra)
    row.secret = "s3cret-value"
    row.save()
    return row


# ---------------------------------------------------------------- WeCom


def _wecom_route(calls: dict, *, fail_first_token: bool = False):
    def route(seen):
        calls[seen.path] = calls.get(seen.path, 0) + 1
        if seen.path == "/cgi-bin/gettoken":
            assert seen.method == "GET"
            assert seen.query == {"corpid": "APP-1", "corpsecret": "s3cret-value"}
            return 200, {"errcode": 0, "errmsg": "ok", "access_token": f"TOK{calls[seen.path]}", "expires_in": 7200}
        assert seen.method == "POST" and seen.path == "/cgi-bin/checkin/getcheckindata"
        if fail_first_token and seen.query["access_token"] == "TOK1":
            return 200, {"errcode": 42001, "errmsg": "access_token expired"}
        assert seen.query["access_token"] in ("TOK1", "TOK2")
        body = seen.json()
        assert body["opencheckindatatype"] == 3
        assert isinstance(body["starttime"], int) and isinstance(body["endtime"], int)
        assert 0 < body["endtime"] - body["starttime"] <= 30 * 86400
        assert 1 <= len(body["useridlist"]) <= 100
        # From 06:00 local (the first pull: pulled until 08:00 local, less the overlap) or 08:00 (the
        # next one, pulled until now, 10:00 local) to now.
        assert body["starttime"] in (_ts("2026-11-10 06:00:00"), _ts("2026-11-10 08:00:00"))
        assert body["endtime"] == _ts("2026-11-10 10:00:00")
        assert "zhangsan" in body["useridlist"] and "T-lead" in body["useridlist"]
        assert "T-employee" not in body["useridlist"]  # known to WeCom by the chat identity
        return 200, {"errcode": 0, "errmsg": "ok", "checkindata": [
            {"userid": "zhangsan", "groupname": "打卡一组", "checkin_type": "上班打卡", "exception_type": "",
             "checkin_time": _ts("2026-11-10 08:59:00"), "location_title": "总部", "wifiname": "办公一区",
             "notes": "", "sch_checkin_time": _ts("2026-11-10 09:00:00")},
            {"userid": "T-lead", "checkin_type": "上班打卡", "exception_type": "未打卡",
             "checkin_time": _ts("2026-11-10 09:00:00"), "location_title": ""},
            {"userid": "ghost", "checkin_type": "外出打卡", "exception_type": "",
             "checkin_time": _ts("2026-11-10 09:30:00"), "location_title": "客户处"},
        ]}
    return route


def test_wecom_pull_maps_identities_skips_missed_punches_and_reports_unknown_ids(world):
    ImIdentity.objects.create(employee=world.emp(world.employee), vendor="wecom", external_id="zhangsan")
    calls: dict = {}
    with StandIn(_wecom_route(calls)) as standin:
        vendor = _vendor("wecom", standin.base)
        pull = vendor_pull(None, vendor=vendor, now=NOW)
        # The next run asks again (the overlap): the same punch is not added twice; the token is reused.
        again = vendor_pull(None, vendor=vendor, now=NOW)
        standin.raise_errors()
    assert (pull.source, pull.rows, pull.added, pull.duplicates, pull.rejected) == ("wecom", 2, 1, 0, 1)
    assert pull.errors[0]["employee_number"] == "ghost"
    assert pull.errors[0]["reasons"] == ["No employee matches this user id of the app."]
    event = ClockEvent.objects.get()
    assert (event.employee_id, event.source, event.direction, event.device, event.work_date) == (
        world.emp(world.employee).pk, "wecom", "in", "总部", dt.date(2026, 11, 10))
    assert event.at == dt.datetime(2026, 11, 10, 0, 59, tzinfo=dt.UTC)
    vendor.refresh_from_db()
    assert vendor.pulled_until == NOW and vendor.last_error == ""
    assert (again.added, again.duplicates) == (0, 1)
    assert ClockEvent.objects.count() == 1
    assert calls["/cgi-bin/gettoken"] == 1


def test_wecom_expired_token_is_fetched_again_once(world):
    ImIdentity.objects.create(employee=world.emp(world.employee), vendor="wecom", external_id="zhangsan")
    calls: dict = {}
    with StandIn(_wecom_route(calls, fail_first_token=True)) as standin:
        vendor = _vendor("wecom", standin.base)
        pull = vendor_pull(None, vendor=vendor, now=NOW)
        standin.raise_errors()
    assert calls["/cgi-bin/gettoken"] == 2 and pull.rows == 2


def test_wecom_refused_token_is_kept_as_the_last_error_without_the_secret(world):
    def route(seen):
        return 200, {"errcode": 40001, "errmsg": "invalid credential"}

    with StandIn(route) as standin:
        vendor = _vendor("wecom", standin.base)
        assert vendor_pull(None, vendor=vendor, now=NOW) is None
    vendor.refresh_from_db()
    assert vendor.last_error == "WeCom refused a token (errcode 40001)"
    assert vendor.pulled_until == dt.datetime(2026, 11, 10, 0, 0, tzinfo=dt.UTC)  # not advanced
    assert "s3cret" not in vendor.last_error


# ---------------------------------------------------------------- DingTalk


def test_dingtalk_pull_pages_through_results_and_keeps_the_vendors_work_date(world):
    asked: list[int] = []

    def route(seen):
        if seen.path == "/gettoken":
            assert seen.method == "GET" and seen.query == {"appkey": "APP-1", "appsecret": "s3cret-value"}
            return 200, {"errcode": 0, "errmsg": "ok", "access_token": "DT", "expires_in": 7200}
        assert seen.method == "POST" and seen.path == "/attendance/list" and seen.query == {"access_token": "DT"}
        body = seen.json()
        assert body["workDateFrom"] == body["workDateTo"] == "2026-11-10 00:00:00"
        assert 1 <= len(body["userIdList"]) <= 50 and body["limit"] <= 50 and body["isI18n"] is False
        assert "T-employee" in body["userIdList"]  # no chat identity: the employee number
        asked.append(body["offset"])
        work_date = _ts("2026-11-10 00:00:00") * 1000
        if body["offset"] == 0:
            return 200, {"errcode": 0, "errmsg": "ok", "hasMore": True, "recordresult": [
                {"id": 9001, "userId": "T-employee", "checkType": "OnDuty", "timeResult": "Normal",
                 "sourceType": "USER", "userCheckTime": _ts("2026-11-10 08:58:00") * 1000, "workDate": work_date},
                {"id": 9002, "userId": "T-lead", "checkType": "OnDuty", "timeResult": "NotSigned",
                 "sourceType": "SYSTEM", "userCheckTime": _ts("2026-11-10 09:00:00") * 1000, "workDate": work_date},
            ]}
        assert body["offset"] == 50
        return 200, {"errcode": 0, "errmsg": "ok", "hasMore": False, "recordresult": [
            {"id": 9003, "userId": "T-lead", "checkType": "OffDuty", "timeResult": "Early", "sourceType": "ATM",
             "userCheckTime": _ts("2026-11-10 09:40:00") * 1000, "workDate": work_date},
        ]}

    with StandIn(route) as standin:
        vendor = _vendor("dingtalk", standin.base)
        pull = vendor_pull(None, vendor=vendor, now=NOW)
        standin.raise_errors()
    assert asked == [0, 50]
    assert (pull.rows, pull.added, pull.rejected) == (2, 2, 0)
    got = set(ClockEvent.objects.values_list("external_id", "direction", "work_date"))
    assert got == {("9001", "in", dt.date(2026, 11, 10)), ("9003", "out", dt.date(2026, 11, 10))}


# ---------------------------------------------------------------- Feishu


def test_feishu_pull_asks_by_employee_number_with_the_tenant_token(world):
    def route(seen):
        if seen.path == "/open-apis/auth/v3/tenant_access_token/internal":
            assert seen.method == "POST" and seen.json() == {"app_id": "APP-1", "app_secret": "s3cret-value"}
            return 200, {"code": 0, "msg": "ok", "tenant_access_token": "t-abc", "expire": 7200}
        assert seen.method == "POST" and seen.path == "/open-apis/attendance/v1/user_flows/query"
        assert seen.query == {"employee_type": "employee_no", "include_terminated_user": "true"}
        assert seen.headers["authorization"] == "Bearer t-abc"
        body = seen.json()
        assert 1 <= len(body["user_ids"]) <= 50
        assert (body["check_time_from"], body["check_time_to"]) == (str(_ts("2026-11-10 06:00:00")),
                                                                   str(_ts("2026-11-10 10:00:00")))
        return 200, {"code": 0, "msg": "success", "data": {"user_flow_results": [
            {"user_id": "T-mentor", "creator_id": "T-mentor", "location_name": "西溪八方城",
             "check_time": str(_ts("2026-11-10 09:03:00")), "comment": "", "record_id": "6709359313699356941",
             "is_field": False, "is_wifi": True, "type": 7},
        ]}}

    with StandIn(route) as standin:
        vendor = _vendor("feishu", standin.base)
        pull = vendor_pull(None, vendor=vendor, now=NOW)
        standin.raise_errors()
    assert pull.added == 1
    event = ClockEvent.objects.get()
    assert (event.employee.employee_number, event.direction, event.external_id, event.device) == (
        "T-mentor", "punch", "6709359313699356941", "西溪八方城")


# ---------------------------------------------------------------- convergence, schedule, settings


def test_a_failed_day_keeps_the_days_before_and_the_next_pull_converges(world):
    """Last pulled until 11-07 16:00 UTC (midnight local 11-08): the pull asks from 11-07 22:00 local
    (the overlap) a local day at a time — the rest of 11-07, 11-08, 11-09, 11-10 up to 10:00. The
    stand-in answers lead's 09:00 punch of a day when the window holds it, and fails 11-09 once:
    11-08 stays committed, and the next run goes on from there."""
    state = {"fail": True}

    def route(seen):
        if seen.path == "/cgi-bin/gettoken":
            return 200, {"errcode": 0, "access_token": "T", "expires_in": 7200}
        body = seen.json()
        day = dt.datetime.fromtimestamp(body["starttime"], SHANGHAI).date()
        if day == dt.date(2026, 11, 9) and state["fail"]:
            return 503, {"errcode": -1}
        nine = _ts(f"{day.isoformat()} 09:00:00")
        inside = body["starttime"] <= nine <= body["endtime"]
        return 200, {"errcode": 0, "checkindata": [
            {"userid": "T-lead", "checkin_type": "上班打卡", "checkin_time": nine}] if inside else []}

    with StandIn(route) as standin:
        vendor = _vendor("wecom", standin.base)
        vendor.pulled_until = dt.datetime(2026, 11, 7, 16, 0, tzinfo=dt.UTC)
        vendor.save()
        vendor_pull(None, vendor=vendor, now=NOW)
        vendor.refresh_from_db()
        assert vendor.pulled_until == dt.datetime(2026, 11, 8, 16, 0, tzinfo=dt.UTC)  # end of 11-08 local
        assert "answered 503" in vendor.last_error
        assert ClockEvent.objects.count() == 1  # 11-08 09:00
        state["fail"] = False
        vendor_pull_all(now=NOW)
        standin.raise_errors()
    vendor.refresh_from_db()
    assert vendor.pulled_until == NOW and vendor.last_error == ""
    # 11-09 09:00 and 11-10 09:00 now; 11-08's punch once.
    days = sorted(at.astimezone(SHANGHAI).strftime("%m-%d %H:%M") for at in ClockEvent.objects.values_list(
        "at", flat=True))
    assert days == ["11-08 09:00", "11-09 09:00", "11-10 09:00"]


def test_switched_off_vendors_are_not_pulled(world):
    vendor = _vendor("wecom", "http://127.0.0.1:9")
    vendor.enabled = False
    vendor.save()
    assert vendor_pull_all(now=NOW) == {}
    assert not ClockImport.objects.exists()


def test_save_keeps_the_secret_when_empty_and_replaces_it_when_given(world, actor_of):
    row = vendor_save(actor_of("hr"), vendor="dingtalk", app_id=" key-1 ", secret="first-secret-1234")
    assert (row.app_id, row.secret) == ("key-1", "first-secret-1234")
    row = vendor_save(actor_of("hr"), vendor="dingtalk", app_id="key-2", secret="", enabled=False)
    row.refresh_from_db()
    assert (row.app_id, row.secret, row.enabled) == ("key-2", "first-secret-1234", False)
    row = vendor_save(actor_of("hr"), vendor="dingtalk", app_id="key-2", secret="second-secret-9876")
    row.refresh_from_db()
    assert row.secret == "second-secret-9876"


@pytest.mark.parametrize("kwargs, field", [
    ({"vendor": "wecom", "app_id": "", "secret": "x"}, "app_id"),
    ({"vendor": "wecom", "app_id": "corp", "secret": ""}, "secret"),
    ({"vendor": "wecom", "app_id": "corp", "secret": "x", "base_url": "ftp://host"}, "base_url"),
    ({"vendor": "slack", "app_id": "corp", "secret": "x"}, "vendor"),
])
def test_save_refuses_bad_settings(world, actor_of, kwargs, field):
    with pytest.raises(InvalidInput) as exc:
        vendor_save(actor_of("hr"), **kwargs)
    assert field in exc.value.errors
    assert not VendorAttendance.objects.exists()


def test_only_hr_for_the_whole_organisation_sets_up_and_pulls(world, actor_of):
    with pytest.raises(PermissionDenied):
        vendor_save(actor_of("admin"), vendor="wecom", app_id="corp", secret="x")
    vendor = _vendor("wecom", "http://127.0.0.1:9")
    with pytest.raises(PermissionDenied):
        vendor_pull(actor_of("manager"), vendor=vendor, now=NOW)


def test_vendor_page_masks_the_secret_and_pulls_now(world, client_for, django_capture_on_commit_callbacks):
    client = client_for("hr")
    response = client.post("/time/vendors/feishu/", {"feishu-app_id": "cli_1", "feishu-secret": "abcdefgh1234",
                                                      "feishu-enabled": "on", "feishu-base_url": ""})
    assert response.status_code == 302
    page = client.get("/time/vendors/").content.decode()
    assert "••••1234" in page and "abcdefgh1234" not in page
    bad = client.post("/time/vendors/wecom/", {"wecom-app_id": "corp-1", "wecom-secret": ""})
    assert bad.status_code == 200 and "Enter the app&#x27;s secret." in bad.content.decode()
    assert not VendorAttendance.objects.filter(vendor="wecom").exists()

    def route(seen):
        if seen.path.endswith("/tenant_access_token/internal"):
            return 200, {"code": 0, "tenant_access_token": "t", "expire": 7200}
        return 200, {"code": 0, "data": {"user_flow_results": []}}

    with StandIn(route) as standin:
        VendorAttendance.objects.filter(vendor="feishu").update(base_url=standin.base)
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post("/time/vendors/feishu/pull/")
        standin.raise_errors()
    assert response.status_code == 302
    assert ClockImport.objects.filter(source="feishu").exists()
    assert VendorAttendance.objects.get(vendor="feishu").pulled_until is not None
