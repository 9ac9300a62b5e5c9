"""Access matrix rows: the home page's section refresh and the 1:1 recorded from the home page.

- a section is built only for those it belongs to: "performance" for everyone with an employee
  record (not the technical admin), "mentees" for mentors, "team" for people with reports (manager),
  "hr" for HR and admins; anyone else gets 404 as for a page that does not exist;
- only the plan's mentor records a 1:1 of it (HR may not, the mentee's managers may not).

Columns: anonymous, employee, manager, mentor, hr, admin, outsider. The keys make ``mentor`` the
mentor of ``employee`` in an active plan with a 1:1 due today.
"""

from __future__ import annotations

import datetime as dt

from talentloop.testing.matrix import Row

TODAY = dt.date.today()
RECORD = {"held_on": TODAY.isoformat(), "duration_minutes": "45", "notes": "matrix"}

#                                                                          anon  empl  mgr  mentor  hr  admin  outs
WEB = [
    Row("home/sections/<slug:key>/", "GET", "/home/sections/performance/", (302, 200, 200, 200, 200, 404, 200),
        label="performance"),
    Row("home/sections/<slug:key>/", "GET", "/home/sections/mentees/",     (302, 404, 404, 200, 404, 404, 404),
        label="mentees"),
    Row("home/sections/<slug:key>/", "GET", "/home/sections/team/",        (302, 404, 200, 404, 404, 404, 404),
        label="team"),
    Row("home/sections/<slug:key>/", "GET", "/home/sections/hr/",          (302, 404, 404, 404, 200, 200, 404),
        label="hr"),
    Row("home/sections/<slug:key>/", "GET", "/home/sections/nonsense/",    (302, 404, 404, 404, 404, 404, 404),
        label="unknown"),
    Row("home/items/<int:pk>/record/", "POST", "/home/items/{home_item}/record/",
        (302, 404, 404, 302, 404, 404, 404), body=RECORD),
]


def keys(world) -> dict:
    from talentloop.mentoring.models import ItemKind, Mentor, PlanItem, PlanStatus
    from talentloop.mentoring.tests import programme_fixtures as F

    mentor, _created = Mentor.objects.get_or_create(employee=world.emp(world.mentor),
                                                    defaults={"capacity": 10, "since": dt.date(2024, 1, 1)})
    # Other modules give this mentor plans too: keep room for the draft that mentoring_core submits.
    Mentor.objects.filter(pk=mentor.pk, capacity__lt=10).update(capacity=10)
    tpl = F.template("矩阵-首页", mentee_type="job_family", job_family=world.engineering)
    plan = F.plan(mentor, world.emp(world.employee), tpl, TODAY - dt.timedelta(days=30), status=PlanStatus.ACTIVE)
    item = PlanItem.objects.create(plan=plan, kind=ItemKind.ONE_TO_ONE, sequence=1, due_on=TODAY)
    return {"home_item": item.pk}
