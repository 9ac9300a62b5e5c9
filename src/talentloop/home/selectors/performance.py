"""The person's own performance: the live score with its trend, what the goals mean in plain
words, the latest feedback and open alerts. Reads through performance's access scopes only."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.utils.translation import gettext as _

from talentloop.core.bilingual import localized
from talentloop.home.selectors.base import (
    INFO,
    LIVE,
    URGENT,
    Ctx,
    Section,
    Sparkline,
    figure,
    head_and_count,
    sparkline,
)
from talentloop.performance import periods as P
from talentloop.performance import selectors_home as perf_home
from talentloop.performance.selectors import metric_labels, scorecard_in_force
from talentloop.performance.selectors_reviews import feedback_latest

TREND_MONTHS = 6
HUNDRED = Decimal(100)


def months_back(last: P.Period, count: int) -> list[P.Period]:
    out = [last]
    while len(out) < count:
        out.append(out[-1].previous())
    return out[::-1]


@dataclass
class MetricLine:
    name: str
    actual: Decimal | None
    target: Decimal | None
    unit: str
    score: Decimal | None
    met: bool | None  # None: no data yet

    @property
    def actual_label(self) -> str:
        return figure(self.actual)

    @property
    def target_label(self) -> str:
        return figure(self.target)


@dataclass
class LivePerformance(Section):
    key = "performance"
    period_key: str = ""
    is_current: bool = True
    total: Decimal | None = None
    rating: Decimal | None = None
    partial: bool = False
    metrics: list[MetricLine] = field(default_factory=list)
    trend: Sparkline | None = None
    latest_detail: dict | None = None  # the latest month's stored explanation (recommendations read it)


def live_performance(ctx: Ctx) -> LivePerformance | None:
    """This month's total (or the latest month that has one), each metric against its target and the
    last six months. One query: the score rows with their stored explanation (the metric names are
    configuration kept per process)."""
    me = ctx.employee
    if me is None:
        return None
    periods = months_back(ctx.period, TREND_MONTHS)
    rows: dict[str, Mapping[str, Any]] = perf_home.score_rows_by_period(ctx.actor, me.pk, [p.key for p in periods])
    section = LivePerformance(urgency=LIVE, period_key=ctx.period.key)
    section.trend = sparkline([(p.key, rows.get(p.key, {}).get("total")) for p in periods])
    shown = next((rows[p.key] for p in reversed(periods) if rows.get(p.key, {}).get("total") is not None), None)
    latest = next((rows[p.key] for p in reversed(periods) if p.key in rows), None)
    if latest is not None:  # its explanation also tells the recommendations what is below target
        section.latest_detail = latest["detail"] or {}
    if shown is None:
        return section
    section.period_key, section.is_current = shown["period_key"], shown["period_key"] == ctx.period.key
    section.total, section.rating, section.partial = shown["total"], shown["rating"], shown["partial"]
    parts = [m for d in (shown["detail"] or {}).get("dimensions", []) for m in d.get("metrics", [])
             if m.get("key") != "ratings"]
    names = metric_labels()  # every metric is visible to a signed-in person (performance's scope)
    for m in parts:
        info = names.get(m["key"], {})
        name = localized({"name": info.get("name") or m.get("name") or m["key"],
                          "name_en": info.get("name_en", "")}, "name")
        score = None if m.get("score") is None else Decimal(m["score"])
        section.metrics.append(MetricLine(
            name=name, actual=None if m.get("actual") is None else Decimal(m["actual"]),
            target=None if m.get("target") is None else Decimal(m["target"]),
            unit=info.get("unit") or m.get("unit") or "", score=score,
            met=None if score is None else score >= HUNDRED))
    return section


# ---------------------------------------------------------------- what the goals mean


@dataclass
class GoalsSection(Section):
    key = "goals"
    scorecard: str = ""
    sentences: list[str] = field(default_factory=list)


def _share(part: Decimal, whole: Decimal) -> Decimal:
    return (HUNDRED * part / whole).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP) if whole else Decimal(0)


def metric_sentence(name: str, share: Decimal, target: Decimal, unit: str, *, direction: str, aggregation: str,
                    rule: str, ratio_scale: Decimal | None = None) -> str:
    """One metric of the scorecard as a sentence a new hire understands."""
    values = {"name": name, "share": figure(share), "target": figure(target),
              "unit": f" {unit}" if unit else "", "scale": figure(ratio_scale or 1)}
    kind = perf_home.goal_kind(rule=rule, direction=direction, aggregation=aggregation, target=target)
    if kind == "binary":
        goal = _("it counts as met when you reach %(target)s%(unit)s in a month") % values
    elif kind == "none":
        goal = _("the goal is none at all in a month (fewer is better)") % values
    elif kind == "lower":
        goal = _("keep it at or below %(target)s%(unit)s each month (fewer is better)") % values
    elif kind == "avg":
        goal = _("the target is an average of %(target)s%(unit)s each month") % values
    elif kind == "last":
        goal = _("the target is %(target)s%(unit)s at the end of each month") % values
    elif kind == "ratio":
        goal = _("the target is %(target)s%(unit)s per %(scale)s each month") % values
    else:
        goal = _("the target is %(target)s%(unit)s a month") % values
    return _("“%(name)s” counts for %(share)s%% of your score; %(goal)s.") % {**values, "goal": goal}


def ratings_sentence(dimension: str, share: Decimal, manager: Decimal, peer: Decimal, own: Decimal) -> str:
    values = {"dim": dimension, "share": figure(share)}
    if peer == 0 and own == 0:
        return _("Your manager's rating of “%(dim)s” counts for %(share)s%% of your score.") % values
    return _("Ratings of “%(dim)s” by your manager, colleagues or yourself count for %(share)s%% of your "
             "score.") % values


def goals(ctx: Ctx) -> GoalsSection | None:
    """The scorecard that applies to the person this month, each part with its share of the total and
    its target in words (the scorecard in force is configuration, kept per process: no query while
    it does not change)."""
    me = ctx.employee
    if me is None:
        return None
    section = GoalsSection(urgency=INFO)
    found = scorecard_in_force(me.org_unit.path, me.job_family_id, ctx.period.start)
    if found is None:
        return section
    card, version, dims = found
    section.scorecard = card.label
    if version is None:
        return section
    all_weight = sum((d.weight for d in dims), Decimal(0))
    for d in dims:
        parts = list(d.metrics.all())
        inner = sum((p.weight for p in parts), Decimal(0)) + (d.ratings_weight if d.ratings_weight > 0 else 0)
        for p in parts:
            share = _share(d.weight * p.weight / inner if inner else Decimal(0), all_weight)
            section.sentences.append(metric_sentence(
                p.metric.label, share, p.target, p.metric.unit, direction=p.metric.direction,
                aggregation=p.metric.aggregation, rule=p.metric.scoring_rule, ratio_scale=p.metric.ratio_scale))
        if d.ratings_weight > 0:
            share = _share(d.weight * d.ratings_weight / inner if inner else Decimal(0), all_weight)
            section.sentences.append(ratings_sentence(d.label, share, d.manager_weight, d.peer_weight, d.self_weight))
    return section


# ---------------------------------------------------------------- feedback and alerts


@dataclass
class FeedbackSection(Section):
    key = "feedback"
    items: list = field(default_factory=list)


def feedback(ctx: Ctx) -> FeedbackSection | None:
    if ctx.employee is None:
        return None
    return FeedbackSection(urgency=INFO, items=feedback_latest(ctx.actor, limit=3))


@dataclass
class AlertsSection(Section):
    key = "alerts"
    alerts: list = field(default_factory=list)
    alert_count: int = 0
    reviews: list = field(default_factory=list)
    review_count: int = 0
    show_reviews: bool = False


def alerts(ctx: Ctx) -> AlertsSection | None:
    """Decline alerts still waiting for someone to act (open, not yet acknowledged) that the person
    may see (their own, their team's) and, for the heads of units and HR, open root-cause reviews. An
    acknowledged alert leaves the count: it stays on the alerts page until it is resolved or the
    metric recovers. The alerts are read with only what the card shows (the alert page's selector
    loads whole employee records, encrypted fields included)."""

    section = AlertsSection(urgency=URGENT)
    section.alerts, section.alert_count = head_and_count(perf_home.action_alert_queryset(ctx.actor), 3)
    if ctx.actor.has_reports or ctx.actor.is_hr:
        section.show_reviews = True
        section.reviews, section.review_count = head_and_count(perf_home.open_review_queryset(ctx.actor), 3)
    if not section.alert_count and not section.review_count:
        return None  # nothing open: no card (the queries ran all the same, so the count stays fixed)
    return section


__all__ = ["AlertsSection", "FeedbackSection", "GoalsSection", "LivePerformance", "MetricLine", "alerts",
           "feedback", "goals", "live_performance", "metric_sentence", "months_back", "ratings_sentence"]
