"""The employment contract in the people import and export."""

from __future__ import annotations

import csv
import datetime as dt
import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from talentloop.core.audit.models import AuditEntry
from talentloop.organisation import importing
from talentloop.organisation.models import EmploymentContract
from talentloop.organisation.selectors import contract_as_of
from talentloop.organisation.services_contracts import employment_contract_record
from talentloop.organisation.tests.test_import import apply, by_number, current_row, make_csv, new_row, preview
from talentloop.testing.factories import EmployeeFactory

pytestmark = pytest.mark.django_db

D = dt.date


@pytest.fixture
def hr(actor_of):
    return actor_of("hr")


def test_a_new_person_with_a_contract(hr):
    content = make_csv([new_row("N-1", contract_end="2027-06-30", working_hours="comprehensive",
                                comprehensive_period="month", probation_end="2024-12-31", pay_group="产线",
                                social_insurance_city="苏州", notice_days="30")])
    report = apply(hr, content)
    assert report.applied and report.counts["create"] == 1, report.rows
    row = EmploymentContract.objects.get(employee__employee_number="N-1")
    # contract_start empty: the hire date 2024-07-01; an end and no term: fixed term.
    assert (row.effective_from, row.start_date, row.end_date, row.term) == (D(2024, 7, 1), D(2024, 7, 1),
                                                                           D(2027, 6, 30), "fixed")
    assert (row.working_hours, row.comprehensive_period, row.pay_group, row.social_insurance_city) == (
        "comprehensive", "month", "产线", "苏州")
    assert AuditEntry.objects.filter(entity_type="organisation.employmentcontract", entity_id=str(row.pk)).exists()


def test_export_shows_the_contract_and_imports_unchanged(world, hr):
    employee = world.emp(world.employee)
    employment_contract_record(actor=hr, employee=employee, start_date=D(2019, 5, 6), end_date=D(2022, 5, 5),
                               term="fixed")
    # A change during the renewed contract: another city from 2023-01-01.
    employment_contract_record(actor=hr, employee=employee, start_date=D(2022, 5, 6), term="open_ended")
    employment_contract_record(actor=hr, employee=employee, start_date=D(2022, 5, 6), term="open_ended",
                               social_insurance_city="苏州", effective_from=D(2023, 1, 1))
    text = importing.employee_export(actor=hr, fmt="csv").decode("utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(text)))
    mine = next(r for r in rows if r["employee_number"] == "T-employee")
    assert (mine["contract_start"], mine["contract_end"], mine["contract_term"], mine["social_insurance_city"],
            mine["working_hours"], mine["notice_days"]) == ("2022-05-06", "", "open_ended", "苏州", "standard", "30")
    report = preview(hr, text.encode())
    assert report.counts["update"] == 0 and report.counts["reject"] == 0, [
        (r.employee_number, r.changes, r.errors) for r in report.rows if r.action != "unchanged"]


def test_a_renewal_through_the_import_keeps_the_history(world, hr):
    employee = world.emp(world.employee)
    employment_contract_record(actor=hr, employee=employee, start_date=D(2019, 5, 6), end_date=D(2022, 5, 5),
                               term="fixed")
    content = make_csv([current_row(hr, "T-employee", contract_start="2022-05-06", contract_end="",
                                    contract_term="open_ended")])
    report = preview(hr, content)
    row = by_number(report)["T-employee"]
    assert row.action == "update"
    assert row.changes["contract_start"] == {"before": "2019-05-06", "after": "2022-05-06"}
    assert row.changes["contract_term"] == {"before": "fixed", "after": "open_ended"}
    apply(hr, content)
    assert EmploymentContract.objects.filter(employee=employee).count() == 2
    assert contract_as_of(employee, D(2022, 5, 5)).term == "fixed"
    assert contract_as_of(employee, D(2022, 5, 6)).term == "open_ended"


@pytest.mark.parametrize(("cells", "reason"), [
    ({"contract_start": "2024-07-01", "contract_term": "fixed"}, "contract_end: A fixed-term contract needs an end"),
    ({"contract_start": "2024-07-01", "contract_term": "forever"}, "contract_term: “forever” is not a term"),
    ({"contract_start": "2024-07-01", "working_hours": "comprehensive"}, "comprehensive_period:"),
    ({"contract_start": "2024-07-01", "notice_days": "thirty"}, "notice_days:"),
    ({"contract_start": "2024-06-01"}, "before the hire date"),
    ({"contract_start": "2024-07-01", "contract_end": "2024-01-01"}, "contract_end: The contract cannot end"),
    ({"contract_start": "2024-07-01", "probation_end": "2030-01-01", "contract_end": "2025-06-30"},
     "probation_end:"),
    ({"contract_start": "2024-13-01"}, "contract_start: “2024-13-01” is not a date"),
])
def test_bad_contract_cells_reject_the_row(hr, cells, reason):
    before = EmploymentContract.objects.count()
    report = apply(hr, make_csv([new_row("N-1", **cells), new_row("N-2")]), mode="valid_only")
    rows = by_number(report)
    assert rows["N-1"].action == "reject"
    assert any(reason in error for error in rows["N-1"].errors), rows["N-1"].errors
    assert rows["N-2"].action == "create"
    assert EmploymentContract.objects.count() == before


def test_an_existing_person_needs_a_contract_start(hr):
    report = preview(hr, make_csv([current_row(hr, "T-employee", pay_group="G1")]))
    row = by_number(report)["T-employee"]
    assert row.action == "reject" and "contract_start is required" in row.errors[0]


def test_another_row_on_the_same_date_is_rejected(world, hr):
    employee = world.emp(world.employee)
    employment_contract_record(actor=hr, employee=employee, start_date=D(2019, 5, 6), term="open_ended")
    # 2024-01-01 in the file is a different contract than the one in force, on a date no row takes
    # effect: a new row. The same cells on 2019-05-06 with another city clash with the first row.
    content = make_csv([current_row(hr, "T-employee", contract_start="2019-05-06", contract_term="open_ended",
                                    social_insurance_city="北京")])
    row = by_number(preview(hr, content))["T-employee"]
    assert row.action == "reject" and any("already takes effect on 2019-05-06" in e for e in row.errors)


def test_apply_with_contracts_is_set_based(world, hr):
    lead = world.emp(world.lead)
    existing = EmployeeFactory.create_batch(40, org_unit=world.platform, job_family=world.engineering,
                                            manager=lead, hire_date=D(2020, 1, 1))
    rows = [new_row(f"C-{i}", contract_end="2027-06-30") for i in range(40)]
    rows += [current_row(hr, p.employee_number, contract_start="2024-01-01", contract_term="open_ended")
             for p in existing]
    with CaptureQueriesContext(connection) as queries:
        report = apply(hr, make_csv(rows))
    assert report.applied and report.counts["create"] == 40 and report.counts["update"] == 40
    assert EmploymentContract.objects.count() == 80
    assert len(queries) < 45, len(queries)
