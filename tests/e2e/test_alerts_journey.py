"""A manager on a phone acknowledges a decline alert: the notice, the evidence, what was done."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.e2e


def _decline(world):
    """Lead's average response time went from 1 h in February to 3 h in March; checked on 2 April."""
    from talentloop.core.access import actor_for
    from talentloop.performance.models import Aggregation, Direction, Observation
    from talentloop.performance.services.alerts import alert_rule_save, alerts_evaluate
    from talentloop.performance.services.config import metric_save

    hr = actor_for(world.hr)
    metric = metric_save(actor=hr, data={"key": "response-time", "name": "平均响应时间", "name_en": "Response time",
                                         "unit": "h", "direction": Direction.LOWER, "aggregation": Aggregation.AVG})
    alert_rule_save(actor=hr, data={"name": "响应变慢", "name_en": "Slower responses", "metric": metric,
                                    "threshold_kind": "relative", "threshold": Decimal(50)})
    lead = world.emp(world.lead)
    for i, (value, on) in enumerate([(1, "2026-02-10"), (2, "2026-03-05"), (4, "2026-03-25")]):
        day = dt.date.fromisoformat(on)
        Observation.objects.create(metric=metric, employee=lead, value=Decimal(value), occurred_on=day,
                                   occurred_at=dt.datetime.combine(day, dt.time(2), tzinfo=dt.UTC), source="crm",
                                   external_id=f"r{i}")
    # Committed for real (transactional test): the notice is sent after the commit, as in production.
    return alerts_evaluate(actor=None, as_of=dt.date(2026, 4, 2))


def test_manager_acknowledges_an_alert(world, new_page, sign_in, shot):
    from talentloop.performance.models import Alert, AlertStatus

    assert _decline(world).opened == 1
    page = new_page("phone")
    sign_in(page, "manager")
    page.goto("/performance/alerts/")
    expect(page.get_by_role("heading", name="Decline alerts")).to_be_visible()

    # The notice says who, what and how much worse, and links to the alert.
    notice = page.get_by_test_id("notice")
    expect(notice).to_have_count(1)
    expect(notice).to_contain_text("Lead")
    expect(notice).to_contain_text("from 1.00 h to 3.00 h in 2026-03 (200.00% worse)")
    card = page.get_by_test_id("alert-card")
    expect(card).to_have_count(1)
    expect(card.get_by_test_id("alert-status")).to_have_text("Open")
    expect(card.get_by_test_id("alert-evidence")).to_contain_text("1.00 → 3.00")
    # Nothing overflows the phone's width.
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    shot(page, "01-alerts")

    # The evidence: the judged month against the month before, with the number of observations.
    notice.get_by_role("link").click()
    expect(page).to_have_url(re.compile(r"/performance/alerts/\d+/$"))
    windows = page.get_by_test_id("alert-windows")
    expect(windows).to_contain_text("2026-03")
    expect(windows).to_contain_text("2026-02")
    expect(windows).to_contain_text("200.00%")
    shot(page, "02-evidence")

    # Acknowledging needs a note of what was done: an empty one is refused next to the field.
    page.get_by_test_id("acknowledge").click()
    expect(page.get_by_test_id("acknowledge-form").locator(".errorlist")).to_contain_text("Say what was done")
    assert Alert.objects.get().status == AlertStatus.OPEN
    shot(page, "03-note-required")

    page.get_by_label("What was done").fill("1:1 on Friday; moved two tickets to Mentor.")
    page.get_by_test_id("acknowledge").click()
    card = page.get_by_test_id("alert-card")
    expect(card.get_by_test_id("alert-status")).to_have_text("Acknowledged")
    expect(card.get_by_test_id("alert-action-note")).to_contain_text("moved two tickets")
    alert = Alert.objects.get()
    assert (alert.status, alert.action_note, alert.acknowledged_by) == (
        AlertStatus.ACKNOWLEDGED, "1:1 on Friday; moved two tickets to Mentor.", world.manager)
    shot(page, "04-acknowledged")

    # Later the manager resolves it; it moves to the closed alerts.
    page.get_by_test_id("resolve-form").locator("summary").click()
    page.get_by_test_id("resolve").click()
    expect(page.get_by_test_id("alert-closed")).to_contain_text("resolved by the manager")
    page.goto("/performance/alerts/")
    expect(page.get_by_test_id("alert-card")).to_have_count(0)
    page.get_by_test_id("filter-closed").click()
    expect(page.get_by_test_id("alert-card")).to_have_count(1)
    shot(page, "05-closed")


def _three_misses(world):
    """Platform (head: lead) delivers 6 tasks per head a month against a target of 10, as do its peers."""
    from talentloop.core.access import actor_for
    from talentloop.organisation.models import OrgUnit
    from talentloop.performance.models import Aggregation, Observation
    from talentloop.performance.services.config import metric_save, scorecard_save
    from talentloop.performance.services.rootcause import root_causes_evaluate
    from talentloop.testing.factories import EmployeeFactory, OrgUnitFactory

    hr = actor_for(world.hr)
    OrgUnit.objects.filter(pk=world.platform.pk).update(manager=world.emp(world.lead))
    tasks = metric_save(actor=hr, data={"key": "tasks-done", "name": "完成任务", "name_en": "Tasks done",
                                        "aggregation": Aggregation.SUM})
    scorecard_save(actor=hr, name="工程师", job_family=world.engineering, valid_from=dt.date(2025, 1, 1),
                   dimensions=[{"key": "delivery", "name": "交付", "weight": 100,
                                "metrics": [{"metric": tasks, "weight": 100, "target": 10}]}])
    people = [world.emp(world.lead), world.emp(world.mentor), world.emp(world.employee)]
    for code in ("infra", "qa"):
        unit = OrgUnitFactory(code=code, name=code, name_en=code.title(), parent=world.rnd)
        people += [EmployeeFactory(org_unit=unit, job_family=world.engineering) for _i in range(3)]
    rows = []
    for month in ("2025-12", "2026-01", "2026-02", "2026-03", "2026-04", "2026-05", "2026-06"):
        day = dt.date.fromisoformat(f"{month}-10")
        for person in people:
            rows.append(Observation(metric=tasks, employee=person, value=Decimal(6), occurred_on=day,
                                    occurred_at=dt.datetime.combine(day, dt.time(2), tzinfo=dt.UTC),
                                    source="git", external_id=f"{person.pk}-{month}"))
    Observation.objects.bulk_create(rows)
    return root_causes_evaluate(actor=None, as_of=dt.date(2026, 7, 2))


def test_unit_head_records_a_root_cause_decision(world, new_page, sign_in, shot):
    from talentloop.performance.models import RootCauseReview

    assert _three_misses(world).opened >= 1
    page = new_page("phone")
    sign_in(page, "lead")
    page.goto("/performance/alerts/")
    notice = page.get_by_test_id("notice")
    expect(notice).to_contain_text("Platform missed its Tasks done target 7 periods in a row")
    notice.get_by_role("link").click()
    expect(page.get_by_test_id("review-title")).to_have_text("Platform · Tasks done")
    cause = page.get_by_test_id("cause-target_too_high")
    expect(cause).to_contain_text("holds · strong")
    expect(cause).to_contain_text("1.2 × 6.00 = 7.20")
    expect(page.get_by_test_id("suggested-actions")).to_contain_text("Adjust the target")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    shot(page, "01-review")
    page.select_option("#id_decision", "adjust_target")
    page.fill("#id_note", "Target 7 from next quarter, agreed with HR.")
    with page.expect_navigation():
        page.get_by_test_id("decide").click()
    expect(page.get_by_test_id("decision-recorded")).to_contain_text("Adjust the target")
    review = RootCauseReview.objects.get(org_unit=world.platform)
    assert (review.status, review.decision) == ("decided", "adjust_target")
    shot(page, "02-decided")
