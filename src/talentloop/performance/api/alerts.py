"""Decline alerts, alert rules and root-cause reviews — the same services as the web pages."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any, Literal

from django.http import Http404
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status

from talentloop.core.errors import InvalidInput, PermissionDenied
from talentloop.core.paging import PAGED_WAS_ARRAY, paginated
from talentloop.core.schemas import ERRORS, InSchema
from talentloop.organisation.access import visible_org_units
from talentloop.performance import access, selectors_alerts
from talentloop.performance.models import (
    AlertBaseline,
    AlertWindow,
    RulePeriodKind,
    ThresholdKind,
)
from talentloop.performance.services import alerts as alert_services
from talentloop.performance.services import rootcause as rootcause_services

router = Router(tags=["alerts and root causes"])

ID = {"ge": 1, "le": 2**53}


def _ref(qs, field: str, **lookup):
    """A record named in a request body, fetched through a scope: unknown or invisible is a 422."""
    obj = qs.filter(**lookup).first()
    if obj is None:
        raise InvalidInput(_("Please correct the errors below."), {field: [_("No such record.")]})
    return obj


class AlertPersonRefOut(Schema):
    id: int
    employee_number: str
    name: str

    @staticmethod
    def resolve_name(obj) -> str:
        return obj.display_name


# ---------------------------------------------------------------- alerts


class AlertQuery(InSchema):
    status: Literal["open", "closed", "all"] = Field("open", description="open: not yet closed (open or "
                                                     "acknowledged)")


class AlertOut(Schema):
    id: int
    rule_id: int
    rule: str
    metric: str
    employee: AlertPersonRefOut
    manager: AlertPersonRefOut | None
    status: Literal["open", "acknowledged", "closed"]
    window_start: dt.date
    window_end: dt.date = Field(description="exclusive")
    window_label: str
    baseline_value: Decimal
    current_value: Decimal
    worsening: Decimal = Field(description="how much worse, in the metric's unit")
    change_pct: Decimal | None = Field(description="worsening as a percentage of the baseline")
    evidence: dict[str, Any]
    opened_on: dt.date
    opened_at: dt.datetime
    acknowledged_at: dt.datetime | None
    acknowledged_by: str | None = Field(None, description="who acknowledged last (every acknowledgement is on the "
                                                          "alert page's history)")
    action_note: str
    closed_at: dt.datetime | None
    close_reason: str
    close_note: str
    recovered_window_end: dt.date | None

    @staticmethod
    def resolve_rule(obj) -> str:
        return obj.rule.label

    @staticmethod
    def resolve_metric(obj) -> str:
        return obj.rule.metric.key

    @staticmethod
    def resolve_acknowledged_by(obj) -> str | None:
        user = obj.acknowledged_by
        return (user.display_name or user.get_username()) if user is not None else None


class AlertNoteIn(InSchema):
    note: str = Field("", max_length=2000, description="What was done (required to acknowledge)")


@router.get("/alerts", response={200: list[AlertOut], **ERRORS}, summary="Decline alerts the caller may see",
            description=PAGED_WAS_ARRAY)
@paginated(default=50, max_limit=200)
def alert_list(request, query: Query[AlertQuery]):
    return selectors_alerts.alert_queryset(request.actor, status=query.status)


def _alert(request, alert_id: int):
    alert = selectors_alerts.alert_get(request.actor, alert_id)
    if alert is None:
        raise Http404
    return alert


@router.get("/alerts/{int:alert_id}", response={200: AlertOut, **ERRORS}, summary="One alert with its evidence")
def alert_get(request, alert_id: int):
    return _alert(request, alert_id)


@router.post("/alerts/{int:alert_id}/acknowledge", response={200: AlertOut, **ERRORS},
             summary="Acknowledge an alert and record what was done")
def alert_acknowledge(request, alert_id: int, data: AlertNoteIn):
    return alert_services.alert_acknowledge(actor=request.actor, alert=_alert(request, alert_id), note=data.note)


@router.post("/alerts/{int:alert_id}/resolve", response={200: AlertOut, **ERRORS}, summary="Resolve (close) an alert")
def alert_resolve(request, alert_id: int, data: AlertNoteIn):
    return alert_services.alert_resolve(actor=request.actor, alert=_alert(request, alert_id), note=data.note)


# ---------------------------------------------------------------- alert rules


class AlertRuleIn(InSchema):
    name: str = Field(min_length=1, max_length=120)
    name_en: str = Field("", max_length=120)
    metric: str = Field(min_length=1, max_length=60, description="the key of a metric about people")
    org_unit_id: int | None = Field(None, description="only people in this unit and below; none: everybody",
                                    **ID)
    window: Literal["period", "rolling"] = AlertWindow.PERIOD
    period_kind: Literal["month", "quarter", "year"] = RulePeriodKind.MONTH
    window_days: int = Field(7, ge=1, le=366)
    baseline: Literal["previous", "mean"] = AlertBaseline.PREVIOUS
    baseline_count: int = Field(3, ge=1, le=24, description="K, for the mean of the previous K")
    threshold_kind: Literal["relative", "absolute"] = ThresholdKind.RELATIVE
    threshold: Decimal = Field(gt=0, max_digits=20, decimal_places=6,
                               description="fire when worse by at least this: percent (relative) or metric units")
    notify_employee: bool = False
    is_active: bool = True


class AlertRuleOut(Schema):
    id: int
    name: str
    name_en: str
    metric: str
    org_unit_id: int | None
    window: str
    period_kind: str
    window_days: int
    baseline: str
    baseline_count: int
    threshold_kind: str
    threshold: Decimal
    notify_employee: bool
    is_active: bool

    @staticmethod
    def resolve_metric(obj) -> str:
        return obj.metric.key


def _rule_data(request, data: AlertRuleIn) -> dict:
    values = data.dict()
    values["metric"] = _ref(access.visible_metrics(request.actor), "metric", key=values.pop("metric"))
    unit_id = values.pop("org_unit_id")
    values["org_unit"] = _ref(visible_org_units(request.actor), "org_unit_id", pk=unit_id) if unit_id else None
    return values


@router.get("/alert-rules", response={200: list[AlertRuleOut], **ERRORS}, summary="HR's alert rules",
            description=PAGED_WAS_ARRAY)
@paginated(default=200, max_limit=1000)
def alert_rule_list(request):
    if not access.can_view_alert_rules(request.actor):
        raise PermissionDenied(_("Only HR manages alert rules."))
    return selectors_alerts.alert_rule_list(request.actor)


@router.post("/alert-rules", response={201: AlertRuleOut, **ERRORS}, summary="Add an alert rule")
def alert_rule_create(request, data: AlertRuleIn):
    if not access.can_manage_alert_rules(request.actor):
        raise PermissionDenied(_("Only HR defines alert rules."))
    return Status(201, alert_services.alert_rule_save(actor=request.actor, data=_rule_data(request, data)))


def _rule(request, rule_id: int):
    rule = selectors_alerts.alert_rule_get(request.actor, rule_id)
    if rule is None:
        raise Http404
    return rule


@router.get("/alert-rules/{int:rule_id}", response={200: AlertRuleOut, **ERRORS}, summary="One alert rule")
def alert_rule_get(request, rule_id: int):
    return _rule(request, rule_id)


@router.put("/alert-rules/{int:rule_id}", response={200: AlertRuleOut, **ERRORS}, summary="Change an alert rule")
def alert_rule_update(request, rule_id: int, data: AlertRuleIn):
    rule = _rule(request, rule_id)
    if not access.can_manage_alert_rules(request.actor):
        raise PermissionDenied(_("Only HR defines alert rules."))
    return alert_services.alert_rule_save(actor=request.actor, rule=rule, data=_rule_data(request, data))


# ---------------------------------------------------------------- root-cause reviews


class CauseOut(Schema):
    key: Literal["target_too_high", "resources_thin", "capability_short"]
    holds: bool
    evaluable: bool
    strength: Literal["strong", "moderate", "weak", ""]
    margin: Decimal | None = Field(description="how far past its threshold the evidence is (percentage points)")
    evidence: dict[str, Any]
    summary: list[str] = Field(description="the evidence in sentences, in the request's language")


class RootCauseReviewOut(Schema):
    id: int
    org_unit_id: int
    org_unit: str
    metric: str
    period_kind: str
    first_period: str
    last_period: str
    periods_missed: int
    target: Decimal
    value: Decimal
    status: Literal["open", "decided"]
    primary_cause: Literal["target_too_high", "resources_thin", "capability_short", "unclear"]
    causes: list[CauseOut]
    cause_summary: str = Field(description="the likely cause in words; with none, which evidence is missing")
    missing_evidence: list[str] = Field(description="what the cause analysis had no figures for")
    suggested_actions: list[str]
    context: dict[str, Any]
    opened_on: dt.date
    decision: str
    decision_note: str
    decided_at: dt.datetime | None
    recovered_period: str

    @staticmethod
    def resolve_org_unit(obj) -> str:
        return obj.org_unit.label

    @staticmethod
    def resolve_metric(obj) -> str:
        return obj.metric.key

    @staticmethod
    def resolve_causes(obj) -> list[dict]:
        return [{**c, "summary": selectors_alerts.cause_lines(c, obj.metric.unit)} for c in obj.causes or []]

    @staticmethod
    def resolve_cause_summary(obj) -> str:
        return selectors_alerts.cause_summary(obj)

    @staticmethod
    def resolve_missing_evidence(obj) -> list[str]:
        return selectors_alerts.missing_evidence(obj.causes)


class ReviewQuery(InSchema):
    status: Literal["open", "decided", "all"] = "all"


class RootCauseDecisionIn(InSchema):
    decision: Literal["adjust_target", "add_resources", "training", "investigate", "other", "no_action"] = Field(
        description="what the manager decided")
    note: str = Field("", max_length=4000, description="what was decided and why (required for other and "
                      "no_action)")


@router.get("/root-cause-reviews", response={200: list[RootCauseReviewOut], **ERRORS},
            summary="Root-cause reviews the caller may see", description=PAGED_WAS_ARRAY)
@paginated(default=50, max_limit=200)
def root_cause_review_list(request, query: Query[ReviewQuery]):
    return selectors_alerts.root_cause_review_queryset(request.actor, status=query.status)


def _review(request, review_id: int):
    review = selectors_alerts.root_cause_review_get(request.actor, review_id)
    if review is None:
        raise Http404
    return review


@router.get("/root-cause-reviews/{int:review_id}", response={200: RootCauseReviewOut, **ERRORS},
            summary="One root-cause review: context, likely causes, suggested actions, decision")
def root_cause_review_get(request, review_id: int):
    return _review(request, review_id)


@router.post("/root-cause-reviews/{int:review_id}/decide", response={200: RootCauseReviewOut, **ERRORS},
             summary="Record what the manager decided")
def root_cause_review_decide(request, review_id: int, data: RootCauseDecisionIn):
    return rootcause_services.root_cause_decide(actor=request.actor, review=_review(request, review_id),
                                                decision=data.decision, note=data.note)


class RootCauseSettingsOut(Schema):
    is_active: bool
    period_kind: Literal["month", "quarter"]
    consecutive_periods: int
    history_periods: int
    target_factor: Decimal
    resource_drop_pct: Decimal
    workload_rise_pct: Decimal
    skill_gap_pct: Decimal
    new_joiner_share_pct: Decimal
    tenure_days: int
    headcount_metric: str
    hours_metric: str
    workload_metric: str
    skill_metric: str


class RootCauseSettingsIn(InSchema):
    is_active: bool = True
    period_kind: Literal["month", "quarter"] = "month"
    consecutive_periods: int = Field(3, ge=1, le=24)
    history_periods: int = Field(6, ge=1, le=24)
    target_factor: Decimal = Field(Decimal("1.2"), ge=1, max_digits=6, decimal_places=3)
    resource_drop_pct: Decimal = Field(Decimal(10), ge=0, le=100, max_digits=6, decimal_places=2)
    workload_rise_pct: Decimal = Field(Decimal(15), ge=0, max_digits=6, decimal_places=2)
    skill_gap_pct: Decimal = Field(Decimal(10), ge=0, le=100, max_digits=6, decimal_places=2)
    new_joiner_share_pct: Decimal = Field(Decimal(40), ge=0, le=100, max_digits=6, decimal_places=2)
    tenure_days: int = Field(365, ge=1, le=3650)
    headcount_metric: str = Field("headcount", max_length=60)
    hours_metric: str = Field("hours", max_length=60)
    workload_metric: str = Field("workload", max_length=60)
    skill_metric: str = Field("skill-assessment", max_length=60)


@router.get("/root-cause-settings", response={200: RootCauseSettingsOut, **ERRORS},
            summary="The tunable rules of the root-cause review")
def root_cause_settings_get(request):
    cfg = selectors_alerts.root_cause_settings_get(request.actor)
    if cfg is None:
        raise PermissionDenied(_("Only HR tunes the root-cause rules."))
    return cfg


@router.put("/root-cause-settings", response={200: RootCauseSettingsOut, **ERRORS},
            summary="Tune the rules of the root-cause review")
def root_cause_settings_put(request, data: RootCauseSettingsIn):
    return rootcause_services.root_cause_settings_save(actor=request.actor, data=data.dict())
