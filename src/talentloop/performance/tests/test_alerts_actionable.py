"""Alerts people can act on: an acknowledged alert leaves the home count, and the alert's history
says who acknowledged (each time) and who resolved it, and when."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine

from talentloop.core.access import actor_for
from talentloop.performance.models import Alert
from talentloop.performance.selectors_alerts import alert_history
from talentloop.performance.services.alerts import alert_acknowledge, alert_resolve
from talentloop.performance.tests.test_alerts import hr, monthly_rule, put, response_time, run  # noqa: F401

pytestmark = pytest.mark.django_db

UTC = dt.UTC


@pytest.fixture
def alert(world, monthly_rule, response_time):  # noqa: F811
    # February 1 h, March 3 h: 200 % slower than the previous month (the rule: 50 %) → one alert
    emp = world.emp(world.employee)
    put(emp, response_time, 1, "2026-02-10")
    put(emp, response_time, 3, "2026-03-10")
    with time_machine.travel(dt.datetime(2026, 4, 2, 1, 0, tzinfo=UTC), tick=False):
        run("2026-04-02")
    return Alert.objects.select_related("employee__org_unit").get()


def _home_alerts(user):
    from talentloop.core.access import actor_for as af
    from talentloop.home.selectors.base import Ctx
    from talentloop.home.selectors.performance import alerts

    actor = af(user)
    return alerts(Ctx(actor=actor, today=dt.date(2026, 4, 2)))


def test_an_acknowledged_alert_leaves_the_home_count(world, alert):
    lead = _home_alerts(world.lead)
    assert lead.alert_count == 1 and [a.pk for a in lead.alerts] == [alert.pk]
    alert_acknowledge(actor=actor_for(world.lead), alert=alert, note="Paired on the backlog")
    # nothing waits for the lead any more: no alerts card at all
    assert _home_alerts(world.lead) is None
    # the alert is still open on the alerts page until it is resolved or recovers
    from talentloop.performance.selectors_alerts import alert_list

    assert [a.pk for a in alert_list(actor_for(world.lead), status="open")[0]] == [alert.pk]


def test_the_history_records_who_acknowledged_and_when(world, alert, client_for):
    with time_machine.travel(dt.datetime(2026, 4, 3, 2, 0, tzinfo=UTC), tick=False):
        alert_acknowledge(actor=actor_for(world.lead), alert=alert, note="Paired on the backlog")
    with time_machine.travel(dt.datetime(2026, 4, 8, 2, 0, tzinfo=UTC), tick=False):
        alert_acknowledge(actor=actor_for(world.manager), alert=alert, note="Moved one project away")
    with time_machine.travel(dt.datetime(2026, 4, 20, 2, 0, tzinfo=UTC), tick=False):
        alert_resolve(actor=actor_for(world.hr), alert=alert, note="Back on track")
    alert.refresh_from_db()
    events = [(e["kind"], e["who"], e["at"].date()) for e in alert_history(alert)]
    # both acknowledgements stay in the history (the second does not hide the first)
    assert events[1:] == [
        ("acknowledged", world.lead.display_name or world.lead.username, dt.date(2026, 4, 3)),
        ("acknowledged", world.manager.display_name or world.manager.username, dt.date(2026, 4, 8)),
        ("resolved", world.hr.display_name or world.hr.username, dt.date(2026, 4, 20)),
    ]
    assert events[0][0] == "opened"
    page = client_for("lead").get(f"/performance/alerts/{alert.pk}/", HTTP_ACCEPT_LANGUAGE="en")
    html = page.content.decode()
    assert page.status_code == 200
    assert html.count('data-testid="alert-event-acknowledged"') == 2
    assert f"Acknowledged by {world.lead.display_name or world.lead.username}" in html
    assert 'data-testid="alert-event-resolved"' in html


def test_the_api_says_who_acknowledged(world, alert, api_client_for):
    lead = api_client_for("lead")
    assert lead.get(f"/api/v1/alerts/{alert.pk}").json()["acknowledged_by"] is None
    answer = lead.post(
        f"/api/v1/alerts/{alert.pk}/acknowledge", {"note": "Paired on the backlog"}, content_type="application/json"
    ).json()
    who = world.lead.display_name or world.lead.username
    assert (answer["status"], answer["acknowledged_by"]) == ("acknowledged", who)
    assert [a["acknowledged_by"] for a in lead.get("/api/v1/alerts").json()["items"] if a["id"] == alert.pk] == [who]
