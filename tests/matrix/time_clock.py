"""Access matrix rows: clocking in and out, my month, today's exceptions, and the work sites. Statuses
written by hand from the rules of issue 12 and attendance/access.py's docstring:

- everyone with an employee record clocks and sees their own punches and month; the technical admin
  has no employee record (404 on the pages, 403 from the API);
- today's exceptions are for people with reports (manager) and HR; everyone else gets 404;
- HR covering the whole organisation keeps the work sites; HR and admins read them (the admin reads
  the list but edits nothing: 404 on the edit pages, 403 from the API for a site it sees); anyone
  else: 404 on the pages, 403 on the list and create endpoints, 404 for a site they may not see.

Columns: anonymous, employee, manager, mentor, hr, admin, outsider. The punch is sent with a reason:
there is no position and the matrix's address is on no office network, so it is outside.
"""

from __future__ import annotations

import datetime as dt

from talentloop.testing.matrix import Row

W = "/time"
A = "/api/v1/time"
MONTH = dt.date.today().strftime("%Y-%m")
SITE_FORM = {"name": "矩阵园区", "org_unit": "{tc_company}", "latitude": "31.230416", "longitude": "121.473701",
             "radius_m": "200", "networks": "10.8.0.0/16", "is_active": "on"}
SITE_API = {"name": "矩阵园区", "org_unit_id": "{tc_company}", "latitude": "31.230416", "longitude": "121.473701",
            "radius_m": 200, "networks": ["10.8.0.0/16"]}

#                                                                           anon  empl  mgr  mentor  hr  admin  outs
WEB = [
    Row("time/", "GET", f"{W}/",                                            (302, 200, 200, 200, 200, 404, 200)),
    Row("time/clock/", "POST", f"{W}/clock/",                               (302, 302, 302, 302, 302, 404, 302),
        body={"direction": "in", "reason": "matrix"}),
    Row("time/me/<str:month>/", "GET", f"{W}/me/{MONTH}/",                  (302, 200, 200, 200, 200, 404, 200)),
    Row("time/me/<str:month>/", "GET", f"{W}/me/2026-13/",                  (302, 404, 404, 404, 404, 404, 404),
        label="no such month"),
    Row("time/today/", "GET", f"{W}/today/",                                (302, 404, 200, 404, 200, 404, 404)),
    Row("time/sites/", "GET", f"{W}/sites/",                                (302, 404, 404, 404, 200, 200, 404)),
    Row("time/sites/new/", "GET", f"{W}/sites/new/",                        (302, 404, 404, 404, 200, 404, 404)),
    Row("time/sites/new/", "POST", f"{W}/sites/new/",                       (302, 404, 404, 404, 302, 404, 404),
        body=SITE_FORM),
    Row("time/sites/<int:pk>/", "GET", f"{W}/sites/{{tc_site}}/",           (302, 404, 404, 404, 200, 404, 404)),
    Row("time/sites/<int:pk>/", "POST", f"{W}/sites/{{tc_site}}/",          (302, 404, 404, 404, 302, 404, 404),
        body=SITE_FORM),
]

#                                                                           anon  empl  mgr  mentor  hr  admin  outs
API = [
    Row(f"{A}/clock", "POST", f"{A}/clock",                                 (401, 201, 201, 201, 201, 403, 201),
        body={"direction": "in", "reason": "matrix"}),
    Row(f"{A}/clock", "GET", f"{A}/clock",                                  (401, 200, 200, 200, 200, 403, 200)),
    Row(f"{A}/sites", "GET", f"{A}/sites",                                  (401, 403, 403, 403, 200, 200, 403)),
    Row(f"{A}/sites", "POST", f"{A}/sites",                                 (401, 403, 403, 403, 201, 403, 403),
        body=SITE_API),
    Row(f"{A}/sites/{{site_id}}", "PATCH", f"{A}/sites/{{tc_site}}",        (401, 404, 404, 404, 200, 403, 404),
        body={"radius_m": 300}),
]


def keys(world) -> dict:
    from decimal import Decimal

    from talentloop.attendance.models import WorkSite

    site = WorkSite.objects.create(org_unit=world.company, name="矩阵总部", latitude=Decimal("31.2"),
                                   longitude=Decimal("121.4"), radius_m=150)
    return {"tc_site": site.pk, "tc_company": world.company.pk}
