"""The learning pages: library, item (records an open), forms with errors, htmx dismiss and sign-up,
my learning, sessions and attendance; query counts of the list pages at two sizes."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from talentloop.learning.models import BehaviourEvent, ContentItem, Dismissal, TrainingSignup
from talentloop.learning.tests.factories import ContentItemFactory, TrainingSessionFactory, TrainingSignupFactory

pytestmark = pytest.mark.django_db
HX = {"HTTP_HX_REQUEST": "true"}


def _client(user) -> Client:
    c = Client(HTTP_ACCEPT_LANGUAGE="en")
    c.force_login(user)
    return c


def test_library_lists_searches_and_filters_by_tag_and_kind(world):
    ContentItemFactory(title="Python 入门", title_en="Python basics", tags=["python"])
    ContentItemFactory(title="SQL 优化", title_en="SQL tuning", tags=["sql"], kind="article")
    ContentItemFactory(title="辅导技巧", title_en="Mentoring 1:1s", kind="resource", tags=["mentoring-skills"])
    c = _client(world.employee)
    page = c.get("/learning/").content.decode()
    assert "Python basics" in page and "SQL tuning" in page and "Mentoring 1:1s" not in page
    assert 'data-testid="tab-resource"' not in page
    assert "Python basics" not in c.get("/learning/?tag=sql").content.decode()
    assert "SQL tuning" not in c.get("/learning/?kind=course").content.decode()
    found = c.get("/learning/?q=tuning").content.decode()
    assert "SQL tuning" in found and "Python basics" not in found
    # A mentor has the mentor resources tab.
    mentor_page = _client(world.mentor).get("/learning/?kind=resource").content.decode()
    assert "Mentoring 1:1s" in mentor_page and "Python basics" not in mentor_page
    # htmx gets the results partial only.
    partial = c.get("/learning/?q=python", **HX).content.decode()
    assert "Python basics" in partial and "<html" not in partial


def _count(client, url) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


def test_list_pages_cost_the_same_at_two_sizes(world):
    c = _client(world.employee)
    me = world.emp(world.employee)

    def grow(n):
        for i in range(n):
            item = ContentItemFactory(tags=["python", f"t{i}"])
            session = TrainingSessionFactory(content=item)
            TrainingSignupFactory(session=session, employee=me)
            BehaviourEvent.objects.create(employee=me, verb="open", content=item, tags=item.tags,
                                          occurred_at=timezone.now())

    grow(2)
    sizes = {url: _count(c, url) for url in ("/learning/", "/learning/sessions/", "/learning/my/",
                                             "/learning/recommended/")}
    grow(25)
    assert {url: _count(c, url) for url in sizes} == sizes


def test_opening_an_item_records_an_open_event(world):
    item = ContentItemFactory(tags=["python"], body="正文")
    response = _client(world.employee).get(f"/learning/content/{item.pk}/")
    assert response.status_code == 200
    assert BehaviourEvent.objects.filter(employee=world.emp(world.employee), verb="open", content=item).exists()
    # Nobody else's browsing is recorded by reading (HR reading records HR's own open).
    _client(world.hr).get(f"/learning/content/{item.pk}/")
    assert BehaviourEvent.objects.filter(verb="open").count() == 2


def test_content_outside_the_audience_is_a_404(world):
    item = ContentItemFactory(audience="org_units")
    item.org_units.set([world.sales])
    assert _client(world.employee).get(f"/learning/content/{item.pk}/").status_code == 404
    assert _client(world.outsider).get(f"/learning/content/{item.pk}/").status_code == 200


def test_the_form_shows_errors_and_saves(world):
    c = _client(world.hr)
    bad = c.post("/learning/content/new/", {"kind": "course", "title": "", "audience": "everyone"})
    assert bad.status_code == 200
    assert b"errorlist" in bad.content
    htmx = c.post("/learning/content/new/", {"kind": "course", "title": "T", "audience": "everyone"}, **HX)
    assert htmx.status_code == 422
    assert b"Give a link or a text" in htmx.content
    ok = c.post("/learning/content/new/", {"kind": "course", "title": "Python", "url": "https://x.example/p",
                                           "tags": "Python, SQL", "audience": "everyone", "publish": "on"})
    item = ContentItem.objects.get(title="Python")
    assert ok.status_code == 302 and ok["Location"] == f"/learning/content/{item.pk}/"
    assert item.tags == ["python", "sql"] and item.status == "published"
    # Unpublishing an item archives it.
    c.post(f"/learning/content/{item.pk}/edit/", {"kind": "course", "title": "Python", "url": "https://x.example/p",
                                                  "audience": "everyone"})
    item.refresh_from_db()
    assert item.status == "archived"


def test_dismiss_with_htmx_removes_the_card(world):
    item = ContentItemFactory(tags=["python"], published_at=timezone.now())
    c = _client(world.employee)
    assert f'id="rec-{item.pk}"' in c.get("/learning/my/").content.decode()
    response = c.post(f"/learning/content/{item.pk}/dismiss/", **HX)
    assert response.status_code == 200 and response.content == b""
    assert Dismissal.objects.filter(content=item).exists()
    assert f'id="rec-{item.pk}"' not in c.get("/learning/my/").content.decode()


def test_signup_and_cancel_with_htmx(world):
    session = TrainingSessionFactory(capacity=5)
    c = _client(world.employee)
    page = c.get(f"/learning/content/{session.content_id}/").content.decode()
    assert 'data-testid="signup"' in page
    response = c.post(f"/learning/sessions/{session.pk}/signup/", **HX)
    assert response.status_code == 200
    assert 'data-testid="signed-up"' in response.content.decode()
    assert "1 of 5 places taken" in response.content.decode()
    assert TrainingSignup.objects.get(session=session).status == "signed_up"
    response = c.post(f"/learning/sessions/{session.pk}/cancel-signup/", **HX)
    assert 'data-testid="signup"' in response.content.decode()
    # A second cancel is refused with the reason in the box.
    response = c.post(f"/learning/sessions/{session.pk}/cancel-signup/", **HX)
    assert response.status_code == 409 and b"not signed up" in response.content


def test_hr_marks_attendance_on_the_session_page(world):
    session = TrainingSessionFactory(starts_at=timezone.now() - dt.timedelta(hours=2),
                                     ends_at=timezone.now() - dt.timedelta(hours=1))
    me = world.emp(world.employee)
    TrainingSignupFactory(session=session, employee=me)
    TrainingSignupFactory(session=session, employee=world.emp(world.outsider))
    c = _client(world.hr)
    assert b"attendance-form" in c.get(f"/learning/sessions/{session.pk}/").content
    assert b"attendance-form" not in _client(world.employee).get(f"/learning/sessions/{session.pk}/").content
    response = c.post(f"/learning/sessions/{session.pk}/attendance/", {"attended": [str(me.pk)]})
    assert response.status_code == 302
    assert TrainingSignup.objects.get(employee=me).status == "attended"
    assert TrainingSignup.objects.get(employee=world.emp(world.outsider)).status == "no_show"
    # Completed now shows on My learning.
    assert b'data-testid="completion"' in _client(world.employee).get("/learning/my/").content
    bad = c.post(f"/learning/sessions/{session.pk}/attendance/", {"attended": ["999999"]})
    assert bad.status_code == 200 and b"errorlist" in bad.content
