"""The connector list page and endpoint run a fixed number of queries whatever the number of
connectors, accounts and facts (the pattern of tests/test_query_counts.py)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from talentloop.core.access import actor_for
from talentloop.integrations.connectors.base import AccountRef, ToolFact
from talentloop.integrations.models import InboundDelivery
from talentloop.integrations.services.connector_events import tool_facts_store
from talentloop.integrations.services.connectors import connector_create

pytestmark = pytest.mark.django_db

WEB_BASE = 6  # session, user, actor (employee, roles, has-reports), the bell's unread count
API_BASE = 4  # token+user, actor (employee, roles, has-reports)
AT = dt.datetime(2026, 3, 1, 9, 0, tzinfo=dt.UTC)


def _grow(world, connectors: int):
    hr = actor_for(world.hr)
    for n in range(connectors):
        connector, _secret = connector_create(actor=hr, key=f"gl-{n}", name=f"GitLab {n}", kind="gitlab")
        facts = [ToolFact(event_kind="merged", external_id=f"mr:{n}:{i}",
                          account=AccountRef(handle=f"user-{i % 3}", email=f"u{i % 3}@tool.example"),
                          occurred_at=AT, value=Decimal(1)) for i in range(6)]
        tool_facts_store(connector=connector, facts=facts)
        InboundDelivery.objects.create(connector=connector, delivery_id=f"bad-{n}", error="unknown shape",
                                       status=InboundDelivery.Status.REJECTED)


def _count(client, url) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    return len(queries)


@pytest.mark.parametrize("connectors", [1, 10])
def test_connector_list_page(world, client_for, connectors):
    _grow(world, connectors)
    # count + one page of connectors (their counts as subqueries) + facts per day + the webhook sources = 4
    assert _count(client_for("hr"), "/integrations/connectors/") == WEB_BASE + 4


@pytest.mark.parametrize("connectors", [1, 10])
def test_connector_list_endpoint(world, api_client_for, connectors):
    _grow(world, connectors)
    client = api_client_for("hr")
    client.get("/api/v1/connectors")  # the token's first use stamps it
    # count + one page + facts per day = 3
    assert _count(client, "/api/v1/connectors") == API_BASE + 3


def test_connector_page_costs_the_same_at_any_size(world, client_for):
    """A connector's page: as many queries with 1 account and fact as with 10."""
    from talentloop.integrations.models import Connector

    counts = []
    for n, size in enumerate((1, 10)):
        connector, _secret = connector_create(actor=actor_for(world.hr), key=f"size-{n}", name="S", kind="gitlab")
        tool_facts_store(connector=connector, facts=[
            ToolFact(event_kind="merged", external_id=f"mr:{i}", account=AccountRef(handle=f"u-{i}"), occurred_at=AT,
                     value=Decimal(1)) for i in range(size)])
        client = client_for("hr")
        counts.append(_count(client, f"/integrations/connectors/{connector.pk}/"))
        Connector.objects.filter(pk=connector.pk).delete()
    assert counts[0] == counts[1], counts
