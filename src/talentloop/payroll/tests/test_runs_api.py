"""The runs API per persona: a run outside the reader's pay groups is a 404, the state machine through
the endpoints (approval by another person), the review rows and the explained lines in the request's
language, one-off items with the bonus-cliff warning, the attendance import's per-row answer, bad
input as ``{"detail", "errors"}``, audited reads, query counts at two sizes and the OpenAPI document.

Figures as in test_runs: January 2025, base 10,000 and meal 500 net 8,637.50 a person."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal as D

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from talentloop.accounts.services import api_token_create
from talentloop.core.access import actor_for
from talentloop.core.audit.models import AuditEntry
from talentloop.payroll import services
from talentloop.payroll.models import AttendanceFigures, PayItem, PayrollRun
from talentloop.payroll.services import runs
from talentloop.payroll.tests.scene import Scene, amounts, build_scene, contract, frozen_clock
from talentloop.testing.factories import EmployeeFactory

pytestmark = pytest.mark.django_db

URL = "/api/v1/payroll"
JAN = dt.date(2025, 1, 1)
API_BASE = 5  # the token and its last use, the actor's three


@pytest.fixture
def scene(world) -> Scene:
    with frozen_clock():
        s = build_scene(world)
        admin = actor_for(world.admin)
        for persona in ("employee", "lead", "manager"):
            services.salary_structure_set(
                actor=admin,
                employee=s.emp(persona),
                effective_from=dt.date(2024, 12, 1),
                items=amounts(base="10000", meal="500"),
            )
        yield s


@pytest.fixture
def api(scene):
    def make(persona: str | None) -> Client:
        if persona is None:
            return Client()
        user = getattr(scene, persona) if persona.startswith("payroll") else getattr(scene.world, persona)
        _token, secret = api_token_create(actor=actor_for(user), user=user)
        return Client(HTTP_AUTHORIZATION=f"Bearer {secret}")

    return make


def _get(client: Client, path: str, **params):
    with frozen_clock():
        return client.get(f"{URL}{path}", params)


def _post(client: Client, path: str, body: dict | None = None):
    with frozen_clock():
        return client.post(f"{URL}{path}", body or {}, content_type="application/json")


def _run(scene: Scene, month: dt.date = JAN) -> PayrollRun:
    with frozen_clock():
        return runs.payroll_run_create(actor=scene.actor("payroll_a"), pay_group=scene.group_a, month=month)


def _calculated(scene: Scene) -> PayrollRun:
    run = _run(scene)
    with frozen_clock():
        runs.payroll_run_calculate(actor=scene.actor("payroll_a"), run=run)
    run.refresh_from_db()
    return run


# ------------------------------------------------------------------------------------------------ who may see


@pytest.mark.parametrize(
    ("persona", "listed", "detail"),
    [
        (None, None, 401),
        ("employee", 0, 404),
        ("manager", 0, 404),
        ("hr", 0, 404),
        ("payroll_b", 0, 404),
        ("payroll_a", 1, 200),
        ("admin", 1, 200),
    ],
)
def test_persona_matrix_of_the_run_endpoints(scene, api, persona, listed, detail):
    run = _calculated(scene)
    client = api(persona)
    listing = _get(client, "/runs")
    if listed is None:
        assert listing.status_code == 401
    else:
        assert listing.status_code == 200 and listing.json()["count"] == listed
    assert _get(client, f"/runs/{run.pk}").status_code == detail
    assert _get(client, f"/runs/{run.pk}/lines").status_code == detail
    assert _get(client, f"/runs/{run.pk}/payslips").status_code == detail
    if detail != 200:
        for verb in ("calculate", "submit", "approve", "lock"):
            assert _post(client, f"/runs/{run.pk}/{verb}").status_code == detail
        for verb in ("reopen", "reverse"):
            assert _post(client, f"/runs/{run.pk}/{verb}", {"reason": "x"}).status_code == detail


@pytest.mark.parametrize(
    ("persona", "status"),
    [(None, 401), ("employee", 403), ("hr", 403), ("payroll_b", 422), ("payroll_a", 200), ("admin", 200)],
)
def test_persona_matrix_of_the_attendance_import(scene, api, persona, status):
    body = {"month": "2025-02", "rows": [{"employee": scene.emp("employee").pk, "scheduled_days": "21.75"}]}
    response = _post(api(persona), "/attendance-imports", body)
    assert response.status_code == status
    assert AttendanceFigures.objects.count() == (1 if status == 200 else 0)


@pytest.mark.parametrize(
    ("persona", "status"),
    [(None, 401), ("employee", 404), ("hr", 404), ("payroll_b", 404), ("payroll_a", 201), ("admin", 201)],
)
def test_persona_matrix_of_pay_items(scene, api, persona, status):
    body = {
        "employee": scene.emp("lead").pk,
        "month": "2025-03",
        "kind": "earning",
        "amount": "100.00",
        "reason": "Referral",
    }
    assert _post(api(persona), "/pay-items", body).status_code == status
    listing = _get(api(persona), "/pay-items")
    assert listing.status_code == (401 if persona is None else 200)
    if persona is not None:
        assert listing.json()["count"] == (1 if persona in ("payroll_a", "admin") else 0)


# ------------------------------------------------------------------------------------------------ state machine


def test_the_state_machine_through_the_api(scene, api):
    a, b, admin = api("payroll_a"), api("payroll_b"), api("admin")
    created = _post(a, "/runs", {"pay_group": "sh-staff", "month": "2025-01", "title": "January"})
    assert created.status_code == 201
    body = created.json()
    assert body["state"] == "draft" and body["month"] == "2025-01" and body["kind"] == "regular"
    run_id = body["id"]
    assert _post(b, "/runs", {"pay_group": "sh-staff", "month": "2025-02"}).status_code == 422

    calculated = _post(a, f"/runs/{run_id}/calculate")
    assert calculated.status_code == 200
    assert calculated.json()["people"] == 3 and calculated.json()["run"]["state"] == "calculated"
    assert D(calculated.json()["run"]["net"]) == D("25912.50")

    assert _post(a, f"/runs/{run_id}/approve").status_code == 409  # not submitted yet
    assert _post(a, f"/runs/{run_id}/submit").json()["state"] == "submitted"
    refused = _post(a, f"/runs/{run_id}/approve")
    assert refused.status_code == 403 and "Another person" in refused.json()["detail"]
    assert _post(a, f"/runs/{run_id}/reopen", {"reason": ""}).status_code == 422
    assert _post(a, f"/runs/{run_id}/reopen", {"reason": "Overtime missing"}).json()["state"] == "calculated"
    _post(a, f"/runs/{run_id}/submit")
    assert _post(admin, f"/runs/{run_id}/approve").json()["state"] == "approved"
    locked = _post(a, f"/runs/{run_id}/lock")
    assert locked.status_code == 200 and locked.json()["state"] == "locked"
    assert _post(a, f"/runs/{run_id}/calculate").status_code == 409

    reversal = _post(a, f"/runs/{run_id}/reverse", {"reason": "Paid twice"})
    assert reversal.status_code == 201
    assert reversal.json()["kind"] == "reversal" and reversal.json()["reverses"] == run_id
    assert D(reversal.json()["net"]) == D("-25912.50")
    assert _post(a, f"/runs/{run_id}/reverse", {"reason": "Again"}).status_code == 409


def test_bad_runs_are_refused_with_field_errors(scene, api):
    a = api("payroll_a")
    bad_month = _post(a, "/runs", {"pay_group": "sh-staff", "month": "2025-13"})
    assert bad_month.status_code == 422 and "month" in bad_month.json()["errors"]
    unknown_group = _post(a, "/runs", {"pay_group": "nowhere", "month": "2025-01"})
    assert unknown_group.status_code == 422 and "pay_group" in unknown_group.json()["errors"]
    no_leaver = _post(a, "/runs", {"pay_group": "sh-staff", "month": "2025-01", "kind": "final_pay"})
    assert no_leaver.status_code == 422 and "employee" in no_leaver.json()["errors"]
    outsider = _post(
        a,
        "/runs",
        {"pay_group": "sh-staff", "month": "2025-01", "kind": "final_pay", "employee": scene.emp("outsider").pk},
    )
    assert outsider.status_code == 422 and "employee" in outsider.json()["errors"]
    assert _post(a, "/runs", {"pay_group": "sh-staff", "month": "2025-01"}).status_code == 201
    twice = _post(a, "/runs", {"pay_group": "sh-staff", "month": "2025-01"})
    assert twice.status_code == 422 and "already has a run" in twice.json()["errors"]["month"][0]
    assert PayrollRun.objects.count() == 1


def test_list_filters(scene, api):
    _calculated(scene)
    feb = _run(scene, dt.date(2025, 2, 1))
    a = api("payroll_a")
    assert [r["id"] for r in _get(a, "/runs", month="2025-02").json()["items"]] == [feb.pk]
    assert [r["id"] for r in _get(a, "/runs", state="draft").json()["items"]] == [feb.pk]
    assert [r["month"] for r in _get(a, "/runs").json()["items"]] == ["2025-02", "2025-01"]
    assert _get(a, "/runs", pay_group="bj-staff").status_code == 404
    assert _get(a, "/runs", month="2025-1").status_code == 422


# ------------------------------------------------------------------------------------------------ review and lines


def test_lines_with_labels_in_the_request_language_and_explanations(scene, api):
    run = _calculated(scene)
    employee = scene.emp("employee")
    a = api("payroll_a")
    response = _get(a, f"/runs/{run.pk}/lines", employee=employee.pk, limit=100)
    assert response.status_code == 200
    lines = {line["code"]: line for line in response.json()["items"]}
    assert {line["employee"] for line in response.json()["items"]} == {employee.pk}
    assert lines["component.base"]["label"] == "Base salary" and D(lines["component.base"]["amount"]) == D("10000")
    assert D(lines["iit"]["amount"]) == D("-112.50")
    assert lines["iit"]["explain"]["bracket"] == 1 and D(lines["iit"]["explain"]["rate"]) == D("0.03")
    assert D(lines["pension.employee"]["explain"]["base"]) == D("10000")
    with frozen_clock():
        chinese = a.get(f"{URL}/runs/{run.pk}/lines", {"employee": employee.pk}, HTTP_ACCEPT_LANGUAGE="zh-hans")
    labels = {line["code"]: line["label"] for line in chinese.json()["items"]}
    assert labels["component.base"] == "基本工资"
    assert AuditEntry.objects.filter(action="read_sensitive", entity_id=str(employee.pk)).count() == 2
    everyone = _get(a, f"/runs/{run.pk}/lines", limit=1000).json()
    assert len({line["employee"] for line in everyone["items"]}) == 3 and everyone["count"] == len(everyone["items"])


def test_review_rows(scene, api):
    run = _calculated(scene)
    a = api("payroll_a")
    response = _get(a, f"/runs/{run.pk}/payslips")
    assert response.status_code == 200 and response.json()["count"] == 3
    row = response.json()["items"][0]
    assert D(row["net"]) == D("8637.50") and row["previous_net"] is None and row["refusal"] == ""
    employee = scene.emp("employee")
    found = _get(a, f"/runs/{run.pk}/payslips", q=employee.employee_number).json()["items"]
    assert [r["employee"] for r in found] == [employee.pk]
    assert _get(a, f"/runs/{run.pk}/payslips", only="refused").json()["count"] == 0
    assert _get(a, f"/runs/{run.pk}/payslips", only="nonsense").status_code == 422
    assert AuditEntry.objects.filter(action="read_sensitive", entity_type="payroll.payrollrun").count() == 3


# ------------------------------------------------------------------------------------------------ pay items


def test_an_annual_bonus_in_a_cliff_answers_the_cliff(scene, api):
    a = api("payroll_a")
    body = {
        "employee": scene.emp("employee").pk,
        "month": "2025-03",
        "kind": "annual_bonus",
        "amount": "37000",
        "bonus_method": "separate",
        "reason": "2024 bonus",
    }
    response = _post(a, "/pay-items", body)
    assert response.status_code == 201
    cliff = response.json()["bonus_cliff"]
    assert D(cliff["edge"]) == D("36000") and D(cliff["break_even"]) == D("38566.67")
    second = _post(a, "/pay-items", {**body, "employee": scene.emp("lead").pk, "amount": "36000"})
    assert second.json()["bonus_cliff"] is None


def test_bad_pay_items(scene, api):
    a = api("payroll_a")
    base = {"employee": scene.emp("employee").pk, "month": "2025-03", "kind": "earning", "amount": "10", "reason": "x"}
    assert _post(a, "/pay-items", {**base, "amount": "-1"}).json()["errors"]["amount"]
    assert _post(a, "/pay-items", {**base, "amount": "1.234"}).status_code == 422
    assert _post(a, "/pay-items", {**base, "kind": "annual_bonus"}).json()["errors"]["bonus_method"]
    correction = _post(a, "/pay-items", {**base, "kind": "correction", "corrects": 999999})
    assert correction.status_code == 422 and "corrects" in correction.json()["errors"]
    assert _post(a, "/pay-items", {**base, "month": "March"}).status_code == 422
    assert not PayItem.objects.exists()


# ------------------------------------------------------------------------------------------------ attendance


def test_attendance_rows_are_answered_one_by_one(scene, api):
    a = api("payroll_a")
    employee, lead = scene.emp("employee"), scene.emp("lead")
    rows = [
        {"employee_number": employee.employee_number, "scheduled_days": "21.75", "unpaid_leave_days": "1"},
        {"employee_number": "NOBODY", "scheduled_days": "21.75"},
        {"employee": lead.pk, "scheduled_days": "20"},
        {"employee": scene.emp("outsider").pk, "scheduled_days": "20"},
    ]
    refused = _post(a, "/attendance-imports", {"month": "2025-02", "rows": rows})
    assert refused.status_code == 422
    assert [r["index"] for r in refused.json()["rejected"]] == [1, 3]
    assert "employee" in refused.json()["rejected"][0]["errors"]
    assert not AttendanceFigures.objects.exists()
    kept = _post(a, "/attendance-imports", {"month": "2025-02", "rows": rows, "keep_good": True})
    assert kept.status_code == 200 and kept.json()["saved"] == 2
    assert [r["index"] for r in kept.json()["rejected"]] == [1, 3]
    assert set(AttendanceFigures.objects.values_list("employee_id", flat=True)) == {employee.pk, lead.pk}
    too_many_days = _post(
        a, "/attendance-imports", {"month": "2025-02", "rows": [{"employee": lead.pk, "scheduled_days": "40"}]}
    )
    assert too_many_days.status_code == 422 and too_many_days.json()["errors"]


# ------------------------------------------------------------------------------------------------ queries


def _people(scene: Scene, n: int) -> None:
    admin = actor_for(scene.world.admin)
    with frozen_clock():
        for _i in range(n):
            person = EmployeeFactory(org_unit=scene.world.platform, hire_date=dt.date(2019, 5, 6))
            contract(person, scene.group_a.key)
            services.salary_structure_set(
                actor=admin, employee=person, effective_from=dt.date(2024, 12, 1), items=amounts(base="8000")
            )


def _count(client: Client, path: str, **params) -> tuple[int, dict]:
    with frozen_clock(), CaptureQueriesContext(connection) as queries:
        response = client.get(f"{URL}{path}", params)
    assert response.status_code == 200, response.content
    return len(queries), response.json()


@pytest.mark.parametrize("n", [2, 30])
def test_query_counts(scene, api, n):
    _people(scene, n)
    run = _calculated(scene)
    for i in range(n):
        PayrollRun.objects.create(
            pay_group=scene.group_a, month=dt.date(2020 + i // 12, 1 + i % 12, 1), kind="off_cycle"
        )
    a = api  # a fresh token per call: its first use is recorded (one UPDATE), as counted in API_BASE
    # runs: one page of runs with their groups + count = 2
    queries, body = _count(a("payroll_a"), "/runs", limit=20)
    assert queries == API_BASE + 2 and len(body["items"]) == min(n + 1, 20)
    # payslips: the run = 1, one page with people and previous nets + count = 2, the audit entry = 1 → 4
    queries, body = _count(a("payroll_a"), f"/runs/{run.pk}/payslips", limit=20)
    assert queries == API_BASE + 4 and len(body["items"]) == min(n + 3, 20)
    # lines: the run = 1, one page + count = 2, the audit entry = 1, the components' names = 1 → 5
    queries, body = _count(a("payroll_a"), f"/runs/{run.pk}/lines", limit=50)
    assert queries == API_BASE + 5 and len(body["items"]) == 50


def test_the_openapi_document_lists_the_run_endpoints():
    from talentloop.config.api import api as ninja_api

    paths = ninja_api.get_openapi_schema()["paths"]
    for path in (
        "/runs",
        "/runs/{run_id}",
        "/runs/{run_id}/calculate",
        "/runs/{run_id}/submit",
        "/runs/{run_id}/approve",
        "/runs/{run_id}/reopen",
        "/runs/{run_id}/lock",
        "/runs/{run_id}/reverse",
        "/runs/{run_id}/lines",
        "/runs/{run_id}/payslips",
        "/pay-items",
        "/attendance-imports",
    ):
        assert f"/api/v1/payroll{path}" in paths, path
