"""Cohort matching runs: the solver's proposal of mentee–mentor pairs, which HR reviews (and may
change) while it is a draft and then publishes; publishing creates draft plans."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from talentloop.mentoring.models.effectiveness import EffectivenessConfig
from talentloop.mentoring.models.programmes import MentoringPlan, ProgrammeTemplate
from talentloop.mentoring.models.qualification import Mentor
from talentloop.organisation.models import Employee

__all__ = ["MatchProposal", "MatchRun", "MatchRunStatus", "UnplacedReason"]


class MatchRunStatus(models.TextChoices):
    DRAFT = "draft", _("Draft: HR reviews it")
    PUBLISHED = "published", _("Published")
    DISCARDED = "discarded", _("Discarded")


class UnplacedReason(models.TextChoices):
    NO_ELIGIBLE_MENTOR = "no_eligible_mentor", _("No mentor is allowed for this mentee or has a free place")
    NO_FREE_PLACE = "no_free_place", _("The allowed mentors' places went to other mentees")
    ALREADY_IN_PROGRAMME = "already_in_programme", _("Already has a plan in this programme")
    OUTSIDE_PROGRAMME = "outside_programme", _("The programme is for another job family")
    REMOVED_BY_HR = "removed_by_hr", _("Taken out of the run by HR")


class MatchRun(models.Model):
    """One matching of a cohort for a programme. The solver maximised the total pair score under the
    mentors' free places and the pairing rules; ``summary`` keeps its figures."""

    template = models.ForeignKey(ProgrammeTemplate, verbose_name=_("programme"), on_delete=models.PROTECT,
                                 related_name="match_runs")
    name = models.CharField(_("name"), max_length=120)
    starts_on = models.DateField(_("plans start on"))
    status = models.CharField(_("status"), max_length=10, choices=MatchRunStatus.choices,
                              default=MatchRunStatus.DRAFT)
    config = models.ForeignKey(EffectivenessConfig, null=True, blank=True, on_delete=models.PROTECT,
                               related_name="+")
    summary = models.JSONField(default=dict, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    published_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                     related_name="+")
    published_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("matching run")

    def __str__(self) -> str:
        return self.name

    @property
    def is_draft(self) -> bool:
        return self.status == MatchRunStatus.DRAFT


class MatchProposal(models.Model):
    """One mentee of a run: the proposed mentor with the pair's score and why, or the reason the
    mentee could not be placed. ``plan`` is the draft plan publishing created."""

    run = models.ForeignKey(MatchRun, on_delete=models.CASCADE, related_name="proposals")
    mentee = models.ForeignKey(Employee, on_delete=models.CASCADE, related_name="+")
    mentor = models.ForeignKey(Mentor, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    score = models.DecimalField(max_digits=5, decimal_places=1, null=True, blank=True)
    # {"inputs": {needs, effectiveness, capacity}, "covered": [...], "needs": [...], ...}
    explanation = models.JSONField(default=dict, blank=True)
    unplaced_reason = models.CharField(max_length=24, choices=UnplacedReason.choices, blank=True)
    changed_by_hr = models.BooleanField(default=False)
    plan = models.ForeignKey(MentoringPlan, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        ordering = ["run", "-score", "id"]
        constraints = [
            models.UniqueConstraint(fields=["run", "mentee"], name="mtr_uniq_match_mentee"),
            models.CheckConstraint(
                condition=(models.Q(mentor__isnull=False, unplaced_reason="")
                           | models.Q(mentor__isnull=True) & ~models.Q(unplaced_reason="")),
                name="mtr_match_mentor_or_reason"),
        ]

    def __str__(self) -> str:
        return f"{self.run} · {self.mentee_id} → {self.mentor_id or '—'}"
