"""Decline alerts: HR's rules, the set-based check, and what managers do with an alert.

How a rule is checked as of a date D (the day the check runs, itself still in progress):

- *period* rules compare the latest complete period — the one before the period containing D — so
  an incomplete current period never triggers an alert; *rolling* rules compare the N complete days
  before D, [D − N, D), with the N days before them, and so on;
- the baseline is the window just before (``previous``) or the mean of the K windows before
  (``mean``; windows without data are left out of the mean, at least one must have data);
- a window's value is the metric's own aggregation (sum, average, count, last, ratio) over the
  person's current observations in it, exactly as for scores but without pro-rating; a window
  without observations has no value and nothing is judged on it;
- the change is *worse* in the metric's direction: a fall when higher is better, a rise when lower
  is better. A relative threshold is a percentage of the baseline (undefined, so never met, when the
  baseline is 0); an absolute one is in the metric's unit. The rule fires when the change is at
  least the threshold. Example: response time (lower is better) from 1 h to 3 h is +200%.

Episodes. An alert is one episode per (rule, person). It opens when the rule first fires and lasts
until a later window is no longer worse than the episode's own baseline by the threshold — the
metric has recovered; the alert then closes as *recovered*. While the episode lasts, no second alert
opens, even when the manager has resolved the alert by hand. Replaying an earlier day never
duplicates or closes a later episode.

Only people currently active are checked, and only metrics about people (org-unit context metrics
are used by the root-cause review instead).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, Q, Sum
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from talentloop.core.access import Actor
from talentloop.core.audit.services import audit_record, diff, snapshot
from talentloop.core.errors import Conflict, InvalidInput, PermissionDenied, errors_from_validation
from talentloop.notifications.services import Item, notifications_mark_all_read, notify_each
from talentloop.organisation.access import hr_covers_unit
from talentloop.organisation.models import Employee, EmploymentStatus
from talentloop.performance import access
from talentloop.performance import periods as P
from talentloop.performance import scoring as S
from talentloop.performance.models import (
    Aggregation,
    Alert,
    AlertBaseline,
    AlertCloseReason,
    AlertRule,
    AlertStatus,
    AlertWindow,
    Observation,
    SubjectKind,
    ThresholdKind,
)
from talentloop.performance.notification_kinds import ALERT_OPENED, ALERT_PAGE_KINDS
from talentloop.performance.services.rootcause import root_causes_evaluate
from talentloop.performance.services.scores import _dec, _raw, metric_actual

SIX = Decimal("0.000001")
RULE_FIELDS = ["name", "name_en", "metric", "org_unit", "window", "period_kind", "window_days", "baseline",
               "baseline_count", "threshold_kind", "threshold", "notify_employee", "is_active"]


# ---------------------------------------------------------------- windows and judgement


@dataclass(frozen=True)
class Window:
    start: dt.date
    end: dt.date  # exclusive
    label: str


def rule_windows(rule: AlertRule, as_of: dt.date) -> list[Window]:
    """The window judged first, then the baseline windows going back (one for ``previous``, K for ``mean``)."""
    count = 1 + (rule.baseline_count if rule.baseline == AlertBaseline.MEAN else 1)
    if rule.window == AlertWindow.PERIOD:
        period = P.containing(as_of, rule.period_kind).previous()
        out = []
        for _i in range(count):
            out.append(Window(period.start, period.end, period.key))
            period = period.previous()
        return out
    n = dt.timedelta(days=rule.window_days)
    out = []
    end = as_of
    for _i in range(count):
        start = end - n
        last = end - dt.timedelta(days=1)
        label = start.isoformat() if start == last else f"{start.isoformat()}–{last.isoformat()}"
        out.append(Window(start, end, label))
        end = start
    return out


@dataclass(frozen=True)
class Judgement:
    fires: bool
    worsening: Decimal  # in the metric's unit; positive means worse
    change_pct: Decimal | None  # worsening as a percentage of the baseline, rounded half up to 2 places


def judge(*, higher_is_better: bool, threshold_kind: str, threshold: Decimal, baseline: Decimal,
          current: Decimal) -> Judgement:
    worsening = (baseline - current) if higher_is_better else (current - baseline)
    pct = None if baseline == 0 else S.round2(S.HUNDRED * worsening / abs(baseline))
    if threshold_kind == ThresholdKind.RELATIVE:
        fires = pct is not None and pct >= threshold
    else:
        fires = worsening >= threshold
    return Judgement(fires, worsening, pct)


def _window_index(windows: list[Window], day: dt.date) -> int | None:
    for i, w in enumerate(windows):
        if w.start <= day < w.end:
            return i
    return None


def _window_values(rule: AlertRule, windows: list[Window], employee_ids: list[int] | None
                   ) -> dict[int, list[tuple[Decimal | None, int]]]:
    """person -> [(value, observation count) per window], in one aggregate query (two for 'last').

    Conditional aggregates put every window in the same GROUP BY, so the cost is one scan of the
    observations in the whole range, whatever the number of people.
    """
    metric = rule.metric
    parts = ([metric.numerator_id, metric.denominator_id] if metric.aggregation == Aggregation.RATIO
             else [metric.pk])
    qs = Observation.objects.filter(
        is_current=True, employee__isnull=False, metric_id__in=[p for p in parts if p],
        occurred_on__gte=windows[-1].start, occurred_on__lt=windows[0].end,
        employee__status=EmploymentStatus.ACTIVE)
    if rule.org_unit is not None:
        qs = qs.filter(employee__org_unit__path__startswith=rule.org_unit.path)
    if employee_ids is not None:
        qs = qs.filter(employee_id__in=employee_ids)
    annotations: dict[str, Any] = {}
    names = []
    for i, w in enumerate(windows):
        inside = Q(occurred_on__gte=w.start, occurred_on__lt=w.end)
        annotations[f"s{i}"] = Sum("value", filter=inside)
        annotations[f"c{i}"] = Count("id", filter=inside)
        names += [f"s{i}", f"c{i}"]
    grouped = qs.order_by().values("employee_id", "metric_id").annotate(**annotations).values_list(
        "employee_id", "metric_id", *names)
    aggs: list[dict[tuple[int, int], dict]] = [{} for _w in windows]
    people: set[int] = set()
    for row in _raw(grouped):
        emp, met = row[0], row[1]
        people.add(emp)
        for i in range(len(windows)):
            total, count = row[2 + 2 * i], row[3 + 2 * i]
            if count:
                total = _dec(total) or Decimal(0)
                aggs[i][(emp, met)] = {"sum": total, "avg": total / count, "count": count}
    if metric.aggregation == Aggregation.LAST and people:
        ordered = qs.order_by("employee_id", "occurred_at", "id").values_list("employee_id", "occurred_on", "value")
        for emp, day, value in _raw(ordered):
            at = _window_index(windows, day if isinstance(day, dt.date) else dt.date.fromisoformat(str(day)))
            if at is not None and (emp, metric.pk) in aggs[at]:
                aggs[at][(emp, metric.pk)]["last"] = _dec(value)
    return {emp: [metric_actual(metric, aggs[i], emp) for i in range(len(windows))] for emp in people}


# ---------------------------------------------------------------- the check


@dataclass
class AlertRunResult:
    as_of: dt.date
    rules: int = 0
    people: int = 0
    opened: int = 0
    recovered: int = 0
    opened_ids: list[int] = field(default_factory=list)


def _q6(value: Decimal) -> Decimal:
    return value.quantize(SIX)


@transaction.atomic
def alerts_evaluate(*, actor: Actor | None, as_of: dt.date, employee_ids: Iterable[int] | None = None,
                    rules: Iterable[AlertRule] | None = None) -> AlertRunResult:
    """Check the active rules as of a date for everybody (or some people); open and recover episodes.

    ``actor`` None is the scheduler. Per rule: one aggregate query (two for 'last' metrics), one for
    the ongoing episodes, one for closed episodes covering the window, and bulk writes.
    """
    if not access.can_run_alert_checks(actor):
        raise PermissionDenied(_("Only HR runs the alert checks."))
    ids = None if employee_ids is None else sorted(set(employee_ids))
    result = AlertRunResult(as_of=as_of)
    if ids is not None and not ids:
        return result
    if rules is None:
        rule_list = list(AlertRule.objects.filter(is_active=True, metric__subject_kind=SubjectKind.EMPLOYEE)
                         .select_related("metric", "org_unit").select_for_update(of=("self",)))
    else:
        rule_list = list(rules)
    now = timezone.now()
    new_alerts: list[Alert] = []
    changed: list[Alert] = []
    for rule in rule_list:
        result.rules += 1
        metric = rule.metric
        windows = rule_windows(rule, as_of)
        current_w = windows[0]
        values = _window_values(rule, windows, ids)
        episodes = Alert.objects.filter(rule=rule, recovered_window_end__isnull=True).only(
            "id", "employee_id", "status", "window_end", "baseline_value", "last_value", "last_window_end",
            "recovered_window_end", "recovered_value", "close_reason", "closed_at")
        covering = Alert.objects.filter(rule=rule, recovered_window_end__isnull=False,
                                        window_end__lte=current_w.end, recovered_window_end__gt=current_w.end)
        if ids is not None:
            episodes = episodes.filter(employee_id__in=ids)
            covering = covering.filter(employee_id__in=ids)
        ongoing = {a.employee_id: a for a in episodes}
        blocked = set(covering.values_list("employee_id", flat=True))
        threshold = S.d(rule.threshold)
        for emp, vals in values.items():
            current, count = vals[0]
            if current is None:
                continue
            result.people += 1
            episode = ongoing.get(emp)
            if episode is not None:
                if current_w.end <= episode.window_end:
                    continue  # an earlier day replayed: leave the later episode alone
                still = judge(higher_is_better=metric.higher_is_better, threshold_kind=rule.threshold_kind,
                              threshold=threshold, baseline=S.d(episode.baseline_value), current=current)
                episode.last_value = _q6(current)
                episode.last_window_end = current_w.end
                if not still.fires:
                    episode.recovered_window_end = current_w.end
                    episode.recovered_value = _q6(current)
                    if episode.status != AlertStatus.CLOSED:
                        episode.status = AlertStatus.CLOSED
                        episode.close_reason = AlertCloseReason.RECOVERED
                        episode.closed_at = now
                    result.recovered += 1
                changed.append(episode)
                continue
            if emp in blocked:
                continue
            base_vals = [v for v, _n in vals[1:]]
            if rule.baseline == AlertBaseline.PREVIOUS:
                baseline = base_vals[0]
            else:
                present = [v for v in base_vals if v is not None]
                baseline = sum(present, Decimal(0)) / len(present) if present else None
            if baseline is None:
                continue
            verdict = judge(higher_is_better=metric.higher_is_better, threshold_kind=rule.threshold_kind,
                            threshold=threshold, baseline=baseline, current=current)
            if not verdict.fires:
                continue
            evidence = {
                "metric": metric.key, "unit": metric.unit, "direction": metric.direction,
                "aggregation": metric.aggregation, "window": rule.window, "baseline_kind": rule.baseline,
                "threshold_kind": rule.threshold_kind, "threshold": f"{S.d(rule.threshold).normalize():f}",
                "windows": [{"label": w.label, "start": w.start.isoformat(), "end": w.end.isoformat(),
                             "value": None if v is None else str(S.round2(v)), "count": n,
                             "role": "current" if i == 0 else "baseline"}
                            for i, (w, (v, n)) in enumerate(zip(windows, vals, strict=True))],
                "baseline": str(S.round2(baseline)), "current": str(S.round2(current)),
                "worsening": str(S.round2(verdict.worsening)),
                "change_pct": None if verdict.change_pct is None else str(verdict.change_pct),
            }
            new_alerts.append(Alert(
                rule=rule, employee_id=emp, status=AlertStatus.OPEN, window_start=current_w.start,
                window_end=current_w.end, window_label=current_w.label, baseline_value=_q6(baseline),
                current_value=_q6(current), worsening=_q6(verdict.worsening), change_pct=verdict.change_pct,
                evidence=evidence, opened_on=as_of, last_value=_q6(current), last_window_end=current_w.end))
    if new_alerts:
        managers = {emp: (mgr, head) for emp, mgr, head in Employee.objects.filter(
            pk__in={a.employee_id for a in new_alerts}).values_list("id", "manager_id", "org_unit__manager_id")}
        for alert in new_alerts:
            mgr, head = managers.get(alert.employee_id, (None, None))
            alert.manager_id = mgr or (head if head != alert.employee_id else None)
        created = Alert.objects.bulk_create(new_alerts, batch_size=500)
        result.opened = len(created)
        result.opened_ids = [a.pk for a in created]  # SQLite ≥ 3.35 and PostgreSQL return the ids
    if changed:
        Alert.objects.bulk_update(changed, ["last_value", "last_window_end", "recovered_window_end",
                                            "recovered_value", "status", "close_reason", "closed_at"],
                                  batch_size=500)
    if result.opened or result.recovered:
        audit_record(actor=actor, action="execute", entity_type="performance.alertcheck",
                     entity_id=as_of.isoformat(), entity_label=_("Decline alert check"),
                     changes={"opened": result.opened, "recovered": result.recovered, "rules": result.rules,
                              "people": "some" if ids is not None else "all"})
    if result.opened_ids:
        opened = list(result.opened_ids)
        transaction.on_commit(lambda: notify_alerts(opened))
    return result


def alerts_check_after_ingest(employee_ids: Iterable[int]) -> AlertRunResult:
    """The check as observations arrive (late ones and corrections can complete a window)."""
    return alerts_evaluate(actor=None, as_of=timezone.localdate(), employee_ids=employee_ids)


def checks_run_day(*, actor: Actor | None, as_of: dt.date) -> dict[str, Any]:
    """The daily job (and ``talentloop evaluate-alerts --date``): decline alerts, then root causes."""
    alerts = alerts_evaluate(actor=actor, as_of=as_of)
    reviews = root_causes_evaluate(actor=actor, as_of=as_of)
    return {"as_of": as_of.isoformat(), "alerts_opened": alerts.opened, "alerts_recovered": alerts.recovered,
            "rules": alerts.rules, "reviews_opened": reviews.opened, "reviews_recovered": reviews.recovered,
            "units_checked": reviews.units}


# ---------------------------------------------------------------- notifications


def notify_alerts(alert_ids: list[int]) -> int:
    """Tell the manager (and the person, when the rule says so) about new alerts, with the evidence.

    Runs after the alerts are committed. The dedupe key names the alert, so telling the same alert
    twice creates one notification per person; the alerts page lists these notifications.
    """
    alerts = list(Alert.objects.filter(pk__in=alert_ids).select_related("rule", "rule__metric", "employee"))
    items: list[Item] = []
    for alert in alerts:
        metric, unit = alert.rule.metric, alert.rule.metric.unit
        data = {"person": alert.employee.name, "person_en": alert.employee.name_en, "metric": metric.name,
                "metric_en": metric.name_en,
                "baseline": f"{S.round2(alert.baseline_value)} {unit}".strip(),
                "current": f"{S.round2(alert.current_value)} {unit}".strip(),
                "window": alert.window_label,
                "change_pct": None if alert.change_pct is None else str(alert.change_pct)}
        link = reverse("performance:alert-detail", args=[alert.pk])
        recipients = [alert.manager_id] if alert.manager_id else []
        if alert.rule.notify_employee:
            recipients.append(alert.employee_id)
        items += [Item(recipient, data, link, f"alert:{alert.pk}") for recipient in dict.fromkeys(recipients)]
    return notify_each(kind=ALERT_OPENED.key, items=items) if items else 0


def notices_mark_read(*, actor: Actor) -> int:
    """Mark read the actor's notifications that the alerts page lists (alerts and root-cause reviews)."""
    if actor.employee is None:
        raise PermissionDenied(_("Only people with an employee record receive notices."))
    return notifications_mark_all_read(actor=actor, kinds=ALERT_PAGE_KINDS)


# ---------------------------------------------------------------- what managers do


def _note(value: str | None, field_name: str, required: bool) -> str:
    text = (value or "").strip()
    if required and not text:
        raise InvalidInput(_("Please correct the errors below."),
                           {field_name: [_("Say what was done.")]})
    if len(text) > 2000:
        raise InvalidInput(_("Please correct the errors below."),
                           {field_name: [_("At most %(n)d characters.") % {"n": 2000}]})
    return text


@transaction.atomic
def alert_acknowledge(*, actor: Actor, alert: Alert, note: str) -> Alert:
    """The manager has seen the alert and records what was done (a second acknowledgement replaces
    the note; both are in the audit log)."""
    if not access.can_acknowledge_alert(actor, alert):
        raise PermissionDenied(_("Only the person's managers and HR handle this alert."))
    note = _note(note, "note", required=True)
    if alert.status == AlertStatus.CLOSED:
        raise Conflict(_("This alert is already closed."))
    before = snapshot(alert, ["status", "action_note"])
    alert.status = AlertStatus.ACKNOWLEDGED
    alert.action_note = note
    alert.acknowledged_by = actor.user
    alert.acknowledged_at = timezone.now()
    alert.save(update_fields=["status", "action_note", "acknowledged_by", "acknowledged_at"])
    audit_record(actor=actor, action="update", obj=alert, summary="acknowledged",
                 changes=diff(before, snapshot(alert, ["status", "action_note"])))
    return alert


@transaction.atomic
def alert_resolve(*, actor: Actor, alert: Alert, note: str = "") -> Alert:
    """The manager closes the alert. The episode goes on until the metric recovers, so the same
    decline does not alert again."""
    if not access.can_resolve_alert(actor, alert):
        raise PermissionDenied(_("Only the person's managers and HR handle this alert."))
    note = _note(note, "note", required=False)
    if alert.status == AlertStatus.CLOSED:
        raise Conflict(_("This alert is already closed."))
    before = snapshot(alert, ["status", "close_note"])
    alert.status = AlertStatus.CLOSED
    alert.close_reason = AlertCloseReason.RESOLVED
    alert.close_note = note
    alert.closed_by = actor.user
    alert.closed_at = timezone.now()
    alert.save(update_fields=["status", "close_reason", "close_note", "closed_by", "closed_at"])
    audit_record(actor=actor, action="update", obj=alert, summary="resolved",
                 changes=diff(before, snapshot(alert, ["status", "close_note"])))
    return alert


# ---------------------------------------------------------------- HR's rules


@transaction.atomic
def alert_rule_save(*, actor: Actor, rule: AlertRule | None = None, data: dict[str, Any]) -> AlertRule:
    """Create or change a rule. ``data`` holds model values (``metric`` and ``org_unit`` as objects)."""
    if not access.can_manage_alert_rules(actor):
        raise PermissionDenied(_("Only HR defines alert rules."))
    obj = rule or AlertRule(created_by=actor.user)
    before = snapshot(obj, RULE_FIELDS) if obj.pk else {}
    for key in RULE_FIELDS:
        if key in data:
            setattr(obj, key, data[key])
    errors: dict[str, list[str]] = {}
    metric = obj.metric if obj.metric_id else None
    if metric is not None and metric.subject_kind != SubjectKind.EMPLOYEE:
        errors["metric"] = [_("Alerts watch metrics about people; this one is about org units.")]
    if obj.org_unit_id is None and not actor.hr_everywhere:
        errors["org_unit"] = [_("Choose an org unit in your HR scope.")]
    elif obj.org_unit_id is not None and not hr_covers_unit(actor, obj.org_unit):
        errors["org_unit"] = [_("This org unit is outside your HR scope.")]
    try:
        obj.full_clean(exclude=["created_by"])
    except ValidationError as exc:
        for key, messages in errors_from_validation(exc).items():
            errors.setdefault(key, []).extend(messages)
    if errors:
        raise InvalidInput(_("Please correct the errors below."), errors)
    created = obj.pk is None
    obj.save()
    after = snapshot(obj, RULE_FIELDS)
    audit_record(actor=actor, action="create" if created else "update", obj=obj,
                 changes=after if created else diff(before, after))
    return obj
