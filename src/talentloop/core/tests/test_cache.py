"""Values kept in the shared cache under versioned keys (core.cache): reused until a write to a
registered model commits, never kept while the writer's transaction may still roll back."""

from __future__ import annotations

import pytest
from django.core.cache import cache as django_cache
from django.db import transaction

from talentloop.core import cache
from talentloop.mentoring.models import MentorPolicy
from talentloop.organisation.models import OrgUnit
from talentloop.performance.models import Metric
from talentloop.testing.commits import commit_callbacks


def _counter():
    calls = []

    def build():
        calls.append(1)
        return len(calls)

    return calls, build


@pytest.mark.django_db
def test_kept_until_a_registered_write_commits(world):
    commit_callbacks()
    calls, build = _counter()
    assert cache.cached(("t",), build, depends=("performance",)) == 1
    assert cache.cached(("t",), build, depends=("performance",)) == 1  # kept
    before = cache.versions(["performance"])
    OrgUnit.objects.get(pk=world.rnd.pk).save()  # registered under "performance" (a scorecard's unit)
    assert cache.pending("performance")
    assert cache.cached(("t",), build, depends=("performance",)) == 2  # built, not kept
    assert cache.cached(("t",), build, depends=("performance",)) == 3
    assert cache.versions(["performance"]) == before  # bumped only on commit
    commit_callbacks()
    assert cache.versions(["performance"]) != before
    assert cache.cached(("t",), build, depends=("performance",)) == 4
    assert cache.cached(("t",), build, depends=("performance",)) == 4
    # Another name is not affected; a key of its own is kept apart.
    assert cache.cached(("t",), build, depends=("mentoring",)) == 5
    assert cache.cached(("u",), build, depends=("mentoring",)) == 6
    assert cache.cached(("t",), build, depends=("mentoring",)) == 5
    assert cache.cached(("t",), build, depends=("performance",)) == 4


@pytest.mark.django_db
def test_a_value_depends_on_every_name_it_lists(world):
    commit_callbacks()
    calls, build = _counter()
    both = ("performance", "mentoring")
    assert cache.cached(("t",), build, depends=both) == 1
    MentorPolicy.objects.create(version=99, criteria=[])
    commit_callbacks()
    assert cache.cached(("t",), build, depends=both) == 2
    Metric.objects.create(key="cache-test", name="Cache test", unit="%")
    commit_callbacks()
    assert cache.cached(("t",), build, depends=both) == 3
    assert cache.cached(("t",), build, depends=both) == 3


@pytest.mark.django_db(transaction=True)
def test_a_rolled_back_write_keeps_nothing_and_stops_nothing():
    calls, build = _counter()
    before = cache.versions(["mentoring"])
    with pytest.raises(RuntimeError), transaction.atomic():
        cache.cache_bump("mentoring")
        assert cache.cached(("t",), build, depends=("mentoring",)) == 1  # not kept: may roll back
        raise RuntimeError
    assert cache.versions(["mentoring"]) == before  # never committed
    assert not cache.pending("mentoring")
    assert cache.cached(("t",), build, depends=("mentoring",)) == 2
    assert cache.cached(("t",), build, depends=("mentoring",)) == 2  # kept again
    with transaction.atomic():
        cache.cache_bump("mentoring")
    assert cache.versions(["mentoring"]) != before  # bumped on commit
    assert cache.cached(("t",), build, depends=("mentoring",)) == 3


@pytest.mark.django_db(transaction=True)
def test_a_write_outside_a_transaction_bumps_at_once():
    calls, build = _counter()
    assert cache.cached(("t",), build, depends=("mentoring",)) == 1
    MentorPolicy.objects.create(version=7, criteria=[])
    assert cache.cached(("t",), build, depends=("mentoring",)) == 2


def test_a_lost_version_starts_again_where_no_earlier_one_was():
    """A flushed or culled cache loses the versions: the next one is a fresh random number, so a value
    kept under an earlier version is never read again."""
    calls, build = _counter()
    assert cache.cached(("t",), build, depends=("mentoring",)) == 1
    before = cache.versions(["mentoring"])
    django_cache.delete("tl:v:mentoring")
    assert cache.cached(("t",), build, depends=("mentoring",)) == 2
    assert cache.versions(["mentoring"]) != before
    django_cache.delete("tl:v:mentoring")
    cache.cache_bump("mentoring")  # a bump of a lost version starts it afresh too
    assert cache.cached(("t",), build, depends=("mentoring",)) == 3


def test_an_unregistered_name_is_refused():
    with pytest.raises(KeyError):
        cache.cached(("t",), lambda: 1, depends=("nobody",))
    with pytest.raises(KeyError):
        cache.cache_bump("nobody")


def test_many_to_many_tables_are_registered():
    from talentloop.learning.models import ContentItem

    assert cache.registered_names(ContentItem.org_units.through) == {"learning"}
    assert cache.registered_names(ContentItem) == {"learning", "careers"}


@pytest.mark.django_db  # request signals close old database connections
def test_a_request_reads_the_versions_once_and_sees_its_own_bumps():
    from django.core.signals import request_finished, request_started

    request_started.send(sender=None)
    try:
        first = cache.versions(["mentoring"])
        django_cache.incr("tl:v:mentoring")  # another process's bump, after this request read the versions
        assert cache.versions(["mentoring"]) == first  # one read per request
        cache.cache_bump("mentoring")  # this request's own write…
        commit_callbacks()  # …once committed
        assert cache.versions(["mentoring"]) != first
    finally:
        request_finished.send(sender=None)
    assert cache.versions(["mentoring"]) == (first[0] + 2,)


@pytest.mark.django_db  # request signals close old database connections
def test_a_request_that_never_finished_does_not_reach_the_next_test():
    """A test client request whose view raised never sends ``request_finished``: the versions it read
    stay in the thread's context. ``reset()`` (between tests) drops them."""
    from django.core.signals import request_started

    request_started.send(sender=None)
    before = cache.versions(["mentoring"])
    cache.reset()
    assert cache.versions(["mentoring"]) != before  # read again, after reset's bump


def test_each_process_remembers_what_it_read_under_the_same_versions():
    calls, build = _counter()
    assert cache.cached(("t",), build, depends=("mentoring",)) == 1
    shared = cache._full_key(("t",), ("mentoring",), cache.versions(["mentoring"]))
    assert django_cache.get(shared) == 1
    django_cache.delete(shared)  # evicted from the shared cache: this process still has it, same versions
    assert cache.cached(("t",), build, depends=("mentoring",)) == 1
    cache.cache_bump("mentoring")
    assert cache.cached(("t",), build, depends=("mentoring",)) == 2  # a new version: built again


# ---------------------------------------------------------------- per person


@pytest.mark.django_db
def test_a_personal_write_renews_the_versions_of_the_people_it_concerns_on_commit(world):
    from talentloop.performance.models import Feedback

    commit_callbacks()
    giver, recipient, other = world.emp(world.mentor), world.emp(world.employee), world.emp(world.hr)
    before = {e.pk: cache.personal_stamp([e.pk]) for e in (giver, recipient, other)}
    Feedback.objects.create(giver=giver, recipient=recipient, kind="praise", text="Thanks")
    assert cache.person_pending([recipient.pk]) and cache.person_pending([giver.pk])
    assert not cache.person_pending([other.pk])
    assert cache.personal_stamp([recipient.pk]) == before[recipient.pk]  # renewed only on commit
    commit_callbacks()
    assert not cache.person_pending([recipient.pk])
    after = {e.pk: cache.personal_stamp([e.pk]) for e in (giver, recipient, other)}
    assert after[giver.pk] != before[giver.pk] and after[recipient.pk] != before[recipient.pk]
    assert after[other.pk] == before[other.pk]


@pytest.mark.django_db(transaction=True)
def test_a_write_concerning_many_people_renews_everyone_at_once():
    one, two = cache.personal_stamp([1]), cache.personal_stamp([2])
    with transaction.atomic():
        cache.bump_people(range(1, cache.MANY_PEOPLE + 2))
        assert cache.person_pending([123456])  # everyone is pending, not only those named
    assert cache.personal_stamp([1]) != one and cache.personal_stamp([2]) != two


@pytest.mark.django_db(transaction=True)
def test_a_rolled_back_personal_write_renews_nothing():
    before = cache.personal_stamp([7])
    with pytest.raises(RuntimeError), transaction.atomic():
        cache.bump_people([7])
        raise RuntimeError
    assert not cache.person_pending([7])
    assert cache.personal_stamp([7]) == before
    cache.bump_people([7])  # outside a transaction: at once
    assert cache.personal_stamp([7]) != before


@pytest.mark.django_db
def test_a_plan_item_renews_its_mentee_and_its_mentor(world):
    """Mentoring names both ends of a plan, also for what hangs on it and once the plan is deleted."""
    import datetime as dt

    from talentloop.mentoring import people
    from talentloop.mentoring.tests import programme_fixtures as F

    mentor = F.mentor(world.emp(world.mentor))
    plan = F.plan(mentor, world.emp(world.employee), F.template(), dt.date(2026, 1, 5))
    both = {world.emp(world.employee).pk, world.emp(world.mentor).pk}
    assert set(people.of_plan(plan)) == both
    item = F.item(plan, dt.date(2026, 2, 5))
    assert set(people.of_plan_part(item)) == both
    assert set(people.of_mentor(mentor)) == both
    commit_callbacks()
    before = cache.personal_stamp([world.emp(world.employee).pk])
    item.completed_on = dt.date(2026, 2, 4)
    item.save()
    commit_callbacks()
    assert cache.personal_stamp([world.emp(world.employee).pk]) != before
    plan.items.all().delete()
    plan.topics.all().delete()
    pk = plan.pk
    plan.delete()
    plan.pk = pk
    assert set(people.of_plan(plan)) == both


@pytest.mark.django_db
def test_scores_are_still_deleted_in_one_statement(world):
    """Scores are registered per person on save only: a delete receiver would make every bulk delete of
    the score writers fetch each row first (a recomputation of 10,000 people went from 2 s to 17 s)."""
    import datetime as dt

    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone

    from talentloop.performance.models import Score

    for emp in (world.emp(world.employee), world.emp(world.mentor)):
        Score.objects.create(employee=emp, period_key="2026-01", period_start=dt.date(2026, 1, 1),
                             computed_at=timezone.now(), total=100)
    with CaptureQueriesContext(connection) as queries:
        deleted, _rows = Score.objects.filter(period_key="2026-01").delete()
    assert deleted == 2
    assert [q["sql"].split()[0] for q in queries.captured_queries] == ["DELETE"]
