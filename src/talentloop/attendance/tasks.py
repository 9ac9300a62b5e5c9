"""Attendance: periodic jobs of clocking (thin wrappers around services)."""

from huey.contrib.djhuey import db_periodic_task

from talentloop.attendance.services.clock import clock_positions_purge
from talentloop.core.schedules import local_crontab


@db_periodic_task(local_crontab(minute="40", hour="3"))
def clock_positions_purge_daily():
    """Daily at 03:40 local time: the raw positions older than the policy's retention are emptied."""
    return {"emptied": clock_positions_purge()}
