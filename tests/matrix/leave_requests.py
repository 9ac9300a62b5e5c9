"""Access matrix rows: leave requests, approvals, delegation and the team calendar. Statuses written by
hand from the rules of issue 12 and leave/access.py's docstring:

- everyone with an employee record requests leave and sees their own requests; the technical admin
  has none (404 on the pages, 403 from the API when submitting) but reads every request;
- a request is seen by its person, everyone above them, HR covering them, the admin, and the approver
  of one of its steps (or their delegate); anyone else gets 404;
- a step is decided only by its approver (or their delegate), HR steps by HR covering the person;
  never one's own request. Web: an action the persona may not take is a 404; API: 403 when the
  request is visible, 404 when it is not;
- the person cancels their own leave before it starts, HR covering them any time;
- people with reports and HR delegate their approvals; the approver or HR covering them ends a
  delegation.

Columns: anonymous, employee, manager, mentor, hr, admin, outsider. ``lr_employee`` is a pending
request of ``employee`` waiting for ``lead`` (not a column: manager sees it from above, cannot decide
it); ``lr_mentor`` is a pending request of ``mentor`` waiting for ``manager``. ``lr_delegation``:
manager delegates to mentor.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from talentloop.testing.matrix import Row

W = "/leave"
A = "/api/v1/time"


def _workday(after_days: int) -> dt.date:
    """The first workday of the official calendar at least ``after_days`` from today."""
    from talentloop.attendance.calendar import Calendar

    day = dt.date.today() + dt.timedelta(days=after_days)
    calendar = Calendar(day, day + dt.timedelta(days=30))
    while not calendar.is_workday(day):
        day += dt.timedelta(days=1)
    return day


FORM = {"leave_type": "{lr_type}", "start": "{lr_day}", "end": "{lr_day}", "start_half": "am", "end_half": "pm"}
BODY = {"leave_type_id": "{lr_type}", "start": "{lr_day}", "end": "{lr_day}"}

#                                                                           anon  empl  mgr  mentor  hr  admin  outs
WEB = [
    Row("leave/", "GET", f"{W}/",                                           (302, 200, 200, 200, 200, 404, 200)),
    Row("leave/new/", "GET", f"{W}/new/",                                   (302, 200, 200, 200, 200, 404, 200)),
    Row("leave/new/", "POST", f"{W}/new/",                                  (302, 302, 302, 302, 302, 404, 302),
        body=FORM),
    Row("leave/new/preview/", "GET", f"{W}/new/preview/",                   (302, 200, 200, 200, 200, 404, 200)),
    Row("leave/<int:pk>/", "GET", f"{W}/{{lr_employee}}/",                  (302, 200, 200, 404, 200, 200, 404)),
    Row("leave/<int:pk>/approve/", "POST", f"{W}/{{lr_mentor}}/approve/",   (302, 404, 302, 404, 404, 404, 404),
        body={"note": "matrix"}),
    Row("leave/<int:pk>/reject/", "POST", f"{W}/{{lr_mentor}}/reject/",     (302, 404, 302, 404, 404, 404, 404),
        body={"note": "matrix"}),
    Row("leave/<int:pk>/cancel/", "POST", f"{W}/{{lr_employee}}/cancel/",   (302, 302, 404, 404, 302, 404, 404),
        body={}),
    Row("leave/<int:pk>/document/", "GET", f"{W}/{{lr_employee}}/document/",
        (302, 200, 200, 404, 200, 200, 404)),
    Row("leave/approvals/", "GET", f"{W}/approvals/",                       (302, 200, 200, 200, 200, 404, 200)),
    Row("leave/delegation/", "GET", f"{W}/delegation/",                     (302, 404, 200, 404, 200, 404, 404)),
    Row("leave/delegation/", "POST", f"{W}/delegation/",                    (302, 404, 302, 404, 302, 404, 404),
        body={"delegate": "T-mentor", "start": "{lr_far}", "end": "{lr_far}"}),
    Row("leave/delegation/<int:pk>/delete/", "POST", f"{W}/delegation/{{lr_delegation}}/delete/",
        (302, 404, 302, 404, 302, 404, 404), body={}),
    Row("leave/calendar/", "GET", f"{W}/calendar/",                         (302, 200, 200, 200, 200, 200, 200)),
]

#                                                                           anon  empl  mgr  mentor  hr  admin  outs
API = [
    Row(f"{A}/leave-requests", "GET", f"{A}/leave-requests",                (401, 200, 200, 200, 200, 200, 200)),
    Row(f"{A}/leave-requests", "POST", f"{A}/leave-requests",               (401, 201, 201, 201, 201, 403, 201),
        body=BODY),
    Row(f"{A}/leave-requests/{{request_id}}", "GET", f"{A}/leave-requests/{{lr_employee}}",
        (401, 200, 200, 404, 200, 200, 404)),
    Row(f"{A}/leave-requests/{{request_id}}/approve", "POST", f"{A}/leave-requests/{{lr_mentor}}/approve",
        (401, 404, 200, 403, 403, 403, 404), body={"note": "matrix"}),
    Row(f"{A}/leave-requests/{{request_id}}/reject", "POST", f"{A}/leave-requests/{{lr_mentor}}/reject",
        (401, 404, 200, 403, 403, 403, 404), body={"note": "matrix"}),
    Row(f"{A}/leave-requests/{{request_id}}/cancel", "POST", f"{A}/leave-requests/{{lr_employee}}/cancel",
        (401, 200, 403, 404, 200, 403, 404), body={}),
]


def keys(world) -> dict:
    from django.core.files.base import ContentFile

    from talentloop.attendance.models import ApprovalDelegation
    from talentloop.leave.models import ApprovalStep, LeaveRequest, LeaveType

    kind, _created = LeaveType.objects.get_or_create(
        code="matrix-leave", defaults={"name": "矩阵假", "name_en": "Matrix leave", "category": "other",
                                       "tracks_balance": True, "allow_negative": True})
    taken = _workday(20)
    employee, mentor = world.emp(world.employee), world.emp(world.mentor)
    lead, manager = world.emp(world.lead), world.emp(world.manager)
    found = {}
    for person, approver in ((employee, lead), (mentor, manager)):
        request = LeaveRequest.objects.filter(employee=person, leave_type=kind).first()
        if request is None:
            request = LeaveRequest.objects.create(employee=person, leave_type=kind, start=taken, end=taken,
                                                  days=Decimal("1"))
            ApprovalStep.objects.create(request=request, order=1, role="manager", approver=approver)
            request.document.save("matrix.pdf", ContentFile(b"%PDF-1.4\n%%EOF\n"), save=True)
        found[person.pk] = request.pk
    far = _workday(200)
    delegation, _created = ApprovalDelegation.objects.get_or_create(
        approver=manager, delegate=mentor, start=far - dt.timedelta(days=60), end=far - dt.timedelta(days=50))
    return {"lr_type": kind.pk, "lr_day": _workday(30).isoformat(), "lr_far": far.isoformat(),
            "lr_employee": found[employee.pk], "lr_mentor": found[mentor.pk], "lr_delegation": delegation.pk}
