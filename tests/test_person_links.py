"""No page offers a link to a person's page (profile, score, results, mentoring plan, appeal) that the
reader may not open: every persona's main pages are crawled one step deep and each such link must open.

The mentor reads a mentee's score (outside their reporting line) and the manager's team includes
people the mentor does not manage, so the links differ by reader and by context."""

from __future__ import annotations

import datetime as dt
import html
import re
from decimal import Decimal

import pytest
import time_machine
from django.utils import timezone

from talentloop.mentoring.tests import programme_fixtures as pf
from talentloop.performance.models import Appeal, Score

pytestmark = pytest.mark.django_db

# Links with an id in the path: the pages about one person or one of their records.
LINK = re.compile(r'href="(/[^"#]*?/\d+/[^"#]*)"')
START = [
    "/",
    "/me/",
    "/performance/",
    "/performance/team/",
    "/performance/feedback/",
    "/performance/appeals/",
    "/performance/reviews/",
    "/performance/plans/",
    "/mentoring/me/",
    "/mentoring/mentees/",
    "/mentoring/plans/",
]
PERSONAS = ["employee", "lead", "manager", "mentor", "outsider", "hr", "admin"]


def _score(employee, key: str, start: dt.date, total: str) -> None:
    Score.objects.create(
        employee=employee,
        period_key=key,
        period_start=start,
        total=Decimal(total),
        rating=Decimal("3.0"),
        computed_at=timezone.now(),
    )


@pytest.fixture
def data(world):
    employee, outsider, mentor = world.emp(world.employee), world.emp(world.outsider), world.emp(world.mentor)
    for person, totals in (
        (employee, ("110", "95", "80")),
        (mentor, ("90", "100", "120")),
        (outsider, ("100", "100", "70")),
    ):
        for (key, start), total in zip(
            (("2026-09", dt.date(2026, 9, 1)), ("2026-10", dt.date(2026, 10, 1)), ("2026-11", dt.date(2026, 11, 1))),
            totals,
            strict=True,
        ):
            _score(person, key, start, total)
    # The mentor mentors someone in another department, whose profile they may not open.
    plan = pf.plan(pf.mentor(mentor), outsider, pf.template(), dt.date(2026, 10, 1))
    pf.item(plan, dt.date(2026, 11, 18))
    Appeal.objects.create(employee=employee, period_key="2026-10", reason="r")
    return {"plan": plan, "outsider": outsider, "employee": employee}


def _links(response) -> set[str]:
    return {html.unescape(m) for m in LINK.findall(response.content.decode())}


def _crawl(client, pages) -> dict[str, int]:
    seen: dict[str, int] = {}
    for page in pages:
        response = client.get(page)
        if response.status_code != 200:
            continue  # a page the persona may not open offers them nothing
        for link in _links(response) - seen.keys():
            seen[link] = client.get(link).status_code
    return seen


@time_machine.travel(dt.datetime(2026, 11, 15, 10, tzinfo=dt.UTC), tick=False)
@pytest.mark.parametrize("persona", PERSONAS)
def test_every_link_to_a_persons_page_opens_for_its_reader(world, client_for, data, persona):
    pages = list(START)
    if persona == "mentor":
        pages.append(f"/performance/scores/{data['outsider'].pk}/")  # the mentee's score, read only
    seen = _crawl(client_for(persona), pages)
    broken = {link: status for link, status in seen.items() if status not in (200, 302)}
    assert not broken, broken


@time_machine.travel(dt.datetime(2026, 11, 15, 10, tzinfo=dt.UTC), tick=False)
def test_the_crawl_sees_the_person_links_it_guards(world, client_for, data):
    """The guard above is not vacuous: the readers who may open these pages are offered the links."""
    employee, plan = data["employee"], data["plan"]
    assert f"/people/{employee.pk}/" in _crawl(client_for("lead"), ["/"])  # below target on the team glance
    assert f"/mentoring/plans/{plan.pk}/" in _crawl(client_for("mentor"), ["/", "/mentoring/mentees/"])
    assert f"/performance/scores/{employee.pk}/?period=2026-10" in _crawl(client_for("manager"), ["/performance/team/"])
    mentee_score = _crawl(client_for("mentor"), [f"/performance/scores/{data['outsider'].pk}/"])
    assert not any(link.startswith(f"/people/{data['outsider'].pk}/") for link in mentee_score)
