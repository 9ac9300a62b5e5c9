"""Balances on a phone (390×844): HR opens a person's annual-leave balance as of a date, sees each
ledger line with its reason and who wrote it, adjusts it with a reason and sees the new line; the
person states prior service with a PDF as evidence."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.e2e


@pytest.fixture
def scene(world, tmp_path, settings):
    from django.utils import timezone

    from talentloop.leave.models import EntryKind, LeaveType
    from talentloop.leave.services.ledger import ledger_post

    kind, _ = LeaveType.objects.get_or_create(code="annual", defaults={
        "name": "年休假", "name_en": "Annual leave", "category": "annual", "unit": "half_day",
        "tracks_balance": True})
    employee = world.emp(world.employee)
    jan1 = timezone.localdate().replace(month=1, day=1)
    ledger_post(by=None, employee_id=employee.pk, leave_type_id=kind.pk, kind=EntryKind.ACCRUAL,
                effective_date=jan1, days=Decimal("5"), reason="Annual leave granted", key=f"e2e-b:{employee.pk}")
    pdf = tmp_path / "certificate.pdf"
    pdf.write_bytes(b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n")
    return {"kind": kind, "employee": employee, "pdf": pdf, "jan1": jan1}


def test_hr_adjusts_a_balance_and_the_person_states_prior_service(world, scene, new_page, sign_in, shot):
    kind, employee = scene["kind"], scene["employee"]
    page = new_page("phone")
    sign_in(page, "hr")
    page.goto(f"/leave/balances/?employee_id={employee.pk}&employee={employee.employee_number}")
    card = page.get_by_test_id(f"balance-{kind.code}")
    expect(card.get_by_test_id("balance-value")).to_contain_text("5")
    shot(page, "01-balance")
    page.select_option("#id_leave_type", str(kind.pk))
    page.fill("#id_days", "1.5")
    page.fill("#id_reason", "Agreed in the offer letter")
    page.get_by_test_id("adjust").click()
    expect(page.get_by_test_id(f"balance-{kind.code}").get_by_test_id("balance-value")).to_contain_text("6.5")
    expect(page.get_by_text("Agreed in the offer letter")).to_be_visible()
    shot(page, "02-adjusted")

    person = new_page("phone")
    sign_in(person, "employee")
    person.goto("/leave/prior-service/")
    person.fill("#id_employer", "Example Ltd")
    person.fill("#id_start", "2010-01-01")
    person.fill("#id_end", (dt.date(2019, 5, 5)).isoformat())
    person.set_input_files("#id_evidence", str(scene["pdf"]))
    person.get_by_test_id("submit").click()
    expect(person.get_by_test_id("prior-services")).to_contain_text("Example Ltd")
    expect(person.get_by_test_id("prior-services")).to_contain_text("Waiting for HR")
    shot(person, "03-prior-service")
