"""The first-wages-of-the-year statement (国家税务总局公告2020年第13号): a resident whose first wages of
a tax year come from this employer is withheld with a basic deduction of 5,000 × the month number.
The service (who may state it, refused once a payslip of the year is published), the one-query
selector a run reads, the API, and the run for June reading it (30,000 = 5,000 × 6)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal as D

import pytest
import time_machine
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from talentloop.core.access import actor_for
from talentloop.core.audit.models import AuditEntry
from talentloop.core.errors import InvalidInput, PermissionDenied
from talentloop.organisation.models import EmploymentContract
from talentloop.payroll import services
from talentloop.payroll.models import PayrollLine, PayrollRun, Payslip, TaxYearStatement
from talentloop.payroll.selectors_setup import first_wages_people
from talentloop.payroll.services import runs
from talentloop.payroll.services.tax_year import tax_year_statement_save
from talentloop.payroll.tests.scene import Scene, amounts, build_scene, frozen_clock
from talentloop.testing.factories import EmployeeFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def scene(world) -> Scene:
    with frozen_clock():
        yield build_scene(world)


def _state(scene: Scene, persona: str = "employee", by: str | None = None, year: int = 2025, first: bool = True):
    return tax_year_statement_save(
        actor=scene.actor(by or persona), employee=scene.emp(persona), year=year, first_wages_of_year=first
    )


# ------------------------------------------------------------------------------------------------ the service


def test_the_person_states_it_and_may_change_it_before_any_payslip(scene):
    with frozen_clock():
        row, created = _state(scene)
        again, created_again = _state(scene, first=False)
    assert created and not created_again and again.pk == row.pk
    assert (again.first_wages_of_year, again.source, again.recorded_by) == (False, "employee", scene.world.employee)
    actions = list(AuditEntry.objects.filter(entity_type="payroll.taxyearstatement").values_list("action", flat=True))
    assert sorted(actions) == ["create", "update"]


def test_payroll_of_the_group_records_it_as_imported(scene):
    with frozen_clock():
        row, _created = _state(scene, by="payroll_a")
    assert row.source == "import"


@pytest.mark.parametrize("by", ["payroll_b", "manager", "hr", "lead"])
def test_nobody_else_states_it(scene, by):
    with frozen_clock(), pytest.raises(PermissionDenied):
        _state(scene, by=by)
    assert not TaxYearStatement.objects.exists()


def test_admin_states_it_for_anyone(scene):
    with frozen_clock():
        row, _created = tax_year_statement_save(
            actor=actor_for(scene.world.admin), employee=scene.emp("outsider"), year=2025, first_wages_of_year=True
        )
    assert row.source == "import"


@pytest.mark.parametrize("year", [2019, 2101, True])
def test_a_year_outside_the_rule_is_refused(scene, year):
    with frozen_clock(), pytest.raises(InvalidInput) as exc:
        _state(scene, year=year)
    assert "year" in exc.value.errors


def _published_payslip(scene: Scene, persona: str, month: dt.date) -> Payslip:
    run = PayrollRun.objects.create(pay_group=scene.group_a, month=month, state="locked")
    return Payslip.objects.create(run=run, employee=scene.emp(persona), month=month, published_at=timezone.now())


def test_refused_once_a_payslip_of_the_year_is_published(scene):
    with frozen_clock():
        _published_payslip(scene, "employee", dt.date(2025, 1, 1))
        with pytest.raises(InvalidInput) as exc:
            _state(scene)
        # Another year is free; a payslip of 2025 does not close 2026.
        row, _created = _state(scene, year=2026)
    assert "first_wages_of_year" in exc.value.errors
    assert "2025" in exc.value.detail
    assert [r.year for r in TaxYearStatement.objects.all()] == [2026]


def test_repeating_the_answer_already_given_is_not_a_change(scene):
    with frozen_clock():
        _state(scene)
        _published_payslip(scene, "employee", dt.date(2025, 2, 1))
        row, created = _state(scene)  # the same answer: accepted, nothing changes
        with pytest.raises(InvalidInput):
            _state(scene, first=False)
    assert not created and row.first_wages_of_year


def test_a_payslip_not_yet_published_does_not_close_the_year(scene):
    with frozen_clock():
        run = PayrollRun.objects.create(pay_group=scene.group_a, month=dt.date(2025, 1, 1), state="calculated")
        Payslip.objects.create(run=run, employee=scene.emp("employee"), month=run.month)
        row, created = _state(scene)
    assert created and row.first_wages_of_year


# ------------------------------------------------------------------------------------------------ the selector


@pytest.mark.parametrize("n", [2, 40])
def test_first_wages_people_is_one_query(scene, n):
    with frozen_clock():
        people = [EmployeeFactory(org_unit=scene.world.platform) for _i in range(n)]
        admin = actor_for(scene.world.admin)
        for i, person in enumerate(people):
            tax_year_statement_save(actor=admin, employee=person, year=2025, first_wages_of_year=i % 2 == 0)
        tax_year_statement_save(actor=admin, employee=people[1], year=2024, first_wages_of_year=True)
        ids = [p.pk for p in people]
        with CaptureQueriesContext(connection) as queries:
            found = first_wages_people(ids, 2025)
    assert len(queries) == 1
    assert found == {p.pk for i, p in enumerate(people) if i % 2 == 0}


def test_first_wages_people_takes_a_queryset(scene):
    with frozen_clock():
        _state(scene)
        _state(scene, persona="outsider", by="payroll_b")
        from talentloop.organisation.models import Employee

        people = Employee.objects.filter(pk__in=[scene.emp("employee").pk, scene.emp("lead").pk])
        with CaptureQueriesContext(connection) as queries:
            found = first_wages_people(people, 2025)
    assert len(queries) == 1 and found == {scene.emp("employee").pk}


# ------------------------------------------------------------------------------------------------ the API

URL = "/api/v1/payroll/tax-year-statements"


def api(scene: Scene, persona: str) -> Client:
    c = Client()
    user = getattr(scene, persona) if persona.startswith("payroll") else getattr(scene.world, persona)
    c.force_login(user)
    return c


def test_api_states_and_lists_my_own(scene):
    with frozen_clock():
        c = api(scene, "employee")
        created = c.post(URL, {"year": 2025, "first_wages_of_year": True}, content_type="application/json")
        changed = c.post(URL, {"year": 2025, "first_wages_of_year": False}, content_type="application/json")
        listed = c.get(URL)
    assert created.status_code == 201 and changed.status_code == 200
    assert created.json()["source"] == "employee"
    body = listed.json()
    assert body["count"] == 1 and body["items"][0]["first_wages_of_year"] is False


def test_api_payroll_for_a_person_of_their_group_and_404_for_another(scene):
    with frozen_clock():
        person = scene.emp("employee").pk
        a = api(scene, "payroll_a").post(
            URL, {"employee": person, "year": 2025, "first_wages_of_year": True}, content_type="application/json"
        )
        b = api(scene, "payroll_b").post(
            URL, {"employee": person, "year": 2025, "first_wages_of_year": False}, content_type="application/json"
        )
        b_list = api(scene, "payroll_b").get(URL, {"employee": person})
        a_list = api(scene, "payroll_a").get(URL, {"employee": person, "year": 2025})
    assert a.status_code == 201 and a.json()["source"] == "import"
    assert (b.status_code, b_list.status_code) == (404, 404)
    assert a_list.json()["count"] == 1


def test_api_refusals(scene):
    with frozen_clock():
        c = api(scene, "employee")
        bad_year = c.post(URL, {"year": 2019, "first_wages_of_year": True}, content_type="application/json")
        _published_payslip(scene, "employee", dt.date(2025, 1, 1))
        too_late = c.post(URL, {"year": 2025, "first_wages_of_year": True}, content_type="application/json")
        anonymous = Client().get(URL)
        admin_own = api(scene, "admin").post(
            URL, {"year": 2025, "first_wages_of_year": True}, content_type="application/json"
        )
    assert bad_year.status_code == 422
    assert too_late.status_code == 422 and "first_wages_of_year" in too_late.json()["errors"]
    assert anonymous.status_code == 401
    assert admin_own.status_code == 422 and "employee" in admin_own.json()["errors"]
    assert not TaxYearStatement.objects.exists()


def test_the_endpoints_are_in_the_openapi_schema(scene):
    with frozen_clock():
        schema = api(scene, "employee").get("/api/v1/openapi.json").json()
    assert {"get", "post"} <= set(schema["paths"]["/api/v1/payroll/tax-year-statements"])


# ------------------------------------------------------------------------------------------------ the run


# Until the run reads the statement, June counts 5,000 × 1 month employed: the assertion fails.
def test_a_june_run_withholds_a_first_wages_earner_with_5000_per_month_of_the_year(scene):
    # A graduate hired on 2 June 2025 whose first wages of 2025 are ours: June's withholding counts a
    # basic deduction of 5,000 × 6 = 30,000 (not 5,000 × 1 month employed). Base 10,000 for June, paid
    # from the first day (2 June is the first workday of the month).
    with time_machine.travel(dt.datetime(2025, 6, 20, 10, 0, tzinfo=dt.UTC), tick=False):
        hire = EmployeeFactory(org_unit=scene.world.platform, hire_date=dt.date(2025, 6, 2))
        EmploymentContract.objects.create(
            employee=hire, effective_from=hire.hire_date, start_date=hire.hire_date, term="open_ended",
            pay_group=scene.group_a.key, social_insurance_city="上海",
        )  # fmt: skip
        admin = actor_for(scene.world.admin)
        services.salary_structure_set(
            actor=admin, employee=hire, effective_from=dt.date(2025, 6, 1), items=amounts(base="10000")
        )
        tax_year_statement_save(actor=admin, employee=hire, year=2025, first_wages_of_year=True)
        payroll = scene.actor("payroll_a")
        run = runs.payroll_run_create(actor=payroll, pay_group=scene.group_a, month=dt.date(2025, 6, 1))
        runs.payroll_run_calculate(actor=payroll, run=run)
    slip = Payslip.objects.get(run=run, employee=hire)
    tax = PayrollLine.objects.get(payslip=slip, code="iit")
    assert D(str(tax.explain["ytd_basic_deduction"])) == D("30000")
    assert tax.explain["basic_deduction_rule"] == "first_wages"
    assert slip.first_wages_of_year
