"""Access matrix rows: feedback, review cycles, reviews, calibration, final ratings, appeals and
improvement plans. Statuses are written by hand from the rules of issue 3:

- feedback is given to and asked of any current colleague; the technical admin has no employee
  record and takes no part;
- HR runs review cycles; a manager sees the cycles that review someone in their tree; a reviewer
  reads only their own form; submitted reviews are read by the reviewee's management chain and HR,
  never by the reviewee (peer reviews) or another peer;
- the person's management chain and HR decide final ratings and potentials and answer appeals;
  only the person acknowledges and appeals;
- improvement plans: the person, their management chain and HR see them; the person adds
  check-ins; the management chain and HR change goals and close the plan.

Columns: anonymous, employee, manager, mentor, hr, admin, outsider. ``employee`` reports to
``lead`` (not a column) who reports to ``manager``; ``mentor`` reports to ``manager`` too.
Web: 404 for what a persona may not see or use. API: 404 for a path record out of scope, 403 for a
visible record that may not be changed, 422 for a body reference the persona may not use.
"""

from __future__ import annotations

from talentloop.testing.matrix import Row

P = "/performance"
DUES = {"self_due": "2026-05-10", "peer_due": "2026-05-12", "manager_due": "2026-05-20"}

#                                                                          anon  empl  mgr  mentor  hr  admin  outs
WEB = [
    # Feedback: every employee; the admin has no employee record.
    Row("performance/feedback/", "GET", f"{P}/feedback/",                 (302, 200, 200, 200, 200, 404, 200)),
    Row("performance/feedback/give/", "GET", f"{P}/feedback/give/",       (302, 200, 200, 200, 200, 404, 200)),
    # Feedback to the mentor: refused for the mentor themselves (a form error, 200).
    Row("performance/feedback/give/", "POST", f"{P}/feedback/give/",      (302, 302, 302, 200, 302, 404, 302),
        body={"recipient": "T-mentor", "kind": "praise", "visibility": "shared", "text": "Thanks"}),
    Row("performance/feedback/request/", "GET", f"{P}/feedback/request/", (302, 200, 200, 200, 200, 404, 200)),
    Row("performance/feedback/request/", "POST", f"{P}/feedback/request/", (302, 302, 302, 302, 302, 404, 200),
        body={"responder": "T-outsider", "message": "How did it go?"}),
    # The employee's request to the mentor: only the mentor declines it (the employee sees it: 404 too).
    Row("performance/feedback/requests/<int:pk>/decline/", "POST", f"{P}/feedback/requests/{{rv_request}}/decline/",
        (302, 404, 404, 302, 404, 404, 404), body={}),
    # Review cycles: HR, and managers for the cycles that review their people.
    Row("performance/review-cycles/", "GET", f"{P}/review-cycles/",       (302, 404, 200, 404, 200, 404, 404)),
    Row("performance/review-cycles/new/", "GET", f"{P}/review-cycles/new/", (302, 404, 404, 404, 200, 404, 404)),
    Row("performance/review-cycles/new/", "POST", f"{P}/review-cycles/new/", (302, 404, 404, 404, 302, 404, 404),
        body={"name": "2026 Q2", "period_key": "2026-Q2", "org_unit": "", **DUES}),
    Row("performance/review-cycles/<int:pk>/", "GET", f"{P}/review-cycles/{{rv_cycle}}/",
        (302, 404, 200, 404, 200, 404, 404)),
    Row("performance/review-cycles/<int:pk>/status/", "POST", f"{P}/review-cycles/{{rv_cycle}}/status/",
        (302, 404, 404, 404, 302, 404, 404), body={"status": "calibration"}),
    # Peers of the employee: the employee and their management chain (and HR) pick them.
    Row("performance/review-cycles/<int:pk>/peers/<int:employee>/", "GET",
        f"{P}/review-cycles/{{rv_cycle}}/peers/{{employee}}/",         (302, 200, 200, 404, 200, 404, 404)),
    Row("performance/review-cycles/<int:pk>/peers/<int:employee>/", "POST",
        f"{P}/review-cycles/{{rv_cycle}}/peers/{{employee}}/",         (302, 302, 302, 404, 302, 404, 404),
        body={"peer": "T-lead"}),
    Row("performance/review-cycles/<int:pk>/calibration/", "GET", f"{P}/review-cycles/{{rv_cycle}}/calibration/",
        (302, 404, 200, 404, 200, 404, 404)),
    Row("performance/review-cycles/<int:pk>/calibration/<int:employee>/", "POST",
        f"{P}/review-cycles/{{rv_cycle}}/calibration/{{employee}}/",   (302, 404, 302, 404, 302, 404, 404),
        body={"rating": "3.5", "potential": "medium", "note": "calibrated"}),
    # The reviews a person writes.
    Row("performance/reviews/", "GET", f"{P}/reviews/",                   (302, 200, 200, 200, 200, 404, 200)),
    # The employee's pending self review: the employee alone.
    Row("performance/reviews/<int:pk>/", "GET", f"{P}/reviews/{{rv_self_review}}/",
        (302, 200, 404, 404, 404, 404, 404), label="pending self review"),
    Row("performance/reviews/<int:pk>/", "POST", f"{P}/reviews/{{rv_self_review}}/",
        (302, 302, 404, 404, 404, 404, 404), body={"rating": "4", "action": "save"}, label="pending self review"),
    # The mentor's submitted peer review of the employee: the mentor, the chain and HR; not the employee.
    Row("performance/reviews/<int:pk>/", "GET", f"{P}/reviews/{{rv_peer_review}}/",
        (302, 404, 200, 200, 200, 404, 404), label="submitted peer review"),
    # Final ratings: one's own; only the person acknowledges and appeals.
    Row("performance/ratings/", "GET", f"{P}/ratings/",                   (302, 200, 200, 200, 200, 404, 200)),
    Row("performance/ratings/<int:pk>/acknowledge/", "POST", f"{P}/ratings/{{rv_final}}/acknowledge/",
        (302, 302, 404, 404, 404, 404, 404), body={}),
    Row("performance/ratings/<str:period>/appeal/", "GET", f"{P}/ratings/2025-Q4/appeal/",
        (302, 200, 404, 404, 404, 404, 404)),
    Row("performance/ratings/<str:period>/appeal/", "POST", f"{P}/ratings/2025-Q3/appeal/",
        (302, 302, 404, 404, 404, 404, 404), body={"reason": "The outage was not mine."}),
    Row("performance/appeals/", "GET", f"{P}/appeals/",                   (302, 200, 200, 200, 200, 404, 200)),
    Row("performance/appeals/<int:pk>/", "GET", f"{P}/appeals/{{rv_appeal}}/",
        (302, 200, 200, 404, 200, 404, 404)),
    Row("performance/appeals/<int:pk>/", "POST", f"{P}/appeals/{{rv_appeal}}/",
        (302, 404, 302, 404, 302, 404, 404), body={"outcome": "kept", "answer": "Checked: it stands."}),
    # Improvement plans (the employee has one).
    Row("performance/plans/", "GET", f"{P}/plans/",                       (302, 200, 200, 200, 200, 404, 200)),
    Row("performance/plans/new/", "GET", f"{P}/plans/new/",               (302, 404, 200, 404, 200, 404, 404)),
    Row("performance/plans/new/", "POST", f"{P}/plans/new/",              (302, 404, 302, 404, 302, 404, 404),
        body={"employee": "T-mentor", "title": "Focus", "reason": "Targets missed", "starts_on": "2026-05-01",
              "ends_on": "2026-07-31", "goal_1_title": "Ship it"}),
    Row("performance/plans/<int:pk>/", "GET", f"{P}/plans/{{rv_plan}}/",  (302, 200, 200, 404, 200, 404, 404)),
    Row("performance/plans/<int:pk>/check-ins/", "POST", f"{P}/plans/{{rv_plan}}/check-ins/",
        (302, 302, 302, 404, 302, 404, 404), body={"progress": "on_track", "note": "Going well"}),
    Row("performance/plans/<int:pk>/goals/", "POST", f"{P}/plans/{{rv_plan}}/goals/",
        (302, 404, 302, 404, 302, 404, 404), body={"title": "Pair with a senior"}),
    Row("performance/plans/<int:pk>/goals/<int:goal>/", "POST", f"{P}/plans/{{rv_plan}}/goals/{{rv_goal}}/",
        (302, 404, 302, 404, 302, 404, 404), body={"status": "met"}),
    Row("performance/plans/<int:pk>/close/", "POST", f"{P}/plans/{{rv_plan}}/close/",
        (302, 404, 302, 404, 302, 404, 404), body={"status": "succeeded", "outcome_note": "Done"}),
]

A = "/api/v1"
#                                                                          anon  empl  mgr  mentor  hr  admin  outs
API = [
    Row(f"{A}/review-cycles", "GET", f"{A}/review-cycles",                (401, 200, 200, 200, 200, 200, 200)),
    Row(f"{A}/review-cycles", "POST", f"{A}/review-cycles",               (401, 403, 403, 403, 201, 403, 403),
        body={"name": "2026 Q2", "period": "2026-Q2", **DUES}),
    Row(f"{A}/review-cycles/{{cycle_id}}", "GET", f"{A}/review-cycles/{{rv_cycle}}",
        (401, 404, 200, 404, 200, 404, 404)),
    Row(f"{A}/review-cycles/{{cycle_id}}/status", "POST", f"{A}/review-cycles/{{rv_cycle}}/status",
        (401, 404, 403, 404, 200, 404, 404), body={"status": "calibration"}),
    # Lead as a peer of the employee: the mentor and the outsider are reviewed in the cycle (they see
    # it) but may not name the employee (422); the admin sees no cycle.
    Row(f"{A}/review-cycles/{{cycle_id}}/peers", "POST", f"{A}/review-cycles/{{rv_cycle}}/peers",
        (401, 200, 200, 422, 200, 404, 422), body={"reviewee_id": "{employee}", "peer_id": "{rv_lead}"}),
    Row(f"{A}/review-cycles/{{cycle_id}}/calibration", "GET", f"{A}/review-cycles/{{rv_cycle}}/calibration",
        (401, 404, 200, 404, 200, 404, 404)),
    Row(f"{A}/reviews", "GET", f"{A}/reviews",                            (401, 200, 200, 200, 200, 200, 200)),
    Row(f"{A}/reviews/{{review_id}}", "GET", f"{A}/reviews/{{rv_peer_review}}",
        (401, 404, 200, 200, 200, 404, 404), label="submitted peer review"),
    # Taking back the outsider, a pending peer of the employee: the employee and whoever manages them;
    # the outsider writes that review but does not pick peers.
    Row(f"{A}/reviews/{{review_id}}", "DELETE", f"{A}/reviews/{{rv_pending_peer}}",
        (401, 204, 204, 404, 204, 404, 404)),
    Row(f"{A}/reviews/{{review_id}}", "PATCH", f"{A}/reviews/{{rv_self_review}}",
        (401, 200, 404, 404, 404, 404, 404), body={"rating": "4"}),
    Row(f"{A}/reviews/{{review_id}}/submit", "POST", f"{A}/reviews/{{rv_self_review}}/submit",
        (401, 200, 404, 404, 404, 404, 404), body={"rating": "4"}),
    Row(f"{A}/final-ratings", "GET", f"{A}/final-ratings",                (401, 200, 200, 200, 200, 200, 200)),
    Row(f"{A}/final-ratings", "POST", f"{A}/final-ratings",               (401, 403, 200, 422, 200, 403, 422),
        body={"employee_id": "{employee}", "period": "2025-Q4", "rating": "3.5"}),
    Row(f"{A}/final-ratings/{{rating_id}}", "GET", f"{A}/final-ratings/{{rv_final}}",
        (401, 200, 200, 404, 200, 404, 404)),
    Row(f"{A}/final-ratings/{{rating_id}}/acknowledge", "POST", f"{A}/final-ratings/{{rv_final}}/acknowledge",
        (401, 200, 403, 404, 403, 404, 404)),
    Row(f"{A}/potentials", "POST", f"{A}/potentials",                     (401, 403, 200, 422, 200, 403, 422),
        body={"employee_id": "{employee}", "period": "2025-Q4", "level": "high"}),
    Row(f"{A}/appeals", "GET", f"{A}/appeals",                            (401, 200, 200, 200, 200, 200, 200)),
    # 2025-Q3: only the employee has a rating to appeal; the admin has no employee record.
    Row(f"{A}/appeals", "POST", f"{A}/appeals",                           (401, 201, 422, 422, 422, 403, 422),
        body={"period": "2025-Q3", "reason": "The outage was not mine."}),
    Row(f"{A}/appeals/{{appeal_id}}", "GET", f"{A}/appeals/{{rv_appeal}}", (401, 200, 200, 404, 200, 404, 404)),
    Row(f"{A}/appeals/{{appeal_id}}/answer", "POST", f"{A}/appeals/{{rv_appeal}}/answer",
        (401, 403, 200, 404, 200, 404, 404), body={"outcome": "kept", "answer": "Checked: it stands."}),
    Row(f"{A}/feedback", "GET", f"{A}/feedback",                          (401, 200, 200, 200, 200, 200, 200)),
    Row(f"{A}/feedback", "POST", f"{A}/feedback",                         (401, 201, 201, 422, 201, 422, 201),
        body={"recipient_id": "{rv_mentor}", "text": "Thanks for the review."}),
    Row(f"{A}/feedback-requests", "GET", f"{A}/feedback-requests",        (401, 200, 200, 200, 200, 200, 200)),
    Row(f"{A}/feedback-requests", "POST", f"{A}/feedback-requests",       (401, 201, 201, 201, 201, 422, 422),
        body={"responder_id": "{outsider}", "message": "How did it go?"}),
    Row(f"{A}/feedback-requests/{{request_id}}/decline", "POST", f"{A}/feedback-requests/{{rv_request}}/decline",
        (401, 403, 404, 200, 404, 404, 404)),
    Row(f"{A}/improvement-plans", "GET", f"{A}/improvement-plans",        (401, 200, 200, 200, 200, 200, 200)),
    Row(f"{A}/improvement-plans", "POST", f"{A}/improvement-plans",       (401, 422, 201, 403, 201, 403, 422),
        body={"employee_id": "{rv_mentor}", "title": "Focus", "reason": "Targets missed", "starts_on": "2026-05-01",
              "ends_on": "2026-07-31", "goals": [{"title": "Ship it"}]}),
    Row(f"{A}/improvement-plans/{{plan_id}}", "GET", f"{A}/improvement-plans/{{rv_plan}}",
        (401, 200, 200, 404, 200, 404, 404)),
    Row(f"{A}/improvement-plans/{{plan_id}}/check-ins", "POST", f"{A}/improvement-plans/{{rv_plan}}/check-ins",
        (401, 201, 201, 404, 201, 404, 404), body={"progress": "on_track", "note": "Going well"}),
    Row(f"{A}/improvement-plans/{{plan_id}}/goals", "POST", f"{A}/improvement-plans/{{rv_plan}}/goals",
        (401, 403, 201, 404, 201, 404, 404), body={"title": "Pair with a senior"}),
    Row(f"{A}/improvement-plans/{{plan_id}}/goals/{{goal_id}}", "POST",
        f"{A}/improvement-plans/{{rv_plan}}/goals/{{rv_goal}}",        (401, 403, 200, 404, 200, 404, 404),
        body={"status": "met"}),
    Row(f"{A}/improvement-plans/{{plan_id}}/close", "POST", f"{A}/improvement-plans/{{rv_plan}}/close",
        (401, 403, 200, 404, 200, 404, 404), body={"status": "succeeded", "outcome_note": "Done"}),
]


def keys(world) -> dict:
    """An open organisation-wide cycle for 2025 Q4 with the mentor's submitted peer review of the
    employee and the outsider's pending one; final ratings of the employee for 2025 Q4 (appealed)
    and Q3; the employee's request for feedback from the mentor; an improvement plan for the
    employee with one goal."""
    import datetime as dt

    from talentloop.core.access import actor_for
    from talentloop.performance.models import PlanGoal, Review
    from talentloop.performance.selectors_reviews import rated_dimensions
    from talentloop.performance.services.decisions import appeal_create, final_rating_set
    from talentloop.performance.services.feedback import feedback_request_create, improvement_plan_create
    from talentloop.performance.services.reviews import (
        review_cycle_create,
        review_cycle_open,
        review_peers_add,
        review_save,
    )

    hr, me, mentor = actor_for(world.hr), actor_for(world.employee), actor_for(world.mentor)
    emp = world.emp(world.employee)
    cycle = review_cycle_create(actor=hr, name="Matrix 2025 Q4", period_key="2025-Q4",
                                self_due=dt.date(2026, 1, 10), peer_due=dt.date(2026, 1, 12),
                                manager_due=dt.date(2026, 1, 20))
    cycle = review_cycle_open(actor=hr, cycle=cycle)
    review_peers_add(actor=me, cycle=cycle, reviewee=emp, peers=[mentor.employee, world.emp(world.outsider)])
    peer = Review.objects.get(cycle=cycle, reviewee=emp, kind="peer", reviewer=mentor.employee)
    dims = {key: "4" for key, _name in rated_dimensions(emp, "2025-Q4", "peer")}
    review_save(actor=mentor, review=peer, rating="4", dimension_ratings=dims, submit=True)
    final = final_rating_set(actor=hr, employee=emp, period_key="2025-Q4", rating="3.0", cycle=cycle)
    final_rating_set(actor=hr, employee=emp, period_key="2025-Q3", rating="3.2")
    appeal = appeal_create(actor=me, employee=emp, period_key="2025-Q4", reason="Matrix appeal")
    request = feedback_request_create(actor=me, responder=mentor.employee)
    plan = improvement_plan_create(actor=hr, employee=emp, title="Matrix plan", reason="Matrix",
                                   starts_on=dt.date(2026, 1, 1), ends_on=dt.date(2026, 3, 31),
                                   goals=[{"title": "Goal"}])
    return {
        "rv_cycle": cycle.pk, "rv_peer_review": peer.pk,
        "rv_self_review": Review.objects.get(cycle=cycle, reviewee=emp, kind="self").pk,
        "rv_final": final.pk, "rv_appeal": appeal.pk, "rv_request": request.pk, "rv_plan": plan.pk,
        "rv_goal": PlanGoal.objects.get(plan=plan).pk, "rv_mentor": mentor.employee.pk,
        "rv_lead": world.emp(world.lead).pk,
        "rv_pending_peer": Review.objects.get(cycle=cycle, reviewee=emp, kind="peer", reviewer__user=world.outsider).pk,
    }
