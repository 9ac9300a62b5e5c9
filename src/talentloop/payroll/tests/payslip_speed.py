"""How long one person's month takes to work out (a measurement, not a test).

Run: ``.venv/bin/python -m talentloop.payroll.tests.payslip_speed``. 20,000 different people are
worked out as a payroll run does (formulas compiled once, rules and policy loaded once): a plain
month (base, allowance, a performance formula, Shanghai policy), then the same people with unpaid
leave and overtime, then with an annual bonus. The best of three rounds is printed per kind, as
wall-clock time and as this process's CPU time (the steadier figure on a shared machine).
"""

from __future__ import annotations

import datetime as dt
import os
import time
from dataclasses import replace
from decimal import Decimal

PEOPLE = 20_000


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "talentloop.config.settings.test")
    import django

    django.setup()
    from talentloop.payroll.formula import PAYROLL_VARIABLES, compile_formula
    from talentloop.payroll.rules.iit import load_iit_rules
    from talentloop.payroll.rules.month import (
        AnnualBonus,
        Attendance,
        ComponentKind,
        ComponentValue,
        Employment,
        PersonMonthInput,
        PersonMonthResult,
        SocialInsuranceInput,
        YearToDate,
        calculate_person_month,
    )
    from talentloop.payroll.rules.social import load_policies

    policy = load_policies().policy_for("shanghai", dt.date(2025, 7, 1))
    rules = load_iit_rules().for_date(dt.date(2025, 9, 1))
    performance = compile_formula("if(rating >= 4, base * 0.2, 0)", PAYROLL_VARIABLES)
    plain = []
    for i in range(PEOPLE):
        base = Decimal(6000 + (i * 37) % 40000)
        plain.append(
            PersonMonthInput(
                person_key=str(i),
                year=2025,
                month=9,
                components=(
                    ComponentValue("base", "Base", ComponentKind.EARNING, in_wage_base=True, amount=base),
                    ComponentValue("meal", "Meal", ComponentKind.EARNING, taxable=False, amount=Decimal(500)),
                    ComponentValue("performance", "Performance", ComponentKind.EARNING, formula=performance),
                ),
                attendance=Attendance(scheduled_days=Decimal(22)),
                employment=Employment(contract_wage=base, minimum_wage=Decimal(2740), rating=Decimal(i % 6)),
                social=SocialInsuranceInput(policy, wage=base),
                ytd=YearToDate(
                    year=2025,
                    months_employed=8,
                    income=base * 8,
                    social_insurance=base * Decimal("0.175") * 8,
                    tax_withheld=base * Decimal("0.05") * 8,
                ),
                iit_rules=rules,
                special_additional_deductions=Decimal(2000 * (i % 3)),
            )
        )
    busy = [
        replace(
            p,
            attendance=Attendance(
                scheduled_days=Decimal(22),
                unpaid_leave_days=Decimal(1),
                overtime_hours_150=Decimal(8),
                overtime_hours_200=Decimal(4),
            ),
        )
        for p in plain
    ]
    bonus = [replace(p, bonus=AnnualBonus(Decimal(30000))) for p in plain]
    for name, people in (("plain month", plain), ("leave + overtime", busy), ("annual bonus", bonus)):
        best = best_cpu = float("inf")  # seconds, for the report only
        for _ in range(3):
            started, started_cpu = time.perf_counter(), time.process_time()
            for person in people:
                calculate_person_month(person)
            best = min(best, time.perf_counter() - started)
            best_cpu = min(best_cpu, time.process_time() - started_cpu)
        assert all(isinstance(calculate_person_month(p), PersonMonthResult) for p in people[:100])
        print(
            f"{PEOPLE:,} people, {name}: {best:.3f} s wall ({best / PEOPLE * 1e6:.1f} µs each), "
            f"{best_cpu:.3f} s CPU ({best_cpu / PEOPLE * 1e6:.1f} µs each)"
        )


if __name__ == "__main__":
    main()
