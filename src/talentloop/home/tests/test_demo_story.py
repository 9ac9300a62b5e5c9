"""``talentloop demo`` tells the product's story: alert rules with a few open alerts, Web Push keys, feedback,
mentee survey answers over the confidentiality floor, a new hire with an open onboarding checklist and
believable organisation figures (no 30 % attainment, no unit at 0 %). ``make demo PORT=…`` follows the port.

The demo is loaded once for the module at a fixed date, and rolled back at the end."""

from __future__ import annotations

import datetime as dt
import shutil
import subprocess
from io import StringIO
from pathlib import Path

import pytest
import time_machine
from django.core.management import call_command
from django.db import transaction
from django.db.models import Count
from django.test import Client

pytestmark = pytest.mark.django_db

NOW = dt.datetime(2026, 11, 20, 2, 0, tzinfo=dt.UTC)  # 10:00 in Shanghai
ROOT = Path(__file__).resolve().parents[4]


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    with time_machine.travel(NOW, tick=False), django_db_blocker.unblock(), transaction.atomic():
        out = StringIO()
        call_command("demo", skip_migrate=True, stdout=out)
        yield out.getvalue()
        transaction.set_rollback(True)


def test_alert_rules_with_a_few_open_alerts(demo):
    from talentloop.performance.models import Alert, AlertRule, AlertStatus

    assert AlertRule.objects.filter(is_active=True).count() >= 2
    open_alerts = Alert.objects.filter(status=AlertStatus.OPEN).count()
    assert 1 <= open_alerts <= 40, open_alerts
    assert "open alerts" in demo


def test_web_push_keys(demo):
    from talentloop.notifications.models import VapidKeys

    keys = VapidKeys.objects.get()
    assert keys.public_key and keys.subject.startswith("mailto:")


def test_the_demo_events_fill_the_inboxes(demo):
    """Mentoring's reminders, escalations and surveys are notifications, written with the events."""
    from talentloop.notifications.models import Notification

    kinds = set(Notification.objects.values_list("kind", flat=True))
    assert kinds & {"session_due", "item_overdue", "survey_due"}, kinds


def test_feedback_between_colleagues(demo):
    from talentloop.performance.models import Feedback

    assert Feedback.objects.count() >= 3
    got = set(Feedback.objects.values_list("recipient__user__username", flat=True))
    assert {"employee", "newgrad", "mentor"} <= got


def test_survey_answers_over_the_floor_for_the_demo_mentor(demo):
    from talentloop.mentoring.models import SurveyAnswer
    from talentloop.mentoring.selectors_effectiveness import current_config

    floor = max(3, getattr(current_config(), "min_answers", 3))
    per_mentor = dict(
        SurveyAnswer.objects.values_list("survey__plan__mentor__employee__user__username").annotate(
            n=Count("survey__plan__mentee", distinct=True)
        )
    )
    assert per_mentor.get("mentor", 0) >= floor, per_mentor
    assert all(n >= floor for n in per_mentor.values()), per_mentor
    # Answers are facts of the past: each answered while its survey was open.
    for answer in SurveyAnswer.objects.select_related("survey"):
        assert answer.survey.sent_on <= answer.answered_at.date() <= answer.survey.closes_on


def test_a_new_hire_with_an_open_onboarding_checklist(demo):
    from talentloop.onboarding.models import Checklist

    checklist = Checklist.objects.get(employee__user__username="newgrad")
    assert checklist.completed_at is None
    assert checklist.steps.filter(done_at__isnull=True).exists()
    assert checklist.steps.filter(done_at__isnull=False).exists()


def _hr_client() -> Client:
    from talentloop.accounts.models import User

    client = Client()
    client.force_login(User.objects.get(username="hr"))
    return client


def test_believable_organisation_figures(demo):
    with time_machine.travel(NOW, tick=False):
        response = _hr_client().get("/performance/organisation/")
    assert response.status_code == 200
    overall = response.context["overall"]
    assert 55 <= overall <= 90, overall  # not the 30.9 % of old
    rates = {row["unit"].code: row["rate"] for row in response.context["unit_rows"]}
    assert rates and all(rate is not None and rate >= 20 for rate in rates.values()), rates  # no unit at 0 %


def test_org_dashboard_draws_few_lines_on_the_demo(demo):
    client = _hr_client()
    with time_machine.travel(NOW, tick=False):
        page = client.get("/performance/organisation/")
        every = client.get("/performance/organisation/", {"lines": "all"})
    metric_lines = page.context["metric_chart"]["series"]
    assert len(metric_lines) <= 10 < len(every.context["metric_chart"]["series"])
    assert page.context["metrics_left_out"] == len(every.context["metric_chart"]["series"]) - len(metric_lines)
    html = page.content.decode()
    assert 'data-testid="metric-lines-toggle"' in html and "lines=all" in html


@pytest.mark.skipif(shutil.which("make") is None, reason="needs make")
def test_make_demo_follows_the_port():
    dry = subprocess.run(["make", "-n", "demo", "PORT=8080"], cwd=ROOT, capture_output=True, text=True, check=True)
    lines = [line for line in dry.stdout.splitlines() if "talentloop" in line and ("demo" in line or "serve" in line)]
    assert any("demo --url http://127.0.0.1:8080/" in line for line in lines), dry.stdout
    assert any(line.rstrip().endswith("serve 127.0.0.1:8080") for line in lines), dry.stdout
    default = subprocess.run(["make", "-n", "demo"], cwd=ROOT, capture_output=True, text=True, check=True).stdout
    assert "serve 127.0.0.1:8000" in default
