"""Values kept per process under a generation token (core.generations): reused until a write to a
watched model commits, never kept while the writer's transaction may still roll back."""

from __future__ import annotations

import pytest
from django.db import transaction

from talentloop.core import generations
from talentloop.core.models import Generation
from talentloop.organisation.models import OrgUnit
from talentloop.testing.commits import commit_callbacks


def _counter():
    calls = []

    def build():
        calls.append(1)
        return len(calls)

    return calls, build


@pytest.mark.django_db
def test_kept_until_a_watched_write_commits(world):
    commit_callbacks()
    calls, build = _counter()
    assert generations.cached(("t",), build, name=generations.PEOPLE) == 1
    assert generations.cached(("t",), build, name=generations.PEOPLE) == 1  # kept
    token = generations.current(generations.PEOPLE)
    OrgUnit.objects.filter(pk=world.rnd.pk).first().save()  # watched under "people" (home.apps)
    assert generations.pending(generations.PEOPLE)
    assert generations.cached(("t",), build, name=generations.PEOPLE) == 2  # built, not kept
    assert generations.cached(("t",), build, name=generations.PEOPLE) == 3
    assert generations.current(generations.PEOPLE) == token  # replaced only on commit
    commit_callbacks()
    assert generations.current(generations.PEOPLE) != token
    assert generations.cached(("t",), build, name=generations.PEOPLE) == 4
    assert generations.cached(("t",), build, name=generations.PEOPLE) == 4
    # Another name is not affected; a key of its own is kept apart.
    assert generations.cached(("t",), build, name=generations.CONFIG) == 5
    assert generations.cached(("u",), build, name=generations.CONFIG) == 6
    assert generations.cached(("t",), build, name=generations.CONFIG) == 5


@pytest.mark.django_db(transaction=True)
def test_a_rolled_back_write_keeps_nothing_and_stops_nothing():
    Generation.objects.update_or_create(name=generations.PEOPLE, defaults={"token": "before"})
    calls, build = _counter()
    with pytest.raises(RuntimeError), transaction.atomic():
        generations.bump(generations.PEOPLE)
        assert generations.cached(("t",), build, name=generations.PEOPLE) == 1  # not kept: may roll back
        raise RuntimeError
    assert Generation.objects.get(name=generations.PEOPLE).token == "before"  # never committed
    assert not generations.pending(generations.PEOPLE)
    assert generations.cached(("t",), build, name=generations.PEOPLE) == 2
    assert generations.cached(("t",), build, name=generations.PEOPLE) == 2  # kept again
    with transaction.atomic():
        generations.bump(generations.PEOPLE)
    assert Generation.objects.get(name=generations.PEOPLE).token != "before"  # replaced on commit
    assert generations.cached(("t",), build, name=generations.PEOPLE) == 3


@pytest.mark.django_db(transaction=True)
def test_a_missing_generation_row_is_created_on_first_use():
    Generation.objects.all().delete()  # as a test's flush leaves the database
    calls, build = _counter()
    generations.cached(("t",), build)
    generations.cached(("t",), build)
    assert len(calls) == 1
    assert Generation.objects.filter(name=generations.CONFIG).exists()


@pytest.mark.django_db(transaction=True)
def test_a_request_that_never_finished_does_not_reach_the_next_test():
    """A test client request whose view raised never sends ``request_finished``: the tokens it read
    stay in the thread's context. ``reset()`` (between tests) drops them, so the next test reads the
    database again instead of a token from another test's database."""
    from django.core.signals import request_started

    request_started.send(sender=None)
    generations.current(generations.CONFIG)  # read under the unfinished request
    generations.reset()
    Generation.objects.all().delete()
    calls, build = _counter()
    generations.cached(("t",), build)
    assert Generation.objects.filter(name=generations.CONFIG).exists()
