"""Schedules of periodic jobs, declared in the organisation's time zone.

Huey hands a periodic task's schedule the current time in UTC (``utc=True``, its default and ours),
while people expect "07:10" to mean 07:10 where they work (``settings.TIME_ZONE``, Asia/Shanghai by
default). :func:`local_crontab` takes the usual crontab fields as local time and converts each time
Huey asks to that zone first, so a 07:10 reminder goes out at 07:10 local (23:10 UTC the day before),
not at 15:10. The zone is read on every check, so a changed setting takes effect at once, and a
daylight-saving zone keeps the local time across its changes.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from zoneinfo import ZoneInfo

from django.conf import settings
from huey import crontab


def local_crontab(
    minute: str = "*", hour: str = "*", day: str = "*", month: str = "*", day_of_week: str = "*"
) -> Callable[[dt.datetime], bool]:
    """Like ``huey.crontab`` (same fields, strict), with the fields read in the organisation's time zone.

    The returned check accepts Huey's naive UTC timestamps and aware datetimes in any zone; it
    carries the local fields as ``local_fields`` so tests and docs can say when a job runs.
    """
    matches = crontab(minute=minute, hour=hour, day=day, month=month, day_of_week=day_of_week, strict=True)

    def validate(timestamp: dt.datetime) -> bool:
        return matches(to_local(timestamp))

    validate.local_fields = {"minute": minute, "hour": hour, "day": day, "month": month, "day_of_week": day_of_week}
    return validate


def to_local(timestamp: dt.datetime) -> dt.datetime:
    """A Huey timestamp as a naive local time of the organisation. A naive timestamp is UTC, as Huey
    gives it by default; with ``HUEY["utc"] = False`` it is the server's own local time."""
    if timestamp.tzinfo is None:
        huey_utc = getattr(settings, "HUEY", {}).get("utc", True)
        timestamp = timestamp.replace(tzinfo=dt.UTC) if huey_utc else timestamp.astimezone()
    return timestamp.astimezone(ZoneInfo(settings.TIME_ZONE)).replace(tzinfo=None)
