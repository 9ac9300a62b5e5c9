"""Background jobs of integrations: thin wrappers around services."""

from huey.contrib.djhuey import db_periodic_task, db_task

from talentloop.core.schedules import local_crontab
from talentloop.integrations.services.connector_events import tool_events_record, tool_events_record_queued
from talentloop.integrations.services.sync import connectors_sync_due, sync_run_execute
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


@db_task()
def connector_backfill_run(run_id: int):
    """Queued when HR asks for a backfill: read the tool and store its facts."""
    run = sync_run_execute(run_id=run_id)
    return {"run": run_id, "status": run.status if run is not None else "gone"}


@db_periodic_task(local_crontab(minute="*"))
def connectors_pull_due():
    """Every minute: the scheduled pulls whose interval has passed."""
    return [{"connector": r.connector_id, "status": r.status, "fetched": r.fetched} for r in connectors_sync_due()]
