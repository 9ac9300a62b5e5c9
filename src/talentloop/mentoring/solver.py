"""The cohort assignment: mentees to mentors, maximising the total pair score under capacities.

The only place NumPy and SciPy are used. Each mentor is expanded into as many identical columns as
they have free places, so a capacity becomes "one mentee per column" and the problem is the
classic rectangular assignment problem, solved exactly by ``scipy.optimize.linear_sum_assignment``
(a shortest augmenting path method, O(n³)). A pair that breaks a constraint gets a prohibitive
cost: larger than the whole score any assignment can reach, so the solver uses such a cell only
when a mentee can be placed nowhere else; those cells are rejected after solving and the mentee is
reported as not placed. The prohibitive cost therefore also makes the solver place as many mentees
as possible before it maximises their total score.

Reasons for a mentee that is not placed:

- ``no_eligible_mentor``: every mentor breaks a constraint for this mentee (or none has a free place);
- ``no_free_place``: eligible mentors exist, but their free places went to other mentees with whom
  the total score is higher.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

NO_ELIGIBLE_MENTOR = "no_eligible_mentor"
NO_FREE_PLACE = "no_free_place"


@dataclass(frozen=True)
class Placement:
    mentee: int  # row index
    mentor: int | None  # column index of the mentor, None when not placed
    score: Decimal | None
    reason: str = ""


def _check(scores: Sequence[Sequence[Decimal | None]], free: Sequence[int]) -> None:
    for row in scores:
        if len(row) != len(free):
            raise ValueError("every row of scores needs one entry per mentor")
    if any(f < 0 for f in free):
        raise ValueError("free places cannot be negative")


def _unplaced_reason(row: Sequence[Decimal | None], free: Sequence[int]) -> str:
    eligible = any(s is not None and f > 0 for s, f in zip(row, free, strict=True))
    return NO_FREE_PLACE if eligible else NO_ELIGIBLE_MENTOR


def assign(scores: Sequence[Sequence[Decimal | None]], free: Sequence[int]) -> list[Placement]:
    """The optimal placement of every mentee (row) on mentors (columns).

    ``scores[i][j]`` is the pair score (higher is better, 0–100), or None when the pair breaks a
    constraint; ``free[j]`` is the number of free places of mentor ``j``. One placement per mentee,
    in row order."""
    # Heavy imports (about 0.4 s and 65 MB per process), loaded only when a matching run solves:
    # the web workers that never run one do not pay for them.
    import numpy as np
    from scipy.optimize import linear_sum_assignment  # heavy, see above

    _check(scores, free)
    n = len(scores)
    columns = [j for j, f in enumerate(free) for _ in range(f)]
    if n == 0:
        return []
    if not columns:
        return [Placement(i, None, None, _unplaced_reason(scores[i], free)) for i in range(n)]
    mentor_cols = np.asarray(columns, dtype=np.intp)
    # Scores per mentor as floats (the solver's domain); NaN marks an infeasible pair.
    per_mentor = np.array([[np.nan if s is None else float(s) for s in row] for row in scores], dtype=np.float64)
    feasible = ~np.isnan(per_mentor)
    best = float(np.nanmax(np.abs(per_mentor))) if feasible.any() else 0.0
    prohibitive = (best + 1.0) * (n + 1) * 10.0
    cost_per_mentor = np.where(feasible, -np.nan_to_num(per_mentor), prohibitive)
    cost = cost_per_mentor[:, mentor_cols]
    rows, cols = linear_sum_assignment(cost)
    placed: dict[int, int] = {}
    for r, c in zip(rows.tolist(), cols.tolist(), strict=True):
        j = columns[c]
        if feasible[r, j]:
            placed[r] = j
    out = []
    for i in range(n):
        j = placed.get(i)
        if j is None:
            out.append(Placement(i, None, None, _unplaced_reason(scores[i], free)))
        else:
            out.append(Placement(i, j, scores[i][j]))
    return out


def greedy(scores: Sequence[Sequence[Decimal | None]], free: Sequence[int]) -> list[Placement]:
    """The obvious heuristic — take the best remaining pair, again and again — kept as a reference
    for tests and for a run's summary: it is not optimal (see ``test_matching``)."""
    import numpy as np  # heavy, loaded only when a matching run solves (see assign)

    _check(scores, free)
    n = len(scores)
    left = list(free)
    placed: dict[int, int] = {}
    if n and len(free):
        values = np.array([[np.nan if s is None else float(s) for s in row] for row in scores], dtype=np.float64)
        flat = values.ravel()
        order = np.argsort(-np.nan_to_num(flat, nan=-np.inf), kind="stable")  # ties: row, then column order
        width = values.shape[1]
        places = sum(left)
        for k in order.tolist():
            if np.isnan(flat[k]):
                break
            i, j = divmod(k, width)
            if i in placed or left[j] <= 0:
                continue
            placed[i] = j
            left[j] -= 1
            if len(placed) == n or len(placed) == places:
                break
    return [Placement(i, placed[i], scores[i][placed[i]]) if i in placed
            else Placement(i, None, None, _unplaced_reason(scores[i], free)) for i in range(n)]


def total(placements: Sequence[Placement]) -> Decimal:
    return sum((p.score for p in placements if p.score is not None), Decimal(0))
