"""The clock page, my month, today's exceptions, the work site pages, the home page's attendance
sections and the clock and sites endpoints: what each shows, bad input, and query counts at two sizes.

The time is frozen on Thursday 5 November 2026 in Shanghai. Everyone works the fixed shift
09:00-18:00 (5 minutes' grace, 60 minutes' break, late beyond 120 minutes is half a day absent)
from the company's schedule; the site ``HQ`` is 200 m around 31.230416 N, 121.473701 E (0.001° north
is 111 m away, inside; 0.002° is 222 m, 23 m outside: see test_clock.py).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext

from talentloop.attendance.models import ClockEvent, Shift, WorkSchedule, WorkSite
from talentloop.testing.factories import EmployeeFactory

pytestmark = pytest.mark.django_db
SH = ZoneInfo("Asia/Shanghai")
INSIDE = {"latitude": "31.231416", "longitude": "121.473701", "accuracy_m": "12"}
OUTSIDE = {"latitude": "31.232416", "longitude": "121.473701", "accuracy_m": "12"}


def at(day: int, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime(2026, 11, day, hour, minute, tzinfo=SH)


@pytest.fixture
def scene(world):
    shift = Shift.objects.create(code="day", name="白班", start=dt.time(9), end=dt.time(18))
    WorkSchedule.objects.create(org_unit=world.company, kind="fixed", shift=shift, effective_from=dt.date(2026, 1, 1))
    hq = WorkSite.objects.create(org_unit=world.company, name="总部", name_en="HQ", latitude=Decimal("31.230416"),
                                 longitude=Decimal("121.473701"), radius_m=200)
    return {"shift": shift, "hq": hq}


def punch(employee, when: dt.datetime, direction: str, **kwargs) -> ClockEvent:
    return ClockEvent.objects.create(employee=employee, at=when, work_date=when.astimezone(SH).date(),
                                     direction=direction, source="phone", **kwargs)


# ---------------------------------------------------------------- the clock page


def test_clock_page_offers_in_and_tells_what_is_kept(world, scene, client_for):
    with time_machine.travel(at(5, 8, 50), tick=False):
        html = client_for("employee").get("/time/").content.decode()
    assert 'data-testid="clock-in"' in html and 'data-testid="clock-out"' in html
    assert "Not clocked in yet." in html and "Shift starts at 09:00." in html
    assert "deleted" in html and 'data-testid="privacy-notice"' in html
    assert "js/clock.js" in html.split("</head>")[0]


def test_clock_in_inside_the_site(world, scene, client_for):
    client = client_for("employee")
    with time_machine.travel(at(5, 9, 2), tick=False):
        response = client.post("/time/clock/", {"direction": "in", **INSIDE})
        assert response.status_code == 302 and response["Location"] == "/time/"
        html = client.get("/time/").content.decode()
    event = ClockEvent.objects.get()
    assert (event.site, event.outside, event.accuracy_m) == (scene["hq"], False, 12)
    assert "Clocked in at 09:02, 总部." in html or "Clocked in at 09:02, HQ." in html
    # 09:02 is within the 5 minutes' grace: not late.
    assert 'data-testid="late"' not in html


def test_outside_without_a_reason_asks_for_it_and_keeps_the_position(world, scene, client_for):
    client = client_for("employee")
    with time_machine.travel(at(5, 9, 7), tick=False):
        response = client.post("/time/clock/", {"direction": "in", **OUTSIDE})
        html = response.content.decode()
        assert response.status_code == 200 and 'data-testid="clock-reason"' in html
        assert "23 m outside the nearest work site" in html
        assert 'value="31.232416"' in html  # the second try sends the same position
        assert not ClockEvent.objects.exists()
        response = client.post("/time/clock/", {"direction": "in", **OUTSIDE, "reason": "客户现场"})
        assert response.status_code == 302
        html = client.get("/time/").content.decode()
    event = ClockEvent.objects.get()
    assert (event.outside, event.distance_m, event.reason) == (True, 23, "客户现场")
    # 09:07 is beyond the grace: 7 minutes late, counted from 09:00.
    assert "late by 7 minutes" in html and "outside, 23 m away" in html


def test_bad_clock_posts_change_nothing(world, scene, client_for):
    client = client_for("employee")
    with time_machine.travel(at(5, 9), tick=False):
        for body in ({"direction": "sideways"}, {"direction": "in", "latitude": "abc", "longitude": "1"},
                     {"direction": "in", **INSIDE, "accuracy_m": "-4"}):
            assert client.post("/time/clock/", body).status_code == 200
            assert client.post("/time/clock/", body, HTTP_HX_REQUEST="true").status_code == 422
    assert not ClockEvent.objects.exists()


@pytest.mark.parametrize(("next_url", "location"), [("/", "/"), ("https://evil.example/", "/time/")])
def test_clock_from_the_home_page_returns_there_only(world, scene, client_for, next_url, location):
    with time_machine.travel(at(5, 9), tick=False):
        response = client_for("employee").post("/time/clock/", {"direction": "in", **INSIDE, "next": next_url})
    assert response["Location"] == location


# ---------------------------------------------------------------- my month


def test_my_month_judges_each_day(world, scene, client_for):
    emp = world.emp(world.employee)
    punch(emp, at(2, 8, 55), "in", site=scene["hq"])
    punch(emp, at(2, 18, 5), "out", site=scene["hq"])
    punch(emp, at(3, 9, 7), "in", site=scene["hq"])  # 7 minutes late
    punch(emp, at(3, 18), "out", outside=True, distance_m=40, reason="外出")
    # 4 November: no punch on a workday, absent. 5 November (today, 10:00): nothing yet, not absent before 11:00.
    with time_machine.travel(at(5, 10), tick=False):
        html = client_for("employee").get("/time/me/2026-11/").content.decode()
    rows = {d: html.split(f'data-testid="day-2026-11-{d:02d}"')[1].split("</tr>")[0] for d in (1, 2, 3, 4, 5)}
    assert "Day off" in rows[1]  # a Sunday
    assert "Normal" in rows[2]
    assert "Late" in rows[3] and "late 7 min" in rows[3] and "outside" in rows[3]
    assert "Absent" in rows[4]
    assert "in progress" in rows[5]


def test_my_month_runs_a_fixed_number_of_queries(world, scene, client_for):
    emp = world.emp(world.employee)
    client = client_for("employee")
    counts = []
    for days in (2, 20):
        ClockEvent.objects.all().delete()
        for d in range(1, days + 1):
            punch(emp, at(d, 9), "in", site=scene["hq"])
            punch(emp, at(d, 18), "out", site=scene["hq"])
        with time_machine.travel(at(30, 20), tick=False), CaptureQueriesContext(connection) as q:
            assert client.get("/time/me/2026-11/").status_code == 200
        counts.append(len(q))
    # 6 for the signed-in request and the bell; shifts 1; the plan 4 (person, calendar, policy,
    # schedules); the punches 1; the leave 1 = 13, whatever the number of punches.
    assert counts == [13, 13]


# ---------------------------------------------------------------- today's exceptions and the home page


def _team(world, n: int):
    lead = world.emp(world.lead)
    return [EmployeeFactory(org_unit=world.platform, job_family=world.engineering, manager=lead) for _ in range(n)]


def test_manager_sees_the_teams_exceptions_of_the_day(world, scene, client_for):
    emp = world.emp(world.employee)
    mentor = world.emp(world.mentor)
    punch(emp, at(5, 9, 20), "in", site=scene["hq"])  # 20 minutes late
    punch(mentor, at(5, 8, 50), "in", outside=True, distance_m=500, reason="客户")  # on time, outside
    with time_machine.travel(at(5, 10), tick=False):
        home = client_for("manager").get("/").content.decode()
        # The home page holds a placeholder that loads the judged section right after (htmx).
        html = client_for("manager").get("/home/sections/team_attendance/", HTTP_HX_REQUEST="true").content.decode()
        page = client_for("manager").get("/time/today/").content.decode()
        hr_home = client_for("hr").get("/").content.decode()
        hr_html = client_for("hr").get("/home/sections/hr_attendance/", HTTP_HX_REQUEST="true").content.decode()
    for placeholder in (home, hr_home):
        assert 'hx-trigger="load"' in placeholder and "attendance-count" not in placeholder
    assert 'hx-get="/home/sections/team_attendance/"' in home and 'hx-get="/home/sections/hr_attendance/"' in hr_home
    section = html.split('data-testid="section-team_attendance"')[1].split("</section>")[0]
    # employee late, mentor outside; lead not in yet at 10:00 (absence counts only after 11:00).
    assert 'data-testid="team-attendance-count">2<' in section
    assert "Employee" in section and "Mentor" in section and "Lead" not in section
    assert "Employee" in page and "Mentor" in page
    assert 'data-testid="hr-attendance-count">2<' in hr_html


def test_everyone_with_an_employee_record_gets_the_clock_on_the_home_page(world, scene, client_for):
    with time_machine.travel(at(5, 9, 30), tick=False):
        html = client_for("employee").get("/").content.decode()
        admin = client_for("admin").get("/").content.decode()
    assert 'data-testid="section-clock"' in html and "Not clocked in yet." in html
    assert 'name="next" value="/"' in html and "js/clock.js" in html.split("</head>")[0]
    assert "<script" not in html.split("<main", 1)[1]
    assert 'data-testid="section-clock"' not in admin and 'section-hr_attendance' not in admin


def test_exceptions_page_runs_a_fixed_number_of_queries(world, scene, client_for):
    counts = []
    client = client_for("manager")
    for n in (3, 30):
        for person in _team(world, n):
            punch(person, at(5, 9, 30), "in")
        with time_machine.travel(at(5, 12), tick=False), CaptureQueriesContext(connection) as q:
            assert client.get("/time/today/").status_code == 200
        counts.append(len(q))
    # 6 for the request; the people's ids 1; judged by the summaries' engine: who is employed 1, the
    # leave 1, the plan 4, the shifts 1, the grouped punches 1; then the punches and the names of those
    # found 2 = 17.
    assert counts == [17, 17]


# ---------------------------------------------------------------- work site pages


def test_hr_adds_a_site_and_bad_networks_are_named(world, client_for):
    client = client_for("hr")
    body = {"name": "二号园区", "org_unit": world.platform.pk, "latitude": "31.1", "longitude": "121.3",
            "radius_m": "150", "networks": "10.1.0.0/16\n300.1.1.1/8", "is_active": "on"}
    response = client.post("/time/sites/new/", body)
    assert response.status_code == 200 and "Line 2" in response.content.decode()
    assert not WorkSite.objects.exists()
    response = client.post("/time/sites/new/", {**body, "networks": "10.1.0.0/16\n192.168.1.9/24"})
    assert response.status_code == 302
    site = WorkSite.objects.get()
    assert site.networks == "10.1.0.0/16\n192.168.1.0/24" and site.radius_m == 150
    assert "二号园区" in client.get("/time/sites/").content.decode()
    assert "二号园区" in client_for("admin").get("/time/sites/").content.decode()


# ---------------------------------------------------------------- the API


def test_api_clock_in_and_the_day(world, scene, api_client_for):
    client = api_client_for("employee")
    body = {"direction": "in", "latitude": 31.231416, "longitude": 121.473701, "accuracy_m": 10}
    with time_machine.travel(at(5, 9, 7), tick=False):
        response = client.post("/api/v1/time/clock", body, content_type="application/json")
        again = client.post("/api/v1/time/clock", body, content_type="application/json")
    assert response.status_code == 201, response.content
    data = response.json()
    assert data["created"] and data["event"]["site_id"] == scene["hq"].pk and not data["event"]["outside"]
    assert (data["day"]["state"], data["day"]["late_minutes"], data["day"]["next_direction"]) == ("late", 7, "out")
    assert again.status_code == 200 and again.json()["event"]["id"] == data["event"]["id"]


def test_api_refuses_outside_without_reason_and_the_future(world, scene, api_client_for):
    client = api_client_for("employee")
    with time_machine.travel(at(5, 9), tick=False):
        response = client.post("/api/v1/time/clock", {"direction": "in", "latitude": 31.232416,
                                                      "longitude": 121.473701}, content_type="application/json")
        assert response.status_code == 422
        assert "reason" in response.json()["errors"] and response.json()["distance_m"] == 23
        future = at(5, 9, 5).isoformat()
        response = client.post("/api/v1/time/clock", {"direction": "in", "at": future, "reason": "x"},
                               content_type="application/json")
        assert response.status_code == 422 and "at" in response.json()["errors"]
        response = client.post("/api/v1/time/clock", {"direction": "punch"}, content_type="application/json")
        assert response.status_code == 422
    assert not ClockEvent.objects.exists()


def test_api_lists_my_events_only_by_work_date(world, scene, api_client_for):
    emp, other = world.emp(world.employee), world.emp(world.outsider)
    for d in (2, 3, 4):
        punch(emp, at(d, 9), "in", site=scene["hq"], latitude=Decimal("31.2"), longitude=Decimal("121.4"))
    punch(other, at(3, 9), "in")
    client = api_client_for("employee")
    response = client.get("/api/v1/time/clock", {"start": "2026-11-03", "end": "2026-11-04"})
    data = response.json()
    assert data["count"] == 2 and [e["work_date"] for e in data["items"]] == ["2026-11-03", "2026-11-04"]
    assert data["items"][0]["latitude"] == "31.200000" or float(data["items"][0]["latitude"]) == 31.2
    assert client.get("/api/v1/time/clock", {"start": "2026-11-04", "end": "2026-11-03"}).status_code == 422
    counts = []
    for extra in (0, 30):
        for i in range(extra):
            punch(emp, at(5, 8) + dt.timedelta(minutes=i), "in", site=scene["hq"])
        client.get("/api/v1/time/clock")  # the token's first use is stamped once
        with CaptureQueriesContext(connection) as q:
            assert client.get("/api/v1/time/clock").status_code == 200
        counts.append(len(q))
    # 4 for the token and the actor; count 1; the page 1 (sites joined) = 6.
    assert counts == [6, 6]


def test_api_sites(world, api_client_for):
    hr = api_client_for("hr")
    body = {"org_unit_id": world.company.pk, "name": "总部", "latitude": "31.23", "longitude": "121.47",
            "radius_m": 200, "networks": ["10.8.0.0/16", "nope"]}
    response = hr.post("/api/v1/time/sites", body, content_type="application/json")
    assert response.status_code == 422 and "Line 2" in response.json()["errors"]["networks"][0]
    response = hr.post("/api/v1/time/sites", {**body, "networks": ["10.8.0.0/16"]}, content_type="application/json")
    assert response.status_code == 201
    site_id = response.json()["id"]
    response = hr.patch(f"/api/v1/time/sites/{site_id}", {"radius_m": 350}, content_type="application/json")
    assert response.status_code == 200
    assert (response.json()["radius_m"], response.json()["networks"], response.json()["name"]) == (
        350, ["10.8.0.0/16"], "总部")
    assert api_client_for("admin").get("/api/v1/time/sites").json()["count"] == 1


# ---------------------------------------------------------------- what one punch costs


def _history(people, days: int, site) -> None:
    """``days`` workdays of an arrival and a departure for each person, ending the day before 5 November."""
    rows = []
    day = dt.date(2026, 11, 4)
    done = 0
    while done < days:
        if day.weekday() < 5:
            for person in people:
                for hour, direction in ((9, "in"), (18, "out")):
                    when = dt.datetime.combine(day, dt.time(hour), SH)
                    rows.append(ClockEvent(employee=person, at=when, work_date=day, direction=direction,
                                           source="phone", site=site))
            done += 1
        day -= dt.timedelta(days=1)
    ClockEvent.objects.bulk_create(rows)


def _punch_queries(post, when: dt.datetime) -> list[str]:
    """The queries of one punch once attendance's configuration is kept (as it is between requests in
    production: here the test's own writes of shifts and sites are committed first)."""
    from talentloop.attendance.selectors.policy import attendance_policy
    from talentloop.core import cache
    from talentloop.testing.commits import commit_callbacks

    attendance_policy()  # the policy row exists (the first reader creates it)
    commit_callbacks()
    cache.reset()
    with time_machine.travel(when - dt.timedelta(minutes=2), tick=False):
        post("in")  # builds the kept configuration (and marks the API token used)
    with time_machine.travel(when, tick=False), CaptureQueriesContext(connection) as q:
        post("out")
    return [x["sql"] for x in q.captured_queries]


def _attendance_queries(sqls: list[str]) -> list[str]:
    return [s for s in sqls if "attendance_" in s or "leave_" in s or "FOR UPDATE" in s]


def test_a_punch_costs_the_same_few_queries_whatever_is_stored(world, scene, api_client_for, client_for):
    emp = world.emp(world.employee)
    api = api_client_for("employee")
    web = client_for("employee")
    body = {"latitude": 31.231416, "longitude": 121.473701, "accuracy_m": 10}

    def api_post(direction):
        response = api.post("/api/v1/time/clock", {**body, "direction": direction}, content_type="application/json")
        assert response.status_code == 201, response.content

    def web_post(direction):  # the home page's tap: back to the home page
        response = web.post("/time/clock/", {**body, "direction": direction, "next": "/"})
        assert response.status_code == 302 and response["Location"] == "/"

    api_counts, web_counts = [], []
    for days, team in ((2, 0), (60, 30)):
        ClockEvent.objects.all().delete()
        _history([emp, *_team(world, team)], days, scene["hq"])
        api_sql = _punch_queries(api_post, at(5, 18, 5))
        ClockEvent.objects.filter(work_date=dt.date(2026, 11, 5)).delete()
        web_sql = _punch_queries(web_post, at(5, 18, 5))
        api_counts.append((len(api_sql), len(_attendance_queries(api_sql))))
        web_counts.append((len(web_sql), len(_attendance_queries(web_sql))))
    # Attendance's part of a punch: the person's punches of the nearby work dates (the same punch
    # within a minute and the day's state from one read), the insert, the day's leave; plus the lock on
    # the person's row on PostgreSQL (SQLite's IMMEDIATE transaction already holds the write lock).
    # Sites, shifts, the policy's window and the plan come from kept configuration.
    own = 4 if connection.vendor == "postgresql" else 3
    # The API adds the token, the person, their roles and the reports check (4) and the transaction's
    # savepoint pair in the test (2). The web tap answers with a redirect (no day's state, so no leave
    # read) and adds the session, the user and the same actor (5) and the savepoint pair (2).
    assert api_counts == [(own + 6, own)] * 2, api_counts
    assert web_counts == [(own - 1 + 7, own - 1)] * 2, web_counts


def test_hrs_home_count_is_judged_at_most_once_a_minute(world, scene, client_for):
    emp = world.emp(world.employee)
    mentor = world.emp(world.mentor)
    punch(emp, at(5, 9, 20), "in", site=scene["hq"])  # 20 minutes late
    hr = client_for("hr")

    def count() -> str:
        html = hr.get("/home/sections/hr_attendance/", HTTP_HX_REQUEST="true").content.decode()
        return html.split('data-testid="hr-attendance-count">')[1].split("<")[0]

    with time_machine.travel(at(5, 10), tick=False):
        assert count() == "1"
    punch(mentor, at(5, 10), "in", outside=True, distance_m=500, reason="客户")  # outside a site
    with time_machine.travel(at(5, 10, 0) + dt.timedelta(seconds=59), tick=False):
        assert count() == "1"  # the count judged at 10:00 is kept for a minute
        # The list behind the link is always judged afresh.
        assert "Mentor" in hr.get("/time/today/").content.decode()
    with time_machine.travel(at(5, 10, 1) + dt.timedelta(seconds=1), tick=False):
        assert count() == "2"
    with time_machine.travel(at(6, 10), tick=False):  # another day is judged for that day
        assert count() == "0"  # nobody is absent at 10:00 yet
