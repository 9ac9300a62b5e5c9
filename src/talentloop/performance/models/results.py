"""Work results a person submits from the phone: a project report, a customer feedback record, a
skill test score.

A result is a *claim* until it is confirmed (by the person's manager, anyone above them, or HR —
or at once when HR marks its kind as trusted). A confirmed result becomes the fact the rest of the
product already understands: an ``Observation`` (source "work-result", external id
"work-result-<id>"), a mentoring ``SkillAssessment``, or evidence shown to reviewers. The result
keeps a pointer to what it became; the decision (who, when, why) is stored here and audited.
"""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.crypto import get_random_string
from django.utils.translation import gettext_lazy as _

from talentloop.organisation.models import Employee
from talentloop.performance.models.core import Metric

__all__ = ["WorkResult", "WorkResultAttachment", "WorkResultKind", "WorkResultSettings", "WorkResultStatus",
           "work_result_upload_to"]


class WorkResultKind(models.TextChoices):
    PROJECT_REPORT = "project_report", _("Project report")
    CUSTOMER_FEEDBACK = "customer_feedback", _("Customer feedback")
    SKILL_TEST = "skill_test", _("Skill test score")


class WorkResultStatus(models.TextChoices):
    PENDING = "pending", _("Waiting for confirmation")
    CONFIRMED = "confirmed", _("Confirmed")
    REJECTED = "rejected", _("Rejected")
    WITHDRAWN = "withdrawn", _("Withdrawn")


class WorkResult(models.Model):
    employee = models.ForeignKey(Employee, verbose_name=_("employee"), on_delete=models.CASCADE,
                                 related_name="work_results")
    kind = models.CharField(_("kind"), max_length=20, choices=WorkResultKind.choices)
    occurred_on = models.DateField(_("date"))
    status = models.CharField(_("status"), max_length=10, choices=WorkResultStatus.choices,
                              default=WorkResultStatus.PENDING)
    # project_report
    title = models.CharField(_("title"), max_length=200, blank=True)
    text = models.TextField(_("report"), max_length=10000, blank=True)
    # customer_feedback
    customer = models.CharField(_("customer"), max_length=200, blank=True)
    score = models.PositiveSmallIntegerField(_("score"), null=True, blank=True,
                                             validators=[MinValueValidator(0), MaxValueValidator(100)])
    comment = models.TextField(_("comment"), max_length=2000, blank=True)
    # skill_test
    skill = models.SlugField(_("skill"), max_length=60, blank=True)
    test_name = models.CharField(_("test name"), max_length=200, blank=True)
    # who and when
    submitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL,
                                     related_name="+")
    submitted_at = models.DateTimeField(auto_now_add=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_note = models.CharField(_("note"), max_length=1000, blank=True)
    auto_confirmed = models.BooleanField(default=False)
    # what it became
    observation_external_id = models.CharField(max_length=120, blank=True)
    metric = models.ForeignKey(Metric, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    skill_assessment = models.ForeignKey("mentoring.SkillAssessment", null=True, blank=True,
                                         on_delete=models.SET_NULL, related_name="+")

    class Meta:
        ordering = ["-submitted_at", "-id"]
        indexes = [
            models.Index(fields=["employee", "status"], name="work_result_emp_status"),
            models.Index(fields=["status", "submitted_at"], name="work_result_status_time"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(kind__in=WorkResultKind.values), name="work_result_kind"),
            models.CheckConstraint(
                condition=(~models.Q(kind="customer_feedback")
                           | models.Q(score__gte=1, score__lte=5, customer__gt="")),
                name="work_result_feedback_score"),
            models.CheckConstraint(
                condition=~models.Q(kind="skill_test") | models.Q(score__gte=0, score__lte=100, skill__gt=""),
                name="work_result_skill_score"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} · {self.employee}"

    @property
    def headline(self) -> str:
        """The one line a list shows: the title, the customer or the test."""
        if self.kind == WorkResultKind.PROJECT_REPORT:
            return self.title
        if self.kind == WorkResultKind.CUSTOMER_FEEDBACK:
            return self.customer
        return self.test_name or self.skill


def work_result_upload_to(instance: WorkResultAttachment, filename: str) -> str:
    """A private path (never under a public URL): the download view checks access."""
    return f"private/work-results/{instance.result.employee_id}/{get_random_string(16)}/{filename}"


class WorkResultAttachment(models.Model):
    result = models.ForeignKey(WorkResult, on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField(upload_to=work_result_upload_to, max_length=300)
    name = models.CharField(_("file name"), max_length=200)
    size = models.PositiveIntegerField()
    content_type = models.CharField(max_length=120)
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return self.name


class WorkResultSettings(models.Model):
    """HR's settings per kind of result: trusted kinds are confirmed when submitted; the metric a
    customer feedback score (the value) or a project report (a count of 1) becomes an observation of."""

    kind = models.CharField(_("kind"), max_length=20, choices=WorkResultKind.choices, unique=True)
    trusted = models.BooleanField(_("trusted (confirmed at submission)"), default=False)
    metric = models.ForeignKey(Metric, verbose_name=_("metric"), null=True, blank=True, on_delete=models.SET_NULL,
                               related_name="+")
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["kind"]

    def __str__(self) -> str:
        return self.get_kind_display()
