"""Periods: month ``YYYY-MM``, quarter ``YYYY-Qn`` and year ``YYYY``, bounded in the organisation's
time zone. A period is a half-open interval [start, end) of local dates."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from django.conf import settings

MONTH = "month"
QUARTER = "quarter"
YEAR = "year"

_PATTERNS = [
    (re.compile(r"^(\d{4})-(0[1-9]|1[0-2])$"), MONTH),
    (re.compile(r"^(\d{4})-Q([1-4])$"), QUARTER),
    (re.compile(r"^(\d{4})$"), YEAR),
]


@dataclass(frozen=True, order=True)
class Period:
    start: dt.date
    end: dt.date  # exclusive
    kind: str
    key: str

    @property
    def days(self) -> int:
        return (self.end - self.start).days

    @property
    def months(self) -> int:
        return {MONTH: 1, QUARTER: 3, YEAR: 12}[self.kind]

    def bounds_utc(self) -> tuple[dt.datetime, dt.datetime]:
        tz = ZoneInfo(settings.TIME_ZONE)
        return (dt.datetime.combine(self.start, dt.time.min, tzinfo=tz).astimezone(dt.UTC),
                dt.datetime.combine(self.end, dt.time.min, tzinfo=tz).astimezone(dt.UTC))

    def months_in(self) -> list[Period]:
        out, cur = [], self.start
        while cur < self.end:
            out.append(month(cur.year, cur.month))
            cur = out[-1].end
        return out

    def previous(self) -> Period:
        return containing(self.start - dt.timedelta(days=1), self.kind)

    def next(self) -> Period:
        return containing(self.end, self.kind)

    def contains(self, day: dt.date) -> bool:
        return self.start <= day < self.end

    def __str__(self) -> str:
        return self.key


def _add_months(year: int, month_: int, n: int) -> tuple[int, int]:
    idx = year * 12 + (month_ - 1) + n
    return idx // 12, idx % 12 + 1


def month(year: int, month_: int) -> Period:
    ny, nm = _add_months(year, month_, 1)
    return Period(dt.date(year, month_, 1), dt.date(ny, nm, 1), MONTH, f"{year:04d}-{month_:02d}")


def quarter(year: int, q: int) -> Period:
    sm = 3 * (q - 1) + 1
    ny, nm = _add_months(year, sm, 3)
    return Period(dt.date(year, sm, 1), dt.date(ny, nm, 1), QUARTER, f"{year:04d}-Q{q}")


def year(year_: int) -> Period:
    return Period(dt.date(year_, 1, 1), dt.date(year_ + 1, 1, 1), YEAR, f"{year_:04d}")


def parse(key: str) -> Period:
    for pattern, kind in _PATTERNS:
        m = pattern.match(key or "")
        if m:
            y = int(m.group(1))
            if kind == MONTH:
                return month(y, int(m.group(2)))
            if kind == QUARTER:
                return quarter(y, int(m.group(2)))
            return year(y)
    raise ValueError(f"not a period: {key!r} (use YYYY-MM, YYYY-Qn or YYYY)")


def containing(day: dt.date, kind: str = MONTH) -> Period:
    if kind == MONTH:
        return month(day.year, day.month)
    if kind == QUARTER:
        return quarter(day.year, (day.month - 1) // 3 + 1)
    return year(day.year)


def local_date(moment: dt.datetime) -> dt.date:
    return moment.astimezone(ZoneInfo(settings.TIME_ZONE)).date()
