"""The mentor composite score: inputs on 0–100, configurable weights, missing inputs spread."""

from __future__ import annotations

from decimal import Decimal as D

import pytest

from talentloop.mentoring import scoring as S

WEIGHTS = {S.GROWTH_RATING: D(25), S.GROWTH_SKILL: D(15), S.MENTEES: D(10), S.HOURS: D(10), S.PROMOTED: D(10),
           S.TOP_DECILE: D(10), S.SURVEY_ON_TIME: D(7), S.SURVEY_FIT: D(7), S.SURVEY_SOLVED: D(6)}


def test_gain_points_map_the_share_of_the_possible_gain_linearly():
    # 3.5 → 4.2 of a possible 5: (4.2 − 3.5) / (5 − 3.5) = 0.7 / 1.5 = 0.4667 → 50 + 50 × 0.4667 = 73.33
    share = S.gain_share(D("3.5"), D("4.2"), S.RATING_CEILING)
    assert share.quantize(D("0.0001")) == D("0.4667")
    assert S.round1(S.gain_points(share)) == D("73.3")
    # 70 → 85 of a possible 100: 15 / 30 = 0.5 → 75
    assert S.gain_points(S.gain_share(70, 85, S.SKILL_CEILING)) == D(75)
    # no change → 50; a fall of 4.0 → 3.0 is −1 / 1 = −100 % → 0
    assert S.gain_points(S.gain_share(4, 4, 5)) == D(50)
    assert S.gain_points(S.gain_share(D("4.0"), D("3.0"), 5)) == D(0)


def test_gain_share_is_clamped_to_plus_minus_one_hundred_percent():
    # 4.5 → 2.0: −2.5 / 0.5 = −5 → clamped to −1 → 0 points
    assert S.gain_share(D("4.5"), D("2.0"), 5) == D(-1)
    assert S.gain_points(S.gain_share(D("4.5"), D("2.0"), 5)) == D(0)
    # 95 → 120 (above the ceiling by a data error): 25 / 5 = 5 → +1 → 100 points
    assert S.gain_points(S.gain_share(95, 120, 100)) == D(100)


def test_a_mentee_at_the_ceiling_is_left_out_not_penalised():
    assert S.gain_share(5, 5, 5) is None
    assert S.gain_share(100, 90, 100) is None
    # mentor of one strong mentee (5 → 4.8, left out) and one who went 3.0 → 4.0 (1/2 → 75 points)
    points, counted, left_out = S.growth_input([(D(5), D("4.8")), (D(3), D(4)), (None, D(4))], S.RATING_CEILING)
    assert (points, counted, left_out) == (D(75), 1, 1)
    # only strong mentees: the input is missing, not 0
    assert S.growth_input([(D(5), D("4.1"))], 5) == (None, 0, 1)


def test_percentile_rank_among_mentors():
    # values 1, 2, 2, 5: below + half of the equals (own value included) over n = 4
    ranks = S.percentile_ranks({"a": 1, "b": 2, "c": 2, "d": 5})
    assert ranks["a"] == D("12.5")  # (0 + 1/2) / 4
    assert ranks["b"] == ranks["c"] == D("50")  # (1 + 2/2) / 4
    assert ranks["d"] == D("87.5")  # (3 + 1/2) / 4
    assert S.percentile_ranks({"only": 7}) == {"only": D(50)}
    assert S.percentile_ranks({}) == {}


def test_survey_rates_need_three_answers():
    assert S.rate(2, 2) is None
    assert S.rate(3, 3) == D(100)
    # 9 of 10 on time: "on time 90%"
    assert S.rate(9, 10) == D(90)
    # a higher minimum may be configured; a lower one never applies
    assert S.rate(3, 4, minimum=5) is None
    assert S.rate(1, 2, minimum=1) is None


def test_composite_weighted_mean_of_all_inputs():
    values = {S.GROWTH_RATING: D("73.3"), S.GROWTH_SKILL: D(75), S.MENTEES: D("87.5"), S.HOURS: D("62.5"),
              S.PROMOTED: D(50), S.TOP_DECILE: D("33.3"), S.SURVEY_ON_TIME: D(90), S.SURVEY_FIT: D(80),
              S.SURVEY_SOLVED: D(70)}
    # 25×73.3 + 15×75 + 10×87.5 + 10×62.5 + 10×50 + 10×33.3 + 7×90 + 7×80 + 6×70
    # = 1832.5 + 1125 + 875 + 625 + 500 + 333 + 630 + 560 + 420 = 6900.5; / 100 = 69.005 → 69.0
    result = S.composite(values, WEIGHTS)
    assert result.score == D("69.0")
    assert [i.effective_weight for i in result.inputs] == [D(w) for w in (25, 15, 10, 10, 10, 10, 7, 7, 6)]


def test_missing_survey_weight_is_spread_over_the_other_inputs():
    values = {S.GROWTH_RATING: D(80), S.GROWTH_SKILL: D(60), S.MENTEES: D(50), S.HOURS: D(50), S.PROMOTED: D(0),
              S.TOP_DECILE: D(100), S.SURVEY_ON_TIME: None, S.SURVEY_FIT: None, S.SURVEY_SOLVED: None}
    # present weight 80: (25×80 + 15×60 + 10×50 + 10×50 + 10×0 + 10×100) / 80 = 4900 / 80 = 61.25 → 61.3
    result = S.composite(values, WEIGHTS)
    assert result.score == D("61.3")
    eff = {i.key: i.effective_weight for i in result.inputs}
    # 25 / 80 = 31.25 % → 31.3; 10 / 80 = 12.5 %; survey inputs 0
    assert eff[S.GROWTH_RATING] == D("31.3")
    assert eff[S.MENTEES] == D("12.5")
    assert eff[S.SURVEY_FIT] == D(0)


def test_composite_without_any_input_is_missing():
    assert S.composite({}, WEIGHTS).score is None


def test_a_zero_weight_leaves_an_input_out():
    weights = {**WEIGHTS, S.GROWTH_RATING: D(0)}
    values = dict.fromkeys(S.INPUT_KEYS, D(50))
    values[S.GROWTH_RATING] = D(100)
    assert S.composite(values, weights).score == D(50)


@pytest.mark.parametrize(("coverage", "effectiveness", "free", "capacity", "expected"), [
    # needs 50, effectiveness 30, capacity 20: (50×100 + 30×60 + 20×(2/3 × 100)) / 100 = 81.33 → 81.3
    (D(100), D(60), 2, 3, D("81.3")),
    # no recorded need: (30×60 + 20×66.67) / 50 = 62.67 → 62.7
    (None, D(60), 2, 3, D("62.7")),
    # mentor not yet rated: (50×50 + 20×100) / 70 = 64.29 → 64.3
    (D(50), None, 3, 3, D("64.3")),
    # neither: capacity alone, 1 of 4 free → 25
    (None, None, 1, 4, D(25)),
])
def test_pair_points_match_the_explained_composite(coverage, effectiveness, free, capacity, expected):
    weights = {S.MATCH_NEEDS: D(50), S.MATCH_EFFECTIVENESS: D(30), S.MATCH_CAPACITY: D(20)}
    side = S.mentor_side(effectiveness=effectiveness, free=free, capacity=capacity, weights=weights)
    assert S.pair_points(coverage, side, weights) == expected
    assert S.composite(S.pair_inputs(coverage, side), weights, S.MATCH_KEYS).score == expected


def test_needs_coverage_compares_tags_loosely():
    cov, covered = S.needs_coverage(["Team management", "decision_making", "SQL"], ["team-management", "sql"])
    # 2 of 3 needs covered
    assert covered == ["Team management", "SQL"]
    assert S.round1(cov) == D("66.7")
    assert S.needs_coverage([], ["x"]) == (None, [])


# ---------------------------------------------------------------- the engine over real facts

import datetime as dt  # noqa: E402

from talentloop.mentoring.selectors_effectiveness import effectiveness_all  # noqa: E402
from talentloop.mentoring.tests import effectiveness_fixtures as F  # noqa: E402
from talentloop.testing.factories import OrgUnitFactory  # noqa: E402

AS_OF = dt.date(2025, 3, 1)  # the last complete quarter is 2024-Q4


@pytest.fixture
def mentors(world):
    """Mentor A (the persona) with three mentees, B with one, C with none; facts worked out below."""
    tpl = F.template("新员工")
    unit = OrgUnitFactory(parent=world.rnd)
    a = F.mentor_of(world.emp(world.mentor))
    b = F.mentor_of(world.emp(world.lead))
    c = F.mentor_of(F.person(org_unit=world.sales, job_family=world.sales_family))
    m1, m2 = (F.person(org_unit=unit, job_family=world.engineering) for _ in range(2))
    m3, m4 = (F.person(org_unit=world.sales, job_family=world.engineering) for _ in range(2))
    p1 = F.plan(a, m1, tpl, dt.date(2024, 1, 10))
    F.plan(a, m2, tpl, dt.date(2023, 6, 1), status="completed")
    F.plan(a, m3, tpl, dt.date(2024, 12, 1))
    F.plan(b, m4, tpl, dt.date(2024, 1, 10))
    F.session(p1, 60)
    F.session(p1, 90)
    F.promote(m1, dt.date(2024, 6, 1))  # within 12 months of 10 Jan 2024
    F.promote(m2, dt.date(2024, 7, 1))  # 13 months after 1 Jun 2023: does not count
    # m1 grows 3.0 → 4.8 and tops unit U (10 rated people) in 2024-Q4; m2 is in the middle
    F.rate(m1, "2023-Q4", "3.0")
    F.rate(m1, "2024-Q4", "4.8")
    F.rate(m2, "2024-Q4", "3.0")
    for _ in range(8):
        F.rate(F.person(org_unit=unit, job_family=world.engineering), "2024-Q4", "3.0")
    return a, b, c


def test_contribution_inputs(mentors):
    a, b, c = mentors
    stats = effectiveness_all(as_of=AS_OF).mentors
    sa = stats[a.pk]
    assert (sa.mentees, sa.plans, sa.hours) == (3, 3, D("2.5"))  # 60 + 90 minutes
    # promoted: m1 yes; m2 no (its window closed on 1 Jun 2024); m3's window is still open → 1 of 2
    assert (sa.promoted, sa.promoted_of, sa.promoted_share) == (1, 2, D(50))
    # top 10 % of unit U (10 rated people → the best 1): m1 (4.8) yes, m2 (3.0) no, m3 unrated → 1 of 2
    assert (sa.top, sa.top_of, sa.top_share) == (1, 2, D(50))
    # growth: m1 3.0 → 4.8 is +60.0 %, and 1.8 of a possible 2.0 = 0.9 → 95 points
    assert (sa.rating_growth_pct, sa.rating_points) == (D("60.0"), D(95))
    # percentile ranks of mentees 3 / 1 / 0: (2 + ½) / 3, (1 + ½) / 3, (0 + ½) / 3
    assert [S.round1(stats[m.pk].mentees_rank) for m in (a, b, c)] == [D("83.3"), D("50.0"), D("16.7")]
    # hours 2.5 / 0 / 0: (2 + ½) / 3 and (0 + 2/2) / 3
    assert [S.round1(stats[m.pk].hours_rank) for m in (a, b, c)] == [D("83.3"), D("33.3"), D("33.3")]


def test_composite_and_ranking_need_the_minimum_of_mentees(mentors):
    a, b, c = mentors
    stats = effectiveness_all(as_of=AS_OF).mentors
    # A: (25×95 + 10×83.33 + 10×83.33 + 10×50 + 10×50) / 65 = 5041.67 / 65 = 77.56 → 77.6
    # (no skill growth, no survey answers: their 35 points of weight are spread)
    assert stats[a.pk].score == D("77.6")
    assert (stats[a.pk].ranked, stats[a.pk].rank) == (True, 1)
    # B: mentees 50, hours 33.33, promoted 0 of 1 (window closed) → (500 + 333.33 + 0) / 30 = 27.8
    assert stats[b.pk].score == D("27.8")
    assert (stats[b.pk].ranked, stats[b.pk].rank) == (False, None)  # 1 mentee < 3: marked, not ranked
    # C: (10×16.67 + 10×33.33) / 20 = 25.0
    assert stats[c.pk].score == D("25.0") and not stats[c.pk].ranked


def test_ranking_page_and_api(mentors, client_for, api_client_for):
    a, b, _c = mentors
    page = client_for("hr").get("/mentoring/effectiveness/ranking/")
    assert page.status_code == 200
    rows = api_client_for("hr").get("/api/v1/mentoring/effectiveness/ranking").json()["items"]
    assert rows[0]["mentor_id"] == a.pk and rows[0]["rank"] == 1
    assert {r["mentor_id"]: r["ranked"] for r in rows}[b.pk] is False
    assert [i["key"] for i in rows[0]["inputs"]] == list(S.INPUT_KEYS)
    assert api_client_for("employee").get("/api/v1/mentoring/effectiveness/ranking").status_code == 403


def test_hr_changes_the_weights_as_a_new_audited_version(world, mentors, api_client_for):
    from talentloop.core.audit.models import AuditEntry

    hr = api_client_for("hr")
    bad = hr.patch("/api/v1/mentoring/effectiveness/settings", {"w_growth_rating": "30"},
                   content_type="application/json")
    assert bad.status_code == 422 and "100" in bad.json()["detail"]
    ok = hr.patch("/api/v1/mentoring/effectiveness/settings", {"w_growth_rating": "35", "w_growth_skill": "5",
                                                             "min_mentees": 1}, content_type="application/json")
    assert ok.status_code == 200 and ok.json()["version"] == 1
    assert AuditEntry.objects.filter(entity_type="mentoring.effectivenessconfig").count() == 1
    a, b, _c = mentors
    stats = effectiveness_all(as_of=AS_OF).mentors
    assert stats[b.pk].ranked  # one mentee is enough now
    # A with growth weighing 35 and skill 5 (still missing): (35×95 + 2×10×83.33 + 2×10×50) / 75
    # = 5991.67 / 75 = 79.89 → 79.9
    assert stats[a.pk].score == D("79.9")
    assert stats[a.pk].score == S.composite({
        S.GROWTH_RATING: D(95), S.MENTEES: stats[a.pk].mentees_rank, S.HOURS: stats[a.pk].hours_rank,
        S.PROMOTED: D(50), S.TOP_DECILE: D(50)}, {**WEIGHTS, S.GROWTH_RATING: D(35), S.GROWTH_SKILL: D(5)}).score
    # fewer than 3 survey answers can never be configured
    low = hr.patch("/api/v1/mentoring/effectiveness/settings", {"min_answers": 2}, content_type="application/json")
    assert low.status_code == 422
    assert api_client_for("mentor").patch("/api/v1/mentoring/effectiveness/settings", {"min_mentees": 1},
                                          content_type="application/json").status_code == 403


def _queries(client, url) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(ctx.captured_queries)


def test_ranking_and_effectiveness_cost_the_same_queries_for_any_number_of_mentors(world, mentors, client_for,
                                                                                  api_client_for):
    web, api = client_for("hr"), api_client_for("hr")
    a = mentors[0]
    urls = [(web, "/mentoring/effectiveness/ranking/"), (api, "/api/v1/mentoring/effectiveness/ranking"),
            (web, f"/mentoring/effectiveness/mentors/{a.pk}/"),
            (api, f"/api/v1/mentoring/mentors/{a.pk}/effectiveness")]
    for client, url in urls:
        _queries(client, url)  # warm up (token first use, caches)
    before = [_queries(client, url) for client, url in urls]
    tpl = F.template("更多")
    for _ in range(6):
        m = F.mentor_of(F.person(org_unit=world.sales, job_family=world.sales_family))
        for _ in range(2):
            p = F.plan(m, F.person(org_unit=world.sales, job_family=world.sales_family), tpl, dt.date(2024, 1, 10))
            F.session(p, 45)
            F.skill(p, 50, dt.date(2024, 2, 1))
            F.skill(p, 70, dt.date(2024, 9, 1))
    assert [_queries(client, url) for client, url in urls] == before


def test_the_mentor_sees_the_inputs_but_not_the_mentees_ratings(mentors, client_for):
    a = mentors[0]
    url = f"/mentoring/effectiveness/mentors/{a.pk}/"
    own = client_for("mentor").get(url)
    assert own.status_code == 200
    assert b'data-testid="composite-inputs"' in own.content and b'data-testid="mentee-growth"' not in own.content
    today = effectiveness_all().mentors[a.pk]  # the page is as of today
    assert f">{today.score}<".encode() in own.content
    hr = client_for("hr").get(url)
    assert b'data-testid="mentee-growth"' in hr.content and b"+60.0%" in hr.content
    # the mentor's manager sees the inputs (it feeds the mentor's evaluation), not the mentees
    manager = client_for("manager").get(url)
    assert manager.status_code == 200 and b'data-testid="mentee-growth"' not in manager.content
    assert client_for("mentor").get("/mentoring/effectiveness/me/")["Location"] == url
