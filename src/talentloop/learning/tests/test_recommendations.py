"""Recommendations: each signal produces its item and its reason; dismissing teaches; the cost is a
constant number of queries."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone, translation

from talentloop.core.access import actor_for
from talentloop.learning import selectors, services
from talentloop.learning.tests.factories import ContentItemFactory, event

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


def _me(world, name="employee"):
    user = getattr(world, name)
    return actor_for(user), world.emp(user)


def test_someone_who_opens_python_courses_is_offered_more_python(world):
    actor, me = _me(world)
    opened = [ContentItemFactory(title_en=f"Python {i}", tags=["python"]) for i in range(3)]
    for item in opened:
        services.content_open(actor=actor, content=item)
    services.content_complete(actor=actor, content=opened[0])
    ContentItemFactory(title_en="Negotiation", tags=["negotiation"])
    advanced = ContentItemFactory(title_en="Advanced Python", tags=["python", "testing"])

    recs = selectors.recommendation_list(actor, me, limit=3)

    # The completed item is never offered; the opened, not completed ones are (they share the tag),
    # and the new Python course is among the first — the negotiation course has no signal at all.
    ids = [r.content.pk for r in recs]
    assert opened[0].pk not in ids
    # Not yet opened, so it comes before the Python courses already opened.
    assert ids[0] == advanced.pk
    rec = next(r for r in recs if r.content.pk == advanced.pk)
    # 3 opens of Python courses (+1 each, barely decayed) outweigh 1 completion (+2), so the reason
    # names the opens — of courses, the completed one included.
    assert rec.signal == "behaviour"
    assert rec.reason == "Because you opened 3 Python courses"
    assert all(r.content.title_en != "Negotiation" for r in recs)


def test_the_open_reason_counts_the_courses_opened(world):
    actor, me = _me(world)
    for i in range(3):
        services.content_open(actor=actor, content=ContentItemFactory(title_en=f"Py {i}", tags=["python"]))
    new = ContentItemFactory(title_en="More Python", tags=["python"])
    recs = selectors.recommendation_list(actor, me, limit=10)
    rec = next(r for r in recs if r.content.pk == new.pk)
    assert rec.reason == "Because you opened 3 Python courses"


def test_many_complaints_put_the_complaint_handling_course_first(world):
    actor, me = _me(world)
    ContentItemFactory(title_en="Python basics", tags=["python"])
    services.content_open(actor=actor, content=ContentItemFactory(title_en="Python 1", tags=["python"]))
    course = ContentItemFactory(title_en="Handling complaints", tags=["complaint-handling", "customer-empathy"])
    # What the work-results service records for a low customer score (performance/services/results.py).
    for _i in range(4):
        services.behaviour_record(employee_id=me.pk, verb="submit", tags=["complaint-handling"],
                                  source="work-result")

    recs = selectors.recommendation_list(actor, me, limit=3)

    assert recs[0].content.pk == course.pk
    assert recs[0].reason == "Because you logged 4 customer complaints"


def test_dismissing_removes_the_item_for_good_and_lowers_similar_items(world):
    actor, me = _me(world)
    for i in range(2):
        services.content_open(actor=actor, content=ContentItemFactory(title_en=f"SQL {i}", tags=["sql"]))
    a = ContentItemFactory(title_en="SQL joins", tags=["sql"])
    b = ContentItemFactory(title_en="SQL indexes", tags=["sql"])
    before = {r.content.pk: r.score for r in selectors.recommendation_list(actor, me, limit=10)}
    assert a.pk in before and b.pk in before

    services.recommendation_dismiss(actor=actor, content=a)
    after = {r.content.pk: r.score for r in selectors.recommendation_list(actor, me, limit=10)}

    assert a.pk not in after
    # Two opens (+2) and a dismissal (-3) on "sql": the similar item has no positive signal left.
    assert b.pk not in after or after[b.pk] < before[b.pk]
    # Even after the behaviour window, a dismissed item does not come back.
    from talentloop.learning.models import BehaviourEvent

    BehaviourEvent.objects.filter(employee=me).update(occurred_at=timezone.now() - dt.timedelta(days=400))
    services.content_open(actor=actor, content=ContentItemFactory(title_en="SQL 9", tags=["sql"]))
    assert a.pk not in {r.content.pk for r in selectors.recommendation_list(actor, me, limit=10)}


def test_a_metric_below_target_gives_its_reason(world):
    from talentloop.performance.models import Score

    actor, me = _me(world)
    Score.objects.create(
        employee=me, period_key="2026-10", period_start=dt.date(2026, 10, 1), total=Decimal("85"),
        rating=Decimal("3.3"), computed_at=timezone.now(),
        detail={"scorecard": "Service", "dimensions": [
            {"key": "customer-feedback", "name": "Customer feedback", "weight": "30", "effective_weight": "30",
             "score": "90.00", "missing": False, "metrics": [
                 {"key": "customer-satisfaction", "name": "Customer satisfaction", "direction": "higher",
                  "actual": "3.78", "target": "4.2", "score": "90.00", "weight": "100"}]},
            {"key": "delivery", "name": "Delivery", "weight": "70", "effective_weight": "70", "score": "110.00",
             "missing": False, "metrics": [
                 {"key": "task-completion-rate", "name": "On-time task completion", "direction": "higher",
                  "actual": "99", "target": "90", "score": "110.00", "weight": "100"}]}]})
    ContentItemFactory(title_en="Deliver on time", tags=["task-completion-rate"])
    course = ContentItemFactory(title_en="Delighting customers", tags=["customer-satisfaction"])

    recs = selectors.recommendation_list(actor, me, limit=3)

    assert [r.content.pk for r in recs] == [course.pk]
    assert recs[0].reason == "Because your Customer satisfaction is below target"
    assert recs[0].signal == "performance"


def test_a_mentoring_plan_topic_gives_its_reason(world):
    from talentloop.mentoring.models import MentoringPlan, PlanTopic
    from talentloop.mentoring.tests import programme_fixtures as F

    actor, me = _me(world)
    mentor = F.mentor(world.emp(world.mentor), capacity=3)
    template = F.template("Promotion candidate")
    plan = MentoringPlan.objects.create(mentor=mentor, mentee=me, template=template, status="active",
                                        starts_on=dt.date(2026, 1, 1), ends_on=dt.date(2026, 12, 31))
    PlanTopic.objects.create(plan=plan, title="Code review", order=1)
    course = ContentItemFactory(title_en="Reviewing code well", tags=["code-review"])
    ContentItemFactory(title_en="Lean", tags=["lean-manufacturing"])

    recs = selectors.recommendation_list(actor, me, limit=3)

    assert [r.content.pk for r in recs] == [course.pk]
    assert recs[0].reason == "Because your mentoring plan covers Code review"


def test_nobody_else_sees_a_persons_recommendations(world):
    _actor, me = _me(world)
    services.content_open(actor=actor_for(world.employee), content=ContentItemFactory(tags=["python"]))
    ContentItemFactory(tags=["python"])
    assert selectors.recommendation_list(actor_for(world.hr), me) == []
    assert selectors.recommendation_list(actor_for(world.manager), me) == []


def test_items_outside_the_audience_are_not_recommended(world):
    actor, me = _me(world)
    services.content_open(actor=actor, content=ContentItemFactory(tags=["python"]))
    sales_only = ContentItemFactory(tags=["python"], audience="org_units")
    sales_only.org_units.set([world.sales])
    draft = ContentItemFactory(tags=["python"], status="draft")
    resource = ContentItemFactory(tags=["python"], kind="resource", audience="everyone")
    platform = ContentItemFactory(tags=["python"], audience="org_units")
    platform.org_units.set([world.rnd])  # the employee is in platform, under R&D: included
    ids = {r.content.pk for r in selectors.recommendation_list(actor, me, limit=10)}
    assert platform.pk in ids
    assert not ids & {sales_only.pk, draft.pk, resource.pk}


def _queries(actor, me) -> int:
    with CaptureQueriesContext(connection) as ctx:
        selectors.recommendation_list(actor, me, limit=10)
    return len(ctx.captured_queries)


def test_recommendations_cost_a_constant_number_of_queries(world):
    from talentloop.mentoring.models import MentoringPlan, PlanTopic
    from talentloop.mentoring.tests import programme_fixtures as F

    actor, me = _me(world)
    plan = MentoringPlan.objects.create(mentor=F.mentor(world.emp(world.mentor), capacity=3), mentee=me,
                                        template=F.template("P"), status="active",
                                        starts_on=dt.date(2026, 1, 1), ends_on=dt.date(2026, 12, 31))
    PlanTopic.objects.create(plan=plan, title="SQL", order=1)

    def grow(n: int) -> None:
        for i in range(n):
            item = ContentItemFactory(tags=["python", f"t{i}"], audience="job_families" if i % 2 else "everyone")
            if i % 2:
                item.job_families.set([world.engineering])
            event(me, "open", ["python"], content=item, days_ago=i % 80)
            services.content_complete(actor=actor, content=ContentItemFactory(tags=["sql"]))

    grow(3)
    small = _queries(actor, me)
    grow(30)
    assert _queries(actor, me) == small
