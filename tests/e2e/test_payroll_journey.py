"""Payroll end to end in the browser: the payroll role calculates the month's run and submits it; the
administrator (another person) approves it and locks it on a desktop; the employee then opens their
payslip on the phone after confirming their password, with every line explained, and its PDF."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.e2e


def _scene(world):
    """The payroll scene of the unit tests (two pay groups, payroll users) with salaries, and this
    month's run of the employee's group calculated and submitted by its payroll user."""
    from django.utils import timezone

    from talentloop.core.access import actor_for
    from talentloop.payroll import services
    from talentloop.payroll.services import runs
    from talentloop.payroll.tests.scene import build_scene

    scene = build_scene(world)
    admin = actor_for(world.admin)
    for persona in ("employee", "lead", "manager"):
        services.salary_structure_set(actor=admin, employee=scene.emp(persona), effective_from=dt.date(2024, 1, 1),
                                      items={"base": Decimal("12000"), "meal": Decimal("500")})
    payroll = scene.actor("payroll_a")
    run = runs.payroll_run_create(actor=payroll, pay_group=scene.group_a, month=timezone.localdate())
    runs.payroll_run_calculate(actor=payroll, run=run)
    runs.payroll_run_submit(actor=payroll, run=run)
    return scene, run


def test_approve_and_lock_a_run_then_read_the_payslip_on_the_phone(world, new_page, sign_in, shot):
    from talentloop.payroll.models import Payslip, RunState
    from talentloop.testing.personas import PASSWORD

    scene, run = _scene(world)
    page = new_page("desktop")
    sign_in(page, "admin")
    page.goto(f"/payroll/runs/{run.pk}/")
    expect(page.get_by_test_id("totals")).to_contain_text("3")
    shot(page, "01-submitted-run")
    with page.expect_navigation():
        page.get_by_test_id("approve").click()
    page.get_by_test_id("lock-confirm").check()
    page.once("dialog", lambda dialog: dialog.accept())
    with page.expect_navigation():
        page.get_by_test_id("lock").click()
    run.refresh_from_db()
    assert run.state == RunState.LOCKED and run.approved_by == world.admin
    shot(page, "02-locked-run")

    phone = new_page("phone")
    sign_in(phone, "employee")
    phone.goto("/payroll/payslips/")
    expect(phone.get_by_test_id("reauth")).to_be_visible()  # a fresh confirmation first
    phone.locator("input[name=password]").fill(PASSWORD)
    with phone.expect_navigation():
        phone.get_by_test_id("reauth-submit").click()
    slip = Payslip.objects.get(run=run, employee=scene.emp("employee"))
    expect(phone.get_by_test_id("payslip-net").first).to_contain_text(f"{slip.net:,.2f}")
    shot(phone, "03-my-payslips")
    with phone.expect_navigation():
        phone.get_by_test_id("payslip").first.locator("a").click()
    expect(phone.get_by_test_id("net-amount")).to_contain_text(f"{slip.net:,.2f}")
    tax = phone.locator("[data-testid=line][data-code=iit]")
    tax.locator("summary").click()
    expect(tax.get_by_test_id("explanation")).to_be_visible()
    shot(phone, "04-payslip-explained")
    with phone.expect_download() as download:
        phone.get_by_test_id("pdf").click()
    assert download.value.suggested_filename.endswith(".pdf")
