"""Background jobs of the organisation app: thin wrappers that call services."""

from huey.contrib.djhuey import db_periodic_task

from talentloop.core.schedules import local_crontab
from talentloop.organisation.services import employment_events_apply_due


@db_periodic_task(local_crontab(minute="5", hour="0"))
def apply_due_employment_events():
    """Daily: future-dated transfers, promotions and terminations take effect on their day."""
    return employment_events_apply_due()
