"""The onboarding and careers demos load on a generated company, are idempotent and wipe clean."""

from __future__ import annotations

import datetime as dt

import pytest

from talentloop.careers.demo import load_careers, wipe_careers
from talentloop.careers.models import CareerLadder
from talentloop.careers.selectors import promotion_path
from talentloop.core.access import actor_for
from talentloop.onboarding.demo import load_onboarding, wipe_onboarding
from talentloop.onboarding.models import Checklist, ChecklistTemplate
from talentloop.onboarding.selectors import onboarding_summary
from talentloop.organisation import demo
from talentloop.organisation.models import Employee

pytestmark = pytest.mark.django_db
REF = dt.date(2026, 5, 20)


def test_demos(settings):
    demo.load_company(demo.plan_company(120, seed=demo.DEMO_SEED, reference_date=REF), password_hash="!unusable")
    result = load_onboarding(seed=7, reference_date=REF)
    assert result.templates == 4 and ChecklistTemplate.objects.count() == 4
    newgrad = Employee.objects.get(user__username="newgrad")
    summary = onboarding_summary(actor_for(newgrad.user), newgrad, today=REF)
    assert summary is not None and 0 < summary.done < summary.total
    recent = Employee.objects.filter(hire_date__gte=REF - dt.timedelta(days=30), hire_date__lte=REF,
                                     status="active").count()
    assert Checklist.objects.count() >= recent
    assert load_onboarding(seed=7, reference_date=REF).templates == 0          # idempotent

    careers = load_careers(seed=7, reference_date=REF)
    assert careers.ladders == 8 and all(4 <= lad.levels.count() <= 6 for lad in CareerLadder.objects.all())
    employee = Employee.objects.get(user__username="employee")
    path = promotion_path(actor_for(employee.user), employee, today=REF)
    assert path is not None and path.next is not None and path.requirements
    assert load_careers(seed=7, reference_date=REF).ladders == 0

    wipe_onboarding()
    wipe_careers()
    assert not ChecklistTemplate.objects.exists() and not CareerLadder.objects.exists()
