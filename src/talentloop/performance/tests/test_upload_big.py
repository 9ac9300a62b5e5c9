"""Big observation files: a capped, linear header check and background jobs the page polls."""

from __future__ import annotations

from unittest import mock

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from talentloop.performance import forms as perf_forms
from talentloop.performance.forms import MAX_HEADER_COLUMNS, read_observation_file
from talentloop.performance.models import ImportJobState, Metric, Observation, ObservationImportJob
from talentloop.performance.services import imports as import_services
from talentloop.performance.tests.test_pages import build_config

pytestmark = pytest.mark.django_db

HEADER = "employee_number,metric,value,occurred_at,source,external_id\n"
JOB_URL = "/performance/observations/upload/jobs/{}/"


@pytest.fixture
def config(world):
    return build_config(world)


def _rows(n: int, start: int = 0) -> str:
    return "".join(
        f"T-employee,tasks-done,1,2026-03-{1 + i % 28:02d}T10:00:00+08:00,jira,BIG-{i}\n"
        for i in range(start, start + n)
    )


def _file(body: str, header: str = HEADER) -> SimpleUploadedFile:
    return SimpleUploadedFile("big.csv", (header + body).encode(), content_type="text/csv")


# ---------------------------------------------------------------- the header


def test_a_header_wider_than_the_cap_is_refused_with_a_clear_error():
    header = HEADER.strip() + "," + ",".join(f"extra{i}" for i in range(20_000)) + "\n"
    with pytest.raises(Exception) as info:  # noqa: PT011
        read_observation_file((header + _rows(1)).encode())
    assert "20,006 columns" in info.value.detail and str(MAX_HEADER_COLUMNS) in info.value.detail


def test_trailing_empty_header_cells_do_not_count():
    header = HEADER.strip() + "," * 30_000 + "\n"  # as a spreadsheet may save it
    rows = read_observation_file((header + _rows(2)).encode())
    assert [line for line, _item in rows] == [2, 3]
    # Duplicates are found by counting the columns once (a Counter), within the cap.
    wide = HEADER.strip() + "," + ",".join(["metric"] * 150) + "\n"
    with pytest.raises(Exception) as info:  # noqa: PT011
        perf_forms._check_header(wide.strip().split(","))
    assert "metric" in info.value.detail and "more than once" in info.value.detail


def test_the_page_shows_the_header_error(world, client_for, config):
    header = HEADER.strip() + "," + ",".join(f"c{i}" for i in range(300)) + "\n"
    response = client_for("hr").post(
        "/performance/observations/upload/", {"file": _file(_rows(1), header), "mode": "all"}
    )
    assert response.status_code == 200
    assert str(MAX_HEADER_COLUMNS) in response.content.decode()
    assert not ObservationImportJob.objects.exists()


# ---------------------------------------------------------------- background jobs


def test_files_above_two_thousand_rows_go_to_the_worker():
    assert import_services.BACKGROUND_ROWS == 2000


@pytest.fixture
def small_threshold():
    with mock.patch("talentloop.performance.views.observations.BACKGROUND_ROWS", 5):
        yield


def test_a_big_file_is_checked_then_imported_in_the_background(
    world, client_for, config, small_threshold, django_capture_on_commit_callbacks
):
    client = client_for("hr")
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/performance/observations/upload/", {"file": _file(_rows(8)), "mode": "all"})
    job = ObservationImportJob.objects.get()
    assert response.status_code == 302 and response["Location"] == JOB_URL.format(job.pk)
    assert (job.dry_run, job.state, job.total, job.result["accepted"]) == (True, ImportJobState.DONE, 8, 8)
    assert not Observation.objects.exists()  # a check writes nothing
    page = client.get(JOB_URL.format(job.pk))
    assert page.status_code == 200 and page.context["counts"]["accepted"] == 8
    assert 'data-testid="upload-apply"' in page.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            "/performance/observations/upload/", {"step": "apply", "token": page.context["token"], "mode": "all"}
        )
    applied = ObservationImportJob.objects.exclude(pk=job.pk).get()
    assert response.status_code == 302 and response["Location"] == JOB_URL.format(applied.pk)
    assert (applied.dry_run, applied.state, applied.result["accepted"]) == (False, ImportJobState.DONE, 8)
    assert Observation.objects.filter(is_current=True).count() == 8
    result = client.get(JOB_URL.format(applied.pk))
    assert result.status_code == 200 and result.context["result"].accepted == 8
    # The stored file is spent: confirming again writes nothing.
    again = client.post(
        "/performance/observations/upload/", {"step": "apply", "token": page.context["token"], "mode": "all"}
    )
    assert again.status_code == 302 and Observation.objects.count() == 8


def test_the_page_polls_the_progress_and_hands_over_when_done(world, client_for, config):
    job = ObservationImportJob.objects.create(
        created_by=world.hr,
        token="a" * 32,
        file_name="big.csv",
        mode="all",
        state=ImportJobState.RUNNING,
        total=4000,
        done=1000,
    )
    client = client_for("hr")
    page = client.get(JOB_URL.format(job.pk))
    html = page.content.decode()
    assert page.status_code == 200 and 'hx-trigger="every 1s"' in html and 'value="25"' in html
    assert "1000 of 4000" in html
    poll = client.get(JOB_URL.format(job.pk) + "?poll=1", HTTP_HX_REQUEST="true")
    assert poll.status_code == 200 and "<html" not in poll.content.decode()
    assert 'data-state="running"' in poll.content.decode()
    ObservationImportJob.objects.filter(pk=job.pk).update(state=ImportJobState.DONE, done=4000)
    poll = client.get(JOB_URL.format(job.pk) + "?poll=1", HTTP_HX_REQUEST="true")
    assert poll.status_code == 204 and poll["HX-Redirect"] == JOB_URL.format(job.pk)


def test_an_import_that_fails_says_why(world, client_for, config, small_threshold, django_capture_on_commit_callbacks):
    client = client_for("hr")
    with django_capture_on_commit_callbacks(execute=True):
        client.post("/performance/observations/upload/", {"file": _file(_rows(8)), "mode": "all"})
    token = client.session["performance.observation_upload"]["token"]
    Metric.objects.filter(key="tasks-done").update(is_active=False)  # switched off since the check
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/performance/observations/upload/", {"step": "apply", "token": token, "mode": "all"})
    job = ObservationImportJob.objects.get(dry_run=False)
    assert job.state == ImportJobState.FAILED and len(job.result["rejected"]) == 8
    page = client.get(response["Location"])
    assert page.status_code == 422 and 'data-testid="upload-job-error"' in page.content.decode()
    assert not Observation.objects.exists()


def test_a_job_runs_once(world, config):
    job = ObservationImportJob.objects.create(
        created_by=world.hr, token="b" * 32, file_name="x.csv", mode="all", state=ImportJobState.DONE
    )
    assert import_services.observation_import_job_run(job.pk) == "skipped"


def test_a_job_whose_file_is_gone_fails_cleanly(world, config):
    job = ObservationImportJob.objects.create(created_by=world.hr, token="c" * 32, file_name="x.csv", mode="all")
    assert import_services.observation_import_job_run(job.pk) == "failed"
    job.refresh_from_db()
    assert job.state == ImportJobState.FAILED and job.error


def test_only_the_uploader_sees_a_job(world, client_for, config):
    job = ObservationImportJob.objects.create(created_by=world.hr, token="d" * 32, file_name="x.csv", mode="all")
    for persona in ("employee", "manager", "mentor", "admin", "outsider"):
        assert client_for(persona).get(JOB_URL.format(job.pk)).status_code == 404, persona
    assert client_for(None).get(JOB_URL.format(job.pk)).status_code == 302
