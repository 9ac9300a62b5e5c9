"""A locked January run over the payroll scene, for the payslip pages, API, PDF and questions.

The employee earns base 10,000 and meal 500 from 2024-12-01 and has 2 days of unpaid leave and 4
hours of workday overtime imported for the month (``attendance_lag`` 0: January pays January). The
figures each test checks are worked out in its comment.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from talentloop.core.access import actor_for
from talentloop.payroll import services
from talentloop.payroll.models import PayrollRun, Payslip
from talentloop.payroll.services import runs
from talentloop.payroll.tests.scene import Scene, amounts, build_scene, frozen_clock

JAN = dt.date(2025, 1, 1)
FEB = dt.date(2025, 2, 1)


def set_salaries(scene: Scene, personas: tuple[str, ...] = ("employee", "lead", "manager", "outsider")) -> None:
    admin = actor_for(scene.world.admin)
    for persona in personas:
        services.salary_structure_set(
            actor=admin, employee=scene.emp(persona), effective_from=dt.date(2024, 12, 1),
            items=amounts(base="10000", meal="500"),
        )  # fmt: skip


def locked_run(scene: Scene, month: dt.date = JAN, group: str = "a", attendance: bool = True) -> PayrollRun:
    pay_group = scene.group_a if group == "a" else scene.group_b
    runner = scene.actor("payroll_a" if group == "a" else "payroll_b")
    if attendance and group == "a":
        pay_group.attendance_lag = 0
        pay_group.save(update_fields=["attendance_lag"])
        runs.attendance_figures_import(
            actor=runner, month=month,
            rows=[{"employee": scene.emp("employee").pk, "scheduled_days": "22",
                   "unpaid_leave_days": "2", "overtime_hours_150": "4"}],
            keep_good=False,
        )  # fmt: skip
    run = runs.payroll_run_create(actor=runner, pay_group=pay_group, month=month)
    runs.payroll_run_calculate(actor=runner, run=run)
    run = runs.payroll_run_submit(actor=runner, run=run)
    run = runs.payroll_run_approve(actor=actor_for(scene.world.admin), run=run)
    return runs.payroll_run_lock(actor=runner, run=run)


def build(world) -> tuple[Scene, PayrollRun]:
    with frozen_clock():
        scene = build_scene(world)
        set_salaries(scene)
        run = locked_run(scene)
    return scene, run


def slip_of(scene: Scene, run: PayrollRun, persona: str = "employee") -> Payslip:
    return Payslip.objects.get(run=run, employee=scene.emp(persona))


ZERO = Decimal("0.00")
