"""The nightly rebuild of the monthly attendance summaries: a thin wrapper around the service."""

import datetime as dt

from django.utils import timezone
from huey.contrib.djhuey import db_periodic_task

from talentloop.attendance.selectors.summaries import is_locked
from talentloop.attendance.services.summaries import summaries_build
from talentloop.core.schedules import local_crontab


def rebuild_open_months(today: dt.date) -> dict[str, int]:
    """The previous month until HR locks it, then the current month (judged up to yesterday). On the
    first of a month the current month has no judged day yet and is built all the same (its scheduled
    days)."""
    current = today.replace(day=1)
    previous = (current - dt.timedelta(days=1)).replace(day=1)
    built: dict[str, int] = {}
    for month in (previous, current):
        if is_locked(month):
            continue
        built[month.strftime("%Y-%m")] = summaries_build(month=month, today=today).people
    return built


@db_periodic_task(local_crontab(minute="40", hour="1"))
def summaries_nightly():
    """Nightly at 01:40 in the organisation's time zone (after the leave accrual at 00:30)."""
    return rebuild_open_months(timezone.localdate())
