"""The receiving path of every connector (``connector_receive`` behind POST /api/v1/connectors/<key>/events):
who is refused and what is kept, the log of refusals, and a fixed number of queries per delivery."""

from __future__ import annotations

import datetime as dt
import json
import logging
from decimal import Decimal

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext

from talentloop.integrations import connectors
from talentloop.integrations.connectors.base import AccountRef, Parsed, ToolFact
from talentloop.integrations.models import Connector, ConnectorKind, InboundDelivery, ToolAccount, ToolEvent
from talentloop.integrations.services import inbound
from talentloop.integrations.tests.inbound_support import (
    NOW,
    SECRET,
    make_connector,
    payload,
    post,
    signed_headers,
)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _frozen():
    inbound._log_state.clear()
    with time_machine.travel(NOW, tick=False):
        yield


def _gitlab_body(username="employee") -> bytes:
    body = payload("gitlab", "merge_request_merged")
    body["user"]["username"] = username
    return json.dumps(body).encode()


def _ours(caplog) -> list[logging.LogRecord]:
    return [r for r in caplog.records if r.name == "talentloop.integrations.inbound"]


def _nothing_written():
    return not (InboundDelivery.objects.exists() or ToolEvent.objects.exists() or ToolAccount.objects.exists())


@pytest.mark.parametrize("case", ["unknown", "inactive", "pull", "no-secret"])
def test_an_unknown_or_inactive_connector_or_one_that_receives_nothing_refuses(client, world, case, caplog):
    connector = make_connector(world, "gitlab")
    if case == "inactive":
        Connector.objects.filter(pk=connector.pk).update(is_active=False)
    if case == "pull":
        Connector.objects.filter(pk=connector.pk).update(kind=ConnectorKind.PULL)
    if case == "no-secret":
        connector.secret = ""
        connector.save(update_fields=["secret"])
    key = "nosuch" if case == "unknown" else connector.key
    body = _gitlab_body()
    secret = "" if case == "no-secret" else SECRET
    with caplog.at_level(logging.WARNING, logger="talentloop.integrations.inbound"):
        response = post(client, key, body, signed_headers("gitlab", body, secret=secret))
    assert response.status_code == 401
    assert response.json()["detail"] and response.json()["errors"] == {}
    assert _nothing_written()
    assert Connector.objects.get(pk=connector.pk).last_error == ""
    # The log names the key and the reason, never the secret or the body.
    assert key in caplog.text and SECRET not in caplog.text and "MS-Viewport" not in caplog.text


def test_refusals_are_logged_at_most_once_a_minute_per_connector(client, world, caplog):
    connector = make_connector(world, "gitlab")
    body = _gitlab_body()
    with caplog.at_level(logging.WARNING, logger="talentloop.integrations.inbound"):
        for _n in range(5):
            assert post(client, connector.key, body, signed_headers("gitlab", body, secret="wrong")).status_code == 401
        assert len(_ours(caplog)) == 1
        with time_machine.travel(NOW + dt.timedelta(minutes=2), tick=False):
            inbound._log_state[connector.key][0] -= 120  # the window is measured on the monotonic clock
            post(client, connector.key, body, signed_headers("gitlab", body, secret="wrong"))
    assert len(_ours(caplog)) == 2
    assert "4 more refused" in _ours(caplog)[1].getMessage()
    assert not [r for r in caplog.records if r.name == "django.request"]  # not logged once per request
    assert SECRET not in caplog.text and "wrong" not in caplog.text.replace("wrong.", "")


def test_a_body_that_is_not_json_is_kept_with_its_reason(client, world):
    connector = make_connector(world, "gitlab")
    body = b"<html>not a webhook</html>"
    response = post(client, connector.key, body, signed_headers("gitlab", body, delivery="html-1"))
    assert response.status_code == 422
    reason = "The body is not valid JSON."
    assert response.json() == {"detail": reason, "errors": {"body": [reason]}}
    delivery = InboundDelivery.objects.get()
    assert (delivery.status, delivery.payload, delivery.error) == ("rejected", "<html>not a webhook</html>",
                                                                   "The body is not valid JSON.")
    connector.refresh_from_db()
    assert (connector.last_error, connector.last_error_at) == ("The body is not valid JSON.", NOW)
    # The same delivery again is a replay, even a rejected one.
    assert post(client, connector.key, body, signed_headers("gitlab", body, delivery="html-1")).status_code == 401


def test_a_large_or_unstorable_payload_is_kept_as_text_cut_to_64_kb(client, world):
    connector = make_connector(world, "gitlab")
    large = b"x" * (100 * 1024)
    assert post(client, connector.key, large, signed_headers("gitlab", large, delivery="big")).status_code == 422
    assert len(InboundDelivery.objects.get(delivery_id="big").payload) == 64 * 1024
    nul = b'{"object_kind": "merge_request", "note": "a\\u0000b"}'
    assert post(client, connector.key, nul, signed_headers("gitlab", nul, delivery="nul")).status_code == 422
    assert InboundDelivery.objects.get(delivery_id="nul").payload == nul.decode()


@pytest.mark.django_db(transaction=True)
def test_a_rejected_delivery_is_committed_although_the_answer_is_an_error(client, world):
    connector = make_connector(world, "gitlab")
    body = b"[]"
    assert post(client, connector.key, body, signed_headers("gitlab", body, delivery="r-1")).status_code == 422
    from django.db import transaction

    assert not transaction.get_connection().in_atomic_block
    assert InboundDelivery.objects.filter(delivery_id="r-1", status="rejected").exists()


def test_a_delivery_that_counts_nothing_is_accepted_and_marks_the_connector_alive(client, world):
    connector = make_connector(world, "gitlab")
    body = json.dumps({"object_kind": "push", "ref": "refs/heads/main", "commits": []}).encode()
    response = post(client, connector.key, body, signed_headers("gitlab", body, event="Push Hook"))
    assert response.status_code == 202 and response.json()["facts"] == 0
    assert InboundDelivery.objects.get().event_name == "Push Hook"
    assert Connector.objects.get(pk=connector.pk).last_event_at == NOW


def test_the_service_reads_headers_in_any_case(world):
    connector = make_connector(world, "gitlab")
    body = _gitlab_body()
    headers = {k.upper(): v for k, v in signed_headers("gitlab", body).items()}
    result = inbound.connector_receive(key=connector.key, headers=headers, body=body)
    assert (result.facts, result.stored.new) == (1, 1)


class _Many:
    """A kind whose deliveries hold ``n`` facts of ``n`` accounts (``{"n": 20, "start": 0, "who": "dev"}``:
    facts ``mr:9:<start>``… of accounts ``dev0``…)."""

    kind = "gitlab"

    def verify(self, connector, headers, body, now):
        return headers["x-gitlab-event-uuid"]

    def parse(self, headers, body, config=None):
        data = json.loads(body)
        n, start, who = data["n"], data["start"], data["who"]
        return Parsed(event_name="many", facts=[
            ToolFact(event_kind="merged", external_id=f"mr:9:{start + i}", account=AccountRef(handle=f"{who}{i}"),
                     occurred_at=NOW - dt.timedelta(days=1), value=Decimal(1)) for i in range(n)])


def _count(client, key, body: dict, delivery: str) -> int:
    raw = json.dumps(body).encode()
    with CaptureQueriesContext(connection) as queries:
        response = post(client, key, raw, {"X-Gitlab-Event-UUID": delivery})
    assert response.status_code == 202, response.content
    assert response.json()["facts"] == body["n"]
    return len(queries)


def test_a_delivery_costs_the_same_queries_for_one_fact_and_for_twenty(client, world, monkeypatch):
    monkeypatch.setitem(connectors.WEBHOOKS, "gitlab", _Many())
    connector = make_connector(world, "gitlab")
    # New accounts (created and matched) with new facts:
    first_one = _count(client, connector.key, {"n": 1, "start": 0, "who": "solo"}, "a")
    first_twenty = _count(client, connector.key, {"n": 20, "start": 100, "who": "dev"}, "b")
    # Known accounts, new facts (a busy tool's usual delivery):
    known_one = _count(client, connector.key, {"n": 1, "start": 200, "who": "dev"}, "c")
    known_twenty = _count(client, connector.key, {"n": 20, "start": 300, "who": "dev"}, "d")
    assert first_one == first_twenty
    assert known_one == known_twenty
    # The connector; the delivery; the accounts read (seen minutes ago: not written again); the facts read
    # and written; the connector's last event (written only when a second old; the statement stays); a
    # savepoint around the facts (2) and, in a test, one around the whole (2).
    assert known_one == 10
