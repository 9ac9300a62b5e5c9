"""Background jobs of the mentoring app: thin wrappers around services."""

from huey.contrib.djhuey import db_periodic_task

from talentloop.core.schedules import local_crontab


@db_periodic_task(local_crontab(minute="10", hour="7"))
def mentoring_daily():
    """Daily: the same jobs as ``talentloop run-reminders`` as of today's local date (plan
    start/end, reminders, overdue alerts, and the jobs other modules add, such as surveys)."""
    from django.utils import timezone

    from talentloop.mentoring.services.cadence import run_daily

    return run_daily(timezone.localdate())
