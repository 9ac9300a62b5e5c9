"""Decline alerts: rules, the check, episodes, what managers do, and the pages and endpoints.

Numbers are worked out by hand in the comments. ``employee`` reports to ``lead`` who reports to
``manager``; alerts about ``employee`` go to ``lead``.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal as D
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from talentloop.core.access import actor_for
from talentloop.core.errors import Conflict, InvalidInput, PermissionDenied
from talentloop.notifications.models import Notification
from talentloop.performance import access
from talentloop.performance.models import (
    Aggregation,
    Alert,
    AlertCloseReason,
    AlertRule,
    AlertStatus,
    Direction,
    Observation,
    SubjectKind,
)
from talentloop.performance.services.alerts import (
    alert_acknowledge,
    alert_resolve,
    alert_rule_save,
    alerts_evaluate,
    judge,
    rule_windows,
)
from talentloop.performance.services.config import metric_save
from talentloop.testing.factories import EmployeeFactory, OrgUnitFactory, grant

pytestmark = pytest.mark.django_db


def day(text: str) -> dt.date:
    return dt.date.fromisoformat(text)


def put(subject, metric, value, on: str, ext: str | None = None) -> None:
    """A fact at 10:00 local time on ``on`` (local date), bypassing ingestion (tested elsewhere)."""
    when = dt.datetime.combine(day(on), dt.time(10), tzinfo=dt.UTC)
    field = "org_unit" if metric.subject_kind == SubjectKind.ORG_UNIT else "employee"
    Observation.objects.create(metric=metric, value=D(str(value)), occurred_at=when, occurred_on=day(on),
                               source="test", external_id=ext or f"{metric.key}-{subject.pk}-{on}-{value}-"
                               f"{Observation.objects.count()}", **{field: subject})


@pytest.fixture
def hr(world):
    return actor_for(world.hr)


@pytest.fixture
def response_time(hr):
    return metric_save(actor=hr, data={"key": "response-time", "name": "平均响应时间", "name_en": "Response time",
                                       "unit": "h", "direction": Direction.LOWER, "aggregation": Aggregation.AVG})


@pytest.fixture
def monthly_rule(hr, response_time):
    return alert_rule_save(actor=hr, data={"name": "响应变慢", "name_en": "Slower responses", "metric": response_time,
                                           "window": "period", "period_kind": "month", "baseline": "previous",
                                           "threshold_kind": "relative", "threshold": D(50),
                                           "notify_employee": True})


def run(as_of: str, **kwargs):
    return alerts_evaluate(actor=None, as_of=day(as_of), **kwargs)


# ---------------------------------------------------------------- windows and judgement


def test_windows_exclude_the_current_period_and_today(monthly_rule):
    windows = rule_windows(monthly_rule, day("2026-04-20"))
    assert [w.label for w in windows] == ["2026-03", "2026-02"]
    monthly_rule.window, monthly_rule.window_days = "rolling", 7
    monthly_rule.baseline, monthly_rule.baseline_count = "mean", 2
    windows = rule_windows(monthly_rule, day("2026-04-20"))
    # [13, 20), [6, 13), [30 Mar, 6 Apr): 20 April itself is still going on
    assert [(w.start, w.end) for w in windows] == [(day("2026-04-13"), day("2026-04-20")),
                                                   (day("2026-04-06"), day("2026-04-13")),
                                                   (day("2026-03-30"), day("2026-04-06"))]
    assert windows[0].label == "2026-04-13–2026-04-19"


def test_judge_in_both_directions():
    # lower is better: 1 h → 3 h is 2 h worse, +200%
    j = judge(higher_is_better=False, threshold_kind="relative", threshold=D(50), baseline=D(1), current=D(3))
    assert (j.fires, j.worsening, j.change_pct) == (True, D(2), D("200.00"))
    # higher is better: 40 → 30 is 10 worse, 25%: below a 30% threshold, at an absolute 10 threshold
    j = judge(higher_is_better=True, threshold_kind="relative", threshold=D(30), baseline=D(40), current=D(30))
    assert (j.fires, j.change_pct) == (False, D("25.00"))
    assert judge(higher_is_better=True, threshold_kind="absolute", threshold=D(10), baseline=D(40),
                 current=D(30)).fires
    # an improvement is never a decline; a relative change from 0 is undefined
    assert not judge(higher_is_better=True, threshold_kind="absolute", threshold=D(1), baseline=D(3),
                     current=D(9)).fires
    j = judge(higher_is_better=False, threshold_kind="relative", threshold=D(1), baseline=D(0), current=D(5))
    assert (j.fires, j.change_pct) == (False, None)


# ---------------------------------------------------------------- an alert that fires once and clears


def test_alert_fires_once_and_clears(world, monthly_rule, response_time, django_capture_on_commit_callbacks):
    emp = world.emp(world.employee)
    lead = world.emp(world.lead)
    put(emp, response_time, 1, "2026-02-10")
    put(emp, response_time, 1, "2026-02-20")
    put(emp, response_time, 2, "2026-03-05")
    put(emp, response_time, 4, "2026-03-25")
    # As of 2 April: March (2 + 4) / 2 = 3 h against February 1 h: 2 h worse, +200% ≥ 50%.
    with django_capture_on_commit_callbacks(execute=True):
        result = run("2026-04-02")
    assert (result.opened, result.recovered) == (1, 0)
    alert = Alert.objects.get()
    assert (alert.employee, alert.manager, alert.status) == (emp, lead, AlertStatus.OPEN)
    assert (alert.window_label, alert.baseline_value, alert.current_value) == ("2026-03", D(1), D(3))
    assert (alert.worsening, alert.change_pct) == (D(2), D("200.00"))
    assert [w["value"] for w in alert.evidence["windows"]] == ["3.00", "1.00"]
    # The manager and (the rule says so) the employee are told at once, with the evidence.
    notices = {n.recipient_id: n for n in Notification.objects.filter(kind="alert_opened")}
    assert set(notices) == {lead.pk, emp.pk}
    assert "1.00 h" in notices[lead.pk].text and "3.00 h" in notices[lead.pk].text
    assert "200.00% worse" in notices[lead.pk].message
    assert notices[lead.pk].link == f"/performance/alerts/{alert.pk}/"

    # The same day again, and later in April (the same window): nothing new, nobody told twice.
    with django_capture_on_commit_callbacks(execute=True):
        assert run("2026-04-02").opened == 0
        assert run("2026-04-15").opened == 0
    assert Alert.objects.count() == 1 and Notification.objects.filter(kind="alert_opened").count() == 2

    # April 2.5 h: better than March, but still 150% worse than the episode's 1 h: the episode goes on.
    put(emp, response_time, D("2.5"), "2026-04-10")
    result = run("2026-05-03")
    assert (result.opened, result.recovered) == (0, 0)
    alert.refresh_from_db()
    assert (alert.status, alert.last_value) == (AlertStatus.OPEN, D("2.5"))

    # May 1.2 h: 20% worse than 1 h, under the 50% threshold: the metric recovered, the alert closes.
    put(emp, response_time, D("1.2"), "2026-05-12")
    result = run("2026-06-01")
    assert (result.opened, result.recovered) == (0, 1)
    alert.refresh_from_db()
    assert (alert.status, alert.close_reason) == (AlertStatus.CLOSED, AlertCloseReason.RECOVERED)
    assert (alert.recovered_window_end, alert.recovered_value) == (day("2026-06-01"), D("1.2"))

    # Replaying an earlier day neither reopens the old episode nor duplicates it.
    assert run("2026-04-02").opened == 0
    assert run("2026-05-03").opened == 0
    assert Alert.objects.count() == 1

    # A new decline later is a new episode: June 3 h against May 1.2 h is +150%.
    put(emp, response_time, 3, "2026-06-09")
    assert run("2026-07-01").opened == 1
    assert Alert.objects.count() == 2


def test_no_alert_from_an_incomplete_period(world, monthly_rule, response_time):
    emp = world.emp(world.employee)
    put(emp, response_time, 1, "2026-02-10")
    put(emp, response_time, 1, "2026-03-10")
    put(emp, response_time, 9, "2026-04-01")  # April is still going on: 9 h does not count yet
    assert run("2026-04-20").opened == 0
    assert run("2026-04-30").opened == 0
    # Once April is complete it does: 9 h against March 1 h.
    assert run("2026-05-01").opened == 1


def test_rolling_window_never_counts_today(world, hr, response_time):
    emp = world.emp(world.employee)
    alert_rule_save(actor=hr, data={"name": "Weekly", "metric": response_time, "window": "rolling",
                                    "window_days": 7, "baseline": "previous", "threshold_kind": "absolute",
                                    "threshold": D(1)})
    put(emp, response_time, 1, "2026-04-08")
    put(emp, response_time, 1, "2026-04-15")
    put(emp, response_time, 5, "2026-04-20")  # today, still going on
    assert run("2026-04-20").opened == 0
    # The next day the window [14, 21) holds 15 Apr (1 h) and 20 Apr (5 h): mean 3 h against the
    # week before [7, 14) with 1 h: 2 h worse ≥ 1 h.
    assert run("2026-04-21").opened == 1


def test_rolling_mean_baseline_higher_is_better(world, hr):
    tickets = metric_save(actor=hr, data={"key": "tickets", "name": "工单", "aggregation": Aggregation.SUM})
    alert_rule_save(actor=hr, data={"name": "Fewer tickets", "metric": tickets, "window": "rolling",
                                    "window_days": 7, "baseline": "mean", "baseline_count": 3,
                                    "threshold_kind": "relative", "threshold": D(25)})
    emp, mentor = world.emp(world.employee), world.emp(world.mentor)
    # As of 29 Apr: current [22, 29), baselines [15, 22), [8, 15), [1, 8).
    for value, on in ((10, "2026-04-02"), (12, "2026-04-09"), (14, "2026-04-16"), (8, "2026-04-23")):
        put(emp, tickets, value, on)
    # employee: mean of 10, 12, 14 = 12; current 8 is 4 fewer, 33.33% ≥ 25% → fires.
    for value, on in ((10, "2026-04-02"), (9, "2026-04-23")):
        put(mentor, tickets, value, on)
    # mentor: only the first baseline window has data, mean 10; current 9 is 10% → no alert.
    result = run("2026-04-29")
    assert result.opened == 1
    alert = Alert.objects.get()
    assert (alert.employee, alert.baseline_value, alert.current_value) == (emp, D(12), D(8))
    assert alert.change_pct == D("33.33")
    assert alert.manager == world.emp(world.lead)
    assert [w["value"] for w in alert.evidence["windows"]] == ["8.00", "14.00", "12.00", "10.00"]


def test_rule_scope_and_terminated_people(world, hr, response_time):
    put(world.emp(world.employee), response_time, 1, "2026-02-10")
    put(world.emp(world.employee), response_time, 5, "2026-03-10")
    put(world.emp(world.outsider), response_time, 1, "2026-02-10")
    put(world.emp(world.outsider), response_time, 5, "2026-03-10")
    alert_rule_save(actor=hr, data={"name": "Sales only", "metric": response_time, "org_unit": world.sales,
                                    "threshold_kind": "absolute", "threshold": D(1)})
    assert run("2026-04-02").opened == 1
    assert Alert.objects.get().employee == world.emp(world.outsider)
    # someone who left is no longer watched
    Alert.objects.all().delete()
    world.emp(world.outsider).__class__.objects.filter(pk=world.emp(world.outsider).pk).update(status="terminated")
    assert run("2026-04-02").opened == 0


def test_manager_resolves_and_the_same_episode_never_alerts_twice(world, hr, response_time):
    emp = world.emp(world.employee)
    alert_rule_save(actor=hr, data={"name": "Weekly", "metric": response_time, "window": "rolling",
                                    "window_days": 7, "threshold_kind": "absolute", "threshold": D(1)})
    put(emp, response_time, 1, "2026-04-02")
    put(emp, response_time, 4, "2026-04-09")
    put(emp, response_time, 4, "2026-04-16")
    assert run("2026-04-14").opened == 1  # [7, 14) 4 h against [31 Mar, 7 Apr) 1 h
    alert = Alert.objects.get()
    alert_resolve(actor=actor_for(world.lead), alert=alert, note="Talked it through")
    # Still 4 h the week after: the same episode, already handled — no second alert.
    assert run("2026-04-21").opened == 0
    alert.refresh_from_db()
    assert (alert.status, alert.close_reason, alert.recovered_window_end) == (AlertStatus.CLOSED,
                                                                               AlertCloseReason.RESOLVED, None)
    # Back to 1 h: the episode ends; the resolved alert stays resolved.
    put(emp, response_time, 1, "2026-04-23")
    assert run("2026-04-30").recovered == 1
    alert.refresh_from_db()
    assert (alert.close_reason, alert.recovered_window_end) == (AlertCloseReason.RESOLVED, day("2026-04-30"))
    # A new decline opens a new episode.
    put(emp, response_time, 5, "2026-05-02")
    assert run("2026-05-07").opened == 1


def test_late_observation_is_checked_as_it_arrives(world, hr, monthly_rule, response_time,
                                                   django_capture_on_commit_callbacks):
    from talentloop.performance.services.observations import observations_ingest

    emp = world.emp(world.employee)
    items = [{"employee_id": emp.pk, "metric": "response-time", "value": v, "occurred_at": f"{on}T10:00:00+08:00",
              "source": "crm", "external_id": f"r{i}"}
             for i, (v, on) in enumerate([(1, "2026-09-10"), (4, "2026-10-10")])]
    # Today is fixed in early November, so October is the latest complete month.
    with time_machine.travel(dt.datetime(2026, 11, 5, 9, 0, tzinfo=ZoneInfo("Asia/Shanghai")), tick=False), \
            django_capture_on_commit_callbacks(execute=True):
        observations_ingest(actor=hr, items=items)
    # The check ran as of today (after October): October 4 h against September 1 h.
    assert Alert.objects.filter(employee=emp, window_label="2026-10").count() == 1


def test_command_replays_a_day(world, monthly_rule, response_time):
    emp = world.emp(world.employee)
    put(emp, response_time, 1, "2026-02-10")
    put(emp, response_time, 3, "2026-03-10")
    from io import StringIO

    out = StringIO()
    call_command("evaluate-alerts", "--date", "2026-04-02", stdout=out)
    assert "1 alert(s) opened" in out.getvalue()
    call_command("evaluate-alerts", "--date", "2026-04-02", stdout=out)
    assert Alert.objects.count() == 1
    from django.core.management.base import CommandError

    with pytest.raises(CommandError):
        call_command("evaluate-alerts", "--date", "2026-02-30")


def test_the_check_is_set_based(world, hr, monthly_rule, response_time):
    """The same number of queries for 10 and 60 people: one aggregate per rule, not one per person."""
    def grow(total):
        unit = OrgUnitFactory(parent=world.rnd)
        lead = world.emp(world.lead)
        for _i in range(total):
            e = EmployeeFactory(org_unit=unit, job_family=world.engineering, manager=lead)
            put(e, response_time, 1, "2026-02-10")
            put(e, response_time, 3, "2026-03-10")

    counts = []
    for size in (10, 50):
        grow(size)
        Alert.objects.all().delete()
        with CaptureQueriesContext(connection) as queries:
            result = run("2026-04-02")
        # bulk inserts are split into batches by the backend's parameter limit; everything else is fixed
        counts.append(len([q for q in queries.captured_queries if not q["sql"].startswith("INSERT")]))
        assert len([q for q in queries.captured_queries if q["sql"].startswith("INSERT")]) <= 3
        assert result.opened == Alert.objects.count()
    assert Alert.objects.count() == 60
    assert counts[0] == counts[1], counts


# ---------------------------------------------------------------- what managers do


def test_acknowledge_and_resolve(world, monthly_rule, response_time):
    emp = world.emp(world.employee)
    put(emp, response_time, 1, "2026-02-10")
    put(emp, response_time, 3, "2026-03-10")
    run("2026-04-02")
    alert = Alert.objects.select_related("employee__org_unit").get()
    with pytest.raises(PermissionDenied):  # not about oneself
        alert_acknowledge(actor=actor_for(world.employee), alert=alert, note="ok")
    with pytest.raises(PermissionDenied):
        alert_acknowledge(actor=actor_for(world.outsider), alert=alert, note="ok")
    with pytest.raises(PermissionDenied):  # the technical admin sees it but does not handle it
        alert_acknowledge(actor=actor_for(world.admin), alert=alert, note="ok")
    with pytest.raises(InvalidInput) as exc:
        alert_acknowledge(actor=actor_for(world.lead), alert=alert, note="  ")
    assert "note" in exc.value.errors
    alert_acknowledge(actor=actor_for(world.lead), alert=alert, note="Paired on the backlog")
    alert.refresh_from_db()
    assert (alert.status, alert.action_note, alert.acknowledged_by) == (AlertStatus.ACKNOWLEDGED,
                                                                         "Paired on the backlog", world.lead)
    # the manager above and HR may handle it too
    assert access.can_acknowledge_alert(actor_for(world.manager), alert)
    assert access.can_resolve_alert(actor_for(world.hr), alert)
    alert_resolve(actor=actor_for(world.manager), alert=alert, note="Back on track")
    alert.refresh_from_db()
    assert (alert.status, alert.close_reason, alert.closed_by) == (AlertStatus.CLOSED, AlertCloseReason.RESOLVED,
                                                                    world.manager)
    with pytest.raises(Conflict):
        alert_resolve(actor=actor_for(world.lead), alert=alert)
    with pytest.raises(Conflict):
        alert_acknowledge(actor=actor_for(world.lead), alert=alert, note="late")
    from talentloop.core.audit.models import AuditEntry

    assert AuditEntry.objects.filter(entity_type="performance.alert", entity_id=str(alert.pk)).count() == 2


def test_who_sees_an_alert(world, hr, response_time):
    emp = world.emp(world.employee)
    rule = alert_rule_save(actor=hr, data={"name": "Quiet", "metric": response_time, "threshold_kind": "absolute",
                                           "threshold": D(1), "notify_employee": False})
    put(emp, response_time, 1, "2026-02-10")
    put(emp, response_time, 3, "2026-03-10")
    run("2026-04-02")
    seen = {p: access.visible_alerts(actor_for(getattr(world, p))).count()
            for p in ("employee", "lead", "manager", "mentor", "hr", "admin", "outsider")}
    assert seen == {"employee": 0, "lead": 1, "manager": 1, "mentor": 0, "hr": 1, "admin": 1, "outsider": 0}
    rule.notify_employee = True
    rule.save()
    assert access.visible_alerts(actor_for(world.employee)).count() == 1
    # HR scoped to sales does not see an alert about platform
    grant(world.outsider, "hr", world.sales)
    assert access.visible_alerts(actor_for(world.outsider)).count() == 0


def test_rule_validation(world, hr, response_time):
    headcount = metric_save(actor=hr, data={"key": "headcount", "name": "人数", "aggregation": Aggregation.LAST,
                                            "subject_kind": SubjectKind.ORG_UNIT})
    with pytest.raises(InvalidInput) as exc:
        alert_rule_save(actor=hr, data={"name": "x", "metric": headcount, "threshold": D(1)})
    assert "metric" in exc.value.errors
    with pytest.raises(InvalidInput) as exc:
        alert_rule_save(actor=hr, data={"name": "x", "metric": response_time, "threshold": D(0)})
    assert "threshold" in exc.value.errors
    with pytest.raises(PermissionDenied):
        alert_rule_save(actor=actor_for(world.manager), data={"name": "x", "metric": response_time,
                                                              "threshold": D(1)})
    grant(world.outsider, "hr", world.sales)
    scoped = actor_for(world.outsider)
    with pytest.raises(InvalidInput) as exc:
        alert_rule_save(actor=scoped, data={"name": "x", "metric": response_time, "threshold": D(1)})
    assert "org_unit" in exc.value.errors
    with pytest.raises(InvalidInput):
        alert_rule_save(actor=scoped, data={"name": "x", "metric": response_time, "threshold": D(1),
                                            "org_unit": world.platform})
    rule = alert_rule_save(actor=scoped, data={"name": "x", "metric": response_time, "threshold": D(1),
                                               "org_unit": world.sales})
    rule = alert_rule_save(actor=hr, rule=rule, data={"threshold": D(2)})
    assert AlertRule.objects.get().threshold == D(2)


# ---------------------------------------------------------------- pages and endpoints


@pytest.fixture
def an_alert(world, monthly_rule, response_time):
    emp = world.emp(world.employee)
    put(emp, response_time, 1, "2026-02-10")
    put(emp, response_time, 3, "2026-03-10")
    from talentloop.performance.services.alerts import notify_alerts

    run("2026-04-02")
    alert = Alert.objects.get()
    notify_alerts([alert.pk])
    return alert


def test_alert_pages(world, client_for, an_alert):
    lead = client_for("lead")
    page = lead.get("/performance/alerts/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "Slower responses" in html and "200.00% worse" in html and 'data-testid="notice"' in html
    detail = lead.get(f"/performance/alerts/{an_alert.pk}/")
    assert detail.status_code == 200 and "2026-02" in detail.content.decode()
    # an empty note: the form comes back with the error (422 for htmx), nothing changes
    bad = lead.post(f"/performance/alerts/{an_alert.pk}/acknowledge/", {"note": ""}, HTTP_HX_REQUEST="true")
    assert bad.status_code == 422
    an_alert.refresh_from_db()
    assert an_alert.status == AlertStatus.OPEN
    ok = lead.post(f"/performance/alerts/{an_alert.pk}/acknowledge/", {"note": "1:1 booked"}, HTTP_HX_REQUEST="true")
    assert ok.status_code == 200
    assert "1:1 booked" in ok.content.decode() and "<html" not in ok.content.decode()  # the card partial
    done = lead.post(f"/performance/alerts/{an_alert.pk}/resolve/", {"note": ""})
    assert done.status_code == 302
    an_alert.refresh_from_db()
    assert an_alert.status == AlertStatus.CLOSED
    closed = lead.get("/performance/alerts/?status=closed")
    assert "1:1 booked" in closed.content.decode()
    assert client_for("outsider").get(f"/performance/alerts/{an_alert.pk}/").status_code == 404
    read = lead.post("/performance/notices/read/")
    assert read.status_code == 302
    assert not Notification.objects.filter(recipient=world.emp(world.lead), kind="alert_opened",
                                           read_at__isnull=True).exists()


def test_alert_rule_pages(world, client_for, response_time, monthly_rule):
    hr = client_for("hr")
    assert "Slower responses" in hr.get("/performance/alert-rules/").content.decode()
    assert client_for("manager").get("/performance/alert-rules/").status_code == 404
    new = hr.post("/performance/alert-rules/new/", {
        "name": "Late", "metric": response_time.pk, "window": "rolling", "period_kind": "month",
        "window_days": "14", "baseline": "mean", "baseline_count": "4", "threshold_kind": "absolute",
        "threshold": "0.5", "is_active": "on"})
    assert new.status_code == 302, new.content.decode()[:2000]
    rule = AlertRule.objects.get(name="Late")
    assert (rule.window_days, rule.baseline_count, rule.threshold) == (14, 4, D("0.5"))
    bad = hr.post(f"/performance/alert-rules/{rule.pk}/", {"name": "Late", "metric": response_time.pk,
                                                           "window": "rolling", "period_kind": "month",
                                                           "window_days": "14", "baseline": "mean",
                                                           "baseline_count": "4", "threshold_kind": "absolute",
                                                           "threshold": "-1"})
    assert bad.status_code == 200 and "errorlist" in bad.content.decode()


def test_alert_api(world, api_client_for, an_alert):
    lead = api_client_for("lead")
    listed = lead.get("/api/v1/alerts")
    assert listed.status_code == 200
    assert listed.json()["count"] == 1
    [item] = listed.json()["items"]
    assert (item["id"], item["status"], item["employee"]["id"]) == (an_alert.pk, "open", an_alert.employee_id)
    assert item["evidence"]["change_pct"] == "200.00"
    assert api_client_for("outsider").get(f"/api/v1/alerts/{an_alert.pk}").status_code == 404
    bad = lead.post(f"/api/v1/alerts/{an_alert.pk}/acknowledge", {"note": ""}, content_type="application/json")
    assert bad.status_code == 422 and "note" in bad.json()["errors"]
    mine = api_client_for("employee").post(f"/api/v1/alerts/{an_alert.pk}/acknowledge", {"note": "x"},
                                           content_type="application/json")
    assert mine.status_code == 403
    ok = lead.post(f"/api/v1/alerts/{an_alert.pk}/acknowledge", {"note": "Coaching"},
                   content_type="application/json")
    assert ok.status_code == 200 and ok.json()["status"] == "acknowledged" and ok.json()["action_note"] == "Coaching"
    ok = lead.post(f"/api/v1/alerts/{an_alert.pk}/resolve", {"note": ""}, content_type="application/json")
    assert ok.status_code == 200 and ok.json()["close_reason"] == "resolved"
    again = lead.post(f"/api/v1/alerts/{an_alert.pk}/resolve", {}, content_type="application/json")
    assert again.status_code == 409
    assert lead.get("/api/v1/alerts?status=open").json() == {"items": [], "count": 0}


def test_alert_rule_api(world, api_client_for, response_time):
    hr = api_client_for("hr")
    body = {"name": "Slow", "metric": "response-time", "window": "period", "period_kind": "month",
            "baseline": "previous", "threshold_kind": "relative", "threshold": "50"}
    created = hr.post("/api/v1/alert-rules", body, content_type="application/json")
    assert created.status_code == 201, created.json()
    rule_id = created.json()["id"]
    assert created.json()["metric"] == "response-time"
    bad = hr.post("/api/v1/alert-rules", {**body, "metric": "nope"}, content_type="application/json")
    assert bad.status_code == 422 and "metric" in bad.json()["errors"]
    changed = hr.put(f"/api/v1/alert-rules/{rule_id}", {**body, "threshold": "75"}, content_type="application/json")
    assert changed.status_code == 200 and D(changed.json()["threshold"]) == D(75)
    assert api_client_for("manager").post("/api/v1/alert-rules", body, content_type="application/json"
                                          ).status_code == 403


WEB_BASE = 6  # session, user, actor: employee + roles + has-reports; the unread-notifications count of the bell
API_BASE = 4  # token+user, actor: employee + roles + has-reports


def _grow_alerts(world, response_time, size):
    """``size`` people under lead, each with a March decline, checked as of 2 April."""
    unit = OrgUnitFactory(parent=world.rnd)
    lead = world.emp(world.lead)
    for _i in range(size):
        e = EmployeeFactory(org_unit=unit, job_family=world.engineering, manager=lead)
        put(e, response_time, 1, "2026-02-10")
        put(e, response_time, 3, "2026-03-10")
    Alert.objects.all().delete()
    from talentloop.performance.services.alerts import notify_alerts

    run("2026-04-02")
    notify_alerts(list(Alert.objects.values_list("id", flat=True)))


@pytest.mark.parametrize("size", [3, 20])
def test_alert_list_query_count(world, client_for, api_client_for, monthly_rule, response_time, size):
    _grow_alerts(world, response_time, size)
    client = client_for("lead")
    with CaptureQueriesContext(connection) as queries:
        page = client.get("/performance/alerts/")
    assert page.status_code == 200
    assert len(page.context["alerts"]) == size
    # count + one page of alerts (rule, metric, person, manager joined) + the actor's notices
    # + their unread count
    assert len(queries) == WEB_BASE + 4, [q["sql"] for q in queries.captured_queries]
    api = api_client_for("lead")
    api.get("/api/v1/alerts")  # the token's first use stamps last_used_at
    with CaptureQueriesContext(connection) as queries:
        listed = api.get("/api/v1/alerts")
    assert len(listed.json()["items"]) == size == listed.json()["count"]
    assert len(queries) == API_BASE + 2  # the count and one page


@pytest.mark.parametrize("size", [2, 15])
def test_alert_rule_list_query_count(world, client_for, api_client_for, response_time, size):
    hr = actor_for(world.hr)
    for i in range(size):
        alert_rule_save(actor=hr, data={"name": f"R{i}", "metric": response_time, "threshold": D(1),
                                        "org_unit": world.platform if i % 2 else None})
    client = client_for("hr")
    with CaptureQueriesContext(connection) as queries:
        page = client.get("/performance/alert-rules/")
    assert page.status_code == 200 and len(page.context["rules"]) == size
    assert len(queries) == WEB_BASE + 1  # the rules with metric and org unit joined
    api = api_client_for("hr")
    api.get("/api/v1/alert-rules")
    with CaptureQueriesContext(connection) as queries:
        assert len(api.get("/api/v1/alert-rules").json()["items"]) == size
    assert len(queries) == API_BASE + 1
