"""Derived views of final ratings and review ratings: the same rule through every door.

A final rating is the person's, their management chain's and HR's (``/final-ratings`` refuses the
others); the mentor and the technical admin may open the score page and the promotion path of the
person, but those pages must not show it. Each row checks the datum itself, not just the status:
``shown`` says per persona whether it must be in the answer (None: the page is refused anyway).

The data: the employee has final ratings for 2025-Q4 (3.0, from tests/matrix/performance_reviews.py)
and for last year (3.5, below), and the career ladder of tests/matrix/careers.py asks 4.0 for the
next level, so the rating requirement reads "not met" to whom may see it and "unknown" otherwise.

Columns: anonymous, employee, manager, mentor, hr, admin, outsider.
"""

from __future__ import annotations

from talentloop.testing.matrix import Row

FINAL_ON_PAGE = 'data-testid="final-rating"'
RATING_NOT_MET = 'data-key="rating" data-met="no"'


def _final_in_json(response) -> bool:
    return response.status_code == 200 and response.json().get("final_rating") is not None


def _rating_met_in_json(response) -> bool:
    if response.status_code != 200:
        return False
    return any(r["key"] == "rating" and r["met"] is not None for r in response.json().get("requirements", []))


#                                  anon  empl  mgr   mentor admin … outsider
SHOWN = (None, True, True, False, True, False, None)

# The per-mentee breakdown of a mentor's effectiveness (each mentee's ratings before and after) is
# HR's: the mentor, their manager and the technical admin read the aggregates only.
GROWTH_SHOWN = (None, None, False, False, None, False, None)


def _per_mentee_in_json(response) -> bool:
    return response.status_code == 200 and bool(response.json().get("per_mentee"))


#                                                                          anon  empl  mgr  mentor  hr  admin  outs
WEB = [
    Row(
        "mentoring/effectiveness/mentors/<int:pk>/",
        "GET",
        "/mentoring/effectiveness/mentors/{mt_mentor}/",
        (302, 404, 200, 200, 200, 200, 404),
        label="per-mentee ratings",
        extra={"shows": 'data-testid="mentee-growth"', "shown": GROWTH_SHOWN, "datum": "the per-mentee ratings"},
    ),
    Row(
        "performance/scores/<int:pk>/",
        "GET",
        "/performance/scores/{employee}/?period=2025-Q4",
        (302, 200, 200, 200, 200, 200, 404),
        label="final rating on the score page",
        extra={"shows": FINAL_ON_PAGE, "shown": SHOWN, "datum": "the final rating"},
    ),
    Row(
        "careers/people/<int:pk>/",
        "GET",
        "/careers/people/{employee}/",
        (302, 200, 200, 200, 200, 200, 404),
        label="rating requirement on the path",
        extra={"shows": RATING_NOT_MET, "shown": SHOWN, "datum": "last year's rating"},
    ),
]

API = [
    Row(
        "/api/v1/mentoring/mentors/{mentor_id}/effectiveness",
        "GET",
        "/api/v1/mentoring/mentors/{mt_mentor}/effectiveness",
        (401, 404, 200, 200, 200, 200, 404),
        label="per-mentee ratings",
        extra={"shows": _per_mentee_in_json, "shown": GROWTH_SHOWN, "datum": "the per-mentee ratings"},
    ),
    Row(
        "/api/v1/employees/{employee_id}/scores",
        "GET",
        "/api/v1/employees/{employee}/scores?period=2025-Q4",
        (401, 200, 200, 200, 200, 200, 404),
        label="final rating in the score",
        extra={"shows": _final_in_json, "shown": SHOWN, "datum": "the final rating"},
    ),
    Row(
        "/api/v1/careers/path/{employee_id}",
        "GET",
        "/api/v1/careers/path/{employee}",
        (401, 200, 200, 200, 200, 200, 404),
        label="rating requirement on the path",
        extra={"shows": _rating_met_in_json, "shown": SHOWN, "datum": "last year's rating"},
    ),
]


def keys(world) -> dict:
    """A final rating of the employee for last year (in the organisation's time zone), the year the
    promotion path reads."""
    from decimal import Decimal

    from django.utils import timezone

    from talentloop.performance.models import FinalRating

    year = str(timezone.localdate().year - 1)
    FinalRating.objects.update_or_create(
        employee=world.emp(world.employee), period_key=year, defaults={"rating": Decimal("3.5"), "decided_by": world.hr}
    )
    return {}
