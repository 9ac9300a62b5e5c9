"""Overtime and corrections decided from the notification itself: the "to approve" notices carry
Approve and Reject while the request is pending and the reader may decide it; one tap decides it
through the same path as the request's own page and comes back to the inbox; anyone else's forged
tap changes nothing. Now is Tuesday 12 May 2026, 10:00."""

from __future__ import annotations

import pytest

from talentloop.attendance.models import Correction, OvertimeRequest
from talentloop.attendance.tests.test_requests_pages import _correction, _ot, now  # noqa: F401 (the fixture freezes the clock)
from talentloop.notifications.models import Notification

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("now")]

INBOX = "/notifications/"


def _notice(world, kind: str, data: dict) -> Notification:
    from django.utils import timezone

    return Notification.objects.create(recipient=world.emp(world.lead), kind=kind, text=kind, created_at=timezone.now(),
                                       data={"name": "员工", "name_en": "Employee", "date": "2026-05-06",
                                             "minutes": 120, **data})


@pytest.mark.parametrize("what, kind, key, url", [
    ("overtime", "overtime_submitted", "request_id", "/time/overtime/{pk}/"),
    ("correction", "correction_submitted", "correction_id", "/time/corrections/{pk}/"),
])
def test_one_tap_from_the_inbox_decides_and_comes_back(world, client_for, what, kind, key, url):
    emp = world.emp(world.employee)
    record = _ot(emp) if what == "overtime" else _correction(emp)
    notice = _notice(world, kind, {key: record.pk})
    lead = client_for("lead")
    base = url.format(pk=record.pk)
    html = lead.get(INBOX).content.decode()
    assert f'action="{base}approve/"' in html and f'action="{base}reject/"' in html
    response = lead.post(f"{base}{'approve' if what == 'overtime' else 'reject'}/", {"next": INBOX})
    assert response.status_code == 302 and response["Location"] == INBOX
    record.refresh_from_db()
    assert record.status == ("approved" if what == "overtime" else "rejected")
    notice.refresh_from_db()
    assert notice.read_at is not None
    assert f"{base}approve/" not in lead.get(INBOX).content.decode()  # decided: no more buttons


@pytest.mark.parametrize("persona", ["outsider", "employee", "mentor"])
def test_a_forged_tap_changes_nothing(world, client_for, persona):
    emp = world.emp(world.employee)
    ot, c = _ot(emp), _correction(emp)
    _notice(world, "overtime_submitted", {"request_id": ot.pk})
    client = client_for(persona)
    for path in (f"/time/overtime/{ot.pk}/approve/", f"/time/corrections/{c.pk}/approve/"):
        assert client.post(path, {"next": INBOX}).status_code == 404
    assert OvertimeRequest.objects.get(pk=ot.pk).status == "pending"
    assert Correction.objects.get(pk=c.pk).status == "pending"
    assert Notification.objects.get(kind="overtime_submitted").read_at is None


def test_a_cancelled_request_offers_no_buttons_and_next_elsewhere_is_ignored(world, client_for):
    emp = world.emp(world.employee)
    ot = _ot(emp, status="cancelled")
    _notice(world, "overtime_submitted", {"request_id": ot.pk})
    lead = client_for("lead")
    assert 'data-testid="notification-actions"' not in lead.get(INBOX).content.decode()
    response = lead.post(f"/time/overtime/{ot.pk}/approve/", {"next": "https://evil.example.com/"}, follow=True)
    assert response.redirect_chain[0] == (f"/time/overtime/{ot.pk}/", 302)
    assert "no longer pending" in response.content.decode()
    assert OvertimeRequest.objects.get(pk=ot.pk).status == "cancelled"


def test_the_api_lists_the_time_actions(world, api_client_for):
    emp = world.emp(world.employee)
    ot, c = _ot(emp), _correction(emp)
    _notice(world, "overtime_submitted", {"request_id": ot.pk})
    _notice(world, "correction_submitted", {"correction_id": c.pk})
    items = api_client_for("lead").get("/api/v1/notifications").json()["items"]
    urls = {a["url"] for i in items for a in i["actions"]}
    assert urls == {f"/api/v1/time/overtime-requests/{ot.pk}/approve", f"/api/v1/time/overtime-requests/{ot.pk}/reject",
                    f"/api/v1/time/corrections/{c.pk}/approve", f"/api/v1/time/corrections/{c.pk}/reject"}


@pytest.mark.parametrize("what, kind, key, url", [
    ("overtime", "overtime_submitted", "request_id", "/api/v1/time/overtime-requests/{pk}/reject"),
    ("correction", "correction_submitted", "correction_id", "/api/v1/time/corrections/{pk}/approve"),
])
def test_deciding_through_the_api_clears_the_notice_too(world, api_client_for, what, kind, key, url):
    emp = world.emp(world.employee)
    record = _ot(emp) if what == "overtime" else _correction(emp)
    notice = _notice(world, kind, {key: record.pk})
    other = _notice(world, kind, {key: record.pk + 1000})  # about another request: stays unread
    response = api_client_for("lead").post(url.format(pk=record.pk), {}, content_type="application/json")
    assert response.status_code == 200, response.content
    notice.refresh_from_db()
    other.refresh_from_db()
    assert notice.read_at is not None and other.read_at is None
