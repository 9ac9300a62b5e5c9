"""Access matrix rows: shifts, work schedules and the roster planner. Statuses written by hand from
the rules of issue 12 and attendance/access.py's header:

- shifts are kept by HR covering the whole organisation (``hr``); the admin reads the list and a
  shift through the API but changes nothing (403 on a visible shift); everyone signed in reads the
  active shifts through the API; for anyone else a shift's page or record is a 404;
- work schedules are assigned by HR covering the target and read by HR and the admin;
- the planner is for managers (``manager`` plans ``lead``, ``mentor`` and ``employee``) and HR; the
  ``mentor`` has no reports, the admin no employee record; everyone with an employee record sees
  their own roster page, and the API's roster list answers each their own and their team's cells.

Columns: anonymous, employee, manager, mentor, hr, admin, outsider.
"""

from __future__ import annotations

import datetime as dt

from talentloop.testing.matrix import Row

W = "/time"
A = "/api/v1/time"
TODAY = dt.date.today().isoformat()
NEXT_WEEK = (dt.date.today() + dt.timedelta(days=7)).isoformat()
SHIFT_FORM = {"code": "mx-early", "name": "早班", "kind": "fixed", "start": "06:00", "end": "14:00",
              "break_minutes": "30", "grace_minutes": "5", "late_absent_minutes": "120",
              "early_absent_minutes": "120", "min_rest_hours": "11", "color": "#2f6feb"}

#                                                                           anon  empl  mgr  mentor  hr  admin  outs
WEB = [
    Row("time/shifts/", "GET", f"{W}/shifts/",                              (302, 404, 404, 404, 200, 200, 404)),
    Row("time/shifts/new/", "GET", f"{W}/shifts/new/",                      (302, 404, 404, 404, 200, 404, 404)),
    Row("time/shifts/new/", "POST", f"{W}/shifts/new/",                     (302, 404, 404, 404, 302, 404, 404),
        body=SHIFT_FORM),
    Row("time/shifts/<int:pk>/", "GET", f"{W}/shifts/{{tr_shift}}/",        (302, 404, 404, 404, 200, 404, 404)),
    Row("time/shifts/<int:pk>/", "POST", f"{W}/shifts/{{tr_shift}}/",       (302, 404, 404, 404, 302, 404, 404),
        body=SHIFT_FORM),
    Row("time/shifts/<int:pk>/toggle/", "POST", f"{W}/shifts/{{tr_shift}}/toggle/",
        (302, 404, 404, 404, 302, 404, 404), body={}),
    Row("time/shifts/<int:pk>/delete/", "POST", f"{W}/shifts/{{tr_shift}}/delete/",
        (302, 404, 404, 404, 302, 404, 404), body={}),
    Row("time/schedules/", "GET", f"{W}/schedules/",                        (302, 404, 404, 404, 200, 200, 404)),
    Row("time/schedules/", "POST", f"{W}/schedules/",                       (302, 404, 404, 404, 302, 404, 404),
        body={"org_unit": "{platform}", "kind": "roster", "effective_from": TODAY}),
    Row("time/rosters/", "GET", f"{W}/rosters/",                            (302, 404, 200, 404, 200, 404, 404)),
    Row("time/rosters/cell/", "POST", f"{W}/rosters/cell/",                 (302, 404, 302, 404, 302, 404, 404),
        body={"employee": "{employee}", "date": TODAY, "shift": "rest"}),
    Row("time/rosters/copy/", "POST", f"{W}/rosters/copy/",                 (302, 404, 302, 404, 302, 404, 404),
        body={"week": NEXT_WEEK}),
    Row("time/rosters/staffing/", "POST", f"{W}/rosters/staffing/",         (302, 404, 302, 404, 302, 404, 404),
        body={"shift": "{tr_shift}", "weekdays": "0", "min_people": "1", "unit": "{platform}"}),
    Row("time/rosters/me/", "GET", f"{W}/rosters/me/",                      (302, 200, 200, 200, 200, 404, 200)),
]

#                                                                           anon  empl  mgr  mentor  hr  admin  outs
API = [
    Row(f"{A}/shifts", "GET", f"{A}/shifts",                                (401, 200, 200, 200, 200, 200, 200)),
    Row(f"{A}/shifts", "POST", f"{A}/shifts",                               (401, 403, 403, 403, 201, 403, 403),
        body={"code": "mx-early", "name": "早班", "start": "06:00", "end": "14:00"}),
    Row(f"{A}/shifts/{{shift_id}}", "PATCH", f"{A}/shifts/{{tr_shift}}",    (401, 404, 404, 404, 200, 403, 404),
        body={"grace_minutes": 6}),
    Row(f"{A}/shifts/{{shift_id}}", "DELETE", f"{A}/shifts/{{tr_shift}}",   (401, 404, 404, 404, 204, 403, 404)),
    Row(f"{A}/schedules", "GET", f"{A}/schedules",                          (401, 403, 403, 403, 200, 200, 403)),
    Row(f"{A}/schedules", "POST", f"{A}/schedules",                         (401, 403, 403, 403, 201, 403, 403),
        body={"org_unit_id": "{platform}", "kind": "roster", "effective_from": TODAY}),
    Row(f"{A}/rosters", "GET", f"{A}/rosters?start={TODAY}&end={NEXT_WEEK}", (401, 200, 200, 200, 200, 200, 200)),
    Row(f"{A}/rosters", "PUT", f"{A}/rosters",                              (401, 403, 200, 403, 200, 403, 403),
        body={"items": [{"employee_id": "{employee}", "date": TODAY, "shift_id": None}]}),
    Row(f"{A}/rosters/copy-week", "POST", f"{A}/rosters/copy-week",         (401, 403, 200, 403, 200, 403, 403),
        body={"from_week": TODAY, "to_week": NEXT_WEEK}),
    Row(f"{A}/rosters/requirements", "GET", f"{A}/rosters/requirements?org_unit={{platform}}",
        (401, 403, 200, 403, 200, 403, 403)),
    Row(f"{A}/rosters/requirements", "PUT", f"{A}/rosters/requirements",  (401, 403, 200, 403, 200, 403, 403),
        body={"org_unit_id": "{platform}", "shift_id": "{tr_shift}", "weekdays": [0, 6], "min_people": 2}),
]


def keys(world) -> dict:
    from talentloop.attendance.models import Shift

    shift = Shift.objects.create(code="mx-day", name="矩阵白班", start=dt.time(9), end=dt.time(18))
    return {"tr_shift": shift.pk}
