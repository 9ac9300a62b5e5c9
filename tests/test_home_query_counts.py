"""Each role's home page runs a fixed number of SQL queries whatever the size of the company.

The persona world plus the home scenario (src/talentloop/home/tests/factories.py) is grown by N more
people (N = 10, then 5 × 10 = 50 more): each with two months of scores, every fifth one mentored by
another mentor (an overdue 1:1) and given feedback. Two counts per size, the same at both sizes and
equal to the figures worked out by hand below: *cold*, the first page after the cache was emptied
(the configuration kept in the shared cache by core.cache and the reader's own sections kept by
home.selectors.base.KeptForReader are built), and *warm*, the same page again: the configuration and
the reader's own sections are reused, every other section is built again within its own query budget.

Common to everyone with an employee record: 5 for the signed-in request (session, user, actor:
employee + roles + has-reports — see tests/test_query_counts.py), 1 for onboarding's new-hire check
(skipped when the hire date alone decides: newgrad), 1 for notifications (the latest unread with
their total as COUNT(*) OVER (); the bell in the top bar reuses that count), and, kept with the
reader's own sections, 1 for the greeting's employee record. The cache itself costs no SQL query
here (memory in tests, or Redis).
"""

from __future__ import annotations

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from talentloop.core import cache
from talentloop.home.tests.factories import build_home_world, grow_company
from talentloop.testing.commits import commit_callbacks

pytestmark = pytest.mark.django_db

BASE = 5 + 1 + 1  # request, new-hire check, notifications
GREETING = 1  # the greeting's employee record, kept with the reader's own sections
# Configuration, built when cold and then kept (core.cache):
CATALOGUE = 3  # learning: published items, their org units, their job families
LADDER = 3  # careers: the ladder, its levels, their required courses (none for HR's family: 1)
GOALS = 4  # performance: active scorecards, the version in force, its dimensions, their metric parts
LABELS = 1  # performance: metric names (read once: for the score's lines or the recommendations' reasons)
POLICY = 1  # mentoring: the current mentor policy
# Sections (live, or the reader's own: see BUDGET): recommendations 3 (finished or dismissed, behaviour events, plan
# topics; +1 for the latest score when the page has none), promotion path 1 (level history; +1 for
# last year's ratings when the next level asks for one), my mentor 1, feedback 1, onboarding 1 (2 with
# a checklist: checklist, steps), performance 1, alerts 1 (+ root-cause reviews: 2 for a head of unit
# — headed units, page with total — 1 for HR everywhere).

# Attendance (home/selectors/attendance.py): the day at the clock 2 (the punches, the leave; the plan
# takes the person's unit from the signed-in actor) and its configuration 4 (the shifts, the calendar's
# year, the policy's default shift, the schedules: core.cache, name "attendance"). A manager's team and
# HR's scope are judged in sections that load themselves after the page (placeholders here, no query).
CLOCK = 2
CLOCK_CONFIG = 4
DAY_EXCEPTIONS = 0
# A manager's sections over the whole reporting tree, kept a minute (home.selectors.TEAM_KEPT): team
# overdue 1 + team onboarding 1 + team at a glance 3 (aggregate per month, head count, lowest totals)
# + team growth 2 (plans, ratings).
TEAM = 1 + 1 + 3 + 2

# (live sections, own sections, configuration) per persona: cold = BASE + all three, warm = BASE + the
# live sections. Own sections (onboarding, the score, my mentor, feedback, recommendations, the promotion
# path, a mentor's due items and statistics) are kept for the reader until a write concerning them.
BUDGET = {
    # live: training of the week 1 + alerts 1; no new-hire check (the hire date decides); own:
    # onboarding 2 + performance 1 + my mentor 1 + feedback 1 + recommendations 3 + promotion 1 (level
    # 1 → 2 asks months only)
    "newgrad": (-1 + 1 + 1 + CLOCK, 2 + 1 + 1 + 1 + 3 + 1,
                CATALOGUE + LABELS + LADDER + GOALS + POLICY + CLOCK_CONFIG),
    # live: alerts 1; own: onboarding 1 + performance 1 + my mentor 1 + feedback 1 + recommendations 3
    # + promotion 2 (level 3 → 4 asks a rating)
    "employee": (1 + CLOCK, 1 + 1 + 1 + 1 + 3 + 2, CATALOGUE + LABELS + LADDER + POLICY + CLOCK_CONFIG),
    # live: alerts 1 + mentees 2 (the plans, their mentees' totals); own: onboarding 1 + performance 1
    # + due items 1 + statistics 2 (sessions, items) + my mentor 1 + feedback 1 + recommendations 4 (no
    # score on the page) + promotion 1 (top of the ladder); resources read the catalogue; no mentor
    # entry for a mentor
    "mentor": (1 + 2 + CLOCK, 1 + 1 + 1 + 2 + 1 + 1 + 4 + 1, CATALOGUE + LABELS + LADDER + CLOCK_CONFIG),
    # live: results to confirm 1 + alerts 3; own: onboarding 1 + performance 1 + my mentor 1 + feedback 1
    # + recommendations 4 (no score in six months) + promotion 1; the figures over the whole team are
    # kept a minute for the manager (TEAM), so they count with what a cold page builds
    "manager": (1 + 3 + CLOCK + DAY_EXCEPTIONS, 1 + 1 + 1 + 1 + 4 + 1,
                CATALOGUE + LABELS + LADDER + POLICY + CLOCK_CONFIG + TEAM),
    # live: results to confirm 1 + HR overview 3 (head count, applications, plans to approve) + alerts 2;
    # own: onboarding 1 + performance 1 + my mentor 1 + feedback 1 + recommendations 4 + promotion 0;
    # no ladder for HR's family 1
    "hr": (1 + 3 + 2 + CLOCK + DAY_EXCEPTIONS, 1 + 1 + 1 + 1 + 4, CATALOGUE + LABELS + 1 + POLICY + CLOCK_CONFIG),
}
EXPECTED = {persona: (BASE + live + GREETING + own + config, BASE + live)
            for persona, (live, own, config) in BUDGET.items()}


def _counts(user) -> tuple[int, int]:
    """(cold, warm): the first page after everything written so far was committed and the cache was
    emptied — the configuration is built — and the same page again, when it is reused (core.cache)."""
    commit_callbacks()
    cache.reset()
    client = Client()
    client.force_login(user)
    out = []
    for _ in range(2):
        with CaptureQueriesContext(connection) as queries:
            response = client.get("/")
        assert response.status_code == 200
        out.append(len(queries))

    return out[0], out[1]


@pytest.mark.parametrize("persona", sorted(EXPECTED))
def test_home_query_count_is_constant(world, persona):
    home = build_home_world(world)
    user = home.newgrad_user if persona == "newgrad" else getattr(world, persona)
    counts = []
    for extra in (10, 40):  # 10 more people, then 50 in all
        grow_company(world, home, extra)
        counts.append(_counts(user))
    assert counts == [EXPECTED[persona]] * 2
