"""The payroll demo area: the salary components a company starts with, a pay group for each pay group
its contracts name, everyone's salary with a raise this year for most people, and a few tax
declarations. Loaded after the time area, which writes the contracts (and their pay groups).

The area protocol of ``talentloop.demo.stack``: ``payroll_loaded()``, ``load_payroll(seed=,
reference_date=)`` (idempotent), ``summary(result)``, ``wipe_payroll()``.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from talentloop.organisation.models import EmploymentContract
from talentloop.payroll.models import (
    DeclarationSource,
    PayGroup,
    PayGroupAccess,
    SalaryComponent,
    SalaryItem,
    SalaryStructure,
    TaxDeclaration,
)
from talentloop.payroll.services import amount_text

# key, name, name_en, kind, taxable, in SI base, in wage base, formula, order
COMPONENTS = [
    ("base", "基本工资", "Base salary", "earning", True, True, True, "", 10),
    ("position", "岗位津贴", "Position allowance", "earning", True, True, True, "", 20),
    ("meal", "餐补", "Meal allowance", "earning", True, False, False, "", 30),
    (
        "overtime",
        "加班费",
        "Overtime pay",
        "earning",
        True,
        False,
        False,
        "round(overtime_hours_150 * wage_base / 21.75 / 8 * 1.5 + overtime_hours_200 * wage_base / 21.75 / 8 * 2, 2)",
        40,
    ),
]

GROUP_NAMES = {"office": ("职能", "Office"), "rnd": ("研发", "R&D"), "factory": ("工厂", "Factory")}

MEAL = Decimal(300)
HUNDRED = Decimal(100)


@dataclass
class PayrollDemoResult:
    groups: int = 0
    structures: int = 0
    declarations: int = 0


def payroll_loaded() -> bool:
    return SalaryComponent.objects.exists()


def wipe_payroll() -> None:
    TaxDeclaration.objects.all().delete()
    SalaryItem.objects.all().delete()
    SalaryStructure.objects.all().delete()
    PayGroupAccess.objects.all().delete()
    PayGroup.objects.all().delete()
    SalaryComponent.objects.all().delete()


def summary(result: PayrollDemoResult) -> str:
    return (
        f"Loaded the payroll demo: {result.groups} pay groups, {result.structures} salary structures, "
        f"{result.declarations} tax declarations."
    )


def _to_hundreds(amount: Decimal) -> Decimal:
    """Demo salaries are whole hundreds of yuan: cut down to the hundred."""
    return (amount // HUNDRED) * HUNDRED


@transaction.atomic
def load_payroll(*, seed: int = 1, reference_date: dt.date | None = None) -> PayrollDemoResult:
    result = PayrollDemoResult()
    if payroll_loaded():
        return result
    ref = reference_date or timezone.localdate()
    rng = random.Random(seed * 7919 + 17)
    components = {}
    for key, name, name_en, kind, taxable, si, wage, formula, order in COMPONENTS:
        components[key] = SalaryComponent.objects.create(
            key=key,
            name=name,
            name_en=name_en,
            kind=kind,
            taxable=taxable,
            in_social_insurance_base=si,
            in_wage_base=wage,
            formula=formula,
            order=order,
        )
    first_contracts: dict[int, EmploymentContract] = {}
    for row in EmploymentContract.objects.select_related("employee").order_by("employee_id", "effective_from"):
        first_contracts.setdefault(row.employee_id, row)
    for key in sorted({c.pay_group for c in first_contracts.values() if c.pay_group}):
        name, name_en = GROUP_NAMES.get(key, (key, key))
        PayGroup.objects.create(key=key, name=name, name_en=name_en)
        result.groups += 1
    raise_day = dt.date(ref.year, 1, 1)
    plans: list[tuple[SalaryStructure, dict[str, Decimal]]] = []
    for employee_id, row in sorted(first_contracts.items()):
        level = row.employee.level
        base = _to_hundreds(Decimal(3000 + level * 1800 + rng.randint(0, 1500)))
        position = _to_hundreds(Decimal(level * 300))
        plans.append(
            (
                SalaryStructure(employee_id=employee_id, effective_from=row.effective_from, note="入职定薪"),
                {"base": base, "position": position, "meal": MEAL},
            )
        )
        if row.effective_from < raise_day and rng.random() < 0.7:
            raised = _to_hundreds(base * Decimal(rng.choice(["1.03", "1.05", "1.08"])))
            plans.append(
                (
                    SalaryStructure(employee_id=employee_id, effective_from=raise_day, note="年度调薪"),
                    {"base": raised, "position": position, "meal": MEAL},
                )
            )
    structures = SalaryStructure.objects.bulk_create([s for s, _amounts in plans], batch_size=500)
    SalaryItem.objects.bulk_create(
        [
            SalaryItem(structure=s, component=components[key], amount=amount_text(value))
            for s, (_unused, values) in zip(structures, plans, strict=True)
            for key, value in values.items()
        ],
        batch_size=500,
    )
    result.structures = len(structures)
    declarations = []
    for index, (employee_id, _row) in enumerate(sorted(first_contracts.items())):
        if index % 3 == 0:  # housing rent in a first-tier city (Shanghai): 1,500 a month
            declarations.append(
                TaxDeclaration(
                    employee_id=employee_id,
                    kind="housing_rent",
                    start=raise_day,
                    city_tier=1,
                    source=DeclarationSource.EMPLOYEE,
                )
            )
        if index % 4 == 1:  # elderly support as an only child
            declarations.append(
                TaxDeclaration(
                    employee_id=employee_id, kind="elderly_support", start=raise_day, source=DeclarationSource.EMPLOYEE
                )
            )
    TaxDeclaration.objects.bulk_create(declarations)
    result.declarations = len(declarations)
    return result
