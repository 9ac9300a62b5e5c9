"""Attendance: pulling punches from WeCom, DingTalk and Feishu (thin jobs around the services)."""

from huey.contrib.djhuey import db_periodic_task, db_task

from talentloop.attendance.services.vendors import vendor_pull_all, vendor_pull_by_id
from talentloop.core.schedules import local_crontab


@db_periodic_task(local_crontab(minute="*/30"))
def vendor_pull_periodic():
    """Every 30 minutes: each enabled vendor from where its last pull stopped."""
    return vendor_pull_all()


@db_task()
def vendor_pull_now(vendor_id: int):
    """HR's "pull now", after the request committed."""
    return vendor_pull_by_id(vendor_id)
