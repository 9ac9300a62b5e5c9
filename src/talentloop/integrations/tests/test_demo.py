"""The demo area: HR's subscription with a month of deliveries, one failed and replayed."""

from __future__ import annotations

import datetime as dt

import pytest

from talentloop.core.access import actor_for
from talentloop.integrations import demo
from talentloop.integrations.models import Delivery, DeliveryStatus, Subscription
from talentloop.organisation.services import employee_create

pytestmark = pytest.mark.django_db

TODAY = dt.date(2026, 3, 2)


def test_the_demo_area(world, client_for):
    for n in range(10):  # the demo company's history has employment events; the personas' world none
        employee_create(actor=actor_for(world.hr), employee_number=f"D-{n}", name=f"新人{n}", org_unit=world.platform,
                        job_family=world.engineering, hire_date=TODAY - dt.timedelta(days=3 * n))
    result = demo.load_integrations(seed=1, reference_date=TODAY)
    assert demo.integrations_loaded() and result.subscriptions == 1
    subscription = Subscription.objects.get()
    assert subscription.owner == world.hr and subscription.is_active
    statuses = list(Delivery.objects.values_list("status", flat=True))
    assert result.deliveries == len(statuses) >= 8
    assert statuses.count(DeliveryStatus.FAILED) == 1
    failed = Delivery.objects.get(status=DeliveryStatus.FAILED)
    assert failed.attempts == 8 and Delivery.objects.filter(replay_of=failed).exists()
    assert not Delivery.objects.filter(status=DeliveryStatus.PENDING).exists()
    page = client_for("hr").get(f"/integrations/webhooks/{subscription.pk}/")
    assert page.status_code == 200 and failed.event_id in page.content.decode()
    assert "integrations demo" in demo.summary(result)
    assert demo.load_integrations(seed=1, reference_date=TODAY).subscriptions == 0  # idempotent
    demo.wipe_integrations()
    assert not demo.integrations_loaded() and not Delivery.objects.exists()
