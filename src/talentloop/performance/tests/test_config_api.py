"""The configuration and dashboard endpoints: metrics, scorecards, periods, rebuilds, the observations
behind a score and the team's figures — the same services as the pages."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal as D

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from talentloop.core.audit.models import AuditEntry
from talentloop.performance.models import Metric, PeriodState, Scorecard, ScorecardVersion
from talentloop.performance.services.config import metric_save, period_set_closed
from talentloop.performance.services.observations import observations_ingest
from talentloop.performance.tests.test_pages import MARCH, build_config, march_facts, obs, team_of

pytestmark = pytest.mark.django_db

API_BASE = 4  # token+user, actor: employee + roles + has-reports (see tests/test_query_counts.py)


@pytest.fixture
def config(world):
    return build_config(world)


def _post(client, url, body):
    return client.post(url, body, content_type="application/json")


def _patch(client, url, body):
    return client.patch(url, body, content_type="application/json")


# ---------------------------------------------------------------- metrics


def test_metric_list_names_ratio_parts_by_key(world, api_client_for, config):
    response = api_client_for("employee").get("/api/v1/metrics")
    assert response.status_code == 200
    by_key = {m["key"]: m for m in response.json()["items"]}
    assert by_key["bug-rate"]["numerator"] == "bugs" and by_key["bug-rate"]["denominator"] == "lines"
    assert D(by_key["bug-rate"]["ratio_scale"]) == D(1000)
    assert by_key["tasks-done"]["aggregation"] == "count"


def test_metric_create_patch_and_errors(world, api_client_for, config):
    hr = api_client_for("hr")
    body = {"key": "defects-per-story", "name": "每故事缺陷", "aggregation": "ratio", "numerator": "bugs",
            "denominator": "tasks-done", "ratio_scale": "1", "direction": "lower"}
    response = _post(hr, "/api/v1/metrics", body)
    assert response.status_code == 201, response.json()
    created = response.json()
    assert created["numerator"] == "bugs" and created["direction"] == "lower"
    assert AuditEntry.objects.filter(entity_type="performance.metric", action="create",
                                     entity_id=str(created["id"])).exists()
    # The same key again: 422 on the key.
    response = _post(hr, "/api/v1/metrics", body)
    assert response.status_code == 422 and "key" in response.json()["errors"]
    # A ratio naming an unknown metric.
    response = _post(hr, "/api/v1/metrics", {**body, "key": "x", "numerator": "nope"})
    assert response.status_code == 422 and response.json()["errors"] == {"numerator": ["No such metric."]}
    # A ratio without its parts: the service's rule.
    response = _post(hr, "/api/v1/metrics", {"key": "y", "name": "y", "aggregation": "ratio"})
    assert response.status_code == 422 and "numerator" in response.json()["errors"]
    # PATCH: only what is sent changes.
    response = _patch(hr, f"/api/v1/metrics/{created['id']}", {"name_en": "Defects per story", "unit": "个"})
    assert response.status_code == 200
    assert response.json()["name_en"] == "Defects per story" and response.json()["numerator"] == "bugs"
    # Leaving the ratio without changing its parts is refused; null is refused for plain fields.
    response = _patch(hr, f"/api/v1/metrics/{created['id']}", {"aggregation": "sum"})
    assert response.status_code == 422 and "aggregation" in response.json()["errors"]
    response = _patch(hr, f"/api/v1/metrics/{created['id']}", {"aggregation": "sum", "numerator": None,
                                                                "denominator": None})
    assert response.status_code == 200 and response.json()["numerator"] is None
    response = _patch(hr, f"/api/v1/metrics/{created['id']}", {"name": None})
    assert response.status_code == 422 and response.json()["errors"] == {"name": ["This field cannot be null."]}
    assert _patch(hr, "/api/v1/metrics/987654", {"unit": "x"}).status_code == 404


@pytest.mark.parametrize("persona", ["employee", "manager", "mentor", "admin", "outsider"])
def test_only_hr_defines_metrics_and_scorecards(world, api_client_for, config, persona):
    client = api_client_for(persona)
    assert _post(client, "/api/v1/metrics", {"key": "z", "name": "z"}).status_code == 403
    tasks = Metric.objects.get(key="tasks-done")
    assert _patch(client, f"/api/v1/metrics/{tasks.pk}", {"unit": "x"}).status_code == 403
    body = {"name": "x", "valid_from": "2026-04", "dimensions": [
        {"key": "d", "name": "d", "weight": 100, "metrics": [{"metric": "tasks-done", "weight": 100, "target": 1}]}]}
    assert _post(client, "/api/v1/scorecards", body).status_code == 403
    assert client.post("/api/v1/scores/recompute?period=2026-03").status_code == 403
    assert not Metric.objects.filter(key="z").exists() and Scorecard.objects.count() == 1


# ---------------------------------------------------------------- scorecards


def _factory_body(**overrides) -> dict:
    body = {"name": "工厂", "name_en": "Factory", "org_unit_id": None, "valid_from": "2026-04",
            "dimensions": [
                {"key": "output", "name": "产出", "weight": 30,
                 "metrics": [{"metric": "tasks-done", "weight": 100, "target": 20}]},
                {"key": "quality", "name": "质量", "weight": 25,
                 "metrics": [{"metric": "bugs", "weight": 100, "target": 0, "tolerance": 5}]},
                {"key": "customer", "name": "客户反馈", "weight": 20,
                 "metrics": [{"metric": "csat", "weight": 100, "target": 4}]},
                {"key": "innovation", "name": "创新", "weight": 15, "ratings_weight": 100},
                {"key": "teamwork", "name": "团队协作", "weight": 10, "ratings_weight": 100, "manager_weight": 50,
                 "peer_weight": 30, "self_weight": 20},
            ]}
    body.update(overrides)
    return body


def test_scorecard_create_read_and_new_version(world, api_client_for, config):
    hr = api_client_for("hr")
    response = _post(hr, "/api/v1/scorecards", _factory_body(org_unit_id=world.sales.pk))
    assert response.status_code == 201, response.json()
    card = response.json()
    assert card["org_unit_id"] == world.sales.pk and len(card["versions"]) == 1
    version = card["versions"][0]
    assert version["valid_from"] == "2026-04-01"
    assert [(d["key"], D(d["weight"])) for d in version["dimensions"]] == [
        ("output", 30), ("quality", 25), ("customer", 20), ("innovation", 15), ("teamwork", 10)]
    part = version["dimensions"][1]["metrics"][0]
    assert (part["metric"], D(part["weight"]), D(part["target"]), D(part["tolerance"])) == ("bugs", 100, 0, 5)
    teamwork = version["dimensions"][4]
    assert [D(teamwork[k]) for k in ("ratings_weight", "manager_weight", "peer_weight", "self_weight")] == [
        100, 50, 30, 20]
    # A new version from July: weights change, the scope stays.
    body = _factory_body(scorecard_id=card["id"], name="", valid_from="2026-07")
    body["dimensions"][0]["weight"], body["dimensions"][4]["weight"] = 35, 5
    response = _post(hr, "/api/v1/scorecards", body)
    assert response.status_code == 201, response.json()
    assert [v["valid_from"] for v in response.json()["versions"]] == ["2026-07-01", "2026-04-01"]
    assert response.json()["name"] == "工厂"
    listed = {c["id"]: c for c in hr.get("/api/v1/scorecards").json()["items"]}
    assert listed[card["id"]]["version_count"] == 2 and listed[card["id"]]["latest_valid_from"] == "2026-07-01"
    assert hr.get(f"/api/v1/scorecards/{card['id']}").json()["versions"][0]["valid_from"] == "2026-07-01"
    assert hr.get("/api/v1/scorecards/987654").status_code == 404


def test_scorecard_errors_are_clear_and_change_nothing(world, api_client_for, config):
    hr = api_client_for("hr")
    before = ScorecardVersion.objects.count()
    # 30 + 25 + 20 + 15 + 5 = 95
    body = _factory_body()
    body["dimensions"][4]["weight"] = 5
    response = _post(hr, "/api/v1/scorecards", body)
    assert response.status_code == 422
    assert response.json()["errors"]["dimensions"] == [
        "The dimension weights add up to 95; they must add up to exactly 100."]
    # An unknown metric, and a metric row missing from the dimension's 100.
    body = _factory_body()
    body["dimensions"][0]["metrics"][0]["metric"] = "nope"
    response = _post(hr, "/api/v1/scorecards", body)
    assert response.status_code == 422
    assert response.json()["errors"] == {"dimensions.0.metrics.0.metric": ["No such metric about people."]}
    # Without a name, a new scorecard is refused; with a scorecard_id, its scope cannot change.
    assert _post(hr, "/api/v1/scorecards", _factory_body(name="")).json()["errors"] == {
        "name": ["A new scorecard needs a name."]}
    card = Scorecard.objects.get()
    response = _post(hr, "/api/v1/scorecards", _factory_body(scorecard_id=card.pk, org_unit_id=world.rnd.pk))
    assert response.status_code == 422 and "org_unit_id" in response.json()["errors"]
    # A second scorecard for the same scope (engineering, no unit).
    response = _post(hr, "/api/v1/scorecards", _factory_body(job_family_id=world.engineering.pk))
    assert response.status_code == 422 and "org_unit_id" in response.json()["errors"]
    # A bad month.
    assert _post(hr, "/api/v1/scorecards", _factory_body(valid_from="2026-13")).status_code == 422
    assert ScorecardVersion.objects.count() == before


# ---------------------------------------------------------------- periods and rebuilds


def test_periods_and_recompute(world, api_client_for, config, django_capture_on_commit_callbacks):
    hr_actor = config[0]
    hr = api_client_for("hr")
    period_set_closed(actor=hr_actor, key="2026-Q1", closed=True)
    periods = api_client_for("employee").get("/api/v1/periods").json()["items"]
    kinds = {p["kind"] for p in periods}
    assert kinds == {"month", "quarter", "year"}
    quarters = api_client_for("employee").get("/api/v1/periods?kind=quarter").json()["items"]
    assert all(p["kind"] == "quarter" for p in quarters)
    emp = world.emp(world.employee)
    march_facts(hr_actor, emp)
    with django_capture_on_commit_callbacks(execute=True):
        response = hr.post("/api/v1/scores/recompute?period=2026-03")
    assert response.status_code == 202
    assert response.json() == {"period": "2026-03", "queued": True, "closed": False,
                               "detail": "The scores are being rebuilt."}
    assert hr.get(f"/api/v1/employees/{emp.pk}/scores?period=2026-03").json()["total"] == "110.16"
    assert AuditEntry.objects.filter(entity_type="performance.period", entity_id="2026-03").exists()
    response = hr.post("/api/v1/scores/recompute?period=2026-Q1")
    assert response.status_code == 202 and response.json()["closed"] is True
    assert hr.post("/api/v1/scores/recompute?period=2026-3").status_code == 422
    assert PeriodState.objects.filter(closed=True).count() == 1


# ---------------------------------------------------------------- the observations behind a score


def test_observations_behind_a_score(world, api_client_for, config):
    hr_actor = config[0]
    emp = world.emp(world.employee)
    march_facts(hr_actor, emp)
    observations_ingest(actor=hr_actor, items=[obs(emp, "tasks-done", 3, 12, f"t{emp.pk}-12")])  # a correction
    client = api_client_for("employee")
    url = f"/api/v1/employees/{emp.pk}/observations"
    body = client.get(url, {"period": "2026-03", "metric": "tasks-done", "limit": 5}).json()
    assert body["count"] == 12 and len(body["items"]) == 5
    first = body["items"][0]
    assert (first["metric"], D(first["value"]), first["occurred_on"]) == ("tasks-done", 3, "2026-03-12")
    assert first["supersedes_id"] is not None and first["is_current"]
    body = client.get(url, {"period": "2026-03", "metric": "tasks-done", "include_replaced": True}).json()
    assert body["count"] == 13
    body = client.get(url, {"period": "2026-03", "metric": "bug-rate"}).json()
    assert {i["metric"] for i in body["items"]} == {"bugs", "lines"} and body["count"] == 3
    body = client.get(url, {"period": "2026-Q1"}).json()
    assert body["count"] == 17
    assert client.get(url, {"period": "2026-03", "offset": 100}).json() == {"count": 17, "items": []}
    assert api_client_for("outsider").get(url, {"period": "2026-03"}).status_code == 404
    assert api_client_for("mentor").get(url, {"period": "2026-03"}).status_code == 404
    assert client.get(url, {"period": "March"}).status_code == 422


# ---------------------------------------------------------------- the team's figures


def test_team_dashboard_figures(world, api_client_for, config):
    people = team_of(world, config, 4)
    response = api_client_for("manager").get("/api/v1/dashboards/team", {"period": "2026-03"})
    assert response.status_code == 200
    body = response.json()
    assert (body["period"], body["previous_period"], body["people"], body["scored"]) == ("2026-03", "2026-02", 7, 4)
    assert [(b["rating"], b["count"]) for b in body["distribution"]] == [(1, 0), (2, 1), (3, 2), (4, 1), (5, 0)]
    assert [m["employee_id"] for m in body["declining"]] == [p.pk for p in people[:3]]
    assert D(body["declining"][0]["change"]) == -60
    assert D(body["mean_total"]) == 75 and D(body["previous_mean_total"]) == 105
    # HR may open a manager's team; an employee has no team.
    lead = world.emp(world.lead)
    assert api_client_for("hr").get("/api/v1/dashboards/team", {"manager_id": lead.pk}).status_code == 200
    assert api_client_for("hr").get("/api/v1/dashboards/team").status_code == 403
    assert api_client_for("employee").get("/api/v1/dashboards/team").status_code == 403
    assert api_client_for("outsider").get("/api/v1/dashboards/team", {"manager_id": lead.pk}).status_code == 404
    assert api_client_for("admin").get("/api/v1/dashboards/team").status_code == 403


# ---------------------------------------------------------------- query counts at two sizes


def _count(client, url, params=None):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url, params or {})
    assert response.status_code == 200, (url, response.status_code, response.content[:300])
    return len(queries), response


@pytest.mark.parametrize("size", [2, 15])
def test_query_counts_of_list_endpoints(world, api_client_for, config, size):
    hr_actor = config[0]
    for i in range(size):
        metric_save(actor=hr_actor, data={"key": f"extra-{i}", "name": f"指标{i}"})
    emp = world.emp(world.employee)
    observations_ingest(actor=hr_actor, items=[obs(emp, "tasks-done", 1, 1 + i % 28, f"q{i}") for i in range(size)])
    team_of(world, config, size)
    client = api_client_for("hr")
    client.get("/api/v1/me")  # first use of the token
    n, response = _count(client, "/api/v1/metrics")
    assert n == API_BASE + 1 and len(response.json()["items"]) == 5 + size
    n, _response = _count(client, "/api/v1/scorecards")
    assert n == API_BASE + 1
    n, _response = _count(client, f"/api/v1/scorecards/{config[2].scorecard_id}")
    assert n == API_BASE + 4  # the scorecard, its versions, dimensions and metric parts
    n, _response = _count(client, "/api/v1/periods")
    assert n == API_BASE + 2
    # the person, the metric, the count and one page
    n, response = _count(client, f"/api/v1/employees/{emp.pk}/observations", {"period": "2026-03",
                                                                              "metric": "tasks-done"})
    assert n == API_BASE + 4 and response.json()["count"] == size
    manager = api_client_for("manager")
    manager.get("/api/v1/me")
    # the people with their totals, the trend, the open alerts
    n, response = _count(manager, "/api/v1/dashboards/team", {"period": MARCH.key})
    assert n == API_BASE + 3 and response.json()["people"] == 3 + size


def test_valid_from_is_the_first_of_the_month(world, api_client_for, config):
    response = _post(api_client_for("hr"), "/api/v1/scorecards", _factory_body(valid_from="2026-05"))
    assert response.status_code == 201
    assert ScorecardVersion.objects.get(scorecard_id=response.json()["id"]).valid_from == dt.date(2026, 5, 1)
