"""Onboarding checklists: templates per org unit and job family, and each new hire's checklist.

A checklist copies its steps from the template when it is created, so editing a template later
never rewrites what a new hire was asked to do (or what was ticked)."""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from talentloop.core.bilingual import Bilingual, bilingual
from talentloop.organisation.models import Employee, JobFamily, OrgUnit

# A step may be due up to two months before the start date and at most a year after it.
MIN_DUE_DAY = -60
MAX_DUE_DAY = 365


class StepOwner(models.TextChoices):
    HR = "hr", _("HR")
    IT = "it", _("IT")
    MANAGER = "manager", _("Manager")
    MENTOR = "mentor", _("Mentor")
    NEW_HIRE = "new_hire", _("New hire")


class ChecklistTemplate(Bilingual, models.Model):
    """Which template a new hire gets follows the scorecards' precedence: the deepest org unit
    that contains the person's unit, then a job-family match, then the organisation-wide one."""

    name, name_en = bilingual(_("name"), _("English name"), max_length=120)
    org_unit = models.ForeignKey(OrgUnit, verbose_name=_("org unit"), null=True, blank=True,
                                 on_delete=models.PROTECT, related_name="+")
    job_family = models.ForeignKey(JobFamily, verbose_name=_("job family"), null=True, blank=True,
                                   on_delete=models.PROTECT, related_name="+")
    active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name", "id"]
        verbose_name = _("onboarding template")

    def __str__(self) -> str:
        return self.label


class TemplateStep(Bilingual, models.Model):
    label_field = "title"

    template = models.ForeignKey(ChecklistTemplate, on_delete=models.CASCADE, related_name="steps")
    title, title_en = bilingual(_("title"), _("English title"), max_length=200)
    description = models.CharField(_("description"), max_length=1000, blank=True)
    owner = models.CharField(_("owner"), max_length=10, choices=StepOwner.choices)
    due_day = models.SmallIntegerField(_("due day"), validators=[MinValueValidator(MIN_DUE_DAY),
                                                                  MaxValueValidator(MAX_DUE_DAY)],
                                       help_text=_("Days after the start date; negative: before day one."))
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["template", "order", "id"]

    def __str__(self) -> str:
        return self.title


class Checklist(models.Model):
    employee = models.ForeignKey(Employee, on_delete=models.CASCADE, related_name="onboarding_checklists")
    template = models.ForeignKey(ChecklistTemplate, null=True, blank=True, on_delete=models.SET_NULL,
                                 related_name="checklists")
    template_name = models.CharField(max_length=120, blank=True)
    start_date = models.DateField(_("start date"))
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    completed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-start_date", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["employee"], condition=models.Q(completed_at__isnull=True),
                                    name="onboarding_one_open_checklist"),
        ]

    def __str__(self) -> str:
        return f"{self.employee} · {self.start_date}"


class ChecklistStep(Bilingual, models.Model):
    """A copy of a template step with its date worked out. ``reminded_on`` and ``overdue_on`` record
    the daily job's run that sent the reminder and the overdue alert (each at most once); a step already
    past when its checklist was created gets both set then, so a late start sends no burst of alerts."""

    label_field = "title"

    checklist = models.ForeignKey(Checklist, on_delete=models.CASCADE, related_name="steps")
    title, title_en = bilingual(_("title"), _("English title"), max_length=200)
    description = models.CharField(_("description"), max_length=1000, blank=True)
    owner = models.CharField(_("owner"), max_length=10, choices=StepOwner.choices)
    due_day = models.SmallIntegerField(default=0)
    due_on = models.DateField(_("due on"))
    order = models.PositiveSmallIntegerField(default=0)
    done_at = models.DateTimeField(null=True, blank=True)
    done_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                related_name="+")
    note = models.CharField(_("note"), max_length=500, blank=True)
    reminded_on = models.DateField(null=True, blank=True)
    overdue_on = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["checklist", "due_on", "order", "id"]
        indexes = [models.Index(fields=["done_at", "due_on"], name="onboarding_step_open_due")]

    def __str__(self) -> str:
        return self.title
