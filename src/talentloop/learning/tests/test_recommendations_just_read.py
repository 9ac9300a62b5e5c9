"""The item a person has just read is not recommended to them again; its tags still lead to the next
item, and an item opened long ago may come back (with the small penalty for having been opened)."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.utils import translation

from talentloop.core.access import actor_for
from talentloop.learning import selectors, services
from talentloop.learning.tests.factories import ContentItemFactory

pytestmark = pytest.mark.django_db

NOW = dt.datetime(2026, 11, 20, 2, 0, tzinfo=dt.UTC)


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


def _me(world):
    return actor_for(world.employee), world.emp(world.employee)


def test_the_item_just_read_is_not_recommended_again(world):
    actor, me = _me(world)
    with time_machine.travel(NOW - dt.timedelta(days=30), tick=False):
        read = ContentItemFactory(title_en="Code review basics", tags=["code-review"])
        follow_up = ContentItemFactory(title_en="Code review in depth", tags=["code-review"])
    with time_machine.travel(NOW, tick=False):
        before = [r.content.pk for r in selectors.recommendation_list(actor, me, limit=10)]
        services.content_open(actor=actor, content=read)
        after = [r.content.pk for r in selectors.recommendation_list(actor, me, limit=10)]
    assert read.pk not in after
    # Reading it taught the tag: the next item on code review is offered, with the reason.
    assert follow_up.pk in after and follow_up.pk not in before


def test_an_item_opened_long_ago_may_come_back(world):
    actor, me = _me(world)
    with time_machine.travel(NOW - dt.timedelta(days=40), tick=False):
        old = ContentItemFactory(title_en="SQL 1", tags=["sql"])
        services.content_open(actor=actor, content=old)
    with time_machine.travel(NOW - dt.timedelta(days=1), tick=False):
        services.content_open(actor=actor, content=ContentItemFactory(title_en="SQL 2", tags=["sql"]))
    with time_machine.travel(NOW, tick=False):
        recs = selectors.recommendation_list(actor, me, limit=10)
    assert old.pk in [r.content.pk for r in recs]  # 40 days ago: no longer "just read"
    assert all(r.content.title_en != "SQL 2" for r in recs)


def test_another_persons_reading_does_not_hide_my_suggestion(world):
    actor, me = _me(world)
    other = actor_for(world.mentor)
    with time_machine.travel(NOW - dt.timedelta(days=30), tick=False):
        item = ContentItemFactory(title_en="Go", tags=["go"])
        ContentItemFactory(title_en="Go 2", tags=["go"])
        services.content_open(actor=actor, content=ContentItemFactory(title_en="Go 0", tags=["go"]))
    with time_machine.travel(NOW, tick=False):
        services.content_open(actor=other, content=item)
        ids = [r.content.pk for r in selectors.recommendation_list(actor, me, limit=10)]
    assert item.pk in ids
