"""The organisation API: the contract of issue 2 (shapes, errors, scoping)."""

from __future__ import annotations

import datetime as dt

import pytest

from talentloop.organisation.models import Employee, EmploymentEvent

pytestmark = pytest.mark.django_db

TODAY = dt.date.today()


def _new_employee(world, **overrides) -> dict:
    body = {"employee_number": "API-1", "name": "接口", "name_en": "Api Person", "email": "api@example.com",
            "hire_date": "2024-03-01", "org_unit_id": world.platform.pk, "job_family_id": world.engineering.pk,
            "level": 2, "manager_id": world.emp(world.lead).pk, "national_id": "110101199001011234"}
    body.update(overrides)
    return body


def _error_body(response, status: int) -> dict:
    assert response.status_code == status, response.content
    body = response.json()
    assert set(body) == {"detail", "errors"} and body["detail"], body
    return body


# ---------------------------------------------------------------- list and detail


def test_list_shape_paging_and_filters(world, api_client_for):
    c = api_client_for("hr")
    body = c.get("/api/v1/employees").json()
    # hr, manager, lead, mentor, employee, outsider
    assert body["count"] == 6 and len(body["items"]) == 6
    assert [i["employee_number"] for i in body["items"]] == sorted(i["employee_number"] for i in body["items"])
    employee = next(i for i in body["items"] if i["employee_number"] == "T-employee")
    assert employee["national_id_masked"] == "••••1234"
    assert employee["bank_account_masked"] == "••••3445"
    assert "national_id" not in employee and "bank_account" not in employee
    assert employee["manager"]["employee_number"] == "T-lead"
    assert employee["org_unit"]["code"] == "platform"

    page = c.get("/api/v1/employees", {"limit": 2, "offset": 4}).json()
    assert page["count"] == 6 and len(page["items"]) == 2
    # The org unit filter covers the subtree: rnd holds manager, and platform below it lead, mentor, employee.
    assert c.get("/api/v1/employees", {"org_unit": world.rnd.pk}).json()["count"] == 4
    assert c.get("/api/v1/employees", {"job_family": world.sales_family.pk}).json()["count"] == 1
    assert c.get("/api/v1/employees", {"search": "lead"}).json()["count"] == 1
    assert c.get("/api/v1/employees", {"status": "terminated"}).json()["count"] == 0
    assert c.get("/api/v1/employees", {"org_unit": 999999}).json()["count"] == 0


@pytest.mark.parametrize("params", [{"limit": 0}, {"limit": 201}, {"offset": -1}, {"status": "gone"},
                                    {"org_unit": "x"}])
def test_list_refuses_bad_parameters(world, api_client_for, params):
    body = _error_body(api_client_for("hr").get("/api/v1/employees", params), 422)
    assert list(body["errors"]) == list(params)


def test_limit_of_200_is_accepted(world, api_client_for):
    assert api_client_for("hr").get("/api/v1/employees", {"limit": 200}).status_code == 200


def test_invisible_and_missing_records_are_the_same_404(world, api_client_for):
    c = api_client_for("employee")
    hidden = c.get(f"/api/v1/employees/{world.emp(world.outsider).pk}")
    missing = c.get("/api/v1/employees/987654")
    assert hidden.status_code == missing.status_code == 404
    assert hidden.json() == missing.json() == {"detail": "Not found.", "errors": {}}
    for path in ("events",):
        assert c.get(f"/api/v1/employees/{world.emp(world.outsider).pk}/{path}").status_code == 404


def test_me(world, api_client_for):
    me = api_client_for("employee").get("/api/v1/me").json()
    assert me["employee_id"] == world.emp(world.employee).pk
    assert me["manager"]["employee_number"] == "T-lead"
    assert me["org_unit"]["code"] == "platform"
    assert me["roles"] == ["employee"]
    assert api_client_for("manager").get("/api/v1/me").json()["roles"] == ["employee", "manager"]
    admin = api_client_for("admin").get("/api/v1/me").json()
    assert admin["employee_id"] is None and admin["org_unit"] is None and admin["roles"] == ["admin"]


# ---------------------------------------------------------------- create


def test_create_employee(world, api_client_for):
    r = api_client_for("hr").post("/api/v1/employees", _new_employee(world), content_type="application/json")
    assert r.status_code == 201, r.content
    body = r.json()
    assert body["national_id_masked"] == "••••1234" and body["manager"]["employee_number"] == "T-lead"
    emp = Employee.objects.get(pk=body["id"])
    assert list(emp.events.values_list("kind", flat=True)) == ["hire"]


@pytest.mark.parametrize("overrides, field", [
    ({"employee_number": "T-employee"}, "employee_number"),   # taken
    ({"email": "not-an-address"}, "email"),
    ({"level": 21}, "level"),
    ({"hire_date": "2024-02-30"}, "hire_date"),
    ({"org_unit_id": 999999}, "org_unit_id"),
    ({"manager_id": 999999}, "manager_id"),
])
def test_create_employee_bad_input_is_422_per_field(world, api_client_for, overrides, field):
    r = api_client_for("hr").post("/api/v1/employees", _new_employee(world, **overrides),
                                  content_type="application/json")
    body = _error_body(r, 422)
    assert field in body["errors"], body
    assert not Employee.objects.filter(employee_number="API-1").exists()


def test_create_employee_with_a_manager_who_left_names_manager_id(world, api_client_for):
    c = api_client_for("hr")
    lead = world.emp(world.lead)
    assert c.post(f"/api/v1/employees/{lead.pk}/events", {"kind": "termination", "effective_date": str(TODAY)},
                  content_type="application/json").status_code == 201
    body = _error_body(c.post("/api/v1/employees", _new_employee(world), content_type="application/json"), 422)
    assert list(body["errors"]) == ["manager_id"]


def test_create_employee_outside_scope_is_403(world, api_client_for):
    r = api_client_for("manager").post("/api/v1/employees", _new_employee(world), content_type="application/json")
    _error_body(r, 403)


# ---------------------------------------------------------------- patch


def test_patch_personal_fields(world, api_client_for):
    pk = world.emp(world.employee).pk
    r = api_client_for("hr").patch(f"/api/v1/employees/{pk}", {"phone": "13900000000", "name_en": "Em"},
                                   content_type="application/json")
    assert r.status_code == 200, r.content
    assert r.json()["phone"] == "13900000000"
    assert Employee.objects.get(pk=pk).name_en == "Em"


@pytest.mark.parametrize("field, value", [
    ("org_unit_id", "sales"), ("position_id", "engineer_position"), ("level", 7), ("manager_id", "outsider"),
    ("status", "terminated"), ("job_family_id", "sales_family"), ("manager_id", None),
])
def test_patch_refuses_structural_fields_with_a_clear_error(world, api_client_for, field, value):
    emp = world.emp(world.employee)
    if isinstance(value, str) and hasattr(world, value):
        obj = getattr(world, value)
        value = world.emp(obj).pk if field == "manager_id" else obj.pk
    r = api_client_for("hr").patch(f"/api/v1/employees/{emp.pk}", {field: value, "phone": "1"},
                                   content_type="application/json")
    body = _error_body(r, 422)
    assert body["errors"] == {field: [
        "This field changes only through an employment event (transfer, promotion, ...)."]}
    assert "employment events" in body["detail"]
    fresh = Employee.objects.get(pk=emp.pk)
    assert (fresh.phone, fresh.level, fresh.status, fresh.org_unit_id) == ("", 3, "active", world.platform.pk)


def test_patch_refuses_null_and_invalid_personal_fields(world, api_client_for):
    c = api_client_for("hr")
    pk = world.emp(world.employee).pk
    assert list(_error_body(c.patch(f"/api/v1/employees/{pk}", {"name": None}, content_type="application/json"),
                            422)["errors"]) == ["name"]
    assert list(_error_body(c.patch(f"/api/v1/employees/{pk}", {"email": "nope"}, content_type="application/json"),
                            422)["errors"]) == ["email"]
    _error_body(c.patch(f"/api/v1/employees/{pk}", "{not json", content_type="application/json"), 400)


def test_patch_scoping(world, api_client_for):
    pk = world.emp(world.employee).pk
    # The employee sees their own record but may not edit it; someone who cannot see it gets 404.
    _error_body(api_client_for("employee").patch(f"/api/v1/employees/{pk}", {"phone": "1"},
                                                 content_type="application/json"), 403)
    _error_body(api_client_for("outsider").patch(f"/api/v1/employees/{pk}", {"phone": "1"},
                                                 content_type="application/json"), 404)


# ---------------------------------------------------------------- events


def test_events_through_the_api(world, api_client_for):
    c = api_client_for("hr")
    emp = world.emp(world.employee)
    url = f"/api/v1/employees/{emp.pk}/events"
    r = c.post(url, {"kind": "promotion", "effective_date": str(TODAY), "level": 4},
               content_type="application/json")
    assert r.status_code == 201, r.content
    assert r.json()["applied"] is True and r.json()["before"]["level"] == 3
    later = str(TODAY + dt.timedelta(days=30))
    r = c.post(url, {"kind": "transfer", "effective_date": later, "manager_id": world.emp(world.mentor).pk},
               content_type="application/json")
    assert r.status_code == 201 and r.json()["applied"] is False and r.json()["manager_id"] == world.emp(
        world.mentor).pk
    history = c.get(url).json()["items"]
    assert [e["kind"] for e in history] == ["transfer", "promotion"]  # newest effective date first
    assert Employee.objects.get(pk=emp.pk).level == 4


@pytest.mark.parametrize("body, field", [
    ({"kind": "return"}, "kind"),                                # active, not on leave
    ({"kind": "promotion", "level": 2}, "level"),               # lower than L3
    ({"kind": "hire"}, "kind"),
    ({"kind": "transfer"}, "org_unit_id"),                       # nothing changes
    ({"kind": "transfer", "manager_id": "self"}, "manager_id"),  # cycle
    ({"kind": "transfer", "org_unit_id": 999999}, "org_unit_id"),
    ({"kind": "leave", "level": 5}, "level"),
    ({"kind": "fired"}, "kind"),
])
def test_invalid_events_are_422_naming_the_field(world, api_client_for, body, field):
    emp = world.emp(world.employee)
    if body.get("manager_id") == "self":
        body["manager_id"] = emp.pk
    r = api_client_for("hr").post(f"/api/v1/employees/{emp.pk}/events",
                                  {"effective_date": str(TODAY), **body}, content_type="application/json")
    result = _error_body(r, 422)
    assert field in result["errors"], result
    assert not EmploymentEvent.objects.filter(employee=emp).exists()


# ---------------------------------------------------------------- org units and catalogues


def test_org_units(world, api_client_for):
    c = api_client_for("hr")
    assert [u["code"] for u in c.get("/api/v1/org-units").json()["items"]] == ["company", "rnd", "platform", "sales",
                                                                       "people"]
    r = c.post("/api/v1/org-units", {"code": "ml", "name": "算法", "parent_id": world.rnd.pk},
               content_type="application/json")
    assert r.status_code == 201, r.content
    assert r.json()["depth"] == 2 and r.json()["parent_id"] == world.rnd.pk
    assert "code" in _error_body(c.post("/api/v1/org-units", {"code": "ml", "name": "again"},
                                        content_type="application/json"), 422)["errors"]
    assert "code" in _error_body(c.post("/api/v1/org-units", {"code": "has space", "name": "x"},
                                        content_type="application/json"), 422)["errors"]
    _error_body(api_client_for("manager").post("/api/v1/org-units", {"code": "x", "name": "x"},
                                               content_type="application/json"), 403)


def test_catalogues(world, api_client_for):
    c = api_client_for("employee")
    assert {f["code"] for f in c.get("/api/v1/job-families").json()["items"]} == {"software-engineer", "sales", "hr"}
    assert [p["code"] for p in c.get("/api/v1/positions").json()["items"]] == ["se"]


# ---------------------------------------------------------------- input PostgreSQL cannot store


@pytest.mark.parametrize("method, path, body", [
    ("get", "/api/v1/employees", {"search": "a\x00b"}),
    ("post", "/api/v1/employees", {"name": "n\x00"}),
    ("patch", "/api/v1/employees/{employee}", {"phone": "1\x00"}),
    ("post", "/api/v1/employees/{employee}/events", {"kind": "leave", "effective_date": "2024-01-01",
                                                     "note": "\x00"}),
    ("post", "/api/v1/org-units", {"code": "abc", "name": "x\x00"}),
])
def test_null_characters_are_refused_not_a_server_error(world, api_client_for, method, path, body):
    """PostgreSQL cannot store NUL in text: a 500 there, a silently stored NUL on SQLite."""
    c = api_client_for("hr")
    url = path.format(employee=world.emp(world.employee).pk)
    if method == "get":
        r = c.get(url, body)
    else:
        if path == "/api/v1/employees":
            body = _new_employee(world, **body)
        r = getattr(c, method)(url, body, content_type="application/json")
    result = _error_body(r, 422)
    field = next(k for k, v in body.items() if isinstance(v, str) and "\x00" in v)
    assert result["errors"] == {field: ["Null characters are not allowed."]}


def test_null_characters_in_credentials_are_refused(world):
    from django.test import Client

    r = Client().post("/api/v1/auth/token", {"username": "employee\x00", "password": "x"},
                      content_type="application/json")
    assert r.status_code == 422 and list(r.json()["errors"]) == ["username"]


@pytest.mark.parametrize("path", ["/api/v1/employees/abc", "/api/v1/employees/null%2Cnull/events",
                                  "/api/v1/no-such-thing"])
def test_unknown_api_paths_answer_json(world, api_client_for, path):
    r = api_client_for("hr").get(path)
    assert r.status_code == 404 and r["Content-Type"] == "application/json"
    assert r.json() == {"detail": "Not found.", "errors": {}}


def test_unknown_pages_keep_the_html_404(world, client_for):
    r = client_for("hr").get("/no-such-page/")
    assert r.status_code == 404 and r["Content-Type"].startswith("text/html")
