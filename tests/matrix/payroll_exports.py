"""Access matrix rows: the files of a payroll run (bank file, IIT sheet, journal, contribution lists) and
the column layouts of the bank file and the IIT sheet; their API.
Statuses written by hand from payroll/access.py (``can_export_run``, ``can_manage_export_layouts``):

- a run's files are for whoever runs the run's pay group and administrators; the matrix has no payroll
  persona, so only the administrator gets them, and a run outside one's pay groups is a 404 for everyone
  else (the page and the API alike);
- the layouts are kept by payroll and administrators: the pages are a 404 for everyone else; through the
  API, the list and a new layout are refused (403: there is no record to hide), and one layout, which
  the others do not see, is a 404;
- a valid layout saved or deleted on its page sends the administrator back to the list (302).

Columns: anonymous, employee, manager, mentor, hr, admin, outsider. The pay group ``matrix-exports`` has
a locked run (every file may be made from it) and there is a saved bank layout ``matrix-exports``.
"""

from __future__ import annotations

from talentloop.testing.matrix import Row

P = "/api/v1/payroll"
W = "/payroll"
PAYROLL_ONLY = (302, 404, 404, 404, 404, 200, 404)
SAVED = (302, 404, 404, 404, 404, 302, 404)
LAYOUT_FORM = {"kind": "bank", "name": "矩阵银行格式", "format": "csv", "encoding": "gb18030", "rows": "2",
               "field_0": "bank_account", "header_0": "账号", "order_0": "1",
               "field_1": "net_pay", "header_1": "金额", "order_1": "2"}  # fmt: skip
LAYOUT_JSON = {"kind": "bank", "name": "矩阵银行格式", "format": "csv", "encoding": "gb18030",
               "columns": [{"field": "bank_account"}, {"field": "net_pay"}]}  # fmt: skip

#                                                                              anon  empl  mgr  mentor  hr  admin  outs
WEB = [
    Row("payroll/runs/<int:pk>/exports/", "GET", f"{W}/runs/{{exports_run}}/exports/", PAYROLL_ONLY),
    Row("payroll/runs/<int:pk>/exports/<str:kind>/", "GET", f"{W}/runs/{{exports_run}}/exports/journal/",
        PAYROLL_ONLY),
    Row("payroll/export-layouts/", "GET", f"{W}/export-layouts/",              PAYROLL_ONLY),
    Row("payroll/export-layouts/new/", "GET", f"{W}/export-layouts/new/?kind=iit", PAYROLL_ONLY),
    Row("payroll/export-layouts/new/", "POST", f"{W}/export-layouts/new/",     SAVED, body=LAYOUT_FORM),
    Row("payroll/export-layouts/<int:pk>/", "GET", f"{W}/export-layouts/{{exports_layout}}/", PAYROLL_ONLY),
    Row("payroll/export-layouts/<int:pk>/", "POST", f"{W}/export-layouts/{{exports_layout}}/", SAVED,
        body=LAYOUT_FORM),
    Row("payroll/export-layouts/<int:pk>/delete/", "POST", f"{W}/export-layouts/{{exports_layout}}/delete/", SAVED,
        body={}),
]

API = [
    Row(f"{P}/exports/{{kind}}", "GET", f"{P}/exports/journal?run={{exports_run}}",
        (401, 404, 404, 404, 404, 200, 404)),
    Row(f"{P}/export-layouts", "GET", f"{P}/export-layouts",                   (401, 403, 403, 403, 403, 200, 403)),
    Row(f"{P}/export-layouts", "POST", f"{P}/export-layouts",                  (401, 403, 403, 403, 403, 201, 403),
        body=LAYOUT_JSON),
    Row(f"{P}/export-layouts/{{layout_id}}", "PUT", f"{P}/export-layouts/{{exports_layout}}",
        (401, 404, 404, 404, 404, 200, 404), body=LAYOUT_JSON),
    Row(f"{P}/export-layouts/{{layout_id}}", "DELETE", f"{P}/export-layouts/{{exports_layout}}",
        (401, 404, 404, 404, 404, 204, 404)),
]


def keys(world) -> dict:
    import datetime as dt
    from decimal import Decimal

    from django.utils import timezone

    from talentloop.payroll.models import ExportLayout, PayGroup, PayrollRun, Payslip

    group, _created = PayGroup.objects.get_or_create(key="matrix-exports", defaults={"name": "矩阵导出组"})
    now = timezone.now()
    run, _created = PayrollRun.objects.get_or_create(
        pay_group=group, month=dt.date(2029, 6, 1), kind="regular",
        defaults={"state": "locked", "calculated_at": now, "calculations": 1, "submitted_at": now,
                  "submitted_by": world.hr, "approved_at": now, "locked_at": now})  # fmt: skip
    Payslip.objects.get_or_create(
        run=run, employee=world.emp(world.outsider),
        defaults={"month": run.month, "gross": Decimal("9000"), "net": Decimal("7500"), "published_at": now})
    layout, _created = ExportLayout.objects.get_or_create(
        kind="bank", name="matrix-exports",
        defaults={"columns": [{"field": "bank_account"}, {"field": "net_pay"}], "format": "csv"})
    return {"exports_run": run.pk, "exports_layout": layout.pk}
