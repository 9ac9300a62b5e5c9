"""Factories for tests and benchmarks."""

from __future__ import annotations

import datetime as dt

import factory
from factory.django import DjangoModelFactory

from talentloop.accounts.models import ApiToken, RoleAssignment, User
from talentloop.organisation.models import Employee, JobFamily, OrgUnit, Position


class UserFactory(DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ("username",)

    username = factory.Sequence(lambda n: f"user{n}")
    display_name = factory.LazyAttribute(lambda o: o.username.title())
    password = factory.django.Password("correct-horse-battery")


class OrgUnitFactory(DjangoModelFactory):
    """Builds the materialised path after saving, as the service does."""

    class Meta:
        model = OrgUnit

    code = factory.Sequence(lambda n: f"unit-{n}")
    name = factory.Sequence(lambda n: f"部门{n}")
    name_en = factory.Sequence(lambda n: f"Unit {n}")
    parent = None

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        unit = super()._create(model_class, *args, **kwargs)
        parent = unit.parent
        unit.path = f"{parent.path if parent else '/'}{unit.pk}/"
        unit.depth = parent.depth + 1 if parent else 0
        OrgUnit.objects.filter(pk=unit.pk).update(path=unit.path, depth=unit.depth)
        return unit


class JobFamilyFactory(DjangoModelFactory):
    class Meta:
        model = JobFamily
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"family-{n}")
    name = factory.Sequence(lambda n: f"职族{n}")
    name_en = factory.Sequence(lambda n: f"Family {n}")


class PositionFactory(DjangoModelFactory):
    class Meta:
        model = Position

    code = factory.Sequence(lambda n: f"position-{n}")
    name = factory.Sequence(lambda n: f"岗位{n}")
    name_en = factory.Sequence(lambda n: f"Position {n}")
    job_family = factory.SubFactory(JobFamilyFactory)


class EmployeeFactory(DjangoModelFactory):
    class Meta:
        model = Employee

    employee_number = factory.Sequence(lambda n: f"E{n:06d}")
    name = factory.Sequence(lambda n: f"员工{n}")
    name_en = factory.Sequence(lambda n: f"Employee {n}")
    email = factory.LazyAttribute(lambda o: f"{o.employee_number.lower()}@example.com")
    hire_date = dt.date(2020, 3, 1)
    org_unit = factory.SubFactory(OrgUnitFactory)
    job_family = factory.SubFactory(JobFamilyFactory)
    level = 3
    manager = None
    manager_path = factory.LazyAttribute(lambda o: o.manager.reports_prefix if o.manager else "/")


def grant(user: User, role: str, org_unit: OrgUnit | None = None) -> RoleAssignment:
    return RoleAssignment.objects.create(user=user, role=role, org_unit=org_unit)


__all__ = [
    "ApiToken", "EmployeeFactory", "JobFamilyFactory", "OrgUnitFactory", "PositionFactory", "UserFactory", "grant",
]
