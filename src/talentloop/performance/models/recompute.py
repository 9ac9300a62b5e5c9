"""Keeping scores in step with the facts: what still needs recomputing, what failed, and big uploads
running in the background.

``RecomputeMark`` rows are written in the same transaction as the observations that make a score
stale, so a crash between the commit and the worker loses nothing: the worker (and a periodic
sweep) drains them. ``ScoreError`` records a person whose score could not be computed, so that one
bad fact stops only that person's score and HR sees it. ``ObservationImportJob`` is the progress
record of an observation file checked or imported by the worker.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from talentloop.organisation.models import Employee

__all__ = ["ImportJobState", "ObservationImportJob", "RecomputeMark", "ScoreError"]


class RecomputeMark(models.Model):
    """A (person, period) whose score is stale. One row per pair: marking twice is marking once.

    A worker claims marks (``claim``, ``claimed_at``), recomputes and deletes the ones it still
    holds; marking a claimed pair again clears the claim, so a fact that arrives during the
    recomputation is not lost. A claim older than a few minutes (a killed worker) is taken again.
    """

    # No database constraint and no index of its own: a batch of observations writes about 1,500 marks
    # in its transaction, and each row's foreign-key check (a lock on the person's row at commit) and
    # index entry were half the cost of writing them. The unique (person, period) index serves every
    # read by person; Django still deletes a person's marks with them (CASCADE in the ORM).
    employee = models.ForeignKey(Employee, on_delete=models.CASCADE, related_name="+", db_constraint=False,
                                 db_index=False)
    period_key = models.CharField(max_length=8)
    notify = models.BooleanField(default=False)  # tell the person when the month's total changes
    marked_at = models.DateTimeField()
    claim = models.CharField(max_length=32, null=True, blank=True)
    claimed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["employee", "period_key"], name="uniq_recompute_mark")]
        indexes = [models.Index(fields=["claim", "marked_at"], name="recompute_mark_claim")]


class ScoreError(models.Model):
    """The last failure to compute one person's score of one period (removed when it succeeds)."""

    employee = models.ForeignKey(Employee, on_delete=models.CASCADE, related_name="+")
    period_key = models.CharField(max_length=8)
    message = models.CharField(max_length=500)
    occurred_at = models.DateTimeField()
    attempts = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["-occurred_at", "id"]
        constraints = [models.UniqueConstraint(fields=["employee", "period_key"], name="uniq_score_error")]


class ImportJobState(models.TextChoices):
    QUEUED = "queued", _("Queued")
    RUNNING = "running", _("Running")
    DONE = "done", _("Done")
    FAILED = "failed", _("Failed")


class ObservationImportJob(models.Model):
    """A big observation file checked (``dry_run``) or imported by the worker, with its progress."""

    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    token = models.CharField(max_length=32)  # the stored upload
    file_name = models.CharField(max_length=200)
    mode = models.CharField(max_length=20)
    dry_run = models.BooleanField(default=True)
    state = models.CharField(max_length=10, choices=ImportJobState.choices, default=ImportJobState.QUEUED)
    total = models.PositiveIntegerField(default=0)
    done = models.PositiveIntegerField(default=0)
    result = models.JSONField(default=dict, blank=True)
    error = models.CharField(max_length=500, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    @property
    def percent(self) -> int:
        if self.state == ImportJobState.DONE:
            return 100
        return min(99, 100 * self.done // self.total) if self.total else 0
