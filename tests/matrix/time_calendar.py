"""Access matrix rows: the holiday calendar and the attendance policy. Statuses written by hand from
the rules of issue 12:

- every signed-in person reads the calendar of any year (page and API), per site too;
- HR for the whole organisation sets and removes days and changes the attendance policy; anyone else
  gets a 404 on the pages and a 403 from the API;
- the policy is read by HR and administrators (the admin's settings page has no save button; a post
  from the admin is a 404).

Columns: anonymous, employee, manager, mentor, hr, admin, outsider. ``{cal_year}`` (2031) has one day
HR set (3 March, a rest day) and no notice: the rows write only in that year.
"""

from __future__ import annotations

from talentloop.testing.matrix import Row

W = "/time"
A = "/api/v1/time"
POLICY = {"clock_window_days": "3", "location_retention_days": "30", "daily_overtime_cap_minutes": "180",
          "monthly_overtime_cap_minutes": "2160", "overtime_after_allowed": "on"}

#                                                                              anon  empl  mgr  mentor  hr  admin  outs
WEB = [
    Row("time/calendar/", "GET", f"{W}/calendar/",                             (302, 302, 302, 302, 302, 302, 302)),
    Row("time/calendar/<int:year>/", "GET", f"{W}/calendar/2026/",             (302, 200, 200, 200, 200, 200, 200)),
    Row("time/calendar/<int:year>/", "GET", f"{W}/calendar/1999/",             (302, 404, 404, 404, 404, 404, 404),
        label="year out of range"),
    Row("time/calendar/<int:year>/day/", "GET", f"{W}/calendar/2031/day/?date=2031-03-03",
        (302, 404, 404, 404, 200, 404, 404)),
    Row("time/calendar/<int:year>/day/", "POST", f"{W}/calendar/2031/day/",  (302, 404, 404, 404, 302, 404, 404),
        body={"date": "2031-03-04", "kind": "rest", "name": "矩阵"}),
    Row("time/calendar/<int:year>/day/remove/", "POST", f"{W}/calendar/2031/day/remove/",
        (302, 404, 404, 404, 302, 404, 404), body={"date": "2031-03-03"}),
    Row("time/settings/", "GET", f"{W}/settings/",                             (302, 404, 404, 404, 200, 200, 404)),
    Row("time/settings/", "POST", f"{W}/settings/",                            (302, 404, 404, 404, 302, 404, 404),
        body=POLICY),
]

#                                                                              anon  empl  mgr  mentor  hr  admin  outs
API = [
    Row(f"{A}/calendar/{{year}}", "GET", f"{A}/calendar/2026",                 (401, 200, 200, 200, 200, 200, 200)),
    Row(f"{A}/calendar/{{year}}/days/{{date}}", "PUT", f"{A}/calendar/2031/days/2031-03-04",
        (401, 403, 403, 403, 200, 403, 403), body={"kind": "rest", "name": "矩阵"}),
    Row(f"{A}/calendar/{{year}}/days/{{date}}", "DELETE", f"{A}/calendar/2031/days/2031-03-03",
        (401, 403, 403, 403, 204, 403, 403)),
    Row(f"{A}/policy", "GET", f"{A}/policy",                                   (401, 403, 403, 403, 200, 200, 403)),
    Row(f"{A}/policy", "PATCH", f"{A}/policy",                                 (401, 403, 403, 403, 200, 403, 403),
        body={"clock_window_days": 2}),
]


def keys(world) -> dict:
    import datetime as dt

    from talentloop.attendance.models import CalendarDay

    CalendarDay.objects.get_or_create(date=dt.date(2031, 3, 3), site=None,
                                      defaults={"kind": "rest", "name": "矩阵休息日", "official": False})
    return {"cal_year": 2031}
