"""Reads behind the performance pages: explained scores, the observations behind them, the three
dashboards and HR's period overview. Every read starts from an access scope, and every page is a
fixed number of queries whatever the size of the team or organisation (aggregates in SQL, rolled
up in memory)."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db import connection
from django.db.models import Count, Max, OuterRef, Q, QuerySet, Subquery, Sum
from django.utils.formats import number_format
from django.utils.translation import gettext as _

from talentloop.core import cache
from talentloop.core.access import Actor
from talentloop.core.bilingual import localized
from talentloop.organisation.access import visible_org_units
from talentloop.organisation.models import Employee, OrgUnit
from talentloop.performance import access, selectors, selectors_alerts
from talentloop.performance import periods as P
from talentloop.performance import scoring as S
from talentloop.performance.models import (
    Aggregation,
    Dimension,
    DimensionMetric,
    Direction,
    Feedback,
    FinalRating,
    Metric,
    Score,
    ScorecardVersion,
    ScoringRule,
)

OBSERVATIONS_PAGE = 25
# A change of at least this many points of the total between two periods counts as improving or
# declining on the team view (a display choice, not a rule: alerts have their own HR-defined rules).
MOVE_POINTS = Decimal(5)
MOVERS_SHOWN = 10
ATTAINMENT_THRESHOLD = Decimal(100)
RATING_BANDS = (1, 2, 3, 4, 5)


def num(value: Any) -> str:
    """A figure for a sentence: trailing zeros dropped, in the active locale's format."""
    if value is None:
        return "—"
    value = S.d(value)
    return number_format(value.quantize(Decimal(1)) if value == value.to_integral() else value.normalize(),
                         use_l10n=True)


# ---------------------------------------------------------------- periods


def default_period(today: dt.date, kind: str = P.MONTH) -> P.Period:
    return P.containing(today, kind)


def last_complete_month(today: dt.date) -> P.Period:
    return P.containing(today).previous()


def period_choices(today: dt.date, selected: P.Period | None = None) -> list[tuple[str, list[tuple[str, str]]]]:
    """Recent periods for a picker: 24 months, 8 quarters and 4 years, newest first (and the selected
    one, wherever it is)."""
    months, quarters, years = [], [], []
    cur = P.containing(today)
    for _i in range(24):
        months.append((cur.key, cur.key))
        cur = cur.previous()
    cur = P.containing(today, P.QUARTER)
    for _i in range(8):
        quarters.append((cur.key, cur.key))
        cur = cur.previous()
    cur = P.containing(today, P.YEAR)
    for _i in range(4):
        years.append((cur.key, cur.key))
        cur = cur.previous()
    if selected is not None:
        group = {P.MONTH: months, P.QUARTER: quarters, P.YEAR: years}[selected.kind]
        if (selected.key, selected.key) not in group:
            group.append((selected.key, selected.key))
    return [(_("Months"), months), (_("Quarters"), quarters), (_("Years"), years)]


def months_back(last: P.Period, count: int) -> list[P.Period]:
    out = [last]
    while len(out) < count:
        out.append(out[-1].previous())
    return out[::-1]


# ---------------------------------------------------------------- one explained score


def _how(metric: Metric | None, m: dict) -> str:
    """The arithmetic of one metric's score, in words a person can check."""
    if m.get("key") == "ratings":
        return _("Qualitative ratings r count as 40 + 20 × (r − 1), combined with the rater weights.")
    if metric is None or m.get("actual") is None:
        return _("No observations this period: the metric is missing and its weight goes to the others.")
    actual, target = num(m["actual"]), num(m["target"])
    if metric.scoring_rule == ScoringRule.BINARY:
        return _("Met or not met: %(actual)s against the target %(target)s scores 100 or 0.") % {
            "actual": actual, "target": target}
    if metric.scoring_rule == ScoringRule.LINEAR and metric.zero_point is not None:
        return _("Linear: 0 at %(zero)s, 100 at the target %(target)s; the actual is %(actual)s.") % {
            "zero": num(metric.zero_point), "target": target, "actual": actual}
    if metric.direction == Direction.LOWER:
        if S.d(m["target"]) == 0:
            return _("Lower is better with a target of 0: 100 at 0, falling to 0 at the tolerance.")
        return _("Lower is better: 100 × target ÷ actual = 100 × %(target)s ÷ %(actual)s.") % {
            "target": target, "actual": actual}
    return _("Higher is better: 100 × actual ÷ target = 100 × %(actual)s ÷ %(target)s.") % {
        "actual": actual, "target": target}


def score_explanation(score: dict, metrics: dict[str, Metric], employee: Employee, period: P.Period) -> list[str]:
    """Why the score is what it is, in plain sentences (most important first)."""
    out: list[str] = []
    if score["total"] is None:
        if not score["scorecard"]:
            out.append(_("No scorecard applies to %(name)s for %(period)s, so there is no computed score.")
                       % {"name": employee.display_name, "period": period.key})
        else:
            out.append(_("There are no observations or ratings for %(period)s yet, so there is no total.")
                       % {"period": period.key})
        return out
    dims = score["dimensions"]
    present = [d for d in dims if not d["missing"]]
    out.append(_("The total %(total)s is the weighted mean of %(n)s dimension scores of the scorecard "
                 "“%(card)s”: each dimension's score times its weight, divided by the weights that have data.")
               % {"total": num(score["total"]), "n": len(present), "card": score["scorecard"]})
    out.append(_("A total of %(total)s gives the rating %(rating)s on the 1–5 scale: rating = 1 + 4 × "
                 "(total − 40) ÷ 80, with the total kept between 40 and 120; 100 means the targets were met "
                 "(rating 4.0).") % {"total": num(score["total"]), "rating": num(score["rating"])})
    for d in dims:
        if d["missing"]:
            out.append(_("“%(dim)s” has no data this period, so its weight of %(weight)s%% was spread over the "
                         "other dimensions in proportion.") % {"dim": d["name"], "weight": num(d["weight"])})
    if present:
        # The dimension that pulls the total down the most: (100 − score) × effective weight.
        worst = max(present, key=lambda d: (S.HUNDRED - d["score"]) * d["effective_weight"])
        if worst["score"] < S.HUNDRED:
            out.append(_("The biggest gap to 100 is “%(dim)s” with %(score)s (effective weight %(weight)s%%).")
                       % {"dim": worst["name"], "score": num(worst["score"]), "weight": num(worst["effective_weight"])})
    for d in dims:
        for m in d["metrics"]:
            if m.get("score") is not None and m["score"] >= S.CAP and m.get("key") != "ratings":
                out.append(_("“%(metric)s” is capped at 120: %(actual)s against a target of %(target)s.")
                           % {"metric": m.get("name") or m["key"], "actual": num(m["actual"]),
                              "target": num(m["target"])})
    if score["partial"]:
        out.append(_("%(name)s counted %(days)s of the %(total)s days of %(period)s (joined, moved or was on "
                     "leave), so the targets of sums and counts were pro-rated and the result is marked partial.")
                   % {"name": employee.display_name, "days": score.get("days_present") or 0,
                      "total": period.days, "period": period.key})
    if score.get("qualitative_pending"):
        out.append(_("A review cycle covering %(period)s is under way: its ratings count in the score once HR "
                     "closes the cycle after calibration; until then the qualitative part is pending.")
                   % {"period": period.key})
    # Final ratings are spoken of only to whom they show (access.can_view_final_rating).
    if score.get("final_rating_shown", True) and score["final_rating"] is not None:
        out.append(_("The final rating %(final)s was decided by people in a review; it counts wherever a rating "
                     "is used, instead of the computed %(rating)s.") % {"final": num(score["final_rating"]),
                                                                       "rating": num(score["rating"])})
    elif score.get("final_rating_shown", True):
        out.append(_("No final rating has been decided for this period: these computed figures are a suggestion, "
                     "and anyone can ask for a human review."))
    if score["status"] == "closed":
        out.append(_("The period is closed: observations that arrive now are kept, flagged “after close”, and "
                     "count only if HR reopens the period."))
    return out


def metric_definitions() -> dict[str, Metric]:
    """Every metric by key (names in both languages, unit, rule, direction, aggregation: what explains
    a metric's score), kept in the shared cache while the configuration does not change (core.cache).
    Read only. Organisation-wide configuration that every signed-in person reads
    (``access.visible_metrics``); a page uses it only to explain a score its reader may open."""
    return cache.cached(("performance.metric_definitions",), lambda: {m.key: m for m in Metric.objects.all()},
                        depends=("performance",))


def version_names(version_id: int) -> dict[str, Any]:
    """The names, in both languages, of a scorecard version's card and dimensions (by key), kept in the
    shared cache while the configuration does not change: ``{"scorecard": {...}, "dimensions": {key:
    {...}}}``, each ``{"name", "name_en"}`` (read them with ``core.bilingual.localized``)."""
    def build() -> dict[str, Any]:
        dims = Dimension.objects.filter(version_id=version_id).values(
            "key", "name", "name_en", "version__scorecard__name", "version__scorecard__name_en")
        out: dict[str, Any] = {"scorecard": None, "dimensions": {}}
        for d in dims:
            out["dimensions"][d["key"]] = {"name": d["name"], "name_en": d["name_en"]}
            out["scorecard"] = {"name": d["version__scorecard__name"], "name_en": d["version__scorecard__name_en"]}
        return out

    return cache.cached(("performance.version_names", version_id), build, depends=("performance",))


def score_page(actor: Actor, employee: Employee, period: P.Period, *, rows: Mapping[str, Mapping] | None = None,
               finals: Mapping[str, Decimal] | None = None) -> dict:
    """The explained score of one person (``employee`` fetched through ``access.score_subjects``).
    ``rows`` and ``finals``: what the page already read of the person (see ``selectors.score_get``)."""
    score = selectors.score_get(actor, employee, period, rows=rows, finals=finals)
    assert score is not None
    definitions = metric_definitions() if score["dimensions"] else {}
    metrics = {m["key"]: definitions[m["key"]] for d in score["dimensions"] for m in d["metrics"]
               if m.get("key") != "ratings" and m.get("key") in definitions}
    # The stored detail names things in the language of the recomputation; show the reader's.
    if score["dimensions"] and score["version_id"] is not None:
        names = version_names(score["version_id"])
        for d in score["dimensions"]:
            if d["key"] in names["dimensions"]:
                d["name"] = localized(names["dimensions"][d["key"]], "name")
                score["scorecard"] = localized(names["scorecard"], "name")
    for d in score["dimensions"]:
        for m in d["metrics"]:
            metric = metrics.get(m["key"])
            if metric is not None:
                m["name"] = metric.label
            m["how"] = _how(metric, m)
            m["unit"] = m.get("unit") or (metric.unit if metric else "")
            m["is_ratio"] = bool(metric and metric.aggregation == Aggregation.RATIO)
            if m.get("key") == "ratings":
                m["name"] = _("Qualitative ratings")
                m["rating_parts"] = [(kind, Decimal(value)) for kind, value in (m.get("ratings") or {}).items()]
                m["running_parts"] = [(kind, value) for kind, value in (m.get("running_ratings") or {}).items()]
    score["explanation"] = score_explanation(score, metrics, employee, period)
    score["effective_rating"] = score["final_rating"] if score["final_rating"] is not None else score["rating"]
    return score


def score_observations(actor: Actor, employee: Employee, period: P.Period, *, metric_key: str = "",
                       include_replaced: bool = False, page: int = 1, page_size: int | None = None,
                       offset: int | None = None) -> dict:
    """The observations behind one person's score, newest first, one page at a time.

    For a ratio metric these are the observations of its numerator and its denominator.
    """
    qs = access.visible_observations(actor).filter(employee=employee, occurred_on__gte=period.start,
                                                   occurred_on__lt=period.end)
    metric = None
    if metric_key:
        metric = access.visible_metrics(actor).select_related("numerator", "denominator").filter(
            key=metric_key).first()
        if metric is None:
            qs = qs.none()
        elif metric.aggregation == Aggregation.RATIO:
            qs = qs.filter(metric_id__in=[metric.numerator_id, metric.denominator_id])
        else:
            qs = qs.filter(metric=metric)
    if not include_replaced:
        qs = qs.filter(is_current=True)
    page_size = page_size or OBSERVATIONS_PAGE
    count = qs.count()
    pages = max(1, -(-count // page_size))
    if offset is None:
        page = min(max(1, page), pages)
        offset = (page - 1) * page_size
    items = list(qs.select_related("metric").order_by("-occurred_at", "-id")[offset:offset + page_size]) \
        if count > offset else []
    return {"items": items, "count": count, "page": page, "pages": pages, "metric": metric}


# ---------------------------------------------------------------- the employee's own dashboard


def my_dashboard(actor: Actor, employee: Employee, today: dt.date, months: int = 12) -> dict:
    """Total and rating over the last ``months`` months (this one included) and this month's metrics.

    The scores of the months (this one's with its explanation) come in one query, the final ratings in
    another; the explained score of this month is built from them; the configuration that names things
    comes from the shared cache."""
    current = P.containing(today)
    keys = [p.key for p in months_back(current, months)]
    rows = selectors.score_rows(selectors.person_scores(actor, employee), keys, current.key)
    finals = dict(FinalRating.objects.filter(employee=employee, period_key__in=keys)
                  .values_list("period_key", "rating")) if access.can_view_final_rating(actor, employee) else {}
    score = score_page(actor, employee, current, rows=rows, finals=finals)
    if current.key not in rows and score["computed_at"] is not None:  # computed just now, on demand
        rows = {**rows, current.key: {"total": score["total"], "rating": score["rating"], "partial": score["partial"]}}
    trend = [{"period": key, "total": rows.get(key, {}).get("total"), "rating": rows.get(key, {}).get("rating"),
              "partial": rows.get(key, {}).get("partial", False), "final_rating": finals.get(key),
              "current": key == current.key} for key in keys]
    metrics = [m for d in score["dimensions"] for m in d["metrics"] if m.get("key") != "ratings"]
    return {"period": current, "trend": trend, "score": score, "metrics": metrics,
            "feedback": recent_feedback(actor, employee)}


@dataclass(frozen=True)
class FeedbackLine:
    """One piece of feedback as a summary shows it."""

    giver_id: int
    giver_name: str
    kind: str
    created_at: dt.datetime
    text: str

    @property
    def kind_label(self) -> str:
        return str(Feedback.Kind(self.kind).label)


def recent_feedback(actor: Actor, employee: Employee, limit: int = 3) -> list[FeedbackLine]:
    """The latest feedback the person received as the actor may see it (``access.visible_feedback``),
    their manager's first; one query for what the summary shows."""
    if actor.employee is None:
        return []
    rows = (access.visible_feedback(actor).filter(recipient_id=actor.employee.pk).order_by("-created_at", "-id")
            .values_list("giver_id", "giver__name", "giver__name_en", "kind", "created_at", "text")[:limit])
    items = [FeedbackLine(giver_id, localized({"name": name, "name_en": name_en}, "name"), kind, created_at, text)
             for giver_id, name, name_en, kind, created_at, text in rows]
    return sorted(items, key=lambda f: f.giver_id != employee.manager_id)


# ---------------------------------------------------------------- the manager's team view


@dataclass
class TeamMember:
    id: int
    name: str
    employee_number: str
    total: Decimal | None
    previous: Decimal | None
    rating: Decimal | None
    final_rating: Decimal | None

    @property
    def effective_rating(self) -> Decimal | None:
        return self.final_rating if self.final_rating is not None else self.rating

    @property
    def change(self) -> Decimal | None:
        if self.total is None or self.previous is None:
            return None
        return self.total - self.previous


@dataclass
class TeamView:
    manager: Employee
    period: P.Period
    previous: P.Period
    people: int = 0
    scored: int = 0
    distribution: dict[int, int] = field(default_factory=dict)
    improving: list[TeamMember] = field(default_factory=list)
    declining: list[TeamMember] = field(default_factory=list)
    steady: int = 0
    average: Decimal | None = None
    average_previous: Decimal | None = None
    trend: list[tuple[str, Decimal | None]] = field(default_factory=list)
    open_alerts: int | None = None


def rating_band(rating: Decimal) -> int:
    """1–5: the rating rounded half up to a whole step of the scale."""
    return int(S.d(rating).quantize(Decimal(1), rounding=ROUND_HALF_UP))


def team_dashboard(actor: Actor, manager: Employee, period: P.Period, months: int = 12) -> TeamView:
    """Distribution of ratings, who improves or declines against the previous period, and the team's mean
    total over time. One query for the people with both periods' totals and final ratings, one for the trend."""
    previous = period.previous()
    members = access.team_members(actor, manager).filter(hire_date__lt=period.end).filter(
        Q(termination_date__isnull=True) | Q(termination_date__gte=period.start))
    scores = Score.objects.filter(employee=OuterRef("pk"))
    rows = list(members.annotate(
        cur_total=Subquery(scores.filter(period_key=period.key).values("total")[:1]),
        cur_rating=Subquery(scores.filter(period_key=period.key).values("rating")[:1]),
        prev_total=Subquery(scores.filter(period_key=previous.key).values("total")[:1]),
        final=Subquery(FinalRating.objects.filter(employee=OuterRef("pk"), period_key=period.key)
                       .values("rating")[:1]),
    ).order_by("employee_number").values("id", "name", "name_en", "employee_number", "cur_total", "cur_rating",
                                          "prev_total", "final"))
    view = TeamView(manager=manager, period=period, previous=previous, people=len(rows),
                    distribution=dict.fromkeys(RATING_BANDS, 0))
    people = []
    for r in rows:
        name = localized(r, "name")
        member = TeamMember(r["id"], name, r["employee_number"], _dec(r["cur_total"]), _dec(r["prev_total"]),
                            _dec(r["cur_rating"]), _dec(r["final"]))
        people.append(member)
        if member.effective_rating is not None:
            view.scored += 1
            view.distribution[rating_band(member.effective_rating)] += 1
    moved = [(m, change) for m in people if (change := m.change) is not None]
    view.improving = [m for m, _c in sorted([mc for mc in moved if mc[1] >= MOVE_POINTS],
                                            key=lambda mc: -mc[1])][:MOVERS_SHOWN]
    view.declining = [m for m, _c in sorted([mc for mc in moved if mc[1] <= -MOVE_POINTS],
                                            key=lambda mc: mc[1])][:MOVERS_SHOWN]
    view.steady = len([m for m, change in moved if -MOVE_POINTS < change < MOVE_POINTS])
    average, average_previous = S.mean(m.total for m in people if m.total is not None), S.mean(
        m.previous for m in people if m.previous is not None)
    view.average = S.round2(average) if average is not None else None
    view.average_previous = S.round2(average_previous) if average_previous is not None else None
    keys = [p.key for p in months_back(period, months)]
    means = {}
    sums = (access.visible_scores(actor).filter(employee__in=members.values("pk"), period_key__in=keys,
                                                 total__isnull=False)
            .order_by().values("period_key").annotate(n=Count("id"), s=Sum("total"))
            .values_list("period_key", "s", "n"))
    for key, total_sum, n in sums:
        means[key] = S.round2(S.d(total_sum) / n) if n else None
    view.trend = [(key, means.get(key)) for key in keys]
    view.open_alerts = selectors_alerts.alert_open_count(actor)
    return view


def _dec(value: Any) -> Decimal | None:
    return None if value is None else S.d(value)


# ---------------------------------------------------------------- HR's organisation view


@dataclass
class OrgView:
    parent: OrgUnit | None
    units: list[OrgUnit]
    months: list[P.Period]
    threshold: Decimal
    # unit id (0: everyone in scope) -> month key -> (met, scored)
    by_unit: dict[int, dict[str, tuple[int, int]]] = field(default_factory=dict)
    # metric key -> month key -> (met, scored)
    by_metric: dict[str, dict[str, tuple[int, int]]] = field(default_factory=dict)
    metric_names: dict[str, str] = field(default_factory=dict)

    @staticmethod
    def rate(cell: tuple[int, int] | None) -> Decimal | None:
        if not cell or not cell[1]:
            return None
        return S.round1(S.HUNDRED * cell[0] / cell[1])


def org_display_units(actor: Actor, parent: OrgUnit | None) -> tuple[OrgUnit | None, list[OrgUnit]]:
    """The units the view compares: the children of ``parent``, or of the organisation's single root."""
    units = list(visible_org_units(actor).filter(is_active=True).order_by("path"))
    if parent is None:
        roots = [u for u in units if u.parent_id is None]
        if len(roots) != 1:
            return None, roots
        parent = roots[0]
    return parent, [u for u in units if u.parent_id == parent.pk]


def org_dashboard(actor: Actor, *, parent: OrgUnit | None, last: P.Period, months: int = 12,
                  threshold: Decimal = ATTAINMENT_THRESHOLD) -> OrgView:
    """Attainment rate — the share of scored people whose total is at least ``threshold`` — per org unit
    (sub-units rolled up) and per metric target (people whose metric score is at least ``threshold``),
    for each of the ``months`` months up to ``last``. Totals are stored rounded, so the comparison uses
    the rounded figures, as the rules ask."""
    parent, units = org_display_units(actor, parent)
    periods = months_back(last, months)
    keys = [p.key for p in periods]
    view = OrgView(parent=parent, units=units, months=periods, threshold=threshold)
    people = access.score_subjects(actor)
    if parent is not None:
        people = people.filter(org_unit__path__startswith=parent.path)
    rows = (Score.objects.filter(employee__in=people.values("pk"), period_key__in=keys, total__isnull=False)
            .order_by().values("employee__org_unit__path", "period_key")
            .annotate(n=Count("id"), met=Count("id", filter=Q(total__gte=threshold)))
            .values_list("employee__org_unit__path", "period_key", "met", "n"))
    by_unit: dict[int, dict[str, list[int]]] = defaultdict(lambda: defaultdict(lambda: [0, 0]))
    for path, key, met, n in rows:
        targets = [0] + [u.pk for u in units if (path or "").startswith(u.path)]
        for unit_id in targets:
            cell = by_unit[unit_id][key]
            cell[0] += met
            cell[1] += n
    view.by_unit = {u: {k: (c[0], c[1]) for k, c in cells.items()} for u, cells in by_unit.items()}
    by_metric = _metric_attainment(people, keys, threshold)
    view.by_metric = by_metric
    if by_metric:
        view.metric_names = {m.key: m.label for m in access.visible_metrics(actor).filter(key__in=list(by_metric))}
    return view


def _metric_attainment(people: QuerySet[Employee], keys: list[str], threshold: Decimal
                       ) -> dict[str, dict[str, tuple[int, int]]]:
    """Per metric and month: how many scored people met the threshold. Each score keeps its metrics'
    scores apart from the explanation (``Score.metric_scores``), so they are unnested in SQL (SQLite's
    json_each, PostgreSQL's jsonb_each_text) and only the aggregate comes back."""
    table = connection.ops.quote_name(Score._meta.db_table)
    people_sql, people_params = people.values("pk").query.sql_with_params()
    placeholders = ", ".join(["%s"] * len(keys))
    if connection.vendor == "postgresql":
        sql = (f"SELECT s.period_key, m.key, COUNT(*), "  # noqa: S608 - identifiers are quoted
               f"SUM(CASE WHEN m.value::numeric >= %s THEN 1 ELSE 0 END) "
               f"FROM {table} s CROSS JOIN LATERAL jsonb_each_text(s.metric_scores) m "
               f"WHERE s.period_key IN ({placeholders}) AND s.employee_id IN ({people_sql}) "
               f"GROUP BY 1, 2")
    elif connection.vendor == "sqlite":
        sql = (f"SELECT s.period_key, m.key, COUNT(*), "  # noqa: S608 — quoted names, values bound
               f"SUM(CASE WHEN CAST(m.value AS REAL) >= %s THEN 1 ELSE 0 END) "
               f"FROM {table} s, json_each(s.metric_scores) m "
               f"WHERE s.period_key IN ({placeholders}) AND s.employee_id IN ({people_sql}) "
               f"GROUP BY 1, 2")
    else:  # pragma: no cover - the two engines the project supports
        return {}
    params = [threshold if connection.vendor == "postgresql" else float(threshold), *keys, *people_params]
    out: dict[str, dict[str, tuple[int, int]]] = defaultdict(dict)
    with connection.cursor() as cur:
        cur.execute(sql, params)
        for key, metric_key, n, met in cur.fetchall():
            out[metric_key][key] = (int(met or 0), int(n))
    return dict(out)


# ---------------------------------------------------------------- HR's periods page


@dataclass
class PeriodRow:
    period: P.Period
    closed: bool
    changed_at: dt.datetime | None
    changed_by: str
    scores: int


def period_is_closed(key: str) -> bool:
    return selectors.period_status(key) == "closed"


def period_rows(actor: Actor, today: dt.date) -> list[PeriodRow]:
    """Recent months, quarters and years with their state and how many scores each holds."""
    periods: list[P.Period] = []
    for kind, count in ((P.MONTH, 13), (P.QUARTER, 5), (P.YEAR, 4)):
        cur = P.containing(today, kind)
        for _i in range(count):
            periods.append(cur)
            cur = cur.previous()
    keys = [p.key for p in periods]
    states = {s.key: s for s in access.visible_period_states(actor).filter(key__in=keys).select_related("changed_by")}
    counts = dict(access.visible_scores(actor).filter(period_key__in=keys).order_by().values("period_key")
                  .annotate(n=Count("id")).values_list("period_key", "n"))
    out = []
    for p in periods:
        state = states.get(p.key)
        out.append(PeriodRow(period=p, closed=bool(state and state.closed),
                             changed_at=state.changed_at if state else None,
                             changed_by=str(state.changed_by) if state and state.changed_by else "",
                             scores=counts.get(p.key, 0)))
    return out


# ---------------------------------------------------------------- configuration lists


def metric_list(actor: Actor) -> list[Metric]:
    return list(access.visible_metrics(actor).select_related("numerator", "denominator").order_by("key"))


def scorecard_list(actor: Actor) -> list:
    """Scorecards with their scope and the latest version's month."""
    return list(access.visible_scorecards(actor).select_related("org_unit", "job_family")
                .annotate(latest=Max("versions__valid_from"), version_count=Count("versions"))
                .order_by("name"))


def scorecard_detail(actor: Actor, pk: int) -> dict | None:
    """A scorecard with every version, each with its dimensions and metric parts (four queries)."""
    card = access.visible_scorecards(actor).select_related("org_unit", "job_family").filter(pk=pk).first()
    if card is None:
        return None
    versions = list(ScorecardVersion.objects.filter(scorecard=card).select_related("created_by")
                    .order_by("-valid_from"))
    dims = list(Dimension.objects.filter(version__in=versions).order_by("order", "id"))
    parts = list(DimensionMetric.objects.filter(dimension__in=dims).select_related("metric").order_by("id"))
    parts_by_dim: dict[int, list] = defaultdict(list)
    for p in parts:
        parts_by_dim[p.dimension_id].append(p)
    dims_by_version: dict[int, list] = defaultdict(list)
    for d in dims:
        d.parts = parts_by_dim.get(d.pk, [])  # type: ignore[attr-defined]
        dims_by_version[d.version_id].append(d)
    for v in versions:
        v.dims = dims_by_version.get(v.pk, [])  # type: ignore[attr-defined]
    return {"scorecard": card, "versions": versions}


def _plain(value: Decimal | None) -> str | None:
    """30.000 → "30", 2.500000 → "2.5": as a person would type it."""
    if value is None:
        return None
    value = S.d(value)
    return f"{value.quantize(Decimal(1)) if value == value.to_integral() else value.normalize():f}"


def scorecard_version_as_rows(version: Any) -> list[dict]:  # a ScorecardVersion with ``dims`` prefetched
    """A version's dimensions in the editor's shape, to start a new version from it."""
    return [{"key": d.key, "name": d.name, "name_en": d.name_en, "weight": _plain(d.weight),
             "ratings_weight": _plain(d.ratings_weight), "manager_weight": _plain(d.manager_weight),
             "peer_weight": _plain(d.peer_weight), "self_weight": _plain(d.self_weight),
             "metrics": [{"metric": p.metric, "weight": _plain(p.weight), "target": _plain(p.target),
                          "tolerance": _plain(p.tolerance)} for p in d.parts]}
            for d in version.dims]

