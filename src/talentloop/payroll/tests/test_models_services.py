"""Payroll data services: salary components (formulas checked with their positions), salary
structures (history, refusals, replacement, encryption at rest, the set-based read for runs, audited
reads) and tax declarations checked against the IIT rules of every year they touch.

Deduction figures come from ``payroll/data/iit.json``: housing rent 1,500 / 1,100 / 800 a month by
city tier (国发〔2018〕41号 art. 22), the vocational certificate 3,600 in the year it is obtained (art. 9),
the elderly support share of a sibling at most 1,500 a month from 2023 (国发〔2023〕13号).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from talentloop.core.audit.models import AuditEntry
from talentloop.core.errors import InvalidInput, NotFound, PermissionDenied
from talentloop.payroll import selectors, services
from talentloop.payroll.models import SalaryItem, SalaryStructure, TaxDeclaration
from talentloop.payroll.tests.scene import Scene, amounts, build_scene, contract, frozen_clock
from talentloop.testing.factories import EmployeeFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def scene(world) -> Scene:
    with frozen_clock():
        yield build_scene(world)


def _errors(exc_info: pytest.ExceptionInfo) -> dict[str, list[str]]:
    return exc_info.value.errors


# ------------------------------------------------------------------------------------------------ components


def test_payroll_creates_and_changes_a_component(scene):
    actor = scene.actor("payroll_a")
    component, created = services.salary_component_save(
        actor=actor, key="housing", name="住房补贴", name_en="Housing allowance", in_wage_base=True
    )
    assert created and component.is_fixed and component.in_wage_base
    again, created = services.salary_component_save(
        actor=actor, key="housing", name="住房补贴", formula="base * 0.1", order=5
    )
    assert not created and again.pk == component.pk and again.formula == "base * 0.1" and not again.is_fixed
    entries = AuditEntry.objects.filter(entity_type="payroll.salarycomponent", entity_id=str(component.pk))
    assert sorted(entries.values_list("action", flat=True)) == ["create", "update"]


def test_a_bad_formula_is_refused_with_each_problem_and_its_column(scene):
    with pytest.raises(InvalidInput) as exc:
        services.salary_component_save(actor=scene.actor("payroll_a"), key="bad", name="错", formula="base * salary")
    # "base * salary": the unknown name starts at the 8th character (b=1, a=2, s=3, e=4, space=5, *=6, space=7).
    messages = _errors(exc)["formula"]
    assert len(messages) == 1 and messages[0].startswith("Column 8: ") and "salary" in messages[0]
    with pytest.raises(InvalidInput) as exc:
        services.salary_component_save(actor=scene.actor("payroll_a"), key="bad", name="错", formula="1 +\n* 2")
    assert _errors(exc)["formula"][0].startswith("Line 2, column 1: ")
    assert not services.SalaryComponent.objects.filter(key="bad").exists()


def test_only_payroll_and_administrators_manage_components(scene):
    for persona in ("hr", "manager", "employee"):
        with pytest.raises(PermissionDenied):
            services.salary_component_save(actor=scene.actor(persona), key="x", name="X")
    services.salary_component_save(actor=scene.actor("admin"), key="x", name="X")


def test_a_component_with_fixed_amounts_cannot_become_a_formula(scene):
    with frozen_clock():
        services.salary_structure_set(
            actor=scene.actor("payroll_a"),
            employee=scene.emp("employee"),
            effective_from=dt.date(2025, 1, 1),
            items=amounts(meal="300"),
        )
        with pytest.raises(InvalidInput) as exc:
            services.salary_component_save(actor=scene.actor("payroll_a"), key="meal", name="餐补", formula="base")
    assert "formula" in _errors(exc)


# ------------------------------------------------------------------------------------------------ structures


def _set(
    scene: Scene, persona: str = "employee", on: dt.date = dt.date(2025, 1, 1), by: str = "payroll_a", **values: str
) -> SalaryStructure:
    with frozen_clock():
        return services.salary_structure_set(
            actor=scene.actor(by), employee=scene.emp(persona), effective_from=on, items=amounts(**values)
        )


def test_a_raise_is_a_new_structure_and_earlier_months_keep_theirs(scene):
    _set(scene, on=dt.date(2024, 1, 1), base="12000", meal="300")
    _set(scene, on=dt.date(2025, 4, 1), base="13500.50", meal="300")
    employee = scene.emp("employee")
    assert selectors.salaries_at([employee.pk], dt.date(2023, 12, 31)) == {}
    assert selectors.salaries_at([employee.pk], dt.date(2024, 1, 1)) == {employee.pk: amounts(base="12000", meal="300")}
    assert selectors.salaries_at([employee.pk], dt.date(2025, 3, 31))[employee.pk]["base"] == Decimal("12000")
    assert selectors.salaries_at([employee.pk], dt.date(2025, 4, 1))[employee.pk]["base"] == Decimal("13500.50")
    assert SalaryStructure.objects.filter(employee=employee).count() == 2


def test_amounts_are_encrypted_at_rest_bound_to_their_row(scene):
    structure = _set(scene, base="12345.67")
    with connection.cursor() as cursor:
        cursor.execute("SELECT amount FROM payroll_salaryitem WHERE structure_id = %s", [structure.pk])
        (raw,) = cursor.fetchone()
    assert raw.startswith("enc2:") and "12345" not in raw
    item = SalaryItem.objects.get(structure=structure)
    assert item.amount == "12345.67"  # opened with its own row_uid


@pytest.mark.parametrize(
    ("items", "field", "fragment"),
    [
        ({"salary": "1"}, "items.salary", "no salary component"),
        ({"old_bonus": "1"}, "items.old_bonus", "no longer in use"),
        ({"overtime": "100"}, "items.overtime", "formula"),
        ({"base": "-1"}, "items.base", "negative"),
        ({"base": "NaN"}, "items.base", "finite"),
        ({"base": "Infinity"}, "items.base", "finite"),
        ({"base": "100.005"}, "items.base", "two decimal places"),
        ({"base": "10000000000"}, "items.base", "at most"),
        ({}, "items", "at least one"),
    ],
)
def test_bad_items_are_refused_and_nothing_is_written(scene, items, field, fragment):
    with pytest.raises(InvalidInput) as exc:
        services.salary_structure_set(
            actor=scene.actor("payroll_a"),
            employee=scene.emp("employee"),
            effective_from=dt.date(2025, 1, 1),
            items={k: Decimal(v) for k, v in items.items()},
        )
    assert fragment in " ".join(_errors(exc)[field])
    assert not SalaryStructure.objects.exists() and not SalaryItem.objects.exists()


def test_a_structure_needs_its_date_and_every_error_is_told_at_once(scene):
    with pytest.raises(InvalidInput) as exc:
        services.salary_structure_set(
            actor=scene.actor("payroll_a"),
            employee=scene.emp("employee"),
            effective_from=None,
            items=amounts(base="-5", salary="1"),
        )
    assert set(_errors(exc)) == {"effective_from", "items.base", "items.salary"}
    assert not SalaryStructure.objects.exists()


def test_the_same_date_replaces_the_structure_with_an_audit_entry(scene):
    first = _set(scene, base="12000", meal="300")
    second = _set(scene, base="12500")
    assert second.pk == first.pk
    employee = scene.emp("employee")
    assert selectors.salaries_at([employee.pk], dt.date(2025, 1, 31)) == {employee.pk: amounts(base="12500")}
    actions = list(
        AuditEntry.objects.filter(entity_type="payroll.salarystructure").order_by("id").values_list("action", "changes")
    )
    assert [a for a, _c in actions] == ["create", "update"]
    for _action, changes in actions:
        assert changes["amounts"] == "changed"
        assert "12000" not in str(changes) and "12500" not in str(changes)


@pytest.mark.parametrize("persona", ["hr", "manager", "lead", "payroll_b", "payroll_none", "employee"])
def test_who_may_not_set_the_employees_salary(scene, persona):
    # HR and managers see no salary; payroll of another group or of none does not cover the person;
    # nobody sets their own salary.
    with pytest.raises(PermissionDenied):
        _set(scene, by=persona, base="1")


def test_payroll_may_not_set_their_own_salary_even_in_their_group(scene):
    contract(scene.world.emp(scene.payroll_a), scene.group_a.key)
    with frozen_clock(), pytest.raises(PermissionDenied):
        services.salary_structure_set(
            actor=scene.actor("payroll_a"),
            employee=scene.world.emp(scene.payroll_a),
            effective_from=dt.date(2025, 1, 1),
            items=amounts(base="99999"),
        )


def test_administrators_set_any_salary(scene):
    assert _set(scene, persona="outsider", by="admin", base="9000").pk


def test_salaries_at_reads_every_person_in_one_query(scene):
    def run(n: int) -> dict:
        people = [EmployeeFactory(org_unit=scene.world.platform, job_family=scene.world.engineering) for _ in range(n)]
        for index, person in enumerate(people):
            contract(person, scene.group_a.key)
            with frozen_clock():
                services.salary_structure_set(
                    actor=scene.actor("payroll_a"),
                    employee=person,
                    effective_from=dt.date(2024, 1, 1),
                    items=amounts(base=f"{1000 + index}"),
                )
                services.salary_structure_set(
                    actor=scene.actor("payroll_a"),
                    employee=person,
                    effective_from=dt.date(2025, 1, 1),
                    items=amounts(base=f"{2000 + index}"),
                )
        with CaptureQueriesContext(connection) as queries:
            out = selectors.salaries_at([p.pk for p in people], dt.date(2024, 6, 30))
        assert len(queries) == 1
        # The structure of 2024-01-01 is in force on 2024-06-30: 1000 + index for each person.
        assert [out[p.pk]["base"] for p in people] == [Decimal(1000 + i) for i in range(n)]
        return out

    assert len(run(2)) == 2
    assert len(run(7)) == 7


def test_a_read_by_payroll_is_audited_without_amounts_and_an_own_read_is_not(scene):
    _set(scene, base="12345.67")
    employee = scene.emp("employee")
    with frozen_clock():
        assert selectors.salary_at(scene.actor("employee"), employee, dt.date(2025, 2, 1)) == amounts(base="12345.67")
    assert not AuditEntry.objects.filter(action="read_sensitive").exists()
    with frozen_clock():
        assert selectors.salary_at(scene.actor("payroll_a"), employee, dt.date(2025, 2, 1))["base"] == Decimal(
            "12345.67"
        )
    entry = AuditEntry.objects.get(action="read_sensitive")
    assert entry.actor == scene.payroll_a and entry.entity_id == str(employee.pk)
    assert "12345" not in f"{entry.summary} {entry.changes} {entry.entity_label}"


@pytest.mark.parametrize("persona", ["hr", "manager", "lead", "payroll_b", "outsider"])
def test_others_cannot_read_the_salary(scene, persona):
    _set(scene, base="12000")
    with frozen_clock(), pytest.raises(NotFound):
        selectors.salary_at(scene.actor(persona), scene.emp("employee"), dt.date(2025, 2, 1))


# ------------------------------------------------------------------------------------------------ tax declarations


def _declare(scene: Scene, persona: str = "employee", by: str | None = None, **values) -> TaxDeclaration:
    values.setdefault("kind", "housing_rent")
    values.setdefault("start", dt.date(2025, 1, 1))
    with frozen_clock():
        return services.tax_declaration_save(actor=scene.actor(by or persona), employee=scene.emp(persona), **values)


def test_an_employee_declares_housing_rent(scene):
    row = _declare(scene, start=dt.date(2025, 2, 17), city_tier=1)
    assert row.start == dt.date(2025, 2, 1) and row.source == "employee" and row.active
    assert AuditEntry.objects.filter(entity_type="payroll.taxdeclaration", action="create").count() == 1


def test_payroll_imports_a_declaration_for_a_person_of_their_group(scene):
    row = _declare(scene, by="payroll_a", city_tier=2)
    assert row.source == "import"


@pytest.mark.parametrize("persona", ["manager", "hr", "payroll_b", "payroll_none"])
def test_others_cannot_declare_for_the_employee(scene, persona):
    with pytest.raises(PermissionDenied):
        _declare(scene, by=persona, city_tier=1)


@pytest.mark.parametrize(
    ("values", "field"),
    [
        ({"city_tier": None}, "city_tier"),  # rent needs the tier of the city
        ({"city_tier": 1, "share_percent": Decimal(50)}, "share_percent"),  # rent is never shared
        ({"city_tier": 1, "start": dt.date(2025, 5, 1), "end": dt.date(2025, 3, 1)}, "end"),
        ({"city_tier": 1, "start": dt.date(2018, 6, 1), "end": dt.date(2018, 12, 1)}, "start"),  # before 2019
        (
            {
                "kind": "elderly_support",
                "only_child": False,
                "elderly_split": "agreed",
                "monthly_amount": Decimal("1500.01"),
            },
            "monthly_amount",
        ),  # a sibling's share is at most 1,500
        ({"kind": "children_education", "dependent": ""}, "dependent"),
    ],
)
def test_a_declaration_the_rules_refuse_is_not_written(scene, values, field):
    with pytest.raises(InvalidInput) as exc:
        _declare(scene, **values)
    assert field in _errors(exc)
    assert not TaxDeclaration.objects.exists()


def test_each_year_a_declaration_touches_is_checked(scene):
    # A vocational certificate counts only in the year it is obtained: 2025 passes, 2026 is refused.
    with pytest.raises(InvalidInput) as exc:
        _declare(scene, kind="continuing_education_vocational", start=dt.date(2025, 6, 1), end=dt.date(2026, 1, 1))
    assert "start" in _errors(exc)
    assert _declare(
        scene, kind="continuing_education_vocational", start=dt.date(2025, 6, 1), end=dt.date(2025, 6, 1)
    ).pk


def test_rent_and_loan_interest_together_are_refused(scene):
    _declare(scene, city_tier=1)
    with pytest.raises(InvalidInput) as exc:
        _declare(scene, kind="housing_loan_interest", start=dt.date(2025, 1, 1))
    assert "__all__" in _errors(exc)
    assert TaxDeclaration.objects.count() == 1


def test_a_withdrawn_declaration_no_longer_blocks_and_cannot_be_withdrawn_twice(scene):
    rent = _declare(scene, city_tier=1)
    with frozen_clock():
        services.tax_declaration_withdraw(actor=scene.actor("employee"), declaration=rent)
    rent.refresh_from_db()
    assert not rent.active and rent.withdrawn_by == scene.world.employee
    assert _declare(scene, kind="housing_loan_interest", start=dt.date(2025, 1, 1)).pk
    with frozen_clock(), pytest.raises(InvalidInput):
        services.tax_declaration_withdraw(actor=scene.actor("employee"), declaration=rent)
    with frozen_clock(), pytest.raises(PermissionDenied):
        services.tax_declaration_withdraw(actor=scene.actor("manager"), declaration=rent)


def test_a_declaration_is_changed_in_place_with_the_dependent_not_in_the_audit(scene):
    row = _declare(scene, kind="children_education", dependent="小明", dependent_birth_date=dt.date(2018, 3, 1))
    changed = _declare(
        scene,
        kind="children_education",
        dependent="小明明",
        dependent_birth_date=dt.date(2018, 3, 1),
        share_percent=Decimal(50),
        declaration=row,
    )
    assert changed.pk == row.pk and changed.share_percent == Decimal(50)
    entry = AuditEntry.objects.filter(entity_type="payroll.taxdeclaration", action="update").get()
    assert entry.changes["dependent"] == "changed" and "小明" not in str(entry.changes)


# ------------------------------------------------------------------------------------------------ pay groups


def test_only_administrators_manage_pay_groups(scene):
    with pytest.raises(PermissionDenied):
        services.pay_group_save(actor=scene.actor("payroll_a"), key="gz", name="广州")
    group, created = services.pay_group_save(actor=scene.actor("admin"), key="gz", name="广州")
    assert created
    services.pay_group_access_grant(actor=scene.actor("admin"), pay_group=group, user=scene.payroll_none)
    assert list(scene.group_a.__class__.objects.filter(accesses__user=scene.payroll_none)) == [group]
    services.pay_group_access_revoke(actor=scene.actor("admin"), pay_group=group, user=scene.payroll_none)
    assert not group.accesses.exists()


# ------------------------------------------------------------------------------------------------ demo


def test_the_demo_area_loads_salaries_that_open_and_declarations_the_rules_accept(world):
    from talentloop.payroll import demo

    for persona in ("employee", "lead", "outsider"):
        contract(world.emp(getattr(world, persona)), "office")
    result = demo.load_payroll(seed=1, reference_date=dt.date(2025, 3, 15))
    assert demo.payroll_loaded() and result.groups == 1
    # Hired 2019-05-06: a structure from then, and a raise on 2025-01-01 for most people.
    assert 3 <= result.structures <= 6
    for item in SalaryItem.objects.all():
        value = Decimal(item.amount)
        assert value > 0 and value == value.quantize(Decimal("0.01"))
    for row in TaxDeclaration.objects.all():
        assert services._declaration_errors(row, []) == {}
    assert demo.load_payroll(seed=1, reference_date=dt.date(2025, 3, 15)).structures == 0  # idempotent
    demo.wipe_payroll()
    assert not demo.payroll_loaded() and not SalaryItem.objects.exists()
