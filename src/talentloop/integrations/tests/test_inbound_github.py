"""GitHub's webhooks through POST /api/v1/connectors/<key>/events: GitHub's published example payloads
become facts and observations; a wrong signature, a replay and an unknown shape are refused."""

from __future__ import annotations

import copy
import hashlib
import hmac
import json
from decimal import Decimal as D

import pytest
import time_machine

from talentloop.core.access import actor_for
from talentloop.integrations.models import InboundDelivery, ToolAccount, ToolEvent, ToolEventStatus
from talentloop.integrations.services.connector_events import tool_account_match
from talentloop.integrations.tests.inbound_support import (
    NOW,
    SECRET,
    make_connector,
    observations,
    payload,
    post,
    send,
    signed_headers,
)

pytestmark = pytest.mark.django_db

ALL = ("merged", "review", "revert", "issue_closed")


@pytest.fixture(autouse=True)
def _frozen():
    with time_machine.travel(NOW, tick=False):
        yield


def _merged(login="employee", **changes) -> dict:
    body = payload("github", "pull_request_merged")
    body["pull_request"]["user"]["login"] = login
    body["pull_request"].update(changes)
    return body


def test_the_published_merged_pull_request_becomes_a_fact_and_an_observation(
        client, world, django_capture_on_commit_callbacks):
    connector = make_connector(world, "github", kinds=ALL)
    with django_capture_on_commit_callbacks(execute=True):
        response = send(client, connector, _merged(), delivery="72d3162e-cc78-11e3-81ab-4c9367dc0958")
    assert response.status_code == 202, response.content
    assert response.json()["event"] == "pull_request: closed"
    assert response.json()["new"] == 1
    event = ToolEvent.objects.get()
    assert (event.event_kind, event.external_id, event.status) == (
        "merged", "pr:Codertocat/Hello-World:2", ToolEventStatus.RECORDED)
    assert event.occurred_at.isoformat() == "2026-11-18T09:12:00+00:00"
    assert observations(connector) == [(world.emp(world.employee).pk, "changes-merged", D(1), True)]


def test_a_closed_unmerged_pull_request_and_a_ping_count_nothing(client, world):
    connector = make_connector(world, "github", kinds=ALL)
    closed = _merged(merged=False, merged_at=None)
    assert send(client, connector, closed).json()["facts"] == 0
    ping = {"zen": "Design for failure.", "hook_id": 109948940, "hook": {"type": "Repository", "active": True}}
    response = send(client, connector, ping, event="ping")
    assert response.status_code == 202 and response.json()["event"] == "ping"
    assert not ToolEvent.objects.exists() and InboundDelivery.objects.count() == 2


def test_a_review_an_edited_review_and_a_dismissed_one(client, world, django_capture_on_commit_callbacks):
    connector = make_connector(world, "github", kinds=ALL)
    review = payload("github", "pull_request_review_submitted")
    review["review"]["user"]["login"] = "manager"
    with django_capture_on_commit_callbacks(execute=True):
        first = send(client, connector, review, event="pull_request_review")
        edited = copy.deepcopy(review)
        edited["action"] = "edited"
        edited["review"]["body"] = "Looks good to me, with one nit."
        again = send(client, connector, edited, event="pull_request_review")
        dismissed = copy.deepcopy(review)
        dismissed["action"] = "dismissed"
        dismissed["review"]["state"] = "dismissed"
        nothing = send(client, connector, dismissed, event="pull_request_review")
    assert (first.json()["new"], again.json()["unchanged"], nothing.json()["facts"]) == (1, 1, 0)
    assert ToolEvent.objects.get().external_id == "review:Codertocat/Hello-World:237895671"
    assert observations(connector) == [(world.emp(world.manager).pk, "reviews-given", D(1), True)]


def test_an_edit_of_a_fact_is_kept_as_its_latest_state(client, world, django_capture_on_commit_callbacks):
    connector = make_connector(world, "github", kinds=ALL)
    with django_capture_on_commit_callbacks(execute=True):
        send(client, connector, _merged())
    with django_capture_on_commit_callbacks(execute=True):
        # The same pull request sent again with another merge time: the fact is changed and recorded
        # again; its value (one merge) is the same, so the observation stands (the ingestion corrects
        # values, and a count of one merge is one merge).
        response = send(client, connector, _merged(merged_at="2026-11-18T10:00:00Z"))
    assert response.json()["changed"] == 1
    event = ToolEvent.objects.get()
    assert (event.occurred_at.isoformat(), event.status) == ("2026-11-18T10:00:00+00:00", ToolEventStatus.RECORDED)
    assert observations(connector) == [(world.emp(world.employee).pk, "changes-merged", D(1), True)]


def test_a_revert_and_an_issue_closed(client, world, django_capture_on_commit_callbacks):
    connector = make_connector(world, "github", kinds=ALL)
    revert = payload("github", "pull_request_revert")
    revert["pull_request"]["user"]["login"] = "manager"
    issue = payload("github", "issues_closed")
    issue["sender"]["login"] = "mentor"
    with django_capture_on_commit_callbacks(execute=True):
        send(client, connector, _merged())
        assert send(client, connector, revert).json()["facts"] == 2
        assert send(client, connector, issue, event="issues").json()["new"] == 1
    assert ToolEvent.objects.get(event_kind="revert").external_id == "revert:pr:Codertocat/Hello-World:2"
    assert sorted(observations(connector)) == sorted([
        (world.emp(world.employee).pk, "changes-merged", D(1), True),
        (world.emp(world.manager).pk, "changes-merged", D(1), True),
        (world.emp(world.employee).pk, "changes-reverted", D(1), True),
        (world.emp(world.mentor).pk, "issues-closed", D(1), True)])


def _signature(body: bytes, secret: str) -> str:
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


@pytest.mark.parametrize("case", ["missing", "other-secret", "sha1", "tampered", "no-delivery-id"])
def test_a_missing_or_wrong_signature_is_refused_and_nothing_is_written(client, world, case):
    connector = make_connector(world, "github", kinds=ALL)
    body = json.dumps(_merged()).encode()
    headers = {"X-GitHub-Event": "pull_request", "X-GitHub-Delivery": "d-1",
               "X-Hub-Signature-256": _signature(body, SECRET)}
    if case == "missing":
        del headers["X-Hub-Signature-256"]
    elif case == "other-secret":
        headers["X-Hub-Signature-256"] = _signature(body, "another")
    elif case == "sha1":
        headers["X-Hub-Signature-256"] = "sha1=" + hmac.new(SECRET.encode(), body, hashlib.sha1).hexdigest()
    elif case == "tampered":
        body = body.replace(b"employee", b"manager")
    else:
        del headers["X-GitHub-Delivery"]
    response = post(client, connector.key, body, headers)
    assert response.status_code == 401
    assert not InboundDelivery.objects.exists() and not ToolEvent.objects.exists()


def test_a_replay_is_refused_and_a_redelivery_adds_no_observation(client, world, django_capture_on_commit_callbacks):
    connector = make_connector(world, "github", kinds=ALL)
    with django_capture_on_commit_callbacks(execute=True):
        assert send(client, connector, _merged(), delivery="g-1").status_code == 202
        assert send(client, connector, _merged(), delivery="g-1").status_code == 401
        assert send(client, connector, _merged(), delivery="g-2").json()["unchanged"] == 1
    assert len(observations(connector)) == 1


def test_an_unmatched_account_waits_until_hr_matches_it(client, world, django_capture_on_commit_callbacks):
    connector = make_connector(world, "github", kinds=ALL)
    with django_capture_on_commit_callbacks(execute=True):
        send(client, connector, payload("github", "pull_request_merged"))  # Codertocat
    assert ToolEvent.objects.get().status == ToolEventStatus.UNMATCHED
    with django_capture_on_commit_callbacks(execute=True):
        tool_account_match(actor=actor_for(world.hr), account=ToolAccount.objects.get(handle="Codertocat"),
                           employee=world.emp(world.lead))
    assert observations(connector) == [(world.emp(world.lead).pk, "changes-merged", D(1), True)]


@pytest.mark.parametrize(("event", "body", "reason"), [
    ("pull_request", b'{"action": "closed", "pull_request": {"number": 2}}', "pull_request.user"),
    ("pull_request_review", b'{"action": "submitted"}', "review"),
    ("issues", b"not json at all", "JSON"),
    ("", b"{}", "X-GitHub-Event"),
])
def test_an_unknown_shape_is_kept_as_rejected_with_its_reason(client, world, event, body, reason):
    connector = make_connector(world, "github", kinds=ALL)
    headers = signed_headers("github", body, delivery="bad-1", event=event or "x")
    if not event:
        del headers["X-GitHub-Event"]
    response = post(client, connector.key, body, headers)
    assert response.status_code == 422
    assert reason in response.json()["detail"]
    delivery = InboundDelivery.objects.get()
    assert delivery.status == "rejected" and reason in delivery.error
    assert not ToolEvent.objects.exists()
