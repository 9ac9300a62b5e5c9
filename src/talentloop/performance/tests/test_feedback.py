"""Continuous feedback, feedback requests and improvement plans."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from talentloop.core.audit.models import AuditEntry
from talentloop.core.errors import Conflict, InvalidInput, PermissionDenied
from talentloop.performance.access import visible_feedback
from talentloop.performance.models import CheckIn, Feedback, FeedbackRequest, ImprovementPlan, PlanGoal
from talentloop.performance.services.feedback import (
    check_in_add,
    feedback_give,
    feedback_request_create,
    feedback_request_decline,
    improvement_plan_close,
    improvement_plan_create,
    improvement_plan_goal_set_status,
)

pytestmark = pytest.mark.django_db


def who_sees(world, actor_of, feedback) -> set[str]:
    personas = ("employee", "lead", "manager", "mentor", "hr", "admin", "outsider")
    return {p for p in personas if visible_feedback(actor_of(p)).filter(pk=feedback.pk).exists()}


def test_feedback_is_seen_by_the_person_and_their_manager_or_only_the_manager(world, actor_of):
    emp = world.emp(world.employee)
    shared = feedback_give(actor=actor_of("outsider"), recipient=emp, kind="praise",
                           text="Thanks for fixing the export overnight.")
    private = feedback_give(actor=actor_of("mentor"), recipient=emp, kind="suggestion", visibility="manager",
                            text="Could write smaller pull requests.")
    # the giver, the person, the management chain (lead, manager), HR for shared feedback
    assert who_sees(world, actor_of, shared) == {"outsider", "employee", "lead", "manager", "hr"}
    # private to the manager: the giver and the management chain only
    assert who_sees(world, actor_of, private) == {"mentor", "lead", "manager"}
    entry = AuditEntry.objects.get(entity_type="performance.feedback", entity_id=str(private.pk))
    assert "text" not in entry.changes and "smaller" not in str(entry.changes)


def test_feedback_rules(world, actor_of):
    emp = world.emp(world.employee)
    with pytest.raises(InvalidInput):
        feedback_give(actor=actor_of("employee"), recipient=emp, text="Great me")
    with pytest.raises(InvalidInput):
        feedback_give(actor=actor_of("outsider"), recipient=emp, text="   ")
    with pytest.raises(PermissionDenied):
        feedback_give(actor=actor_of("admin"), recipient=emp, text="hi")  # no employee record


def test_requests_are_answered_or_declined(world, actor_of):
    emp, mentor, outsider = (world.emp(getattr(world, p)) for p in ("employee", "mentor", "outsider"))
    req = feedback_request_create(actor=actor_of("employee"), responder=mentor, message="How was my demo?")
    with pytest.raises(Conflict):
        feedback_request_create(actor=actor_of("employee"), responder=mentor)
    # a manager asks about someone in their team; nobody else may
    about = feedback_request_create(actor=actor_of("lead"), responder=outsider, subject=emp)
    with pytest.raises(PermissionDenied):
        feedback_request_create(actor=actor_of("outsider"), responder=mentor, subject=emp)
    with pytest.raises(PermissionDenied):
        feedback_give(actor=actor_of("outsider"), recipient=emp, text="x", request=req)
    answer = feedback_give(actor=actor_of("mentor"), recipient=emp, text="Clear and short.", request=req)
    req.refresh_from_db()
    assert (req.status, answer.request_id) == ("answered", req.pk)
    with pytest.raises(Conflict):
        feedback_give(actor=actor_of("mentor"), recipient=emp, text="Again.", request=req)
    with pytest.raises(PermissionDenied):
        feedback_request_decline(actor=actor_of("employee"), request=about)
    assert feedback_request_decline(actor=actor_of("outsider"), request=about).status == "declined"


def test_feedback_pages(world, actor_of, client_for):
    emp = world.emp(world.employee)
    c = client_for("outsider")
    r = c.post("/performance/feedback/give/", {"recipient": emp.employee_number, "kind": "praise",
                                              "visibility": "shared", "text": "Nice work"})
    assert r.status_code == 302, r.context["form"].errors if r.context else r
    r = c.post("/performance/feedback/give/", {"recipient": "T-nobody", "kind": "praise", "visibility": "shared",
                                              "text": "x"})
    assert r.status_code == 200 and "recipient" in r.context["form"].errors
    page = client_for("employee").get("/performance/feedback/")
    assert [f.text for f in page.context["boxes"].received] == ["Nice work"]
    assert [f.text for f in client_for("lead").get("/performance/feedback/").context["boxes"].team] == ["Nice work"]
    r = client_for("employee").post("/performance/feedback/request/", {"responder": "T-mentor", "message": "?"})
    assert r.status_code == 302
    req = FeedbackRequest.objects.get()
    mentor = client_for("mentor")
    assert mentor.get(f"/performance/feedback/give/?request={req.pk}").context["form"].initial["recipient"] == emp
    assert client_for("outsider").get(f"/performance/feedback/give/?request={req.pk}").status_code == 404
    r = mentor.post(f"/performance/feedback/give/?request={req.pk}", {"recipient": "T-employee", "kind": "suggestion",
                                                                       "visibility": "manager", "text": "Slow down"})
    assert r.status_code == 302
    assert Feedback.objects.get(text="Slow down").request_id == req.pk


def test_api_feedback(world, api_client_for):
    emp = world.emp(world.employee)
    r = api_client_for("outsider").post("/api/v1/feedback", {"recipient_id": emp.pk, "text": "Thanks!"},
                                        content_type="application/json")
    assert r.status_code == 201, r.content
    assert r.json()["giver"]["name"] == "Outsider"
    assert [f["text"] for f in api_client_for("employee").get("/api/v1/feedback").json()["items"]] == ["Thanks!"]
    assert [f["text"] for f in api_client_for("lead").get("/api/v1/feedback?box=team").json()["items"]] == ["Thanks!"]
    assert api_client_for("mentor").get("/api/v1/feedback?box=team").json() == {"items": [], "count": 0}
    bad = api_client_for("outsider").post("/api/v1/feedback", {"recipient_id": 987654, "text": "x"},
                                          content_type="application/json")
    assert bad.status_code == 422 and bad.json()["errors"] == {"recipient_id": ["No such record."]}


# ---------------------------------------------------------------- improvement plans


def make_plan(world, actor, **kwargs) -> ImprovementPlan:
    data = {"employee": world.emp(world.employee), "title": "Delivery back on track",
            "reason": "Three months below the delivery target.", "starts_on": dt.date(2026, 4, 1),
            "ends_on": dt.date(2026, 6, 30),
            "goals": [{"title": "Close 10 tasks a month", "measure": "tasks-done"}, {"title": ""}], **kwargs}
    return improvement_plan_create(actor=actor, **data)


def test_improvement_plan_with_goals_and_check_ins(world, actor_of):
    with pytest.raises(PermissionDenied):
        make_plan(world, actor_of("employee"))
    with pytest.raises(PermissionDenied):
        make_plan(world, actor_of("mentor"))
    with pytest.raises(InvalidInput) as exc:
        make_plan(world, actor_of("lead"), ends_on=dt.date(2026, 3, 1), goals=[])
    assert set(exc.value.errors) == {"ends_on", "goals"}
    plan = make_plan(world, actor_of("lead"))
    assert plan.owner == world.emp(world.lead)
    assert list(PlanGoal.objects.filter(plan=plan).values_list("title", flat=True)) == ["Close 10 tasks a month"]
    with pytest.raises(Conflict):
        make_plan(world, actor_of("hr"))  # one active plan per person
    check_in_add(actor=actor_of("employee"), plan=plan, progress="at_risk", note="Blocked by the migration.")
    check_in_add(actor=actor_of("lead"), plan=plan, progress="on_track", note="Unblocked.")
    with pytest.raises(PermissionDenied):
        check_in_add(actor=actor_of("outsider"), plan=plan, progress="on_track", note="?")
    goal = PlanGoal.objects.get(plan=plan)
    with pytest.raises(PermissionDenied):
        improvement_plan_goal_set_status(actor=actor_of("employee"), goal=goal, status="met")
    improvement_plan_goal_set_status(actor=actor_of("manager"), goal=goal, status="met")
    improvement_plan_close(actor=actor_of("lead"), plan=plan, status="succeeded", outcome_note="All goals met.")
    plan.refresh_from_db()
    assert plan.status == "succeeded" and plan.closed_at is not None
    with pytest.raises(Conflict):
        check_in_add(actor=actor_of("lead"), plan=plan, progress="on_track", note="late")
    assert CheckIn.objects.filter(plan=plan).count() == 2


def test_plan_pages_and_api(world, actor_of, client_for, api_client_for):
    r = client_for("lead").post("/performance/plans/new/", {
        "employee": "T-employee", "title": "Focus", "reason": "Missed targets", "starts_on": "2026-04-01",
        "ends_on": "2026-06-30", "goal_1_title": "Ship the export", "goal_2_title": "", "goal_3_title": ""})
    assert r.status_code == 302, r.context["form"].errors if r.context else r
    plan = ImprovementPlan.objects.get()
    assert client_for("outsider").get(f"/performance/plans/{plan.pk}/").status_code == 404
    assert client_for("mentor").get(f"/performance/plans/{plan.pk}/").status_code == 404
    me = client_for("employee")
    assert me.get(f"/performance/plans/{plan.pk}/").status_code == 200
    r = me.post(f"/performance/plans/{plan.pk}/check-ins/", {"progress": "on_track", "note": "Going"})
    assert r.status_code == 302
    r = me.post(f"/performance/plans/{plan.pk}/check-ins/", {"progress": "nope", "note": ""})
    assert r.status_code == 200 and r.context["check_in_form"].errors
    assert me.post(f"/performance/plans/{plan.pk}/close/", {"status": "succeeded", "outcome_note": "x"}).status_code \
        == 404
    body = api_client_for("employee").get(f"/api/v1/improvement-plans/{plan.pk}").json()
    assert [g["title"] for g in body["goals"]] == ["Ship the export"]
    assert [c["note"] for c in body["check_ins"]] == ["Going"]
    r = api_client_for("hr").post(f"/api/v1/improvement-plans/{plan.pk}/close",
                                  {"status": "not_met", "outcome_note": "Moved on."}, content_type="application/json")
    assert r.status_code == 200 and r.json()["status"] == "not_met"


# ---------------------------------------------------------------- query counts


def count(client, url) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    return len(queries)


@pytest.mark.parametrize("n", [2, 20])
def test_feedback_and_plan_pages_query_counts(world, actor_of, client_for, n):
    from talentloop.core.access import actor_for
    from talentloop.testing.factories import EmployeeFactory, UserFactory

    lead = world.emp(world.lead)
    emp = world.emp(world.employee)
    for i in range(n):
        person = EmployeeFactory(user=UserFactory(username=f"fb{i}"), manager=lead, org_unit=world.platform,
                                 job_family=world.engineering)
        feedback_give(actor=actor_for(person.user), recipient=emp, text=f"thanks {i}")
        feedback_give(actor=actor_of("employee"), recipient=person, text=f"welcome {i}", visibility="manager")
        feedback_request_create(actor=actor_for(person.user), responder=emp)
        make_plan(world, actor_of("lead"), employee=person)
    # base 6 + received + given + team (the employee has no reports: none) + asked of me + my requests = 10
    assert count(client_for("employee"), "/performance/feedback/") == 6 + 4
    # the lead has reports: + the team's feedback = 10
    assert count(client_for("lead"), "/performance/feedback/") == 6 + 5
    # base 6 + the count and one page of plans with goal counts and last check-in = 8
    assert count(client_for("lead"), "/performance/plans/") == 6 + 2
    assert count(client_for("hr"), "/performance/plans/") == 6 + 2


@pytest.mark.parametrize("n", [2, 20])
def test_feedback_and_plan_endpoints_query_counts(world, actor_of, api_client_for, n):
    from talentloop.core.access import actor_for
    from talentloop.testing.factories import EmployeeFactory, UserFactory

    lead = world.emp(world.lead)
    emp = world.emp(world.employee)
    for i in range(n):
        person = EmployeeFactory(user=UserFactory(username=f"fe{i}"), manager=lead, org_unit=world.platform,
                                 job_family=world.engineering)
        feedback_give(actor=actor_for(person.user), recipient=emp, text=f"thanks {i}")
        feedback_request_create(actor=actor_for(person.user), responder=lead)
        make_plan(world, actor_of("lead"), employee=person)
    client = api_client_for("lead")
    client.get("/api/v1/me")  # first use of the token
    # base 4 (token, actor) + the count + one page with giver and recipient (or people) joined = 6
    for url in ("/api/v1/feedback?box=team", "/api/v1/feedback-requests", "/api/v1/improvement-plans"):
        assert count(client, url) == 4 + 2, url
