"""The learning demo on the persona company: loads once, and the demo accounts get their reasons."""

from __future__ import annotations

import pytest
from django.utils import translation

from talentloop.core.access import actor_for
from talentloop.learning import selectors
from talentloop.learning.demo import load_learning, wipe_learning
from talentloop.learning.models import ContentItem, TrainingSession, TrainingSignup

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
    assert recs and "python" in recs[0].content.tags
    assert recs[0].reason.startswith("Because you opened")
    complaint_course = ContentItem.objects.get(title_en="Handling customer complaints")
    assert "customer-satisfaction" in complaint_course.tags
    wipe_learning()
    assert not ContentItem.objects.exists()
