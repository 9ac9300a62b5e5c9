"""Access matrix rows: importing attendance-machine punches and the vendor apps (WeCom, DingTalk,
Feishu). Statuses written by hand from the rules of issue 12 and attendance/access.py:

- HR covering the whole organisation (``hr``) imports punches, keeps the vendor credentials and asks
  for a pull; the technical admin reads the history, an import's refused rows and the vendor page
  (secrets masked) but changes nothing (404 on the pages' forms, 403 from the API);
- everyone else: 404 on the pages, 403 on the list and upload endpoints, 404 for one import.

Columns: anonymous, employee, manager, mentor, hr, admin, outsider. The upload is a small export
whose punch lies in the past; ``ti_import`` is an earlier import, ``dingtalk`` is set up and enabled
(the pull is only enqueued after commit, and the matrix rolls every request back: nothing is called).
"""

from __future__ import annotations

from talentloop.testing.matrix import Row

W = "/time"
A = "/api/v1/time"
PUNCHES = "工号,打卡时间,设备\nT-employee,2025-06-02 08:59:12,大门-01\nNOPE,2025-06-02 09:00:00,大门-01\n".encode()


class _Upload:
    """A file for the multipart body that reads the same content for every persona."""

    name = "punches.csv"
    content_type = "text/csv"

    def read(self) -> bytes:
        return PUNCHES


UPLOAD = _Upload()
VENDOR_FORM = {"wecom-app_id": "ww-corp", "wecom-secret": "matrix-secret", "wecom-enabled": "on"}

#                                                                           anon  empl  mgr  mentor  hr  admin  outs
WEB = [
    Row("time/imports/", "GET", f"{W}/imports/",                            (302, 404, 404, 404, 200, 200, 404)),
    Row("time/imports/", "POST", f"{W}/imports/",                           (302, 404, 404, 404, 200, 404, 404),
        body={"step": "check", "file": UPLOAD}, label="check a file"),
    Row("time/imports/", "POST", f"{W}/imports/",                           (302, 404, 404, 404, 302, 404, 404),
        body={"step": "apply", "token": "x" * 32}, label="import without a checked file"),
    Row("time/imports/<int:pk>/", "GET", f"{W}/imports/{{ti_import}}/",     (302, 404, 404, 404, 200, 200, 404)),
    Row("time/imports/<int:pk>/", "GET", f"{W}/imports/987654/",            (302, 404, 404, 404, 404, 404, 404),
        label="no such import"),
    Row("time/vendors/", "GET", f"{W}/vendors/",                            (302, 404, 404, 404, 200, 200, 404)),
    Row("time/vendors/<str:vendor>/", "POST", f"{W}/vendors/wecom/",        (302, 404, 404, 404, 302, 404, 404),
        body=VENDOR_FORM),
    Row("time/vendors/<str:vendor>/", "POST", f"{W}/vendors/slack/",        (302, 404, 404, 404, 404, 404, 404),
        body=VENDOR_FORM, label="no such vendor"),
    Row("time/vendors/<str:vendor>/pull/", "POST", f"{W}/vendors/dingtalk/pull/",
        (302, 404, 404, 404, 302, 404, 404), body={}),
    Row("time/vendors/<str:vendor>/pull/", "POST", f"{W}/vendors/feishu/pull/",
        (302, 404, 404, 404, 404, 404, 404), body={}, label="not set up"),
]

#                                                                           anon  empl  mgr  mentor  hr  admin  outs
API = [
    Row(f"{A}/clock-imports", "POST", f"{A}/clock-imports?dry_run=true",    (401, 403, 403, 403, 200, 403, 403),
        body={"file": UPLOAD}, label="dry run"),
    Row(f"{A}/clock-imports", "POST", f"{A}/clock-imports?dry_run=false",   (401, 403, 403, 403, 201, 403, 403),
        body={"file": UPLOAD}, label="import"),
    Row(f"{A}/clock-imports", "GET", f"{A}/clock-imports",                  (401, 403, 403, 403, 200, 200, 403)),
    Row(f"{A}/clock-imports/{{import_id}}", "GET", f"{A}/clock-imports/{{ti_import}}",
        (401, 404, 404, 404, 200, 200, 404)),
]


def keys(world) -> dict:
    from talentloop.attendance.models import ClockImport, VendorAttendance

    item = ClockImport.objects.create(file_name="earlier.csv", rows=2, added=1, rejected=1, by=world.hr,
                                      errors=[{"line": 3, "employee_number": "NOPE", "timestamp": "2025-06-02 09:00:00",
                                               "device": "大门-01", "reasons": ["No employee has the number NOPE."]}])
    vendor = VendorAttendance(vendor="dingtalk", app_id="ding-key", base_url="http://127.0.0.1:9", enabled=True)
    vendor.secret = "matrix-dingtalk-secret"
    vendor.save()
    return {"ti_import": item.pk}
