"""The leave request lists run a fixed number of queries whatever the number of requests and people.

A signed-in page costs 6 queries before the view (session, user, the actor's employee, roles and
reports, the bell's unread count); an API call with a token 4 (token and user, the actor's three)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from talentloop.leave.models import ApprovalStep, LeaveRequest
from talentloop.leave.tests.request_fixtures import frozen, grant, leave_type
from talentloop.testing.factories import EmployeeFactory

pytestmark = pytest.mark.django_db

WEB_BASE = 6
API_BASE = 4
D = dt.date


def _fill(world, n: int) -> None:
    """``n`` people under lead, each with a pending request in September waiting for lead, and the
    employee with ``n`` requests of their own (one a week)."""
    kind = leave_type()
    lead, employee = world.emp(world.lead), world.emp(world.employee)
    grant(employee, kind, "100")
    requests = []
    for i in range(n):
        person = EmployeeFactory(org_unit=world.platform, manager=lead)
        requests.append(LeaveRequest(employee=person, leave_type=kind, start=D(2026, 9, 1 + i % 28),
                                     end=D(2026, 9, 1 + i % 28), days=Decimal("1")))
        start = D(2026, 1, 5) + dt.timedelta(weeks=i)
        requests.append(LeaveRequest(employee=employee, leave_type=kind, start=start, end=start, days=Decimal("1"),
                                     status="approved" if i % 2 else "pending"))
    LeaveRequest.objects.bulk_create(requests)
    ApprovalStep.objects.bulk_create([ApprovalStep(request=r, order=1, role="manager", approver=lead)
                                      for r in LeaveRequest.objects.all()])


def _count(client, url, params=None, **headers) -> tuple[int, object]:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url, params or {}, **headers)
    assert response.status_code == 200, (url, response.status_code)
    return len(queries), response


@pytest.mark.parametrize("n", [3, 25])
def test_my_leave_page(world, client_for, n):
    # view: my balances (types, the ledger as of today, later uses, pending requests) = 4,
    # my requests: count + one page = 2, steps waiting for me: the delegations I hold + the count = 2 → 8
    _fill(world, n)
    with frozen():
        queries, response = _count(client_for("employee"), "/leave/")
    assert queries == WEB_BASE + 8
    assert len(response.context["requests"]) == min(n, 20)


@pytest.mark.parametrize("n", [3, 25])
def test_approvals_page(world, client_for, n):
    # view: the delegations I hold, count + one page of steps with their requests, people and types = 3
    _fill(world, n)
    with frozen():
        queries, response = _count(client_for("lead"), "/leave/approvals/")
    assert queries == WEB_BASE + 3
    # lead's own people (n) and the employee's pending ones (every other of n: ceil(n / 2))
    assert response.context["page_obj"].paginator.count == n + (n + 1) // 2


@pytest.mark.parametrize("n", [3, 25])
def test_team_calendar_page(world, client_for, n):
    # view: people count + one page = 2, the calendar rows of the month = 1, the month's requests = 1,
    # which kinds the actor may see (the delegations they hold, then the visible ids) = 2 → 6
    _fill(world, n)
    with frozen():
        queries, response = _count(client_for("lead"), "/leave/calendar/", {"month": "2026-09"})
    assert queries == WEB_BASE + 6
    assert any(row.away_days for row in response.context["month"].rows)


@pytest.mark.parametrize("n", [3, 25])
def test_leave_request_endpoint(world, api_client_for, n):
    # endpoint: the delegations the actor holds (part of the scope), count + one page (person and
    # type joined) = 3
    _fill(world, n)
    client = api_client_for("lead")
    client.get("/api/v1/time/leave-requests")  # the token's first use stamps it
    with frozen():
        queries, response = _count(client, "/api/v1/time/leave-requests", {"limit": 10})
    assert queries == API_BASE + 3
    assert len(response.json()["items"]) == min(10, 2 * n)  # n requests of the team, n of the employee
