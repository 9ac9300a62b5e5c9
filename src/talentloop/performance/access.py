"""Who may see and change performance data."""

from __future__ import annotations

from django.db.models import QuerySet

from talentloop.core.access import Actor
from talentloop.organisation.access import visible_employees
from talentloop.organisation.models import Employee
from talentloop.performance.models import Metric, Score, Scorecard


def can_ingest_observations(actor: Actor) -> bool:
    """Integrations send observations with the token of an HR or administrator account."""
    return actor.is_authenticated and (actor.is_hr or actor.is_admin)


def can_manage_config(actor: Actor) -> bool:
    """Metrics, scorecards and periods are organisation-wide configuration owned by HR."""
    return actor.is_authenticated and actor.is_hr


def can_close_period(actor: Actor) -> bool:
    return actor.is_authenticated and actor.is_hr and actor.hr_everywhere


def visible_metrics(actor: Actor) -> QuerySet[Metric]:
    return Metric.objects.all() if actor.is_authenticated else Metric.objects.none()


def visible_scorecards(actor: Actor) -> QuerySet[Scorecard]:
    return Scorecard.objects.all() if actor.is_authenticated else Scorecard.objects.none()


def score_subjects(actor: Actor) -> QuerySet[Employee]:
    """Whose scores the actor may open: themselves, their reporting tree and their HR scope."""
    return visible_employees(actor)


def visible_scores(actor: Actor) -> QuerySet[Score]:
    return Score.objects.filter(employee__in=score_subjects(actor))


def can_recompute(actor: Actor) -> bool:
    return actor.is_authenticated and actor.is_hr
