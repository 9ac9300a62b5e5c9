"""Background jobs of the notifications app: thin wrappers around services."""

from huey.contrib.djhuey import db_periodic_task, db_task

from talentloop.core.schedules import local_crontab


@db_task()
def deliver_notifications():
    """Send what is due now (enqueued after a notification is committed)."""
    from talentloop.notifications.services import deliver_due

    return deliver_due()


@db_periodic_task(local_crontab(minute="*"))
def deliver_notifications_every_minute():
    """Every minute: deliveries released at the end of quiet hours, retries, and the mentoring
    notices no delivery hook has handed over yet."""
    from talentloop.notifications.bridges import bridge_mentoring_notices
    from talentloop.notifications.services import deliver_due

    bridged = bridge_mentoring_notices()
    return {"bridged": bridged, **deliver_due()}
