"""Tax declarations on the phone: the person's own page (each kind's fields, the caps in words, the
rules' errors under the fields, withdraw), the first-wages question on the same page, and payroll's
person picker and import for the people of their pay groups (audited). Persona matrix, bad input,
htmx partials and query counts at two sizes.

The clock is frozen on 2025-03-15 (scene.FROZEN): the caps shown are those of 2025 (children's
education 2,000 a month, housing rent 1,500 / 1,100 / 800 by city tier, elderly support 3,000 with at
most 1,500 each when shared)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal as D

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from talentloop.core.audit.models import AuditEntry
from talentloop.payroll import services
from talentloop.payroll.models import TaxDeclaration, TaxYearStatement
from talentloop.payroll.tests.scene import Scene, build_scene, frozen_clock

pytestmark = pytest.mark.django_db

PERSONAS = ["anonymous", "employee", "manager", "hr", "payroll_b", "payroll_a", "admin"]
WEB_BASE = 6  # session, user, the actor's employee, roles and reports, the bell's unread count


@pytest.fixture
def scene(world) -> Scene:
    with frozen_clock():
        yield build_scene(world)


def client(scene: Scene, persona: str) -> Client:
    c = Client()
    if persona == "anonymous":
        return c
    user = getattr(scene, persona) if persona.startswith("payroll") else getattr(scene.world, persona)
    c.force_login(user)
    return c


def _rent(scene: Scene, persona: str = "employee", by: str | None = None, **values) -> TaxDeclaration:
    values = {"kind": "housing_rent", "start": dt.date(2025, 1, 1), "city_tier": 1, **values}
    return services.tax_declaration_save(actor=scene.actor(by or persona), employee=scene.emp(persona), **values)


# ------------------------------------------------------------------------------------------------ who may see

EXPECTED = {
    # mine, the people picker, the employee's page (group A), withdraw the employee's declaration
    "anonymous": (302, 302, 302, 302),
    "employee": (200, 404, 404, 302),
    "manager": (200, 404, 404, 404),
    "hr": (200, 404, 404, 404),
    "payroll_b": (200, 200, 404, 404),
    "payroll_a": (200, 200, 200, 302),
    "admin": (404, 200, 200, 302),  # the admin account has no employee record of its own
}


@pytest.mark.parametrize("persona", PERSONAS)
def test_persona_matrix_of_the_pages(scene, persona):
    with frozen_clock():
        row = _rent(scene)
        c = client(scene, persona)
        got = (
            c.get("/payroll/declarations/").status_code,
            c.get("/payroll/declarations/people/").status_code,
            c.get(f"/payroll/declarations/people/{scene.emp('employee').pk}/").status_code,
            c.post(f"/payroll/declarations/{row.pk}/withdraw/").status_code,
        )
    assert got == EXPECTED[persona]
    row.refresh_from_db()
    assert row.active == (persona not in {"employee", "payroll_a", "admin"})


@pytest.mark.parametrize("persona", ["manager", "hr", "payroll_b"])
def test_imports_for_someone_else_without_the_right_are_a_404(scene, persona):
    with frozen_clock():
        c = client(scene, persona)
        person = scene.emp("employee")
        declared = c.post(
            f"/payroll/declarations/people/{person.pk}/", {"kind": "housing_rent", "start": "2025-01", "city_tier": "1"}
        )
        stated = c.post(
            f"/payroll/declarations/people/{person.pk}/first-wages/", {"year": "2025", "first_wages_of_year": "1"}
        )
    assert (declared.status_code, stated.status_code) == (404, 404)
    assert not TaxDeclaration.objects.exists() and not TaxYearStatement.objects.exists()


# ------------------------------------------------------------------------------------------------ my declarations


def test_my_page_lists_my_declarations_and_the_caps_in_words(scene):
    with frozen_clock():
        _rent(scene)
        _rent(scene, persona="lead")
        response = client(scene, "employee").get("/payroll/declarations/")
    html = response.content.decode()
    assert [r.kind for r in response.context["active"]] == ["housing_rent"]
    caps = {c.kind: c.text for c in response.context["caps"]}
    assert "2,000" in caps["children_education"]
    assert "1,500" in caps["housing_rent"] and "1,100" in caps["housing_rent"] and "800" in caps["housing_rent"]
    assert "3,000" in caps["elderly_support"] and "1,500" in caps["elderly_support"]
    assert 'type="month"' in html
    assert 'data-testid="first-wages"' in html


@pytest.mark.parametrize(
    ("kind", "fields"),
    [
        ("children_education", ["dependent", "dependent_birth_date", "share_percent"]),
        ("infant_care", ["dependent", "dependent_birth_date", "share_percent"]),
        ("housing_rent", ["city_tier"]),
        ("housing_loan_interest", ["first_home", "premarital_home", "share_percent", "months_already_used"]),
        ("elderly_support", ["only_child", "elderly_split", "sharers", "monthly_amount"]),
        ("continuing_education_degree", ["months_already_used"]),
        ("continuing_education_vocational", []),
        ("personal_pension", ["monthly_amount"]),
        ("commercial_health_insurance", ["monthly_amount"]),
    ],
)
def test_the_kind_chosen_swaps_in_its_fields(scene, kind, fields):
    with frozen_clock():
        response = client(scene, "employee").get(
            "/payroll/declarations/", {"kind": kind, "start": "2025-02"}, HTTP_HX_REQUEST="true"
        )
    html = response.content.decode()
    assert response.status_code == 200
    assert "<html" not in html and 'id="declaration-form"' in html
    assert [f.name for f in response.context["form"].kind_fields()] == fields
    assert 'data-testid="declaration-cap"' in html
    assert 'value="2025-02"' in html  # the month already typed is kept


def test_declare_housing_rent_from_the_phone(scene):
    with frozen_clock():
        response = client(scene, "employee").post(
            "/payroll/declarations/", {"kind": "housing_rent", "start": "2025-02", "end": "", "city_tier": "2"}
        )
    assert response.status_code == 302
    row = TaxDeclaration.objects.get()
    assert (row.kind, row.start, row.end, row.city_tier, row.source) == (
        "housing_rent", dt.date(2025, 2, 1), None, 2, "employee"
    )  # fmt: skip


def test_declare_shared_elderly_support(scene):
    with frozen_clock():
        response = client(scene, "employee").post(
            "/payroll/declarations/",
            {"kind": "elderly_support", "start": "2025-01", "only_child": "0", "elderly_split": "agreed",
             "sharers": "2", "monthly_amount": "1500"},
        )  # fmt: skip
    assert response.status_code == 302
    row = TaxDeclaration.objects.get()
    assert (row.only_child, row.elderly_split, row.sharers, row.monthly_amount) == (False, "agreed", 2, D("1500"))


def test_declare_a_child(scene):
    with frozen_clock():
        response = client(scene, "employee").post(
            "/payroll/declarations/",
            {"kind": "children_education", "start": "2025-01", "dependent": "小明",
             "dependent_birth_date": "2018-06-01", "share_percent": "50"},
        )  # fmt: skip
    assert response.status_code == 302
    row = TaxDeclaration.objects.get()
    assert (row.dependent, row.dependent_birth_date, row.share_percent) == ("小明", dt.date(2018, 6, 1), D("50"))


@pytest.mark.parametrize(
    ("data", "field"),
    [
        # elderly support shared: at most 1,500 each in 2025
        ({"kind": "elderly_support", "start": "2025-01", "only_child": "0", "elderly_split": "agreed", "sharers": "2",
          "monthly_amount": "2000"}, "monthly_amount"),
        # the child is needed
        ({"kind": "children_education", "start": "2025-01", "share_percent": "100"}, "dependent"),
        # a city tier is needed
        ({"kind": "housing_rent", "start": "2025-01"}, "city_tier"),
        # the last month before the first
        ({"kind": "housing_rent", "start": "2025-05", "end": "2025-02", "city_tier": "1"}, "end"),
        # not a month
        ({"kind": "housing_rent", "start": "March", "city_tier": "1"}, "start"),
        # not a kind
        ({"kind": "lottery", "start": "2025-01"}, "kind"),
        # only a first home's loan
        ({"kind": "housing_loan_interest", "start": "2025-01", "share_percent": "100"}, "first_home"),
    ],
)  # fmt: skip
def test_the_rules_errors_are_shown_under_the_fields(scene, data, field):
    with frozen_clock():
        response = client(scene, "employee").post("/payroll/declarations/", data)
    assert response.status_code == 200
    assert field in response.context["form"].errors, response.context["form"].errors
    assert "errorlist" in response.content.decode()
    assert not TaxDeclaration.objects.exists()


def test_rent_and_a_housing_loan_together_are_refused(scene):
    with frozen_clock():
        _rent(scene)
        response = client(scene, "employee").post(
            "/payroll/declarations/",
            {"kind": "housing_loan_interest", "start": "2025-01", "first_home": "on", "share_percent": "100"},
            HTTP_HX_REQUEST="true",
        )
    assert response.status_code == 422
    assert response.context["form"].non_field_errors()
    assert TaxDeclaration.objects.count() == 1


def test_withdraw_my_declaration(scene):
    with frozen_clock():
        row = _rent(scene)
        c = client(scene, "employee")
        response = c.post(f"/payroll/declarations/{row.pk}/withdraw/")
        again = c.post(f"/payroll/declarations/{row.pk}/withdraw/")
        page = c.get("/payroll/declarations/")
    assert response.status_code == 302 and response["Location"] == "/payroll/declarations/"
    assert again.status_code == 302  # already withdrawn: a message, nothing changes
    row.refresh_from_db()
    assert not row.active
    assert page.context["withdrawn"] == [row] and page.context["active"] == []


# ------------------------------------------------------------------------------------------------ first wages


def test_the_employee_states_the_first_wages_of_the_year(scene):
    with frozen_clock():
        c = client(scene, "employee")
        response = c.post("/payroll/declarations/first-wages/", {"year": "2025", "first_wages_of_year": "1"})
        page = c.get("/payroll/declarations/")
    assert response.status_code == 302
    row = TaxYearStatement.objects.get()
    assert (row.employee, row.year, row.first_wages_of_year, row.source) == (
        scene.emp("employee"),
        2025,
        True,
        "employee",
    )
    assert page.context["year_form"]["first_wages_of_year"].value() == "1"
    assert 'data-testid="first-wages-answer"' in page.content.decode()


def test_the_first_wages_answer_is_required(scene):
    with frozen_clock():
        response = client(scene, "employee").post("/payroll/declarations/first-wages/", {"year": "2025"})
    assert response.status_code == 200
    assert "first_wages_of_year" in response.context["year_form"].errors
    assert not TaxYearStatement.objects.exists()


# ------------------------------------------------------------------------------------------------ payroll


def test_payroll_picks_a_person_of_their_groups(scene):
    with frozen_clock():
        c = client(scene, "payroll_a")
        person = scene.emp("employee")
        found = c.get("/payroll/declarations/people/", {"person": person.employee_number})
        other = c.get("/payroll/declarations/people/", {"person": scene.emp("outsider").employee_number})
    assert found.status_code == 302 and found["Location"] == f"/payroll/declarations/people/{person.pk}/"
    assert other.status_code == 200 and other.context["form"].errors["person"]


def test_payroll_imports_a_declaration_and_the_read_is_audited(scene):
    with frozen_clock():
        person = scene.emp("employee")
        c = client(scene, "payroll_a")
        before = AuditEntry.objects.filter(action="read_sensitive", entity_id=str(person.pk)).count()
        page = c.get(f"/payroll/declarations/people/{person.pk}/")
        response = c.post(
            f"/payroll/declarations/people/{person.pk}/",
            {"kind": "infant_care", "start": "2025-01", "dependent": "小红", "dependent_birth_date": "2024-10-02",
             "share_percent": "100"},
        )  # fmt: skip
        stated = c.post(
            f"/payroll/declarations/people/{person.pk}/first-wages/", {"year": "2025", "first_wages_of_year": "0"}
        )
    assert page.status_code == 200 and not page.context["own"]
    assert response.status_code == 302 and response["Location"] == f"/payroll/declarations/people/{person.pk}/"
    row = TaxDeclaration.objects.get()
    assert (row.employee, row.source, row.dependent) == (person, "import", "小红")
    assert stated.status_code == 302
    assert TaxYearStatement.objects.get().source == "import"
    entries = AuditEntry.objects.filter(action="read_sensitive", entity_id=str(person.pk))
    assert entries.count() == before + 1
    assert "小红" not in str(entries.last().changes)


def test_my_own_page_is_not_audited(scene):
    with frozen_clock():
        _rent(scene)
        client(scene, "employee").get("/payroll/declarations/")
    assert not AuditEntry.objects.filter(action="read_sensitive").exists()


# ------------------------------------------------------------------------------------------------ query counts


@pytest.mark.parametrize("n", [1, 12])
def test_my_page_queries(scene, n):
    # view: the statement of the year = 1, the declarations = 1 → 2 (the caps come from the rule data)
    with frozen_clock():
        for _i in range(n):
            services.tax_declaration_withdraw(actor=scene.actor("employee"), declaration=_rent(scene))
        c = client(scene, "employee")
        with CaptureQueriesContext(connection) as queries:
            response = c.get("/payroll/declarations/")
    assert response.status_code == 200
    assert len(response.context["withdrawn"]) == n
    assert len(queries) == WEB_BASE + 2
