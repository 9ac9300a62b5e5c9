"""GitLab's webhooks through POST /api/v1/connectors/<key>/events: GitLab's published example payloads
become facts and observations; a wrong token, a replay and an unknown shape are refused."""

from __future__ import annotations

import copy
from decimal import Decimal as D

import pytest
import time_machine

from talentloop.core.access import actor_for
from talentloop.integrations.connectors.gitlab.webhook import KIND
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


@pytest.fixture(autouse=True)
def _frozen():
    with time_machine.travel(NOW, tick=False):
        yield

ALL = ("merged", "review", "revert", "issue_closed")


def _as(body: dict, username: str) -> dict:
    body = copy.deepcopy(body)
    body["user"].update(username=username, email="[REDACTED]", name=username.title())
    return body


def test_the_published_merge_request_example_becomes_a_merged_fact_and_an_observation(
        client, world, django_capture_on_commit_callbacks):
    connector = make_connector(world, "gitlab", kinds=ALL)
    with django_capture_on_commit_callbacks(execute=True):
        response = send(client, connector, _as(payload("gitlab", "merge_request_merged"), "employee"),
                        delivery="7f4a-merge")
    assert response.status_code == 202, response.content
    assert response.json() == {"delivery_id": "7f4a-merge", "event": "Merge Request Hook: merge", "facts": 1,
                               "skipped": 0, "new": 1, "changed": 0, "unchanged": 0}
    event = ToolEvent.objects.get()
    assert (event.event_kind, event.external_id, event.status) == ("merged", "mr:1:1", ToolEventStatus.RECORDED)
    assert event.occurred_at.isoformat() == "2026-11-18T09:12:00+00:00"
    assert observations(connector) == [(world.emp(world.employee).pk, "changes-merged", D(1), True)]
    delivery = InboundDelivery.objects.get()
    assert (delivery.delivery_id, delivery.status, delivery.payload) == ("7f4a-merge", "accepted", None)


def test_an_approval_an_issue_closed_and_an_opened_merge_request(client, world, django_capture_on_commit_callbacks):
    connector = make_connector(world, "gitlab", kinds=ALL)
    with django_capture_on_commit_callbacks(execute=True):
        approval = send(client, connector, _as(payload("gitlab", "merge_request_approval"), "manager"))
        # The last required approval sends "approved" too: the same review, not a second one.
        approved = payload("gitlab", "merge_request_approval")
        approved["object_attributes"]["action"] = "approved"
        again = send(client, connector, _as(approved, "manager"))
        closed = send(client, connector, _as(payload("gitlab", "issue_closed"), "employee"), event="Issue Hook")
        opened = payload("gitlab", "merge_request_merged")
        opened["object_attributes"].update(action="open", state="opened", merged_at=None)
        counted_nothing = send(client, connector, opened)
    assert [r.status_code for r in (approval, again, closed, counted_nothing)] == [202, 202, 202, 202]
    assert (again.json()["unchanged"], counted_nothing.json()["facts"]) == (1, 0)
    assert dict(ToolEvent.objects.values_list("external_id", "event_kind")) == {
        "review:1:1:manager": "review", "issue:1:23": "issue_closed"}
    assert sorted(observations(connector)) == sorted([
        (world.emp(world.manager).pk, "reviews-given", D(1), True),
        (world.emp(world.employee).pk, "issues-closed", D(1), True)])
    assert InboundDelivery.objects.filter(status="accepted").count() == 4


def test_a_revert_counts_for_the_author_of_the_reverted_change(client, world, django_capture_on_commit_callbacks):
    connector = make_connector(world, "gitlab", kinds=ALL)
    with django_capture_on_commit_callbacks(execute=True):
        send(client, connector, _as(payload("gitlab", "merge_request_merged"), "employee"))
        response = send(client, connector, _as(payload("gitlab", "merge_request_revert"), "manager"))
    assert response.json()["facts"] == 2
    assert ToolEvent.objects.get(event_kind="revert").external_id == "revert:mr:1:1"
    assert sorted(observations(connector)) == sorted([
        (world.emp(world.employee).pk, "changes-merged", D(1), True),
        (world.emp(world.manager).pk, "changes-merged", D(1), True),
        (world.emp(world.employee).pk, "changes-reverted", D(1), True)])


def test_a_revert_of_a_change_never_received_is_skipped(client, world):
    connector = make_connector(world, "gitlab", kinds=ALL)
    response = send(client, connector, _as(payload("gitlab", "merge_request_revert"), "manager"))
    assert response.status_code == 202
    assert (response.json()["facts"], response.json()["skipped"]) == (1, 1)
    assert list(ToolEvent.objects.values_list("event_kind", flat=True)) == ["merged"]


@pytest.mark.parametrize("headers", [
    {"X-Gitlab-Event": "Merge Request Hook", "X-Gitlab-Event-UUID": "d-1"},
    {"X-Gitlab-Token": "wrong", "X-Gitlab-Event": "Merge Request Hook", "X-Gitlab-Event-UUID": "d-1"},
    {"X-Gitlab-Token": SECRET[:-1], "X-Gitlab-Event": "Merge Request Hook", "X-Gitlab-Event-UUID": "d-1"},
    {"X-Gitlab-Token": SECRET, "X-Gitlab-Event": "Merge Request Hook"},  # no delivery id
], ids=["missing", "wrong", "almost", "no-delivery-id"])
def test_a_missing_or_wrong_token_is_refused_and_nothing_is_written(client, world, headers):
    connector = make_connector(world, "gitlab", kinds=ALL)
    response = post(client, connector.key, payload("gitlab", "merge_request_merged"), headers)
    assert response.status_code == 401
    assert response.json()["detail"]
    assert not InboundDelivery.objects.exists() and not ToolEvent.objects.exists()
    assert not ToolAccount.objects.exists()


def test_the_idempotency_key_names_the_delivery_when_the_uuid_is_missing(client, world):
    connector = make_connector(world, "gitlab")
    headers = {"X-Gitlab-Token": SECRET, "X-Gitlab-Event": "Merge Request Hook", "Idempotency-Key": "idem-1"}
    assert post(client, connector.key, payload("gitlab", "merge_request_merged"), headers).status_code == 202
    assert post(client, connector.key, payload("gitlab", "merge_request_merged"), headers).status_code == 401
    assert InboundDelivery.objects.get().delivery_id == "idem-1"


def test_a_replay_is_refused_and_a_redelivery_adds_no_observation(client, world, django_capture_on_commit_callbacks):
    connector = make_connector(world, "gitlab", kinds=ALL)
    body = _as(payload("gitlab", "merge_request_merged"), "employee")
    with django_capture_on_commit_callbacks(execute=True):
        assert send(client, connector, body, delivery="same").status_code == 202
        replay = send(client, connector, body, delivery="same")
        redelivery = send(client, connector, body, delivery="another")
    assert replay.status_code == 401
    assert "already" in replay.json()["detail"]
    assert redelivery.status_code == 202 and redelivery.json()["unchanged"] == 1
    assert InboundDelivery.objects.count() == 2
    assert len(observations(connector)) == 1


def test_an_unmatched_account_waits_until_hr_matches_it(client, world, django_capture_on_commit_callbacks):
    connector = make_connector(world, "gitlab", kinds=ALL)
    with django_capture_on_commit_callbacks(execute=True):
        send(client, connector, payload("gitlab", "merge_request_merged"))  # "root", admin@example.com
    event = ToolEvent.objects.get()
    assert event.status == ToolEventStatus.UNMATCHED and observations(connector) == []
    account = ToolAccount.objects.get(handle="root")
    assert (account.email, account.display_name) == ("admin@example.com", "Administrator")
    with django_capture_on_commit_callbacks(execute=True):
        tool_account_match(actor=actor_for(world.hr), account=account, employee=world.emp(world.mentor))
    assert observations(connector) == [(world.emp(world.mentor).pk, "changes-merged", D(1), True)]


@pytest.mark.parametrize(("event", "body", "reason"), [
    ("Merge Request Hook", b'{"object_kind": "merge_request", "user": {"username": "root"}}', "project"),
    ("Merge Request Hook", b"[1, 2]", "JSON object"),
    ("Issue Hook", b'{"object_kind": "issue", "user": {"username": "root"}, "project": {"id": 1}, '
                   b'"object_attributes": {"iid": "x"}}', "object_attributes.iid"),
    ("Push Hook", b'"push"', "JSON object"),
    ("", b'{"ref": "refs/heads/main"}', "X-Gitlab-Event"),
])
def test_an_unknown_shape_is_kept_as_rejected_with_its_reason(client, world, event, body, reason):
    connector = make_connector(world, "gitlab", kinds=ALL)
    headers = signed_headers("gitlab", body, delivery="bad-1")
    headers["X-Gitlab-Event"] = event
    response = post(client, connector.key, body, headers)
    assert response.status_code == 422
    assert reason in response.json()["detail"] and response.json()["errors"]["body"]
    delivery = InboundDelivery.objects.get()
    assert (delivery.status, delivery.delivery_id) == ("rejected", "bad-1")
    assert reason in delivery.error and delivery.payload is not None
    connector.refresh_from_db()
    assert connector.last_error == delivery.error and connector.last_error_at == NOW
    assert not ToolEvent.objects.exists()


def test_a_system_hook_is_read_by_its_object_kind():
    body = payload("gitlab", "merge_request_merged")
    import json

    parsed = KIND.parse({"x-gitlab-event": "System Hook"}, json.dumps(body).encode())
    assert [f.event_kind for f in parsed.facts] == ["merged"]


def test_a_later_event_of_a_merged_merge_request_counts_nothing():
    import json

    body = payload("gitlab", "merge_request_merged")
    body["object_attributes"]["action"] = "update"  # a label added after the merge, by someone else
    parsed = KIND.parse({"x-gitlab-event": "Merge Request Hook"}, json.dumps(body).encode())
    assert parsed.facts == []
