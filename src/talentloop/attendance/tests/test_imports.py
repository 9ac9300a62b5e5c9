"""Importing attendance-machine punches: the service (dry run and import, every refusal, idempotence,
CSV and Excel, Chinese and English headers, night shifts, locked months, access).

Time is frozen at 2026-11-10 10:00 in Shanghai (02:00 UTC). The organisation's zone is UTC+8, so a
local 08:59:12 on 2026-11-03 is 00:59:12 UTC."""

from __future__ import annotations

import datetime as dt
import io

import openpyxl
import pytest
import time_machine

from talentloop.attendance.models import (
    ClockEvent,
    ClockImport,
    MonthLock,
    ScheduleKind,
    Shift,
    WorkSchedule,
)
from talentloop.attendance.services.imports import clock_import, external_id
from talentloop.core.errors import InvalidInput, PermissionDenied
from talentloop.organisation.models import Employee

pytestmark = pytest.mark.django_db

NOW = dt.datetime(2026, 11, 10, 2, 0, tzinfo=dt.UTC)
UTC = dt.UTC


@pytest.fixture(autouse=True)
def _frozen():
    with time_machine.travel(NOW, tick=False):
        yield


def _csv(*lines: str) -> bytes:
    return ("\n".join(lines) + "\n").encode()


GOOD_AND_BAD = _csv(
    "工号,姓名,打卡时间,设备",
    "T-employee,员工,2026-11-03 08:59:12,大门-01",      # line 2: good
    "T-employee,员工,2026/11/3 18:01,大门-01",          # line 3: good (another form)
    "NOPE-1,谁,2026-11-03 09:00:00,大门-01",            # line 4: unknown employee
    "T-lead,主管,2026-11-11 09:00:00,大门-01",           # line 5: future (now is 11-10 10:00 local)
    "T-lead,主管,2026-11-03 09:00:00,",                 # line 6: no device
    "T-lead,主管,三号上午,大门-01",                       # line 7: not a timestamp
    "T-employee,员工,2026-11-03 08:59:12,大门-01",      # line 8: the same punch as line 2
)


def test_dry_run_reports_row_by_row_and_writes_nothing(actor_of):
    report = clock_import(actor_of("hr"), file=GOOD_AND_BAD, file_name="gate.csv", dry_run=True)
    # 7 data rows: lines 2 and 3 are added, line 8 repeats line 2, lines 4-7 are refused.
    assert (report.rows, report.added, report.duplicates, report.rejected) == (7, 2, 1, 4)
    assert report.kept == 3
    reasons = {e.line: e.reasons for e in report.errors}
    assert reasons[4] == ["No employee has the number NOPE-1."]
    assert reasons[5] == ["The timestamp is in the future."]
    assert reasons[6] == ["The device is missing."]
    assert reasons[7] == ["The timestamp is not a date and time (e.g. 2026-11-03 08:59:12)."]
    assert report.ignored_columns == ["姓名"]
    assert report.people == 1
    assert report.first_at == dt.datetime(2026, 11, 3, 0, 59, 12, tzinfo=UTC)
    assert report.last_at == dt.datetime(2026, 11, 3, 10, 1, tzinfo=UTC)
    assert report.import_id is None
    assert not ClockEvent.objects.exists() and not ClockImport.objects.exists()


def test_import_keeps_the_good_rows_and_a_second_import_adds_nothing(world, actor_of):
    first = clock_import(actor_of("hr"), file=GOOD_AND_BAD, file_name="gate.csv", dry_run=False)
    assert (first.rows, first.added, first.duplicates, first.rejected) == (7, 2, 1, 4)
    events = list(ClockEvent.objects.order_by("at"))
    employee = world.emp(world.employee)
    assert [(e.employee_id, e.at, e.work_date, e.direction, e.source, e.device) for e in events] == [
        (employee.pk, dt.datetime(2026, 11, 3, 0, 59, 12, tzinfo=UTC), dt.date(2026, 11, 3), "punch", "device",
         "大门-01"),
        (employee.pk, dt.datetime(2026, 11, 3, 10, 1, tzinfo=UTC), dt.date(2026, 11, 3), "punch", "device", "大门-01"),
    ]
    assert events[0].external_id == external_id("T-employee", dt.datetime(2026, 11, 3, 0, 59, 12), "大门-01")
    record = ClockImport.objects.get()
    assert record.pk == first.import_id and all(e.batch_id == record.pk for e in events)
    assert (record.rows, record.added, record.duplicates, record.rejected) == (7, 2, 1, 4)
    assert [e["line"] for e in record.errors] == [4, 5, 6, 7]
    assert record.by == world.hr and record.file_name == "gate.csv"

    again = clock_import(actor_of("hr"), file=GOOD_AND_BAD, file_name="gate.csv", dry_run=False)
    # Every good row is already there: nothing added, the 3 good rows count as duplicates.
    assert (again.added, again.duplicates, again.rejected) == (0, 3, 4)
    assert again.imported_before is not None
    assert ClockEvent.objects.count() == 2
    # The dry run of the same file now predicts the same.
    check = clock_import(actor_of("hr"), file=GOOD_AND_BAD, dry_run=True)
    assert (check.added, check.duplicates) == (0, 3)


def test_the_same_punch_in_another_file_is_not_added_twice(actor_of):
    first = _csv("工号,打卡时间,设备", "T-employee,2026-11-03 08:59:12,大门-01")
    clock_import(actor_of("hr"), file=first, dry_run=False)
    # The same instant written as an ISO time with its offset, in English headers, plus a new punch.
    report = clock_import(actor_of("hr"), file=_csv("Employee number,Timestamp,Device",
                                                    "T-employee,2026-11-03T00:59:12+00:00,大门-01",
                                                    "T-employee,2026-11-03 18:00:00,大门-01"), dry_run=False)
    assert (report.added, report.duplicates) == (1, 1)
    assert ClockEvent.objects.count() == 2


def test_a_different_device_or_second_is_another_punch(actor_of):
    report = clock_import(actor_of("hr"), file=_csv("工号,打卡时间,设备",
                                                    "T-employee,2026-11-03 08:59:12,大门-01",
                                                    "T-employee,2026-11-03 08:59:13,大门-01",
                                                    "T-employee,2026-11-03 08:59:12,大门-02"), dry_run=False)
    assert report.added == 3


def test_excel_with_date_and_time_columns(actor_of):
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(["考勤号码", "姓名", "日期", "时间", "机器号"])
    sheet.append(["T-employee", "员工", dt.date(2026, 11, 3), dt.time(8, 59, 12), "A-1"])
    sheet.append(["T-lead", "主管", dt.date(2026, 11, 3), dt.time(9, 1), "A-1"])
    sheet.append(["T-ghost", "", dt.date(2026, 11, 3), dt.time(9, 2), "A-1"])
    buffer = io.BytesIO()
    workbook.save(buffer)
    report = clock_import(actor_of("hr"), file=buffer.getvalue(), file_name="machine.xlsx", dry_run=False)
    assert (report.rows, report.added, report.rejected) == (3, 2, 1)
    assert report.errors[0].line == 4 and report.errors[0].employee_number == "T-ghost"
    assert set(ClockEvent.objects.values_list("at", flat=True)) == {
        dt.datetime(2026, 11, 3, 0, 59, 12, tzinfo=UTC), dt.datetime(2026, 11, 3, 1, 1, tzinfo=UTC)}


def test_excel_timestamp_cells_and_chinese_date_text(actor_of):
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(["工号", "打卡时间", "设备"])
    sheet.append(["T-employee", dt.datetime(2026, 11, 3, 8, 59, 12), "A-1"])
    sheet.append(["T-employee", "2026年11月3日 18:05", "A-1"])
    sheet.append(["T-employee", "20261104085900", "A-1"])
    buffer = io.BytesIO()
    workbook.save(buffer)
    report = clock_import(actor_of("hr"), file=buffer.getvalue(), dry_run=False)
    assert report.added == 3 and report.rejected == 0
    # 18:05 local is 10:05 UTC; 2026-11-04 08:59:00 local is 00:59 UTC.
    assert sorted(ClockEvent.objects.values_list("at", flat=True))[1:] == [
        dt.datetime(2026, 11, 3, 10, 5, tzinfo=UTC), dt.datetime(2026, 11, 4, 0, 59, tzinfo=UTC)]


def test_before_hiring_after_leaving_and_before_2000_are_refused(world, actor_of):
    Employee.objects.filter(user=world.lead).update(termination_date=dt.date(2026, 10, 31))
    report = clock_import(actor_of("hr"), file=_csv(
        "工号,打卡时间,设备",
        "T-employee,2019-05-05 09:00:00,A",   # hired 2019-05-06
        "T-lead,2026-11-02 09:00:00,A",       # left 2026-10-31
        "T-lead,2026-10-31 18:00:00,A",       # the last day: kept
        "T-mentor,1999-12-31 09:00:00,A",
    ), dry_run=False)
    assert report.added == 1
    assert [e.reasons for e in report.errors] == [
        ["The punch is before the person's hire date (2019-05-06)."],
        ["The punch is after the person left (2026-10-31)."],
        ["The timestamp is before the year 2000."],
    ]


def test_a_row_with_several_problems_lists_them_all(actor_of):
    report = clock_import(actor_of("hr"), file=_csv("工号,打卡时间,设备", ",,"[:-1] + ",x"), dry_run=True)
    assert report.errors[0].reasons == ["The employee number is missing.", "The timestamp is missing."]


def test_locked_month_rows_are_refused(world, actor_of):
    MonthLock.objects.create(month=dt.date(2026, 10, 1), locked_by=world.hr)
    report = clock_import(actor_of("hr"), file=_csv("工号,打卡时间,设备", "T-employee,2026-10-30 09:00:00,A",
                                                    "T-employee,2026-11-02 09:00:00,A"), dry_run=False)
    assert (report.added, report.rejected) == (1, 1)
    assert report.errors[0].reasons == ["The month 2026-10 is locked: its punches can no longer be imported."]


def test_night_shift_morning_punch_counts_to_the_day_it_started(world, actor_of):
    night = Shift.objects.create(code="night", name="夜班", start=dt.time(22), end=dt.time(6))
    WorkSchedule.objects.create(employee=world.emp(world.employee), kind=ScheduleKind.FIXED, shift=night,
                                effective_from=dt.date(2026, 1, 1))
    clock_import(actor_of("hr"), file=_csv(
        "工号,打卡时间,设备",
        "T-employee,2026-11-03 21:55:00,A",   # Tuesday evening: arrival, counts to 11-03
        "T-employee,2026-11-04 06:02:00,A",   # before 06:00 + 4 h after Tuesday's night shift: 11-03
        "T-employee,2026-11-04 10:30:00,A",   # after 10:00: counts to its own date, 11-04
        "T-lead,2026-11-04 06:02:00,A",       # no night shift planned for lead: 11-04
    ), dry_run=False)
    got = {(n, at.astimezone(dt.timezone(dt.timedelta(hours=8))).strftime("%m-%d %H:%M"), day)
           for n, at, day in ClockEvent.objects.values_list("employee__employee_number", "at", "work_date")}
    assert got == {("T-employee", "11-03 21:55", dt.date(2026, 11, 3)),
                   ("T-employee", "11-04 06:02", dt.date(2026, 11, 3)),
                   ("T-employee", "11-04 10:30", dt.date(2026, 11, 4)),
                   ("T-lead", "11-04 06:02", dt.date(2026, 11, 4))}


@pytest.mark.parametrize("content, message", [
    (b"", "The file is empty."),
    (_csv("name,when,where", "a,b,c"), "Required columns are missing"),
    (_csv("工号,打卡时间,设备"), "The file has column names but no punches."),
    (_csv("工号,打卡时间,设备,工号", "a,b,c,d"), "Columns appear more than once"),
    (b"\xd0\xcf\x11\xe0rest", "Old .xls workbooks are not supported"),
])
def test_files_that_are_not_a_table_of_punches_are_refused_whole(actor_of, content, message):
    with pytest.raises(InvalidInput) as exc:
        clock_import(actor_of("hr"), file=content, dry_run=False)
    assert message in exc.value.detail and "file" in exc.value.errors
    assert not ClockImport.objects.exists()


def test_gb18030_csv_from_chinese_excel(actor_of):
    content = "工号,打卡时间,设备\nT-employee,2026-11-03 08:59:12,大门\n".encode("gb18030")
    assert clock_import(actor_of("hr"), file=content, dry_run=False).added == 1


@pytest.mark.parametrize("persona", ["employee", "manager", "admin", "outsider"])
def test_only_hr_for_the_whole_organisation_imports(actor_of, persona):
    with pytest.raises(PermissionDenied):
        clock_import(actor_of(persona), file=GOOD_AND_BAD, dry_run=True)


def test_hr_for_one_unit_does_not_import(world, actor_of):
    from talentloop.core.access import actor_for
    from talentloop.testing.factories import UserFactory, grant

    unit_hr = UserFactory(username="unit-hr")
    grant(unit_hr, "hr", world.platform)
    with pytest.raises(PermissionDenied):
        clock_import(actor_for(unit_hr), file=GOOD_AND_BAD, dry_run=True)
