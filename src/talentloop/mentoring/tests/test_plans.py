"""Programme templates and plans: tailoring keeps core topics, submission and HR's approval,
the generated schedule, capacity, one active plan per programme, the management-chain rule, and
the plan pages (with query counts at two sizes)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from talentloop.core.errors import Conflict, InvalidInput, PermissionDenied
from talentloop.mentoring.models import ItemKind, MenteeType, PlanItem, PlanStatus
from talentloop.mentoring.rules import pair_violations
from talentloop.mentoring.services import programmes as S
from talentloop.mentoring.services.programmes import schedule_dates
from talentloop.mentoring.tests import programme_fixtures as F
from talentloop.notifications.models import Notification
from talentloop.testing.factories import EmployeeFactory

pytestmark = pytest.mark.django_db

START = dt.date(2026, 1, 15)


@pytest.fixture
def setup(world):
    F.policy([{"key": "level_min", "params": {"level": 3}}])
    mentor = F.mentor(world.emp(world.mentor), capacity=3)
    tpl = F.template()
    return mentor, tpl, world.emp(world.employee)


def titles(plan):
    return [(t.title, t.core) for t in plan.topics.order_by("order")]


# ---------------------------------------------------------------- templates


def test_template_save_validates_and_replaces_topics_and_cadence(world):
    hr = F.actor(world, "hr")
    tpl = S.programme_template_save(
        actor=hr, name="算法工程师", mentee_type=MenteeType.JOB_FAMILY, job_family=world.engineering,
        goals="模型上线\n\n代码质量", topics=[{"title": "机器学习基础", "core": True}, {"title": "论文阅读"}],
        cadence=[{"kind": "one_to_one", "every_months": 1}, {"kind": "skill_assessment", "every_months": 3}])
    assert tpl.goals == ["模型上线", "代码质量"]
    assert [(t.title, t.core) for t in tpl.topics.all()] == [("机器学习基础", True), ("论文阅读", False)]
    with pytest.raises(InvalidInput) as exc:
        S.programme_template_save(actor=hr, name="x", mentee_type=MenteeType.JOB_FAMILY, topics=[{"title": "a"}])
    assert "job_family" in exc.value.errors
    with pytest.raises(InvalidInput):
        S.programme_template_save(actor=hr, name="x", mentee_type=MenteeType.NEW_GRADUATE,
                                  topics=[{"title": "a"}, {"title": " A "}])
    with pytest.raises(PermissionDenied):
        S.programme_template_save(actor=F.actor(world, "mentor"), name="x", mentee_type="new_graduate", topics=[])


# ---------------------------------------------------------------- tailoring


def test_a_plan_copies_the_template_and_may_add_and_reorder(world, setup):
    mentor, tpl, mentee = setup
    plan = S.mentoring_plan_create(actor=F.actor(world, "mentor"), mentor=mentor, mentee=mentee, template=tpl,
                                   starts_on=START)
    assert plan.status == PlanStatus.DRAFT and plan.ends_on == dt.date(2026, 7, 15)
    assert titles(plan) == [("公司价值观", True), ("岗位实操技能", True), ("职场沟通", False)]
    S.mentoring_plan_update(actor=F.actor(world, "mentor"), plan=plan,
                            topics="代码评审 — 每周一次\n岗位实操技能\n公司价值观", goals=["三个月独立交付"])
    plan.refresh_from_db()
    assert titles(plan) == [("代码评审", False), ("岗位实操技能", True), ("公司价值观", True)]
    assert plan.topics.get(title="代码评审").description == "每周一次"
    assert plan.goals == ["三个月独立交付"]


def test_dropping_a_core_topic_is_refused_with_its_name(world, setup):
    mentor, tpl, mentee = setup
    plan = S.mentoring_plan_create(actor=F.actor(world, "mentor"), mentor=mentor, mentee=mentee, template=tpl,
                                   starts_on=START)
    with pytest.raises(InvalidInput) as exc:
        S.mentoring_plan_update(actor=F.actor(world, "mentor"), plan=plan, topics=["岗位实操技能", "职场沟通"])
    assert "公司价值观" in exc.value.detail
    assert "公司价值观" in exc.value.errors["topics"][0]
    assert titles(plan)[0] == ("公司价值观", True)  # nothing changed
    with pytest.raises(InvalidInput) as exc:
        S.mentoring_plan_create(actor=F.actor(world, "mentor"), mentor=mentor, mentee=mentee, template=tpl,
                                starts_on=START, topics=[{"title": "职场沟通"}])
    assert len(exc.value.errors["topics"]) == 2  # both core topics named


def test_web_plan_editor_shows_the_core_topic_error(world, setup, client_for):
    mentor, tpl, mentee = setup
    plan = S.mentoring_plan_create(actor=F.actor(world, "mentor"), mentor=mentor, mentee=mentee, template=tpl,
                                   starts_on=START)
    r = client_for("mentor").post(f"/mentoring/plans/{plan.pk}/edit/", {
        "goals": "x", "topics": "岗位实操技能", "starts_on": "2026-01-15", "duration_months": "6"},
        HTTP_HX_REQUEST="true")
    assert r.status_code == 422
    assert "公司价值观" in r.content.decode()


# ---------------------------------------------------------------- submission, approval, schedule


def test_schedule_dates():
    # 6 months from 15 Jan: monthly 15 Feb … 15 Jul; quarterly 15 Apr, 15 Jul; half-yearly 15 Jul.
    end = dt.date(2026, 7, 15)
    assert schedule_dates(START, end, 1) == [dt.date(2026, m, 15) for m in range(2, 8)]
    assert schedule_dates(START, end, 3) == [dt.date(2026, 4, 15), dt.date(2026, 7, 15)]
    assert schedule_dates(START, end, 6) == [dt.date(2026, 7, 15)]
    # 31 Jan + 1 month is the end of February.
    assert schedule_dates(dt.date(2026, 1, 31), dt.date(2026, 3, 31), 1) == [dt.date(2026, 2, 28),
                                                                             dt.date(2026, 3, 31)]


def test_submit_approve_generates_dated_items(world, setup):
    mentor, tpl, mentee = setup
    plan = S.mentoring_plan_create(actor=F.actor(world, "mentor"), mentor=mentor, mentee=mentee, template=tpl,
                                   starts_on=START)
    with pytest.raises(PermissionDenied):
        S.mentoring_plan_approve(actor=F.actor(world, "hr"), plan=plan)  # not submitted yet
    S.mentoring_plan_submit(actor=F.actor(world, "mentor"), plan=plan)
    with pytest.raises(PermissionDenied):
        S.mentoring_plan_approve(actor=F.actor(world, "mentor"), plan=plan)
    S.mentoring_plan_approve(actor=F.actor(world, "hr"), plan=plan, comment="好", today=dt.date(2026, 1, 10))
    plan.refresh_from_db()
    assert plan.status == PlanStatus.APPROVED  # starts later
    items = list(PlanItem.objects.filter(plan=plan).order_by("due_on", "kind"))
    assert [(i.kind, i.due_on) for i in items if i.kind != ItemKind.ONE_TO_ONE] == [
        (ItemKind.SKILL_ASSESSMENT, dt.date(2026, 4, 15)), (ItemKind.RESULTS_REPORT, dt.date(2026, 7, 15)),
        (ItemKind.SKILL_ASSESSMENT, dt.date(2026, 7, 15))]
    assert sum(1 for i in items if i.kind == ItemKind.ONE_TO_ONE) == 6
    # mentor and mentee
    assert Notification.objects.filter(data__plan_id=plan.pk, kind="plan_approved").count() == 2


def test_return_with_comments_then_resubmit(world, setup):
    mentor, tpl, mentee = setup
    plan = S.mentoring_plan_create(actor=F.actor(world, "hr"), mentor=mentor, mentee=mentee, template=tpl,
                                   starts_on=START)
    S.mentoring_plan_submit(actor=F.actor(world, "hr"), plan=plan)
    with pytest.raises(InvalidInput):
        S.mentoring_plan_return(actor=F.actor(world, "hr"), plan=plan, comment="")
    S.mentoring_plan_return(actor=F.actor(world, "hr"), plan=plan, comment="加一个沟通主题")
    plan.refresh_from_db()
    assert (plan.status, plan.hr_comment) == (PlanStatus.RETURNED, "加一个沟通主题")
    S.mentoring_plan_update(actor=F.actor(world, "mentor"), plan=plan,
                            topics=["公司价值观", "岗位实操技能", "跨部门沟通"])
    S.mentoring_plan_submit(actor=F.actor(world, "mentor"), plan=plan)
    S.mentoring_plan_approve(actor=F.actor(world, "hr"), plan=plan, today=START)
    plan.refresh_from_db()
    assert plan.status == PlanStatus.ACTIVE


def test_capacity_is_never_exceeded(world, setup):
    mentor, tpl, _mentee = setup
    mentor.capacity = 1
    mentor.save()
    hr = F.actor(world, "hr")
    a = S.mentoring_plan_create(actor=hr, mentor=mentor, mentee=world.emp(world.employee), template=tpl,
                                starts_on=START)
    b = S.mentoring_plan_create(actor=hr, mentor=mentor, mentee=world.emp(world.outsider), template=tpl,
                                starts_on=START)
    S.mentoring_plan_submit(actor=hr, plan=a)
    with pytest.raises(Conflict) as exc:
        S.mentoring_plan_submit(actor=hr, plan=b)
    assert "1" in exc.value.detail and "mentor" in exc.value.errors
    S.mentoring_plan_approve(actor=hr, plan=a, today=START)
    with pytest.raises(Conflict):
        S.mentoring_plan_submit(actor=hr, plan=b)
    # A completed plan frees the place.
    a.refresh_from_db()
    a.status = PlanStatus.COMPLETED
    a.save()
    S.mentoring_plan_submit(actor=hr, plan=b)


def test_capacity_checked_again_at_approval(world, setup):
    """Two plans submitted while there was room; HR lowered the capacity meanwhile."""
    mentor, tpl, _mentee = setup
    hr = F.actor(world, "hr")
    a = S.mentoring_plan_create(actor=hr, mentor=mentor, mentee=world.emp(world.employee), template=tpl,
                                starts_on=START)
    b = S.mentoring_plan_create(actor=hr, mentor=mentor, mentee=world.emp(world.outsider), template=tpl,
                                starts_on=START)
    S.mentoring_plan_submit(actor=hr, plan=a)
    S.mentoring_plan_submit(actor=hr, plan=b)
    type(mentor).objects.filter(pk=mentor.pk).update(capacity=1)
    with pytest.raises(Conflict):
        S.mentoring_plan_approve(actor=hr, plan=b, today=START)


def test_one_active_plan_per_mentee_and_programme(world, setup):
    mentor, tpl, mentee = setup
    hr = F.actor(world, "hr")
    F.plan(mentor, mentee, tpl, dt.date(2025, 12, 1), status=PlanStatus.ACTIVE)
    plan = S.mentoring_plan_create(actor=hr, mentor=mentor, mentee=mentee, template=tpl, starts_on=START)
    with pytest.raises(Conflict) as exc:
        S.mentoring_plan_submit(actor=hr, plan=plan)
    assert "active plan" in exc.value.detail
    # Another programme is fine.
    other = F.template("晋升候选人", mentee_type=MenteeType.PROMOTION_CANDIDATE)
    p2 = S.mentoring_plan_create(actor=hr, mentor=mentor, mentee=mentee, template=other, starts_on=START)
    S.mentoring_plan_submit(actor=hr, plan=p2)


def test_management_chain_rule(world):
    manager, lead, employee = (world.emp(world.manager), world.emp(world.lead), world.emp(world.employee))
    strict = F.policy([{"key": "level_min"}])
    m_manager = F.mentor(manager)
    m_lead = F.mentor(lead)
    m_other = F.mentor(world.emp(world.mentor))
    # employee reports to lead who reports to manager: both are in the chain; the mentor is not.
    assert pair_violations(m_manager, employee, strict) == ["The mentor is in the mentee's management chain."]
    assert pair_violations(m_lead, employee, strict) == ["The mentor is in the mentee's management chain."]
    assert pair_violations(m_other, employee, strict) == []
    assert pair_violations(m_other, world.emp(world.mentor), strict) == ["Nobody can mentor themselves."]
    lenient = F.policy([{"key": "level_min"}], allow_management_chain=True)
    assert pair_violations(m_manager, employee, lenient) == []
    m_other.active = False
    assert "The mentor is not active." in pair_violations(m_other, employee, lenient)


def test_plans_refuse_a_mentor_in_the_chain(world):
    F.policy([{"key": "level_min"}])
    m_lead = F.mentor(world.emp(world.lead))
    with pytest.raises(InvalidInput) as exc:
        S.mentoring_plan_create(actor=F.actor(world, "hr"), mentor=m_lead, mentee=world.emp(world.employee),
                                template=F.template(), starts_on=START)
    assert "management chain" in exc.value.errors["mentee"][0]


def test_job_family_programme_needs_the_mentee_family(world, setup):
    mentor, _tpl, _mentee = setup
    tpl = F.template("销售", mentee_type=MenteeType.JOB_FAMILY, job_family=world.sales_family)
    with pytest.raises(InvalidInput):
        S.mentoring_plan_create(actor=F.actor(world, "hr"), mentor=mentor, mentee=world.emp(world.employee),
                                template=tpl, starts_on=START)
    S.mentoring_plan_create(actor=F.actor(world, "hr"), mentor=mentor, mentee=world.emp(world.outsider),
                            template=tpl, starts_on=START)


def test_who_starts_and_sees_plans(world, setup, client_for):
    mentor, tpl, mentee = setup
    with pytest.raises(PermissionDenied):  # a manager is not a mentor
        S.mentoring_plan_create(actor=F.actor(world, "manager"), mentor=mentor, mentee=mentee, template=tpl,
                                starts_on=START)
    plan = S.mentoring_plan_create(actor=F.actor(world, "mentor"), mentor=mentor, mentee=mentee, template=tpl,
                                   starts_on=START)
    assert client_for("mentor").get(f"/mentoring/plans/{plan.pk}/").status_code == 200
    assert client_for("employee").get(f"/mentoring/plans/{plan.pk}/").status_code == 200
    assert client_for("hr").get(f"/mentoring/plans/{plan.pk}/").status_code == 200
    assert client_for("outsider").get(f"/mentoring/plans/{plan.pk}/").status_code == 404
    assert client_for("manager").get(f"/mentoring/plans/{plan.pk}/").status_code == 404
    # The mentee cannot approve through the API: visible, not allowed.
    S.mentoring_plan_submit(actor=F.actor(world, "mentor"), plan=plan)


def test_api_plan_flow(world, setup, api_client_for):
    mentor, tpl, mentee = setup
    m = api_client_for("mentor")
    r = m.post("/api/v1/mentoring/plans", {"template_id": tpl.pk, "mentor_id": mentor.pk,
                                           "mentee_number": mentee.employee_number, "starts_on": "2026-01-15"},
               content_type="application/json")
    assert r.status_code == 201, r.content
    pid = r.json()["id"]
    r = m.patch(f"/api/v1/mentoring/plans/{pid}", {"topics": [{"title": "职场沟通"}]},
                content_type="application/json")
    assert r.status_code == 422 and "公司价值观" in r.json()["errors"]["topics"][0]
    assert m.post(f"/api/v1/mentoring/plans/{pid}/submit").status_code == 200
    e = api_client_for("employee")
    assert e.post(f"/api/v1/mentoring/plans/{pid}/approve", {}, content_type="application/json").status_code == 403
    hr = api_client_for("hr")
    r = hr.post(f"/api/v1/mentoring/plans/{pid}/approve", {"comment": ""}, content_type="application/json")
    assert r.status_code == 200 and r.json()["status"] in ("active", "approved")
    items = m.get(f"/api/v1/mentoring/plans/{pid}/items").json()["items"]
    assert len(items) == 9
    assert api_client_for("outsider").get(f"/api/v1/mentoring/plans/{pid}/items").status_code == 404


# ---------------------------------------------------------------- query counts


def _grow(world, mentor, tpl, n: int, offset: int):
    for i in range(n):
        mentee = EmployeeFactory(org_unit=world.platform, job_family=world.engineering,
                                 employee_number=f"QC-{offset + i}")
        p = F.plan(mentor, mentee, tpl, dt.date(2026, 1, 1), status=PlanStatus.SUBMITTED)
        F.item(p, dt.date(2026, 2, 1))


@pytest.mark.parametrize("url,persona", [
    ("/mentoring/plans/", "hr"), ("/mentoring/mentees/", "mentor"), ("/mentoring/mentors/", "hr"),
    ("/mentoring/templates/", "hr"), ("/mentoring/applications/?status=all", "hr"),
    ("/mentoring/overdue/", "manager"), ("/mentoring/me/", "employee"),
    ("/api/v1/mentoring/plans", "hr"), ("/api/v1/mentoring/mentors", "hr"), ("/api/v1/mentoring/overdue", "manager"),
])
def test_list_pages_run_a_fixed_number_of_queries(world, client_for, api_client_for, url, persona):
    F.policy([{"key": "level_min"}])
    mentor = F.mentor(world.emp(world.mentor), capacity=50)
    tpl = F.template()
    client = api_client_for(persona) if url.startswith("/api/") else client_for(persona)

    def count():
        with CaptureQueriesContext(connection) as ctx:
            r = client.get(url)
        assert r.status_code == 200, (url, r.status_code)
        return len(ctx)

    _grow(world, mentor, tpl, 2, 0)
    PlanItem.objects.update(escalated_on=dt.date(2026, 2, 2))
    count()  # warm-up: the first API call also records the token's last use
    small = count()
    for i in range(6):
        F.mentor(EmployeeFactory(org_unit=world.platform, employee_number=f"QM-{i}"))
        F.template(f"T{i}")
    _grow(world, mentor, tpl, 8, 100)
    PlanItem.objects.update(escalated_on=dt.date(2026, 2, 2))
    assert count() == small
