"""The payroll run pages: who may use them, the run's state machine through its buttons (calculation
queued in the worker, which runs at once in tests), the review with its filters and each person's
explained lines, one-off items with the annual-bonus cliff warning, the attendance import, bad input
and the query counts of the list and review pages.

Figures as in test_runs: employee, lead and manager (group A) earn base 10,000 and meal 500; January
2025 nets 8,637.50 each (tax 112.50 in the first bracket, 3 %)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal as D

import pytest
from django.core.cache import cache
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from talentloop.core.access import actor_for
from talentloop.core.audit.models import AuditEntry
from talentloop.payroll import services, tasks
from talentloop.payroll.models import AttendanceFigures, PayItem, PayrollRun, RunState
from talentloop.payroll.services import runs
from talentloop.payroll.tests.scene import Scene, amounts, build_scene, frozen_clock
from talentloop.testing.factories import EmployeeFactory

pytestmark = pytest.mark.django_db

JAN = dt.date(2025, 1, 1)
PERSONAS = ["anonymous", "employee", "manager", "hr", "payroll_b", "payroll_a", "admin"]
WEB_BASE = 6  # session, user, the actor's employee, roles and reports, the bell's unread count


@pytest.fixture
def scene(world) -> Scene:
    with frozen_clock():
        s = build_scene(world)
        admin = actor_for(world.admin)
        for persona in ("employee", "lead", "manager"):
            services.salary_structure_set(
                actor=admin,
                employee=s.emp(persona),
                effective_from=dt.date(2024, 12, 1),
                items=amounts(base="10000", meal="500"),
            )
        yield s


def client(scene: Scene, persona: str) -> Client:
    c = Client()
    if persona == "anonymous":
        return c
    user = getattr(scene, persona) if persona.startswith("payroll") else getattr(scene.world, persona)
    c.force_login(user)
    return c


def _run(scene: Scene, month: dt.date = JAN, **kw) -> PayrollRun:
    return runs.payroll_run_create(actor=scene.actor("payroll_a"), pay_group=scene.group_a, month=month, **kw)


def _calculated(scene: Scene) -> PayrollRun:
    run = _run(scene)
    runs.payroll_run_calculate(actor=scene.actor("payroll_a"), run=run)
    run.refresh_from_db()
    return run


def _locked(scene: Scene) -> PayrollRun:
    run = _calculated(scene)
    run = runs.payroll_run_submit(actor=scene.actor("payroll_a"), run=run)
    run = runs.payroll_run_approve(actor=actor_for(scene.world.admin), run=run)
    return runs.payroll_run_lock(actor=scene.actor("payroll_a"), run=run)


# ------------------------------------------------------------------------------------------------ who may see


EXPECTED = {
    # persona: (list, detail of a group-A run, a person's lines, items, cliffs, attendance import)
    "anonymous": (302, 302, 302, 302, 302, 302),
    "employee": (404, 404, 404, 404, 404, 404),
    "manager": (404, 404, 404, 404, 404, 404),
    "hr": (404, 404, 404, 404, 404, 404),
    "payroll_b": (200, 404, 404, 200, 200, 200),
    "payroll_a": (200, 200, 200, 200, 200, 200),
    "admin": (200, 200, 200, 200, 200, 200),
}


@pytest.mark.parametrize("persona", PERSONAS)
def test_persona_matrix_of_the_pages(scene, persona):
    with frozen_clock():
        run = _calculated(scene)
        slip = run.payslips.first()
        c = client(scene, persona)
        urls = [
            "/payroll/runs/",
            f"/payroll/runs/{run.pk}/",
            f"/payroll/runs/{run.pk}/payslips/{slip.pk}/",
            "/payroll/items/",
            "/payroll/items/bonus-cliffs/",
            "/payroll/attendance/import/",
        ]
        got = tuple(c.get(url).status_code for url in urls)
    assert got == EXPECTED[persona]


@pytest.mark.parametrize("persona", ["employee", "hr", "payroll_b"])
def test_the_buttons_of_another_group_are_a_404(scene, persona):
    with frozen_clock():
        run = _calculated(scene)
        c = client(scene, persona)
        for verb in ("calculate", "submit", "approve", "lock"):
            assert c.post(f"/payroll/runs/{run.pk}/{verb}/").status_code == 404
        for verb in ("reopen", "reverse"):
            assert c.post(f"/payroll/runs/{run.pk}/{verb}/", {"reason": "x"}).status_code == 404
    run.refresh_from_db()
    assert run.state == RunState.CALCULATED


def test_the_list_shows_only_the_runs_of_my_groups(scene):
    with frozen_clock():
        run_a = _run(scene)
        run_b = runs.payroll_run_create(actor=scene.actor("payroll_b"), pay_group=scene.group_b, month=JAN)
        page_a = client(scene, "payroll_a").get("/payroll/runs/")
        page_admin = client(scene, "admin").get("/payroll/runs/", {"pay_group": "bj-staff"})
    assert [r.pk for r in page_a.context["runs"]] == [run_a.pk]
    assert [r.pk for r in page_admin.context["runs"]] == [run_b.pk]
    assert b'data-testid="run-create-form"' in page_a.content
    # The new-run form offers only the actor's own groups.
    assert list(page_a.context["form"].fields["pay_group"].queryset) == [scene.group_a]


def test_filters_by_month_and_state(scene):
    with frozen_clock():
        _calculated(scene)
        feb = _run(scene, dt.date(2025, 2, 1))
        c = client(scene, "payroll_a")
        assert [r.pk for r in c.get("/payroll/runs/", {"month": "2025-02"}).context["runs"]] == [feb.pk]
        assert [r.pk for r in c.get("/payroll/runs/", {"state": "draft"}).context["runs"]] == [feb.pk]
        runs_newest_first = [r.month for r in c.get("/payroll/runs/").context["runs"]]
    assert runs_newest_first == [dt.date(2025, 2, 1), JAN]


# ------------------------------------------------------------------------------------------------ the state machine


def test_the_whole_journey_through_the_pages(scene):
    a, admin = client(scene, "payroll_a"), client(scene, "admin")
    with frozen_clock():
        response = a.post(
            "/payroll/runs/new/",
            {"pay_group": scene.group_a.pk, "month": "2025-01", "kind": "regular", "title": "January"},
        )
        run = PayrollRun.objects.get(pay_group=scene.group_a, month=JAN)
        assert response.status_code == 302 and response["Location"] == f"/payroll/runs/{run.pk}/"
        page = a.get(f"/payroll/runs/{run.pk}/")
        assert b'data-testid="calculate"' in page.content and b'data-testid="submit"' not in page.content

        # Calculate: queued in the worker (immediate in tests), so the run is calculated when we look.
        assert a.post(f"/payroll/runs/{run.pk}/calculate/").status_code == 302
        run.refresh_from_db()
        assert run.state == RunState.CALCULATED and run.people == 3 and run.net == D("25912.50")
        page = a.get(f"/payroll/runs/{run.pk}/")
        assert page.context["calculating"] is None
        assert len(page.context["rows"]) == 3
        assert "8,637.50" in page.content.decode()
        assert b"Calculate again" in page.content

        a.post(f"/payroll/runs/{run.pk}/submit/")
        run.refresh_from_db()
        assert run.state == RunState.SUBMITTED
        # The submitter sees why there is no approve button.
        page = a.get(f"/payroll/runs/{run.pk}/")
        assert b'data-testid="approve"' not in page.content and b'data-testid="approve-blocked"' in page.content
        a.post(f"/payroll/runs/{run.pk}/approve/")  # posted anyway: refused with the reason
        run.refresh_from_db()
        assert run.state == RunState.SUBMITTED
        page = admin.get(f"/payroll/runs/{run.pk}/")
        assert b'data-testid="approve"' in page.content
        admin.post(f"/payroll/runs/{run.pk}/approve/")
        run.refresh_from_db()
        assert run.state == RunState.APPROVED

        # Lock needs the confirmation.
        a.post(f"/payroll/runs/{run.pk}/lock/")
        run.refresh_from_db()
        assert run.state == RunState.APPROVED
        a.post(f"/payroll/runs/{run.pk}/lock/", {"confirm": "on"})
        run.refresh_from_db()
        assert run.state == RunState.LOCKED
        assert run.payslips.filter(published_at__isnull=False).count() == 3

        # Reverse: a reason is required; then a reversal run.
        response = a.post(f"/payroll/runs/{run.pk}/reverse/", {"reason": ""}, follow=True)
        assert "Say why the run is reversed." in response.content.decode()
        response = a.post(f"/payroll/runs/{run.pk}/reverse/", {"reason": "Wrong bank day"})
        reversal = PayrollRun.objects.get(reverses=run)
        assert response["Location"] == f"/payroll/runs/{reversal.pk}/"
        page = a.get(f"/payroll/runs/{run.pk}/")
        assert b'data-testid="reversal-link"' in page.content and b'data-testid="reverse"' not in page.content
        history = [e.summary for e in page.context["history"]]
    assert "Wrong bank day" in history


def test_submit_approved_run_can_be_reopened_with_a_reason(scene):
    a = client(scene, "payroll_a")
    with frozen_clock():
        run = _calculated(scene)
        runs.payroll_run_submit(actor=scene.actor("payroll_a"), run=run)
        response = a.post(f"/payroll/runs/{run.pk}/reopen/", {"reason": ""}, follow=True)
        assert "Say why the run is reopened." in response.content.decode()
        run.refresh_from_db()
        assert run.state == RunState.SUBMITTED
        a.post(f"/payroll/runs/{run.pk}/reopen/", {"reason": "Missing overtime"})
        run.refresh_from_db()
    assert run.state == RunState.CALCULATED


def test_a_locked_run_is_not_calculated_again(scene):
    a = client(scene, "payroll_a")
    with frozen_clock():
        run = _locked(scene)
        response = a.post(f"/payroll/runs/{run.pk}/calculate/", follow=True)
    assert "this step is not possible now" in response.content.decode()
    run.refresh_from_db()
    assert run.state == RunState.LOCKED and run.calculations == 1


def test_the_page_polls_while_the_run_is_being_calculated(scene):
    a = client(scene, "payroll_a")
    with frozen_clock():
        run = _run(scene)
        tasks._set(run.pk, tasks.QUEUED)
        page = a.get(f"/payroll/runs/{run.pk}/")
        assert b'data-testid="calculating"' in page.content
        assert f'hx-get="/payroll/runs/{run.pk}/status/"'.encode() in page.content
        assert b'data-testid="calculate"' not in page.content
        # A second request while one is queued is refused.
        response = a.post(f"/payroll/runs/{run.pk}/calculate/", follow=True)
        assert "being calculated already" in response.content.decode()
        partial = a.get(f"/payroll/runs/{run.pk}/status/", HTTP_HX_REQUEST="true")
        assert partial.status_code == 200 and b'data-testid="calculating"' in partial.content
        assert b"<html" not in partial.content
        tasks._set(run.pk, tasks.DONE, people=3, refused=0)
        done = a.get(f"/payroll/runs/{run.pk}/status/", HTTP_HX_REQUEST="true")
    assert done.status_code == 204 and done["HX-Refresh"] == "true"
    cache.clear()


def test_a_failed_calculation_is_shown(scene):
    a = client(scene, "payroll_a")
    with frozen_clock():
        run = _run(scene)
        tasks._set(run.pk, tasks.FAILED, message="Something precise went wrong.")
        page = a.get(f"/payroll/runs/{run.pk}/")
    assert b'data-testid="calculation-failed"' in page.content and b"Something precise went wrong." in page.content
    cache.clear()


def test_the_job_refuses_someone_who_may_not_run_the_group(scene):
    with frozen_clock():
        run = _run(scene)
        assert tasks.payroll_run_calculate_job.call_local(run.pk, scene.payroll_b.pk) == {"state": "failed"}
    assert tasks.calculation_status(run.pk)["state"] == tasks.FAILED
    run.refresh_from_db()
    assert run.state == RunState.DRAFT
    cache.clear()


# ------------------------------------------------------------------------------------------------ bad input


def test_bad_new_runs_are_refused_with_field_errors(scene):
    a = client(scene, "payroll_a")
    with frozen_clock():
        _run(scene)
        bad_month = a.post("/payroll/runs/new/", {"pay_group": scene.group_a.pk, "month": "2025-13", "kind": "regular"})
        assert bad_month.status_code == 200 and bad_month.context["form"].errors["month"]
        twice = a.post(
            "/payroll/runs/new/",
            {"pay_group": scene.group_a.pk, "month": "2025-01", "kind": "regular"},
            HTTP_HX_REQUEST="true",
        )
        assert twice.status_code == 422
        assert "already has a run" in " ".join(twice.context["form"].errors["month"])
        no_leaver = a.post(
            "/payroll/runs/new/", {"pay_group": scene.group_a.pk, "month": "2025-02", "kind": "final_pay"}
        )
        assert no_leaver.context["form"].errors["employee"]
        other_group = a.post(
            "/payroll/runs/new/", {"pay_group": scene.group_b.pk, "month": "2025-02", "kind": "regular"}
        )
        assert other_group.context["form"].errors["pay_group"]
    assert PayrollRun.objects.count() == 1


def test_a_final_pay_run_names_the_leaver_by_number(scene):
    a = client(scene, "payroll_a")
    leaver = scene.emp("employee")
    with frozen_clock():
        response = a.post(
            "/payroll/runs/new/",
            {
                "pay_group": scene.group_a.pk,
                "month": "2025-02",
                "kind": "final_pay",
                "employee": leaver.employee_number,
            },
        )
        outsider = a.post(
            "/payroll/runs/new/",
            {
                "pay_group": scene.group_a.pk,
                "month": "2025-02",
                "kind": "final_pay",
                "employee_id": scene.emp("outsider").pk,
            },
        )
    assert response.status_code == 302
    assert PayrollRun.objects.get(kind="final_pay").employee == leaver
    assert outsider.context["form"].errors["employee"]


# ------------------------------------------------------------------------------------------------ review


def test_review_search_filters_and_the_htmx_partial(scene):
    a = client(scene, "payroll_a")
    employee = scene.emp("employee")
    with frozen_clock():
        run = _calculated(scene)
        run.payslips.filter(employee=employee).update(
            flags=[{"flag": "x", "message": "Check the contract."}], outlier=True
        )
        url = f"/payroll/runs/{run.pk}/"
        by_number = a.get(url, {"q": employee.employee_number})
        assert [r["employee"] for r in by_number.context["rows"]] == [employee]
        assert employee in [r["employee"] for r in a.get(url, {"only": "flagged"}).context["rows"]]
        assert [r["employee"] for r in a.get(url, {"only": "outliers"}).context["rows"]] == [employee]
        assert a.get(url, {"only": "refused"}).context["rows"] == []
        changed = a.get(url, {"only": "changed"}).context["rows"]  # January: new to this employer's payroll
        partial = a.get(url, {"only": "flagged"}, HTTP_HX_REQUEST="true")
    assert len(changed) in (0, 3)
    assert b"Check the contract." in partial.content and b"<html" not in partial.content
    assert b'data-testid="review"' in partial.content


def test_the_change_against_the_previous_payslip_and_its_reasons(scene):
    a = client(scene, "payroll_a")
    employee = scene.emp("employee")
    with frozen_clock():
        _locked(scene)
        # February: a raise of 1,000 for the employee.
        services.salary_structure_set(
            actor=actor_for(scene.world.admin),
            employee=employee,
            effective_from=dt.date(2025, 2, 1),
            items=amounts(base="11000", meal="500"),
        )
        feb = _run(scene, dt.date(2025, 2, 1))
        runs.payroll_run_calculate(actor=scene.actor("payroll_a"), run=feb)
        page = a.get(f"/payroll/runs/{feb.pk}/", {"q": employee.employee_number})
        row = page.context["rows"][0]
    assert row["previous_net"] == D("8637.50")
    assert row["change"] == row["payslip"].net - D("8637.50") and row["change"] > 0
    assert "raise" in [r["reason"] for r in row["reasons"]]
    assert b'data-reason="raise"' in page.content and b"Raise" in page.content


def test_a_persons_lines_explain_themselves_and_the_read_is_audited(scene):
    a = client(scene, "payroll_a")
    employee = scene.emp("employee")
    with frozen_clock():
        run = _calculated(scene)
        slip = run.payslips.get(employee=employee)
        before = AuditEntry.objects.filter(action="read_sensitive", entity_id=str(employee.pk)).count()
        partial = a.get(f"/payroll/runs/{run.pk}/payslips/{slip.pk}/", HTTP_HX_REQUEST="true")
        full = a.get(f"/payroll/runs/{run.pk}/payslips/{slip.pk}/")
    text = partial.content.decode()
    assert "<html" not in text and "<html" in full.content.decode()
    codes = [item.line.code for item in full.context["lines"]]
    assert "iit" in codes and "pension.employee" in codes and "component.base" in codes
    labels = {item.line.code: item.label for item in full.context["lines"]}
    assert labels["component.base"] == "Base salary"  # the English name for an English reader
    assert labels["iit"] == "Individual income tax"
    assert "Cumulative taxable income" in text and "Tax bracket" in text  # the tax line's figures
    assert "Contribution base" in text and "Rate" in text  # the social-insurance lines
    assert '<span class="muted">Rate:</span> 3 %' in text  # the tax rate as a percentage
    assert '<span class="muted">Contribution base:</span> 10,000.00' in text  # money with the locale's grouping
    entries = AuditEntry.objects.filter(action="read_sensitive", entity_id=str(employee.pk))
    assert entries.count() == before + 2
    assert all("8637" not in e.summary for e in entries)


def test_the_review_page_is_audited_once_per_read(scene):
    a = client(scene, "payroll_a")
    with frozen_clock():
        run = _calculated(scene)
        a.get(f"/payroll/runs/{run.pk}/")
    assert (
        AuditEntry.objects.filter(
            action="read_sensitive", entity_type="payroll.payrollrun", entity_id=str(run.pk)
        ).count()
        == 1
    )


# ------------------------------------------------------------------------------------------------ pay items


def test_record_an_annual_bonus_and_see_it_in_the_list(scene):
    a = client(scene, "payroll_a")
    employee = scene.emp("employee")
    with frozen_clock():
        response = a.post(
            "/payroll/items/",
            {
                "employee": employee.employee_number,
                "month": "2025-03",
                "kind": "annual_bonus",
                "amount": "30000",
                "bonus_method": "separate",
                "taxable": "on",
                "reason": "2024 bonus",
            },
        )
        assert response.status_code == 302
        item = PayItem.objects.get()
        assert item.amount == D("30000.00") and item.bonus_method == "separate" and item.taxable
        page = a.get("/payroll/items/", {"month": "2025-03", "paid": "no"})
        assert [i.pk for i in page.context["items"]] == [item.pk]
        assert a.get("/payroll/items/", {"paid": "yes"}).context["items"] == []
        assert client(scene, "payroll_b").get("/payroll/items/").context["items"] == []


def test_bad_pay_items_are_refused(scene):
    a = client(scene, "payroll_a")
    with frozen_clock():
        no_method = a.post(
            "/payroll/items/",
            {
                "employee": scene.emp("employee").employee_number,
                "month": "2025-03",
                "kind": "annual_bonus",
                "amount": "1000",
                "reason": "x",
            },
        )
        assert no_method.context["form"].errors["bonus_method"]
        negative = a.post(
            "/payroll/items/",
            {
                "employee": scene.emp("employee").employee_number,
                "month": "2025-03",
                "kind": "earning",
                "amount": "-5",
                "reason": "x",
            },
            HTTP_HX_REQUEST="true",
        )
        assert negative.status_code == 422 and negative.context["form"].errors["amount"]
        other_group = a.post(
            "/payroll/items/",
            {
                "employee": scene.emp("outsider").employee_number,
                "month": "2025-03",
                "kind": "earning",
                "amount": "5",
                "reason": "x",
            },
        )
        assert other_group.context["form"].errors["employee"]
        correction = a.post(
            "/payroll/items/",
            {
                "employee": scene.emp("employee").employee_number,
                "month": "2025-03",
                "kind": "correction",
                "amount": "-5",
                "reason": "x",
            },
        )
        assert correction.context["form"].errors["corrects"]
    assert not PayItem.objects.exists()


def test_an_annual_bonus_in_a_cliff_is_warned_about(scene):
    # The first bracket of the monthly-converted table ends at 3,000 a month: a bonus of 36,000 is taxed
    # 3 % (1,080, nets 34,920); 36,000.01 is taxed 10 % less 210 (3,390.00, nets 32,610.01). A bonus
    # nets less than 34,920 until B * 0.9 + 210 >= 34,920, i.e. B >= 38,566.67.
    a = client(scene, "payroll_a")
    params = {"kind": "annual_bonus", "month": "2025-03"}
    with frozen_clock():
        inside = a.get("/payroll/items/bonus-check/", {**params, "amount": "37000"}, HTTP_HX_REQUEST="true")
        edge = a.get("/payroll/items/bonus-check/", {**params, "amount": "36000"}, HTTP_HX_REQUEST="true")
        earning = a.get("/payroll/items/bonus-check/", {**params, "kind": "earning", "amount": "37000"})
        page = a.get("/payroll/items/bonus-cliffs/", {"year": "2025"})
    assert b'data-testid="bonus-cliff"' in inside.content and b"38,566.66" in inside.content
    assert b'data-testid="bonus-cliff"' not in edge.content
    assert b'data-testid="bonus-cliff"' not in earning.content
    cliffs = page.context["cliffs"]
    assert cliffs[0].edge == D("36000") and cliffs[0].first_worse == D("36000.01")
    assert cliffs[0].break_even == D("38566.67")
    assert len(cliffs) == 6


# ------------------------------------------------------------------------------------------------ attendance


def _csv(*rows: str) -> bytes:
    return (
        "employee_number,scheduled_days,unpaid_leave_days,sick_days,overtime_hours_150,overtime_hours_200,"
        "overtime_hours_300\n" + "\n".join(rows) + "\n"
    ).encode()


def test_attendance_import_checks_then_stores_the_good_rows(scene):
    from django.core.files.uploadedfile import SimpleUploadedFile

    a = client(scene, "payroll_a")
    employee, lead = scene.emp("employee"), scene.emp("lead")
    content = _csv(
        f"{employee.employee_number},21.75,1,0,2,0,0",
        "NOBODY,21.75,0,0,0,0,0",
        f"{lead.employee_number},40,0,0,0,0,0",
        f"{scene.emp('outsider').employee_number},21.75,0,0,0,0,0",
    )
    with frozen_clock():
        page = a.post(
            "/payroll/attendance/import/",
            {"month": "2025-02", "file": SimpleUploadedFile("a.csv", content, "text/csv")},
        )
        preview = page.context["preview"]
        assert preview["total"] == 4 and preview["good"] == 1 and preview["bad"] == 3
        assert [e["line"] for e in preview["errors"]] == [3, 4, 5]
        assert "employee" in preview["errors"][0]["errors"] and "scheduled_days" in preview["errors"][1]["errors"]
        assert not AttendanceFigures.objects.exists()  # the check stores nothing
        # "store all" with errors stores nothing; "store the good rows" stores one.
        a.post("/payroll/attendance/import/", {"step": "store", "token": preview["token"]})
        assert not AttendanceFigures.objects.exists()
        response = a.post(
            "/payroll/attendance/import/", {"step": "store", "token": preview["token"], "keep_good": "on"}
        )
        assert response.status_code == 302
        figures = AttendanceFigures.objects.get()
        assert figures.employee == employee and figures.unpaid_leave_days == D("1")
        assert figures.month == dt.date(2025, 2, 1) and figures.overtime_hours_150 == D("2")
        # The token is used up.
        again = a.post(
            "/payroll/attendance/import/", {"step": "store", "token": preview["token"], "keep_good": "on"}, follow=True
        )
    assert "expired" in again.content.decode()


def test_attendance_token_of_another_user_is_refused(scene):
    from django.core.files.uploadedfile import SimpleUploadedFile

    employee = scene.emp("employee")
    with frozen_clock():
        page = client(scene, "payroll_a").post(
            "/payroll/attendance/import/",
            {
                "month": "2025-02",
                "file": SimpleUploadedFile("a.csv", _csv(f"{employee.employee_number},21.75,0,0,0,0,0")),
            },
        )
        token = page.context["preview"]["token"]
        client(scene, "admin").post("/payroll/attendance/import/", {"step": "store", "token": token})
    assert not AttendanceFigures.objects.exists()


def test_attendance_bad_files_are_refused(scene):
    from django.core.files.uploadedfile import SimpleUploadedFile

    a = client(scene, "payroll_a")
    with frozen_clock():
        wrong = a.post(
            "/payroll/attendance/import/",
            {"month": "2025-02", "file": SimpleUploadedFile("a.csv", b"name,days\nx,1\n")},
        )
        empty = a.post("/payroll/attendance/import/", {"month": "2025-02", "file": SimpleUploadedFile("a.csv", b"")})
        no_month = a.post(
            "/payroll/attendance/import/",
            {"file": SimpleUploadedFile("a.csv", _csv("x,1,0,0,0,0,0"))},
            HTTP_HX_REQUEST="true",
        )
    assert "Unknown columns" in " ".join(wrong.context["form"].errors["file"])
    assert empty.context["form"].errors["file"]
    assert no_month.status_code == 422 and no_month.context["form"].errors["month"]


def test_attendance_excel_with_chinese_headings(scene):
    import io

    from django.core.files.uploadedfile import SimpleUploadedFile
    from openpyxl import Workbook

    employee = scene.emp("employee")
    book = Workbook()
    sheet = book.active
    sheet.append(["工号", "应出勤天数", "事假天数"])
    sheet.append([employee.employee_number, 21.75, 2])
    buffer = io.BytesIO()
    book.save(buffer)
    a = client(scene, "payroll_a")
    with frozen_clock():
        page = a.post(
            "/payroll/attendance/import/", {"month": "2025-02", "file": SimpleUploadedFile("a.xlsx", buffer.getvalue())}
        )
        preview = page.context["preview"]
        assert preview["good"] == 1 and preview["bad"] == 0 and b'data-testid="store-all"' in page.content
        a.post("/payroll/attendance/import/", {"step": "store", "token": preview["token"]})
    assert AttendanceFigures.objects.get().unpaid_leave_days == D("2")


def test_attendance_template_download(scene):
    with frozen_clock():
        response = client(scene, "payroll_a").get("/payroll/attendance/import/template/")
        assert client(scene, "employee").get("/payroll/attendance/import/template/").status_code == 404
    assert response["Content-Type"].startswith("text/csv")
    assert response.content.decode("utf-8-sig").startswith("employee_number,scheduled_days,")


# ------------------------------------------------------------------------------------------------ query counts


def _people(scene: Scene, n: int) -> None:
    from talentloop.payroll.tests.scene import contract

    admin = actor_for(scene.world.admin)
    for _i in range(n):
        person = EmployeeFactory(org_unit=scene.world.platform, hire_date=dt.date(2019, 5, 6))
        contract(person, scene.group_a.key)
        services.salary_structure_set(
            actor=admin, employee=person, effective_from=dt.date(2024, 12, 1), items=amounts(base="8000")
        )


def _count(c: Client, url: str, params: dict | None = None) -> tuple[int, object]:
    with CaptureQueriesContext(connection) as queries:
        response = c.get(url, params or {})
    assert response.status_code == 200, (url, response.status_code)
    return len(queries), response


@pytest.mark.parametrize("n", [2, 30])
def test_run_list_queries(scene, n):
    # view: the options of the filter's and of the new-run form's pay groups = 2, whether there is a group
    # to create a run in = 1, count + one page of runs with their groups and leavers = 2 → 5
    with frozen_clock():
        for i in range(n):
            PayrollRun.objects.create(
                pay_group=scene.group_a, month=dt.date(2020 + i // 12, 1 + i % 12, 1), kind="off_cycle"
            )
        queries, response = _count(client(scene, "payroll_a"), "/payroll/runs/")
    assert len(response.context["runs"]) == min(n, 20)
    assert queries == WEB_BASE + 5


@pytest.mark.parametrize("n", [2, 30])
def test_review_queries(scene, n):
    # view: the run = 1, may the actor run the group = 1, count + one page of payslips with their people
    # and previous nets = 2, the audit entry = 1, the history = 1 → 6
    with frozen_clock():
        _people(scene, n)
        run = _calculated(scene)
        queries, response = _count(client(scene, "payroll_a"), f"/payroll/runs/{run.pk}/")
    assert len(response.context["rows"]) == min(n + 3, 50)
    assert queries == WEB_BASE + 6
