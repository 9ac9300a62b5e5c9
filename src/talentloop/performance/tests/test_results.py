"""Work results: each kind end to end, trust, decisions and who may take them, bad input, idempotency,
notifications, query counts.

The persona tree: ``employee`` reports to ``lead``, who reports to ``manager``; ``mentor`` is a
colleague of ``employee`` (also reporting to ``manager``); ``outsider`` is in sales; ``hr`` covers
everybody.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal as D

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.db.models import Count
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from talentloop.core.access import actor_for
from talentloop.core.errors import Conflict, InvalidInput, PermissionDenied
from talentloop.learning.models import BehaviourEvent
from talentloop.mentoring.models import SkillAssessment
from talentloop.notifications.models import Notification
from talentloop.performance import periods as P
from talentloop.performance.models import (
    Aggregation,
    Observation,
    Score,
    WorkResult,
    WorkResultAttachment,
    WorkResultSettings,
)
from talentloop.performance.services import results as services
from talentloop.performance.services.config import metric_save, scorecard_save
from talentloop.performance.services.scores import recompute_period

pytestmark = pytest.mark.django_db


@pytest.fixture
def setup(world):
    """A scorecard for engineers with one dimension, customer satisfaction (average, target 4), and
    a count metric for delivered projects; HR sends feedback scores to csat, reports to projects."""
    hr = actor_for(world.hr)
    csat = metric_save(actor=hr, data={"key": "csat", "name": "客户满意度", "name_en": "Customer satisfaction",
                                       "aggregation": Aggregation.AVG})
    projects = metric_save(actor=hr, data={"key": "projects-delivered", "name": "交付项目",
                                           "aggregation": Aggregation.COUNT})
    start = P.containing(timezone.localdate()).start
    scorecard_save(actor=hr, name="软件工程师", job_family=world.engineering, valid_from=start.replace(day=1),
                   dimensions=[{"key": "customer", "name": "客户反馈", "weight": 100,
                                "metrics": [{"metric": csat, "weight": 100, "target": 4}]}])
    services.work_result_settings_update(actor=hr, values={
        "customer_feedback": {"trusted": False, "metric": csat},
        "project_report": {"trusted": False, "metric": projects},
    })
    return {"csat": csat, "projects": projects}


def today() -> dt.date:
    return timezone.localdate()


def feedback(world, score=3, customer="上海客户", **extra) -> WorkResult:
    return services.work_result_submit(actor=actor_for(world.employee), kind="customer_feedback",
                                       occurred_on=today(), customer=customer, score=score, **extra)


def month_total(world):
    score = Score.objects.filter(employee=world.emp(world.employee),
                                 period_key=P.containing(today()).key).first()
    return score.total if score else None


# ---------------------------------------------------------------- each kind end to end


def test_customer_feedback_confirmed_becomes_an_observation_and_moves_the_score(
        world, setup, django_capture_on_commit_callbacks):
    recompute_period(P.containing(today()), [world.emp(world.employee).pk])
    before = month_total(world)
    with django_capture_on_commit_callbacks(execute=True):
        result = feedback(world, score=3)
    assert result.status == "pending"
    assert not Observation.objects.filter(source="work-result").exists()
    # The direct manager is asked to confirm.
    asked = Notification.objects.get(kind="work_result_submitted")
    assert asked.recipient == world.emp(world.lead)
    with django_capture_on_commit_callbacks(execute=True):
        services.work_result_confirm(actor=actor_for(world.lead), result=result, note="客户来电确认")
    obs = Observation.objects.get(source="work-result", external_id=f"work-result-{result.pk}")
    assert (obs.metric, obs.employee, obs.value, obs.occurred_on) == (setup["csat"], world.emp(world.employee),
                                                                       D(3), today())
    result.refresh_from_db()
    assert (result.status, result.decided_by, result.metric, result.observation_external_id) == (
        "confirmed", world.lead, setup["csat"], f"work-result-{result.pk}")
    # One dimension, csat average 3 against target 4 → 75.00 (the month had no value before).
    assert before != D("75.00")
    assert month_total(world) == D("75.00")
    told = Notification.objects.get(kind="work_result_decided")
    assert told.recipient == world.emp(world.employee)
    assert "confirmed" in told.text


def test_low_customer_score_is_a_complaint_for_learning(world, setup, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        low = feedback(world, score=2)
        services.work_result_confirm(actor=actor_for(world.manager), result=low)
        fine = feedback(world, score=4, customer="北京客户")
        services.work_result_confirm(actor=actor_for(world.manager), result=fine)
    events = list(BehaviourEvent.objects.filter(source="work-result"))
    assert len(events) == 1
    assert (events[0].employee, events[0].verb, events[0].tags) == (world.emp(world.employee), "submit",
                                                                    ["complaint-handling", "csat"])


def test_project_report_counts_in_its_metric_with_attachments(world, setup, django_capture_on_commit_callbacks):
    files = [SimpleUploadedFile("photo.jpg", b"\xff\xd8jpeg", content_type="image/jpeg"),
             SimpleUploadedFile("report.pdf", b"%PDF-1.4", content_type="application/pdf")]
    with django_capture_on_commit_callbacks(execute=True):
        result = services.work_result_submit(actor=actor_for(world.employee), kind="project_report",
                                             occurred_on=today(), title="支付网关迁移", text="按期上线。", files=files)
        services.work_result_confirm(actor=actor_for(world.hr), result=result)
    assert [(a.name, a.size, a.content_type) for a in result.attachments.all()] == [
        ("photo.jpg", 6, "image/jpeg"), ("report.pdf", 8, "application/pdf")]
    assert all(a.file.name.startswith(f"private/work-results/{result.employee_id}/")
               for a in result.attachments.all())
    obs = Observation.objects.get(source="work-result", external_id=f"work-result-{result.pk}")
    assert (obs.metric, obs.value) == (setup["projects"], D(1))


def test_skill_test_becomes_a_skill_assessment(world, setup):
    result = services.work_result_submit(actor=actor_for(world.employee), kind="skill_test", occurred_on=today(),
                                         skill="Python", test_name="Python 进阶测评", score=86)
    services.work_result_confirm(actor=actor_for(world.lead), result=result)
    result.refresh_from_db()
    assessment = SkillAssessment.objects.get()
    assert result.skill_assessment == assessment
    assert (assessment.employee, assessment.skill, assessment.score, assessment.plan, assessment.assessed_on) == (
        world.emp(world.employee), "python", D(86), None, today())
    assert not Observation.objects.filter(source="work-result").exists()


def test_trusted_kind_is_confirmed_at_submission(world, setup, django_capture_on_commit_callbacks):
    services.work_result_settings_update(actor=actor_for(world.hr), values={
        "customer_feedback": {"trusted": True, "metric": setup["csat"]}})
    with django_capture_on_commit_callbacks(execute=True):
        result = feedback(world, score=5)
    assert (result.status, result.auto_confirmed, result.decided_by) == ("confirmed", True, world.employee)
    assert Observation.objects.filter(source="work-result", value=5).count() == 1
    assert not Notification.objects.filter(kind__startswith="work_result").exists()
    # 5 against 4 → 125, capped at the attainment ceiling of 120.
    assert month_total(world) == D("120.00")


# ---------------------------------------------------------------- decisions and who may take them


def test_reject_needs_a_reason(world, setup):
    result = feedback(world)
    with pytest.raises(InvalidInput) as exc:
        services.work_result_reject(actor=actor_for(world.lead), result=result, note="  ")
    assert "note" in exc.value.errors
    result.refresh_from_db()
    assert result.status == "pending"
    services.work_result_reject(actor=actor_for(world.lead), result=result, note="客户名称不符")
    result.refresh_from_db()
    assert (result.status, result.decision_note) == ("rejected", "客户名称不符")
    assert not Observation.objects.exists()


def test_nobody_confirms_their_own_result(world, setup):
    result = feedback(world)
    with pytest.raises(PermissionDenied):
        services.work_result_confirm(actor=actor_for(world.employee), result=result)
    lead_result = services.work_result_submit(actor=actor_for(world.lead), kind="customer_feedback",
                                              occurred_on=today(), customer="A", score=4)
    with pytest.raises(PermissionDenied):
        services.work_result_confirm(actor=actor_for(world.lead), result=lead_result)
    # HR confirming their own result is refused too.
    hr_result = services.work_result_submit(actor=actor_for(world.hr), kind="customer_feedback",
                                            occurred_on=today(), customer="A", score=4)
    with pytest.raises(PermissionDenied):
        services.work_result_confirm(actor=actor_for(world.hr), result=hr_result)


def test_colleague_and_outsider_neither_see_nor_confirm(world, setup, api_client_for, client_for):
    result = feedback(world)
    for persona in ("mentor", "outsider", "admin"):
        api = api_client_for(persona)
        assert api.get(f"/api/v1/work-results/{result.pk}").status_code == 404
        assert api.post(f"/api/v1/work-results/{result.pk}/confirm", {}, content_type="application/json"
                        ).status_code == 404
        web = client_for(persona)
        assert web.get(f"/performance/results/{result.pk}/").status_code == 404
        assert web.post(f"/performance/results/{result.pk}/confirm/", {}).status_code == 404
    with pytest.raises(PermissionDenied):
        services.work_result_confirm(actor=actor_for(world.outsider), result=result)
    # The person sees their own, but may not confirm it: 403 over the API.
    own = api_client_for("employee")
    assert own.get(f"/api/v1/work-results/{result.pk}").status_code == 200
    assert own.post(f"/api/v1/work-results/{result.pk}/confirm", {}, content_type="application/json"
                    ).status_code == 403
    result.refresh_from_db()
    assert result.status == "pending"


def test_confirming_twice_is_a_conflict_and_one_observation(world, setup, api_client_for):
    result = feedback(world)
    api = api_client_for("lead")
    first = api.post(f"/api/v1/work-results/{result.pk}/confirm", {"note": "ok"}, content_type="application/json")
    assert first.status_code == 200, first.content
    assert first.json()["status"] == "confirmed"
    second = api_client_for("manager").post(f"/api/v1/work-results/{result.pk}/confirm", {},
                                            content_type="application/json")
    assert second.status_code == 409
    assert second.json()["detail"]
    with pytest.raises(Conflict):
        services.work_result_reject(actor=actor_for(world.hr), result=result, note="late")
    assert Observation.objects.filter(source="work-result").count() == 1


def test_withdraw_only_own_pending(world, setup, api_client_for):
    result = feedback(world)
    assert api_client_for("lead").post(f"/api/v1/work-results/{result.pk}/withdraw").status_code == 403
    response = api_client_for("employee").post(f"/api/v1/work-results/{result.pk}/withdraw")
    assert response.status_code == 200 and response.json()["status"] == "withdrawn"
    assert api_client_for("employee").post(f"/api/v1/work-results/{result.pk}/withdraw").status_code == 409
    assert api_client_for("lead").post(f"/api/v1/work-results/{result.pk}/confirm", {},
                                       content_type="application/json").status_code == 409


def test_confirmation_is_one_transaction_with_what_it_becomes(world, setup, monkeypatch):
    """A complaint (score 1) whose behaviour event cannot be written: the observation written just
    before it and the decision are rolled back together."""
    result = feedback(world, score=1)

    def broken(**_kwargs):
        raise RuntimeError("learning is down")

    monkeypatch.setattr("talentloop.learning.services.behaviour_record", broken)
    with pytest.raises(RuntimeError):
        services.work_result_confirm(actor=actor_for(world.lead), result=result)
    result.refresh_from_db()
    assert result.status == "pending" and result.decided_by is None
    assert not Observation.objects.filter(source="work-result").exists()


def test_decisions_are_audited(world, setup):
    from talentloop.core.audit.models import AuditEntry

    result = feedback(world)
    services.work_result_reject(actor=actor_for(world.lead), result=result, note="重复")
    entry = AuditEntry.objects.filter(entity_type="performance.workresult", entity_id=str(result.pk),
                                      action="update").get()
    assert entry.changes["status"] == {"before": "pending", "after": "rejected"}


# ---------------------------------------------------------------- bad input changes nothing


@pytest.mark.parametrize("body, field", [
    ({"kind": "customer_feedback", "customer": "A", "score": 0}, "score"),
    ({"kind": "customer_feedback", "customer": "A", "score": 6}, "score"),
    ({"kind": "customer_feedback", "customer": "", "score": 4}, "customer"),
    ({"kind": "customer_feedback", "customer": "A"}, "score"),
    ({"kind": "customer_feedback", "customer": "A" * 201, "score": 4}, "customer"),
    ({"kind": "skill_test", "skill": "python", "score": 101}, "score"),
    ({"kind": "skill_test", "skill": "python", "score": -1}, "score"),
    ({"kind": "skill_test", "skill": "", "score": 50}, "skill"),
    ({"kind": "skill_test", "skill": "Py thon!", "score": 50}, "skill"),
    ({"kind": "project_report", "title": "", "text": "x"}, "title"),
    ({"kind": "project_report", "title": "x", "text": "y" * 10001}, "text"),
    ({"kind": "customer_feedback", "customer": "A", "score": 4, "occurred_on": "2999-01-01"}, "occurred_on"),
    ({"kind": "pizza", "customer": "A", "score": 4}, "kind"),
])
def test_bad_input_is_refused_and_writes_nothing(world, setup, api_client_for, body, field):
    payload = {"occurred_on": today().isoformat(), **body}
    response = api_client_for("employee").post("/api/v1/work-results", payload, content_type="application/json")
    assert response.status_code == 422, response.content
    assert field in response.json()["errors"], response.json()
    assert WorkResult.objects.count() == 0


def _upload(api, files, **fields):
    data = {"kind": "project_report", "occurred_on": today().isoformat(), "title": "迁移", "text": "完成", **fields}
    return api.post("/api/v1/work-results", {**data, "files": files})


@pytest.mark.parametrize("files", [
    [SimpleUploadedFile("big.pdf", b"0" * (10 * 1024 * 1024 + 1), content_type="application/pdf")],
    [SimpleUploadedFile("tool.exe", b"MZ", content_type="application/octet-stream")],
    [SimpleUploadedFile("page.html", b"<script>", content_type="text/html")],
    [SimpleUploadedFile(f"p{i}.png", b"png", content_type="image/png") for i in range(6)],
    [SimpleUploadedFile("empty.txt", b"", content_type="text/plain")],
])
def test_bad_attachments_are_refused(world, setup, api_client_for, files):
    response = _upload(api_client_for("employee"), files)
    assert response.status_code == 422, response.content
    assert "files" in response.json()["errors"]
    assert WorkResult.objects.count() == 0
    assert WorkResultAttachment.objects.count() == 0


def test_multipart_project_report_and_download(world, setup, api_client_for, client_for):
    response = _upload(api_client_for("employee"), [SimpleUploadedFile("notes.txt", b"hello", "text/plain")])
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["kind"] == "project_report" and body["status"] == "pending"
    aid = body["attachments"][0]["id"]
    url = f"/api/v1/work-results/{body['id']}/attachments/{aid}"
    download = api_client_for("lead").get(url)
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == b"hello"
    assert "attachment" in download["Content-Disposition"]
    assert api_client_for("outsider").get(url).status_code == 404
    assert api_client_for("mentor").get(url).status_code == 404
    web = f"/performance/results/{body['id']}/attachments/{aid}/"
    assert client_for("employee").get(web).status_code == 200
    assert client_for("outsider").get(web).status_code == 404


# ---------------------------------------------------------------- pages


def test_submit_page_from_the_phone(world, setup, client_for):
    client = client_for("employee")
    page = client.get("/performance/results/new/?kind=customer_feedback")
    assert page.status_code == 200
    assert b'name="customer"' in page.content
    report = client.get("/performance/results/new/?kind=project_report")
    assert b'enctype="multipart/form-data"' in report.content
    assert b'accept="image/*,application/pdf' in report.content and b"multiple" in report.content
    assert b'name="skill"' in client.get("/performance/results/new/?kind=skill_test").content
    bad = client.post("/performance/results/new/", {"kind": "customer_feedback", "customer": "",
                                                     "occurred_on": today().isoformat()}, HTTP_HX_REQUEST="true")
    assert bad.status_code == 422
    assert bad.context["form"].errors.keys() >= {"customer", "score"}
    assert WorkResult.objects.count() == 0
    done = client.post("/performance/results/new/", {"kind": "customer_feedback", "customer": "上海客户", "score": "4",
                                                      "comment": "很满意", "occurred_on": today().isoformat()},
                       follow=True)
    assert done.status_code == 200
    result = WorkResult.objects.get()
    assert (result.customer, result.score, result.comment) == ("上海客户", 4, "很满意")
    assert b"Your manager has been asked to confirm it." in done.content
    upload = client.post("/performance/results/new/", {
        "kind": "project_report", "title": "迁移", "text": "完成", "occurred_on": today().isoformat(),
        "files": [SimpleUploadedFile("a.png", b"png", "image/png"), SimpleUploadedFile("b.exe", b"MZ")]})
    assert upload.status_code == 200
    assert "files" in upload.context["form"].errors
    assert WorkResult.objects.count() == 1


def test_queue_confirm_and_reject_with_htmx(world, setup, client_for):
    a, b = feedback(world), feedback(world, customer="B")
    client = client_for("lead")
    queue = client.get("/performance/results/confirm/")
    assert queue.status_code == 200
    assert [r.pk for r in queue.context["results"]] == [a.pk, b.pk]
    ok = client.post(f"/performance/results/{a.pk}/confirm/", {"note": ""}, HTTP_HX_REQUEST="true")
    assert ok.status_code == 200
    assert "performance/results/_card.html" in [t.name for t in ok.templates]
    no_reason = client.post(f"/performance/results/{b.pk}/reject/", {"note": ""}, HTTP_HX_REQUEST="true")
    assert no_reason.status_code == 422
    assert b"Say why" in no_reason.content
    rejected = client.post(f"/performance/results/{b.pk}/reject/", {"note": "重复提交"}, HTTP_HX_REQUEST="true")
    assert rejected.status_code == 200
    assert dict(WorkResult.objects.values_list("pk", "status")) == {a.pk: "confirmed", b.pk: "rejected"}
    # The person cannot open the decision: a 404 page, nothing changes.
    c = feedback(world, customer="C")
    assert client_for("employee").post(f"/performance/results/{c.pk}/confirm/", {}).status_code == 404


def test_queue_count_follows_each_decision_out_of_band(world, setup, client_for):
    a, b = feedback(world), feedback(world, customer="B")
    client = client_for("lead")
    queue = client.get("/performance/results/confirm/").content.decode()
    assert 'id="queue-count"' in queue and "2 results wait for confirmation." in queue
    ok = client.post(f"/performance/results/{a.pk}/confirm/", {"note": ""}, HTTP_HX_REQUEST="true").content.decode()
    # The card swaps itself; the count element (same id, hx-swap-oob) replaces the page's count.
    assert f'id="result-{a.pk}"' in ok
    count = ok[ok.index('id="queue-count"') - 3:]
    assert 'hx-swap-oob="true"' in count and "1 result waits for confirmation." in count
    rejected = client.post(f"/performance/results/{b.pk}/reject/", {"note": "重复"}, HTTP_HX_REQUEST="true")
    assert "0 results wait for confirmation." in rejected.content.decode()
    # A refused decision (no reason) changes nothing and sends no count.
    c = feedback(world, customer="C")
    refused = client.post(f"/performance/results/{c.pk}/reject/", {"note": ""}, HTTP_HX_REQUEST="true")
    assert refused.status_code == 422 and b"hx-swap-oob" not in refused.content


def test_settings_page_is_hrs(world, setup, client_for):
    assert client_for("manager").get("/performance/results/settings/").status_code == 404
    client = client_for("hr")
    assert client.get("/performance/results/settings/").status_code == 200
    response = client.post("/performance/results/settings/", {
        "customer_feedback_trusted": "on", "customer_feedback_metric": setup["csat"].pk,
        "project_report_metric": "", "skill_test_trusted": "on"})
    assert response.status_code == 302
    saved = {s.kind: (s.trusted, s.metric_id) for s in WorkResultSettings.objects.all()}
    assert saved == {"customer_feedback": (True, setup["csat"].pk), "project_report": (False, None),
                     "skill_test": (True, None)}


def test_settings_api(world, setup, api_client_for):
    assert api_client_for("employee").get("/api/v1/work-results/settings").status_code == 403
    api = api_client_for("hr")
    put = api.put("/api/v1/work-results/settings", {"project_report": {"trusted": True, "metric": None}},
                  content_type="application/json")
    assert put.status_code == 200, put.content
    assert {s["kind"]: (s["trusted"], s["metric"]) for s in put.json()} == {
        "customer_feedback": (False, "csat"), "project_report": (True, None), "skill_test": (False, None)}
    bad = api.put("/api/v1/work-results/settings", {"customer_feedback": {"metric": "nope"}},
                  content_type="application/json")
    assert bad.status_code == 422
    assert WorkResultSettings.objects.get(kind="customer_feedback").metric == setup["csat"]


def test_evidence_page_shows_confirmed_results(world, setup, client_for):
    kept = feedback(world, customer="已确认客户")
    services.work_result_confirm(actor=actor_for(world.lead), result=kept)
    feedback(world, customer="待确认客户")
    url = f"/performance/results/person/{world.emp(world.employee).pk}/"
    page = client_for("manager").get(url)
    assert page.status_code == 200
    assert [r.pk for r in page.context["results"]] == [kept.pk]
    assert "已确认客户" in page.content.decode() and "待确认客户" not in page.content.decode()
    last_year = str(today().year - 1)
    assert client_for("employee").get(f"{url}?period={last_year}").context["results"] == []
    for persona in ("mentor", "outsider", "admin"):
        assert client_for(persona).get(url).status_code == 404


# ---------------------------------------------------------------- query counts


def _grow(world, size: int, status: str = "pending") -> None:
    emp = world.emp(world.employee)
    WorkResult.objects.bulk_create([
        WorkResult(employee=emp, kind="customer_feedback", occurred_on=today(), customer=f"C{i}", score=4,
                   submitted_by=world.employee, status=status) for i in range(size)])


@pytest.mark.parametrize("path, persona, key, status", [
    ("/performance/results/", "employee", "results", "pending"),
    ("/performance/results/confirm/", "lead", "results", "pending"),
    ("/performance/results/person/{emp}/", "lead", "results", "confirmed"),
])
def test_pages_query_count(world, setup, client_for, path, persona, key, status):
    counts = []
    path = path.format(emp=world.emp(world.employee).pk)
    for size in (2, 12):
        WorkResult.objects.all().delete()
        _grow(world, size, status)
        client = client_for(persona)
        client.get(path)
        with CaptureQueriesContext(connection) as queries:
            page = client.get(path)
        assert page.status_code == 200
        assert len(page.context[key]) == size
        counts.append(len(queries))
    assert counts[0] == counts[1], counts


@pytest.mark.parametrize("query, persona", [("", "employee"), ("?queue=confirm", "lead")])
def test_api_list_query_count(world, setup, api_client_for, query, persona):
    counts = []
    api = api_client_for(persona)
    api.get("/api/v1/work-results")
    for size in (2, 12):
        WorkResult.objects.all().delete()
        _grow(world, size)
        with CaptureQueriesContext(connection) as queries:
            listed = api.get(f"/api/v1/work-results{query}&limit=50" if query else "/api/v1/work-results")
        assert listed.status_code == 200
        assert listed.json()["count"] == size and len(listed.json()["items"]) == size
        counts.append(len(queries))
    assert counts[0] == counts[1], counts


# ---------------------------------------------------------------- demo


def test_demo_loads_once_and_wipes(world, django_capture_on_commit_callbacks):
    from talentloop.performance.demo.results import load_results, wipe_results

    metric_save(actor=actor_for(world.hr), data={"key": "customer-satisfaction", "name": "客户满意度",
                                                 "aggregation": Aggregation.AVG})
    with django_capture_on_commit_callbacks(execute=True):
        loaded = load_results(seed=1)
    # employee: 3 confirmed, 1 rejected, 1 pending; the manager's team (lead, mentor): 2 pending.
    assert (loaded.confirmed, loaded.rejected, loaded.pending) == (3, 1, 3)
    mine = dict(WorkResult.objects.filter(employee=world.emp(world.employee)).values_list("status").annotate(
        n=Count("id")))
    assert mine == {"confirmed": 3, "rejected": 1, "pending": 1}
    assert Observation.objects.filter(source="work-result", metric__key="customer-satisfaction").count() == 1
    assert SkillAssessment.objects.filter(employee=world.emp(world.employee)).count() == 1
    from talentloop.performance.selectors_results import work_results_pending_count

    assert work_results_pending_count(actor_for(world.manager)) == 3
    assert load_results(seed=1).pending == 0  # already loaded: nothing more
    assert WorkResult.objects.count() == 7
    wipe_results()
    assert not WorkResult.objects.exists() and not WorkResultSettings.objects.exists()
