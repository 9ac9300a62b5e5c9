"""The summary pages and endpoints: HR builds, reviews, exports and locks a month; a person's month; an
adjustment of a locked month; scoping per persona; bad input; query counts; the command and the
nightly job; the day's exceptions for the home pages. October 2026 as in test_summaries_build."""

from __future__ import annotations

import datetime as dt
import io
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.test.utils import CaptureQueriesContext

from talentloop.attendance.models import ClockEvent, MonthLock, MonthlySummary, Shift, SummaryAdjustment, WorkSchedule
from talentloop.attendance.selectors.summaries import day_exceptions
from talentloop.attendance.services.summaries import summaries_build
from talentloop.attendance.tasks_summaries import rebuild_open_months
from talentloop.core.access import actor_for
from talentloop.testing.factories import EmployeeFactory

pytestmark = pytest.mark.django_db

TZ = ZoneInfo("Asia/Shanghai")
OCT = dt.date(2026, 10, 1)


def _now(day: dt.date = dt.date(2026, 11, 5), hour: int = 10):
    return time_machine.travel(dt.datetime(day.year, day.month, day.day, hour, tzinfo=TZ), tick=False)


def punch(person, day: dt.date, h: int, m: int = 0, outside: bool = False) -> None:
    ClockEvent.objects.create(employee=person, at=dt.datetime.combine(day, dt.time(h, m), TZ), work_date=day,
                              direction="punch", source="device", outside=outside)


@pytest.fixture
def scene(world):
    shift = Shift.objects.create(code="p-day", name="白班", start=dt.time(9), end=dt.time(18), grace_minutes=5)
    WorkSchedule.objects.create(org_unit=world.company, kind="fixed", shift=shift, effective_from=dt.date(2026, 1, 1))
    employee = world.emp(world.employee)
    punch(employee, dt.date(2026, 10, 8), 9, 7)   # 7 minutes late
    punch(employee, dt.date(2026, 10, 8), 18, 0)
    return world


def test_hr_builds_reviews_and_locks_a_month_on_the_pages(scene, client_for):
    hr = client_for("hr")
    with _now():
        page = hr.get("/time/summaries/?month=2026-10")
        assert page.status_code == 200 and b'data-testid="no-summaries"' in page.content
        assert hr.post("/time/summaries/build/", {"month": "2026-10"}).status_code == 302
        assert MonthlySummary.objects.filter(month=OCT).count() == 6  # the six persons with an employee record
        page = hr.get("/time/summaries/?month=2026-10&exceptions=1")
        assert b"T-employee" in page.content
        # Unconfirmed: nothing locked.
        hr.post("/time/summaries/lock/", {"month": "2026-10"})
        assert not MonthLock.objects.exists()
        assert hr.post("/time/summaries/lock/", {"month": "2026-10", "confirm": "on"}).status_code == 302
        assert MonthLock.objects.filter(month=OCT).exists()
        page = hr.get("/time/summaries/?month=2026-10")
        assert b'data-testid="build"' not in page.content and b'data-testid="lock"' not in page.content


def test_the_export_is_a_workbook_of_the_visible_rows(scene, client_for):
    from openpyxl import load_workbook

    with _now():
        summaries_build(month=OCT)
        response = client_for("hr").get("/time/summaries/export/?month=2026-10")
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert len(rows) == 2 + 6  # the lock line, the heading, six people
    numbers = {r[0] for r in rows[2:]}
    assert "T-employee" in numbers


def test_the_manager_sees_the_team_only(scene, client_for, api_client_for):
    with _now():
        summaries_build(month=OCT)
        page = client_for("manager").get("/time/summaries/?month=2026-10")
        assert b"T-employee" in page.content and b"T-outsider" not in page.content
        body = api_client_for("employee").get("/api/v1/time/summaries?month=2026-10").json()
    assert [r["employee_number"] for r in body["items"]] == ["T-employee"]
    assert body["items"][0]["late_minutes"] == 7


def test_a_persons_month_day_by_day(scene, client_for):
    employee = scene.emp(scene.employee)
    with _now():
        page = client_for("employee").get(f"/time/summaries/{employee.pk}/2026-10/")
    assert page.status_code == 200
    assert b'data-testid="not-built"' in page.content
    assert b'data-testid="day-2026-10-08"' in page.content


def test_adjusting_a_locked_month_on_the_page_and_bad_input(scene, client_for):
    hr = client_for("hr")
    employee = scene.emp(scene.employee)
    with _now():
        summaries_build(month=OCT)
        hr.post("/time/summaries/lock/", {"month": "2026-10", "confirm": "on"})
        url = f"/time/summaries/{employee.pk}/2026-10/adjust/"
        bad = hr.post(url, {"field": "late_minutes", "delta": "1.5", "reason": "gate"}, HTTP_HX_REQUEST="true")
        assert bad.status_code == 422 and not SummaryAdjustment.objects.exists()
        assert hr.post(url, {"field": "late_minutes", "delta": "-7", "reason": "gate"}).status_code == 302
    assert SummaryAdjustment.objects.get().delta == -7


def test_api_build_lock_adjust_and_errors(scene, api_client_for):
    hr = api_client_for("hr")
    employee = scene.emp(scene.employee)
    with _now():
        assert hr.post("/api/v1/time/summaries/build", {"month": "2026-13"},
                       content_type="application/json").status_code == 422
        assert hr.post("/api/v1/time/summaries/lock", {"month": "2026-10"},
                       content_type="application/json").status_code == 422  # not built
        built = hr.post("/api/v1/time/summaries/build", {"month": "2026-10"}, content_type="application/json")
        assert built.status_code == 200 and built.json()["people"] == 6
        assert hr.post("/api/v1/time/summaries/build", {"month": "2026-12"},
                       content_type="application/json").status_code == 422  # not started
        assert hr.post("/api/v1/time/summaries/lock", {"month": "2026-10"},
                       content_type="application/json").status_code == 200
        again = hr.post("/api/v1/time/summaries/build", {"month": "2026-10"}, content_type="application/json")
        assert again.status_code == 409
        adj = hr.post("/api/v1/time/summaries/adjustments", {"employee_id": employee.pk, "month": "2026-10",
                                                              "field": "absent_days", "delta": "0",
                                                              "reason": "x"}, content_type="application/json")
        assert adj.status_code == 422 and "delta" in adj.json()["errors"]
        adj = hr.post("/api/v1/time/summaries/adjustments", {"employee_id": employee.pk, "month": "2026-10",
                                                              "field": "late_minutes", "delta": "-7",
                                                              "reason": "gate log"}, content_type="application/json")
        assert adj.status_code == 201 and adj.json()["applied_to"] is None


def test_list_page_and_endpoint_query_counts_do_not_grow(scene, client_for, api_client_for):
    hr, api = client_for("hr"), api_client_for("hr")
    with _now():
        summaries_build(month=OCT)
        hr.get("/time/summaries/?month=2026-10")
        api.get("/api/v1/time/summaries?month=2026-10")  # the token's first use is recorded once
        with CaptureQueriesContext(connection) as small_page:
            hr.get("/time/summaries/?month=2026-10")
        with CaptureQueriesContext(connection) as small_api:
            api.get("/api/v1/time/summaries?month=2026-10")
        for _ in range(12):
            EmployeeFactory(org_unit=scene.platform)
        summaries_build(month=OCT)
        with CaptureQueriesContext(connection) as large_page:
            hr.get("/time/summaries/?month=2026-10")
        with CaptureQueriesContext(connection) as large_api:
            api.get("/api/v1/time/summaries?month=2026-10")
    assert MonthlySummary.objects.filter(month=OCT).count() == 18
    assert len(small_page.captured_queries) == len(large_page.captured_queries)
    assert len(small_api.captured_queries) == len(large_api.captured_queries)


def test_the_command_builds_and_refuses_bad_months(scene):
    out = io.StringIO()
    with _now():
        call_command("build-summaries", "--month", "2026-10", stdout=out)
        assert "2026-10: 6 people" in out.getvalue()
        with pytest.raises(CommandError):
            call_command("build-summaries", "--month", "October")


def test_the_nightly_job_rebuilds_the_open_months(scene):
    hr = actor_for(scene.hr)
    from talentloop.attendance.services.summaries import summaries_lock

    with _now(dt.date(2026, 11, 20)):
        assert rebuild_open_months(dt.date(2026, 11, 20)) == {"2026-10": 6, "2026-11": 6}
        summaries_lock(hr, month=OCT)
        assert rebuild_open_months(dt.date(2026, 11, 21)) == {"2026-11": 6}


def test_day_exceptions_for_the_home_pages(scene, actor_of):
    day = dt.date(2026, 11, 3)
    employee, mentor = scene.emp(scene.employee), scene.emp(scene.mentor)
    punch(employee, day, 9, 12)
    punch(employee, day, 18, 0)
    punch(mentor, day, 8, 50)                # one punch: missing once the day is over
    manager_emp = scene.emp(scene.manager)
    punch(manager_emp, day, 8, 59, outside=True)
    punch(manager_emp, day, 18, 1)
    # The day is over: the employee 12 minutes late, the lead absent, the mentor's punch missing, the
    # manager outside a site.
    after = dt.datetime(2026, 11, 4, 9, tzinfo=TZ)
    seen = {x.employee_number: x for x in day_exceptions(actor_of("manager"), day, now=after)}
    assert set(seen) == {"T-employee", "T-lead", "T-mentor", "T-manager"}
    assert (seen["T-employee"].state, seen["T-employee"].late_minutes) == ("late", 12)
    assert seen["T-lead"].state == "absent" and seen["T-mentor"].missing_punch
    assert seen["T-manager"].state == "outside"
    # At 10:00 the same day: the mentor's one punch is an arrival on time; the lead not in yet (arriving
    # now would only be late); at 11:01, beyond the 120 minutes after which lateness is absence, absent.
    during = dt.datetime(2026, 11, 3, 10, tzinfo=TZ)
    seen = {x.employee_number: x for x in day_exceptions(actor_of("manager"), day, now=during)}
    assert "T-mentor" not in seen and "T-lead" not in seen
    later = dt.datetime(2026, 11, 3, 11, 1, tzinfo=TZ)
    assert {x.employee_number: x for x in day_exceptions(actor_of("manager"), day, now=later)}[
        "T-lead"].state == "absent"
    # The mentor's lone punch becomes a missing punch only four hours after the shift's end (22:00).
    evening = dt.datetime(2026, 11, 3, 21, 59, tzinfo=TZ)
    assert "T-mentor" not in {x.employee_number for x in day_exceptions(actor_of("manager"), day, now=evening)}
    night = dt.datetime(2026, 11, 3, 22, 0, tzinfo=TZ)
    assert "T-mentor" in {x.employee_number for x in day_exceptions(actor_of("manager"), day, now=night)}
    # At 08:30 nobody is late yet.
    early = dt.datetime(2026, 11, 3, 8, 30, tzinfo=TZ)
    assert "T-lead" not in {x.employee_number for x in day_exceptions(actor_of("manager"), day, now=early)}
    # An employee sees only themselves; HR everyone (the outsider absent too).
    assert {x.employee_number for x in day_exceptions(actor_of("employee"), day, now=after)} == {"T-employee"}
    assert "T-outsider" in {x.employee_number for x in day_exceptions(actor_of("hr"), day, now=after)}
