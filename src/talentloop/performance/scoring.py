"""The scoring arithmetic, in Decimal, with no database access.

Contract (see the performance issue):
- a metric's score is target attainment: 100 × actual / target when higher is better,
  100 × target / actual when lower is better (an actual of 0 scores the cap); a lower-is-better
  metric whose target is 0 names a tolerance and scores 100 at 0 falling linearly to 0 at the
  tolerance; every score is capped at 120 and never below 0;
- a dimension's score is the weighted mean of its parts, the total the weighted mean of the
  dimensions; a part with no data is missing and its weight is spread over the others in
  proportion;
- rating = 1 + 4 × (min(max(total, 40), 120) − 40) / 80, computed from the total rounded half up
  to 2 decimals, and itself rounded half up to 1 decimal; a qualitative rating r counts as
  40 + 20 × (r − 1).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

ZERO = Decimal(0)
HUNDRED = Decimal(100)
CAP = Decimal(120)
FLOOR = Decimal(40)
TWO_PLACES = Decimal("0.01")
ONE_PLACE = Decimal("0.1")


def d(value) -> Decimal:
    return value if isinstance(value, Decimal) else Decimal(str(value))


def round2(value: Decimal) -> Decimal:
    return value.quantize(TWO_PLACES, rounding=ROUND_HALF_UP)


def round1(value: Decimal) -> Decimal:
    return value.quantize(ONE_PLACE, rounding=ROUND_HALF_UP)


def clamp(value: Decimal, low: Decimal = ZERO, high: Decimal = CAP) -> Decimal:
    return max(low, min(high, value))


def attainment(
    actual: Decimal, target: Decimal, *, higher_is_better: bool, tolerance: Decimal | None = None,
    cap: Decimal = CAP,
) -> Decimal:
    """Score of one metric against its target, 0…cap (not rounded)."""
    actual, target = d(actual), d(target)
    if higher_is_better:
        if target <= 0:
            raise ValueError("a higher-is-better target must be positive")
        return clamp(HUNDRED * actual / target, ZERO, cap)
    if target == 0:
        if tolerance is None or d(tolerance) <= 0:
            raise ValueError("a lower-is-better metric with target 0 needs a positive tolerance")
        tol = d(tolerance)
        return clamp(HUNDRED * (tol - actual) / tol, ZERO, cap)
    if actual <= 0:
        return cap
    return clamp(HUNDRED * target / actual, ZERO, cap)


def rating_from_total(total: Decimal) -> Decimal:
    """1–5 rating from a total score: 40 → 1.0, 60 → 2.0, 80 → 3.0, 100 → 4.0, 120 → 5.0."""
    t = clamp(round2(d(total)), FLOOR, CAP)
    return round1(1 + 4 * (t - FLOOR) / 80)


def total_from_rating(rating: Decimal) -> Decimal:
    """The inverse mapping: a qualitative rating r counts as 40 + 20 × (r − 1)."""
    r = d(rating)
    if r < 1 or r > 5:
        raise ValueError("ratings are between 1 and 5")
    return FLOOR + 20 * (r - 1)


@dataclass
class Part:
    key: str
    weight: Decimal
    score: Decimal | None  # None: missing (no data)
    effective_weight: Decimal = ZERO

    @property
    def missing(self) -> bool:
        return self.score is None


def weighted_mean(parts: Sequence[Part]) -> Decimal | None:
    """Weighted mean of the parts that have data; sets each part's effective weight (percent).

    Missing parts get effective weight 0 and their weight is spread over the others in proportion.
    Returns None when every part is missing.
    """
    present = [p for p in parts if p.score is not None and p.weight > 0]
    total_weight = sum((p.weight for p in present), ZERO)
    for p in parts:
        p.effective_weight = ZERO
    if not present or total_weight == 0:
        return None
    all_weight = sum((p.weight for p in parts), ZERO) or total_weight
    for p in present:
        p.effective_weight = p.weight * all_weight / total_weight
    return sum((p.score * p.weight for p in present), ZERO) / total_weight  # type: ignore[operator]  # present: scored


def mean(values: Iterable[Decimal]) -> Decimal | None:
    vals = list(values)
    if not vals:
        return None
    return sum(vals, ZERO) / len(vals)


def growth(before: Decimal, after: Decimal) -> Decimal:
    """Relative growth in percent, rounded half up to one decimal: 3.5 → 4.2 is 20.0."""
    before, after = d(before), d(after)
    if before == 0:
        raise ValueError("growth from zero is undefined")
    return round1(HUNDRED * (after - before) / before)
