"""Payroll export pages and API per persona: payroll of the run's pay group and administrators get the
files, everyone else the 404 of a page that does not exist; refusals come back with the people named;
layouts are edited on the page and through the API with the same service; query counts do not grow."""

from __future__ import annotations

import csv
import io

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from talentloop.accounts.services import api_token_create
from talentloop.core.access import actor_for
from talentloop.core.audit.models import AuditEntry
from talentloop.payroll.exports.services import export_layout_save
from talentloop.payroll.models import ExportLayout, PayrollRun
from talentloop.payroll.tests.scene import Scene, frozen_clock
from talentloop.payroll.tests.test_exports import _calculated, _locked, export_scene

pytestmark = pytest.mark.django_db

API = "/api/v1/payroll"
OTHERS = ("payroll_b", "payroll_none", "hr", "manager", "employee")


@pytest.fixture
def scene(world) -> Scene:
    with frozen_clock():
        yield export_scene(world)


def _user(scene: Scene, persona: str):
    return getattr(scene, persona) if persona.startswith("payroll") else getattr(scene.world, persona)


@pytest.fixture
def web(scene):
    def make(persona: str | None) -> Client:
        client = Client()
        if persona is not None:
            client.force_login(_user(scene, persona))
        return client

    return make


@pytest.fixture
def api(scene):
    def make(persona: str) -> Client:
        user = _user(scene, persona)
        _token, secret = api_token_create(actor=actor_for(user), user=user)
        return Client(HTTP_AUTHORIZATION=f"Bearer {secret}")

    return make


@pytest.fixture
def locked(scene) -> PayrollRun:
    with frozen_clock():
        return _locked(scene)


# ------------------------------------------------------------------------------------------------ pages


def test_the_exports_page_is_for_payroll_of_the_group_and_admins(web, locked):
    url = f"/payroll/runs/{locked.pk}/exports/"
    page = web("payroll_a").get(url)
    assert page.status_code == 200
    body = page.content.decode()
    for kind in ("bank", "iit", "journal", "contributions"):
        assert f'data-testid="download-{kind}"' in body
    assert web("admin").get(url).status_code == 200
    for persona in OTHERS:
        assert web(persona).get(url).status_code == 404, persona
    assert web(None).get(url).status_code == 302  # to the sign-in page


def test_a_calculated_run_offers_no_file(scene, web):
    with frozen_clock():
        run = _calculated(scene)
    body = web("payroll_a").get(f"/payroll/runs/{run.pk}/exports/").content.decode()
    assert 'data-testid="unavailable-bank"' in body and 'data-testid="download-bank"' not in body


def test_a_download_from_the_page_is_the_file_and_is_audited(web, locked):
    response = web("payroll_a").get(f"/payroll/runs/{locked.pk}/exports/bank/", {"format": "csv"})
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment;")
    assert response["Cache-Control"] == "no-store"
    rows = list(csv.reader(io.StringIO(response.content.decode("gb18030"))))
    assert rows[1] == ["T-employee", "employee-中文", "6222020200112233445", "8697.50"]
    assert AuditEntry.objects.filter(action="read_sensitive", entity_id=str(locked.pk)).count() == 1
    assert web("payroll_b").get(f"/payroll/runs/{locked.pk}/exports/bank/").status_code == 404
    assert web("payroll_a").get(f"/payroll/runs/{locked.pk}/exports/payslips/").status_code == 404


def test_people_without_a_bank_account_are_listed_on_the_page(scene, web, locked):
    emp = scene.emp("manager")
    emp.bank_account = ""
    emp.save()
    response = web("payroll_a").get(f"/payroll/runs/{locked.pk}/exports/bank/")
    assert response.status_code == 422
    assert "T-manager manager-中文" in response.content.decode()


def test_the_layouts_page_and_form_keep_a_layout_and_refuse_an_unknown_field(scene, web):
    client = web("payroll_a")
    assert client.get("/payroll/export-layouts/").status_code == 200
    form = client.get("/payroll/export-layouts/new/?kind=iit")
    assert form.status_code == 200 and "累计子女教育" in form.content.decode()
    post = {"kind": "bank", "rows": "4", "name": "招商银行", "format": "csv", "encoding": "gb18030",
            "field_0": "bank_account", "header_0": "账号", "order_0": "2",
            "field_1": "net_pay", "header_1": "金额", "order_1": "3",
            "field_2": "name", "header_2": "户名", "order_2": "1",
            "field_3": "salary", "order_3": "4"}  # fmt: skip
    refused = client.post("/payroll/export-layouts/new/?kind=bank", post)
    assert refused.status_code == 200 and "Unknown field “salary”." in refused.content.decode()
    # Through htmx the refusal is a 422 with the form, the rows as they were typed.
    htmx = client.post("/payroll/export-layouts/new/?kind=bank", post, HTTP_HX_REQUEST="true")
    assert htmx.status_code == 422 and 'value="招商银行"' in htmx.content.decode()
    assert not ExportLayout.objects.exists()
    post["field_3"] = ""
    saved = client.post("/payroll/export-layouts/new/?kind=bank", post)
    assert saved.status_code == 302
    layout = ExportLayout.objects.get()
    assert [(c["field"], c["header"]) for c in layout.columns] == [("name", "户名"), ("bank_account", "账号"),
                                                                   ("net_pay", "金额")]  # fmt: skip
    assert web("payroll_b").get(f"/payroll/export-layouts/{layout.pk}/").status_code == 200
    for persona in ("hr", "manager", "employee"):
        assert web(persona).get("/payroll/export-layouts/").status_code == 404
        assert web(persona).get(f"/payroll/export-layouts/{layout.pk}/").status_code == 404
    assert client.post(f"/payroll/export-layouts/{layout.pk}/delete/").status_code == 302
    assert not ExportLayout.objects.exists()


def test_page_queries_do_not_grow_with_the_layouts(scene, web, locked):
    client = web("payroll_a")

    def count() -> tuple[int, int]:
        with CaptureQueriesContext(connection) as listing:
            assert client.get("/payroll/export-layouts/").status_code == 200
        with CaptureQueriesContext(connection) as files:
            assert client.get(f"/payroll/runs/{locked.pk}/exports/").status_code == 200
        return len(listing.captured_queries), len(files.captured_queries)

    few = count()
    for i in range(6):
        export_layout_save(actor=scene.actor("payroll_a"), kind="bank", name=f"L{i}", format="csv",
                           encoding="gb18030", columns=[{"field": "bank_account"}, {"field": "net_pay"}])  # fmt: skip
    assert count() == few


# ------------------------------------------------------------------------------------------------ API


def test_the_export_endpoint_per_persona(api, locked):
    url = f"{API}/exports/iit"
    ok = api("payroll_a").get(url, {"run": locked.pk})
    assert ok.status_code == 200 and ok["Content-Type"].startswith("application/vnd.openxmlformats")
    assert api("admin").get(f"{API}/exports/journal", {"run": locked.pk, "format": "csv"}).status_code == 200
    for persona in OTHERS:
        assert api(persona).get(url, {"run": locked.pk}).status_code == 404, persona
    assert api("payroll_a").get(f"{API}/exports/payslips", {"run": locked.pk}).status_code == 422
    assert api("payroll_a").get(f"{API}/exports/contributions", {"run": locked.pk, "format": "csv"}).status_code == 422


def test_the_export_endpoint_refuses_with_reasons(scene, api):
    with frozen_clock():
        run = _calculated(scene)
    conflict = api("payroll_a").get(f"{API}/exports/bank", {"run": run.pk})
    assert conflict.status_code == 409
    with frozen_clock():
        from talentloop.payroll.services import runs

        run = runs.payroll_run_submit(actor=scene.actor("payroll_a"), run=run)
        run = runs.payroll_run_approve(actor=actor_for(scene.world.admin), run=run)
    emp = scene.emp("lead")
    emp.bank_account = ""
    emp.save()
    refused = api("payroll_a").get(f"{API}/exports/bank", {"run": run.pk})
    assert refused.status_code == 422
    assert refused.json()["errors"] == {"bank_account": ["T-lead lead-中文"]}


def test_layouts_through_the_api(scene, api):
    client = api("payroll_a")
    body = {"kind": "bank", "name": "ICBC", "format": "xlsx", "encoding": "utf-8-sig", "is_default": True,
            "columns": [{"field": "bank_account", "header": "账号"}, {"field": "net_pay"},
                        {"field": "constant", "header": "币种", "value": "CNY"}]}  # fmt: skip
    created = client.post(f"{API}/export-layouts", body, content_type="application/json")
    assert created.status_code == 201, created.content
    layout = created.json()
    assert layout["columns"][2] == {"field": "constant", "header": "币种", "value": "CNY"} and layout["is_default"]
    bad = client.post(f"{API}/export-layouts", {**body, "name": "X", "columns": [{"field": "salary"}]},
                      content_type="application/json")  # fmt: skip
    assert bad.status_code == 422 and "columns.0.field" in bad.json()["errors"]
    assert "salary" in bad.json()["errors"]["columns.0.field"][0]
    listed = client.get(f"{API}/export-layouts", {"kind": "bank"})
    assert listed.status_code == 200 and [i["name"] for i in listed.json()["items"]] == ["ICBC"]
    changed = client.put(f"{API}/export-layouts/{layout['id']}", {**body, "name": "工商银行"},
                         content_type="application/json")  # fmt: skip
    assert changed.status_code == 200 and changed.json()["name"] == "工商银行"
    assert api("hr").get(f"{API}/export-layouts").status_code == 403
    assert api("hr").post(f"{API}/export-layouts", body, content_type="application/json").status_code == 403
    assert api("hr").put(f"{API}/export-layouts/{layout['id']}", body,
                         content_type="application/json").status_code == 404  # fmt: skip
    assert client.delete(f"{API}/export-layouts/{layout['id']}").status_code == 204


def test_the_endpoints_are_in_the_openapi_document(scene, api):
    paths = api("payroll_a").get("/api/v1/openapi.json").json()["paths"]
    assert "/api/v1/payroll/exports/{kind}" in paths
    assert {"get", "post"} <= set(paths["/api/v1/payroll/export-layouts"])
