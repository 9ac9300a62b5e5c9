"""Access matrix rows: the monthly attendance summaries. Statuses written by hand from the rules of
issue 12 and attendance/access.py:

- the review page and its Excel export are for HR (their scope), managers (their team) and the
  admin (reads); anyone else gets 404. The API's list and export are scoped: everyone signed in gets
  their own rows (200);
- building and locking a month is for HR covering the whole organisation: 302 on the pages (back to
  the review), 200 from the API; anyone else 404 on the pages, 403 from the API;
- a person's month is seen by the person, anyone above them and HR covering them, and the admin;
  ``mentor`` is not above ``employee`` (who reports to ``lead``): 404;
- adjustments of a locked month are recorded by HR covering the person only: 302 on the page, 201
  from the API; on the page anyone else gets 404; from the API someone who sees the person gets 403
  and someone who does not 422 (the person's id is in the body).

Columns: anonymous, employee, manager, mentor, hr, admin, outsider. ``LAST`` (last month) is built and
open, ``LOCKED`` (the month before) built and locked.
"""

from __future__ import annotations

import datetime as dt

from talentloop.testing.matrix import Row

W = "/time"
A = "/api/v1/time"
_first = dt.date.today().replace(day=1)
LAST = (_first - dt.timedelta(days=1)).replace(day=1).strftime("%Y-%m")
LOCKED = ((_first - dt.timedelta(days=1)).replace(day=1) - dt.timedelta(days=1)).strftime("%Y-%m")
ADJUST = {"field": "absent_days", "delta": "-1", "reason": "matrix"}

#                                                                           anon  empl  mgr  mentor  hr  admin  outs
WEB = [
    Row("time/summaries/", "GET", f"{W}/summaries/?month={LAST}",           (302, 404, 200, 404, 200, 200, 404)),
    Row("time/summaries/build/", "POST", f"{W}/summaries/build/",           (302, 404, 404, 404, 302, 404, 404),
        body={"month": LAST}),
    Row("time/summaries/lock/", "POST", f"{W}/summaries/lock/",             (302, 404, 404, 404, 302, 404, 404),
        body={"month": LAST, "confirm": "on"}),
    Row("time/summaries/export/", "GET", f"{W}/summaries/export/?month={LAST}",
        (302, 404, 200, 404, 200, 200, 404)),
    Row("time/summaries/<int:pk>/<str:month>/", "GET", f"{W}/summaries/{{ts_employee}}/{LAST}/",
        (302, 200, 200, 404, 200, 200, 404)),
    Row("time/summaries/<int:pk>/<str:month>/", "GET", f"{W}/summaries/{{ts_employee}}/2026-13/",
        (302, 404, 404, 404, 404, 404, 404), label="no such month"),
    Row("time/summaries/<int:pk>/<str:month>/adjust/", "POST", f"{W}/summaries/{{ts_employee}}/{LOCKED}/adjust/",
        (302, 404, 404, 404, 302, 404, 404), body=ADJUST),
]

#                                                                           anon  empl  mgr  mentor  hr  admin  outs
API = [
    Row(f"{A}/summaries", "GET", f"{A}/summaries?month={LAST}",             (401, 200, 200, 200, 200, 200, 200)),
    Row(f"{A}/summaries/build", "POST", f"{A}/summaries/build",             (401, 403, 403, 403, 200, 403, 403),
        body={"month": LAST}),
    Row(f"{A}/summaries/lock", "POST", f"{A}/summaries/lock",               (401, 403, 403, 403, 200, 403, 403),
        body={"month": LAST}),
    Row(f"{A}/summaries/export", "GET", f"{A}/summaries/export?month={LAST}",
        (401, 200, 200, 200, 200, 200, 200)),
    Row(f"{A}/summaries/adjustments", "POST", f"{A}/summaries/adjustments", (401, 403, 403, 422, 201, 403, 422),
        body={**ADJUST, "employee_id": "{ts_employee}", "month": LOCKED}),
]


def keys(world) -> dict:
    from talentloop.attendance.services.summaries import summaries_build, summaries_lock
    from talentloop.core.access import actor_for

    hr = actor_for(world.hr)
    locked = dt.datetime.strptime(LOCKED, "%Y-%m").date()
    summaries_build(month=locked, by=hr)
    summaries_lock(hr, month=locked)
    summaries_build(month=dt.datetime.strptime(LAST, "%Y-%m").date(), by=hr)
    return {"ts_employee": world.emp(world.employee).pk}
