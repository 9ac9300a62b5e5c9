"""Which scorecard applies, versions over time, and weight validation."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal as D

import pytest

from talentloop.core.access import actor_for
from talentloop.core.errors import InvalidInput, PermissionDenied
from talentloop.performance import periods as P
from talentloop.performance.models import Aggregation, Score
from talentloop.performance.services.config import metric_save, scorecard_save
from talentloop.performance.services.observations import observations_ingest
from talentloop.performance.services.scores import recompute_period

pytestmark = pytest.mark.django_db


@pytest.fixture
def hr(world):
    return actor_for(world.hr)


@pytest.fixture
def tasks(hr):
    return metric_save(actor=hr, data={"key": "tasks", "name": "任务", "aggregation": Aggregation.COUNT})


def card(hr, metric, name, target, valid_from=dt.date(2026, 1, 1), **scope):
    return scorecard_save(actor=hr, name=name, valid_from=valid_from, dimensions=[
        {"key": "delivery", "name": "交付", "weight": 100,
         "metrics": [{"metric": metric, "weight": 100, "target": target}]}], **scope)


def score_of(world, hr, persona, period="2026-03", tasks_done=10):
    emp = world.emp(getattr(world, persona))
    month = P.parse(period)
    observations_ingest(actor=hr, items=[
        {"employee_id": emp.pk, "metric": "tasks", "value": 1, "source": "t", "external_id": f"{persona}-{period}-{i}",
         "occurred_at": dt.datetime(month.start.year, month.start.month, 2, tzinfo=dt.UTC).isoformat()}
        for i in range(tasks_done)])
    recompute_period(month, [emp.pk])
    return Score.objects.get(employee=emp, period_key=period)


def test_precedence_deepest_unit_then_job_family(world, hr, tasks):
    card(hr, tasks, "全公司", 20)                                              # organisation: 10/20 → 50
    card(hr, tasks, "研发", 10, org_unit=world.rnd)                            # R&D: 10/10 → 100
    card(hr, tasks, "工程师", 40, job_family=world.engineering)                 # family anywhere: 10/40 → 25
    card(hr, tasks, "研发工程师", 8, org_unit=world.rnd, job_family=world.engineering)  # 10/8 → 120 (cap)
    card(hr, tasks, "平台组", 5, org_unit=world.platform)                       # deeper unit: 10/5 → 120
    card(hr, tasks, "销售", 25, job_family=world.sales_family)                  # sales family: 10/25 → 40
    # employee: platform (deepest unit) wins over R&D + family
    assert score_of(world, hr, "employee").detail["scorecard"] == "平台组"
    # manager sits in R&D itself: R&D + engineering beats plain R&D
    assert score_of(world, hr, "manager").detail["scorecard"] == "研发工程师"
    # outsider: sales unit has no card, so the family card beats the organisation card
    assert score_of(world, hr, "outsider").detail["scorecard"] == "销售"
    # hr: only the organisation-wide card applies
    s = score_of(world, hr, "hr")
    assert s.detail["scorecard"] == "全公司" and s.total == D("50.00")


def test_versions_apply_from_their_month(world, hr, tasks):
    v1 = card(hr, tasks, "全公司", 10)
    # a new version from April: target 20
    v2 = card(hr, tasks, "全公司", 20, valid_from=dt.date(2026, 4, 15), scorecard=v1.scorecard)
    assert v2.valid_from == dt.date(2026, 4, 1)
    march = score_of(world, hr, "employee", "2026-03")
    april = score_of(world, hr, "employee", "2026-04")
    assert march.version_id == v1.pk and march.total == D("100.00")   # 10 / 10
    assert april.version_id == v2.pk and april.total == D("50.00")    # 10 / 20
    # rebuilding March later still uses the March version
    recompute_period(P.parse("2026-03"))
    assert Score.objects.get(employee=march.employee, period_key="2026-03").version_id == v1.pk


def test_weights_must_add_up_to_exactly_100(hr, tasks):
    with pytest.raises(InvalidInput) as exc:
        scorecard_save(actor=hr, name="x", valid_from=dt.date(2026, 1, 1), dimensions=[
            {"key": "a", "name": "A", "weight": 60, "metrics": [{"metric": tasks, "weight": 100, "target": 1}]},
            {"key": "b", "name": "B", "weight": 30, "metrics": [{"metric": tasks, "weight": 100, "target": 1}]}])
    assert "90" in exc.value.errors["dimensions"][0] and "100" in exc.value.errors["dimensions"][0]
    with pytest.raises(InvalidInput) as exc:
        scorecard_save(actor=hr, name="x", valid_from=dt.date(2026, 1, 1), dimensions=[
            {"key": "a", "name": "A", "weight": 100, "metrics": [{"metric": tasks, "weight": 70, "target": 1}]}])
    assert "dimensions.0" in exc.value.errors


def test_lower_is_better_target_zero_needs_tolerance(hr):
    defects = metric_save(actor=hr, data={"key": "defects", "name": "缺陷", "direction": "lower"})
    with pytest.raises(InvalidInput) as exc:
        scorecard_save(actor=hr, name="x", valid_from=dt.date(2026, 1, 1), dimensions=[
            {"key": "q", "name": "Q", "weight": 100, "metrics": [{"metric": defects, "weight": 100, "target": 0}]}])
    assert "dimensions.0.metrics.0.tolerance" in exc.value.errors


def test_only_hr_configures(world, tasks):
    with pytest.raises(PermissionDenied):
        card(actor_for(world.manager), tasks, "x", 1)
