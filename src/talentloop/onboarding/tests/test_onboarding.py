"""Onboarding: template precedence, history kept after a template edit, who may tick which step,
reminders and overdue alerts (once each, with fixed dates), progress, pages and the API."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from talentloop.core.errors import Conflict, InvalidInput, PermissionDenied
from talentloop.notifications.models import Notification
from talentloop.onboarding import selectors, services
from talentloop.onboarding.models import Checklist, ChecklistStep, StepOwner
from talentloop.onboarding.tests import factories as OF
from talentloop.testing.factories import EmployeeFactory

pytestmark = pytest.mark.django_db
D = dt.date


# ---------------------------------------------------------------- precedence


def test_precedence_deepest_unit_then_job_family_then_organisation(world, actor_of):
    OF.template("全公司")
    OF.template("研发", org_unit=world.rnd)
    OF.template("工程师", job_family=world.engineering)
    OF.template("研发工程师", org_unit=world.rnd, job_family=world.engineering)
    OF.template("平台组", org_unit=world.platform)
    OF.template("停用", org_unit=world.platform, job_family=world.engineering, active=False)
    templates = selectors.active_templates()

    def pick(persona):
        emp = world.emp(getattr(world, persona))
        return selectors.resolve_template(templates, emp.org_unit.path, emp.job_family_id).name

    assert pick("employee") == "平台组"          # platform is deeper than R&D; the inactive one is ignored
    assert pick("manager") == "研发工程师"       # in R&D itself: unit + family beats the unit alone
    assert pick("outsider") == "全公司"          # sales: no unit template, no sales-family template
    OF.template("销售", job_family=world.sales_family)
    assert selectors.resolve_template(selectors.active_templates(), world.sales.path,
                                      world.sales_family.pk).name == "销售"


def test_start_uses_the_precedence_and_copies_the_steps(world, actor_of):
    OF.template("全公司")
    OF.template("平台组", org_unit=world.platform)
    emp = world.emp(world.employee)
    c = services.checklist_start(actor=actor_of("hr"), employee=emp, start_date=D(2031, 3, 3))
    assert c.template.name == "平台组"
    steps = list(c.steps.order_by("due_on"))
    # due days -2, 1, 3, 5, 30 from Monday 2031-03-03
    assert [s.due_on for s in steps] == [D(2031, 3, 1), D(2031, 3, 4), D(2031, 3, 6), D(2031, 3, 8), D(2031, 4, 2)]
    with pytest.raises(Conflict):
        services.checklist_start(actor=actor_of("hr"), employee=emp, start_date=D(2031, 3, 3))


def test_who_may_start(world, actor_of):
    OF.template("全公司")
    emp = world.emp(world.employee)
    for persona in ("employee", "mentor", "outsider", "admin"):
        with pytest.raises(PermissionDenied):
            services.checklist_start(actor=actor_of(persona), employee=emp, start_date=D(2031, 3, 3))
    # the lead (direct manager) and the manager above may
    assert services.checklist_start(actor=actor_of("manager"), employee=emp, start_date=D(2031, 3, 3)).pk


def test_no_template_applies(world, actor_of):
    with pytest.raises(InvalidInput) as exc:
        services.checklist_start(actor=actor_of("hr"), employee=world.emp(world.employee), start_date=D(2031, 3, 3))
    assert "template" in exc.value.errors


def test_template_edit_does_not_rewrite_history(world, actor_of):
    hr = actor_of("hr")
    tpl = services.checklist_template_save(actor=hr, name="全公司", steps=[
        {"title": "阅读手册", "owner": "new_hire", "due_day": 5}])
    c = services.checklist_start(actor=hr, employee=world.emp(world.employee), start_date=D(2031, 3, 3))
    services.checklist_template_save(actor=hr, template=tpl, name="全公司 v2", steps=[
        {"title": "安全培训", "owner": "new_hire", "due_day": 7}, {"title": "午餐", "owner": "manager", "due_day": 1}])
    assert list(c.steps.values_list("title", "due_on")) == [("阅读手册", D(2031, 3, 8))]
    assert Checklist.objects.get(pk=c.pk).template_name == "全公司"


def test_template_validation(world, actor_of):
    hr = actor_of("hr")
    with pytest.raises(InvalidInput) as exc:
        services.checklist_template_save(actor=hr, name="x", steps=[
            {"title": "", "owner": "new_hire", "due_day": 5}, {"title": "a", "owner": "boss", "due_day": 5},
            {"title": "b", "owner": "hr", "due_day": 999}])
    assert len(exc.value.errors["steps"]) == 3
    with pytest.raises(InvalidInput):
        services.checklist_template_save(actor=hr, name="x", steps=[])
    services.checklist_template_save(actor=hr, name="a", steps=[{"title": "a", "owner": "hr", "due_day": 1}])
    with pytest.raises(InvalidInput) as exc:  # a second active organisation-wide template is ambiguous
        services.checklist_template_save(actor=hr, name="b", steps=[{"title": "a", "owner": "hr", "due_day": 1}])
    assert "__all__" in exc.value.errors
    with pytest.raises(PermissionDenied):
        services.checklist_template_save(actor=actor_of("manager"), name="c", active=False,
                                         steps=[{"title": "a", "owner": "hr", "due_day": 1}])


# ---------------------------------------------------------------- ticking


OWNERS = ["it", "manager", "mentor", "new_hire", "hr"]
# persona -> the owners whose steps they may tick on the employee's checklist
MAY_TICK = {
    "employee": {"new_hire"},                          # the new hire: own steps only
    "lead": {"manager"},                               # direct manager
    "manager": {"manager"},                            # a manager further up the chain
    "mentor": {"mentor"},                              # the active mentor
    "hr": {"it", "manager", "mentor", "new_hire", "hr"},  # HR may tick anything
    "admin": {"it", "hr"},                             # the technical admin: HR and IT steps
    "outsider": set(),
}


@pytest.mark.parametrize("persona", list(MAY_TICK))
def test_tick_permissions_per_owner(world, actor_of, persona):
    emp = world.emp(world.employee)
    OF.mentor_plan(world.emp(world.mentor), emp)
    c = OF.checklist(emp, D(2031, 3, 3))
    actor = actor_of(persona)
    for step in c.steps.all():
        if step.owner in MAY_TICK[persona]:
            services.step_tick(actor=actor, step=step)
            assert ChecklistStep.objects.get(pk=step.pk).done_at is not None, (persona, step.owner)
        else:
            with pytest.raises(PermissionDenied):
                services.step_tick(actor=actor, step=step)


def test_a_mentor_without_an_active_plan_may_not_tick(world, actor_of):
    emp = world.emp(world.employee)
    OF.mentor_plan(world.emp(world.mentor), emp, status="draft")
    c = OF.checklist(emp, D(2031, 3, 3))
    with pytest.raises(PermissionDenied):
        services.step_tick(actor=actor_of("mentor"), step=c.steps.get(owner=StepOwner.MENTOR))


def test_progress_and_completion(world, actor_of):
    emp = world.emp(world.employee)
    c = OF.checklist(emp, D(2031, 3, 3))
    hr = actor_of("hr")
    steps = list(c.steps.order_by("due_on"))
    for s in steps[:2]:
        services.step_tick(actor=hr, step=s)
    summary = selectors.onboarding_summary(actor_of("employee"), emp, today=D(2031, 3, 7))
    # 2 of 5 done = 40 %; open: mentor day 3 (03-06, overdue on 03-07), new_hire 03-08, hr 04-02
    assert (summary.done, summary.total, summary.percent, summary.overdue) == (2, 5, 40, 1)
    assert [s.owner for s in summary.next_steps] == ["mentor", "new_hire", "hr"]
    assert [s.can_tick for s in summary.steps] == [False, False, False, True, False]
    for s in steps[2:]:
        services.step_tick(actor=hr, step=s)
    c.refresh_from_db()
    assert c.completed_at is not None
    services.step_untick(actor=hr, step=steps[0])
    c.refresh_from_db()
    assert c.completed_at is None


# ---------------------------------------------------------------- daily jobs


def test_start_due_checklists_is_set_based_and_idempotent(world):
    OF.template("全公司")
    day = D(2031, 3, 31)

    def hire(n, when):
        return [EmployeeFactory(org_unit=world.platform, job_family=world.engineering, hire_date=when,
                                manager=world.emp(world.lead)) for _ in range(n)]

    hire(2, D(2031, 3, 20))
    old = hire(1, D(2031, 2, 1))                             # hired more than 30 days ago: left alone
    with CaptureQueriesContext(connection) as small:
        assert services.start_due_checklists(day) == 2
    hire(6, D(2031, 3, 25))
    with CaptureQueriesContext(connection) as big:
        assert services.start_due_checklists(day) == 6
    assert len(small) == len(big)
    assert services.start_due_checklists(day) == 0        # a rerun creates nothing
    assert not Checklist.objects.filter(employee=old[0]).exists()
    # steps already past when the checklist was created send no burst of alerts
    c = Checklist.objects.filter(start_date=D(2031, 3, 20)).first()
    # days -2, 1, 3, 5 → 03-18, 03-21, 03-23, 03-25 (past on 03-31); 30 → 04-19
    assert c.steps.filter(overdue_on=day, reminded_on=day).count() == 4
    result = services.send_step_reminders(day)
    assert (result["due"], result["overdue"]) == (0, 0)


def test_reminders_are_sent_once_with_fixed_dates(world):
    emp = world.emp(world.employee)
    OF.mentor_plan(world.emp(world.mentor), emp)
    c = OF.checklist(emp, D(2031, 3, 3))
    lead, mentor = world.emp(world.lead), world.emp(world.mentor)
    # On 2031-03-02: due within 2 days = 03-01 (it, -2)? no, that is yesterday (overdue); 03-04 (manager, 1)
    result = services.send_step_reminders(D(2031, 3, 2))
    assert (result["due"], result["overdue"]) == (1, 1)
    due = Notification.objects.filter(kind="onboarding_step_due")
    assert list(due.values_list("recipient_id", flat=True)) == [lead.pk]
    step = c.steps.get(owner="manager")
    assert due.get().dedupe_key == f"step-{step.pk}-due"
    # a second run the same day and the next day send nothing new for these steps
    services.send_step_reminders(D(2031, 3, 2))
    assert Notification.objects.filter(kind="onboarding_step_due").count() == 1
    # 03-04: the mentor step (03-06) is now within 2 days: the mentor is told
    services.send_step_reminders(D(2031, 3, 4))
    assert set(Notification.objects.filter(kind="onboarding_step_due").values_list("recipient_id", flat=True)) \
        == {lead.pk, mentor.pk}
    # 03-06: the new hire's own step (03-08)
    services.send_step_reminders(D(2031, 3, 6))
    own = Notification.objects.get(kind="onboarding_step_due", recipient=emp)
    assert own.data["for_new_hire"] is True


def test_overdue_escalates_once_to_owner_and_manager(world):
    emp = world.emp(world.employee)
    c = OF.checklist(emp, D(2031, 3, 3), steps=[(5, "new_hire", "阅读员工手册", "Read the handbook")])
    step = c.steps.get()
    services.send_step_reminders(D(2031, 3, 9))        # due 03-08: overdue
    services.send_step_reminders(D(2031, 3, 10))
    services.send_step_reminders(D(2031, 3, 20))
    overdue = Notification.objects.filter(kind="onboarding_step_overdue")
    assert sorted(overdue.values_list("recipient_id", flat=True)) == sorted([emp.pk, world.emp(world.lead).pk])
    assert set(overdue.values_list("dedupe_key", flat=True)) == {f"step-{step.pk}-overdue"}
    assert ChecklistStep.objects.get(pk=step.pk).overdue_on == D(2031, 3, 9)


def test_done_steps_and_hr_steps(world):
    from talentloop.testing.factories import grant

    emp = world.emp(world.employee)
    c = OF.checklist(emp, D(2031, 3, 3), steps=[(1, "hr", "入职手续", "Paperwork"), (1, "new_hire", "a", "a")])
    c.steps.filter(owner="new_hire").update(done_at="2031-03-01T00:00:00Z")
    grant(world.outsider, "hr", world.sales)       # scoped HR elsewhere: not told
    services.send_step_reminders(D(2031, 3, 3))
    assert list(Notification.objects.values_list("recipient_id", flat=True)) == [world.emp(world.hr).pk]


# ---------------------------------------------------------------- selectors


def test_is_new_hire(world):
    emp = world.emp(world.employee)          # hired 2019-05-06
    assert not selectors.is_new_hire(emp, D(2026, 1, 1))
    assert selectors.is_new_hire(emp, D(2019, 5, 6))
    assert selectors.is_new_hire(emp, D(2019, 8, 3))       # day 89
    assert not selectors.is_new_hire(emp, D(2019, 8, 4))   # day 90
    OF.mentor_plan(world.emp(world.mentor), emp, mentee_type="job_transfer")
    assert not selectors.is_new_hire(emp, D(2026, 1, 1))
    OF.mentor_plan(world.emp(world.mentor), emp)
    assert selectors.is_new_hire(emp, D(2026, 1, 1))


def test_team_onboarding(world, actor_of):
    emp = world.emp(world.employee)
    c = OF.checklist(emp, D(2031, 3, 3))
    services.step_tick(actor=actor_of("hr"), step=c.steps.get(owner="manager"))
    OF.checklist(world.emp(world.outsider), D(2031, 3, 3))
    rows = selectors.team_onboarding(actor_of("manager"), world.emp(world.manager), today=D(2031, 3, 5))
    assert [(r.employee.pk, r.done, r.total, r.percent, r.overdue) for r in rows] == [(emp.pk, 1, 5, 20, 1)]
    assert selectors.team_onboarding(actor_of("lead"), world.emp(world.lead))[0].employee.pk == emp.pk
    assert selectors.onboarding_summary(actor_of("outsider"), emp) is None


# ---------------------------------------------------------------- pages and API


def test_htmx_tick_updates_the_progress(world, client_for):
    emp = world.emp(world.employee)
    c = OF.checklist(emp, D(2031, 3, 3))
    step = c.steps.get(owner="new_hire")
    client = client_for("employee")
    page = client.get("/onboarding/me/")
    assert page.status_code == 200 and b'data-testid="percent">0%' in page.content
    response = client.post(f"/onboarding/steps/{step.pk}/tick/", HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    assert b'data-testid="percent">20%' in response.content
    assert b"<html" not in response.content                  # only the partial
    # someone else's step is a 404, both ways
    other = c.steps.get(owner="manager")
    assert client.post(f"/onboarding/steps/{other.pk}/tick/", HTTP_HX_REQUEST="true").status_code == 404


def test_outsider_sees_nothing(world, client_for, api_client_for):
    c = OF.checklist(world.emp(world.employee), D(2031, 3, 3))
    step = c.steps.get(owner="new_hire")
    assert client_for("outsider").get(f"/onboarding/checklists/{c.pk}/").status_code == 404
    api = api_client_for("outsider")
    assert api.get(f"/api/v1/onboarding/checklists/{c.pk}").status_code == 404
    assert api.post(f"/api/v1/onboarding/steps/{step.pk}/tick", {}, content_type="application/json").status_code == 404
    assert api.get("/api/v1/onboarding/checklists").json() == {"items": [], "count": 0}


def test_api_tick_and_errors(world, api_client_for):
    c = OF.checklist(world.emp(world.employee), D(2031, 3, 3))
    api = api_client_for("employee")
    own = c.steps.get(owner="new_hire")
    body = api.post(f"/api/v1/onboarding/steps/{own.pk}/tick", {"note": "读完了"},
                    content_type="application/json").json()
    assert (body["done"], body["percent"]) == (1, 20)
    forbidden = api.post(f"/api/v1/onboarding/steps/{c.steps.get(owner='hr').pk}/tick", {},
                         content_type="application/json")
    assert forbidden.status_code == 403 and set(forbidden.json()) == {"detail", "errors"}
    OF.template("全公司")
    hr = api_client_for("hr")
    bad = hr.post("/api/v1/onboarding/templates", {"name": "x", "steps": [{"title": "a", "owner": "boss",
                                                                            "due_day": 1}]},
                  content_type="application/json")
    assert bad.status_code == 422 and bad.json()["errors"]
    started = hr.post("/api/v1/onboarding/checklists", {"employee_id": world.emp(world.employee).pk,
                                                        "start_date": "2031-03-03"}, content_type="application/json")
    assert started.status_code == 409


def test_template_form_errors(world, client_for):
    client = client_for("hr")
    r = client.post("/onboarding/templates/new/", {"name": "全公司", "steps": "abc\n1 | boss | x", "active": "on"},
                    HTTP_HX_REQUEST="true")
    assert r.status_code == 422
    assert b"Line 1" in r.content or "第".encode() in r.content
    steps = "-2 | it | 电脑 | Laptop\n1 | manager | 午餐"
    r = client.post("/onboarding/templates/new/", {"name": "全公司", "steps": steps, "active": "on"})
    assert r.status_code == 302


@pytest.mark.parametrize("url,persona", [("/onboarding/checklists/", "hr"), ("/onboarding/team/", "manager"),
                                         ("/api/v1/onboarding/checklists", "hr")])
def test_list_query_count_is_constant(world, client_for, api_client_for, url, persona):
    def add(n):
        for _ in range(n):
            e = EmployeeFactory(org_unit=world.platform, job_family=world.engineering, manager=world.emp(world.lead))
            OF.checklist(e, D(2031, 3, 3))

    client = api_client_for(persona) if url.startswith("/api") else client_for(persona)
    add(2)
    client.get(url)
    with CaptureQueriesContext(connection) as small:
        assert client.get(url).status_code == 200
    add(6)
    with CaptureQueriesContext(connection) as big:
        assert client.get(url).status_code == 200
    assert len(small) == len(big)


# ---------------------------------------------------------------- notifications


def test_started_notifies_the_new_hire_and_the_manager(world, actor_of, django_capture_on_commit_callbacks):
    OF.template("全公司")
    emp = world.emp(world.employee)
    with django_capture_on_commit_callbacks(execute=True):
        c = services.checklist_start(actor=actor_of("hr"), employee=emp, start_date=D(2031, 3, 3))
    rows = {n.recipient_id: n for n in Notification.objects.filter(kind="onboarding_started")}
    assert set(rows) == {emp.pk, world.emp(world.lead).pk}
    assert rows[emp.pk].link == "/onboarding/me/"
    assert rows[world.emp(world.lead).pk].link == f"/onboarding/checklists/{c.pk}/"


def test_kinds_are_personal_and_render_in_both_languages():
    from django.utils import translation

    from talentloop.notifications.kinds import get

    data = {"title": "阅读员工手册", "title_en": "Read the handbook", "name": "张伟", "name_en": "Zhang Wei",
            "due_on": "2031-03-08"}
    for key in ("onboarding_step_due", "onboarding_step_overdue", "onboarding_started"):
        kind = get(key)
        assert kind.personal and not kind.group_safe
    assert get("onboarding_step_overdue").urgent and not get("onboarding_step_due").urgent
    with translation.override("en"):
        assert get("onboarding_step_overdue").render(data) == (
            "Overdue onboarding step for Zhang Wei: “Read the handbook” was due on 2031-03-08.")
        assert "Read the handbook" in get("onboarding_step_due").render({**data, "for_new_hire": True})
    with translation.override("zh-hans"):
        assert "阅读员工手册" in get("onboarding_step_due").render(data)


def test_start_form(world, client_for):
    OF.template("全公司")
    client = client_for("manager")
    r = client.post("/onboarding/checklists/new/", {"employee": "T-outsider", "start_date": "2031-03-03"},
                    HTTP_HX_REQUEST="true")
    assert r.status_code == 422                         # not below the manager
    r = client.post("/onboarding/checklists/new/", {"employee": "T-employee", "start_date": "2031-03-03"})
    assert r.status_code == 302
    c = Checklist.objects.get(employee=world.emp(world.employee))
    assert r["Location"] == f"/onboarding/checklists/{c.pk}/"
    r = client.post("/onboarding/checklists/new/", {"employee": "T-employee", "start_date": "2031-03-03"},
                    HTTP_HX_REQUEST="true")
    assert r.status_code == 422                         # already has an open checklist


def test_home_selectors_run_a_fixed_number_of_queries(world, actor_of, django_assert_num_queries):
    emp = world.emp(world.employee)
    OF.checklist(emp, D(2031, 3, 3))
    actor = actor_of("employee")
    with django_assert_num_queries(2):                  # the checklist, its steps
        summary = selectors.onboarding_summary(actor, emp, today=D(2031, 3, 5))
    assert summary.total == 5
    with django_assert_num_queries(0):                  # hired in 2019, but the first branch needs no query
        assert selectors.is_new_hire(emp, D(2019, 6, 1))
    with django_assert_num_queries(1):
        assert not selectors.is_new_hire(emp, D(2031, 3, 5))
