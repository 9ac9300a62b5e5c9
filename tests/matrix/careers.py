"""Access matrix rows: career ladders and promotion paths. Statuses written by hand from the rules
of issue 5:

- ladders (what each level asks) are open to everyone signed in through the API; the ladder pages
  are HR's editor (the admin reads the list); only HR creates and changes ladders and levels;
- a promotion path is read by the person, anyone above them in the reporting tree, HR, the admin and
  their mentor (``mentor`` mentors ``employee`` in an active plan, tests/matrix/mentoring_core.py);
  an outsider gets a 404; "my path" needs an employee record (the admin has none).

Columns: anonymous, employee, manager, mentor, hr, admin, outsider. ``cr_ladder`` is the software
engineers' ladder with levels 3 and 4; sales has no ladder (``cr_sales_family``).
"""

from __future__ import annotations

from talentloop.testing.matrix import Row

C = "/careers"
A = "/api/v1/careers"
LEVEL_FORM = {"level": "6", "title": "资深工程师", "min_rating": "4.5", "min_months_in_level": "24",
              "required_skills": '[{{"skill": "python", "min_score": 85}}]'}

#                                                                           anon  empl  mgr  mentor  hr  admin  outs
WEB = [
    Row("careers/me/", "GET", f"{C}/me/",                                   (302, 200, 200, 200, 200, 404, 200)),
    Row("careers/people/<int:pk>/", "GET", f"{C}/people/{{employee}}/",     (302, 200, 200, 200, 200, 200, 404)),
    Row("careers/ladders/", "GET", f"{C}/ladders/",                         (302, 404, 404, 404, 200, 200, 404)),
    Row("careers/ladders/new/", "GET", f"{C}/ladders/new/",                 (302, 404, 404, 404, 200, 404, 404)),
    Row("careers/ladders/new/", "POST", f"{C}/ladders/new/",                (302, 404, 404, 404, 302, 404, 404),
        body={"job_family": "{cr_sales_family}", "name": "销售通道"}),
    Row("careers/ladders/<int:pk>/", "GET", f"{C}/ladders/{{cr_ladder}}/",  (302, 404, 404, 404, 200, 404, 404)),
    Row("careers/ladders/<int:pk>/", "POST", f"{C}/ladders/{{cr_ladder}}/", (302, 404, 404, 404, 302, 404, 404),
        body={"job_family": "{engineering}", "name": "工程师通道"}),
    Row("careers/ladders/<int:ladder_pk>/levels/new/", "GET", f"{C}/ladders/{{cr_ladder}}/levels/new/",
        (302, 404, 404, 404, 200, 404, 404)),
    Row("careers/ladders/<int:ladder_pk>/levels/new/", "POST", f"{C}/ladders/{{cr_ladder}}/levels/new/",
        (302, 404, 404, 404, 302, 404, 404), body=LEVEL_FORM),
    Row("careers/levels/<int:pk>/", "GET", f"{C}/levels/{{cr_level}}/",     (302, 404, 404, 404, 200, 404, 404)),
    Row("careers/levels/<int:pk>/", "POST", f"{C}/levels/{{cr_level}}/",    (302, 404, 404, 404, 302, 404, 404),
        body={**LEVEL_FORM, "level": "4"}),
    Row("careers/levels/<int:pk>/delete/", "POST", f"{C}/levels/{{cr_level}}/delete/",
        (302, 404, 404, 404, 302, 404, 404), body={}),
]

#                                                                           anon  empl  mgr  mentor  hr  admin  outs
API = [
    Row(f"{A}/ladders", "GET", f"{A}/ladders",                              (401, 200, 200, 200, 200, 200, 200)),
    Row(f"{A}/ladders", "POST", f"{A}/ladders",                             (401, 403, 403, 403, 201, 403, 403),
        body={"job_family_id": "{cr_sales_family}", "name": "销售通道"}),
    Row(f"{A}/ladders/{{ladder_id}}", "GET", f"{A}/ladders/{{cr_ladder}}",  (401, 200, 200, 200, 200, 200, 200)),
    Row(f"{A}/ladders/{{ladder_id}}", "PATCH", f"{A}/ladders/{{cr_ladder}}", (401, 403, 403, 403, 200, 403, 403),
        body={"name": "工程师通道"}),
    Row(f"{A}/ladders/{{ladder_id}}/levels", "POST", f"{A}/ladders/{{cr_ladder}}/levels",
        (401, 403, 403, 403, 201, 403, 403), body={"level": 6, "title": "资深工程师", "min_rating": 4.5}),
    Row(f"{A}/levels/{{level_id}}", "PATCH", f"{A}/levels/{{cr_level}}",     (401, 403, 403, 403, 200, 403, 403),
        body={"min_months_in_level": 18}),
    Row(f"{A}/path", "GET", f"{A}/path",                                    (401, 200, 200, 200, 200, 404, 200)),
    Row(f"{A}/path/{{employee_id}}", "GET", f"{A}/path/{{employee}}",        (401, 200, 200, 200, 200, 200, 404)),
]


def keys(world) -> dict:
    from decimal import Decimal

    from talentloop.careers.models import CareerLadder, LadderLevel

    ladder = CareerLadder.objects.create(job_family=world.engineering, name="工程师通道", name_en="Engineer ladder")
    LadderLevel.objects.create(ladder=ladder, level=3, title="工程师")
    level = LadderLevel.objects.create(ladder=ladder, level=4, title="高级工程师", min_rating=Decimal("4.0"),
                                       min_months_in_level=24, required_skills=[{"skill": "python", "min_score": 80}])
    return {"cr_ladder": ladder.pk, "cr_level": level.pk, "cr_sales_family": world.sales_family.pk}
