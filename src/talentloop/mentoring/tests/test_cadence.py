"""Cadence and follow-through: reminders on the right day, catching up after a missed run, never
twice, never after completion; the overdue alert once, to the mentor's manager, shown until done;
completing items; the run-reminders command."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal as D
from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import translation

from talentloop.core.errors import Conflict, InvalidInput, PermissionDenied
from talentloop.mentoring import selectors
from talentloop.mentoring.models import ItemKind, PlanStatus, SessionRecord, SkillAssessment
from talentloop.mentoring.services import cadence as C
from talentloop.mentoring.tests import programme_fixtures as F
from talentloop.notifications.models import Notification

pytestmark = pytest.mark.django_db

DUE = dt.date(2026, 3, 15)  # reminded on the 10th ("due in 5 days"), overdue from the 16th


@pytest.fixture
def item(world):
    F.policy([{"key": "level_min"}])  # reminder_days 5, escalate_after_days 1 (the defaults)
    mentor = F.mentor(world.emp(world.mentor))
    plan = F.plan(mentor, world.emp(world.employee), F.template(), dt.date(2026, 1, 15))
    return F.item(plan, DUE)


def reminders(item=None):
    qs = Notification.objects.filter(kind="session_due")
    return qs.filter(dedupe_key=f"item:{item.pk}") if item else qs


def overdue():
    return Notification.objects.filter(kind="item_overdue")


def test_reminder_goes_out_five_days_before_to_both_sides(world, item):
    assert C.send_reminders(dt.date(2026, 3, 9)) == 0
    assert C.send_reminders(dt.date(2026, 3, 10)) == 1
    got = {n.recipient_id: n for n in reminders(item)}
    assert set(got) == {world.emp(world.mentor).pk, world.emp(world.employee).pk}
    with translation.override("en"):
        assert got[world.emp(world.mentor).pk].message == "1:1 session with Employee on 2026-03-15, due in 5 days."
        assert got[world.emp(world.employee).pk].message == "1:1 session with Mentor on 2026-03-15, due in 5 days."
    with translation.override("zh-hans"):  # each reader gets the names of their language
        assert "employee-中文" in got[world.emp(world.mentor).pk].message
    item.refresh_from_db()
    assert item.reminded_on == dt.date(2026, 3, 10)


def test_never_twice(item):
    C.send_reminders(dt.date(2026, 3, 10))
    assert C.send_reminders(dt.date(2026, 3, 10)) == 0
    assert C.send_reminders(dt.date(2026, 3, 11)) == 0
    assert reminders().count() == 2
    # Even if the item's marker were lost, the unique constraint keeps the notices single.
    type(item).objects.filter(pk=item.pk).update(reminded_on=None)
    C.send_reminders(dt.date(2026, 3, 12))
    assert reminders().count() == 2


def test_a_missed_run_catches_up(world, item):
    # No run on the 10th or 11th: the run of the 12th reminds, "due in 3 days".
    assert C.send_reminders(dt.date(2026, 3, 12)) == 1
    with translation.override("en"):
        assert reminders(item).first().message.endswith("due in 3 days.")
    # Still not run until the due date itself: "due today".
    other = F.item(item.plan, dt.date(2026, 3, 20), kind=ItemKind.SKILL_ASSESSMENT)
    assert C.send_reminders(dt.date(2026, 3, 20)) == 1
    with translation.override("en"):
        assert reminders(other).first().message.endswith("due today.")


def test_no_reminder_once_done_or_past_due(world, item):
    C.session_record(actor=F.actor(world, "mentor"), item=item, held_on=dt.date(2026, 3, 8), duration_minutes=45)
    assert C.send_reminders(dt.date(2026, 3, 10)) == 0
    late = F.item(item.plan, dt.date(2026, 3, 1))
    assert C.send_reminders(dt.date(2026, 3, 10)) == 0  # already past due: the overdue alert takes over
    assert not reminders(late).exists()


def test_cancelled_plans_are_not_followed(item):
    item.plan.status = PlanStatus.CANCELLED
    item.plan.save()
    assert C.send_reminders(dt.date(2026, 3, 10)) == 0
    assert C.escalate_overdue(dt.date(2026, 3, 20)) == 0


def test_overdue_alerts_the_mentors_manager_once(world, item):
    assert C.escalate_overdue(DUE) == 0  # due today is not overdue
    assert C.escalate_overdue(dt.date(2026, 3, 16)) == 1
    alerts = list(overdue())
    # ``mentor`` reports to ``manager``: the alert goes there (not to the mentee's manager ``lead``).
    assert [a.recipient_id for a in alerts] == [world.emp(world.manager).pk]
    with translation.override("en"):
        assert alerts[0].message == "Mentor has not completed the 1:1 session with Employee due on 2026-03-15."
    assert C.escalate_overdue(dt.date(2026, 3, 16)) == 0
    assert C.escalate_overdue(dt.date(2026, 3, 30)) == 0
    assert overdue().count() == 1


def test_overdue_catches_up_and_respects_the_policy_delay(world, item):
    F.policy([{"key": "level_min"}], escalate_after_days=3)
    assert C.escalate_overdue(dt.date(2026, 3, 17)) == 0
    assert C.escalate_overdue(dt.date(2026, 3, 25)) == 1  # the first run after the 18th


def test_overdue_shows_on_the_managers_page_until_done(world, item, client_for):
    C.escalate_overdue(dt.date(2026, 3, 16))
    manager = F.actor(world, "manager")
    assert [i.pk for i in selectors.overdue_list(manager)] == [item.pk]
    assert selectors.overdue_list(F.actor(world, "lead")) == []  # the mentor is not below lead
    assert selectors.overdue_list(F.actor(world, "employee")) == []
    r = client_for("manager").get("/mentoring/overdue/")
    assert r.status_code == 200 and "1:1" in r.content.decode()
    C.session_record(actor=F.actor(world, "mentor"), item=item, held_on=dt.date(2026, 3, 17), duration_minutes=30)
    assert selectors.overdue_list(manager) == []


def test_a_mentor_without_a_manager_is_marked_without_an_alert(world, item):
    mentor_emp = world.emp(world.mentor)
    type(mentor_emp).objects.filter(pk=mentor_emp.pk).update(manager=None, manager_path="/")
    assert C.escalate_overdue(dt.date(2026, 3, 16)) == 1
    assert not overdue().exists()
    item.refresh_from_db()
    assert item.escalated_on == dt.date(2026, 3, 16)


def test_the_command_runs_every_job_and_twice_sends_nothing_twice(world, item):
    late = F.item(item.plan, dt.date(2026, 3, 5), kind=ItemKind.SKILL_ASSESSMENT)
    out = StringIO()
    call_command("run-reminders", "--date", "2026-03-10", stdout=out)
    summary = json.loads(out.getvalue())
    assert summary["send_reminders"] == 1 and summary["escalate_overdue"] == 1
    before = Notification.objects.count()
    call_command("run-reminders", "--date", "2026-03-10", stdout=StringIO())
    assert Notification.objects.count() == before == 3
    assert overdue().get().data["item_id"] == late.pk


def test_daily_job_starts_and_completes_plans(world, item):
    plan = item.plan
    later = F.plan(plan.mentor, world.emp(world.outsider), F.template("B"), dt.date(2026, 4, 1),
                   status=PlanStatus.APPROVED)
    assert C.advance_plans(dt.date(2026, 4, 1)) == {"started": 1, "completed": 0}
    later.refresh_from_db()
    assert later.status == PlanStatus.ACTIVE
    assert C.advance_plans(dt.date(2026, 7, 16))["completed"] == 1  # plan ended 15 Jul
    plan.refresh_from_db()
    assert (plan.status, plan.completed_on) == (PlanStatus.COMPLETED, dt.date(2026, 7, 16))


# ---------------------------------------------------------------- completing items


def test_recording_a_one_to_one(world, item):
    topics = list(item.plan.topics.all()[:2])
    with pytest.raises(PermissionDenied):
        C.session_record(actor=F.actor(world, "employee"), item=item, held_on=dt.date(2026, 3, 14),
                         duration_minutes=60)
    with pytest.raises(InvalidInput):
        C.session_record(actor=F.actor(world, "mentor"), item=item, held_on=dt.date(2026, 1, 1), duration_minutes=60)
    with pytest.raises(InvalidInput):
        C.skill_assessment_record(actor=F.actor(world, "mentor"), item=item, score=D(80),
                                  assessed_on=dt.date(2026, 3, 14))
    rec = C.session_record(actor=F.actor(world, "mentor"), item=item, held_on=dt.date(2026, 3, 14),
                           duration_minutes=60, topic_ids=[t.pk for t in topics], notes="谈了价值观",
                           agreed_actions="读员工手册")
    item.refresh_from_db()
    assert item.completed_on == dt.date(2026, 3, 14) and item.done_by == world.mentor
    assert list(rec.topics.all()) == topics
    with pytest.raises(Conflict):
        C.session_record(actor=F.actor(world, "mentor"), item=item, held_on=dt.date(2026, 3, 14),
                         duration_minutes=60)
    assert SessionRecord.objects.count() == 1


def test_topics_of_another_plan_are_refused(world, item):
    other = F.plan(item.plan.mentor, world.emp(world.outsider), F.template("B"), dt.date(2026, 1, 15))
    with pytest.raises(InvalidInput):
        C.session_record(actor=F.actor(world, "mentor"), item=item, held_on=dt.date(2026, 3, 14),
                         duration_minutes=60, topic_ids=[other.topics.first().pk])


def test_assessment_and_report(world, item):
    plan = item.plan
    a = F.item(plan, dt.date(2026, 4, 15), kind=ItemKind.SKILL_ASSESSMENT)
    r = F.item(plan, dt.date(2026, 7, 15), kind=ItemKind.RESULTS_REPORT)
    # HR may record a score; only the mentor writes the report.
    C.skill_assessment_record(actor=F.actor(world, "hr"), item=a, score=D("85"), assessed_on=dt.date(2026, 3, 1))
    assert SkillAssessment.objects.get(item=a).employee == world.emp(world.employee)
    with pytest.raises(PermissionDenied):
        C.plan_report_record(actor=F.actor(world, "hr"), item=r, text="x")
    with pytest.raises(InvalidInput):
        C.plan_report_record(actor=F.actor(world, "mentor"), item=r, text="  ")
    C.plan_report_record(actor=F.actor(world, "mentor"), item=r, text="进展良好", written_on=dt.date(2026, 3, 2))
    r.refresh_from_db()
    assert r.completed_on == dt.date(2026, 3, 2)


def test_web_record_and_api_complete(world, item, client_for, api_client_for):
    c = client_for("mentor")
    assert c.get(f"/mentoring/items/{item.pk}/complete/").status_code == 200
    assert client_for("employee").get(f"/mentoring/items/{item.pk}/complete/").status_code == 404
    r = c.post(f"/mentoring/items/{item.pk}/complete/", {"held_on": "2026-03-14", "duration_minutes": "50",
                                                          "notes": "ok"})
    assert r.status_code == 302
    a = F.item(item.plan, dt.date(2026, 4, 15), kind=ItemKind.SKILL_ASSESSMENT)
    api = api_client_for("mentor")
    r = api.post(f"/api/v1/mentoring/items/{a.pk}/complete", {"assessed_on": "2026-03-01"},
                 content_type="application/json")
    assert r.status_code == 422 and "score" in r.json()["errors"]
    r = api.post(f"/api/v1/mentoring/items/{a.pk}/complete", {"assessed_on": "2026-03-01", "score": 72},
                 content_type="application/json")
    assert r.status_code == 200 and r.json()["completed_on"] == "2026-03-01"
    assert api_client_for("employee").post(f"/api/v1/mentoring/items/{a.pk}/complete", {"score": 1},
                                           content_type="application/json").status_code == 409
    assert api_client_for("outsider").post(f"/api/v1/mentoring/items/{a.pk}/complete", {},
                                           content_type="application/json").status_code == 404


def test_notices_show_on_the_mentor_and_mentee_pages(world, item, client_for):
    C.send_reminders(dt.date(2026, 3, 10))
    assert b'data-kind="reminder"' in client_for("mentor").get("/mentoring/mentees/").content
    assert b'data-kind="reminder"' in client_for("employee").get("/mentoring/me/").content
