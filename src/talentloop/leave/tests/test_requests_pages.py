"""Leave request pages and API: the same services behind both, bad input answered with the reason,
records out of scope a 404, approving from the notification."""

from __future__ import annotations

import base64
import datetime as dt
from decimal import Decimal

import pytest

from talentloop.attendance.models import ApprovalDelegation
from talentloop.core.access import actor_for
from talentloop.leave.models import LeaveRequest
from talentloop.leave.selectors.ledger import balance
from talentloop.leave.services.requests import leave_request_submit
from talentloop.leave.tests.request_fixtures import PDF, frozen, grant, leave_type
from talentloop.notifications.models import Notification

pytestmark = pytest.mark.django_db

D = dt.date
API = "/api/v1/time/leave-requests"


@pytest.fixture
def annual(world):
    kind = leave_type()
    grant(world.emp(world.employee), kind, "5")
    return kind


def _request(world, kind, start=D(2026, 9, 29), end=D(2026, 9, 30), persona="employee"):
    return leave_request_submit(actor_for(getattr(world, persona)), leave_type=kind, start=start, end=end)


def test_request_from_the_page_then_approve_from_the_notification(world, client_for, annual,
                                                                  django_capture_on_commit_callbacks):
    employee, lead = client_for("employee"), client_for("lead")
    emp = world.emp(world.employee)
    with frozen():
        page = employee.get("/leave/")
        assert page.status_code == 200
        assert b'data-testid="request-leave"' in page.content
        assert {r.leave_type.code: r.available for r in page.context["balances"]}["annual-t"] == Decimal("5")
        # the htmx preview: Tue 29 .. Wed 30 Sep = 2 days, 5 before, 3 after
        preview = employee.get("/leave/new/preview/", {"leave_type": annual.pk, "start": "2026-09-29",
                                                       "end": "2026-09-30", "start_half": "am", "end_half": "pm"},
                               HTTP_HX_REQUEST="true")
        assert preview.status_code == 200
        assert b'data-testid="leave-form"' not in preview.content  # only the partial
        body = preview.content.decode()
        assert 'data-testid="preview-days">2<' in body
        assert 'data-testid="preview-before">5<' in body and 'data-testid="preview-after">3<' in body
        with django_capture_on_commit_callbacks(execute=True):
            response = employee.post("/leave/new/", {"leave_type": annual.pk, "start": "2026-09-29",
                                                     "end": "2026-09-30", "start_half": "am", "end_half": "pm",
                                                     "reason": "家事"})
        request = LeaveRequest.objects.get()
        assert response.status_code == 302 and response["Location"] == f"/leave/{request.pk}/"
        # lead's inbox holds the request; opening it lands on the request with the approve button
        notice = Notification.objects.get(kind="leave_request_waiting", recipient=world.emp(world.lead))
        assert "approve or reject" in notice.text
        opened = lead.post(f"/notifications/{notice.pk}/open/")
        assert opened.status_code == 302 and opened["Location"] == f"/leave/{request.pk}/"
        detail = lead.get(opened["Location"])
        assert b'data-testid="approve"' in detail.content
        with django_capture_on_commit_callbacks(execute=True):
            lead.post(f"/leave/{request.pk}/approve/", {"note": "好"})
    request.refresh_from_db()
    assert request.status == "approved"
    # 5 - 2 = 3
    assert balance(employee_id=emp.pk, leave_type_id=annual.pk, as_of=D(2026, 10, 31)) == 3
    assert Notification.objects.filter(kind="leave_request_decided", recipient=emp).exists()
    # On my leave page (as of 28 Sep): the ledger still holds 5, 2 days booked ahead, 3 left
    with frozen():
        rows = {r.leave_type.code: r for r in employee.get("/leave/").context["balances"]}
    row = rows["annual-t"]
    assert (row.balance, row.booked, row.pending, row.available) == (5, 2, 0, 3)


def test_bad_input_on_the_page_shows_the_reason_and_writes_nothing(world, client_for, annual):
    employee = client_for("employee")
    with frozen():
        response = employee.post("/leave/new/", {"leave_type": annual.pk, "start": "2026-10-01",
                                                 "end": "2026-10-07", "start_half": "am", "end_half": "pm"},
                                 HTTP_HX_REQUEST="true")
    assert response.status_code == 422
    assert "no workday" in response.content.decode()
    with frozen():
        response = employee.post("/leave/new/", {"leave_type": annual.pk, "start": "2026-09-29",
                                                 "end": "2026-10-13", "start_half": "am", "end_half": "pm"})
    # 29, 30 Sep, 8, 9, 10 (调休), 12, 13 Oct = 7 days > 5
    assert response.status_code == 200
    assert "only 5 are available" in response.content.decode()
    assert not LeaveRequest.objects.exists()


def test_document_upload_and_download(world, client_for):
    from django.core.files.uploadedfile import SimpleUploadedFile

    sick = leave_type("sick-t", category="sick", tracks_balance=False, requires_document=True)
    employee = client_for("employee")
    with frozen():
        response = employee.post("/leave/new/", {
            "leave_type": sick.pk, "start": "2026-09-29", "end": "2026-09-29", "start_half": "am",
            "end_half": "pm", "document": SimpleUploadedFile("cert.pdf", PDF, content_type="application/pdf")})
    request = LeaveRequest.objects.get()
    assert response.status_code == 302
    download = employee.get(f"/leave/{request.pk}/document/")
    assert download.status_code == 200 and b"".join(download.streaming_content) == PDF
    assert client_for("outsider").get(f"/leave/{request.pk}/document/").status_code == 404
    assert client_for("lead").get(f"/leave/{request.pk}/document/").status_code == 200


def test_out_of_tree_manager_gets_404(world, client_for, api_client_for, annual):
    with frozen():
        request = _request(world, annual)
    for persona in ("outsider", "mentor"):
        assert client_for(persona).get(f"/leave/{request.pk}/").status_code == 404
        assert client_for(persona).post(f"/leave/{request.pk}/approve/").status_code == 404
        assert api_client_for(persona).post(f"{API}/{request.pk}/approve", {}, content_type="application/json"
                                            ).status_code == 404
    # the manager above sees it but the decision is lead's: 404 on the page, 403 from the API
    assert client_for("manager").get(f"/leave/{request.pk}/").status_code == 200
    assert client_for("manager").post(f"/leave/{request.pk}/approve/").status_code == 404
    assert api_client_for("manager").post(f"{API}/{request.pk}/approve", {}, content_type="application/json"
                                          ).status_code == 403
    request.refresh_from_db()
    assert request.status == "pending"


def test_api_submit_list_approve_cancel(world, api_client_for, annual):
    employee, lead = api_client_for("employee"), api_client_for("lead")
    emp = world.emp(world.employee)
    with frozen():
        doc = {"name": "note.pdf", "content_base64": base64.b64encode(PDF).decode()}
        response = employee.post(API, {"leave_type_id": annual.pk, "start": "2026-09-29", "end": "2026-09-30",
                                       "start_half": "pm", "end_half": "pm", "reason": "看病", "document": doc},
                                 content_type="application/json")
        assert response.status_code == 201, response.content
        body = response.json()
        # Tue afternoon + Wed = 1.5 days; lead decides
        assert Decimal(body["days"]) == Decimal("1.5")
        assert body["steps"][0]["approver_name"] == "Lead" and body["has_document"] is True
        rid = body["id"]
        listed = lead.get(API, {"status": "pending"}).json()
        assert [r["id"] for r in listed["items"]] == [rid]
        assert employee.get(API, {"status": "approved"}).json()["items"] == []
        assert lead.get(f"{API}/{rid}").json()["can_decide"] is True
        approved = lead.post(f"{API}/{rid}/approve", {"note": "ok"}, content_type="application/json")
        assert approved.status_code == 200 and approved.json()["status"] == "approved"
        # 5 - 1.5 = 3.5
        assert balance(employee_id=emp.pk, leave_type_id=annual.pk, as_of=D(2026, 10, 31)) == Decimal("3.5")
        again = lead.post(f"{API}/{rid}/reject", {}, content_type="application/json")
        assert again.status_code == 409
        cancelled = employee.post(f"{API}/{rid}/cancel", {}, content_type="application/json")
        assert cancelled.status_code == 200 and cancelled.json()["status"] == "cancelled"
    assert balance(employee_id=emp.pk, leave_type_id=annual.pk, as_of=D(2026, 10, 31)) == 5


def test_api_refusals_answer_with_the_reason(world, api_client_for, annual):
    employee = api_client_for("employee")
    with frozen():
        holiday = employee.post(API, {"leave_type_id": annual.pk, "start": "2026-10-01", "end": "2026-10-03"},
                                content_type="application/json")
        assert holiday.status_code == 422 and "no workday" in holiday.json()["detail"]
        over = employee.post(API, {"leave_type_id": annual.pk, "start": "2026-09-29", "end": "2026-10-13"},
                             content_type="application/json")
        assert over.status_code == 422 and "end" in over.json()["errors"]
        unknown = employee.post(API, {"leave_type_id": 987654, "start": "2026-09-29", "end": "2026-09-29"},
                                content_type="application/json")
        assert unknown.status_code == 422 and "leave_type_id" in unknown.json()["errors"]
        bad_doc = employee.post(API, {"leave_type_id": annual.pk, "start": "2026-09-29", "end": "2026-09-29",
                                      "document": {"name": "x.pdf", "content_base64": "!!!!"}},
                                content_type="application/json")
        assert bad_doc.status_code == 422 and "document" in bad_doc.json()["errors"]
        fake = employee.post(API, {"leave_type_id": annual.pk, "start": "2026-09-29", "end": "2026-09-29",
                                   "document": {"name": "x.pdf",
                                                "content_base64": base64.b64encode(b"MZ\x90\x00").decode()}},
                             content_type="application/json")
        assert fake.status_code == 422 and "PDF, JPEG or PNG" in fake.json()["errors"]["document"][0]
        first = employee.post(API, {"leave_type_id": annual.pk, "start": "2026-09-29", "end": "2026-09-29"},
                              content_type="application/json")
        assert first.status_code == 201
        overlap = employee.post(API, {"leave_type_id": annual.pk, "start": "2026-09-29", "end": "2026-09-30"},
                                content_type="application/json")
        assert overlap.status_code == 422 and "start" in overlap.json()["errors"]
        # a manager may not record leave for their report: only HR
        body = {"leave_type_id": annual.pk, "start": "2026-09-30", "end": "2026-09-30",
                "employee_id": world.emp(world.employee).pk}
        for_report = api_client_for("lead").post(API, body, content_type="application/json")
        assert for_report.status_code == 403
    assert LeaveRequest.objects.count() == 1


def test_approvals_page_and_delegation_page(world, client_for, annual):
    with frozen():
        request = _request(world, annual)
        page = client_for("lead").get("/leave/approvals/")
        assert [s.request_id for s in page.context["steps"]] == [request.pk]
        assert client_for("mentor").get("/leave/approvals/").context["steps"] == []
        lead = client_for("lead")
        # lead delegates to mentor from today to Friday
        bad = lead.post("/leave/delegation/", {"delegate_id": world.emp(world.lead).pk, "delegate": "",
                                               "start": "2026-09-28", "end": "2026-10-02"})
        assert bad.status_code == 200 and "No one by that name" in bad.content.decode()
        wrong = lead.post("/leave/delegation/", {"delegate": "T-mentor", "start": "2026-10-02", "end": "2026-09-28"})
        assert wrong.status_code == 200 and "on or after" in wrong.content.decode()
        assert not ApprovalDelegation.objects.exists()
        ok = lead.post("/leave/delegation/", {"delegate": "T-mentor", "start": "2026-09-28", "end": "2026-10-02"})
        assert ok.status_code == 302
        clash = lead.post("/leave/delegation/", {"delegate": "T-manager", "start": "2026-10-01", "end": "2026-10-05"})
        assert "already delegate" in clash.content.decode()
        mentor = client_for("mentor")
        assert [s.request_id for s in mentor.get("/leave/approvals/").context["steps"]] == [request.pk]
        assert mentor.get(f"/leave/{request.pk}/").status_code == 200
        mentor.post(f"/leave/{request.pk}/approve/", {"next": "approvals"})
        request.refresh_from_db()
        assert request.status == "approved"
        delegation = ApprovalDelegation.objects.get()
        assert client_for("mentor").post(f"/leave/delegation/{delegation.pk}/delete/").status_code == 404
        assert lead.post(f"/leave/delegation/{delegation.pk}/delete/").status_code == 302
    assert not ApprovalDelegation.objects.exists()
    assert client_for("employee").get("/leave/delegation/").status_code == 404


def test_team_calendar_shows_who_is_away_and_the_kind_only_to_those_who_may_see_it(world, client_for, annual):
    with frozen():
        request = _request(world, annual, start=D(2026, 9, 29), end=D(2026, 9, 30))
    # lead sees employee (below them), with the kind of leave
    lead = client_for("lead").get("/leave/calendar/", {"month": "2026-09"})
    assert lead.status_code == 200
    rows = {r.employee.name_en: r for r in lead.context["month"].rows}
    cell = next(c for c in rows["Employee"].cells if c.date == D(2026, 9, 29))
    assert cell.away and cell.pending and cell.label == "Annual leave"
    assert rows["Employee"].away_days == 2
    # the employee's colleague under lead (a new teammate) sees that they are away, not why
    from talentloop.testing.factories import EmployeeFactory, UserFactory

    mate = UserFactory(username="mate")
    EmployeeFactory(user=mate, org_unit=world.platform, manager=world.emp(world.lead))
    seen = client_for(None)
    seen.force_login(mate)
    page = seen.get("/leave/calendar/", {"month": "2026-09"})
    cell = next(c for c in {r.employee.name_en: r for r in page.context["month"].rows}["Employee"].cells
                if c.date == D(2026, 9, 30))
    assert cell.away and cell.label == ""
    assert "Annual leave" not in page.content.decode()
    # October: National Day marked as statutory
    october = client_for("employee").get("/leave/calendar/", {"month": "2026-10"})
    kinds = dict(october.context["month"].days)
    assert kinds[D(2026, 10, 1)] == "statutory" and kinds[D(2026, 10, 10)] == "workday"
    assert request.pk


def test_the_delegate_picker_offers_colleagues_not_oneself(world, client_for):
    # lead's colleagues under manager (mentor), their manager, their report (employee); not lead.
    # The outsider (sales, under nobody lead knows) is not offered.
    response = client_for("lead").get("/people/search/", {"scope": "leave-delegates", "q": "t-"})
    body = response.content.decode()
    assert response.status_code == 200
    assert "T-mentor" in body and "T-manager" in body and "T-employee" in body
    assert "T-lead" not in body and "T-outsider" not in body
