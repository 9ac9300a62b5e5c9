"""HR's list of onboarding checklists pages, latest start first, and finds a new hire by pinyin."""

from __future__ import annotations

import datetime as dt

import pytest

from talentloop.onboarding.tests import factories as OF
from talentloop.testing.factories import EmployeeFactory

pytestmark = pytest.mark.django_db


def test_checklists_are_paged_latest_start_first_and_searchable(world, client_for, monkeypatch):
    monkeypatch.setattr("talentloop.onboarding.views.CHECKLISTS_PER_PAGE", 3)
    made = []
    for i in range(5):
        hire = EmployeeFactory(
            org_unit=world.platform,
            job_family=world.engineering,
            manager=world.emp(world.lead),
            name="李雷" if i == 1 else f"新人{i}",
        )
        made.append(OF.checklist(hire, dt.date(2031, 3, 1) + dt.timedelta(days=i)))
    hr = client_for("hr")
    first = hr.get("/onboarding/checklists/")
    assert first.context["page_obj"].paginator.count == 5
    assert [c.pk for c in first.context["checklists"]] == [made[4].pk, made[3].pk, made[2].pk]
    assert all(hasattr(c, "percent") for c in first.context["checklists"])
    second = hr.get("/onboarding/checklists/", {"page": "2"}).context["checklists"]
    assert [c.pk for c in second] == [made[1].pk, made[0].pk]
    assert [c.pk for c in hr.get("/onboarding/checklists/", {"q": "lilei"}).context["checklists"]] == [made[1].pk]
    assert [c.pk for c in hr.get("/onboarding/checklists/", {"q": "LL"}).context["checklists"]] == [made[1].pk]
