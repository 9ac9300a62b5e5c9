"""Leave types: HR covering the whole organisation keeps them on the page and through the API (the
same service); bad input changes nothing."""

from __future__ import annotations

import json
from decimal import Decimal

import pytest

from talentloop.core.audit.models import AuditEntry
from talentloop.leave.models import LeaveType

pytestmark = pytest.mark.django_db

API = "/api/v1/time/leave-types"
FORM = {"code": "study", "name": "学习假", "name_en": "Study leave", "category": "other", "counting": "workdays",
        "unit": "day", "paid": "on", "carry_over_max_days": "0", "carry_over_expires_month": "3", "hours_per_day": "8",
        "is_active": "on", "tiers": "", "entitlements": "* | 5 | 每年 | A year\n北京 | 7"}


def test_hr_creates_and_edits_a_type_with_rows_on_the_page(world, client_for):
    hr = client_for("hr")
    assert hr.get("/leave/types/").status_code == 200
    response = hr.post("/leave/types/new/", FORM)
    assert response.status_code == 302
    study = LeaveType.objects.get(code="study")
    assert [(e.province, e.days, e.note_en) for e in study.entitlements.all()] == [
        ("", Decimal("5"), "A year"), ("北京", Decimal("7"), "")]
    page = hr.get(f"/leave/types/{study.pk}/")
    assert "北京 | 7" in page.content.decode()
    annual = LeaveType.objects.get(code="annual")
    edit = hr.get(f"/leave/types/{annual.pk}/")
    assert "10 | 10" in edit.content.decode()
    data = {**edit.context["form"].initial, "tiers": "1 | 5\n10 | 12\n20 | 15", "entitlements": ""}
    data = {k: ("on" if v is True else v) for k, v in data.items() if v is not False and v is not None}
    assert hr.post(f"/leave/types/{annual.pk}/", data).status_code == 302
    assert [t.days for t in annual.tiers.all()] == [5, 12, 15]
    assert AuditEntry.objects.filter(action__startswith="leave_type.").count() == 2


def test_bad_rows_are_refused_with_the_line_and_change_nothing(world, client_for):
    hr = client_for("hr")
    response = hr.post("/leave/types/new/", {**FORM, "tiers": "1 | 5\nten | 10", "entitlements": "北京 | x"},
                       HTTP_HX_REQUEST="true")
    assert response.status_code == 422
    errors = response.context["form"].errors
    assert "Line 2" in str(errors["tiers"]) or "第 2" in str(errors["tiers"])
    assert "entitlements" in errors
    duplicate = hr.post("/leave/types/new/", {**FORM, "code": "annual"})
    assert duplicate.status_code == 200 and "code" in duplicate.context["form"].errors
    assert not LeaveType.objects.filter(code="study").exists()


def test_api_lists_creates_and_patches(world, api_client_for):
    employee = api_client_for("employee")
    listed = employee.get(API)
    assert listed.status_code == 200
    codes = {t["code"] for t in listed.json()["items"]}
    assert {"annual", "maternity", "in_lieu"} <= codes
    annual = next(t for t in listed.json()["items"] if t["code"] == "annual")
    assert annual["tiers"] == [{"min_years": 1, "days": "5.0"}, {"min_years": 10, "days": "10.0"},
                               {"min_years": 20, "days": "15.0"}]
    assert employee.post(API, {"code": "x", "name": "x", "category": "other"},
                         content_type="application/json").status_code == 403
    hr = api_client_for("hr")
    created = hr.post(API, {"code": "study", "name": "学习假", "category": "other", "counting": "calendar",
                            "entitlements": [{"province": "", "days": 5}]}, content_type="application/json")
    assert created.status_code == 201, created.content
    body = created.json()
    assert body["counting"] == "calendar" and body["entitlements"][0]["days"] == "5.0"
    patched = hr.patch(f"{API}/{body['id']}", json.dumps({"is_active": False, "hours_per_day": "7.5"}),
                       content_type="application/json")
    assert patched.status_code == 200 and patched.json()["is_active"] is False
    assert patched.json()["entitlements"] == body["entitlements"]  # not sent: kept
    # Bad input: a duplicate province, a month out of range: 422, nothing changes.
    bad = hr.patch(f"{API}/{body['id']}", json.dumps({"entitlements": [{"province": "北京", "days": 1},
                                                                        {"province": "北京", "days": 2}]}),
                   content_type="application/json")
    assert bad.status_code == 422 and "entitlements" in bad.json()["errors"]
    assert hr.patch(f"{API}/{body['id']}", json.dumps({"carry_over_expires_month": 13}),
                    content_type="application/json").status_code == 422
    assert LeaveType.objects.get(code="study").entitlements.count() == 1
    # An inactive type is not listed for employees and is a 404 for them to patch.
    assert "study" not in {t["code"] for t in employee.get(API).json()["items"]}
    assert employee.patch(f"{API}/{body['id']}", json.dumps({"paid": False}),
                          content_type="application/json").status_code == 404


def test_types_page_and_api_in_the_same_number_of_queries_at_two_sizes(world, client_for, api_client_for):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from talentloop.leave.models import AnnualLeaveTier, LeaveEntitlement

    hr, api = client_for("hr"), api_client_for("hr")

    def count() -> tuple[int, int]:
        with CaptureQueriesContext(connection) as page:
            assert hr.get("/leave/types/").status_code == 200
        with CaptureQueriesContext(connection) as listed:
            assert api.get(API).status_code == 200
        return len(page.captured_queries), len(listed.captured_queries)

    count()
    few = count()
    for n in range(15):
        kind = LeaveType.objects.create(code=f"q{n}", name=f"q{n}", category="other")
        AnnualLeaveTier.objects.create(leave_type=kind, min_years=1, days=1)
        LeaveEntitlement.objects.create(leave_type=kind, province="北京", days=1)
    assert count() == few
