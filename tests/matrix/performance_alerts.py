"""Decline alerts, alert rules and root-cause reviews.

Statuses in the order anonymous, employee, manager, mentor, hr, admin, outsider — by hand:

- The alert is about ``employee`` (who reports to lead, who reports to ``manager``) under a rule
  that also tells the employee: the employee, the management chain, HR and the admin see it; only
  the chain and HR handle it (acknowledge, resolve). On the web a page one may not use is a 404;
  the API answers 403 for a visible alert one may not change.
- The root-cause review is about platform, below rnd which ``manager`` heads: the manager, HR and
  the admin see it; the manager and HR decide.
- Alert rules and root-cause rules are HR's configuration; the admin may read them.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from talentloop.testing.matrix import Row

RULE_FORM = {"name": "矩阵规则", "metric": "{metric}", "window": "period", "period_kind": "month", "window_days": "7",
             "baseline": "previous", "baseline_count": "3", "threshold_kind": "relative", "threshold": "50",
             "is_active": "on"}
SETTINGS_FORM = {"is_active": "on", "period_kind": "month", "consecutive_periods": "3", "history_periods": "6",
                 "target_factor": "1.2", "resource_drop_pct": "10", "workload_rise_pct": "15", "skill_gap_pct": "10",
                 "new_joiner_share_pct": "40", "tenure_days": "365", "headcount_metric": "headcount",
                 "hours_metric": "hours", "workload_metric": "workload", "skill_metric": "skill-assessment"}
RULE_JSON = {"name": "矩阵规则", "metric": "matrix-response", "threshold": "50"}

#                                                                     anon  empl  mgr  mentor  hr  admin  outs
WEB = [
    Row("performance/alerts/", "GET", "/performance/alerts/",       (302, 200, 200, 200, 200, 200, 200)),
    Row("performance/alerts/<int:pk>/", "GET", "/performance/alerts/{alert}/",
        (302, 200, 200, 404, 200, 200, 404)),
    Row("performance/alerts/<int:pk>/acknowledge/", "POST", "/performance/alerts/{alert}/acknowledge/",
        (302, 404, 302, 404, 302, 404, 404), body={"note": "1:1 booked"}),
    Row("performance/alerts/<int:pk>/resolve/", "POST", "/performance/alerts/{alert}/resolve/",
        (302, 404, 302, 404, 302, 404, 404), body={"note": ""}),
    # Everyone with an employee record reads their own notices; the admin has none.
    Row("performance/notices/read/", "POST", "/performance/notices/read/",
        (302, 302, 302, 302, 302, 404, 302), body={}),
    Row("performance/alert-rules/", "GET", "/performance/alert-rules/",
        (302, 404, 404, 404, 200, 200, 404)),
    Row("performance/alert-rules/new/", "GET", "/performance/alert-rules/new/",
        (302, 404, 404, 404, 200, 404, 404)),
    Row("performance/alert-rules/new/", "POST", "/performance/alert-rules/new/",
        (302, 404, 404, 404, 302, 404, 404), body=RULE_FORM),
    Row("performance/alert-rules/<int:pk>/", "GET", "/performance/alert-rules/{rule}/",
        (302, 404, 404, 404, 200, 404, 404)),
    Row("performance/alert-rules/<int:pk>/", "POST", "/performance/alert-rules/{rule}/",
        (302, 404, 404, 404, 302, 404, 404), body=RULE_FORM),
    # The list shows what each may see (an empty list for most).
    Row("performance/root-causes/", "GET", "/performance/root-causes/",
        (302, 200, 200, 200, 200, 200, 200)),
    Row("performance/root-causes/settings/", "GET", "/performance/root-causes/settings/",
        (302, 404, 404, 404, 200, 404, 404)),
    Row("performance/root-causes/settings/", "POST", "/performance/root-causes/settings/",
        (302, 404, 404, 404, 302, 404, 404), body=SETTINGS_FORM),
    Row("performance/root-causes/<int:pk>/", "GET", "/performance/root-causes/{review}/",
        (302, 404, 200, 404, 200, 200, 404)),
    Row("performance/root-causes/<int:pk>/decide/", "POST", "/performance/root-causes/{review}/decide/",
        (302, 404, 302, 404, 302, 404, 404), body={"decision": "training", "note": "Course booked"}),
]

#                                                                     anon  empl  mgr  mentor  hr  admin  outs
API = [
    Row("/api/v1/alerts", "GET", "/api/v1/alerts",                  (401, 200, 200, 200, 200, 200, 200)),
    Row("/api/v1/alerts/{alert_id}", "GET", "/api/v1/alerts/{alert}", (401, 200, 200, 404, 200, 200, 404)),
    Row("/api/v1/alerts/{alert_id}/acknowledge", "POST", "/api/v1/alerts/{alert}/acknowledge",
        (401, 403, 200, 404, 200, 403, 404), body={"note": "1:1 booked"}),
    Row("/api/v1/alerts/{alert_id}/resolve", "POST", "/api/v1/alerts/{alert}/resolve",
        (401, 403, 200, 404, 200, 403, 404), body={"note": ""}),
    Row("/api/v1/alert-rules", "GET", "/api/v1/alert-rules",        (401, 403, 403, 403, 200, 200, 403)),
    Row("/api/v1/alert-rules", "POST", "/api/v1/alert-rules",       (401, 403, 403, 403, 201, 403, 403),
        body=RULE_JSON),
    Row("/api/v1/alert-rules/{rule_id}", "GET", "/api/v1/alert-rules/{rule}",
        (401, 404, 404, 404, 200, 200, 404)),
    Row("/api/v1/alert-rules/{rule_id}", "PUT", "/api/v1/alert-rules/{rule}",
        (401, 404, 404, 404, 200, 403, 404), body=RULE_JSON),
    Row("/api/v1/root-cause-reviews", "GET", "/api/v1/root-cause-reviews", (401, 200, 200, 200, 200, 200, 200)),
    Row("/api/v1/root-cause-reviews/{review_id}", "GET", "/api/v1/root-cause-reviews/{review}",
        (401, 404, 200, 404, 200, 200, 404)),
    Row("/api/v1/root-cause-reviews/{review_id}/decide", "POST", "/api/v1/root-cause-reviews/{review}/decide",
        (401, 404, 200, 404, 200, 403, 404), body={"decision": "training", "note": "Course booked"}),
    Row("/api/v1/root-cause-settings", "GET", "/api/v1/root-cause-settings", (401, 403, 403, 403, 200, 200, 403)),
    Row("/api/v1/root-cause-settings", "PUT", "/api/v1/root-cause-settings", (401, 403, 403, 403, 200, 403, 403),
        body={"consecutive_periods": 4}),
]


def keys(world) -> dict:
    """An alert about ``employee`` and a root-cause review of platform (created once per test)."""
    from talentloop.performance.models import (
        Aggregation,
        Alert,
        AlertRule,
        Direction,
        Metric,
        RootCauseReview,
    )

    metric, _created = Metric.objects.get_or_create(
        key="matrix-response", defaults={"name": "响应时间", "name_en": "Response time", "unit": "h",
                                         "direction": Direction.LOWER, "aggregation": Aggregation.AVG})
    rule, _created = AlertRule.objects.get_or_create(
        name="矩阵响应", defaults={"metric": metric, "threshold": Decimal(50), "notify_employee": True})
    employee = world.emp(world.employee)
    alert, _created = Alert.objects.get_or_create(
        rule=rule, employee=employee,
        defaults={"manager": world.emp(world.lead), "window_start": dt.date(2026, 3, 1),
                  "window_end": dt.date(2026, 4, 1), "window_label": "2026-03", "baseline_value": Decimal(1),
                  "current_value": Decimal(3), "worsening": Decimal(2), "change_pct": Decimal(200),
                  "opened_on": dt.date(2026, 4, 2), "evidence": {"windows": []}})
    review, _created = RootCauseReview.objects.get_or_create(
        org_unit=world.platform, metric=metric,
        defaults={"first_period": "2026-01", "last_period": "2026-03", "periods_missed": 3, "target": Decimal(1),
                  "value": Decimal(3), "primary_cause": "unclear", "suggested_actions": ["investigate"],
                  "opened_on": dt.date(2026, 4, 2)})
    return {"alert": alert.pk, "rule": rule.pk, "review": review.pk, "metric": metric.pk}
