"""Performance: metrics, scorecards (versioned), observations (facts), scores (computations) and

final ratings, reviews and appeals (decisions made by people)."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from talentloop.core.bilingual import Bilingual, bilingual
from talentloop.core.crypto.fields import EncryptedRowMixin, EncryptedTextField
from talentloop.core.fields import JSONTextField
from talentloop.organisation.models import Employee, JobFamily, OrgUnit

__all__ = [
    "Aggregation", "Dimension", "DimensionMetric", "Direction", "FinalRating", "IngestBatch", "Metric",
    "Observation", "PeriodState", "QualitativeRating", "RaterKind", "Score", "Scorecard", "ScorecardVersion",
    "ScoringRule", "SubjectKind", "WebhookDelivery", "WebhookSource", "VALUE", "WEIGHT",
]

WEIGHT = {"max_digits": 7, "decimal_places": 3, "validators": [MinValueValidator(Decimal(0)),
                                                              MaxValueValidator(Decimal(100))]}
VALUE = {"max_digits": 20, "decimal_places": 6}


class Direction(models.TextChoices):
    HIGHER = "higher", _("Higher is better")
    LOWER = "lower", _("Lower is better")


class Aggregation(models.TextChoices):
    SUM = "sum", _("Sum")
    AVG = "avg", _("Average")
    COUNT = "count", _("Count")
    LAST = "last", _("Last value")
    RATIO = "ratio", _("Ratio of two metrics")


class ScoringRule(models.TextChoices):
    ATTAINMENT = "attainment", _("Target attainment (default)")
    LINEAR = "linear", _("Linear between a zero point and the target")
    BINARY = "binary", _("Met or not met")


class SubjectKind(models.TextChoices):
    EMPLOYEE = "employee", _("A person")
    ORG_UNIT = "org_unit", _("An org unit (context)")


class Metric(Bilingual, models.Model):
    key = models.SlugField(_("key"), max_length=60, unique=True)
    name, name_en = bilingual(_("name"), _("English name"), max_length=120)
    unit = models.CharField(_("unit"), max_length=30, blank=True)
    direction = models.CharField(_("direction"), max_length=10, choices=Direction.choices, default=Direction.HIGHER)
    aggregation = models.CharField(_("aggregation"), max_length=10, choices=Aggregation.choices,
                                   default=Aggregation.SUM)
    numerator = models.ForeignKey("self", verbose_name=_("numerator"), null=True, blank=True,
                                  on_delete=models.PROTECT, related_name="+")
    denominator = models.ForeignKey("self", verbose_name=_("denominator"), null=True, blank=True,
                                    on_delete=models.PROTECT, related_name="+")
    ratio_scale = models.DecimalField(_("ratio scale"), max_digits=12, decimal_places=3, default=Decimal(1),
                                      help_text=_("e.g. 1000 for 'bugs per 1,000 lines'"))
    scoring_rule = models.CharField(_("scoring rule"), max_length=12, choices=ScoringRule.choices,
                                    default=ScoringRule.ATTAINMENT)
    zero_point = models.DecimalField(_("zero point"), null=True, blank=True, **VALUE,
                                     help_text=_("For the linear rule: the value that scores 0."))
    subject_kind = models.CharField(_("subject"), max_length=10, choices=SubjectKind.choices,
                                    default=SubjectKind.EMPLOYEE)
    description = models.TextField(_("description"), blank=True)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["key"]

    def __str__(self) -> str:
        return self.label

    @property
    def higher_is_better(self) -> bool:
        return self.direction == Direction.HIGHER


class Scorecard(Bilingual, models.Model):
    """Applies to the organisation (no unit, no family), a unit, a family, or both; sub-units inherit."""

    name, name_en = bilingual(_("name"), _("English name"), max_length=120)
    org_unit = models.ForeignKey(OrgUnit, verbose_name=_("org unit"), null=True, blank=True,
                                 on_delete=models.PROTECT, related_name="+")
    job_family = models.ForeignKey(JobFamily, verbose_name=_("job family"), null=True, blank=True,
                                   on_delete=models.PROTECT, related_name="+")
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]
        constraints = [models.UniqueConstraint(fields=["org_unit", "job_family"], name="uniq_scorecard_scope",
                                               nulls_distinct=False)]

    def __str__(self) -> str:
        return self.label


class ScorecardVersion(models.Model):
    """The dimensions of a scorecard from ``valid_from`` (first day of a month) on."""

    scorecard = models.ForeignKey(Scorecard, on_delete=models.CASCADE, related_name="versions")
    valid_from = models.DateField(_("valid from"))
    note = models.CharField(_("note"), max_length=300, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["scorecard", "-valid_from"]
        constraints = [models.UniqueConstraint(fields=["scorecard", "valid_from"], name="uniq_scorecard_version")]

    def __str__(self) -> str:
        return f"{self.scorecard} @ {self.valid_from:%Y-%m}"


class RaterKind(models.TextChoices):
    MANAGER = "manager", _("Manager")
    PEER = "peer", _("Peer")
    SELF = "self", _("Self")


class Dimension(Bilingual, models.Model):
    version = models.ForeignKey(ScorecardVersion, on_delete=models.CASCADE, related_name="dimensions")
    key = models.SlugField(_("key"), max_length=60)
    name, name_en = bilingual(_("name"), _("English name"), max_length=120)
    weight = models.DecimalField(_("weight (%)"), **WEIGHT)
    order = models.PositiveSmallIntegerField(default=0)
    # Qualitative ratings inside the dimension: their weight next to the metrics, and per rater.
    ratings_weight = models.DecimalField(_("weight of ratings in the dimension (%)"), default=Decimal(0), **WEIGHT)
    manager_weight = models.DecimalField(_("manager rating weight (%)"), default=Decimal(100), **WEIGHT)
    peer_weight = models.DecimalField(_("peer rating weight (%)"), default=Decimal(0), **WEIGHT)
    self_weight = models.DecimalField(_("self rating weight (%)"), default=Decimal(0), **WEIGHT)

    class Meta:
        ordering = ["version", "order", "id"]
        constraints = [models.UniqueConstraint(fields=["version", "key"], name="uniq_dimension_key")]

    def __str__(self) -> str:
        return self.label


class DimensionMetric(models.Model):
    dimension = models.ForeignKey(Dimension, on_delete=models.CASCADE, related_name="metrics")
    metric = models.ForeignKey(Metric, on_delete=models.PROTECT, related_name="+")
    weight = models.DecimalField(_("weight in the dimension (%)"), **WEIGHT)
    target = models.DecimalField(_("monthly target"), **VALUE)
    tolerance = models.DecimalField(_("tolerance"), null=True, blank=True, **VALUE,
                                    help_text=_("Needed when lower is better and the target is 0."))

    class Meta:
        ordering = ["dimension", "id"]
        constraints = [models.UniqueConstraint(fields=["dimension", "metric"], name="uniq_dimension_metric")]


class IngestBatch(models.Model):
    """One accepted request of observations: audited as a whole."""

    received_at = models.DateTimeField(auto_now_add=True)
    received_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="+")
    channel = models.CharField(max_length=20)  # api, upload, webhook, demo
    accepted = models.PositiveIntegerField(default=0)
    duplicates = models.PositiveIntegerField(default=0)
    corrections = models.PositiveIntegerField(default=0)
    rejected = models.PositiveIntegerField(default=0)


class Observation(models.Model):
    """A fact from real work. Never edited: a correction is a new row that supersedes this one."""

    # Every index costs each of the ingest's 50,000 rows a second, so the metric and the subject
    # columns have none of their own: the composite indexes below lead with the subject, and every
    # read by metric also reads a period (the period index). The metric and the subject have no
    # database constraint (docs/architecture.md, "The observation table"): the ingestion looks each
    # of them up in its own transaction, and a constraint would check and lock them again, row by
    # row, at every commit. Django still applies ``on_delete`` (PROTECT, CASCADE) when one is deleted.
    metric = models.ForeignKey(Metric, on_delete=models.PROTECT, related_name="+", db_index=False,
                               db_constraint=False)
    employee = models.ForeignKey(Employee, null=True, blank=True, on_delete=models.CASCADE, related_name="+",
                                 db_index=False, db_constraint=False)
    org_unit = models.ForeignKey(OrgUnit, null=True, blank=True, on_delete=models.CASCADE, related_name="+",
                                 db_index=False, db_constraint=False)
    # The batch is a record of where a fact came from, never looked up by (batches are kept), so it
    # has neither an index nor a database constraint; ``supersedes`` is indexed only where it is set.
    value = models.DecimalField(**VALUE)
    occurred_at = models.DateTimeField()
    # The local date (organisation time zone) of occurred_at, so periods are date ranges.
    occurred_on = models.DateField()
    source = models.CharField(max_length=60)
    external_id = models.CharField(max_length=120)
    batch = models.ForeignKey(IngestBatch, null=True, blank=True, on_delete=models.DO_NOTHING, related_name="+",
                              db_index=False, db_constraint=False)
    supersedes = models.ForeignKey("self", null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
                                   db_index=False)
    is_current = models.BooleanField(default=True)
    after_close = models.BooleanField(default=False)

    class Meta:
        indexes = [
            models.Index(fields=["occurred_on", "metric", "employee"], name="obs_period_metric_emp",
                         condition=models.Q(is_current=True)),
            models.Index(fields=["employee", "metric", "occurred_on"], name="obs_emp_metric_day"),
            # Only the rows about an org unit: the others (nearly all) have no unit to look up by.
            models.Index(fields=["org_unit", "metric", "occurred_on"], name="obs_unit_metric_day",
                         condition=models.Q(org_unit__isnull=False)),
            models.Index(fields=["supersedes"], name="obs_supersedes", condition=models.Q(supersedes__isnull=False)),
        ]
        constraints = [
            models.UniqueConstraint(fields=["source", "external_id"], condition=models.Q(is_current=True),
                                    name="uniq_current_observation"),
            models.CheckConstraint(
                condition=(models.Q(employee__isnull=False, org_unit__isnull=True)
                           | models.Q(employee__isnull=True, org_unit__isnull=False)),
                name="observation_one_subject"),
        ]


class PeriodState(models.Model):
    """Closed periods (absence of a row means open). Closing and reopening are audited."""

    key = models.CharField(max_length=8, unique=True)
    closed = models.BooleanField(default=True)
    changed_at = models.DateTimeField(auto_now=True)
    changed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")


class Score(models.Model):
    """A computation: rebuilt from facts at any time, never a decision."""

    # No database constraints: a recomputation writes a row per person, and each row's foreign-key
    # checks at commit (a lock on the person's row among them) cost more than computing it. The ORM
    # still deletes a person's scores with them and clears a replaced version (CASCADE, SET_NULL).
    # No index of its own for the person: the unique (person, period) index serves every read by person.
    employee = models.ForeignKey(Employee, on_delete=models.CASCADE, related_name="+", db_constraint=False,
                                 db_index=False)
    period_key = models.CharField(max_length=8)
    period_start = models.DateField()
    version = models.ForeignKey(ScorecardVersion, null=True, on_delete=models.SET_NULL, related_name="+",
                                db_constraint=False)
    total = models.DecimalField(max_digits=7, decimal_places=2, null=True)
    rating = models.DecimalField(max_digits=3, decimal_places=1, null=True)
    partial = models.BooleanField(default=False)
    # The explanation, read whole and never searched inside: kept as written (see JSONTextField).
    detail = JSONTextField(default=dict)
    # What the organisation dashboard counts inside the explanation, apart and small: each scored
    # metric's score as shown ({"metric key": "87.50"}), so the database parses a few hundred bytes per
    # row rather than the whole explanation, on writing and on reading.
    metric_scores = models.JSONField(default=dict)
    computed_at = models.DateTimeField()

    def save(self, *args, **kwargs):
        if not self.metric_scores and self.detail:
            self.metric_scores = metric_scores_of(self.detail)
        super().save(*args, **kwargs)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["employee", "period_key"], name="uniq_score")]
        # The totals and ratings ride in the period index, so a team's figures for a month (the home
        # page's team at a glance, the dashboards) are read from the index alone, never from the wide
        # rows with their stored explanation.
        indexes = [models.Index(fields=["period_key", "employee"], include=["total", "rating"],
                                name="score_period_emp_totals")]


def metric_scores_of(detail: dict) -> dict[str, str]:
    """The scored metrics of an explanation (``Score.detail``) and their scores, as ``metric_scores``
    holds them; the ratings part is not a metric."""
    return {m["key"]: m["score"] for d in detail.get("dimensions", []) for m in d.get("metrics", [])
            if m.get("score") is not None and m.get("key") != "ratings"}


class FinalRating(models.Model):
    """A decision made by people in a review cycle or calibration; a recomputation never touches it."""

    employee = models.ForeignKey(Employee, on_delete=models.CASCADE, related_name="+")
    period_key = models.CharField(max_length=8)
    rating = models.DecimalField(max_digits=3, decimal_places=1,
                                 validators=[MinValueValidator(Decimal(1)), MaxValueValidator(Decimal(5))])
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    decided_at = models.DateTimeField(auto_now=True)
    note = models.CharField(max_length=500, blank=True)
    acknowledged_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["employee", "period_key"], name="uniq_final_rating")]


class QualitativeRating(models.Model):
    """A rating of one dimension by one rater, covering a date range (a review cycle's period)."""

    employee = models.ForeignKey(Employee, on_delete=models.CASCADE, related_name="+")
    rater = models.ForeignKey(Employee, null=True, on_delete=models.SET_NULL, related_name="+")
    rater_kind = models.CharField(max_length=10, choices=RaterKind.choices)
    dimension_key = models.SlugField(max_length=60)
    rating = models.DecimalField(max_digits=3, decimal_places=1,
                                 validators=[MinValueValidator(Decimal(1)), MaxValueValidator(Decimal(5))])
    covers_start = models.DateField()
    covers_end = models.DateField()  # exclusive
    review = models.ForeignKey("performance.Review", null=True, blank=True, on_delete=models.CASCADE,
                               related_name="ratings")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        indexes = [models.Index(fields=["covers_start", "covers_end", "employee"], name="qr_covers")]


class WebhookSource(EncryptedRowMixin, models.Model):
    """A system that pushes observations through the signed generic webhook."""

    key = models.SlugField(_("source key"), max_length=60, unique=True)
    name = models.CharField(_("name"), max_length=120)
    secret = EncryptedTextField(_("signing secret"))
    # Observations are accepted with the scope of this account (an HR or integration account).
    act_as = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return self.name


class WebhookDelivery(models.Model):
    """Signatures already accepted, so a replayed request is refused."""

    source = models.ForeignKey(WebhookSource, on_delete=models.CASCADE, related_name="+")
    signature = models.CharField(max_length=64)
    timestamp = models.BigIntegerField()
    received_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["source", "signature"], name="uniq_webhook_delivery")]
