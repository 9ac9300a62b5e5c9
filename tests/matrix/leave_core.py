"""Access matrix rows: leave types and policies, balances with their ledger, HR's adjustment, prior
service. Statuses written by hand from the rules of issue 12 and leave/access.py's docstring:

- leave types are kept by HR covering the whole organisation (``hr``); everyone signed in reads the
  active ones through the API; a type the persona sees but may not change is a 403 there;
- balances: one's own (the admin has no employee record: 404); someone else's for those above them in
  the reporting tree, HR covering them and the admin; ``mentor`` (mentoring nobody) and ``outsider``
  see nothing of ``employee`` (404);
- HR covering a person adjusts their balance (never their own); a visible person whose balance the
  persona may not adjust is a 404 on the page and a 403 in the API;
- prior service: everyone with an employee record states their own; HR covering them verifies it and,
  with the person, opens the evidence; a manager sees that it exists, never the evidence.

Columns: anonymous, employee, manager, mentor, hr, admin, outsider.
"""

from __future__ import annotations

import datetime as dt

from talentloop.testing.matrix import Row

W = "/leave"
A = "/api/v1/time"
TODAY = dt.date.today().isoformat()
TYPE_FORM = {"code": "annual", "name": "年休假", "name_en": "Annual leave", "category": "annual",
             "counting": "workdays", "unit": "half_day", "paid": "on", "tracks_balance": "on",
             "carry_over_max_days": "5", "carry_over_expires_month": "3", "hours_per_day": "8", "is_active": "on",
             "tiers": "1 | 5\n10 | 10\n20 | 15", "entitlements": ""}
NEW_TYPE_FORM = {**TYPE_FORM, "code": "matrix-type", "category": "other", "tracks_balance": "", "tiers": "",
                 "entitlements": "* | 3"}
ADJUST = {"employee_id": "{employee}", "leave_type": "{lc_annual}", "days": "1", "effective_date": TODAY,
          "reason": "矩阵"}
MINE = f"{W}/balances/?employee_id={{employee}}&employee=T-employee"

#                                                                           anon  empl  mgr  mentor  hr  admin  outs
WEB = [
    Row("leave/types/", "GET", f"{W}/types/",                               (302, 404, 404, 404, 200, 404, 404)),
    Row("leave/types/new/", "GET", f"{W}/types/new/",                       (302, 404, 404, 404, 200, 404, 404)),
    Row("leave/types/new/", "POST", f"{W}/types/new/",                      (302, 404, 404, 404, 302, 404, 404),
        body=NEW_TYPE_FORM),
    Row("leave/types/<int:pk>/", "GET", f"{W}/types/{{lc_annual}}/",        (302, 404, 404, 404, 200, 404, 404)),
    Row("leave/types/<int:pk>/", "POST", f"{W}/types/{{lc_annual}}/",       (302, 404, 404, 404, 302, 404, 404),
        body=TYPE_FORM),
    Row("leave/balances/", "GET", f"{W}/balances/",                         (302, 200, 200, 200, 200, 404, 200),
        label="my own"),
    Row("leave/balances/", "GET", MINE,                                     (302, 200, 200, 404, 200, 200, 404),
        label="employee's"),
    Row("leave/balances/adjust/", "POST", f"{W}/balances/adjust/",          (302, 404, 404, 404, 302, 404, 404),
        body=ADJUST),
    Row("leave/prior-service/", "GET", f"{W}/prior-service/",               (302, 200, 200, 200, 200, 404, 200)),
    Row("leave/prior-service/", "POST", f"{W}/prior-service/",              (302, 200, 200, 200, 200, 404, 200),
        body={"employer": "甲公司", "start": "2005-01-01", "end": "2010-01-01"}, label="without evidence: refused"),
    Row("leave/prior-service/review/", "GET", f"{W}/prior-service/review/", (302, 404, 404, 404, 200, 404, 404)),
    Row("leave/prior-service/<int:pk>/decide/", "POST", f"{W}/prior-service/{{lc_prior}}/decide/",
        (302, 404, 404, 404, 302, 404, 404), body={"decision": "verify"}),
    Row("leave/prior-service/<int:pk>/evidence/", "GET", f"{W}/prior-service/{{lc_prior}}/evidence/",
        (302, 200, 404, 404, 200, 404, 404)),
]

#                                                                           anon  empl  mgr  mentor  hr  admin  outs
API = [
    Row(f"{A}/leave-types", "GET", f"{A}/leave-types",                      (401, 200, 200, 200, 200, 200, 200)),
    Row(f"{A}/leave-types", "POST", f"{A}/leave-types",                     (401, 403, 403, 403, 201, 403, 403),
        body={"code": "matrix-type", "name": "矩阵", "category": "other"}),
    Row(f"{A}/leave-types/{{type_id}}", "PATCH", f"{A}/leave-types/{{lc_annual}}",
        (401, 403, 403, 403, 200, 403, 403), body={"paid": True}),
    Row(f"{A}/leave-balances", "GET", f"{A}/leave-balances",                (401, 200, 200, 200, 200, 404, 200),
        label="my own"),
    Row(f"{A}/leave-balances", "GET", f"{A}/leave-balances?employee={{employee}}",
        (401, 200, 200, 404, 200, 200, 404), label="employee's"),
    Row(f"{A}/leave-balances/adjust", "POST", f"{A}/leave-balances/adjust", (401, 403, 403, 404, 201, 403, 404),
        body={"employee_id": "{employee}", "leave_type_id": "{lc_annual}", "days": "1", "effective_date": TODAY,
              "reason": "矩阵"}),
    Row(f"{A}/prior-services", "GET", f"{A}/prior-services",                (401, 200, 200, 200, 200, 200, 200)),
    # "CSV" is a text file: not a PDF or an image, so refused (422) for everyone who may state prior service.
    Row(f"{A}/prior-services", "POST", f"{A}/prior-services",               (401, 422, 422, 422, 422, 403, 422),
        body={"employer": "甲公司", "start": "2005-01-01", "end": "2010-01-01", "evidence": "CSV"},
        label="a text file as evidence: refused"),
    Row(f"{A}/prior-services/review", "GET", f"{A}/prior-services/review",  (401, 403, 403, 403, 200, 403, 403)),
    Row(f"{A}/prior-services/{{prior_id}}/verify", "POST", f"{A}/prior-services/{{lc_prior}}/verify",
        (401, 403, 403, 404, 200, 403, 404)),
    Row(f"{A}/prior-services/{{prior_id}}/reject", "POST", f"{A}/prior-services/{{lc_prior}}/reject",
        (401, 403, 403, 404, 200, 403, 404)),
]


def keys(world) -> dict:
    from django.core.files.base import ContentFile

    from talentloop.leave.models import LeaveType, PriorService

    prior = PriorService(employee=world.emp(world.employee), employer="甲公司", start=dt.date(2005, 1, 1),
                         end=dt.date(2010, 1, 1))
    prior.evidence.save("matrix.pdf", ContentFile(b"%PDF-1.4\n%%EOF\n"), save=False)
    prior.save()
    # The shipped types are migration data, which a transactional test (the browser scans) may have
    # emptied before: made again when missing.
    annual, _ = LeaveType.objects.get_or_create(code="annual", defaults={
        "name": "年休假", "name_en": "Annual leave", "category": "annual", "tracks_balance": True})
    return {"lc_annual": annual.pk, "lc_prior": prior.pk}
