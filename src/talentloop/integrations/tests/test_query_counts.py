"""The webhook list pages and endpoints run a fixed number of queries whatever the number of
subscriptions and deliveries (the pattern of tests/test_query_counts.py)."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from talentloop.core.access import actor_for
from talentloop.integrations.models import Delivery, DeliveryStatus
from talentloop.integrations.services.webhooks import subscription_create

pytestmark = pytest.mark.django_db

WEB_BASE = 6  # session, user, actor (employee, roles, has-reports), the bell's unread count
API_BASE = 4  # token+user, actor (employee, roles, has-reports)


def _grow(world, subscriptions: int, deliveries: int):
    hr = actor_for(world.hr)
    made = [subscription_create(actor=hr, name=f"端点 {i}", url=f"https://h{i}.example.com/",
                                event_types=["employee.hired"])[0] for i in range(subscriptions)]
    Delivery.objects.bulk_create([
        Delivery(subscription=made[0], event_id=f"evt_{n}", event_type="employee.hired", payload={"n": n},
                 status=DeliveryStatus.FAILED if n % 3 else DeliveryStatus.SUCCEEDED, attempts=1 + n % 8,
                 log=[{"at": "2026-03-02T02:00:00+00:00", "status_code": 500, "error": "HTTP 500", "duration_ms": 9}])
        for n in range(deliveries)])
    return made[0]


def _count(client, url, params=None) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url, params or {})
    assert response.status_code == 200, (url, response.status_code)
    return len(queries)


@pytest.mark.parametrize(("subscriptions", "deliveries"), [(2, 3), (30, 60)])
def test_subscription_list_page(world, client_for, subscriptions, deliveries):
    _grow(world, subscriptions, deliveries)
    # the page: count + one page of subscriptions (owner joined, failing deliveries counted) = 2
    assert _count(client_for("hr"), "/integrations/webhooks/") == WEB_BASE + 2


@pytest.mark.parametrize(("subscriptions", "deliveries"), [(2, 3), (30, 60)])
def test_subscription_detail_page(world, client_for, subscriptions, deliveries):
    first = _grow(world, subscriptions, deliveries)
    # the subscription (owner joined) + count + one page of deliveries = 3
    assert _count(client_for("hr"), f"/integrations/webhooks/{first.pk}/") == WEB_BASE + 3


@pytest.mark.parametrize(("subscriptions", "deliveries"), [(2, 3), (30, 60)])
def test_subscription_list_endpoints(world, api_client_for, subscriptions, deliveries):
    first = _grow(world, subscriptions, deliveries)
    client = api_client_for("hr")
    client.get("/api/v1/webhooks/subscriptions")  # the token's first use stamps it
    # count + one page = 2
    assert _count(client, "/api/v1/webhooks/subscriptions") == API_BASE + 2
    # the subscription + count + one page = 3
    assert _count(client, f"/api/v1/webhooks/subscriptions/{first.pk}/deliveries") == API_BASE + 3
