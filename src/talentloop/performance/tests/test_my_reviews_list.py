"""The reviews one writes: a manager with many reports gets them a page at a time, those to write
most urgent first and those done newest first, filtered by cycle, kind and person."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from talentloop.organisation.models import Employee
from talentloop.performance.models import Review, ReviewCycle
from talentloop.testing.factories import EmployeeFactory

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


# ---------------------------------------------------------------- improvement plans


def _plans(world, people, status="active", start=dt.date(2026, 1, 5)):
    from talentloop.performance.models import ImprovementPlan

    lead = world.emp(world.lead)
    return [
        ImprovementPlan.objects.create(
            employee=p,
            owner=lead,
            title=f"计划{p.employee_number}",
            reason="r",
            starts_on=start + dt.timedelta(days=i),
            ends_on=dt.date(2026, 6, 30),
            status=status,
        )
        for i, p in enumerate(people)
    ]


def test_improvement_plans_are_paged_active_first_then_newest(world, client_for):
    people = _reports(world, 30)
    closed = _plans(world, people[:2], status="succeeded", start=dt.date(2026, 3, 1))
    active = _plans(world, people[2:])
    c = client_for("lead")
    first = c.get("/performance/plans/")
    shown = list(first.context["plans"])
    assert first.context["page_obj"].paginator.count == 30 and len(shown) == 25
    assert [p.pk for p in shown[:3]] == [p.pk for p in reversed(active)][:3]  # active, newest first
    last = list(c.get("/performance/plans/", {"page": "2"}).context["plans"])
    assert [p.pk for p in last[-2:]] == [closed[1].pk, closed[0].pk]
    done = c.get("/performance/plans/", {"status": "succeeded"}).context["plans"]
    assert {p.pk for p in done} == {p.pk for p in closed}
    one = c.get("/performance/plans/", {"q": people[5].employee_number}).context["plans"]
    assert [p.employee_id for p in one] == [people[5].pk]
    assert client_for("outsider").get("/performance/plans/").context["page_obj"].paginator.count == 0


def test_improvement_plan_list_query_count_does_not_grow(world, client_for):
    c = client_for("lead")

    def count(n: int) -> int:
        _plans(world, _reports(world, n, start=Employee.objects.count()))
        with CaptureQueriesContext(connection) as queries:
            assert c.get("/performance/plans/").status_code == 200
        return len(queries)

    assert count(2) == count(40)


# ---------------------------------------------------------------- feedback


def test_feedback_overview_previews_each_box_and_pages_it_in_full(world, client_for):
    from talentloop.performance.models import Feedback

    me = world.emp(world.employee)
    givers = _reports(world, 14)
    for i, giver in enumerate(givers):
        Feedback.objects.create(giver=giver, recipient=me, kind="praise", visibility="shared", text=f"谢谢{i}")
    c = client_for("employee")
    overview = c.get("/performance/feedback/")
    body = overview.content.decode()
    assert body.count("谢谢") == 10 and "?box=received" in body
    first = c.get("/performance/feedback/", {"box": "received"})
    assert first.context["page_obj"].paginator.count == 14
    assert [f.text for f in first.context["items"]][:2] == ["谢谢13", "谢谢12"]  # newest first
    # Someone else's box is empty, and an unknown box is the overview.
    assert (
        client_for("outsider").get("/performance/feedback/", {"box": "received"}).context["page_obj"].paginator.count
        == 0
    )
    assert "boxes" in c.get("/performance/feedback/", {"box": "nonsense"}).context


def test_feedback_box_query_count_does_not_grow(world, client_for):
    from talentloop.performance.models import Feedback

    me = world.emp(world.employee)
    c = client_for("employee")

    def count(n: int) -> int:
        for giver in _reports(world, n, start=Employee.objects.count()):
            Feedback.objects.create(giver=giver, recipient=me, kind="praise", visibility="shared", text="ok")
        with CaptureQueriesContext(connection) as queries:
            assert c.get("/performance/feedback/", {"box": "received"}).status_code == 200
        return len(queries)

    assert count(2) == count(30)


# ---------------------------------------------------------------- appeals


def test_appeals_to_answer_are_paged_open_first_and_filtered(world, client_for, monkeypatch):
    from talentloop.performance.models import Appeal

    monkeypatch.setattr("talentloop.performance.views.reviews.APPEALS_PER_PAGE", 3)
    people = _reports(world, 5)
    for i, p in enumerate(people):
        Appeal.objects.create(
            employee=p,
            period_key="2026-Q1",
            reason="r",
            status="answered" if i < 2 else "open",
            outcome="kept" if i < 2 else "",
        )
    c = client_for("lead")
    first = c.get("/performance/appeals/")
    assert first.context["page_obj"].paginator.count == 5
    assert [a.status for a in first.context["inbox"]] == ["open"] * 3
    assert [a.status for a in c.get("/performance/appeals/", {"page": "2"}).context["inbox"]] == ["answered"] * 2
    answered = c.get("/performance/appeals/", {"status": "answered"}).context["page_obj"].paginator.count
    assert answered == 2
    assert c.get("/performance/appeals/", {"status": "bogus"}).context["page_obj"].paginator.count == 5


def _my_appeals(world, n: int, first_year: int = 2000) -> list:
    from talentloop.performance.models import Appeal

    me = world.emp(world.employee)
    return [
        Appeal.objects.create(
            employee=me, period_key=str(first_year + i), reason="r", status="answered", outcome="kept"
        )
        for i in range(n)
    ]


def test_my_appeals_are_previewed_and_paged_newest_first(world, client_for, monkeypatch):
    monkeypatch.setattr("talentloop.performance.views.reviews.APPEALS_PER_PAGE", 5)
    appeals = _my_appeals(world, 12)
    c = client_for("employee")
    overview = c.get("/performance/appeals/")
    body = overview.content.decode()
    assert f"/performance/appeals/{appeals[-1].pk}/" in body  # the newest is shown
    assert f"/performance/appeals/{appeals[0].pk}/" not in body  # the oldest is past the preview
    assert 'data-testid="all-my-appeals"' in body and "?box=mine" in body
    first = c.get("/performance/appeals/", {"box": "mine"})
    assert first.context["page_obj"].paginator.count == 12
    assert [a.pk for a in first.context["mine"]] == [a.pk for a in reversed(appeals)][:5]  # newest first
    last = c.get("/performance/appeals/", {"box": "mine", "page": "3"}).context["mine"]
    assert [a.pk for a in last] == [appeals[1].pk, appeals[0].pk]
    assert 'rel="next"' in first.content.decode()
    # A short list has no "See all" link; someone else's appeals are not in one's box.
    assert "all-my-appeals" not in client_for("lead").get("/performance/appeals/").content.decode()
    assert client_for("lead").get("/performance/appeals/", {"box": "mine"}).context["page_obj"].paginator.count == 0


def test_my_appeals_query_count_does_not_grow(world, client_for):
    from talentloop.performance.models import Appeal

    c = client_for("employee")

    def count(n: int) -> tuple[int, int]:
        _my_appeals(world, n, first_year=2000 + Appeal.objects.count())
        with CaptureQueriesContext(connection) as overview:
            assert c.get("/performance/appeals/").status_code == 200
        with CaptureQueriesContext(connection) as paged:
            assert c.get("/performance/appeals/", {"box": "mine"}).status_code == 200
        return len(overview), len(paged)

    assert count(3) == count(40)


def _requests(world, n: int, *, asked: bool) -> list:
    """``n`` open requests to the employee (``asked``) or from them, oldest first."""
    from talentloop.performance.models import FeedbackRequest

    me = world.emp(world.employee)
    out = []
    for p in _reports(world, n, start=Employee.objects.count()):
        kw = (
            {"requester": p, "subject": p, "responder": me}
            if asked
            else {"requester": me, "subject": me, "responder": p}
        )
        out.append(FeedbackRequest.objects.create(**kw))
    return out


@pytest.mark.parametrize(
    ("box", "asked", "testid"), [("asked", True, "all-asked"), ("requests", False, "all-requests")]
)
def test_feedback_requests_are_previewed_and_paged_newest_first(world, client_for, box, asked, testid):
    reqs = _requests(world, 30, asked=asked)
    c = client_for("employee")
    body = c.get("/performance/feedback/").content.decode()
    assert f'data-testid="{testid}"' in body and f"?box={box}" in body
    first = c.get("/performance/feedback/", {"box": box})
    assert first.context["page_obj"].paginator.count == 30 and len(first.context["items"]) == 25
    assert [r.pk for r in first.context["items"]][:3] == [r.pk for r in reversed(reqs)][:3]  # newest first
    second = c.get("/performance/feedback/", {"box": box, "page": "2"}).context["items"]
    assert [r.pk for r in second] == [r.pk for r in reversed(reqs[:5])]
    # Someone else's requests are not in one's box.
    assert client_for("outsider").get("/performance/feedback/", {"box": box}).context["page_obj"].paginator.count == 0


def test_answered_requests_leave_the_asked_box(world, client_for):
    reqs = _requests(world, 3, asked=True)
    reqs[0].status = "declined"
    reqs[0].save()
    items = client_for("employee").get("/performance/feedback/", {"box": "asked"}).context["items"]
    assert [r.pk for r in items] == [reqs[2].pk, reqs[1].pk]


@pytest.mark.parametrize("box", ["", "asked", "requests"])
def test_feedback_request_boxes_query_count_does_not_grow(world, client_for, box):
    c = client_for("employee")

    def count(n: int) -> int:
        _requests(world, n, asked=True)
        _requests(world, n, asked=False)
        with CaptureQueriesContext(connection) as queries:
            assert c.get("/performance/feedback/", {"box": box} if box else {}).status_code == 200
        return len(queries)

    assert count(2) == count(30)
