"""Recomputation from observations, with hand-worked numbers."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal as D

import pytest
from django.utils import timezone

from talentloop.core.access import actor_for
from talentloop.performance import periods as P
from talentloop.performance.models import Aggregation, Direction, QualitativeRating, Score
from talentloop.performance.services import scores
from talentloop.performance.services.config import metric_save, period_set_closed, scorecard_save
from talentloop.performance.services.observations import observations_ingest
from talentloop.performance.services.scores import recompute_period

pytestmark = pytest.mark.django_db

MARCH = P.parse("2026-03")


def at(day: int, month: int = 3, year: int = 2026) -> str:
    return dt.datetime(year, month, day, 10, 0, tzinfo=dt.UTC).isoformat()


@pytest.fixture
def setup(world):
    hr = actor_for(world.hr)
    m = {}
    m["tasks"] = metric_save(actor=hr, data={"key": "tasks-done", "name": "完成任务", "aggregation": Aggregation.COUNT})
    m["bugs"] = metric_save(actor=hr, data={"key": "bugs", "name": "缺陷", "aggregation": Aggregation.SUM,
                                            "direction": Direction.LOWER})
    m["lines"] = metric_save(actor=hr, data={"key": "lines", "name": "代码行", "aggregation": Aggregation.SUM})
    m["bug-rate"] = metric_save(actor=hr, data={"key": "bug-rate", "name": "千行缺陷率",
                                                "aggregation": Aggregation.RATIO, "numerator": m["bugs"],
                                                "denominator": m["lines"], "ratio_scale": D(1000),
                                                "direction": Direction.LOWER})
    m["csat"] = metric_save(actor=hr, data={"key": "csat", "name": "满意度", "aggregation": Aggregation.AVG})
    version = scorecard_save(
        actor=hr, name="软件工程师", job_family=world.engineering, valid_from=dt.date(2026, 1, 1),
        dimensions=[
            {"key": "quality", "name": "代码质量", "weight": 30,
             "metrics": [{"metric": m["bug-rate"], "weight": 100, "target": 2}]},
            {"key": "delivery", "name": "项目交付", "weight": 25,
             "metrics": [{"metric": m["tasks"], "weight": 100, "target": 10}]},
            {"key": "teamwork", "name": "团队协作", "weight": 20, "ratings_weight": 100,
             "manager_weight": 60, "peer_weight": 40},
            {"key": "customer", "name": "客户反馈", "weight": 25,
             "metrics": [{"metric": m["csat"], "weight": 100, "target": 4}]},
        ])
    return hr, m, version


def obs(emp, metric, value, day, ext, source="git"):
    return {"employee_id": emp.pk, "metric": metric, "value": value, "occurred_at": at(day), "source": source,
            "external_id": ext}


def test_full_month_score_worked_by_hand(world, setup):
    hr, _m, _v = setup
    emp = world.emp(world.employee)
    items = [obs(emp, "tasks-done", 1, d, f"t{d}") for d in range(1, 13)]  # 12 tasks
    items += [obs(emp, "bugs", 3, 5, "b1"), obs(emp, "lines", 1000, 5, "l1"), obs(emp, "lines", 500, 6, "l2")]
    items += [obs(emp, "csat", 5, 7, "c1", "crm"), obs(emp, "csat", 4, 8, "c2", "crm")]
    result = observations_ingest(actor=hr, items=items)
    assert (result.accepted, result.duplicates, result.corrections, result.rejected) == (17, 0, 0, [])
    QualitativeRating.objects.create(employee=emp, rater=world.emp(world.lead), rater_kind="manager",
                                     dimension_key="teamwork", rating=D("4.5"), covers_start=dt.date(2026, 1, 1),
                                     covers_end=dt.date(2026, 4, 1))
    recompute_period(MARCH, [emp.pk])
    score = Score.objects.get(employee=emp, period_key="2026-03")
    # quality: bug rate 3 × 1000 / 1500 = 2 per 1,000 lines, target 2, lower is better → 100
    # delivery: 12 tasks (count) vs target 10 → 120 (cap)
    # teamwork: only the manager rated 4.5 → 40 + 20 × 3.5 = 110 (peer missing, weight spread)
    # customer: average 4.5 vs 4 → 112.5
    # total = (100×30 + 120×25 + 110×20 + 112.5×25) / 100 = (3000 + 3000 + 2200 + 2812.5) / 100 = 110.125 → 110.13
    # rating = 1 + 4 × 70.13 / 80 = 4.5065 → 4.5
    assert score.total == D("110.13")
    assert score.rating == D("4.5")
    assert score.partial is False
    dims = {d["key"]: d for d in score.detail["dimensions"]}
    assert dims["quality"]["score"] == "100.00"
    assert dims["delivery"]["metrics"][0]["actual"] == "12.00"
    assert dims["delivery"]["metrics"][0]["observation_count"] == 12
    assert dims["teamwork"]["score"] == "110.00"


def test_missing_dimension_spreads_weight(world, setup):
    hr, _m, _v = setup
    emp = world.emp(world.employee)
    observations_ingest(actor=hr, items=[obs(emp, "tasks-done", 1, d, f"t{d}") for d in range(1, 9)])
    recompute_period(MARCH, [emp.pk])
    score = Score.objects.get(employee=emp, period_key="2026-03")
    # only delivery has data: 8 / 10 → 80; the total is 80 with delivery's effective weight 100
    assert score.total == D("80.00")
    assert score.rating == D("3.0")
    dims = {d["key"]: d for d in score.detail["dimensions"]}
    assert dims["delivery"]["effective_weight"] == "100.00"
    assert dims["quality"]["missing"] is True


def test_partial_period_prorates_count_target(world, setup):
    hr, _m, _v = setup
    emp = world.emp(world.employee)
    emp.hire_date = dt.date(2026, 3, 17)  # present 15 of 31 days
    emp.save()
    observations_ingest(actor=hr, items=[obs(emp, "tasks-done", 1, d, f"t{d}") for d in range(17, 22)])
    recompute_period(MARCH, [emp.pk])
    score = Score.objects.get(employee=emp, period_key="2026-03")
    # target 10 × 15 / 31 = 4.8387…; 5 tasks → 100 × 5 / 4.8387 = 103.33
    assert score.partial is True
    assert score.total == D("103.33")


def test_quarter_scales_sum_targets(world, setup):
    hr, _m, _v = setup
    emp = world.emp(world.employee)
    items = [obs(emp, "tasks-done", 1, d, f"t{month}-{d}") for month in (1, 2, 3) for d in range(1, 11)]
    for item, month in zip(items, [1] * 10 + [2] * 10 + [3] * 10, strict=True):
        item["occurred_at"] = at(int(item["external_id"].split("-")[1]), month)
    observations_ingest(actor=hr, items=items)
    recompute_period(P.parse("2026-Q1"), [emp.pk])
    # 30 tasks vs 10 × 3 = 30 → 100
    assert Score.objects.get(employee=emp, period_key="2026-Q1").total == D("100.00")


def test_duplicates_and_corrections(world, setup):
    hr, _m, _v = setup
    emp = world.emp(world.employee)
    first = observations_ingest(actor=hr, items=[obs(emp, "csat", 3, 5, "c1", "crm")])
    assert first.accepted == 1
    again = observations_ingest(actor=hr, items=[obs(emp, "csat", 3, 5, "c1", "crm")])
    assert (again.accepted, again.duplicates, again.corrections) == (0, 1, 0)
    # within one batch the later item corrects the earlier one
    fixed = observations_ingest(actor=hr, items=[obs(emp, "csat", 4, 5, "c1", "crm"),
                                                  obs(emp, "csat", 5, 5, "c1", "crm")])
    assert (fixed.accepted, fixed.duplicates, fixed.corrections) == (0, 0, 2)
    recompute_period(MARCH, [emp.pk])
    dims = {d["key"]: d for d in Score.objects.get(employee=emp, period_key="2026-03").detail["dimensions"]}
    assert dims["customer"]["metrics"][0]["actual"] == "5.00"  # only the current row counts
    from talentloop.performance.models import Observation

    assert Observation.objects.filter(source="crm", external_id="c1").count() == 3
    assert Observation.objects.filter(source="crm", external_id="c1", is_current=True).count() == 1


def test_bad_batch_rejected_whole_or_partly(world, setup):
    hr, _m, _v = setup
    emp = world.emp(world.employee)
    from talentloop.core.errors import InvalidInput
    from talentloop.performance.models import Observation

    items = [obs(emp, "csat", 3, 5, "ok1", "crm"), {**obs(emp, "nope", 3, 5, "bad", "crm")},
             {**obs(emp, "csat", "x", 5, "bad2", "crm")}]
    with pytest.raises(InvalidInput) as exc:
        observations_ingest(actor=hr, items=items)
    assert [r["index"] for r in exc.value.extra["rejected"]] == [1, 2]
    assert Observation.objects.count() == 0
    result = observations_ingest(actor=hr, items=items, partial=True)
    assert result.accepted == 1 and [r["index"] for r in result.rejected] == [1, 2]


def test_closed_period_is_left_alone_and_late_facts_flagged(world, setup):
    hr, _m, _v = setup
    emp = world.emp(world.employee)
    observations_ingest(actor=hr, items=[obs(emp, "tasks-done", 1, 2, "t1")])
    recompute_period(MARCH, [emp.pk])
    before = Score.objects.get(employee=emp, period_key="2026-03").total
    period_set_closed(actor=hr, key="2026-03", closed=True)
    late = observations_ingest(actor=hr, items=[obs(emp, "tasks-done", 1, 3, "t2")])
    from talentloop.performance.models import Observation

    assert Observation.objects.get(external_id="t2").after_close is True
    assert late.accepted == 1
    assert recompute_period(MARCH, [emp.pk]).skipped_closed
    assert Score.objects.get(employee=emp, period_key="2026-03").total == before
    assert timezone.now()


def test_period_ratings_prefer_the_final_rating(world, setup):
    from talentloop.performance.models import FinalRating
    from talentloop.performance.selectors import period_ratings

    hr, _m, _v = setup
    emp = world.emp(world.employee)
    observations_ingest(actor=hr, items=[obs(emp, "tasks-done", 1, d, f"t{d}") for d in range(1, 9)])
    recompute_period(MARCH, [emp.pk])
    assert period_ratings([emp.pk], ["2026-03"]) == {(emp.pk, "2026-03"): D("3.0")}  # computed: total 80
    FinalRating.objects.create(employee=emp, period_key="2026-03", rating=D("3.5"), decided_by=world.hr)
    assert period_ratings([emp.pk], ["2026-03"]) == {(emp.pk, "2026-03"): D("3.5")}
    recompute_period(MARCH, [emp.pk])  # a rebuild leaves the decision alone
    assert period_ratings([emp.pk], ["2026-03"])[(emp.pk, "2026-03")] == D("3.5")


@pytest.mark.parametrize("copy_from", [1, 10_000])
def test_a_rebuild_rewrites_the_score_through_either_write_path(world, setup, monkeypatch, copy_from):
    """From ``COPY_FROM`` people PostgreSQL deletes and streams the rows (COPY); below it, and on
    SQLite, they are upserted. Either way a second rebuild replaces the first row, never adds one."""
    monkeypatch.setattr(scores, "COPY_FROM", copy_from)
    hr, _m, _v = setup
    emp = world.emp(world.employee)
    observations_ingest(actor=hr, items=[obs(emp, "tasks-done", 1, d, f"t{d}") for d in range(1, 9)])
    recompute_period(MARCH, [emp.pk])
    observations_ingest(actor=hr, items=[obs(emp, "tasks-done", 1, 20, "t20")])
    recompute_period(MARCH, [emp.pk])
    score = Score.objects.get(employee=emp, period_key="2026-03")
    # only delivery has data: 9 / 10 → 90
    assert score.total == D("90.00")
