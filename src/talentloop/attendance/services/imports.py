"""Importing machine punches: a CSV or Excel export of an attendance machine (employee number,
timestamp, device) checked row by row and inserted set-based.

- Headers in Chinese or English (工号 / employee number, 打卡时间 / timestamp, 设备 / device, or a
  日期 and a 时间 column); other columns (姓名, 部门 …) are ignored and named in the report.
- Timestamps are the organisation's local time (``settings.TIME_ZONE``) in the common export forms:
  ``2026-11-03 08:59:12``, ``2026/11/3 8:59``, ``2026年11月3日 08:59``, ``20261103085912``, ISO with an
  offset, Excel date cells and serial numbers.
- Every row is checked (unknown employee number, bad or future timestamp, before hiring or after
  leaving, in a locked month, no device); a refused row is reported with its line number and reasons
  and never stops the good rows.
- A punch's ``external_id`` is a hash of (employee number, UTC instant, device): the same row twice —
  in one file or across imports — is one event, so importing a file again adds nothing.
- ``work_date`` is the local date, or the day before when the person's planned shift of that day
  crosses midnight and the punch comes before its end plus four hours (the rule of the phone clock),
  decided for a whole chunk of rows with one plan lookup.
- The dry run checks everything and writes nothing; its report has the same counts the import would
  have. The import inserts the good rows with ``INSERT … ON CONFLICT DO NOTHING`` on SQLite; on
  PostgreSQL it looks up which punches are stored already and COPYs the others straight into the
  clock-event table, holding a transaction-level advisory lock, so a concurrent import of the same rows
  waits, then finds them there: it cannot fail or double them.
- Speed (the benchmark: a million rows at 50,000 rows/s or more on two cores): the usual row is checked with integers
  and cached pieces of its timestamp (``_Checker``), and the database writes one chunk on a second thread
  while the next chunk is checked (``_Writer``).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import re
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from concurrent.futures import wait as futures_wait
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from operator import itemgetter
from typing import Any, Final
from zoneinfo import ZoneInfo

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import connection, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.crypto import get_random_string
from django.utils.translation import gettext as _

from talentloop.attendance import access
from talentloop.attendance.calendar import plan
from talentloop.attendance.models import ClockDirection, ClockEvent, ClockImport, ClockSource, MonthLock, Shift
from talentloop.core import crypto, tabular
from talentloop.core.access import Actor
from talentloop.core.audit.services import audit_record
from talentloop.core.errors import InvalidInput, PermissionDenied
from talentloop.organisation.models import Employee

MAX_BYTES = 64 * 1024 * 1024  # about 1.7 million machine rows; larger exports are split by month
MAX_ROWS = 2_000_000
CHUNK = 20_000  # rows checked, looked up and inserted together
LOOKUP = 900  # values per IN (...) list, below every SQLite build's parameter limit
MAX_REPORTED_ERRORS = 1000  # refused rows listed in a report and kept on the import record; counts cover all
FUTURE_TOLERANCE = dt.timedelta(minutes=5)  # a machine's clock running a little fast is not a future punch
EARLIEST = dt.datetime(2000, 1, 1, tzinfo=dt.UTC)
SQLITE_CACHE_KIB = 128 * 1024  # page cache while a file goes in (SQLite only)
NIGHT_SHIFT_TAIL = dt.timedelta(hours=4)  # as the phone clock: a night shift's punches up to 4 h after its end

# Header names each column is recognised by (compared after tabular.header_key: lower case, spaces → _).
ALIASES: dict[str, tuple[str, ...]] = {
    "employee_number": ("employee_number", "employee_no", "employee_id", "emp_no", "number", "工号", "员工工号",
                        "员工编号", "人员编号", "编号", "考勤号", "考勤号码", "用户编号"),
    "timestamp": ("timestamp", "datetime", "punch_time", "clock_time", "check_time", "time_stamp", "打卡时间",
                  "签到时间", "考勤时间", "刷卡时间", "日期时间"),
    "date": ("date", "日期", "打卡日期", "考勤日期"),
    "time": ("time", "时间", "打卡时刻"),
    "device": ("device", "device_name", "device_id", "machine", "terminal", "设备", "设备名称", "设备号",
               "设备编号", "考勤机", "机器号", "机器编号", "终端"),
}
_BY_ALIAS = {alias: column for column, aliases in ALIASES.items() for alias in aliases}

_LOCAL_RE = re.compile(r"^(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})日?(?:[ T]+|\s*)(\d{1,2})[:：时](\d{1,2})"
                       r"(?:[:：分](\d{1,2})(?:\.\d+)?秒?)?$")
_COMPACT_RE = re.compile(r"^(\d{4})(\d{2})(\d{2})[ T]?(\d{2})(\d{2})(\d{2})?$")
_EXCEL_EPOCH = dt.datetime(1899, 12, 30)


@dataclass
class RowError:
    line: int
    employee_number: str
    timestamp: str
    device: str
    reasons: list[str]

    def as_dict(self) -> dict[str, Any]:
        return {"line": self.line, "employee_number": self.employee_number, "timestamp": self.timestamp,
                "device": self.device, "reasons": self.reasons}


@dataclass
class ClockImportReport:
    """What a file holds and what importing it does (or did). ``rows`` = ``added`` + ``duplicates`` +
    ``rejected``; ``errors`` lists the refused rows (the first ``MAX_REPORTED_ERRORS``)."""

    file_name: str
    dry_run: bool
    rows: int = 0
    added: int = 0
    duplicates: int = 0
    rejected: int = 0
    errors: list[RowError] = field(default_factory=list)
    ignored_columns: list[str] = field(default_factory=list)
    people: int = 0
    first_at: dt.datetime | None = None
    last_at: dt.datetime | None = None
    import_id: int | None = None
    imported_before: dt.datetime | None = None  # when a file with the same content was imported

    @property
    def errors_truncated(self) -> bool:
        return self.rejected > len(self.errors)

    @property
    def kept(self) -> int:
        return self.added + self.duplicates


# ---------------------------------------------------------------- reading


def _header(values: list[Any]) -> tuple[dict[str, int], list[str]]:
    """Column positions by name, and the header names that were ignored."""
    positions: dict[str, int] = {}
    ignored: list[str] = []
    repeated: list[str] = []
    for index, value in enumerate(values):
        key = tabular.header_key(value)
        if not key:
            continue
        column = _BY_ALIAS.get(key)
        if column is None:
            ignored.append(tabular.cell_text(value))
        elif column in positions:
            repeated.append(tabular.cell_text(value))
        else:
            positions[column] = index
    problems = []
    if repeated:
        problems.append(_("Columns appear more than once: %(columns)s.") % {"columns": ", ".join(repeated)})
    missing = []
    if "employee_number" not in positions:
        missing.append(_("employee number (工号)"))
    if "timestamp" not in positions and not ("date" in positions and "time" in positions):
        missing.append(_("timestamp (打卡时间), or a date (日期) and a time (时间) column"))
    if "device" not in positions:
        missing.append(_("device (设备)"))
    if missing:
        problems.append(_("Required columns are missing: %(columns)s. The first row must hold the column "
                          "names.") % {"columns": "; ".join(missing)})
    if problems:
        raise InvalidInput(" ".join(problems), {"file": problems})
    return positions, ignored


def _rows(content: bytes) -> Iterator[list[Any]]:
    if len(content) > MAX_BYTES:
        raise tabular.file_error(_("The file is larger than 64 MB. Split it into smaller files (a month each)."))
    if not content.strip():
        raise tabular.file_error(_("The file is empty."))
    if content.startswith(b"PK\x03\x04"):
        return tabular.xlsx_rows(content)
    if content.startswith(b"\xd0\xcf\x11\xe0"):
        raise tabular.file_error(_("Old .xls workbooks are not supported. Save the file as .xlsx or as CSV UTF-8."))
    return tabular.csv_rows(content)


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, str):
        return value.strip()
    return tabular.cell_text(value)


def _local(value: Any, zone: dt.tzinfo) -> dt.datetime | None:
    """A timestamp cell as a naive local datetime (a value with its own offset is converted to the
    organisation's zone). The usual ``2026-11-03 08:59:12`` is read by slicing, the fast path of a
    million-row file; the other forms by pattern."""
    if isinstance(value, str):
        text = value
        try:
            if len(text) == 19 and text[4] in "-/" and text[7] == text[4] and text[13] == ":" \
                    and text[16] == ":" and text[10] in " T":
                return dt.datetime(int(text[0:4]), int(text[5:7]), int(text[8:10]), int(text[11:13]),
                                   int(text[14:16]), int(text[17:19]))
            match = _LOCAL_RE.match(text) or _COMPACT_RE.match(text)
            if match is not None:
                y, mo, d, h, mi, s = match.groups()
                return dt.datetime(int(y), int(mo), int(d), int(h), int(mi), int(s or 0))
            if len(text) >= 16:
                value = dt.datetime.fromisoformat(text)
            else:
                return None
        except ValueError:
            return None
    if isinstance(value, dt.datetime):
        if value.tzinfo is not None:
            return value.astimezone(zone).replace(tzinfo=None)
        return value.replace(microsecond=0)
    if isinstance(value, (int, float)) and not isinstance(value, bool) and 20_000 < value < 100_000:
        # An Excel serial date-time (days since 1899-12-30), as a CSV saved from Excel may hold.
        return (_EXCEL_EPOCH + dt.timedelta(days=float(value), milliseconds=500)).replace(microsecond=0)
    return None


class _Zone:
    """Local time to UTC, with the zone's offset looked up once per local date and hour."""

    def __init__(self, zone: ZoneInfo) -> None:
        self.zone = zone
        self.offsets: dict[int, dt.timedelta] = {}

    def offset(self, local: dt.datetime) -> dt.timedelta:
        key = local.toordinal() * 24 + local.hour
        offset = self.offsets.get(key)
        if offset is None:
            offset = self.offsets[key] = local.replace(tzinfo=self.zone).utcoffset() or dt.timedelta(0)
        return offset

    def utc(self, local: dt.datetime) -> dt.datetime:
        return local - self.offset(local)


def _combine(date_value: Any, time_value: Any) -> Any:
    """A 日期 and a 时间 cell as one timestamp cell."""
    if isinstance(date_value, dt.datetime):
        date_value = date_value.date()
    if isinstance(time_value, dt.datetime):
        time_value = time_value.time()
    if isinstance(date_value, dt.date) and isinstance(time_value, dt.time):
        return dt.datetime.combine(date_value, time_value.replace(tzinfo=None))
    if isinstance(date_value, dt.date):
        date_value = date_value.isoformat()
    if isinstance(time_value, dt.time):
        time_value = time_value.isoformat()
    return f"{_text(date_value)} {_text(time_value)}"


# ---------------------------------------------------------------- checking


@dataclass(frozen=True)
class _Person:
    id: int
    hire_date: dt.date
    termination_date: dt.date | None


class _People:
    """Employee numbers looked up as they come, a few hundred per query, each number once."""

    def __init__(self) -> None:
        self.known: dict[str, _Person | None] = {}
        # The known numbers with (employee id, hire day's ordinal, leaving day's ordinal or the last day's).
        self.spans: dict[str, tuple[int, int, int]] = {}

    def load(self, numbers: Iterable[str], before_query: Callable[[], None] | None = None) -> None:
        new = sorted({n for n in numbers if n and n not in self.known})
        if new and before_query is not None:
            before_query()
        for start in range(0, len(new), LOOKUP):
            part = new[start:start + LOOKUP]
            for number, pk, hired, left in Employee.objects.filter(employee_number__in=part).values_list(
                    "employee_number", "id", "hire_date", "termination_date"):
                self.known[number] = _Person(pk, hired, left)
                self.spans[number] = (pk, hired.toordinal(), left.toordinal() if left is not None else _LAST_DAY)
            for number in part:
                self.known.setdefault(number, None)


@dataclass(slots=True)
class _Good:
    """A row that passed every check: who, when (local and UTC, naive), where, and its identity."""

    line: int
    person: _Person
    number: str
    local: dt.datetime
    utc: dt.datetime
    device: str
    external_id: str
    work_date: dt.date


class _WorkDates:
    """The day each punch counts to, for a chunk at once. Without a shift crossing midnight (the usual
    case) it stays the local date, with no lookup; otherwise one plan of the chunk's people and days."""

    def __init__(self) -> None:
        self.night = dict(Shift.objects.filter(end__lte=F("start")).values_list("id", "end"))

    def fill(self, goods: list[_Good]) -> None:
        if not self.night or not goods:
            return
        latest = max(self.night.values())
        # Only punches before the latest night shift's end plus the tail may count to the day before.
        cutoff = latest.hour * 3600 + latest.minute * 60 + latest.second + int(NIGHT_SHIFT_TAIL.total_seconds())
        candidates = [g for g in goods if g.local.hour * 3600 + g.local.minute * 60 + g.local.second < cutoff]
        if not candidates:
            return
        start = min(g.work_date for g in candidates) - dt.timedelta(days=1)
        end = max(g.work_date for g in candidates) - dt.timedelta(days=1)
        plans = plan({g.person.id for g in candidates}, start, end)
        for good in candidates:
            days = plans.get(good.person.id)
            if not days:
                continue
            yesterday = good.local.date() - dt.timedelta(days=1)
            shift_id = days[(yesterday - start).days].shift_id
            if shift_id in self.night and good.local < dt.datetime.combine(
                    good.local.date(), self.night[shift_id]) + NIGHT_SHIFT_TAIL:
                good.work_date = yesterday


def work_dates_for(entries: list[tuple[int, dt.datetime]]) -> list[dt.date]:
    """The day each (person id, naive local time) punch counts to, by the rule above (the vendor pulls
    use it too): one plan lookup for all of them, none when no shift crosses midnight."""
    goods = [_Good(0, _Person(pid, dt.date.min, None), "", local, local, "", "", local.date())
             for pid, local in entries]
    _WorkDates().fill(goods)
    return [g.work_date for g in goods]


def locked_months() -> set[dt.date]:
    """The first days of the locked months: their punches are no longer imported."""
    return set(MonthLock.objects.values_list("month", flat=True))


def external_id(number: str, utc: dt.datetime, device: str) -> str:
    """The identity of a machine punch — who, when (the UTC instant, to the second), where — as the
    instant in hex followed by a 64-bit hash of all three (two different punches would have to share
    the second and the hash): the same punch always gets the same id, and ids grow with
    time, so a file's punches go to the end of the unique index instead of all over it."""
    seconds = int((utc - _UNIX).total_seconds())
    digest = hashlib.blake2b(f"{number}\x1f{seconds}\x1f{device}".encode(), digest_size=8).hexdigest()
    return f"{seconds:010x}{digest}"


_UNIX = dt.datetime(1970, 1, 1)
_UNIX_DAY = _UNIX.toordinal()
_LAST_DAY = dt.date.max.toordinal()
_NOT_YET: Any = object()
_MMSS = [f"{minute:02d}:{second:02d}" for minute in range(60) for second in range(60)]  # seconds into an hour

# A row that passed every check, as one tuple (a million rows make a million of them): its line, the
# employee's id and number, the local and the UTC instant as whole seconds since 1970-01-01 on their own
# clocks, the instant's microseconds (0 but for an ISO timestamp with a fraction), the device, the
# external id, the ordinal of the day it counts to, and the UTC instant as text (``YYYY-MM-DD HH:MM:SS``).
_Row = tuple[int, int, str, int, int, int, str, str, int, str]
_LINE: Final = 0
_PERSON: Final = 1
_NUMBER: Final = 2
_LOCAL: Final = 3
_UTC: Final = 4
_MICRO: Final = 5
_DEVICE: Final = 6
_ID: Final = 7
_DAY: Final = 8
_AT: Final = 9


def _nothing() -> None:
    return None


def _seconds(moment: dt.datetime) -> int:
    """A naive datetime as whole seconds since 1970-01-01 on its own clock (a fraction dropped)."""
    return (moment.toordinal() - _UNIX_DAY) * 86400 + moment.hour * 3600 + moment.minute * 60 + moment.second


def _moment(seconds: int, micro: int = 0) -> dt.datetime:
    return _UNIX + dt.timedelta(seconds=seconds, microseconds=micro)


class _Checker:
    """Checks a chunk of rows at a time. The usual row — a known employee number, a timestamp like
    ``2026-11-03 08:59:12`` (or with ``/``), a device — is decided with integers and dictionary look-ups:
    the date and hour part of a timestamp (``2026-11-03 08:``, with its UTC offset and day) is read once per
    file and hour, the ``MM:SS`` part once per file, so a million rows parse a few thousand distinct pieces.
    Any other row, and every row failing a check there, goes the general way (``_local``, ``_reasons``),
    which decides it and words its refusal."""

    def __init__(self, now: dt.datetime) -> None:
        self.zone = ZoneInfo(settings.TIME_ZONE)
        self.to_utc = _Zone(self.zone)
        self.now_limit = (now + FUTURE_TOLERANCE).astimezone(dt.UTC).replace(tzinfo=None)
        self.earliest = EARLIEST.replace(tzinfo=None)
        self.people = _People()
        self.work_dates = _WorkDates()
        self.locked = locked_months()
        self.heads: dict[str, tuple[int, int, int, str | None] | None] = {}
        self.tails: dict[str, int | None] = {}
        self.exact = True  # no accepted punch has had a fraction of a second yet
        self.before_query: Callable[[], None] = _nothing  # called before the checks query the database

    def _refuse(self, report: ClockImportReport, line: int, number: str, stamp: Any, device: str,
                reasons: list[str]) -> None:
        report.rejected += 1
        if len(report.errors) < MAX_REPORTED_ERRORS:
            report.errors.append(RowError(line, number, _text(stamp), device, reasons))

    def _head(self, head: str) -> tuple[int, int, int, str | None] | None:
        """``YYYY-MM-DD HH:`` (``-`` or ``/``, a space or ``T``) as (the hour's local seconds, the zone's
        offset then in seconds, the local day's ordinal, the UTC text up to the hour when the offset is whole
        hours); None when the text is not of that form or not a real date and hour."""
        value = None
        if head[4] in "-/" and head[7] == head[4] and head[10] in " T" and head[13] == ":":
            try:
                hour = dt.datetime(int(head[0:4]), int(head[5:7]), int(head[8:10]), int(head[11:13]))
                offset = int(self.to_utc.offset(hour).total_seconds())
                at_head = (hour - dt.timedelta(seconds=offset)).isoformat(" ")[:14] if offset % 3600 == 0 else None
                value = (_seconds(hour), offset, hour.toordinal(), at_head)
            except (ValueError, OverflowError):
                value = None
        self.heads[head] = value
        return value

    def _tail(self, tail: str) -> int | None:
        """``MM:SS`` as seconds into the hour; None when it is not that."""
        value = None
        if len(tail) == 5 and tail[2] == ":":
            try:
                minute, second = int(tail[0:2]), int(tail[3:5])
            except ValueError:
                minute = second = -1
            if 0 <= minute < 60 and 0 <= second < 60:
                value = minute * 60 + second
        self.tails[tail] = value
        return value

    def check(self, chunk: list[tuple[int, str, Any, str]], report: ClockImportReport) -> list[_Row]:
        """The good rows of a chunk; refused rows go to the report with their reasons."""
        self.people.load((number for _line, number, _ts, _dev in chunk), self.before_query)
        spans, heads, tails, mmss, blake2b = self.people.spans, self.heads, self.tails, _MMSS, hashlib.blake2b
        low, high = _seconds(self.earliest), _seconds(self.now_limit)  # a whole-second instant ≤ the limit
        goods: list[_Row] = []
        append = goods.append
        for row in chunk:
            line, number, stamp, device = row
            span = spans.get(number)
            if span is not None and stamp.__class__ is str and len(stamp) == 19 and 0 < len(device) <= 80:
                head = heads.get(stamp[:14], _NOT_YET)
                if head is _NOT_YET:
                    head = self._head(stamp[:14])
                tail = tails.get(stamp[14:], _NOT_YET)
                if tail is _NOT_YET:
                    tail = self._tail(stamp[14:])
                if head is not None and tail is not None:
                    local = head[0] + tail
                    utc = local - head[1]
                    day = head[2]
                    if low <= utc <= high and span[1] <= day <= span[2]:
                        digest = blake2b(f"{number}\x1f{utc}\x1f{device}".encode(), digest_size=8).hexdigest()
                        append((line, span[0], number, local, utc, 0, device, f"{utc:010x}{digest}", day,
                                head[3] + mmss[tail] if head[3] is not None else _moment(utc).isoformat(" ")))
                        continue
            self._general(row, goods, report)
        if self.work_dates.night and goods:
            goods = self._night(goods)
        if self.locked:
            goods = self._unlocked(goods, report)
        return goods

    def _general(self, row: tuple[int, str, Any, str], goods: list[_Row], report: ClockImportReport) -> None:
        """A row of another form, or one failing a check: decided the general way."""
        line, number, stamp, device = row
        person = self.people.known.get(number) if number else None
        local = _local(stamp, self.zone) if stamp else None
        utc = self.to_utc.utc(local) if local is not None else None
        if person is not None and local is not None and utc is not None and device and len(device) <= 80 \
                and self.earliest <= utc <= self.now_limit:
            day = local.date()
            left = person.termination_date
            if person.hire_date <= day and (left is None or day <= left):
                if utc.microsecond:
                    self.exact = False
                goods.append((line, person.id, number, _seconds(local), _seconds(utc), utc.microsecond, device,
                              external_id(number, utc, device), day.toordinal(), utc.isoformat(" ")))
                return
        self._refuse(report, line, number, stamp, device, self._reasons(number, person, stamp, local, utc, device))

    def _night(self, goods: list[_Row]) -> list[_Row]:
        """The day each punch counts to when a shift crosses midnight (``_WorkDates``)."""
        probes = [_Good(g[_LINE], _Person(g[_PERSON], dt.date.min, None), "", _moment(g[_LOCAL], g[_MICRO]),
                        _moment(g[_LOCAL], g[_MICRO]), "", "", dt.date.fromordinal(g[_DAY])) for g in goods]
        self.before_query()
        self.work_dates.fill(probes)
        return [g if probe.work_date.toordinal() == g[_DAY] else (*g[:_DAY], probe.work_date.toordinal(), g[_AT])
                for g, probe in zip(goods, probes, strict=True)]

    def _unlocked(self, goods: list[_Row], report: ClockImportReport) -> list[_Row]:
        """The punches outside the locked months; the others are refused."""
        months: dict[int, dt.date] = {}
        kept: list[_Row] = []
        for good in goods:
            month = months.get(good[_DAY])
            if month is None:
                month = months[good[_DAY]] = dt.date.fromordinal(good[_DAY]).replace(day=1)
            if month in self.locked:
                self._refuse(report, good[_LINE], good[_NUMBER], _moment(good[_LOCAL], good[_MICRO]).isoformat(" "),
                             good[_DEVICE], [_("The month %(month)s is locked: its punches can no longer be imported.")
                                             % {"month": month.strftime("%Y-%m")}])
            else:
                kept.append(good)
        return kept

    def _reasons(self, number: str, person: _Person | None, stamp: Any, local: dt.datetime | None,
                 utc: dt.datetime | None, device: str) -> list[str]:
        """Why a row is refused (all its problems at once)."""
        reasons: list[str] = []
        if not number:
            reasons.append(_("The employee number is missing."))
        elif person is None:
            reasons.append(_("No employee has the number %(number)s.") % {"number": number})
        if not stamp:
            reasons.append(_("The timestamp is missing."))
        elif local is None or utc is None:
            reasons.append(_("The timestamp is not a date and time (e.g. 2026-11-03 08:59:12)."))
        elif utc > self.now_limit:
            reasons.append(_("The timestamp is in the future."))
        elif utc < self.earliest:
            reasons.append(_("The timestamp is before the year 2000."))
        elif person is not None and local.date() < person.hire_date:
            reasons.append(_("The punch is before the person's hire date (%(date)s).")
                           % {"date": person.hire_date.isoformat()})
        elif person is not None and person.termination_date is not None and local.date() > person.termination_date:
            reasons.append(_("The punch is after the person left (%(date)s).")
                           % {"date": person.termination_date.isoformat()})
        if not device:
            reasons.append(_("The device is missing."))
        elif len(device) > 80:
            reasons.append(_("The device name is longer than 80 characters."))
        return reasons


def _too_many() -> InvalidInput:
    return tabular.file_error(_("The file has more than %(max)s rows. Split it into smaller files.")
                              % {"max": f"{MAX_ROWS:,}"})


def _chunks(content: bytes, report: ClockImportReport) -> Iterator[list[tuple[int, str, Any, str]]]:
    """(line, employee number, timestamp cell, device) of every non-blank data row, a chunk at a time."""
    too_many = _too_many
    header: dict[str, int] | None = None
    chunk: list[tuple[int, str, Any, str]] = []
    append = chunk.append
    count = 0
    i_num = i_dev = top = 0
    i_ts: int | None = None
    i_date: int | None = None
    i_time: int | None = None
    stamp: Any
    for line, values in enumerate(_rows(content), start=1):
        if header is None:
            if not any(_text(v) for v in values):
                continue
            header, report.ignored_columns = _header(values)
            i_num, i_dev = header["employee_number"], header["device"]
            i_ts, i_date, i_time = header.get("timestamp"), header.get("date"), header.get("time")
            top = max(i_num, i_dev, i_ts if i_ts is not None else 0)
            continue
        if i_ts is not None and len(values) > top:  # the usual row: text cells (CSV), taken as they are
            number, stamp, device = values[i_num], values[i_ts], values[i_dev]
            if number.__class__ is str and stamp.__class__ is str and device.__class__ is str:
                number, stamp, device = number.strip(), stamp.strip(), device.strip()
                if number or stamp or device:
                    count += 1
                    if count > MAX_ROWS:
                        raise too_many()
                    append((line, number, stamp, device))
                    if len(chunk) == CHUNK:
                        yield chunk
                        chunk = []
                        append = chunk.append
                    continue
        width = len(values)
        number = values[i_num] if i_num < width else ""
        number = number.strip() if number.__class__ is str else _text(number)
        device = values[i_dev] if i_dev < width else ""
        device = device.strip() if device.__class__ is str else _text(device)
        if i_ts is not None:
            stamp = values[i_ts] if i_ts < width else None
            if isinstance(stamp, str):
                stamp = stamp.strip()
        else:
            assert i_date is not None and i_time is not None  # _header requires both without a timestamp column
            d, t = (values[i_date] if i_date < width else None), (values[i_time] if i_time < width else None)
            stamp = "" if _text(d) == "" and _text(t) == "" else _combine(d, t)
        if not number and not device and not stamp and not any(_text(v) for v in values):
            continue
        count += 1
        if count > MAX_ROWS:
            raise too_many()
        append((line, number, stamp, device))
        if len(chunk) == CHUNK:
            yield chunk
            chunk = []
            append = chunk.append
    if header is None:
        raise tabular.file_error(_("The file is empty."))
    if chunk:
        yield chunk
    if count == 0:
        raise tabular.file_error(_("The file has column names but no punches."))


# ---------------------------------------------------------------- writing


COLUMNS = ("employee_id", "at", "work_date", "direction", "source", "device", "external_id", "batch_id",
           "via_network", "outside", "reason", "recorded_at")
_STAGE = "attendance_clock_import_stage"


def _insert_sqlite(rows: list[tuple]) -> int:
    qn = connection.ops.quote_name
    sql = (f"INSERT INTO {qn(ClockEvent._meta.db_table)} ({', '.join(qn(c) for c in COLUMNS)}) "  # noqa: S608 - quoted names, values bound
           f"VALUES ({', '.join(['%s'] * len(COLUMNS))}) ON CONFLICT DO NOTHING")
    with connection.cursor() as cursor:
        cursor.executemany(sql, rows)
        return max(cursor.rowcount, 0)


def _insert_postgresql(rows: list[tuple]) -> int:
    """COPY into a staging table, then one INSERT … SELECT that skips the punches already there."""
    qn = connection.ops.quote_name
    table = qn(ClockEvent._meta.db_table)
    names = ", ".join(qn(c) for c in COLUMNS)
    connection.ensure_connection()
    with connection.cursor() as cursor:
        cursor.execute(f"CREATE TEMPORARY TABLE IF NOT EXISTS {_STAGE} (employee_id bigint, at timestamptz, "
                       "work_date date, direction varchar(5), source varchar(10), device varchar(80), "
                       "external_id varchar(120), batch_id bigint, via_network boolean, outside boolean, "
                       "reason varchar(300), recorded_at timestamptz) ON COMMIT DROP")
        cursor.execute(f"TRUNCATE {_STAGE}")
    with connection.connection.cursor() as raw, raw.copy(f"COPY {_STAGE} ({names}) FROM STDIN") as copy:
        for row in rows:
            copy.write_row(row)
    with connection.cursor() as cursor:
        cursor.execute(f"INSERT INTO {table} ({names}) SELECT {names} FROM {_STAGE} "  # noqa: S608 - quoted names
                       "ON CONFLICT DO NOTHING")
        return max(cursor.rowcount, 0)


def insert_events(rows: list[tuple]) -> int:
    """Insert clock events given as tuples in ``COLUMNS`` order (values already adapted for the
    database); an event whose (source, external_id) exists is skipped. Returns the number added.
    Also used by the vendor pulls."""
    if not rows:
        return 0
    if connection.vendor == "postgresql":
        with transaction.atomic():  # the staging table lives until the end of the transaction
            return _insert_postgresql(rows)
    return _insert_sqlite(rows)


_COPY_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})
_IMPORT_LOCK = 0x636C6F636B696D70  # pg_advisory_xact_lock key: one device-punch import at a time (PostgreSQL)
_WRITTEN = ("employee_id", "at", "work_date", "device", "external_id", "direction", "source", "batch_id",
            "via_network", "outside", "reason", "recorded_at")


class _Writer:
    """The database side of a run, one chunk behind the checking: while a chunk's punches are looked up
    (dry run) or written (import) on a second thread — with the run's own connection and transaction,
    which the main thread leaves alone meanwhile (``wait`` before any query of its own) — the main
    thread checks the next chunk. SQLite and psycopg let go of the GIL while the database works, so on
    two cores checking and writing overlap.

    What every punch of an import shares (direction, source, import, flags, when recorded) is written by
    the statement, not carried per row. SQLite binds five values a row to one prepared ``INSERT … ON
    CONFLICT DO NOTHING``. PostgreSQL looks the chunk's external ids up (one array query through the
    unique index) and COPYs the new punches straight into the clock-event table; the import holds a
    transaction-level advisory lock, so a concurrent import of the same punches waits and then finds
    them there (the unique constraint stays the last guard). Other databases go the ORM way, in line."""

    def __init__(self, *, dry_run: bool, batch_id: int | None, recorded: dt.datetime) -> None:
        self.dry_run = dry_run
        self.vendor = connection.vendor if connection.vendor in ("sqlite", "postgresql") else ""
        self.source = ClockSource.DEVICE.value
        self.added = self.duplicates = 0
        self.job: Future | None = None
        self.pool: ThreadPoolExecutor | None = None
        self.raw: Any = None
        if self.vendor:
            connection.ensure_connection()
            self.raw = connection.connection
            self.pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="clock-import")
        qn = connection.ops.quote_name
        table = qn(ClockEvent._meta.db_table)
        mark = "?" if self.vendor == "sqlite" else "%s"  # the raw connection's own placeholders
        where = f"SELECT external_id FROM {table} WHERE source = {mark} AND NOT (external_id = '') AND external_id"  # noqa: S608 - a quoted name, values bound
        # The unique index is partial: the query repeats its condition, or the index would not serve it.
        self.lookup_sql = (f"{where} IN (SELECT value FROM json_each(?))" if self.vendor == "sqlite"  # noqa: S608
                           else f"{where} = ANY(%s)")
        # The ids begin with the instant, so the punches stored within a chunk's span come from one range
        # scan of the index, when there are not many more of them than the chunk has rows.
        self.range_sql = f"{where} BETWEEN {mark} AND {mark} LIMIT {mark}"
        names = ", ".join(qn(c) for c in _WRITTEN)
        punch, source = ClockDirection.PUNCH.value, self.source
        stamp = recorded.isoformat(" ")  # digits, "-", ":", "." and a space
        batch = int(batch_id or 0)
        self.insert_sql = (f"INSERT INTO {table} ({names}) VALUES (?, ?, ?, ?, ?, '{punch}', '{source}', {batch}, "  # noqa: S608 - quoted names and our own constants, row values bound
                           f"0, 0, '', '{stamp}') ON CONFLICT DO NOTHING")
        self.copy_sql = f"COPY {table} ({names}) FROM STDIN"
        self.shared = f"\t{punch}\t{source}\t{batch}\tf\tf\t\t{stamp}+00\n"  # COPY text of the shared columns
        self.batch_id, self.recorded = batch_id, recorded

    # ---- the main thread

    def submit(self, goods: list[_Row]) -> None:
        """Look up (dry run) or write (import) a chunk's punches — those of an import repeated in the file
        already taken out, except on SQLite where ON CONFLICT takes them. The rows are made ready for
        the database before waiting for the chunk before."""
        if self.dry_run:
            job: tuple[Any, ...] = (self._lookup, [g[_ID] for g in goods])
        elif self.vendor == "sqlite":
            days = _day_texts(goods)
            job = (self._insert, [(g[_PERSON], g[_AT], days[g[_DAY]], g[_DEVICE], g[_ID]) for g in goods])
        elif self.vendor == "postgresql":
            days = _day_texts(goods)
            devices = {device: device.translate(_COPY_ESCAPES) for device in set(map(itemgetter(_DEVICE), goods))}
            shared = self.shared
            job = (self._copy, [g[_ID] for g in goods],
                   [f"{g[_PERSON]}\t{g[_AT]}+00\t{days[g[_DAY]]}\t{devices[g[_DEVICE]]}\t{g[_ID]}{shared}"
                    for g in goods])
        else:
            job = (self._orm, goods)
        self.wait()
        if self.pool is None:
            self._count(job[0](*job[1:]))
        else:
            self.job = self.pool.submit(*job)

    def wait(self) -> None:
        """Until the chunk being written is written (its error raised here)."""
        if self.job is not None:
            job, self.job = self.job, None
            self._count(job.result())

    def close(self) -> None:
        """Let the second thread finish (on an error too: the transaction must not end under it)."""
        if self.pool is not None:
            if self.job is not None:
                futures_wait([self.job])
            self.pool.shutdown(wait=True)

    def _count(self, result: tuple[int, int]) -> None:
        self.added += result[0]
        self.duplicates += result[1]

    # ---- the second thread: the raw connection only (Django's connection object belongs to the main thread)

    def _existing(self, keys: list[str]) -> set[str]:
        if not keys:
            return set()
        cursor = self.raw.cursor()
        try:
            most = 2 * len(keys) + 1000
            cursor.execute(self.range_sql, [self.source, min(keys), max(keys), most + 1])
            stored = [row[0] for row in cursor.fetchall()]
            if len(stored) <= most:
                return set(stored).intersection(keys)
            cursor.execute(self.lookup_sql, [self.source, json.dumps(keys) if self.vendor == "sqlite" else keys])
            return {row[0] for row in cursor.fetchall()}
        finally:
            cursor.close()

    def _lookup(self, keys: list[str]) -> tuple[int, int]:
        existing = len(self._existing(keys))
        return len(keys) - existing, existing

    def _insert(self, rows: list[tuple]) -> tuple[int, int]:
        existing = self._existing([row[4] for row in rows])  # not inserted only to meet ON CONFLICT
        new = [row for row in rows if row[4] not in existing] if existing else rows
        cursor = self.raw.cursor()
        try:
            cursor.executemany(self.insert_sql, new)
            added = max(cursor.rowcount, 0) if new else 0
        finally:
            cursor.close()
        return added, len(rows) - added

    def _copy(self, keys: list[str], lines: list[str]) -> tuple[int, int]:
        existing = self._existing(keys)
        if existing:
            lines = [line for key, line in zip(keys, lines, strict=True) if key not in existing]
        if lines:
            with self.raw.cursor() as cursor, cursor.copy(self.copy_sql) as copy:
                copy.write("".join(lines))
        return len(lines), len(existing)

    def _orm(self, goods: list[_Row]) -> tuple[int, int]:
        keys = [g[_ID] for g in goods]
        found: set[str] = set()
        for start in range(0, len(keys), LOOKUP):
            found.update(ClockEvent.objects.filter(source=self.source, external_id__in=keys[start:start + LOOKUP])
                         .values_list("external_id", flat=True))
        if self.dry_run:
            return len(keys) - len(found), len(found)
        recorded = self.recorded.replace(tzinfo=dt.UTC)
        added = insert_events([(g[_PERSON], _moment(g[_UTC], g[_MICRO]).replace(tzinfo=dt.UTC),
                                dt.date.fromordinal(g[_DAY]), ClockDirection.PUNCH.value, self.source, g[_DEVICE],
                                g[_ID], self.batch_id, False, False, "", recorded) for g in goods])
        return added, len(goods) - added


def _day_texts(goods: list[_Row]) -> dict[int, str]:
    return {day: dt.date.fromordinal(day).isoformat() for day in set(map(itemgetter(_DAY), goods))}


def adapters() -> tuple[Any, Any]:
    """How a naive UTC instant and a date go to the database: as text on SQLite (its storage format,
    the same Django writes), as Python values for psycopg elsewhere."""
    if connection.vendor == "sqlite":
        return (lambda at: at.isoformat(" ")), (lambda day: day.isoformat())
    return (lambda at: at.replace(tzinfo=dt.UTC)), (lambda day: day)


@contextmanager
def _big_cache() -> Iterator[None]:
    """On SQLite, a page cache large enough for the clock-event indexes while a big file goes in (the
    default 2 MB makes every index insert a read), back to what it was afterwards."""
    if connection.vendor != "sqlite":
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA cache_size")
        before = int(cursor.fetchone()[0])
        cursor.execute(f"PRAGMA cache_size = {-SQLITE_CACHE_KIB}")
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute(f"PRAGMA cache_size = {before}")


# ---------------------------------------------------------------- the service


def _require_manager(actor: Actor) -> None:
    if not access.can_manage_attendance(actor):
        raise PermissionDenied(_("Only HR covering the whole organisation imports clock events."))


def clock_import(actor: Actor, *, file: bytes, file_name: str = "", dry_run: bool = True,
                 now: dt.datetime | None = None) -> ClockImportReport:
    """Check (``dry_run``) or import a file of machine punches; see the module's description."""
    _require_manager(actor)
    if dry_run:
        return _run(actor, content=file, file_name=file_name, dry_run=True, now=now)
    with transaction.atomic(), _big_cache():
        return _run(actor, content=file, file_name=file_name, dry_run=False, now=now)


def _run(actor: Actor, *, content: bytes, file_name: str, dry_run: bool, now: dt.datetime | None
         ) -> ClockImportReport:
    now = now or timezone.now()
    name = (file_name or "upload")[:200]
    report = ClockImportReport(file_name=name, dry_run=dry_run)
    sha = hashlib.sha256(content).hexdigest()
    previous = ClockImport.objects.filter(source=ClockSource.DEVICE, sha256=sha).order_by("-at").first()
    report.imported_before = previous.at if previous is not None else None
    checker = _Checker(now)
    batch: ClockImport | None = None
    if not dry_run:
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_IMPORT_LOCK])
        batch = ClockImport.objects.create(source=ClockSource.DEVICE, file_name=name, sha256=sha, by=actor.user)
        report.import_id = batch.pk
    recorded = now.astimezone(dt.UTC).replace(tzinfo=None)
    writer = _Writer(dry_run=dry_run, batch_id=batch.pk if batch is not None else None, recorded=recorded)
    checker.before_query = writer.wait
    # A punch repeated in the file is counted once; on SQLite the import leaves that to ON CONFLICT.
    dedupe = dry_run or writer.vendor != "sqlite"
    seen: set[str] = set()
    people: set[int] = set()
    first = last = None  # microseconds since 1970-01-01 UTC
    person_of, utc_of = itemgetter(_PERSON), itemgetter(_UTC)
    try:
        for chunk in _chunks(content, report):
            report.rows += len(chunk)
            goods = checker.check(chunk, report)
            fresh = goods
            if dedupe:
                fresh = []
                keep = fresh.append
                for good in goods:
                    if good[_ID] not in seen:
                        seen.add(good[_ID])
                        keep(good)
                report.duplicates += len(goods) - len(fresh)
            if not fresh:
                continue
            people.update(map(person_of, fresh))
            if checker.exact:
                utcs = list(map(utc_of, fresh))
                low, high = min(utcs) * 1_000_000, max(utcs) * 1_000_000
            else:
                moments = [g[_UTC] * 1_000_000 + g[_MICRO] for g in fresh]
                low, high = min(moments), max(moments)
            first = low if first is None or low < first else first
            last = high if last is None or high > last else last
            writer.submit(fresh)
        writer.wait()
    finally:
        writer.close()
    report.added += writer.added
    report.duplicates += writer.duplicates
    report.people = len(people)
    report.first_at = _moment(0, first).replace(tzinfo=dt.UTC) if first is not None else None
    report.last_at = _moment(0, last).replace(tzinfo=dt.UTC) if last is not None else None
    if batch is not None:
        batch.rows, batch.added, batch.duplicates, batch.rejected = (report.rows, report.added, report.duplicates,
                                                                     report.rejected)
        batch.errors = [e.as_dict() for e in report.errors]
        batch.save(update_fields=["rows", "added", "duplicates", "rejected", "errors"])
        audit_record(actor=actor, action="create", obj=batch, summary=f"clock import: {report.added} added",
                     changes={"file": name, "rows": report.rows, "added": report.added,
                              "duplicates": report.duplicates, "rejected": report.rejected})
    return report


# ---------------------------------------------------------------- keeping an upload between the check and the import

UPLOAD_DIR = "clock-imports"
UPLOAD_MAX_AGE = dt.timedelta(hours=1)
_TOKEN_RE = re.compile(r"[A-Za-z0-9]{32}")


def _upload_name(actor: Actor, token: str) -> str:
    return f"{UPLOAD_DIR}/{actor.user_id}-{token}.bin"


def clock_upload_store(actor: Actor, *, content: bytes) -> str:
    """Keep a checked file for the import step, encrypted (it names people and when they came and
    went); only the same user with the returned token reads it back."""
    _require_manager(actor)
    token = get_random_string(32)
    keys, kid = crypto.keyring()
    nonce = os.urandom(12)
    name = _upload_name(actor, token)
    sealed = AESGCM(keys[kid]).encrypt(nonce, content, name.encode())
    default_storage.save(name, ContentFile(kid.encode() + b"\n" + nonce + sealed))
    return token


def clock_upload_load(actor: Actor, *, token: str) -> bytes | None:
    if not _TOKEN_RE.fullmatch(token or ""):
        return None
    name = _upload_name(actor, token)
    try:
        if not default_storage.exists(name):
            return None
        if timezone.now() - default_storage.get_modified_time(name) > UPLOAD_MAX_AGE:
            default_storage.delete(name)
            return None
        with default_storage.open(name, "rb") as handle:
            blob = handle.read()
        kid, _sep, rest = blob.partition(b"\n")
        key = crypto.keyring()[0].get(kid.decode())
        if key is None:
            return None
        return AESGCM(key).decrypt(rest[:12], rest[12:], name.encode())
    except (OSError, InvalidTag, UnicodeDecodeError, NotImplementedError):
        return None


def clock_upload_discard(actor: Actor, *, token: str) -> None:
    if _TOKEN_RE.fullmatch(token or ""):
        with suppress(OSError):
            default_storage.delete(_upload_name(actor, token))
