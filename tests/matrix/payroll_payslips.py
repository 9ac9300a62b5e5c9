"""Access matrix rows: payslips, their PDF, questions on a line, and fresh re-authentication.
Statuses written by hand from the rules of issue 13 and payroll/access.py:

- a payslip (the list, one, its PDF, asking about it) opens only within five minutes of a fresh
  re-authentication; the matrix's clients sign in without one, so every signed-in persona is sent to
  confirm it is them (302 to ``accounts:reauth``), and every token client gets 403 (``code``
  ``reauth_required``) whoever owns the payslip — nothing about the payslip is told before;
- the re-authentication itself is for everyone signed in (the page; the API with the password);
- the question queue and the answer are for payroll of the run's pay group and administrators (the
  matrix has no payroll persona: only the administrator); everyone else gets a 404;
- only the person whose payslip it is asks about it: the administrator, who may read it, gets 403.

Columns: anonymous, employee, manager, mentor, hr, admin, outsider. ``employee`` has a published
payslip (a locked run of the pay group ``matrix-ps``) with an income-tax line and an open question.
"""

from __future__ import annotations

from talentloop.testing.matrix import Row
from talentloop.testing.personas import PASSWORD

P = "/api/v1/payroll"
W = "/payroll"
FRESH = (302, 302, 302, 302, 302, 302, 302)

#                                                                              anon  empl  mgr  mentor  hr  admin  outs
WEB = [
    Row("accounts/reauth/", "GET", "/accounts/reauth/",                        (302, 200, 200, 200, 200, 200, 200)),
    Row("accounts/reauth/", "POST", "/accounts/reauth/",                       (302, 302, 302, 302, 302, 302, 302),
        body={"password": PASSWORD}),
    Row("payroll/payslips/", "GET", f"{W}/payslips/",                          FRESH),
    Row("payroll/payslips/<int:pk>/", "GET", f"{W}/payslips/{{ps_payslip}}/",  FRESH),
    Row("payroll/payslips/<int:pk>.pdf", "GET", f"{W}/payslips/{{ps_payslip}}.pdf", FRESH),
    Row("payroll/payslips/<int:pk>/questions/", "POST", f"{W}/payslips/{{ps_payslip}}/questions/", FRESH,
        body={"line_code": "iit", "text": "Why?"}),
    Row("payroll/payslips/<int:pk>/questions/<int:question_pk>/close/", "POST",
        f"{W}/payslips/{{ps_payslip}}/questions/{{ps_question}}/close/", FRESH, body={}),
    Row("payroll/questions/", "GET", f"{W}/questions/",                        (302, 404, 404, 404, 404, 200, 404)),
    Row("payroll/questions/<int:pk>/", "GET", f"{W}/questions/{{ps_question}}/",
        (302, 404, 404, 404, 404, 200, 404)),
    Row("payroll/questions/<int:pk>/", "POST", f"{W}/questions/{{ps_question}}/",
        (302, 404, 404, 404, 404, 302, 404), body={"answer": "See the tax table."}),
]

API = [
    Row("/api/v1/auth/reauth", "POST", "/api/v1/auth/reauth",                  (401, 200, 200, 200, 200, 200, 200),
        body={"password": PASSWORD}),
    Row(f"{P}/payslips", "GET", f"{P}/payslips",                               (401, 403, 403, 403, 403, 403, 403)),
    Row(f"{P}/payslips/{{payslip_id}}", "GET", f"{P}/payslips/{{ps_payslip}}", (401, 403, 403, 403, 403, 403, 403)),
    Row(f"{P}/payslips/{{payslip_id}}.pdf", "GET", f"{P}/payslips/{{ps_payslip}}.pdf",
        (401, 403, 403, 403, 403, 403, 403)),
    Row(f"{P}/payslips/{{payslip_id}}/questions", "POST", f"{P}/payslips/{{ps_payslip}}/questions",
        (401, 201, 404, 404, 404, 403, 404), body={"line_code": "iit", "text": "Why?"}),
    Row(f"{P}/questions", "GET", f"{P}/questions",                             (401, 200, 200, 200, 200, 200, 200)),
    Row(f"{P}/questions/{{question_id}}/answer", "POST", f"{P}/questions/{{ps_question}}/answer",
        (401, 404, 404, 404, 404, 200, 404), body={"answer": "See the tax table."}),
]


def keys(world) -> dict:
    import datetime as dt
    from decimal import Decimal

    from django.utils import timezone

    from talentloop.payroll.models import PayGroup, PayrollLine, PayrollRun, Payslip, PayslipQuestion

    group, _created = PayGroup.objects.get_or_create(key="matrix-ps", defaults={"name": "矩阵工资组"})
    month = dt.date(2025, 1, 1)
    run, _created = PayrollRun.objects.get_or_create(pay_group=group, month=month, kind="regular",
                                                     defaults={"state": "locked"})
    payslip, created = Payslip.objects.get_or_create(
        run=run, employee=world.emp(world.employee),
        defaults={"month": month, "gross": Decimal("10000"), "net": Decimal("8000"), "published_at": timezone.now()})
    if created:
        PayrollLine.objects.create(payslip=payslip, position=0, code="iit", kind="deduction", amount=Decimal("-90"))
    question, _created = PayslipQuestion.objects.get_or_create(payslip=payslip, line_code="iit",
                                                               defaults={"text": "Why this much?"})
    return {"ps_payslip": payslip.pk, "ps_question": question.pk}
