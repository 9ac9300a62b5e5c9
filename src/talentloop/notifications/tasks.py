"""Background jobs of the notifications app: thin wrappers around services."""

from huey.contrib.djhuey import db_periodic_task, db_task

from talentloop.core.schedules import local_crontab
from talentloop.notifications.services import deliver_due


@db_task()
def deliver_notifications():
    """Send what is due now (enqueued after a notification is committed)."""
    return deliver_due()


@db_periodic_task(local_crontab(minute="*"))
def deliver_notifications_every_minute():
    """Every minute: deliveries released at the end of quiet hours, and retries."""
    return deliver_due()
