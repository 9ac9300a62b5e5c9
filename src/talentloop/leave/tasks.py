"""Background jobs of leave: thin wrappers around services."""

from django.utils import timezone
from huey.contrib.djhuey import db_periodic_task

from talentloop.core.schedules import local_crontab
from talentloop.leave.services.accrual import leave_accrue


@db_periodic_task(local_crontab(minute="30", hour="0"))
def leave_accrual_daily():
    """Daily at 00:30 in the organisation's time zone: the accrual and expiry job as of today."""
    return leave_accrue(as_of=timezone.localdate()).as_dict()
