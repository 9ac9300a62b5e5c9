"""Each role's home page runs a fixed number of SQL queries whatever the size of the company.

The persona world plus the home scenario (src/talentloop/home/tests/factories.py) is grown by N more
people (N = 10, then 5 × 10 = 50 more): each with two months of scores, every fifth one mentored by
another mentor (an overdue 1:1) and given feedback. The count is the same at both sizes and equal to
the figure worked out by hand below.

Common to everyone with an employee record: 5 for the signed-in request (session, user, actor:
employee + roles + has-reports — see tests/test_query_counts.py), 1 for the unread count of the bell in
the top bar (notifications' context processor), 1 for onboarding's new-hire check
(skipped when the hire date alone decides: newgrad), 1 for the greeting's employee record,
1 for notifications (the latest unread with their total as COUNT(*) OVER ()), 1 for open alerts (the
same: page and total in one query).
"""

from __future__ import annotations

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from talentloop.home.tests.factories import build_home_world, grow_company

pytestmark = pytest.mark.django_db

BASE = 5 + 1 + 1 + 1 + 1  # request, the shell's unread bell, greeting, notifications section, alerts
# What other apps' selectors cost (read from their code; they are constant too):
# learning: candidates (plain columns), behaviour events, weak dimensions, plan topics, the chosen items
# (its new-hire check is answered by the one the home page made: onboarding.selectors.new_hire_known)
RECOMMEND = 5
RECOMMEND_NEW_HIRE = 5
CAREER = 4  # careers: the ladder, its levels, their required courses, level history
CAREER_RATING = 2  # the next level asks for a rating: scores and final ratings of last year
CAREER_NONE = 1  # no ladder for the person's job family

EXPECTED = {
    # + onboarding 2 (checklist, steps) + performance 2 (score rows, metric names) + my mentor 2 (plan
    #   with mentor, next item) + training 1 + goals 4 (scorecards, version, dimensions, metric parts)
    #   + feedback 1 + recommendations + promotion path (level 1 → 2 asks months only) + mentor policy 1
    "newgrad": BASE + 2 + 2 + 2 + 1 + 4 + 1 + RECOMMEND_NEW_HIRE + CAREER + 1,
    # + new-hire check 1 + onboarding 1 (no checklist) + performance 2 + my mentor 2 + feedback 1
    #   + recommendations + promotion path (level 3 → 4 asks a rating) + mentor policy 1
    "employee": BASE + 1 + 1 + 2 + 2 + 1 + RECOMMEND + CAREER + CAREER_RATING + 1,
    # + new-hire check 1 + due items 1 + onboarding 1 + performance 1 (no score: no metric names)
    #   + mentees 2 (plans, totals) + my mentor 1 (none) + feedback 1 + recommendations + promotion path
    #   (level 7: no level above on the ladder) + mentor statistics 2 (sessions, items)
    #   + resources 1 (items; the new-hire check is the page's)
    "mentor": BASE + 1 + 1 + 1 + 1 + 2 + 1 + 1 + RECOMMEND + CAREER + 2 + 1,
    # + new-hire check 1 + root-cause reviews 2 (headed units, page with total) + results to confirm 1
    #   + team overdue mentoring 1 (page with total) + team onboarding 1 + onboarding 1 + performance 1
    #   + team at a glance 3 (aggregate per month, head count, lowest totals) + my mentor 1 + feedback 1
    #   + recommendations + promotion path + team growth 3 (plans, scores' and final ratings) + policy 1
    "manager": BASE + 1 + 2 + 1 + 1 + 1 + 1 + 1 + 3 + 1 + 1 + RECOMMEND + CAREER + 3 + 1,
    # + new-hire check 1 + root-cause reviews 1 (HR everywhere: no unit lookup; page with total) + results to confirm 1
    #   + onboarding 1 + HR overview 3 (head count, applications, plans to approve) + performance 1
    #   + my mentor 1 + feedback 1 + recommendations + promotion path (no HR ladder) + policy 1
    "hr": BASE + 1 + 1 + 1 + 1 + 3 + 1 + 1 + 1 + RECOMMEND + CAREER_NONE + 1,
}


def _count(user) -> int:
    client = Client()
    client.force_login(user)
    with CaptureQueriesContext(connection) as queries:
        response = client.get("/")
    assert response.status_code == 200
    return len(queries)


@pytest.mark.parametrize("persona", sorted(EXPECTED))
def test_home_query_count_is_constant(world, persona):
    home = build_home_world(world)
    user = home.newgrad_user if persona == "newgrad" else getattr(world, persona)
    counts = []
    for extra in (10, 40):  # 10 more people, then 50 in all
        grow_company(world, home, extra)
        counts.append(_count(user))
    assert counts == [EXPECTED[persona]] * 2
