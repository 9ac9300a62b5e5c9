"""Background jobs of the organisation app: thin wrappers that call services."""

from huey.contrib.djhuey import db_periodic_task

from talentloop.core.schedules import local_crontab
from talentloop.organisation.services import employment_events_apply_due, terminated_accounts_deactivate


@db_periodic_task(local_crontab(minute="5", hour="0"))
def apply_due_employment_events():
    """Daily, just after local midnight: future-dated transfers, promotions and terminations take
    effect on their day, and the accounts of people whose last day has ended are deactivated (each
    part runs even when the other fails)."""
    try:
        applied = employment_events_apply_due()
    finally:
        terminated_accounts_deactivate()
    return applied
