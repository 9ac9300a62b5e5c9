"""Performance's reads for the home page: the reader's score rows, the totals of the people whose
scores they may open, the alerts and root-cause reviews waiting for someone to act, and what kind of
goal a scorecard metric sets (home words it).

Each read starts from performance's access scopes and runs one query with only the columns a home
card shows, so the home page's per-section query budget holds whatever the size of the company."""

from __future__ import annotations

from collections.abc import Collection, Mapping
from decimal import Decimal
from typing import Any

from django.db.models import QuerySet

from talentloop.core.access import Actor
from talentloop.performance import access
from talentloop.performance import periods as P
from talentloop.performance.models import (
    Aggregation,
    Alert,
    Direction,
    RootCauseReview,
    RootCauseStatus,
    ScoringRule,
)
from talentloop.performance.selectors_alerts import ACTION_STATUSES


def score_rows_by_period(actor: Actor, employee_id: int, period_keys: list[str]) -> dict[str, Mapping[str, Any]]:
    """The person's monthly score rows the actor may see, by period key: total, rating, whether it is
    partial and the stored explanation. One query."""
    return {r["period_key"]: r for r in access.visible_scores(actor)
            .filter(employee_id=employee_id, period_key__in=period_keys)
            .values("period_key", "total", "rating", "partial", "detail")}


def score_totals(actor: Actor, employee_ids: list[int], period: P.Period) -> dict[int, tuple[Decimal | None,
                                                                                     Decimal | None]]:
    """(this month's total, last month's) for each person the actor may see the scores of: one query."""
    keys = [period.key, period.previous().key]
    out: dict[int, list[Decimal | None]] = {pk: [None, None] for pk in employee_ids}
    if not employee_ids:
        return {}
    for emp, key, total in (access.visible_scores(actor).filter(employee_id__in=employee_ids, period_key__in=keys)
                            .values_list("employee_id", "period_key", "total")):
        out[emp][0 if key == keys[0] else 1] = total
    return {pk: (v[0], v[1]) for pk, v in out.items()}


def visible_totals(actor: Actor, employee_ids: Collection[int], period_keys: Collection[str]
                   ) -> dict[tuple[int, str], Decimal | None]:
    """The totals of these people for these periods that the actor may open, by (person, period):
    one plain query within the actor's score scope (a missing pair: no score, or not the actor's to
    see). What lets another app's list of people carry their totals; reading them as a subquery of
    that list per period took longer to build than the list itself."""
    if not employee_ids or not period_keys:
        return {}
    return {(emp, key): total for emp, key, total in access.visible_scores(actor).filter(
        employee_id__in=sorted(set(employee_ids)), period_key__in=sorted(set(period_keys))).values_list(
        "employee_id", "period_key", "total")}


def action_alert_queryset(actor: Actor) -> QuerySet[Alert]:
    """Decline alerts the actor may see that still wait for someone to act (open, not yet acknowledged),
    newest first, with only what a home card shows (the alert page's selector loads whole employee
    records, encrypted fields included)."""
    return (access.visible_alerts(actor).filter(status__in=ACTION_STATUSES)
            .select_related("rule__metric", "employee")
            .only("id", "opened_at", "rule__id", "rule__name", "rule__name_en", "rule__metric__id",
                  "rule__metric__name", "rule__metric__name_en", "employee__id", "employee__name",
                  "employee__name_en")
            .order_by("-opened_at", "-id"))


def open_review_queryset(actor: Actor) -> QuerySet[RootCauseReview]:
    """Open root-cause reviews the actor may see, newest first, with their unit and metric."""
    return (access.visible_root_cause_reviews(actor).select_related("org_unit", "metric")
            .filter(status=RootCauseStatus.OPEN).order_by("-opened_at", "-id"))


def goal_kind(*, rule: str, direction: str, aggregation: str, target: Decimal) -> str:
    """What a scorecard metric asks of a person, for a sentence: "binary" (met once the target is
    reached), "none" (fewer is better and the target is zero), "lower" (at or below the target),
    "avg", "last", "ratio" (the aggregation the target is measured by) or "sum" (a monthly total)."""
    if rule == ScoringRule.BINARY:
        return "binary"
    if direction == Direction.LOWER:
        return "none" if target == 0 else "lower"
    if aggregation == Aggregation.AVG:
        return "avg"
    if aggregation == Aggregation.LAST:
        return "last"
    if aggregation == Aggregation.RATIO:
        return "ratio"
    return "sum"
