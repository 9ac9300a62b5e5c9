"""The payroll demo area: the salary components a company starts with, a pay group for each pay group
its contracts name, everyone's salary with a raise this year for most people (and a mid-year raise in
R&D), a few tax declarations, a ``payroll`` account running every group, and this year's payroll:
every month before the current one calculated, submitted by ``payroll``, approved by ``admin`` and
locked (attendance from the time area's locked summaries: unpaid leave and overtime), an annual bonus
in February paid by an off-cycle run (most people taxed separately, some merged), people hired during
the year starting mid-year, a leaver's final pay waiting for approval, and the current month
calculated with the office group submitted for approval. Loaded after the time area, which writes the
contracts (and their pay groups) and locks the months.

The area protocol of ``talentloop.demo.stack``: ``payroll_loaded()``, ``load_payroll(seed=,
reference_date=)`` (idempotent), ``summary(result)``, ``wipe_payroll()``.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass
from decimal import Decimal

from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.utils import timezone

from talentloop.accounts.backends import DEMO_PASSWORD
from talentloop.accounts.models import RoleAssignment, User
from talentloop.core.access import actor_for
from talentloop.core.errors import DomainError
from talentloop.organisation.demo import EMAIL_DOMAIN
from talentloop.organisation.models import Employee, EmploymentContract
from talentloop.payroll.models import (
    DeclarationSource,
    PayGroup,
    PayGroupAccess,
    PayItem,
    PayrollLine,
    PayrollRun,
    Payslip,
    RunKind,
    SalaryComponent,
    SalaryItem,
    SalaryStructure,
    TaxDeclaration,
    TaxYearStatement,
)
from talentloop.payroll.rules.final_pay import LegalReason
from talentloop.payroll.services import amount_text
from talentloop.payroll.services.final_pay import final_pay_record
from talentloop.payroll.services.runs import (
    pay_item_record,
    payroll_run_approve,
    payroll_run_calculate,
    payroll_run_create,
    payroll_run_lock,
    payroll_run_submit,
)

# key, name, name_en, kind, taxable, in SI base, in wage base, formula, order
COMPONENTS = [
    ("base", "基本工资", "Base salary", "earning", True, True, True, "", 10),
    ("position", "岗位津贴", "Position allowance", "earning", True, True, True, "", 20),
    ("meal", "餐补", "Meal allowance", "earning", True, False, False, "", 30),
    # Overtime is paid by the run itself from the attendance (150 / 200 / 300 %); a formula pays what the
    # company adds on top: a tenth of the base for a rating of 4 or more in the month the run pays for.
    (
        "performance",
        "绩效奖金",
        "Performance bonus",
        "earning",
        True,
        False,
        False,
        "if(rating >= 4, base * 0.1, 0)",
        40,
    ),
]

GROUP_NAMES = {"office": ("职能", "Office"), "rnd": ("研发", "R&D"), "factory": ("工厂", "Factory")}

MEAL = Decimal(300)
HUNDRED = Decimal(100)


PAYROLL_USERNAME = "payroll"
BONUS_MONTH = 2  # the annual bonus of last year, paid in February
RAISE_MONTH = 7  # a mid-year raise for part of R&D
BONUS_GROUPS = ("office", "rnd")


@dataclass
class PayrollDemoResult:
    groups: int = 0
    structures: int = 0
    declarations: int = 0
    runs: int = 0
    payslips: int = 0
    final_pay: int = 0


def payroll_loaded() -> bool:
    return SalaryComponent.objects.exists()


def wipe_payroll() -> None:
    PayrollLine.objects.all().delete()
    Payslip.objects.all().delete()
    PayItem.objects.all().delete()
    PayrollRun.objects.filter(reverses__isnull=False).delete()
    PayrollRun.objects.all().delete()
    User.objects.filter(username=PAYROLL_USERNAME, is_superuser=False).delete()
    TaxYearStatement.objects.all().delete()
    TaxDeclaration.objects.all().delete()
    SalaryItem.objects.all().delete()
    SalaryStructure.objects.all().delete()
    PayGroupAccess.objects.all().delete()
    PayGroup.objects.all().delete()
    SalaryComponent.objects.all().delete()


def summary(result: PayrollDemoResult) -> str:
    return (
        f"Loaded the payroll demo: {result.groups} pay groups, {result.structures} salary structures, "
        f"{result.declarations} tax declarations, {result.runs} payroll runs with {result.payslips} payslips, "
        f"{result.final_pay} final pay recorded."
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
    groups = list(PayGroup.objects.order_by("key"))
    payroll = _payroll_account(groups)
    # newgrad, a graduate hired this year, stated that this employer pays their first wages of the year:
    # their withholding starts with the basic deduction of every month of the year so far.
    newgrad = Employee.objects.filter(user__username="newgrad").first()
    if newgrad is not None and newgrad.hire_date.year == ref.year:
        TaxYearStatement.objects.create(employee=newgrad, year=ref.year, first_wages_of_year=True, source="employee")
    _mid_year_raise(components, ref, rng)
    _year_of_runs(groups, payroll, ref, rng, result)
    result.payslips = Payslip.objects.count()
    return result


def _payroll_account(groups: list[PayGroup]) -> User:
    """The ``payroll`` demo account: the payroll role, running every pay group."""
    user = User.objects.create(
        username=PAYROLL_USERNAME,
        display_name="薪资专员",
        email=f"{PAYROLL_USERNAME}@{EMAIL_DOMAIN}",
        password=make_password(DEMO_PASSWORD),
    )
    RoleAssignment.objects.create(user=user, role="payroll")
    PayGroupAccess.objects.bulk_create(PayGroupAccess(pay_group=g, user=user) for g in groups)
    return user


def _mid_year_raise(components: dict[str, SalaryComponent], ref: dt.date, rng: random.Random) -> None:
    """A third of R&D gets a raise from July: their review shows it as the reason their pay changed."""
    day = dt.date(ref.year, RAISE_MONTH, 1)
    if day >= ref.replace(day=1):
        return
    rnd = EmploymentContract.objects.filter(pay_group="rnd", effective_from__lt=day).values_list(
        "employee_id", flat=True
    )
    chosen = sorted(set(rnd))[::3]
    latest = {}
    for item in SalaryItem.objects.filter(structure__employee_id__in=chosen).select_related("structure", "component"):
        key = (item.structure.employee_id, item.structure.effective_from)
        latest.setdefault(item.structure.employee_id, {}).setdefault(key, {})[item.component.key] = Decimal(item.amount)
    for employee_id in chosen:
        if employee_id not in latest:
            continue
        _key, amounts = max(latest[employee_id].items())
        raised = dict(amounts, base=_to_hundreds(amounts["base"] * Decimal(rng.choice(["1.06", "1.10"]))))
        structure = SalaryStructure.objects.create(employee_id=employee_id, effective_from=day, note="年中调薪")
        SalaryItem.objects.bulk_create(
            SalaryItem(structure=structure, component=components[k], amount=amount_text(v)) for k, v in raised.items()
        )


def _bonus_items(group: PayGroup, month: dt.date, payroll: User) -> int:
    """Last year's annual bonus: two months of base, rounded to the hundred; every fourth person has it
    merged with the wages, the others taxed separately."""
    actor = actor_for(payroll)
    people = EmploymentContract.objects.filter(pay_group=group.key, effective_from__lt=month).values_list(
        "employee_id", flat=True
    )
    employed = Employee.objects.filter(pk__in=people, hire_date__lt=dt.date(month.year - 1, 10, 1)).exclude(
        termination_date__lt=month
    )
    count = 0
    for index, person in enumerate(employed.order_by("pk")):
        base = (
            SalaryItem.objects.filter(
                structure__employee=person, component__key="base", structure__effective_from__lte=month
            )
            .order_by("-structure__effective_from")
            .first()
        )
        if base is None:
            continue
        amount = _to_hundreds(Decimal(base.amount) * 2)
        pay_item_record(
            actor=actor,
            employee=person,
            month=month,
            kind="annual_bonus",
            amount=amount,
            reason=f"{month.year - 1}年度年终奖",
            bonus_method="merged" if index % 4 == 3 else "separate",
        )
        count += 1
    return count


def _through(run: PayrollRun, payroll: User, admin: User | None, *, lock: bool = True) -> PayrollRun:
    """Calculate, submit (payroll), approve (admin) and lock (payroll) a run, as the pages do."""
    actor = actor_for(payroll)
    payroll_run_calculate(actor=actor, run=run)
    run.refresh_from_db()
    if run.refused or admin is None:
        return run
    run = payroll_run_submit(actor=actor, run=run)
    run = payroll_run_approve(actor=actor_for(admin), run=run)
    return payroll_run_lock(actor=actor, run=run) if lock else run


def _year_of_runs(
    groups: list[PayGroup], payroll: User, ref: dt.date, rng: random.Random, result: PayrollDemoResult
) -> None:
    admin = User.objects.filter(username="admin").first()
    actor = actor_for(payroll)
    current = ref.replace(day=1)
    for number in range(1, current.month):
        month = dt.date(ref.year, number, 1)
        for group in groups:
            _through(payroll_run_create(actor=actor, pay_group=group, month=month), payroll, admin)
            result.runs += 1
            if number == BONUS_MONTH and group.key in BONUS_GROUPS and _bonus_items(group, month, payroll):
                bonus = payroll_run_create(
                    actor=actor, pay_group=group, month=month, kind=RunKind.OFF_CYCLE, title=f"{ref.year - 1}年度年终奖"
                )
                _through(bonus, payroll, admin)
                result.runs += 1
    # The current month: calculated; the office group's submitted and waiting for the administrator.
    for group in groups:
        run = payroll_run_create(actor=actor, pay_group=group, month=current)
        payroll_run_calculate(actor=actor, run=run)
        run.refresh_from_db()
        if group.key == "office" and not run.refused:
            payroll_run_submit(actor=actor, run=run)
        result.runs += 1
    # A leaver of this year: the final pay recorded and calculated, waiting for submission.
    leavers = Employee.objects.filter(
        termination_date__gte=dt.date(ref.year, 1, 1), termination_date__lt=current, contracts__isnull=False
    ).distinct()
    for leaver in leavers.order_by("-termination_date")[:3]:
        try:
            recorded = final_pay_record(actor=actor, employee=leaver, reason=LegalReason.NO_FAULT_IN_LIEU_OF_NOTICE)
        except DomainError:
            continue  # not enough locked months or nothing owed: the next leaver
        payroll_run_calculate(actor=actor, run=recorded.run)
        result.runs += 1
        result.final_pay += 1
        break
