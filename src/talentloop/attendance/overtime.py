"""Overtime classification: pure, typed rules with no database access (the selectors gather the
inputs, the services store the result).

What is counted, and how:

- **Days.** Every minute of a span is classed by the calendar kind of its *local* date (the
  organisation's time zone): a workday extension is 150%, a rest day 200% (or time off in lieu, per
  policy), a statutory holiday 300% and never in lieu. A 调休 Saturday is a workday. A request's
  ``work_date`` is the local date it starts on. A span whose dates are of different kinds (a Friday
  evening running into a statutory holiday) is refused: one request per kind of day, so that no minute
  is paid at the wrong rate. Overtime is time outside the person's planned fixed shifts (a night
  shift of the day before included): a span overlapping one is refused.
- **Working-hour systems** (the person's employment contract on the work date):

  * standard (标准工时): the classes above;
  * flexible (不定时): there is no overtime on workdays and rest days, so such a request is refused;
    work on a statutory holiday is still paid 300%, as most local rules (Beijing, Shanghai,
    Guangdong...) require — the choice made here;
  * comprehensive (综合计算工时): within the period (week, month, quarter or year of the work date)
    the hours up to the period's standard hours are ordinary hours; only the minutes beyond are
    overtime, at 150% whatever the day (rest days are not separately 200%, and not in lieu).
    Statutory-holiday work is 300% on its own and never counts towards the period. The period's
    standard minutes are 8 h × the calendar's workdays of the period (at the person's site). The
    minutes worked before a request are a simplification, not a reading of the clock: the
    *scheduled* minutes of the period (each planned day's shift length, 8 h for an untimed day;
    statutory holidays left out; approved leave taken off by its fraction of the day) plus the span
    minutes of the person's other approved non-statutory overtime of the period. A request then
    counts ``max(0, before + span - standard) - max(0, before - standard)`` minutes, the latest of
    its span; a request wholly within the standard hours is kept with 0 overtime minutes (the hours
    are recorded and fill the period, they are simply not overtime).
- **Caps** (the legal 3 hours a day, 36 hours a month; the numbers come from the policy). Each
  request's counted minutes are put on the dates of its span. A day's cap is exceeded when the
  person's approved overtime on that date plus this request's is over the daily cap; a month's when
  all their approved overtime of the calendar month (every class, in lieu too) plus this request's is
  over the monthly cap. A breach is recorded as a short code (language-neutral, translated when shown
  by :func:`describe_breach`), flagged to HR and never truncates the hours.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.conf import settings
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from talentloop.attendance.models import Compensation, DayClass, DayKind
from talentloop.organisation.models import ComprehensivePeriod, WorkingHourSystem

MULTIPLIERS: dict[str, Decimal] = {
    DayClass.WORKDAY: Decimal("1.5"),
    DayClass.REST: Decimal("2.0"),
    DayClass.STATUTORY: Decimal("3.0"),
}
COMPREHENSIVE_MULTIPLIER = Decimal("1.5")
STANDARD_DAY_MINUTES = 8 * 60
MAX_SPAN_MINUTES = 24 * 60


def local_zone() -> ZoneInfo:
    return ZoneInfo(settings.TIME_ZONE)


def split_by_date(start: dt.datetime, end: dt.datetime) -> dict[dt.date, int]:
    """Whole minutes of ``[start, end)`` on each local date, in date order."""
    tz = local_zone()
    cur, stop = start.astimezone(tz), end.astimezone(tz)
    out: dict[dt.date, int] = {}
    while cur < stop:
        midnight = dt.datetime.combine(cur.date() + dt.timedelta(days=1), dt.time(0), tzinfo=tz)
        seg_end = min(stop, midnight)
        out[cur.date()] = out.get(cur.date(), 0) + int((seg_end - cur).total_seconds() // 60)
        cur = seg_end
    return out


def allocate(start: dt.datetime, end: dt.datetime, minutes: int) -> dict[dt.date, int]:
    """The counted minutes of a request on each date: its span's minutes, less the earliest ones when
    fewer count (under comprehensive hours the overtime part of a span is its end)."""
    split = split_by_date(start, end)
    surplus = sum(split.values()) - minutes
    for date in sorted(split):
        if surplus <= 0:
            break
        take = min(surplus, split[date])
        split[date] -= take
        surplus -= take
    return {d: m for d, m in split.items() if m > 0}


def period_bounds(date: dt.date, period: str) -> tuple[dt.date, dt.date]:
    """First and last date of the comprehensive period holding ``date``."""
    if period == ComprehensivePeriod.WEEK:
        first = date - dt.timedelta(days=date.weekday())
        return first, first + dt.timedelta(days=6)
    if period == ComprehensivePeriod.QUARTER:
        q_month = 3 * ((date.month - 1) // 3) + 1
        first = date.replace(month=q_month, day=1)
        last_month = q_month + 2
    elif period == ComprehensivePeriod.YEAR:
        first = date.replace(month=1, day=1)
        last_month = 12
    else:  # month, and the default for a comprehensive contract without a usable period
        first = date.replace(day=1)
        last_month = date.month
    after = dt.date(date.year + (last_month // 12), last_month % 12 + 1, 1)
    return first, after - dt.timedelta(days=1)


@dataclass(frozen=True)
class PeriodCount:
    """What a comprehensive-hours request is measured against (see the module's docstring)."""

    start: dt.date
    end: dt.date
    standard_minutes: int
    scheduled_minutes: int
    approved_minutes: int

    @property
    def before(self) -> int:
        return self.scheduled_minutes + self.approved_minutes

    def overtime_of(self, span_minutes: int) -> int:
        return max(0, self.before + span_minutes - self.standard_minutes) - max(0, self.before - self.standard_minutes)


@dataclass
class Classification:
    """The outcome for one span. ``errors`` (field -> messages) non-empty means the span is refused."""

    work_date: dt.date
    span_minutes: int
    minutes: int
    day_class: str
    multiplier: Decimal
    compensation: str
    system: str
    by_date: dict[dt.date, int]
    in_lieu_allowed: bool = False
    period: PeriodCount | None = None
    breach: str = ""
    errors: dict[str, list[str]] = field(default_factory=dict)

    @property
    def breach_text(self) -> str:
        return describe_breach(self.breach)

    @property
    def day_class_label(self) -> str:
        return str(DayClass(self.day_class).label)

    @property
    def compensation_label(self) -> str:
        return str(Compensation(self.compensation).label)


def classify(*, start: dt.datetime, end: dt.datetime, kinds: Mapping[dt.date, str], system: str,
             compensation: str | None = None, rest_day_in_lieu: bool = False,
             period: PeriodCount | None = None,
             shifts: Iterable[tuple[dt.datetime, dt.datetime]] = ()) -> Classification:
    """Class, multiplier, compensation and counted minutes of the span ``[start, end)``. ``kinds`` is
    the calendar kind of each local date of the span at the person's site; ``period`` is required
    for the comprehensive system (without it the span counts in full); ``shifts`` are the person's
    planned shifts around the span: overtime is time outside them, so an overlap is refused."""
    by_date = split_by_date(start, end)
    span = sum(by_date.values())
    work_date = start.astimezone(local_zone()).date()
    errors: dict[str, list[str]] = {}
    day_kinds = [kinds.get(d, DayKind.REST if d.weekday() >= 5 else DayKind.WORKDAY) for d in by_date] or [
        kinds.get(work_date, DayKind.WORKDAY)]
    day_class = str(day_kinds[0])
    for date, kind in zip(by_date, day_kinds, strict=True):
        if kind != day_class:
            errors.setdefault("end", []).append(
                _("The overtime runs into %(date)s, which is a different kind of day (%(kind)s): enter one "
                  "request for each kind of day.") % {"date": date_format(date, "SHORT_DATE_FORMAT"),
                                                      "kind": DayClass(kind).label})
            break
    for shift_start, shift_end in shifts:
        if start < shift_end and shift_start < end:
            tz = local_zone()
            errors.setdefault("start", []).append(
                _("The overtime overlaps your shift (%(start)s–%(end)s): overtime is the time outside it.") % {
                    "start": shift_start.astimezone(tz).strftime("%H:%M"),
                    "end": shift_end.astimezone(tz).strftime("%H:%M")})
            break
    multiplier = MULTIPLIERS[day_class]
    minutes = span
    in_lieu_allowed = system == WorkingHourSystem.STANDARD and day_class == DayClass.REST
    used_period = None
    if system == WorkingHourSystem.FLEXIBLE and day_class != DayClass.STATUTORY:
        errors.setdefault("start", []).append(
            _("Under flexible working hours (不定时), work on workdays and rest days is not overtime; "
              "only statutory holidays are paid as overtime."))
    elif system == WorkingHourSystem.COMPREHENSIVE and day_class != DayClass.STATUTORY:
        multiplier = COMPREHENSIVE_MULTIPLIER
        if period is not None:
            used_period = period
            minutes = period.overtime_of(span)
    if compensation is None:
        compensation = Compensation.IN_LIEU if in_lieu_allowed and rest_day_in_lieu else Compensation.PAY
    elif compensation == Compensation.IN_LIEU and not in_lieu_allowed:
        if day_class == DayClass.STATUTORY:
            message = _("Statutory-holiday overtime is always paid (300%), never taken as time off in lieu.")
        elif system == WorkingHourSystem.COMPREHENSIVE:
            message = _("Under comprehensive working hours overtime is paid at 150%, not taken as time off.")
        else:
            message = _("Only rest-day overtime may be taken as time off in lieu.")
        errors.setdefault("compensation", []).append(message)
    return Classification(work_date=work_date, span_minutes=span, minutes=minutes, day_class=day_class,
                          multiplier=multiplier, compensation=str(compensation), system=system, by_date=by_date,
                          in_lieu_allowed=in_lieu_allowed, period=used_period, errors=errors)


@dataclass(frozen=True)
class Counted:
    """Another request's counted overtime, for the caps."""

    start: dt.datetime
    end: dt.datetime
    minutes: int


def counted_by_date(requests: Iterable[Counted]) -> dict[dt.date, int]:
    out: dict[dt.date, int] = {}
    for r in requests:
        for date, minutes in allocate(r.start, r.end, r.minutes).items():
            out[date] = out.get(date, 0) + minutes
    return out


def check_caps(*, mine: Mapping[dt.date, int], others: Mapping[dt.date, int], daily_cap: int,
               monthly_cap: int) -> str:
    """The breach code of a request counting ``mine`` minutes per date, given the person's other
    approved overtime per date: ``d:2026-05-06:210:180`` (a day: total and cap) and
    ``m:2026-05:2220:2160`` (a month), joined by ``;``; empty when no cap is exceeded."""
    parts = []
    for date in sorted(mine):
        total = mine[date] + others.get(date, 0)
        if mine[date] and total > daily_cap:
            parts.append(f"d:{date.isoformat()}:{total}:{daily_cap}")
    months = sorted({(d.year, d.month) for d, m in mine.items() if m})
    for year, month in months:
        total = sum(m for d, m in mine.items() if (d.year, d.month) == (year, month))
        total += sum(m for d, m in others.items() if (d.year, d.month) == (year, month))
        if total > monthly_cap:
            parts.append(f"m:{year:04d}-{month:02d}:{total}:{monthly_cap}")
    return ";".join(parts)[:200]


def hours(minutes: int) -> str:
    """``3 h 30 min`` in the active language."""
    h, m = divmod(int(minutes), 60)
    if not m:
        return _("%(h)d h") % {"h": h}
    if not h:
        return _("%(m)d min") % {"m": m}
    return _("%(h)d h %(m)d min") % {"h": h, "m": m}


def describe_breach(code: str) -> str:
    """The stored breach code as a sentence in the active language."""
    texts = []
    for part in filter(None, (code or "").split(";")):
        try:
            kind, when, total, cap = part.split(":")
            if kind == "d":
                texts.append(_("%(total)s on %(date)s (daily cap %(cap)s)") % {
                    "total": hours(int(total)), "cap": hours(int(cap)),
                    "date": date_format(dt.date.fromisoformat(when), "SHORT_DATE_FORMAT")})
            elif kind == "m":
                texts.append(_("%(total)s in %(month)s (monthly cap %(cap)s)") % {
                    "total": hours(int(total)), "cap": hours(int(cap)), "month": when})
        except ValueError:
            continue
    if not texts:
        return ""
    return _("Legal overtime cap exceeded: %(list)s. The hours are kept in full.") % {"list": "; ".join(texts)}
