"""Decline alerts and target root-cause reviews.

- An ``AlertRule`` (configuration, HR) compares a person's metric over the latest complete period
  (or a rolling window of N days) with a baseline and fires when it got worse by a threshold.
- An ``Alert`` is one *episode*: it opens when the rule first fires for a person and the episode
  lasts until the metric recovers (``recovered_window_end``), whatever the manager does with the
  alert in the meantime — so the same episode never alerts twice.
- A ``RootCauseReview`` opens when an org unit misses its target for N consecutive periods; it
  keeps the context and the likely causes computed at the time (a computation frozen as evidence)
  and the manager's decision (a decision, audited).

People are told about them through the notifications app (the kinds are in
``performance/notification_kinds.py``); the alerts page lists the reader's notifications of those kinds.
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from talentloop.core.bilingual import Bilingual, bilingual
from talentloop.organisation.models import Employee, OrgUnit
from talentloop.performance.models.core import VALUE, Metric

__all__ = [
    "Alert", "AlertBaseline", "AlertCloseReason", "AlertRule", "AlertStatus", "AlertWindow", "CauseKey",
    "RootCauseAction", "RootCauseReview", "RootCauseSettings",
    "RootCauseStatus", "RulePeriodKind", "ThresholdKind",
]


class AlertWindow(models.TextChoices):
    PERIOD = "period", _("The latest complete period")
    ROLLING = "rolling", _("A rolling window of N days")


class RulePeriodKind(models.TextChoices):
    MONTH = "month", _("Month")
    QUARTER = "quarter", _("Quarter")
    YEAR = "year", _("Year")


class AlertBaseline(models.TextChoices):
    PREVIOUS = "previous", _("The previous period or window")
    MEAN = "mean", _("The mean of the previous K")


class ThresholdKind(models.TextChoices):
    RELATIVE = "relative", _("Relative change (%)")
    ABSOLUTE = "absolute", _("Absolute change (in the metric's unit)")


class AlertRule(Bilingual, models.Model):
    """When is a change in a person's metric a decline worth telling their manager about."""

    name, name_en = bilingual(_("name"), _("English name"), max_length=120)
    metric = models.ForeignKey(Metric, verbose_name=_("metric"), on_delete=models.PROTECT, related_name="+")
    # Only people in this unit and its sub-units (none: everybody).
    org_unit = models.ForeignKey(OrgUnit, verbose_name=_("org unit"), null=True, blank=True,
                                 on_delete=models.PROTECT, related_name="+")
    window = models.CharField(_("compare"), max_length=10, choices=AlertWindow.choices, default=AlertWindow.PERIOD)
    period_kind = models.CharField(_("period"), max_length=10, choices=RulePeriodKind.choices,
                                   default=RulePeriodKind.MONTH)
    window_days = models.PositiveSmallIntegerField(_("window (days)"), default=7,
                                                   validators=[MinValueValidator(1), MaxValueValidator(366)])
    baseline = models.CharField(_("baseline"), max_length=10, choices=AlertBaseline.choices,
                                default=AlertBaseline.PREVIOUS)
    baseline_count = models.PositiveSmallIntegerField(_("K (periods or windows in the mean)"), default=3,
                                                      validators=[MinValueValidator(1), MaxValueValidator(24)])
    threshold_kind = models.CharField(_("threshold"), max_length=10, choices=ThresholdKind.choices,
                                      default=ThresholdKind.RELATIVE)
    threshold = models.DecimalField(_("fire when worse by at least"), max_digits=20, decimal_places=6,
                                    validators=[MinValueValidator(Decimal("0.000001"))])
    notify_employee = models.BooleanField(_("also notify the employee"), default=False)
    is_active = models.BooleanField(_("active"), default=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name", "id"]
        constraints = [
            models.CheckConstraint(condition=models.Q(threshold__gt=0), name="alert_rule_threshold_positive"),
        ]

    def __str__(self) -> str:
        return self.label


class AlertStatus(models.TextChoices):
    OPEN = "open", _("Open")
    ACKNOWLEDGED = "acknowledged", _("Acknowledged")
    CLOSED = "closed", _("Closed")


class AlertCloseReason(models.TextChoices):
    RECOVERED = "recovered", _("The metric recovered")
    RESOLVED = "resolved", _("Resolved by the manager")


class Alert(models.Model):
    """One decline episode of one person under one rule, with the evidence that opened it."""

    rule = models.ForeignKey(AlertRule, on_delete=models.PROTECT, related_name="alerts")
    employee = models.ForeignKey(Employee, on_delete=models.CASCADE, related_name="+")
    # The manager told when it opened (the direct manager, else the head of the person's unit).
    manager = models.ForeignKey(Employee, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    status = models.CharField(max_length=14, choices=AlertStatus.choices, default=AlertStatus.OPEN)
    # The window that fired: [window_start, window_end), local dates.
    window_start = models.DateField()
    window_end = models.DateField()
    window_label = models.CharField(max_length=40)
    baseline_value = models.DecimalField(**VALUE)
    current_value = models.DecimalField(**VALUE)
    worsening = models.DecimalField(**VALUE)  # how much worse, in the metric's unit (positive)
    change_pct = models.DecimalField(max_digits=12, decimal_places=2, null=True, blank=True)
    evidence = models.JSONField(default=dict)
    opened_on = models.DateField()  # the day the check ran (as of)
    opened_at = models.DateTimeField(auto_now_add=True)
    acknowledged_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                        related_name="+")
    acknowledged_at = models.DateTimeField(null=True, blank=True)
    action_note = models.TextField(_("what was done"), blank=True, max_length=2000)
    closed_at = models.DateTimeField(null=True, blank=True)
    close_reason = models.CharField(max_length=10, choices=AlertCloseReason.choices, blank=True)
    closed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                  related_name="+")
    close_note = models.TextField(_("note"), blank=True, max_length=2000)
    # The latest window seen while the episode lasts, and the one in which the metric recovered.
    last_value = models.DecimalField(null=True, blank=True, **VALUE)
    last_window_end = models.DateField(null=True, blank=True)
    recovered_window_end = models.DateField(null=True, blank=True)
    recovered_value = models.DecimalField(null=True, blank=True, **VALUE)

    class Meta:
        ordering = ["-opened_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["rule", "employee"], condition=models.Q(recovered_window_end__isnull=True),
                                    name="uniq_ongoing_alert_episode"),
        ]
        indexes = [
            models.Index(fields=["status", "employee"], name="alert_status_employee"),
            models.Index(fields=["rule", "employee", "window_end"], name="alert_rule_employee_window"),
        ]

    def __str__(self) -> str:
        return f"{self.rule} · {self.employee_id} · {self.window_label}"

    @property
    def is_closed(self) -> bool:
        return self.status == AlertStatus.CLOSED


class CauseKey(models.TextChoices):
    TARGET_TOO_HIGH = "target_too_high", _("Target too high")
    RESOURCES_THIN = "resources_thin", _("Resources too thin")
    CAPABILITY_SHORT = "capability_short", _("Capability short")
    UNCLEAR = "unclear", _("Unclear")


class RootCauseAction(models.TextChoices):
    ADJUST_TARGET = "adjust_target", _("Adjust the target")
    ADD_RESOURCES = "add_resources", _("Add resources")
    TRAINING = "training", _("Training")
    INVESTIGATE = "investigate", _("Look into it further")
    OTHER = "other", _("Something else")
    NO_ACTION = "no_action", _("No action")


class RootCauseStatus(models.TextChoices):
    OPEN = "open", _("Open")
    DECIDED = "decided", _("Decided")


class RootCauseSettings(models.Model):
    """The tunable rules of the root-cause review (one row, pk 1; defaults from the issue)."""

    period_kind = models.CharField(_("period"), max_length=10, choices=RulePeriodKind.choices[:2],
                                   default=RulePeriodKind.MONTH)
    consecutive_periods = models.PositiveSmallIntegerField(
        _("consecutive misses that open a review"), default=3, validators=[MinValueValidator(1),
                                                                           MaxValueValidator(24)])
    history_periods = models.PositiveSmallIntegerField(
        _("history periods for means"), default=6, validators=[MinValueValidator(1), MaxValueValidator(24)])
    target_factor = models.DecimalField(
        _("target too high: factor over the better of history and peers"), max_digits=6, decimal_places=3,
        default=Decimal("1.2"), validators=[MinValueValidator(Decimal(1))])
    resource_drop_pct = models.DecimalField(
        _("resources: headcount or hours below their mean by (%)"), max_digits=6, decimal_places=2,
        default=Decimal(10), validators=[MinValueValidator(Decimal(0)), MaxValueValidator(Decimal(100))])
    workload_rise_pct = models.DecimalField(
        _("resources: workload per head above its mean by (%)"), max_digits=6, decimal_places=2,
        default=Decimal(15), validators=[MinValueValidator(Decimal(0))])
    skill_gap_pct = models.DecimalField(
        _("capability: mean skill assessment below peer units by (%)"), max_digits=6, decimal_places=2,
        default=Decimal(10), validators=[MinValueValidator(Decimal(0)), MaxValueValidator(Decimal(100))])
    new_joiner_share_pct = models.DecimalField(
        _("capability: share of members with short tenure at least (%)"), max_digits=6, decimal_places=2,
        default=Decimal(40), validators=[MinValueValidator(Decimal(0)), MaxValueValidator(Decimal(100))])
    tenure_days = models.PositiveSmallIntegerField(_("short tenure: under (days)"), default=365,
                                                   validators=[MinValueValidator(1)])
    headcount_metric = models.SlugField(_("headcount metric (org unit)"), max_length=60, default="headcount",
                                        blank=True)
    hours_metric = models.SlugField(_("hours metric (org unit)"), max_length=60, default="hours", blank=True)
    workload_metric = models.SlugField(_("workload metric (org unit)"), max_length=60, default="workload",
                                       blank=True)
    skill_metric = models.SlugField(_("skill assessment metric (person, 0–100)"), max_length=60,
                                    default="skill-assessment", blank=True)
    is_active = models.BooleanField(_("open reviews automatically"), default=True)
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("root-cause settings")

    def __str__(self) -> str:
        return gettext("Root-cause settings")

    @classmethod
    def current(cls) -> RootCauseSettings:
        """The stored settings, or the defaults when HR never changed them (not saved: reads write nothing)."""
        return cls.objects.filter(pk=1).first() or cls(pk=1)


class RootCauseReview(models.Model):
    """An org unit that missed its target for N periods in a row: context, likely causes, decision."""

    org_unit = models.ForeignKey(OrgUnit, on_delete=models.CASCADE, related_name="+")
    metric = models.ForeignKey(Metric, on_delete=models.PROTECT, related_name="+")
    period_kind = models.CharField(max_length=10, choices=RulePeriodKind.choices, default=RulePeriodKind.MONTH)
    first_period = models.CharField(max_length=8)  # the first miss of the streak (as far as the check looked)
    last_period = models.CharField(max_length=8)  # the latest complete period when it opened
    periods_missed = models.PositiveSmallIntegerField()
    target = models.DecimalField(**VALUE)
    value = models.DecimalField(**VALUE)
    context = models.JSONField(default=dict)
    causes = models.JSONField(default=list)
    primary_cause = models.CharField(max_length=20, choices=CauseKey.choices)
    suggested_actions = models.JSONField(default=list)
    status = models.CharField(max_length=10, choices=RootCauseStatus.choices, default=RootCauseStatus.OPEN)
    opened_on = models.DateField()
    opened_at = models.DateTimeField(auto_now_add=True)
    decision = models.CharField(_("decision"), max_length=16, choices=RootCauseAction.choices, blank=True)
    decision_note = models.TextField(_("what was decided"), blank=True, max_length=4000)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    decided_at = models.DateTimeField(null=True, blank=True)
    # The first later period that met the target: the streak is over (empty while it lasts).
    recovered_period = models.CharField(max_length=8, blank=True)

    class Meta:
        ordering = ["-opened_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["org_unit", "metric"], condition=models.Q(recovered_period=""),
                                    name="uniq_ongoing_root_cause_review"),
        ]
        indexes = [models.Index(fields=["status", "org_unit"], name="rcr_status_unit")]

    def __str__(self) -> str:
        return f"{self.org_unit_id} · {self.metric_id} · {self.last_period}"
