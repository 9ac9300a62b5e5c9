"""The payroll API per persona: 404 for a person whose salary the reader may not see, 403 where a
visible record may not be changed, 422 ``{"detail", "errors"}`` on bad input, audited reads, list
endpoints whose query count does not grow with the rows, and the endpoints in the OpenAPI document."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from talentloop.accounts.services import api_token_create
from talentloop.core.access import actor_for
from talentloop.core.audit.models import AuditEntry
from talentloop.payroll import services
from talentloop.payroll.tests.scene import Scene, amounts, build_scene, frozen_clock

pytestmark = pytest.mark.django_db

URL = "/api/v1/payroll"


@pytest.fixture
def scene(world) -> Scene:
    with frozen_clock():
        yield build_scene(world)


@pytest.fixture
def api(scene):
    """``api("payroll_a")``: a client with that persona's Bearer token (None: anonymous)."""

    def make(persona: str | None) -> Client:
        if persona is None:
            return Client()
        user = getattr(scene, persona) if persona.startswith("payroll") else getattr(scene.world, persona)
        _token, secret = api_token_create(actor=actor_for(user), user=user)
        return Client(HTTP_AUTHORIZATION=f"Bearer {secret}")

    return make


def _salary(scene: Scene, persona: str = "employee", on: dt.date = dt.date(2025, 1, 1), **values: str) -> None:
    by = "payroll_b" if persona in ("outsider", "hr") else "payroll_a"
    services.salary_structure_set(
        actor=scene.actor(by), employee=scene.emp(persona), effective_from=on, items=amounts(**values)
    )


def _get(client: Client, path: str, **params):
    with frozen_clock():
        return client.get(f"{URL}{path}", params)


def _post(client: Client, path: str, body: dict):
    with frozen_clock():
        return client.post(f"{URL}{path}", body, content_type="application/json")


# ------------------------------------------------------------------------------------------------ salaries

#                 anonymous  employee  payroll_a  payroll_b  payroll_none  hr   manager  lead  outsider  admin
SALARY_READERS = {
    None: 401,
    "employee": 200,
    "payroll_a": 200,
    "payroll_b": 404,
    "payroll_none": 404,
    "hr": 404,
    "manager": 404,
    "lead": 404,
    "outsider": 404,
    "admin": 200,
}


@pytest.mark.parametrize(("persona", "status"), SALARY_READERS.items())
def test_who_reads_the_employees_salaries(scene, api, persona, status):
    with frozen_clock():
        _salary(scene, base="12000", meal="300")
    response = _get(api(persona), "/salaries", employee=scene.emp("employee").pk)
    assert response.status_code == status, response.content
    if status == 200:
        [structure] = response.json()["items"]
        assert structure["effective_from"] == "2025-01-01"
        assert [(i["component"], i["amount"]) for i in structure["items"]] == [("base", "12000.00"), ("meal", "300.00")]
    else:
        assert "12000" not in response.content.decode()


def test_own_salaries_by_default_and_nothing_for_someone_without_one(scene, api):
    with frozen_clock():
        _salary(scene, base="12000")
    assert _get(api("employee"), "/salaries").json()["count"] == 1
    assert _get(api("hr"), "/salaries").json() == {"items": [], "count": 0}
    assert _get(api("admin"), "/salaries").json() == {"items": [], "count": 0}  # no employee record


def test_reads_by_others_are_audited_and_own_reads_are_not(scene, api):
    with frozen_clock():
        _salary(scene, base="12345.67")
    employee = scene.emp("employee")
    _get(api("employee"), "/salaries")
    assert not AuditEntry.objects.filter(action="read_sensitive").exists()
    _get(api("payroll_a"), "/salaries", employee=employee.pk)
    entry = AuditEntry.objects.get(action="read_sensitive")
    assert entry.actor == scene.payroll_a and entry.entity_id == str(employee.pk)
    assert "12345" not in f"{entry.summary} {entry.changes}"


#                 anonymous  employee (own)  payroll_a  payroll_b  hr   manager  admin
SALARY_WRITERS = {
    None: 401,
    "employee": 403,
    "payroll_a": 201,
    "payroll_b": 404,
    "hr": 404,
    "manager": 404,
    "admin": 201,
}


@pytest.mark.parametrize(("persona", "status"), SALARY_WRITERS.items())
def test_who_sets_the_employees_salary(scene, api, persona, status):
    body = {
        "employee": scene.emp("employee").pk,
        "effective_from": "2025-04-01",
        "items": [{"component": "base", "amount": "13000.50"}],
    }
    response = _post(api(persona), "/salaries", body)
    assert response.status_code == status, response.content
    if status == 201:
        assert response.json()["items"] == [
            {"component": "base", "name": "基本工资", "name_en": "Base salary", "amount": "13000.50"}
        ]


@pytest.mark.parametrize(
    ("items", "field"),
    [
        ([{"component": "base", "amount": "-1"}], "items.base"),
        ([{"component": "base", "amount": "1.001"}], "items.base"),
        ([{"component": "overtime", "amount": "100"}], "items.overtime"),
        ([{"component": "base", "amount": "1"}, {"component": "base", "amount": "2"}], "items.base"),
    ],
)
def test_bad_salary_input_is_a_422_with_field_errors(scene, api, items, field):
    body = {"employee": scene.emp("employee").pk, "effective_from": "2025-04-01", "items": items}
    response = _post(api("payroll_a"), "/salaries", body)
    assert response.status_code == 422, response.content
    assert response.json()["detail"] and field in response.json()["errors"]


def test_a_salary_without_a_date_is_a_422(scene, api):
    response = _post(
        api("payroll_a"),
        "/salaries",
        {"employee": scene.emp("employee").pk, "items": [{"component": "base", "amount": "1"}]},
    )
    assert response.status_code == 422 and response.json()["errors"]


# ------------------------------------------------------------------------------------------------ components


@pytest.mark.parametrize(
    ("persona", "status"),
    [(None, 401), ("employee", 403), ("hr", 403), ("manager", 403), ("payroll_a", 201), ("admin", 201)],
)
def test_who_defines_components(scene, api, persona, status):
    response = _post(api(persona), "/components", {"key": "housing", "name": "住房补贴", "formula": "base * 0.1"})
    assert response.status_code == status, response.content


def test_changing_a_component_answers_200_and_a_bad_formula_422_with_its_column(scene, api):
    client = api("payroll_a")
    response = _post(client, "/components", {"key": "meal", "name": "餐补", "order": 5})
    assert response.status_code == 200 and response.json()["order"] == 5
    response = _post(client, "/components", {"key": "bonus", "name": "奖金", "formula": "base *"})
    assert response.status_code == 422
    assert response.json()["errors"]["formula"][0].startswith("Column ")


def test_components_list(scene, api):
    keys = [row["key"] for row in _get(api("payroll_a"), "/components").json()["items"]]
    assert keys == ["base", "meal", "overtime", "old_bonus"]  # by order: 10, 20, 30, 40
    keys = [row["key"] for row in _get(api("employee"), "/components").json()["items"]]
    assert keys == ["base", "meal", "overtime"]  # the inactive one is payroll's business
    assert _get(api(None), "/components").status_code == 401


# ------------------------------------------------------------------------------------------------ tax declarations


def test_an_employee_declares_and_withdraws(scene, api):
    client = api("employee")
    response = _post(client, "/tax-declarations", {"kind": "housing_rent", "start": "2025-02-10", "city_tier": 1})
    assert response.status_code == 201, response.content
    row = response.json()
    assert row["start"] == "2025-02-01" and row["source"] == "employee" and row["active"]
    response = _post(client, f"/tax-declarations/{row['id']}/withdraw", {})
    assert response.status_code == 200 and not response.json()["active"]
    assert _post(client, f"/tax-declarations/{row['id']}/withdraw", {}).status_code == 422


def test_a_refused_declaration_is_a_422_with_the_fields(scene, api):
    response = _post(api("employee"), "/tax-declarations", {"kind": "housing_rent", "start": "2025-01-01"})
    assert response.status_code == 422 and "city_tier" in response.json()["errors"]


#                 anonymous  payroll_a  payroll_b  payroll_none  hr   manager  outsider  admin
DECLARE_FOR = {
    None: 401,
    "payroll_a": 201,
    "payroll_b": 404,
    "payroll_none": 404,
    "hr": 404,
    "manager": 404,
    "outsider": 404,
    "admin": 201,
}


@pytest.mark.parametrize(("persona", "status"), DECLARE_FOR.items())
def test_who_imports_a_declaration_for_the_employee(scene, api, persona, status):
    body = {"employee": scene.emp("employee").pk, "kind": "housing_rent", "start": "2025-01-01", "city_tier": 2}
    response = _post(api(persona), "/tax-declarations", body)
    assert response.status_code == status, response.content
    if status == 201:
        assert response.json()["source"] == "import"


@pytest.mark.parametrize(
    ("persona", "status"),
    [("employee", 200), ("payroll_a", 200), ("payroll_b", 404), ("hr", 404), ("manager", 404), ("admin", 200)],
)
def test_who_reads_the_employees_declarations(scene, api, persona, status):
    with frozen_clock():
        services.tax_declaration_save(
            actor=scene.actor("employee"),
            employee=scene.emp("employee"),
            kind="housing_rent",
            start=dt.date(2025, 1, 1),
            city_tier=1,
        )
    response = _get(api(persona), "/tax-declarations", employee=scene.emp("employee").pk)
    assert response.status_code == status
    if status == 200:
        assert response.json()["count"] == 1


def test_only_the_declarations_one_may_see_can_be_withdrawn(scene, api):
    with frozen_clock():
        row = services.tax_declaration_save(
            actor=scene.actor("employee"),
            employee=scene.emp("employee"),
            kind="housing_rent",
            start=dt.date(2025, 1, 1),
            city_tier=1,
        )
    assert _post(api("manager"), f"/tax-declarations/{row.pk}/withdraw", {}).status_code == 404
    assert _post(api("payroll_b"), f"/tax-declarations/{row.pk}/withdraw", {}).status_code == 404
    assert _post(api("payroll_a"), f"/tax-declarations/{row.pk}/withdraw", {}).status_code == 200


# ------------------------------------------------------------------------------------------------ policies


def test_social_insurance_policies(scene, api):
    response = _get(api("employee"), "/si-policies", city="shanghai")
    assert response.status_code == 200
    rows = response.json()["items"]
    assert [(r["city"], r["valid_from"]) for r in rows] == [("shanghai", "2024-07-01"), ("shanghai", "2025-07-01")]
    # Shanghai's pension base from 2024-07-01: 7,384 to 36,921, employer 16 %, employee 8 % (the data file's
    # entry, sourced from the Shanghai human resources and social security bureau's notice of that year).
    pension = next(f for f in rows[0]["funds"] if f["fund"] == "pension")
    assert (Decimal(pension["base_floor"]), Decimal(pension["base_ceiling"])) == (Decimal(7384), Decimal(36921))
    assert (Decimal(pension["employer_rate"]), Decimal(pension["employee_rate"])) == (Decimal("0.16"), Decimal("0.08"))
    assert _get(api(None), "/si-policies").status_code == 401


# ------------------------------------------------------------------------------------------------ query counts


def _queries(client: Client, path: str, **params) -> int:
    with frozen_clock(), CaptureQueriesContext(connection) as captured:
        response = client.get(f"{URL}{path}", params)
    assert response.status_code == 200
    return len(captured)


def test_list_endpoints_do_not_grow_with_their_rows(scene, api):
    employee = scene.emp("employee")
    client = api("payroll_a")

    def add(n: int, first_year: int) -> None:
        with frozen_clock():
            for year in range(first_year, first_year + n):
                _salary(scene, on=dt.date(year, 1, 1), base=f"{year}", meal="300")
                services.salary_component_save(actor=scene.actor("payroll_a"), key=f"c{year}", name=f"C{year}")
                services.tax_declaration_save(
                    actor=scene.actor("employee"),
                    employee=employee,
                    kind="continuing_education_vocational",
                    start=dt.date(year, 3, 1),
                    end=dt.date(year, 3, 1),
                )

    add(2, 2019)
    _queries(client, "/si-policies")  # the token's first use of the run is recorded once: not part of a list
    small = [
        _queries(client, "/salaries", employee=employee.pk),
        _queries(client, "/components"),
        _queries(client, "/tax-declarations", employee=employee.pk),
    ]
    add(4, 2021)
    large = [
        _queries(client, "/salaries", employee=employee.pk),
        _queries(client, "/components"),
        _queries(client, "/tax-declarations", employee=employee.pk),
    ]
    assert small == large
    assert _get(client, "/salaries", employee=employee.pk).json()["count"] == 6


def test_the_openapi_document_lists_the_payroll_endpoints():
    from talentloop.config.api import api as ninja_api

    paths = ninja_api.get_openapi_schema()["paths"]
    assert {"get", "post"} <= set(paths["/api/v1/payroll/components"])
    assert {"get", "post"} <= set(paths["/api/v1/payroll/salaries"])
    assert {"get", "post"} <= set(paths["/api/v1/payroll/tax-declarations"])
    assert "post" in paths["/api/v1/payroll/tax-declarations/{declaration_id}/withdraw"]
    assert "get" in paths["/api/v1/payroll/si-policies"]
