"""Career ladders and the promotion path: requirements met, unmet and without data, worked out by
hand; who may read a path; the ladder editor's validation; query counts."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from talentloop.careers import selectors, services
from talentloop.careers.models import LadderLevel
from talentloop.careers.tests import factories as CF
from talentloop.core.errors import InvalidInput, PermissionDenied
from talentloop.onboarding.tests.factories import mentor_plan
from talentloop.testing.commits import commit_callbacks
from talentloop.testing.factories import JobFamilyFactory

pytestmark = pytest.mark.django_db
D = dt.date
TODAY = D(2026, 6, 15)


@pytest.fixture
def ladder(world):
    review = CF.course()
    return CF.ladder(world.engineering, [
        {"level": 1, "title": "初级工程师", "title_en": "Junior engineer"},
        {"level": 3, "title": "工程师", "title_en": "Engineer"},
        {"level": 4, "title": "高级工程师", "title_en": "Senior engineer", "min_rating": Decimal("4.0"),
         "min_months_in_level": 24, "required_skills": [{"skill": "python", "min_score": 80},
                                                        {"skill": "system-design", "min_score": 60}],
         "courses": [review]},
        {"level": 6, "title": "资深工程师", "title_en": "Staff engineer", "min_rating": Decimal("4.5")},
    ])


def _reqs(path):
    return [(r.key, r.met, r.detail) for r in path.requirements]


def test_path_with_figures_met_and_unmet(world, actor_of, ladder, settings):
    settings.LANGUAGE_CODE = "en"
    emp = world.emp(world.employee)                     # level 3
    CF.rating(emp, 2025, "4.2")                        # last complete year of 2026-06-15: 4.2 ≥ 4.0 → met
    CF.rating(emp, 2024, "3.1")                        # an older year does not count
    CF.level_event(emp, "hire", D(2019, 5, 6), 2)
    CF.level_event(emp, "promotion", D(2024, 12, 20), 3)   # 2024-12-20 → 2026-06-15: 17 whole months < 24
    CF.skill(emp, "python", "85", D(2025, 1, 10))
    CF.skill(emp, "python", "72", D(2026, 3, 1))       # the latest counts: 72 < 80 → not met
    CF.skill(emp, "system-design", "60", D(2026, 2, 1))  # 60 ≥ 60 → met
    from django.utils import translation

    with translation.override("en"):
        path = selectors.promotion_path(actor_of("employee"), emp, today=TODAY)
        assert path.current.level == 3 and path.next.level == 4
        assert path.months_in_level == 17 and path.level_since == D(2024, 12, 20)
        assert _reqs(path) == [
            ("rating", True, "yours: 4.2"),
            ("months", False, "you have 17"),
            ("skill", False, "your latest: 72"),
            ("skill", True, "your latest: 60"),
            ("course", False, "not completed yet"),
        ]
        labels = [r.label for r in path.requirements]
        assert labels[:3] == ["Rating of 4.0 or better last year (2025)", "24 months in level", "Skill Python 80+"]
        assert labels[4] == "Course: Code review fundamentals"
        assert not path.ready


def test_path_ready_when_every_requirement_is_met(world, actor_of, ladder):
    emp = world.emp(world.employee)
    CF.rating(emp, 2025, "4.0")                                  # exactly the minimum
    CF.level_event(emp, "promotion", D(2024, 6, 15), 3)          # 24 months to the day
    CF.skill(emp, "python", "80", D(2026, 1, 1))
    CF.skill(emp, "system-design", "99.5", D(2026, 1, 1))
    CF.completed(emp, ladder.levels.get(level=4).required_courses.get())
    path = selectors.promotion_path(actor_of("employee"), emp, today=TODAY)
    assert [r.met for r in path.requirements] == [True, True, True, True, True]
    assert path.ready and path.met_count == 5


def test_path_without_data(world, actor_of, ladder):
    emp = world.emp(world.employee)
    path = selectors.promotion_path(actor_of("employee"), emp, today=TODAY)
    # no rating for 2025, no level event, no skill scores: unknown; the course is simply not done
    assert [r.met for r in path.requirements] == [None, None, None, None, False]
    assert not path.ready and path.months_in_level is None


def test_computed_rating_counts_when_no_final_rating(world, actor_of, ladder):
    from django.utils import timezone

    from talentloop.performance.models import Score

    emp = world.emp(world.employee)
    Score.objects.create(employee=emp, period_key="2025", period_start=D(2025, 1, 1), rating=Decimal("3.8"),
                         computed_at=timezone.now())
    path = selectors.promotion_path(actor_of("employee"), emp, today=TODAY)
    assert path.requirements[0].met is False             # 3.8 < 4.0
    CF.rating(emp, 2025, "4.1")                          # the decided rating wins over the computed one
    path = selectors.promotion_path(actor_of("employee"), emp, today=TODAY)
    assert path.requirements[0].met is True


def test_top_of_the_ladder_and_no_ladder(world, actor_of, ladder):
    manager = world.emp(world.manager)                   # level 8, above the highest level (6)
    path = selectors.promotion_path(actor_of("manager"), manager, today=TODAY)
    assert path.current.level == 6 and path.next is None and not path.ready
    assert selectors.promotion_path(actor_of("outsider"), world.emp(world.outsider)) is None  # sales: no ladder


@pytest.mark.parametrize("persona,sees", [("employee", True), ("lead", True), ("manager", True), ("hr", True),
                                          ("admin", True), ("mentor", False), ("outsider", False)])
def test_who_reads_a_path(world, actor_of, ladder, persona, sees):
    emp = world.emp(world.employee)
    assert (selectors.promotion_path(actor_of(persona), emp) is not None) is sees


def test_the_mentor_reads_the_path(world, actor_of, ladder):
    emp = world.emp(world.employee)
    mentor_plan(world.emp(world.mentor), emp, mentee_type="promotion_candidate")
    assert selectors.promotion_path(actor_of("mentor"), emp) is not None


def test_pages_and_api_scope(world, client_for, api_client_for, ladder):
    emp = world.emp(world.employee)
    assert client_for("employee").get("/careers/me/").status_code == 200
    assert client_for("manager").get(f"/careers/people/{emp.pk}/").status_code == 200
    assert client_for("outsider").get(f"/careers/people/{emp.pk}/").status_code == 404
    assert api_client_for("outsider").get(f"/api/v1/careers/path/{emp.pk}").status_code == 404
    body = api_client_for("employee").get("/api/v1/careers/path").json()
    assert body["current"]["level"] == 3 and body["next"]["level"] == 4 and len(body["requirements"]) == 5
    page = client_for("employee").get("/careers/me/")
    assert b'data-testid="current-level"' in page.content


# ---------------------------------------------------------------- the editor


def test_level_validation(world, actor_of, ladder):
    hr = actor_of("hr")
    with pytest.raises(InvalidInput) as exc:
        services.ladder_level_save(actor=hr, ladder=ladder, level=3, title="重复", min_rating="5.5",
                                   required_skills=[{"skill": "python", "min_score": 101}, {"skill": "Py thon!",
                                                                                            "min_score": 5},
                                                    {"skill": "go"}], required_course_ids=[987654])
    errors = exc.value.errors
    assert set(errors) == {"level", "min_rating", "required_skills", "required_courses"}
    assert len(errors["required_skills"]) == 3
    with pytest.raises(InvalidInput):
        services.ladder_level_save(actor=hr, ladder=ladder, level=5, title="x", required_skills={"python": 80})
    with pytest.raises(InvalidInput):
        services.ladder_level_save(actor=hr, ladder=ladder, level=5, title="x", min_rating="0.5")
    ok = services.ladder_level_save(actor=hr, ladder=ladder, level=5, title="x", min_rating="4.5",
                                    required_skills=[{"skill": "Go", "min_score": "70"}])
    assert ok.required_skills == [{"skill": "go", "min_score": 70}]
    with pytest.raises(PermissionDenied):
        services.ladder_level_save(actor=actor_of("manager"), ladder=ladder, level=7, title="x")
    with pytest.raises(InvalidInput):  # one ladder per job family
        services.career_ladder_save(actor=hr, job_family=world.engineering, name="又一个")


def test_level_form_and_api_errors(world, client_for, api_client_for, ladder):
    r = client_for("hr").post(f"/careers/ladders/{ladder.pk}/levels/new/",
                              {"level": "4", "title": "x", "required_skills": "[{bad json"}, HTTP_HX_REQUEST="true")
    assert r.status_code == 422
    r = client_for("hr").post(f"/careers/ladders/{ladder.pk}/levels/new/",
                              {"level": "4", "title": "x", "required_skills": ""}, HTTP_HX_REQUEST="true")
    assert r.status_code == 422                      # level 4 exists
    api = api_client_for("hr")
    r = api.post(f"/api/v1/careers/ladders/{ladder.pk}/levels", {"level": 7, "title": "x", "min_rating": 6},
                 content_type="application/json")
    assert r.status_code == 422 and "min_rating" in r.json()["errors"]
    level4 = ladder.levels.get(level=4)
    r = api.patch(f"/api/v1/careers/levels/{level4.pk}", {"min_months_in_level": 12}, content_type="application/json")
    assert r.status_code == 200 and r.json()["min_months_in_level"] == 12 and len(r.json()["required_courses"]) == 1
    assert api_client_for("employee").patch(f"/api/v1/careers/levels/{level4.pk}", {"title": "x"},
                                            content_type="application/json").status_code == 403


@pytest.mark.parametrize("url", ["/careers/ladders/", "/api/v1/careers/ladders"])
def test_ladder_list_query_count(world, client_for, api_client_for, url):
    client = api_client_for("hr") if url.startswith("/api") else client_for("hr")

    def add(n):
        for _ in range(n):
            item = CF.course()
            CF.ladder(JobFamilyFactory(), [{"level": 1, "title": "a"}, {"level": 2, "title": "b", "courses": [item]}])

    add(1)
    client.get(url)
    with CaptureQueriesContext(connection) as small:
        assert client.get(url).status_code == 200
    add(4)
    with CaptureQueriesContext(connection) as big:
        assert client.get(url).status_code == 200
    assert len(small) == len(big)


def test_promotion_path_query_count(world, actor_of, ladder, django_assert_num_queries):
    emp = world.emp(world.employee)
    actor = actor_of("employee")
    commit_callbacks()  # as if the fixtures had been committed: the ladder may now be kept
    # ladder, levels, courses; level event; ratings (scores and final ratings in one query); skills;
    # completions
    with django_assert_num_queries(7):
        selectors.promotion_path(actor, emp, today=TODAY)
    # The ladder is configuration kept in the shared cache (core.cache): the second time it is not read.
    with django_assert_num_queries(4):
        selectors.promotion_path(actor, emp, today=TODAY)


def test_promotion_path_sees_ladder_edits_at_once(world, actor_of, ladder):
    """The kept ladder is rebuilt after any change of a level (core.cache)."""
    emp = world.emp(world.employee)
    actor = actor_of("employee")
    commit_callbacks()
    before = selectors.promotion_path(actor, emp, today=TODAY)
    selectors.promotion_path(actor, emp, today=TODAY)  # now kept
    level = LadderLevel.objects.get(pk=before.next.pk)
    level.title = "Renamed level"
    level.save()
    after = selectors.promotion_path(actor, emp, today=TODAY)
    assert after.next.title == "Renamed level"
    level.required_courses.clear()
    assert not [r for r in selectors.promotion_path(actor, emp, today=TODAY).requirements if r.key == "course"]
