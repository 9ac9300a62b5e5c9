"""Access matrix rows: overtime requests and clock corrections (pages under /time/, API under
/api/v1/time/). Statuses written by hand from the rules of issue 12 and attendance/access.py's
docstring:

- everyone with an employee record asks for their own overtime and corrections (the admin has
  none: the pages are 404, the API 403);
- a request is seen by its person, everyone above them, HR covering them and the admin; never by an
  outsider or a peer (``mentor`` reports to ``manager`` beside ``lead``, not above ``employee``): 404;
- it is approved or rejected by anyone above the person (``manager``) or HR covering them, never by
  the person (API 403 on their own visible request, page 404) nor by the admin, who only reads;
- the person withdraws it while pending; HR covering them cancels it; a manager does not;
- the approvals page is for managers, delegates and HR; the cap-breach list is HR's.

Columns: anonymous, employee, manager, mentor, hr, admin, outsider. ``employee`` has a pending overtime
request (yesterday 19:00-21:00) and a pending correction (two days ago, clock-in).
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from talentloop.testing.matrix import Row

W = "/time"
A = "/api/v1/time"
_TODAY = dt.datetime.now(ZoneInfo("Asia/Shanghai")).date()
TOMORROW = (_TODAY + dt.timedelta(days=1)).isoformat()
YESTERDAY = (_TODAY - dt.timedelta(days=1)).isoformat()
OVERTIME_FORM = {"kind": "before", "date": TOMORROW, "start": "19:00", "end": "21:00", "reason": "发版"}
OVERTIME_API = {"kind": "before", "start": f"{TOMORROW}T19:00:00", "end": f"{TOMORROW}T21:00:00", "reason": "发版"}
CORRECTION_FORM = {"work_date": YESTERDAY, "direction": "in", "time": "09:00", "reason": "忘记打卡"}
CORRECTION_API = {"work_date": YESTERDAY, "at": f"{YESTERDAY}T09:00:00", "direction": "in", "reason": "忘记打卡"}
PREVIEW = f"{W}/overtime/preview/?kind=before&date={TOMORROW}&start=19:00&end=21:00"

#                                                                           anon  empl  mgr  mentor  hr  admin  outs
WEB = [
    Row("time/overtime/", "GET", f"{W}/overtime/",                           (302, 200, 200, 200, 200, 404, 200)),
    Row("time/overtime/", "POST", f"{W}/overtime/",                          (302, 302, 302, 302, 302, 404, 302),
        body=OVERTIME_FORM),
    Row("time/overtime/preview/", "GET", PREVIEW,                            (302, 200, 200, 200, 200, 404, 200)),
    Row("time/overtime/breaches/", "GET", f"{W}/overtime/breaches/",         (302, 404, 404, 404, 200, 404, 404)),
    Row("time/overtime/<int:pk>/", "GET", f"{W}/overtime/{{tr_overtime}}/", (302, 200, 200, 404, 200, 200, 404)),
    Row("time/overtime/<int:pk>/approve/", "POST", f"{W}/overtime/{{tr_overtime}}/approve/",
        (302, 404, 302, 404, 302, 404, 404), body={}),
    Row("time/overtime/<int:pk>/reject/", "POST", f"{W}/overtime/{{tr_overtime}}/reject/",
        (302, 404, 302, 404, 302, 404, 404), body={"note": "不需要"}),
    Row("time/overtime/<int:pk>/cancel/", "POST", f"{W}/overtime/{{tr_overtime}}/cancel/",
        (302, 302, 404, 404, 302, 404, 404), body={}),
    Row("time/corrections/", "GET", f"{W}/corrections/",                     (302, 200, 200, 200, 200, 404, 200)),
    Row("time/corrections/", "POST", f"{W}/corrections/",                    (302, 302, 302, 302, 302, 404, 302),
        body=CORRECTION_FORM),
    Row("time/corrections/<int:pk>/", "GET", f"{W}/corrections/{{tr_correction}}/",
        (302, 200, 200, 404, 200, 200, 404)),
    Row("time/corrections/<int:pk>/approve/", "POST", f"{W}/corrections/{{tr_correction}}/approve/",
        (302, 404, 302, 404, 302, 404, 404), body={}),
    Row("time/corrections/<int:pk>/reject/", "POST", f"{W}/corrections/{{tr_correction}}/reject/",
        (302, 404, 302, 404, 302, 404, 404), body={}),
    Row("time/corrections/<int:pk>/cancel/", "POST", f"{W}/corrections/{{tr_correction}}/cancel/",
        (302, 302, 404, 404, 302, 404, 404), body={}),
    Row("time/approvals/", "GET", f"{W}/approvals/",                         (302, 404, 200, 404, 200, 404, 404)),
]

#                                                                           anon  empl  mgr  mentor  hr  admin  outs
API = [
    Row(f"{A}/overtime-requests", "GET", f"{A}/overtime-requests",          (401, 200, 200, 200, 200, 200, 200)),
    Row(f"{A}/overtime-requests", "POST", f"{A}/overtime-requests",         (401, 201, 201, 201, 201, 403, 201),
        body=OVERTIME_API),
    Row(f"{A}/overtime-requests/{{overtime_id}}", "GET", f"{A}/overtime-requests/{{tr_overtime}}",
        (401, 200, 200, 404, 200, 200, 404)),
    Row(f"{A}/overtime-requests/{{overtime_id}}/approve", "POST", f"{A}/overtime-requests/{{tr_overtime}}/approve",
        (401, 403, 200, 404, 200, 403, 404), body={}),
    Row(f"{A}/overtime-requests/{{overtime_id}}/reject", "POST", f"{A}/overtime-requests/{{tr_overtime}}/reject",
        (401, 403, 200, 404, 200, 403, 404), body={"note": "不需要"}),
    Row(f"{A}/overtime-requests/{{overtime_id}}/cancel", "POST", f"{A}/overtime-requests/{{tr_overtime}}/cancel",
        (401, 200, 403, 404, 200, 403, 404), body={}),
    Row(f"{A}/corrections", "GET", f"{A}/corrections",                      (401, 200, 200, 200, 200, 200, 200)),
    Row(f"{A}/corrections", "POST", f"{A}/corrections",                     (401, 201, 201, 201, 201, 403, 201),
        body=CORRECTION_API),
    Row(f"{A}/corrections/{{correction_id}}", "GET", f"{A}/corrections/{{tr_correction}}",
        (401, 200, 200, 404, 200, 200, 404)),
    Row(f"{A}/corrections/{{correction_id}}/approve", "POST", f"{A}/corrections/{{tr_correction}}/approve",
        (401, 403, 200, 404, 200, 403, 404), body={}),
    Row(f"{A}/corrections/{{correction_id}}/reject", "POST", f"{A}/corrections/{{tr_correction}}/reject",
        (401, 403, 200, 404, 200, 403, 404), body={}),
    Row(f"{A}/corrections/{{correction_id}}/cancel", "POST", f"{A}/corrections/{{tr_correction}}/cancel",
        (401, 200, 403, 404, 200, 403, 404), body={}),
]


def keys(world) -> dict:
    from talentloop.attendance.models import Correction, OvertimeRequest

    tz = ZoneInfo("Asia/Shanghai")
    emp = world.emp(world.employee)
    yesterday = _TODAY - dt.timedelta(days=1)
    start = dt.datetime.combine(yesterday, dt.time(19), tzinfo=tz)
    overtime = OvertimeRequest.objects.create(
        employee=emp, kind="after", work_date=yesterday, start=start, end=start + dt.timedelta(hours=2), minutes=120,
        day_class="workday", multiplier="1.5", reason="发版")
    two_days_ago = _TODAY - dt.timedelta(days=2)
    correction = Correction.objects.create(
        employee=emp, work_date=two_days_ago, at=dt.datetime.combine(two_days_ago, dt.time(9), tzinfo=tz),
        direction="in", reason="忘记打卡")
    return {"tr_overtime": overtime.pk, "tr_correction": correction.pk}
