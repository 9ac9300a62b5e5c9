"""The demo area: HR's subscription with a month of deliveries, one failed and replayed; a GitLab and a
Jira connector with a month of the engineers' facts, recorded for the R&D scorecards' metrics, and two
accounts waiting to be matched."""

from __future__ import annotations

import datetime as dt

import pytest

from talentloop.core.access import actor_for
from talentloop.integrations import demo
from talentloop.integrations.models import (
    Connector,
    Delivery,
    DeliveryStatus,
    InboundDelivery,
    Subscription,
    SyncRun,
    ToolAccount,
    ToolEvent,
    ToolEventStatus,
)
from talentloop.organisation.services import employee_create
from talentloop.performance.models import Aggregation, Observation
from talentloop.performance.services.config import metric_save

pytestmark = pytest.mark.django_db

TODAY = dt.date(2026, 3, 2)


def test_the_demo_area(world, client_for):
    for n in range(10):  # the demo company's history has employment events; the personas' world none
        employee_create(actor=actor_for(world.hr), employee_number=f"D-{n}", name=f"新人{n}", org_unit=world.platform,
                        job_family=world.engineering, hire_date=TODAY - dt.timedelta(days=3 * n),
                        email=f"d{n}@company.example")
    for key in ("bugs", "delivery-delays"):  # the R&D scorecards' metrics, from the performance demo
        metric_save(actor=actor_for(world.hr), data={"key": key, "name": key, "aggregation": Aggregation.SUM})
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

    # The connectors: mapped, recorded, two accounts to match, a rejected delivery.
    assert sorted(Connector.objects.values_list("key", "kind")) == [("gitlab", "gitlab"), ("jira", "jira")]
    assert result.connectors == 2 and result.facts == ToolEvent.objects.count() > 50
    assert result.recorded > 0 and result.recorded == ToolEvent.objects.filter(status=ToolEventStatus.RECORDED).count()
    assert Observation.objects.filter(source__in=["connector:gitlab", "connector:jira"]).count() == result.recorded
    assert set(Observation.objects.filter(source__startswith="connector:").values_list("metric__key", flat=True)) <= {
        "bugs", "delivery-delays"}
    unmatched = ToolAccount.objects.filter(employee__isnull=True)
    assert result.unmatched_accounts == unmatched.count() == 2
    assert ToolEvent.objects.filter(status=ToolEventStatus.UNMATCHED).count() == 5
    assert not ToolEvent.objects.filter(status__in=[ToolEventStatus.QUEUED, ToolEventStatus.FAILED]).exists()
    assert InboundDelivery.objects.filter(status=InboundDelivery.Status.REJECTED).count() == 1
    assert sorted(SyncRun.objects.values_list("kind", "status")) == [("backfill", "succeeded"), ("test", "succeeded")]
    assert all(e.received_at.date() < TODAY for e in ToolEvent.objects.all())
    hr = client_for("hr")
    listing = hr.get("/integrations/connectors/")
    assert listing.status_code == 200 and "研发 GitLab" in listing.content.decode()
    jira = Connector.objects.get(key="jira")
    accounts = hr.get(f"/integrations/connectors/{jira.pk}/accounts/")
    assert accounts.status_code == 200

    assert "integrations demo" in demo.summary(result)
    assert demo.load_integrations(seed=1, reference_date=TODAY).subscriptions == 0  # idempotent
    demo.wipe_integrations()
    assert not demo.integrations_loaded() and not Delivery.objects.exists() and not Connector.objects.exists()
