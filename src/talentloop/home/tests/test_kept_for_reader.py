"""The reader's own sections are kept for them (home.selectors.base.KeptForReader) and rebuilt when a
write concerning them commits, when the language, the day or the reader's roles change, and at the
latest after PERSON_KEPT seconds; one reader's entry never reaches another."""

from __future__ import annotations

import datetime as dt
import re

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext

from talentloop.core import cache
from talentloop.home.selectors.base import PERSON_KEPT
from talentloop.home.tests.factories import build_home_world
from talentloop.performance import periods as P
from talentloop.testing.commits import commit_callbacks

pytestmark = pytest.mark.django_db

NOON = dt.datetime(2026, 3, 16, 12, 0, tzinfo=dt.UTC)


def _page(client, language="en") -> tuple[int, str]:
    with CaptureQueriesContext(connection) as queries:
        response = client.get("/", HTTP_ACCEPT_LANGUAGE=language)
    assert response.status_code == 200
    return len(queries), response.content.decode()


def test_kept_until_the_window_ends_then_rebuilt(world, client_for):
    with time_machine.travel(NOON, tick=False) as traveller:
        client = client_for("employee")
        commit_callbacks()
        cold, _html = _page(client)
        warm, _html = _page(client)
        assert warm < cold
        traveller.shift(dt.timedelta(seconds=PERSON_KEPT + 1))
        later, _html = _page(client)
        assert later > warm  # the reader's own sections were built again
        assert _page(client)[0] == warm


def test_each_language_and_each_reader_has_its_own_entry(world, client_for):
    from talentloop.performance.models import Feedback

    Feedback.objects.create(giver=world.emp(world.mentor), recipient=world.emp(world.employee), kind="praise",
                            text="For the employee only")
    commit_callbacks()
    employee, manager = client_for("employee"), client_for("manager")
    _n, en = _page(employee, "en")
    _n, zh = _page(employee, "zh-hans")
    assert "Feedback" in en and "Feedback" not in zh
    assert "For the employee only" in en and "For the employee only" in zh
    warm_en, again = _page(employee, "en")
    assert again.count("For the employee only") == en.count("For the employee only")
    _n, other = _page(manager, "en")
    assert "For the employee only" not in other


def test_a_renamed_colleague_shows_within_the_window(world, client_for):
    """Another person's name beside one's own data renews nothing: it shows once the window ends."""
    from talentloop.performance.models import Feedback

    with time_machine.travel(NOON, tick=False) as traveller:
        giver = world.emp(world.mentor)
        Feedback.objects.create(giver=giver, recipient=world.emp(world.employee), kind="praise", text="Well done")
        commit_callbacks()
        client = client_for("employee")
        _page(client)
        giver.name_en = "Renamed Giver"
        giver.save(update_fields=["name_en"])
        commit_callbacks()
        assert "Renamed Giver" not in _page(client)[1]
        traveller.shift(dt.timedelta(seconds=PERSON_KEPT + 1))
        assert "Renamed Giver" in _page(client)[1]


def test_a_recomputed_score_renews_the_person(world):
    """Scores are written by raw statements (no model signal): the writer renews the people itself."""
    from talentloop.performance.services.scores import recompute_period

    home = build_home_world(world)
    employee = world.emp(world.employee)
    commit_callbacks()
    before = cache.personal_stamp([employee.pk])
    other = cache.personal_stamp([home.newgrad.pk]) if hasattr(home, "newgrad") else None
    result = recompute_period(P.containing(NOON.date()), [employee.pk])
    assert result.scored + result.absent + len(result.failed) == 1
    commit_callbacks()
    assert cache.personal_stamp([employee.pk]) != before
    if other is not None:
        assert cache.personal_stamp([home.newgrad.pk]) == other


def test_a_new_role_shows_its_sections_at_once(world, client_for):
    from talentloop.accounts.models import RoleAssignment

    client = client_for("employee")
    commit_callbacks()
    _page(client)
    warm, _html = _page(client)
    RoleAssignment.objects.create(user=world.employee, role="mentor")
    commit_callbacks()
    assert _page(client)[0] > warm


def test_own_sections_without_a_form_are_kept_rendered(world, client_for, monkeypatch):
    """The second page renders none of the kept sections' markup again (their partials are not even
    looked up); a section with a form (its CSRF token belongs to the session) is rendered each time."""
    from talentloop.core.access import actor_for
    from talentloop.home import selectors
    from talentloop.home.selectors import RENDERED, SPEC_BY_KEY
    from talentloop.home.selectors.base import Section

    assert "performance" in RENDERED and "mentor_due" not in RENDERED and "recommendations" not in RENDERED
    assert all(SPEC_BY_KEY[k].own for k in RENDERED)
    with time_machine.travel(NOON, tick=False):
        client = client_for("employee")
        commit_callbacks()
        _n, first = _page(client)
        shown = set(selectors.home_page(actor_for(world.employee, "127.0.0.1")).keys) & RENDERED
        assert shown, "the employee's page shows sections kept rendered"
        monkeypatch.setattr(Section, "partial_name", property(lambda self: (
            "home/missing.html" if self.key in RENDERED else f"home/index.html#{self.key}")))
        _n, second = _page(client)
    assert _without_tokens(second) == _without_tokens(first)


def _without_tokens(html: str) -> str:
    """The page without what differs on every request (the masked CSRF token, the CSP nonce)."""
    return re.sub(r'(content|nonce|value)="[A-Za-z0-9+/=_-]{20,}"', "", html)


def test_the_key_fits_the_database_cache_whatever_the_roles(world):
    """The database cache's keys stop at 255 characters; every version of the configuration, many roles
    and large ids must still fit."""
    from talentloop.core.access import actor_for
    from talentloop.home import selectors
    from talentloop.home.selectors.base import Ctx, KeptForReader

    actor = actor_for(world.hr, "127.0.0.1")
    ctx = Ctx(actor=actor, today=dt.date(2026, 12, 31))
    commit_callbacks()
    kept = KeptForReader(ctx, frozenset({"employee", "newhire", "mentor", "manager", "hr"}))
    assert kept.key and len(kept.key) < 100
    page = selectors.home_page(actor)
    assert page.kept_key.startswith(f"home:reader:{actor.user_id}:") and len(page.kept_key) < 100
