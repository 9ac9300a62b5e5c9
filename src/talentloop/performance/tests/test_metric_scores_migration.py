"""The migration that keeps each score's metric scores apart from its explanation: scores of the old
shape get the scores their explanation holds (not the ratings part, not a missing metric), and the
explanation itself reads back unchanged."""

from __future__ import annotations

import json

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

BEFORE = [("performance", "0014_recompute_mark_without_db_constraint")]
AFTER = [("performance", "0015_score_metric_scores_explanation_as_text")]

DETAIL = {"scorecard": "研发", "days_present": 31, "dimensions": [
    {"key": "delivery", "score": "95.00", "metrics": [
        {"key": "tasks-done", "score": "110.00", "missing": False},
        {"key": "bugs", "score": None, "missing": True},
        {"key": "ratings", "score": "80.00", "ratings": {"manager": "4.0"}},
    ]},
    {"key": "growth", "score": "60.00", "metrics": [{"key": "training", "score": "60.00"}]},
]}


@pytest.mark.django_db(transaction=True)
def test_old_scores_get_their_metric_scores_and_keep_their_explanation():
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    try:
        old = executor.loader.project_state(BEFORE).apps
        unit = old.get_model("organisation", "OrgUnit").objects.create(code="u", name="单位", path="/")
        family = old.get_model("organisation", "JobFamily").objects.create(code="f", name="序列")
        Employee = old.get_model("organisation", "Employee")
        people = [Employee.objects.create(employee_number=f"E{i}", name=f"员工{i}", hire_date="2024-01-01",
                                          org_unit=unit, job_family=family, level=1, manager_path="/")
                  for i in range(2)]
        Score = old.get_model("performance", "Score")
        Score.objects.create(employee=people[0], period_key="2026-03", period_start="2026-03-01", total="90.00",
                             detail=DETAIL, computed_at="2026-04-01T00:00:00Z")
        Score.objects.create(employee=people[1], period_key="2026-03", period_start="2026-03-01",
                             detail={}, computed_at="2026-04-01T00:00:00Z")
        executor = MigrationExecutor(connection)
        executor.migrate(AFTER)
        new = executor.loader.project_state(AFTER).apps.get_model("performance", "Score")
        rows = {s.employee_id: s for s in new.objects.all()}
        assert rows[people[0].pk].metric_scores == {"tasks-done": "110.00", "training": "60.00"}
        assert rows[people[0].pk].detail == DETAIL
        assert rows[people[1].pk].metric_scores == {} and rows[people[1].pk].detail == {}
        with connection.cursor() as cur:
            cur.execute("SELECT detail FROM performance_score WHERE employee_id = %s", [people[0].pk])
            stored = cur.fetchone()[0]
        assert isinstance(stored, str) and json.loads(stored) == DETAIL  # text, on both databases
    finally:
        executor = MigrationExecutor(connection)
        executor.migrate(executor.loader.graph.leaf_nodes())
