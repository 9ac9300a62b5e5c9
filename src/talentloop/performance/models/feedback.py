"""Continuous feedback between colleagues, requests for it, and performance improvement plans."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from talentloop.organisation.models import Employee

__all__ = ["CheckIn", "Feedback", "FeedbackRequest", "ImprovementPlan", "PlanGoal"]


class FeedbackRequest(models.Model):
    """Someone asks a colleague for feedback, about themselves or (a manager) about a report."""

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        ANSWERED = "answered", _("Answered")
        DECLINED = "declined", _("Declined")

    requester = models.ForeignKey(Employee, on_delete=models.CASCADE, related_name="+")
    subject = models.ForeignKey(Employee, on_delete=models.CASCADE, related_name="+")
    responder = models.ForeignKey(Employee, on_delete=models.CASCADE, related_name="+")
    message = models.CharField(_("message"), max_length=500, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN)
    created_at = models.DateTimeField(auto_now_add=True)
    answered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["responder", "status"], name="fbreq_responder_status")]
        constraints = [
            models.CheckConstraint(condition=~models.Q(responder=models.F("subject")),
                                   name="fbreq_not_about_responder"),
        ]


class Feedback(models.Model):
    """Praise or a suggestion from one colleague to another. Shared feedback is seen by the
    person and their management chain; private feedback only by the management chain."""

    class Kind(models.TextChoices):
        PRAISE = "praise", _("Praise")
        SUGGESTION = "suggestion", _("Suggestion")

    class Visibility(models.TextChoices):
        SHARED = "shared", _("The person and their manager")
        MANAGER = "manager", _("Only their manager")

    giver = models.ForeignKey(Employee, on_delete=models.CASCADE, related_name="+")
    recipient = models.ForeignKey(Employee, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices, default=Kind.PRAISE)
    visibility = models.CharField(_("who sees it"), max_length=10, choices=Visibility.choices,
                                  default=Visibility.SHARED)
    text = models.TextField(_("feedback"))
    request = models.ForeignKey(FeedbackRequest, null=True, blank=True, on_delete=models.SET_NULL,
                                related_name="answers")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["recipient", "created_at"], name="feedback_recipient"),
            models.Index(fields=["giver", "created_at"], name="feedback_giver"),
        ]
        constraints = [
            models.CheckConstraint(condition=~models.Q(giver=models.F("recipient")), name="feedback_not_to_self"),
        ]


class ImprovementPlan(models.Model):
    """A performance improvement plan: goals to reach by an end date, with regular check-ins."""

    class Status(models.TextChoices):
        ACTIVE = "active", pgettext_lazy("plan status", "Active")
        SUCCEEDED = "succeeded", _("Completed successfully")
        NOT_MET = "not_met", _("Goals not met")
        CANCELLED = "cancelled", _("Cancelled")

    employee = models.ForeignKey(Employee, on_delete=models.CASCADE, related_name="+")
    owner = models.ForeignKey(Employee, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    title = models.CharField(_("title"), max_length=200)
    reason = models.TextField(_("why this plan"))
    starts_on = models.DateField(_("starts on"))
    ends_on = models.DateField(_("ends on"))
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.ACTIVE)
    outcome_note = models.TextField(_("outcome"), blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    closed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-starts_on", "-id"]
        constraints = [
            models.CheckConstraint(condition=models.Q(ends_on__gt=models.F("starts_on")), name="plan_ends_after_start"),
        ]

    def __str__(self) -> str:
        return self.title


class PlanGoal(models.Model):
    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        MET = "met", _("Met")
        NOT_MET = "not_met", _("Not met")

    plan = models.ForeignKey(ImprovementPlan, on_delete=models.CASCADE, related_name="goals")
    title = models.CharField(_("goal"), max_length=200)
    measure = models.CharField(_("how it is measured"), max_length=300, blank=True)
    due = models.DateField(_("due"), null=True, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.OPEN)
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["plan", "order", "id"]


class CheckIn(models.Model):
    """A dated note on a plan's progress; inserted, never edited."""

    class Progress(models.TextChoices):
        ON_TRACK = "on_track", _("On track")
        AT_RISK = "at_risk", _("At risk")
        OFF_TRACK = "off_track", _("Off track")

    plan = models.ForeignKey(ImprovementPlan, on_delete=models.CASCADE, related_name="check_ins")
    author = models.ForeignKey(Employee, null=True, on_delete=models.SET_NULL, related_name="+")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    progress = models.CharField(_("progress"), max_length=10, choices=Progress.choices)
    note = models.TextField(_("note"))
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["plan", "created_at", "id"]
