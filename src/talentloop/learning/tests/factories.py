"""Factories of the learning app."""

from __future__ import annotations

import datetime as dt

import factory
from django.utils import timezone
from factory.django import DjangoModelFactory

from talentloop.learning.models import BehaviourEvent, ContentItem, TrainingSession, TrainingSignup


class ContentItemFactory(DjangoModelFactory):
    class Meta:
        model = ContentItem

    kind = "course"
    title = factory.Sequence(lambda n: f"课程{n}")
    title_en = factory.Sequence(lambda n: f"Course {n}")
    summary = "摘要"
    url = factory.Sequence(lambda n: f"https://learn.example.com/{n}")
    tags = factory.LazyFunction(list)
    audience = "everyone"
    status = "published"
    # Old enough that the "new in the library" boost does not decide a test.
    published_at = factory.LazyFunction(lambda: timezone.now() - dt.timedelta(days=200))


class TrainingSessionFactory(DjangoModelFactory):
    class Meta:
        model = TrainingSession

    content = factory.SubFactory(ContentItemFactory)
    starts_at = factory.LazyFunction(lambda: timezone.now() + dt.timedelta(days=3))
    ends_at = factory.LazyAttribute(lambda o: o.starts_at + dt.timedelta(hours=2))
    location = "A-301"


class TrainingSignupFactory(DjangoModelFactory):
    class Meta:
        model = TrainingSignup

    session = factory.SubFactory(TrainingSessionFactory)
    status = "signed_up"


def event(employee, verb: str, tags: list[str], *, days_ago: float = 1, content=None, source: str = ""):
    return BehaviourEvent.objects.create(employee=employee, verb=verb, tags=tags, content=content, source=source,
                                         occurred_at=timezone.now() - dt.timedelta(days=days_ago))
