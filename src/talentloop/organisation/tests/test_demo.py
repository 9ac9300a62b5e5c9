"""The company generator behind ``talentloop demo`` and ``talentloop seed``."""

from __future__ import annotations

import datetime as dt
from io import StringIO

import pytest
from django.contrib.auth import authenticate
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from talentloop.accounts.backends import DEMO_PASSWORD
from talentloop.accounts.models import RoleAssignment, User
from talentloop.organisation import demo
from talentloop.organisation.models import Employee, EmploymentEvent, JobFamily, OrgUnit

REF = dt.date(2026, 3, 18)


def _fingerprint(plan: demo.CompanyPlan) -> list[tuple]:
    by_index = {p.index: p for p in plan.people}
    return [
        (p.employee_number, p.name, p.name_en, p.email, p.username, p.unit, p.position, p.level, p.hire_date,
         p.status, by_index[p.manager].employee_number if p.manager is not None else None,
         [(h.kind, h.date, h.level) for h in p.history])
        for p in plan.people
    ]


def _db_fingerprint() -> list[tuple]:
    """The loaded company in terms that do not depend on database ids."""
    rows = Employee.objects.select_related("manager", "org_unit", "user").order_by("employee_number")
    numbers = {e.pk: e.employee_number for e in Employee.objects.only("employee_number")}
    return [
        (e.employee_number, e.name, e.name_en, e.org_unit.code, e.level, e.hire_date, e.user.username,
         e.manager.employee_number if e.manager else None,
         [numbers[int(pk)] for pk in e.manager_path.strip("/").split("/") if pk])
        for e in rows
    ]


def _assert_consistent_tree() -> None:
    employees = {e.pk: e for e in Employee.objects.all()}
    units = {u.pk: u for u in OrgUnit.objects.all()}
    for e in employees.values():
        if e.manager_id is None:
            assert e.manager_path == "/"
        else:
            assert e.manager_path == employees[e.manager_id].reports_prefix, e
    for u in units.values():
        parent = units.get(u.parent_id)
        assert u.path == f"{parent.path if parent else '/'}{u.pk}/"
        assert u.depth == (parent.depth + 1 if parent else 0)
        assert u.manager_id is not None, f"{u.code} has no head"
    for e in employees.values():
        unit = units[e.org_unit_id]
        if unit.manager_id == e.pk:
            # A unit head reports to the head of the unit above (the CEO to nobody).
            parent = units.get(unit.parent_id)
            assert e.manager_id == (parent.manager_id if parent else None), e
        else:
            assert e.manager_id == unit.manager_id, e


# ---------------------------------------------------------------- the plan, no database


def test_same_seed_same_company():
    first = demo.plan_company(80, seed=3, reference_date=REF)
    second = demo.plan_company(80, seed=3, reference_date=REF)
    assert _fingerprint(first) == _fingerprint(second)
    assert first.roles == second.roles
    other = demo.plan_company(80, seed=4, reference_date=REF)
    assert [p.name for p in other.people] != [p.name for p in first.people]


def test_plan_shape():
    plan = demo.plan_company(300, seed=demo.DEMO_SEED, reference_date=REF)
    assert len(plan.people) == 300
    codes = {u.code for u in plan.units}
    assert {"company", "rnd", "rnd-algorithm", "rnd-platform", "product", "sales", "service", "operations",
            "factory", "hr"} <= codes
    assert len({p.employee_number for p in plan.people}) == 300
    assert len({p.username for p in plan.people}) == 300
    hires = [p.hire_date for p in plan.people]
    assert min(hires) == dt.date(2016, 3, 18)  # the CEO, ten years before the reference date
    assert max(hires) <= REF
    assert all(p.hire_date.weekday() < 5 for p in plan.people)
    # Employee numbers follow the order of hiring.
    ordered = sorted(plan.people, key=lambda p: p.employee_number)
    assert [p.hire_date for p in ordered] == sorted(hires)
    assert all(len(p.national_id) == 18 and p.national_id[:17].isdigit() for p in plan.people)
    assert all(1 <= p.level <= 20 for p in plan.people)


def test_too_small_is_refused():
    with pytest.raises(ValueError):
        demo.plan_company(demo.MIN_EMPLOYEES - 1)


# ---------------------------------------------------------------- loading


@pytest.mark.django_db
def test_load_is_deterministic_and_set_based():
    plan = demo.plan_company(200, seed=11, reference_date=REF)
    with CaptureQueriesContext(connection) as ctx:
        result = demo.load_company(plan, password_hash="!unusable")
    assert result.employees == Employee.objects.count() == 200
    # A handful of statements per table, never one per person (SQLite batches ~40 rows per INSERT).
    assert len(ctx.captured_queries) < 60, len(ctx.captured_queries)
    first = _db_fingerprint()
    _assert_consistent_tree()
    assert EmploymentEvent.objects.filter(kind="hire").count() == 200

    demo.wipe_company()
    assert not demo.organisation_has_data()
    demo.load_company(demo.plan_company(200, seed=11, reference_date=REF), password_hash="!unusable")
    assert _db_fingerprint() == first


@pytest.mark.django_db
def test_seed_command_creates_n_people_with_consistent_paths():
    out = StringIO()
    call_command("seed", employees=130, seed=5, stdout=out)
    assert "employees/second" in out.getvalue()
    assert Employee.objects.count() == 130
    _assert_consistent_tree()
    # Every account shares one hash.
    assert User.objects.filter(employee__isnull=False).values("password").distinct().count() == 1

    with pytest.raises(CommandError):
        call_command("seed", employees=130, stdout=StringIO())
    call_command("seed", employees=90, seed=5, reset=True, stdout=StringIO())
    assert Employee.objects.count() == 90
    assert JobFamily.objects.count() == len(demo.FAMILIES)
    _assert_consistent_tree()


@pytest.mark.django_db
def test_demo_accounts_roles_and_tree(settings):
    out = StringIO()
    call_command("demo", skip_migrate=True, stdout=out)
    text = out.getvalue()
    for username in demo.NAMED_USERNAMES:
        assert username in text
    assert DEMO_PASSWORD in text
    assert 250 <= Employee.objects.count() <= 350
    assert set(JobFamily.objects.values_list("code", flat=True)) == {
        "software-engineer", "algorithm-engineer", "product-manager", "sales", "customer-service",
        "operations-specialist", "production-worker", "hr"}
    _assert_consistent_tree()

    def emp(username: str) -> Employee:
        return Employee.objects.select_related("org_unit", "job_family").get(user__username=username)

    def roles(username: str) -> set[tuple[str, int | None]]:
        return set(RoleAssignment.objects.filter(user__username=username).values_list("role", "org_unit"))

    today = timezone.localdate()
    admin = User.objects.get(username="admin")
    assert not Employee.objects.filter(user=admin).exists()
    assert roles("admin") == {("admin", None)}

    hr = emp("hr")
    assert roles("hr") == {("hr", None)}
    assert hr.org_unit.path.startswith(OrgUnit.objects.get(code="hr").path)

    manager = emp("manager")
    assert manager.org_unit.code == "rnd"
    assert OrgUnit.objects.get(code="rnd").manager_id == manager.pk
    below = Employee.objects.filter(manager_path__startswith=manager.reports_prefix)
    assert below.filter(manager_path__regex=r"^(/\d+){3,}/$").exists()  # at least two levels below

    mentor = emp("mentor")
    assert roles("mentor") == {("mentor", None)}
    assert mentor.org_unit.code == "rnd-platform"
    assert mentor.job_family.code == "software-engineer"
    assert mentor.level >= 7
    assert (today - mentor.hire_date).days >= 8 * 365

    employee, newgrad = emp("employee"), emp("newgrad")
    for person in (mentor, employee, newgrad):
        assert person.manager_path.startswith(manager.reports_prefix)
        assert person.job_family.code == "software-engineer"
    assert 2 * 365 <= (today - employee.hire_date).days <= 5 * 365
    assert newgrad.hire_date.year == today.year and newgrad.hire_date <= today
    assert newgrad.level == 1

    # Sensitive values are filled and encrypted at rest.
    assert len(employee.national_id) == 18 and employee.bank_account.startswith("62")
    with connection.cursor() as cursor:
        cursor.execute("SELECT national_id, bank_account FROM organisation_employee WHERE id = %s",
                       [employee.pk])
        raw = cursor.fetchone()
    assert all(value.startswith("enc2:") for value in raw)

    # The demo password works in demo mode only.
    settings.DEMO_MODE = False
    # (django-axes, first among the backends, needs the request it counts failures against.)
    assert authenticate(RequestFactory().post("/"), username="employee", password=DEMO_PASSWORD) is None
    settings.DEMO_MODE = True
    assert authenticate(RequestFactory().post("/"), username="employee", password=DEMO_PASSWORD).username == "employee"

    # Loading again without --reset says so and changes nothing; --reset loads it afresh.
    def numbers() -> list[tuple[str, str]]:
        return list(Employee.objects.order_by("employee_number").values_list("employee_number", "name"))

    before = numbers()
    out = StringIO()
    call_command("demo", skip_migrate=True, stdout=out)
    assert "already loaded" in out.getvalue()
    call_command("demo", skip_migrate=True, reset=True, stdout=StringIO())
    assert numbers() == before


@pytest.mark.django_db
def test_demo_refuses_to_replace_real_data_without_reset():
    OrgUnit.objects.create(code="acme", name="Acme")
    with pytest.raises(CommandError):
        call_command("demo", skip_migrate=True, stdout=StringIO())
