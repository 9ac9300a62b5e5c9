"""Approving leave from the notification itself: the "waiting for you" notice carries Approve and
Reject in the inbox and in the notifications API, one tap each; access stays with the leave app (a
forged button changes nothing), a request decided, cancelled or moved on to the next approver offers
no buttons any more, and ``next`` never leaves the product. Now is Mon 28 Sep 2026, 09:00."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from talentloop.core.access import actor_for
from talentloop.leave.models import LeaveRequest
from talentloop.leave.selectors.ledger import balance
from talentloop.leave.services.requests import leave_request_cancel, leave_request_submit
from talentloop.leave.tests.request_fixtures import frozen, grant, leave_type
from talentloop.notifications.models import Notification

pytestmark = pytest.mark.django_db

D = dt.date
INBOX = "/notifications/"


@pytest.fixture
def annual(world):
    kind = leave_type()
    grant(world.emp(world.employee), kind, "5")
    return kind


def _submit(world, kind, start=D(2026, 9, 29), end=D(2026, 9, 30)) -> LeaveRequest:
    """Tue 29 and Wed 30 Sep: 2 days, one step (the lead); the notice committed at once."""
    with frozen():
        return leave_request_submit(actor_for(world.employee), leave_type=kind, start=start, end=end)


@pytest.fixture
def waiting(world, annual, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        request = _submit(world, annual)
    return request


def _notice(world, persona="lead") -> Notification:
    return Notification.objects.get(kind="leave_request_waiting", recipient=world.emp(getattr(world, persona)))


def test_the_lead_approves_with_one_tap_from_the_inbox(world, client_for, waiting, annual,
                                                       django_capture_on_commit_callbacks):
    lead = client_for("lead")
    with frozen():
        inbox = lead.get(INBOX).content.decode()
    assert 'data-testid="notification-actions"' in inbox
    assert f'action="/leave/{waiting.pk}/approve/"' in inbox and f'action="/leave/{waiting.pk}/reject/"' in inbox
    with frozen(), django_capture_on_commit_callbacks(execute=True):
        response = lead.post(f"/leave/{waiting.pk}/approve/", {"next": INBOX})
    assert response.status_code == 302 and response["Location"] == INBOX
    waiting.refresh_from_db()
    assert waiting.status == "approved"
    # 5 - 2 = 3
    assert balance(employee_id=waiting.employee_id, leave_type_id=annual.pk, as_of=D(2026, 10, 31)) == 3
    assert _notice(world).read_at is not None  # deciding marks the notice read
    with frozen():
        after = lead.get(INBOX).content.decode()
    assert "Approved." in after and 'data-testid="notification-actions"' not in after


def test_with_htmx_the_tap_answers_the_inbox_list_with_the_message(world, client_for, waiting,
                                                                   django_capture_on_commit_callbacks):
    with frozen(), django_capture_on_commit_callbacks(execute=True):
        response = client_for("lead").post(f"/leave/{waiting.pk}/reject/", {"next": INBOX}, follow=True,
                                           HTTP_HX_REQUEST="true")
    html = response.content.decode()
    assert response.status_code == 200 and "<html" not in html and 'id="inbox-list"' in html
    assert "Rejected." in html and 'data-testid="notification-actions"' not in html
    waiting.refresh_from_db()
    assert waiting.status == "rejected"  # no note needed: one tap


@pytest.mark.parametrize("persona", ["outsider", "mentor", "manager", "employee", "hr"])
def test_a_forged_button_of_someone_who_may_not_decide_changes_nothing(world, client_for, waiting, persona):
    """The employee sees their own request and the manager and HR see it too, but the step waits for
    the lead: the leave app refuses (404), whatever the inbox did or did not show."""
    client = client_for(persona)
    for verb in ("approve", "reject"):
        with frozen():
            response = client.post(f"/leave/{waiting.pk}/{verb}/", {"next": INBOX})
        assert response.status_code == 404
    waiting.refresh_from_db()
    assert waiting.status == "pending" and not waiting.steps.exclude(decision="").exists()
    assert _notice(world).read_at is None
    with frozen():
        html = client.get(INBOX).content.decode()
    assert f"/leave/{waiting.pk}/approve/" not in html


def test_a_cancelled_request_offers_no_buttons_and_a_late_tap_says_so(world, client_for, waiting):
    with frozen():
        leave_request_cancel(actor_for(world.employee), request=waiting)
    lead = client_for("lead")
    with frozen():
        assert f"/leave/{waiting.pk}/approve/" not in lead.get(INBOX).content.decode()
        response = lead.post(f"/leave/{waiting.pk}/approve/", {"next": INBOX}, follow=True)
    assert response.redirect_chain[0] == (INBOX, 302)
    assert "no longer waiting" in response.content.decode()
    waiting.refresh_from_db()
    assert waiting.status == "cancelled" and not waiting.steps.exclude(decision="").exists()


def test_a_request_moved_on_to_hr_leaves_the_lead_without_buttons_and_gives_hr_theirs(
        world, client_for, annual, django_capture_on_commit_callbacks):
    # Tue 29, Wed 30 Sep, Thu 8, Fri 9 Oct = 4 days > 3: the lead, then HR
    with django_capture_on_commit_callbacks(execute=True):
        request = _submit(world, annual, end=D(2026, 10, 9))
    lead, hr = client_for("lead"), client_for("hr")
    with frozen(), django_capture_on_commit_callbacks(execute=True):
        lead.post(f"/leave/{request.pk}/approve/", {"next": INBOX})
    request.refresh_from_db()
    assert request.status == "pending"
    with frozen():
        assert f"/leave/{request.pk}/approve/" not in lead.get(INBOX).content.decode()
        assert f'action="/leave/{request.pk}/approve/"' in hr.get(INBOX).content.decode()


@pytest.mark.parametrize("target", ["https://evil.example.com/", "//evil.example.com/x", "/\\evil.example.com",
                                    "javascript:alert(1)", ""])
def test_next_to_another_host_is_ignored(world, client_for, waiting, target):
    with frozen():
        response = client_for("lead").post(f"/leave/{waiting.pk}/approve/", {"next": target})
    assert response.status_code == 302 and response["Location"] == f"/leave/{waiting.pk}/"


def test_next_approvals_still_returns_to_the_approvals_page(world, client_for, waiting):
    with frozen():
        response = client_for("lead").post(f"/leave/{waiting.pk}/approve/", {"next": "approvals"})
    assert response["Location"] == "/leave/approvals/"


def test_the_api_lists_the_actions_and_they_decide(world, api_client_for, waiting,
                                                   django_capture_on_commit_callbacks):
    lead = api_client_for("lead")
    with frozen():
        items = lead.get("/api/v1/notifications").json()["items"]
    item = next(i for i in items if i["kind"] == "leave_request_waiting")
    url = f"/api/v1/time/leave-requests/{waiting.pk}"
    assert item["actions"] == [
        {"key": "approve", "label": "Approve", "style": "primary", "method": "POST", "url": f"{url}/approve"},
        {"key": "reject", "label": "Reject", "style": "danger", "method": "POST", "url": f"{url}/reject"}]
    # the employee's own notices carry none; a forged call by them is refused by the leave app
    with frozen():
        assert api_client_for("employee").post(f"{url}/approve", {}, content_type="application/json"
                                               ).status_code in (403, 404)
    with frozen(), django_capture_on_commit_callbacks(execute=True):
        assert lead.post(item["actions"][0]["url"], {}, content_type="application/json").status_code == 200
        items = lead.get("/api/v1/notifications").json()["items"]
    decided = next(i for i in items if i["id"] == item["id"])
    assert decided["actions"] == []
    assert decided["read_at"] is not None  # the leave service clears the notice, whichever door decided


def _many_waiting(world, annual, n: int) -> None:
    """``n`` one-day requests of the employee (Mon–Fri weeks from 12 Oct), each a notice to the lead."""
    grant(world.emp(world.employee), annual, str(n), on=D(2026, 1, 2))
    day = D(2026, 10, 12)
    with frozen():
        for _ in range(n):
            while day.weekday() >= 5:
                day += dt.timedelta(days=1)
            leave_request_submit(actor_for(world.employee), leave_type=annual, start=day, end=day)
            day += dt.timedelta(days=1)


@pytest.mark.parametrize("path", [INBOX, "/api/v1/notifications"])
def test_inbox_with_actions_query_count_is_flat(world, client_for, api_client_for, annual,
                                                django_capture_on_commit_callbacks, path):
    client = api_client_for("lead") if path.startswith("/api") else client_for("lead")

    def count(n: int) -> int:
        Notification.objects.all().delete()
        LeaveRequest.objects.all().delete()
        with django_capture_on_commit_callbacks(execute=True):
            _many_waiting(world, annual, n)
        # an overtime notice too: a second kind with actions is one more check, not one per row
        Notification.objects.create(recipient=world.emp(world.lead), kind="overtime_submitted", text="ot",
                                    data={"request_id": 999999, "name": "x", "minutes": 60, "date": "x"},
                                    created_at=Notification.objects.first().created_at)
        with frozen():
            client.get(path)
            with CaptureQueriesContext(connection) as ctx:
                response = client.get(path)
        body = response.content.decode()
        assert body.count("/approve") == n * (1 if path.startswith("/api") else 2)  # form action + hx-post
        return len(ctx)

    assert count(2) == count(7)
