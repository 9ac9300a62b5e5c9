"""The performance and mentoring notice tables become notifications: rows in the old shape are
migrated forward, nothing lost, and what the old bridge had already copied is not copied twice."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from talentloop.mentoring.tests import programme_fixtures as F
from talentloop.notifications.models import Notification
from talentloop.performance.models import Aggregation, Alert, Direction
from talentloop.performance.services.alerts import alert_rule_save
from talentloop.performance.services.config import metric_save

BEFORE = [("performance", "0006_encrypted_row_uid"), ("mentoring", "0003_encrypted_row_uid")]
AFTER = [("performance", "0008_delete_performancenotice"), ("mentoring", "0005_delete_mentoringnotice")]
WHEN = dt.datetime(2026, 3, 1, 9, tzinfo=dt.UTC)
READ = dt.datetime(2026, 3, 2, 9, tzinfo=dt.UTC)


def _migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


@pytest.mark.django_db(transaction=True)
def test_old_notices_become_notifications_once(world, actor_of):
    hr = actor_of("hr")
    manager, mentor_emp, mentee = world.emp(world.manager), world.emp(world.mentor), world.emp(world.employee)
    metric = metric_save(actor=hr, data={"key": "response-time", "name": "平均响应时间", "name_en": "Response time",
                                         "unit": "h", "direction": Direction.LOWER, "aggregation": Aggregation.AVG})
    rule = alert_rule_save(actor=hr, data={"name": "响应变慢", "metric": metric, "threshold_kind": "relative",
                                           "threshold": Decimal(50)})
    alert = Alert.objects.create(rule=rule, employee=mentee, manager=manager, window_start=dt.date(2026, 2, 1),
                                 window_end=dt.date(2026, 3, 1), window_label="2026-02", baseline_value=1,
                                 current_value=3, worsening=2, opened_on=dt.date(2026, 3, 1))
    F.policy([{"key": "level_min"}])
    plan = F.plan(F.mentor(mentor_emp), mentee, F.template(), dt.date(2026, 1, 15))
    item = F.item(plan, dt.date(2026, 3, 20))

    old = _migrate(BEFORE)
    try:
        PerformanceNotice = old.get_model("performance", "PerformanceNotice")
        MentoringNotice = old.get_model("mentoring", "MentoringNotice")
        alert_data = {"person": "Employee", "metric": "Response time", "baseline": "1.00 h", "current": "3.00 h",
                      "window": "2026-02", "change_pct": "200.00"}
        # Bridged already (the inbox has it, unread); the notice was read on the alerts page.
        bridged_alert = PerformanceNotice.objects.create(
            recipient_id=manager.pk, kind="alert_opened", text="alert text", data=alert_data,
            link=f"/performance/alerts/{alert.pk}/", alert_id=alert.pk, read_at=READ)
        Notification.objects.create(recipient=manager, kind="alert_opened", data=alert_data, text="alert text",
                                    link=f"/performance/alerts/{alert.pk}/", dedupe_key=f"alert:{alert.pk}",
                                    created_at=WHEN)
        # Never bridged: a digest of a root-cause run.
        digest_data = {"count": 2, "likely": 0, "unclear": 2, "units": ["平台组", "研发部"], "reviews": [7, 8]}
        digest = PerformanceNotice.objects.create(
            recipient_id=manager.pk, kind="review_digest", text="2 root-cause reviews opened", data=digest_data,
            link="/performance/root-causes/?status=open")
        PerformanceNotice.objects.filter(pk=digest.pk).update(created_at=WHEN)
        # Mentoring: a reminder the sweep had handed over, a returned plan (read) and a survey it had not.
        reminder_data = {"item_kind": "one_to_one", "due_on": "2026-03-20", "days": 3, "other": "Mentor"}
        reminder = MentoringNotice.objects.create(
            recipient_id=mentee.pk, kind="reminder", item_id=item.pk, plan_id=plan.pk, text="reminder text",
            data=reminder_data, link=f"/mentoring/plans/{plan.pk}/", delivered_at=WHEN)
        Notification.objects.create(recipient=mentee, kind="session_due", data=reminder_data, text="reminder text",
                                    link=f"/mentoring/plans/{plan.pk}/", dedupe_key=f"mentoring-notice:{reminder.pk}",
                                    created_at=WHEN)
        returned = MentoringNotice.objects.create(
            recipient_id=mentor_emp.pk, kind="plan_decided", plan_id=plan.pk, text="returned text",
            data={"decision": "returned", "template": "新员工融入", "comment": "再想想"},
            link=f"/mentoring/plans/{plan.pk}/", read_at=READ)
        MentoringNotice.objects.filter(pk=returned.pk).update(created_at=WHEN)
        survey = MentoringNotice.objects.create(
            recipient_id=mentee.pk, kind="survey", plan_id=plan.pk, text="survey text",
            data={"survey": 5, "occasion": "during", "closes_on": "2026-04-05"}, link="/mentoring/surveys/5/")
    finally:
        _migrate(AFTER)

    rows = {(n.recipient_id, n.kind, n.dedupe_key): n for n in Notification.objects.all()}
    assert len(rows) == 5  # two bridged ones merged, three new
    merged = rows[(manager.pk, "alert_opened", f"alert:{alert.pk}")]
    assert (merged.read_at, merged.text) == (READ, "alert text")  # the read mark moved over
    moved = rows[(manager.pk, "root_cause_digest", f"performance-notice:{digest.pk}")]
    assert (moved.text, moved.data, moved.link, moved.created_at, moved.read_at) == (
        "2 root-cause reviews opened", digest_data, "/performance/root-causes/?status=open", WHEN, None)
    reminded = rows[(mentee.pk, "session_due", f"mentoring-notice:{reminder.pk}")]
    assert (reminded.data["plan_id"], reminded.data["item_id"], reminded.data["days"]) == (plan.pk, item.pk, 3)
    decided = rows[(mentor_emp.pk, "plan_returned", f"mentoring-notice:{returned.pk}")]
    assert (decided.read_at, decided.created_at, decided.data["plan_id"], decided.text) == (
        READ, WHEN, plan.pk, "returned text")
    surveyed = rows[(mentee.pk, "survey_due", f"mentoring-notice:{survey.pk}")]
    assert (surveyed.link, surveyed.data["closes_on"], surveyed.read_at) == ("/mentoring/surveys/5/", "2026-04-05",
                                                                             None)
    assert bridged_alert.pk  # (the old rows are gone with their tables)
    tables = connection.introspection.table_names()
    assert "performance_performancenotice" not in tables and "mentoring_mentoringnotice" not in tables
