"""Review cycles, reviews, and the decisions that come out of them (final ratings are in core).

Reviews are written by people; a submitted review is locked and its ratings become facts
(``QualitativeRating`` rows) that feed the scores of every month the cycle covers. Final ratings,
their changes, potentials and appeals are decisions: stored apart from the computed scores and
never touched by a recomputation.
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from talentloop.organisation.models import Employee, OrgUnit
from talentloop.performance.models.core import FinalRating, RaterKind

__all__ = [
    "Appeal", "FinalRatingChange", "Potential", "PotentialLevel", "Review", "ReviewCycle", "ReviewReminder",
    "RATING",
]

RATING = {"max_digits": 3, "decimal_places": 1,
          "validators": [MinValueValidator(Decimal(1)), MaxValueValidator(Decimal(5))]}


class ReviewCycle(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        OPEN = "open", _("Open")
        CALIBRATION = "calibration", _("Calibration")
        CLOSED = "closed", _("Closed")

    name = models.CharField(_("name"), max_length=120)
    period_key = models.CharField(_("period"), max_length=8)
    # The people reviewed: everyone in this unit and its sub-units (none: the whole organisation).
    org_unit = models.ForeignKey(OrgUnit, verbose_name=_("org unit"), null=True, blank=True,
                                 on_delete=models.PROTECT, related_name="+")
    self_due = models.DateField(_("self reviews due"))
    manager_due = models.DateField(_("manager reviews due"))
    peer_due = models.DateField(_("peer reviews due"))
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.DRAFT)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    opened_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.name

    def due_for(self, kind: str):
        return {RaterKind.SELF: self.self_due, RaterKind.MANAGER: self.manager_due,
                RaterKind.PEER: self.peer_due}[kind]


class Review(models.Model):
    """One reviewer's form about one reviewee in a cycle: the reviewer alone writes and reads it
    while it is pending; once submitted it is locked."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        SUBMITTED = "submitted", _("Submitted")

    cycle = models.ForeignKey(ReviewCycle, on_delete=models.CASCADE, related_name="reviews")
    reviewee = models.ForeignKey(Employee, on_delete=models.CASCADE, related_name="+")
    reviewer = models.ForeignKey(Employee, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=10, choices=RaterKind.choices)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    due = models.DateField(_("due"), null=True, blank=True)
    # The reviewer's answers: an overall rating, one rating per rated dimension (draft until
    # submitted, then also written as QualitativeRating rows), and two free texts.
    rating = models.DecimalField(_("overall rating"), null=True, blank=True, **RATING)
    dimension_ratings = models.JSONField(default=dict, blank=True)
    comment = models.TextField(_("what went well"), blank=True)
    improvements = models.TextField(_("what could be better"), blank=True)
    nominated_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                     related_name="+")
    created_at = models.DateTimeField(auto_now_add=True, null=True)
    updated_at = models.DateTimeField(auto_now=True, null=True)
    submitted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["cycle", "reviewee", "reviewer", "kind"], name="uniq_review"),
            models.CheckConstraint(
                condition=(models.Q(kind="self", reviewer=models.F("reviewee"))
                           | (~models.Q(kind="self") & ~models.Q(reviewer=models.F("reviewee")))),
                name="review_self_is_own"),
        ]
        indexes = [
            models.Index(fields=["reviewer", "status"], name="review_reviewer_status"),
            models.Index(fields=["status", "due"], name="review_status_due"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} · {self.reviewee_id} · {self.cycle_id}"


class ReviewReminder(models.Model):
    """That the daily job reminded a reviewer: at most one of each kind per review (the job's record,
    shown as the last reminder on HR's cycle page). The reminder itself is a notification."""

    class Kind(models.TextChoices):
        DUE_SOON = "due_soon", _("Due soon")
        OVERDUE = "overdue", _("Overdue")

    review = models.ForeignKey(Review, on_delete=models.CASCADE, related_name="reminders")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    sent_on = models.DateField()
    delivered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["review", "kind"], name="uniq_review_reminder")]


class PotentialLevel(models.TextChoices):
    LOW = "low", _("Low")
    MEDIUM = "medium", _("Medium")
    HIGH = "high", _("High")


class Potential(models.Model):
    """The potential axis of the 9-box, set by the manager (or HR) for a period; audited."""

    employee = models.ForeignKey(Employee, on_delete=models.CASCADE, related_name="+")
    period_key = models.CharField(max_length=8)
    level = models.CharField(_("potential"), max_length=8, choices=PotentialLevel.choices)
    note = models.CharField(_("note"), max_length=500, blank=True)
    set_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    set_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["employee", "period_key"], name="uniq_potential")]


class FinalRatingChange(models.Model):
    """Every decision about a final rating, in order: the history the employee sees next to it
    (the audit log keeps the same for HR). Inserted, never edited."""

    class Source(models.TextChoices):
        REVIEW = "review", _("Review")
        CALIBRATION = "calibration", _("Calibration")
        APPEAL = "appeal", _("Appeal")

    final_rating = models.ForeignKey(FinalRating, on_delete=models.CASCADE, related_name="changes")
    rating_before = models.DecimalField(max_digits=3, decimal_places=1, null=True, blank=True)
    rating_after = models.DecimalField(max_digits=3, decimal_places=1)
    # The computed rating of the period when the decision was made, for the record.
    computed_rating = models.DecimalField(max_digits=3, decimal_places=1, null=True, blank=True)
    source = models.CharField(max_length=12, choices=Source.choices)
    cycle = models.ForeignKey(ReviewCycle, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    note = models.CharField(max_length=500, blank=True)
    changed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    changed_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["final_rating", "changed_at", "id"]


class Appeal(models.Model):
    """An employee's appeal of a final rating, or request for a human review of a computed
    result when no final rating exists yet. The manager or HR answers; the outcome is kept."""

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        ANSWERED = "answered", _("Answered")

    class Outcome(models.TextChoices):
        KEPT = "kept", _("Rating kept")
        CHANGED = "changed", _("Rating changed")

    employee = models.ForeignKey(Employee, on_delete=models.CASCADE, related_name="+")
    period_key = models.CharField(_("period"), max_length=8)
    final_rating = models.ForeignKey(FinalRating, null=True, blank=True, on_delete=models.SET_NULL,
                                     related_name="appeals")
    # What the employee saw when appealing: the final rating, or else the computed one.
    rating_appealed = models.DecimalField(max_digits=3, decimal_places=1, null=True, blank=True)
    reason = models.TextField(_("reason"))
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN)
    outcome = models.CharField(_("outcome"), max_length=10, choices=Outcome.choices, blank=True)
    rating_after = models.DecimalField(max_digits=3, decimal_places=1, null=True, blank=True)
    answer = models.TextField(_("answer"), blank=True)
    answered_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    answered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["employee", "period_key"], condition=models.Q(status="open"),
                                    name="uniq_open_appeal"),
        ]
        indexes = [models.Index(fields=["status", "created_at"], name="appeal_status_created")]
