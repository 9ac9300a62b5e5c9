"""The arithmetic of mentor effectiveness and of matching, in Decimal, with no database access.

Contract (issue 4, "Effectiveness, measured" and "Matching"):

- **share of the possible gain** of one mentee: ``(after − before) / (ceiling − before)`` — the
  ceiling is 5 for ratings and 100 for skill scores — clamped to −100 %…+100 % and mapped linearly
  to 0–100 (−100 % → 0, no change → 50, +100 % → 100). A mentee already at the ceiling before the
  plan has no possible gain and is left out of that input, so mentors of strong mentees are not
  penalised;
- **counts and hours** enter as the percentile rank among mentors: ``(below + ½ · equal) / n × 100``
  with ``equal`` counting the mentor's own value (the textbook definition, so ties share a rank and a
  single mentor sits at 50);
- **shares and survey rates** (promoted, top decile, on time, content fits, problems solved) enter
  as they are, in percent; a survey rate over fewer than ``MIN_ANSWERS`` answers is missing;
- the **composite** is the weighted mean of the inputs that have a value; a missing input's weight is
  spread over the others in proportion (so no single survey answer can be inferred from how the
  composite moves), rounded half up to one decimal.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

ZERO = Decimal(0)
ONE = Decimal(1)
FIFTY = Decimal(50)
HUNDRED = Decimal(100)
RATING_CEILING = Decimal(5)
SKILL_CEILING = Decimal(100)
ONE_PLACE = Decimal("0.1")
# Survey confidentiality: no aggregate of fewer answers is ever shown or used. Not configurable
# downwards; HR may only raise it.
MIN_ANSWERS = 3

# The inputs of the composite score, in the order pages and the API list them.
GROWTH_RATING = "growth_rating"
GROWTH_SKILL = "growth_skill"
MENTEES = "mentees"
HOURS = "hours"
PROMOTED = "promoted"
TOP_DECILE = "top_decile"
SURVEY_ON_TIME = "survey_on_time"
SURVEY_FIT = "survey_fit"
SURVEY_SOLVED = "survey_solved"
INPUT_KEYS = (GROWTH_RATING, GROWTH_SKILL, MENTEES, HOURS, PROMOTED, TOP_DECILE, SURVEY_ON_TIME, SURVEY_FIT,
              SURVEY_SOLVED)
SURVEY_KEYS = (SURVEY_ON_TIME, SURVEY_FIT, SURVEY_SOLVED)
PERCENTILE_KEYS = (MENTEES, HOURS)

# The inputs of a pair's matching score.
MATCH_NEEDS = "needs"
MATCH_EFFECTIVENESS = "effectiveness"
MATCH_CAPACITY = "capacity"
MATCH_KEYS = (MATCH_NEEDS, MATCH_EFFECTIVENESS, MATCH_CAPACITY)


def d(value) -> Decimal:
    return value if isinstance(value, Decimal) else Decimal(str(value))


def round1(value: Decimal) -> Decimal:
    return value.quantize(ONE_PLACE, rounding=ROUND_HALF_UP)


def clamp(value: Decimal, low: Decimal, high: Decimal) -> Decimal:
    return max(low, min(high, value))


def gain_share(before, after, ceiling) -> Decimal | None:
    """The share of the possible gain, −1…+1 (not rounded); None at (or above) the ceiling."""
    if before is None or after is None:
        return None
    before, after, ceiling = d(before), d(after), d(ceiling)
    room = ceiling - before
    if room <= 0:
        return None
    return clamp((after - before) / room, -ONE, ONE)


def gain_points(share: Decimal) -> Decimal:
    """Map a share of the possible gain (−1…+1) linearly onto 0–100."""
    return FIFTY + FIFTY * clamp(d(share), -ONE, ONE)


def mean(values: Iterable[Decimal]) -> Decimal | None:
    vals = [d(v) for v in values]
    if not vals:
        return None
    return sum(vals, ZERO) / len(vals)


def growth_input(pairs: Iterable[tuple], ceiling) -> tuple[Decimal | None, int, int]:
    """The growth input of one mentor: the mean of the mentees' gain points.

    ``pairs`` are ``(before, after)`` per mentee (None where there is no data). Returns
    ``(points or None, mentees counted, mentees left out at the ceiling)``."""
    points: list[Decimal] = []
    at_ceiling = 0
    for before, after in pairs:
        if before is None or after is None:
            continue
        share = gain_share(before, after, ceiling)
        if share is None:
            at_ceiling += 1
            continue
        points.append(gain_points(share))
    avg = mean(points)
    return avg, len(points), at_ceiling


def percentile_ranks(values: Mapping) -> dict:
    """Percentile rank of each value among all of them: ``(below + ½ · equal) / n × 100``.

    ``values`` maps a key (a mentor) to a number; one sort, so it scales to any number of mentors."""
    n = len(values)
    if n == 0:
        return {}
    ordered = sorted(d(v) for v in values.values())
    # first index and count of each distinct value in the sorted list
    first: dict[Decimal, int] = {}
    count: dict[Decimal, int] = {}
    for i, v in enumerate(ordered):
        first.setdefault(v, i)
        count[v] = count.get(v, 0) + 1
    total = Decimal(n)
    out = {}
    for key, v in values.items():
        v = d(v)
        out[key] = HUNDRED * (Decimal(first[v]) + Decimal(count[v]) / 2) / total
    return out


def rate(yes: int, answers: int, minimum: int = MIN_ANSWERS) -> Decimal | None:
    """A survey rate in percent (not rounded), or None below the confidentiality minimum."""
    if answers < max(minimum, MIN_ANSWERS) or answers <= 0:
        return None
    return HUNDRED * Decimal(yes) / Decimal(answers)


def share_pct(part: int, whole: int) -> Decimal | None:
    if whole <= 0:
        return None
    return HUNDRED * Decimal(part) / Decimal(whole)


@dataclass
class Input:
    key: str
    weight: Decimal
    value: Decimal | None  # 0–100, None: missing
    effective_weight: Decimal = ZERO

    @property
    def missing(self) -> bool:
        return self.value is None


@dataclass
class Composite:
    score: Decimal | None
    inputs: list[Input] = field(default_factory=list)


def composite(values: Mapping[str, Decimal | None], weights: Mapping[str, Decimal],
              keys: Sequence[str] = INPUT_KEYS) -> Composite:
    """The weighted mean of the present inputs, rounded half up to one decimal.

    Each input's ``effective_weight`` (percent of the whole) shows where a missing input's weight
    went: the weights of the present inputs are scaled up in proportion so they add up to the total
    of all weights. Worked example: weights 50/30/20, the 30-weight input missing → effective
    weights 71.4/0/28.6."""
    inputs = [Input(k, d(weights.get(k, ZERO)), None if values.get(k) is None else d(values[k])) for k in keys]
    present = [i for i in inputs if i.value is not None and i.weight > 0]
    present_weight = sum((i.weight for i in present), ZERO)
    all_weight = sum((i.weight for i in inputs), ZERO)
    if not present or present_weight == 0:
        return Composite(None, inputs)
    for i in present:
        i.effective_weight = round1(HUNDRED * i.weight / present_weight) if all_weight else ZERO
    total = sum((i.value * i.weight for i in present), ZERO) / present_weight  # type: ignore[operator]
    return Composite(round1(clamp(total, ZERO, HUNDRED)), inputs)


# ---------------------------------------------------------------- matching


def normalise_tag(tag: str) -> str:
    """Tags compare case- and space-insensitively: "Team Management" == "team-management"."""
    return "-".join(str(tag).strip().lower().replace("_", " ").replace("-", " ").split())


def prepare_needs(needs: Iterable) -> list[tuple[str, frozenset[str]]]:
    """Needs as ``(label, normalised names)``, duplicates (by any name) dropped. A need is a tag, or
    ``(label, aliases)`` when it goes by several names (a performance dimension's key and name)."""
    seen: set[str] = set()
    out: list[tuple[str, frozenset[str]]] = []
    for need in needs:
        label, aliases = (need, (need,)) if isinstance(need, str) else need
        keys = {normalise_tag(a) for a in aliases} | {normalise_tag(label)}
        keys.discard("")
        if not keys or keys & seen:
            continue
        seen |= keys
        out.append((str(label), frozenset(keys)))
    return out


def prepared_coverage(needs: list[tuple[str, frozenset[str]]], strengths: set[str]) -> tuple[Decimal | None,
                                                                                                list[str]]:
    """``needs_coverage`` over prepared needs and already normalised strengths."""
    if not needs:
        return None, []
    covered = [label for label, keys in needs if not keys.isdisjoint(strengths)]
    return HUNDRED * Decimal(len(covered)) / Decimal(len(needs)), covered


def needs_coverage(needs: Iterable, strengths: Iterable[str]) -> tuple[Decimal | None, list[str]]:
    """Share (0–100) of the mentee's needs the mentor's strengths cover, and which ones; a need is
    covered when any of its names is among the strengths. None when the mentee has no recorded
    need (the input is then left out of the pair score)."""
    return prepared_coverage(prepare_needs(needs), {normalise_tag(s) for s in strengths})


def capacity_points(free: int, capacity: int) -> Decimal:
    if capacity <= 0:
        return ZERO
    return HUNDRED * Decimal(max(0, free)) / Decimal(capacity)


@dataclass(frozen=True)
class MentorSide:
    """The part of a pair score that depends on the mentor only, computed once per mentor so that a
    cohort of 500 × 300 pairs costs one addition and one division per pair."""

    weighted: Decimal  # Σ weight × value over the mentor-side inputs that have a value
    weight: Decimal  # Σ weight over them
    effectiveness: Decimal | None
    capacity_points: Decimal


def mentor_side(*, effectiveness: Decimal | None, free: int, capacity: int,
                weights: Mapping[str, Decimal]) -> MentorSide:
    cap = capacity_points(free, capacity)
    w_cap = d(weights.get(MATCH_CAPACITY, ZERO))
    weighted, weight = cap * w_cap, w_cap
    if effectiveness is not None:
        w_eff = d(weights.get(MATCH_EFFECTIVENESS, ZERO))
        weighted += d(effectiveness) * w_eff
        weight += w_eff
    return MentorSide(weighted, weight, None if effectiveness is None else d(effectiveness), cap)


def pair_points(coverage: Decimal | None, side: MentorSide, weights: Mapping[str, Decimal]) -> Decimal:
    """The score of one mentee–mentor pair, 0–100, rounded half up to one decimal: the weighted mean
    of needs covered, the mentor's effectiveness and spare capacity; a missing input (no recorded
    need, a mentor not yet rated) spreads its weight over the others. Equals
    ``composite(pair_inputs(...)).score``, which pages use to explain it."""
    weighted, weight = side.weighted, side.weight
    if coverage is not None:
        w_needs = d(weights.get(MATCH_NEEDS, ZERO))
        weighted += coverage * w_needs
        weight += w_needs
    if weight <= 0:
        return ZERO
    return round1(clamp(weighted / weight, ZERO, HUNDRED))


def pair_inputs(coverage: Decimal | None, side: MentorSide) -> dict[str, Decimal | None]:
    return {MATCH_NEEDS: coverage, MATCH_EFFECTIVENESS: side.effectiveness, MATCH_CAPACITY: side.capacity_points}
