"""What the home page does to stay fast must not change what it shows: the one-person mentor
screening agrees with the full one, and the list-with-total helper counts every row."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal as D

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from talentloop.home.selectors.base import head_and_count
from talentloop.mentoring.models import MentorCertification
from talentloop.mentoring.services import qualification as Q
from talentloop.mentoring.tests import programme_fixtures as F
from talentloop.organisation.models import Employee

pytestmark = pytest.mark.django_db

AS_OF = dt.date(2026, 3, 15)
CRITERIA = [{"key": "annual_rating_min", "params": {"min": "4.5", "years": 3}},
            {"key": "certification", "params": {"course": "mentor-skills", "min_score": 80}},
            {"key": "tenure_years", "params": {"years": "3"}},
            {"key": "level_min", "params": {"level": 5}}]


PASSABLE = CRITERIA[1:]  # no ratings in the persona world: without the rating criterion the lead qualifies


@pytest.mark.parametrize("criteria", [CRITERIA, PASSABLE], ids=["with-rating", "without-rating"])
@pytest.mark.parametrize("persona", ["manager", "lead", "mentor", "employee", "hr"])
def test_person_qualifies_agrees_with_the_full_screening(world, persona, criteria):
    policy = F.policy(Q.normalise_criteria(criteria))
    person = world.emp(getattr(world, persona))
    MentorCertification.objects.create(employee=world.emp(world.lead), course="mentor-skills", name="Mentor skills",
                                       passed_on=dt.date(2025, 6, 1), score=D(90))
    full = Q.qualifies(Q.screen_employees(policy, [person], as_of=AS_OF)[person.pk])
    assert Q.person_qualifies(policy, person, as_of=AS_OF) == full
    if persona == "lead" and criteria is PASSABLE:
        assert full is True  # the agreement is also checked on a person who does qualify


def test_person_qualifies_stops_at_the_first_failed_criterion_without_querying(world):
    policy = F.policy(Q.normalise_criteria(CRITERIA))
    junior = world.emp(world.employee)
    junior.level = 1
    with CaptureQueriesContext(connection) as queries:
        assert Q.person_qualifies(policy, junior, as_of=AS_OF) is False
    assert len(queries) == 0  # the level alone decides


def test_head_and_count_returns_the_first_rows_and_the_total(world):
    qs = Employee.objects.order_by("id")
    with CaptureQueriesContext(connection) as queries:
        rows, total = head_and_count(qs, 2)
    assert len(queries) == 1
    assert [r.pk for r in rows] == list(qs.values_list("pk", flat=True)[:2])
    assert total == qs.count() > 2
    assert head_and_count(qs.none(), 2) == ([], 0)


def _queries(client, path="/") -> tuple[int, str]:
    with CaptureQueriesContext(connection) as queries:
        html = client.get(path).content.decode()
    return len(queries), html


def test_configuration_is_kept_and_personal_data_shows_at_once(world, client_for):
    """The second page costs fewer queries (the configuration and the reader's own sections are kept
    in the shared cache); a write to a person's data shows on the very next page — before its
    transaction commits (built live, kept nowhere) and after (the reader's version was renewed: built
    once more, then kept again)."""
    from talentloop.performance.models import Feedback
    from talentloop.testing.commits import commit_callbacks

    client = client_for("employee")
    commit_callbacks()  # as if the fixtures had been committed
    cold, _html = _queries(client)
    warm, html = _queries(client)
    assert warm < cold
    assert "Shown at once" not in html
    Feedback.objects.create(giver=world.emp(world.mentor), recipient=world.emp(world.employee), kind="praise",
                            text="Shown at once")
    uncommitted, html = _queries(client)
    assert "Shown at once" in html and uncommitted > warm
    commit_callbacks()
    rebuilt, html = _queries(client)
    assert "Shown at once" in html and rebuilt > warm
    again, html = _queries(client)
    assert "Shown at once" in html and again == warm


def test_configuration_edits_show_at_once(world, client_for):
    """A scorecard, ladder or catalogue kept in the shared cache is rebuilt after HR changes it."""
    from talentloop.learning.tests.factories import ContentItemFactory
    from talentloop.testing.commits import commit_callbacks

    client = client_for("mentor")
    commit_callbacks()
    client.get("/")
    ContentItemFactory(kind="resource", audience="mentors", title="A new resource kept nowhere",
                       title_en="A new resource kept nowhere")
    commit_callbacks()
    assert "A new resource kept nowhere" in client.get("/").content.decode()
