"""Explained scores, dashboards, HR's performance configuration and the observation upload.

Statuses in the order anonymous, employee, manager, mentor, hr, admin, outsider — by hand:

- A score and the observations behind it are seen by the person, their management chain, HR and
  the admin (who sees every record); not by the mentor (mentees come with the mentoring issue) nor
  an unrelated colleague. ``scores/me/`` sends a person to their own score; the admin has none.
- The own dashboard is for everyone with an employee record; the admin is sent on to the
  organisation view. The team view is for people with reports (``manager``); HR and the admin see
  it only when they name a manager. The organisation view is HR's (and the admin's).
- Metrics, scorecards, periods and rebuilds are HR's configuration: a 404 on the web for everyone
  else. The API lets every signed-in person read metrics, scorecards and periods (how people are
  measured is no secret) and answers 403 to a change by anyone but HR.
- The observation upload is HR's web door to ``POST /api/v1/observations`` (the admin's integrations
  use the API).
- The team figures are the manager's: the others have no team of their own (403).
"""

from __future__ import annotations

from talentloop.testing.matrix import Row

OBSERVATIONS_CSV = (b"employee_number,metric,value,occurred_at,source,external_id\n"
                    b"T-employee,matrix-tasks,1,2026-03-05T10:00:00+08:00,jira,MX-1\n")


class ObservationFile:
    """An upload that can be read once per persona (the test client reads a file to its end)."""

    name = "observations.csv"
    content_type = "text/csv"

    def read(self) -> bytes:
        return OBSERVATIONS_CSV


METRIC_FORM = {"key": "matrix-reviews", "name": "评审", "direction": "higher", "aggregation": "count",
               "ratio_scale": "1", "scoring_rule": "attainment", "subject_kind": "employee", "is_active": "on"}
CARD_FORM = {"card-name": "矩阵销售", "card-org_unit": "{perf_sales}", "card-job_family": "",
             "card-valid_from": "2026-12", "dims": "1", "d0-key": "output", "d0-name": "产出", "d0-weight": "100",
             "d0-ratings_weight": "0",
             "d0-manager_weight": "100", "d0-peer_weight": "0", "d0-self_weight": "0", "d0-count": "1",
             "d0-m0-metric": "{perf_metric}", "d0-m0-weight": "100", "d0-m0-target": "10"}
VERSION_FORM = {k: v for k, v in CARD_FORM.items() if k not in ("card-org_unit", "card-job_family")}
SCORECARD_JSON = {"name": "接口卡", "org_unit_id": "{perf_sales}", "valid_from": "2026-12", "dimensions": [
    {"key": "output", "name": "产出", "weight": 100,
     "metrics": [{"metric": "matrix-tasks", "weight": 100, "target": 10}]}]}

#                                                                     anon  empl  mgr  mentor  hr  admin  outs
WEB = [
    Row("performance/", "GET", "/performance/",                      (302, 200, 200, 200, 200, 302, 200)),
    Row("performance/team/", "GET", "/performance/team/",            (302, 404, 200, 404, 404, 404, 404)),
    Row("performance/team/", "GET", "/performance/team/?manager={manager}",
        (302, 404, 200, 404, 200, 200, 404), label="manager's team named"),
    Row("performance/organisation/", "GET", "/performance/organisation/",
        (302, 404, 404, 404, 200, 200, 404)),
    Row("performance/scores/me/", "GET", "/performance/scores/me/",  (302, 302, 302, 302, 302, 404, 302)),
    # The mentor mentors employee in an active plan (tests/matrix/mentoring_core.py): scores read-only.
    Row("performance/scores/<int:pk>/", "GET", "/performance/scores/{employee}/?period=2026-03",
        (302, 200, 200, 200, 200, 200, 404), label="employee's score"),
    Row("performance/scores/<int:pk>/", "GET", "/performance/scores/{outsider}/?period=2026-03",
        (302, 404, 404, 404, 200, 200, 200), label="outsider's score"),
    Row("performance/scores/<int:pk>/observations/", "GET",
        "/performance/scores/{employee}/observations/?period=2026-03&metric=matrix-tasks",
        (302, 200, 200, 200, 200, 200, 404)),
    Row("performance/metrics/", "GET", "/performance/metrics/",      (302, 404, 404, 404, 200, 404, 404)),
    Row("performance/metrics/new/", "GET", "/performance/metrics/new/", (302, 404, 404, 404, 200, 404, 404)),
    Row("performance/metrics/new/", "POST", "/performance/metrics/new/", (302, 404, 404, 404, 302, 404, 404),
        body=METRIC_FORM),
    Row("performance/metrics/<int:pk>/", "GET", "/performance/metrics/{perf_metric}/",
        (302, 404, 404, 404, 200, 404, 404)),
    Row("performance/metrics/<int:pk>/", "POST", "/performance/metrics/{perf_metric}/",
        (302, 404, 404, 404, 302, 404, 404), body={**METRIC_FORM, "key": "matrix-tasks"}),
    Row("performance/scorecards/", "GET", "/performance/scorecards/", (302, 404, 404, 404, 200, 404, 404)),
    Row("performance/scorecards/new/", "GET", "/performance/scorecards/new/",
        (302, 404, 404, 404, 200, 404, 404)),
    Row("performance/scorecards/new/", "POST", "/performance/scorecards/new/",
        (302, 404, 404, 404, 302, 404, 404), body=CARD_FORM),
    Row("performance/scorecards/<int:pk>/", "GET", "/performance/scorecards/{perf_scorecard}/",
        (302, 404, 404, 404, 200, 404, 404)),
    Row("performance/scorecards/<int:pk>/versions/new/", "GET",
        "/performance/scorecards/{perf_scorecard}/versions/new/", (302, 404, 404, 404, 200, 404, 404)),
    Row("performance/scorecards/<int:pk>/versions/new/", "POST",
        "/performance/scorecards/{perf_scorecard}/versions/new/", (302, 404, 404, 404, 302, 404, 404),
        body=VERSION_FORM),
    Row("performance/periods/", "GET", "/performance/periods/",      (302, 404, 404, 404, 200, 404, 404)),
    Row("performance/periods/close/", "POST", "/performance/periods/close/", (302, 404, 404, 404, 302, 404, 404),
        body={"period": "2026-03"}),
    Row("performance/periods/reopen/", "POST", "/performance/periods/reopen/",
        (302, 404, 404, 404, 302, 404, 404), body={"period": "2026-03"}),
    Row("performance/periods/rebuild/", "POST", "/performance/periods/rebuild/",
        (302, 404, 404, 404, 302, 404, 404), body={"period": "2026-03"}),
    Row("performance/periods/close/", "GET", "/performance/periods/close/", (302, 405, 405, 405, 405, 405, 405)),
    Row("performance/observations/upload/", "GET", "/performance/observations/upload/",
        (302, 404, 404, 404, 200, 404, 404)),
    # The dry run shows the check page (200); nothing is written until the confirm step.
    Row("performance/observations/upload/", "POST", "/performance/observations/upload/",
        (302, 404, 404, 404, 200, 404, 404), body={"file": ObservationFile(), "mode": "all"}, label="dry run"),
]

#                                                                     anon  empl  mgr  mentor  hr  admin  outs
API = [
    Row("/api/v1/metrics", "POST", "/api/v1/metrics",                (401, 403, 403, 403, 201, 403, 403),
        body={"key": "api-metric", "name": "接口指标"}),
    Row("/api/v1/metrics/{metric_id}", "PATCH", "/api/v1/metrics/{perf_metric}",
        (401, 403, 403, 403, 200, 403, 403), body={"unit": "件"}),
    Row("/api/v1/scorecards", "GET", "/api/v1/scorecards",           (401, 200, 200, 200, 200, 200, 200)),
    Row("/api/v1/scorecards", "POST", "/api/v1/scorecards",          (401, 403, 403, 403, 201, 403, 403),
        body=SCORECARD_JSON),
    Row("/api/v1/scorecards/{scorecard_id}", "GET", "/api/v1/scorecards/{perf_scorecard}",
        (401, 200, 200, 200, 200, 200, 200)),
    Row("/api/v1/periods", "GET", "/api/v1/periods",                 (401, 200, 200, 200, 200, 200, 200)),
    Row("/api/v1/scores/recompute", "POST", "/api/v1/scores/recompute?period=2026-03",
        (401, 403, 403, 403, 202, 403, 403)),
    # The observations behind a score are part of its explanation: the active mentor reads them too.
    Row("/api/v1/employees/{employee_id}/observations", "GET",
        "/api/v1/employees/{employee}/observations?period=2026-03", (401, 200, 200, 200, 200, 200, 404)),
    Row("/api/v1/dashboards/team", "GET", "/api/v1/dashboards/team", (401, 403, 200, 403, 403, 403, 403)),
]


def keys(world) -> dict:
    """A metric about people and the engineering scorecard that uses it (created once per test)."""
    import datetime as dt

    from talentloop.core.access import actor_for
    from talentloop.performance.models import Aggregation, Metric, Scorecard
    from talentloop.performance.services.config import scorecard_save

    metric, _created = Metric.objects.get_or_create(
        key="matrix-tasks", defaults={"name": "任务", "name_en": "Tasks", "aggregation": Aggregation.COUNT})
    card = Scorecard.objects.filter(org_unit=None, job_family=world.engineering).first()
    if card is None:
        card = scorecard_save(actor=actor_for(world.hr), name="矩阵工程师", job_family=world.engineering,
                              valid_from=dt.date(2026, 1, 1),
                              dimensions=[{"key": "delivery", "name": "交付", "weight": 100,
                                           "metrics": [{"metric": metric, "weight": 100, "target": 10}]}]).scorecard
    return {"perf_metric": metric.pk, "perf_scorecard": card.pk, "perf_sales": world.sales.pk}
