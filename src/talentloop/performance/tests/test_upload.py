"""The observation upload: the service's dry run, the page's row-by-row check and the confirm step."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal as D

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from talentloop.core.audit.models import AuditEntry
from talentloop.performance.forms import read_observation_file
from talentloop.performance.models import IngestBatch, Observation, Score
from talentloop.performance.services.config import metric_save, period_set_closed
from talentloop.performance.services.observations import observations_ingest
from talentloop.performance.tests.test_pages import build_config, obs

pytestmark = pytest.mark.django_db

HEADER = "employee_number,metric,value,occurred_at,source,external_id\n"


@pytest.fixture
def config(world):
    return build_config(world)


def _csv(*lines: str, header: str = HEADER, encoding: str = "utf-8") -> SimpleUploadedFile:
    return SimpleUploadedFile("obs.csv", (header + "\n".join(lines) + "\n").encode(encoding), content_type="text/csv")


# ---------------------------------------------------------------- the service's dry run


def test_dry_run_classifies_like_a_real_run_and_writes_nothing(world, config):
    hr = config[0]
    emp = world.emp(world.employee)
    observations_ingest(actor=hr, items=[obs(emp, "tasks-done", 1, 2, "a"), obs(emp, "tasks-done", 1, 3, "b")])
    period_set_closed(actor=hr, key="2026-02", closed=True)
    batch = [
        obs(emp, "tasks-done", 1, 2, "a"),           # 0 duplicate of the stored a
        obs(emp, "tasks-done", 2, 3, "b"),           # 1 correction of the stored b
        obs(emp, "tasks-done", 1, 4, "c"),           # 2 new
        obs(emp, "tasks-done", 5, 4, "c"),           # 3 corrects item 2 within the batch
        obs(emp, "tasks-done", 5, 4, "c"),           # 4 duplicate of item 3
        obs(emp, "nope", 1, 4, "d"),                 # 5 rejected: unknown metric
        {"metric": "tasks-done", "value": "x"},      # 6 rejected: shape
        obs(emp, "tasks-done", 1, 10, "late", month=2),  # 7 new, after close (February is closed)
    ]
    counts = (Observation.objects.count(), IngestBatch.objects.count(), AuditEntry.objects.count())
    dry = observations_ingest(actor=hr, items=batch, partial=True, dry_run=True)
    assert (Observation.objects.count(), IngestBatch.objects.count(), AuditEntry.objects.count()) == counts
    assert dry.outcomes == {0: "duplicate", 1: "correction", 2: "accepted", 3: "correction", 4: "duplicate",
                            5: "rejected", 6: "rejected", 7: "accepted"}
    assert dry.after_close == {7}
    assert [r["index"] for r in dry.rejected] == [5, 6]
    # Without ``partial`` a dry run still answers (it does not raise) so that every row can be shown.
    assert observations_ingest(actor=hr, items=batch, dry_run=True).outcomes == dry.outcomes
    real = observations_ingest(actor=hr, items=batch, partial=True)
    assert (real.accepted, real.duplicates, real.corrections, real.rejected) == (
        dry.accepted, dry.duplicates, dry.corrections, dry.rejected) == (2, 2, 2, dry.rejected)
    assert Observation.objects.get(source="git", external_id="late").after_close


# ---------------------------------------------------------------- reading files


def test_reading_csv_and_excel_files(world):
    import openpyxl

    rows = read_observation_file(("\ufeff" + HEADER + "E-1,tasks-done,\"1,500\",2026-03-05,jira,P-1\n"
                                  "\n,tasks-done,2,2026-03-06 09:30,jira,P-2\n").encode())
    assert rows == [(2, {"employee_number": "E-1", "metric": "tasks-done", "value": "1500",
                         "occurred_at": "2026-03-05T00:00:00", "source": "jira", "external_id": "P-1"}),
                    (4, {"metric": "tasks-done", "value": "2", "occurred_at": "2026-03-06 09:30", "source": "jira",
                         "external_id": "P-2"})]
    # GB18030 (Chinese Excel's CSV), and Excel with number, date and date-time cells.
    assert read_observation_file((HEADER + "工号1,满意度,4.5,2026-03-05T10:00:00+08:00,crm,C-1\n").encode("gb18030"))[
        0][1]["employee_number"] == "工号1"
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["employee_id", "metric", "value", "occurred_at", "source", "external_id"])
    sheet.append([7, "csat", 4.5, dt.datetime(2026, 3, 5, 10, 30), "crm", 123])
    sheet.append([8, "csat", 4, dt.date(2026, 3, 6), "crm", "C-2"])
    buffer = io.BytesIO()
    book.save(buffer)
    rows = read_observation_file(buffer.getvalue())
    assert rows[0][1] == {"employee_id": 7, "metric": "csat", "value": "4.5", "occurred_at": "2026-03-05T10:30:00",
                          "source": "crm", "external_id": "123"}
    assert rows[1][1]["occurred_at"] == "2026-03-06T00:00:00" and rows[1][1]["value"] == "4"


@pytest.mark.parametrize(("content", "message"), [
    (b"", "The file is empty."),
    (b"metric,value\n", "Required columns are missing: employee_number, occurred_at, source, external_id."),
    (b"employee_number,metric,value,occurred_at,source,external_id,colour\n1,a,1,2026-03-01,s,e\n",
     "Unknown columns: colour."),
    (HEADER.encode(), "The file has a header row but no observations."),
    (b"\xd0\xcf\x11\xe0rest", "Old .xls workbooks are not supported."),
])
def test_unreadable_files_say_why(world, content, message):
    from talentloop.core.errors import InvalidInput

    with pytest.raises(InvalidInput) as exc:
        read_observation_file(content)
    assert message in exc.value.detail


def test_more_than_5000_rows_is_refused(world, monkeypatch):
    from talentloop.core.errors import InvalidInput

    monkeypatch.setattr("talentloop.performance.forms.MAX_ITEMS", 3)
    with pytest.raises(InvalidInput, match="more than 3 rows"):
        read_observation_file((HEADER + "E,m,1,2026-03-01,s,e1\n" * 4).encode())


# ---------------------------------------------------------------- the page


def test_upload_dry_run_then_confirm(world, client_for, config, django_capture_on_commit_callbacks):
    hr = config[0]
    emp = world.emp(world.employee)
    observations_ingest(actor=hr, items=[obs(emp, "tasks-done", 1, 2, "A-1", source="jira")])
    client = client_for("hr")
    assert client.get("/performance/observations/upload/").status_code == 200
    template = client.get("/performance/observations/upload/?template=csv")
    assert template["Content-Type"].startswith("text/csv") and b"employee_number,employee_id" in template.content
    upload = _csv("T-employee,tasks-done,1,2026-03-02T10:00:00+08:00,jira,A-1",   # duplicate
                  "T-employee,tasks-done,1,2026-03-03T10:00:00+08:00,jira,A-2",   # new
                  "T-employee,tasks-done,1,2026-03-04T10:00:00+08:00,jira,A-3",   # new, corrected below
                  "T-employee,tasks-done,3,2026-03-04T10:00:00+08:00,jira,A-3")   # correction within the file
    response = client.post("/performance/observations/upload/", {"file": upload, "mode": "all"})
    assert response.status_code == 200
    assert response.context["counts"] == {"accepted": 2, "duplicate": 1, "correction": 1, "rejected": 0,
                                          "after_close": 0}
    assert [r.outcome for r in response.context["rows"]] == ["duplicate", "accepted", "accepted", "correction"]
    assert [r.line for r in response.context["rows"]] == [2, 3, 4, 5]
    assert Observation.objects.count() == 1  # nothing written by the dry run
    html = response.content.decode()
    assert 'data-testid="upload-apply"' in html
    token = response.context["token"]
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/performance/observations/upload/", {"step": "apply", "token": token, "mode": "all"})
    assert response.status_code == 200
    result = response.context["result"]
    assert (result.accepted, result.duplicates, result.corrections) == (2, 1, 1)
    assert Observation.objects.filter(is_current=True).count() == 3
    assert IngestBatch.objects.filter(channel="upload").count() == 1
    # The affected score was recomputed after commit: 1 + 1 + 3 = 3 current tasks → count 3.
    score = Score.objects.get(employee=emp, period_key="2026-03")
    delivery = next(d for d in score.detail["dimensions"] if d["key"] == "delivery")
    assert D(delivery["metrics"][0]["actual"]) == 3
    # The token is spent: confirming again is refused and writes nothing.
    response = client.post("/performance/observations/upload/", {"step": "apply", "token": token, "mode": "all"})
    assert response.status_code == 302
    assert Observation.objects.count() == 4


def test_upload_with_rejected_rows(world, client_for, config):
    hr = config[0]
    metric_save(actor=hr, data={"key": "headcount", "name": "人数", "aggregation": "last", "subject_kind": "org_unit"})
    client = client_for("hr")
    upload = _csv("T-employee,,,tasks-done,1,2026-03-03,jira,B-1",
                  f",,{world.platform.pk},headcount,12,2026-03-01,hris,H-1",
                  "T-nobody,,,tasks-done,1,2026-03-03,jira,B-2",
                  "T-employee,,,tasks-done,lots,2026-03-03,jira,B-3",
                  f"T-employee,{world.emp(world.employee).pk},,tasks-done,1,2026-03-03,jira,B-4",
                  header="employee_number,employee_id,org_unit_id,metric,value,occurred_at,source,external_id\n")
    response = client.post("/performance/observations/upload/", {"file": upload, "mode": "all"})
    rows = response.context["rows"]
    assert [r.outcome for r in rows] == ["accepted", "accepted", "rejected", "rejected", "rejected"]
    assert rows[2].errors == ["employee_number: No such employee."]
    assert rows[3].errors == ["value: Must be a finite number."]
    assert "Give exactly one subject" in rows[4].errors[0]
    html = response.content.decode()
    # All or nothing: nothing can be saved; the valid rows can be saved on their own.
    assert 'data-testid="upload-apply"' not in html and 'data-testid="upload-apply-valid"' in html
    token = response.context["token"]
    response = client.post("/performance/observations/upload/", {"step": "apply", "token": token, "mode": "all"})
    assert response.status_code == 422
    assert Observation.objects.count() == 0
    response = client.post("/performance/observations/upload/", {"step": "apply", "token": token,
                                                                 "mode": "valid_only"})
    assert response.status_code == 200
    assert Observation.objects.count() == 2
    assert Observation.objects.filter(org_unit=world.platform, value=12).exists()
    assert len(response.context["rows"]) == 3


def test_upload_form_errors(world, client_for, config):
    client = client_for("hr")
    response = client.post("/performance/observations/upload/", {"file": _csv("x", header="colour\n"), "mode": "all"})
    assert response.status_code == 200
    assert "Unknown columns: colour." in response.content.decode()
    response = client.post("/performance/observations/upload/", {"mode": "all"})
    assert response.context["form"].errors["file"]
    response = client.post("/performance/observations/upload/", {"step": "apply", "token": "x" * 32, "mode": "all"})
    assert response.status_code == 302
    assert Observation.objects.count() == 0


def test_another_persons_token_is_refused(world, client_for, config):
    from django.test import Client

    from talentloop.testing.factories import UserFactory, grant

    hr = client_for("hr")
    response = hr.post("/performance/observations/upload/", {"file": _csv("T-employee,tasks-done,1,2026-03-03,j,1"),
                                                             "mode": "all"})
    token = response.context["token"]
    colleague = UserFactory(username="hr2")
    grant(colleague, "hr")
    other = Client()
    other.force_login(colleague)
    response = other.post("/performance/observations/upload/", {"step": "apply", "token": token, "mode": "all"})
    assert response.status_code == 302 and Observation.objects.count() == 0


@pytest.mark.parametrize(("persona", "status"), [("employee", 404), ("manager", 404), ("mentor", 404),
                                                 ("outsider", 404), ("hr", 200), ("admin", 404)])
def test_upload_page_access(world, client_for, persona, status):
    assert client_for(persona).get("/performance/observations/upload/").status_code == status
