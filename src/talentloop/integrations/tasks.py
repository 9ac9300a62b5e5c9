"""Background jobs of integrations: thin wrappers around services."""

from huey.contrib.djhuey import db_periodic_task, db_task

from talentloop.core.schedules import local_crontab
from talentloop.integrations.services.connector_events import tool_events_record, tool_events_record_queued
from talentloop.integrations.services.webhooks import deliveries_send_alone


@db_task()
def webhooks_send_now():
    """Queued when an event is published or replayed: send what is due now."""
    return deliveries_send_alone().as_dict()


@db_periodic_task(local_crontab(minute="*"))
def webhooks_deliver_every_minute():
    """Every minute: retries that came due, and deliveries a dead worker left claimed."""
    return deliveries_send_alone().as_dict()


@db_task()
def connector_events_record_now():
    """Queued when a connector stores new or changed facts: record them as observations."""
    return tool_events_record_queued().as_dict()


@db_periodic_task(local_crontab(minute="*"))
def connector_events_record_every_minute():
    """Every minute: facts an interrupted run left queued."""
    return tool_events_record().as_dict()
