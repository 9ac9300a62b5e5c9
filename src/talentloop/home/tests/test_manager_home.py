"""The manager's home page over a growing reporting tree: the team at a glance is counted in SQL (the
same figures as counting the people one by one), shows only the manager's own tree, and its sections
cost the same number of queries whatever the size of the team."""

from __future__ import annotations

import datetime as dt
import statistics
from decimal import ROUND_HALF_UP
from decimal import Decimal as D

import pytest
import time_machine
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import translation

from talentloop.core import cache
from talentloop.core.access import actor_for
from talentloop.home.selectors import team
from talentloop.home.selectors.base import Ctx
from talentloop.home.tests.factories import build_home_world, grow_company, months, score
from talentloop.organisation.models import Employee
from talentloop.performance.models import Score
from talentloop.testing.commits import commit_callbacks
from talentloop.testing.factories import EmployeeFactory

pytestmark = pytest.mark.django_db

NOW = dt.datetime(2026, 3, 16, 4, 0, tzinfo=dt.UTC)


@pytest.fixture
def home(world):
    with time_machine.travel(NOW, tick=False), translation.override("en"):
        yield build_home_world(world, today=NOW.date())


def ctx(user, home) -> Ctx:
    return Ctx(actor=actor_for(user), today=home.today)


def _by_hand(world, home, period_key: str) -> dict:
    """The team's figures counted person by person (what the SQL aggregate must agree with)."""
    manager = world.emp(world.manager)
    tree = Employee.objects.filter(manager_path__startswith=manager.reports_prefix, status="active")
    totals = {s.employee_id: s for s in Score.objects.filter(employee__in=tree, period_key=period_key,
                                                             total__isnull=False)}
    values = [s.total for s in totals.values()]
    bands = [0] * 5
    for s in totals.values():
        bands[min(4, max(0, int((s.rating + D("0.5")).to_integral_value(rounding="ROUND_FLOOR")) - 1))] += 1
    below = sorted((s.total, s.employee_id) for s in totals.values() if s.total < 100)
    return {"people": tree.count(), "scored": len(values),
            "average": D(str(statistics.fmean(values))).quantize(D("0.1"), rounding=ROUND_HALF_UP) if values else None,
            "bands": bands, "below_count": len(below), "below": [pk for _t, pk in below[:team.BELOW_SHOWN]]}


def _shown(section: team.TeamGlance) -> dict:
    return {"people": section.people, "scored": section.scored, "average": section.average,
            "bands": [count for _band, count, _width in section.distribution], "below_count": section.below_count,
            "below": [b.employee_id for b in section.below]}


def _count(fn, *args) -> tuple[object, int]:
    with CaptureQueriesContext(connection) as queries:
        out = fn(*args)
    return out, len(queries)


@pytest.mark.parametrize("sizes", [(10, 40)], ids=["10-then-50-more"])
def test_team_glance_agrees_with_counting_by_hand_at_two_sizes(world, home, sizes):
    counts = []
    for extra in sizes:
        grow_company(world, home, extra)
        section, queries = _count(team.team_glance, ctx(world.manager, home))
        assert _shown(section) == _by_hand(world, home, home.today.strftime("%Y-%m"))
        counts.append(queries)
    # Head count, one aggregate over both months, the lowest totals: whatever the size of the team.
    assert counts == [3, 3]


def test_lowest_totals_break_ties_by_person_and_stop_at_five(world, home):
    period = months(home.today)[-1]
    lead = world.emp(world.lead)
    same = [EmployeeFactory(org_unit=world.platform, job_family=world.engineering, manager=lead) for _ in range(7)]
    for person in same:
        score(person, period, D(50))
    section = team.team_glance(ctx(world.manager, home))
    assert [b.employee_id for b in section.below] == sorted(p.pk for p in same)[:team.BELOW_SHOWN]
    assert all(b.total == D(50) and b.name for b in section.below)
    assert section.below_count == 7 + 1  # and the newgrad's 75 of the home world


def test_people_outside_the_tree_never_count(world, home):
    """The outsider's reports score lower than anyone in the manager's tree: they are neither counted
    nor listed; the outsider, a manager too, sees only their own."""
    period = months(home.today)[-1]
    outsider = world.emp(world.outsider)
    strangers = [EmployeeFactory(org_unit=world.sales, job_family=world.engineering, manager=outsider)
                 for _ in range(3)]
    for person in strangers:
        score(person, period, D(10))
    before = _shown(team.team_glance(ctx(world.manager, home)))
    assert not {p.pk for p in strangers} & set(before["below"])
    assert before == _by_hand(world, home, period.key)
    theirs = team.team_glance(ctx(world.outsider, home))
    assert (theirs.people, theirs.scored) == (3, 3)
    assert {b.employee_id for b in theirs.below} == {p.pk for p in strangers}


def test_a_left_member_is_not_counted(world, home):
    employee = world.emp(world.employee)
    shown = team.team_glance(ctx(world.manager, home))
    Employee.objects.filter(pk=employee.pk).update(status="terminated")
    after = team.team_glance(ctx(world.manager, home))
    assert after.people == shown.people - 1 and after.scored == shown.scored - 1


def test_early_in_a_month_the_last_month_is_shown(world, home):
    this_month = months(home.today)[-1]
    Score.objects.filter(period_key=this_month.key).delete()
    section, queries = _count(team.team_glance, ctx(world.manager, home))
    last = this_month.previous().key
    assert section.period_key == last
    assert _shown(section) == _by_hand(world, home, last)
    assert queries == 3


def test_a_team_nobody_was_scored_in_shows_the_head_count_only(world, home):
    recent = [p.key for p in months(home.today)[-2:]]
    Score.objects.filter(period_key__in=recent).delete()
    section, queries = _count(team.team_glance, ctx(world.manager, home))
    assert (section.scored, section.average, section.below, section.distribution) == (0, None, [], [])
    assert section.people > 0
    assert queries == 2  # no month to list the lowest totals of


def test_not_a_manager_gets_no_team_sections(world, home):
    for fn in (team.team_glance, team.team_growth, team.team_overdue, team.team_onboarding):
        assert fn(ctx(world.employee, home)) is None


def _page_queries(user) -> int:
    commit_callbacks()
    cache.reset()
    client = Client()
    client.force_login(user)
    client.get("/")  # the configuration, kept afterwards (core.cache)
    with CaptureQueriesContext(connection) as queries:
        response = client.get("/")
    assert response.status_code == 200
    return len(queries)


def test_manager_home_costs_the_same_at_two_team_sizes(world, home, django_assert_max_num_queries):
    with time_machine.travel(NOW, tick=False):
        grow_company(world, home, 10)
        small = _page_queries(world.manager)
        grow_company(world, home, 90)  # 100 more people in all, two thirds of them below the manager
        large = _page_queries(world.manager)
        assert large == small
        client = Client()
        client.force_login(world.manager)
        with django_assert_max_num_queries(small):
            assert client.get("/").status_code == 200


def test_the_team_figures_are_kept_a_minute_and_a_new_scorecard_counts_at_once(world, home):
    """What the manager sees over the whole tree is built at most once in each minute of the clock
    (home.selectors.TEAM_KEPT): a score written within the minute shows in the next one. A change of
    configuration the figures depend on (a metric, a scorecard: core.cache name "performance") shows
    at once. Another reader never gets the manager's figures."""
    from talentloop.home.selectors import TEAM_KEPT, home_section
    from talentloop.performance import periods as P

    manager = actor_for(world.manager)
    start = NOW.replace(second=0)
    month = P.containing(home.today)
    with time_machine.travel(start, tick=False):
        before = home_section(manager, "team", home.today)
        newcomer = EmployeeFactory(manager=world.emp(world.manager), org_unit=world.platform,
                                   job_family=world.engineering, hire_date=home.today - dt.timedelta(days=400))
        score(newcomer, month, D("10"))
        within = home_section(manager, "team", home.today)
        assert (within.people, within.scored, within.below_count) == (before.people, before.scored,
                                                                      before.below_count)
    with time_machine.travel(start + dt.timedelta(seconds=TEAM_KEPT), tick=False):
        after = home_section(manager, "team", home.today)
        assert after.people == before.people + 1
        assert newcomer.pk in [b.employee_id for b in after.below]
        score(newcomer, month.previous(), D("20"))  # no change to what the month shows
        EmployeeFactory(manager=world.emp(world.manager), org_unit=world.platform, job_family=world.engineering,
                        hire_date=home.today - dt.timedelta(days=400))
        cache.cache_bump("performance")  # as saving a metric or a scorecard does, on commit
        commit_callbacks()
        again = home_section(manager, "team", home.today)
        assert again.people == after.people + 1
        # The lead has a tree of their own: their figures, never the manager's kept ones.
        lead = home_section(actor_for(world.lead), "team", home.today)
        assert lead is not None and lead.people < again.people
        assert lead == team.team_glance(ctx(world.lead, home))
