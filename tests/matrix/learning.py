"""Learning: the content library, recommendations, training sessions.

Statuses in the order anonymous, employee, manager, mentor, hr, admin, outsider — by hand:

- Published content is seen by its audience: ``lrn_course`` is for everyone, ``lrn_rnd`` for R&D
  and its sub-units (employee, manager and mentor are in R&D; outsider is in sales). HR and the
  admin read everything. The mentor resource library is for mentors and HR (and the admin).
- ``lrn_draft`` is the mentor's own draft: the mentor and HR see and edit it; the admin reads it.
- HR writes any kind; mentors write resources and articles; nobody else writes.
- Completing, dismissing, signing up and recording behaviour are done by a person for themselves:
  the admin (no employee record) gets a 404 on pages and a 403 in the API.
- HR (in the people unit) sees the R&D session but, as a person, may not sign up for it (403).
- HR schedules and cancels sessions and marks attendance (``lrn_past`` has the employee signed up).
- ``employee`` is signed up for ``lrn_session``: cancelling answers 200 for them, 409 for the
  others (who have no place); on the web both end in a redirect with a message.
"""

from __future__ import annotations

from talentloop.testing.matrix import Row

ARTICLE = {"kind": "article", "title": "矩阵文章", "body": "正文", "audience": "everyone"}
FUTURE = "2099-01-05T09:00"

#                                                                     anon  empl  mgr  mentor  hr  admin  outs
WEB = [
    Row("learning/", "GET", "/learning/", (302, 200, 200, 200, 200, 200, 200)),
    Row("learning/content/new/", "GET", "/learning/content/new/", (302, 404, 404, 200, 200, 404, 404)),
    Row("learning/content/new/", "POST", "/learning/content/new/", (302, 404, 404, 302, 302, 404, 404),
        body=ARTICLE),
    Row("learning/content/<int:pk>/", "GET", "/learning/content/{lrn_course}/", (302, 200, 200, 200, 200, 200, 200),
        label="for everyone"),
    Row("learning/content/<int:pk>/", "GET", "/learning/content/{lrn_rnd}/", (302, 200, 200, 200, 200, 200, 404),
        label="for R&D"),
    Row("learning/content/<int:pk>/", "GET", "/learning/content/{lrn_draft}/", (302, 404, 404, 200, 200, 200, 404),
        label="mentor's draft"),
    Row("learning/content/<int:pk>/", "GET", "/learning/content/{lrn_resource}/",
        (302, 404, 404, 200, 200, 200, 404), label="mentor resource"),
    Row("learning/content/<int:pk>/edit/", "GET", "/learning/content/{lrn_draft}/edit/",
        (302, 404, 404, 200, 200, 404, 404)),
    Row("learning/content/<int:pk>/edit/", "POST", "/learning/content/{lrn_draft}/edit/",
        (302, 404, 404, 302, 302, 404, 404), body=ARTICLE),
    Row("learning/content/<int:pk>/complete/", "POST", "/learning/content/{lrn_course}/complete/",
        (302, 302, 302, 302, 302, 404, 302), body={}),
    Row("learning/content/<int:pk>/dismiss/", "POST", "/learning/content/{lrn_course}/dismiss/",
        (302, 302, 302, 302, 302, 404, 302), body={}),
    Row("learning/content/<int:pk>/sessions/new/", "GET", "/learning/content/{lrn_course}/sessions/new/",
        (302, 404, 404, 404, 200, 404, 404)),
    Row("learning/content/<int:pk>/sessions/new/", "POST", "/learning/content/{lrn_course}/sessions/new/",
        (302, 404, 404, 404, 302, 404, 404),
        body={"starts_at": FUTURE, "ends_at": "2099-01-05T11:00", "location": "A-301"}),
    Row("learning/my/", "GET", "/learning/my/", (302, 200, 200, 200, 200, 404, 200)),
    Row("learning/recommended/", "GET", "/learning/recommended/", (302, 200, 200, 200, 200, 404, 200)),
    Row("learning/sessions/", "GET", "/learning/sessions/", (302, 200, 200, 200, 200, 200, 200)),
    Row("learning/sessions/<int:pk>/", "GET", "/learning/sessions/{lrn_session}/",
        (302, 200, 200, 200, 200, 200, 200), label="for everyone"),
    Row("learning/sessions/<int:pk>/", "GET", "/learning/sessions/{lrn_rnd_session}/",
        (302, 200, 200, 200, 200, 200, 404), label="for R&D"),
    Row("learning/sessions/<int:pk>/signup/", "POST", "/learning/sessions/{lrn_session}/signup/",
        (302, 302, 302, 302, 302, 404, 302), body={}),
    Row("learning/sessions/<int:pk>/signup/", "POST", "/learning/sessions/{lrn_rnd_session}/signup/",
        (302, 302, 302, 302, 302, 404, 404), body={}, label="for R&D"),
    Row("learning/sessions/<int:pk>/cancel-signup/", "POST", "/learning/sessions/{lrn_session}/cancel-signup/",
        (302, 302, 302, 302, 302, 404, 302), body={}),
    Row("learning/sessions/<int:pk>/attendance/", "POST", "/learning/sessions/{lrn_past}/attendance/",
        (302, 404, 404, 404, 302, 404, 404), body={"attended": "{employee}"}),
    Row("learning/sessions/<int:pk>/cancel/", "POST", "/learning/sessions/{lrn_session}/cancel/",
        (302, 404, 404, 404, 302, 404, 404), body={}),
]

L = "/api/v1/learning"
API = [
    Row(f"{L}/content", "GET", f"{L}/content", (401, 200, 200, 200, 200, 200, 200)),
    Row(f"{L}/content", "POST", f"{L}/content", (401, 403, 403, 201, 201, 403, 403), body=ARTICLE),
    Row(f"{L}/content/{{content_id}}", "GET", f"{L}/content/{{lrn_course}}", (401, 200, 200, 200, 200, 200, 200),
        label="for everyone"),
    Row(f"{L}/content/{{content_id}}", "GET", f"{L}/content/{{lrn_rnd}}", (401, 200, 200, 200, 200, 200, 404),
        label="for R&D"),
    Row(f"{L}/content/{{content_id}}", "GET", f"{L}/content/{{lrn_draft}}", (401, 404, 404, 200, 200, 200, 404),
        label="mentor's draft"),
    Row(f"{L}/content/{{content_id}}", "PATCH", f"{L}/content/{{lrn_draft}}", (401, 404, 404, 200, 200, 403, 404),
        body={"title": "改"}),
    Row(f"{L}/content/{{content_id}}/complete", "POST", f"{L}/content/{{lrn_course}}/complete",
        (401, 200, 200, 200, 200, 403, 200)),
    Row(f"{L}/content/{{content_id}}/dismiss", "POST", f"{L}/content/{{lrn_course}}/dismiss",
        (401, 200, 200, 200, 200, 403, 200)),
    Row(f"{L}/recommendations", "GET", f"{L}/recommendations", (401, 200, 200, 200, 200, 404, 200)),
    Row(f"{L}/sessions", "GET", f"{L}/sessions", (401, 200, 200, 200, 200, 200, 200)),
    Row(f"{L}/sessions", "POST", f"{L}/sessions", (401, 403, 403, 403, 201, 403, 403),
        body={"content_id": "{lrn_course}", "starts_at": "2099-01-05T09:00:00+08:00",
              "ends_at": "2099-01-05T11:00:00+08:00", "location": "A-301"}),
    Row(f"{L}/sessions/{{session_id}}/signup", "POST", f"{L}/sessions/{{lrn_session}}/signup",
        (401, 201, 201, 201, 201, 403, 201)),
    Row(f"{L}/sessions/{{session_id}}/signup", "POST", f"{L}/sessions/{{lrn_rnd_session}}/signup",
        (401, 201, 201, 201, 403, 403, 404), label="for R&D"),
    Row(f"{L}/sessions/{{session_id}}/signup", "DELETE", f"{L}/sessions/{{lrn_session}}/signup",
        (401, 200, 409, 409, 409, 403, 409)),
    Row(f"{L}/sessions/{{session_id}}/attendance", "POST", f"{L}/sessions/{{lrn_past}}/attendance",
        (401, 403, 403, 403, 200, 403, 403), body={"attended": ["{employee}"]}),
    Row(f"{L}/events", "POST", f"{L}/events", (401, 201, 201, 201, 201, 403, 201),
        body={"verb": "open", "content_id": "{lrn_course}"}),
]


def keys(world) -> dict:
    import datetime as dt

    from django.utils import timezone

    from talentloop.learning.models import ContentItem, TrainingSession, TrainingSignup

    old = timezone.now() - dt.timedelta(days=30)
    course = ContentItem.objects.create(kind="course", title="矩阵课程", url="https://x.example/c", tags=["python"],
                                        status="published", published_at=old)
    rnd = ContentItem.objects.create(kind="course", title="研发课程", url="https://x.example/r",
                                     audience="org_units", status="published", published_at=old)
    rnd.org_units.set([world.rnd])
    draft = ContentItem.objects.create(kind="article", title="草稿", body="…", status="draft", author=world.mentor)
    resource = ContentItem.objects.create(kind="resource", title="辅导手册", body="…", audience="mentors",
                                          status="published", published_at=old)
    soon = timezone.now() + dt.timedelta(days=5)
    session = TrainingSession.objects.create(content=course, starts_at=soon, ends_at=soon + dt.timedelta(hours=2),
                                             location="A-301")
    rnd_session = TrainingSession.objects.create(content=rnd, starts_at=soon, ends_at=soon + dt.timedelta(hours=2),
                                                 location="B-2")
    past = TrainingSession.objects.create(content=course, starts_at=old, ends_at=old + dt.timedelta(hours=2),
                                          location="A-301")
    TrainingSignup.objects.create(session=session, employee=world.emp(world.employee))
    TrainingSignup.objects.create(session=past, employee=world.emp(world.employee))
    return {"lrn_course": course.pk, "lrn_rnd": rnd.pk, "lrn_draft": draft.pk, "lrn_resource": resource.pk,
            "lrn_session": session.pk, "lrn_rnd_session": rnd_session.pk, "lrn_past": past.pk}
