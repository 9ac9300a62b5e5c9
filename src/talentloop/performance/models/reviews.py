"""Review cycles, reviews, and the decisions that come out of them."""


from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from talentloop.organisation.models import Employee, OrgUnit
from talentloop.performance.models.core import RaterKind

__all__ = ["Review", "ReviewCycle"]


class ReviewCycle(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        OPEN = "open", _("Open")
        CALIBRATION = "calibration", _("Calibration")
        CLOSED = "closed", _("Closed")

    name = models.CharField(_("name"), max_length=120)
    period_key = models.CharField(_("period"), max_length=8)
    org_unit = models.ForeignKey(OrgUnit, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    self_due = models.DateField(_("self reviews due"))
    manager_due = models.DateField(_("manager reviews due"))
    peer_due = models.DateField(_("peer reviews due"))
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.DRAFT)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return self.name


class Review(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        SUBMITTED = "submitted", _("Submitted")

    cycle = models.ForeignKey(ReviewCycle, on_delete=models.CASCADE, related_name="reviews")
    reviewee = models.ForeignKey(Employee, on_delete=models.CASCADE, related_name="+")
    reviewer = models.ForeignKey(Employee, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=10, choices=RaterKind.choices)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    comment = models.TextField(blank=True)
    submitted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["cycle", "reviewee", "reviewer", "kind"],
                                               name="uniq_review")]
