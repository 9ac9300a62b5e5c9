"""The learning demo on the persona company: loads once, and the demo accounts get their reasons."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone, translation

from talentloop.core.access import actor_for
from talentloop.learning import selectors
from talentloop.learning.demo import load_learning, wipe_learning
from talentloop.learning.models import BehaviourEvent, ContentItem, TrainingSession, TrainingSignup

pytestmark = pytest.mark.django_db


def test_demo_loads_once_and_recommends_python_to_employee(world):
    result = load_learning(seed=1)
    assert result.items == ContentItem.objects.count() >= 30
    assert ContentItem.objects.filter(kind="resource").count() >= 4
    assert TrainingSession.objects.filter(status="scheduled").count() >= 6
    assert TrainingSignup.objects.filter(status="attended").exists()
    assert load_learning(seed=1).items == 0  # idempotent
    actor = actor_for(world.employee)
    with translation.override("en"):
        recs = selectors.recommendation_list(actor, world.emp(world.employee), limit=3)
    # A Python item not opened yet is among the first suggestions, for the Python items opened; the items
    # opened in the last two weeks are not suggested again.
    python = [r for r in recs if "python" in r.content.tags]
    assert python and python[0].reason.startswith("Because you opened")
    just_read = set(BehaviourEvent.objects.filter(employee=world.emp(world.employee), verb="open",
                                                  occurred_at__gte=timezone.now() - dt.timedelta(days=14))
                    .values_list("content_id", flat=True))
    assert just_read and not just_read & {r.content.pk for r in recs}
    complaint_course = ContentItem.objects.get(title_en="Handling customer complaints")
    assert "customer-satisfaction" in complaint_course.tags
    wipe_learning()
    assert not ContentItem.objects.exists()
