"""Work results (issue 5).

Statuses in the order anonymous, employee, manager, mentor, hr, admin, outsider — by hand:

- The result is a pending project report of ``employee`` (who reports to lead, who reports to
  ``manager``) with one attachment. The employee, the management chain and HR see it and its
  attachment; the mentor (a colleague), the outsider and the technical admin do not (404).
- The chain and HR confirm or reject it; the employee may not (web: 404, API: 403 for a visible
  result one may not decide). Only the employee withdraws it (API: 403 for the others who see it).
- Everyone with an employee record submits their own results; the admin has none (web 404, API 403).
- The lists show each persona's own results or queue (an empty list for most).
- The settings are HR's.
"""

from __future__ import annotations

import datetime as dt

from talentloop.testing.matrix import Row

TODAY = dt.date.today().isoformat()
FEEDBACK_FORM = {"kind": "customer_feedback", "customer": "矩阵客户", "score": "4", "occurred_on": TODAY}
FEEDBACK_JSON = {"kind": "customer_feedback", "customer": "矩阵客户", "score": 4, "occurred_on": TODAY}
SETTINGS_FORM = {"customer_feedback_trusted": "on", "project_report_metric": "", "customer_feedback_metric": ""}

#                                                                     anon  empl  mgr  mentor  hr  admin  outs
WEB = [
    Row("performance/results/", "GET", "/performance/results/",      (302, 200, 200, 200, 200, 200, 200)),
    Row("performance/results/new/", "GET", "/performance/results/new/", (302, 200, 200, 200, 200, 404, 200)),
    Row("performance/results/new/", "POST", "/performance/results/new/",
        (302, 302, 302, 302, 302, 404, 302), body=FEEDBACK_FORM),
    Row("performance/results/confirm/", "GET", "/performance/results/confirm/",
        (302, 200, 200, 200, 200, 200, 200)),
    Row("performance/results/settings/", "GET", "/performance/results/settings/",
        (302, 404, 404, 404, 200, 404, 404)),
    Row("performance/results/settings/", "POST", "/performance/results/settings/",
        (302, 404, 404, 404, 302, 404, 404), body=SETTINGS_FORM),
    Row("performance/results/person/<int:pk>/", "GET", "/performance/results/person/{work_result_person}/",
        (302, 200, 200, 404, 200, 404, 404)),
    Row("performance/results/<int:pk>/", "GET", "/performance/results/{work_result}/",
        (302, 200, 200, 404, 200, 404, 404)),
    Row("performance/results/<int:pk>/confirm/", "POST", "/performance/results/{work_result}/confirm/",
        (302, 404, 302, 404, 302, 404, 404), body={"note": ""}),
    Row("performance/results/<int:pk>/reject/", "POST", "/performance/results/{work_result}/reject/",
        (302, 404, 302, 404, 302, 404, 404), body={"note": "不是本月的项目"}),
    Row("performance/results/<int:pk>/withdraw/", "POST", "/performance/results/{work_result}/withdraw/",
        (302, 302, 404, 404, 404, 404, 404), body={}),
    Row("performance/results/<int:pk>/attachments/<int:aid>/", "GET",
        "/performance/results/{work_result}/attachments/{work_result_attachment}/",
        (302, 200, 200, 404, 200, 404, 404)),
]

#                                                                     anon  empl  mgr  mentor  hr  admin  outs
API = [
    Row("/api/v1/work-results", "POST", "/api/v1/work-results",      (401, 201, 201, 201, 201, 403, 201),
        body=FEEDBACK_JSON),
    Row("/api/v1/work-results", "GET", "/api/v1/work-results",       (401, 200, 200, 200, 200, 200, 200)),
    Row("/api/v1/work-results/settings", "GET", "/api/v1/work-results/settings",
        (401, 403, 403, 403, 200, 403, 403)),
    Row("/api/v1/work-results/settings", "PUT", "/api/v1/work-results/settings",
        (401, 403, 403, 403, 200, 403, 403), body={"skill_test": {"trusted": True}}),
    Row("/api/v1/work-results/{result_id}", "GET", "/api/v1/work-results/{work_result}",
        (401, 200, 200, 404, 200, 404, 404)),
    Row("/api/v1/work-results/{result_id}/confirm", "POST", "/api/v1/work-results/{work_result}/confirm",
        (401, 403, 200, 404, 200, 404, 404), body={"note": ""}),
    Row("/api/v1/work-results/{result_id}/reject", "POST", "/api/v1/work-results/{work_result}/reject",
        (401, 403, 200, 404, 200, 404, 404), body={"note": "不是本月的项目"}),
    Row("/api/v1/work-results/{result_id}/withdraw", "POST", "/api/v1/work-results/{work_result}/withdraw",
        (401, 200, 403, 404, 403, 404, 404)),
    Row("/api/v1/work-results/{result_id}/attachments/{attachment_id}", "GET",
        "/api/v1/work-results/{work_result}/attachments/{work_result_attachment}",
        (401, 200, 200, 404, 200, 404, 404)),
]


def keys(world) -> dict:
    """A pending project report of ``employee`` with one attachment (created once per test)."""
    from django.core.files.base import ContentFile

    from talentloop.performance.models import WorkResult, WorkResultAttachment

    employee = world.emp(world.employee)
    result, _created = WorkResult.objects.get_or_create(
        employee=employee, kind="project_report", title="矩阵项目",
        defaults={"occurred_on": dt.date.today(), "text": "按期交付", "submitted_by": world.employee})
    attachment = result.attachments.first()
    if attachment is None:
        attachment = WorkResultAttachment(result=result, name="report.txt", size=5, content_type="text/plain")
        attachment.file.save("report.txt", ContentFile(b"hello"), save=False)
        attachment.save()
    return {"work_result": result.pk, "work_result_attachment": attachment.pk, "work_result_person": employee.pk}
