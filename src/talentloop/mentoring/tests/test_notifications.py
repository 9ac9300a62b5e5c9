"""The mentoring app's events reach the inbox through the notifications app's one service, and the
mentoring pages and API list them as notices."""

from __future__ import annotations

import datetime as dt

import pytest

from talentloop.mentoring.services import cadence as C
from talentloop.mentoring.services import programmes as MP
from talentloop.mentoring.tests import programme_fixtures as F
from talentloop.notifications.models import Notification

pytestmark = pytest.mark.django_db


def inbox(employee) -> list[tuple[str, str]]:
    return list(Notification.objects.filter(recipient=employee).order_by("id").values_list("kind", "text"))


def _plan(world):
    F.policy([{"key": "level_min", "params": {"level": 3}}])
    mentor = F.mentor(world.emp(world.mentor), capacity=3)
    tpl = F.template()
    plan = MP.mentoring_plan_create(actor=F.actor(world, "mentor"), mentor=mentor, mentee=world.emp(world.employee),
                                    template=tpl, starts_on=dt.date(2026, 1, 15))
    MP.mentoring_plan_submit(actor=F.actor(world, "mentor"), plan=plan)
    return plan


def test_a_plan_decision_becomes_approved_or_returned(world, django_capture_on_commit_callbacks):
    plan = _plan(world)
    with django_capture_on_commit_callbacks(execute=True):
        MP.mentoring_plan_return(actor=F.actor(world, "hr"), plan=plan, comment="加一个沟通主题")
    assert inbox(world.emp(world.mentor)) == [
        ("plan_returned", "The mentoring plan “新员工融入” was returned: 加一个沟通主题")]
    MP.mentoring_plan_submit(actor=F.actor(world, "mentor"), plan=plan)
    MP.mentoring_plan_approve(actor=F.actor(world, "hr"), plan=plan, today=dt.date(2026, 1, 15))
    assert inbox(world.emp(world.employee)) == [("plan_approved", "The mentoring plan “新员工融入” was approved.")]
    assert [k for k, _t in inbox(world.emp(world.mentor))] == ["plan_returned", "plan_approved"]
    assert Notification.objects.count() == 3
    # The plan-approved kind is e-mailed by default (after commit).
    assert Notification.objects.get(recipient=world.emp(world.mentor), kind="plan_returned").deliveries.count() == 1


def test_reminders_and_escalations_reach_the_inbox_once(world):
    mentor = F.mentor(world.emp(world.mentor))
    plan = F.plan(mentor, world.emp(world.employee), F.template(), dt.date(2026, 1, 15))
    item = F.item(plan, dt.date(2026, 3, 20))
    assert C.send_reminders(dt.date(2026, 3, 17)) == 1
    assert C.escalate_overdue(dt.date(2026, 3, 22)) == 1
    assert [k for k, _t in inbox(world.emp(world.employee))] == ["session_due"]
    [(kind, text)] = inbox(world.emp(world.manager))
    assert kind == "item_overdue" and "Mentor" in text and "2026-03-20" in text
    note = Notification.objects.get(kind="item_overdue")
    assert (note.dedupe_key, note.data["item_id"], note.data["plan_id"]) == (f"item:{item.pk}", item.pk, plan.pk)
    assert note.deliveries.count() == 1  # urgent: e-mail by default
    # The marks were lost (a restored backup): the notifications' keys still tell nobody twice.
    type(item).objects.filter(pk=item.pk).update(reminded_on=None, escalated_on=None)
    C.send_reminders(dt.date(2026, 3, 17))
    C.escalate_overdue(dt.date(2026, 3, 22))
    assert Notification.objects.count() == 3


def test_the_mentoring_pages_and_api_list_the_notices_by_their_names(world, client_for, api_client_for):
    mentor = F.mentor(world.emp(world.mentor))
    plan = F.plan(mentor, world.emp(world.employee), F.template(), dt.date(2026, 1, 15))
    item = F.item(plan, dt.date(2026, 3, 20))
    C.send_reminders(dt.date(2026, 3, 17))
    page = client_for("employee").get("/mentoring/me/").content.decode()
    assert 'data-kind="reminder"' in page and "1:1 session with Mentor on 2026-03-20, due in 3 days." in page
    [row] = api_client_for("employee").get("/api/v1/mentoring/notices").json()["items"]
    assert (row["kind"], row["plan_id"], row["item_id"], row["link"], row["read_at"]) == (
        "reminder", plan.pk, item.pk, f"/mentoring/plans/{plan.pk}/", None)
    assert row["text"] == "1:1 session with Mentor on 2026-03-20, due in 3 days."
    # Nobody reads another's notices; other kinds in the inbox are not mentoring notices.
    assert api_client_for("manager").get("/api/v1/mentoring/notices").json()["items"] == []
