"""Background jobs of onboarding: thin wrappers around services."""

from django.utils import timezone
from huey.contrib.djhuey import db_periodic_task

from talentloop.core.schedules import local_crontab
from talentloop.onboarding.services import send_step_reminders, start_due_checklists


@db_periodic_task(local_crontab(minute="20", hour="7"))
def onboarding_daily():
    """Daily: checklists for recent hires who have none, then reminders and overdue alerts."""
    today = timezone.localdate()
    return {"started": start_due_checklists(today), **send_step_reminders(today)}
