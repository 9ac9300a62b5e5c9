"""Access matrix rows: employment contracts. Statuses written by hand from the rules of issue 12:

- the whole contract is seen by the person and HR covering them; managers above the person (and
  administrators) see the working-hour system and the end only; others cannot see the person (404);
- HR covering the person records a contract row; anyone who sees the person but may not record gets
  a 403 from the API, and every page is a 404 for them.

Columns: anonymous, employee, manager, mentor, hr, admin, outsider. ``employee`` has a fixed-term
contract from 2019-05-06 with the pay group 矩阵薪组 (shown to the person and HR only).
"""

from __future__ import annotations

from talentloop.testing.matrix import Row

PAY_GROUP = "矩阵薪组"
FORM = {"start_date": "2024-01-01", "term": "open_ended", "working_hours": "standard", "notice_period_days": "30"}

#                                                                              anon  empl  mgr  mentor  hr  admin  outs
WEB = [
    Row("people/<int:pk>/contract/new/", "GET", "/people/{employee}/contract/new/",
        (302, 404, 404, 404, 200, 404, 404)),
    Row("people/<int:pk>/contract/new/", "POST", "/people/{employee}/contract/new/",
        (302, 404, 404, 404, 302, 404, 404), body=FORM),
    Row("people/<int:pk>/", "GET", "/people/{employee}/",                      (302, 200, 200, 404, 200, 200, 404),
        label="the contract on the employee's record",
        extra={"shows": PAY_GROUP, "shown": (None, True, False, None, True, False, None),
               "datum": "the contract's pay group"}),
]

#                                                                              anon  empl  mgr  mentor  hr  admin  outs
API = [
    Row("/api/v1/employees/{employee_id}/contracts", "GET", "/api/v1/employees/{employee}/contracts",
        (401, 200, 200, 404, 200, 200, 404),
        extra={"shows": lambda response: PAY_GROUP in str(response.json()),
               "shown": (None, True, False, None, True, False, None),
               "datum": "the contract's pay group"}),
    Row("/api/v1/employees/{employee_id}/contracts", "POST", "/api/v1/employees/{employee}/contracts",
        (401, 403, 403, 404, 201, 403, 404),
        body={"start_date": "2024-01-01", "term": "open_ended", "working_hours": "standard"}),
]


def keys(world) -> dict:
    import datetime as dt

    from talentloop.organisation.models import EmploymentContract

    EmploymentContract.objects.get_or_create(
        employee=world.emp(world.employee), effective_from=dt.date(2019, 5, 6),
        defaults={"start_date": dt.date(2019, 5, 6), "end_date": dt.date(2029, 5, 5), "term": "fixed",
                  "pay_group": PAY_GROUP, "social_insurance_city": "上海"})
    return {}
