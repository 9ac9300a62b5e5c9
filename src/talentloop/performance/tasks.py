"""Background jobs of the performance app: thin wrappers around services."""

from django.utils import timezone
from huey.contrib.djhuey import db_periodic_task, db_task

from talentloop.core.schedules import local_crontab
from talentloop.performance import periods as P
from talentloop.performance.services.alerts import alerts_check_after_ingest, checks_run_day
from talentloop.performance.services.imports import observation_import_job_run
from talentloop.performance.services.recompute import (
    recompute_drain_wanted,
    recompute_marks_drain,
    recompute_marks_drain_queued,
)
from talentloop.performance.services.reviews import review_reminders_record
from talentloop.performance.services.score_notices import scores_recompute_notifying
from talentloop.performance.services.scores import recompute_period


@db_task(retries=2, retry_delay=2)
def recompute_scores(period_key: str, employee_ids: list[int] | None = None, notify_changes: bool = False):
    """Recompute only the affected people of one period (enqueued after observations commit);
    ``notify_changes`` (new observations) tells the people whose monthly total changed."""
    if notify_changes and employee_ids:
        return scores_recompute_notifying(period_key, employee_ids).scored
    return recompute_period(P.parse(period_key), employee_ids).scored


@db_task(retries=2, retry_delay=2)
def drain_recompute_marks_job():
    """Recompute the scores new facts marked stale, round after round while new marks arrive."""
    return recompute_marks_drain_queued().recomputed


def drain_recompute_marks() -> None:
    """After facts commit: queue a drain unless one is already queued or running (which takes the new
    marks too; services.recompute explains why none is left waiting)."""
    if recompute_drain_wanted():
        drain_recompute_marks_job()


@db_periodic_task(local_crontab(minute="30", hour="7"))
def record_review_reminders():
    """Daily: a "due soon" and an "overdue" reminder for each pending review, each recorded once."""
    return review_reminders_record(today=timezone.localdate())


# ---------------------------------------------------------------- decline alerts and root causes


@db_task(retries=2, retry_delay=2)
def evaluate_alerts_for(employee_ids: list[int]):
    """The alert check for the people of one batch of observations. New batches no longer queue it (the
    recompute drain checks them); it stays registered so that jobs queued before an upgrade still run
    rather than fail as unknown."""
    return alerts_check_after_ingest(employee_ids).opened


@db_periodic_task(local_crontab(minute="20", hour="0"))
def evaluate_alerts_daily():
    """Daily: check the alert rules and the root-cause rule as of today's local date (only complete
    days and periods count, so the hour does not matter). Operators replay a day with
    ``talentloop evaluate-alerts --date YYYY-MM-DD``."""
    return checks_run_day(actor=None, as_of=timezone.localdate())


# ---------------------------------------------------------------- the recompute sweep


@db_periodic_task(local_crontab(minute="*"))
def sweep_recompute_marks():
    """Every minute: drain what a crashed worker or a lost wake-up left (marks stay until done)."""
    return recompute_marks_drain().recomputed


@db_task()
def run_observation_import(job_id: int):
    """A big observation file checked or imported in the background (the upload page polls it)."""
    return observation_import_job_run(job_id)
