"""The shift, schedule and roster pages and endpoints: the same services behind both, bad input
refused with its reason and nothing written, each persona's reach, and constant query counts.

Frozen on Monday 2026-11-02 10:00 Shanghai; personas as in test_rosters.py."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext

from talentloop.attendance.models import RosterEntry, Shift, ShiftRequirement, WorkSchedule
from talentloop.testing.factories import EmployeeFactory

NOW = dt.datetime(2026, 11, 2, 2, 0, tzinfo=dt.UTC)
MON = dt.date(2026, 11, 2)
PREV = MON - dt.timedelta(days=7)
API = "/api/v1/time"


@pytest.fixture(autouse=True)
def _frozen():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def shifts(db):
    return {"day": Shift.objects.create(code="day", name="白班", start=dt.time(8), end=dt.time(17)),
            "night": Shift.objects.create(code="night", name="夜班", start=dt.time(22), end=dt.time(6))}


@pytest.fixture
def rostered(world):
    WorkSchedule.objects.create(org_unit=world.platform, kind="roster", effective_from=dt.date(2026, 1, 1))
    return world


# ---------------------------------------------------------------- shift pages and API


SHIFT_FORM = {"code": "early", "name": "早班", "kind": "fixed", "start": "06:00", "end": "14:00", "break_minutes": "30",
              "grace_minutes": "5", "late_absent_minutes": "120", "early_absent_minutes": "120",
              "min_rest_hours": "11", "color": "#2f6feb"}


def test_hr_creates_edits_and_deactivates_a_shift_on_the_pages(world, client_for):
    hr = client_for("hr")
    assert hr.post("/time/shifts/new/", SHIFT_FORM).status_code == 302
    shift = Shift.objects.get(code="early")
    page = hr.get("/time/shifts/").content.decode()
    assert "early" in page and "06:00–14:00" in page
    # A flexible shift without its minutes and core time: the form says so, nothing changes.
    bad = hr.post(f"/time/shifts/{shift.pk}/", {**SHIFT_FORM, "kind": "flexible"}, HTTP_HX_REQUEST="true")
    assert bad.status_code == 422
    assert "A flexible shift needs the minutes to be worked." in bad.content.decode()
    shift.refresh_from_db()
    assert shift.kind == "fixed"
    assert hr.post(f"/time/shifts/{shift.pk}/toggle/").status_code == 302
    shift.refresh_from_db()
    assert not shift.is_active


def test_a_shift_in_use_is_not_deleted_from_the_page(rostered, shifts, client_for):
    RosterEntry.objects.create(employee=rostered.emp(rostered.employee), date=MON, shift=shifts["day"])
    response = client_for("hr").post(f"/time/shifts/{shifts['day'].pk}/delete/", follow=True)
    assert "deactivate it instead" in response.content.decode()
    assert Shift.objects.filter(pk=shifts["day"].pk).exists()


def test_shift_api(world, api_client_for):
    hr = api_client_for("hr")
    body = {"code": "night2", "name": "夜班", "start": "22:00", "end": "06:00", "break_minutes": 30}
    created = hr.post(f"{API}/shifts", body, content_type="application/json")
    assert created.status_code == 201, created.content
    out = created.json()
    assert (out["crosses_midnight"], out["grace_minutes"]) == (True, 5)
    again = hr.post(f"{API}/shifts", body, content_type="application/json")
    assert again.status_code == 422 and "code" in again.json()["errors"]
    patched = hr.patch(f"{API}/shifts/{out['id']}", {"is_active": False, "grace_minutes": 10},
                       content_type="application/json")
    assert patched.status_code == 200 and (patched.json()["is_active"], patched.json()["grace_minutes"]) == (False, 10)
    bad = hr.patch(f"{API}/shifts/{out['id']}", {"break_minutes": 480}, content_type="application/json")
    assert bad.status_code == 422 and "break_minutes" in bad.json()["errors"]
    listed = api_client_for("employee").get(f"{API}/shifts").json()
    assert listed["count"] == 0  # employees see active shifts only
    assert api_client_for("manager").patch(f"{API}/shifts/{out['id']}", {"grace_minutes": 1},
                                           content_type="application/json").status_code == 404


def test_schedules_page_and_api(world, shifts, client_for, api_client_for):
    hr = client_for("hr")
    employee = world.emp(world.employee)
    response = hr.post("/time/schedules/", {"employee": employee.employee_number, "kind": "roster",
                                            "effective_from": "2026-11-09"})
    assert response.status_code == 302, response.content.decode()[:2000]
    # A fixed schedule without a shift is refused on the page.
    bad = hr.post("/time/schedules/", {"org_unit": world.platform.pk, "kind": "fixed", "effective_from": "2026-11-09"})
    assert bad.status_code == 200 and "A fixed schedule needs a shift." in bad.content.decode()
    api = api_client_for("hr")
    made = api.post(f"{API}/schedules", {"org_unit_id": world.platform.pk, "kind": "fixed",
                                         "shift_id": shifts["day"].pk, "effective_from": "2026-01-01"},
                    content_type="application/json")
    assert made.status_code == 201
    assert WorkSchedule.objects.count() == 2
    page = hr.get("/time/schedules/").content.decode()
    assert employee.display_name in page and "2026-11-09" in page and "2026-01-01" in page
    listed = api.get(f"{API}/schedules").json()
    assert [r["effective_from"] for r in listed["items"]] == ["2026-11-09", "2026-01-01"]
    assert api.post(f"{API}/schedules", {"kind": "roster", "effective_from": "2026-01-01"},
                    content_type="application/json").status_code == 422


# ---------------------------------------------------------------- planner pages


def test_manager_plans_a_cell_with_htmx_and_sees_the_shortfall(rostered, shifts, client_for):
    manager = client_for("manager")
    employee = rostered.emp(rostered.employee)
    ShiftRequirement.objects.create(org_unit=rostered.platform, shift=shifts["night"], weekday=0, min_people=2)
    page = manager.get(f"/time/rosters/?week=2026-11-04&unit={rostered.platform.pk}")
    assert page.status_code == 200
    html = page.content.decode()
    assert f"grid-{employee.pk}-2026-11-02" in html and "0/2" in html  # the week of Wednesday starts Monday
    response = manager.post("/time/rosters/cell/", {"employee": employee.pk, "date": "2026-11-02",
                                                    "shift": shifts["night"].pk, "week": "2026-11-02",
                                                    "unit": rostered.platform.pk}, HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    html = response.content.decode()
    assert 'id="planner"' in html and "<html" not in html and "1/2" in html
    assert RosterEntry.objects.get().shift == shifts["night"]
    # Day shift on Tuesday 08:00 after the night ending 06:00: 2 h of rest, flagged.
    response = manager.post("/time/rosters/cell/", {"employee": employee.pk, "date": "2026-11-03",
                                                    "shift": shifts["day"].pk, "week": "2026-11-02"},
                            HTTP_HX_REQUEST="true")
    assert 'data-testid="rest-warning"' in response.content.decode()


def test_a_refused_cell_says_why_and_changes_nothing(rostered, shifts, client_for):
    outsider = rostered.emp(rostered.outsider)
    response = client_for("manager").post("/time/rosters/cell/", {"employee": outsider.pk, "date": "2026-11-02",
                                                                  "shift": shifts["day"].pk},
                                          HTTP_HX_REQUEST="true")
    assert response.status_code == 422
    assert "No person with this id whose roster you plan." in response.content.decode()
    far = client_for("manager").post("/time/rosters/cell/", {"employee": rostered.emp(rostered.employee).pk,
                                                             "date": "2027-06-01", "shift": "rest"},
                                     HTTP_HX_REQUEST="true")
    assert far.status_code == 422 and "Rosters are planned from 2026-10-26 to 2027-05-03." in far.content.decode()
    assert not RosterEntry.objects.exists()


def test_copy_last_week_from_the_page(rostered, shifts, client_for):
    employee = rostered.emp(rostered.employee)
    RosterEntry.objects.create(employee=employee, date=PREV, shift=shifts["day"])
    RosterEntry.objects.create(employee=employee, date=PREV + dt.timedelta(1), shift=None)
    RosterEntry.objects.create(employee=employee, date=MON + dt.timedelta(1), shift=shifts["night"])
    response = client_for("manager").post("/time/rosters/copy/", {"week": "2026-11-02"}, follow=True)
    html = response.content.decode()
    assert "1 day copied from last week." in html and "already planned" in html
    assert dict(RosterEntry.objects.filter(date__gte=MON).values_list("date", "shift__code")) == {
        MON: "day", MON + dt.timedelta(1): "night"}


def test_staffing_form_sets_the_minimum(rostered, shifts, client_for):
    response = client_for("manager").post("/time/rosters/staffing/", {
        "shift": shifts["night"].pk, "weekdays": ["5", "6"], "min_people": "3", "unit": rostered.platform.pk,
        "week": "2026-11-02"})
    assert response.status_code == 302
    assert sorted(ShiftRequirement.objects.values_list("weekday", "min_people")) == [(5, 3), (6, 3)]
    # The outsider's unit is not the manager's: 404.
    response = client_for("manager").post("/time/rosters/staffing/", {
        "shift": shifts["night"].pk, "weekdays": ["5"], "min_people": "1", "unit": rostered.sales.pk})
    assert response.status_code == 404


def test_my_roster_page(rostered, shifts, client_for):
    RosterEntry.objects.create(employee=rostered.emp(rostered.employee), date=MON, shift=shifts["night"])
    html = client_for("employee").get("/time/rosters/me/").content.decode()
    assert "22:00–06:00" in html and 'data-testid="my-2026-11-29"' in html  # four weeks: Nov 2 .. Nov 29
    assert client_for("employee").get("/time/rosters/").status_code == 404


# ---------------------------------------------------------------- roster API


def test_roster_api_put_get_and_copy(rostered, shifts, api_client_for):
    manager = api_client_for("manager")
    employee, outsider = rostered.emp(rostered.employee), rostered.emp(rostered.outsider)
    items = [{"employee_id": employee.pk, "date": "2026-10-26", "shift_id": shifts["night"].pk},
             {"employee_id": employee.pk, "date": "2026-10-27", "shift_id": None},
             {"employee_id": outsider.pk, "date": "2026-10-27", "shift_id": shifts["day"].pk},
             {"employee_id": employee.pk, "date": "not a date"},
             "nonsense"]
    refused = manager.put(f"{API}/rosters", {"items": items}, content_type="application/json")
    assert refused.status_code == 422
    assert {r["index"]: sorted(r["errors"]) for r in refused.json()["rejected"]} == {
        2: ["employee_id"], 3: ["date"], 4: ["__all__"]}
    assert not RosterEntry.objects.exists()
    kept = manager.put(f"{API}/rosters", {"items": items, "partial": True}, content_type="application/json")
    assert kept.status_code == 200 and (kept.json()["saved"], len(kept.json()["rejected"])) == (2, 3)

    got = manager.get(f"{API}/rosters", {"start": "2026-10-26", "end": "2026-11-01"}).json()
    assert [(r["date"], r["shift_code"]) for r in got["items"]] == [("2026-10-26", "night"), ("2026-10-27", None)]
    assert api_client_for("employee").get(f"{API}/rosters", {"start": "2026-10-26", "end": "2026-11-01"}
                                          ).json()["count"] == 2  # their own
    assert api_client_for("outsider").get(f"{API}/rosters", {"start": "2026-10-26", "end": "2026-11-01"}
                                          ).json()["count"] == 0
    assert manager.get(f"{API}/rosters", {"start": "2026-11-01", "end": "2026-10-01"}).json()["count"] == 0
    assert manager.get(f"{API}/rosters", {"org_unit": rostered.sales.pk}).json()["count"] == 0  # not theirs
    assert manager.get(f"{API}/rosters").json()["count"] == 0  # by default this week, 2026-11-02 .. 08: empty

    copied = manager.post(f"{API}/rosters/copy-week", {"from_week": "2026-10-28", "to_week": "2026-11-02",
                                                       "org_unit_id": rostered.platform.pk},
                          content_type="application/json")
    assert copied.status_code == 200, copied.content
    out = copied.json()
    assert (out["copied"], out["skipped"]) == (2, 0)
    assert {p["employee_id"]: p["copied"] for p in out["people"]}[employee.pk] == 2
    again = manager.post(f"{API}/rosters/copy-week", {"from_week": "2026-10-26", "to_week": "2026-11-02",
                                                      "employee_ids": [employee.pk]}, content_type="application/json")
    assert again.json()["skipped"] == 2 and again.json()["people"][0]["skipped"][0]["reason"] == "already planned"
    assert manager.post(f"{API}/rosters/copy-week", {"from_week": "2026-10-26", "to_week": "2026-11-02",
                                                     "employee_ids": [outsider.pk]},
                        content_type="application/json").status_code == 422
    assert api_client_for("employee").put(f"{API}/rosters", {"items": items[:1]},
                                          content_type="application/json").status_code == 403


def test_requirements_api(rostered, shifts, api_client_for):
    manager = api_client_for("manager")
    body = {"org_unit_id": rostered.platform.pk, "shift_id": shifts["night"].pk, "weekdays": [4, 5], "min_people": 2}
    response = manager.put(f"{API}/rosters/requirements", body, content_type="application/json")
    assert response.status_code == 200
    assert [(r["weekday"], r["shift_code"], r["min_people"]) for r in response.json()] == [(4, "night", 2),
                                                                                          (5, "night", 2)]
    removed = manager.put(f"{API}/rosters/requirements", {**body, "weekdays": [5], "min_people": 0},
                          content_type="application/json")
    assert [r["weekday"] for r in removed.json()] == [4]
    assert [r["weekday"] for r in manager.get(f"{API}/rosters/requirements",
                                              {"org_unit": rostered.platform.pk}).json()["items"]] == [4]
    assert [r["weekday"] for r in manager.get(f"{API}/rosters/requirements").json()["items"]] == [4]  # all units
    assert api_client_for("employee").get(f"{API}/rosters/requirements").status_code == 403
    bad = manager.put(f"{API}/rosters/requirements", {**body, "weekdays": [9]}, content_type="application/json")
    assert bad.status_code == 422 and "weekdays" in bad.json()["errors"]
    other = manager.put(f"{API}/rosters/requirements", {**body, "org_unit_id": rostered.sales.pk},
                        content_type="application/json")
    assert other.status_code == 422 and "org_unit_id" in other.json()["errors"]
    assert ShiftRequirement.objects.count() == 1


# ---------------------------------------------------------------- query counts


def _grow(world, n: int, shifts) -> None:
    lead = world.emp(world.lead)
    people = [EmployeeFactory(org_unit=world.platform, job_family=world.engineering, manager=lead) for _ in range(n)]
    RosterEntry.objects.bulk_create([RosterEntry(employee=p, date=MON + dt.timedelta(d), shift=shifts["day"])
                                     for p in people for d in range(0, 7, 2)])


@pytest.mark.parametrize("persona", ["manager", "hr"])
def test_planner_queries_do_not_grow_with_the_team(rostered, shifts, client_for, persona):
    # Beyond the 6 of every signed-in page: the units of the picker, the people, the shifts, the plan
    # (people, calendar days, policy, schedules, roster cells), the cells of the grid, the
    # requirements, the staffing form's shifts = the same count for 5 and 40 extra people.
    ShiftRequirement.objects.create(org_unit=rostered.platform, shift=shifts["day"], weekday=0, min_people=3)
    client = client_for(persona)
    url = f"/time/rosters/?week=2026-11-02&unit={rostered.platform.pk}"
    counts = []
    for extra in (5, 35):
        _grow(rostered, extra, shifts)
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url)
        assert response.status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1], counts


def test_roster_endpoint_queries_do_not_grow(rostered, shifts, api_client_for):
    client = api_client_for("manager")
    client.get(f"{API}/shifts")  # the token's first use stamps it
    counts = []
    for extra in (5, 35):
        _grow(rostered, extra, shifts)
        with CaptureQueriesContext(connection) as queries:
            response = client.get(f"{API}/rosters", {"start": "2026-11-02", "end": "2026-11-08"})
        assert response.status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1], counts
