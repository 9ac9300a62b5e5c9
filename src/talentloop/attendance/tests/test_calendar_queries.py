"""The calendar page and endpoint run a fixed number of queries, whatever the number of days set
and of sites."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from talentloop.attendance.models import CalendarDay, WorkSite

pytestmark = pytest.mark.django_db

WEB_BASE = 6  # session, user, actor (employee, roles, has-reports), the bell's unread count
API_BASE = 4  # token and user, actor (employee, roles, has-reports)


def grow(world, sites: int, days: int) -> WorkSite:
    made = [WorkSite.objects.create(org_unit=world.platform, name=f"厂区{n}", latitude=Decimal("31.2"),
                                    longitude=Decimal("121.4")) for n in range(sites)]
    start = dt.date(2031, 3, 3)
    CalendarDay.objects.bulk_create([CalendarDay(date=start + dt.timedelta(days=n), kind="rest", name=f"日{n}")
                                     for n in range(days)])
    CalendarDay.objects.bulk_create([CalendarDay(date=start + dt.timedelta(days=n), kind="workday", site=made[0])
                                     for n in range(days)])
    return made[0]


@pytest.mark.parametrize(("sites", "days"), [(1, 1), (6, 80)])
@pytest.mark.parametrize("persona", ["hr", "employee"])
@pytest.mark.parametrize("with_site", [False, True])
def test_calendar_page(world, client_for, sites, days, persona, with_site):
    # view: the site asked for (with_site) + the year's rows (official and the site's, one query)
    #     + the sites of the picker = 2 or 3
    site = grow(world, sites, days)
    client = client_for(persona)
    params = {"site": site.pk} if with_site else {}
    with CaptureQueriesContext(connection) as queries:
        response = client.get("/time/calendar/2031/", params)
    assert response.status_code == 200
    assert len(queries) == WEB_BASE + 2 + with_site, [q["sql"] for q in queries]


@pytest.mark.parametrize(("sites", "days"), [(1, 1), (6, 80)])
def test_calendar_endpoint(world, api_client_for, sites, days):
    # the site asked for + the year's rows = 2
    site = grow(world, sites, days)
    client = api_client_for("employee")
    client.get("/api/v1/time/calendar/2031")  # the token's first use stamps it once
    with CaptureQueriesContext(connection) as queries:
        response = client.get(f"/api/v1/time/calendar/2031?site={site.pk}")
    assert response.status_code == 200 and len(response.json()["days"]) == 365
    assert len(queries) == API_BASE + 2, [q["sql"] for q in queries]
