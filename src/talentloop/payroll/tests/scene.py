"""A payroll scene over the persona world, shared by the payroll model, access and API tests.

    pay group "sh-staff" (A): employee, lead, manager        run by ``payroll_a``
    pay group "bj-staff" (B): outsider, hr                   run by ``payroll_b``
    ``payroll_none`` has the payroll role and no pay group.

Every contract takes effect on 2019-05-06 (the world's hire date); tests freeze the clock at
``FROZEN`` so "the contract in force today" never depends on the day the suite runs.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

import time_machine

from talentloop.accounts.models import User
from talentloop.core.access import Actor, actor_for
from talentloop.organisation.models import Employee, EmploymentContract
from talentloop.payroll.models import PayGroup, PayGroupAccess, SalaryComponent
from talentloop.testing.factories import EmployeeFactory, UserFactory, grant
from talentloop.testing.personas import World

FROZEN = dt.datetime(2025, 3, 15, 10, 0, tzinfo=dt.UTC)
CONTRACT_FROM = dt.date(2019, 5, 6)


def frozen_clock() -> time_machine.travel:
    return time_machine.travel(FROZEN, tick=False)


@dataclass
class Scene:
    world: World
    group_a: PayGroup
    group_b: PayGroup
    payroll_a: User
    payroll_b: User
    payroll_none: User
    base: SalaryComponent
    allowance: SalaryComponent
    overtime: SalaryComponent
    retired: SalaryComponent

    def emp(self, persona: str) -> Employee:
        return self.world.emp(getattr(self.world, persona))

    def actor(self, persona: str) -> Actor:
        user = getattr(self, persona, None) if persona.startswith("payroll") else getattr(self.world, persona)
        return actor_for(user)


def contract(employee: Employee, pay_group: str, effective_from: dt.date = CONTRACT_FROM) -> EmploymentContract:
    return EmploymentContract.objects.create(
        employee=employee,
        effective_from=effective_from,
        start_date=effective_from,
        term="open_ended",
        pay_group=pay_group,
        social_insurance_city="上海",
    )


def payroll_user(world: World, username: str, groups: list[PayGroup]) -> User:
    user = UserFactory(username=username, display_name=username.title())
    EmployeeFactory(
        user=user,
        org_unit=world.people,
        job_family=world.hr_family,
        employee_number=f"T-{username}",
        name=f"{username}-中文",
        name_en=username.title(),
        hire_date=CONTRACT_FROM,
    )
    grant(user, "payroll")
    for group in groups:
        PayGroupAccess.objects.create(pay_group=group, user=user)
    return user


def build_scene(world: World) -> Scene:
    group_a = PayGroup.objects.create(key="sh-staff", name="上海员工", name_en="Shanghai staff")
    group_b = PayGroup.objects.create(key="bj-staff", name="北京员工", name_en="Beijing staff")
    for persona in ("employee", "lead", "manager"):
        contract(world.emp(getattr(world, persona)), group_a.key)
    for persona in ("outsider", "hr"):
        contract(world.emp(getattr(world, persona)), group_b.key)
    payroll_a = payroll_user(world, "payroll_a", [group_a])
    payroll_b = payroll_user(world, "payroll_b", [group_b])
    payroll_none = payroll_user(world, "payroll_none", [])
    base = SalaryComponent.objects.create(
        key="base", name="基本工资", name_en="Base salary", order=10, in_wage_base=True, in_social_insurance_base=True
    )
    allowance = SalaryComponent.objects.create(
        key="meal", name="餐补", name_en="Meal allowance", order=20, taxable=True
    )
    overtime = SalaryComponent.objects.create(
        key="overtime",
        name="加班费",
        name_en="Overtime",
        order=30,
        formula="round(overtime_hours_150 * base / 21.75 / 8 * 1.5, 2)",
    )
    retired = SalaryComponent.objects.create(
        key="old_bonus", name="旧奖金", name_en="Old bonus", order=40, active=False
    )
    return Scene(
        world=world,
        group_a=group_a,
        group_b=group_b,
        payroll_a=payroll_a,
        payroll_b=payroll_b,
        payroll_none=payroll_none,
        base=base,
        allowance=allowance,
        overtime=overtime,
        retired=retired,
    )


def amounts(**values: str) -> dict[str, Decimal]:
    return {key: Decimal(value) for key, value in values.items()}
