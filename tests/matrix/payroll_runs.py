"""Access matrix rows: payroll runs (the list, a new run, the review, the workflow's steps, one person's
lines), one-off pay items with the annual-bonus cliffs, and the attendance import; their API.
Statuses written by hand from payroll/access.py and the run pages:

- the run pages, the pay-item pages and the attendance import are for payroll (their pay groups) and
  administrators (``can_use_run_pages``); the matrix has no payroll persona, so only the administrator
  uses them and everyone else signed in gets the 404 of a page that does not exist;
- a step of the workflow (calculate, submit, approve, reopen, lock, reverse) sends the administrator back
  to the run's page whatever the outcome (a refused step is a message there);
- the run's status, polled while it is calculated, answers 204 (reload) when nothing is being calculated;
- through the API a run outside the reader's pay groups is a 404; the lists answer the reader's runs and
  items (none: an empty list); creating a run for a pay group that is not one's own names the field
  (422); recording an item for someone who is not one's payroll subject is a 404; importing attendance
  is refused (403) to everyone but payroll and administrators.

Columns: anonymous, employee, manager, mentor, hr, admin, outsider. The pay group ``matrix-runs`` has a
run in each state (draft, calculated, submitted by HR's account, approved, locked); the draft one holds
a payslip of ``employee``.
"""

from __future__ import annotations

from talentloop.testing.matrix import Row

P = "/api/v1/payroll"
W = "/payroll"
PAYROLL_ONLY = (302, 404, 404, 404, 404, 200, 404)
STEP = (302, 404, 404, 404, 404, 302, 404)
API_RUN = (401, 404, 404, 404, 404, 200, 404)

#                                                                              anon  empl  mgr  mentor  hr  admin  outs
WEB = [
    Row("payroll/runs/", "GET", f"{W}/runs/",                                  PAYROLL_ONLY),
    Row("payroll/runs/new/", "POST", f"{W}/runs/new/",                         STEP,
        body={"pay_group": "{runs_group}", "month": "2031-01", "kind": "regular", "title": ""}),
    Row("payroll/runs/<int:pk>/", "GET", f"{W}/runs/{{runs_draft}}/",          PAYROLL_ONLY),
    Row("payroll/runs/<int:pk>/status/", "GET", f"{W}/runs/{{runs_draft}}/status/",
        (302, 404, 404, 404, 404, 204, 404)),
    Row("payroll/runs/<int:pk>/calculate/", "POST", f"{W}/runs/{{runs_draft}}/calculate/", STEP, body={}),
    Row("payroll/runs/<int:pk>/submit/", "POST", f"{W}/runs/{{runs_calculated}}/submit/", STEP, body={}),
    Row("payroll/runs/<int:pk>/approve/", "POST", f"{W}/runs/{{runs_submitted}}/approve/", STEP, body={}),
    Row("payroll/runs/<int:pk>/reopen/", "POST", f"{W}/runs/{{runs_approved}}/reopen/", STEP,
        body={"reason": "A correction."}),
    Row("payroll/runs/<int:pk>/lock/", "POST", f"{W}/runs/{{runs_approved}}/lock/", STEP,
        body={"confirm": "on"}),
    Row("payroll/runs/<int:pk>/reverse/", "POST", f"{W}/runs/{{runs_locked}}/reverse/", STEP,
        body={"reason": "Paid twice."}),
    Row("payroll/runs/<int:pk>/payslips/<int:payslip>/", "GET",
        f"{W}/runs/{{runs_draft}}/payslips/{{runs_payslip}}/",                 PAYROLL_ONLY),
    Row("payroll/items/", "GET", f"{W}/items/",                                PAYROLL_ONLY),
    Row("payroll/items/", "POST", f"{W}/items/",                               STEP,
        body={"employee_id": "{employee}", "employee": "", "month": "2031-01", "kind": "earning",
              "amount": "100.00", "reason": "Matrix", "taxable": "on", "bonus_method": ""}),
    Row("payroll/items/bonus-check/", "GET", f"{W}/items/bonus-check/?kind=annual_bonus&amount=36500&month=2031-01",
        PAYROLL_ONLY),
    Row("payroll/items/bonus-cliffs/", "GET", f"{W}/items/bonus-cliffs/?year=2031", PAYROLL_ONLY),
    Row("payroll/attendance/import/", "GET", f"{W}/attendance/import/",        PAYROLL_ONLY),
    Row("payroll/attendance/import/", "POST", f"{W}/attendance/import/",       PAYROLL_ONLY,
        body={"month": "2031-01"}, label="without a file"),
    Row("payroll/attendance/import/template/", "GET", f"{W}/attendance/import/template/", PAYROLL_ONLY),
]

API = [
    Row(f"{P}/runs", "GET", f"{P}/runs",                                       (401, 200, 200, 200, 200, 200, 200)),
    Row(f"{P}/runs", "POST", f"{P}/runs",                                      (401, 422, 422, 422, 422, 201, 422),
        body={"pay_group": "matrix-runs", "month": "2031-01"}),
    Row(f"{P}/runs/{{run_id}}", "GET", f"{P}/runs/{{runs_draft}}",             API_RUN),
    Row(f"{P}/runs/{{run_id}}/calculate", "POST", f"{P}/runs/{{runs_draft}}/calculate", API_RUN),
    Row(f"{P}/runs/{{run_id}}/submit", "POST", f"{P}/runs/{{runs_calculated}}/submit", API_RUN),
    Row(f"{P}/runs/{{run_id}}/approve", "POST", f"{P}/runs/{{runs_submitted}}/approve", API_RUN),
    Row(f"{P}/runs/{{run_id}}/reopen", "POST", f"{P}/runs/{{runs_approved}}/reopen", API_RUN,
        body={"reason": "A correction."}),
    Row(f"{P}/runs/{{run_id}}/lock", "POST", f"{P}/runs/{{runs_approved}}/lock", API_RUN),
    Row(f"{P}/runs/{{run_id}}/reverse", "POST", f"{P}/runs/{{runs_locked}}/reverse",
        (401, 404, 404, 404, 404, 201, 404), body={"reason": "Paid twice."}),
    Row(f"{P}/runs/{{run_id}}/payslips", "GET", f"{P}/runs/{{runs_draft}}/payslips", API_RUN),
    Row(f"{P}/runs/{{run_id}}/lines", "GET", f"{P}/runs/{{runs_draft}}/lines", API_RUN),
    Row(f"{P}/pay-items", "GET", f"{P}/pay-items",                             (401, 200, 200, 200, 200, 200, 200)),
    Row(f"{P}/pay-items", "POST", f"{P}/pay-items",                            (401, 404, 404, 404, 404, 201, 404),
        body={"employee": "{employee}", "month": "2031-01", "kind": "earning", "amount": "100.00",
              "reason": "Matrix"}),
    Row(f"{P}/attendance-imports", "POST", f"{P}/attendance-imports",          (401, 403, 403, 403, 403, 200, 403),
        body={"month": "2031-01", "keep_good": True,
              "rows": [{"employee": "{employee}", "scheduled_days": "21.75"}]}),
]


def keys(world) -> dict:
    import datetime as dt
    from decimal import Decimal

    from django.utils import timezone

    from talentloop.payroll.models import PayGroup, PayrollLine, PayrollRun, Payslip

    group, _created = PayGroup.objects.get_or_create(key="matrix-runs", defaults={"name": "矩阵发薪组"})
    now = timezone.now()
    states = {
        "draft": {},
        "calculated": {"calculated_at": now, "calculations": 1},
        "submitted": {"calculated_at": now, "calculations": 1, "submitted_at": now, "submitted_by": world.hr},
        "approved": {"calculated_at": now, "calculations": 1, "submitted_at": now, "submitted_by": world.hr,
                     "approved_at": now},
        "locked": {"calculated_at": now, "calculations": 1, "submitted_at": now, "submitted_by": world.hr,
                   "approved_at": now, "locked_at": now},
    }
    found = {}
    for month, (state, fields) in enumerate(states.items(), start=1):
        run, _created = PayrollRun.objects.get_or_create(
            pay_group=group, month=dt.date(2030, month, 1), kind="regular", defaults={"state": state, **fields})
        found[f"runs_{state}"] = run.pk
    draft = PayrollRun.objects.get(pk=found["runs_draft"])
    payslip, created = Payslip.objects.get_or_create(
        run=draft, employee=world.emp(world.employee),
        defaults={"month": draft.month, "gross": Decimal("10000"), "net": Decimal("8000")})
    if created:
        PayrollLine.objects.create(payslip=payslip, position=0, code="iit", kind="deduction", amount=Decimal("-90"))
    return {**found, "runs_group": group.pk, "runs_payslip": payslip.pk}
