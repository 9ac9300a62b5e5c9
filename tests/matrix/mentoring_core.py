"""Access matrix rows: mentor qualification, programme templates, plans and their schedule items.
Statuses are written by hand from the rules of issue 4:

- everyone with an employee record may apply to become a mentor and reads the policy; HR (here:
  for the whole organisation) sets the policy, decides applications, lists who qualifies and
  invites; the applicant and HR (and the technical admin, read only) see an application;
- the mentor directory and the offered programmes are open to every signed-in person; HR edits
  templates and mentors' capacity; a mentor edits their own profile;
- a plan is seen by its mentee, its mentor, HR and the admin — not by the mentee's or the mentor's
  managers; HR or the mentor starts and tailors it; only HR approves or returns it; only the mentor
  records a 1:1;
- the overdue list is for managers (the mentors below them), HR and admins.

Columns: anonymous, employee, manager, mentor, hr, admin, outsider. The keys below make ``mentor``
an approved mentor (capacity 3) of ``employee`` with a draft and an active plan, give ``employee`` a
plan waiting for HR with another mentor, and an application waiting for HR.
Web: 404 for what a persona may not see or use; a refused form is re-rendered (200). API: 404 for a
record out of scope, 403 for a visible record the persona may not change, 409 for a conflict.
"""

from __future__ import annotations

import datetime as dt

from talentloop.testing.matrix import Row

M = "/mentoring"
A = "/api/v1/mentoring"
TODAY = dt.date.today()
POLICY_FORM = {"level_min_on": "on", "level_min_level": "4", "default_capacity": "3", "reminder_days": "5",
               "escalate_after_days": "1", "note": "matrix"}
TEMPLATE_FORM = {"name": "矩阵项目", "mentee_type": "new_graduate", "topics": "* 价值观\n沟通", "duration_months": "6",
                 "one_to_one_every": "1", "is_active": "on"}
TEMPLATE_API = {"name": "矩阵项目", "mentee_type": "new_graduate", "topics": [{"title": "价值观", "core": True}],
                "cadence": [{"kind": "one_to_one", "every_months": 1}]}
PLAN_EDIT = {"goals": "目标", "topics": "公司价值观\n岗位实操技能\n新主题", "starts_on": TODAY.isoformat(),
             "duration_months": "6"}

#                                                                          anon  empl  mgr  mentor  hr  admin  outs
WEB = [
    # Applying: everyone with an employee record. The employee's application is already waiting
    # (a form error, 200); the mentor is a mentor already (200).
    Row("mentoring/apply/", "GET", f"{M}/apply/",                          (302, 200, 200, 200, 200, 404, 200)),
    Row("mentoring/apply/", "POST", f"{M}/apply/",                         (302, 200, 302, 200, 302, 404, 302),
        body={"motivation": "想带新人", "expertise": "Go"}),
    Row("mentoring/apply/<int:pk>/", "GET", f"{M}/apply/{{mc_application}}/", (302, 200, 404, 404, 200, 200, 404)),
    Row("mentoring/apply/<int:pk>/withdraw/", "POST", f"{M}/apply/{{mc_application}}/withdraw/",
        (302, 302, 404, 404, 404, 404, 404), body={}),
    # HR: applications inbox, decisions, policy, who qualifies now.
    Row("mentoring/applications/", "GET", f"{M}/applications/",            (302, 404, 404, 404, 200, 404, 404)),
    Row("mentoring/applications/<int:pk>/approve/", "POST", f"{M}/applications/{{mc_application}}/approve/",
        (302, 404, 404, 404, 302, 404, 404), body={"reason": ""}),
    Row("mentoring/applications/<int:pk>/reject/", "POST", f"{M}/applications/{{mc_application}}/reject/",
        (302, 404, 404, 404, 302, 404, 404), body={"reason": "名额已满"}),
    Row("mentoring/policy/", "GET", f"{M}/policy/",                        (302, 404, 404, 404, 200, 404, 404)),
    Row("mentoring/policy/", "POST", f"{M}/policy/",                       (302, 404, 404, 404, 302, 404, 404),
        body=POLICY_FORM),
    Row("mentoring/qualified/", "GET", f"{M}/qualified/",                  (302, 404, 404, 404, 200, 404, 404)),
    Row("mentoring/qualified/invite/", "POST", f"{M}/qualified/invite/",   (302, 404, 404, 404, 302, 404, 404),
        body={"employees": "{outsider}", "message": "欢迎"}),
    # Mentors: the directory for everyone; the profile edited by the mentor and HR.
    Row("mentoring/mentors/", "GET", f"{M}/mentors/",                      (302, 200, 200, 200, 200, 200, 200)),
    Row("mentoring/mentors/<int:pk>/", "GET", f"{M}/mentors/{{mc_mentor}}/", (302, 200, 200, 200, 200, 200, 200)),
    Row("mentoring/mentors/<int:pk>/", "POST", f"{M}/mentors/{{mc_mentor}}/", (302, 404, 404, 302, 302, 404, 404),
        body={"profile": "十年后端经验", "expertise": "Go, 代码评审", "capacity": "3", "active": "on"}),
    # Programmes: offered ones visible to all; HR edits.
    Row("mentoring/templates/", "GET", f"{M}/templates/",                  (302, 200, 200, 200, 200, 200, 200)),
    Row("mentoring/templates/new/", "GET", f"{M}/templates/new/",          (302, 404, 404, 404, 200, 404, 404)),
    Row("mentoring/templates/new/", "POST", f"{M}/templates/new/",         (302, 404, 404, 404, 302, 404, 404),
        body=TEMPLATE_FORM),
    Row("mentoring/templates/<int:pk>/", "GET", f"{M}/templates/{{mc_template}}/",
        (302, 404, 404, 404, 200, 404, 404)),
    Row("mentoring/templates/<int:pk>/", "POST", f"{M}/templates/{{mc_template}}/",
        (302, 404, 404, 404, 302, 404, 404), body=TEMPLATE_FORM),
    # Plans: HR's inbox (and the admin's read-only view); HR or the mentor starts a plan.
    Row("mentoring/plans/", "GET", f"{M}/plans/",                          (302, 404, 404, 404, 200, 200, 404)),
    Row("mentoring/plans/new/", "GET", f"{M}/plans/new/",                  (302, 404, 404, 200, 200, 404, 404)),
    Row("mentoring/plans/new/", "POST", f"{M}/plans/new/",                 (302, 404, 404, 302, 302, 404, 404),
        body={"template": "{mc_template_free}", "mentor": "{mc_mentor}", "mentee": "T-outsider",
              "starts_on": TODAY.isoformat()}),
    # The active plan: its mentee, its mentor, HR and the admin; not the managers.
    Row("mentoring/plans/<int:pk>/", "GET", f"{M}/plans/{{mc_plan_active}}/", (302, 200, 404, 200, 200, 200, 404)),
    Row("mentoring/plans/<int:pk>/edit/", "GET", f"{M}/plans/{{mc_plan_draft}}/edit/",
        (302, 404, 404, 200, 200, 404, 404)),
    Row("mentoring/plans/<int:pk>/edit/", "POST", f"{M}/plans/{{mc_plan_draft}}/edit/",
        (302, 404, 404, 302, 302, 404, 404), body=PLAN_EDIT),
    Row("mentoring/plans/<int:pk>/submit/", "POST", f"{M}/plans/{{mc_plan_draft}}/submit/",
        (302, 404, 404, 302, 302, 404, 404), body={}),
    # Only HR approves or returns (the plan's own mentor cannot either: tests/test_plans.py).
    Row("mentoring/plans/<int:pk>/approve/", "POST", f"{M}/plans/{{mc_plan_submitted}}/approve/",
        (302, 404, 404, 404, 302, 404, 404), body={"comment": ""}),
    Row("mentoring/plans/<int:pk>/return/", "POST", f"{M}/plans/{{mc_plan_submitted}}/return/",
        (302, 404, 404, 404, 302, 404, 404), body={"comment": "请补充目标"}),
    Row("mentoring/plans/<int:pk>/cancel/", "POST", f"{M}/plans/{{mc_plan_draft}}/cancel/",
        (302, 404, 404, 302, 302, 404, 404), body={"comment": ""}),
    # A 1:1 is recorded by the mentor only.
    Row("mentoring/items/<int:pk>/complete/", "GET", f"{M}/items/{{mc_item_open}}/complete/",
        (302, 404, 404, 200, 404, 404, 404)),
    Row("mentoring/items/<int:pk>/complete/", "POST", f"{M}/items/{{mc_item_open}}/complete/",
        (302, 404, 404, 302, 404, 404, 404),
        body={"held_on": TODAY.isoformat(), "duration_minutes": "45", "notes": "谈了目标"}),
    # Personal pages.
    Row("mentoring/me/", "GET", f"{M}/me/",                                (302, 200, 200, 200, 200, 404, 200)),
    Row("mentoring/mentees/", "GET", f"{M}/mentees/",                      (302, 404, 404, 200, 404, 404, 404)),
    Row("mentoring/overdue/", "GET", f"{M}/overdue/",                      (302, 404, 200, 404, 200, 200, 404)),
]

#                                                                          anon  empl  mgr  mentor  hr  admin  outs
API = [
    Row(f"{A}/policy", "GET", f"{A}/policy",                               (401, 200, 200, 200, 200, 200, 200)),
    Row(f"{A}/policy", "POST", f"{A}/policy",                              (401, 403, 403, 403, 201, 403, 403),
        body={"criteria": [{"key": "level_min", "params": {"level": 4}}]}),
    Row(f"{A}/applications", "GET", f"{A}/applications",                   (401, 200, 200, 200, 200, 200, 200)),
    # The employee's application is already waiting, the mentor is a mentor, the admin is nobody.
    Row(f"{A}/applications", "POST", f"{A}/applications",                  (401, 409, 201, 409, 201, 403, 201),
        body={"motivation": "想带新人", "expertise": ["Go"]}),
    Row(f"{A}/applications/{{application_id}}", "GET", f"{A}/applications/{{mc_application}}",
        (401, 200, 404, 404, 200, 200, 404)),
    Row(f"{A}/applications/{{application_id}}/approve", "POST", f"{A}/applications/{{mc_application}}/approve",
        (401, 403, 404, 404, 200, 403, 404), body={"reason": ""}),
    Row(f"{A}/applications/{{application_id}}/reject", "POST", f"{A}/applications/{{mc_application}}/reject",
        (401, 403, 404, 404, 200, 403, 404), body={"reason": "名额已满"}),
    Row(f"{A}/qualified", "GET", f"{A}/qualified",                         (401, 403, 403, 403, 200, 403, 403)),
    Row(f"{A}/qualified/invite", "POST", f"{A}/qualified/invite",          (401, 403, 403, 403, 201, 403, 403),
        body={"employee_ids": ["{outsider}"], "message": "欢迎"}),
    Row(f"{A}/mentors", "GET", f"{A}/mentors",                             (401, 200, 200, 200, 200, 200, 200)),
    Row(f"{A}/mentors/{{mentor_id}}", "GET", f"{A}/mentors/{{mc_mentor}}",  (401, 200, 200, 200, 200, 200, 200)),
    Row(f"{A}/mentors/{{mentor_id}}", "PATCH", f"{A}/mentors/{{mc_mentor}}", (401, 403, 403, 200, 200, 403, 403),
        body={"profile": "十年后端经验"}),
    Row(f"{A}/certifications", "POST", f"{A}/certifications",             (401, 403, 403, 403, 201, 403, 403),
        body={"employee_id": "{employee}", "name": "导师技能课程", "passed_on": TODAY.isoformat(), "score": 88}),
    Row(f"{A}/templates", "GET", f"{A}/templates",                         (401, 200, 200, 200, 200, 200, 200)),
    Row(f"{A}/templates", "POST", f"{A}/templates",                        (401, 403, 403, 403, 201, 403, 403),
        body=TEMPLATE_API),
    Row(f"{A}/templates/{{template_id}}", "GET", f"{A}/templates/{{mc_template}}",
        (401, 200, 200, 200, 200, 200, 200)),
    Row(f"{A}/templates/{{template_id}}", "PUT", f"{A}/templates/{{mc_template}}",
        (401, 403, 403, 403, 200, 403, 403), body=TEMPLATE_API),
    Row(f"{A}/plans", "GET", f"{A}/plans",                                 (401, 200, 200, 200, 200, 200, 200)),
    Row(f"{A}/plans", "POST", f"{A}/plans",                                (401, 403, 403, 201, 201, 403, 403),
        body={"template_id": "{mc_template_free}", "mentor_id": "{mc_mentor}", "mentee_id": "{outsider}",
              "starts_on": TODAY.isoformat()}),
    Row(f"{A}/plans/{{plan_id}}", "GET", f"{A}/plans/{{mc_plan_active}}",   (401, 200, 404, 200, 200, 200, 404)),
    Row(f"{A}/plans/{{plan_id}}", "PATCH", f"{A}/plans/{{mc_plan_draft}}",  (401, 403, 404, 200, 200, 403, 404),
        body={"goals": ["三个月独立交付"]}),
    Row(f"{A}/plans/{{plan_id}}/submit", "POST", f"{A}/plans/{{mc_plan_draft}}/submit",
        (401, 403, 404, 200, 200, 403, 404)),
    Row(f"{A}/plans/{{plan_id}}/approve", "POST", f"{A}/plans/{{mc_plan_submitted}}/approve",
        (401, 403, 404, 404, 200, 403, 404), body={"comment": ""}),
    Row(f"{A}/plans/{{plan_id}}/return", "POST", f"{A}/plans/{{mc_plan_submitted}}/return",
        (401, 403, 404, 404, 200, 403, 404), body={"comment": "请补充目标"}),
    Row(f"{A}/plans/{{plan_id}}/cancel", "POST", f"{A}/plans/{{mc_plan_draft}}/cancel",
        (401, 403, 404, 200, 200, 403, 404), body={"comment": ""}),
    Row(f"{A}/plans/{{plan_id}}/items", "GET", f"{A}/plans/{{mc_plan_active}}/items",
        (401, 200, 404, 200, 200, 200, 404)),
    Row(f"{A}/items/{{item_id}}/complete", "POST", f"{A}/items/{{mc_item_open}}/complete",
        (401, 403, 404, 200, 403, 403, 404), body={"held_on": TODAY.isoformat(), "duration_minutes": 45}),
    Row(f"{A}/overdue", "GET", f"{A}/overdue",                             (401, 200, 200, 200, 200, 200, 200)),
    Row(f"{A}/notices", "GET", f"{A}/notices",                             (401, 200, 200, 200, 200, 200, 200)),
]


def keys(world) -> dict:
    from talentloop.mentoring.models import (
        ItemKind,
        Mentor,
        MentorApplication,
        MentorPolicy,
        PlanItem,
        PlanStatus,
    )
    from talentloop.mentoring.tests import programme_fixtures as F

    if not MentorPolicy.objects.exists():
        F.policy([{"key": "level_min", "params": {"level": 3}}])
    policy = MentorPolicy.objects.order_by("-version").first()
    mentor, _created = Mentor.objects.get_or_create(employee=world.emp(world.mentor),
                                                    defaults={"capacity": 3, "since": dt.date(2024, 1, 1)})
    # Other areas' rows give this mentor plans of their own: keep a free place for the draft submitted here.
    Mentor.objects.filter(pk=mentor.pk, capacity__lt=10).update(capacity=10)
    employee = world.emp(world.employee)
    draft_tpl = F.template("矩阵-新员工")
    submitted_tpl = F.template("矩阵-转岗", mentee_type="job_transfer")
    active_tpl = F.template("矩阵-晋升", mentee_type="promotion_candidate")
    free_tpl = F.template("矩阵-空闲")
    draft = F.plan(mentor, employee, draft_tpl, TODAY, status=PlanStatus.DRAFT)
    # The submitted plan has a mentor of its own (not a persona), so the persona mentor keeps a free
    # place for submitting the draft whatever plans other matrix modules give them.
    from talentloop.testing.factories import EmployeeFactory

    other = EmployeeFactory(org_unit=world.platform, job_family=world.engineering, employee_number="MC-M1",
                            manager=world.emp(world.manager), level=7)
    other_mentor = Mentor.objects.create(employee=other, capacity=3, since=dt.date(2024, 1, 1))
    submitted = F.plan(other_mentor, employee, submitted_tpl, TODAY, status=PlanStatus.SUBMITTED)
    active = F.plan(mentor, employee, active_tpl, TODAY - dt.timedelta(days=40), status=PlanStatus.ACTIVE)
    item_open = F.item(active, TODAY + dt.timedelta(days=3))
    F.item(active, TODAY - dt.timedelta(days=5), kind=ItemKind.SKILL_ASSESSMENT)
    PlanItem.objects.filter(plan=active, due_on__lt=TODAY).update(escalated_on=TODAY - dt.timedelta(days=4))
    application = MentorApplication.objects.create(
        employee=employee, policy=policy, motivation="想带新人", qualifies=True,
        screening=[{"key": "level_min", "status": "passed", "evidence": {"required": 3, "level": 3}}])
    return {"mc_application": application.pk, "mc_mentor": mentor.pk, "mc_template": draft_tpl.pk,
            "mc_template_free": free_tpl.pk, "mc_plan_draft": draft.pk, "mc_plan_submitted": submitted.pk,
            "mc_plan_active": active.pk, "mc_item_open": item_open.pk}
