"""Reads about recomputation: the people whose score could not be computed."""

from __future__ import annotations

from talentloop.core.access import Actor
from talentloop.performance import access
from talentloop.performance.models import ScoreError


def score_error_list(actor: Actor, limit: int = 100) -> list[ScoreError]:
    """The latest score failures the reader may see (person and period), newest first."""
    return list(access.visible_score_errors(actor).select_related("employee").order_by("-occurred_at", "id")[:limit])
