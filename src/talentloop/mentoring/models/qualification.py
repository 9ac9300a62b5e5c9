"""Mentor qualification: the admission policy (versioned), applications screened against it,
invitations, approved mentors and the certifications that count for the course-exam criterion."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from talentloop.organisation.models import Employee

__all__ = [
    "CRITERION_DEFAULTS", "CriterionKey", "CriterionStatus", "Mentor", "MentorApplication", "MentorCertification",
    "MentorInvitation", "MentorPolicy",
]


class CriterionKey(models.TextChoices):
    ANNUAL_RATING_MIN = "annual_rating_min", _("Annual rating in each of the last years")
    MENTORING_EXPERIENCE_YEARS = "mentoring_experience_years", _("Years of mentoring experience")
    SUCCESSFUL_MENTEES = "successful_mentees", _("Past mentees whose performance rose")
    CERTIFICATION = "certification", _("Mentor-skills course exam")
    TENURE_YEARS = "tenure_years", _("Years with the company")
    LEVEL_MIN = "level_min", _("Minimum level")


# The parameters each criterion takes, with their defaults (HR overrides them per policy version).
CRITERION_DEFAULTS: dict[str, dict] = {
    CriterionKey.ANNUAL_RATING_MIN: {"min": "4.5", "years": 3},
    CriterionKey.MENTORING_EXPERIENCE_YEARS: {"years": 2},
    CriterionKey.SUCCESSFUL_MENTEES: {"count": 2, "growth_min_pct": "20"},
    CriterionKey.CERTIFICATION: {"course": "mentor-skills", "min_score": "60"},
    CriterionKey.TENURE_YEARS: {"years": 2},
    CriterionKey.LEVEL_MIN: {"level": 5},
}


class CriterionStatus(models.TextChoices):
    PASSED = "passed", _("Passed")
    FAILED = "failed", _("Failed")
    NO_DATA = "no_data", _("No data")


class MentorPolicy(models.Model):
    """One version of the admission policy and the programme-wide mentoring settings.

    The current policy is the one with the highest version; a new version never changes an
    application screened under an older one. ``criteria`` is a list of ``{"key", "params"}``.
    """

    version = models.PositiveIntegerField(_("version"), unique=True)
    criteria = models.JSONField(_("criteria"), default=list)
    allow_management_chain = models.BooleanField(
        _("a mentor may be in the mentee's management chain"), default=False)
    default_capacity = models.PositiveSmallIntegerField(
        _("default capacity (mentees at once)"), default=3, validators=[MinValueValidator(1), MaxValueValidator(50)])
    reminder_days = models.PositiveSmallIntegerField(
        _("remind this many days before an item is due"), default=5, validators=[MaxValueValidator(60)])
    escalate_after_days = models.PositiveSmallIntegerField(
        _("alert the mentor's manager this many days after the due date"), default=1,
        validators=[MinValueValidator(1), MaxValueValidator(60)])
    note = models.CharField(_("note"), max_length=300, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-version"]
        verbose_name = _("mentor policy")
        verbose_name_plural = _("mentor policies")

    def __str__(self) -> str:
        return f"v{self.version}"

    def criterion(self, key: str) -> dict | None:
        for c in self.criteria or []:
            if c.get("key") == key:
                return {**CRITERION_DEFAULTS.get(key, {}), **(c.get("params") or {})}
        return None


class MentorApplication(models.Model):
    """An employee's application, screened at once against the policy version it keeps."""

    class Status(models.TextChoices):
        SUBMITTED = "submitted", _("Waiting for HR")
        APPROVED = "approved", _("Approved")
        REJECTED = "rejected", _("Rejected")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    employee = models.ForeignKey(Employee, on_delete=models.CASCADE, related_name="mentor_applications")
    policy = models.ForeignKey(MentorPolicy, on_delete=models.PROTECT, related_name="applications")
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.SUBMITTED)
    motivation = models.TextField(_("why I want to mentor"), blank=True)
    expertise = models.JSONField(_("areas of expertise"), default=list, blank=True)
    # [{"key", "status": passed|failed|no_data, "evidence": {...}}], in the policy's order.
    screening = models.JSONField(default=list, blank=True)
    screened_at = models.DateTimeField(null=True, blank=True)
    qualifies = models.BooleanField(default=False)
    invitation = models.ForeignKey("mentoring.MentorInvitation", null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="applications")
    created_at = models.DateTimeField(auto_now_add=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    decided_at = models.DateTimeField(null=True, blank=True)
    reason = models.CharField(_("reason"), max_length=1000, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["status", "created_at"], name="mentor_app_status")]
        constraints = [
            models.UniqueConstraint(fields=["employee"], condition=models.Q(status="submitted"),
                                    name="uniq_open_mentor_application"),
        ]

    def __str__(self) -> str:
        return f"{self.employee} · {self.get_status_display()}"

    @property
    def policy_version(self) -> int:
        return self.policy.version


class MentorInvitation(models.Model):
    """HR invites someone who qualifies under a policy version to apply."""

    employee = models.ForeignKey(Employee, on_delete=models.CASCADE, related_name="mentor_invitations")
    policy = models.ForeignKey(MentorPolicy, on_delete=models.PROTECT, related_name="invitations")
    invited_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    message = models.CharField(_("message"), max_length=500, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [models.UniqueConstraint(fields=["employee", "policy"], name="uniq_mentor_invitation")]


class Mentor(models.Model):
    """An approved mentor. ``capacity`` is how many mentees they take at once."""

    employee = models.OneToOneField(Employee, on_delete=models.CASCADE, related_name="mentor")
    capacity = models.PositiveSmallIntegerField(_("capacity"), default=3,
                                                validators=[MinValueValidator(1), MaxValueValidator(50)])
    expertise = models.JSONField(_("areas of expertise"), default=list, blank=True)
    profile = models.TextField(_("profile"), blank=True, max_length=2000)
    active = models.BooleanField(_("active"), default=True)
    since = models.DateField(_("mentor since"))
    application = models.ForeignKey(MentorApplication, null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["employee__employee_number"]
        verbose_name = _("mentor")
        constraints = [models.CheckConstraint(condition=models.Q(capacity__gte=1), name="mentor_capacity_positive")]

    def __str__(self) -> str:
        return str(self.employee)


class MentorCertification(models.Model):
    """A passed course exam (e.g. the internal mentor-skills course); a fact, recorded by HR."""

    employee = models.ForeignKey(Employee, on_delete=models.CASCADE, related_name="mentor_certifications")
    course = models.SlugField(_("course"), max_length=60, default="mentor-skills")
    name = models.CharField(_("name"), max_length=200)
    passed_on = models.DateField(_("passed on"))
    score = models.DecimalField(_("score"), max_digits=5, decimal_places=2, null=True, blank=True,
                                validators=[MinValueValidator(Decimal(0)), MaxValueValidator(Decimal(100))])
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-passed_on", "-id"]
        indexes = [models.Index(fields=["course", "employee"], name="mentor_cert_course_emp")]

    def __str__(self) -> str:
        return f"{self.name} ({self.passed_on})"
