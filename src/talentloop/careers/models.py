"""Career ladders: for each job family, its levels and what each level asks — a rating, time in
the level below, skill scores and completed courses — from which a person's promotion path is shown."""

from __future__ import annotations

from decimal import Decimal

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from talentloop.core.bilingual import Bilingual, bilingual
from talentloop.organisation.models import JobFamily

# The organisation's levels (Employee.level) and the performance rating scale.
MIN_LEVEL, MAX_LEVEL = 1, 20
MIN_RATING, MAX_RATING = Decimal(1), Decimal(5)


class CareerLadder(Bilingual, models.Model):
    job_family = models.OneToOneField(JobFamily, verbose_name=_("job family"), on_delete=models.PROTECT,
                                      related_name="career_ladder")
    name, name_en = bilingual(_("name"), _("English name"), max_length=120)
    description = models.TextField(_("description"), blank=True, max_length=2000)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name", "id"]
        verbose_name = _("career ladder")

    def __str__(self) -> str:
        return self.label


class LadderLevel(Bilingual, models.Model):
    """What reaching ``level`` asks. ``required_skills`` is a list of ``{"skill": slug, "min_score": 0..100}``
    checked against the person's latest skill assessment of each skill."""

    label_field = "title"

    ladder = models.ForeignKey(CareerLadder, on_delete=models.CASCADE, related_name="levels")
    level = models.PositiveSmallIntegerField(_("level"), validators=[MinValueValidator(MIN_LEVEL),
                                                                      MaxValueValidator(MAX_LEVEL)])
    title, title_en = bilingual(_("title"), _("English title"), max_length=120)
    description = models.TextField(_("description"), blank=True, max_length=2000)
    min_rating = models.DecimalField(_("minimum rating last year"), max_digits=3, decimal_places=1, null=True,
                                     blank=True, validators=[MinValueValidator(MIN_RATING),
                                                             MaxValueValidator(MAX_RATING)])
    min_months_in_level = models.PositiveSmallIntegerField(_("months in the level below"), null=True, blank=True,
                                                           validators=[MaxValueValidator(240)])
    required_skills = models.JSONField(_("required skills"), default=list, blank=True)
    required_courses = models.ManyToManyField("learning.ContentItem", verbose_name=_("required courses"),
                                              blank=True, related_name="+")

    class Meta:
        ordering = ["ladder", "level"]
        verbose_name = _("ladder level")
        constraints = [
            models.UniqueConstraint(fields=["ladder", "level"], name="careers_uniq_ladder_level"),
            models.CheckConstraint(condition=models.Q(min_rating__isnull=True)
                                   | (models.Q(min_rating__gte=1) & models.Q(min_rating__lte=5)),
                                   name="careers_min_rating_range"),
        ]

    def __str__(self) -> str:
        return f"L{self.level} {self.label}"

