"""Mentee growth, the one definition used by qualification ("successful mentees") and by
effectiveness (mentor scores, programme results).

- Rating growth: the rating of the last complete quarter before the plan started against the
  latest complete quarter ending at least ``months_after`` (default 6) months after the start.
  A quarter is "complete" once its (exclusive) end date is on or before ``as_of``; it "ends at
  least N months after the start" when that end date is on or after start + N months. Ratings are
  ``performance.selectors.period_ratings`` (the final rating where people decided one).
- Skill growth: a plan's first skill assessment against its latest.
- growth = (after − before) / before × 100, Decimal, rounded half up to one decimal
  (``performance.scoring.growth``): 3.5 → 4.2 is 20.0; 70 → 85 is 21.4. Thresholds compare the
  rounded figure.

Every function here reads in bulk: a few queries for any number of mentees.
"""

from __future__ import annotations

import calendar
import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from talentloop.mentoring.models import SkillAssessment
from talentloop.performance import periods as P
from talentloop.performance.scoring import growth as growth_pct
from talentloop.performance.selectors import period_ratings

__all__ = ["Growth", "add_months", "growth_pct", "rating_growth", "rating_growths", "skill_growth",
           "skill_growths"]

DEFAULT_MONTHS_AFTER = 6


@dataclass(frozen=True)
class Growth:
    before_key: str  # a quarter key ("2024-Q1") or, for skills, the ISO date of the assessment
    before: Decimal
    after_key: str
    after: Decimal
    pct: Decimal | None  # None when ``before`` is 0 (growth from zero is undefined)

    def as_dict(self) -> dict:
        return {"before_key": self.before_key, "before": str(self.before), "after_key": self.after_key,
                "after": str(self.after), "pct": None if self.pct is None else str(self.pct)}


def add_months(day: dt.date, months: int) -> dt.date:
    """The same day ``months`` later, clamped to the month's end (31 Jan + 1 month = 28/29 Feb)."""
    idx = day.year * 12 + day.month - 1 + months
    year, month = idx // 12, idx % 12 + 1
    return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def _make(before_key: str, before: Decimal, after_key: str, after: Decimal) -> Growth:
    pct = None if before == 0 else growth_pct(before, after)
    return Growth(before_key, before, after_key, after, pct)


def _before_quarter(start: dt.date) -> P.Period:
    return P.containing(start, P.QUARTER).previous()


def _after_quarters(start: dt.date, months_after: int, as_of: dt.date) -> list[P.Period]:
    """Complete quarters ending at least ``months_after`` months after ``start``, latest first."""
    threshold = add_months(start, months_after)
    out: list[P.Period] = []
    q = P.containing(as_of, P.QUARTER).previous()  # the latest complete quarter as of ``as_of``
    while q.end >= threshold:
        out.append(q)
        q = q.previous()
    return out


def rating_growths(
    pairs: Iterable[tuple[int, dt.date]], *, months_after: int = DEFAULT_MONTHS_AFTER, as_of: dt.date | None = None,
) -> dict[tuple[int, dt.date], Growth]:
    """Rating growth for each (mentee id, plan start); pairs without both ratings are left out.
    Two queries (``period_ratings``) for any number of pairs."""
    as_of = as_of or dt.date.today()
    pairs = list(dict.fromkeys(pairs))
    plan: dict[tuple[int, dt.date], tuple[str, list[str]]] = {}
    keys: set[str] = set()
    for mentee_id, start in pairs:
        after = [q.key for q in _after_quarters(start, months_after, as_of)]
        if not after:
            continue
        before = _before_quarter(start).key
        plan[(mentee_id, start)] = (before, after)
        keys.add(before)
        keys.update(after)
    if not plan:
        return {}
    ratings = period_ratings(sorted({m for m, _s in plan}), sorted(keys))
    out: dict[tuple[int, dt.date], Growth] = {}
    for (mentee_id, start), (before_key, after_keys) in plan.items():
        before = ratings.get((mentee_id, before_key))
        if before is None:
            continue
        for key in after_keys:
            after = ratings.get((mentee_id, key))
            if after is not None:
                out[(mentee_id, start)] = _make(before_key, before, key, after)
                break
    return out


def rating_growth(mentee_id: int, plan_start: dt.date, *, months_after: int = DEFAULT_MONTHS_AFTER,
                  as_of: dt.date | None = None) -> Growth | None:
    """Rating growth of one mentee for a plan that started on ``plan_start`` (None: not enough data)."""
    return rating_growths([(mentee_id, plan_start)], months_after=months_after, as_of=as_of).get(
        (mentee_id, plan_start))


def skill_growths(plan_ids: Iterable[int]) -> dict[int, Growth]:
    """First against latest skill assessment of each plan (plans with fewer than two are left out).
    One query."""
    firsts: dict[int, tuple[dt.date, Decimal]] = {}
    lasts: dict[int, tuple[dt.date, Decimal]] = {}
    counts: dict[int, int] = {}
    ids = list(plan_ids)
    if not ids:
        return {}
    rows = (SkillAssessment.objects.filter(plan_id__in=ids).order_by("plan_id", "assessed_on", "id")
            .values_list("plan_id", "assessed_on", "score"))
    for plan_id, day, score in rows:
        firsts.setdefault(plan_id, (day, score))
        lasts[plan_id] = (day, score)
        counts[plan_id] = counts.get(plan_id, 0) + 1
    out: dict[int, Growth] = {}
    for plan_id, (day0, s0) in firsts.items():
        if counts[plan_id] < 2:
            continue
        day1, s1 = lasts[plan_id]
        out[plan_id] = _make(day0.isoformat(), s0, day1.isoformat(), s1)
    return out


def skill_growth(plan_id: int) -> Growth | None:
    return skill_growths([plan_id]).get(plan_id)
