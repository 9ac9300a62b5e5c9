"""Jira Cloud's webhooks through POST /api/v1/connectors/<key>/events: an issue moved to done gives
its assignee an issue done and its story points; a change of the points corrects them; a reopening
counts; a wrong signature, a replay and an unknown shape are refused."""

from __future__ import annotations

import copy
from decimal import Decimal as D

import pytest
import time_machine

from talentloop.core.access import actor_for
from talentloop.integrations.connectors.jira.webhook import KIND
from talentloop.integrations.models import InboundDelivery, ToolAccount, ToolEvent, ToolEventStatus
from talentloop.integrations.services.connector_events import tool_account_match
from talentloop.integrations.tests.inbound_support import (
    NOW,
    make_connector,
    observations,
    payload,
    post,
    send,
    signed_headers,
)

pytestmark = pytest.mark.django_db

ALL = ("issue_done", "story_points", "issue_reopened")
MIA = "5b10ac8d82e05b22cc7d4ef5"


@pytest.fixture(autouse=True)
def _frozen():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def matched(world):
    """The example's assignee (Mia's accountId) is the employee persona."""
    connector = make_connector(world, "jira", kinds=ALL)
    ToolAccount.objects.create(connector=connector, handle=MIA, employee=world.emp(world.employee),
                               matched_by="person")
    return connector


def test_the_published_example_gives_an_issue_done_and_its_story_points(
        client, world, matched, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = send(client, matched, payload("jira", "issue_updated_done"), delivery="jira-1")
    assert response.status_code == 202, response.content
    assert response.json() == {"delivery_id": "jira-1", "event": "jira:issue_updated", "facts": 2, "skipped": 0,
                               "new": 2, "changed": 0, "unchanged": 0}
    facts = {e.external_id: (e.event_kind, e.value, e.occurred_at.isoformat())
             for e in ToolEvent.objects.all()}
    assert facts == {"done:MYPROJECT-154": ("issue_done", D(1), "2026-11-18T09:00:00+00:00"),
                     "points:MYPROJECT-154": ("story_points", D(5), "2026-11-18T09:00:00+00:00")}
    employee = world.emp(world.employee).pk
    assert sorted(observations(matched)) == [(employee, "issues-done", D(1), True),
                                             (employee, "story-points", D(5), True)]


def test_a_change_of_the_story_points_corrects_them_and_a_reopening_counts(
        client, world, matched, django_capture_on_commit_callbacks):
    # Each delivery is recorded before the next one arrives.
    with django_capture_on_commit_callbacks(execute=True):
        send(client, matched, payload("jira", "issue_updated_done"))
    with django_capture_on_commit_callbacks(execute=True):
        edited = send(client, matched, payload("jira", "issue_updated_points"))
    with django_capture_on_commit_callbacks(execute=True):
        reopened = send(client, matched, payload("jira", "issue_updated_reopened"))
    assert (edited.json()["changed"], reopened.json()["new"]) == (1, 1)
    assert ToolEvent.objects.get(event_kind="issue_reopened").external_id == "reopened:MYPROJECT-154:1795082400000"
    employee = world.emp(world.employee).pk
    assert observations(matched) == [
        (employee, "issues-done", D(1), True),
        (employee, "story-points", D(5), False),
        (employee, "story-points", D(8), True),
        (employee, "issues-reopened", D(1), True),
    ]


def test_the_done_statuses_and_the_story_points_field_come_from_the_settings(client, world):
    connector = make_connector(world, "jira", config={"done_statuses": ["Shipped"],
                                                      "story_points_field": "customfield_10026"})
    body = payload("jira", "issue_updated_done")
    body["issue"]["fields"].update(status={"name": "Shipped", "statusCategory": {"key": "indeterminate"}},
                                   customfield_10026=3, customfield_10016=None)
    body["changelog"]["items"][1]["toString"] = "Shipped"
    assert send(client, connector, body).json()["facts"] == 2
    assert ToolEvent.objects.get(event_kind="story_points").value == D(3)
    # Into a status neither in the list nor of the done category: nothing.
    body["issue"]["fields"]["status"] = {"name": "Review", "statusCategory": {"key": "indeterminate"}}
    body["changelog"]["items"][1]["toString"] = "Review"
    body["issue"]["key"] = "MYPROJECT-155"
    assert send(client, connector, body).json()["facts"] == 0


def test_an_issue_without_assignee_counts_for_who_moved_it_and_empty_points_are_skipped():
    body = payload("jira", "issue_updated_done")
    body["issue"]["fields"].update(assignee=None, customfield_10016=None)
    import json

    facts = KIND.parse({}, json.dumps(body).encode(), {}).facts
    assert [(f.event_kind, f.account.handle, f.account.email) for f in facts] == [
        ("issue_done", "557058:c9ebf848-dfac-4c49-9408-dc34bd0e2d85", "paul@example.com")]


def test_created_issues_and_other_events_count_nothing(client, world, matched):
    created = copy.deepcopy(payload("jira", "issue_updated_done"))
    created["webhookEvent"] = "jira:issue_created"
    assert send(client, matched, created).json() | {"delivery_id": ""} == {
        "delivery_id": "", "event": "jira:issue_created", "facts": 0, "skipped": 0, "new": 0, "changed": 0,
        "unchanged": 0}
    comment = {"timestamp": 1794992400000, "webhookEvent": "comment_created", "comment": {"id": "10000"}}
    assert send(client, matched, comment).status_code == 202
    assert not ToolEvent.objects.exists()


def test_an_unmatched_assignee_waits_until_hr_matches_them(client, world, django_capture_on_commit_callbacks):
    connector = make_connector(world, "jira", kinds=ALL)
    with django_capture_on_commit_callbacks(execute=True):
        send(client, connector, payload("jira", "issue_updated_done"))
    assert set(ToolEvent.objects.values_list("status", flat=True)) == {ToolEventStatus.UNMATCHED}
    account = ToolAccount.objects.get(handle=MIA)
    assert (account.email, account.display_name) == ("mia@example.com", "Mia Krystof")
    with django_capture_on_commit_callbacks(execute=True):
        tool_account_match(actor=actor_for(world.hr), account=account, employee=world.emp(world.manager))
    assert sorted(observations(connector)) == [(world.emp(world.manager).pk, "issues-done", D(1), True),
                                               (world.emp(world.manager).pk, "story-points", D(5), True)]


@pytest.mark.parametrize("case", ["missing", "wrong", "no-delivery-id"])
def test_a_missing_or_wrong_signature_is_refused_and_nothing_is_written(client, world, case):
    connector = make_connector(world, "jira", kinds=ALL)
    import json

    body = json.dumps(payload("jira", "issue_updated_done")).encode()
    headers = signed_headers("jira", body, delivery="j-1")
    if case == "missing":
        del headers["X-Hub-Signature"]
    elif case == "wrong":
        headers = signed_headers("jira", body, delivery="j-1", secret="not-the-secret")
    else:
        del headers["X-Atlassian-Webhook-Identifier"]
    assert post(client, connector.key, body, headers).status_code == 401
    assert not InboundDelivery.objects.exists() and not ToolEvent.objects.exists()


def test_a_replay_is_refused_and_a_redelivery_adds_no_observation(
        client, world, matched, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        assert send(client, matched, payload("jira", "issue_updated_done"), delivery="j-1").status_code == 202
        assert send(client, matched, payload("jira", "issue_updated_done"), delivery="j-1").status_code == 401
        assert send(client, matched, payload("jira", "issue_updated_done"), delivery="j-2").json()["unchanged"] == 2
    assert len(observations(matched)) == 2


@pytest.mark.parametrize(("body", "reason"), [
    (b'{"webhookEvent": "jira:issue_updated", "issue": {"fields": {}}}', "issue.key"),
    (b'{"issue": {"key": "A-1"}}', "webhookEvent"),
    (b"\xff\xfe not json", "JSON"),
])
def test_an_unknown_shape_is_kept_as_rejected_with_its_reason(client, world, matched, body, reason):
    response = post(client, matched.key, body, signed_headers("jira", body, delivery="bad-1"))
    assert response.status_code == 422
    assert reason in response.json()["detail"]
    delivery = InboundDelivery.objects.get()
    assert delivery.status == "rejected" and reason in delivery.error
