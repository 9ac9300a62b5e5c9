"""The payroll setup pages: salary components (a bad formula refused with each problem's position under
the field), pay groups with their attendance lag and who runs them, people's salaries (history newest
first with an audited read, a new structure from a date, a raise keeping the earlier months), my own
salary read-only, and the SI policies. Persona matrix, bad input, audit and query counts at two sizes.

Figures: employee (group A) earns base 10,000 and meal 500 from 2024-12-01."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal as D

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from talentloop.core.access import actor_for
from talentloop.core.audit.models import AuditEntry
from talentloop.payroll import selectors, services
from talentloop.payroll.models import PayGroup, PayGroupAccess, SalaryComponent, SalaryStructure
from talentloop.payroll.tests.scene import Scene, amounts, build_scene, contract, frozen_clock
from talentloop.testing.factories import EmployeeFactory

pytestmark = pytest.mark.django_db

PERSONAS = ["anonymous", "employee", "manager", "hr", "payroll_b", "payroll_a", "admin"]
WEB_BASE = 6  # session, user, the actor's employee, roles and reports, the bell's unread count
ADMIN_BASE = 4  # session, user, the (missing) employee, roles: no employee, no reports and no bell


@pytest.fixture
def scene(world) -> Scene:
    with frozen_clock():
        s = build_scene(world)
        services.salary_structure_set(
            actor=actor_for(world.admin),
            employee=s.emp("employee"),
            effective_from=dt.date(2024, 12, 1),
            items=amounts(base="10000", meal="500"),
        )
        yield s


def client(scene: Scene, persona: str) -> Client:
    c = Client()
    if persona == "anonymous":
        return c
    user = getattr(scene, persona) if persona.startswith("payroll") else getattr(scene.world, persona)
    c.force_login(user)
    return c


# ------------------------------------------------------------------------------------------------ who may see

EXPECTED = {
    # components, a component, pay groups, a pay group, salaries, employee's salary, my salary, SI policies
    "anonymous": (302, 302, 302, 302, 302, 302, 302, 302),
    "employee": (404, 404, 404, 404, 404, 404, 200, 200),
    "manager": (404, 404, 404, 404, 404, 404, 200, 200),
    "hr": (404, 404, 404, 404, 404, 404, 200, 200),
    "payroll_b": (200, 200, 404, 404, 200, 404, 200, 200),
    "payroll_a": (200, 200, 404, 404, 200, 200, 200, 200),
    "admin": (200, 200, 200, 200, 200, 200, 404, 200),  # the admin account has no employee record
}


@pytest.mark.parametrize("persona", PERSONAS)
def test_persona_matrix_of_the_pages(scene, persona):
    with frozen_clock():
        c = client(scene, persona)
        urls = [
            "/payroll/components/",
            "/payroll/components/base/",
            "/payroll/pay-groups/",
            "/payroll/pay-groups/sh-staff/",
            "/payroll/salaries/",
            f"/payroll/salaries/{scene.emp('employee').pk}/",
            "/payroll/my-salary/",
            "/payroll/si-policies/",
        ]
        got = tuple(c.get(url).status_code for url in urls)
    assert got == EXPECTED[persona]


@pytest.mark.parametrize("persona", ["employee", "manager", "hr", "payroll_b"])
def test_writes_of_someone_without_the_right_are_a_404_and_change_nothing(scene, persona):
    with frozen_clock():
        c = client(scene, persona)
        person = scene.emp("employee")
        posted = [
            c.post(f"/payroll/salaries/{person.pk}/", {"effective_from": "2025-04-01", "item_base": "99999"}),
            c.post("/payroll/pay-groups/new/", {"key": "x", "name": "X", "attendance_lag": "1", "active": "on"}),
            c.post(f"/payroll/pay-groups/sh-staff/revoke/{scene.payroll_a.pk}/"),
        ]
        if persona != "payroll_b":
            component = {"key": "x", "name": "X", "kind": "earning", "order": "1"}
            posted.append(c.post("/payroll/components/new/", component))
    assert {r.status_code for r in posted} == {404}
    assert SalaryStructure.objects.filter(employee=person).count() == 1
    assert not PayGroup.objects.filter(key="x").exists()
    assert not SalaryComponent.objects.filter(key="x").exists()
    assert PayGroupAccess.objects.filter(pay_group=scene.group_a, user=scene.payroll_a).exists()


def test_nobody_sets_their_own_salary_from_the_page(scene):
    # payroll_a is in no pay group as an employee; give them a contract in their own group.
    with frozen_clock():
        own = scene.payroll_a.employee
        contract(own, scene.group_a.key)
        c = client(scene, "payroll_a")
        page = c.get(f"/payroll/salaries/{own.pk}/")
        response = c.post(f"/payroll/salaries/{own.pk}/", {"effective_from": "2025-04-01", "item_base": "1"})
    assert page.status_code == 200 and not page.context["can_set"]
    assert response.status_code == 404
    assert not SalaryStructure.objects.filter(employee=own).exists()


# ------------------------------------------------------------------------------------------------ components


def test_component_list_shows_every_component_with_its_formula(scene):
    with frozen_clock():
        response = client(scene, "payroll_a").get("/payroll/components/")
    keys = [c.key for c in response.context["components"]]
    assert keys == ["base", "meal", "overtime", "old_bonus"]
    html = response.content.decode()
    assert "round(overtime_hours_150" in html
    assert 'data-key="old_bonus"' in html


def test_component_form_lists_the_formula_variables(scene):
    with frozen_clock():
        response = client(scene, "payroll_a").get("/payroll/components/new/")
    html = response.content.decode()
    assert 'data-testid="formula-variables"' in html
    for name in ("overtime_hours_150", "attendance_days", "years_of_service", "rating"):
        assert f"<code>{name}</code>" in html


def test_a_bad_formula_is_refused_with_where_under_the_field(scene):
    with frozen_clock():
        response = client(scene, "payroll_a").post(
            "/payroll/components/new/",
            {"key": "night", "name": "夜班", "kind": "earning", "order": "50", "formula": "base * nigth_hours"},
        )
    assert response.status_code == 200
    errors = response.context["form"].errors["formula"]
    # "base * nigth_hours": the unknown name starts at column 8.
    assert any("Column 8" in e for e in errors), errors
    assert not SalaryComponent.objects.filter(key="night").exists()
    assert "errorlist" in response.content.decode()


def test_a_bad_formula_by_htmx_is_a_422(scene):
    with frozen_clock():
        response = client(scene, "payroll_a").post(
            "/payroll/components/new/",
            {"key": "night", "name": "夜班", "kind": "earning", "order": "50", "formula": "(base"},
            HTTP_HX_REQUEST="true",
        )
    assert response.status_code == 422
    assert response.context["form"].errors["formula"]


def test_create_and_edit_a_component(scene):
    with frozen_clock():
        c = client(scene, "payroll_a")
        created = c.post(
            "/payroll/components/new/",
            {"key": "transport", "name": "交通补贴", "name_en": "Transport", "kind": "earning", "order": "25",
             "taxable": "on", "shown_on_payslip": "on", "active": "on"},
        )  # fmt: skip
        edited = c.post(
            "/payroll/components/transport/",
            {"key": "ignored", "name": "交通补助", "kind": "earning", "order": "26", "active": ""},
        )
    assert created.status_code == 302 and edited.status_code == 302
    row = SalaryComponent.objects.get(key="transport")
    assert (row.name, row.order, row.active, row.taxable, row.shown_on_payslip) == ("交通补助", 26, False, False, False)
    assert not SalaryComponent.objects.filter(key="ignored").exists()


def test_component_bad_input_shows_field_errors(scene):
    with frozen_clock():
        response = client(scene, "payroll_a").post(
            "/payroll/components/new/", {"key": "bad key!", "name": "", "kind": "salary", "order": "-1"}
        )
    assert response.status_code == 200
    assert set(response.context["form"].errors) == {"key", "name", "kind", "order"}


def test_an_unknown_component_is_a_404(scene):
    with frozen_clock():
        assert client(scene, "admin").get("/payroll/components/nothing/").status_code == 404


# ------------------------------------------------------------------------------------------------ pay groups


def test_pay_group_list_shows_the_lag_and_who_runs_each(scene):
    with frozen_clock():
        response = client(scene, "admin").get("/payroll/pay-groups/")
    html = response.content.decode()
    assert [g.key for g in response.context["groups"]] == ["bj-staff", "sh-staff"]
    assert "Payroll_A" in html and "Payroll_B" in html
    assert "Pays the attendance of the month before" in html


def test_create_rename_deactivate_and_set_the_lag_of_a_pay_group(scene):
    with frozen_clock():
        c = client(scene, "admin")
        created = c.post(
            "/payroll/pay-groups/new/",
            {"key": "factory", "name": "工厂", "name_en": "Factory", "attendance_lag": "0", "active": "on"},
        )
        group = PayGroup.objects.get(key="factory")
        assert (group.attendance_lag, group.active) == (0, True)
        edited = c.post("/payroll/pay-groups/factory/", {"name": "工厂工人", "attendance_lag": "1"})
    assert created.status_code == 302 and edited.status_code == 302
    group.refresh_from_db()
    assert (group.name, group.attendance_lag, group.active) == ("工厂工人", 1, False)
    assert AuditEntry.objects.filter(entity_type="payroll.paygroup", action="update").exists()


def test_pay_group_bad_input(scene):
    with frozen_clock():
        c = client(scene, "admin")
        response = c.post("/payroll/pay-groups/new/", {"key": "sh-staff", "name": "x", "attendance_lag": "2"})
        duplicate = c.post("/payroll/pay-groups/new/", {"key": "sh-staff", "name": "x", "attendance_lag": "1"})
    assert response.status_code == 200
    assert "attendance_lag" in response.context["form"].errors
    assert duplicate.status_code == 200
    assert duplicate.context["form"].errors["key"]
    assert PayGroup.objects.get(key="sh-staff").name == "上海员工"


def test_grant_and_revoke_who_runs_a_group(scene):
    with frozen_clock():
        c = client(scene, "admin")
        none_emp = scene.payroll_none.employee
        granted = c.post("/payroll/pay-groups/sh-staff/grant/", {"person": none_emp.employee_number})
        assert granted.status_code == 302
        assert PayGroupAccess.objects.filter(pay_group=scene.group_a, user=scene.payroll_none).exists()
        revoked = c.post(f"/payroll/pay-groups/sh-staff/revoke/{scene.payroll_none.pk}/")
    assert revoked.status_code == 302
    assert not PayGroupAccess.objects.filter(pay_group=scene.group_a, user=scene.payroll_none).exists()


def test_only_people_with_the_payroll_role_may_run_a_group(scene):
    with frozen_clock():
        response = client(scene, "admin").post(
            "/payroll/pay-groups/sh-staff/grant/", {"person": scene.emp("hr").employee_number}
        )
    assert response.status_code == 200
    assert response.context["access_form"].errors["person"]
    assert not PayGroupAccess.objects.filter(user=scene.world.hr).exists()


# ------------------------------------------------------------------------------------------------ salaries


def test_payroll_sees_only_the_people_of_their_groups_and_searches_by_pinyin(scene):
    with frozen_clock():
        a = client(scene, "payroll_a").get("/payroll/salaries/")
        b = client(scene, "payroll_b").get("/payroll/salaries/")
        person = scene.emp("employee")
        term = person.search_key.split("|")[-1]  # the initials of the pinyin
        found = client(scene, "payroll_a").get("/payroll/salaries/", {"q": term})
    assert {p.pk for p in a.context["people"]} == {scene.emp(p).pk for p in ("employee", "lead", "manager")}
    assert {p.pk for p in b.context["people"]} == {scene.emp(p).pk for p in ("outsider", "hr")}
    assert person in found.context["people"]


def test_people_search_by_htmx_answers_the_list_only(scene):
    with frozen_clock():
        response = client(scene, "payroll_a").get("/payroll/salaries/", {"q": "zzzz"}, HTTP_HX_REQUEST="true")
    html = response.content.decode()
    assert 'id="people"' in html and "<html" not in html
    assert 'data-testid="no-people"' in html


def test_salary_history_is_newest_first_and_the_read_is_audited(scene):
    with frozen_clock():
        person = scene.emp("employee")
        services.salary_structure_set(
            actor=scene.actor("payroll_a"), employee=person, effective_from=dt.date(2025, 3, 1),
            items=amounts(base="12000", meal="500"),
        )  # fmt: skip
        before = AuditEntry.objects.filter(action="read_sensitive").count()
        response = client(scene, "payroll_a").get(f"/payroll/salaries/{person.pk}/")
    assert [s.effective_from for s in response.context["structures"]] == [dt.date(2025, 3, 1), dt.date(2024, 12, 1)]
    html = response.content.decode()
    assert "12,000.00" in html and "10,000.00" in html
    entries = AuditEntry.objects.filter(action="read_sensitive").order_by("-id")
    assert entries.count() == before + 1
    entry = entries.first()
    assert entry.entity_id == str(person.pk) and "12000" not in str(entry.changes) + entry.summary


def test_a_raise_from_the_page_keeps_the_earlier_months(scene):
    with frozen_clock():
        person = scene.emp("employee")
        response = client(scene, "payroll_a").post(
            f"/payroll/salaries/{person.pk}/",
            {"effective_from": "2025-04-01", "item_base": "11000", "item_meal": "600", "note": "Annual raise"},
        )
        admin = actor_for(scene.world.admin)
        march = selectors.salary_at(admin, person, dt.date(2025, 3, 31))
        april = selectors.salary_at(admin, person, dt.date(2025, 4, 1))
    assert response.status_code == 302
    assert march == {"base": D("10000.00"), "meal": D("500.00")}
    assert april == {"base": D("11000.00"), "meal": D("600.00")}


def test_the_salary_form_offers_only_active_fixed_components(scene):
    with frozen_clock():
        response = client(scene, "payroll_a").get(f"/payroll/salaries/{scene.emp('employee').pk}/")
    names = [f.name for f in response.context["form"].item_fields()]
    assert names == ["item_base", "item_meal"]  # the formula and the retired component take no amount
    assert 'type="date"' in response.content.decode()


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"item_base": "10000"}, "effective_from"),
        ({"effective_from": "2025-13-01", "item_base": "10000"}, "effective_from"),
        ({"effective_from": "2025-04-01", "item_base": "-1"}, "item_base"),
        ({"effective_from": "2025-04-01", "item_base": "100.005"}, "item_base"),
        ({"effective_from": "2025-04-01", "item_base": "abc"}, "item_base"),
        ({"effective_from": "2025-04-01"}, "__all__"),
    ],
)
def test_salary_bad_input_changes_nothing(scene, data, field):
    with frozen_clock():
        person = scene.emp("employee")
        response = client(scene, "payroll_a").post(f"/payroll/salaries/{person.pk}/", data)
    assert response.status_code == 200
    assert field in response.context["form"].errors
    assert SalaryStructure.objects.filter(employee=person).count() == 1


def test_my_salary_is_read_only_and_not_audited(scene):
    with frozen_clock():
        before = AuditEntry.objects.filter(action="read_sensitive").count()
        response = client(scene, "employee").get("/payroll/my-salary/")
    html = response.content.decode()
    assert "10,000.00" in html and '<form method="post"' not in html
    assert AuditEntry.objects.filter(action="read_sensitive").count() == before


def test_my_salary_without_any_structure(scene):
    with frozen_clock():
        response = client(scene, "manager").get("/payroll/my-salary/")
    assert 'data-testid="no-salary"' in response.content.decode()


# ------------------------------------------------------------------------------------------------ SI policies


def test_si_policies_show_each_city_with_rates_and_sources(scene):
    with frozen_clock():
        response = client(scene, "employee").get("/payroll/si-policies/")
        cities = response.context["cities"]
        one = client(scene, "employee").get("/payroll/si-policies/", {"city": cities[0]})
    html = response.content.decode()
    assert len(cities) >= 2
    assert 'data-testid="si-fund"' in html and "%" in html
    assert {p.city for p in one.context["policies"]} == {cities[0]}
    pension = next(f for p in response.context["policies"] for f in p.funds if f.fund == "pension")
    assert pension.employee_percent == D("8")
    if any(not p.verified for p in response.context["policies"]):
        assert 'data-testid="si-unverified"' in html


# ------------------------------------------------------------------------------------------------ query counts


def _people(scene: Scene, n: int) -> None:
    for _i in range(n):
        person = EmployeeFactory(org_unit=scene.world.platform, hire_date=dt.date(2019, 5, 6))
        contract(person, scene.group_a.key)


def _count(c: Client, url: str, params: dict | None = None) -> tuple[int, object]:
    with CaptureQueriesContext(connection) as queries:
        response = c.get(url, params or {})
    assert response.status_code == 200, (url, response.status_code)
    return len(queries), response


@pytest.mark.parametrize("n", [2, 40])
def test_salary_people_list_queries(scene, n):
    # view: count + one page of people with their org units = 2
    with frozen_clock():
        _people(scene, n)
        queries, response = _count(client(scene, "payroll_a"), "/payroll/salaries/", {"q": ""})
    assert len(response.context["people"]) == min(n + 3, 30)
    assert queries == WEB_BASE + 2


@pytest.mark.parametrize("n", [2, 40])
def test_component_list_queries(scene, n):
    # view: the components = 1
    with frozen_clock():
        for i in range(n):
            SalaryComponent.objects.create(key=f"c{i}", name=f"组件{i}", order=200 + i)
        queries, response = _count(client(scene, "payroll_a"), "/payroll/components/")
    assert len(response.context["components"]) == n + 4
    assert queries == WEB_BASE + 1


@pytest.mark.parametrize("n", [2, 30])
def test_pay_group_list_queries(scene, n):
    # view: the groups + who runs them with their users = 2
    with frozen_clock():
        for i in range(n):
            group = PayGroup.objects.create(key=f"g{i}", name=f"组{i}")
            PayGroupAccess.objects.create(pay_group=group, user=scene.payroll_a)
        queries, response = _count(client(scene, "admin"), "/payroll/pay-groups/")
    assert len(response.context["groups"]) == n + 2
    assert queries == ADMIN_BASE + 2


@pytest.mark.parametrize("n", [2, 30])
def test_salary_history_queries(scene, n):
    # view: the person = 1, may the actor set it = 1, the fixed components = 1; the history: may the actor
    # see it = 1, the audit entry = 1, count + one page of structures with who recorded them + their
    # items = 3 → 8
    with frozen_clock():
        person = scene.emp("employee")
        admin = actor_for(scene.world.admin)
        for i in range(n):
            services.salary_structure_set(
                actor=admin, employee=person, effective_from=dt.date(2000 + i, 1, 1), items=amounts(base="5000")
            )
        queries, response = _count(client(scene, "payroll_a"), f"/payroll/salaries/{person.pk}/")
    assert len(response.context["structures"]) == min(n + 1, 24)
    assert queries == WEB_BASE + 8
