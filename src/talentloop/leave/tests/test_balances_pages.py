"""Balances as of a date with their ledger lines (page and API), HR's adjustment, prior service."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from talentloop.core.audit.models import AuditEntry
from talentloop.leave.models import LeaveType, LedgerEntry, PriorService
from talentloop.leave.selectors.ledger import balance
from talentloop.leave.services.accrual import leave_accrue
from talentloop.notifications.models import Notification

pytestmark = pytest.mark.django_db

D = dt.date
API = "/api/v1/time/leave-balances"
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture
def annual(world):
    # Everyone of the world was hired 2019-05-06 (first job): eligible 2020-05-06; in 2026, 6 years → 5 days.
    leave_accrue(as_of=D(2026, 1, 1))
    return LeaveType.objects.get(code="annual")


def test_my_balances_as_of_a_date_with_the_lines(world, client_for, annual):
    page = client_for("employee").get("/leave/balances/", {"as_of": "2026-01-01"})
    assert page.status_code == 200
    rows = {r.leave_type.code: r for r in page.context["rows"]}
    assert rows["annual"].balance == 5 and rows["in_lieu"].balance == 0
    assert [line.running for line in rows["annual"].lines] == [5]
    assert 'data-testid="balance-annual"' in page.content.decode()
    # Hired 2019-05-06 (first job): eligible 2020-05-06; on 2026-01-01, 6 full years → 5 days for 2026.
    summary = rows["annual"].annual
    assert (summary.year, summary.days, summary.service_years, summary.eligible_from) == (2026, 5, 6, D(2020, 5, 6))
    assert 'data-testid="annual-summary"' in page.content.decode()
    before = client_for("employee").get("/leave/balances/", {"as_of": "2025-12-31"})
    assert {r.leave_type.code: r.balance for r in before.context["rows"]}["annual"] == 0
    assert before.context["adjust"] is None  # only HR adjusts, never their own


def test_who_sees_whose_balances(world, client_for, annual):
    employee = world.emp(world.employee)
    query = {"employee_id": employee.pk, "employee": employee.employee_number}
    assert client_for("lead").get("/leave/balances/", query).status_code == 200  # above them
    assert client_for("hr").get("/leave/balances/", query).status_code == 200
    assert client_for("outsider").get("/leave/balances/", query).status_code == 404
    assert client_for("mentor").get("/leave/balances/", query).status_code == 404
    assert client_for("admin").get("/leave/balances/").status_code == 404  # no record of their own


def test_hr_adjusts_with_a_reason_on_the_page_and_the_api(world, client_for, api_client_for, annual,
                                                          django_capture_on_commit_callbacks):
    employee = world.emp(world.employee)
    hr = client_for("hr")
    # No reason: refused, nothing written.
    refused = hr.post("/leave/balances/adjust/", {"employee_id": employee.pk, "leave_type": annual.pk, "days": "2",
                                                  "effective_date": "2026-02-01", "reason": " "},
                      HTTP_HX_REQUEST="true")
    assert refused.status_code == 422
    assert LedgerEntry.objects.filter(kind="adjustment").count() == 0
    with django_capture_on_commit_callbacks(execute=True):
        done = hr.post("/leave/balances/adjust/", {"employee_id": employee.pk, "leave_type": annual.pk,
                                                   "days": "2", "effective_date": "2026-02-01",
                                                   "reason": "入职协议约定"})
    assert done.status_code == 302
    assert balance(employee_id=employee.pk, leave_type_id=annual.pk, as_of=D(2026, 2, 1)) == 7
    assert AuditEntry.objects.filter(action="leave_balance.adjust").count() == 1
    assert Notification.objects.filter(recipient=employee, kind="leave_balance_adjusted").count() == 1
    # The API: the same service. A manager may not adjust (403); a type not drawn from a balance is refused.
    api = api_client_for("hr")
    body = {"employee_id": employee.pk, "leave_type_id": annual.pk, "days": "-0.5", "effective_date": "2026-02-02",
            "reason": "更正"}
    assert api_client_for("lead").post(f"{API}/adjust", body, content_type="application/json").status_code == 403
    created = api.post(f"{API}/adjust", body, content_type="application/json")
    assert created.status_code == 201 and created.json()["balance_after"] == "6.5"
    sick = LeaveType.objects.get(code="sick")
    bad = api.post(f"{API}/adjust", {**body, "leave_type_id": sick.pk}, content_type="application/json")
    assert bad.status_code == 422 and "leave_type" in bad.json()["errors"]
    assert api.post(f"{API}/adjust", {**body, "days": "0"}, content_type="application/json").status_code == 422
    # Own balance: never.
    own = {**body, "employee_id": world.emp(world.hr).pk}
    assert api.post(f"{API}/adjust", own, content_type="application/json").status_code == 403


def test_api_balances_with_entries_replay_to_the_balance(world, api_client_for, annual):
    employee = world.emp(world.employee)
    mine = api_client_for("employee").get(API, {"as_of": "2026-03-01"})
    assert mine.status_code == 200
    body = mine.json()
    assert body["employee_id"] == employee.pk
    by_code = {b["code"]: b for b in body["balances"]}
    total = sum(Decimal(e["days"]) for e in by_code["annual"]["entries"])
    assert Decimal(by_code["annual"]["balance"]) == total == 5
    assert by_code["annual"]["entries"][0]["created_by"] is None  # the accrual job
    assert api_client_for("outsider").get(API, {"employee": employee.pk}).status_code == 404
    assert api_client_for("manager").get(API, {"employee": employee.pk}).status_code == 200
    assert api_client_for("employee").get(API, {"as_of": "2026-02-30"}).status_code == 422


def test_balances_in_a_constant_number_of_queries(world, api_client_for, annual):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from talentloop.leave.services.ledger import ledger_post

    employee = world.emp(world.employee)
    client = api_client_for("employee")

    def count() -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(API, {"as_of": "2026-12-31"}).status_code == 200
        return len(ctx.captured_queries)

    count()  # the first request of a token also stamps its use
    few = count()
    for n in range(30):
        ledger_post(by=None, employee_id=employee.pk, leave_type_id=annual.pk, kind="use",
                    effective_date=D(2026, 3, 1) + dt.timedelta(days=n), days=Decimal("-0.5"), reason="t",
                    key=f"t:{n}")
    assert count() == few


def _evidence(content: bytes = PDF, name: str = "证明.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="application/pdf")


def test_prior_service_stated_verified_and_counted(world, client_for, annual, settings, tmp_path,
                                                   django_capture_on_commit_callbacks):
    settings.MEDIA_ROOT = tmp_path
    employee = world.emp(world.employee)
    me = client_for("employee")
    assert me.get("/leave/prior-service/").status_code == 200
    # Bad input: an image that is not one, an end after joining: refused, nothing stored.
    fake = me.post("/leave/prior-service/", {"employer": "甲公司", "start": "2005-01-01", "end": "2015-12-31",
                                             "evidence": _evidence(b"MZ\x90\x00 not a pdf", "x.pdf")})
    assert fake.status_code == 200 and "evidence" in fake.context["form"].errors
    late = me.post("/leave/prior-service/", {"employer": "甲公司", "start": "2005-01-01", "end": "2019-06-01",
                                             "evidence": _evidence()})
    assert "end" in late.context["form"].errors
    assert PriorService.objects.count() == 0
    with django_capture_on_commit_callbacks(execute=True):
        sent = me.post("/leave/prior-service/", {"employer": "甲公司", "start": "2005-01-01", "end": "2015-12-31",
                                                 "evidence": _evidence()})
    assert sent.status_code == 302
    row = PriorService.objects.get()
    assert row.status == "pending" and row.evidence.name.startswith("private/") and "证明" not in row.evidence.name
    assert Notification.objects.filter(kind="prior_service_waiting", recipient=world.emp(world.hr)).exists()
    # Evidence: the person and HR; not the manager, not an outsider.
    assert me.get(f"/leave/prior-service/{row.pk}/evidence/").status_code == 200
    assert client_for("hr").get(f"/leave/prior-service/{row.pk}/evidence/").status_code == 200
    assert client_for("lead").get(f"/leave/prior-service/{row.pk}/evidence/").status_code == 404
    assert client_for("outsider").get(f"/leave/prior-service/{row.pk}/evidence/").status_code == 404
    # HR verifies; the person may not verify their own.
    assert me.post(f"/leave/prior-service/{row.pk}/decide/", {"decision": "verify"}).status_code == 404
    review = client_for("hr").get("/leave/prior-service/review/")
    assert [r.pk for r in review.context["rows"]] == [row.pk]
    with django_capture_on_commit_callbacks(execute=True):
        decided = client_for("hr").post(f"/leave/prior-service/{row.pk}/decide/", {"decision": "verify"})
    assert decided.status_code == 302
    row.refresh_from_db()
    assert row.status == "verified" and row.verified_by == world.hr
    assert Notification.objects.filter(kind="prior_service_decided", recipient=employee).exists()
    # Counted: 2005-01-01..2015-12-31 is 11 years (4018 days) before the hire date 2019-05-06, so the
    # equivalent start is 2008-05-06 (4018 days earlier) and 18 years are complete in 2026: 10 days a
    # year instead of 5 → +5 on the next run.
    leave_accrue(as_of=D(2026, 3, 2))
    assert balance(employee_id=employee.pk, leave_type_id=annual.pk, as_of=D(2026, 3, 2)) == 10
    again = client_for("hr").post(f"/leave/prior-service/{row.pk}/decide/", {"decision": "reject"})
    assert again.status_code == 302 and PriorService.objects.get().status == "verified"  # decided once


def test_api_accepts_no_unknown_employee(world, api_client_for, annual):
    body = {"employee_id": 10**9, "leave_type_id": annual.pk, "days": "1", "effective_date": "2026-02-02",
            "reason": "x"}
    assert api_client_for("hr").post(f"{API}/adjust", json.dumps(body),
                                     content_type="application/json").status_code == 404


def test_balances_page_in_the_same_number_of_queries_at_two_sizes(world, client_for, annual):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from talentloop.leave.services.ledger import ledger_post

    employee = world.emp(world.employee)
    hr = client_for("hr")
    url = f"/leave/balances/?employee_id={employee.pk}&employee={employee.employee_number}&as_of=2026-12-31"

    def count() -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert hr.get(url).status_code == 200
        return len(ctx.captured_queries)

    count()
    few = count()
    for n in range(40):
        ledger_post(by=world.hr, employee_id=employee.pk, leave_type_id=annual.pk, kind="adjustment",
                    effective_date=D(2026, 2, 1) + dt.timedelta(days=n), days=Decimal("0.25"), reason="t",
                    key=f"p:{n}")
    assert count() == few


def test_prior_service_through_the_api(world, api_client_for, annual, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    me = api_client_for("employee")
    png = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32
    sent = me.post("/api/v1/time/prior-services", {"employer": "乙公司", "start": "2010-03-01", "end": "2012-02-29",
                                                    "evidence": SimpleUploadedFile("a.png", png)})
    assert sent.status_code == 201, sent.content
    row_id = sent.json()["id"]
    assert sent.json()["status"] == "pending" and sent.json()["has_evidence"] is True
    # The end before the start: refused with the field.
    bad = me.post("/api/v1/time/prior-services", {"employer": "乙公司", "start": "2012-03-01", "end": "2010-02-28",
                                                   "evidence": SimpleUploadedFile("a.png", png)})
    assert bad.status_code == 422 and "end" in bad.json()["errors"]
    assert [r["id"] for r in me.get("/api/v1/time/prior-services").json()["items"]] == [row_id]
    hr = api_client_for("hr")
    assert [r["id"] for r in hr.get("/api/v1/time/prior-services/review").json()["items"]] == [row_id]
    assert me.post(f"/api/v1/time/prior-services/{row_id}/verify").status_code == 403
    rejected = hr.post(f"/api/v1/time/prior-services/{row_id}/reject")
    assert rejected.status_code == 200 and rejected.json()["status"] == "rejected"
    assert hr.post(f"/api/v1/time/prior-services/{row_id}/verify").status_code == 409
