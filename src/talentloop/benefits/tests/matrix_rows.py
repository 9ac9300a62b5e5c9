"""Access matrix rows: benefits (plans, windows, enrolments). Statuses written by hand from the rules:

- everyone with an employee record has their own benefits page and joins or leaves plans for
  themselves; the administrator has no employee record (404 on the page, 422 when joining);
- HR (of the whole organisation here) and administrators manage plans and windows and see each
  plan's enrolments; everyone else gets a 404 on those pages and a 403 from the API;
- nobody leaves a plan for someone else: managers and outsiders do not see the employee's
  enrolment (404); HR and the administrator see it but may not end it (404 on the page, 403 in
  the API).

Columns: anonymous, employee, manager, mentor, hr, admin, outsider. ``employee`` is in the plan
``matrix-meal`` (window open from yesterday for a month); ``matrix-open`` is open to everyone and
nobody is in it.
"""

from __future__ import annotations

from talentloop.testing.matrix import Row

B = "/api/v1/benefits"
PLAN_BODY = {
    "key": "matrix-new",
    "name": "矩阵新计划",
    "kind": "meal_allowance",
    "employer_amount": "100",
    "employer_rate": "0",
    "employee_amount": "0",
    "employee_rate": "0",
    "tax_treatment": "taxable",
    "min_tenure_months": "0",
    "effective_from": "2026-01-01",
    "active": "on",
    "employee_part_from_pay": "on",
}

#                                                                          anon  empl  mgr  mentor  hr  admin  outs
WEB = [
    Row("benefits/", "GET", "/benefits/", (302, 200, 200, 200, 200, 404, 200)),
    Row(
        "benefits/plans/<int:pk>/enrol/",
        "POST",
        "/benefits/plans/{benefit_open_plan}/enrol/",
        (302, 302, 302, 302, 302, 404, 302),
        body={},
    ),
    Row(
        "benefits/enrolments/<int:pk>/cancel/",
        "POST",
        "/benefits/enrolments/{benefit_enrolment}/cancel/",
        (302, 302, 404, 404, 404, 404, 404),
        body={},
    ),
    Row("benefits/plans/", "GET", "/benefits/plans/", (302, 404, 404, 404, 200, 200, 404)),
    Row("benefits/plans/new/", "GET", "/benefits/plans/new/", (302, 404, 404, 404, 200, 200, 404)),
    Row("benefits/plans/new/", "POST", "/benefits/plans/new/", (302, 404, 404, 404, 302, 302, 404), body=PLAN_BODY),
    Row("benefits/plans/<int:pk>/", "GET", "/benefits/plans/{benefit_plan}/", (302, 404, 404, 404, 200, 200, 404)),
    Row(
        "benefits/plans/<int:pk>/",
        "POST",
        "/benefits/plans/{benefit_plan}/",
        (302, 404, 404, 404, 302, 302, 404),
        body={**PLAN_BODY, "key": "matrix-meal"},
    ),
    Row(
        "benefits/plans/<int:pk>/windows/new/",
        "POST",
        "/benefits/plans/{benefit_plan}/windows/new/",
        (302, 404, 404, 404, 302, 302, 404),
        body={"opens_on": "2099-01-01", "closes_on": "2099-01-31"},
    ),
    Row(
        "benefits/plans/<int:pk>/enrolments/",
        "GET",
        "/benefits/plans/{benefit_plan}/enrolments/",
        (302, 404, 404, 404, 200, 200, 404),
    ),
]

API = [
    Row(f"{B}/benefit-plans", "GET", f"{B}/benefit-plans", (401, 200, 200, 200, 200, 200, 200)),
    Row(
        f"{B}/benefit-plans",
        "POST",
        f"{B}/benefit-plans",
        (401, 403, 403, 403, 201, 201, 403),
        body={"key": "matrix-new", "name": "矩阵新计划", "kind": "meal_allowance", "effective_from": "2026-01-01"},
    ),
    Row(f"{B}/enrolments", "GET", f"{B}/enrolments", (401, 200, 200, 200, 200, 200, 200), label="mine"),
    Row(
        f"{B}/enrolments",
        "GET",
        f"{B}/enrolments?plan=matrix-meal",
        (401, 403, 403, 403, 200, 200, 403),
        label="a plan's",
    ),
    Row(
        f"{B}/enrolments", "POST", f"{B}/enrolments", (401, 201, 201, 201, 201, 422, 201), body={"plan": "matrix-open"}
    ),
    Row(
        f"{B}/enrolments/{{enrolment_id}}/cancel",
        "POST",
        f"{B}/enrolments/{{benefit_enrolment}}/cancel",
        (401, 200, 404, 404, 403, 403, 404),
    ),
]


def keys(world) -> dict:
    import datetime as dt

    from django.utils import timezone

    from talentloop.benefits.models import BenefitPlan, Enrolment, EnrolmentWindow

    today = timezone.localdate()
    plans = {}
    for key in ("matrix-meal", "matrix-open"):
        plan, created = BenefitPlan.objects.get_or_create(
            key=key, defaults={"name": key, "kind": "meal_allowance", "effective_from": dt.date(2020, 1, 1)}
        )
        if created:
            EnrolmentWindow.objects.create(
                plan=plan, opens_on=today - dt.timedelta(days=1), closes_on=today + dt.timedelta(days=30)
            )
        plans[key] = plan
    enrolment, _created = Enrolment.objects.get_or_create(
        employee=world.emp(world.employee),
        plan=plans["matrix-meal"],
        state="active",
        defaults={"start_month": today.replace(day=1)},
    )
    return {
        "benefit_plan": plans["matrix-meal"].pk,
        "benefit_open_plan": plans["matrix-open"].pk,
        "benefit_enrolment": enrolment.pk,
    }
