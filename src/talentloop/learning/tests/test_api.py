"""The learning API: the same services as the pages, the shared error shape, query counts."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from talentloop.learning.models import BehaviourEvent, ContentCompletion, Dismissal, TrainingSignup
from talentloop.learning.tests.factories import ContentItemFactory, TrainingSessionFactory, TrainingSignupFactory

pytestmark = pytest.mark.django_db


def _api(user) -> Client:
    c = Client(HTTP_ACCEPT_LANGUAGE="en")
    c.force_login(user)
    return c


def _error(response, status):
    assert response.status_code == status, response.content
    body = response.json()
    assert set(body) == {"detail", "errors"}
    return body


def test_content_list_filters_and_counts(world):
    ContentItemFactory(title_en="Python basics", tags=["python"])
    ContentItemFactory(title_en="SQL", tags=["sql"], kind="article")
    c = _api(world.employee)
    body = c.get("/api/v1/learning/content?tag=python").json()
    assert body["count"] == 1 and body["items"][0]["title_en"] == "Python basics"
    assert c.get("/api/v1/learning/content?kind=article").json()["count"] == 1
    assert c.get("/api/v1/learning/content?q=basics").json()["count"] == 1
    assert c.get("/api/v1/learning/content?limit=1&offset=1").json()["count"] == 2
    _error(c.get("/api/v1/learning/content?kind=video"), 422)
    _error(c.get("/api/v1/learning/content?limit=0"), 422)


def test_content_list_costs_the_same_at_two_sizes(world):
    c = _api(world.employee)

    def n():
        with CaptureQueriesContext(connection) as ctx:
            assert c.get("/api/v1/learning/content").status_code == 200
        return len(ctx.captured_queries)

    ContentItemFactory.create_batch(2)
    small = n()
    ContentItemFactory.create_batch(30)
    assert n() == small

    def sessions():
        with CaptureQueriesContext(connection) as ctx:
            assert c.get("/api/v1/learning/sessions").status_code == 200
        return len(ctx.captured_queries)

    TrainingSessionFactory.create_batch(2)
    small = sessions()
    TrainingSessionFactory.create_batch(20)
    assert sessions() == small


def test_get_records_open_and_post_events_only_for_oneself(world):
    item = ContentItemFactory(tags=["python"])
    c = _api(world.employee)
    assert c.get(f"/api/v1/learning/content/{item.pk}").json()["tags"] == ["python"]
    assert c.post("/api/v1/learning/events", {"verb": "open", "content_id": item.pk},
                  content_type="application/json").status_code == 201
    assert BehaviourEvent.objects.filter(employee=world.emp(world.employee), verb="open").count() == 2
    _error(c.post("/api/v1/learning/events", {"verb": "dismiss", "content_id": item.pk},
                  content_type="application/json"), 422)
    _error(c.post("/api/v1/learning/events", {"verb": "open", "content_id": 10**9},
                  content_type="application/json"), 404)
    # There is no field to name another person: an extra "employee_id" is ignored.
    c.post("/api/v1/learning/events", {"verb": "open", "content_id": item.pk,
                                       "employee_id": world.emp(world.outsider).pk}, content_type="application/json")
    assert not BehaviourEvent.objects.filter(employee=world.emp(world.outsider)).exists()


def test_create_and_patch_content(world):
    hr = _api(world.hr)
    body = {"kind": "course", "title": "Lean 101", "url": "https://x.example/lean", "tags": ["Lean Manufacturing"],
            "audience": "org_units", "org_unit_ids": [world.platform.pk], "publish": True}
    created = hr.post("/api/v1/learning/content", body, content_type="application/json")
    assert created.status_code == 201, created.content
    item = created.json()
    assert item["tags"] == ["lean-manufacturing"] and item["status"] == "published"
    errors = _error(hr.post("/api/v1/learning/content", {**body, "url": ""}, content_type="application/json"), 422)
    assert "url" in errors["errors"]
    errors = _error(hr.post("/api/v1/learning/content", {**body, "org_unit_ids": [10**9]},
                            content_type="application/json"), 422)
    assert "org_unit_ids" in errors["errors"]
    _error(_api(world.employee).post("/api/v1/learning/content", body, content_type="application/json"), 403)
    _error(_api(world.mentor).post("/api/v1/learning/content", body, content_type="application/json"), 403)
    patched = hr.patch(f"/api/v1/learning/content/{item['id']}", {"title_en": "Lean basics", "status": "archived"},
                       content_type="application/json")
    assert patched.status_code == 200 and patched.json()["status"] == "archived"
    assert patched.json()["title_en"] == "Lean basics"


def test_complete_dismiss_and_recommendations(world):
    item = ContentItemFactory(tags=["python"], published_at=timezone.now())
    other = ContentItemFactory(tags=["python"], published_at=timezone.now())
    c = _api(world.employee)
    recs = c.get("/api/v1/learning/recommendations?limit=5").json()
    assert {r["content"]["id"] for r in recs} == {item.pk, other.pk}
    assert all(r["reason"] for r in recs)
    assert c.post(f"/api/v1/learning/content/{item.pk}/complete").status_code == 200
    assert ContentCompletion.objects.filter(content=item).exists()
    assert c.post(f"/api/v1/learning/content/{other.pk}/dismiss").status_code == 200
    assert Dismissal.objects.filter(content=other).exists()
    assert c.get("/api/v1/learning/recommendations").json() == []
    _error(_api(world.admin).get("/api/v1/learning/recommendations"), 404)


def test_sessions_signup_capacity_and_attendance(world):
    course = ContentItemFactory()
    start = timezone.now() + dt.timedelta(days=3)
    hr = _api(world.hr)
    created = hr.post("/api/v1/learning/sessions", {"content_id": course.pk, "starts_at": start.isoformat(),
                                                    "ends_at": (start + dt.timedelta(hours=1)).isoformat(),
                                                    "location": "A-301", "capacity": 1},
                      content_type="application/json")
    assert created.status_code == 201, created.content
    session_id = created.json()["id"]
    _error(hr.post("/api/v1/learning/sessions", {"content_id": course.pk, "starts_at": start.isoformat(),
                                                 "ends_at": start.isoformat(), "location": "A"},
                   content_type="application/json"), 422)
    employee = _api(world.employee)
    assert employee.post(f"/api/v1/learning/sessions/{session_id}/signup").status_code == 201
    full = _error(_api(world.outsider).post(f"/api/v1/learning/sessions/{session_id}/signup"), 409)
    assert "full" in full["detail"]
    assert employee.delete(f"/api/v1/learning/sessions/{session_id}/signup").json()["status"] == "cancelled"
    _error(employee.delete(f"/api/v1/learning/sessions/{session_id}/signup"), 409)
    # Attendance once the session has run.
    past = TrainingSessionFactory(content=course, starts_at=timezone.now() - dt.timedelta(hours=2),
                                  ends_at=timezone.now() - dt.timedelta(hours=1))
    me = world.emp(world.employee)
    TrainingSignupFactory(session=past, employee=me)
    _error(employee.post(f"/api/v1/learning/sessions/{past.pk}/attendance", {"attended": [me.pk]},
                         content_type="application/json"), 403)
    done = hr.post(f"/api/v1/learning/sessions/{past.pk}/attendance", {"attended": [me.pk]},
                   content_type="application/json")
    assert done.json() == {"attended": 1, "no_show": 0, "completed": 1}
    assert TrainingSignup.objects.get(session=past).status == "attended"
