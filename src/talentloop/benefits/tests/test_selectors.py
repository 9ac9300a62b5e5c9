"""Eligibility for many people at once, one's own page, and the contributions payroll reads: the
numbers worked out by hand, the queries counted at two sizes."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from talentloop.benefits import selectors
from talentloop.benefits.models import Enrolment
from talentloop.benefits.tests.scene import TODAY, Scene, build_scene, frozen_clock
from talentloop.benefits.treatments import Contribution
from talentloop.testing.factories import EmployeeFactory

pytestmark = pytest.mark.django_db

D = Decimal
JAN, FEB, MAR, APR = (dt.date(2026, m, 1) for m in (1, 2, 3, 4))


@pytest.fixture
def scene(world) -> Scene:
    with frozen_clock():
        yield build_scene(world)


def _keys(plans) -> list[str]:
    return [p.key for p in plans]


def test_add_months_keeps_within_the_month():
    assert selectors.add_months(dt.date(2026, 1, 31), 1) == dt.date(2026, 2, 28)
    assert selectors.add_months(dt.date(2024, 1, 31), 1) == dt.date(2024, 2, 29)
    assert selectors.add_months(dt.date(2025, 12, 15), 1) == dt.date(2026, 1, 15)
    assert selectors.add_months(dt.date(2026, 3, 10), -12) == dt.date(2025, 3, 10)
    assert selectors.month_end(dt.date(2026, 2, 10)) == dt.date(2026, 2, 28)


def test_eligible_plans_for_the_personas(scene):
    w = scene.world
    people = {name: w.emp(getattr(w, name)).pk for name in ("employee", "outsider", "hr", "manager")}
    got = selectors.eligible_plans(people.values(), TODAY)
    # employee: software engineer L3 since 2019 → the annuity too; outsider: sales → transport;
    # hr: neither; manager: engineer L8 → the annuity (no highest level).
    assert _keys(got[people["employee"]]) == ["annuity", "health", "meal"]
    assert _keys(got[people["outsider"]]) == ["health", "meal", "transport"]
    assert _keys(got[people["hr"]]) == ["health", "meal"]
    assert _keys(got[people["manager"]]) == ["annuity", "health", "meal"]


def test_eligibility_ends_with_employment_and_waits_for_tenure(scene):
    left = EmployeeFactory(
        job_family=scene.world.engineering, hire_date=dt.date(2020, 1, 1), termination_date=dt.date(2026, 3, 9)
    )
    new = EmployeeFactory(job_family=scene.world.engineering, hire_date=dt.date(2025, 3, 11))
    future = EmployeeFactory(job_family=scene.world.engineering, hire_date=dt.date(2026, 4, 1))
    got = selectors.eligible_plans([left.pk, new.pk, future.pk], TODAY)
    assert got[left.pk] == []
    # hired 11 March 2025: 12 months only on 11 March 2026
    assert _keys(got[new.pk]) == ["health", "meal"]
    assert _keys(selectors.eligible_plans([new.pk], dt.date(2026, 3, 11))[new.pk]) == ["annuity", "health", "meal"]
    assert got[future.pk] == []


@pytest.mark.parametrize("size", [5, 40])
def test_eligibility_is_set_based(scene, size):
    people = [EmployeeFactory(job_family=scene.world.engineering).pk for _ in range(size)]
    with CaptureQueriesContext(connection) as queries:
        got = selectors.eligible_plans(people, TODAY)
    # the people, the plans, their job families, their windows — whatever the number of people
    assert len(queries) == 4
    assert all(_keys(plans) == ["annuity", "health", "meal"] for plans in got.values())


def test_my_benefits_page(scene):
    employee = scene.world.emp(scene.world.employee)
    Enrolment.objects.create(employee=employee, plan=scene.health, start_month=FEB)
    Enrolment.objects.create(employee=employee, plan=scene.meal, start_month=JAN, end_month=FEB, state="ended")
    actor = scene.actor("employee")
    with CaptureQueriesContext(connection) as queries:
        page = selectors.my_benefits(actor, TODAY)
    assert len(queries) == 5  # enrolments; plans, job families, windows; the person's facts
    assert [e.plan.key for e in page.current] == ["health"]
    assert [e.plan.key for e in page.past] == ["meal"]
    choices = {c.plan.key: c for c in page.choices}
    assert sorted(choices) == ["annuity", "health", "meal"]
    assert choices["meal"].window is not None and choices["meal"].enrolment is None
    assert choices["health"].window is None and choices["health"].next_window.opens_on == dt.date(2026, 6, 1)
    assert choices["health"].enrolment is not None


def test_my_benefits_is_empty_without_an_employee_record(scene):
    page = selectors.my_benefits(scene.actor("admin"), TODAY)
    assert page.current == page.past == page.choices == []


# ------------------------------------------------------------------------------------------------ contributions


def test_contributions_worked_out_by_hand(scene):
    w = scene.world
    employee, outsider, hr = (w.emp(getattr(w, n)) for n in ("employee", "outsider", "hr"))
    for plan in (scene.meal, scene.annuity):
        Enrolment.objects.create(employee=employee, plan=plan, start_month=JAN)
    Enrolment.objects.create(employee=outsider, plan=scene.transport, start_month=MAR)
    Enrolment.objects.create(employee=outsider, plan=scene.health, start_month=JAN, end_month=MAR, state="ended")
    Enrolment.objects.create(employee=hr, plan=scene.meal, start_month=JAN, end_month=FEB, state="ended")
    Enrolment.objects.create(employee=hr, plan=scene.health, start_month=APR)
    Enrolment.objects.create(employee=hr, plan=scene.transport, start_month=MAR, state="withdrawn")

    with frozen_clock():
        got = selectors.benefit_contributions(
            [employee.pk, outsider.pk, hr.pk], dt.date(2026, 3, 17), bases={employee.pk: D("10000.25")}
        )
    # hr: meal ended in February, health starts in April, transport withdrawn → nothing in March
    assert hr.pk not in got
    annuity, meal = got[employee.pk]
    # a meal allowance is paid with the wages (cash), not to a provider
    assert meal == Contribution("meal", meal.plan_label, D("0.00"), D("300.00"), "taxable", None, True, cash=True)
    assert not annuity.cash
    assert (meal.taxable_income, meal.pre_tax_deduction) == (D("300.00"), D(0))
    # annuity on a base of 10,000.25: employer 8 % = 800.02; employee 2 % = 200.005 → 200.01 (half up);
    # deductible up to 4 % = 400.01, so all 200.01 is deducted; the employer's part is not taxed now
    assert (annuity.employer_amount, annuity.employee_amount, annuity.deductible_cap) == (
        D("800.02"),
        D("200.01"),
        D("400.01"),
    )
    assert (annuity.taxable_income, annuity.pre_tax_deduction) == (D(0), D("200.01"))
    health, transport = got[outsider.pk]
    # health insurance until March: the employer's 150 is wages; 150 + 100 = 250, deductible up to 200
    assert (health.taxable_income, health.pre_tax_deduction) == (D("150.00"), D("200.00"))
    # transport 500 with 300 exempt: 200 taxed
    assert (transport.taxable_income, transport.deductible_cap) == (D("200.00"), D("300.00"))
    assert transport.cash and not health.cash

    # April: the outsider's health insurance has ended (March was its last month); hr's starts
    april = selectors.benefit_contributions([outsider.pk, hr.pk], APR)
    assert [c.plan_key for c in april[outsider.pk]] == ["transport"]
    assert [c.plan_key for c in april[hr.pk]] == ["health"]


def test_a_person_without_a_base_gets_the_fixed_parts(scene):
    employee = scene.world.emp(scene.world.employee)
    Enrolment.objects.create(employee=employee, plan=scene.annuity, start_month=JAN)
    (annuity,) = selectors.benefit_contributions([employee.pk], MAR)[employee.pk]
    assert (annuity.employer_amount, annuity.employee_amount, annuity.deductible_cap) == (D(0), D(0), D(0))


def test_an_inactive_or_finished_plan_contributes_nothing(scene):
    employee = scene.world.emp(scene.world.employee)
    Enrolment.objects.create(employee=employee, plan=scene.meal, start_month=JAN)
    Enrolment.objects.create(employee=employee, plan=scene.health, start_month=JAN)
    type(scene.meal).objects.filter(pk=scene.meal.pk).update(active=False)
    type(scene.health).objects.filter(pk=scene.health.pk).update(effective_to=dt.date(2026, 2, 27))
    assert selectors.benefit_contributions([employee.pk], MAR) == {}
    # the health plan still ran on 27 February: February counts
    assert [c.plan_key for c in selectors.benefit_contributions([employee.pk], FEB)[employee.pk]] == ["health"]


@pytest.mark.parametrize("size", [10, 80])
def test_contributions_are_one_query_for_many_people(scene, size):
    people = EmployeeFactory.create_batch(size, job_family=scene.world.engineering)
    Enrolment.objects.bulk_create(
        [Enrolment(employee=p, plan=plan, start_month=JAN) for p in people for plan in (scene.meal, scene.annuity)]
    )
    bases = {p.pk: D(8000 + index) for index, p in enumerate(people)}
    with CaptureQueriesContext(connection) as queries:
        got = selectors.benefit_contributions([p.pk for p in people], MAR, bases=bases)
    assert len(queries) == 1
    assert len(got) == size
    # the first person: base 8,000 → annuity employer 640.00, employee 160.00, cap 320.00
    first = got[people[0].pk][0]
    assert (first.plan_key, first.employer_amount, first.employee_amount) == ("annuity", D("640.00"), D("160.00"))


def test_contributions_accept_a_queryset_of_people(scene):
    from talentloop.organisation.models import Employee

    employee = scene.world.emp(scene.world.employee)
    Enrolment.objects.create(employee=employee, plan=scene.meal, start_month=JAN)
    with CaptureQueriesContext(connection) as queries:
        got = selectors.benefit_contributions(Employee.objects.filter(pk=employee.pk), MAR)
    assert len(queries) == 1
    assert list(got) == [employee.pk]
