"""The performance app's events reach the inbox through the notifications app's one service."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from talentloop.notifications.models import Notification
from talentloop.performance.tests.test_recompute import setup  # noqa: F401  (fixture)

pytestmark = pytest.mark.django_db


def inbox(employee) -> list[tuple[str, str]]:
    return list(Notification.objects.filter(recipient=employee).order_by("id").values_list("kind", "text"))


def test_a_new_alert_tells_the_manager(world, actor_of, client_for, django_capture_on_commit_callbacks):
    """Lead's response time went from 1 h in February to 3 h in March; the manager is told (urgent)."""
    from talentloop.performance.models import Aggregation, Direction, Observation
    from talentloop.performance.services.alerts import alert_rule_save, alerts_evaluate
    from talentloop.performance.services.config import metric_save

    hr = actor_of("hr")
    metric = metric_save(actor=hr, data={"key": "response-time", "name": "平均响应时间", "name_en": "Response time",
                                         "unit": "h", "direction": Direction.LOWER, "aggregation": Aggregation.AVG})
    alert_rule_save(actor=hr, data={"name": "响应变慢", "name_en": "Slower responses", "metric": metric,
                                    "threshold_kind": "relative", "threshold": Decimal(50)})
    lead = world.emp(world.lead)
    for i, (value, on) in enumerate([(1, "2026-02-10"), (2, "2026-03-05"), (4, "2026-03-25")]):
        day = dt.date.fromisoformat(on)
        Observation.objects.create(metric=metric, employee=lead, value=Decimal(value), occurred_on=day,
                                   occurred_at=dt.datetime.combine(day, dt.time(2), tzinfo=dt.UTC), source="crm",
                                   external_id=f"r{i}")
    with django_capture_on_commit_callbacks(execute=True):
        assert alerts_evaluate(actor=None, as_of=dt.date(2026, 4, 2)).opened == 1
    [(kind, text)] = inbox(world.emp(world.manager))
    assert kind == "alert_opened"
    assert text == "Lead: Response time went from 1.00 h to 3.00 h in 2026-03 (200.00% worse)."
    note = Notification.objects.get(recipient=world.emp(world.manager))
    assert note.link.startswith("/performance/alerts/") and note.dedupe_key.startswith("alert:")
    # The urgent kind is e-mailed by default.
    assert note.deliveries.get().channel == "email"
    # The alerts page lists it as a notice, unread, and marks it read.
    client = client_for("manager")
    page = client.get("/performance/alerts/").content.decode()
    assert "Decline alert" in page and "200.00% worse" in page
    assert client.post("/performance/notices/read/").status_code == 302
    note.refresh_from_db()
    assert note.read_at is not None


def test_shared_feedback_tells_the_person_private_feedback_does_not(world, actor_of,
                                                                    django_capture_on_commit_callbacks):
    from talentloop.performance.services.feedback import feedback_give, feedback_request_create

    emp = world.emp(world.employee)
    with django_capture_on_commit_callbacks(execute=True):
        feedback_give(actor=actor_of("lead"), recipient=emp, kind="praise", text="Great release.")
        feedback_give(actor=actor_of("mentor"), recipient=emp, kind="suggestion", visibility="manager",
                      text="Smaller pull requests.")
    assert inbox(emp) == [("feedback_received", "Lead gave you praise.")]
    with django_capture_on_commit_callbacks(execute=True):
        feedback_request_create(actor=actor_of("employee"), responder=world.emp(world.mentor))
    assert inbox(world.emp(world.mentor)) == [("feedback_requested", "Employee asks for your feedback.")]


def test_a_rolled_back_feedback_tells_nobody(world, actor_of, django_capture_on_commit_callbacks):
    from django.db import transaction

    from talentloop.performance.services.feedback import feedback_give

    with django_capture_on_commit_callbacks(execute=True):
        try:
            with transaction.atomic():
                feedback_give(actor=actor_of("lead"), recipient=world.emp(world.employee), text="Great.")
                raise RuntimeError("rolled back")
        except RuntimeError:
            pass
    assert not Notification.objects.exists()


def test_opening_a_review_cycle_tells_every_participant(world, actor_of, django_capture_on_commit_callbacks):
    from talentloop.performance.services.reviews import review_cycle_create, review_cycle_open

    hr = actor_of("hr")
    cycle = review_cycle_create(actor=hr, name="2026 Q1", period_key="2026-Q1", self_due=dt.date(2026, 4, 10),
                                peer_due=dt.date(2026, 4, 12), manager_due=dt.date(2026, 4, 20))
    with django_capture_on_commit_callbacks(execute=True):
        review_cycle_open(actor=hr, cycle=cycle)
    rows = Notification.objects.filter(kind="review_cycle_open")
    # Six people in scope (each writes a self review; the managers among them also review their reports).
    assert rows.count() == 6
    assert set(rows.values_list("text", flat=True)) == {
        "The review cycle “2026 Q1” is open; self reviews are due on 2026-04-10."}


def test_new_observations_that_change_a_total_notify_once_per_total(world, setup,  # noqa: F811
                                                                     django_capture_on_commit_callbacks):
    from talentloop.performance.models import Score
    from talentloop.performance.services.observations import observations_ingest

    hr, _m, _v = setup
    emp = world.emp(world.employee)

    def ingest(items):
        with django_capture_on_commit_callbacks(execute=True):
            observations_ingest(actor=hr, items=items)

    def at(day):
        return dt.datetime(2026, 3, day, 10, tzinfo=dt.UTC).isoformat()

    ingest([{"employee_id": emp.pk, "metric": "tasks-done", "value": 1, "occurred_at": at(d), "source": "git",
             "external_id": f"t{d}"} for d in range(1, 4)])
    total = Score.objects.get(employee=emp, period_key="2026-03").total
    notes = list(Notification.objects.filter(recipient=emp, kind="score_updated").values_list("text", "dedupe_key"))
    # Only the month is told (the quarter and year are recomputed quietly).
    assert notes == [(f"Your score for 2026-03 is now {total:.2f}.", f"2026-03:{total:.2f}")]
    # The same batch again: duplicates, nothing recomputed, nothing said.
    ingest([{"employee_id": emp.pk, "metric": "tasks-done", "value": 1, "occurred_at": at(1), "source": "git",
             "external_id": "t1"}])
    assert Notification.objects.filter(kind="score_updated").count() == 1
    # One more task changes the total: told again.
    ingest([{"employee_id": emp.pk, "metric": "tasks-done", "value": 1, "occurred_at": at(9), "source": "git",
             "external_id": "t9"}])
    assert Notification.objects.filter(kind="score_updated").count() == 2
    # A bulk rebuild of the month tells nobody.
    from talentloop.performance import periods as P
    from talentloop.performance.services.scores import recompute_period

    Score.objects.filter(employee=emp).update(total=Decimal("1.00"))
    recompute_period(P.parse("2026-03"))
    assert Notification.objects.filter(kind="score_updated").count() == 2
