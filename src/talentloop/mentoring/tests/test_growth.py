"""Mentee growth as effectiveness measures it: which quarters are compared, the arithmetic, the
rounding, and how growth enters a mentor's inputs and the programme results."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal as D

import pytest

from talentloop.mentoring import scoring as S
from talentloop.mentoring.growth import growth_pct
from talentloop.mentoring.models import PlanStatus
from talentloop.mentoring.selectors_effectiveness import effectiveness_all, programme_results
from talentloop.mentoring.tests import effectiveness_fixtures as F

pytestmark = pytest.mark.django_db

START = dt.date(2024, 2, 10)


def test_the_examples_of_the_issue():
    # (4.2 − 3.5) / 3.5 = 0.2 → +20.0 %; (85 − 70) / 70 = 0.214285… → +21.4 %
    assert growth_pct(D("3.5"), D("4.2")) == D("20.0")
    assert growth_pct(D(70), D(85)) == D("21.4")


def test_rounding_is_half_up_to_one_decimal_and_thresholds_use_the_rounded_figure():
    # (1.7 − 1.6) / 1.6 = 6.25 % → 6.3 (half up; banker's rounding would say 6.2)
    assert growth_pct(D("1.6"), D("1.7")) == D("6.3")
    # (60.10 − 50.10) / 50.10 = 19.96 % → 20.0, which meets "≥ 20 %"
    assert growth_pct(D("50.10"), D("60.10")) == D("20.0")
    assert growth_pct(D("50.10"), D("60.10")) >= 20
    # a fall: 4.0 → 3.0 is −25.0 %
    assert growth_pct(D(4), D(3)) == D("-25.0")


@pytest.fixture
def setup(world):
    mentor = F.mentor_of(world.emp(world.mentor))
    tpl = F.template("新员工")
    mentee = world.emp(world.employee)
    p = F.plan(mentor, mentee, tpl, START)
    return mentor, tpl, mentee, p


def test_rating_growth_compares_the_quarter_before_the_start_with_the_latest_complete_one(setup):
    mentor, _tpl, mentee, _p = setup
    # Started 10 Feb 2024: "before" is 2023-Q4. Six months later is 10 Aug 2024, so "after" is the
    # latest complete quarter ending on or after that day: as of 1 Mar 2025 that is 2024-Q4.
    F.rate(mentee, "2023-Q4", "3.5")
    F.rate(mentee, "2024-Q1", "1.0")  # the quarter the plan started in is ignored
    F.rate(mentee, "2024-Q3", "3.9")
    F.rate(mentee, "2024-Q4", "4.2")
    F.rate(mentee, "2025-Q1", "5.0")  # not complete on 1 Mar 2025
    stats = effectiveness_all(as_of=dt.date(2025, 3, 1), with_outcomes=True).mentors[mentor.pk]
    growth = stats.outcomes[0].rating
    assert (growth.before_key, growth.before, growth.after_key, growth.after) == ("2023-Q4", D("3.5"), "2024-Q4",
                                                                                 D("4.2"))
    assert growth.pct == D("20.0")
    assert stats.rating_growth_pct == D("20.0")
    # its share of the possible gain: 0.7 / 1.5 = 0.4667 → 50 + 23.33 = 73.33 points
    assert S.round1(stats.rating_points) == D("73.3")


def test_the_latest_rated_quarter_is_used_when_the_latest_has_no_rating(setup):
    mentor, _tpl, mentee, _p = setup
    F.rate(mentee, "2023-Q4", "3.5")
    F.rate(mentee, "2024-Q3", "3.9")  # 2024-Q3 ends 1 Oct 2024, after 10 Aug: it qualifies
    stats = effectiveness_all(as_of=dt.date(2025, 3, 1), with_outcomes=True).mentors[mentor.pk]
    assert stats.outcomes[0].rating.after_key == "2024-Q3"
    # (3.9 − 3.5) / 3.5 = 11.43 % → 11.4
    assert stats.rating_growth_pct == D("11.4")


def test_no_growth_before_n_months_have_passed(setup):
    mentor, _tpl, mentee, _p = setup
    F.rate(mentee, "2023-Q4", "3.5")
    F.rate(mentee, "2024-Q2", "4.5")  # ends 1 Jul 2024: less than six months after 10 Feb
    stats = effectiveness_all(as_of=dt.date(2024, 9, 1)).mentors[mentor.pk]
    assert stats.rating_growth_pct is None and stats.rating_points is None
    assert stats.composite.inputs[0].missing


def test_n_months_is_configurable(setup):
    from talentloop.mentoring.models import EffectivenessConfig

    mentor, _tpl, mentee, _p = setup
    F.rate(mentee, "2023-Q4", "3.5")
    F.rate(mentee, "2024-Q2", "4.2")
    config = EffectivenessConfig(version=1, growth_months=3)  # 10 May 2024: 2024-Q2 (ends 1 Jul) qualifies
    stats = effectiveness_all(as_of=dt.date(2024, 9, 1), config=config).mentors[mentor.pk]
    assert stats.rating_growth_pct == D("20.0")


def test_skill_growth_first_against_latest_assessment(setup):
    mentor, _tpl, _mentee, p = setup
    F.skill(p, 70, dt.date(2024, 3, 1))
    F.skill(p, 78, dt.date(2024, 6, 1))
    F.skill(p, 85, dt.date(2024, 9, 1))
    stats = effectiveness_all(as_of=dt.date(2025, 3, 1)).mentors[mentor.pk]
    assert stats.skill_growth_pct == D("21.4")
    # share of the possible gain: 15 / 30 = 0.5 → 75 points
    assert stats.skill_points == D(75)


def test_a_mentee_at_the_ceiling_is_left_out_of_the_growth_input(world, setup):
    mentor, tpl, mentee, _p = setup
    strong = F.person(org_unit=world.platform, job_family=world.engineering)
    F.plan(mentor, strong, tpl, START)
    F.rate(mentee, "2023-Q4", "3.0")
    F.rate(mentee, "2024-Q4", "4.0")  # (4 − 3) / (5 − 3) = 0.5 → 75 points
    F.rate(strong, "2023-Q4", "5.0")
    F.rate(strong, "2024-Q4", "4.8")  # at the ceiling before: no possible gain, left out
    stats = effectiveness_all(as_of=dt.date(2025, 3, 1)).mentors[mentor.pk]
    assert stats.rating_points == D(75)
    assert (stats.rating_counted, stats.rating_at_ceiling) == (1, 1)
    # the average growth figure still shows both: (+33.3 % and −4.0 %) / 2 = 14.65 → 14.7
    assert stats.rating_growth_pct == D("14.7")


def test_programme_results_compare_mentees_with_similar_people_not_mentored(world, actor_of, setup):
    mentor, tpl, mentee, p = setup
    hired = mentee.hire_date
    # Two similar people (same family and level, hired within a year) and two who are not.
    peer1 = F.person(org_unit=world.platform, job_family=world.engineering, level=mentee.level,
                     hire_date=hired + dt.timedelta(days=200))
    peer2 = F.person(org_unit=world.sales, job_family=world.engineering, level=mentee.level,
                     hire_date=hired - dt.timedelta(days=365))
    other_level = F.person(org_unit=world.platform, job_family=world.engineering, level=mentee.level + 1,
                           hire_date=hired)
    too_early = F.person(org_unit=world.platform, job_family=world.engineering, level=mentee.level,
                         hire_date=hired - dt.timedelta(days=366))
    F.rate(mentee, "2023-Q4", "3.5")
    F.rate(mentee, "2024-Q4", "4.2")  # +20.0 %
    F.rate(peer1, "2023-Q4", "3.0")
    F.rate(peer1, "2024-Q4", "3.3")  # +10.0 %
    F.rate(peer2, "2023-Q4", "4.0")
    F.rate(peer2, "2024-Q4", "4.0")  # 0.0 %
    for who in (other_level, too_early):
        F.rate(who, "2023-Q4", "2.0")
        F.rate(who, "2024-Q4", "4.0")  # +100 %, must not count
    # Items: three due before 1 Mar 2025, two done on time, one late → 66.7 % on time.
    from talentloop.mentoring.models import PlanItem

    PlanItem.objects.create(plan=p, kind="one_to_one", sequence=1, due_on=dt.date(2024, 3, 10),
                            completed_on=dt.date(2024, 3, 10))
    PlanItem.objects.create(plan=p, kind="one_to_one", sequence=2, due_on=dt.date(2024, 4, 10),
                            completed_on=dt.date(2024, 4, 1))
    PlanItem.objects.create(plan=p, kind="one_to_one", sequence=3, due_on=dt.date(2024, 5, 10),
                            completed_on=dt.date(2024, 5, 20))
    PlanItem.objects.create(plan=p, kind="one_to_one", sequence=4, due_on=dt.date(2025, 6, 10))
    p.status = PlanStatus.COMPLETED
    p.save()
    result = programme_results(actor_of("hr"), as_of=dt.date(2025, 3, 1))
    row = next(r for r in result["rows"] if r.template.pk == tpl.pk)
    assert (row.plans, row.ended, row.completed, row.completion_rate) == (1, 1, 1, D(100))
    assert (row.items_due, row.items_on_time) == (3, 2)
    assert S.round1(row.on_time_rate) == D("66.7")
    assert row.rating_growth_pct == D("20.0")
    # peers: (10.0 + 0.0) / 2 = 5.0 %; the mentees grew 15.0 points more
    assert (row.peers_growth_pct, row.peers_measured) == (D("5.0"), 2)
    assert row.difference_pct == D("15.0")


def test_programme_results_cost_the_same_queries_for_any_number_of_plans(world, setup, client_for, api_client_for):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def count(client, url):
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(url).status_code == 200
        return len(ctx.captured_queries)

    mentor, tpl, _mentee, _p = setup
    web, api = client_for("hr"), api_client_for("hr")
    urls = [(web, "/mentoring/effectiveness/programmes/"), (api, "/api/v1/mentoring/effectiveness/programmes")]
    [count(c, u) for c, u in urls]
    before = [count(c, u) for c, u in urls]
    other = F.template("另一个")
    for i in range(5):
        mentee = F.person(org_unit=world.platform, job_family=world.engineering)
        F.rate(mentee, "2023-Q4", "3.0")
        F.rate(mentee, "2024-Q4", "3.5")
        F.plan(mentor, mentee, other if i % 2 else tpl, START)
    assert [count(c, u) for c, u in urls] == before
