"""Review ratings count and show only once their cycle is closed; final ratings and the review
breakdown follow one rule in every door (score page, score API, dashboard, career path).

The scorecard (``setup``): teamwork is rated by the manager (weight 60) and peers (weight 40) and
is the only part with data here, so a total is teamwork's ratings part alone.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal as D

import pytest

from talentloop.performance import access
from talentloop.performance.models import QualitativeRating, Review, Score
from talentloop.performance.services.decisions import final_rating_set
from talentloop.performance.services.reviews import review_cycle_set_status, review_peers_add, review_save
from talentloop.performance.tests.test_recompute import setup  # noqa: F401  (fixture)
from talentloop.performance.tests.test_reviews import cycle, review_of  # noqa: F401  (fixture)

pytestmark = pytest.mark.django_db

NOT_HR = ("employee", "lead", "manager", "mentor", "admin")
ALLOWED_AFTER_CLOSE = ("employee", "lead", "manager", "hr")


@pytest.fixture
def mentored(world):
    """The mentor mentors the employee in an active plan, so the mentor may open their scores."""
    from talentloop.mentoring.models import Mentor, MentoringPlan, PlanStatus, ProgrammeTemplate

    mentor = Mentor.objects.create(employee=world.emp(world.mentor), capacity=3, since=dt.date(2025, 1, 1))
    template = ProgrammeTemplate.objects.create(name="新人", mentee_type="new_graduate")
    MentoringPlan.objects.create(
        mentor=mentor,
        mentee=world.emp(world.employee),
        template=template,
        status=PlanStatus.ACTIVE,
        starts_on=dt.date(2026, 1, 1),
        ends_on=dt.date(2026, 7, 1),
    )
    return mentor


@pytest.fixture
def rated(world, cycle, actor_of, mentored, django_capture_on_commit_callbacks):  # noqa: F811
    """The open 2026 Q1 cycle with the lead's manager review (teamwork 4.5) and the outsider's peer
    review (teamwork 1.0) submitted."""
    emp = world.emp(world.employee)
    review_peers_add(actor=actor_of("employee"), cycle=cycle, reviewee=emp, peers=[world.emp(world.outsider)])
    with django_capture_on_commit_callbacks(execute=True):
        review_save(
            actor=actor_of("lead"),
            review=review_of(world, cycle, "employee", "manager"),
            rating="4",
            dimension_ratings={"teamwork": "4.5"},
            submit=True,
        )
        review_save(
            actor=actor_of("outsider"),
            review=review_of(world, cycle, "employee", "peer"),
            rating="1",
            dimension_ratings={"teamwork": "1"},
            submit=True,
        )
    return cycle


def close(actor_of, review_cycle, capture):
    with capture(execute=True):
        review_cycle_set_status(actor=actor_of("hr"), cycle=review_cycle, status="calibration")
    with capture(execute=True):
        return review_cycle_set_status(actor=actor_of("hr"), cycle=review_cycle, status="closed")


def ratings_part(score: dict) -> dict:
    return next(m for d in score["dimensions"] for m in d["metrics"] if m["key"] == "ratings")


def test_submitted_ratings_count_only_once_the_cycle_is_closed(
    world, rated, actor_of, django_capture_on_commit_callbacks
):
    emp = world.emp(world.employee)
    # Submitted but the cycle runs: no fact, no total (nothing else has data).
    assert not QualitativeRating.objects.exists()
    assert Score.objects.get(employee=emp, period_key="2026-02").total is None
    with django_capture_on_commit_callbacks(execute=True):
        review_cycle_set_status(actor=actor_of("hr"), cycle=rated, status="calibration")
    assert Score.objects.get(employee=emp, period_key="2026-02").total is None
    with django_capture_on_commit_callbacks(execute=True):
        review_cycle_set_status(actor=actor_of("hr"), cycle=rated, status="closed")
    assert sorted(QualitativeRating.objects.values_list("rater_kind", "rating")) == [
        ("manager", D("4.5")),
        ("peer", D("1.0")),
    ]
    # Closing recomputes every month of the period and the quarter: manager 4.5 → 110, peer 1.0 → 40;
    # (110 × 60 + 40 × 40) / 100 = 82.00 → rating 1 + 4 × 42 / 80 = 3.1.
    for key in ("2026-01", "2026-02", "2026-03", "2026-Q1"):
        score = Score.objects.get(employee=emp, period_key=key)
        assert (score.total, score.rating) == (D("82.00"), D("3.1")), key
    # A reopening keeps what was published; closing again publishes nothing twice.
    with django_capture_on_commit_callbacks(execute=True):
        review_cycle_set_status(actor=actor_of("hr"), cycle=rated, status="calibration")
    assert QualitativeRating.objects.count() == 2
    with django_capture_on_commit_callbacks(execute=True):
        review_cycle_set_status(actor=actor_of("hr"), cycle=rated, status="closed")
    assert QualitativeRating.objects.count() == 2
    assert Score.objects.get(employee=emp, period_key="2026-02").total == D("82.00")


def test_a_cycle_of_one_unit_recomputes_its_people_only_at_close(
    world,
    setup,  # noqa: F811
    actor_of,
    django_capture_on_commit_callbacks,
):
    from talentloop.performance.services.reviews import review_cycle_open
    from talentloop.performance.tests.test_reviews import make_cycle

    hr = actor_of("hr")
    with django_capture_on_commit_callbacks(execute=True):
        c = review_cycle_open(actor=hr, cycle=make_cycle(hr, org_unit=world.platform))
    emp = world.emp(world.employee)
    with django_capture_on_commit_callbacks(execute=True):
        review_save(
            actor=actor_of("lead"),
            review=Review.objects.get(cycle=c, reviewee=emp, kind="manager"),
            rating="4",
            dimension_ratings={"teamwork": "4.5"},
            submit=True,
        )
    assert Score.objects.get(employee=emp, period_key="2026-03").total is None
    close(actor_of, c, django_capture_on_commit_callbacks)
    # manager 4.5 → 110, no peer: its weight spreads.
    assert Score.objects.get(employee=emp, period_key="2026-03").total == D("110.00")


def test_score_page_before_close_shows_pending_and_hr_alone_the_running_figures(world, rated, client_for):
    emp = world.emp(world.employee)
    url = f"/performance/scores/{emp.pk}/?period=2026-02"
    for persona in NOT_HR:
        r = client_for(persona).get(url)
        assert r.status_code == 200, persona
        html = r.content.decode()
        part = ratings_part(r.context["score"])
        assert part["pending"] is True and part["running_ratings"] is None and not part.get("running_parts"), persona
        assert r.context["score"]["total"] is None, persona
        assert 'data-testid="ratings-pending"' in html and 'data-testid="badge-ratings-pending"' in html, persona
        assert 'data-testid="running-ratings"' not in html, persona
    r = client_for("hr").get(url)
    html = r.content.decode()
    part = ratings_part(r.context["score"])
    assert part["running_ratings"] == {"manager": D("4.5"), "peer": D("1.0")}
    assert 'data-testid="running-ratings"' in html and 'data-testid="ratings-pending"' in html
    assert r.context["score"]["total"] is None  # the running figures are not in the total


def test_score_page_after_close_shows_the_breakdown_to_the_allowed_only(
    world, rated, actor_of, client_for, django_capture_on_commit_callbacks
):
    close(actor_of, rated, django_capture_on_commit_callbacks)
    emp = world.emp(world.employee)
    url = f"/performance/scores/{emp.pk}/?period=2026-02"
    for persona in ALLOWED_AFTER_CLOSE:
        r = client_for(persona).get(url)
        part = ratings_part(r.context["score"])
        assert {k: D(v) for k, v in part["ratings"].items()} == {"manager": D("4.5"), "peer": D("1.0")}, persona
        assert part["pending"] is False and part["score"] is not None, persona
        assert 'data-testid="rating-breakdown"' in r.content.decode(), persona
        assert r.context["score"]["total"] == D("82.00"), persona
    for persona in ("mentor", "admin"):
        r = client_for(persona).get(url)
        part = ratings_part(r.context["score"])
        assert part["ratings"] == {} and part["score"] is None and part["breakdown_shown"] is False, persona
        html = r.content.decode()
        assert 'data-testid="rating-breakdown"' not in html, persona
        # The score itself is theirs to read.
        assert r.context["score"]["total"] == D("82.00"), persona


def test_score_api_follows_the_same_rules(world, rated, actor_of, api_client_for, django_capture_on_commit_callbacks):
    emp = world.emp(world.employee)
    url = f"/api/v1/employees/{emp.pk}/scores?period=2026-Q1"
    final_rating_set(actor=actor_of("hr"), employee=emp, period_key="2026-Q1", rating="3.0", cycle=rated)
    for persona in NOT_HR:
        body = api_client_for(persona).get(url).json()
        part = ratings_part(body)
        assert body["total"] is None and body["qualitative_pending"] is True, persona
        assert part["pending"] is True and part["running_ratings"] is None, persona
    body = api_client_for("hr").get(url).json()
    assert {k: D(v) for k, v in ratings_part(body)["running_ratings"].items()} == {
        "manager": D("4.5"),
        "peer": D("1.0"),
    }
    assert body["total"] is None
    close(actor_of, rated, django_capture_on_commit_callbacks)
    for persona in ALLOWED_AFTER_CLOSE:
        body = api_client_for(persona).get(url).json()
        assert D(body["total"]) == D("82.00") and D(body["final_rating"]) == D("3.0"), persona
        assert ratings_part(body)["score"] is not None and ratings_part(body)["pending"] is False, persona
    for persona in ("mentor", "admin"):
        body = api_client_for(persona).get(url).json()
        assert D(body["total"]) == D("82.00"), persona
        assert body["final_rating"] is None and ratings_part(body)["score"] is None, persona


def test_score_page_hides_the_final_rating_from_mentor_and_admin(world, rated, actor_of, client_for):
    emp = world.emp(world.employee)
    final_rating_set(actor=actor_of("hr"), employee=emp, period_key="2026-Q1", rating="3.0", cycle=rated)
    url = f"/performance/scores/{emp.pk}/?period=2026-Q1"
    for persona in ALLOWED_AFTER_CLOSE:
        r = client_for(persona).get(url)
        assert r.context["score"]["final_rating"] == D("3.0") and 'data-testid="final-rating"' in r.content.decode()
    for persona in ("mentor", "admin"):
        r = client_for(persona).get(url)
        html = r.content.decode()
        assert r.status_code == 200 and r.context["score"]["final_rating"] is None, persona
        assert 'data-testid="final-rating"' not in html, persona
        # No sentence about final ratings that would tell whether one exists.
        assert not any("3.0" in s for s in r.context["score"]["explanation"]), persona


def test_the_predicates(world, actor_of):
    emp = world.emp(world.employee)
    for persona, final, running in (
        ("employee", True, False),
        ("lead", True, False),
        ("manager", True, False),
        ("hr", True, True),
        ("mentor", False, False),
        ("admin", False, False),
        ("outsider", False, False),
    ):
        actor = actor_of(persona)
        assert access.can_view_final_rating(actor, emp) is final, persona
        assert access.can_view_review_breakdown(actor, emp) is final, persona
        assert access.can_view_running_ratings(actor, emp) is running, persona
    # HR never reads their own running figures.
    assert not access.can_view_running_ratings(actor_of("hr"), world.emp(world.hr))


def test_career_path_hides_the_rating_from_mentor_and_admin(world, mentored, actor_of):
    from talentloop.careers.models import CareerLadder, LadderLevel
    from talentloop.careers.selectors import promotion_path
    from talentloop.performance.models import FinalRating

    emp = world.emp(world.employee)
    ladder = CareerLadder.objects.create(job_family=world.engineering, name="工程师通道")
    LadderLevel.objects.create(ladder=ladder, level=4, title="高级工程师", min_rating=D("4.0"))
    FinalRating.objects.create(employee=emp, period_key="2025", rating=D("4.2"), decided_by=world.hr)
    today = dt.date(2026, 3, 1)
    for persona in ("employee", "lead", "hr"):
        req = promotion_path(actor_of(persona), emp, today=today).requirements[0]
        assert (req.key, req.met) == ("rating", True) and "4.2" in req.detail, persona
    for persona in ("mentor", "admin"):
        path = promotion_path(actor_of(persona), emp, today=today)
        req = path.requirements[0]
        assert (req.key, req.met) == ("rating", None) and "4.2" not in req.detail, persona
        assert path.ready is False


def test_mentor_effectiveness_per_mentee_ratings_are_hr_only(world, mentored, actor_of):
    from talentloop.mentoring.access import can_view_mentee_growth

    assert can_view_mentee_growth(actor_of("hr"), mentored)
    for persona in ("admin", "mentor", "manager"):
        assert not can_view_mentee_growth(actor_of(persona), mentored), persona


def test_migration_takes_back_ratings_of_cycles_not_closed(world, rated, actor_of):
    """Facts an earlier version wrote at submit time in a running cycle are removed (the reviews keep
    them) and the touched scores marked for recomputation; facts of closed cycles stay."""
    import importlib

    from django.apps import apps

    from talentloop.performance.models import RecomputeMark

    migration = importlib.import_module("talentloop.performance.migrations.0005_unpublish_running_ratings")
    emp = world.emp(world.employee)
    manager_review = review_of(world, rated, "employee", "manager")
    QualitativeRating.objects.create(
        employee=emp,
        rater=world.emp(world.lead),
        rater_kind="manager",
        dimension_key="teamwork",
        rating=D("4.5"),
        covers_start=dt.date(2026, 1, 1),
        covers_end=dt.date(2026, 4, 1),
        review=manager_review,
    )
    kept = QualitativeRating.objects.create(
        employee=emp,
        rater=world.emp(world.lead),
        rater_kind="manager",
        dimension_key="teamwork",
        rating=D("3"),
        covers_start=dt.date(2025, 1, 1),
        covers_end=dt.date(2025, 4, 1),
    )
    RecomputeMark.objects.all().delete()
    migration.unpublish(apps, None)
    assert list(QualitativeRating.objects.values_list("pk", flat=True)) == [kept.pk]
    assert set(RecomputeMark.objects.values_list("employee_id", "period_key")) == {
        (emp.pk, key) for key in ("2026-01", "2026-02", "2026-03", "2026-Q1")
    }


SCREENING = [
    {
        "key": "annual_rating_min",
        "status": "passed",
        "evidence": {"min": "4.5", "years": [{"year": "2025", "rating": "4.7", "ok": True}]},
    },
    {
        "key": "successful_mentees",
        "status": "passed",
        "evidence": {
            "required": 1,
            "growth_min_pct": "20",
            "successful": 1,
            "mentees": [
                {
                    "mentee": "Wang",
                    "plan_start": "2024-01-01",
                    "before_key": "2023-Q4",
                    "before": "3.1",
                    "after_key": "2024-Q4",
                    "after": "4.2",
                    "growth_pct": "35.5",
                    "ok": True,
                }
            ],
        },
    },
]


def test_mentor_screening_shows_ratings_by_the_same_rule(world, actor_of):
    """The applicant's yearly ratings: the applicant, their managers, HR; the past mentees' ratings:
    HR only. The technical admin reads the application without either."""
    from talentloop.mentoring.selectors import screening_for

    applicant = world.emp(world.employee)
    for persona, own, mentees in (
        ("employee", True, False),
        ("lead", True, False),
        ("hr", True, True),
        ("admin", False, False),
    ):
        rows = {r["key"]: r["evidence"] for r in screening_for(actor_of(persona), applicant, SCREENING)}
        years, past = rows["annual_rating_min"]["years"], rows["successful_mentees"]["mentees"]
        assert (years[0]["rating"] == "4.7") is own and bool(rows["annual_rating_min"].get("hidden")) is not own
        assert (past[0]["before"] == "3.1" and past[0]["growth_pct"] == "35.5") is mentees, persona
        assert rows["successful_mentees"]["successful"] == 1  # the count and the status stay
    assert SCREENING[0]["evidence"]["years"][0]["rating"] == "4.7"  # the stored screening is untouched


def test_admin_reads_a_mentor_application_without_ratings(world, actor_of, client_for, api_client_for):
    from talentloop.mentoring.models import MentorApplication
    from talentloop.mentoring.services.qualification import mentor_policy_create

    policy = mentor_policy_create(actor=actor_of("hr"), criteria=[{"key": "annual_rating_min"}])
    application = MentorApplication.objects.create(
        employee=world.emp(world.employee), policy=policy, screening=SCREENING
    )
    page = client_for("admin").get(f"/mentoring/apply/{application.pk}/")
    assert page.status_code == 200
    html = page.content.decode()
    assert 'data-testid="ratings-hidden"' in html and "4.7" not in html and "35.5" not in html
    hr_html = client_for("hr").get(f"/mentoring/apply/{application.pk}/").content.decode()
    assert "4.7" in hr_html and "35.5" in hr_html
    body = api_client_for("admin").get(f"/api/v1/mentoring/applications/{application.pk}").json()
    assert "4.7" not in str(body["screening"]) and "35.5" not in str(body["screening"])
    own = api_client_for("employee").get(f"/api/v1/mentoring/applications/{application.pk}").json()
    assert "4.7" in str(own["screening"]) and "35.5" not in str(own["screening"])
