from __future__ import annotations

import datetime as dt

import pytest

from talentloop.performance.tests.test_recompute import obs, setup  # noqa: F401  (fixture)

pytestmark = pytest.mark.django_db


def test_post_observations_and_read_score(world, setup, api_client_for):  # noqa: F811
    emp = world.emp(world.employee)
    hr = api_client_for("hr")
    items = [obs(emp, "tasks-done", 1, d, f"t{d}") for d in range(1, 11)]
    r = hr.post("/api/v1/observations", {"items": items, "partial": False}, content_type="application/json")
    assert r.status_code == 200, r.content
    assert r.json() == {"accepted": 10, "duplicates": 0, "corrections": 0, "rejected": []}
    # the employee reads their own score; recomputed by the job that ran on commit (immediate in tests)
    r = api_client_for("employee").get(f"/api/v1/employees/{emp.pk}/scores?period=2026-03")
    assert r.status_code == 200, r.content
    body = r.json()
    # delivery 10/10 → 100, the only dimension with data
    assert body["total"] == "100.00" and body["rating"] == "4.0" and body["final_rating"] is None
    assert body["status"] == "open" and body["partial"] is False
    delivery = next(d for d in body["dimensions"] if d["key"] == "delivery")
    assert delivery["metrics"][0] == {**delivery["metrics"][0], "key": "tasks-done", "observation_count": 10}


def test_scores_are_scoped(world, setup, api_client_for):  # noqa: F811
    emp = world.emp(world.employee)
    assert api_client_for("outsider").get(f"/api/v1/employees/{emp.pk}/scores?period=2026-03").status_code == 404
    assert api_client_for("manager").get(f"/api/v1/employees/{emp.pk}/scores?period=2026-03").status_code == 200
    assert api_client_for("employee").get(f"/api/v1/employees/{emp.pk}/scores?period=2026-13").status_code == 422


def test_batch_errors(world, setup, api_client_for):  # noqa: F811
    emp = world.emp(world.employee)
    hr = api_client_for("hr")
    good = obs(emp, "tasks-done", 1, 2, "a")
    bad = {**obs(emp, "tasks-done", 1, 2, "b"), "value": "lots"}
    r = hr.post("/api/v1/observations", {"items": [good, bad]}, content_type="application/json")
    assert r.status_code == 422
    body = r.json()
    assert body["detail"] and body["rejected"] == [{"index": 1, "errors": {"value": ["Must be a finite number."]}}]
    r = hr.post("/api/v1/observations", {"items": [good, bad], "partial": True}, content_type="application/json")
    assert r.status_code == 200 and r.json()["accepted"] == 1
    r = hr.post("/api/v1/observations", {"items": [good] * 5001}, content_type="application/json")
    assert r.status_code == 413 and "5000" in r.json()["detail"]
    # an employee may not send observations
    r = api_client_for("employee").post("/api/v1/observations", {"items": [good]}, content_type="application/json")
    assert r.status_code == 403
    assert dt.date.today()


def test_active_mentor_reads_scores_but_not_feedback(world, setup, api_client_for):  # noqa: F811
    import datetime as dt

    from talentloop.mentoring.models import Mentor, MentoringPlan, PlanStatus, ProgrammeTemplate

    emp = world.emp(world.employee)
    mentor = Mentor.objects.create(employee=world.emp(world.mentor), capacity=3, since=dt.date(2025, 1, 1))
    template = ProgrammeTemplate.objects.create(name="新人", mentee_type="new_graduate")
    plan = MentoringPlan.objects.create(mentor=mentor, mentee=emp, template=template, status=PlanStatus.DRAFT,
                                        starts_on=dt.date(2026, 1, 1), ends_on=dt.date(2026, 7, 1))
    client = api_client_for("mentor")
    url = f"/api/v1/employees/{emp.pk}/scores?period=2026-03"
    assert client.get(url).status_code == 404  # a draft plan gives no access
    MentoringPlan.objects.filter(pk=plan.pk).update(status=PlanStatus.ACTIVE)
    assert client.get(url).status_code == 200
    # read-only: the personal record and the feedback stay out of reach
    assert client.get(f"/api/v1/employees/{emp.pk}").status_code == 404
    from talentloop.core.access import actor_for
    from talentloop.performance.services.feedback import feedback_give

    given = feedback_give(actor=actor_for(world.lead), recipient=emp, text="干得好")
    listed = client.get("/api/v1/feedback").json()
    assert given.pk not in [item["id"] for item in listed["items"]]
