"""Background jobs of the learning app: thin wrappers around services."""

from django.utils import timezone
from huey.contrib.djhuey import db_periodic_task, db_task

from talentloop.core.schedules import local_crontab
from talentloop.learning import services  # services imports this module back: use services.<name>, never import names
from talentloop.notifications.groupbots import post_to_groups


@db_periodic_task(local_crontab(minute="0", hour="9"))
def send_training_reminders():
    """Daily: remind the people signed up for tomorrow's sessions (once each: dedupe "session-<id>")."""
    return services.training_reminders_send(today=timezone.localdate())


@db_task(retries=2, retry_delay=5)
def post_content_published(org_unit_ids: list[int], data: dict):
    """Team-level news to the group bots of the units a new item is for (HTTP: outside any transaction)."""
    return sum(post_to_groups(org_unit_id=unit_id, kind="content_published", data=data) for unit_id in org_unit_ids)
