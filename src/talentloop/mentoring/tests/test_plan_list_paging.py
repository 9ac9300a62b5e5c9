"""HR's list of mentoring plans pages, comes latest submitted first, and finds a mentee by pinyin."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from talentloop.mentoring.models import MentoringPlan, PlanStatus
from talentloop.mentoring.tests import programme_fixtures as F
from talentloop.testing.factories import EmployeeFactory

pytestmark = pytest.mark.django_db


def test_plans_are_paged_latest_first_and_searchable(world, client_for, monkeypatch):
    monkeypatch.setattr("talentloop.mentoring.views.programmes.PLANS_PER_PAGE", 4)
    mentor = F.mentor(world.emp(world.mentor), capacity=50)
    tpl = F.template()
    plans = []
    for i in range(6):
        mentee = EmployeeFactory(
            org_unit=world.platform,
            job_family=world.engineering,
            employee_number=f"PL-{i}",
            name="王小明" if i == 2 else f"学员{i}",
        )
        plans.append(F.plan(mentor, mentee, tpl, dt.date(2026, 1, 1), status=PlanStatus.SUBMITTED))
    for i, p in enumerate(plans):
        MentoringPlan.objects.filter(pk=p.pk).update(submitted_at=timezone.make_aware(dt.datetime(2026, 1, 1 + i, 9)))
    hr = client_for("hr")
    first = hr.get("/mentoring/plans/")
    assert first.context["page_obj"].paginator.count == 6
    assert [p.pk for p in first.context["plans"]] == [p.pk for p in reversed(plans)][:4]
    second = hr.get("/mentoring/plans/", {"page": "2"})
    assert [p.pk for p in second.context["plans"]] == [plans[1].pk, plans[0].pk]
    assert 'rel="prev"' in second.content.decode()
    found = hr.get("/mentoring/plans/", {"q": "wxm"}).context["plans"]
    assert [p.pk for p in found] == [plans[2].pk]
    assert hr.get("/mentoring/plans/", {"q": "zzz", "status": "all"}).context["page_obj"].paginator.count == 0


def test_mentors_and_applications_are_paged_and_mentors_found_by_pinyin(world, client_for, monkeypatch):
    monkeypatch.setattr("talentloop.mentoring.views.qualification.LIST_PER_PAGE", 2)
    F.policy([{"key": "level_min"}])
    for i in range(3):
        F.mentor(
            EmployeeFactory(
                org_unit=world.platform, job_family=world.engineering, name="韩梅梅" if i == 0 else f"导师{i}"
            )
        )
    hr = client_for("hr")
    first = hr.get("/mentoring/mentors/")
    assert first.context["page_obj"].paginator.count == 3 and len(first.context["mentors"]) == 2
    assert len(hr.get("/mentoring/mentors/", {"page": "2"}).context["mentors"]) == 1
    assert [m.employee.name for m in hr.get("/mentoring/mentors/", {"q": "hmm"}).context["mentors"]] == ["韩梅梅"]
    apps = hr.get("/mentoring/applications/", {"status": "all"})
    assert apps.status_code == 200 and apps.context["page_obj"].number == 1


def test_overdue_items_are_paged_longest_overdue_first(world, client_for, monkeypatch):
    from talentloop.mentoring.models import PlanItem

    monkeypatch.setattr("talentloop.mentoring.views.programmes.PLANS_PER_PAGE", 2)
    mentor = F.mentor(world.emp(world.mentor), capacity=50)
    tpl = F.template()
    items = []
    for i in range(3):
        mentee = EmployeeFactory(org_unit=world.platform, job_family=world.engineering)
        p = F.plan(mentor, mentee, tpl, dt.date(2026, 1, 1))
        items.append(F.item(p, dt.date(2026, 3, 3 - i)))
    PlanItem.objects.update(escalated_on=dt.date(2026, 4, 1))
    manager = client_for("manager")
    first = manager.get("/mentoring/overdue/")
    assert first.context["page_obj"].paginator.count == 3
    assert [i.pk for i in first.context["items"]] == [items[2].pk, items[1].pk]
    assert [i.pk for i in manager.get("/mentoring/overdue/", {"page": "2"}).context["items"]] == [items[0].pk]


def test_matching_picks_the_mentee_within_hr_scope(world, client_for):
    tpl = F.template()
    hr = client_for("hr")
    page = hr.get("/mentoring/matching/").content.decode()
    assert "scope=match-mentees" in page
    employee = world.emp(world.employee)
    ok = hr.get("/mentoring/matching/", {"mentee": "", "mentee_id": employee.pk, "template": tpl.pk})
    assert ok.status_code == 200 and ok.context["result"] is not None
    bad = hr.get("/mentoring/matching/", {"mentee_id": "987654", "template": tpl.pk})
    assert bad.status_code in (200, 422) and "mentee" in bad.context["form"].errors
    hits = hr.get("/people/search/", {"scope": "match-mentees", "q": "employee"}).content.decode()
    assert f'data-person-pick="{employee.pk}"' in hits
