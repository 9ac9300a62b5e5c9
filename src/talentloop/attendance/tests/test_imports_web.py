"""The clock import page (upload, check, import, history, detail) and the API (dry run, import, list,
detail): both call the same service. Time frozen at 2026-11-10 10:00 Shanghai."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext

from talentloop.attendance.models import ClockEvent, ClockImport

pytestmark = pytest.mark.django_db

NOW = dt.datetime(2026, 11, 10, 2, 0, tzinfo=dt.UTC)
FILE = ("工号,姓名,打卡时间,设备\n"
        "T-employee,员工,2026-11-03 08:59:12,大门-01\n"
        "T-employee,员工,2026-11-03 18:01:00,大门-01\n"
        "NOPE-9,谁,2026-11-03 09:00:00,大门-01\n").encode()


@pytest.fixture(autouse=True)
def _frozen():
    with time_machine.travel(NOW, tick=False):
        yield


def _upload(content: bytes = FILE, name: str = "gate.csv") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="text/csv")


def test_page_check_then_import(client_for):
    client = client_for("hr")
    page = client.get("/time/imports/")
    assert page.status_code == 200 and b'data-testid="clock-import-form"' in page.content
    checked = client.post("/time/imports/", {"step": "check", "file": _upload()})
    assert checked.status_code == 200
    body = checked.content.decode()
    assert 'data-testid="report-added">2<' in body and 'data-testid="report-rejected">1<' in body
    assert "No employee has the number NOPE-9." in body and 'data-line="4"' in body
    assert not ClockEvent.objects.exists()
    token = checked.context["token"]
    done = client.post("/time/imports/", {"step": "apply", "token": token})
    assert done.status_code == 200 and 'data-testid="report-added">2<' in done.content.decode()
    assert ClockEvent.objects.count() == 2
    # The token is spent: confirming again imports nothing and says so.
    again = client.post("/time/imports/", {"step": "apply", "token": token})
    assert again.status_code == 302 and ClockEvent.objects.count() == 2
    history = client.get("/time/imports/")
    assert history.content.decode().count('data-testid="clock-import-row"') == 1
    detail = client.get(f"/time/imports/{ClockImport.objects.get().pk}/")
    assert detail.status_code == 200 and "NOPE-9" in detail.content.decode()


def test_page_refuses_a_token_of_another_upload(client_for):
    client = client_for("hr")
    client.post("/time/imports/", {"step": "check", "file": _upload()})
    response = client.post("/time/imports/", {"step": "apply", "token": "A" * 32})
    assert response.status_code == 302 and not ClockEvent.objects.exists()


def test_page_shows_a_file_error_next_to_the_field(client_for):
    response = client_for("hr").post("/time/imports/", {"step": "check", "file": _upload(b"name,when\na,b\n")})
    assert response.status_code == 200
    assert "Required columns are missing" in response.content.decode()
    assert not ClockImport.objects.exists()


def test_admin_reads_the_history_without_the_upload_form(client_for):
    response = client_for("admin").get("/time/imports/")
    assert response.status_code == 200 and b"clock-import-form" not in response.content


def test_api_dry_run_then_import(api_client_for):
    client = api_client_for("hr")
    dry = client.post("/api/v1/time/clock-imports?dry_run=true", {"file": _upload()})
    assert dry.status_code == 200, dry.content
    body = dry.json()
    assert (body["rows"], body["added"], body["duplicates"], body["rejected"], body["import_id"]) == (3, 2, 0, 1, None)
    assert body["errors"] == [{"line": 4, "employee_number": "NOPE-9", "timestamp": "2026-11-03 09:00:00",
                               "device": "大门-01", "reasons": ["No employee has the number NOPE-9."]}]
    assert not ClockEvent.objects.exists()
    done = client.post("/api/v1/time/clock-imports?dry_run=false", {"file": _upload()})
    assert done.status_code == 201 and done.json()["added"] == 2
    again = client.post("/api/v1/time/clock-imports?dry_run=false", {"file": _upload()})
    assert (again.json()["added"], again.json()["duplicates"]) == (0, 2)
    assert ClockEvent.objects.count() == 2
    listed = client.get("/api/v1/time/clock-imports")
    assert listed.status_code == 200 and listed.json()["count"] == 2
    first = listed.json()["items"][-1]
    assert (first["source"], first["added"], first["by"]) == ("device", 2, "hr")
    detail = client.get(f"/api/v1/time/clock-imports/{first['id']}")
    assert detail.status_code == 200 and detail.json()["errors"][0]["employee_number"] == "NOPE-9"


def test_api_bad_file_is_a_422_with_the_file_field(api_client_for):
    response = api_client_for("hr").post("/api/v1/time/clock-imports?dry_run=false",
                                         {"file": _upload(b"only,two\n1,2\n")})
    assert response.status_code == 422 and "file" in response.json()["errors"]
    assert not ClockImport.objects.exists()


def test_api_refuses_others(api_client_for):
    assert api_client_for("manager").post("/api/v1/time/clock-imports", {"file": _upload()}).status_code == 403
    assert api_client_for("employee").get("/api/v1/time/clock-imports").status_code == 403
    assert api_client_for("admin").get("/api/v1/time/clock-imports").status_code == 200


def _grow(world, imports: int) -> None:
    ClockImport.objects.bulk_create([ClockImport(file_name=f"f{i}.csv", rows=3, added=2, rejected=1,
                                                 by=world.hr if i % 2 else None) for i in range(imports)])


@pytest.mark.parametrize("imports", [3, 30])
def test_history_page_queries_do_not_grow(world, client_for, imports):
    # The signed-in page's 6 base queries (session, user, actor ×3, the bell) + count + one page
    # (with the user joined) = 8, whatever the number of imports.
    _grow(world, imports)
    client = client_for("hr")
    client.get("/time/imports/")
    with CaptureQueriesContext(connection) as queries:
        response = client.get("/time/imports/")
    assert response.status_code == 200
    assert len(queries) == 8, [q["sql"] for q in queries.captured_queries]


@pytest.mark.parametrize("imports", [3, 30])
def test_history_api_queries_do_not_grow(world, api_client_for, imports):
    # The token request's 4 base queries + count + one page = 6.
    _grow(world, imports)
    client = api_client_for("hr")
    client.get("/api/v1/time/clock-imports?limit=10")
    with CaptureQueriesContext(connection) as queries:
        response = client.get("/api/v1/time/clock-imports?limit=10")
    assert response.status_code == 200
    assert len(queries) == 6, [q["sql"] for q in queries.captured_queries]
