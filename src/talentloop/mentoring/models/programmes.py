"""Programme templates, mentoring plans built on them, their dated schedule items and what
completes them (1:1 records, skill assessments, reports). The reminders and alerts the daily job
sends are notifications (``mentoring/notification_kinds.py``)."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from talentloop.core.bilingual import Bilingual, bilingual
from talentloop.mentoring.models.qualification import Mentor
from talentloop.organisation.models import Employee, JobFamily

__all__ = [
    "ACTIVE_PLAN_STATUSES", "CAPACITY_PLAN_STATUSES", "CadenceRule", "ItemKind", "MenteeType",
    "MentoringPlan", "PlanItem", "PlanReport", "PlanStatus", "PlanTopic", "ProgrammeTemplate", "SessionRecord",
    "SkillAssessment", "TemplateTopic",
]


class MenteeType(models.TextChoices):
    NEW_GRADUATE = "new_graduate", _("New graduate")
    JOB_TRANSFER = "job_transfer", _("Job transfer")
    PROMOTION_CANDIDATE = "promotion_candidate", _("Promotion candidate")
    JOB_FAMILY = "job_family", _("Job family")


class ItemKind(models.TextChoices):
    ONE_TO_ONE = "one_to_one", _("1:1 session")
    SKILL_ASSESSMENT = "skill_assessment", _("Skill assessment")
    RESULTS_REPORT = "results_report", _("Results report")


class ProgrammeTemplate(Bilingual, models.Model):
    """A programme: goals, a content framework of topics (some core), a duration and a cadence.
    A plan copies goals and topics when it is created, so editing a template never changes a plan."""

    name, name_en = bilingual(_("name"), _("English name"), max_length=120)
    mentee_type = models.CharField(_("mentee type"), max_length=20, choices=MenteeType.choices)
    job_family = models.ForeignKey(JobFamily, verbose_name=_("job family"), null=True, blank=True,
                                   on_delete=models.PROTECT, related_name="+")
    description = models.TextField(_("description"), blank=True)
    goals = models.JSONField(_("goals"), default=list, blank=True)
    duration_months = models.PositiveSmallIntegerField(_("duration (months)"), default=6,
                                                       validators=[MinValueValidator(1), MaxValueValidator(36)])
    allow_mentee_choice = models.BooleanField(_("mentees may choose their mentor"), default=False)
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["mentee_type", "name"]
        verbose_name = _("programme template")
        constraints = [
            models.CheckConstraint(
                condition=(models.Q(mentee_type="job_family", job_family__isnull=False)
                           | (~models.Q(mentee_type="job_family") & models.Q(job_family__isnull=True))),
                name="mtr_template_family_iff_type"),
        ]

    def __str__(self) -> str:
        return self.label


class TemplateTopic(models.Model):
    template = models.ForeignKey(ProgrammeTemplate, on_delete=models.CASCADE, related_name="topics")
    title = models.CharField(_("title"), max_length=200)
    description = models.CharField(_("description"), max_length=500, blank=True)
    core = models.BooleanField(_("core (every plan must cover it)"), default=False)
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["template", "order", "id"]

    def __str__(self) -> str:
        return self.title


class CadenceRule(models.Model):
    """A recurring item: e.g. a 1:1 every month, a skill assessment every 3 months."""

    template = models.ForeignKey(ProgrammeTemplate, on_delete=models.CASCADE, related_name="cadence")
    kind = models.CharField(_("kind"), max_length=20, choices=ItemKind.choices)
    every_months = models.PositiveSmallIntegerField(_("every (months)"),
                                                    validators=[MinValueValidator(1), MaxValueValidator(24)])

    class Meta:
        ordering = ["template", "every_months", "kind"]
        constraints = [models.UniqueConstraint(fields=["template", "kind"], name="mtr_uniq_cadence_kind")]


class PlanStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Waiting for HR")
    RETURNED = "returned", _("Returned for changes")
    APPROVED = "approved", _("Approved, starts later")
    ACTIVE = "active", pgettext_lazy("plan status", "Active")
    COMPLETED = "completed", _("Completed")
    CANCELLED = "cancelled", _("Cancelled")


# A plan in these states counts against the "one active plan per mentee per programme" rule.
ACTIVE_PLAN_STATUSES = (PlanStatus.APPROVED, PlanStatus.ACTIVE)
# A plan in these states takes one of the mentor's places.
CAPACITY_PLAN_STATUSES = (PlanStatus.SUBMITTED, PlanStatus.APPROVED, PlanStatus.ACTIVE)


class MentoringPlan(models.Model):
    mentor = models.ForeignKey(Mentor, on_delete=models.PROTECT, related_name="plans")
    mentee = models.ForeignKey(Employee, on_delete=models.CASCADE, related_name="mentoring_plans")
    template = models.ForeignKey(ProgrammeTemplate, on_delete=models.PROTECT, related_name="plans")
    status = models.CharField(_("status"), max_length=10, choices=PlanStatus.choices, default=PlanStatus.DRAFT)
    starts_on = models.DateField(_("starts on"))
    ends_on = models.DateField(_("ends on"))
    goals = models.JSONField(_("goals"), default=list, blank=True)
    hr_comment = models.TextField(_("HR comment"), blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    submitted_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    decided_at = models.DateTimeField(null=True, blank=True)
    completed_on = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["-starts_on", "-id"]
        indexes = [
            models.Index(fields=["mentor", "status"], name="mtr_plan_mentor_status"),
            models.Index(fields=["mentee", "status"], name="mtr_plan_mentee_status"),
        ]
        constraints = [
            models.UniqueConstraint(fields=["mentee", "template"],
                                    condition=models.Q(status__in=["approved", "active"]),
                                    name="uniq_active_plan_per_programme"),
            models.CheckConstraint(condition=models.Q(ends_on__gt=models.F("starts_on")),
                                   name="mentoring_plan_ends_after_start"),
        ]

    def __str__(self) -> str:
        return f"{self.template} · {self.mentee}"


class PlanTopic(models.Model):
    plan = models.ForeignKey(MentoringPlan, on_delete=models.CASCADE, related_name="topics")
    title = models.CharField(_("title"), max_length=200)
    description = models.CharField(_("description"), max_length=500, blank=True)
    core = models.BooleanField(_("core"), default=False)
    order = models.PositiveSmallIntegerField(default=0)
    template_topic = models.ForeignKey(TemplateTopic, null=True, blank=True, on_delete=models.SET_NULL,
                                       related_name="+")

    class Meta:
        ordering = ["plan", "order", "id"]

    def __str__(self) -> str:
        return self.title


class PlanItem(models.Model):
    """One dated item of an approved plan's schedule. ``reminded_on`` and ``escalated_on`` record
    the daily job's run that sent the reminder and the overdue alert (each at most once)."""

    plan = models.ForeignKey(MentoringPlan, on_delete=models.CASCADE, related_name="items")
    kind = models.CharField(_("kind"), max_length=20, choices=ItemKind.choices)
    sequence = models.PositiveSmallIntegerField(default=1)
    due_on = models.DateField(_("due on"))
    reminded_on = models.DateField(null=True, blank=True)
    escalated_on = models.DateField(null=True, blank=True)
    completed_on = models.DateField(_("completed on"), null=True, blank=True)
    done_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                related_name="+")

    class Meta:
        ordering = ["due_on", "kind", "id"]
        indexes = [
            models.Index(fields=["completed_on", "due_on"], name="mtr_item_open_due"),
        ]
        constraints = [models.UniqueConstraint(fields=["plan", "kind", "sequence"], name="mtr_uniq_plan_item")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.due_on}"


class SessionRecord(models.Model):
    """A 1:1 as the mentor recorded it; completes the item it belongs to."""

    plan = models.ForeignKey(MentoringPlan, on_delete=models.CASCADE, related_name="sessions")
    item = models.OneToOneField(PlanItem, null=True, blank=True, on_delete=models.CASCADE, related_name="session")
    held_on = models.DateField(_("held on"))
    duration_minutes = models.PositiveSmallIntegerField(_("duration (minutes)"),
                                                        validators=[MinValueValidator(5), MaxValueValidator(600)])
    topics = models.ManyToManyField(PlanTopic, verbose_name=_("topics covered"), blank=True, related_name="sessions")
    notes = models.TextField(_("notes"), blank=True, max_length=5000)
    agreed_actions = models.TextField(_("agreed actions"), blank=True, max_length=2000)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-held_on", "-id"]


class SkillAssessment(models.Model):
    """A skill test score (0–100) of a person: within a plan (``skill_growth`` compares a plan's
    first and latest) or outside one (e.g. the mentor-skills course exam, ``skill`` = the course)."""

    employee = models.ForeignKey(Employee, on_delete=models.CASCADE, related_name="skill_assessments")
    plan = models.ForeignKey(MentoringPlan, null=True, blank=True, on_delete=models.CASCADE,
                             related_name="assessments")
    item = models.OneToOneField(PlanItem, null=True, blank=True, on_delete=models.CASCADE, related_name="assessment")
    skill = models.SlugField(_("skill"), max_length=60, blank=True)
    score = models.DecimalField(_("score"), max_digits=5, decimal_places=2,
                                validators=[MinValueValidator(Decimal(0)), MaxValueValidator(Decimal(100))])
    assessed_on = models.DateField(_("assessed on"))
    note = models.CharField(_("note"), max_length=500, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["assessed_on", "id"]
        indexes = [models.Index(fields=["employee", "skill"], name="skill_assessment_emp_skill")]
        constraints = [
            models.CheckConstraint(condition=models.Q(score__gte=0) & models.Q(score__lte=100),
                                   name="skill_assessment_score_range"),
        ]


class PlanReport(models.Model):
    """A results report (e.g. half-yearly) written by the mentor; completes its item."""

    plan = models.ForeignKey(MentoringPlan, on_delete=models.CASCADE, related_name="reports")
    item = models.OneToOneField(PlanItem, null=True, blank=True, on_delete=models.CASCADE, related_name="report")
    text = models.TextField(_("report"), max_length=10000)
    written_on = models.DateField(_("written on"))
    written_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-written_on", "-id"]
