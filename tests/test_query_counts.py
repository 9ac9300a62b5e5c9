"""List pages and list endpoints run a fixed number of SQL queries, whatever the size of the
company and of the page.

Each count is worked out by hand. A signed-in web request always costs 5 queries before the
view runs: the session, the user, and the actor (the user's employee record, their roles, and
whether anyone reports to them). An API request with a Bearer token costs 4: the token (joined
with its user) and the same three for the actor. A token's first use also stamps
``last_used_at`` (one UPDATE), so every API client is warmed up once before measuring.
"""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from talentloop.core.audit.services import audit_record
from talentloop.organisation.models import Employee
from talentloop.testing.factories import EmployeeFactory, OrgUnitFactory, PositionFactory

pytestmark = pytest.mark.django_db

WEB_BASE = 6  # session, user, actor: employee + roles + has-reports; the unread-notifications count of the bell
API_BASE = 4  # token+user, actor: employee + roles + has-reports


def grow(world, total: int) -> None:
    """Grow the persona world (6 people, 5 units) to ``total`` people in more units.

    Two thirds of the newcomers report to lead (so they are in manager's tree), one third to
    outsider; every other one holds a position, so the select_related joins see both cases.
    """
    newcomers = total - Employee.objects.count()
    lead, outsider = world.emp(world.lead), world.emp(world.outsider)
    units = [world.platform, world.sales]
    for i in range(max(2, newcomers // 10)):
        units.append(OrgUnitFactory(parent=world.rnd if i % 2 else world.sales))
    position = PositionFactory(job_family=world.engineering)
    for i in range(newcomers):
        EmployeeFactory(org_unit=units[i % len(units)], job_family=world.engineering,
                        position=position if i % 2 else None, manager=lead if i % 3 else outsider)
    assert Employee.objects.count() == total


def _count(client, url, params=None) -> tuple[int, object]:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url, params or {})
    assert response.status_code == 200, (url, response.status_code)
    return len(queries), response


@pytest.mark.parametrize("total", [10, 60])
@pytest.mark.parametrize("page_size", [5, 25])
@pytest.mark.parametrize("persona", ["hr", "manager"])
def test_employee_list_page(world, client_for, monkeypatch, total, page_size, persona):
    # view: count + one page (org unit, job family, position, manager joined)
    #     + the filter form's org unit and job family options = 4
    grow(world, total)
    monkeypatch.setattr("talentloop.organisation.views.PAGE_SIZE", page_size)
    client = client_for(persona)
    n, response = _count(client, "/people/")
    assert n == WEB_BASE + 4
    # hr sees everyone; manager sees themselves, lead, mentor, employee and the newcomers under lead
    # (those with i % 3 != 0: 2 of the 4 newcomers at 10 people, 36 of the 54 at 60)
    expected = total if persona == "hr" else 4 + len([i for i in range(total - 6) if i % 3])
    assert response.context["count"] == expected
    assert len(response.context["employees"]) == min(page_size, expected)
    # A filtered second page costs the same plus two: the form validates the chosen org unit, and
    # the selector reads that unit's path for the subtree filter.
    n, _ = _count(client, "/people/", {"page": 2, "org_unit": world.rnd.pk, "search": "E", "status": "active"})
    assert n == WEB_BASE + 4 + 2


@pytest.mark.parametrize("total", [10, 60])
@pytest.mark.parametrize("limit", [5, 50])
@pytest.mark.parametrize("persona", ["hr", "manager", "employee"])
def test_employee_list_endpoint(world, api_client_for, total, limit, persona):
    # endpoint: count + one page = 2
    grow(world, total)
    client = api_client_for(persona)
    client.get("/api/v1/me")  # first use of the token
    n, response = _count(client, "/api/v1/employees", {"limit": limit})
    assert n == API_BASE + 2
    assert len(response.json()["items"]) == min(limit, response.json()["count"])
    n, _ = _count(client, "/api/v1/employees", {"limit": limit, "offset": 3, "org_unit": world.rnd.pk})
    assert n == API_BASE + 2 + 1  # + the org unit's path


@pytest.mark.parametrize("total, units", [(10, 0), (60, 20)])
@pytest.mark.parametrize("persona, extra", [
    ("hr", 0),        # hr has no reports: no team tree
    ("manager", 1),   # + manager's reporting tree in one query
])
def test_org_chart_page(world, client_for, total, units, persona, extra):
    # view: the units with their heads + the headcount per unit = 2
    grow(world, total)
    for i in range(units):
        OrgUnitFactory(parent=world.company if i % 2 else world.rnd)
    n, response = _count(client_for(persona), "/org/")
    assert n == WEB_BASE + 2 + extra


@pytest.mark.parametrize("entries", [20, 120])
@pytest.mark.parametrize("persona", ["hr", "admin"])
def test_audit_list_page(world, client_for, actor_of, entries, persona):
    # view: one page of entries (with one extra row to tell whether there is a next page) = 1
    hr = actor_of("hr")
    for i in range(entries):
        audit_record(actor=hr, action="update", obj=world.emp(world.employee), changes={"phone": {"before": i}})
    client = client_for(persona)
    n, response = _count(client, "/audit/")
    # admin has no employee record, so no has-reports check: one query fewer
    assert n == (WEB_BASE if persona == "hr" else WEB_BASE - 2) + 1
    assert len(response.context["entries"]) == min(entries, 50)
    n, _ = _count(client, "/audit/", {"page": 2, "action": "update"})
    assert n == (WEB_BASE if persona == "hr" else WEB_BASE - 2) + 1


@pytest.mark.parametrize("total", [10, 60])
def test_other_list_endpoints(world, api_client_for, actor_of, total):
    grow(world, total)
    hr = actor_of("hr")
    emp = world.emp(world.employee)
    from talentloop.organisation.services import employment_event_record, today

    for level in range(4, 4 + total // 10):
        employment_event_record(actor=hr, employee=emp, kind="promotion", effective_date=today(), level=level)
    client = api_client_for("hr")
    client.get("/api/v1/me")
    for url, queries in [
        ("/api/v1/org-units", 1),                          # the units
        ("/api/v1/job-families", 1),
        ("/api/v1/positions", 1),
        ("/api/v1/auth/tokens", 1),                        # tokens joined with their users
        (f"/api/v1/employees/{emp.pk}/events", 2),         # the employee (scoped) + the events, joined
    ]:
        n, _ = _count(client, url)
        assert n == API_BASE + queries, url


@pytest.mark.parametrize("total", [10, 60])
def test_other_list_pages(world, client_for, total):
    grow(world, total)
    for persona, url, queries in [
        ("hr", "/org/units/", 1),                  # units with head and parent joined
        ("hr", "/org/job-families/", 2),           # families + positions
        ("admin", "/accounts/manage/", 3),         # count + one page of accounts + their roles (prefetch)
        ("employee", "/accounts/tokens/", 1),      # own tokens
    ]:
        base = WEB_BASE - 2 if persona == "admin" else WEB_BASE  # admin: no employee, no bell count
        n, _ = _count(client_for(persona), url)
        assert n == base + queries, (persona, url, n)
