"""The reviews one writes: a manager with many reports gets them a page at a time, those to write
most urgent first and those done newest first, filtered by cycle, kind and person."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from talentloop.core.testing.factories import EmployeeFactory
from talentloop.performance.models import Review, ReviewCycle

pytestmark = pytest.mark.django_db


def _cycle(name: str, status: str) -> ReviewCycle:
    return ReviewCycle.objects.create(
        name=name,
        period_key="2026-Q1",
        self_due=dt.date(2026, 4, 10),
        peer_due=dt.date(2026, 4, 12),
        manager_due=dt.date(2026, 4, 20),
        status=status,
    )


def _reports(world, n: int, start: int = 0) -> list:
    lead = world.emp(world.lead)
    return [
        EmployeeFactory(
            manager=lead,
            org_unit=world.platform,
            job_family=world.engineering,
            name=f"报告{i}",
            employee_number=f"R-{i:03d}",
        )
        for i in range(start, start + n)
    ]


def _to_write(world, cycle, people, first_due=dt.date(2026, 4, 1)) -> list[Review]:
    lead = world.emp(world.lead)
    # Created in reverse due order, so "oldest first by id" and "most urgent first" differ.
    return [
        Review.objects.create(
            cycle=cycle, reviewee=p, reviewer=lead, kind="manager", due=first_due + dt.timedelta(days=len(people) - i)
        )
        for i, p in enumerate(people)
    ]


def test_a_long_list_to_write_is_paged_most_urgent_first(world, client_for):
    cycle = _cycle("2026 Q1", "open")
    reviews = _to_write(world, cycle, _reports(world, 30))
    c = client_for("lead")
    first = c.get("/performance/reviews/")
    page = first.context["mine"].to_write
    assert first.context["page_obj"].paginator.count == 30 and len(page) == 25
    assert [r.due for r in page] == sorted(r.due for r in reviews)[:25]
    assert page[0].pk == reviews[-1].pk  # the earliest due, although written last
    second = c.get("/performance/reviews/", {"page": "2"}).context["mine"].to_write
    assert len(second) == 5 and 'rel="next"' in first.content.decode()


def test_done_reviews_come_newest_first_and_filter(world, client_for):
    old = _cycle("2025 Q4", "closed")
    new = _cycle("2026 Q1", "open")
    people = _reports(world, 3)
    lead = world.emp(world.lead)
    when = timezone.make_aware(dt.datetime(2026, 1, 5, 10))
    for i, p in enumerate(people):
        Review.objects.create(
            cycle=old,
            reviewee=p,
            reviewer=lead,
            kind="manager",
            status="submitted",
            submitted_at=when + dt.timedelta(days=i),
        )
    Review.objects.create(
        cycle=new,
        reviewee=people[0],
        reviewer=lead,
        kind="manager",
        status="submitted",
        submitted_at=when + dt.timedelta(days=30),
    )
    Review.objects.create(
        cycle=new, reviewee=world.emp(world.employee), reviewer=lead, kind="peer", due=dt.date(2026, 4, 12)
    )
    c = client_for("lead")
    done = c.get("/performance/reviews/", {"show": "done"}).context["page_obj"].object_list
    assert [(r.cycle_id, r.reviewee_id) for r in done] == [
        (new.pk, people[0].pk),
        (old.pk, people[2].pk),
        (old.pk, people[1].pk),
        (old.pk, people[0].pk),
    ]
    by_cycle = c.get("/performance/reviews/", {"show": "done", "cycle": old.pk}).context["page_obj"].object_list
    assert {r.cycle_id for r in by_cycle} == {old.pk} and len(by_cycle) == 3
    peers = c.get("/performance/reviews/", {"show": "all", "kind": "peer"}).context["page_obj"].object_list
    assert [r.kind for r in peers] == ["peer"]
    # The person's name in pinyin initials ("报告1": bg1).
    found = c.get("/performance/reviews/", {"show": "all", "q": "bg1"}).context["page_obj"].object_list
    assert {r.reviewee_id for r in found} == {people[1].pk}
    # Bad filter values fall back to the default list instead of failing.
    assert c.get("/performance/reviews/", {"show": "nonsense", "cycle": "x", "page": "-3"}).status_code == 200


def test_the_list_shows_only_ones_own_reviews(world, client_for):
    cycle = _cycle("2026 Q1", "open")
    _to_write(world, cycle, _reports(world, 3))
    assert client_for("manager").get("/performance/reviews/").context["page_obj"].paginator.count == 0
    other = client_for("manager").get("/performance/reviews/", {"cycle": cycle.pk, "show": "all"})
    assert other.context["page_obj"].paginator.count == 0


def test_query_count_does_not_grow_with_the_list(world, client_for):
    cycle = _cycle("2026 Q1", "open")
    c = client_for("lead")

    def count(n: int) -> int:
        _to_write(world, cycle, _reports(world, n, start=Review.objects.count()))
        with CaptureQueriesContext(connection) as queries:
            r = c.get("/performance/reviews/", {"q": "bg"})
        assert r.status_code == 200
        return len(queries)

    # base 6 (session, user, actor, bell) + cycles for the filter + count + one page + self reviews
    # to pick peers = 10, whether the list holds 3 reviews or 40
    assert count(3) == count(37) == 6 + 4
