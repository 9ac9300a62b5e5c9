"""The employee's own dashboard ("my score") and the explained score page: what they read once per page
(the months' scores in one query, the final ratings in another, the configuration that names things
from the shared cache), that a person's figures stay live, and that the reads they reuse give the same
answers as reading each piece on its own."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal as D

import pytest
import time_machine
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone, translation

from talentloop.core import cache
from talentloop.core.access import actor_for
from talentloop.performance import access, selectors, selectors_dashboards
from talentloop.performance import periods as P
from talentloop.performance.models import Feedback, FinalRating, Metric, Score
from talentloop.performance.services.config import metric_save, period_set_closed
from talentloop.performance.services.observations import observations_ingest
from talentloop.performance.services.scores import recompute_period
from talentloop.performance.tests.test_pages import MARCH, WEB_BASE, build_config, march_facts
from talentloop.testing.commits import commit_callbacks

pytestmark = pytest.mark.django_db

# "This month" is the month of this moment, whatever day the suite runs (the clock keeps ticking).
NOW = dt.datetime(2026, 6, 16, 4, 0, tzinfo=dt.UTC)


@pytest.fixture(autouse=True)
def _fixed_day():
    with time_machine.travel(NOW, tick=True):
        yield


@pytest.fixture
def config(world):
    return build_config(world)


def this_month() -> P.Period:
    return P.containing(timezone.localdate())


def tasks(hr, emp, period: P.Period, count: int, tag: str = "t") -> None:
    """``count`` tasks done by ``emp`` on the first day of ``period`` (not scored yet)."""
    observations_ingest(actor=hr, items=[
        {"employee_id": emp.pk, "metric": "tasks-done", "value": 1, "source": "git",
         "external_id": f"{tag}{emp.pk}-{i}",
         "occurred_at": dt.datetime.combine(period.start, dt.time(1), tzinfo=dt.UTC).isoformat()}
        for i in range(count)])


def kept_client(user) -> Client:
    """A signed-in client once the test's configuration writes are committed, so what is kept in the
    shared cache (core.cache) is kept between its requests, as in production."""
    commit_callbacks()
    cache.reset()
    client = Client()
    client.force_login(user)
    return client


def count(client: Client, url: str) -> tuple[int, object]:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    return len(queries), response


# ---------------------------------------------------------------- whose scores a page reads


@pytest.mark.parametrize("persona", ["employee", "lead", "manager", "mentor", "hr", "outsider"])
def test_a_persons_own_scores_are_those_their_scope_gives(world, persona):
    """``selectors.person_scores`` reads a person's own scores without the scope subquery: the scope
    (``access.visible_scores``) always holds them, for every kind of reader."""
    me = world.emp(getattr(world, persona))
    actor = actor_for(getattr(world, persona))
    for emp in (me, world.emp(world.outsider), world.emp(world.employee)):
        Score.objects.get_or_create(employee=emp, period_key="2026-03",
                                    defaults={"period_start": MARCH.start, "computed_at": timezone.now()})
    own = set(selectors.person_scores(actor, me).values_list("pk", flat=True))
    assert own and own == set(access.visible_scores(actor).filter(employee=me).values_list("pk", flat=True))


def test_someone_elses_scores_go_through_the_readers_scope(world):
    outsider, employee = world.emp(world.outsider), world.emp(world.employee)
    for emp in (outsider, employee):
        Score.objects.create(employee=emp, period_key="2026-03", period_start=MARCH.start, computed_at=timezone.now())
    assert not selectors.person_scores(actor_for(world.employee), outsider).exists()
    assert not selectors.person_scores(actor_for(world.mentor), employee).exists()  # no active plan with them
    assert selectors.person_scores(actor_for(world.lead), employee).count() == 1
    assert selectors.person_scores(actor_for(world.hr), outsider).count() == 1


# ---------------------------------------------------------------- the months in one query


def test_score_rows_explain_only_the_month_asked_and_carry_the_periods_state(world, config):
    hr, _m, _v = config
    emp = world.emp(world.employee)
    months = [P.parse("2026-01"), P.parse("2026-02"), MARCH]
    for month in months:
        tasks(hr, emp, month, 5, tag=month.key)
        recompute_period(month, [emp.pk])
    period_set_closed(actor=hr, key="2026-01", closed=True)
    actor = actor_for(world.employee)
    with CaptureQueriesContext(connection) as queries:
        rows = selectors.score_rows(selectors.person_scores(actor, emp), [m.key for m in months] + ["2025-12"],
                                    "2026-02")
    assert len(queries) == 1
    assert sorted(rows) == ["2026-01", "2026-02", "2026-03"]
    assert [rows[k]["closed"] for k in sorted(rows)] == [True, False, False]
    assert rows["2026-02"]["explained_detail"] == Score.objects.get(employee=emp, period_key="2026-02").detail
    assert rows["2026-01"]["explained_detail"] is None and rows["2026-03"]["explained_detail"] is None
    assert rows["2026-03"]["total"] == Score.objects.get(employee=emp, period_key="2026-03").total


@pytest.mark.parametrize("persona", ["employee", "lead", "hr", "admin"])
def test_score_get_from_what_the_page_read_is_the_score_read_alone(world, config, persona):
    hr, _m, _v = config
    emp = world.emp(world.employee)
    march_facts(hr, emp)
    recompute_period(MARCH, [emp.pk])
    FinalRating.objects.create(employee=emp, period_key="2026-03", rating=D("4.0"), decided_by=world.hr)
    period_set_closed(actor=hr, key="2026-03", closed=True)
    actor = actor_for(getattr(world, persona))
    alone = selectors.score_get(actor, emp, MARCH)
    keys = ["2026-02", "2026-03"]
    rows = selectors.score_rows(selectors.person_scores(actor, emp), keys, "2026-03")
    finals = dict(FinalRating.objects.filter(employee=emp, period_key__in=keys).values_list("period_key", "rating"))
    with CaptureQueriesContext(connection) as queries:
        reused = selectors.score_get(actor, emp, MARCH, rows=rows, finals=finals)
    assert reused == alone
    assert alone["status"] == "closed" and alone["total"] == D("110.16")
    assert alone["final_rating"] == (D("4.0") if persona != "admin" else None)
    assert len(queries) == 1  # only the review cycles the ratings part asks about


def test_score_get_computes_a_missing_month_on_demand_and_the_dashboard_shows_it(world, config):
    hr, _m, _v = config
    emp = world.emp(world.employee)
    month = this_month()
    tasks(hr, emp, month, 4)  # not scored yet
    assert not Score.objects.filter(employee=emp, period_key=month.key).exists()
    response = Client()
    response.force_login(world.employee)
    response = response.get("/performance/")
    score = Score.objects.get(employee=emp, period_key=month.key)
    assert response.context["score"]["total"] == score.total is not None
    assert response.context["trend"][-1]["total"] == score.total
    # A closed month without a score is not computed: it says so.
    period_set_closed(actor=hr, key="2025-11", closed=True)
    out = selectors.score_get(actor_for(world.employee), emp, P.parse("2025-11"))
    assert out["status"] == "closed" and out["total"] is None and out["dimensions"] == []
    assert not Score.objects.filter(employee=emp, period_key="2025-11").exists()


# ---------------------------------------------------------------- live figures, kept names


def test_the_dashboard_shows_a_new_score_at_once(world, config):
    hr, _m, _v = config
    emp = world.emp(world.employee)
    month = this_month()
    tasks(hr, emp, month, 2)
    recompute_period(month, [emp.pk])
    client = kept_client(world.employee)
    before = client.get("/performance/").context["score"]["total"]
    tasks(hr, emp, month, 6, tag="more")
    recompute_period(month, [emp.pk])
    FinalRating.objects.create(employee=emp, period_key=month.key, rating=D("3.0"), decided_by=world.hr)
    response = client.get("/performance/")
    assert response.context["score"]["total"] == Score.objects.get(employee=emp, period_key=month.key).total
    assert response.context["score"]["total"] > before
    assert response.context["trend"][-1]["final_rating"] == D("3.0")
    assert response.context["score"]["effective_rating"] == D("3.0")


def test_the_dashboard_names_metrics_and_dimensions_as_configured_now(world, config):
    hr, m, _v = config
    emp = world.emp(world.employee)
    month = this_month()
    tasks(hr, emp, month, 3)
    recompute_period(month, [emp.pk])
    client = kept_client(world.employee)
    response = client.get("/performance/", HTTP_ACCEPT_LANGUAGE="en")
    assert "Tasks done" in [x["name"] for x in response.context["metrics"]]
    metric_save(actor=actor_for(world.hr), metric=Metric.objects.get(key="tasks-done"),
                data={"name_en": "Tickets closed"})
    commit_callbacks()  # the change is committed: what was kept is built again
    response = client.get("/performance/", HTTP_ACCEPT_LANGUAGE="en")
    names = [x["name"] for x in response.context["metrics"]]
    assert "Tickets closed" in names and "Tasks done" not in names
    assert "Tickets closed" in response.content.decode()
    response = client.get("/performance/", HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert "完成任务" in [x["name"] for x in response.context["metrics"]]
    dims = [d["name"] for d in response.context["score"]["dimensions"]]
    assert dims == ["代码质量", "项目交付", "团队协作", "客户反馈"]
    assert response.context["score"]["scorecard"] == "软件工程师"


# ---------------------------------------------------------------- recent feedback


def test_recent_feedback_shows_what_the_person_may_see_their_managers_first(world, config):
    emp, lead, mentor = world.emp(world.employee), world.emp(world.lead), world.emp(world.mentor)
    Feedback.objects.create(giver=mentor, recipient=emp, kind="praise", text="first")
    Feedback.objects.create(giver=lead, recipient=emp, kind="suggestion", text="second")
    Feedback.objects.create(giver=lead, recipient=emp, kind="praise", text="private", visibility="manager")
    Feedback.objects.create(giver=emp, recipient=mentor, kind="praise", text="given")
    Feedback.objects.create(giver=mentor, recipient=emp, kind="praise", text="third")
    actor = actor_for(world.employee)
    lines = selectors_dashboards.recent_feedback(actor, emp)
    assert [f.text for f in lines] == ["second", "third", "first"]  # the three latest, the manager's first
    assert lines[0].giver_id == lead.pk and lines[0].giver_name == "Lead"
    assert str(lines[0].kind_label) == "Suggestion"
    with translation.override("zh-hans"):
        assert selectors_dashboards.recent_feedback(actor, emp)[0].giver_name == "lead-中文"
    html = Client()
    html.force_login(world.employee)
    text = html.get("/performance/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert ('<strong>Lead</strong> <span class="badge">your manager</span> <span class="badge warn">Suggestion</span>'
            in text)
    assert "private" not in text and "given" not in text
    assert selectors_dashboards.recent_feedback(actor_for(world.admin), emp) == []


# ---------------------------------------------------------------- the same queries at two sizes


def _history(world, hr, emp, months: int, feedback: int) -> None:
    current = this_month()
    tasks(hr, emp, current, 3)
    recompute_period(current, [emp.pk])
    detail = Score.objects.get(employee=emp, period_key=current.key).detail
    for period in selectors_dashboards.months_back(current.previous(), months):
        Score.objects.create(employee=emp, period_key=period.key, period_start=period.start, total=D(90),
                             rating=D("3.5"), detail=detail, computed_at=timezone.now())
        FinalRating.objects.create(employee=emp, period_key=period.key, rating=D(3), decided_by=world.hr)
    for i in range(feedback):
        Feedback.objects.create(giver=world.emp(world.lead), recipient=emp, text=f"note {i}")


@pytest.mark.parametrize("size", [(1, 1), (11, 6)])
def test_my_score_pages_cost_the_same_whatever_the_history(world, config, size):
    months, feedback = size
    hr = config[0]
    emp = world.emp(world.employee)
    _history(world, hr, emp, months, feedback)
    client = kept_client(world.employee)
    client.get("/performance/")  # builds what is kept
    n, response = count(client, "/performance/")
    # the months' scores (with this month's explanation and state), the final ratings, the review
    # cycle check of the ratings part, the recent feedback
    assert n == WEB_BASE + 4
    assert sum(1 for row in response.context["trend"] if row["total"] is not None) == months + 1
    assert len(response.context["feedback"]) == min(feedback, 3)
    # the score page: the person, their score with its state, the final rating, the review cycle check
    n, _response = count(client, f"/performance/scores/{emp.pk}/")
    assert n == WEB_BASE + 4
    n, _response = count(client, f"/performance/scores/{emp.pk}/?period={this_month().previous().key}")
    assert n == WEB_BASE + 4
