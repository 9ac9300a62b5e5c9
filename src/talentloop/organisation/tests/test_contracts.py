"""Employment contracts: the rules, the history, who sees what, the page and the API."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from talentloop.core.audit.models import AuditEntry
from talentloop.core.errors import InvalidInput, PermissionDenied
from talentloop.organisation.models import Employee, EmploymentContract
from talentloop.organisation.selectors import contract_as_of, contracts_as_of
from talentloop.organisation.services_contracts import employment_contract_record
from talentloop.testing.factories import EmployeeFactory

pytestmark = pytest.mark.django_db

D = dt.date
# Every persona of the world was hired on 2019-05-06.
FIXED = {"start_date": D(2019, 5, 6), "end_date": D(2022, 5, 5), "term": "fixed", "probation_end": D(2019, 11, 5),
         "pay_group": "研发月薪", "social_insurance_city": "上海", "notice_period_days": 30}


@pytest.fixture
def employee(world):
    return world.emp(world.employee)


def record(actor, employee, **values):
    return employment_contract_record(actor=actor, employee=employee, **{**FIXED, **values})


def test_a_renewal_is_a_new_row_and_the_history_stays(actor_of, employee):
    hr = actor_of("hr")
    first = record(hr, employee)
    # Renewed open-ended from 2022-05-06, on comprehensive hours counted by the month.
    second = record(hr, employee, start_date=D(2022, 5, 6), end_date=None, term="open_ended", probation_end=None,
                    working_hours="comprehensive", comprehensive_period="month")
    assert first.effective_from == D(2019, 5, 6) and second.effective_from == D(2022, 5, 6)
    assert contract_as_of(employee, D(2022, 5, 5)) == first
    assert contract_as_of(employee, D(2022, 5, 6)) == second
    assert contract_as_of(employee, D(2019, 5, 5)) is None
    entries = AuditEntry.objects.filter(entity_type="organisation.employmentcontract", action="create")
    assert entries.count() == 2
    assert entries.get(entity_id=str(second.pk)).changes["working_hours"] == "comprehensive"


def test_contracts_as_of_is_one_query_for_everyone(actor_of, world, employee):
    hr = actor_of("hr")
    record(hr, employee)
    record(hr, employee, start_date=D(2022, 5, 6), end_date=D(2025, 5, 5), probation_end=None)
    record(hr, employee, effective_from=D(2023, 1, 1), start_date=D(2022, 5, 6), end_date=D(2025, 5, 5),
           probation_end=None, social_insurance_city="苏州")
    outsider = world.emp(world.outsider)
    record(hr, outsider, start_date=D(2024, 1, 1), end_date=D(2027, 1, 1), probation_end=None)
    lead = world.emp(world.lead)
    with CaptureQueriesContext(connection) as queries:
        on_2023 = contracts_as_of([employee.pk, outsider.pk, lead.pk], D(2023, 6, 1))
    assert len(queries) == 1
    # The employee's 2023 change is in force; the outsider's contract starts in 2024; lead has none.
    assert set(on_2023) == {employee.pk}
    assert on_2023[employee.pk].social_insurance_city == "苏州"
    everyone = contracts_as_of(None, D(2024, 6, 1))
    assert set(everyone) == {employee.pk, outsider.pk}
    scoped = contracts_as_of(Employee.objects.filter(pk=outsider.pk), D(2024, 6, 1))
    assert set(scoped) == {outsider.pk}


@pytest.mark.parametrize(("values", "field"), [
    ({"end_date": D(2019, 1, 1)}, "end_date"),  # ends before it starts
    ({"term": "open_ended"}, "end_date"),  # open-ended with an end
    ({"end_date": None}, "end_date"),  # fixed term without an end
    ({"working_hours": "comprehensive"}, "comprehensive_period"),  # comprehensive without a period
    ({"comprehensive_period": "month"}, "comprehensive_period"),  # a period for standard hours
    ({"probation_end": D(2023, 1, 1)}, "probation_end"),  # after the contract's end
    ({"probation_end": D(2019, 5, 1)}, "probation_end"),  # before the start
    ({"start_date": D(2019, 1, 1)}, "effective_from"),  # before the hire date 2019-05-06
    ({"effective_from": D(2019, 5, 1)}, "effective_from"),  # before the start and the hire date
    ({"effective_from": D(2022, 6, 1)}, "effective_from"),  # after the contract's end
    ({"notice_period_days": -1}, "notice_period_days"),
    ({"term": "forever"}, "term"),
    ({"working_hours": "none"}, "working_hours"),
])
def test_bad_contracts_are_refused_and_change_nothing(actor_of, employee, values, field):
    with pytest.raises(InvalidInput) as exc:
        record(actor_of("hr"), employee, **values)
    assert field in exc.value.errors, exc.value.errors
    assert not EmploymentContract.objects.exists()
    assert not AuditEntry.objects.filter(entity_type="organisation.employmentcontract").exists()


def test_a_second_row_on_the_same_date_is_refused(actor_of, employee):
    hr = actor_of("hr")
    record(hr, employee)
    with pytest.raises(InvalidInput) as exc:
        record(hr, employee, pay_group="另一组")
    assert "effective_from" in exc.value.errors
    assert EmploymentContract.objects.count() == 1


@pytest.mark.parametrize("persona", ["employee", "manager", "lead", "admin", "outsider", "mentor"])
def test_only_hr_covering_the_person_records(actor_of, employee, persona):
    with pytest.raises(PermissionDenied):
        record(actor_of(persona), employee)


def test_scoped_hr_outside_its_scope_may_not(world, actor_of):
    from talentloop.testing.factories import UserFactory, grant

    sales_hr = UserFactory(username="sales-hr")
    grant(sales_hr, "hr", org_unit=world.sales)
    from talentloop.core.access import actor_for

    with pytest.raises(PermissionDenied):
        record(actor_for(sales_hr), world.emp(world.employee))
    assert record(actor_for(sales_hr), world.emp(world.outsider)).pk


# ---------------------------------------------------------------- the person's page


def test_the_profile_shows_the_contract_by_reader(client_for, actor_of, employee):
    record(actor_of("hr"), employee)
    own = client_for("employee").get(f"/people/{employee.pk}/").content.decode()
    assert 'data-testid="contract"' in own and "研发月薪" in own and 'data-testid="record-contract"' not in own
    manager = client_for("manager").get(f"/people/{employee.pk}/").content.decode()
    assert 'data-testid="contract-hours"' in manager and 'data-testid="contract-end"' in manager
    assert "研发月薪" not in manager and "上海" not in manager
    hr = client_for("hr").get(f"/people/{employee.pk}/").content.decode()
    assert 'data-testid="record-contract"' in hr and 'data-testid="contract-row"' in hr


def test_the_profile_without_a_contract(client_for, employee):
    body = client_for("hr").get(f"/people/{employee.pk}/").content.decode()
    assert 'data-testid="no-contract"' in body


def test_hr_records_a_contract_on_the_page(client_for, employee):
    client = client_for("hr")
    assert client.get(f"/people/{employee.pk}/contract/new/").status_code == 200
    data = {"start_date": "2019-05-06", "term": "open_ended", "working_hours": "flexible", "notice_period_days": "30",
            "pay_group": "G1"}
    response = client.post(f"/people/{employee.pk}/contract/new/", data)
    assert response.status_code == 302 and response["Location"].endswith("#contract")
    row = EmploymentContract.objects.get(employee=employee)
    assert (row.term, row.working_hours, row.end_date, row.effective_from) == ("open_ended", "flexible", None,
                                                                               D(2019, 5, 6))
    again = client.post(f"/people/{employee.pk}/contract/new/", {**data, "end_date": "2030-01-01"},
                        HTTP_HX_REQUEST="true")
    assert again.status_code == 422 and "errorlist" in again.content.decode()
    assert EmploymentContract.objects.count() == 1


# ---------------------------------------------------------------- API


def test_api_full_and_summary(api_client_for, actor_of, employee):
    record(actor_of("hr"), employee)
    url = f"/api/v1/employees/{employee.pk}/contracts"
    own = api_client_for("employee").get(url).json()["items"]
    assert own[0]["full"] is True and own[0]["pay_group"] == "研发月薪" and own[0]["term"] == "fixed"
    summary = api_client_for("manager").get(url).json()["items"]
    assert summary == [{"id": own[0]["id"], "full": False, "effective_from": "2019-05-06", "end_date": "2022-05-05",
                        "working_hours": "standard", "comprehensive_period": "", "start_date": None, "term": None,
                        "probation_end": None, "pay_group": None, "social_insurance_city": None,
                        "notice_period_days": None, "note": None, "recorded_at": None}]


def test_api_post_and_bad_input(api_client_for, employee):
    client = api_client_for("hr")
    url = f"/api/v1/employees/{employee.pk}/contracts"
    response = client.post(url, {"start_date": "2019-05-06", "term": "fixed"}, content_type="application/json")
    assert response.status_code == 422 and "end_date" in response.json()["errors"]
    response = client.post(url, {"start_date": "2019-05-06", "term": "task", "notice_period_days": 400},
                           content_type="application/json")
    assert response.status_code == 422
    assert not EmploymentContract.objects.exists()
    response = client.post(url, {"start_date": "2019-05-06", "term": "task", "working_hours": "comprehensive",
                                 "comprehensive_period": "quarter"}, content_type="application/json")
    assert response.status_code == 201, response.content
    assert response.json()["comprehensive_period"] == "quarter"


def test_api_list_query_count_does_not_grow(api_client_for, actor_of, employee):
    hr = actor_of("hr")
    client = api_client_for("hr")
    url = f"/api/v1/employees/{employee.pk}/contracts"
    client.get(url)  # warm the token's first-use stamp
    record(hr, employee)
    with CaptureQueriesContext(connection) as one:
        assert client.get(url).json()["count"] == 1
    for year in range(2022, 2026):
        record(hr, employee, start_date=D(year, 5, 6), end_date=D(year + 1, 5, 5), probation_end=None)
    with CaptureQueriesContext(connection) as five:
        assert client.get(url).json()["count"] == 5
    assert len(one) == len(five)


def test_a_new_person_hired_later_cannot_have_a_contract_before(actor_of, world):
    person = EmployeeFactory(org_unit=world.platform, job_family=world.engineering, hire_date=D(2026, 3, 1))
    with pytest.raises(InvalidInput) as exc:
        employment_contract_record(actor=actor_of("hr"), employee=person, start_date=D(2026, 2, 1), term="open_ended")
    assert "effective_from" in exc.value.errors
