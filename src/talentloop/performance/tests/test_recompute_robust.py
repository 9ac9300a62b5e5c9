"""Recomputation that one fact cannot stop, and a durable queue of what needs recomputing."""

from __future__ import annotations

import datetime as dt
import json
import time
from io import StringIO
from unittest import mock

import pytest
from django.core.management import call_command
from django.utils import timezone

from talentloop.core.access import actor_for
from talentloop.organisation.models import EmploymentEvent, EventKind
from talentloop.performance import periods as P
from talentloop.performance import tasks
from talentloop.performance.models import Aggregation, Direction, RecomputeMark, Score, ScoreError
from talentloop.performance.services import recompute
from talentloop.performance.services import scores as score_services
from talentloop.performance.services.config import metric_save, scorecard_save
from talentloop.performance.services.observations import observations_ingest
from talentloop.performance.services.recompute import recompute_marks_add, recompute_marks_drain
from talentloop.performance.services.scores import Presence, compute_person, recompute_period

pytestmark = pytest.mark.django_db

MARCH = P.parse("2026-03")


def at(day: int, month: int = 3) -> str:
    return dt.datetime(2026, month, day, 10, 0, tzinfo=dt.UTC).isoformat()


def obs(emp, metric, value, day, ext, month=3):
    return {
        "employee_id": emp.pk,
        "metric": metric,
        "value": value,
        "occurred_at": at(day, month),
        "source": "ci",
        "external_id": ext,
    }


@pytest.fixture
def card(world):
    """Engineering: "delivery" (tasks, a count, 10 a month) and "quality" (bugs, a lower-is-better sum,
    2 a month; incidents, lower is better with target 0 and a tolerance of 5 a month)."""
    hr = actor_for(world.hr)
    tasks = metric_save(actor=hr, data={"key": "tasks-done", "name": "任务", "aggregation": Aggregation.COUNT})
    bugs = metric_save(
        actor=hr, data={"key": "bugs", "name": "缺陷", "aggregation": Aggregation.SUM, "direction": Direction.LOWER}
    )
    incidents = metric_save(
        actor=hr,
        data={"key": "incidents", "name": "事故", "aggregation": Aggregation.SUM, "direction": Direction.LOWER},
    )
    scorecard_save(
        actor=hr,
        name="工程师",
        job_family=world.engineering,
        valid_from=dt.date(2026, 1, 1),
        dimensions=[
            {
                "key": "delivery",
                "name": "交付",
                "weight": 50,
                "metrics": [{"metric": tasks, "weight": 100, "target": 10}],
            },
            {
                "key": "quality",
                "name": "质量",
                "weight": 50,
                "metrics": [
                    {"metric": bugs, "weight": 50, "target": 2},
                    {"metric": incidents, "weight": 50, "target": 0, "tolerance": 5},
                ],
            },
        ],
    )
    return hr


def _on_leave_all_march(world, emp):
    EmploymentEvent.objects.create(
        employee=emp, kind=EventKind.LEAVE, effective_date=dt.date(2026, 2, 20), applied_at=timezone.now()
    )


# ---------------------------------------------------------------- item 7: no score over 0 days, missing targets


def test_a_person_on_leave_all_month_has_no_score_and_the_others_are_scored(world, card):
    """The case that stopped everybody's recomputation: a bug logged for a person on leave all
    March pro-rated the lower-is-better target 2 to 0 and the arithmetic raised."""
    hr = card
    away, here = world.emp(world.employee), world.emp(world.lead)
    _on_leave_all_march(world, away)
    observations_ingest(actor=hr, items=[obs(away, "bugs", 1, 5, "b1"), obs(here, "tasks-done", 1, 5, "t1")])
    Score.objects.filter(employee=away).delete()
    result = recompute_period(MARCH)  # everybody, as the command does
    assert result.failed == {}
    assert not Score.objects.filter(employee=away, period_key="2026-03").exists()
    assert Score.objects.filter(employee=here, period_key="2026-03").exists()
    assert not ScoreError.objects.exists()


def test_a_score_left_from_before_the_leave_was_recorded_is_removed(world, card):
    emp = world.emp(world.employee)
    observations_ingest(actor=card, items=[obs(emp, "tasks-done", 1, 5, "t1")])
    recompute_period(MARCH, [emp.pk])
    assert Score.objects.filter(employee=emp, period_key="2026-03").exists()
    _on_leave_all_march(world, emp)
    recompute_period(MARCH, [emp.pk])
    assert not Score.objects.filter(employee=emp, period_key="2026-03").exists()


def test_a_metric_whose_prorated_target_is_zero_is_missing_and_its_weight_spread(world, card):
    emp = world.emp(world.employee)
    observations_ingest(actor=card, items=[obs(emp, "bugs", 1, 5, "b1"), obs(emp, "incidents", 1, 5, "i1")])
    cards, versions = score_services._load_cards(MARCH)
    cv = versions[cards[0].pk]
    agg = score_services._aggregates(MARCH, [emp.pk], [p.metric for parts in cv.parts.values() for p in parts])
    out = compute_person(cv, MARCH, emp.pk, Presence(days=0, partial=True), agg, {})  # raised ValueError before
    dims = {d["key"]: d for d in json.loads(out["dimensions_json"])}
    bugs, incidents = dims["quality"]["metrics"]
    assert bugs["missing"] is True and bugs["target"] == "0.00" and bugs["effective_weight"] == "0.00"
    assert incidents["missing"] is True  # its tolerance comes to 0 too
    assert out["total"] is None  # no tasks either: nothing to score


def test_tolerance_scales_with_the_quarter_as_the_target_does(world, card):
    emp = world.emp(world.employee)
    items = [obs(emp, "incidents", 2, 5, f"i{m}", month=m) for m in (1, 2, 3)]  # 6 incidents in Q1
    items += [obs(emp, "bugs", 2, 6, f"b{m}", month=m) for m in (1, 2, 3)]  # 6 bugs: target 2 × 3 = 6 → 100
    observations_ingest(actor=card, items=items)
    recompute_period(P.parse("2026-Q1"), [emp.pk])
    quality = {d["key"]: d for d in Score.objects.get(employee=emp, period_key="2026-Q1").detail["dimensions"]}[
        "quality"
    ]
    # tolerance 5 a month × 3 = 15: 100 × (15 − 6) / 15 = 60 (a monthly tolerance of 5 gave 0 before)
    assert quality["metrics"][1]["score"] == "60.00"
    # quality = (100 × 50 + 60 × 50) / 100 = 80
    assert quality["score"] == "80.00"


def test_tolerance_is_prorated_for_part_of_a_month(world, card):
    emp = world.emp(world.employee)
    emp.hire_date = dt.date(2026, 3, 17)  # present 15 of 31 days
    emp.save()
    observations_ingest(actor=card, items=[obs(emp, "incidents", 1, 20, "i1")])
    recompute_period(MARCH, [emp.pk])
    quality = {d["key"]: d for d in Score.objects.get(employee=emp, period_key="2026-03").detail["dimensions"]}[
        "quality"
    ]
    # tolerance 5 × 15 / 31 = 2.41935…; 100 × (2.41935 − 1) / 2.41935 = 58.67
    assert quality["metrics"][1]["score"] == "58.67"


# ---------------------------------------------------------------- item 7: one failure does not stop the others


def _failing_for(pk: int):
    real = score_services.compute_person

    def compute(card_, period, emp, *args, **kwargs):
        if emp == pk:
            raise ArithmeticError("boom")
        return real(card_, period, emp, *args, **kwargs)

    return mock.patch.object(score_services, "compute_person", compute)


def test_one_persons_failure_is_recorded_and_the_others_are_scored(world, card):
    bad, good = world.emp(world.employee), world.emp(world.lead)
    observations_ingest(actor=card, items=[obs(bad, "tasks-done", 1, 5, "t1"), obs(good, "tasks-done", 1, 5, "t2")])
    Score.objects.all().delete()
    with _failing_for(bad.pk):
        result = recompute_period(MARCH)
    assert list(result.failed) == [bad.pk] and "boom" in result.failed[bad.pk]
    assert Score.objects.filter(employee=good, period_key="2026-03").exists()
    assert not Score.objects.filter(employee=bad, period_key="2026-03").exists()
    error = ScoreError.objects.get()
    assert (error.employee_id, error.period_key, error.attempts) == (bad.pk, "2026-03", 1)
    with _failing_for(bad.pk):
        recompute_period(MARCH, [bad.pk])
    assert ScoreError.objects.get().attempts == 2
    recompute_period(MARCH, [bad.pk])  # fixed: the error goes away
    assert not ScoreError.objects.exists()
    assert Score.objects.filter(employee=bad, period_key="2026-03").exists()


def test_the_command_reports_failures_instead_of_crashing(world, card):
    bad = world.emp(world.employee)
    observations_ingest(actor=card, items=[obs(bad, "tasks-done", 1, 5, "t1")])
    out = StringIO()
    with _failing_for(bad.pk):
        call_command("recompute-scores", "--period", "2026-03", stdout=out)
    text = out.getvalue()
    assert "could not be scored" in text and bad.employee_number in text and "boom" in text


def test_hr_sees_score_errors_on_the_periods_page(world, card, client_for):
    bad = world.emp(world.employee)
    ScoreError.objects.create(
        employee=bad, period_key="2026-03", message="ArithmeticError: boom", occurred_at=timezone.now()
    )
    page = client_for("hr").get("/performance/periods/")
    assert page.status_code == 200
    html = page.content.decode()
    assert 'data-testid="score-errors"' in html and "ArithmeticError: boom" in html and bad.employee_number in html


# ---------------------------------------------------------------- item 8: durable marks


def test_marks_are_written_with_the_facts_and_a_lost_wake_up_is_caught_by_the_sweep(
    world, card, django_capture_on_commit_callbacks
):
    """The worker is killed between the commit and the recomputation (the task never runs): the
    marks were committed with the observations, and the sweep converges."""
    emp = world.emp(world.employee)
    with (
        mock.patch("talentloop.performance.tasks.drain_recompute_marks") as lost,
        django_capture_on_commit_callbacks(execute=True),
    ):
        observations_ingest(actor=card, items=[obs(emp, "tasks-done", 1, 5, "t1")])
    assert lost.call_count == 1  # the wake-up was sent and lost
    assert not Score.objects.filter(employee=emp).exists()
    assert set(RecomputeMark.objects.values_list("employee_id", "period_key")) == {
        (emp.pk, "2026-03"),
        (emp.pk, "2026-Q1"),
        (emp.pk, "2026"),
    }
    from talentloop.performance.tasks import sweep_recompute_marks

    assert sweep_recompute_marks.call_local() == 3
    assert set(Score.objects.filter(employee=emp).values_list("period_key", flat=True)) == {
        "2026-03",
        "2026-Q1",
        "2026",
    }
    assert not RecomputeMark.objects.exists()
    assert sweep_recompute_marks.call_local() == 0  # idempotent: nothing left, nothing done


def test_the_marks_are_part_of_the_facts_transaction(world, card, django_capture_on_commit_callbacks):
    emp = world.emp(world.employee)
    with (
        mock.patch("talentloop.performance.services.observations._enqueue_recompute") as wake,
        django_capture_on_commit_callbacks(execute=True),
    ):
        observations_ingest(actor=card, items=[obs(emp, "tasks-done", 1, 5, "t1")])
    assert wake.call_count == 1
    assert RecomputeMark.objects.count() == 3
    # A rejected batch writes neither facts nor marks.
    RecomputeMark.objects.all().delete()
    with pytest.raises(Exception):  # noqa: B017,PT011
        observations_ingest(actor=card, items=[obs(emp, "tasks-done", 1, 6, "t2"), {"metric": "nope"}])
    assert not RecomputeMark.objects.exists()


def test_marking_twice_is_marking_once_and_releases_a_claim(world, card):
    emp = world.emp(world.employee)
    assert recompute_marks_add([(emp.pk, "2026-03")]) == 3
    recompute_marks_add([(emp.pk, "2026-03"), (emp.pk, "2026-02")])
    assert RecomputeMark.objects.count() == 4
    RecomputeMark.objects.update(claim="x" * 32, claimed_at=timezone.now())
    recompute_marks_add([(emp.pk, "2026-03")])  # a fact arrived while a worker held the mark
    assert RecomputeMark.objects.filter(period_key="2026-03", claim__isnull=True).count() == 1


def test_a_claim_of_a_dead_worker_is_taken_again_but_a_fresh_one_is_not(world, card):
    emp = world.emp(world.employee)
    recompute_marks_add([(emp.pk, "2026-03")])
    now = timezone.now()
    RecomputeMark.objects.update(claim="y" * 32, claimed_at=now)
    assert recompute_marks_drain(now=now).claimed == 0  # another worker is on it
    assert RecomputeMark.objects.count() == 3
    result = recompute_marks_drain(now=now + dt.timedelta(minutes=10))  # it died
    assert (result.claimed, result.recomputed) == (3, 3)
    assert not RecomputeMark.objects.exists()


def test_a_failed_recomputation_gives_its_marks_back_for_the_next_sweep(world, card):
    emp = world.emp(world.employee)
    recompute_marks_add([(emp.pk, "2026-03")])
    real = score_services.recompute_period

    def flaky(period, ids=None):
        if period.key == "2026-Q1":
            raise OSError("database went away")
        return real(period, ids)

    with mock.patch.object(score_services, "recompute_period", flaky):
        result = recompute_marks_drain()
    assert result.failed == ["2026-Q1"] and result.recomputed == 2
    assert list(RecomputeMark.objects.values_list("period_key", "claim")) == [("2026-Q1", None)]
    assert recompute_marks_drain().recomputed == 1
    assert not RecomputeMark.objects.exists()


def test_a_fact_arriving_during_the_recomputation_keeps_its_mark(world, card):
    emp = world.emp(world.employee)
    recompute_marks_add([(emp.pk, "2026-03")])
    real = score_services.recompute_period
    seen = []

    def with_late_fact(period, ids=None):
        out = real(period, ids)
        if period.key == "2026-03" and not seen:
            seen.append(1)
            recompute_marks_add([(emp.pk, "2026-03")])  # committed after this recomputation read the facts
        return out

    with mock.patch.object(score_services, "recompute_period", with_late_fact):
        first = recompute_marks_drain(rounds=1)
    # The year ("2026", first in order) was done before the fact came; the fact marked its month,
    # quarter and year again, so none of those marks is removed by this round.
    assert first.recomputed == 1
    assert set(RecomputeMark.objects.values_list("period_key", flat=True)) == {"2026", "2026-03", "2026-Q1"}
    assert recompute_marks_drain().recomputed == 3


def test_the_command_drains_pending_marks(world, card):
    emp = world.emp(world.employee)
    with mock.patch("talentloop.performance.services.observations._enqueue_recompute"):
        observations_ingest(actor=card, items=[obs(emp, "tasks-done", 1, 5, "t1")])
    out = StringIO()
    call_command("recompute-scores", "--pending", stdout=out)
    assert "3 pending recomputation(s) done" in out.getvalue() and "0 still pending" in out.getvalue()
    assert Score.objects.filter(employee=emp).count() == 3 and not RecomputeMark.objects.exists()


def test_hr_rebuild_of_a_period_is_recorded_as_marks_and_survives_a_lost_worker(
    world, card, django_capture_on_commit_callbacks
):
    """HR asks for a rebuild of March; the worker dies before it runs. The marks — one per person
    employed in March — were written with the request, and the sweep rebuilds the period."""
    from talentloop.performance.services.rebuild import scores_rebuild
    from talentloop.performance.tasks import sweep_recompute_marks

    emp = world.emp(world.employee)
    with django_capture_on_commit_callbacks(execute=True):
        observations_ingest(actor=card, items=[obs(emp, "tasks-done", 1, 5, "t1")])
    Score.objects.all().delete()
    with (
        mock.patch("talentloop.performance.tasks.drain_recompute_marks") as lost,
        django_capture_on_commit_callbacks(execute=True),
    ):
        scores_rebuild(actor=card, period_key="2026-03")
    assert lost.call_count == 1
    from talentloop.organisation.models import Employee

    employed = set(Employee.objects.filter(hire_date__lt=MARCH.end).values_list("id", flat=True))
    marked = set(RecomputeMark.objects.filter(period_key="2026-03").values_list("employee_id", flat=True))
    assert emp.pk in marked and marked == employed
    sweep_recompute_marks.call_local()
    assert Score.objects.filter(employee=emp, period_key="2026-03").exists()
    assert not RecomputeMark.objects.exists()


# ---------------------------------------------------------------- one drain at a time


def test_batches_arriving_while_a_drain_runs_are_taken_by_it_and_none_is_left(world, card):
    """Many small batches: the first queues a drain; the ones that commit while it is queued or
    running queue nothing, and the running drain takes their marks in its next round."""
    emp, other = world.emp(world.employee), world.emp(world.manager)
    recompute_marks_add([(emp.pk, "2026-03")])
    with mock.patch.object(tasks, "drain_recompute_marks_job") as job:
        tasks.drain_recompute_marks()
        tasks.drain_recompute_marks()  # a second batch while the first's drain is queued
    assert job.call_count == 1
    real_drain = recompute.recompute_marks_drain
    rounds = []

    def drain_and_meanwhile_a_batch_commits(**kwargs):
        out = real_drain(**kwargs)
        if not rounds:  # during the first round another batch commits and asks for a drain
            recompute_marks_add([(other.pk, "2026-03")])
            with mock.patch.object(tasks, "drain_recompute_marks_job") as again:
                tasks.drain_recompute_marks()
            assert again.call_count == 0  # the flag is held: this drain is relied on
        rounds.append(out.recomputed)
        return out

    with (mock.patch.object(recompute, "recompute_marks_drain", side_effect=drain_and_meanwhile_a_batch_commits),
          mock.patch.object(recompute.time, "sleep") as waited):
        total = recompute.recompute_marks_drain_queued()
    assert len(rounds) == 2 and total.recomputed == 6
    # Before the second round it waited for the rest of the first round's second, to gather batches.
    assert waited.call_count == 1 and 0 <= waited.call_args.args[0] <= recompute.DRAIN_ROUND_SECONDS
    assert not RecomputeMark.objects.exists()
    assert set(Score.objects.values_list("employee_id", flat=True)) >= {emp.pk, other.pk}
    # Done: the next batch queues a drain of its own again.
    with mock.patch.object(tasks, "drain_recompute_marks_job") as job:
        tasks.drain_recompute_marks()
    assert job.call_count == 1


def test_a_batch_committed_after_a_round_that_claimed_nothing_is_still_taken(world, card):
    """A round finds nothing to claim; a batch commits its marks right after the claim, while the flag
    is still set, so it queues no drain: this drain must take them before it stops."""
    emp = world.emp(world.employee)
    assert recompute.recompute_drain_wanted()  # this drain was queued
    real_drain = recompute.recompute_marks_drain
    rounds = []

    def nothing_then_a_batch_commits(**kwargs):
        out = real_drain(**kwargs)
        if not rounds:
            recompute_marks_add([(emp.pk, "2026-03")])
            with mock.patch.object(tasks, "drain_recompute_marks_job") as again:
                tasks.drain_recompute_marks()
            assert again.call_count == 0  # the flag is held
        rounds.append(out.claimed)
        return out

    with (mock.patch.object(recompute, "recompute_marks_drain", side_effect=nothing_then_a_batch_commits),
          mock.patch.object(recompute.time, "sleep")):
        total = recompute.recompute_marks_drain_queued()
    assert rounds[0] == 0 and total.claimed >= 1
    assert not RecomputeMark.objects.exists()
    assert Score.objects.filter(employee=emp, period_key="2026-03").exists()


def test_a_drain_stops_when_free_marks_cannot_be_claimed(world, card):
    """Free marks it cannot claim (another worker is claiming them) stop the drain after one more round
    instead of keeping it busy; the sweep and the other worker take them."""
    emp = world.emp(world.employee)
    recompute_marks_add([(emp.pk, "2026-03")])
    with (mock.patch.object(recompute, "recompute_marks_drain", return_value=recompute.DrainResult()) as drain,
          mock.patch.object(recompute.time, "sleep")):
        recompute.recompute_marks_drain_queued()
    assert drain.call_count == 2


def test_a_failing_drain_lets_the_next_batch_queue_again(world, card):
    assert recompute.recompute_drain_wanted()
    with (mock.patch.object(recompute, "recompute_marks_drain", side_effect=RuntimeError("database gone")),
          pytest.raises(RuntimeError)):
        recompute.recompute_marks_drain_queued()
    with mock.patch.object(tasks, "drain_recompute_marks_job") as job:
        tasks.drain_recompute_marks()
    assert job.call_count == 1


def test_a_drain_checks_alerts_once_for_the_people_new_observations_touched(world, card):
    emp, other, rebuilt = world.emp(world.employee), world.emp(world.manager), world.emp(world.hr)
    recompute_marks_add([(emp.pk, "2026-03"), (other.pk, "2026-03")], notify=True)
    recompute.recompute_marks_add_period(MARCH, [rebuilt.pk])  # HR's rebuild: no new facts, no check
    with mock.patch.object(recompute, "alerts_check_after_ingest") as check:
        recompute_marks_drain()
    assert [c.args[0] for c in check.call_args_list] == [sorted([emp.pk, other.pk])]
    # A failing check leaves the scores done and is left to the daily check.
    recompute_marks_add([(emp.pk, "2026-03")], notify=True)
    with mock.patch.object(recompute, "alerts_check_after_ingest", side_effect=RuntimeError("boom")):
        done = recompute_marks_drain()
    assert done.recomputed == 3 and not RecomputeMark.objects.exists()


def test_a_queued_drain_that_was_lost_holds_new_ones_back_only_briefly(world, card):
    """The flag of a drain that was queued and never ran (a flushed queue, a worker killed before it
    started) expires after DRAIN_QUEUED_SECONDS: the next batch queues a drain again. (Shortened to a
    second here, and waited for on the real clock: a cache server keeps its own.)"""
    with mock.patch.object(recompute, "DRAIN_QUEUED_SECONDS", 1):
        assert recompute.recompute_drain_wanted()  # queued, then lost
        with mock.patch.object(tasks, "drain_recompute_marks_job") as job:
            tasks.drain_recompute_marks()
        assert job.call_count == 0
        time.sleep(1.6)
        with mock.patch.object(tasks, "drain_recompute_marks_job") as job:
            tasks.drain_recompute_marks()
        assert job.call_count == 1


def test_the_metric_scores_kept_apart_are_the_scored_metrics_of_the_explanation(world, card):
    emp = world.emp(world.employee)
    observations_ingest(actor=card, items=[obs(emp, "tasks-done", 1, 5, "t1"), obs(emp, "bugs", 1, 1, "b1")])
    recompute_period(MARCH, [emp.pk])
    score = Score.objects.get(employee=emp, period_key="2026-03")
    shown = {m["key"]: m["score"] for d in score.detail["dimensions"] for m in d["metrics"] if m["score"] is not None}
    assert score.metric_scores == shown and "tasks-done" in shown
    # a missing metric is left out
    assert any(m["score"] is None for d in score.detail["dimensions"] for m in d["metrics"])
