"""Decisions by people: final ratings, acknowledgement, appeals, potentials — and that a
recomputation never touches them."""

from __future__ import annotations

from decimal import Decimal as D

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from talentloop.core.audit.models import AuditEntry
from talentloop.core.errors import Conflict, InvalidInput, PermissionDenied
from talentloop.performance import periods as P
from talentloop.performance.models import Appeal, FinalRating, FinalRatingChange, Potential, Score
from talentloop.performance.selectors import period_ratings, score_get
from talentloop.performance.services.config import period_set_closed
from talentloop.performance.services.decisions import (
    appeal_answer,
    appeal_create,
    final_rating_acknowledge,
    final_rating_set,
    potential_set,
)
from talentloop.performance.services.observations import observations_ingest
from talentloop.performance.services.scores import recompute_period
from talentloop.performance.tests.test_recompute import obs, setup  # noqa: F401  (fixture)

pytestmark = pytest.mark.django_db

MARCH = P.parse("2026-03")


@pytest.fixture
def scored(world, setup, actor_of):  # noqa: F811
    """The employee with 8 of 10 tasks in March: delivery 80, the only dimension with data, so the
    computed total is 80.00 and the rating 1 + 4 × 40 / 80 = 3.0."""
    emp = world.emp(world.employee)
    observations_ingest(actor=actor_of("hr"), items=[obs(emp, "tasks-done", 1, d, f"t{d}") for d in range(1, 9)])
    recompute_period(MARCH, [emp.pk])
    assert Score.objects.get(employee=emp, period_key="2026-03").rating == D("3.0")
    return emp


def test_a_recomputation_leaves_final_ratings_alone(world, scored, actor_of):
    emp, hr = scored, actor_of("hr")
    final = final_rating_set(actor=hr, employee=emp, period_key="2026-03", rating="3.5", note="calibrated")
    decided_at = FinalRating.objects.get(pk=final.pk).decided_at
    # Two more tasks: 10 of 10 → delivery 100 → computed rating 4.0; the final rating stays 3.5.
    observations_ingest(actor=hr, items=[obs(emp, "tasks-done", 1, d, f"t{d}") for d in (9, 10)])
    recompute_period(MARCH, [emp.pk])
    recompute_period(MARCH)  # the whole period, too
    score = Score.objects.get(employee=emp, period_key="2026-03")
    assert (score.total, score.rating) == (D("100.00"), D("4.0"))
    final.refresh_from_db()
    assert (final.rating, final.note, final.decided_by, final.decided_at) == (D("3.5"), "calibrated", world.hr,
                                                                              decided_at)
    out = score_get(hr, emp, MARCH)
    assert (out["rating"], out["final_rating"]) == (D("4.0"), D("3.5"))
    # Downstream the final rating counts where there is one.
    assert period_ratings([emp.pk], ["2026-03"]) == {(emp.pk, "2026-03"): D("3.5")}
    # HR closes the period: a recomputation leaves scores and decisions as they are; reopening is audited.
    period_set_closed(actor=hr, key="2026-03", closed=True)
    observations_ingest(actor=hr, items=[obs(emp, "tasks-done", 1, 11, "t11")])
    assert recompute_period(MARCH, [emp.pk]).skipped_closed
    assert Score.objects.get(employee=emp, period_key="2026-03").total == D("100.00")
    assert FinalRating.objects.get(pk=final.pk).rating == D("3.5")
    period_set_closed(actor=hr, key="2026-03", closed=False)
    assert AuditEntry.objects.filter(entity_type="performance.period", entity_id="2026-03").count() == 2
    recompute_period(MARCH, [emp.pk])
    assert FinalRating.objects.get(pk=final.pk).rating == D("3.5")


def test_every_change_is_kept_and_audited_and_asks_for_a_new_acknowledgement(world, scored, actor_of):
    emp = scored
    final = final_rating_set(actor=actor_of("manager"), employee=emp, period_key="2026-03", rating=D("3.5"))
    final_rating_acknowledge(actor=actor_of("employee"), final_rating=final)
    final.refresh_from_db()
    assert final.acknowledged_at is not None
    final_rating_set(actor=actor_of("hr"), employee=emp, period_key="2026-03", rating=D("4.0"), note="evidence")
    final.refresh_from_db()
    assert final.rating == D("4.0") and final.acknowledged_at is None
    history = list(FinalRatingChange.objects.filter(final_rating=final).values_list(
        "rating_before", "rating_after", "computed_rating", "changed_by__username"))
    assert history == [(None, D("3.5"), D("3.0"), "manager"), (D("3.5"), D("4.0"), D("3.0"), "hr")]
    entries = AuditEntry.objects.filter(entity_type="performance.finalrating", entity_id=str(final.pk))
    assert entries.count() == 3  # created, acknowledged, changed
    assert entries.filter(action="update", actor=world.hr).first().changes["rating"] == {"before": "3.5",
                                                                                          "after": "4.0"}
    # Setting the same rating and note again changes nothing and records nothing.
    final_rating_set(actor=actor_of("hr"), employee=emp, period_key="2026-03", rating=D("4.0"), note="evidence")
    assert entries.count() == 3


def test_who_decides_a_final_rating(world, scored, actor_of):
    emp = scored
    for persona in ("employee", "outsider", "mentor", "admin"):
        with pytest.raises(PermissionDenied):
            final_rating_set(actor=actor_of(persona), employee=emp, period_key="2026-03", rating=3)
    final_rating_set(actor=actor_of("lead"), employee=emp, period_key="2026-03", rating=3)
    with pytest.raises(InvalidInput) as exc:
        final_rating_set(actor=actor_of("lead"), employee=emp, period_key="2026-03", rating="5.5")
    assert exc.value.errors == {"rating": ["A rating is between 1 and 5."]}
    with pytest.raises(InvalidInput):
        final_rating_set(actor=actor_of("lead"), employee=emp, period_key="2026-03", rating="3.25")
    # Once HR has closed the period, only HR changes its final ratings.
    period_set_closed(actor=actor_of("hr"), key="2026-03", closed=True)
    with pytest.raises(PermissionDenied, match="closed"):
        final_rating_set(actor=actor_of("manager"), employee=emp, period_key="2026-03", rating=4)
    assert final_rating_set(actor=actor_of("hr"), employee=emp, period_key="2026-03", rating=4).rating == D("4.0")


def test_appeal_kept_then_changed_and_the_outcome_is_kept(world, scored, actor_of):
    emp = scored
    final = final_rating_set(actor=actor_of("lead"), employee=emp, period_key="2026-03", rating="2.5")
    with pytest.raises(PermissionDenied):
        appeal_create(actor=actor_of("manager"), employee=emp, period_key="2026-03", reason="on their behalf")
    with pytest.raises(InvalidInput):
        appeal_create(actor=actor_of("employee"), employee=emp, period_key="2026-03", reason="  ")
    first = appeal_create(actor=actor_of("employee"), employee=emp, period_key="2026-03",
                          reason="The March release slipped because of the outage, not my work.")
    assert (first.status, first.rating_appealed, first.final_rating_id) == ("open", D("2.5"), final.pk)
    with pytest.raises(Conflict):
        appeal_create(actor=actor_of("employee"), employee=emp, period_key="2026-03", reason="again")
    with pytest.raises(PermissionDenied):
        appeal_answer(actor=actor_of("outsider"), appeal=first, outcome="kept", answer="no")
    with pytest.raises(PermissionDenied):
        appeal_answer(actor=actor_of("employee"), appeal=first, outcome="changed", answer="yes", rating=5)
    kept = appeal_answer(actor=actor_of("manager"), appeal=first, outcome="kept",
                         answer="The outage was in February.")
    assert (kept.status, kept.outcome, kept.rating_after) == ("answered", "kept", D("2.5"))
    with pytest.raises(Conflict):
        appeal_answer(actor=actor_of("hr"), appeal=first, outcome="kept", answer="twice")
    second = appeal_create(actor=actor_of("employee"), employee=emp, period_key="2026-03", reason="New evidence.")
    with pytest.raises(InvalidInput):
        appeal_answer(actor=actor_of("hr"), appeal=second, outcome="changed", answer="ok")  # no rating
    changed = appeal_answer(actor=actor_of("hr"), appeal=second, outcome="changed", answer="Agreed.", rating="3.4")
    assert (changed.outcome, changed.rating_after) == ("changed", D("3.4"))
    final.refresh_from_db()
    assert final.rating == D("3.4")
    assert FinalRatingChange.objects.filter(final_rating=final).last().source == "appeal"
    assert list(Appeal.objects.filter(employee=emp).values_list("outcome", flat=True).order_by("id")) == \
        ["kept", "changed"]


def test_a_human_review_of_a_computed_result(world, scored, actor_of):
    """With no final rating yet, the employee asks for a human review of the computed rating; a
    change then becomes the final rating."""
    emp = scored
    appeal = appeal_create(actor=actor_of("employee"), employee=emp, period_key="2026-03", reason="Please check.")
    assert (appeal.final_rating_id, appeal.rating_appealed) == (None, D("3.0"))
    appeal_answer(actor=actor_of("lead"), appeal=appeal, outcome="changed", answer="Checked.", rating="3.2")
    assert FinalRating.objects.get(employee=emp, period_key="2026-03").rating == D("3.2")
    with pytest.raises(InvalidInput, match="no rating"):
        appeal_create(actor=actor_of("employee"), employee=emp, period_key="2025-01", reason="?")


def test_potential_is_set_by_the_manager_and_audited(world, scored, actor_of):
    emp = scored
    with pytest.raises(PermissionDenied):
        potential_set(actor=actor_of("employee"), employee=emp, period_key="2026-03", level="high")
    potential_set(actor=actor_of("lead"), employee=emp, period_key="2026-03", level="medium")
    potential_set(actor=actor_of("manager"), employee=emp, period_key="2026-03", level="high")
    assert Potential.objects.get(employee=emp, period_key="2026-03").level == "high"
    changes = [e.changes["level"] for e in AuditEntry.objects.filter(entity_type="performance.potential")
               .order_by("id")]
    assert changes == [{"before": None, "after": "medium"}, {"before": "medium", "after": "high"}]
    with pytest.raises(InvalidInput):
        potential_set(actor=actor_of("manager"), employee=emp, period_key="2026-03", level="stellar")


# ---------------------------------------------------------------- access through the API


def test_an_employee_cannot_read_a_colleagues_score_or_rating(world, scored, actor_of, api_client_for):
    emp, outsider = scored, world.emp(world.outsider)
    final = final_rating_set(actor=actor_of("hr"), employee=emp, period_key="2026-03", rating="3.5")
    colleague = api_client_for("outsider")
    assert colleague.get(f"/api/v1/employees/{emp.pk}/scores?period=2026-03").status_code == 404
    assert colleague.get(f"/api/v1/final-ratings/{final.pk}").status_code == 404
    assert colleague.get(f"/api/v1/final-ratings?employee_id={emp.pk}").json()["items"] == []
    # a peer in the same team cannot either
    assert api_client_for("mentor").get(f"/api/v1/final-ratings/{final.pk}").status_code == 404
    own = api_client_for("employee").get(f"/api/v1/final-ratings/{final.pk}")
    assert own.status_code == 200
    body = own.json()
    assert (body["rating"], body["computed_rating"], body["period"]) == ("3.5", "3.0", "2026-03")
    assert [h["source"] for h in body["history"]] == ["calibration"]
    assert api_client_for("employee").get(f"/api/v1/final-ratings?employee_id={outsider.pk}").json()["items"] == []


def test_api_appeal_journey(world, scored, actor_of, api_client_for):
    emp = scored
    lead = api_client_for("lead")
    r = lead.post("/api/v1/final-ratings", {"employee_id": emp.pk, "period": "2026-03", "rating": "2.8"},
                  content_type="application/json")
    assert r.status_code == 200, r.content
    rating_id = r.json()["id"]
    me = api_client_for("employee")
    assert me.post(f"/api/v1/final-ratings/{rating_id}/acknowledge").json()["acknowledged_at"]
    assert lead.post(f"/api/v1/final-ratings/{rating_id}/acknowledge").status_code == 403
    r = me.post("/api/v1/appeals", {"period": "2026-03", "reason": "I closed 8 tasks."},
                content_type="application/json")
    assert r.status_code == 201, r.content
    appeal_id = r.json()["id"]
    assert me.post("/api/v1/appeals", {"period": "2026-03", "reason": "again"},
                   content_type="application/json").status_code == 409
    assert [a["id"] for a in lead.get("/api/v1/appeals").json()["items"]] == [appeal_id]
    assert api_client_for("outsider").get(f"/api/v1/appeals/{appeal_id}").status_code == 404
    assert me.post(f"/api/v1/appeals/{appeal_id}/answer", {"outcome": "kept", "answer": "x"},
                   content_type="application/json").status_code == 403
    r = lead.post(f"/api/v1/appeals/{appeal_id}/answer", {"outcome": "changed", "answer": "Fair.", "rating": "3.1"},
                  content_type="application/json")
    assert r.status_code == 200, r.content
    assert (r.json()["outcome"], r.json()["rating_after"]) == ("changed", "3.1")
    assert me.get(f"/api/v1/final-ratings/{rating_id}").json()["acknowledged_at"] is None
    bad = lead.post("/api/v1/final-ratings", {"employee_id": emp.pk, "period": "2026-13", "rating": "3"},
                    content_type="application/json")
    assert bad.status_code == 422 and set(bad.json()) == {"detail", "errors"}


# ---------------------------------------------------------------- pages


def test_employee_appeals_from_the_ratings_page(world, scored, actor_of, client_for):
    emp = scored
    final = final_rating_set(actor=actor_of("lead"), employee=emp, period_key="2026-03", rating="2.5",
                             note="Delivery was behind.")
    c = client_for("employee")
    page = c.get("/performance/ratings/")
    assert page.status_code == 200
    assert b"2.5" in page.content and b"Delivery was behind." in page.content
    assert c.post(f"/performance/ratings/{final.pk}/acknowledge/").status_code == 302
    r = c.post("/performance/ratings/2026-03/appeal/", {"reason": ""})
    assert r.status_code == 200 and r.context["form"].errors
    r = c.post("/performance/ratings/2026-03/appeal/", {"reason": "The outage."})
    assert r.status_code == 302
    appeal = Appeal.objects.get(employee=emp)
    inbox = client_for("lead").get("/performance/appeals/")
    assert inbox.status_code == 200 and appeal in inbox.context["inbox"]
    r = client_for("lead").post(f"/performance/appeals/{appeal.pk}/",
                                {"outcome": "changed", "answer": "Agreed.", "rating": "3.0"})
    assert r.status_code == 302, r.content
    assert FinalRating.objects.get(pk=final.pk).rating == D("3.0")
    assert client_for("outsider").get(f"/performance/appeals/{appeal.pk}/").status_code == 404


def _count(client, url) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    return len(queries)


@pytest.mark.parametrize("periods", [2, 12])
def test_my_ratings_page_query_count(world, setup, actor_of, client_for, periods):  # noqa: F811
    # base 6 (session, user, actor, bell) + final ratings + their changes + computed ratings + open appeals
    # + recent computed results = 10, whatever the number of periods
    emp = world.emp(world.employee)
    for month in range(1, periods + 1):
        key = f"2025-{month:02d}"
        final_rating_set(actor=actor_of("hr"), employee=emp, period_key=key, rating="3.5")
        final_rating_set(actor=actor_of("lead"), employee=emp, period_key=key, rating="3.7")
        appeal_create(actor=actor_of("employee"), employee=emp, period_key=key, reason="why")
    assert _count(client_for("employee"), "/performance/ratings/") == 6 + 5


@pytest.mark.parametrize("people", [3, 30])
def test_appeals_inbox_query_count(world, actor_of, client_for, people):
    from talentloop.testing.factories import EmployeeFactory, UserFactory

    lead = world.emp(world.lead)
    for i in range(people):
        user = UserFactory(username=f"report{i}")
        emp = EmployeeFactory(user=user, manager=lead, org_unit=world.platform, job_family=world.engineering)
        final_rating_set(actor=actor_of("lead"), employee=emp, period_key="2025-12", rating="3")
        from talentloop.core.access import actor_for

        appeal_create(actor=actor_for(user), employee=emp, period_key="2025-12", reason="why")
    # base 6 + the inbox's count and one page (people and who answered joined) + my own appeals = 9
    assert _count(client_for("lead"), "/performance/appeals/") == 6 + 3
    assert _count(client_for("hr"), "/performance/appeals/") == 6 + 3
