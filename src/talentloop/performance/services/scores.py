"""Recomputing scores from observations and ratings — set-based, for one person or everybody.

A recomputation reads facts with a handful of aggregate queries, computes every score in memory
with Decimal arithmetic, and upserts the Score rows in bulk. Final ratings (decisions) live in
another table and are never touched here. Closed periods are left as they are.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import time
import zlib
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from functools import lru_cache, partial
from operator import add, mul
from typing import Any, cast

from django.core.exceptions import EmptyResultSet
from django.db import connection, transaction
from django.db.models import Avg, Count, Q, QuerySet, Sum
from django.utils import timezone
from django.utils.translation import get_language

from talentloop.core import cache, db, forked
from talentloop.organisation.models import Employee, EmploymentEvent, EventKind, OrgUnit
from talentloop.performance import periods as P
from talentloop.performance import scoring as S
from talentloop.performance.models import (
    Aggregation,
    Dimension,
    DimensionMetric,
    Metric,
    Observation,
    PeriodState,
    QualitativeRating,
    Score,
    Scorecard,
    ScorecardVersion,
    ScoreError,
    ScoringRule,
)

logger = logging.getLogger(__name__)

PRORATED = {Aggregation.SUM, Aggregation.COUNT}
BATCH = 2000
COPY_FROM = 200  # rows from which PostgreSQL streams scores through COPY
FORK_FROM = 4000  # people from whom a recomputation computes half of them on the other core
SIX_PLACES = Decimal("0.000001")


# ---------------------------------------------------------------- scorecard resolution


@dataclass
class CardVersion:
    version_id: int
    scorecard_id: int
    dimensions: list[Dimension]
    parts: dict[int, list[DimensionMetric]]  # dimension id -> metric parts
    labels: dict[str, str] = field(default_factory=dict)  # "d<id>" / "m<id>" -> name in the active language


def _load_cards(period: P.Period) -> tuple[list[Scorecard], dict[int, CardVersion]]:
    """Active scorecards and, for each, the version valid at the period's start: configuration, kept in
    the shared cache under the "performance" name (every model read here is registered under it), so
    a small recomputation (a batch of observations for a few people) does not read every scorecard
    again. The labels are in the active language, which is in the key. Callers only read the result."""
    return cache.cached(("performance.cards", period.start.isoformat(), get_language()),
                        partial(_read_cards, period), depends=("performance",))


def _unit_paths() -> dict[int, str]:
    """Every org unit's path (the scorecard of a person is chosen by it), kept like the scorecards."""
    return cache.cached(("performance.unit_paths",), lambda: dict(OrgUnit.objects.values_list("id", "path")),
                        depends=("performance",))


def _read_cards(period: P.Period) -> tuple[list[Scorecard], dict[int, CardVersion]]:
    cards = list(Scorecard.objects.filter(is_active=True).select_related("org_unit"))
    versions = list(ScorecardVersion.objects.filter(scorecard__in=cards, valid_from__lte=period.start)
                    .order_by("scorecard_id", "-valid_from"))
    chosen: dict[int, ScorecardVersion] = {}
    for v in versions:
        chosen.setdefault(v.scorecard_id, v)
    dims = list(Dimension.objects.filter(version__in=chosen.values()).order_by("order", "id"))
    parts = list(DimensionMetric.objects.filter(dimension__in=dims).select_related("metric",
                 "metric__numerator", "metric__denominator").order_by("id"))
    by_dim: dict[int, list[DimensionMetric]] = defaultdict(list)
    for p in parts:
        by_dim[p.dimension_id].append(p)
    by_version: dict[int, list[Dimension]] = defaultdict(list)
    for dim in dims:
        by_version[dim.version_id].append(dim)
    out = {}
    for card_id, v in chosen.items():
        ds = by_version.get(v.pk, [])
        labels = {f"d{d.pk}": d.label for d in ds}
        labels.update({f"m{p.metric_id}": p.metric.label for d in ds for p in by_dim.get(d.pk, [])})
        out[card_id] = CardVersion(v.pk, card_id, ds, {d.pk: by_dim.get(d.pk, []) for d in ds}, labels)
    return [c for c in cards if c.pk in out], out


def resolve_scorecard(cards: list[Scorecard], unit_path: str, job_family_id: int | None) -> Scorecard | None:
    """The deepest org unit wins (none = the whole organisation), then a job-family match."""
    best, best_key = None, None
    for card in cards:
        if card.job_family_id is not None and card.job_family_id != job_family_id:
            continue
        if card.org_unit is not None and not unit_path.startswith(card.org_unit.path):
            continue
        depth = card.org_unit.depth if card.org_unit is not None else -1
        key = (depth, 1 if card.job_family_id is not None else 0)
        if best_key is None or key > best_key:
            best, best_key = card, key
    return best


# ---------------------------------------------------------------- facts for a period


@dataclass
class Presence:
    days: int
    partial: bool


def _presence(period: P.Period, people: list[dict], events: dict[int, list[tuple]]) -> dict[int, Presence]:
    """Calendar days each person counts in the period: after hire, before leaving, since a transfer,
    and not on leave."""
    out = {}
    for p in people:
        start = max(period.start, p["hire_date"])
        end = period.end
        if p["termination_date"] is not None:
            end = min(end, p["termination_date"] + dt.timedelta(days=1))
        leave_from = None
        leave_days = 0
        for kind, day in events.get(p["id"], []):
            if kind == EventKind.TRANSFER and period.start < day < period.end:
                start = max(start, day)
            elif kind == EventKind.LEAVE:
                leave_from = day
            elif kind == EventKind.RETURN and leave_from is not None:
                lo, hi = max(leave_from, start), min(day, end)
                leave_days += max(0, (hi - lo).days)
                leave_from = None
        if leave_from is not None:
            lo = max(leave_from, start)
            leave_days += max(0, (end - lo).days)
        days = max(0, (end - start).days - leave_days)
        out[p["id"]] = Presence(days=days, partial=days < period.days)
    return out


def _raw(qs: QuerySet) -> Iterator[tuple[Any, ...]]:
    """Run a queryset's SQL and return raw rows: Django builds the portable SQL, and skipping the
    per-value converters keeps a million-row aggregation fast."""
    try:
        sql, params = qs.query.sql_with_params()
    except EmptyResultSet:  # e.g. no metric in use: nothing to read
        return
    with connection.cursor() as cur:
        cur.execute(sql, params)
        while True:
            rows = cur.fetchmany(BATCH * 5)
            if not rows:
                return
            yield from rows


def _dec(value: Any) -> Decimal | None:
    """A raw SQL number as Decimal (SQLite answers floats; PostgreSQL answers Decimals)."""
    if value is None:
        return None
    if isinstance(value, Decimal):
        return value
    return Decimal(repr(value)).quantize(SIX_PLACES)


@lru_cache(maxsize=1 << 16)
def _float_dec(value: float) -> Decimal:
    """``_dec`` of a float, remembered: the same figures come back again and again in a recomputation."""
    return Decimal(repr(value)).quantize(SIX_PLACES)


def _aggregates(period: P.Period, employee_ids: list[int] | None, metrics: list[Metric]
                ) -> dict[tuple[int, int], tuple]:
    """(employee, metric) -> (employee, metric, sum, avg, count[, last]) over current observations of
    the period: the database rows as they come (a million of them for 100,000 people), with the
    last value appended for metrics that aggregate to their last value. (``metric_actual`` takes
    the same figures as a dict, for callers that build their own.)"""
    base = Observation.objects.filter(is_current=True, employee__isnull=False,
                                      occurred_on__gte=period.start, occurred_on__lt=period.end,
                                      metric__in=[m.pk for m in metrics])
    if employee_ids is not None:
        base = base.filter(employee_id__in=employee_ids)
    out: dict[tuple[int, int], tuple] = {}
    grouped = (base.order_by().values("employee_id", "metric_id")
               .annotate(s=Sum("value"), a=Avg("value"), c=Count("id")).values_list("employee_id", "metric_id", "s",
                                                                                      "a", "c"))
    for row in _raw(grouped):
        out[row[0], row[1]] = row
    last_metrics = [m.pk for m in metrics if m.aggregation == Aggregation.LAST]
    if last_metrics and out:
        # The value at the latest occurred_at of each (person, metric); ties go to the newest row.
        q = (base.filter(metric_id__in=last_metrics).order_by("employee_id", "metric_id", "occurred_at", "id")
             .values_list("employee_id", "metric_id", "value"))
        for emp, met, value in _raw(q):
            out[emp, met] = out[emp, met][:5] + (value,)
    return out


def _ratings(period: P.Period, employee_ids: list[int] | None) -> dict[int, dict[str, dict[str, Decimal]]]:
    """employee -> dimension key -> rater kind -> mean rating of reviews covering the period."""
    qs = QualitativeRating.objects.filter(covers_start__lt=period.end, covers_end__gt=period.start)
    if employee_ids is not None:
        qs = qs.filter(employee_id__in=employee_ids)
    out: dict[int, dict[str, dict[str, Decimal]]] = defaultdict(lambda: defaultdict(dict))
    for emp, key, kind, mean in (qs.values("employee_id", "dimension_key", "rater_kind").annotate(m=Avg("rating"))
                                 .values_list("employee_id", "dimension_key", "rater_kind", "m")):
        out[emp][key][kind] = S.d(mean)
    return out


# ---------------------------------------------------------------- computing one person


def metric_actual(metric: Metric, agg: dict[tuple[int, int], dict], emp: int) -> tuple[Decimal | None, int]:
    """The period value of a metric for a person, and how many observations made it."""
    if metric.aggregation == Aggregation.RATIO:
        num = agg.get((emp, metric.numerator_id)) if metric.numerator_id else None
        den = agg.get((emp, metric.denominator_id)) if metric.denominator_id else None
        if not num or not den or not den["sum"]:
            return None, (num or {}).get("count", 0) + (den or {}).get("count", 0)
        # Both rows are present with a non-zero denominator (checked above), so both sums are numbers.
        numerator, denominator = cast(Decimal, _dec(num["sum"])), cast(Decimal, _dec(den["sum"]))
        return numerator * S.d(metric.ratio_scale) / denominator, num["count"] + den["count"]
    entry = agg.get((emp, metric.pk))
    if not entry:
        if metric.aggregation == Aggregation.COUNT:
            return None, 0
        return None, 0
    aggregation = metric.aggregation
    if aggregation == Aggregation.COUNT:
        return Decimal(entry["count"]), entry["count"]
    value = entry["sum"] if aggregation == Aggregation.SUM else entry["avg"] if aggregation == Aggregation.AVG \
        else entry.get("last")
    return _dec(value), entry["count"]


def metric_score(metric: Metric, actual: Decimal, target: Decimal, tolerance: Decimal | None) -> Decimal:
    if metric.scoring_rule == ScoringRule.BINARY:
        met = actual >= target if metric.higher_is_better else actual <= target
        return S.HUNDRED if met else S.ZERO
    if metric.scoring_rule == ScoringRule.LINEAR and metric.zero_point is not None:
        zero = S.d(metric.zero_point)
        if target == zero:
            return S.HUNDRED
        return S.clamp(S.HUNDRED * (actual - zero) / (target - zero))
    return S.attainment(actual, target, higher_is_better=metric.higher_is_better, tolerance=tolerance)


# Aggregate rows are (employee, metric, sum, avg, count[, last]).
_VALUE_AT: dict[str, int] = {Aggregation.SUM: 2, Aggregation.AVG: 3, Aggregation.LAST: 5, Aggregation.RATIO: -1,
                             Aggregation.COUNT: -2}


@dataclass(slots=True)
class _MetricPart:
    """One metric of a dimension with everything a person's score needs, looked up once per version."""

    metric: Metric
    metric_id: int
    key: str
    key_json: str  # the key as JSON, for ``metric_scores``
    higher: bool
    value_at: int  # where the period value is in an aggregate row: 2 sum, 3 average, 5 last; -1 ratio, -2 count
    numerator_id: int | None
    denominator_id: int | None
    ratio_scale: Decimal
    attainment_rule: bool  # the default rule (also the linear rule without a zero point)
    prorated: bool
    target: Decimal  # per month
    tolerance: Decimal | None
    weight: Decimal
    # The metric's explanation as JSON, a %-template of actual, target, score, count and missing
    # that ends with '"effective_weight":' (known once the dimension is complete).
    template: str
    targets: dict = field(default_factory=dict)  # (months, days present, period days) -> (target, JSON)


@dataclass(slots=True)
class _DimPlan:
    dim: Dimension
    key: str
    weight: Decimal
    template: str  # the dimension's JSON up to its metrics: %-template of score and missing
    parts: list[_MetricPart]
    rated: bool
    ratings_weight: Decimal
    ratings_template: str  # the ratings part's JSON: %-template of the ratings given, score and missing
    rater_weights: list[Decimal]  # manager, peer, self
    weights: list[Decimal]  # of the parts, ratings last
    all_weight: Decimal  # their sum
    positive: bool  # every weight above 0
    effective: dict = field(default_factory=dict)  # present mask -> effective weights as JSON
    all_present: list[str] = field(default_factory=list)  # the same when nothing is missing
    rated_cache: dict = field(default_factory=dict)  # the ratings given (manager, peer, self) -> their score


def _compiled(card: CardVersion) -> list[_DimPlan]:
    plan = card.__dict__.get("_compiled")
    if plan is not None:
        return plan
    plan = []
    for dim in card.dimensions:
        parts = []
        for part in card.parts.get(dim.pk, []):
            metric = part.metric
            rule = metric.scoring_rule
            head = {"key": metric.key, "name": card.labels[f"m{metric.pk}"], "unit": metric.unit,
                    "direction": metric.direction}
            parts.append(_MetricPart(
                metric=metric, metric_id=metric.pk, key=metric.key, key_json=_dumps(metric.key),
                higher=metric.higher_is_better,
                value_at=_VALUE_AT.get(metric.aggregation, 5), numerator_id=metric.numerator_id,
                denominator_id=metric.denominator_id, ratio_scale=S.d(metric.ratio_scale),
                attainment_rule=rule == ScoringRule.ATTAINMENT or (rule == ScoringRule.LINEAR
                                                                   and metric.zero_point is None),
                prorated=metric.aggregation in PRORATED, target=S.d(part.target), tolerance=part.tolerance,
                weight=S.d(part.weight),
                template=(_dumps(head)[:-1].replace("%", "%%") + ',"actual":%s,"target":%s,"weight":'
                          + _dumps(str(part.weight)).replace("%", "%%")
                          + ',"score":%s,"observation_count":%d,"missing":%s,"effective_weight":')))
        rated = dim.ratings_weight > 0
        weights = [p.weight for p in parts] + ([S.d(dim.ratings_weight)] if rated else [])
        head = {"key": dim.key, "name": card.labels[f"d{dim.pk}"], "weight": str(dim.weight)}
        plan.append(_DimPlan(
            dim=dim, key=dim.key, weight=S.d(dim.weight),
            template=_dumps(head)[:-1].replace("%", "%%") + ',"score":%s,"missing":%s,"metrics":[',
            parts=parts, rated=rated, ratings_weight=S.d(dim.ratings_weight),
            ratings_template=('{"key":"ratings","name":"","ratings":{%s},"weight":'
                              + _dumps(str(dim.ratings_weight)).replace("%", "%%")
                              + ',"score":%s,"missing":%s,"observation_count":0,"actual":null,"target":null,'
                                '"effective_weight":'),
            rater_weights=[S.d(dim.manager_weight), S.d(dim.peer_weight), S.d(dim.self_weight)], weights=weights,
            all_weight=sum(weights, S.ZERO), positive=all(w > 0 for w in weights)))
        plan[-1].all_present = _effective_strings(plan[-1].effective, weights, [S.HUNDRED] * len(weights))
    card.__dict__["_compiled"] = plan
    card.__dict__["_dim_weights"] = weights = [d.weight for d in plan]
    card.__dict__["_dim_all_weight"] = sum(weights, S.ZERO)
    card.__dict__["_dim_positive"] = all(w > 0 for w in weights)
    card.__dict__["_dim_effective"] = {}
    return plan


def _weighted(weights: list[Decimal], scores: list) -> tuple[Decimal | None, list[Decimal]]:
    """``scoring.weighted_mean`` on plain lists, the same arithmetic in the same order: the mean
    (None when every part is missing) and the effective weights."""
    present = [i for i, s in enumerate(scores) if s is not None and weights[i] > 0]
    if not present:
        return None, [S.ZERO] * len(weights)
    total_weight = sum((weights[i] for i in present), S.ZERO)
    if total_weight == 0:
        return None, [S.ZERO] * len(weights)
    all_weight = sum(weights, S.ZERO) or total_weight
    mean = sum((scores[i] * weights[i] for i in present), S.ZERO) / total_weight
    effective = [S.ZERO] * len(weights)
    for i in present:
        effective[i] = weights[i] * all_weight / total_weight
    return mean, effective


def _mean(weights: list[Decimal], scores: list, all_weight: Decimal, positive: bool, complete: bool
          ) -> Decimal | None:
    """The weighted mean alone; when every part has data and weight it is the same sums in the
    same order as ``_weighted`` without the bookkeeping."""
    if complete and positive and all_weight:
        return sum(map(mul, scores, weights), S.ZERO) / all_weight
    return _weighted(weights, scores)[0]


def _effective_strings(cache: dict, weights: list[Decimal], scores: list) -> list[str]:
    """Effective weights as shown (rounded), which depend only on which parts are missing: the JSON
    that ends each part's explanation."""
    mask = tuple(s is not None for s in scores)
    out = cache.get(mask)
    if out is None:
        out = cache[mask] = [f'"{S.round2(w)}"}}' for w in _weighted(weights, scores)[1]]
    return out


def _dumps(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def _json2(value: Decimal | None) -> str:
    """A figure as the explanation shows it: a string rounded to 2 places, or null."""
    return "null" if value is None else f'"{S.round2(value)}"'


def _period_target(part: _MetricPart, period: P.Period, presence: Presence
                   ) -> tuple[Decimal, Decimal | None, bool]:
    """A metric's target and tolerance for a period and a person's presence, and whether the metric
    can be scored against them.

    Totals (sums and counts) are pro-rated: the monthly target and its tolerance are scaled by the
    period's months and the share of days present, the same factor for both. A metric whose
    pro-rated target or tolerance comes to 0 (nobody can be measured over 0 days) is missing, as is
    a higher-is-better target of 0 or less and a lower-is-better target of 0 without a positive
    tolerance: the metric's weight is spread over the others as for any missing part.
    """
    target, tolerance = part.target, part.tolerance
    tolerance = None if tolerance is None else S.d(tolerance)
    scorable = True
    if part.prorated:
        share = Decimal(presence.days) / Decimal(period.days) if period.days else Decimal(1)
        factor = Decimal(period.months) * share
        if factor == 0:
            scorable = False
        if target != 0:
            target = target * factor
            scorable = scorable and target != 0
        if tolerance is not None:
            tolerance = tolerance * factor
    if (part.higher and target <= 0) or (
            not part.higher and target == 0 and part.attainment_rule and (tolerance is None or tolerance <= 0)):
        scorable = False
    return target, tolerance, scorable


def compute_person(card: CardVersion, period: P.Period, emp: int, presence: Presence,
                   agg: dict, ratings: dict) -> dict:
    """The whole explained score of one person: total, rating, and the explanation of every
    dimension and metric as JSON text (``dimensions_json``, the ``dimensions`` of ``Score.detail``),
    and each scored metric's score as JSON text (``metric_scores_json``, ``Score.metric_scores``).

    The arithmetic is the contract's (``scoring``). A recomputation runs this for every person, so
    what does not depend on the person (names, weights, targets, effective weights for a pattern
    of missing parts, the JSON around the figures) is worked out once per scorecard version, and
    the explanation is written as JSON directly (the same text ``json.dumps`` gives for the dicts)
    instead of building and encoding a dozen dicts per person."""
    dims_json = []
    dim_scores = []
    scored = []  # '"metric key":"score"' of each scored metric, for metric_scores
    person_ratings = ratings.get(emp, {})
    target_key = (period.months, presence.days, period.days)
    zero, hundred, cap, two, half_up = S.ZERO, S.HUNDRED, S.CAP, S.TWO_PLACES, ROUND_HALF_UP
    for plan in _compiled(card):
        scores: list[Decimal | None] = []
        figures = []
        complete = True
        for part in plan.parts:
            # The period value (as metric_actual) ...
            # (entries: employee, metric, sum, avg, count[, last]; numbers as the database gives them)
            at = part.value_at
            if at == -1:  # ratio
                num = agg.get((emp, part.numerator_id)) if part.numerator_id else None
                den = agg.get((emp, part.denominator_id)) if part.denominator_id else None
                if not num or not den or not den[2]:
                    actual, n = None, (num[4] if num else 0) + (den[4] if den else 0)
                else:
                    a, b = num[2], den[2]
                    actual = ((a if a.__class__ is Decimal else _float_dec(a)) * part.ratio_scale
                              / (b if b.__class__ is Decimal else _float_dec(b)))
                    n = num[4] + den[4]
            else:
                entry = agg.get((emp, part.metric_id))
                if not entry:
                    actual, n = None, 0
                elif at == -2:  # count
                    n = entry[4]
                    actual = Decimal(n)
                else:
                    n = entry[4]
                    a = entry[at] if at < len(entry) else None
                    actual = a if a is None or a.__class__ is Decimal else _float_dec(a)
            # ... its target for this period and presence ...
            cached = part.targets.get(target_key)
            if cached is None:
                target, tolerance, scorable = _period_target(part, period, presence)
                cached = part.targets[target_key] = (target, _json2(target), tolerance, scorable)
            target, target_json, tolerance, scorable = cached
            # ... and its score (as metric_score / scoring.attainment); a target the period cannot
            # be measured against leaves the metric missing, like a metric with no data.
            score = None
            if actual is not None and scorable:
                if not part.attainment_rule:
                    score = metric_score(part.metric, actual, target, tolerance)
                elif part.higher:
                    score = max(zero, min(cap, hundred * actual / target))
                elif target == 0:
                    score = S.attainment(actual, target, higher_is_better=False, tolerance=tolerance)
                elif actual <= 0:
                    score = cap
                else:
                    score = max(zero, min(cap, hundred * target / actual))
            if score is None:
                complete = False
                shown = "null"
            else:
                shown = f'"{score.quantize(two, half_up)}"'
                if part.key != "ratings":
                    scored.append(f"{part.key_json}:{shown}")
            scores.append(score)
            figures.append(part.template % ("null" if actual is None else f'"{actual.quantize(two, half_up)}"',
                                            target_json, shown, n, "true" if score is None else "false"))
        if plan.rated:
            by_rater = person_ratings.get(plan.key, {})
            given_key = (by_rater.get("manager"), by_rater.get("peer"), by_rater.get("self"))
            try:
                rated = plan.rated_cache[given_key]
            except KeyError:
                rated = _weighted(plan.rater_weights, [None if r is None else S.total_from_rating(r)
                                                       for r in given_key])[0]
                if len(plan.rated_cache) < 10_000:
                    plan.rated_cache[given_key] = rated
            if rated is None:
                complete = False
            scores.append(rated)
            given = ",".join(f'"{k}":"{v}"' for k, v in by_rater.items())
            figures.append(plan.ratings_template % (given, _json2(rated), "true" if rated is None else "false"))
        if complete and plan.positive and plan.all_weight:
            dim_score = sum(map(mul, scores, plan.weights), zero) / plan.all_weight  # as _weighted, in order
            effective = plan.all_present
        else:
            dim_score = _weighted(plan.weights, scores)[0]
            effective = _effective_strings(plan.effective, plan.weights, scores)
        dim_scores.append(dim_score)
        dims_json.append(plan.template % (_json2(dim_score), "true" if dim_score is None else "false")
                         + ",".join(map(add, figures, effective)) + '],"effective_weight":')
    cached = card.__dict__
    weights = cached["_dim_weights"]
    total = _mean(weights, dim_scores, cached["_dim_all_weight"], cached["_dim_positive"], None not in dim_scores)
    dimensions_json = ",".join(map(add, dims_json, _effective_strings(cached["_dim_effective"], weights,
                                                                      dim_scores)))
    total_r = None if total is None else S.round2(total)
    return {"total": total_r, "rating": None if total_r is None else S.rating_from_total(total_r),
            "partial": presence.partial, "days_present": presence.days, "dimensions_json": f"[{dimensions_json}]",
            "metric_scores_json": "{" + ",".join(scored) + "}"}


# ---------------------------------------------------------------- the recomputation

UPSERT_COLUMNS = ("employee_id", "period_key", "period_start", "version_id", "total", "rating", "partial",
                  "detail", "metric_scores", "computed_at")


def _write_scores(period_key: str, employee_ids: list[int], rows: Iterator[tuple]) -> int:
    """Write the score rows of one period for these people; returns how many were written.

    PostgreSQL, many rows: the rows about to be rewritten are deleted and the new ones streamed
    with COPY while the next ones are computed (``rows`` is a generator), so the server parses and
    stores the JSON explanations on its own core in the meantime. Score rows are computations that
    nothing refers to, so replacing them is the same as updating them. Elsewhere (and for a few
    rows) every row is computed first and upserted in one short transaction. Both are the raw paths
    of ``core.db``, which says why the ORM's ``bulk_create`` is not used here. Writers of one period
    take a transaction-level advisory lock first on PostgreSQL, so a single person's recomputation
    never slips in between the delete and the copy of a bulk one.
    """
    postgres = connection.vendor == "postgresql"
    stream = postgres and len(employee_ids) >= COPY_FROM
    if not stream:
        rows = iter(list(rows))
    with transaction.atomic():
        cache.bump_people(employee_ids)  # raw writes send no post_save: what is kept for them is rebuilt
        if postgres:
            with connection.cursor() as cur:
                cur.execute("SELECT pg_advisory_xact_lock(%s)", [zlib.crc32(f"score:{period_key}".encode())])
        if not stream:
            return db.upsert_rows(Score, UPSERT_COLUMNS, rows, unique=("employee_id", "period_key"))
        # The people as one array rather than an IN list of thousands of values: 0.03 s instead of 0.24 s
        # for 10,000 (nothing refers to scores, so Django's collector has nothing to add).
        with connection.cursor() as cur:
            cur.execute(f"DELETE FROM {connection.ops.quote_name(Score._meta.db_table)} "  # noqa: S608 - quoted name
                        "WHERE period_key = %s AND employee_id = ANY(%s)", [period_key, employee_ids])
        return db.insert_rows(Score, UPSERT_COLUMNS, rows)


@dataclass
class RecomputeResult:
    period: str
    people: int = 0
    scored: int = 0
    skipped_closed: bool = False
    seconds: float = 0.0
    notes: list[str] = field(default_factory=list)
    failed: dict[int, str] = field(default_factory=dict)  # employee id -> why their score failed
    absent: int = 0  # people present 0 days: no score


def period_is_closed(key: str) -> bool:
    return PeriodState.objects.filter(key=key, closed=True).exists()


def recompute_period(period: P.Period, employee_ids: Iterable[int] | None = None) -> RecomputeResult:
    """Rebuild the scores of a period for some people (or all) from the facts."""
    started = time.perf_counter()
    result = RecomputeResult(period=period.key)
    if period_is_closed(period.key):
        result.skipped_closed = True
        return result
    ids = None if employee_ids is None else sorted(set(employee_ids))
    people_qs = Employee.objects.filter(hire_date__lt=period.end).filter(
        Q(termination_date__isnull=True) | Q(termination_date__gte=period.start))
    if ids is not None:
        people_qs = people_qs.filter(pk__in=ids)
    people = list(people_qs.order_by("pk").values("id", "org_unit_id", "job_family_id", "hire_date",
                                                  "termination_date"))
    result.people = len(people)
    if not people:
        return result
    cards, versions = _load_cards(period)
    if not cards:
        return result
    unit_paths = _unit_paths()
    card_for: dict[tuple[int, int], Scorecard | None] = {}
    metrics: dict[int, Metric] = {}
    for v in versions.values():
        for parts in v.parts.values():
            for part in parts:
                metrics[part.metric_id] = part.metric
                for sub in (part.metric.numerator, part.metric.denominator):
                    if sub is not None:
                        metrics[sub.pk] = sub
    ev_qs = EmploymentEvent.objects.filter(kind__in=[EventKind.TRANSFER, EventKind.LEAVE, EventKind.RETURN],
                                           effective_date__lt=period.end, applied_at__isnull=False)
    if ids is not None:
        ev_qs = ev_qs.filter(employee_id__in=ids)
    events: dict[int, list[tuple]] = defaultdict(list)
    for emp, kind, day in ev_qs.order_by("effective_date", "id").values_list("employee_id", "kind", "effective_date"):
        events[emp].append((kind, day))
    presence = _presence(period, people, events)
    agg = _aggregates(period, ids, list(metrics.values()))
    ratings = _ratings(period, ids)
    ops = connection.ops
    now = ops.adapt_datetimefield_value(timezone.now())
    start_day = ops.adapt_datefield_value(period.start)
    card_heads: dict[int, str] = {}  # '{"scorecard":"…","days_present":'
    scored: list[tuple[dict, Scorecard]] = []
    for p in people:
        key = (p["org_unit_id"], p["job_family_id"])
        if key not in card_for:
            card_for[key] = resolve_scorecard(cards, unit_paths.get(p["org_unit_id"], "/"), p["job_family_id"])
        card = card_for[key]
        if card is not None:
            scored.append((p, card))
    # Nobody is measured over 0 days: a person away for the whole period has no score for it.
    absent = [p["id"] for p, _card in scored if presence[p["id"]].days == 0]
    if absent:
        scored = [(p, card) for p, card in scored if presence[p["id"]].days > 0]
    failed: dict[int, str] = {}

    def rows(some: list[tuple[dict, Scorecard]], failed: dict[int, str]) -> Iterator[tuple]:
        for p, card in some:
            cv = versions[card.pk]
            try:
                out = compute_person(cv, period, p["id"], presence[p["id"]], agg, ratings)
            except Exception as exc:  # noqa: BLE001 - one person's bad fact must not stop the others
                failed[p["id"]] = f"{type(exc).__name__}: {exc}"[:500]
                continue
            head = card_heads.get(card.pk)
            if head is None:
                head = card_heads[card.pk] = f'{{"scorecard":{_dumps(card.label)},"days_present":'
            # Score.detail: {"scorecard", "days_present", "dimensions"}, compact JSON.
            detail = f'{head}{out["days_present"]},"dimensions":{out["dimensions_json"]}}}'
            yield (p["id"], period.key, start_day, cv.version_id, ops.adapt_decimalfield_value(out["total"], 7, 2),
                   ops.adapt_decimalfield_value(out["rating"], 3, 1), out["partial"], detail,
                   out["metric_scores_json"], now)

    all_rows, other = _all_rows(scored, rows, failed)
    try:
        result.scored = _write_scores(period.key, [p["id"] for p, _card in scored], all_rows)
    finally:
        if other is not None:
            other.abandon()  # reaped already when its rows were taken; stopped if the writing failed first
    result.failed = failed
    result.absent = len(absent)
    _settle_errors(period.key, [p["id"] for p, _card in scored], failed, absent)
    result.seconds = time.perf_counter() - started
    return result


def _all_rows(scored: list, rows: Callable[[list, dict[int, str]], Iterator[tuple]], failed: dict[int, str]
              ) -> tuple[Iterator[tuple], forked.Forked | None]:
    """The score rows of everyone scored. For a whole company, the second half is computed meanwhile
    in a forked copy of this process on the other core (``core.forked``), started now, before the
    writer deletes the old rows: the arithmetic is pure Python on the facts already read, so one
    process keeps one core busy while the database stores the rows. Its rows follow this process's
    own; if it fails, this process computes them itself. Returns the rows and the forked copy, which
    the caller abandons once the rows were written or not (nothing left running either way)."""
    if len(scored) < FORK_FROM or not forked.available():
        return rows(scored, failed), None
    half = len(scored) // 2
    theirs = scored[half:]

    def compute() -> tuple[list[tuple], dict[int, str]]:
        errors: dict[int, str] = {}
        return list(rows(theirs, errors)), errors

    other = forked.Forked(compute)
    return _mine_then_theirs(other, rows(scored[:half], failed), lambda: rows(theirs, failed), failed), other


def _mine_then_theirs(other: forked.Forked, mine: Iterator[tuple], theirs: Callable[[], Iterator[tuple]],
                      failed: dict[int, str]) -> Iterator[tuple]:
    yield from mine
    done = other.result()
    if done is None:
        yield from theirs()
        return
    their_rows, their_errors = done
    failed.update(their_errors)
    yield from their_rows


def _settle_errors(period_key: str, attempted: list[int], failed: dict[int, str], absent: list[int]) -> None:
    """Record the people whose score failed (and drop their stale score, as for the absent), and
    forget the earlier failures of those now scored."""
    gone = sorted(set(absent) | set(failed))
    for start in range(0, len(gone), 900):
        stale = Score.objects.filter(period_key=period_key, employee_id__in=gone[start:start + 900])
        # Only those who had a score see a change (people absent all month usually had none): renewing
        # everyone named would cost a cache write each.
        cache.bump_people(stale.values_list("employee_id", flat=True))
        stale.delete()
    succeeded = sorted(set(attempted) - set(failed))
    if ScoreError.objects.filter(period_key=period_key).exists():
        for start in range(0, len(succeeded), 900):
            ScoreError.objects.filter(period_key=period_key, employee_id__in=succeeded[start:start + 900]).delete()
        ScoreError.objects.filter(period_key=period_key, employee_id__in=absent).delete()
    if not failed:
        return
    now = timezone.now()
    with transaction.atomic():
        previous = dict(ScoreError.objects.filter(period_key=period_key, employee_id__in=list(failed))
                        .values_list("employee_id", "attempts"))
        ScoreError.objects.filter(period_key=period_key, employee_id__in=list(failed)).delete()
        ScoreError.objects.bulk_create([
            ScoreError(employee_id=emp, period_key=period_key, message=message, occurred_at=now,
                       attempts=previous.get(emp, 0) + 1) for emp, message in failed.items()])
    logger.warning("scores of %s: %d person(s) could not be scored", period_key, len(failed))


def score_error_numbers(employee_ids: list[int]) -> dict[int, str]:
    """Employee numbers of people whose score failed, for an operator's report."""
    return dict(Employee.objects.filter(pk__in=employee_ids[:900]).values_list("id", "employee_number"))
