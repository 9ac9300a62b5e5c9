"""Who sees which pay groups, people, salaries and declarations. Expectations written by hand from the
rules: payroll sees the people of the groups they are given (none given: none), administrators all,
HR without the payroll role and managers no salary, everyone their own."""

from __future__ import annotations

import datetime as dt

import pytest

from talentloop.payroll import access, services
from talentloop.payroll.tests.scene import Scene, amounts, build_scene, contract, frozen_clock

pytestmark = pytest.mark.django_db


@pytest.fixture
def scene(world) -> Scene:
    with frozen_clock():
        yield build_scene(world)


def _numbers(qs) -> set[str]:
    return set(qs.values_list("employee_number", flat=True))


@pytest.mark.parametrize(
    ("persona", "groups"),
    [
        ("payroll_a", {"sh-staff"}),
        ("payroll_b", {"bj-staff"}),
        ("payroll_none", set()),
        ("admin", {"sh-staff", "bj-staff"}),
        ("hr", set()),
        ("manager", set()),
        ("employee", set()),
    ],
)
def test_visible_pay_groups(scene, persona, groups):
    assert set(access.visible_pay_groups(scene.actor(persona)).values_list("key", flat=True)) == groups


@pytest.mark.parametrize(
    ("persona", "subjects"),
    [
        ("payroll_a", {"T-employee", "T-lead", "T-manager"}),
        ("payroll_b", {"T-outsider", "T-hr"}),
        ("payroll_none", set()),
        ("hr", set()),
        ("manager", set()),
        ("employee", set()),
    ],
)
def test_payroll_subjects(scene, persona, subjects):
    with frozen_clock():
        assert _numbers(access.payroll_subjects(scene.actor(persona))) == subjects


def test_administrators_handle_everyone(scene):
    with frozen_clock():
        assert {"T-employee", "T-outsider", "T-payroll_a"} <= _numbers(access.payroll_subjects(scene.actor("admin")))


def test_the_contract_in_force_decides_the_group(scene):
    # The employee moves to Beijing's pay group from 2025-04-01: payroll A keeps them until 31 March.
    contract(scene.emp("employee"), scene.group_b.key, effective_from=dt.date(2025, 4, 1))
    actor_a, actor_b = scene.actor("payroll_a"), scene.actor("payroll_b")
    assert "T-employee" in _numbers(access.payroll_subjects(actor_a, dt.date(2025, 3, 31)))
    assert "T-employee" not in _numbers(access.payroll_subjects(actor_a, dt.date(2025, 4, 1)))
    assert "T-employee" in _numbers(access.payroll_subjects(actor_b, dt.date(2025, 4, 1)))


def test_the_payroll_role_without_a_group_and_a_group_without_the_role_see_nothing(scene):
    from talentloop.accounts.models import RoleAssignment

    RoleAssignment.objects.filter(user=scene.payroll_a, role="payroll").delete()
    with frozen_clock():
        actor = scene.actor("payroll_a")
        assert not access.visible_pay_groups(actor).exists() and not access.payroll_subjects(actor).exists()
        assert not access.can_view_salary(actor, scene.emp("employee"))


@pytest.mark.parametrize(
    ("persona", "view", "set_", "declare"),
    [
        ("employee", True, False, True),  # their own salary: seen, never set by themselves
        ("payroll_a", True, True, True),
        ("payroll_b", False, False, False),
        ("payroll_none", False, False, False),
        ("hr", False, False, False),
        ("manager", False, False, False),
        ("lead", False, False, False),
        ("mentor", False, False, False),
        ("outsider", False, False, False),
        ("admin", True, True, True),
    ],
)
def test_predicates_about_the_employee(scene, persona, view, set_, declare):
    with frozen_clock():
        actor, employee = scene.actor(persona), scene.emp("employee")
        assert access.can_view_salary(actor, employee) is view
        assert access.can_set_salary(actor, employee) is set_
        assert access.can_declare(actor, employee) is declare


@pytest.mark.parametrize(
    ("persona", "owners"),
    [
        ("employee", {"T-employee"}),
        ("outsider", {"T-outsider"}),
        ("payroll_a", {"T-employee", "T-lead"}),
        ("payroll_b", {"T-outsider"}),
        ("hr", set()),  # hr has no structure of their own here, and sees no one else's
        ("manager", set()),
        ("admin", {"T-employee", "T-lead", "T-outsider"}),
    ],
)
def test_visible_salary_structures_and_declarations(scene, persona, owners):
    with frozen_clock():
        for who in ("employee", "lead", "outsider"):
            by = "payroll_b" if who == "outsider" else "payroll_a"
            services.salary_structure_set(
                actor=scene.actor(by),
                employee=scene.emp(who),
                effective_from=dt.date(2025, 1, 1),
                items=amounts(base="10000"),
            )
            services.tax_declaration_save(
                actor=scene.actor(who),
                employee=scene.emp(who),
                kind="housing_rent",
                start=dt.date(2025, 1, 1),
                city_tier=1,
            )
        actor = scene.actor(persona)
        seen = set(access.visible_salary_structures(actor).values_list("employee__employee_number", flat=True))
        declared = set(access.visible_tax_declarations(actor).values_list("employee__employee_number", flat=True))
    assert seen == owners and declared == owners


@pytest.mark.parametrize(
    ("persona", "manage", "keys"),
    [
        ("payroll_a", True, {"base", "meal", "overtime", "old_bonus"}),
        ("admin", True, {"base", "meal", "overtime", "old_bonus"}),
        ("hr", False, {"base", "meal", "overtime"}),
        ("employee", False, {"base", "meal", "overtime"}),
    ],
)
def test_components(scene, persona, manage, keys):
    actor = scene.actor(persona)
    assert access.can_manage_components(actor) is manage
    assert set(access.visible_salary_components(actor).values_list("key", flat=True)) == keys
