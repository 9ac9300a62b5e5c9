"""Employee import and export: the row-by-row dry run, all-or-nothing versus valid rows only,
reporting lines inside one file, encodings, Excel round trips, HR scope, personas and query counts.

The persona world (see core/testing/personas.py): company > rnd (manager) > platform (lead,
mentor, employee), sales (outsider), people (hr, HR for the whole company); admin has no record.
Employee numbers are T-<persona>; everyone was hired on 2019-05-06.
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import io

import openpyxl
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from talentloop.core.access import actor_for
from talentloop.core.audit.models import AuditEntry
from talentloop.core.errors import InvalidInput, PermissionDenied
from talentloop.organisation import importing, importing_contracts
from talentloop.organisation.models import Employee, EmploymentEvent, EmploymentStatus
from talentloop.organisation.views_io import SESSION_KEY
from talentloop.testing.factories import EmployeeFactory, UserFactory, grant

pytestmark = pytest.mark.django_db

NATIONAL_ID = "110101198001010099"
BANK_ACCOUNT = "6222020200998877665"


# ---------------------------------------------------------------- helpers


def make_csv(rows: list[dict], header: list[str] | None = None, encoding: str = "utf-8", bom: bool = False
             ) -> bytes:
    header = header or list(importing.COLUMNS)
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(header)
    for row in rows:
        writer.writerow([row.get(key, "") for key in header])
    data = out.getvalue().encode(encoding)
    return codecs.BOM_UTF8 + data if bom else data


def make_xlsx(rows: list[list], header: list[str] | None = None) -> bytes:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(header or list(importing.COLUMNS))
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def new_row(number: str, **values) -> dict:
    row = {"employee_number": number, "name": f"新人{number}", "name_en": f"New {number}",
           "email": f"{number.lower()}@example.com", "hire_date": "2024-07-01", "org_unit": "platform",
           "job_family": "software-engineer", "level": "2", "manager": "T-lead"}
    row.update(values)
    return row


def current_row(actor, number: str, **changes) -> dict:
    """The person's row exactly as the export writes it, with some cells changed."""
    for values in importing.employee_export_rows(actor):
        if values[0] == number:
            cells = zip(importing.COLUMNS, values, strict=True)
            row = {key: importing._cell_text(value) for key, value in cells}
            row.update(changes)
            return row
    raise AssertionError(number)


def by_number(report) -> dict[str, importing.ImportRow]:
    return {row.employee_number: row for row in report.rows}


def counts_of_everything() -> tuple[int, int, int]:
    return Employee.objects.count(), EmploymentEvent.objects.count(), AuditEntry.objects.count()


def preview(actor, content: bytes, name: str = "people.csv"):
    return importing.employee_import_preview(actor=actor, file_name=name, content=content)


def apply(actor, content: bytes, mode: str = "all", name: str = "people.csv"):
    return importing.employee_import_apply(actor=actor, file_name=name, content=content, mode=mode)


@pytest.fixture
def hr(actor_of):
    return actor_of("hr")


@pytest.fixture
def sales_hr(world):
    """HR whose scope is the sales unit only."""
    user = UserFactory(username="sales-hr")
    grant(user, "hr", org_unit=world.sales)
    return actor_for(user)


# ---------------------------------------------------------------- the dry run


def test_preview_reports_each_row_and_writes_nothing(world, hr):
    content = make_csv([
        new_row("N-1", position="se"),
        current_row(hr, "T-employee", phone="13800000000"),
        current_row(hr, "T-mentor"),
        new_row("N-2", org_unit="nowhere", hire_date="2024-13-45", email="not-an-email", level="21",
                manager="T-nobody"),
    ])
    before = counts_of_everything()

    report = preview(hr, content)

    assert counts_of_everything() == before
    assert report.counts == {"create": 1, "update": 1, "unchanged": 1, "reject": 1}
    rows = by_number(report)
    assert [r.line for r in report.rows] == [2, 3, 4, 5]  # the header is line 1
    assert rows["N-1"].action == "create"
    assert rows["N-1"].changes["manager"] == {"before": "", "after": "T-lead"}
    assert rows["N-1"].changes["position"] == {"before": "", "after": "se"}
    assert rows["T-employee"].action == "update"
    assert rows["T-employee"].changes == {"phone": {"before": "", "after": "13800000000"}}
    assert rows["T-employee"].event == ""
    assert rows["T-mentor"].action == "unchanged" and rows["T-mentor"].changes == {}
    rejected = rows["N-2"]
    assert rejected.action == "reject" and rejected.changes == {}
    # Every reason is listed, not only the first one.
    assert len(rejected.errors) == 5, rejected.errors
    text = " ".join(rejected.errors)
    for fragment in ("hire_date", "level", "org_unit", "nowhere", "email", "T-nobody"):
        assert fragment in text


def test_structural_change_becomes_an_event_of_the_right_kind(world, hr):
    report = preview(hr, make_csv([
        current_row(hr, "T-employee", level="4"),  # 3 -> 4: promotion
        current_row(hr, "T-mentor", level="5"),  # 7 -> 5: demotion
        current_row(hr, "T-lead", org_unit="rnd"),  # same level, new unit: transfer
    ]))
    rows = by_number(report)
    assert (rows["T-employee"].action, rows["T-employee"].event) == ("update", "promotion")
    assert rows["T-employee"].changes == {"level": {"before": "3", "after": "4"}}
    assert rows["T-mentor"].event == "demotion"
    assert rows["T-lead"].event == "transfer"
    assert rows["T-lead"].changes == {"org_unit": {"before": "platform", "after": "rnd"}}


def test_rejections_name_their_reason(world, hr):
    other_family = world.sales_family.code
    terminated = EmployeeFactory(employee_number="T-gone", org_unit=world.rnd, job_family=world.engineering,
                                 status=EmploymentStatus.TERMINATED)
    assert terminated.pk
    report = preview(hr, make_csv([
        new_row("N-1", manager="T-gone"),
        new_row("N-2", position="se", job_family=other_family),
        new_row("N-3", status="terminated"),
        new_row("N-4", name="", hire_date=""),
        new_row("N-5", employee_number="X" * 40),
        current_row(hr, "T-gone", level="5"),
        current_row(hr, "T-lead", effective_date="2001-01-01", level="7"),
        current_row(hr, "T-employee", name=""),
    ]))
    errors = {r.line: " ".join(r.errors) for r in report.rows}
    assert report.counts["reject"] == 8
    assert "has left" in errors[2]
    assert "another job family" in errors[3]
    assert "hired as active" in errors[4]
    assert "name is required" in errors[5] and "hire_date is required" in errors[5]
    assert "at most 32 characters" in errors[6]
    assert "already left" in errors[7]
    assert "before the hire date" in errors[8]
    assert "name cannot be empty" in errors[9]


def test_duplicate_numbers_in_the_file_are_rejected_with_their_rows(world, hr):
    content = make_csv([new_row("N-1"), new_row("N-1", name="又一个"), new_row("N-2", manager="N-1")])
    report = preview(hr, content)
    assert [r.action for r in report.rows] == ["reject", "reject", "reject"]
    assert "rows 2, 3" in report.rows[0].errors[0]
    assert "more than once" in report.rows[2].errors[0]


def test_a_row_whose_manager_row_is_rejected_is_rejected_too(world, hr):
    report = preview(hr, make_csv([
        new_row("N-3", manager="N-2"),
        new_row("N-2", manager="N-1"),
        new_row("N-1", org_unit="nowhere"),
    ]))
    rows = by_number(report)
    assert [rows[n].action for n in ("N-1", "N-2", "N-3")] == ["reject", "reject", "reject"]
    assert "N-1 (row 4) is rejected" in rows["N-2"].errors[0]
    assert "N-2 (row 3) is rejected" in rows["N-3"].errors[0]


def test_reporting_loops_are_rejected(world, hr):
    report = preview(hr, make_csv([
        new_row("N-1", manager="N-2"),
        new_row("N-2", manager="N-1"),
        new_row("N-3", manager="N-3"),
        # T-manager is at the top of rnd; reporting to employee (two levels below) would loop.
        current_row(hr, "T-manager", manager="T-employee"),
        new_row("N-4", manager="T-manager"),  # fine: T-manager keeps their record
    ]))
    rows = by_number(report)
    assert "would loop (N-1 → N-2 → N-1)" in rows["N-1"].errors[0] or "would loop (N-2 → N-1 → N-2)" in \
        rows["N-1"].errors[0]
    assert rows["N-2"].action == "reject"
    assert rows["N-3"].errors == ["manager: someone cannot report to themselves."]
    assert rows["T-manager"].action == "reject" and "would loop" in rows["T-manager"].errors[0]
    assert rows["N-4"].action == "create"


def test_status_is_not_imported_but_explained(world, hr):
    report = preview(hr, make_csv([current_row(hr, "T-employee", status="terminated")]))
    row = report.rows[0]
    assert row.action == "unchanged"
    assert "not changed by an import" in row.warnings[0]


# ---------------------------------------------------------------- applying


def test_apply_creates_people_with_their_hire_event_and_audit(world, hr):
    content = make_csv([new_row("N-1", national_id=NATIONAL_ID, bank_account=BANK_ACCOUNT, position="se")],
                       header=importing.IMPORT_COLUMNS)
    result = apply(hr, content, name="hires.csv")
    assert result.applied and result.counts["create"] == 1

    person = Employee.objects.get(employee_number="N-1")
    lead = world.emp(world.lead)
    assert (person.name, person.level, person.org_unit, person.position) == ("新人N-1", 2, world.platform,
                                                                              world.engineer_position)
    assert person.manager == lead and person.manager_path == lead.reports_prefix
    assert (person.national_id, person.bank_account) == (NATIONAL_ID, BANK_ACCOUNT)
    hire = person.events.get()
    assert (hire.kind, hire.effective_date, hire.manager) == ("hire", dt.date(2024, 7, 1), lead)
    assert hire.recorded_by == world.hr
    assert hire.applied_at is not None
    created = AuditEntry.objects.get(entity_type="organisation.employee", entity_id=str(person.pk))
    assert created.action == "create" and created.changes["national_id"] == "changed"
    assert NATIONAL_ID not in str(created.changes) and BANK_ACCOUNT not in str(created.changes)
    batch = AuditEntry.objects.get(entity_type="organisation.import")
    assert batch.actor == world.hr and batch.entity_label == "hires.csv"
    assert batch.changes["create"] == 1 and batch.changes["reject"] == 0 and batch.changes["mode"] == "all"
    assert NATIONAL_ID not in str(batch.changes)


def test_apply_updates_personal_fields_and_records_events(world, hr):
    employee, lead, outsider = world.emp(world.employee), world.emp(world.lead), world.emp(world.outsider)
    content = make_csv([
        current_row(hr, "T-employee", phone="13900000000", email="new@example.com", level="4"),
        # lead moves to sales under outsider; employee (reporting to lead) moves with them.
        current_row(hr, "T-lead", org_unit="sales", manager="T-outsider"),
    ])
    result = apply(hr, content)
    assert result.applied and result.counts == {"create": 0, "update": 2, "unchanged": 0, "reject": 0}

    employee.refresh_from_db()
    lead.refresh_from_db()
    outsider.refresh_from_db()
    assert (employee.phone, employee.email, employee.level) == ("13900000000", "new@example.com", 4)
    promotion = employee.events.get(kind="promotion")
    assert promotion.level == 4 and promotion.applied_at is not None and promotion.before["level"] == 3
    assert promotion.effective_date == timezone.localdate()
    transfer = lead.events.get(kind="transfer")
    assert transfer.org_unit == world.sales and transfer.manager == outsider
    assert lead.org_unit == world.sales and lead.manager == outsider
    assert lead.manager_path == outsider.reports_prefix
    assert employee.manager_path == lead.reports_prefix == f"/{outsider.pk}/{lead.pk}/"
    update = AuditEntry.objects.get(entity_type="organisation.employee", entity_id=str(employee.pk),
                                    action="update")
    assert update.changes["phone"] == {"before": "", "after": "13900000000"}
    assert AuditEntry.objects.filter(entity_type="organisation.employmentevent").count() == 2


def test_future_effective_date_waits_for_the_daily_job(world, hr):
    future = timezone.localdate() + dt.timedelta(days=30)
    apply(hr, make_csv([current_row(hr, "T-employee", level="5", effective_date=future.isoformat())]))
    employee = world.emp(world.employee)
    assert employee.level == 3
    event = employee.events.get(kind="promotion")
    assert event.applied_at is None and event.effective_date == future


def test_managers_within_the_same_file_in_any_order(world, hr):
    manager = world.emp(world.manager)
    content = make_csv([
        new_row("N-3", manager="N-2"),
        new_row("N-2", manager="N-1"),
        new_row("N-1", manager="T-manager", org_unit="rnd"),
        current_row(hr, "T-employee", manager="N-3"),  # an existing person moves under a new one
    ])
    assert preview(hr, content).counts == {"create": 3, "update": 1, "unchanged": 0, "reject": 0}
    assert apply(hr, content).applied

    n1, n2, n3 = (Employee.objects.get(employee_number=n) for n in ("N-1", "N-2", "N-3"))
    employee = world.emp(world.employee)
    assert n1.manager == manager and n2.manager == n1 and n3.manager == n2 and employee.manager == n3
    assert n1.manager_path == f"/{manager.pk}/"
    assert n2.manager_path == f"/{manager.pk}/{n1.pk}/"
    assert n3.manager_path == f"/{manager.pk}/{n1.pk}/{n2.pk}/"
    assert employee.manager_path == f"/{manager.pk}/{n1.pk}/{n2.pk}/{n3.pk}/"
    assert n3.events.get(kind="hire").manager == n2
    assert employee.events.get(kind="transfer").manager == n3
    # The manager's tree now includes everyone new.
    assert set(Employee.objects.filter(manager_path__startswith=manager.reports_prefix)
               .values_list("employee_number", flat=True)) >= {"N-1", "N-2", "N-3", "T-employee"}


def _one_of_each(hr) -> bytes:
    return make_csv([new_row("N-1"), current_row(hr, "T-employee", phone="1"), new_row("N-2", org_unit="?")])


def test_mode_all_writes_nothing_when_a_row_is_rejected(world, hr):
    content = _one_of_each(hr)
    before = counts_of_everything()
    result = apply(hr, content, mode="all")
    assert not result.applied and result.counts["reject"] == 1
    assert counts_of_everything() == before
    assert world.emp(world.employee).phone == ""


def test_mode_valid_only_writes_the_valid_rows_and_reports_the_rest(world, hr):
    content = _one_of_each(hr)
    result = apply(hr, content, mode="valid_only")
    assert result.applied
    assert [r.action for r in result.rows] == ["create", "update", "reject"]
    assert Employee.objects.filter(employee_number="N-1").exists()
    assert not Employee.objects.filter(employee_number="N-2").exists()
    assert world.emp(world.employee).phone == "1"
    batch = AuditEntry.objects.get(entity_type="organisation.import")
    assert (batch.changes["create"], batch.changes["update"], batch.changes["reject"]) == (1, 1, 1)
    assert batch.changes["mode"] == "valid_only"


def test_apply_validates_again(world, hr):
    """The dry run passed, then the manager left: applying rejects the row and writes nothing."""
    content = make_csv([new_row("N-1", manager="T-lead")])
    assert preview(hr, content).counts["create"] == 1
    Employee.objects.filter(employee_number="T-lead").update(status=EmploymentStatus.TERMINATED)
    result = apply(hr, content)
    assert not result.applied and "has left" in result.rows[0].errors[0]
    assert not Employee.objects.filter(employee_number="N-1").exists()


# ---------------------------------------------------------------- files


def test_gb18030_csv_from_chinese_excel(world, hr):
    content = make_csv([new_row("N-1", name="张伟", name_en="")], encoding="gb18030")
    with pytest.raises(UnicodeDecodeError):
        content.decode("utf-8")
    report = preview(hr, content)
    assert report.rows[0].action == "create" and report.rows[0].name == "张伟"
    apply(hr, content)
    assert Employee.objects.get(employee_number="N-1").name == "张伟"


def test_utf8_with_byte_order_mark(world, hr):
    report = preview(hr, make_csv([new_row("N-1", name="李娜")], bom=True))
    assert report.rows[0].action == "create" and report.rows[0].name == "李娜"


def test_excel_dates_serials_and_numbers(world, hr):
    header = ["employee_number", "name", "hire_date", "org_unit", "job_family", "level", "phone"]
    content = make_xlsx([
        [1001, "数字工号", dt.datetime(2024, 7, 1), "platform", "software-engineer", 3, 13800000000],
        ["N-2", "序列日期", 45474, "platform", "software-engineer", 2.0, None],  # 45474 = 2024-07-01
        ["N-3", "文字日期", "2024/7/1", "platform", "software-engineer", "L4", ""],
    ], header=header)
    report = preview(hr, content, name="people.xlsx")
    assert report.counts["create"] == 3, [r.errors for r in report.rows]
    apply(hr, content, name="people.xlsx")
    first = Employee.objects.get(employee_number="1001")
    assert (first.hire_date, first.level, first.phone) == (dt.date(2024, 7, 1), 3, "13800000000")
    assert Employee.objects.get(employee_number="N-2").hire_date == dt.date(2024, 7, 1)
    assert Employee.objects.get(employee_number="N-3").level == 4


@pytest.mark.parametrize("fmt", ["xlsx", "csv"])
def test_export_then_import_is_all_unchanged(world, hr, fmt):
    apply(hr, make_csv([new_row("N-1", name="=HYPERLINK(\"http://x\")", phone="+86 138 0000 0000",
                                position="se")]))
    content = importing.employee_export(actor=hr, fmt=fmt)
    report = preview(hr, content, name=f"employees.{fmt}")
    # hr, manager, lead, mentor, employee, outsider and N-1
    assert len(report.rows) == 7
    assert report.counts == {"create": 0, "update": 0, "unchanged": 7, "reject": 0}, \
        [(r.employee_number, r.errors, r.changes) for r in report.rows if r.action != "unchanged"]


def test_export_has_the_import_columns_and_no_secrets(world, hr):
    content = importing.employee_export(actor=hr, fmt="csv")
    text = content.decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0] == importing.COLUMNS
    assert "national_id" not in rows[0] and "1234" not in text and "3445" not in text
    lead = dict(zip(rows[0], next(r for r in rows if r[0] == "T-lead"), strict=True))
    assert lead == {"employee_number": "T-lead", "name": "lead-中文", "name_en": "Lead",
                    "email": "t-lead@example.com", "phone": "", "hire_date": "2019-05-06",
                    "org_unit": "platform", "job_family": "software-engineer", "position": "", "level": "6",
                    "manager": "T-manager", "status": "active", "effective_date": "",
                    # no contract recorded: the contract columns are empty
                    **dict.fromkeys(importing_contracts.CONTRACT_COLUMNS, "")}
    assert AuditEntry.objects.filter(entity_type="organisation.export").count() == 1


def test_csv_export_guards_against_formulas(world, hr):
    apply(hr, make_csv([new_row("N-1", name="=1+2", name_en="@SUM(A1)")]))
    text = importing.employee_export(actor=hr, fmt="csv").decode("utf-8-sig")
    assert "'=1+2" in text and "'@SUM(A1)" in text
    workbook = openpyxl.load_workbook(io.BytesIO(importing.employee_export(actor=hr, fmt="xlsx")))
    names = [row[1].value for row in workbook.worksheets[0].iter_rows(min_row=2)]
    cell = next(row[1] for row in workbook.worksheets[0].iter_rows(min_row=2) if row[1].value == "=1+2")
    assert "=1+2" in names and cell.data_type == "s"


def test_templates_have_the_header(world):
    csv_template = importing.employee_import_template(fmt="csv").decode("utf-8-sig")
    assert csv_template.strip() == ",".join(importing.IMPORT_COLUMNS)
    workbook = openpyxl.load_workbook(io.BytesIO(importing.employee_import_template(fmt="xlsx")))
    assert [c.value for c in next(workbook.worksheets[0].iter_rows())] == importing.IMPORT_COLUMNS
    assert len(workbook.worksheets) == 2  # the second sheet explains the columns


@pytest.mark.parametrize("content, message", [
    (b"", "empty"),
    (b"employee_number,name\nN-1,x\n", "Required columns are missing: hire_date, org_unit, job_family"),
    (make_csv([], header=[*importing.REQUIRED_COLUMNS, "salary"]), "Unknown columns: salary"),
    (make_csv([], header=[*importing.REQUIRED_COLUMNS, "name"]), "more than once: name"),
    (make_csv([]), "no employees"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 100, "Old .xls"),
    (b"PK\x03\x04 broken", "cannot be read"),
    (b"x" * (5 * 1024 * 1024 + 1), "larger than 5 MB"),
])
def test_file_level_errors_are_clear(world, hr, content, message):
    before = counts_of_everything()
    with pytest.raises(InvalidInput) as exc:
        preview(hr, content)
    assert message in exc.value.detail
    assert exc.value.errors["file"]
    assert counts_of_everything() == before


def test_more_than_20000_rows_is_refused(world, hr):
    lines = ["employee_number,name,hire_date,org_unit,job_family"]
    lines += [f"N-{i},x,2024-01-01,platform,software-engineer" for i in range(importing.MAX_ROWS + 1)]
    with pytest.raises(InvalidInput) as exc:
        preview(hr, "\n".join(lines).encode())
    assert "more than 20,000 rows" in exc.value.detail


def test_header_is_forgiving_about_case_and_spaces(world, hr):
    content = (b"Employee Number,NAME,hire-date,org_unit,job_family\n"
               b"N-1,x,2024-01-01,platform,software-engineer\n")
    assert preview(hr, content).counts["create"] == 1


def test_a_very_wide_header_is_refused_at_once(world, hr):
    """20,000 made-up columns used to be compared with each other (quadratic, half a minute)."""
    header = ",".join(["employee_number", "name", "hire_date", "org_unit", "job_family"]
                      + [f"x{i}" for i in range(20_000)])
    before = counts_of_everything()
    with pytest.raises(InvalidInput) as exc:
        preview(hr, (header + "\nN-1,x,2024-01-01,platform,software-engineer\n").encode())
    assert "20,005 columns" in exc.value.detail and "200" in exc.value.detail
    assert counts_of_everything() == before


def test_repeated_columns_are_named_once(world, hr):
    content = (b"employee_number,name,name,hire_date,org_unit,job_family,name\n"
               b"N-1,x,y,2024-01-01,platform,software-engineer,z\n")
    with pytest.raises(InvalidInput) as exc:
        preview(hr, content)
    assert "more than once: name." in exc.value.detail


# ---------------------------------------------------------------- access


def test_scoped_hr_imports_only_into_their_units(world, sales_hr):
    report = preview(sales_hr, make_csv([
        new_row("N-1", org_unit="sales", manager="T-outsider", job_family="sales"),
        new_row("N-2", org_unit="platform", manager=""),
        current_row(actor_for(world.hr), "T-employee", phone="1"),
        current_row(actor_for(world.hr), "T-outsider", org_unit="platform"),
        new_row("N-3", org_unit="sales", job_family="sales", manager="T-lead"),  # lead is outside the scope
    ]))
    rows = by_number(report)
    assert rows["N-1"].action == "create"
    assert rows["N-2"].errors == ["You may not add people to the org unit “platform”."]
    assert rows["T-employee"].errors == ["You may not change the record of T-employee."]
    assert rows["T-outsider"].errors == ["You may not move people into the org unit “platform”."]
    assert "no employee has the number “T-lead”" in rows["N-3"].errors[0]


def test_scoped_hr_exports_only_what_they_see(world, sales_hr):
    text = importing.employee_export(actor=sales_hr, fmt="csv").decode("utf-8-sig")
    numbers = [row[0] for row in csv.reader(io.StringIO(text))][1:]
    assert numbers == ["T-outsider"]


@pytest.mark.parametrize("persona", ["employee", "manager", "mentor", "outsider", "admin"])
def test_only_hr_may_import(world, actor_of, persona):
    with pytest.raises(PermissionDenied):
        preview(actor_of(persona), make_csv([new_row("N-1")]))


@pytest.mark.parametrize("persona", ["employee", "manager", "mentor", "outsider"])
def test_only_hr_and_admin_may_export(world, actor_of, persona):
    with pytest.raises(PermissionDenied):
        importing.employee_export(actor=actor_of(persona), fmt="csv")


# Expected statuses written out by hand: HR imports; HR and admin export; everyone else gets 404
# on the pages and 403 from the API; anonymous visitors are sent to sign in (401 on the API).
PAGE_MATRIX = {
    # persona: (import page, export, template)
    None: (302, 302, 302),
    "employee": (404, 404, 404),
    "manager": (404, 404, 404),
    "mentor": (404, 404, 404),
    "outsider": (404, 404, 404),
    "admin": (404, 200, 404),
    "hr": (200, 200, 200),
}


@pytest.mark.parametrize("persona", list(PAGE_MATRIX))
def test_pages_persona_matrix(world, client_for, persona):
    client = client_for(persona)
    got = (client.get("/people/import/").status_code,
           client.get("/people/export/?format=csv").status_code,
           client.get("/people/import/?template=xlsx").status_code)
    assert got == PAGE_MATRIX[persona]


API_MATRIX = {
    # persona: (POST import, GET export)
    None: (401, 401),
    "employee": (403, 403),
    "manager": (403, 403),
    "mentor": (403, 403),
    "outsider": (403, 403),
    "admin": (403, 200),
    "hr": (200, 200),
}


@pytest.mark.parametrize("persona", list(API_MATRIX))
def test_api_persona_matrix(world, api_client_for, persona):
    client = api_client_for(persona)
    upload = io.BytesIO(make_csv([new_row("N-1")]))
    upload.name = "people.csv"
    got = (client.post("/api/v1/employees/import", {"file": upload}).status_code,
           client.get("/api/v1/employees/export?format=csv").status_code)
    assert got == API_MATRIX[persona]
    assert not Employee.objects.filter(employee_number="N-1").exists()  # a dry run by default


# ---------------------------------------------------------------- pages


def _upload(client, content: bytes, mode: str = "all", name: str = "people.csv"):
    upload = io.BytesIO(content)
    upload.name = name
    return client.post("/people/import/", {"step": "preview", "file": upload, "mode": mode})


def test_upload_preview_and_confirm(world, client_for):
    client = client_for("hr")
    page = client.get("/people/import/")
    assert b'enctype="multipart/form-data"' in page.content and b"?template=xlsx" in page.content
    assert b"/people/export/?format=xlsx" in page.content

    r = _upload(client, make_csv([new_row("N-1"), new_row("N-2", org_unit="nowhere")]), mode="valid_only")
    assert r.status_code == 200
    assert r.context["counts"] == {"create": 1, "update": 0, "unchanged": 0, "reject": 1}
    html = r.content.decode()
    assert 'class="import-row create"' in html and 'class="import-row reject"' in html
    assert "nowhere" in html
    assert not Employee.objects.filter(employee_number="N-1").exists()
    token = client.session[SESSION_KEY]["token"]
    assert token in html

    r = client.post("/people/import/", {"step": "apply", "token": token, "mode": "valid_only"})
    assert r.status_code == 200 and r.context["counts"]["create"] == 1
    assert Employee.objects.filter(employee_number="N-1").exists()
    assert SESSION_KEY not in client.session

    # The same confirmation cannot run twice.
    r = client.post("/people/import/", {"step": "apply", "token": token, "mode": "valid_only"}, follow=True)
    assert "expired" in r.content.decode()
    assert Employee.objects.filter(employee_number="N-1").count() == 1


def test_confirm_all_with_rejected_rows_writes_nothing(world, client_for):
    client = client_for("hr")
    _upload(client, make_csv([new_row("N-1"), new_row("N-2", org_unit="nowhere")]))
    token = client.session[SESSION_KEY]["token"]
    r = client.post("/people/import/", {"step": "apply", "token": token, "mode": "all"})
    assert r.status_code == 422 and "Nothing was written" in r.content.decode()
    assert not Employee.objects.filter(employee_number="N-1").exists()
    # HR may still choose to import the valid rows from the same upload.
    r = client.post("/people/import/", {"step": "apply", "token": token, "mode": "valid_only"})
    assert r.status_code == 200 and Employee.objects.filter(employee_number="N-1").exists()


def test_a_token_is_bound_to_its_session_and_user(world, client_for):
    client = client_for("hr")
    _upload(client, make_csv([new_row("N-1")]))
    token = client.session[SESSION_KEY]["token"]
    other = client_for("hr")  # another session of the same person
    r = other.post("/people/import/", {"step": "apply", "token": token, "mode": "all"}, follow=True)
    assert "expired" in r.content.decode()
    forged = client.post("/people/import/", {"step": "apply", "token": "A" * 32, "mode": "all"}, follow=True)
    assert "expired" in forged.content.decode()
    assert not Employee.objects.filter(employee_number="N-1").exists()


def test_kept_upload_is_encrypted(world, hr):
    content = make_csv([new_row("N-1", national_id=NATIONAL_ID)], header=importing.IMPORT_COLUMNS)
    token = importing.import_upload_store(actor=hr, content=content)
    from django.core.files.storage import default_storage

    with default_storage.open(importing._upload_name(hr, token), "rb") as handle:
        stored = handle.read()
    assert NATIONAL_ID.encode() not in stored and "新人".encode() not in stored
    assert importing.import_upload_load(actor=hr, token=token) == content
    other = actor_for(UserFactory(username="other-hr"))
    assert importing.import_upload_load(actor=other, token=token) is None


def test_upload_errors_are_shown_on_the_form(world, client_for):
    r = _upload(client_for("hr"), b"employee_number,salary\n1,2\n")
    assert r.status_code == 200
    assert "Unknown columns: salary" in r.content.decode()
    assert SESSION_KEY not in r.wsgi_request.session


def test_export_and_template_downloads(world, client_for):
    client = client_for("hr")
    r = client.get("/people/export/?format=xlsx")
    assert r["Content-Type"] == importing.CONTENT_TYPES["xlsx"]
    assert "attachment" in r["Content-Disposition"]
    workbook = openpyxl.load_workbook(io.BytesIO(r.content))
    assert workbook.worksheets[0].max_row == 7  # header + six people
    r = client.get("/people/export/?format=csv")
    assert r.content.decode("utf-8-sig").splitlines()[0] == ",".join(importing.COLUMNS)
    assert client.get("/people/export/?format=pdf").status_code == 404
    template = client.get("/people/import/?template=csv").content.decode("utf-8-sig")
    assert template.startswith("employee_number,")


# ---------------------------------------------------------------- API


def _api_upload(client, content: bytes, **params):
    upload = io.BytesIO(content)
    upload.name = "people.csv"
    query = "&".join(f"{k}={v}" for k, v in params.items())
    return client.post(f"/api/v1/employees/import?{query}", {"file": upload})


def test_api_import_dry_run_and_apply(world, api_client_for):
    client = api_client_for("hr")
    content = make_csv([new_row("N-1"), new_row("N-2", org_unit="nowhere")])
    r = _api_upload(client, content)
    assert r.status_code == 200
    body = r.json()
    assert body["dry_run"] is True and body["applied"] is False
    assert body["counts"] == {"create": 1, "update": 0, "unchanged": 0, "reject": 1}
    first = body["rows"][0]
    assert first == {"line": 2, "action": "create", "employee_number": "N-1", "name": "新人N-1", "event": "",
                     "changes": first["changes"], "errors": [], "warnings": []}
    assert first["changes"]["manager"] == {"before": "", "after": "T-lead"}
    assert body["rows"][1]["action"] == "reject" and "nowhere" in body["rows"][1]["errors"][0]

    r = _api_upload(client, content, dry_run="false", mode="all")
    assert r.status_code == 422
    body = r.json()
    assert "Nothing was written" in body["detail"] and body["errors"]["file"]
    assert body["report"]["counts"]["reject"] == 1
    assert not Employee.objects.filter(employee_number="N-1").exists()

    r = _api_upload(client, content, dry_run="false", mode="valid_only")
    assert r.status_code == 200 and r.json()["applied"] is True
    assert Employee.objects.filter(employee_number="N-1").exists()


def test_api_import_bad_file_is_422(world, api_client_for):
    r = _api_upload(api_client_for("hr"), b"who,what\n1,2\n")
    assert r.status_code == 422
    assert "Unknown columns" in r.json()["detail"] and r.json()["errors"]["file"]
    r = _api_upload(api_client_for("hr"), make_csv([new_row("N-1")]), mode="everything")
    assert r.status_code == 422


def test_api_read_only_token_cannot_import(world, api_client_for):
    r = _api_upload(api_client_for("hr", scope="read"), make_csv([new_row("N-1")]))
    assert r.status_code == 403


def test_api_export(world, api_client_for):
    r = api_client_for("hr").get("/api/v1/employees/export?format=xlsx")
    assert r.status_code == 200 and r["Content-Type"] == importing.CONTENT_TYPES["xlsx"]
    assert openpyxl.load_workbook(io.BytesIO(r.content)).worksheets[0].max_row == 7
    assert api_client_for("hr").get("/api/v1/employees/export?format=pdf").status_code == 422
    # The single-employee route still answers for ids.
    pk = world.emp(world.employee).pk
    assert api_client_for("hr").get(f"/api/v1/employees/{pk}").status_code == 200


# ---------------------------------------------------------------- query counts


def _mixed_file(world, hr, size: int) -> bytes:
    """Half new people (managers alternate between an existing person and the previous new row),
    half changes to existing people (a promotion and a new phone)."""
    lead = world.emp(world.lead)
    existing = EmployeeFactory.create_batch(size // 2, org_unit=world.platform, job_family=world.engineering,
                                            manager=lead, level=3)
    rows = []
    for i in range(size // 2):
        manager = "T-lead" if i % 2 == 0 else f"Q-{i - 1}"
        rows.append(new_row(f"Q-{i}", manager=manager, position="se" if i % 3 == 0 else ""))
    for person in existing:
        rows.append(current_row(hr, person.employee_number, level="4", phone="13800000000"))
    return make_csv(rows)


def test_preview_runs_a_constant_number_of_queries(world, hr):
    small, large = _mixed_file(world, hr, 10), _mixed_file(world, hr, 100)
    with CaptureQueriesContext(connection) as ten:
        report = preview(hr, small)
    assert report.counts == {"create": 5, "update": 5, "unchanged": 0, "reject": 0}
    with CaptureQueriesContext(connection) as hundred:
        report = preview(hr, large)
    assert report.counts == {"create": 50, "update": 50, "unchanged": 0, "reject": 0}
    # people named in the file, which managers are visible, their manager chains, units, families,
    # positions
    assert len(ten) == len(hundred) == 6, [q["sql"] for q in hundred.captured_queries]


def test_apply_is_set_based(world, hr):
    content = _mixed_file(world, hr, 100)
    with CaptureQueriesContext(connection) as queries:
        result = apply(hr, content)
    assert result.applied and result.counts == {"create": 50, "update": 50, "unchanged": 0, "reject": 0}
    # Bulk statements, not one per row (SQLite splits bulk inserts into batches of a few dozen rows).
    assert len(queries) < 40, len(queries)
    assert EmploymentEvent.objects.filter(kind="promotion").count() == 50
    assert Employee.objects.get(employee_number="Q-3").manager_path == (
        f"{Employee.objects.get(employee_number='Q-2').reports_prefix}")


def test_export_runs_a_constant_number_of_queries(world, hr):
    with CaptureQueriesContext(connection) as few:
        importing.employee_export(actor=hr, fmt="csv")
    EmployeeFactory.create_batch(30, org_unit=world.platform, job_family=world.engineering)
    with CaptureQueriesContext(connection) as many:
        importing.employee_export(actor=hr, fmt="xlsx")
    assert len(few) == len(many) == 3  # the rows, the contracts in force, and the audit entry
