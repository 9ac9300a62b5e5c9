"""Matching: the assignment solver, pair scores and their reasons, cohort runs and their API."""

from __future__ import annotations

import random
from decimal import Decimal as D

import pytest

from talentloop.mentoring import solver

# ---------------------------------------------------------------- the solver (no database)


def test_greedy_is_worse_than_the_optimal_assignment():
    # Two mentees, two mentors with one free place each.
    #            X    Y
    #   Ann     90   80
    #   Bob     85   10
    # Greedy takes the best pair first (Ann–X, 90) and leaves Bob with Y (10): 100 in total.
    # The optimum gives X to Bob and Y to Ann: 85 + 80 = 165.
    scores = [[D(90), D(80)], [D(85), D(10)]]
    greedy = solver.greedy(scores, [1, 1])
    optimal = solver.assign(scores, [1, 1])
    assert [(p.mentee, p.mentor) for p in greedy] == [(0, 0), (1, 1)]
    assert solver.total(greedy) == D(100)
    assert [(p.mentee, p.mentor) for p in optimal] == [(0, 1), (1, 0)]
    assert solver.total(optimal) == D(165)


def test_greedy_strands_a_mentee_the_optimum_places():
    # Bob may not have Y (Y is in Bob's management chain): greedy gives X to Ann and Bob is left
    # without a mentor; the optimum places both (Ann–Y 80, Bob–X 85).
    scores = [[D(90), D(80)], [D(85), None]]
    greedy = solver.greedy(scores, [1, 1])
    assert greedy[1].mentor is None and greedy[1].reason == solver.NO_FREE_PLACE
    optimal = solver.assign(scores, [1, 1])
    assert [(p.mentee, p.mentor) for p in optimal] == [(0, 1), (1, 0)]


def test_capacity_is_respected_by_expanding_mentors_into_places():
    # One mentor with 2 places, one with 1; four mentees all prefer mentor 0.
    scores = [[D(90), D(50)], [D(80), D(60)], [D(70), D(65)], [D(95), D(10)]]
    placements = solver.assign(scores, [2, 1])
    by_mentor = {}
    for p in placements:
        by_mentor.setdefault(p.mentor, []).append(p.mentee)
    assert len(by_mentor[0]) == 2 and len(by_mentor[1]) == 1
    # Best total: 0→0 (90), 3→0 (95), and mentor 1's place to mentee 2 (65) = 250, mentee 1 left out
    # (80 + 60 would need mentor 0's place: 95 + 60 + 90 = 245 < 250).
    assert solver.total(placements) == D(250)
    assert by_mentor[None] == [1]
    assert placements[1].reason == solver.NO_FREE_PLACE


def test_infeasible_pairs_are_never_used_and_reported():
    scores = [[None, None], [D(40), None]]
    placements = solver.assign(scores, [1, 1])
    assert placements[0].mentor is None and placements[0].reason == solver.NO_ELIGIBLE_MENTOR
    assert placements[1].mentor == 0
    # a full mentor is no eligible place either
    assert solver.assign([[D(80)]], [0])[0].reason == solver.NO_ELIGIBLE_MENTOR
    assert solver.assign([], [1]) == []


def test_more_mentees_than_places_places_as_many_as_possible():
    # Three mentees, one place each at two mentors; mentee 2 may go to mentor 1 only.
    # Max placements first (2), then the best total among those: 0→0 (10) + 2→1 (5)... vs 1→0 (30) + 2→1 (5)
    scores = [[D(10), None], [D(30), None], [None, D(5)]]
    placements = solver.assign(scores, [1, 1])
    assert [(p.mentee, p.mentor) for p in placements] == [(0, None), (1, 0), (2, 1)]
    assert placements[0].reason == solver.NO_FREE_PLACE


def test_the_optimum_is_never_below_greedy_on_random_cohorts():
    rng = random.Random(4)
    for _ in range(30):
        n, m = rng.randint(1, 12), rng.randint(1, 6)
        scores = [[None if rng.random() < 0.2 else D(rng.randint(0, 100)) for _ in range(m)] for _ in range(n)]
        free = [rng.randint(0, 3) for _ in range(m)]
        optimal = solver.assign(scores, free)
        greedy = solver.greedy(scores, free)
        placed = [p for p in optimal if p.mentor is not None]
        assert len(placed) >= len([p for p in greedy if p.mentor is not None])
        if len(placed) == len([p for p in greedy if p.mentor is not None]):
            assert solver.total(optimal) >= solver.total(greedy)
        for j, f in enumerate(free):
            assert sum(1 for p in placed if p.mentor == j) <= f
        assert all(scores[p.mentee][p.mentor] is not None for p in placed)


def test_bad_shapes_are_refused():
    with pytest.raises(ValueError):
        solver.assign([[D(1)]], [1, 1])
    with pytest.raises(ValueError):
        solver.assign([[D(1)]], [-1])


# ---------------------------------------------------------------- pairs, suggestions and cohort runs (database)

import datetime as dt  # noqa: E402

from django.utils import timezone  # noqa: E402

from talentloop.mentoring.models import MatchProposal, MatchRun, MentoringPlan  # noqa: E402
from talentloop.mentoring.tests import effectiveness_fixtures as F  # noqa: E402


@pytest.fixture
def cast(world):
    """Mentors: ``lead`` and ``manager`` are in the employee's management chain; ``mentor`` and a
    sales colleague are not. The programme's topics are the employee's development needs."""
    tpl = F.template("晋升候选人", topics=("团队管理", "决策", "战略拆解"))
    return {
        "tpl": tpl,
        "mentor": F.mentor_of(world.emp(world.mentor), capacity=2, expertise=["团队管理", "决策"]),
        "lead": F.mentor_of(world.emp(world.lead), capacity=3, expertise=["团队管理", "决策", "战略拆解"]),
        "manager": F.mentor_of(world.emp(world.manager), capacity=3, expertise=["战略拆解"]),
        "sales": F.mentor_of(world.emp(world.outsider), capacity=1, expertise=["战略拆解"]),
    }


def test_suggestions_rank_by_needs_and_respect_the_management_chain(world, cast, actor_of):
    from talentloop.mentoring.selectors_matching import match_suggestions

    result = match_suggestions(actor_of("hr"), world.emp(world.employee), cast["tpl"])
    available = {r["mentor"].pk: r for r in result["available"]}
    unavailable = {r["mentor"].pk: r for r in result["unavailable"]}
    # lead covers every need but is the employee's manager; the head of R&D is above them too
    assert set(unavailable) == {cast["lead"].pk, cast["manager"].pk}
    assert all("management chain" in " ".join(r["result"].problems) for r in unavailable.values())
    # mentor covers 2 of 3 needs, sales 1 of 3; nobody is rated yet (effectiveness spread):
    # mentor (50×66.67 + 20×100) / 70 = 76.19 → 76.2; sales (50×33.33 + 20×100) / 70 = 52.38 → 52.4
    assert [r["mentor"].pk for r in result["available"]] == [cast["mentor"].pk, cast["sales"].pk]
    assert available[cast["mentor"].pk]["result"].score == D("76.2")
    assert available[cast["sales"].pk]["result"].score == D("52.4")
    assert available[cast["mentor"].pk]["explanation"]["covered"] == ["团队管理", "决策"]
    assert available[cast["mentor"].pk]["explanation"]["same_department"] is True


def test_the_policy_may_allow_the_management_chain(world, cast, actor_of):
    from talentloop.mentoring.models import MentorPolicy
    from talentloop.mentoring.selectors_matching import match_suggestions

    MentorPolicy.objects.create(version=1, allow_management_chain=True)
    result = match_suggestions(actor_of("hr"), world.emp(world.employee), cast["tpl"])
    assert result["available"][0]["mentor"].pk == cast["lead"].pk  # covers all three needs


def test_a_full_mentor_is_not_suggested_and_another_department_can_be_required(world, cast, actor_of, client_for):
    from talentloop.mentoring.selectors_matching import match_suggestions
    from talentloop.mentoring.services.effectiveness import effectiveness_config_save

    other = F.person(org_unit=world.sales, job_family=world.engineering)
    F.plan(cast["sales"], other, F.template("其他"), dt.date(2025, 1, 1))  # sales' one place is taken
    effectiveness_config_save(actor=actor_of("hr"), data={"match_other_department": True})
    result = match_suggestions(actor_of("hr"), world.emp(world.employee), cast["tpl"])
    assert result["available"] == []
    problems = {r["mentor"].pk: r["result"].problems for r in result["unavailable"]}
    assert "No free place (1 of 1 taken)." in problems[cast["sales"].pk]
    assert "The mentor works in the mentee's department." in problems[cast["mentor"].pk]
    page = client_for("hr").get("/mentoring/matching/", {"mentee": "T-employee", "template": cast["tpl"].pk})
    assert page.status_code == 200 and b"No mentor is available" in page.content


def test_low_performance_dimensions_and_skills_are_needs(world, cast, actor_of):
    from talentloop.mentoring.selectors_matching import match_context, mentee_needs
    from talentloop.performance.models import Score

    employee = world.emp(world.employee)
    today = timezone.localdate()
    Score.objects.create(employee=employee, period_key="x", period_start=today.replace(day=1), total=D(70),
                         rating=D("2.5"), computed_at=timezone.now(),
                         detail={"dimensions": [{"key": "quality", "name": "质量", "score": "62.50"},
                                                {"key": "delivery", "name": "交付", "score": "110.00"}]})
    Score.objects.create(employee=world.emp(world.outsider), period_key="x", period_start=today.replace(day=1),
                         total=D(100), rating=D(4), computed_at=timezone.now(),
                         detail={"dimensions": [{"key": "quality", "name": "质量", "score": "105.00"}]})
    ctx = match_context(cast["tpl"])
    needs = mentee_needs([employee.pk], cast["tpl"], ctx.config, ctx.as_of)[employee.pk]
    assert [(n.label, n.source) for n in needs] == [("团队管理", "template"), ("决策", "template"),
                                                    ("战略拆解", "template"), ("质量", "dimension")]
    sales = next(c for c in ctx.candidates if c.mentor.pk == cast["sales"].pk)
    assert "quality" in sales.strengths  # scores 105 ≥ 100 on quality


def test_a_cohort_run_respects_capacity_and_the_reporting_line(world, cast, actor_of):
    from talentloop.mentoring.services.matching import match_run_create

    # Five mentees: the employee (lead and manager are above them) and four of lead's reports.
    lead = world.emp(world.lead)
    others = [F.person(org_unit=world.platform, job_family=world.engineering, manager=lead) for _ in range(4)]
    cohort = [world.emp(world.employee), *others]
    # Places: mentor 2, sales 1 (lead and manager may take nobody from lead's team) → 3 placed, 2 not.
    run = match_run_create(actor=actor_of("hr"), template=cast["tpl"], mentees=cohort,
                           starts_on=dt.date(2025, 9, 1))
    assert run.status == "draft"
    proposals = list(run.proposals.all())
    placed = [p for p in proposals if p.mentor_id]
    assert len(placed) == 3
    assert sum(1 for p in placed if p.mentor_id == cast["mentor"].pk) == 2
    assert sum(1 for p in placed if p.mentor_id == cast["sales"].pk) == 1
    assert not any(p.mentor_id in (cast["lead"].pk, cast["manager"].pk) for p in placed)
    unplaced = [p for p in proposals if not p.mentor_id]
    assert {p.unplaced_reason for p in unplaced} == {"no_free_place"}
    assert run.summary["placed"] == 3 and run.summary["reasons"] == {"no_free_place": 2}
    assert MentoringPlan.objects.count() == 0  # nothing happens before HR publishes


def test_publishing_creates_draft_plans_and_takes_the_places(world, cast, actor_of, client_for):
    from talentloop.mentoring.services.matching import match_run_create, match_run_publish

    hr = actor_of("hr")
    run = match_run_create(actor=hr, template=cast["tpl"], mentees=[world.emp(world.employee)],
                           starts_on=dt.date(2025, 9, 1))
    response = client_for("hr").post(f"/mentoring/matching/runs/{run.pk}/publish/")
    assert response.status_code == 302
    run.refresh_from_db()
    assert run.status == "published"
    plan = MentoringPlan.objects.get()
    assert (plan.status, plan.mentor_id, plan.mentee_id, plan.starts_on) == (
        "draft", cast["mentor"].pk, world.emp(world.employee).pk, dt.date(2025, 9, 1))
    assert MatchProposal.objects.get(run=run).plan_id == plan.pk
    # a second run sees one place fewer with mentor (the draft plan is promised) and cannot publish twice
    from talentloop.mentoring.selectors_matching import places_taken

    assert places_taken()[cast["mentor"].pk] == 1
    with pytest.raises(Exception):  # noqa: B017 - Conflict: already published
        match_run_publish(actor=hr, run=run)


def test_hr_reviews_a_pair_under_the_same_rules(world, cast, actor_of, api_client_for):
    from talentloop.mentoring.services.matching import match_run_create

    run = match_run_create(actor=actor_of("hr"), template=cast["tpl"], mentees=[world.emp(world.employee)],
                           starts_on=dt.date(2025, 9, 1))
    proposal = run.proposals.get()
    api = api_client_for("hr")
    url = f"/api/v1/mentoring/matches/runs/{run.pk}/proposals/{proposal.pk}"
    # lead is in the management chain: refused with the reason
    refused = api.patch(url, {"mentor_id": cast["lead"].pk}, content_type="application/json")
    assert refused.status_code == 422 and "management chain" in refused.json()["detail"]
    moved = api.patch(url, {"mentor_id": cast["sales"].pk}, content_type="application/json")
    assert moved.status_code == 200 and moved.json()["mentor_id"] == cast["sales"].pk
    assert moved.json()["changed_by_hr"] is True
    out = api.patch(url, {"mentor_id": None}, content_type="application/json")
    assert out.json()["unplaced_reason"] == "removed_by_hr"
    # nobody else may change it; an admin reads but does not decide
    assert api_client_for("mentor").patch(url, {"mentor_id": None}, content_type="application/json").status_code == 404
    assert api_client_for("admin").patch(url, {"mentor_id": None}, content_type="application/json").status_code == 403


def test_the_api_runs_a_cohort_and_reports_who_cannot_be_placed(world, cast, api_client_for):
    # the employee, and a person already in the programme
    busy = F.person(org_unit=world.sales, job_family=world.engineering)
    F.plan(cast["manager"], busy, cast["tpl"], dt.date(2025, 1, 1))
    api = api_client_for("hr")
    response = api.post("/api/v1/mentoring/matches/runs", {
        "template_id": cast["tpl"].pk, "starts_on": "2025-09-01",
        "mentee_ids": [world.emp(world.employee).pk, busy.pk]}, content_type="application/json")
    assert response.status_code == 201, response.json()
    body = response.json()
    reasons = {p["mentee_id"]: p["unplaced_reason"] for p in body["proposals"]}
    assert reasons == {world.emp(world.employee).pk: "", busy.pk: "already_in_programme"}
    assert body["status"] == "draft" and MatchRun.objects.count() == 1
    # people outside HR's reach, or nobody at all, are refused with a clear error
    empty = api.post("/api/v1/mentoring/matches/runs", {"template_id": cast["tpl"].pk, "starts_on": "2025-09-01"},
                     content_type="application/json")
    assert empty.status_code == 422 and "mentee_ids" in empty.json()["errors"]
    assert api_client_for("manager").post("/api/v1/mentoring/matches/runs", {
        "template_id": cast["tpl"].pk, "starts_on": "2025-09-01", "mentee_ids": [world.emp(world.employee).pk]},
        content_type="application/json").status_code == 403


def test_a_mentee_chooses_only_where_the_programme_allows_it(world, cast, api_client_for):
    tpl = cast["tpl"]
    api = api_client_for("employee")
    assert api.get(f"/api/v1/mentoring/matches?template_id={tpl.pk}").status_code == 403
    tpl.allow_mentee_choice = True
    tpl.save()
    body = api.get(f"/api/v1/mentoring/matches?template_id={tpl.pk}").json()
    assert [p["mentor_id"] for p in body["available"]] == [cast["mentor"].pk, cast["sales"].pk]
    assert all(p["effectiveness"] is None for p in body["available"])  # a mentee does not see mentor scores
    # nobody else's suggestions
    assert api.get(f"/api/v1/mentoring/matches?template_id={tpl.pk}&mentee_id={world.emp(world.outsider).pk}"
                   ).status_code == 404


def test_matching_pages_cost_the_same_queries_for_any_size(world, cast, actor_of, client_for, api_client_for):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from talentloop.mentoring.services.matching import match_run_create

    def count(client, url):
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(url).status_code == 200, url
        return len(ctx.captured_queries)

    def grow(n):
        people = [F.person(org_unit=world.sales, job_family=world.engineering) for _ in range(n)]
        for _ in range(n):
            F.mentor_of(F.person(org_unit=world.sales, job_family=world.sales_family), expertise=["决策"])
        return people

    hr = actor_of("hr")
    run = match_run_create(actor=hr, template=cast["tpl"], mentees=[world.emp(world.employee), *grow(2)],
                           starts_on=dt.date(2025, 9, 1))
    web, api = client_for("hr"), api_client_for("hr")
    tpl = cast["tpl"].pk
    urls = [(web, "/mentoring/matching/runs/"), (api, "/api/v1/mentoring/matches/runs"),
            (web, f"/mentoring/matching/runs/{run.pk}/"), (api, f"/api/v1/mentoring/matches/runs/{run.pk}"),
            (web, f"/mentoring/matching/?mentee=T-employee&template={tpl}"),
            (api, f"/api/v1/mentoring/matches?template_id={tpl}&mentee_id={world.emp(world.employee).pk}")]
    [count(c, u) for c, u in urls]
    before = [count(c, u) for c, u in urls]
    bigger = match_run_create(actor=hr, template=cast["tpl"], mentees=[world.emp(world.employee), *grow(6)],
                              starts_on=dt.date(2025, 9, 1))
    urls[2] = (web, f"/mentoring/matching/runs/{bigger.pk}/")
    urls[3] = (api, f"/api/v1/mentoring/matches/runs/{bigger.pk}")
    assert [count(c, u) for c, u in urls] == before


def test_the_cohort_matrix_equals_the_pair_by_pair_evaluation(world, cast):
    from talentloop.mentoring.selectors_matching import evaluate, match_context, mentee_needs, score_matrix

    lead = world.emp(world.lead)
    mentees = [world.emp(world.employee), world.emp(world.outsider),
               *[F.person(org_unit=world.platform, job_family=world.engineering, manager=lead) for _ in range(3)]]
    from talentloop.mentoring.models import SkillAssessment

    SkillAssessment.objects.create(employee=mentees[2], skill="sql", score=D(40), assessed_on=dt.date(2024, 1, 1))
    ctx = match_context(cast["tpl"])
    needs = mentee_needs([m.pk for m in mentees], cast["tpl"], ctx.config, ctx.as_of)
    matrix = score_matrix(ctx, mentees, needs, ctx.candidates)
    assert matrix == [[evaluate(ctx, m, needs[m.pk], c).score for c in ctx.candidates] for m in mentees]
    assert any(s is None for row in matrix for s in row) and any(s is not None for row in matrix for s in row)


def test_htmx_asks_for_the_partials(world, cast, actor_of, client_for):
    from talentloop.mentoring.services.matching import match_run_create

    hr = client_for("hr")
    url = f"/mentoring/matching/?mentee=T-employee&template={cast['tpl'].pk}"
    full = hr.get(url)
    partial = hr.get(url, HTTP_HX_REQUEST="true")
    assert b"<html" in full.content and b'data-testid="suggestion-form"' in full.content
    assert b"<html" not in partial.content and b'data-testid="suggestions"' in partial.content
    # an unknown employee number: the form with its error, 422 for htmx
    bad = hr.get(f"/mentoring/matching/?mentee=NOBODY&template={cast['tpl'].pk}", HTTP_HX_REQUEST="true")
    assert bad.status_code == 422
    run = match_run_create(actor=actor_of("hr"), template=cast["tpl"], mentees=[world.emp(world.employee)],
                           starts_on=dt.date(2025, 9, 1))
    page = hr.get(f"/mentoring/matching/runs/{run.pk}/?show=placed", HTTP_HX_REQUEST="true")
    assert b"<html" not in page.content and b'data-testid="proposals"' in page.content


def test_the_run_form_makes_a_draft_from_employee_numbers(world, cast, client_for):
    hr = client_for("hr")
    missing = hr.post("/mentoring/matching/runs/new/", {"template": cast["tpl"].pk, "starts_on": "2025-09-01",
                                                        "numbers": "T-employee, NOPE-1"})
    assert missing.status_code == 200 and b"NOPE-1" in missing.content
    assert not MatchRun.objects.exists()
    nobody = hr.post("/mentoring/matching/runs/new/", {"template": cast["tpl"].pk, "starts_on": "2025-09-01"})
    assert nobody.status_code == 200 and not MatchRun.objects.exists()
    ok = hr.post("/mentoring/matching/runs/new/", {"template": cast["tpl"].pk, "starts_on": "2025-09-01",
                                                   "numbers": "T-employee\nT-outsider"})
    run = MatchRun.objects.get()
    assert ok.status_code == 302 and ok["Location"] == f"/mentoring/matching/runs/{run.pk}/"
    assert run.proposals.count() == 2
