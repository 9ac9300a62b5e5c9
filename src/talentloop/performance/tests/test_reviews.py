"""Review cycles: opening, peers, writing and submitting, the lock, reminders, calibration, and who
may read which review."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal as D

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from talentloop.core.audit.models import AuditEntry
from talentloop.core.errors import Conflict, InvalidInput, PermissionDenied
from talentloop.performance.models import QualitativeRating, Review, ReviewCycle, ReviewReminder, Score
from talentloop.performance.services.reviews import (
    review_cycle_create,
    review_cycle_open,
    review_cycle_set_status,
    review_peer_remove,
    review_peers_add,
    review_reminders_record,
    review_save,
)
from talentloop.performance.tests.test_recompute import setup  # noqa: F401  (fixture)
from talentloop.testing.factories import EmployeeFactory, UserFactory

pytestmark = pytest.mark.django_db


def make_cycle(actor, **kwargs) -> ReviewCycle:
    data = {"name": "2026 Q1", "period_key": "2026-Q1", "self_due": dt.date(2026, 4, 10),
            "peer_due": dt.date(2026, 4, 12), "manager_due": dt.date(2026, 4, 20), **kwargs}
    return review_cycle_create(actor=actor, **data)


@pytest.fixture
def cycle(world, setup, actor_of, django_capture_on_commit_callbacks):  # noqa: F811
    """An open organisation-wide cycle for 2026 Q1 (the scorecard's teamwork dimension is rated by
    the manager, weight 60, and peers, weight 40)."""
    with django_capture_on_commit_callbacks(execute=True):
        c = review_cycle_open(actor=actor_of("hr"), cycle=make_cycle(actor_of("hr")))
    return c


def review_of(world, cycle, reviewee, kind, reviewer=None) -> Review:
    qs = Review.objects.filter(cycle=cycle, reviewee=world.emp(getattr(world, reviewee)), kind=kind)
    if reviewer:
        qs = qs.filter(reviewer=world.emp(getattr(world, reviewer)))
    return qs.get()


def test_opening_a_cycle_writes_self_and_manager_reviews(world, cycle):
    # Six people: each a self review; lead and mentor report to manager, employee to lead.
    assert Review.objects.filter(cycle=cycle, kind="self").count() == 6
    managers = dict(Review.objects.filter(cycle=cycle, kind="manager").values_list("reviewee__user__username",
                                                                                    "reviewer__user__username"))
    assert managers == {"lead": "manager", "mentor": "manager", "employee": "lead"}
    assert set(Review.objects.filter(cycle=cycle, kind="self").values_list("due", flat=True)) == {dt.date(2026, 4, 10)}
    assert cycle.status == "open"
    entry = AuditEntry.objects.get(entity_type="performance.reviewcycle", entity_id=str(cycle.pk), action="update")
    assert entry.changes["reviews"] == 9
    # The cycle's period was scored for everyone in it (after commit), so calibration has figures:
    # the four engineers (the sales person and HR have no scorecard).
    assert Score.objects.filter(period_key="2026-Q1").count() == 4


def test_cycle_rules(world, setup, actor_of):  # noqa: F811
    with pytest.raises(PermissionDenied):
        make_cycle(actor_of("manager"))
    with pytest.raises(InvalidInput) as exc:
        make_cycle(actor_of("hr"), period_key="2026-Q5", manager_due=dt.date(2026, 4, 1))
    assert set(exc.value.errors) == {"period_key", "manager_due"}
    c = make_cycle(actor_of("hr"), org_unit=world.platform)
    with pytest.raises(Conflict):
        review_cycle_set_status(actor=actor_of("hr"), cycle=c, status="closed")
    review_cycle_open(actor=actor_of("hr"), cycle=c)
    # platform: lead, mentor, employee
    assert Review.objects.filter(cycle=c, kind="self").count() == 3
    with pytest.raises(Conflict):
        review_cycle_open(actor=actor_of("hr"), cycle=c)
    for status in ("calibration", "closed", "calibration"):
        c = review_cycle_set_status(actor=actor_of("hr"), cycle=c, status=status)
    assert c.status == "calibration"
    with pytest.raises(PermissionDenied):
        review_cycle_set_status(actor=actor_of("manager"), cycle=c, status="closed")


def test_peers_are_picked_by_the_reviewee_or_their_manager(world, cycle, actor_of):
    emp = world.emp(world.employee)
    mentor, outsider, hr = (world.emp(getattr(world, p)) for p in ("mentor", "outsider", "hr"))
    review_peers_add(actor=actor_of("employee"), cycle=cycle, reviewee=emp, peers=[mentor])
    review_peers_add(actor=actor_of("lead"), cycle=cycle, reviewee=emp, peers=[outsider, mentor])
    assert set(Review.objects.filter(cycle=cycle, reviewee=emp, kind="peer").values_list(
        "reviewer__user__username", flat=True)) == {"mentor", "outsider"}
    for persona in ("outsider", "mentor"):
        with pytest.raises(PermissionDenied):
            review_peers_add(actor=actor_of(persona), cycle=cycle, reviewee=emp, peers=[hr])
    with pytest.raises(InvalidInput):
        review_peers_add(actor=actor_of("employee"), cycle=cycle, reviewee=emp, peers=[emp])
    extra = [EmployeeFactory(org_unit=world.platform, job_family=world.engineering) for _ in range(5)]
    with pytest.raises(InvalidInput, match="correct"):
        review_peers_add(actor=actor_of("employee"), cycle=cycle, reviewee=emp, peers=extra)
    peer = review_of(world, cycle, "employee", "peer", "outsider")
    review_peer_remove(actor=actor_of("employee"), review=peer)
    assert not Review.objects.filter(pk=peer.pk).exists()


def test_submitting_locks_the_form_and_closing_feeds_every_month_of_the_period(
        world, cycle, actor_of, django_capture_on_commit_callbacks):
    emp = world.emp(world.employee)
    review_peers_add(actor=actor_of("employee"), cycle=cycle, reviewee=emp, peers=[world.emp(world.mentor)])
    manager_review = review_of(world, cycle, "employee", "manager")
    # A draft is kept on the review only: no rating counts yet.
    review_save(actor=actor_of("lead"), review=manager_review, rating="4", dimension_ratings={"teamwork": "4.5"},
                comment="Helps everyone.")
    assert not QualitativeRating.objects.exists()
    with pytest.raises(InvalidInput) as exc:
        review_save(actor=actor_of("lead"), review=manager_review, dimension_ratings={"teamwork": "6"}, submit=True)
    assert set(exc.value.errors) == {"dimension_ratings.teamwork", "rating"}
    with pytest.raises(PermissionDenied):
        review_save(actor=actor_of("manager"), review=manager_review, rating="4", submit=True)
    with django_capture_on_commit_callbacks(execute=True):
        review_save(actor=actor_of("lead"), review=manager_review, rating="4", dimension_ratings={"teamwork": "4.5"},
                    comment="Helps everyone.", submit=True)
    # Submitted and locked, but the cycle runs: the rating counts nowhere yet.
    assert not QualitativeRating.objects.exists()
    assert Score.objects.get(employee=emp, period_key="2026-02").total is None
    with pytest.raises(Conflict):
        review_save(actor=actor_of("lead"), review=manager_review, rating="2", submit=True)
    with django_capture_on_commit_callbacks(execute=True):
        review_save(actor=actor_of("mentor"), review=review_of(world, cycle, "employee", "peer"), rating="3",
                    dimension_ratings={"teamwork": "3"}, submit=True)
    # A self review rates no dimension here (the scorecard gives self ratings no weight).
    with pytest.raises(InvalidInput):
        review_save(actor=actor_of("employee"), review=review_of(world, cycle, "employee", "self"),
                    rating="4", dimension_ratings={"teamwork": "5"}, submit=True)
    # Once the cycle has moved on, pending reviews can no longer be written.
    review_cycle_set_status(actor=actor_of("hr"), cycle=cycle, status="calibration")
    with pytest.raises(Conflict):
        review_save(actor=actor_of("employee"), review=review_of(world, cycle, "employee", "self"), rating="4")
    assert not QualitativeRating.objects.exists()
    # Closing the cycle publishes its ratings as facts covering the period and rebuilds the scores.
    with django_capture_on_commit_callbacks(execute=True):
        review_cycle_set_status(actor=actor_of("hr"), cycle=cycle, status="closed")
    rating = QualitativeRating.objects.get(rater_kind="manager")
    assert (rating.employee, rating.rater_kind, rating.dimension_key, rating.rating) == (emp, "manager", "teamwork",
                                                                                        D("4.5"))
    assert (rating.covers_start, rating.covers_end) == (dt.date(2026, 1, 1), dt.date(2026, 4, 1))
    # teamwork: manager 4.5 → 40 + 20 × 3.5 = 110, peer 3.0 → 80: (110 × 60 + 80 × 40) / 100 = 98.00
    # → rating 1 + 4 × 58 / 80 = 3.9; no other data, so every month and the quarter read the same.
    for key in ("2026-01", "2026-02", "2026-03", "2026-Q1"):
        score = Score.objects.get(employee=emp, period_key=key)
        assert (score.total, score.rating) == (D("98.00"), D("3.9")), key


def test_reminders_are_recorded_once(world, cycle):
    # self due 10 April, peers 12 April, managers 20 April
    assert review_reminders_record(today=dt.date(2026, 4, 1)) == 0
    assert review_reminders_record(today=dt.date(2026, 4, 8)) == 6  # the six self reviews are due soon
    assert review_reminders_record(today=dt.date(2026, 4, 9)) == 0  # never twice
    # 18 April: the self reviews are overdue (6), the manager reviews due soon (3)
    assert review_reminders_record(today=dt.date(2026, 4, 18)) == 9
    assert review_reminders_record(today=dt.date(2026, 4, 19)) == 0
    assert ReviewReminder.objects.filter(kind="overdue").count() == 6
    # a submitted review is not reminded
    Review.objects.filter(kind="manager").update(status="submitted")
    assert review_reminders_record(today=dt.date(2026, 4, 25)) == 0


def test_reminders_reach_the_reviewers_inbox_once_in_their_language(world, cycle, django_capture_on_commit_callbacks):
    from django.utils import translation

    from talentloop.notifications.kinds import render_text
    from talentloop.notifications.models import Notification

    with django_capture_on_commit_callbacks(execute=True):
        review_reminders_record(today=dt.date(2026, 4, 8))
    rows = Notification.objects.filter(kind="review_due_soon")
    assert rows.count() == 6  # the six self reviews, each to its writer
    assert set(rows.values_list("recipient_id", flat=True)) == set(
        Review.objects.filter(kind="self").values_list("reviewer_id", flat=True))
    note = rows.first()
    assert note.link == f"/performance/reviews/{Review.objects.get(kind='self', reviewer_id=note.recipient_id).pk}/"
    with translation.override("en"):
        assert render_text(note.kind, note.data).startswith("Your self review in ")
    with translation.override("zh-hans"):
        assert "自评" in render_text(note.kind, note.data)
    with django_capture_on_commit_callbacks(execute=True):
        review_reminders_record(today=dt.date(2026, 4, 9))
    assert rows.count() == 6  # never twice
    with django_capture_on_commit_callbacks(execute=True):
        review_reminders_record(today=dt.date(2026, 4, 18))
    overdue = Notification.objects.filter(kind="review_overdue")
    assert overdue.count() == 6
    about_others = [n for n in Notification.objects.filter(kind="review_due_soon") if not n.data["self"]]
    assert len(about_others) == 3  # 18 April: the manager reviews are due soon
    with translation.override("en"):
        assert render_text(about_others[0].kind, about_others[0].data).startswith("Your review of ")


def test_the_daily_task_records_reminders(world, cycle, monkeypatch):
    from talentloop.performance import tasks

    monkeypatch.setattr("django.utils.timezone.localdate", lambda *a, **k: dt.date(2026, 4, 9))
    tasks.record_review_reminders.call_local()
    assert ReviewReminder.objects.filter(kind="due_soon").count() == 6


# ---------------------------------------------------------------- who reads which review


def test_a_peer_reviewer_cannot_read_the_others_reviews(world, cycle, actor_of, api_client_for):
    emp = world.emp(world.employee)
    review_peers_add(actor=actor_of("employee"), cycle=cycle, reviewee=emp,
                     peers=[world.emp(world.mentor), world.emp(world.outsider)])
    mine = review_of(world, cycle, "employee", "peer", "mentor")
    other_peer = review_of(world, cycle, "employee", "peer", "outsider")
    manager_review = review_of(world, cycle, "employee", "manager")
    self_review = review_of(world, cycle, "employee", "self")
    for review, reviewer in ((other_peer, "outsider"), (manager_review, "lead"), (self_review, "employee")):
        review_save(actor=actor_of(reviewer), review=review, rating="3", submit=True,
                    dimension_ratings={"teamwork": "3"} if review.kind != "self" else {})
    mentor = api_client_for("mentor")
    assert mentor.get(f"/api/v1/reviews/{mine.pk}").status_code == 200
    for other in (other_peer, manager_review, self_review):
        assert mentor.get(f"/api/v1/reviews/{other.pk}").status_code == 404
        assert client_get(world, "mentor", f"/performance/reviews/{other.pk}/") == 404
    listed = mentor.get(f"/api/v1/reviews?mine=false&reviewee_id={emp.pk}").json()["items"]
    assert [r["id"] for r in listed] == [mine.pk]
    # The person reviewed reads neither the peers' nor (until the cycle closes) the manager's review.
    me = api_client_for("employee")
    assert me.get(f"/api/v1/reviews/{other_peer.pk}").status_code == 404
    assert me.get(f"/api/v1/reviews/{manager_review.pk}").status_code == 404
    # The management chain and HR read the submitted ones, never a pending draft.
    for persona in ("lead", "manager", "hr"):
        assert api_client_for(persona).get(f"/api/v1/reviews/{other_peer.pk}").status_code == 200, persona
        assert api_client_for(persona).get(f"/api/v1/reviews/{mine.pk}").status_code == 404, persona
    # Once the cycle is closed the person reads their manager's review (still not the peers').
    review_cycle_set_status(actor=actor_of("hr"), cycle=cycle, status="calibration")
    review_cycle_set_status(actor=actor_of("hr"), cycle=cycle, status="closed")
    assert me.get(f"/api/v1/reviews/{manager_review.pk}").status_code == 200
    assert me.get(f"/api/v1/reviews/{other_peer.pk}").status_code == 404


def client_get(world, persona, url) -> int:
    from django.test import Client

    c = Client()
    c.force_login(getattr(world, persona))
    return c.get(url).status_code


def test_api_review_journey(world, cycle, api_client_for):
    emp = world.emp(world.employee)
    me = api_client_for("employee")
    for peer in ("mentor", "outsider"):
        r = me.post(f"/api/v1/review-cycles/{cycle.pk}/peers",
                    {"reviewee_id": emp.pk, "peer_id": world.emp(getattr(world, peer)).pk},
                    content_type="application/json")
        assert r.status_code == 200, r.content
    assert [(p["reviewer"]["name"], p["status"]) for p in r.json()] == [("Mentor", "pending"), ("Outsider", "pending")]
    taken_back = r.json()[1]["id"]
    assert api_client_for("outsider").delete(f"/api/v1/reviews/{taken_back}").status_code == 404
    assert me.delete(f"/api/v1/reviews/{taken_back}").status_code == 204
    todo = api_client_for("lead").get("/api/v1/reviews").json()["items"]
    # pending first, by due date: the self review (10 April) before the manager review (20 April)
    assert [(t["kind"], t["reviewee"]["id"]) for t in todo] == [("self", world.emp(world.lead).pk), ("manager", emp.pk)]
    review_id = todo[1]["id"]
    lead = api_client_for("lead")
    detail = lead.get(f"/api/v1/reviews/{review_id}").json()
    assert detail["editable"] is True and detail["dimensions"] == [{"key": "teamwork", "name": "团队协作"}]
    r = lead.patch(f"/api/v1/reviews/{review_id}", {"rating": "3.5", "comment": "draft"},
                   content_type="application/json")
    assert r.status_code == 200 and r.json()["status"] == "pending"
    r = lead.post(f"/api/v1/reviews/{review_id}/submit", {"rating": "3.5"}, content_type="application/json")
    assert r.status_code == 422 and "dimension_ratings.teamwork" in r.json()["errors"]
    r = lead.post(f"/api/v1/reviews/{review_id}/submit", {"rating": "3.5", "dimension_ratings": {"teamwork": "4"}},
                  content_type="application/json")
    assert r.status_code == 200 and r.json()["status"] == "submitted" and r.json()["editable"] is False
    assert lead.post(f"/api/v1/reviews/{review_id}/submit", {"rating": "3"},
                     content_type="application/json").status_code == 409
    cal = api_client_for("hr").get(f"/api/v1/review-cycles/{cycle.pk}/calibration").json()
    row = next(p for p in cal["people"] if p["employee"]["id"] == emp.pk)
    assert row["manager_rating"] == "3.5" and row["can_decide"] is True
    assert len(cal["nine_box"]) == 9
    assert api_client_for("employee").get(f"/api/v1/review-cycles/{cycle.pk}/calibration").status_code == 404


# ---------------------------------------------------------------- pages


def test_review_pages(world, cycle, client_for):
    emp = world.emp(world.employee)
    lead = client_for("lead")
    page = lead.get("/performance/reviews/")
    assert page.status_code == 200 and len(page.context["mine"].to_write) == 2
    review = review_of(world, cycle, "employee", "manager")
    form = lead.get(f"/performance/reviews/{review.pk}/")
    assert "dim_teamwork" in form.context["form"].fields
    r = lead.post(f"/performance/reviews/{review.pk}/", {"rating": "4", "action": "submit"})
    assert r.status_code == 200 and "dim_teamwork" in r.context["form"].errors
    r = lead.post(f"/performance/reviews/{review.pk}/", {"rating": "4", "dim_teamwork": "4", "comment": "ok",
                                                        "action": "submit"})
    assert r.status_code == 302
    assert Review.objects.get(pk=review.pk).status == "submitted"
    # locked: the page shows it read-only, and a second post is refused with the form's error
    assert lead.get(f"/performance/reviews/{review.pk}/").context["editable"] is False
    # the employee picks a peer on the web
    me = client_for("employee")
    r = me.post(f"/performance/review-cycles/{cycle.pk}/peers/{emp.pk}/", {"peer": "T-mentor"})
    assert r.status_code == 302
    assert Review.objects.filter(cycle=cycle, reviewee=emp, kind="peer").count() == 1
    assert client_for("outsider").get(f"/performance/review-cycles/{cycle.pk}/peers/{emp.pk}/").status_code == 404
    # HR moves the cycle on and calibrates
    hr = client_for("hr")
    assert hr.post(f"/performance/review-cycles/{cycle.pk}/status/", {"status": "calibration"}).status_code == 302
    r = hr.post(f"/performance/review-cycles/{cycle.pk}/calibration/{emp.pk}/",
                {"rating": "3.8", "potential": "high", "note": "steady"})
    assert r.status_code == 302
    cal = hr.get(f"/performance/review-cycles/{cycle.pk}/calibration/")
    row = next(r for r in cal.context["cal"].rows if r.employee.pk == emp.pk)
    assert (row.final.rating, row.potential.level, row.band) == (D("3.8"), "high", "medium")
    cell = next(c for c in cal.context["cal"].grid if c["potential"] == "high" and c["performance"] == "medium")
    assert [r.employee.pk for r in cell["people"]] == [emp.pk]
    assert client_for("employee").get(f"/performance/review-cycles/{cycle.pk}/calibration/").status_code == 404


# ---------------------------------------------------------------- query counts


def grow_team(world, n: int) -> list:
    """n more people reporting to lead, each with a user."""
    lead = world.emp(world.lead)
    return [EmployeeFactory(user=UserFactory(username=f"p{i}"), manager=lead, org_unit=world.platform,
                            job_family=world.engineering, hire_date=dt.date(2020, 1, 1)) for i in range(n)]


def count(client, url) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    return len(queries)


@pytest.mark.parametrize("people", [2, 25])
def test_review_list_pages_query_counts(world, setup, actor_of, client_for, people):  # noqa: F811
    grow_team(world, people)
    hr = actor_of("hr")
    c = review_cycle_open(actor=hr, cycle=make_cycle(hr))
    make_cycle(hr, name="draft")
    review_cycle_set_status(actor=hr, cycle=c, status="calibration")
    # base 6 (session, user, actor, bell) + the cycles with their counts = 7
    assert count(client_for("hr"), "/performance/review-cycles/") == 6 + 1
    # the lead's reviews: base 6 + the cycles of the filter + the count of reviews to write (none: the
    #   cycle is in calibration, so no page is read) + self reviews to pick peers = 9
    assert count(client_for("lead"), "/performance/reviews/") == 6 + 3
    # cycle progress: base 6 + the cycle + count + one page of people + review counts = 9
    assert count(client_for("hr"), f"/performance/review-cycles/{c.pk}/") == 6 + 4
    # calibration: base 6 + the cycle + whether its period is closed + people + scores + review ratings
    #   + final ratings + potentials = 12; who may decide is checked in memory
    assert count(client_for("hr"), f"/performance/review-cycles/{c.pk}/calibration/") == 6 + 7
    assert count(client_for("lead"), f"/performance/review-cycles/{c.pk}/calibration/") == 6 + 7


@pytest.mark.parametrize("people", [2, 25])
def test_review_endpoints_query_counts(world, setup, actor_of, api_client_for, people):  # noqa: F811
    grow_team(world, people)
    hr = actor_of("hr")
    c = review_cycle_open(actor=hr, cycle=make_cycle(hr))
    client = api_client_for("lead")
    client.get("/api/v1/me")
    # base 4 (token, actor) + one page of reviews = 5; a paged list counts its rows too (+1)
    assert count(client, "/api/v1/reviews") == 4 + 2
    assert count(client, "/api/v1/review-cycles") == 4 + 1
    assert count(client, "/api/v1/appeals") == 4 + 1  # none: the count is 0 and no page is read
    assert count(client, "/api/v1/final-ratings") == 4 + 1  # none decided yet: likewise
    # the cycle + whether its period is closed + people, scores, review ratings, finals, potentials
    assert count(client, f"/api/v1/review-cycles/{c.pk}/calibration") == 4 + 7
