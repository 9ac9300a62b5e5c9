"""The overtime and correction pages and API: the journeys end to end, access per persona (a manager
only their tree, a delegate while the delegation runs, the employee their own, HR within its scope,
an outsider 404), and the lists' query counts at two sizes. Now is Tuesday 12 May 2026, 10:00."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext

from talentloop.attendance.models import ApprovalDelegation, AttendancePolicy, CalendarDay, Correction, OvertimeRequest
from talentloop.testing.factories import EmployeeFactory, UserFactory, grant

TZ = ZoneInfo("Asia/Shanghai")
NOW = dt.datetime(2026, 5, 12, 10, 0, tzinfo=TZ)
MAY_6 = dt.date(2026, 5, 6)
JSON = "application/json"


def at(day: dt.date, h: int, m: int = 0) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(h, m), tzinfo=TZ)


@pytest.fixture
def now(world):
    CalendarDay.objects.update_or_create(date=dt.date(2026, 5, 1), site=None, defaults={"kind": "statutory"})
    CalendarDay.objects.update_or_create(date=dt.date(2026, 5, 9), site=None, defaults={"kind": "workday"})
    AttendancePolicy.objects.all().delete()
    AttendancePolicy.objects.create(clock_window_days=15)
    with time_machine.travel(NOW, tick=False):
        yield world


def _ot(emp, day: dt.date = MAY_6, h: int = 19, minutes: int = 120, status: str = "pending",
        breach: str = "") -> OvertimeRequest:
    return OvertimeRequest.objects.create(
        employee=emp, kind="after", work_date=day, start=at(day, h), end=at(day, h) + dt.timedelta(minutes=minutes),
        minutes=minutes, day_class="workday", multiplier="1.5", reason="发版", status=status, cap_breach=breach)


def _correction(emp, day: dt.date = dt.date(2026, 5, 11)) -> Correction:
    return Correction.objects.create(employee=emp, work_date=day, at=at(day, 9), direction="in", reason="忘记")


def _decide(client, url: str):
    """An approve, reject or cancel call with an empty JSON body."""
    return client.post(url, {}, content_type=JSON)


# ---------------------------------------------------------------- journeys


def test_employee_asks_for_overtime_with_a_live_preview_and_the_manager_approves(now, client_for, world):
    me = client_for("employee")
    page = me.get("/time/overtime/")
    assert page.status_code == 200 and 'data-testid="overtime-form"' in page.content.decode()
    # The preview (htmx) of Saturday 9 May, an adjusted workday: 150%.
    preview = me.get("/time/overtime/preview/", {"kind": "after", "date": "2026-05-09", "start": "18:00",
                                                 "end": "20:30"}, HTTP_HX_REQUEST="true")
    body = preview.content.decode()
    assert preview.status_code == 200 and "1.5×" in body and "2 h 30 min" in body
    assert "<html" not in body  # the partial only
    refused = me.get("/time/overtime/preview/", {"kind": "after", "date": "2026-05-01", "start": "09:00",
                                                 "end": "12:00", "compensation": "in_lieu"}, HTTP_HX_REQUEST="true")
    assert "never taken as time off in lieu" in refused.content.decode()
    response = me.post("/time/overtime/", {"kind": "after", "date": "2026-05-09", "start": "18:00", "end": "20:30",
                                           "reason": "发版"})
    assert response.status_code == 302
    ot = OvertimeRequest.objects.get()
    assert response["Location"] == f"/time/overtime/{ot.pk}/"
    assert (ot.minutes, ot.day_class, str(ot.multiplier)) == (150, "workday", "1.5")

    boss = client_for("manager")
    waiting = boss.get("/time/approvals/")
    assert f"/time/overtime/{ot.pk}/" in waiting.content.decode()
    assert boss.post(f"/time/overtime/{ot.pk}/approve/", {"note": "好", "next": "approvals"})["Location"] == \
        "/time/approvals/"
    ot.refresh_from_db()
    assert (ot.status, ot.decision_note) == ("approved", "好")
    detail = me.get(f"/time/overtime/{ot.pk}/").content.decode()
    assert 'data-testid="approve"' not in detail and 'data-testid="cancel"' not in detail


def test_bad_overtime_form_answers_422_for_htmx_and_writes_nothing(now, client_for):
    response = client_for("employee").post("/time/overtime/", {
        "kind": "before", "date": "2026-05-06", "start": "19:00", "end": "21:00", "reason": "x"},
        HTTP_HX_REQUEST="true")
    assert response.status_code == 422
    assert "starts today or later" in response.content.decode()
    assert not OvertimeRequest.objects.exists()


def test_correction_journey_web(now, client_for, world):
    me = client_for("employee")
    response = me.post("/time/corrections/", {"work_date": "2026-05-11", "direction": "in", "time": "08:59",
                                              "reason": "忘记打卡"})
    assert response.status_code == 302
    c = Correction.objects.get()
    lead = client_for("lead")
    assert lead.post(f"/time/corrections/{c.pk}/approve/", {})["Location"] == f"/time/corrections/{c.pk}/"
    c.refresh_from_db()
    assert c.status == "approved" and c.events.count() == 1
    bad = me.post("/time/corrections/", {"work_date": "2026-05-11", "direction": "out", "time": "18:00",
                                         "reason": ""}, HTTP_HX_REQUEST="true")
    assert bad.status_code == 422 and Correction.objects.count() == 1
    # Through htmx a good form answers a client-side redirect to the new correction.
    good = me.post("/time/corrections/", {"work_date": "2026-05-11", "direction": "out", "time": "18:00",
                                          "reason": "忘记"}, HTTP_HX_REQUEST="true")
    assert good.status_code == 204 and good["HX-Redirect"] == f"/time/corrections/{Correction.objects.latest('id').pk}/"


def test_api_overtime_and_corrections(now, api_client_for, world):
    me = api_client_for("employee")
    r = me.post("/api/v1/time/overtime-requests", {"kind": "after", "start": "2026-05-06T19:00:00",
                                                   "end": "2026-05-06T21:00:00", "reason": "发版"},
                content_type="application/json")
    assert r.status_code == 201, r.content
    body = r.json()
    assert (body["minutes"], body["day_class"], body["multiplier"], body["status"]) == (120, "workday", "1.5",
                                                                                        "pending")
    bad = me.post("/api/v1/time/overtime-requests", {"kind": "after", "start": "2026-05-06T20:00:00",
                                                     "end": "2026-05-06T22:00:00", "reason": "重叠"},
                  content_type="application/json")
    assert bad.status_code == 422 and "start" in bad.json()["errors"]
    assert _decide(me, f"/api/v1/time/overtime-requests/{body['id']}/approve").status_code == 403  # one's own
    boss = api_client_for("manager")
    approved = boss.post(f"/api/v1/time/overtime-requests/{body['id']}/approve", {"note": "ok"},
                         content_type="application/json")
    assert approved.status_code == 200 and approved.json()["status"] == "approved"
    assert _decide(boss, f"/api/v1/time/overtime-requests/{body['id']}/reject").status_code == 409
    page = boss.get("/api/v1/time/overtime-requests", {"status": "approved"}).json()
    assert page["count"] == 1 and page["items"][0]["employee_id"] == world.emp(world.employee).pk

    c = me.post("/api/v1/time/corrections", {"work_date": "2026-05-11", "at": "2026-05-11T09:00:00",
                                             "direction": "in", "reason": "忘记"}, content_type="application/json")
    assert c.status_code == 201
    cid = c.json()["id"]
    assert _decide(api_client_for("outsider"), f"/api/v1/time/corrections/{cid}/approve").status_code == 404
    assert _decide(me, f"/api/v1/time/corrections/{cid}/cancel").json()["status"] == "cancelled"


# ---------------------------------------------------------------- access


def test_hr_sees_only_its_scope_and_the_cap_breaches(now, world, client_for):
    emp = world.emp(world.employee)
    breach = _ot(emp, status="approved", breach="m:2026-05:2220:2160")
    _ot(world.emp(world.outsider), status="approved")  # no breach: not on the list
    page = client_for("hr").get("/time/overtime/breaches/").content.decode()
    assert f"/time/overtime/{breach.pk}/" in page and "37 h" in page
    # HR of sales only: neither sees the employee's overtime nor its breach.
    user = UserFactory(username="hr-sales")
    EmployeeFactory(user=user, org_unit=world.sales, job_family=world.sales_family, employee_number="HR-S")
    grant(user, "hr", org_unit=world.sales)
    from django.test import Client

    sales_hr = Client()
    sales_hr.force_login(user)
    assert sales_hr.get(f"/time/overtime/{breach.pk}/").status_code == 404
    assert sales_hr.post(f"/time/overtime/{breach.pk}/cancel/", {}).status_code == 404
    assert f"/time/overtime/{breach.pk}/" not in sales_hr.get("/time/overtime/breaches/").content.decode()


def test_a_manager_approves_only_their_tree_and_a_delegate_while_it_runs(now, world, client_for, api_client_for):
    ot = _ot(world.emp(world.employee))
    c = _correction(world.emp(world.employee))
    assert client_for("outsider").get(f"/time/overtime/{ot.pk}/").status_code == 404
    assert client_for("mentor").post(f"/time/overtime/{ot.pk}/approve/", {}).status_code == 404
    assert _decide(api_client_for("mentor"), f"/api/v1/time/corrections/{c.pk}/approve").status_code == 404
    ApprovalDelegation.objects.create(approver=world.emp(world.lead), delegate=world.emp(world.mentor),
                                      start=dt.date(2026, 5, 11), end=dt.date(2026, 5, 13))
    mentor = client_for("mentor")
    assert f"/time/overtime/{ot.pk}/" in mentor.get("/time/approvals/").content.decode()
    assert mentor.post(f"/time/overtime/{ot.pk}/approve/", {}).status_code == 302
    assert _decide(api_client_for("mentor"), f"/api/v1/time/corrections/{c.pk}/approve").status_code == 200
    ot.refresh_from_db()
    assert ot.status == "approved"


def test_the_employee_sees_only_their_own(now, world, api_client_for):
    _ot(world.emp(world.employee))
    other = _ot(world.emp(world.outsider))
    me = api_client_for("employee")
    assert me.get("/api/v1/time/overtime-requests").json()["count"] == 1
    assert me.get(f"/api/v1/time/overtime-requests/{other.pk}").status_code == 404


# ---------------------------------------------------------------- query counts


def _people(world, n: int) -> list:
    lead = world.emp(world.lead)
    return [EmployeeFactory(org_unit=world.platform, job_family=world.engineering, manager=lead) for _ in range(n)]


def _count(client, url: str, **extra) -> int:
    client.get(url, **extra)  # warm: a token's first use stamps it
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url, **extra)
    assert response.status_code == 200
    return len(ctx.captured_queries)


@pytest.mark.parametrize("url", ["/time/overtime/", "/time/corrections/"])
def test_my_lists_query_count_is_flat(now, world, client_for, url):
    emp = world.emp(world.employee)
    me = client_for("employee")
    for i in range(2):
        _ot(emp, day=dt.date(2026, 4, 1) + dt.timedelta(days=i))
        _correction(emp, day=dt.date(2026, 4, 1) + dt.timedelta(days=i))
    small = _count(me, url)
    for i in range(2, 30):
        _ot(emp, day=dt.date(2026, 4, 1) + dt.timedelta(days=i))
        _correction(emp, day=dt.date(2026, 4, 1) + dt.timedelta(days=i))
    assert _count(me, url) == small


def test_approvals_and_breaches_query_count_is_flat(now, world, client_for):
    for person in _people(world, 2):
        _ot(person, breach="d:2026-05-06:240:180")
        _correction(person)
    boss, hr = client_for("manager"), client_for("hr")
    small = (_count(boss, "/time/approvals/"), _count(hr, "/time/overtime/breaches/"))
    for person in _people(world, 20):
        _ot(person, breach="d:2026-05-06:240:180")
        _correction(person)
    assert (_count(boss, "/time/approvals/"), _count(hr, "/time/overtime/breaches/")) == small


@pytest.mark.parametrize("url", ["/api/v1/time/overtime-requests", "/api/v1/time/corrections",
                                 "/api/v1/time/overtime-requests?awaiting=true"])
def test_api_lists_query_count_is_flat(now, world, api_client_for, url):
    for person in _people(world, 2):
        _ot(person)
        _correction(person)
    boss = api_client_for("manager")
    small = _count(boss, url)
    for person in _people(world, 20):
        _ot(person)
        _correction(person)
    assert _count(boss, url) == small
