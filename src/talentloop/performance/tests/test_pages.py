"""The performance pages: explained scores, the observations behind them, the three dashboards and
HR's configuration pages — content, access and query counts."""

from __future__ import annotations

import datetime as dt
import json
import re
from decimal import Decimal as D

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from talentloop.core import cache
from talentloop.core.access import actor_for
from talentloop.core.audit.models import AuditEntry
from talentloop.performance import periods as P
from talentloop.performance.models import (
    Aggregation,
    Direction,
    FinalRating,
    Observation,
    PeriodState,
    Score,
    Scorecard,
    ScorecardVersion,
)
from talentloop.performance.services.config import metric_save, period_set_closed, scorecard_save
from talentloop.performance.services.observations import observations_ingest
from talentloop.performance.services.scores import recompute_period
from talentloop.testing.commits import commit_callbacks
from talentloop.testing.factories import EmployeeFactory

pytestmark = pytest.mark.django_db

WEB_BASE = 6  # session, user, actor: employee + roles + has-reports; the unread-notifications count of the bell
MARCH = P.parse("2026-03")
FEBRUARY = P.parse("2026-02")


def at(day: int, month: int = 3, year: int = 2026, hour: int = 10) -> str:
    return dt.datetime(year, month, day, hour, 0, tzinfo=dt.UTC).isoformat()


def obs(emp, metric, value, day, ext, source="git", month=3):
    return {"employee_id": emp.pk, "metric": metric, "value": value, "occurred_at": at(day, month), "source": source,
            "external_id": ext}


def build_config(world):
    """The software-engineer scorecard of the product examples, with four dimensions."""
    hr = actor_for(world.hr)
    m = {}
    m["tasks"] = metric_save(actor=hr, data={"key": "tasks-done", "name": "完成任务", "name_en": "Tasks done",
                                             "aggregation": Aggregation.COUNT, "unit": "件"})
    m["bugs"] = metric_save(actor=hr, data={"key": "bugs", "name": "缺陷", "aggregation": Aggregation.SUM,
                                            "direction": Direction.LOWER})
    m["lines"] = metric_save(actor=hr, data={"key": "lines", "name": "代码行", "aggregation": Aggregation.SUM})
    m["bug-rate"] = metric_save(actor=hr, data={"key": "bug-rate", "name": "千行缺陷率",
                                                "name_en": "Bugs per 1,000 lines", "aggregation": Aggregation.RATIO,
                                                "numerator": m["bugs"], "denominator": m["lines"],
                                                "ratio_scale": D(1000),
                                                "direction": Direction.LOWER})
    m["csat"] = metric_save(actor=hr, data={"key": "csat", "name": "满意度", "name_en": "Satisfaction",
                                            "aggregation": Aggregation.AVG})
    version = scorecard_save(
        actor=hr, name="软件工程师", name_en="Software engineer", job_family=world.engineering,
        valid_from=dt.date(2026, 1, 1),
        dimensions=[
            {"key": "quality", "name": "代码质量", "name_en": "Code quality", "weight": 30,
             "metrics": [{"metric": m["bug-rate"], "weight": 100, "target": 2}]},
            {"key": "delivery", "name": "项目交付", "name_en": "Delivery", "weight": 25,
             "metrics": [{"metric": m["tasks"], "weight": 100, "target": 10}]},
            {"key": "teamwork", "name": "团队协作", "name_en": "Teamwork", "weight": 20, "ratings_weight": 100,
             "manager_weight": 60, "peer_weight": 40},
            {"key": "customer", "name": "客户反馈", "name_en": "Customer feedback", "weight": 25,
             "metrics": [{"metric": m["csat"], "weight": 100, "target": 4}]},
        ])
    return hr, m, version


def march_facts(hr, emp, tasks: int = 12):
    """12 tasks (count, target 10 → 120), bug rate 3 × 1000 / 1500 = 2 (target 2 → 100), csat 4.5 (→ 112.5);
    teamwork has no rating (missing, its 20 spread over the others)."""
    items = [obs(emp, "tasks-done", 1, d, f"t{emp.pk}-{d}") for d in range(1, tasks + 1)]
    items += [obs(emp, "bugs", 3, 5, f"b{emp.pk}"), obs(emp, "lines", 1000, 5, f"l{emp.pk}-1"),
              obs(emp, "lines", 500, 6, f"l{emp.pk}-2")]
    items += [obs(emp, "csat", 5, 7, f"c{emp.pk}-1", "crm"), obs(emp, "csat", 4, 8, f"c{emp.pk}-2", "crm")]
    observations_ingest(actor=hr, items=items)


@pytest.fixture
def config(world):
    return build_config(world)


@pytest.fixture
def scored(world, config):
    hr, _m, _v = config
    emp = world.emp(world.employee)
    march_facts(hr, emp)
    recompute_period(MARCH, [emp.pk])
    return emp


def _text(response) -> str:
    return re.sub(r"\s+", " ", response.content.decode())


# ---------------------------------------------------------------- the explained score


def test_score_page_explains_every_part(world, client_for, scored):
    # quality 100 × 30, delivery 120 × 25, customer 112.5 × 25; teamwork (20) missing:
    # total = (3000 + 3000 + 2812.5) / 80 = 110.15625 → 110.16; rating = 1 + 4 × 70.16 / 80 = 4.508 → 4.5
    response = client_for("employee").get(f"/performance/scores/{scored.pk}/", {"period": "2026-03"})
    assert response.status_code == 200
    score = response.context["score"]
    assert score["total"] == D("110.16") and score["rating"] == D("4.5")
    text = _text(response)
    assert 'data-testid="score-total">110.16<' in text
    assert "My score" in text
    dims = {d["key"]: d for d in score["dimensions"]}
    assert dims["teamwork"]["missing"] and dims["teamwork"]["effective_weight"] == 0
    # The missing 20 spread in proportion: 30 × 100 / 80 = 37.5, 25 × 100 / 80 = 31.25
    assert dims["quality"]["effective_weight"] == D("37.5")
    assert dims["delivery"]["effective_weight"] == D("31.25")
    delivery = dims["delivery"]["metrics"][0]
    assert (delivery["actual"], delivery["target"], delivery["score"], delivery["observation_count"]) == (
        D(12), D(10), D(120), 12)
    assert "100 × actual ÷ target = 100 × 12 ÷ 10" in delivery["how"]
    quality = dims["quality"]["metrics"][0]
    assert quality["observation_count"] == 3 and "100 × target ÷ actual" in quality["how"]
    # The explanation, in plain words.
    why = " ".join(score["explanation"])
    assert "The total 110.16 is the weighted mean of 3 dimension scores" in why
    assert "“Teamwork” has no data this period, so its weight of 20% was spread" in why
    assert "“Tasks done” is capped at 120: 12 against a target of 10." in why
    assert "No final rating has been decided" in why
    assert 'data-testid="computed-vs-final"' in text
    assert "Partial period" not in text


def test_score_page_names_things_in_the_readers_language(world, client_for, scored):
    client = client_for("employee")
    client.cookies["django_language"] = "zh-hans"
    response = client.get(f"/performance/scores/{scored.pk}/?period=2026-03", HTTP_ACCEPT_LANGUAGE="zh-hans")
    score = response.context["score"]
    assert score["scorecard"] == "软件工程师"
    assert [d["name"] for d in score["dimensions"]] == ["代码质量", "项目交付", "团队协作", "客户反馈"]
    assert score["dimensions"][1]["metrics"][0]["name"] == "完成任务"
    response = client_for("employee").get(f"/performance/scores/{scored.pk}/?period=2026-03",
                                          HTTP_ACCEPT_LANGUAGE="en")
    assert [d["name"] for d in response.context["score"]["dimensions"]][0] == "Code quality"


def test_score_page_shows_final_rating_partial_and_closed(world, client_for, config, scored):
    hr, _m, _v = config
    FinalRating.objects.create(employee=scored, period_key="2026-03", rating=D("4.0"), decided_by=world.hr)
    newcomer = EmployeeFactory(org_unit=world.platform, job_family=world.engineering, hire_date=dt.date(2026, 3, 17),
                               manager=world.emp(world.lead))
    march_facts(hr, newcomer, tasks=3)
    recompute_period(MARCH, [newcomer.pk])
    period_set_closed(actor=hr, key="2026-03", closed=True)
    response = client_for("employee").get(f"/performance/scores/{scored.pk}/?period=2026-03")
    text = _text(response)
    assert 'data-testid="score-rating">4.0' in text
    assert "the final rating is 4.0 (the computation suggested 4.5)" in text
    assert 'data-testid="badge-closed"' in text
    assert "The period is closed" in text
    # The newcomer joined on the 17th: 15 of 31 days, so the count target is 10 × 15/31 = 4.84 → partial.
    response = client_for("manager").get(f"/performance/scores/{newcomer.pk}/?period=2026-03")
    assert response.status_code == 200
    score = response.context["score"]
    assert score["partial"] is True
    assert 'data-testid="badge-partial"' in _text(response)
    assert "counted 15 of the 31 days of 2026-03" in " ".join(score["explanation"])
    delivery = next(d for d in score["dimensions"] if d["key"] == "delivery")["metrics"][0]
    assert delivery["target"] == D("4.84")


@pytest.mark.parametrize("period", ["2026-Q1", "2026"])
def test_score_page_quarter_and_year(world, client_for, scored, period):
    response = client_for("hr").get(f"/performance/scores/{scored.pk}/", {"period": period})
    assert response.status_code == 200
    assert response.context["period"].key == period
    # A quarter's count target is 3 × 10, a year's 12 × 10 (before pro-rating).
    delivery = next(d for d in response.context["score"]["dimensions"] if d["key"] == "delivery")["metrics"][0]
    assert delivery["target"] == (D(30) if period.endswith("Q1") else D(120))
    assert delivery["actual"] == D(12)


def test_score_page_without_scorecard_says_so(world, client_for, config):
    response = client_for("outsider").get(f"/performance/scores/{world.emp(world.outsider).pk}/")
    assert response.status_code == 200
    assert "No scorecard applies to Outsider" in " ".join(response.context["score"]["explanation"])


@pytest.mark.parametrize(("persona", "status"), [("employee", 200), ("lead", 200), ("manager", 200), ("hr", 200),
                                                 ("admin", 200), ("mentor", 404), ("outsider", 404)])
def test_score_page_access(world, client_for, scored, persona, status):
    assert client_for(persona).get(f"/performance/scores/{scored.pk}/?period=2026-03").status_code == status
    url = f"/performance/scores/{scored.pk}/observations/?period=2026-03&metric=tasks-done"
    assert client_for(persona).get(url).status_code == status


def test_my_score_redirects_to_own_page(world, client_for):
    response = client_for("employee").get("/performance/scores/me/?period=2026-03")
    assert response.status_code == 302
    assert response["Location"] == f"/performance/scores/{world.emp(world.employee).pk}/?period=2026-03"
    assert client_for("admin").get("/performance/scores/me/").status_code == 404


def test_bad_period_falls_back_to_this_month(world, client_for, scored):
    response = client_for("employee").get(f"/performance/scores/{scored.pk}/?period=2026-13")
    assert response.status_code == 200
    assert response.context["period"] == P.containing(timezone.localdate())


# ---------------------------------------------------------------- the observations behind a score


def test_observations_drill_down_newest_first_with_flags(world, client_for, config, scored, monkeypatch):
    hr, _m, _v = config
    # A correction of task 12 (value 1 → 2) and, after March closes, a late task.
    observations_ingest(actor=hr, items=[obs(scored, "tasks-done", 2, 12, f"t{scored.pk}-12")])
    period_set_closed(actor=hr, key="2026-03", closed=True)
    observations_ingest(actor=hr, items=[obs(scored, "tasks-done", 1, 20, "late-1")])
    client = client_for("employee")
    url = f"/performance/scores/{scored.pk}/observations/"
    response = client.get(url, {"period": "2026-03", "metric": "tasks-done"}, HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    text = _text(response)
    assert "<html" not in text  # the partial only
    assert response.context_data["count"] == 13  # 11 original + 1 correction + 1 late; the replaced one hidden
    items = response.context_data["items"]
    assert [o.occurred_at.day for o in items[:3]] == [20, 12, 11]  # newest first
    assert items[0].after_close and items[1].supersedes_id is not None
    assert "after close" in text and "correction" in text
    # With the replaced value shown there is one row more, marked replaced.
    response = client.get(url, {"period": "2026-03", "metric": "tasks-done", "replaced": "on"}, HTTP_HX_REQUEST="true")
    assert response.context_data["count"] == 14
    assert "replaced" in _text(response)
    # A ratio shows the observations of both of its parts.
    response = client.get(url, {"period": "2026-03", "metric": "bug-rate"})
    assert response.context_data["count"] == 3
    assert "<html" in response.content.decode()  # without htmx, the whole page
    # Paginated: 13 observations, 5 a page → 3 pages, the last holds 3.
    monkeypatch.setattr("talentloop.performance.selectors_dashboards.OBSERVATIONS_PAGE", 5)
    response = client.get(url, {"period": "2026-03", "metric": "tasks-done", "page": 3})
    assert (response.context["page"], response.context["pages"], len(response.context_data["items"])) == (3, 3, 3)


def test_observations_of_someone_else_are_404(world, client_for, config, scored):
    outsider = world.emp(world.outsider)
    url = f"/performance/scores/{outsider.pk}/observations/?period=2026-03"
    assert client_for("employee").get(url).status_code == 404
    assert client_for("hr").get(url).status_code == 200


# ---------------------------------------------------------------- dashboards


def test_my_dashboard_shows_trend_and_metrics_with_charts(world, client_for, config):
    hr, _m, _v = config
    emp = world.emp(world.employee)
    today = timezone.localdate()
    this_month = P.containing(today)
    last_month = this_month.previous()
    items = [{"employee_id": emp.pk, "metric": "tasks-done", "value": 1, "source": "git", "external_id": f"m{d}",
              "occurred_at": dt.datetime.combine(last_month.start + dt.timedelta(days=d), dt.time(10),
                                                 tzinfo=dt.UTC).isoformat()} for d in range(5)]
    observations_ingest(actor=hr, items=items)
    recompute_period(last_month, [emp.pk])
    FinalRating.objects.create(employee=emp, period_key=last_month.key, rating=D("3.5"), decided_by=world.hr)
    response = client_for("employee").get("/performance/")
    assert response.status_code == 200
    trend = response.context["trend"]
    assert len(trend) == 12 and trend[-1]["period"] == this_month.key and trend[-1]["current"]
    assert trend[-2]["period"] == last_month.key and trend[-2]["total"] is not None
    assert trend[-2]["final_rating"] == D("3.5")
    html = response.content.decode()
    # ECharts and the chart script load on this page, deferred; options travel as JSON, no inline script.
    assert re.search(r'<script src="/static/vendor/echarts/echarts-5\.\d+\.\d+\.min\.js" defer>', html)
    assert '<script src="/static/js/charts.js" defer>' in html
    options = json.loads(re.search(r'<script id="chart-trend" type="application/json">(.*?)</script>', html,
                                   re.S).group(1))
    assert options["xAxis"]["data"][-1] == this_month.key
    assert options["series"][0]["data"][-2] is not None
    assert options["series"][-1]["name"] == "Final rating" and options["series"][-1]["data"][-2] == 3.5
    assert re.findall(r"<script(?![^>]*(?:src=|application/json))[^>]*>", html) == []
    assert 'data-chart="chart-metrics"' in html


def test_my_dashboard_shows_recent_feedback_managers_first(world, client_for, config):
    from talentloop.performance.models import Feedback

    emp = world.emp(world.employee)
    Feedback.objects.create(giver=world.emp(world.mentor), recipient=emp, kind="praise", text="好样的")
    Feedback.objects.create(giver=world.emp(world.lead), recipient=emp, kind="suggestion", text="多写测试")
    Feedback.objects.create(giver=world.emp(world.lead), recipient=emp, kind="praise", text="仅经理可见",
                            visibility="manager")
    response = client_for("employee").get("/performance/")
    feedback = response.context["feedback"]
    assert [f.text for f in feedback] == ["多写测试", "好样的"]  # the manager's first; private notes not shown
    assert "your manager" in response.content.decode()


def test_pages_without_charts_do_not_load_echarts(world, client_for, scored):
    for url in (f"/performance/scores/{scored.pk}/?period=2026-03", "/performance/metrics/",
                "/performance/scorecards/", "/performance/periods/", "/performance/observations/upload/"):
        persona = "hr"
        html = client_for(persona).get(url).content.decode()
        assert "echarts" not in html, url


def team_of(world, config, size: int):
    """``size`` people below lead with March and February scores: person i does 6 + i tasks in March
    and 12 - i in February."""
    hr, _m, _v = config
    lead = world.emp(world.lead)
    people = [EmployeeFactory(org_unit=world.platform, job_family=world.engineering, manager=lead,
                              hire_date=dt.date(2020, 1, 1)) for _i in range(size)]
    items = []
    for i, person in enumerate(people):
        items += [obs(person, "tasks-done", 1, d, f"mar-{person.pk}-{d}") for d in range(1, 7 + i)]
        items += [obs(person, "tasks-done", 1, d, f"feb-{person.pk}-{d}", month=2) for d in range(1, 13 - i)]
    for start in range(0, len(items), 5000):
        observations_ingest(actor=hr, items=items[start:start + 5000])
    recompute_period(MARCH)
    recompute_period(FEBRUARY)
    return people


def test_team_dashboard_distribution_and_movers(world, client_for, config):
    people = team_of(world, config, 4)
    # Only delivery has data, so the total is the tasks score: March 60, 70, 80, 90; February 120, 110, 100, 90.
    response = client_for("manager").get("/performance/team/?period=2026-03")
    assert response.status_code == 200
    view = response.context["view"]
    # manager's tree: lead, mentor, employee (no facts: no total) and the 4 newcomers
    assert view.people == 7 and view.scored == 4
    # ratings: 60 → 2.0, 70 → 2.5 → band 3, 80 → 3.0, 90 → 3.5 → band 4
    assert view.distribution == {1: 0, 2: 1, 3: 2, 4: 1, 5: 0}
    assert [m.id for m in view.declining] == [people[0].pk, people[1].pk, people[2].pk]
    assert [m.change for m in view.declining] == [D(-60), D(-40), D(-20)]
    assert view.improving == [] and view.steady == 1
    assert view.average == D(75) and view.average_previous == D(105)
    assert dict(view.trend)["2026-03"] == D(75)
    html = response.content.decode()
    assert 'data-chart="chart-distribution"' in html and "echarts" in html
    # A final rating counts instead of the computed one.
    FinalRating.objects.create(employee=people[0], period_key="2026-03", rating=D("5"), decided_by=world.hr)
    view = client_for("manager").get("/performance/team/?period=2026-03").context["view"]
    assert view.distribution == {1: 0, 2: 0, 3: 2, 4: 1, 5: 1}
    # lead sees the same people below them (everyone but lead and mentor)
    view = client_for("lead").get("/performance/team/?period=2026-03").context["view"]
    assert view.people == 5


@pytest.mark.parametrize(("persona", "status"), [("employee", 404), ("mentor", 404), ("outsider", 404),
                                                 ("manager", 200), ("lead", 200), ("hr", 404), ("admin", 404)])
def test_team_dashboard_access(world, client_for, config, persona, status):
    assert client_for(persona).get("/performance/team/").status_code == status


def test_team_dashboard_of_another_manager(world, client_for, config):
    lead = world.emp(world.lead)
    assert client_for("manager").get(f"/performance/team/?manager={lead.pk}").status_code == 200
    assert client_for("hr").get(f"/performance/team/?manager={lead.pk}").status_code == 200
    assert client_for("employee").get(f"/performance/team/?manager={lead.pk}").status_code == 404
    assert client_for("outsider").get(f"/performance/team/?manager={lead.pk}").status_code == 404


def test_org_dashboard_attainment_per_unit_and_metric(world, client_for, config):
    hr, _m, _v = config
    people = team_of(world, config, 4)
    # A salesperson on the engineering card, with 10 tasks (total 100) in March.
    seller = EmployeeFactory(org_unit=world.sales, job_family=world.engineering, hire_date=dt.date(2020, 1, 1))
    observations_ingest(actor=hr, items=[obs(seller, "tasks-done", 1, d, f"s{d}") for d in range(1, 11)])
    recompute_period(MARCH, [seller.pk])
    response = client_for("hr").get("/performance/organisation/", {"to": "2026-03"})
    assert response.status_code == 200
    view = response.context["view"]
    assert view.parent == world.company
    assert [u.code for u in view.units] == ["rnd", "sales", "people"]  # in path (creation) order
    # March totals: platform 60, 70, 80, 90 (none ≥ 100); sales 100 → 1 of 5 overall, 0 of 4 in R&D, 1 of 1 in sales
    assert view.by_unit[0]["2026-03"] == (1, 5)
    assert view.by_unit[world.rnd.pk]["2026-03"] == (0, 4)
    assert view.by_unit[world.sales.pk]["2026-03"] == (1, 1)
    # February: 120, 110, 100, 90 → 3 of 4
    assert view.by_unit[world.rnd.pk]["2026-02"] == (3, 4)
    assert view.by_metric["tasks-done"]["2026-03"] == (1, 5)
    assert view.by_metric["tasks-done"]["2026-02"] == (3, 4)
    assert response.context["overall"] == D("20.0")
    # A lower threshold of 80: March 80, 90 and 100 attain → 3 of 5
    view = client_for("hr").get("/performance/organisation/", {"to": "2026-03", "threshold": "80"}).context["view"]
    assert view.by_unit[0]["2026-03"] == (3, 5)
    # Drilling into R&D compares its sub-units.
    response = client_for("hr").get("/performance/organisation/", {"to": "2026-03", "unit": world.rnd.pk})
    view = response.context["view"]
    assert [u.code for u in view.units] == ["platform"] and view.by_unit[world.platform.pk]["2026-03"] == (0, 4)
    assert view.by_unit[0]["2026-03"] == (0, 4)
    assert len(people) == 4


@pytest.mark.parametrize(("persona", "status"), [("employee", 404), ("manager", 404), ("mentor", 404),
                                                 ("hr", 200), ("admin", 200), ("outsider", 404)])
def test_org_dashboard_access(world, client_for, persona, status):
    assert client_for(persona).get("/performance/organisation/").status_code == status


def test_dashboard_for_admin_without_employee_goes_to_org_view(world, client_for):
    response = client_for("admin").get("/performance/")
    assert response.status_code == 302 and response["Location"] == "/performance/organisation/"


# ---------------------------------------------------------------- HR's configuration pages


def test_metric_create_and_edit(world, client_for, config):
    client = client_for("hr")
    response = client.post("/performance/metrics/new/", {
        "key": "reviews", "name": "代码评审", "name_en": "Reviews", "unit": "次", "direction": "higher",
        "aggregation": "count", "ratio_scale": "1", "scoring_rule": "attainment", "subject_kind": "employee",
        "is_active": "on"})
    assert response.status_code == 302, response.context["form"].errors
    response = client.get("/performance/metrics/")
    assert "reviews" in response.content.decode()
    # A ratio without its parts is refused with a clear error, and nothing changes.
    response = client.post("/performance/metrics/new/", {
        "key": "ratio-x", "name": "比率", "direction": "higher", "aggregation": "ratio", "ratio_scale": "1",
        "scoring_rule": "attainment", "subject_kind": "employee", "is_active": "on"})
    assert response.status_code == 200
    assert "A ratio names a numerator and a denominator metric." in _text(response)
    # Edit: switch "bugs" to "avg".
    bugs = config[1]["bugs"]
    response = client.post(f"/performance/metrics/{bugs.pk}/", {
        "key": "bugs", "name": "缺陷", "direction": "lower", "aggregation": "avg", "ratio_scale": "1",
        "scoring_rule": "attainment", "subject_kind": "employee", "is_active": "on"})
    assert response.status_code == 302
    bugs.refresh_from_db()
    assert bugs.aggregation == "avg"
    assert AuditEntry.objects.filter(entity_type="performance.metric", action="update").exists()


def _card_post(**overrides) -> dict:
    data = {"card-name": "工厂", "card-name_en": "Factory", "card-org_unit": "", "card-job_family": "",
            "card-valid_from": "2026-04", "card-note": "", "dims": "3",
            "d0-key": "output", "d0-name": "产出", "d0-weight": "60", "d0-ratings_weight": "0",
            "d0-manager_weight": "100", "d0-peer_weight": "0", "d0-self_weight": "0", "d0-count": "2",
            "d0-m0-metric": "", "d0-m0-weight": "100", "d0-m0-target": "10",
            "d0-m1-metric": "", "d0-m1-weight": "", "d0-m1-target": "",
            "d1-key": "teamwork", "d1-name": "团队", "d1-weight": "30", "d1-ratings_weight": "100",
            "d1-manager_weight": "50", "d1-peer_weight": "50", "d1-self_weight": "0", "d1-count": "1",
            "d1-m0-metric": "", "d1-m0-weight": "", "d1-m0-target": "",
            # a spare row left blank
            "d2-key": "", "d2-name": "", "d2-weight": "", "d2-ratings_weight": "0", "d2-manager_weight": "100",
            "d2-peer_weight": "0", "d2-self_weight": "0", "d2-count": "1",
            "d2-m0-metric": "", "d2-m0-weight": "", "d2-m0-target": ""}
    data.update(overrides)
    return data


def test_scorecard_editor_weights_must_add_up_to_100(world, client_for, config):
    tasks = config[1]["tasks"]
    client = client_for("hr")
    assert client.get("/performance/scorecards/new/").status_code == 200
    # 60 + 30 = 90: a clear error, nothing saved, the rows keep what was typed.
    response = client.post("/performance/scorecards/new/", _card_post(**{"d0-m0-metric": str(tasks.pk)}))
    assert response.status_code == 200
    text = _text(response)
    assert "The dimension weights add up to 90; they must add up to exactly 100." in text
    assert 'value="output"' in text
    assert not Scorecard.objects.filter(name="工厂").exists()
    # 70 + 30 = 100: saved from April 2026, redirected to the scorecard.
    response = client.post("/performance/scorecards/new/", _card_post(**{"d0-m0-metric": str(tasks.pk),
                                                                         "d0-weight": "70"}))
    assert response.status_code == 302
    card = Scorecard.objects.get(name="工厂")
    version = ScorecardVersion.objects.get(scorecard=card)
    assert version.valid_from == dt.date(2026, 4, 1)
    dims = list(version.dimensions.order_by("order"))
    assert [(d.key, d.weight) for d in dims] == [("output", D(70)), ("teamwork", D(30))]
    assert [(p.metric_id, p.target) for p in dims[0].metrics.all()] == [(tasks.pk, D(10))]
    assert (dims[1].manager_weight, dims[1].peer_weight) == (D(50), D(50))
    assert client.get(f"/performance/scorecards/{card.pk}/").status_code == 200


def test_scorecard_editor_metric_errors_land_on_their_row(world, client_for, config):
    client = client_for("hr")
    bugs = config[1]["bugs"]
    # A lower-is-better metric with target 0 needs a tolerance.
    response = client.post("/performance/scorecards/new/", _card_post(**{
        "d0-weight": "70", "d0-m0-metric": str(bugs.pk), "d0-m0-target": "0"}))
    assert response.status_code == 200
    editor = response.context["editor"]
    assert editor.rows[0][1][0].errors["tolerance"] == ["A lower-is-better metric with target 0 needs a tolerance."]


def test_scorecard_editor_add_rows(world, client_for, config):
    client = client_for("hr")
    response = client.post("/performance/scorecards/new/", _card_post(add="dimension"))
    assert response.status_code == 200
    editor = response.context["editor"]
    assert editor.dimension_count == 4 and len(editor.rows[3][1]) == 2
    assert editor.rows[0][0]["key"].value() == "output"
    assert not editor.errors  # adding a row does not validate
    response = client.post("/performance/scorecards/new/", _card_post(add="metric-1"))
    assert len(response.context["editor"].rows[1][1]) == 2


def test_new_version_starts_from_the_latest_and_applies_from_the_chosen_month(world, client_for, config):
    _hr, m, version = config
    card = version.scorecard
    client = client_for("hr")
    response = client.get(f"/performance/scorecards/{card.pk}/versions/new/")
    editor = response.context["editor"]
    assert [d.initial["key"] for d, _f in editor.rows] == ["quality", "delivery", "teamwork", "customer"]
    data = {"card-name": card.name, "card-name_en": card.name_en, "card-valid_from": "2026-06", "card-note": "更重交付",
            "dims": "2",
            "d0-key": "delivery", "d0-name": "项目交付", "d0-weight": "100", "d0-count": "1",
            "d0-m0-metric": str(m["tasks"].pk), "d0-m0-weight": "100", "d0-m0-target": "12",
            "d1-key": "", "d1-name": "", "d1-weight": "", "d1-count": "0"}
    response = client.post(f"/performance/scorecards/{card.pk}/versions/new/", data)
    assert response.status_code == 302
    versions = list(ScorecardVersion.objects.filter(scorecard=card).order_by("valid_from"))
    assert [v.valid_from for v in versions] == [dt.date(2026, 1, 1), dt.date(2026, 6, 1)]
    assert versions[1].note == "更重交付"


def test_periods_page_close_reopen_and_rebuild(world, client_for, scored, django_capture_on_commit_callbacks):
    client = client_for("hr")
    response = client.get("/performance/periods/")
    assert response.status_code == 200
    keys = [r.period.key for r in response.context["rows"]]
    assert P.containing(timezone.localdate()).key in keys
    assert client.post("/performance/periods/close/", {"period": "2026-03"}).status_code == 302
    assert PeriodState.objects.get(key="2026-03").closed
    assert AuditEntry.objects.filter(entity_type="performance.period", entity_id="2026-03").count() == 1
    # Rebuilding a closed period leaves its scores alone and says so.
    Score.objects.filter(employee=scored, period_key="2026-03").update(total=D(1))
    response = client.post("/performance/periods/rebuild/", {"period": "2026-03"}, follow=True)
    assert "is closed, so its scores stay as they are" in _text(response)
    assert Score.objects.get(employee=scored, period_key="2026-03").total == D(1)
    # Reopened (audited), the rebuild runs (immediately in the tests) and restores the computed total.
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post("/performance/periods/reopen/", {"period": "2026-03"}).status_code == 302
    assert not PeriodState.objects.get(key="2026-03").closed
    Score.objects.filter(employee=scored, period_key="2026-03").update(total=D(1))
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/performance/periods/rebuild/", {"period": "2026-03"}, follow=True)
    assert "are being rebuilt" in _text(response)
    assert Score.objects.get(employee=scored, period_key="2026-03").total == D("110.16")
    # closed, rebuild asked (while closed), reopened, rebuild asked
    assert AuditEntry.objects.filter(entity_type="performance.period", entity_id="2026-03").count() == 4
    assert client.post("/performance/periods/rebuild/", {"period": "nope"}).status_code == 404


@pytest.mark.parametrize("persona", ["employee", "manager", "mentor", "admin", "outsider"])
def test_configuration_pages_are_hr_only(world, client_for, config, persona):
    card = config[2].scorecard
    client = client_for(persona)
    for url in ("/performance/metrics/", "/performance/metrics/new/", "/performance/scorecards/",
                "/performance/scorecards/new/", f"/performance/scorecards/{card.pk}/", "/performance/periods/"):
        assert client.get(url).status_code == 404, url
    assert client.post("/performance/periods/close/", {"period": "2026-03"}).status_code == 404
    assert client.post("/performance/periods/rebuild/", {"period": "2026-03"}).status_code == 404
    assert not PeriodState.objects.exists()


# ---------------------------------------------------------------- query counts at two sizes


def _count(client, url, params=None) -> tuple[int, object]:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url, params or {})
    assert response.status_code == 200, (url, response.status_code)
    return len(queries), response


@pytest.mark.parametrize("size", [3, 20])
def test_query_counts_of_team_and_org_dashboards(world, client_for, config, size):
    team_of(world, config, size)
    # team: the people with both totals and the final rating (one query with subqueries), the trend and
    # the open alerts count = 3
    n, response = _count(client_for("manager"), "/performance/team/", {"period": "2026-03"})
    assert n == WEB_BASE + 3
    assert response.context["view"].people == 3 + size
    # org: the units, the attainment per unit and month, the metric attainment (JSON unnested in SQL),
    # the metric names, and the filter form's unit options = 5
    n, response = _count(client_for("hr"), "/performance/organisation/", {"to": "2026-03"})
    assert n == WEB_BASE + 5
    assert response.context["view"].by_unit[0]["2026-03"][1] == size


@pytest.mark.parametrize("size", [3, 20])
def test_query_counts_of_own_dashboard_and_score_page(world, client_for, config, size):
    hr = config[0]
    emp = world.emp(world.employee)
    month = P.containing(timezone.localdate())
    items = [{"employee_id": emp.pk, "metric": "tasks-done", "value": 1, "source": "git", "external_id": f"x{i}",
              "occurred_at": dt.datetime.combine(month.start, dt.time(1), tzinfo=dt.UTC).isoformat()}
             for i in range(size)]
    observations_ingest(actor=hr, items=items)
    recompute_period(month, [emp.pk])
    # The configuration that names things (the metrics, the scorecard's dimensions) is read once, then
    # kept (core.cache): the first page after a change reads it (2 more), the next ones do not. (The
    # test's own configuration writes are committed first, as they are between requests in production.)
    commit_callbacks()
    cache.reset()
    n, _response = _count(client_for("employee"), "/performance/")
    assert n == WEB_BASE + 4 + 2
    # own dashboard: the twelve months' scores (this month's with its explanation and the period's
    # state), the final ratings, the running review cycle check of the ratings part, and the recent
    # feedback = 4
    n, _response = _count(client_for("employee"), "/performance/")
    assert n == WEB_BASE + 4
    # score page: the person, the score with the period's state, the final rating and the review cycle
    # check = 4
    n, _response = _count(client_for("employee"), f"/performance/scores/{emp.pk}/")
    assert n == WEB_BASE + 4
    # read by HR (through the reader's scope): the same
    n, _response = _count(client_for("hr"), f"/performance/scores/{emp.pk}/")
    assert n == WEB_BASE + 4
    # observations: the person, the metric, the count and one page = 4
    n, response = _count(client_for("employee"), f"/performance/scores/{emp.pk}/observations/",
                         {"period": month.key, "metric": "tasks-done"})
    assert n == WEB_BASE + 4
    assert response.context["count"] == size


@pytest.mark.parametrize("size", [2, 12])
def test_query_counts_of_configuration_lists(world, client_for, config, size):
    hr = config[0]
    for i in range(size):
        metric_save(actor=hr, data={"key": f"extra-{i}", "name": f"指标{i}"})
    client = client_for("hr")
    n, response = _count(client, "/performance/metrics/")
    assert n == WEB_BASE + 1  # one query, numerator and denominator joined
    assert len(response.context["metrics"]) == 5 + size
    n, _response = _count(client, "/performance/scorecards/")
    assert n == WEB_BASE + 1
    n, _response = _count(client, "/performance/periods/")
    assert n == WEB_BASE + 3  # the period states, the score counts and the score errors
    # the editor for a new version: the scorecard, its versions, dimensions and parts (4), the metric
    # choices (1), whatever the number of rows
    n, _response = _count(client, f"/performance/scorecards/{config[2].scorecard_id}/versions/new/")
    assert n == WEB_BASE + 5
    assert Observation.objects.count() == 0
