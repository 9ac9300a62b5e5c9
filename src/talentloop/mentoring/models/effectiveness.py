"""Effectiveness: HR's versioned measurement settings, and the mentees' confidential surveys.

Everything else of effectiveness (growth, contribution, the composite score, programme results) is
a computation rebuilt from facts on demand (``mentoring.selectors_effectiveness``); only the
settings (a decision by HR, versioned) and the survey answers (facts) are stored.
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from talentloop.core.crypto.fields import EncryptedRowMixin, EncryptedTextField
from talentloop.mentoring.models.programmes import MentoringPlan

__all__ = ["EffectivenessConfig", "MenteeSurvey", "SurveyAnswer", "SurveyOccasion"]

_PCT = {"max_digits": 5, "decimal_places": 2,
        "validators": [MinValueValidator(Decimal(0)), MaxValueValidator(Decimal(100))]}


class EffectivenessConfig(models.Model):
    """One version of how mentors are measured and matched. HR saves a new version for every change
    (audited); the current one is the highest version. With no row at all the defaults apply.

    The composite weights add up to 100, and so do the three matching weights."""

    version = models.PositiveIntegerField(_("version"), unique=True)
    # The mentor composite score (0–100).
    w_growth_rating = models.DecimalField(_("mentee rating growth"), default=Decimal(25), **_PCT)
    w_growth_skill = models.DecimalField(_("mentee skill growth"), default=Decimal(15), **_PCT)
    w_mentees = models.DecimalField(_("mentees mentored"), default=Decimal(10), **_PCT)
    w_hours = models.DecimalField(_("hours of 1:1s"), default=Decimal(10), **_PCT)
    w_promoted = models.DecimalField(_("mentees promoted"), default=Decimal(10), **_PCT)
    w_top_decile = models.DecimalField(_("mentees in their department's top 10%"), default=Decimal(10), **_PCT)
    w_survey_on_time = models.DecimalField(_("survey: sessions on time"), default=Decimal(7), **_PCT)
    w_survey_fit = models.DecimalField(_("survey: content fits needs"), default=Decimal(7), **_PCT)
    w_survey_solved = models.DecimalField(_("survey: problems solved"), default=Decimal(6), **_PCT)
    min_mentees = models.PositiveSmallIntegerField(
        _("mentees needed before a mentor is ranked"), default=3,
        validators=[MinValueValidator(1), MaxValueValidator(50)])
    # The confidentiality floor of every survey figure: distinct mentees, not answers (one mentee
    # answers several surveys of a plan). Kept under its first name for the API's sake.
    min_answers = models.PositiveSmallIntegerField(
        _("mentees who answered before a survey figure is shown"), default=3,
        validators=[MinValueValidator(3), MaxValueValidator(50)],
        help_text=_("Distinct mentees, never fewer than 3, so that no one's answers can be inferred."))
    growth_months = models.PositiveSmallIntegerField(
        _("rating growth measured at least this many months after the start"), default=6,
        validators=[MinValueValidator(1), MaxValueValidator(36)])
    promotion_months = models.PositiveSmallIntegerField(
        _("a promotion counts within this many months of the plan's start"), default=12,
        validators=[MinValueValidator(1), MaxValueValidator(60)])
    top_share_pct = models.DecimalField(_("top share of a department (%)"), default=Decimal(10), **_PCT)
    # Surveys
    survey_every_months = models.PositiveSmallIntegerField(
        _("a survey during a plan every this many months"), default=3,
        validators=[MinValueValidator(1), MaxValueValidator(24)])
    survey_open_days = models.PositiveSmallIntegerField(
        _("days a survey stays open"), default=21, validators=[MinValueValidator(1), MaxValueValidator(120)])
    survey_comments_named = models.BooleanField(
        _("HR reads survey comments with the mentee's name"), default=False,
        help_text=_("Off: comments are unattributed. Mentors never read comments."))
    # Matching
    w_match_needs = models.DecimalField(_("matching: needs covered"), default=Decimal(50), **_PCT)
    w_match_effectiveness = models.DecimalField(_("matching: mentor effectiveness"), default=Decimal(30), **_PCT)
    w_match_capacity = models.DecimalField(_("matching: spare capacity"), default=Decimal(20), **_PCT)
    match_other_department = models.BooleanField(
        _("a mentor must come from another department"), default=False)
    low_dimension_below = models.DecimalField(
        _("a performance dimension scoring below this is a development need"), max_digits=6, decimal_places=2,
        default=Decimal(80), validators=[MinValueValidator(Decimal(0)), MaxValueValidator(Decimal(120))])
    low_skill_below = models.DecimalField(_("a skill score below this is a development need"),
                                          default=Decimal(60), **_PCT)
    strong_dimension_from = models.DecimalField(
        _("a mentor's performance dimension scoring from this is a strength"), max_digits=6, decimal_places=2,
        default=Decimal(100), validators=[MinValueValidator(Decimal(0)), MaxValueValidator(Decimal(120))])
    strong_skill_from = models.DecimalField(_("a mentor's skill score from this is a strength"),
                                            default=Decimal(80), **_PCT)
    note = models.CharField(_("note"), max_length=300, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    COMPOSITE_FIELDS = {
        "growth_rating": "w_growth_rating", "growth_skill": "w_growth_skill", "mentees": "w_mentees",
        "hours": "w_hours", "promoted": "w_promoted", "top_decile": "w_top_decile",
        "survey_on_time": "w_survey_on_time", "survey_fit": "w_survey_fit", "survey_solved": "w_survey_solved",
    }
    MATCH_FIELDS = {"needs": "w_match_needs", "effectiveness": "w_match_effectiveness",
                    "capacity": "w_match_capacity"}

    class Meta:
        ordering = ["-version"]
        verbose_name = _("effectiveness settings")
        verbose_name_plural = _("effectiveness settings")
        constraints = [models.CheckConstraint(condition=models.Q(min_answers__gte=3),
                                              name="mtr_effectiveness_min_answers")]

    def __str__(self) -> str:
        return f"v{self.version}"

    @property
    def composite_weights(self) -> dict[str, Decimal]:
        return {key: getattr(self, name) for key, name in self.COMPOSITE_FIELDS.items()}

    @property
    def match_weights(self) -> dict[str, Decimal]:
        return {key: getattr(self, name) for key, name in self.MATCH_FIELDS.items()}


class SurveyOccasion(models.TextChoices):
    DURING = "during", _("During the plan")
    END = "end", _("End of the plan")


class MenteeSurvey(models.Model):
    """A survey sent to a plan's mentee by the daily job. The unique (plan, occasion, sequence) is
    what makes a second run for the same date send nothing twice."""

    plan = models.ForeignKey(MentoringPlan, on_delete=models.CASCADE, related_name="surveys")
    occasion = models.CharField(_("occasion"), max_length=10, choices=SurveyOccasion.choices)
    sequence = models.PositiveSmallIntegerField(default=1)
    scheduled_on = models.DateField(_("scheduled on"))
    sent_on = models.DateField(_("sent on"))
    closes_on = models.DateField(_("open until"))
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-sent_on", "-id"]
        indexes = [models.Index(fields=["plan", "closes_on"], name="mtr_survey_plan_closes")]
        constraints = [
            models.UniqueConstraint(fields=["plan", "occasion", "sequence"], name="mtr_uniq_survey_occasion"),
            models.CheckConstraint(condition=models.Q(closes_on__gte=models.F("sent_on")),
                                   name="mtr_survey_closes_after_sent"),
        ]

    def __str__(self) -> str:
        return f"{self.get_occasion_display()} #{self.sequence} · {self.plan_id}"


class SurveyAnswer(EncryptedRowMixin, models.Model):
    """The mentee's answer: a fact, never edited, and confidential — no page or endpoint shows a
    single answer to anyone but the mentee who gave it; mentors and HR see aggregates only, and
    only over answers of at least ``min_answers`` distinct mentees (``core.smallgroups``). The
    comment is encrypted at rest and read by HR only."""

    survey = models.OneToOneField(MenteeSurvey, on_delete=models.CASCADE, related_name="answer")
    on_time = models.BooleanField(_("our sessions were held on time"))
    content_fits = models.BooleanField(_("the content fits my needs"))
    problems_solved = models.BooleanField(_("my problems got solved"))
    comment = EncryptedTextField(_("comment"), blank=True, max_length=2000)
    answered_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["answered_at", "id"]
