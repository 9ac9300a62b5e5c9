"""The demo areas loaded after the organisation, performance history and mentoring, in order, and
the single place that wipes everything before a fresh load (``demo --reset``, ``seed --reset``).

Each area module provides ``<area>_loaded()``, ``load_<area>(*, seed, reference_date)`` (idempotent),
``summary(result)`` and ``wipe_<area>()``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from types import ModuleType

from talentloop.benefits import demo as benefits_demo
from talentloop.careers import demo as careers_demo
from talentloop.core import cache
from talentloop.demo import story as story_demo
from talentloop.demo import time_story as time_demo
from talentloop.integrations import demo as integrations_demo
from talentloop.learning import demo as learning_demo
from talentloop.mentoring import demo as mentoring_demo
from talentloop.notifications.demo import wipe_notifications
from talentloop.onboarding import demo as onboarding_demo
from talentloop.organisation import demo as org_demo
from talentloop.payroll import demo as payroll_demo
from talentloop.performance import demo as performance_demo
from talentloop.performance.demo import results as results_demo

# (area, module): learning first, because career ladders ask for its courses.
AREAS: list[tuple[str, ModuleType]] = [
    ("learning", learning_demo),
    ("careers", careers_demo),
    ("onboarding", onboarding_demo),
    ("results", results_demo),
    ("time", time_demo),
    ("payroll", payroll_demo),  # pay groups, components, salaries, declarations (no runs yet)
    ("benefits", benefits_demo),  # plans, an open enrolment window, enrolments (the demo employee's too)
    ("integrations", integrations_demo),  # HR's outbound webhook with a month of deliveries
    ("story", story_demo),  # last: alerts, feedback, survey answers and push keys over all of it
]


def load_areas(*, seed: int, reference_date: dt.date | None, write: Callable[[str], None]) -> None:
    for area, module in AREAS:
        if getattr(module, f"{area}_loaded")():
            continue
        result = getattr(module, f"load_{area}")(seed=seed, reference_date=reference_date)
        write(module.summary(result))
    data_replaced()


def data_replaced() -> None:
    """Demo data is written in bulk, past the model signals: everything kept in the shared cache is
    built again."""
    cache.bump_all()


def wipe_all() -> int:
    """Delete every demo area, mentoring, performance and the organisation; returns people removed."""
    for area, module in reversed(AREAS):
        getattr(module, f"wipe_{area}")()
    wipe_notifications()
    mentoring_demo.wipe_mentoring()
    performance_demo.wipe_performance()
    removed = org_demo.wipe_company()
    data_replaced()
    return removed
