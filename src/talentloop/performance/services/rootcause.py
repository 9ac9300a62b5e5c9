"""Target root cause: when an org unit keeps missing a target, open a review that says why.

The check, as of a date D, for every active org unit and every person metric in the scorecards of
its members (the unit's subtree):

- **Periods.** The latest complete period is the one before the period containing D (month by
  default; HR may choose quarters). An incomplete period never counts.
- **The unit's period value** is the metric's aggregate over the observations of its members
  (people whose current unit is the unit or below it): the mean of all observations for an
  average metric, Σ numerator / Σ denominator for a ratio, the mean of members' last values for
  'last' — and, for sum and count metrics, the total *per head* (divided by the members the
  metric's scorecard applies to and who were employed in the period), so that it compares with the
  per-person scorecard target and with peer units of another size.
- **The unit's target** is the mean of its members' targets for the metric, from the scorecard
  version each member had in that period (sum and count targets scaled to the period's length as
  for scores, not pro-rated).
- **A miss** is a value below the target when higher is better, above it when lower is better.
  N misses in a row (default 3) ending with the latest complete period open a review, unless a
  review of the same streak is still going; the streak ends when a later period meets the target
  (the review is then marked recovered). A period without data breaks a streak.

Causes (thresholds are ``RootCauseSettings``, tuned by HR; defaults from the issue):

- *target too high*: the target is more demanding than ``factor`` (1.2) × the better of the unit's
  mean over the ``history`` (6) periods before the latest and the median of its peer units (same
  parent) in the latest period — above it when higher is better, below it ÷ factor when lower is
  better;
- *resources too thin*: in the latest period, headcount or hours at least 10% below their mean
  over the history periods, or workload per head at least 15% above its mean. They come from org-unit
  context observations (metric keys set in the settings: ``headcount``, ``hours``, ``workload``); when
  there are no headcount observations, headcount is counted from the employee records (members
  employed on the period's last day);
- *capability short*: the members' mean skill assessment over the 12 months before the latest
  period's end at least 10% below the pooled mean of the peer units' members, or at least 40% of the
  members employed under a year. Skill assessments are observations of the person metric
  ``skill-assessment`` (0–100) until the mentoring app records them itself;
- *unclear* when none holds.

Each cause carries its evidence, a ``margin`` — how far past its threshold the evidence is, in
percentage points (for *target too high*: percent beyond the threshold value) — and a strength:
strong from 15, moderate from 5, weak below. Likely causes are listed strongest first, each with
its suggested action: adjust the target, add resources, training (unclear: look into it further).
"""

from __future__ import annotations

import datetime as dt
import statistics
from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, cast

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, Q, Sum
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from talentloop.accounts.models import RoleAssignment
from talentloop.core.access import Actor
from talentloop.core.audit.services import audit_record, diff, snapshot
from talentloop.core.errors import InvalidInput, PermissionDenied, errors_from_validation
from talentloop.notifications.services import Item, notify_each
from talentloop.organisation.models import Employee, OrgUnit
from talentloop.performance import access
from talentloop.performance import periods as P
from talentloop.performance import scoring as S
from talentloop.performance.models import (
    Aggregation,
    CauseKey,
    DimensionMetric,
    Metric,
    Observation,
    RootCauseAction,
    RootCauseReview,
    RootCauseSettings,
    RootCauseStatus,
    Scorecard,
    ScorecardVersion,
    SubjectKind,
)
from talentloop.performance.notification_kinds import ROOT_CAUSE_DIGEST, ROOT_CAUSE_REVIEW
from talentloop.performance.services.scores import _dec, _raw, resolve_scorecard

PER_HEAD = {Aggregation.SUM, Aggregation.COUNT}
ACTIONS = {CauseKey.TARGET_TOO_HIGH: RootCauseAction.ADJUST_TARGET,
           CauseKey.RESOURCES_THIN: RootCauseAction.ADD_RESOURCES,
           CauseKey.CAPABILITY_SHORT: RootCauseAction.TRAINING,
           CauseKey.UNCLEAR: RootCauseAction.INVESTIGATE}
STRONG = Decimal(15)
MODERATE = Decimal(5)
SETTINGS_FIELDS = ["period_kind", "consecutive_periods", "history_periods", "target_factor", "resource_drop_pct",
                   "workload_rise_pct", "skill_gap_pct", "new_joiner_share_pct", "tenure_days", "headcount_metric",
                   "hours_metric", "workload_metric", "skill_metric", "is_active"]


def strength(margin: Decimal) -> str:
    return "strong" if margin >= STRONG else "moderate" if margin >= MODERATE else "weak"


def _s(value: Decimal | None) -> str | None:
    return None if value is None else str(S.round2(value))


def _path_ids(path: str) -> list[int]:
    return [int(x) for x in path.strip("/").split("/") if x]


def _pct_below(latest: Decimal, mean: Decimal) -> Decimal:
    return S.round2(S.HUNDRED * (mean - latest) / mean)


def _pct_above(latest: Decimal, mean: Decimal) -> Decimal:
    return S.round2(S.HUNDRED * (latest - mean) / mean)


def _mean(values: list[Decimal | None]) -> Decimal | None:
    present = [v for v in values if v is not None]
    return sum(present, Decimal(0)) / len(present) if present else None


def _median(values: list[Decimal]) -> Decimal | None:
    return statistics.median(sorted(values)) if values else None


# ---------------------------------------------------------------- the unit figures, set-based


@dataclass
class Figures:
    """Everything the check needs, read with a fixed number of queries."""

    periods: list[P.Period]
    units: dict[int, Mapping[str, Any]]
    ancestors: dict[int, list[int]]  # unit -> itself and the units above it
    metrics: dict[int, Metric]
    members: dict[tuple[int, int, int], int] = field(default_factory=lambda: defaultdict(int))  # (unit, metric, i)
    target_sum: dict[tuple[int, int, int], Decimal] = field(default_factory=lambda: defaultdict(Decimal))
    obs_sum: dict[tuple[int, int, int], Decimal] = field(default_factory=lambda: defaultdict(Decimal))
    obs_count: dict[tuple[int, int, int], int] = field(default_factory=lambda: defaultdict(int))
    last_sum: dict[tuple[int, int, int], Decimal] = field(default_factory=lambda: defaultdict(Decimal))
    last_count: dict[tuple[int, int, int], int] = field(default_factory=lambda: defaultdict(int))

    def value(self, unit: int, metric: Metric, i: int) -> Decimal | None:
        key = (unit, metric.pk, i)
        if metric.aggregation == Aggregation.RATIO:
            # A ratio metric has both parts (the model requires them).
            num, den = (unit, cast(int, metric.numerator_id), i), (unit, cast(int, metric.denominator_id), i)
            if not self.obs_count.get(num) or not self.obs_sum.get(den):
                return None
            return self.obs_sum[num] * S.d(metric.ratio_scale) / self.obs_sum[den]
        if metric.aggregation == Aggregation.LAST:
            n = self.last_count.get(key, 0)
            return self.last_sum[key] / n if n else None
        count = self.obs_count.get(key, 0)
        if not count:
            return None
        if metric.aggregation == Aggregation.AVG:
            return self.obs_sum[key] / count
        heads = self.members.get(key, 0)
        if not heads:
            return None
        total = Decimal(count) if metric.aggregation == Aggregation.COUNT else self.obs_sum[key]
        return total / heads

    def target(self, unit: int, metric: Metric, i: int) -> Decimal | None:
        n = self.members.get((unit, metric.pk, i), 0)
        return self.target_sum[(unit, metric.pk, i)] / n if n else None


def _card_targets(periods: list[P.Period]) -> tuple[list[Scorecard], list[dict[int, dict[int, Decimal]]],
                                                     dict[int, Metric]]:
    """Active scorecards, and for each period: scorecard id -> metric id -> monthly target of the
    version valid at the period's start. Three queries for all periods."""
    cards = list(Scorecard.objects.filter(is_active=True).select_related("org_unit"))
    versions = list(ScorecardVersion.objects.filter(scorecard__in=cards, valid_from__lt=periods[0].end)
                    .order_by("scorecard_id", "-valid_from").values_list("id", "scorecard_id", "valid_from"))
    parts = list(DimensionMetric.objects.filter(dimension__version_id__in=[v[0] for v in versions],
                                                metric__subject_kind=SubjectKind.EMPLOYEE)
                 .select_related("metric", "dimension").order_by("id"))
    by_version: dict[int, dict[int, Decimal]] = defaultdict(dict)
    metrics: dict[int, Metric] = {}
    for part in parts:
        by_version[part.dimension.version_id].setdefault(part.metric_id, S.d(part.target))
        metrics[part.metric_id] = part.metric
    out = []
    for period in periods:
        chosen: dict[int, dict[int, Decimal]] = {}
        for vid, card_id, valid_from in versions:  # newest first within each card
            if card_id not in chosen and valid_from <= period.start:
                chosen[card_id] = by_version.get(vid, {})
        out.append(chosen)
    return cards, out, metrics


def _figures(periods: list[P.Period]) -> Figures:
    units: dict[int, Mapping[str, Any]] = {
        u["id"]: u for u in OrgUnit.objects.filter(is_active=True).values("id", "path", "parent_id", "manager_id",
                                                                           "name", "name_en")}
    ancestors = {uid: [a for a in _path_ids(u["path"]) if a in units] or [uid] for uid, u in units.items()}
    cards, targets_by_period, metrics = _card_targets(periods)
    ratio_parts = {sub for m in metrics.values() for sub in (m.numerator_id, m.denominator_id)
                   if sub and sub not in metrics}
    if ratio_parts:  # observed, never reviewed themselves
        metrics.update({m.pk: m for m in Metric.objects.filter(pk__in=ratio_parts)})
    fig = Figures(periods=periods, units=units, ancestors=ancestors, metrics=metrics)
    oldest, newest = periods[-1], periods[0]
    people = Employee.objects.filter(hire_date__lt=newest.end).filter(
        Q(termination_date__isnull=True) | Q(termination_date__gte=oldest.start))
    # Members and targets per (leaf unit, job family, period), then per unit and metric.
    groups: dict[tuple[int, int, int], int] = defaultdict(int)
    for unit_id, family, hired, left in people.values_list("org_unit_id", "job_family_id", "hire_date",
                                                           "termination_date"):
        for i, p in enumerate(periods):
            if hired < p.end and (left is None or left >= p.start):
                groups[(unit_id, family, i)] += 1
    card_cache: dict[tuple[int, int], Scorecard | None] = {}
    for (unit_id, family, i), n in groups.items():
        if unit_id not in units:
            continue
        key = (unit_id, family)
        if key not in card_cache:
            card_cache[key] = resolve_scorecard(cards, units[unit_id]["path"], family)
        card = card_cache[key]
        if card is None:
            continue
        period = periods[i]
        for metric_id, target in targets_by_period[i].get(card.pk, {}).items():
            metric = metrics[metric_id]
            if metric.aggregation in PER_HEAD:
                target = target * period.months
            for a in ancestors[unit_id]:
                fig.members[(a, metric_id, i)] += n
                fig.target_sum[(a, metric_id, i)] += target * n
    if not metrics:
        return fig
    # Observations per (leaf unit, metric) with one conditional aggregate per period: one query.
    base = Observation.objects.filter(is_current=True, employee__isnull=False, metric_id__in=list(metrics),
                                      occurred_on__gte=oldest.start, occurred_on__lt=newest.end)
    annotations: dict[str, Any] = {}
    names = []
    for i, p in enumerate(periods):
        inside = Q(occurred_on__gte=p.start, occurred_on__lt=p.end)
        annotations[f"s{i}"] = Sum("value", filter=inside)
        annotations[f"c{i}"] = Count("id", filter=inside)
        names += [f"s{i}", f"c{i}"]
    grouped = (base.order_by().values("employee__org_unit_id", "metric_id").annotate(**annotations)
               .values_list("employee__org_unit_id", "metric_id", *names))
    for row in _raw(grouped):
        unit_id, metric_id = row[0], row[1]
        if unit_id not in units:
            continue
        for i in range(len(periods)):
            count = row[3 + 2 * i]
            if count:
                total = _dec(row[2 + 2 * i]) or Decimal(0)
                for a in ancestors[unit_id]:
                    fig.obs_sum[(a, metric_id, i)] += total
                    fig.obs_count[(a, metric_id, i)] += count
    last_ids = [m.pk for m in metrics.values() if m.aggregation == Aggregation.LAST]
    if last_ids:
        lasts: dict[tuple[int, int, int], tuple[int, Decimal]] = {}
        rows = (base.filter(metric_id__in=last_ids).order_by("employee_id", "metric_id", "occurred_at", "id")
                .values_list("employee_id", "employee__org_unit_id", "metric_id", "occurred_on", "value"))
        for emp, unit_id, metric_id, day, value in _raw(rows):
            day = day if isinstance(day, dt.date) else dt.date.fromisoformat(str(day))
            for i, p in enumerate(periods):
                if p.contains(day):
                    lasts[(emp, metric_id, i)] = (unit_id, cast(Decimal, _dec(value)))  # values are not null
        for (_emp, metric_id, i), (unit_id, value) in lasts.items():
            for a in ancestors.get(unit_id, []):
                fig.last_sum[(a, metric_id, i)] += value
                fig.last_count[(a, metric_id, i)] += 1
    return fig


def _misses(value: Decimal | None, target: Decimal | None, higher: bool) -> bool | None:
    if value is None or target is None:
        return None
    return value < target if higher else value > target


# ---------------------------------------------------------------- causes


@dataclass
class Context:
    """Context of the units that open a review: resources and capability figures."""

    headcount_obs: dict[tuple[int, int], Decimal | None]  # (unit, period i)
    hours: dict[tuple[int, int], Decimal | None]
    workload: dict[tuple[int, int], Decimal | None]
    headcount_records: dict[tuple[int, int], int]
    skill_sum: dict[int, Decimal]
    skill_count: dict[int, int]
    members_now: dict[int, int]
    new_joiners: dict[int, int]


def _context(cfg: RootCauseSettings, fig: Figures, unit_ids: set[int]) -> Context:
    periods = fig.periods
    keys = [k for k in (cfg.headcount_metric, cfg.hours_metric, cfg.workload_metric) if k]
    ctx_metrics = {m.key: m for m in Metric.objects.filter(key__in=keys + [cfg.skill_metric or "-"])}
    series: dict[str, dict[tuple[int, int], Decimal | None]] = {"headcount": {}, "hours": {}, "workload": {}}
    wanted = {ctx_metrics[k].pk: name for name, k in (("headcount", cfg.headcount_metric),
                                                      ("hours", cfg.hours_metric),
                                                      ("workload", cfg.workload_metric))
              if k in ctx_metrics and ctx_metrics[k].subject_kind == SubjectKind.ORG_UNIT}
    if wanted and unit_ids:
        base = Observation.objects.filter(is_current=True, org_unit_id__in=sorted(unit_ids),
                                          metric_id__in=list(wanted), occurred_on__gte=periods[-1].start,
                                          occurred_on__lt=periods[0].end)
        annotations: dict[str, Any] = {}
        names = []
        for i, p in enumerate(periods):
            inside = Q(occurred_on__gte=p.start, occurred_on__lt=p.end)
            annotations[f"s{i}"] = Sum("value", filter=inside)
            annotations[f"c{i}"] = Count("id", filter=inside)
            names += [f"s{i}", f"c{i}"]
        agg: dict[tuple[int, int, int], dict] = {}
        for row in _raw(base.order_by().values("org_unit_id", "metric_id").annotate(**annotations)
                        .values_list("org_unit_id", "metric_id", *names)):
            for i in range(len(periods)):
                if row[3 + 2 * i]:
                    total = _dec(row[2 + 2 * i]) or Decimal(0)
                    agg[(row[0], row[1], i)] = {"sum": total, "count": row[3 + 2 * i],
                                                "avg": total / row[3 + 2 * i]}
        by_pk = {m.pk: m for m in ctx_metrics.values()}
        if any(by_pk[m].aggregation == Aggregation.LAST for m in wanted):
            for unit_id, metric_id, day, value in _raw(base.order_by("org_unit_id", "metric_id", "occurred_at", "id")
                                                       .values_list("org_unit_id", "metric_id", "occurred_on",
                                                                    "value")):
                day = day if isinstance(day, dt.date) else dt.date.fromisoformat(str(day))
                for i, p in enumerate(periods):
                    if p.contains(day) and (unit_id, metric_id, i) in agg:
                        agg[(unit_id, metric_id, i)]["last"] = _dec(value)
        for (unit_id, metric_id, i), entry in agg.items():
            metric = by_pk[metric_id]
            aggregation = metric.aggregation
            value = (Decimal(entry["count"]) if aggregation == Aggregation.COUNT
                     else entry.get(aggregation if aggregation in ("avg", "last") else "sum"))
            series[wanted[metric_id]][(unit_id, i)] = value
    # Headcount from the records (members employed on each period's last day), tenure and skills.
    latest_last_day = periods[0].end - dt.timedelta(days=1)
    records: dict[tuple[int, int], int] = defaultdict(int)
    members_now: dict[int, int] = defaultdict(int)
    new_joiners: dict[int, int] = defaultdict(int)
    rows = Employee.objects.filter(hire_date__lt=periods[0].end).filter(
        Q(termination_date__isnull=True) | Q(termination_date__gte=periods[-1].start)).values_list(
        "org_unit_id", "hire_date", "termination_date")
    for unit_id, hired, left in rows:
        ups = fig.ancestors.get(unit_id, [])
        for i, p in enumerate(periods):
            last_day = p.end - dt.timedelta(days=1)
            if hired <= last_day and (left is None or left >= last_day):
                for a in ups:
                    records[(a, i)] += 1
        if hired <= latest_last_day and (left is None or left >= latest_last_day):
            short = (latest_last_day - hired).days < cfg.tenure_days
            for a in ups:
                members_now[a] += 1
                if short:
                    new_joiners[a] += 1
    skill_sum: dict[int, Decimal] = defaultdict(Decimal)
    skill_count: dict[int, int] = defaultdict(int)
    skill = ctx_metrics.get(cfg.skill_metric) if cfg.skill_metric else None
    if skill is not None and skill.subject_kind == SubjectKind.EMPLOYEE:
        start = periods[0].end - dt.timedelta(days=365)
        q = (Observation.objects.filter(is_current=True, employee__isnull=False, metric=skill,
                                        occurred_on__gte=start, occurred_on__lt=periods[0].end)
             .order_by().values("employee__org_unit_id").annotate(s=Sum("value"), c=Count("id"))
             .values_list("employee__org_unit_id", "s", "c"))
        for unit_id, total, count in _raw(q):
            for a in fig.ancestors.get(unit_id, []):
                skill_sum[a] += _dec(total) or Decimal(0)
                skill_count[a] += count
    return Context(series["headcount"], series["hours"], series["workload"], records, skill_sum, skill_count,
                   members_now, new_joiners)


def _cause(key: str, holds: bool, margin: Decimal | None, evidence: dict, evaluable: bool = True) -> dict:
    return {"key": key, "holds": holds, "evaluable": evaluable,
            "margin": _s(margin) if holds and margin is not None else None,
            "strength": strength(margin) if holds and margin is not None else "",
            "evidence": evidence}


def _target_cause(cfg: RootCauseSettings, fig: Figures, unit: int, metric: Metric, peers: list[int]) -> dict:
    h = cfg.history_periods
    target = fig.target(unit, metric, 0)
    history = [fig.value(unit, metric, i) for i in range(1, min(h, len(fig.periods) - 1) + 1)]
    hist_mean = _mean(history)
    peer_values = [v for v in (fig.value(p, metric, 0) for p in peers) if v is not None]
    peer_median = _median(peer_values)
    candidates = [v for v in (hist_mean, peer_median) if v is not None]
    factor = S.d(cfg.target_factor)
    evidence = {"target": _s(target), "history_mean": _s(hist_mean),
                "history_periods": len([v for v in history if v is not None]), "peer_median": _s(peer_median),
                "peers": len(peer_values), "factor": f"{factor.normalize():f}", "direction": metric.direction}
    if target is None or not candidates:
        return _cause(CauseKey.TARGET_TOO_HIGH, False, None, evidence, evaluable=False)
    if metric.higher_is_better:
        better = max(candidates)
        threshold = factor * better
        holds = target > threshold
        margin = S.HUNDRED * (target - threshold) / threshold if threshold > 0 else None
    else:
        better = min(candidates)
        threshold = better / factor
        holds = target < threshold
        margin = S.HUNDRED * (threshold - target) / threshold if threshold > 0 else None
    evidence.update({"better": _s(better), "threshold": _s(threshold)})
    return _cause(CauseKey.TARGET_TOO_HIGH, holds, margin if margin is not None else S.HUNDRED, evidence)


def _resources_cause(cfg: RootCauseSettings, fig: Figures, ctx: Context, unit: int) -> dict:
    hist = range(1, min(cfg.history_periods, len(fig.periods) - 1) + 1)
    drop_limit, rise_limit = S.d(cfg.resource_drop_pct), S.d(cfg.workload_rise_pct)
    from_obs = any((unit, i) in ctx.headcount_obs for i in range(len(fig.periods)))

    def headcount(i: int) -> Decimal | None:
        if from_obs:
            return ctx.headcount_obs.get((unit, i))
        n = ctx.headcount_records.get((unit, i), 0)
        return Decimal(n) if n else None

    evidence: dict[str, Any] = {"drop_limit": _s(drop_limit), "rise_limit": _s(rise_limit),
                                "headcount_source": "observations" if from_obs else "records"}
    margins: list[Decimal] = []
    evaluable = False
    for name, getter in (("headcount", headcount), ("hours", lambda i: ctx.hours.get((unit, i)))):
        latest, mean = getter(0), _mean([getter(i) for i in hist])
        entry: dict[str, Any] = {"latest": _s(latest), "mean": _s(mean), "drop_pct": None, "holds": False}
        if latest is not None and mean:
            evaluable = True
            entry["drop_pct"] = str(_pct_below(latest, mean))
            if _pct_below(latest, mean) >= drop_limit:
                entry["holds"] = True
                margins.append(_pct_below(latest, mean) - drop_limit)
        evidence[name] = entry

    def per_head(i: int) -> Decimal | None:
        work, heads = ctx.workload.get((unit, i)), headcount(i)
        return work / heads if work is not None and heads else None

    latest, mean = per_head(0), _mean([per_head(i) for i in hist])
    entry = {"latest": _s(latest), "mean": _s(mean), "rise_pct": None, "holds": False}
    if latest is not None and mean:
        evaluable = True
        entry["rise_pct"] = str(_pct_above(latest, mean))
        if _pct_above(latest, mean) >= rise_limit:
            entry["holds"] = True
            margins.append(_pct_above(latest, mean) - rise_limit)
    evidence["workload_per_head"] = entry
    return _cause(CauseKey.RESOURCES_THIN, bool(margins), max(margins) if margins else None, evidence, evaluable)


def _capability_cause(cfg: RootCauseSettings, ctx: Context, unit: int, peers: list[int]) -> dict:
    gap_limit, share_limit = S.d(cfg.skill_gap_pct), S.d(cfg.new_joiner_share_pct)
    margins: list[Decimal] = []
    evaluable = False
    mine = ctx.skill_sum[unit] / ctx.skill_count[unit] if ctx.skill_count.get(unit) else None
    peer_total = sum((ctx.skill_sum.get(p, Decimal(0)) for p in peers), Decimal(0))
    peer_n = sum(ctx.skill_count.get(p, 0) for p in peers)
    peer_mean = peer_total / peer_n if peer_n else None
    skill: dict[str, Any] = {"mean": _s(mine), "assessments": ctx.skill_count.get(unit, 0),
                             "peer_mean": _s(peer_mean), "gap_pct": None, "holds": False, "limit": _s(gap_limit)}
    if mine is not None and peer_mean:
        evaluable = True
        gap = _pct_below(mine, peer_mean)
        skill["gap_pct"] = str(gap)
        if gap >= gap_limit:
            skill["holds"] = True
            margins.append(gap - gap_limit)
    members, joiners = ctx.members_now.get(unit, 0), ctx.new_joiners.get(unit, 0)
    tenure: dict[str, Any] = {"members": members, "new_joiners": joiners, "share_pct": None, "holds": False,
                              "limit": _s(share_limit), "tenure_days": cfg.tenure_days}
    if members:
        evaluable = True
        share = S.round2(S.HUNDRED * joiners / members)
        tenure["share_pct"] = str(share)
        if share >= share_limit:
            tenure["holds"] = True
            margins.append(share - share_limit)
    return _cause(CauseKey.CAPABILITY_SHORT, bool(margins), max(margins) if margins else None,
                  {"skill": skill, "tenure": tenure}, evaluable)


# A digest names at most this many units (the rest are on the list it links to).
DIGEST_UNITS = 5

_RANK = {"strong": 0, "moderate": 1, "weak": 2, "": 3}


def rank_causes(causes: list[dict]) -> tuple[str, list[str]]:
    """The primary cause and the suggested actions, strongest cause first."""
    likely = sorted([c for c in causes if c["holds"]],
                    key=lambda c: (_RANK[c["strength"]], -Decimal(c["margin"] or 0)))
    if not likely:
        return CauseKey.UNCLEAR, [RootCauseAction.INVESTIGATE]
    return likely[0]["key"], [ACTIONS[c["key"]] for c in likely]


# ---------------------------------------------------------------- the check


@dataclass
class RootCauseRunResult:
    as_of: dt.date
    units: int = 0
    opened: int = 0
    recovered: int = 0
    opened_ids: list[int] = field(default_factory=list)


def _periods(cfg: RootCauseSettings, as_of: dt.date) -> list[P.Period]:
    latest = P.containing(as_of, cfg.period_kind).previous()
    out = [latest]
    while len(out) < max(cfg.consecutive_periods, cfg.history_periods + 1):
        out.append(out[-1].previous())
    return out


@transaction.atomic
def root_causes_evaluate(*, actor: Actor | None, as_of: dt.date) -> RootCauseRunResult:
    """Open a review for each (unit, metric) that missed its target N periods in a row, and mark
    the reviews whose unit met the target again. ``actor`` None is the scheduler."""
    if not access.can_run_alert_checks(actor):
        raise PermissionDenied(_("Only HR runs the root-cause checks."))
    cfg = RootCauseSettings.current()
    result = RootCauseRunResult(as_of=as_of)
    if not cfg.is_active:
        return result
    periods = _periods(cfg, as_of)
    latest = periods[0]
    n = cfg.consecutive_periods
    fig = _figures(periods)
    ongoing = {(r.org_unit_id, r.metric_id): r for r in RootCauseReview.objects.filter(recovered_period="")}
    pairs = sorted({(u, m) for (u, m, i) in fig.members if i == 0})
    result.units = len({u for u, _m in pairs})
    streaks: dict[tuple[int, int], int] = {}
    recovered: list[RootCauseReview] = []
    for unit, metric_id in pairs:
        metric = fig.metrics[metric_id]
        higher = metric.higher_is_better
        review = ongoing.get((unit, metric_id))
        if review is not None:
            if P.parse(review.last_period).start < latest.start and _misses(
                    fig.value(unit, metric, 0), fig.target(unit, metric, 0), higher) is False:
                review.recovered_period = latest.key
                recovered.append(review)
            continue
        k = 0
        while k < len(periods) and _misses(fig.value(unit, metric, k), fig.target(unit, metric, k), higher):
            k += 1
        if k >= n:
            streaks[(unit, metric_id)] = k
    if recovered:
        RootCauseReview.objects.bulk_update(recovered, ["recovered_period"])
        result.recovered = len(recovered)
    if streaks:
        # Replaying an earlier day: a streak already reviewed (and since recovered) is not reviewed again.
        done = set()
        for r in RootCauseReview.objects.exclude(recovered_period="").filter(
                org_unit_id__in={u for u, _m in streaks}, period_kind=cfg.period_kind).values(
                "org_unit_id", "metric_id", "last_period", "recovered_period"):
            if P.parse(r["last_period"]).start <= latest.start < P.parse(r["recovered_period"]).start:
                done.add((r["org_unit_id"], r["metric_id"]))
        streaks = {k: v for k, v in streaks.items() if k not in done}
    if streaks:
        ctx = _context(cfg, fig, {u for u, _m in streaks})
        children: dict[int | None, list[int]] = defaultdict(list)
        for uid, u in fig.units.items():
            children[u["parent_id"]].append(uid)
        new_reviews = []
        for (unit, metric_id), k in sorted(streaks.items()):
            metric = fig.metrics[metric_id]
            target_now, value_now = fig.target(unit, metric, 0), fig.value(unit, metric, 0)
            assert target_now is not None and value_now is not None  # the latest period was missed: both known
            u = fig.units[unit]
            peers = [p for p in children[u["parent_id"]] if p != unit] if u["parent_id"] else []
            causes = [_target_cause(cfg, fig, unit, metric, peers), _resources_cause(cfg, fig, ctx, unit),
                      _capability_cause(cfg, ctx, unit, peers)]
            primary, actions = rank_causes(causes)
            shown = range(len(periods) - 1, -1, -1)
            context = {
                "unit": {"id": unit, "name": u["name"], "name_en": u["name_en"]},
                "metric": {"key": metric.key, "name": metric.name, "name_en": metric.name_en, "unit": metric.unit,
                           "direction": metric.direction, "aggregation": metric.aggregation,
                           "per_head": metric.aggregation in PER_HEAD},
                "periods": [{"key": periods[i].key, "value": _s(fig.value(unit, metric, i)),
                             "target": _s(fig.target(unit, metric, i)),
                             "members": fig.members.get((unit, metric_id, i), 0),
                             "missed": _misses(fig.value(unit, metric, i), fig.target(unit, metric, i),
                                               metric.higher_is_better)} for i in shown],
                "peers": [{"id": p, "name": fig.units[p]["name"], "name_en": fig.units[p]["name_en"],
                           "value": _s(fig.value(p, metric, 0)), "target": _s(fig.target(p, metric, 0))}
                          for p in peers],
                "resources": {
                    "headcount": [{"key": periods[i].key, "observed": _s(ctx.headcount_obs.get((unit, i))),
                                   "records": ctx.headcount_records.get((unit, i), 0)} for i in shown],
                    "hours": [{"key": periods[i].key, "value": _s(ctx.hours.get((unit, i)))} for i in shown],
                    "workload": [{"key": periods[i].key, "value": _s(ctx.workload.get((unit, i)))} for i in shown],
                },
                "settings": {f: str(getattr(cfg, f)) for f in SETTINGS_FIELDS if f != "is_active"},
            }
            new_reviews.append(RootCauseReview(
                org_unit_id=unit, metric=metric, period_kind=cfg.period_kind,
                first_period=periods[min(k, len(periods)) - 1].key, last_period=latest.key, periods_missed=k,
                target=target_now.quantize(Decimal("0.000001")),
                value=value_now.quantize(Decimal("0.000001")), context=context, causes=causes,
                primary_cause=primary, suggested_actions=list(actions), status=RootCauseStatus.OPEN,
                opened_on=as_of))
        created = RootCauseReview.objects.bulk_create(new_reviews)
        result.opened = len(created)
        result.opened_ids = [r.pk for r in created]
    if result.opened or result.recovered:
        audit_record(actor=actor, action="execute", entity_type="performance.rootcausecheck",
                     entity_id=as_of.isoformat(), entity_label=_("Target root-cause check"),
                     changes={"opened": result.opened, "recovered": result.recovered, "period": latest.key})
    if result.opened_ids:
        opened = list(result.opened_ids)
        transaction.on_commit(lambda: notify_reviews(opened))
    return result


def notify_reviews(review_ids: list[int]) -> int:
    """Tell the unit's head and HR covering the unit that reviews opened: one notification per
    recipient and run. A recipient with a single review that has a likely cause is told about that
    review; with several, or any without a likely cause, one digest that counts them, names the units
    and links to the list (a first run over many units would otherwise fill each inbox with one
    notification per review, most of them "unclear"). The dedupe keys name the review (or the run's
    first review), so telling a run twice tells nobody twice."""
    reviews = list(RootCauseReview.objects.filter(pk__in=review_ids).select_related("org_unit", "metric")
                   .order_by("org_unit__path", "metric_id", "id"))
    hr = list(RoleAssignment.objects.filter(role="hr").values_list("user_id", "org_unit__path"))
    hr_emp = dict(Employee.objects.filter(user_id__in={u for u, _p in hr}).values_list("user_id", "id"))
    by_recipient: dict[int, list[RootCauseReview]] = defaultdict(list)
    for review in reviews:
        recipients = [review.org_unit.manager_id] if review.org_unit.manager_id else []
        recipients += [hr_emp[user] for user, path in hr
                       if user in hr_emp and (path is None or review.org_unit.path.startswith(path))]
        for recipient in dict.fromkeys(recipients):
            by_recipient[recipient].append(review)
    single: list[Item] = []
    digests: list[Item] = []
    for recipient, mine in by_recipient.items():
        if len(mine) == 1 and mine[0].primary_cause != CauseKey.UNCLEAR:
            review = mine[0]
            data = {"unit": review.org_unit.name, "unit_en": review.org_unit.name_en,
                    "metric": review.metric.name, "metric_en": review.metric.name_en,
                    "periods": review.periods_missed, "period": review.last_period,
                    "cause": review.primary_cause}
            single.append(Item(recipient, data, reverse("performance:root-cause-detail", args=[review.pk]),
                               f"root-cause:{review.pk}"))
            continue
        unclear = sum(1 for r in mine if r.primary_cause == CauseKey.UNCLEAR)
        units = list(dict.fromkeys(r.org_unit.name for r in mine))
        units_en = list(dict.fromkeys(r.org_unit.name_en or r.org_unit.name for r in mine))
        data = {"count": len(mine), "likely": len(mine) - unclear, "unclear": unclear,
                "units": units[:DIGEST_UNITS] + (["…"] if len(units) > DIGEST_UNITS else []),
                "units_en": units_en[:DIGEST_UNITS] + (["…"] if len(units_en) > DIGEST_UNITS else []),
                "reviews": [r.pk for r in mine], "opened_on": mine[0].opened_on.isoformat()}
        digests.append(Item(recipient, data, reverse("performance:root-cause-list") + "?status=open",
                            f"root-cause-digest:{min(r.pk for r in mine)}"))
    created = notify_each(kind=ROOT_CAUSE_REVIEW.key, items=single) if single else 0
    return created + (notify_each(kind=ROOT_CAUSE_DIGEST.key, items=digests) if digests else 0)


# ---------------------------------------------------------------- decisions and settings


@transaction.atomic
def root_cause_decide(*, actor: Actor, review: RootCauseReview, decision: str, note: str = "") -> RootCauseReview:
    """The manager (or HR) records what was decided; a later decision replaces it (both audited)."""
    if not access.can_decide_root_cause(actor, review):
        raise PermissionDenied(_("Only the unit's managers and HR decide on this review."))
    errors: dict[str, list[str]] = {}
    if decision not in RootCauseAction.values:
        errors["decision"] = [_("Choose one of the actions.")]
    note = (note or "").strip()
    if decision in (RootCauseAction.OTHER, RootCauseAction.NO_ACTION) and not note:
        errors["note"] = [_("Say what was decided and why.")]
    if len(note) > 4000:
        errors["note"] = [_("At most %(n)d characters.") % {"n": 4000}]
    if errors:
        raise InvalidInput(_("Please correct the errors below."), errors)
    before = snapshot(review, ["status", "decision", "decision_note"])
    review.decision, review.decision_note = decision, note
    review.status = RootCauseStatus.DECIDED
    review.decided_by, review.decided_at = actor.user, timezone.now()
    review.save(update_fields=["decision", "decision_note", "status", "decided_by", "decided_at"])
    audit_record(actor=actor, action="update", obj=review, summary="decided",
                 changes=diff(before, snapshot(review, ["status", "decision", "decision_note"])))
    return review


@transaction.atomic
def root_cause_settings_save(*, actor: Actor, data: dict[str, Any]) -> RootCauseSettings:
    if not access.can_manage_alert_rules(actor):
        raise PermissionDenied(_("Only HR tunes the root-cause rules."))
    cfg = RootCauseSettings.current()
    before = snapshot(cfg, SETTINGS_FIELDS)
    for key in SETTINGS_FIELDS:
        if key in data:
            setattr(cfg, key, data[key])
    errors: dict[str, list[str]] = {}
    try:
        cfg.full_clean(exclude=["updated_by"])
    except ValidationError as exc:
        errors.update(errors_from_validation(exc))
    known = dict(Metric.objects.filter(
        key__in=[cfg.headcount_metric, cfg.hours_metric, cfg.workload_metric, cfg.skill_metric]).values_list(
        "key", "subject_kind"))
    for name, kind in (("headcount_metric", SubjectKind.ORG_UNIT), ("hours_metric", SubjectKind.ORG_UNIT),
                       ("workload_metric", SubjectKind.ORG_UNIT), ("skill_metric", SubjectKind.EMPLOYEE)):
        key = getattr(cfg, name)
        if key and key in known and known[key] != kind:
            errors.setdefault(name, []).append(
                _("This metric is about people.") if kind == SubjectKind.ORG_UNIT
                else _("This metric is about org units."))
    if errors:
        raise InvalidInput(_("Please correct the errors below."), errors)
    cfg.updated_by = actor.user
    cfg.save()
    audit_record(actor=actor, action="update", obj=cfg, entity_label=str(cfg),
                 changes=diff(before, snapshot(cfg, SETTINGS_FIELDS)))
    return cfg
