"""Reads of performance data; every one starts from an access scope."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db.models import (
    Avg,
    Case,
    CharField,
    Count,
    Exists,
    F,
    IntegerField,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Value,
    When,
)

from talentloop.core import cache
from talentloop.core.access import Actor
from talentloop.core.fields import JSONTextField
from talentloop.organisation.models import Employee
from talentloop.performance import access
from talentloop.performance import periods as P
from talentloop.performance.models import (
    Dimension,
    DimensionMetric,
    FinalRating,
    Metric,
    PeriodState,
    Review,
    ReviewCycle,
    Score,
    Scorecard,
    ScorecardVersion,
)
from talentloop.performance.services.scores import recompute_period, resolve_scorecard


def period_status(key: str) -> str:
    return "closed" if PeriodState.objects.filter(key=key, closed=True).exists() else "open"


def person_scores(actor: Actor, employee: Employee) -> QuerySet[Score]:
    """The scores of one person the actor may open (``access.visible_scores``). A person reading their
    own (``access.is_self``) is in every scope (``access.score_subjects`` always holds the actor's own
    record), so their query needs no scope subquery."""
    if access.is_self(actor, employee):
        return Score.objects.filter(employee_id=employee.pk)
    return access.visible_scores(actor).filter(employee=employee)


def score_rows(scores: QuerySet[Score], keys: list[str], explained: str) -> dict[str, Mapping[str, Any]]:
    """Period key -> the score of each of ``keys`` that ``scores`` (one person's, from
    :func:`person_scores`) holds, in one query: ``total``, ``rating``, ``partial``, ``version_id``,
    ``computed_at`` and ``closed`` (the period's state); for the period ``explained`` alone also its
    stored explanation (``explained_detail``), so the other months' are neither sent nor decoded."""
    detail: Any = F("detail") if keys == [explained] else Case(When(period_key=explained, then=F("detail")),
                                                                output_field=JSONTextField())
    rows = scores.filter(period_key__in=keys).values(
        "period_key", "total", "rating", "partial", "version_id", "computed_at",
        closed=Exists(PeriodState.objects.filter(key=OuterRef("period_key"), closed=True)),
        explained_detail=detail)
    return {r["period_key"]: r for r in rows}


def score_get(actor: Actor, employee: Employee, period: P.Period, *, rows: Mapping[str, Mapping] | None = None,
              finals: Mapping[str, Decimal] | None = None) -> dict | None:
    """The explained score of one person for one period, computed on demand when missing.

    ``rows`` and ``finals`` are what a page already read for this person through the same doors
    (:func:`score_rows` of :func:`person_scores` with this period explained; their final ratings
    by period when ``access.can_view_final_rating``), so the score costs no query of its own."""
    if rows is None:
        rows = score_rows(person_scores(actor, employee), [period.key], period.key)
    row = rows.get(period.key)
    status = ("closed" if row["closed"] else "open") if row is not None else period_status(period.key)
    if row is None and status == "open":
        recompute_period(period, [employee.pk])
        row = score_rows(person_scores(actor, employee), [period.key], period.key).get(period.key)
    # A final rating shows only to whom it may (access.can_view_final_rating), in every door.
    show_final = access.can_view_final_rating(actor, employee)
    final: Decimal | None = None
    if show_final:
        final = finals.get(period.key) if finals is not None else (
            FinalRating.objects.filter(employee=employee, period_key=period.key)
            .values_list("rating", flat=True).first())
    if row is None:
        # No scorecard applies (or the closed period was never scored): say so rather than 404.
        return {"employee_id": employee.pk, "period": period.key, "scorecard": "", "total": None, "rating": None,
                "final_rating": final, "final_rating_shown": show_final,
                "status": status, "partial": False, "days_present": None, "computed_at": None,
                "qualitative_pending": False, "dimensions": [], "version_id": None}
    detail = row["explained_detail"] or {}
    out = {
        "employee_id": employee.pk,
        "period": period.key,
        "scorecard": detail.get("scorecard", ""),
        "total": row["total"],
        "rating": row["rating"],
        "final_rating": final,
        "final_rating_shown": show_final,
        "status": status,
        "partial": row["partial"],
        "days_present": detail.get("days_present"),
        "computed_at": row["computed_at"],
        "qualitative_pending": False,
        "dimensions": [
            {**dim, "weight": Decimal(dim["weight"]), "effective_weight": Decimal(dim["effective_weight"]),
             "score": None if dim["score"] is None else Decimal(dim["score"]),
             "metrics": [{**m, "actual": None if m.get("actual") is None else Decimal(m["actual"]),
                          "target": None if m.get("target") is None else Decimal(m["target"]),
                          "score": None if m.get("score") is None else Decimal(m["score"])}
                         for m in dim["metrics"]]}
            for dim in detail.get("dimensions", [])
        ],
        "version_id": row["version_id"],
    }
    _qualitative_part(actor, employee, period, out)
    return out


def running_ratings(employee: Employee, period: P.Period) -> tuple[bool, dict[str, dict[str, Decimal]]]:
    """Whether a review cycle covering the period is under way for the person (open or in
    calibration), and the running means of the ratings submitted in it: dimension key -> rater kind
    -> mean, rounded to one decimal. No access scope: callers check ``access.can_view_running_ratings``
    before showing the means. One query."""
    pending = False
    given: dict[str, dict[str, list[Decimal]]] = {}
    rows = (Review.objects.filter(reviewee=employee, cycle__status__in=[ReviewCycle.Status.OPEN,
                                                                        ReviewCycle.Status.CALIBRATION])
            .values_list("cycle__period_key", "status", "kind", "dimension_ratings"))
    for cycle_period, status, kind, ratings in rows:
        try:
            covers = P.parse(cycle_period)
        except ValueError:
            continue
        if not (covers.start < period.end and covers.end > period.start):
            continue
        pending = True
        if status != Review.Status.SUBMITTED:
            continue
        for key, value in (ratings or {}).items():
            given.setdefault(key, {}).setdefault(kind, []).append(Decimal(str(value)))
    means = {key: {kind: (sum(values, Decimal(0)) / len(values)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
                   for kind, values in kinds.items()} for key, kinds in given.items()}
    return pending, means


def _qualitative_part(actor: Actor, employee: Employee, period: P.Period, score: dict) -> None:
    """The ratings part of each dimension as the reader may see it: the counted ratings (closed
    cycles) and their mean per kind of rater to whom may see a review breakdown; "pending" while a
    cycle covering the period is under way; the running means of that cycle to HR covering the
    person alone."""
    parts = [(d, m) for d in score["dimensions"] for m in d["metrics"] if m.get("key") == "ratings"]
    if not parts:
        return
    breakdown = access.can_view_review_breakdown(actor, employee)
    pending, means = running_ratings(employee, period)
    running = access.can_view_running_ratings(actor, employee)
    score["qualitative_pending"] = pending
    for dim, m in parts:
        m["pending"] = pending
        m["breakdown_shown"] = breakdown
        if not breakdown:
            m["ratings"] = {}
            m["score"] = None
        m["running_ratings"] = dict(means.get(dim["key"], {})) if running else None


def team_month_summary(members: QuerySet[Employee], period_keys: list[str], *, below: Decimal,
                       bands: dict[int, Q]) -> dict | None:
    """The scored people of ``members`` (a queryset already within the reader's score scope, e.g.
    ``access.team_members``) in the first of ``period_keys`` anyone of them was scored for:
    ``period_key``, ``n``, ``avg`` total, ``below`` the given total and a count per rating band
    (``b<band>``); None when nobody was scored in any of them. One aggregate query: which month is
    decided inside it (a check that stops at the first score found), so only that month's scores are
    counted, and it reads only the period, person, total and rating — what the period index carries
    (``Score.Meta``) — so a large team's month is counted from the index, not from the rows."""
    if not period_keys:
        return None
    team = members.values("pk")
    scored = Score.objects.filter(employee__in=team, total__isnull=False)
    month = Case(*[When(Exists(scored.filter(period_key=key)), then=Value(key)) for key in period_keys[:-1]],
                 default=Value(period_keys[-1]), output_field=CharField())
    rows = list(scored.filter(period_key=month).order_by().values("period_key").annotate(
        n=Count("total"), avg=Avg("total"), below=Count("total", filter=Q(total__lt=below)),
        **{f"b{b}": Count("total", filter=q) for b, q in bands.items()}))
    return rows[0] if rows else None


def team_lowest_scores(members: QuerySet[Employee], period_key: str, *, below: Decimal,
                       limit: int) -> list[Mapping[str, Any]]:
    """The lowest totals under ``below`` among ``members`` for one period, lowest first (one query):
    ``employee_id``, ``employee__name``, ``employee__name_en``, ``total``. The lowest are picked from
    the period index alone (it carries the totals); only those few rows are joined to the names."""
    lowest = (Score.objects.filter(employee__in=members.values("pk"), period_key=period_key, total__lt=below)
              .order_by("total", "employee_id").values("employee_id")[:limit])
    return list(Score.objects.filter(period_key=period_key, employee_id__in=lowest)
                .order_by("total", "employee_id")
                .values("employee_id", "employee__name", "employee__name_en", "total"))


def score_trend(actor: Actor, employee: Employee, limit: int = 12) -> list[Score]:
    return list(access.visible_scores(actor).filter(employee=employee, period_key__regex=r"^\d{4}-\d{2}$")
                .order_by("-period_start")[:limit])[::-1]


def period_ratings(employee_ids: list[int], period_keys: list[str]) -> dict[tuple[int, str], Decimal]:
    """The rating that counts downstream (mentoring, analytics): the final rating where people decided
    one, else the computed rating. One query for any number of people and periods (none when
    :func:`ratings_memo` already holds them); no access scope here — callers pass people they already
    fetched through their own scope."""
    out: dict[tuple[int, str], Decimal] = {}
    if not employee_ids or not period_keys:
        return out
    memo = _RATINGS_MEMO.get()
    if memo is not None and list(employee_ids) == [memo["employee_id"]]:
        missing = set(period_keys) - memo["known"]
        if missing:
            wanted = missing | memo["extra"]
            memo["values"].update(_period_ratings(employee_ids, sorted(wanted)))
            memo["known"] |= wanted
            memo["extra"] = set()
        return {k: v for k, v in memo["values"].items() if k[1] in period_keys}
    return _period_ratings(employee_ids, period_keys)


def _period_ratings(employee_ids: list[int], period_keys: list[str]) -> dict[tuple[int, str], Decimal]:
    """Both sources in one query (UNION ALL), the final rating winning over the computed one."""
    computed = (Score.objects.filter(employee_id__in=employee_ids, period_key__in=period_keys, rating__isnull=False)
                .order_by().values_list("employee_id", "period_key", "rating", Value(0, output_field=IntegerField())))
    final = (FinalRating.objects.filter(employee_id__in=employee_ids, period_key__in=period_keys)
             .order_by().values_list("employee_id", "period_key", "rating", Value(1, output_field=IntegerField())))
    out: dict[tuple[int, str], Decimal] = {}
    decided: set[tuple[int, str]] = set()
    for emp, key, rating, is_final in computed.union(final, all=True):
        if is_final:
            out[(emp, key)] = rating
            decided.add((emp, key))
        elif (emp, key) not in decided:
            out[(emp, key)] = rating
    return out


_RATINGS_MEMO: ContextVar[dict | None] = ContextVar("talentloop_ratings_memo", default=None)


@contextmanager
def ratings_memo(employee_id: int, extra_keys: list[str]) -> Iterator[None]:
    """Within the block, one person's ratings are read once: the first ``period_ratings([employee_id],
    keys)`` also reads ``extra_keys``, and later calls for any of those keys need no query (a page
    whose sections each ask for some years of the same person's ratings)."""
    token = _RATINGS_MEMO.set({"employee_id": employee_id, "extra": set(extra_keys), "known": set(), "values": {}})
    try:
        yield
    finally:
        _RATINGS_MEMO.reset(token)


# ---------------------------------------------------------------- configuration kept in the shared cache


def metric_labels() -> dict[str, dict]:
    """Metric key -> its name, English name and unit (what explanations of a score show), kept in the
    shared cache while the configuration does not change (see core.cache). Read only."""
    def build() -> dict[str, Any]:
        return {m["key"]: m for m in Metric.objects.values("key", "name", "name_en", "unit")}

    return cache.cached(("performance.metric_labels",), build, depends=("performance",))


def scorecard_in_force(unit_path: str, job_family_id: int | None, month_start: dt.date) -> tuple | None:
    """(scorecard, version, dimensions with their metric parts) that apply to a person of that org unit
    and job family in the month starting ``month_start`` — the same resolution as the score
    computation — kept in the shared cache while the configuration does not change. None when no active
    scorecard applies; the version (and dimensions) may be None/empty when none is valid yet."""
    def build() -> tuple | None:
        cards = list(Scorecard.objects.filter(is_active=True).select_related("org_unit"))
        card = resolve_scorecard(cards, unit_path, job_family_id)
        if card is None:
            return None
        version = (ScorecardVersion.objects.filter(scorecard=card, valid_from__lte=month_start)
                   .order_by("-valid_from").first())
        dims = [] if version is None else list(
            Dimension.objects.filter(version=version).order_by("order", "id").prefetch_related(
                Prefetch("metrics", DimensionMetric.objects.select_related("metric").order_by("id"))))
        return card, version, dims

    return cache.cached(("performance.scorecard_in_force", unit_path, job_family_id, month_start), build,
                        depends=("performance",))
