"""Background jobs of the mentoring app: thin wrappers around services.

The daily jobs run as of the organisation's local date, each as its own periodic task (the plans
move on first, so the surveys that follow see this morning's active plans). ``talentloop
run-reminders --date`` runs the same jobs in the same order for any date.
"""

from django.utils import timezone
from huey.contrib.djhuey import db_periodic_task

from talentloop.core.schedules import local_crontab
from talentloop.mentoring.services import cadence, surveys


@db_periodic_task(local_crontab(minute="5", hour="7"))
def mentoring_advance_plans():
    """Approved plans start on their start date; active plans complete after their end date."""
    return cadence.advance_plans(timezone.localdate())


@db_periodic_task(local_crontab(minute="10", hour="7"))
def mentoring_send_reminders():
    """Remind mentor and mentee of the items due soon."""
    return cadence.send_reminders(timezone.localdate())


@db_periodic_task(local_crontab(minute="10", hour="7"))
def mentoring_escalate_overdue():
    """Tell the mentor's manager about overdue items."""
    return cadence.escalate_overdue(timezone.localdate())


@db_periodic_task(local_crontab(minute="15", hour="7"))
def mentoring_send_due_surveys():
    """Send the mentee surveys that are due."""
    return surveys.send_due_surveys(timezone.localdate())
