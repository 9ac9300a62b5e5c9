"""Reads for decline alerts and root-cause reviews; every one starts from an access scope. The
notices the alerts page shows are the actor's notifications of those kinds (read through the
notifications app's selectors)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from talentloop.core.access import Actor
from talentloop.core.audit.models import AuditEntry
from talentloop.notifications.models import Notification
from talentloop.notifications.selectors import latest_of_kinds, unread_count
from talentloop.performance import access
from talentloop.performance.models import (
    Alert,
    AlertCloseReason,
    AlertRule,
    AlertStatus,
    CauseKey,
    RootCauseAction,
    RootCauseReview,
    RootCauseSettings,
    RootCauseStatus,
)
from talentloop.performance.notification_kinds import ALERT_PAGE_KINDS

OPEN_STATUSES = (AlertStatus.OPEN, AlertStatus.ACKNOWLEDGED)
# Waiting for someone to act: what the home page counts (acknowledged alerts are being handled).
ACTION_STATUSES = (AlertStatus.OPEN,)


def _alerts(actor: Actor) -> QuerySet[Alert]:
    return access.visible_alerts(actor).select_related("rule", "rule__metric", "employee", "employee__org_unit",
                                                       "manager", "acknowledged_by")


def _with_permissions(actor: Actor, alerts: list[Alert]) -> list[Alert]:
    for alert in alerts:  # what the page may offer: an attribute of this instance, not a field
        alert.can_handle = access.can_acknowledge_alert(actor, alert)  # type: ignore[attr-defined]
    return alerts


def _filter_status(qs: QuerySet[Alert], status: str) -> QuerySet[Alert]:
    if status == "open":
        return qs.filter(status__in=OPEN_STATUSES)
    if status == "closed":
        return qs.filter(status=AlertStatus.CLOSED)
    return qs


def alert_list(actor: Actor, *, status: str = "open", limit: int = 50, offset: int = 0
               ) -> tuple[list[Alert], int]:
    """A page of the alerts the actor may see (newest first) and how many there are in all."""
    qs = _filter_status(_alerts(actor), status)
    count = qs.count()
    return _with_permissions(actor, list(qs.order_by("-opened_at", "-id")[offset:offset + limit])), count


def alert_queryset(actor: Actor, *, status: str = "open") -> QuerySet[Alert]:
    """The alerts the actor may see, newest first, for the API's pages (which count and slice it)."""
    return _filter_status(_alerts(actor), status).order_by("-opened_at", "-id")


def alert_get(actor: Actor, pk: int) -> Alert | None:
    alert = _alerts(actor).select_related("acknowledged_by", "closed_by").filter(pk=pk).first()
    return _with_permissions(actor, [alert])[0] if alert is not None else None


def alert_history(alert: Alert) -> list[dict]:
    """What happened to an alert the actor already opened, oldest first: opened, every
    acknowledgement and resolution with who and when (from the audit log, so a second
    acknowledgement does not hide the first), and the metric's recovery. One query."""
    events: list[dict] = [{"kind": "opened", "at": alert.opened_at, "who": ""}]
    entries = list(AuditEntry.objects.filter(entity_type=Alert._meta.label_lower, entity_id=str(alert.pk),
                                             summary__in=("acknowledged", "resolved"))
                   .select_related("actor").order_by("at", "id"))
    for e in entries:
        events.append({"kind": e.summary, "at": e.at,
                       "who": (e.actor.display_name or e.actor.get_username()) if e.actor else e.actor_label})
    if alert.acknowledged_at and not any(e["kind"] == "acknowledged" for e in events):
        # Acknowledged before the audit log recorded it: the alert's own fields still say who.
        who = alert.acknowledged_by
        events.append({"kind": "acknowledged", "at": alert.acknowledged_at,
                       "who": (who.display_name or who.get_username()) if who else ""})
    if alert.closed_at and alert.close_reason == AlertCloseReason.RECOVERED:
        events.append({"kind": "recovered", "at": alert.closed_at, "who": ""})
    elif alert.closed_at and not any(e["kind"] == "resolved" for e in events):
        who = alert.closed_by
        events.append({"kind": "resolved", "at": alert.closed_at,
                       "who": (who.display_name or who.get_username()) if who else ""})
    events.sort(key=lambda e: e["at"])
    return events


def alert_open_count(actor: Actor) -> int:
    """Alerts not yet closed about the people the actor handles (the team dashboard's figure)."""
    qs = access.visible_alerts(actor).filter(status__in=OPEN_STATUSES)
    if actor.employee is not None:
        qs = qs.exclude(employee_id=actor.employee.pk)
    return qs.count()


def notice_list(actor: Actor, limit: int = 10) -> tuple[list[Notification], int]:
    """The actor's latest notifications of alerts and root-cause reviews, and how many are unread."""
    return (latest_of_kinds(actor, ALERT_PAGE_KINDS, limit=limit),
            unread_count(actor, kinds=ALERT_PAGE_KINDS))


def alert_rule_list(actor: Actor) -> list[AlertRule]:
    return list(access.visible_alert_rules(actor).select_related("metric", "org_unit").order_by("name", "id"))


def alert_rule_get(actor: Actor, pk: int) -> AlertRule | None:
    return access.visible_alert_rules(actor).select_related("metric", "org_unit").filter(pk=pk).first()


def root_cause_settings_get(actor: Actor) -> RootCauseSettings | None:
    """The tunable root-cause rules (their defaults until HR changes them)."""
    return RootCauseSettings.current() if access.can_view_alert_rules(actor) else None


# ---------------------------------------------------------------- root-cause reviews


def root_cause_review_list(actor: Actor, *, status: str = "open", limit: int = 50, offset: int = 0
                           ) -> tuple[list[RootCauseReview], int]:
    qs = access.visible_root_cause_reviews(actor).select_related("org_unit", "metric")
    if status == "open":
        qs = qs.filter(status=RootCauseStatus.OPEN)
    elif status == "decided":
        qs = qs.filter(status=RootCauseStatus.DECIDED)
    count = qs.count()
    reviews = list(qs.order_by("-opened_at", "-id")[offset:offset + limit])
    for review in reviews:  # a display line for the list: an attribute of this instance, not a field
        review.cause_summary = cause_summary(review)  # type: ignore[attr-defined]
    return reviews, count


def root_cause_review_queryset(actor: Actor, *, status: str = "all") -> QuerySet[RootCauseReview]:
    """The reviews the actor may see, newest first, for the API's pages (which count and slice it)."""
    qs = access.visible_root_cause_reviews(actor).select_related("org_unit", "metric")
    if status in RootCauseStatus.values:
        qs = qs.filter(status=status)
    return qs.order_by("-opened_at", "-id")


def root_cause_review_get(actor: Actor, pk: int) -> RootCauseReview | None:
    review = (access.visible_root_cause_reviews(actor).select_related("org_unit", "metric", "decided_by")
              .filter(pk=pk).first())
    if review is not None:  # what the page shows and offers: attributes of this instance, not fields
        review.can_decide = access.can_decide_root_cause(actor, review)  # type: ignore[attr-defined]
        review.cause_summary = cause_summary(review)  # type: ignore[attr-defined]
        review.missing_evidence = missing_evidence(review.causes)  # type: ignore[attr-defined]
    return review


def _v(value: Any, unit: str = "") -> str:
    if value is None:
        return "—"
    return f"{Decimal(value)} {unit}".strip()


def cause_lines(cause: dict, unit: str = "") -> list[str]:
    """The evidence of a cause as sentences in the active language."""
    e = cause.get("evidence") or {}
    key = cause.get("key")
    lines: list[str] = []
    if key == CauseKey.TARGET_TOO_HIGH:
        lines.append(_("Target %(target)s; the unit's mean over its previous %(n)s period(s) %(mean)s; the median "
                       "of %(peers)s peer unit(s) %(median)s.") % {
            "target": _v(e.get("target"), unit), "n": e.get("history_periods", 0),
            "mean": _v(e.get("history_mean"), unit), "peers": e.get("peers", 0),
            "median": _v(e.get("peer_median"), unit)})
        if not cause.get("evaluable"):
            lines.append(_("Not enough history or peer units to judge the target."))
        elif e.get("direction") == "lower":
            lines.append(_("Lower is better: a target below %(better)s ÷ %(factor)s = %(threshold)s is too "
                           "demanding.") % {"better": _v(e.get("better"), unit), "factor": e.get("factor"),
                                            "threshold": _v(e.get("threshold"), unit)})
        else:
            lines.append(_("Higher is better: a target above %(factor)s × %(better)s = %(threshold)s is too "
                           "demanding.") % {"better": _v(e.get("better"), unit), "factor": e.get("factor"),
                                            "threshold": _v(e.get("threshold"), unit)})
    elif key == CauseKey.RESOURCES_THIN:
        headcount = (_("Headcount (org-unit observations)") if e.get("headcount_source") == "observations"
                     else _("Headcount (employee records)"))
        for name, label in (("headcount", headcount), ("hours", _("Hours"))):
            item = e.get(name) or {}
            if item.get("drop_pct") is None:
                lines.append(_("%(what)s: no figures to compare.") % {"what": label})
                continue
            lines.append(_("%(what)s %(latest)s against a mean of %(mean)s: %(pct)s%% lower (the rule: "
                           "%(limit)s%%).") % {"what": label, "latest": _v(item["latest"]), "mean": _v(item["mean"]),
                                               "pct": item["drop_pct"], "limit": e.get("drop_limit")})
        item = e.get("workload_per_head") or {}
        if item.get("rise_pct") is None:
            lines.append(_("Workload per head: no figures to compare."))
        else:
            lines.append(_("Workload per head %(latest)s against a mean of %(mean)s: %(pct)s%% higher (the rule: "
                           "%(limit)s%%).") % {"latest": _v(item["latest"]), "mean": _v(item["mean"]),
                                               "pct": item["rise_pct"], "limit": e.get("rise_limit")})
    elif key == CauseKey.CAPABILITY_SHORT:
        skill = e.get("skill") or {}
        if skill.get("gap_pct") is None:
            lines.append(_("Skill assessments: %(n)s in the last 12 months, nothing to compare with peer units.")
                         % {"n": skill.get("assessments", 0)})
        else:
            lines.append(_("Mean skill assessment %(mean)s (%(n)s assessments) against %(peer)s in peer units: "
                           "%(pct)s%% lower (the rule: %(limit)s%%).") % {
                "mean": _v(skill["mean"]), "n": skill.get("assessments", 0), "peer": _v(skill["peer_mean"]),
                "pct": skill["gap_pct"], "limit": skill.get("limit")})
        tenure = e.get("tenure") or {}
        if tenure.get("share_pct") is not None:
            lines.append(_("%(new)s of %(members)s members employed under %(days)s days: %(pct)s%% (the rule: "
                           "%(limit)s%%).") % {"new": tenure["new_joiners"], "members": tenure["members"],
                                               "days": tenure["tenure_days"], "pct": tenure["share_pct"],
                                               "limit": tenure.get("limit")})
    return lines


def missing_evidence(causes: list[dict]) -> list[str]:
    """What the cause analysis had no figures for, as short phrases in the active language, so a
    review with no likely cause says what to record instead of "unclear". Read from the evidence
    stored with the review (the stored cause code stays as it was)."""
    out: list[str] = []
    for cause in causes or []:
        e = cause.get("evidence") or {}
        key = cause.get("key")
        if key == CauseKey.TARGET_TOO_HIGH:
            if e.get("target") is None:
                out.append(_("no target for the latest period"))
            if not e.get("history_periods"):
                out.append(_("no history of the metric for the unit"))
            if not e.get("peers"):
                out.append(_("no peer units with figures for the metric"))
        elif key == CauseKey.RESOURCES_THIN:
            if (e.get("headcount") or {}).get("drop_pct") is None:
                out.append(_("no headcount plan or records to compare"))
            if (e.get("hours") or {}).get("drop_pct") is None:
                out.append(_("no hours recorded"))
            if (e.get("workload_per_head") or {}).get("rise_pct") is None:
                out.append(_("no workload figures"))
        elif key == CauseKey.CAPABILITY_SHORT:
            skill = e.get("skill") or {}
            if skill.get("gap_pct") is None:
                out.append(_("no skill assessments in the last 12 months") if not skill.get("assessments")
                           else _("no skill assessments in peer units to compare with"))
            if (e.get("tenure") or {}).get("share_pct") is None:
                out.append(_("no current members to judge tenure"))
    return list(dict.fromkeys(str(x) for x in out))


def cause_summary(review: RootCauseReview) -> str:
    """The likely cause in one phrase; with none, what evidence is missing (or that every rule was
    checked and none held)."""
    if review.primary_cause != CauseKey.UNCLEAR:
        return str(CauseKey(review.primary_cause).label)
    missing = missing_evidence(review.causes)
    if missing:
        return _("Evidence missing: %(what)s") % {"what": _("; ").join(missing)}
    return _("No rule held on the evidence recorded")


def review_causes(review: RootCauseReview) -> list[dict]:
    """The causes of a review for display: the likely ones first, strongest first."""
    unit = review.metric.unit
    out = []
    for cause in review.causes or []:
        out.append({**cause, "label": str(CauseKey(cause["key"]).label),
                    "strength_label": str({"strong": _("strong"), "moderate": _("moderate"),
                                           "weak": _("weak")}.get(cause.get("strength") or "", "")),
                    "lines": cause_lines(cause, unit)})
    rank = {"strong": 0, "moderate": 1, "weak": 2}
    out.sort(key=lambda c: (not c["holds"], rank.get(c.get("strength") or "", 3)))
    return out


def review_actions(review: RootCauseReview) -> list[dict]:
    return [{"key": a, "label": str(RootCauseAction(a).label)} for a in review.suggested_actions or []]
