"""What attendance needs from leave, which sits above it: each person's leave by day, for the day
results and the monthly summaries. Leave fills the slot from its ``AppConfig.ready()``; without it
(leave not installed) nobody is on leave."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from decimal import Decimal


@dataclass(frozen=True)
class LeaveDay:
    """One person's approved leave on one date: ``fraction`` of the day (1, or 0.5 for a half day;
    an hourly request has ``hours``), of the leave type ``code``."""

    employee_id: int
    date: dt.date
    code: str
    category: str
    paid: bool
    fraction: Decimal
    hours: Decimal
    half: str = ""  # "am" or "pm" for a half day


LeaveReader = Callable[[Iterable[int] | None, dt.date, dt.date], Iterable[LeaveDay]]

_leave_reader: LeaveReader | None = None


def register_leave_reader(reader: LeaveReader) -> None:
    global _leave_reader
    _leave_reader = reader


def leave_days(employee_ids: Iterable[int] | None, start: dt.date, end: dt.date) -> list[LeaveDay]:
    """Approved leave of the people (everyone when ``None``) from ``start`` to ``end`` inclusive."""
    if _leave_reader is None:
        return []
    return list(_leave_reader(employee_ids, start, end))
