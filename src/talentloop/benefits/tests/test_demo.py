"""The demo area loads plans whose rules hold, an open window, and enrolments the demo employee sees."""

from __future__ import annotations

import pytest

from talentloop.benefits import demo, selectors, services
from talentloop.benefits.models import Enrolment
from talentloop.benefits.tests.scene import TODAY, frozen_clock
from talentloop.core.access import actor_for

pytestmark = pytest.mark.django_db


def test_the_demo_area(world):
    result = demo.load_benefits(seed=1, reference_date=TODAY)
    assert demo.benefits_loaded()
    assert (result.plans, result.windows) == (4, 8)
    employee = world.emp(world.employee)
    assert sorted(Enrolment.objects.filter(employee=employee).values_list("plan__key", flat=True)) == [
        "health",
        "meal",
    ]
    assert Enrolment.objects.filter(employee=world.emp(world.outsider), plan__key="transport").exists()
    assert not Enrolment.objects.filter(employee__job_family__code="hr", plan__key="transport").exists()
    assert "benefits demo" in demo.summary(result)
    # the demo employee can still join the annuity on the phone, and payroll reads their lines
    actor = actor_for(world.employee)
    with frozen_clock():
        page = selectors.my_benefits(actor, TODAY)
        annuity = next(c for c in page.choices if c.plan.key == "annuity")
        assert annuity.window is not None and annuity.enrolment is None
        services.enrolment_create(actor=actor, employee=employee, plan=annuity.plan)
    lines = selectors.benefit_contributions([employee.pk], TODAY)[employee.pk]
    assert [c.plan_key for c in lines] == ["health", "meal"]
    assert demo.load_benefits(seed=1, reference_date=TODAY).plans == 0  # idempotent
    demo.wipe_benefits()
    assert not demo.benefits_loaded() and not Enrolment.objects.exists()
