"""The personas of the access matrix, built from factories.

    company
    ├── rnd (head: manager)
    │   └── platform (lead reports to manager; employee reports to lead)
    ├── sales (outsider)
    └── people (hr)

``mentor`` is a senior engineer in platform reporting to ``manager`` directly; ``admin`` is a
technical account with no employee record.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from talentloop.accounts.models import User
from talentloop.organisation.models import Employee, JobFamily, OrgUnit, Position
from talentloop.testing.factories import (
    EmployeeFactory,
    JobFamilyFactory,
    OrgUnitFactory,
    PositionFactory,
    UserFactory,
    grant,
)

PASSWORD = "correct-horse-battery"


@dataclass
class World:
    company: OrgUnit
    rnd: OrgUnit
    platform: OrgUnit
    sales: OrgUnit
    people: OrgUnit
    engineering: JobFamily
    sales_family: JobFamily
    hr_family: JobFamily
    engineer_position: Position
    admin: User
    hr: User
    manager: User
    lead: User
    mentor: User
    employee: User
    outsider: User

    def emp(self, user: User) -> Employee:
        return Employee.objects.get(user=user)


def build_world() -> World:
    company = OrgUnitFactory(code="company", name="公司", name_en="Company")
    rnd = OrgUnitFactory(code="rnd", name="研发部", name_en="R&D", parent=company)
    platform = OrgUnitFactory(code="platform", name="平台组", name_en="Platform", parent=rnd)
    sales = OrgUnitFactory(code="sales", name="销售部", name_en="Sales", parent=company)
    people = OrgUnitFactory(code="people", name="人力资源部", name_en="People", parent=company)
    engineering = JobFamilyFactory(code="software-engineer", name="软件工程师", name_en="Software engineer")
    sales_family = JobFamilyFactory(code="sales", name="销售", name_en="Sales")
    hr_family = JobFamilyFactory(code="hr", name="人力资源", name_en="HR")
    engineer_position = PositionFactory(code="se", name="软件工程师", name_en="Software engineer",
                                        job_family=engineering)

    def person(username: str, unit: OrgUnit, family: JobFamily, manager: Employee | None = None,
               level: int = 3, number: str = "") -> tuple[User, Employee]:
        user = UserFactory(username=username, display_name=username.title())
        emp = EmployeeFactory(user=user, org_unit=unit, job_family=family, manager=manager, level=level,
                              name=f"{username}-中文", name_en=username.title(),
                              employee_number=number or f"T-{username}", hire_date=dt.date(2019, 5, 6),
                              national_id="110101199001011234", bank_account="6222020200112233445")
        return user, emp

    manager_user, manager_emp = person("manager", rnd, engineering, level=8)
    OrgUnit.objects.filter(pk=rnd.pk).update(manager=manager_emp)
    lead_user, lead_emp = person("lead", platform, engineering, manager=manager_emp, level=6)
    mentor_user, _mentor_emp = person("mentor", platform, engineering, manager=manager_emp, level=7)
    employee_user, _employee_emp = person("employee", platform, engineering, manager=lead_emp, level=3)
    outsider_user, _outsider_emp = person("outsider", sales, sales_family, level=3)
    hr_user, _hr_emp = person("hr", people, hr_family, level=5)
    grant(hr_user, "hr")
    grant(mentor_user, "mentor")
    admin_user = UserFactory(username="admin", display_name="Admin")
    grant(admin_user, "admin")
    return World(company=company, rnd=rnd, platform=platform, sales=sales, people=people,
                 engineering=engineering, sales_family=sales_family, hr_family=hr_family,
                 engineer_position=engineer_position, admin=admin_user, hr=hr_user, manager=manager_user,
                 lead=lead_user, mentor=mentor_user, employee=employee_user, outsider=outsider_user)
