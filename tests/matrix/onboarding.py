"""Access matrix rows: onboarding checklists, ticking steps and templates. Statuses written by hand
from the rules of issue 5:

- a checklist is seen by its new hire, anyone above them in the reporting tree, their active mentor
  (``mentor`` mentors ``employee`` in an active plan, tests/matrix/mentoring_core.py), HR and the
  admin; never by an outsider (404);
- a step is ticked by its owner: the new hire's own steps by the new hire, manager steps by any
  manager up the chain, mentor steps by the active mentor, HR and IT steps by HR or the admin; HR may
  tick anything. Web: a step the persona may not tick is a 404; API: 403 when the checklist is
  visible, 404 when it is not;
- HR or a manager starts a checklist; HR edits templates and lists every checklist (the admin
  reads the list and the templates through the API, but edits nothing).

Columns: anonymous, employee, manager, mentor, hr, admin, outsider. ``employee`` has a checklist made
from the organisation-wide template; ``OB-NEW`` is a new hire reporting to ``lead`` with none yet.
"""

from __future__ import annotations

import datetime as dt

from talentloop.testing.matrix import Row

W = "/onboarding"
A = "/api/v1/onboarding"
TODAY = dt.date.today().isoformat()
TEMPLATE_FORM = {"name": "矩阵模板", "steps": "-2 | it | 电脑 | Laptop\n1 | manager | 午餐", "active": "on"}
TEMPLATE_API = {"name": "矩阵模板", "steps": [{"title": "电脑", "owner": "it", "due_day": -2}]}

#                                                                           anon  empl  mgr  mentor  hr  admin  outs
WEB = [
    Row("onboarding/me/", "GET", f"{W}/me/",                                (302, 200, 200, 200, 200, 404, 200)),
    Row("onboarding/team/", "GET", f"{W}/team/",                            (302, 404, 200, 404, 404, 404, 404)),
    Row("onboarding/checklists/", "GET", f"{W}/checklists/",                (302, 404, 404, 404, 200, 200, 404)),
    Row("onboarding/checklists/new/", "GET", f"{W}/checklists/new/",        (302, 404, 200, 404, 200, 404, 404)),
    Row("onboarding/checklists/new/", "POST", f"{W}/checklists/new/",       (302, 404, 302, 404, 302, 404, 404),
        body={"employee": "OB-NEW", "start_date": TODAY}),
    Row("onboarding/checklists/<int:pk>/", "GET", f"{W}/checklists/{{ob_checklist}}/",
        (302, 200, 200, 200, 200, 200, 404)),
    Row("onboarding/steps/<int:pk>/tick/", "POST", f"{W}/steps/{{ob_step_new_hire}}/tick/",
        (302, 302, 404, 404, 302, 404, 404), body={}, label="new hire's step"),
    Row("onboarding/steps/<int:pk>/tick/", "POST", f"{W}/steps/{{ob_step_mentor}}/tick/",
        (302, 404, 404, 302, 302, 404, 404), body={}, label="mentor's step"),
    Row("onboarding/steps/<int:pk>/tick/", "POST", f"{W}/steps/{{ob_step_it}}/tick/",
        (302, 404, 404, 404, 302, 302, 404), body={}, label="IT step"),
    Row("onboarding/steps/<int:pk>/untick/", "POST", f"{W}/steps/{{ob_step_manager}}/untick/",
        (302, 404, 302, 404, 302, 404, 404), body={}),
    Row("onboarding/templates/", "GET", f"{W}/templates/",                  (302, 404, 404, 404, 200, 404, 404)),
    Row("onboarding/templates/new/", "GET", f"{W}/templates/new/",          (302, 404, 404, 404, 200, 404, 404)),
    Row("onboarding/templates/new/", "POST", f"{W}/templates/new/",         (302, 404, 404, 404, 302, 404, 404),
        body={**TEMPLATE_FORM, "org_unit": "{ob_sales}"}),
    Row("onboarding/templates/<int:pk>/", "GET", f"{W}/templates/{{ob_template}}/",
        (302, 404, 404, 404, 200, 404, 404)),
    Row("onboarding/templates/<int:pk>/", "POST", f"{W}/templates/{{ob_template}}/",
        (302, 404, 404, 404, 302, 404, 404), body=TEMPLATE_FORM),
    Row("onboarding/templates/<int:pk>/delete/", "POST", f"{W}/templates/{{ob_template}}/delete/",
        (302, 404, 404, 404, 302, 404, 404), body={}),
]

#                                                                           anon  empl  mgr  mentor  hr  admin  outs
API = [
    Row(f"{A}/checklists", "GET", f"{A}/checklists",                        (401, 200, 200, 200, 200, 200, 200)),
    Row(f"{A}/checklists", "POST", f"{A}/checklists",                       (401, 403, 201, 403, 201, 403, 403),
        body={"employee_id": "{ob_new}", "start_date": TODAY}),
    Row(f"{A}/checklists/{{checklist_id}}", "GET", f"{A}/checklists/{{ob_checklist}}",
        (401, 200, 200, 200, 200, 200, 404)),
    Row(f"{A}/steps/{{step_id}}/tick", "POST", f"{A}/steps/{{ob_step_new_hire}}/tick",
        (401, 200, 403, 403, 200, 403, 404), body={"note": ""}),
    Row(f"{A}/steps/{{step_id}}/untick", "POST", f"{A}/steps/{{ob_step_manager}}/untick",
        (401, 403, 200, 403, 200, 403, 404)),
    Row(f"{A}/templates", "GET", f"{A}/templates",                          (401, 403, 403, 403, 200, 200, 403)),
    Row(f"{A}/templates", "POST", f"{A}/templates",                         (401, 403, 403, 403, 201, 403, 403),
        body={**TEMPLATE_API, "org_unit_id": "{ob_sales}"}),
    Row(f"{A}/templates/{{template_id}}", "GET", f"{A}/templates/{{ob_template}}",
        (401, 404, 404, 404, 200, 200, 404)),
    Row(f"{A}/templates/{{template_id}}", "PUT", f"{A}/templates/{{ob_template}}",
        (401, 404, 404, 404, 200, 403, 404), body=TEMPLATE_API),
    Row(f"{A}/templates/{{template_id}}", "DELETE", f"{A}/templates/{{ob_template}}",
        (401, 404, 404, 404, 204, 403, 404)),
]


def keys(world) -> dict:
    from talentloop.onboarding.tests import factories as OF
    from talentloop.testing.factories import EmployeeFactory

    tpl = OF.template("矩阵-全公司")
    checklist = OF.checklist(world.emp(world.employee), dt.date.today() + dt.timedelta(days=3), tpl=tpl)
    steps = {s.owner: s.pk for s in checklist.steps.all()}
    new = EmployeeFactory(org_unit=world.platform, job_family=world.engineering, employee_number="OB-NEW",
                          manager=world.emp(world.lead), hire_date=dt.date.today())
    return {"ob_template": tpl.pk, "ob_checklist": checklist.pk, "ob_step_new_hire": steps["new_hire"],
            "ob_step_manager": steps["manager"], "ob_step_mentor": steps["mentor"], "ob_step_it": steps["it"],
            "ob_new": new.pk, "ob_sales": world.sales.pk}
