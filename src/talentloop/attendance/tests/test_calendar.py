"""The holiday calendar's services, page and API, and the attendance policy's settings page."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext

from talentloop.attendance.calendar import Calendar
from talentloop.attendance.models import AttendancePolicy, CalendarDay, DayKind, Shift, WorkSite
from talentloop.attendance.selectors.calendar import calendar_year
from talentloop.attendance.selectors.policy import attendance_policy
from talentloop.attendance.services.calendar import attendance_policy_update, calendar_day_remove, calendar_day_set
from talentloop.attendance.tests.official_calendar import official_calendar  # noqa: F401 - a fixture
from talentloop.core.audit.models import AuditEntry
from talentloop.core.errors import InvalidInput, NotFound, PermissionDenied

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("official_calendar")]

D = dt.date


@pytest.fixture
def site(world):
    return WorkSite.objects.create(org_unit=world.platform, name="苏州工厂", name_en="Suzhou plant",
                                   latitude=Decimal("31.3"), longitude=Decimal("120.6"))


# ---------------------------------------------------------------- services


def test_hr_sets_a_day_of_a_later_year_and_the_calendar_follows(actor_of):
    # 2027 has no notice yet: HR enters New Year's Day; 2027-01-01 is a Friday.
    row = calendar_day_set(actor=actor_of("hr"), date=D(2027, 1, 1), kind=DayKind.STATUTORY, name="元旦",
                           name_en="New Year's Day")
    assert (row.official, row.site_id) == (False, None)
    assert Calendar(D(2027, 1, 1), D(2027, 1, 1)).kind(D(2027, 1, 1)) == DayKind.STATUTORY
    assert AuditEntry.objects.filter(entity_type="attendance.calendarday", action="create").count() == 1
    # Nothing was copied: 2027 holds that one day only.
    assert CalendarDay.objects.filter(date__year=2027).count() == 1


def test_a_site_day_wins_for_that_site_only(actor_of, site):
    # 2026-05-09 (Saturday) is an official workday; the Suzhou plant rests that day.
    calendar_day_set(actor=actor_of("hr"), date=D(2026, 5, 9), kind=DayKind.REST, name="厂休", site=site)
    calendar = Calendar(D(2026, 5, 9), D(2026, 5, 9))
    assert calendar.kind(D(2026, 5, 9)) == DayKind.WORKDAY
    assert calendar.kind(D(2026, 5, 9), site.pk) == DayKind.REST
    assert CalendarDay.objects.get(date=D(2026, 5, 9), site__isnull=True).official is True


def test_changing_a_notice_day_makes_it_hrs_and_then_removable(actor_of):
    hr = actor_of("hr")
    calendar_day_set(actor=hr, date=D(2026, 10, 10), kind=DayKind.REST, name="公司调整")
    row = CalendarDay.objects.get(date=D(2026, 10, 10), site__isnull=True)
    assert (row.kind, row.official, row.updated_by_id) == ("rest", False, hr.user.pk)
    entry = AuditEntry.objects.get(entity_type="attendance.calendarday", action="update")
    assert entry.changes["kind"] == {"before": "workday", "after": "rest"}
    calendar_day_remove(actor=hr, date=D(2026, 10, 10))
    assert not CalendarDay.objects.filter(date=D(2026, 10, 10)).exists()


def test_a_notice_day_cannot_be_removed(actor_of):
    with pytest.raises(InvalidInput) as exc:
        calendar_day_remove(actor=actor_of("hr"), date=D(2026, 10, 1))
    assert "date" in exc.value.errors
    assert CalendarDay.objects.filter(date=D(2026, 10, 1), official=True).exists()


def test_removing_a_day_that_is_not_set(actor_of):
    with pytest.raises(NotFound):
        calendar_day_remove(actor=actor_of("hr"), date=D(2026, 3, 3))


@pytest.mark.parametrize(("kwargs", "field"), [
    ({"date": D(2026, 3, 3), "kind": "holiday"}, "kind"),
    ({"date": D(1999, 3, 3), "kind": "rest"}, "date"),
    ({"date": "2026-03-03", "kind": "rest"}, "date"),
    ({"date": D(2026, 3, 3), "kind": "statutory"}, "name"),
    ({"date": D(2026, 3, 3), "kind": "rest", "name": "x" * 81}, "name"),
])
def test_bad_days_are_refused_and_change_nothing(actor_of, kwargs, field):
    before = CalendarDay.objects.count()
    with pytest.raises(InvalidInput) as exc:
        calendar_day_set(actor=actor_of("hr"), **kwargs)
    assert field in exc.value.errors
    assert CalendarDay.objects.count() == before


def test_an_inactive_site_is_refused(actor_of, site):
    site.is_active = False
    site.save()
    with pytest.raises(InvalidInput) as exc:
        calendar_day_set(actor=actor_of("hr"), date=D(2026, 3, 3), kind="rest", site=site)
    assert "site" in exc.value.errors


@pytest.mark.parametrize("persona", ["employee", "manager", "admin", "outsider"])
def test_only_hr_keeps_the_calendar(actor_of, persona):
    with pytest.raises(PermissionDenied):
        calendar_day_set(actor=actor_of(persona), date=D(2026, 3, 3), kind="rest", name="x")
    with pytest.raises(PermissionDenied):
        calendar_day_remove(actor=actor_of(persona), date=D(2026, 10, 1))


def test_the_year_selector_reads_every_date_in_one_query(site):
    with CaptureQueriesContext(connection) as queries:
        days = calendar_year(2026, site)
    assert len(queries) == 1
    assert len(days) == 365
    by_date = {d.date: d for d in days}
    assert (by_date[D(2026, 2, 14)].kind, by_date[D(2026, 2, 14)].adjusted) == ("workday", "workday")
    assert (by_date[D(2026, 2, 20)].kind, by_date[D(2026, 2, 20)].adjusted) == ("rest", "rest")
    assert (by_date[D(2026, 3, 7)].kind, by_date[D(2026, 3, 7)].source) == ("rest", "pattern")


# ---------------------------------------------------------------- the policy


def test_the_policy_row_is_created_once():
    AttendancePolicy.objects.all().delete()
    first = attendance_policy()
    assert attendance_policy().pk == first.pk
    assert AttendancePolicy.objects.count() == 1
    assert (first.daily_overtime_cap_minutes, first.monthly_overtime_cap_minutes) == (180, 2160)


def test_hr_changes_the_policy_and_it_is_audited(actor_of):
    shift = Shift.objects.create(code="day", name="白班", start=dt.time(9), end=dt.time(18))
    policy = attendance_policy_update(actor=actor_of("hr"), data={"daily_overtime_cap_minutes": 120,
                                                                  "default_shift": shift})
    assert (policy.daily_overtime_cap_minutes, policy.default_shift_id) == (120, shift.pk)
    entry = AuditEntry.objects.get(entity_type="attendance.attendancepolicy")
    assert entry.changes["daily_overtime_cap_minutes"] == {"before": 180, "after": 120}


@pytest.mark.parametrize(("data", "field"), [
    ({"daily_overtime_cap_minutes": 181}, "daily_overtime_cap_minutes"),  # above the legal 3 hours
    ({"monthly_overtime_cap_minutes": 2161}, "monthly_overtime_cap_minutes"),  # above the legal 36 hours
    ({"monthly_overtime_cap_minutes": 100}, "monthly_overtime_cap_minutes"),  # below the daily 180
    ({"location_retention_days": 31}, "location_retention_days"),
    ({"clock_window_days": -1}, "clock_window_days"),
    ({"rest_day_in_lieu": "yes"}, "rest_day_in_lieu"),
    ({"colour": "red"}, "colour"),
])
def test_bad_policies_are_refused_and_change_nothing(actor_of, data, field):
    before = attendance_policy()
    with pytest.raises(InvalidInput) as exc:
        attendance_policy_update(actor=actor_of("hr"), data=data)
    assert field in exc.value.errors
    after = AttendancePolicy.objects.get(pk=before.pk)
    assert (after.daily_overtime_cap_minutes, after.monthly_overtime_cap_minutes, after.location_retention_days) == (
        180, 2160, 30)


def test_only_hr_changes_the_policy(actor_of):
    with pytest.raises(PermissionDenied):
        attendance_policy_update(actor=actor_of("admin"), data={"clock_window_days": 5})


# ---------------------------------------------------------------- pages


@time_machine.travel(dt.datetime(2026, 12, 7, 3, 0, tzinfo=dt.UTC), tick=False)
def test_the_calendar_redirects_to_this_year(client_for):
    response = client_for("employee").get("/time/calendar/")
    assert response.status_code == 302 and response["Location"] == "/time/calendar/2026/"


def test_the_year_page_marks_the_days(client_for):
    body = client_for("employee").get("/time/calendar/2026/").content.decode()
    assert 'data-date="2026-02-14" data-kind="workday"' in body
    assert "cal-adjusted-workday" in body and "cal-statutory" in body and "cal-adjusted-rest" in body
    assert "春节" in body or "Spring Festival" in body
    assert 'hx-target="#day-panel"' not in body  # an employee reads, never edits


def test_hr_sees_the_edit_links_and_a_year_without_days(client_for):
    body = client_for("hr").get("/time/calendar/2031/").content.decode()
    assert 'data-testid="no-special-days"' in body
    assert "/time/calendar/2031/day/?date=2031-01-01" in body


def test_a_year_out_of_range_is_404(client_for):
    assert client_for("employee").get("/time/calendar/1999/").status_code == 404
    assert client_for("employee").get("/time/calendar/2026/?site=abc").status_code == 404
    assert client_for("employee").get("/time/calendar/2026/?site=987654").status_code == 404


def test_hr_sets_a_day_with_htmx(client_for):
    client = client_for("hr")
    form = client.get("/time/calendar/2026/day/?date=2026-03-03", HTTP_HX_REQUEST="true")
    assert form.status_code == 200 and 'data-testid="day-form"' in form.content.decode()
    assert "<html" not in form.content.decode()
    response = client.post("/time/calendar/2026/day/", {"date": "2026-03-03", "kind": "rest", "name": "公司年会"},
                           HTTP_HX_REQUEST="true")
    assert response.status_code == 200 and response["HX-Redirect"] == "/time/calendar/2026/"
    assert CalendarDay.objects.get(date=D(2026, 3, 3)).name == "公司年会"


def test_bad_day_form_answers_422_and_changes_nothing(client_for):
    before = CalendarDay.objects.count()
    client = client_for("hr")
    response = client.post("/time/calendar/2026/day/", {"date": "2027-03-03", "kind": "rest"}, HTTP_HX_REQUEST="true")
    assert response.status_code == 422 and "errorlist" in response.content.decode()
    response = client.post("/time/calendar/2026/day/", {"date": "2026-03-03", "kind": "statutory"},
                           HTTP_HX_REQUEST="true")
    assert response.status_code == 422
    assert CalendarDay.objects.count() == before


def test_removing_a_notice_day_from_the_page_says_why(client_for):
    response = client_for("hr").post("/time/calendar/2026/day/remove/", {"date": "2026-10-01"}, follow=True)
    assert response.status_code == 200
    assert CalendarDay.objects.filter(date=D(2026, 10, 1), official=True).exists()


def test_the_policy_page(client_for):
    client = client_for("hr")
    assert client.get("/time/settings/").status_code == 200
    data = {"clock_window_days": "2", "location_retention_days": "14", "daily_overtime_cap_minutes": "120",
            "monthly_overtime_cap_minutes": "1800", "overtime_after_allowed": "on", "default_shift": ""}
    response = client.post("/time/settings/", data)
    assert response.status_code == 302
    policy = attendance_policy()
    assert (policy.clock_window_days, policy.location_retention_days, policy.rest_day_in_lieu) == (2, 14, False)
    bad = client.post("/time/settings/", {**data, "daily_overtime_cap_minutes": "240"}, HTTP_HX_REQUEST="true")
    assert bad.status_code == 422
    assert attendance_policy().daily_overtime_cap_minutes == 120


def test_the_admin_reads_the_policy_without_a_save_button(client_for):
    body = client_for("admin").get("/time/settings/").content.decode()
    assert 'data-testid="save-policy"' not in body
    assert client_for("admin").post("/time/settings/", {}).status_code == 404


# ---------------------------------------------------------------- API


def test_api_year_with_a_site(api_client_for, actor_of, site):
    calendar_day_set(actor=actor_of("hr"), date=D(2026, 5, 9), kind=DayKind.REST, name="厂休", site=site)
    body = api_client_for("employee").get(f"/api/v1/time/calendar/2026?site={site.pk}").json()
    assert body["year"] == 2026 and body["site_id"] == site.pk and len(body["days"]) == 365
    by_date = {d["date"]: d for d in body["days"]}
    assert by_date["2026-05-09"] == {"date": "2026-05-09", "kind": "rest", "name": "厂休", "name_en": "",
                                     "source": "site", "official": False}
    assert by_date["2026-10-01"]["kind"] == "statutory" and by_date["2026-10-01"]["official"] is True


def test_api_put_and_delete(api_client_for):
    client = api_client_for("hr")
    response = client.put("/api/v1/time/calendar/2027/days/2027-02-05", {"kind": "rest", "name": "春节"},
                          content_type="application/json")
    assert response.status_code == 200, response.content
    assert response.json()["kind"] == "rest"
    assert client.delete("/api/v1/time/calendar/2027/days/2027-02-05").status_code == 204
    assert client.delete("/api/v1/time/calendar/2027/days/2027-02-05").status_code == 404


@pytest.mark.parametrize(("url", "body", "field"), [
    ("/api/v1/time/calendar/2027/days/2026-02-05", {"kind": "rest"}, "date"),
    ("/api/v1/time/calendar/2027/days/2027-02-05", {"kind": "holiday"}, "kind"),
    ("/api/v1/time/calendar/2027/days/2027-02-05", {"kind": "statutory"}, "name"),
    ("/api/v1/time/calendar/2027/days/2027-02-05", {"kind": "rest", "site_id": 987654}, "site_id"),
    ("/api/v1/time/calendar/3000/days/3000-02-05", {"kind": "rest"}, "year"),
])
def test_api_bad_days(api_client_for, url, body, field):
    before = CalendarDay.objects.count()
    response = api_client_for("hr").put(url, body, content_type="application/json")
    assert response.status_code == 422, response.content
    assert any(key == field or key.endswith(field) for key in response.json()["errors"]), response.json()
    assert CalendarDay.objects.count() == before


def test_api_policy(api_client_for):
    assert api_client_for("admin").get("/api/v1/time/policy").json()["daily_overtime_cap_minutes"] == 180
    client = api_client_for("hr")
    response = client.patch("/api/v1/time/policy", {"rest_day_in_lieu": True, "default_shift_id": 987654},
                            content_type="application/json")
    assert response.status_code == 422 and "default_shift_id" in response.json()["errors"]
    assert attendance_policy().rest_day_in_lieu is False
    response = client.patch("/api/v1/time/policy", {"rest_day_in_lieu": True}, content_type="application/json")
    assert response.status_code == 200 and response.json()["rest_day_in_lieu"] is True
