"""Payroll runs: the calculation over the stored facts, the state machine, one-off items, reversals,
imported attendance and the command line.

Figures (Shanghai, policy from 2024-07-01: base 7,384 to 36,921; employee pension 8 %, medical 2 %,
unemployment 0.5 %, housing fund 7 % to the yuan; IIT: 5,000 a month basic deduction, 3 % to 36,000):
the employee earns base 10,000 (in the wage and social-insurance base) and meal 500 (taxable, not in
the base). A new hire's first month takes its contribution wage from the month's base earnings: 10,000.

- January: contributions 800 + 200 + 50 + 700 = 1,750; taxable 10,500 - 5,000 - 1,750 = 3,750;
  tax 3 % = 112.50; net 10,500 - 1,750 - 112.50 = 8,637.50.
- February (January locked): cumulative taxable 21,000 - 10,000 - 3,500 = 7,500, tax 225.00 less
  112.50 withheld = 112.50; net 8,637.50 again.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal as D
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from talentloop.core.access import actor_for
from talentloop.core.errors import Conflict, InvalidInput, PermissionDenied
from talentloop.organisation.models import EmploymentContract
from talentloop.payroll import services
from talentloop.payroll.models import (
    AttendanceFigures,
    PayItem,
    PayrollLine,
    PayrollRun,
    Payslip,
    RunKind,
    RunState,
)
from talentloop.payroll.services import runs
from talentloop.payroll.tests.scene import Scene, amounts, build_scene, frozen_clock

pytestmark = pytest.mark.django_db

JAN, FEB, MAR = dt.date(2025, 1, 1), dt.date(2025, 2, 1), dt.date(2025, 3, 1)


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


def _run(scene: Scene, month: dt.date = JAN, **kw) -> PayrollRun:
    return runs.payroll_run_create(actor=scene.actor("payroll_a"), pay_group=scene.group_a, month=month, **kw)


def _calculate(scene: Scene, run: PayrollRun) -> runs.Calculated:
    return runs.payroll_run_calculate(actor=scene.actor("payroll_a"), run=run)


def _lock(scene: Scene, run: PayrollRun) -> PayrollRun:
    run = runs.payroll_run_submit(actor=scene.actor("payroll_a"), run=run)
    run = runs.payroll_run_approve(actor=actor_for(scene.world.admin), run=run)
    return runs.payroll_run_lock(actor=scene.actor("payroll_a"), run=run)


def _slip(scene: Scene, run: PayrollRun, persona: str = "employee") -> Payslip:
    return Payslip.objects.get(run=run, employee=scene.emp(persona))


def _lines(slip: Payslip) -> dict[str, D]:
    return dict(PayrollLine.objects.filter(payslip=slip).values_list("code", "amount"))


def test_a_regular_run_works_out_everyone_of_the_group_from_the_stored_facts(scene):
    with frozen_clock():
        run = _run(scene)
        result = _calculate(scene, run)
    assert (result.people, result.refused) == (3, 0)
    slip = _slip(scene, run)
    assert (slip.gross, slip.employee_social_insurance, slip.employee_housing_fund) == (D("10500"), D("1050"), D("700"))
    assert (slip.iit, slip.net, slip.ytd_months, slip.ytd_tax) == (D("112.50"), D("8637.50"), 1, D("112.50"))
    lines = _lines(slip)
    assert lines["component.base"] == D("10000") and lines["component.meal"] == D("500")
    assert lines["pension.employee"] == D("-800") and lines["iit"] == D("-112.50")
    assert slip.published_at is None  # not the person's payslip until the run is locked
    # Nobody in the other pay group, and no attendance recorded: a full month paid, and said so.
    assert not Payslip.objects.filter(run=run, employee=scene.emp("outsider")).exists()
    assert {f["flag"] for f in slip.flags} == {"attendance_missing"}
    run.refresh_from_db()
    assert (run.state, run.people, run.net) == (RunState.CALCULATED, 3, D("8637.50") * 3)


def test_the_next_month_withholds_from_the_year_to_date_of_the_locked_months(scene):
    with frozen_clock():
        _lock(scene, _calculate(scene, _run(scene)).run)
        feb = _run(scene, FEB)
        _calculate(scene, feb)
    slip = _slip(scene, feb)
    assert (slip.ytd_months, slip.ytd_income, slip.iit, slip.ytd_tax) == (2, D("21000"), D("112.50"), D("225.00"))
    assert slip.changes == [] and not slip.outlier


def test_calculating_again_replaces_the_run_and_nothing_else(scene):
    with frozen_clock():
        jan = _lock(scene, _calculate(scene, _run(scene)).run)
        feb = _run(scene, FEB)
        _calculate(scene, feb)
        before = (Payslip.objects.filter(run=jan).count(), PayrollLine.objects.filter(payslip__run=jan).count())
        lines = PayrollLine.objects.filter(payslip__run=feb).count()
        services.salary_structure_set(
            actor=actor_for(scene.world.admin),
            employee=scene.emp("employee"),
            effective_from=FEB,
            items=amounts(base="12000", meal="500"),
        )
        again = _calculate(scene, feb)
    assert again.run.calculations == 2
    assert PayrollLine.objects.filter(payslip__run=feb).count() == lines
    assert (Payslip.objects.filter(run=jan).count(), PayrollLine.objects.filter(payslip__run=jan).count()) == before
    slip = _slip(scene, feb)
    assert slip.gross == D("12500")
    assert {"reason": "raise", "amount": "2000.00"} in slip.changes


def test_the_run_goes_through_submission_and_approval_by_another_person(scene):
    with frozen_clock():
        run = _calculate(scene, _run(scene)).run
        with pytest.raises(Conflict):
            runs.payroll_run_lock(actor=scene.actor("payroll_a"), run=run)
        run = runs.payroll_run_submit(actor=scene.actor("payroll_a"), run=run)
        with pytest.raises(PermissionDenied, match="Another person"):
            runs.payroll_run_approve(actor=scene.actor("payroll_a"), run=run)
        with pytest.raises(PermissionDenied):
            runs.payroll_run_approve(actor=scene.actor("payroll_b"), run=run)  # not their pay group
        with pytest.raises(Conflict):
            runs.payroll_run_calculate(actor=scene.actor("payroll_a"), run=run)  # submitted: reopen first
        run = runs.payroll_run_approve(actor=actor_for(scene.world.admin), run=run)
        run = runs.payroll_run_lock(actor=scene.actor("payroll_a"), run=run)
    assert run.state == RunState.LOCKED and run.approved_by == scene.world.admin
    assert _slip(scene, run).published_at is not None
    with frozen_clock():
        with pytest.raises(Conflict):
            runs.payroll_run_calculate(actor=scene.actor("payroll_a"), run=run)
        with pytest.raises(InvalidInput) as exc:
            _run(scene)
    assert "locked" in exc.value.errors["month"][0]


def test_a_reopened_run_needs_a_reason_and_returns_to_calculated(scene):
    with frozen_clock():
        run = runs.payroll_run_submit(actor=scene.actor("payroll_a"), run=_calculate(scene, _run(scene)).run)
        with pytest.raises(InvalidInput):
            runs.payroll_run_reopen(actor=scene.actor("payroll_a"), run=run, reason=" ")
        run = runs.payroll_run_reopen(actor=scene.actor("payroll_a"), run=run, reason="meal allowance wrong")
    assert run.state == RunState.CALCULATED and run.submitted_by is None


def test_a_person_who_cannot_be_worked_out_is_refused_and_the_run_cannot_be_submitted(scene):
    EmploymentContract.objects.filter(employee=scene.emp("lead")).update(social_insurance_city="")
    with frozen_clock():
        result = _calculate(scene, _run(scene))
        assert (result.people, result.refused) == (3, 1)
        assert "social-insurance city" in _slip(scene, result.run, "lead").refusal
        assert not PayrollLine.objects.filter(payslip=_slip(scene, result.run, "lead")).exists()
        assert _slip(scene, result.run).net == D("8637.50")  # the others are calculated
        with pytest.raises(Conflict, match="1 people"):
            runs.payroll_run_submit(actor=scene.actor("payroll_a"), run=result.run)


@pytest.mark.parametrize("persona", ["payroll_b", "payroll_none", "employee", "hr", "manager"])
def test_only_payroll_of_the_group_and_administrators_run_it(scene, persona):
    with frozen_clock():
        run = _run(scene)
        with pytest.raises(PermissionDenied):
            runs.payroll_run_calculate(actor=scene.actor(persona), run=run)
        with pytest.raises(PermissionDenied):
            runs.payroll_run_create(actor=scene.actor(persona), pay_group=scene.group_a, month=FEB)
    assert not Payslip.objects.exists()


def test_imported_attendance_deducts_unpaid_leave_and_pays_overtime(scene):
    # Attendance of December pays in January (attendance_lag 1). Daily wage 10,000 / 21.75 = 459.77;
    # hourly 459.77 / 8 ... the wage rules' own rounding: overtime 8 h x 150 %.
    with frozen_clock():
        result = runs.attendance_figures_import(
            actor=scene.actor("payroll_a"),
            month=dt.date(2024, 12, 1),
            rows=[{"employee": scene.emp("employee").pk, "scheduled_days": 22, "unpaid_leave_days": 1,
                   "overtime_hours_150": 8}],
        )  # fmt: skip
        assert result.saved == 1 and not result.errors
        run = _calculate(scene, _run(scene)).run
    slip = _slip(scene, run)
    lines = _lines(slip)
    assert lines["unpaid_leave"] == D("-459.77")
    assert lines["overtime_150"] > 0
    assert {"flag": "attendance_missing"} not in [{"flag": f["flag"]} for f in slip.flags]
    assert {r["reason"] for r in slip.changes} >= {"unpaid_leave", "overtime"}


def test_bad_attendance_rows_are_reported_each_and_nothing_is_stored(scene):
    with frozen_clock():
        result = runs.attendance_figures_import(
            actor=scene.actor("payroll_a"),
            month=dt.date(2024, 12, 1),
            rows=[
                {"employee": scene.emp("employee").pk, "scheduled_days": 22},
                {"employee": scene.emp("outsider").pk, "scheduled_days": 22},  # not in payroll_a's groups
                {"employee": scene.emp("lead").pk, "scheduled_days": "x"},
                {"employee": scene.emp("manager").pk, "scheduled_days": 40},
            ],
        )
    assert result.saved == 0 and set(result.errors) == {1, 2, 3}
    assert "employee" in result.errors[1] and "scheduled_days" in result.errors[3]
    assert not AttendanceFigures.objects.exists()


def test_an_off_cycle_bonus_run_taxes_the_bonus_separately_without_new_contributions(scene):
    # Annual bonus 30,000 taxed separately: 30,000 / 12 = 2,500 is in the first bracket of the
    # monthly-converted table, 3 % -> 900.00.
    with frozen_clock():
        _lock(scene, _calculate(scene, _run(scene)).run)
        runs.pay_item_record(
            actor=scene.actor("payroll_a"), employee=scene.emp("employee"), month=JAN, kind="annual_bonus",
            amount=D("30000"), reason="2024 annual bonus", bonus_method="separate",
        )  # fmt: skip
        bonus = _run(scene, JAN, kind=RunKind.OFF_CYCLE, title="2024 bonus")
        result = _calculate(scene, bonus)
        assert result.people == 1
        slip = _slip(scene, bonus)
        assert (slip.bonus, slip.bonus_tax, slip.employee_social_insurance) == (D("30000"), D("900.00"), 0)
        assert slip.net == D("29100.00") and slip.ytd_months == 1 and slip.separate_bonus_used
        bonus = _lock(scene, bonus)
    item = PayItem.objects.get()
    assert item.paid_in == bonus


def test_pay_items_refuse_bad_input_and_write_nothing(scene):
    payroll = scene.actor("payroll_a")
    with frozen_clock():
        cases = [
            ({"kind": "annual_bonus", "amount": D("100"), "reason": "x"}, "bonus_method"),
            ({"kind": "earning", "amount": D("-5"), "reason": "x"}, "amount"),
            ({"kind": "earning", "amount": D("1.234"), "reason": "x"}, "amount"),
            ({"kind": "earning", "amount": "12", "reason": "x"}, "amount"),
            ({"kind": "earning", "amount": D("10"), "reason": " "}, "reason"),
            ({"kind": "correction", "amount": D("10"), "reason": "x"}, "corrects"),
            ({"kind": "gift", "amount": D("10"), "reason": "x"}, "kind"),
        ]
        for values, field in cases:
            with pytest.raises(InvalidInput) as exc:
                runs.pay_item_record(actor=payroll, employee=scene.emp("employee"), month=FEB, **values)
            assert field in exc.value.errors, values
        with pytest.raises(PermissionDenied):
            runs.pay_item_record(actor=scene.actor("employee"), employee=scene.emp("employee"), month=FEB,
                                 kind="earning", amount=D("10"), reason="self")  # fmt: skip
    assert not PayItem.objects.exists()


def test_a_reversal_undoes_a_locked_run_and_takes_the_year_to_date_back(scene):
    with frozen_clock():
        jan = _lock(scene, _calculate(scene, _run(scene)).run)
        with pytest.raises(InvalidInput):
            runs.payroll_run_reverse(actor=scene.actor("payroll_a"), run=jan, reason="")
        reversal = runs.payroll_run_reverse(actor=scene.actor("payroll_a"), run=jan, reason="paid twice")
        with pytest.raises(Conflict):
            runs.payroll_run_reverse(actor=scene.actor("payroll_a"), run=jan, reason="again")
        reversal = _lock(scene, reversal)
        feb = _run(scene, FEB)
        _calculate(scene, feb)
    slip = _slip(scene, reversal)
    assert (slip.net, slip.iit, slip.ytd_months, slip.ytd_income, slip.ytd_tax) == (
        D("-8637.50"),
        D("-112.50"),
        0,
        0,
        0,
    )
    assert _lines(slip)["component.base"] == D("-10000")
    assert reversal.net == -jan.net
    # February starts the year again: the same figures as a first month.
    assert (_slip(scene, feb).ytd_months, _slip(scene, feb).iit) == (1, D("112.50"))


def test_the_command_calculates_the_draft_and_again_replaces_it(scene):
    out = StringIO()
    with frozen_clock():
        call_command("run-payroll", "--month", "2025-01", "--group", "sh-staff", stdout=out)
        call_command("run-payroll", "--month", "2025-01", "--group", "sh-staff", stdout=out)
        with pytest.raises(CommandError, match="No pay group"):
            call_command("run-payroll", "--month", "2025-01", "--group", "nope")
        with pytest.raises(CommandError, match="YYYY-MM"):
            call_command("run-payroll", "--month", "January", "--group", "sh-staff")
    run = PayrollRun.objects.get()
    assert run.calculations == 2 and Payslip.objects.filter(run=run).count() == 3
    assert "calculated for 3 people (0 refused)" in out.getvalue()


@pytest.mark.parametrize(
    "explain",
    [
        {},
        {"wage_base": D("10000.00"), "days": D("1"), "capped": False, "bracket": 2, "rule": "months_employed"},
        {"formula": 'if(rating >= 4, base * 0.1, 0) "quoted" 中文', "missing": None, "flag": True, "rate": D("0.03")},
    ],
)
def test_a_lines_explanation_is_written_as_json_dumps_would(explain):
    import json

    assert json.loads(runs._explain_json(explain)) == json.loads(json.dumps(explain, default=str))


def test_a_new_hire_is_paid_from_the_first_day_and_is_not_missing_attendance(scene):
    # Hired on Wednesday 15 January 2025: the 9 workdays of January before it (2-3, 6-10, 13-14; New
    # Year's Day is a public holiday in the shipped calendar) are deducted as days not employed,
    # 10,000 / 21.75 x 9 = 4,137.93. December's attendance (the month the run pays by) was before the
    # hire: nothing is missing.
    from talentloop.testing.factories import EmployeeFactory

    with frozen_clock():
        hire = EmployeeFactory(org_unit=scene.world.platform, hire_date=dt.date(2025, 1, 15))
        EmploymentContract.objects.create(
            employee=hire, effective_from=hire.hire_date, start_date=hire.hire_date, term="open_ended",
            pay_group=scene.group_a.key, social_insurance_city="上海",
        )  # fmt: skip
        services.salary_structure_set(
            actor=actor_for(scene.world.admin), employee=hire, effective_from=hire.hire_date,
            items=amounts(base="10000", meal="500"),
        )  # fmt: skip
        run = _calculate(scene, _run(scene)).run
    slip = Payslip.objects.get(run=run, employee=hire)
    assert {f["flag"] for f in slip.flags} == {"part_month"}
    assert _lines(slip)["unpaid_leave"] == D("-4137.93")
    assert {"reason": "new_hire"} in slip.changes


def test_benefit_plans_flow_into_the_run_with_their_tax_treatment(scene):
    # A taxable meal allowance of 400 paid in cash; commercial health insurance the employer pays 150 and
    # the employee 100 (from pay), 200 a month off taxable income (财税〔2017〕39号), its employer part
    # taxable as wages. January, against the figures above: gross 10,500 + 400 + 150 (taxable value) =
    # 11,050; taxable 11,050 - 5,000 - 1,750 - 200 = 4,100, tax 3 % = 123.00; net 11,050 - 1,750 - 123
    # - 150 (paid to the insurer) - 100 (own part) = 8,927.00.
    from talentloop.benefits.models import BenefitPlan, Enrolment

    with frozen_clock():
        meal = BenefitPlan.objects.create(
            key="meal", name="餐补", name_en="Meal", kind="meal_allowance", tax_treatment="taxable",
            employer_amount=D("400"), effective_from=dt.date(2024, 1, 1),
        )  # fmt: skip
        health = BenefitPlan.objects.create(
            key="health", name="商业健康险", name_en="Health insurance", kind="commercial_health",
            tax_treatment="health_insurance", employer_amount=D("150"), employee_amount=D("100"),
            effective_from=dt.date(2024, 1, 1),
        )  # fmt: skip
        for plan in (meal, health):
            Enrolment.objects.create(employee=scene.emp("employee"), plan=plan, start_month=dt.date(2024, 12, 1))
        run = _calculate(scene, _run(scene)).run
    slip = _slip(scene, run)
    lines = _lines(slip)
    assert lines["component.benefit.meal"] == D("400")
    assert lines["component.benefit.health.taxable"] == D("150")
    assert lines["component.benefit.health.in_kind"] == D("-150")
    assert lines["component.benefit.health.employee"] == D("-100")
    assert lines["component.benefit.health.employer"] == D("150")
    assert (slip.gross, slip.iit, slip.net) == (D("11050"), D("123.00"), D("8927.00"))
    # The others of the group are not enrolled.
    assert "component.benefit.meal" not in _lines(_slip(scene, run, "lead"))


def test_an_item_recorded_for_a_run_is_paid_by_that_run_only(scene):
    with frozen_clock():
        bonus_run = _run(scene, JAN, kind=RunKind.OFF_CYCLE, title="spot awards")
        runs.pay_item_record(
            actor=scene.actor("payroll_a"), employee=scene.emp("employee"), month=JAN, kind="earning",
            amount=D("800"), reason="spot award", run=bonus_run,
        )  # fmt: skip
        regular = _calculate(scene, _run(scene)).run
        _calculate(scene, bonus_run)
        with pytest.raises(InvalidInput) as exc:
            runs.pay_item_record(
                actor=scene.actor("payroll_a"), employee=scene.emp("employee"), month=FEB, kind="earning",
                amount=D("1"), reason="x", run=bonus_run,
            )  # fmt: skip
    assert "run" in exc.value.errors
    assert "component.item" not in " ".join(_lines(_slip(scene, regular)))
    assert any(code.startswith("component.item") for code in _lines(_slip(scene, bonus_run)))


def test_every_line_of_a_run_has_a_name_in_the_readers_language(scene):
    from django.utils import translation

    from talentloop.payroll.labels import line_labels

    with frozen_clock():
        runs.pay_item_record(
            actor=scene.actor("payroll_a"), employee=scene.emp("employee"), month=JAN, kind="earning",
            amount=D("300"), reason="课程补贴", taxable=False,
        )  # fmt: skip
        run = _calculate(scene, _run(scene)).run
    codes = set(PayrollLine.objects.filter(payslip__run=run).values_list("code", flat=True))
    with translation.override("zh-hans"):
        chinese = line_labels(codes | {"component.benefit.meal.employee", "final_pay.compensation"})
    with translation.override("en"):
        english = line_labels(codes)
    assert chinese["component.base"] == "基本工资" and english["component.base"] == "Base salary"
    assert english["pension.employee"] == "Pension insurance (employee)"
    assert any(label == "课程补贴" for label in english.values())
    assert all(label != code for code, label in english.items()), english


def test_sick_days_are_paid_by_the_groups_policy_for_the_years_of_service(scene):
    # Employed since 2019-05-06: 5 complete years at the end of January 2025, the 4-year tier, 80 %.
    # Daily wage 10,000 / 21.75 = 459.77; two normal days 919.54; two sick days 10,000 x 80 % / 21.75
    # x 2 = 735.63 (the floor, 80 % of the 2,690 minimum wage, is far below); 919.54 - 735.63 = 183.91.
    with frozen_clock():
        runs.attendance_figures_import(
            actor=scene.actor("payroll_a"), month=dt.date(2024, 12, 1),
            rows=[{"employee": scene.emp("employee").pk, "scheduled_days": 22, "sick_days": 2}],
        )  # fmt: skip
        run = _calculate(scene, _run(scene)).run
    assert _lines(_slip(scene, run))["sick_pay_adjustment"] == D("-183.91")


def test_a_pay_groups_sick_pay_is_checked_when_saved(scene):
    from talentloop.payroll.services.pay_groups import pay_group_setup_save

    admin = actor_for(scene.world.admin)
    with frozen_clock():
        for tiers, fragment in (
            ([], "at least one"),
            ([(D(1), D(60))], "0 years"),
            ([(D(0), D(60)), (D(0), D(70))], "after the one before"),
            ([(D(0), D(160))], "0 to 100"),
        ):
            with pytest.raises(InvalidInput) as exc:
                pay_group_setup_save(actor=admin, key="sh-staff", name="上海员工", sick_pay=tiers)
            assert fragment in exc.value.errors["sick_pay"][0]
        group, _created = pay_group_setup_save(actor=admin, key="sh-staff", name="上海员工", sick_pay=[(D(0), D(100))])
    assert group.sick_pay == [["0", "100"]]


def test_a_correction_of_a_locked_month_is_paid_in_the_next_run_and_january_stays_as_it_was(scene):
    # January (locked) missed a 600 allowance: recorded in February as a taxable correction. February's
    # cumulative withholding then counts it: income 21,000 + 600, taxable 21,600 - 10,000 - 3,500 =
    # 8,100, tax 243.00 less 112.50 withheld = 130.50; net 10,500 + 600 - 1,750 - 130.50 = 9,219.50.
    with frozen_clock():
        jan = _lock(scene, _calculate(scene, _run(scene)).run)
        before = _slip(scene, jan).net
        runs.pay_item_record(
            actor=scene.actor("payroll_a"), employee=scene.emp("employee"), month=FEB, kind="correction",
            amount=D("600"), reason="January meal allowance missed", corrects=jan,
        )  # fmt: skip
        feb = _run(scene, FEB)
        _calculate(scene, feb)
    slip = _slip(scene, feb)
    assert (slip.iit, slip.net) == (D("130.50"), D("9219.50"))
    assert {"reason": "one_off"} in slip.changes
    assert _slip(scene, jan).net == before
