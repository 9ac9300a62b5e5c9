"""Writing the demo history: configuration through the services, observations and review
ratings in a few set-based statements, scores through :func:`recompute_period`, then the
decisions (final ratings) and closed periods of the complete years."""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal

from django.apps import apps
from django.db import connection, transaction
from django.utils import timezone

from talentloop.accounts.models import Role, User
from talentloop.core.access import actor_for
from talentloop.organisation.models import JobFamily, OrgUnit
from talentloop.performance import periods as P
from talentloop.performance.demo.catalogue import CARDS, METRICS
from talentloop.performance.demo.history import HistoryPlanner, ObservationRow, read_company
from talentloop.performance.models import (
    FinalRating,
    IngestBatch,
    Metric,
    Observation,
    PeriodState,
    QualitativeRating,
    Review,
    ReviewCycle,
    Score,
    Scorecard,
)
from talentloop.performance.services.config import metric_save, scorecard_save
from talentloop.performance.services.scores import recompute_period

INSERT_BATCH = 5000


# ---------------------------------------------------------------- writing it


def insert_rows(model, columns: list[str], rows: Iterable[tuple], *, batch: int = INSERT_BATCH) -> int:
    """INSERT many rows with the fewest round trips: COPY on PostgreSQL, executemany on SQLite.

    ``columns`` are database column names; values are Python values (Decimal, aware datetimes,
    dates, bools, ints, None), adapted here with the backend's own adapters.
    """
    table = model._meta.db_table
    qn = connection.ops.quote_name
    count = 0
    if connection.vendor == "postgresql":
        connection.ensure_connection()
        with connection.connection.cursor() as cur, cur.copy(
                f"COPY {qn(table)} ({', '.join(qn(c) for c in columns)}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)
                count += 1
        return count
    fields = {f.column: f for f in model._meta.concrete_fields}
    ops = connection.ops
    adapters: list[Callable] = []
    for column in columns:
        f = fields[column]
        kind = f.get_internal_type()
        if kind == "DecimalField":
            adapters.append(lambda v, f=f: None if v is None else ops.adapt_decimalfield_value(v, f.max_digits,
                                                                                                 f.decimal_places))
        elif kind == "DateTimeField":
            adapters.append(ops.adapt_datetimefield_value)
        elif kind == "DateField":
            adapters.append(ops.adapt_datefield_value)
        else:
            adapters.append(None)
    sql = (f"INSERT INTO {qn(table)} ({', '.join(qn(c) for c in columns)}) "  # noqa: S608 - quoted identifiers
           f"VALUES ({', '.join(['%s'] * len(columns))})")
    pending: list[tuple] = []
    with connection.cursor() as cur:
        for row in rows:
            pending.append(tuple(a(v) if a is not None else v for a, v in zip(adapters, row, strict=True)))
            if len(pending) >= batch:
                cur.executemany(sql, pending)
                count += len(pending)
                pending = []
        if pending:
            cur.executemany(sql, pending)
            count += len(pending)
    return count


OBS_COLUMNS = ["metric_id", "employee_id", "org_unit_id", "value", "occurred_at", "occurred_on", "source",
               "external_id", "batch_id", "supersedes_id", "is_current", "after_close"]


@dataclass
class HistoryResult:
    metrics: int = 0
    scorecards: int = 0
    observations: int = 0
    corrections: int = 0
    review_cycles: int = 0
    ratings: int = 0
    scores: int = 0
    final_ratings: int = 0
    closed_periods: int = 0
    seconds: dict[str, float] = field(default_factory=dict)


def _hr_user() -> User:
    user = User.objects.filter(username="hr").first()
    if user is None:
        user = User.objects.filter(role_assignments__role=Role.HR, role_assignments__org_unit__isnull=True).first()
    if user is None:
        raise RuntimeError("Loading performance history needs an HR account for the whole organisation.")
    return user


def configure(actor, start: dt.date) -> tuple[int, int]:
    """Metrics and scorecards through the configuration services (the rules HR obeys)."""
    metrics: dict[str, Metric] = {}
    for mdef in METRICS:
        data = {"key": mdef.key, "name": mdef.name, "name_en": mdef.name_en, "unit": mdef.unit,
                "direction": mdef.direction, "aggregation": mdef.aggregation, "subject_kind": mdef.subject,
                "description": mdef.description}
        if mdef.ratio:
            data.update(numerator=metrics[mdef.ratio[0]], denominator=metrics[mdef.ratio[1]],
                        ratio_scale=Decimal(mdef.ratio[2]))
        metrics[mdef.key] = metric_save(actor=actor, data=data)
    families = {f.code: f for f in JobFamily.objects.all()}
    units = {u.code: u for u in OrgUnit.objects.all()}
    cards = 0
    for card in CARDS:
        if (card.family and card.family not in families) or (card.unit and card.unit not in units):
            continue
        scorecard = None
        for offset, dims, note in card.versions:
            y, m = divmod(start.month - 1 + offset, 12)
            dimensions = [{**d, "metrics": [{**x, "metric": metrics[x["metric"]]} for x in d["metrics"]]}
                          for d in dims]
            version = scorecard_save(actor=actor, name=card.name, name_en=card.name_en,
                                     job_family=families.get(card.family), org_unit=units.get(card.unit),
                                     valid_from=dt.date(start.year + y, m + 1, 1), dimensions=dimensions,
                                     note=note, scorecard=scorecard)
            scorecard = version.scorecard
        cards += 1
    return len(metrics), cards


def _write_observations(planner: HistoryPlanner, hr: User, result: HistoryResult) -> None:
    metric_ids = dict(Metric.objects.values_list("key", "id"))
    emp_ids = {p.number: p.id for p in planner.company.people}
    unit_ids = {u.code: u.id for u in planner.company.units}
    now = timezone.now()
    batch = IngestBatch.objects.create(received_by=hr, channel="demo")
    fixes = IngestBatch.objects.create(received_by=hr, channel="demo")
    wrong: list[ObservationRow] = []

    def rows() -> Iterator[tuple]:
        for o in planner.observations():
            if o.wrong_value is not None:
                wrong.append(o)
                continue
            yield (metric_ids[o.metric], emp_ids.get(o.employee), unit_ids.get(o.unit), o.value, o.occurred_at,
                   o.occurred_on, o.source, o.external_id, batch.pk, None, True, False)

    written = insert_rows(Observation, OBS_COLUMNS, rows())
    # A correction: the first value (no longer current), then the new row that supersedes it.
    insert_rows(Observation, OBS_COLUMNS, (
        (metric_ids[o.metric], emp_ids.get(o.employee), unit_ids.get(o.unit), o.wrong_value, o.occurred_at,
         o.occurred_on, o.source, o.external_id, batch.pk, None, False, False) for o in wrong))
    first = dict(Observation.objects.filter(is_current=False, batch=batch).values_list("external_id", "id"))
    insert_rows(Observation, OBS_COLUMNS, (
        (metric_ids[o.metric], emp_ids.get(o.employee), unit_ids.get(o.unit), o.value, o.occurred_at,
         o.occurred_on, o.source, o.external_id, fixes.pk, first[o.external_id], True, False) for o in wrong))
    IngestBatch.objects.filter(pk=batch.pk).update(accepted=written + len(wrong), received_at=now)
    IngestBatch.objects.filter(pk=fixes.pk).update(corrections=len(wrong), received_at=now)
    result.observations = written + 2 * len(wrong)
    result.corrections = len(wrong)


def _optional(model, **values) -> dict:
    """Only the fields the model has (the reviews model grows while this generator stays put)."""
    names = {f.name for f in model._meta.get_fields()}
    return {k: v for k, v in values.items() if k in names}


def _write_reviews(planner: HistoryPlanner, hr: User, result: HistoryResult) -> None:
    emp_ids = {p.number: p.id for p in planner.company.people}
    tz = planner.tz
    cycles: dict[str, ReviewCycle] = {}
    for q in planner.quarters():
        year, n = q.key.split("-Q")
        closed_at = dt.datetime.combine(q.end + dt.timedelta(days=20), dt.time(18), tzinfo=tz)
        cycle = ReviewCycle(name=f"{year}年第{n}季度绩效回顾", period_key=q.key, self_due=q.end + dt.timedelta(days=7),
                            peer_due=q.end + dt.timedelta(days=10), manager_due=q.end + dt.timedelta(days=14),
                            status=ReviewCycle.Status.CLOSED,
                            **_optional(ReviewCycle, created_by=hr, closed_at=closed_at,
                                        opened_at=closed_at - dt.timedelta(days=20)))
        cycles[q.key] = cycle
    ReviewCycle.objects.bulk_create(cycles.values())
    ratings = list(planner.ratings())
    reviews = []
    for r in ratings:
        cycle = cycles[r.quarter]
        due = cycle.self_due if r.kind == "self" else cycle.peer_due if r.kind == "peer" else cycle.manager_due
        submitted = dt.datetime.combine(due - dt.timedelta(days=1), dt.time(17), tzinfo=tz)
        reviews.append(Review(cycle=cycle, reviewee_id=emp_ids[r.employee], reviewer_id=emp_ids[r.rater],
                              kind=r.kind, status=Review.Status.SUBMITTED, submitted_at=submitted,
                              **_optional(Review, due=due, rating=r.rating,
                                          dimension_ratings={"teamwork": str(r.rating)})))
    Review.objects.bulk_create(reviews, batch_size=2000)
    quarters = {q.key: q for q in planner.quarters()}
    QualitativeRating.objects.bulk_create([
        QualitativeRating(employee_id=rev.reviewee_id, rater_id=rev.reviewer_id, rater_kind=r.kind,
                          dimension_key="teamwork", rating=r.rating, covers_start=quarters[r.quarter].start,
                          covers_end=quarters[r.quarter].end, review=rev)
        for r, rev in zip(ratings, reviews, strict=True)], batch_size=2000)
    result.review_cycles, result.ratings = len(cycles), len(ratings)


def all_periods(start: dt.date, ref: dt.date) -> list[P.Period]:
    out = []
    for year in range(start.year, ref.year + 1):
        y = P.year(year)
        out.append(y)
        for q in range(1, 5):
            quarter = P.quarter(year, q)
            if quarter.start <= ref:
                out.append(quarter)
                out.extend(m for m in quarter.months_in() if m.start <= ref)
    return out


def _final_ratings(planner: HistoryPlanner, hr: User, years: list[str]) -> int:
    """The decisions of the yearly calibrations: mostly the computed rating, some moved by people."""
    numbers = {p.id: p.number for p in planner.company.people}
    now = timezone.now()
    rows = []
    for emp, key, rating in (Score.objects.filter(period_key__in=years, rating__isnull=False)
                             .order_by("period_key", "employee_id").values_list("employee_id", "period_key",
                                                                                "rating")):
        number = numbers.get(emp)
        rng = planner.rng("calibration", number, key)
        final, note = rating, "年度绩效评审 / annual review"
        if planner.profiles[number].kind != "star" and rng.random() < 0.06:
            final = min(Decimal(5), max(Decimal(1), rating + Decimal(rng.choice(("-0.3", "-0.2", "0.2", "0.3")))))
            note = "校准会调整 / changed in calibration"
        rows.append(FinalRating(employee_id=emp, period_key=key, rating=final, decided_by=hr, note=note,
                                acknowledged_at=now))
    FinalRating.objects.bulk_create(rows, batch_size=2000)
    return len(rows)


def load_history(*, seed: int, reference_date: dt.date | None = None,
                 progress: Callable[[str], None] | None = None) -> HistoryResult:
    """Write the whole performance history of the company in the database (see the package doc)."""
    result = HistoryResult()
    say = progress or (lambda _msg: None)
    clock = time.perf_counter()

    def lap(name: str) -> None:
        nonlocal clock
        now = time.perf_counter()
        result.seconds[name] = round(now - clock, 2)
        clock = now

    hr = _hr_user()
    with transaction.atomic():
        company = read_company(reference_date)
        planner = HistoryPlanner(company, seed)
        result.metrics, result.scorecards = configure(actor_for(hr), planner.start)
        lap("configuration")
        _write_observations(planner, hr, result)
        lap("observations")
        _write_reviews(planner, hr, result)
        lap("reviews")
    say(f"  {result.observations:,} observations, {result.ratings:,} review ratings written; scoring "
        f"{len(planner.months)} months…")
    analyze_tables()
    for period in all_periods(planner.start, planner.ref):
        result.scores += recompute_period(period).scored
    lap("scores")
    past = [str(y) for y in range(planner.start.year, planner.ref.year)]
    with transaction.atomic():
        result.final_ratings = _final_ratings(planner, hr, past)
        closed = [p.key for p in all_periods(planner.start, dt.date(planner.ref.year - 1, 12, 31))]
        PeriodState.objects.bulk_create([PeriodState(key=k, closed=True, changed_by=hr) for k in closed])
        result.closed_periods = len(closed)
    analyze_tables()
    lap("decisions")
    return result


def analyze_tables() -> None:
    with connection.cursor() as cursor:
        for model in (Observation, Score, QualitativeRating, Review):
            cursor.execute(f"ANALYZE {connection.ops.quote_name(model._meta.db_table)}")


def history_loaded() -> bool:
    return Observation.objects.exists() or Scorecard.objects.exists()


def summary(result: HistoryResult) -> str:
    return (f"Loaded the performance history: {result.metrics} metrics, {result.scorecards} scorecards, "
            f"{result.observations:,} observations ({result.corrections:,} corrected), {result.review_cycles} "
            f"review cycles with {result.ratings:,} ratings, {result.scores:,} scores, {result.final_ratings:,} "
            f"final ratings, {result.closed_periods} closed periods "
            f"in {sum(result.seconds.values()):.1f} s ("
            + ", ".join(f"{name} {seconds:.1f} s" for name, seconds in result.seconds.items()) + ").")


@transaction.atomic
def wipe_performance() -> None:
    """Delete every row of the performance app (before the organisation it refers to is deleted).

    Raw deletes: the tables are emptied as a whole, and Django's collector would otherwise load
    every observation to follow the self-reference of corrections.
    """
    models = list(apps.get_app_config("performance").get_models())
    table_of = {m: m._meta.db_table for m in models}
    # Children first: a model is deleted after every model that refers to it.
    remaining, order = set(models), []
    while remaining:
        leaves = {m for m in remaining
                  if not any(f.related_model is m for other in remaining if other is not m
                             for f in other._meta.concrete_fields if f.is_relation)}
        leaves = leaves or set(remaining)  # a cycle: constraints are deferred until commit
        order.extend(sorted(leaves, key=lambda m: m.__name__))
        remaining -= leaves
    with connection.cursor() as cursor:
        for model in order:
            if model is Observation:
                table = connection.ops.quote_name(table_of[model])
                cursor.execute(f"UPDATE {table} SET supersedes_id = NULL")  # noqa: S608 — quoted model table name
            cursor.execute(f"DELETE FROM {connection.ops.quote_name(table_of[model])}")  # noqa: S608 — quoted model table name
