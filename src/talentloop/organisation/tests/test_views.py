"""The HR pages: forms show field errors and change nothing; htmx gets partials and 422."""

from __future__ import annotations

import datetime as dt

import pytest

from talentloop.organisation.models import Employee, EmploymentEvent, OrgUnit

pytestmark = pytest.mark.django_db

HX = {"HTTP_HX_REQUEST": "true"}


def _hire_form(world, **overrides) -> dict:
    data = {"employee_number": "W-1", "name": "网页", "name_en": "Web Person", "email": "web@example.com",
            "hire_date": "2024-05-06", "org_unit": world.platform.pk, "job_family": world.engineering.pk,
            "level": "2", "manager": "T-lead", "national_id": "", "bank_account": ""}
    data.update(overrides)
    return data


def test_people_list_htmx_gets_only_the_results(world, client_for):
    c = client_for("hr")
    full = c.get("/people/", {"search": "lead"})
    assert "<html" in full.content.decode() and full.context["count"] == 1
    partial = c.get("/people/", {"search": "lead"}, **HX)
    body = partial.content.decode()
    assert partial.status_code == 200
    assert "<html" not in body and body.lstrip().startswith('<div id="results">')
    assert "Lead" in body and "Outsider" not in body


def test_people_list_for_a_manager_is_the_reporting_tree(world, client_for):
    r = client_for("manager").get("/people/")
    assert {e.employee_number for e in r.context["employees"]} == {"T-manager", "T-lead", "T-mentor",
                                                                    "T-employee"}
    assert r.context["can_create"] is False


def test_create_employee_bad_value_then_good(world, client_for):
    c = client_for("hr")
    bad = c.post("/people/new/", _hire_form(world, email="not-an-address", manager="NOBODY"))
    assert bad.status_code == 200
    assert set(bad.context["form"].errors) == {"email", "manager"}
    assert c.post("/people/new/", _hire_form(world, level="42"), **HX).status_code == 422
    assert not Employee.objects.filter(employee_number="W-1").exists()
    good = c.post("/people/new/", _hire_form(world))
    emp = Employee.objects.get(employee_number="W-1")
    assert good.status_code == 302 and good["Location"] == f"/people/{emp.pk}/"
    assert emp.manager == world.emp(world.lead) and emp.manager_path == world.emp(world.lead).reports_prefix
    assert list(emp.events.values_list("kind", flat=True)) == ["hire"]


def test_create_employee_service_errors_land_on_the_field(world, client_for):
    r = client_for("hr").post("/people/new/", _hire_form(world, employee_number="T-employee"))
    assert r.status_code == 200 and "employee_number" in r.context["form"].errors


def test_edit_keeps_sensitive_values_left_empty(world, client_for):
    emp = world.emp(world.employee)
    r = client_for("hr").post(f"/people/{emp.pk}/edit/", {"name": emp.name, "name_en": "Emp", "email": "",
                                                          "phone": "139", "hire_date": "2019-05-06",
                                                          "national_id": "", "bank_account": ""})
    assert r.status_code == 302
    emp.refresh_from_db()
    assert (emp.name_en, emp.phone, emp.national_id) == ("Emp", "139", "110101199001011234")


def test_events_through_the_form(world, client_for):
    c = client_for("hr")
    emp = world.emp(world.employee)
    page = c.get(f"/people/{emp.pk}/events/new/?kind=promotion")
    assert page.context["form"].initial["kind"] == "promotion"
    r = c.post(f"/people/{emp.pk}/events/new/", {"kind": "return", "effective_date": str(dt.date.today())},
               **HX)
    assert r.status_code == 422
    assert "Only an employee on leave can return." in r.content.decode()
    r = c.post(f"/people/{emp.pk}/events/new/", {"kind": "transfer", "effective_date": str(dt.date.today()),
                                                 "manager": "T-mentor"})
    assert r.status_code == 302
    emp.refresh_from_db()
    assert emp.manager == world.emp(world.mentor)
    detail = c.get(f"/people/{emp.pk}/")
    assert [e.kind for e in detail.context["events"]] == ["transfer"]


def test_unit_cannot_move_under_its_own_child(world, client_for):
    r = client_for("hr").post(f"/org/units/{world.rnd.pk}/", {"code": "rnd", "name": "研发部",
                                                               "parent": world.platform.pk, "is_active": "on"})
    assert r.status_code == 200
    assert "A unit cannot move under itself." in r.content.decode()
    assert OrgUnit.objects.get(pk=world.rnd.pk).parent == world.company


def test_org_chart_shows_units_and_the_managers_tree(world, client_for):
    r = client_for("manager").get("/org/")
    assert [row["employee"].employee_number for row in r.context["team"]] == ["T-lead", "T-employee",
                                                                               "T-mentor"]
    assert [row["depth"] for row in r.context["team"]] == [0, 1, 0]
    roots = r.context["roots"]
    assert [n.unit.code for n in roots] == ["company"]
    rnd = next(n for n in roots[0].children if n.unit.code == "rnd")
    # Head counts cover sub-units: platform has lead, mentor, employee (3); rnd adds manager (4);
    # the company adds sales' outsider and people's hr (6).
    assert (roots[0].headcount, rnd.headcount, rnd.children[0].headcount) == (6, 4, 3)
    assert "team" not in client_for("employee").get("/org/").context


def test_terminated_people_leave_the_headcount_but_keep_their_history(world, client_for, actor_of):
    from talentloop.organisation.services import employment_event_record, today

    emp = world.emp(world.employee)
    employment_event_record(actor=actor_of("hr"), employee=emp, kind="termination", effective_date=today())
    r = client_for("manager").get("/org/")
    rnd = next(n for n in r.context["roots"][0].children if n.unit.code == "rnd")
    assert (rnd.headcount, rnd.children[0].unit.code, rnd.children[0].headcount) == (3, "platform", 2)
    assert EmploymentEvent.objects.filter(employee=emp).count() == 1
    assert client_for("hr").get(f"/people/{emp.pk}/").status_code == 200
