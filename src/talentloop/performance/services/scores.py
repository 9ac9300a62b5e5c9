"""Recomputing scores from observations and ratings — set-based, for one person or everybody.

A recomputation reads facts with a handful of aggregate queries, computes every score in memory
with Decimal arithmetic, and upserts the Score rows in bulk. Final ratings (decisions) live in
another table and are never touched here. Closed periods are left as they are.
"""

from __future__ import annotations

import datetime as dt
import json
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal

from django.core.exceptions import EmptyResultSet
from django.db import connection, transaction
from django.db.models import Avg, Count, Q, Sum
from django.utils import timezone

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
    ScoringRule,
)

PRORATED = {Aggregation.SUM, Aggregation.COUNT}
BATCH = 2000
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
    """Active scorecards and, for each, the version valid at the period's start."""
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
        if card.org_unit_id is not None and not unit_path.startswith(card.org_unit.path):
            continue
        depth = card.org_unit.depth if card.org_unit_id is not None else -1
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


def _raw(qs):
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


def _dec(value) -> Decimal | None:
    """A raw SQL number as Decimal (SQLite answers floats; PostgreSQL answers Decimals)."""
    if value is None:
        return None
    if isinstance(value, Decimal):
        return value
    return Decimal(repr(value)).quantize(SIX_PLACES)


def _aggregates(period: P.Period, employee_ids: list[int] | None, metrics: list[Metric]
                ) -> dict[tuple[int, int], dict]:
    """(employee, metric) -> {sum, avg, count, last} over current observations of the period."""
    base = Observation.objects.filter(is_current=True, employee__isnull=False,
                                      occurred_on__gte=period.start, occurred_on__lt=period.end,
                                      metric__in=[m.pk for m in metrics])
    if employee_ids is not None:
        base = base.filter(employee_id__in=employee_ids)
    out: dict[tuple[int, int], dict] = {}
    grouped = (base.order_by().values("employee_id", "metric_id")
               .annotate(s=Sum("value"), a=Avg("value"), c=Count("id")).values_list("employee_id", "metric_id", "s",
                                                                                      "a", "c"))
    for emp, met, total, avg, count in _raw(grouped):
        out[(emp, met)] = {"sum": total, "avg": avg, "count": count}
    last_metrics = [m.pk for m in metrics if m.aggregation == Aggregation.LAST]
    if last_metrics and out:
        # The value at the latest occurred_at of each (person, metric); ties go to the newest row.
        q = (base.filter(metric_id__in=last_metrics).order_by("employee_id", "metric_id", "occurred_at", "id")
             .values_list("employee_id", "metric_id", "value"))
        for emp, met, value in _raw(q):
            out[(emp, met)]["last"] = value
    return out


def _ratings(period: P.Period, employee_ids: list[int] | None) -> dict[int, dict[str, dict[str, Decimal]]]:
    """employee -> dimension key -> rater kind -> mean rating of reviews covering the period."""
    qs = QualitativeRating.objects.filter(covers_start__lt=period.end, covers_end__gt=period.start)
    if employee_ids is not None:
        qs = qs.filter(employee_id__in=employee_ids)
    out: dict[int, dict[str, dict[str, Decimal]]] = defaultdict(lambda: defaultdict(dict))
    for r in qs.values("employee_id", "dimension_key", "rater_kind").annotate(m=Avg("rating")):
        out[r["employee_id"]][r["dimension_key"]][r["rater_kind"]] = S.d(r["m"])
    return out


# ---------------------------------------------------------------- computing one person


def metric_actual(metric: Metric, agg: dict[tuple[int, int], dict], emp: int) -> tuple[Decimal | None, int]:
    """The period value of a metric for a person, and how many observations made it."""
    if metric.aggregation == Aggregation.RATIO:
        num = agg.get((emp, metric.numerator_id)) if metric.numerator_id else None
        den = agg.get((emp, metric.denominator_id)) if metric.denominator_id else None
        if not num or not den or not den["sum"]:
            return None, (num or {}).get("count", 0) + (den or {}).get("count", 0)
        return _dec(num["sum"]) * S.d(metric.ratio_scale) / _dec(den["sum"]), num["count"] + den["count"]
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


def compute_person(card: CardVersion, period: P.Period, emp: int, presence: Presence,
                   agg: dict, ratings: dict) -> dict:
    """The whole explained score of one person: dimensions, metrics, total and rating."""
    dims_out = []
    dim_parts = []
    scale_months = Decimal(period.months)
    share = Decimal(presence.days) / Decimal(period.days) if period.days else Decimal(1)
    person_ratings = ratings.get(emp, {})
    for dim in card.dimensions:
        parts = []
        metrics_out = []
        for part in card.parts.get(dim.pk, []):
            metric = part.metric
            actual, n = metric_actual(metric, agg, emp)
            target = S.d(part.target)
            if metric.aggregation in PRORATED:
                target = target * scale_months * share
            score = None
            if actual is not None and not (metric.higher_is_better and target <= 0):
                score = metric_score(metric, actual, target, part.tolerance)
            parts.append(S.Part(metric.key, S.d(part.weight), score))
            metrics_out.append({"key": metric.key, "name": card.labels[f"m{metric.pk}"], "unit": metric.unit,
                                "direction": metric.direction,
                                "actual": None if actual is None else str(S.round2(actual)),
                                "target": str(S.round2(target)), "weight": str(part.weight),
                                "score": None if score is None else str(S.round2(score)),
                                "observation_count": n, "missing": score is None})
        if dim.ratings_weight > 0:
            by_rater = person_ratings.get(dim.key, {})
            rater_parts = [S.Part(k, S.d(getattr(dim, f"{k}_weight")),
                                  S.total_from_rating(by_rater[k]) if k in by_rater else None)
                           for k in ("manager", "peer", "self")]
            rated = S.weighted_mean(rater_parts)
            parts.append(S.Part("ratings", S.d(dim.ratings_weight), rated))
            metrics_out.append({"key": "ratings", "name": "", "ratings": {k: str(v) for k, v in by_rater.items()},
                                "weight": str(dim.ratings_weight),
                                "score": None if rated is None else str(S.round2(rated)), "missing": rated is None,
                                "observation_count": 0, "actual": None, "target": None})
        dim_score = S.weighted_mean(parts)
        for m_out, p in zip(metrics_out, parts, strict=True):
            m_out["effective_weight"] = str(S.round2(p.effective_weight))
        dim_parts.append(S.Part(dim.key, S.d(dim.weight), dim_score))
        dims_out.append({"key": dim.key, "name": card.labels[f"d{dim.pk}"], "weight": str(dim.weight),
                         "score": None if dim_score is None else str(S.round2(dim_score)),
                         "missing": dim_score is None, "metrics": metrics_out})
    total = S.weighted_mean(dim_parts)
    for d_out, p in zip(dims_out, dim_parts, strict=True):
        d_out["effective_weight"] = str(S.round2(p.effective_weight))
    total_r = None if total is None else S.round2(total)
    return {"total": total_r, "rating": None if total_r is None else S.rating_from_total(total_r),
            "partial": presence.partial, "days_present": presence.days, "dimensions": dims_out}


# ---------------------------------------------------------------- the recomputation

UPSERT_COLUMNS = ("employee_id", "period_key", "period_start", "version_id", "total", "rating", "partial",
                  "detail", "computed_at")


def _upsert_scores(rows: list[tuple]) -> None:
    """INSERT … ON CONFLICT DO UPDATE in batches (SQLite ≥ 3.24 and PostgreSQL share the syntax).

    Hand-written because the ORM's bulk_create spends most of its time compiling each value; the
    values are adapted with the backend's own adapters above.
    """
    qn = connection.ops.quote_name
    table = qn(Score._meta.db_table)
    cols = ", ".join(qn(c) for c in UPSERT_COLUMNS)
    updates = ", ".join(f"{qn(c)} = excluded.{qn(c)}" for c in UPSERT_COLUMNS[2:])
    placeholders = ", ".join(["%s"] * len(UPSERT_COLUMNS))
    sql = (f"INSERT INTO {table} ({cols}) VALUES ({placeholders}) "  # noqa: S608 - identifiers quoted
           f"ON CONFLICT ({qn('employee_id')}, {qn('period_key')}) DO UPDATE SET {updates}")
    with transaction.atomic(), connection.cursor() as cur:
        for start in range(0, len(rows), BATCH):
            cur.executemany(sql, rows[start: start + BATCH])


@dataclass
class RecomputeResult:
    period: str
    people: int = 0
    scored: int = 0
    skipped_closed: bool = False
    seconds: float = 0.0
    notes: list[str] = field(default_factory=list)


def period_is_closed(key: str) -> bool:
    return PeriodState.objects.filter(key=key, closed=True).exists()


def recompute_period(period: P.Period, employee_ids: Iterable[int] | None = None) -> RecomputeResult:
    """Rebuild the scores of a period for some people (or all) from the facts."""
    import time

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
    people = list(people_qs.values("id", "org_unit_id", "job_family_id", "hire_date", "termination_date"))
    result.people = len(people)
    if not people:
        return result
    cards, versions = _load_cards(period)
    if not cards:
        return result
    unit_paths = dict(OrgUnit.objects.values_list("id", "path"))
    card_for: dict[tuple[int, int], Scorecard | None] = {}
    metrics: dict[int, Metric] = {}
    for v in versions.values():
        for parts in v.parts.values():
            for p in parts:
                metrics[p.metric_id] = p.metric
                for sub in (p.metric.numerator, p.metric.denominator):
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
    card_labels: dict[int, str] = {}
    rows: list[tuple] = []
    for p in people:
        key = (p["org_unit_id"], p["job_family_id"])
        if key not in card_for:
            card_for[key] = resolve_scorecard(cards, unit_paths.get(p["org_unit_id"], "/"), p["job_family_id"])
        card = card_for[key]
        if card is None:
            continue
        cv = versions[card.pk]
        out = compute_person(cv, period, p["id"], presence[p["id"]], agg, ratings)
        detail = {"scorecard": card_labels.setdefault(card.pk, card.label),
                  **{k: v for k, v in out.items() if k not in ("total", "rating", "partial")}}
        rows.append((p["id"], period.key, ops.adapt_datefield_value(period.start), cv.version_id,
                     ops.adapt_decimalfield_value(out["total"], 7, 2),
                     ops.adapt_decimalfield_value(out["rating"], 3, 1), out["partial"],
                     json.dumps(detail, ensure_ascii=False, separators=(",", ":")), now))
    _upsert_scores(rows)
    result.scored = len(rows)
    result.seconds = time.perf_counter() - started
    return result
