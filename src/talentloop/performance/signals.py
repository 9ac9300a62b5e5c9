"""What performance tells the apps above it, and what it asks of them: they connect and register from
their ``apps.py``, so performance never imports them.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from decimal import Decimal
from typing import Any

from django.db.models import QuerySet
from django.dispatch import Signal

from talentloop.core.access import Actor

# A confirmed customer score below the complaint threshold, sent inside the confirming transaction
# with ``employee_id``, ``tags`` (complaint-handling and the metric's key) and ``source``; a receiver
# that fails rolls the confirmation back. Learning offers complaint handling from it.
work_result_complaint = Signal()

# A final rating was decided or changed (sent after the transaction commits) with ``employee_id``,
# ``period_key``, ``rating`` (a Decimal) and ``final_rating_id``. A personal result: integrations sends
# it only to trusted endpoints.
final_rating_decided = Signal()

# A review cycle was closed (sent after the transaction commits) with ``cycle_id``.
review_cycle_closed = Signal()


# Who else may read a person's scores (and nothing else of performance): each reader returns the ids of
# the people (a values("…_id") queryset) or None when it grants the actor nothing. Mentoring registers
# the mentees of an active plan.
ScoreReader = Callable[[Actor], "QuerySet[Any] | None"]
_score_readers: dict[str, ScoreReader] = {}


def register_score_reader(name: str, reader: ScoreReader) -> None:
    _score_readers[name] = reader


def score_readers() -> list[ScoreReader]:
    return list(_score_readers.values())


# Where a confirmed skill test becomes a skill assessment (mentoring's growth and matching read it);
# it returns the stored row, which the work result keeps. Without one, the result stays unlinked.
SkillTestRecorder = Callable[..., Any]
_skill_test_recorder: SkillTestRecorder | None = None


def register_skill_test_recorder(recorder: SkillTestRecorder) -> None:
    global _skill_test_recorder
    _skill_test_recorder = recorder


def record_skill_test(*, recorded_by: Any, employee: Any, skill: str, score: Decimal | int | None, assessed_on: dt.date,
                      note: str) -> Any | None:
    if _skill_test_recorder is None:
        return None
    return _skill_test_recorder(recorded_by=recorded_by, employee=employee, skill=skill, score=score,
                                assessed_on=assessed_on, note=note)
