"""Payroll exports: the content of each file for a small scene worked out by hand, the encodings, the
layouts and their validation, the refusals, the audit entries and the query counts.

Figures (Shanghai, policy from 2024-07-01; see ``test_runs``): employee, lead and manager of pay group
A earn base 10,000 and meal 500 (taxable). January 2025, each: pension 800, medical 200, unemployment
50, housing fund 700 = 1,750 taken; employer pension 16 % of the 10,000 base = 1,600.

- employee declares children's education (2,000 a month): taxable 10,500 - 5,000 - 1,750 - 2,000 =
  1,750, tax 3 % = 52.50, net 10,500 - 1,750 - 52.50 = 8,697.50.
- lead has an annual bonus of 12,000 taxed separately: 12,000 / 12 = 1,000 is in the first bracket of
  the monthly table, tax 3 % = 360; wage tax (10,500 - 5,000 - 1,750) x 3 % = 112.50; net 10,500 -
  1,750 - 112.50 + 12,000 - 360 = 20,277.50.
- manager: tax 112.50, net 8,637.50.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from decimal import Decimal as D

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from openpyxl import load_workbook

from talentloop.core.access import actor_for
from talentloop.core.audit.models import AuditEntry
from talentloop.core.errors import Conflict, InvalidInput, PermissionDenied
from talentloop.organisation.models import Employee
from talentloop.payroll import exports, services
from talentloop.payroll.exports import layouts
from talentloop.payroll.exports.services import export_layout_save
from talentloop.payroll.models import ExportLayout, PayrollRun, RunKind, TaxDeclaration
from talentloop.payroll.services import runs
from talentloop.payroll.tests.scene import Scene, amounts, build_scene, contract, frozen_clock
from talentloop.testing.factories import EmployeeFactory

pytestmark = pytest.mark.django_db

JAN = dt.date(2025, 1, 1)
PEOPLE = ("employee", "lead", "manager")


def _salaries(scene: Scene, employees: list[Employee]) -> None:
    admin = actor_for(scene.world.admin)
    for emp in employees:
        services.salary_structure_set(
            actor=admin, employee=emp, effective_from=dt.date(2024, 12, 1), items=amounts(base="10000", meal="500")
        )


def export_scene(world) -> Scene:
    """The scene of this module (shared with the page and API tests): salaries, a declaration, a bonus."""
    s = build_scene(world)
    _salaries(s, [s.emp(p) for p in PEOPLE])
    TaxDeclaration.objects.create(
        employee=s.emp("employee"),
        kind="children_education",
        start=JAN,
        dependent="小明",
        dependent_birth_date=dt.date(2015, 3, 1),
    )
    runs.pay_item_record(
        actor=s.actor("payroll_a"),
        employee=s.emp("lead"),
        month=JAN,
        kind="annual_bonus",
        amount=D("12000"),
        reason="2024 annual bonus",
        bonus_method="separate",
    )
    return s


@pytest.fixture
def scene(world) -> Scene:
    with frozen_clock():
        yield export_scene(world)


def _calculated(scene: Scene) -> PayrollRun:
    run = runs.payroll_run_create(actor=scene.actor("payroll_a"), pay_group=scene.group_a, month=JAN)
    return runs.payroll_run_calculate(actor=scene.actor("payroll_a"), run=run).run


def _approved(scene: Scene) -> PayrollRun:
    run = runs.payroll_run_submit(actor=scene.actor("payroll_a"), run=_calculated(scene))
    return runs.payroll_run_approve(actor=actor_for(scene.world.admin), run=run)


def _locked(scene: Scene) -> PayrollRun:
    return runs.payroll_run_lock(actor=scene.actor("payroll_a"), run=_approved(scene))


@pytest.fixture
def locked(scene) -> PayrollRun:
    with frozen_clock():
        return _locked(scene)


def _csv(content: bytes, encoding: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(content.decode(encoding))))


def _sheets(content: bytes) -> dict[str, list[list]]:
    """Each sheet's rows, padded to the header's width (an empty cell is not written)."""
    book = load_workbook(io.BytesIO(content), read_only=True)
    out = {}
    for ws in book.worksheets:
        rows = [list(r) for r in ws.iter_rows(values_only=True)]
        width = len(rows[0]) if rows else 0
        out[ws.title] = [r + [None] * (width - len(r)) for r in rows]
    return out


# ------------------------------------------------------------------------------------------------ bank file


def test_the_bank_file_pays_everyone_their_net_in_gb18030_by_default(scene, locked):
    with frozen_clock():
        out = exports.export_for(scene.actor("payroll_a"), kind="bank", run=locked)
    assert (out.format, out.people, out.filename) == ("csv", 3, f"bank-sh-staff-2025-01-{locked.pk}.csv")
    assert "gb18030" in out.content_type
    rows = _csv(out.content, "gb18030")
    assert rows == [
        ["Employee number", "Name", "Bank account", "Net pay"],
        ["T-employee", "employee-中文", "6222020200112233445", "8697.50"],
        ["T-lead", "lead-中文", "6222020200112233445", "20277.50"],
        ["T-manager", "manager-中文", "6222020200112233445", "8637.50"],
    ]
    # Not UTF-8: the Chinese names are GB18030 bytes, and they come back whole.
    with pytest.raises(UnicodeDecodeError):
        out.content.decode("utf-8")
    assert "employee-中文".encode("gb18030") in out.content


def test_an_approved_run_has_its_bank_file_and_a_calculated_one_none(scene):
    with frozen_clock():
        run = _calculated(scene)
        with pytest.raises(Conflict):
            exports.build("bank", run)
        run = runs.payroll_run_submit(actor=scene.actor("payroll_a"), run=run)
        run = runs.payroll_run_approve(actor=actor_for(scene.world.admin), run=run)
        assert exports.build("bank", run).people == 3
        # The reports are made from what was paid: a locked run only.
        with pytest.raises(Conflict):
            exports.build("iit", run)


def test_a_layout_chooses_columns_headers_a_constant_utf8_bom_and_excel(scene, locked):
    actor = scene.actor("payroll_a")
    with frozen_clock():
        layout = export_layout_save(
            actor=actor,
            kind="bank",
            name="ICBC",
            format="csv",
            encoding="utf-8-sig",
            columns=[
                {"field": "bank_account", "header": "账号"},
                {"field": "name", "header": "户名"},
                {"field": "net_pay", "header": "金额"},
                {"field": "constant", "header": "用途", "value": "工资"},
                {"field": "org_unit"},
                {"field": "month"},
                {"field": "pay_group"},
            ],
        )
        out = exports.export_for(actor, kind="bank", run=locked, layout=layout)
        assert out.content.startswith(b"\xef\xbb\xbf")  # the BOM Excel needs to read UTF-8
        rows = _csv(out.content, "utf-8-sig")
        assert rows[0] == ["账号", "户名", "金额", "用途", "Org unit", "Month", "Pay group"]
        assert rows[1] == ["6222020200112233445", "employee-中文", "8697.50", "工资", "Platform", "2025-01",
                           "Shanghai staff"]  # fmt: skip
        assert rows[3][4] == "R&D"
        xlsx = exports.export_for(actor, kind="bank", run=locked, layout=layout, fmt="xlsx")
    sheet = next(iter(_sheets(xlsx.content).values()))
    assert sheet[0][:3] == ["账号", "户名", "金额"]
    # The account stays text (no 6.22E+18), the amount is a number with its cents.
    assert sheet[2][:3] == ["6222020200112233445", "lead-中文", 20277.5]


def test_people_without_a_bank_account_are_named_and_no_file_is_made(scene, locked):
    for persona in ("lead", "manager"):
        emp = scene.emp(persona)
        emp.bank_account = ""
        emp.save()
    entries = AuditEntry.objects.count()
    with frozen_clock(), pytest.raises(InvalidInput) as refused:
        exports.export_for(scene.actor("payroll_a"), kind="bank", run=locked)
    assert refused.value.errors == {"bank_account": ["T-lead lead-中文", "T-manager manager-中文"]}
    assert "2 people" in refused.value.detail
    assert AuditEntry.objects.count() == entries  # nothing was read out


def test_gb18030_keeps_characters_gbk_does_not_have(scene, locked):
    # 䶮 (U+4DAE, CJK extension A) is in GB18030 but not in GBK: the name survives the round trip.
    emp = scene.emp("employee")
    emp.name = "李䶮"
    emp.save()
    with pytest.raises(UnicodeEncodeError):
        "李䶮".encode("gbk")
    out = exports.build("bank", locked)
    assert _csv(out.content, "gb18030")[1][1] == "李䶮"


def test_a_name_a_spreadsheet_would_run_is_written_as_text(scene, locked):
    emp = scene.emp("employee")
    emp.name = "=HYPERLINK(1)"
    emp.save()
    out = exports.build("bank", locked)
    assert _csv(out.content, "gb18030")[1][1] == "'=HYPERLINK(1)"


# ------------------------------------------------------------------------------------------------ IIT sheet


def test_the_iit_sheet_follows_the_tax_bureau_template_with_the_bonus_on_its_own_sheet(scene, locked):
    with frozen_clock():
        out = exports.export_for(scene.actor("payroll_a"), kind="iit", run=locked)
    assert out.format == "xlsx" and out.people == 3
    sheets = _sheets(out.content)
    assert list(sheets) == ["正常工资薪金收入", "全年一次性奖金收入"]
    wages = sheets["正常工资薪金收入"]
    assert wages[0] == [c["header"] for c in layouts.IIT_DEFAULT_COLUMNS]
    assert wages[0][:6] == ["工号", "*姓名", "*证件类型", "*证件号码", "本期收入", "本期免税收入"]
    employee = dict(zip(wages[0], wages[1], strict=True))
    assert employee["工号"] == "T-employee" and employee["*证件类型"] == "居民身份证"
    assert employee["*证件号码"] == "110101199001011234"
    assert (employee["本期收入"], employee["本期免税收入"]) == (10500, 0)
    assert (employee["基本养老保险费"], employee["基本医疗保险费"], employee["失业保险费"], employee["住房公积金"]) == (
        800,
        200,
        50,
        700,
    )
    assert employee["累计子女教育"] == 2000 and employee["累计住房租金"] == 0
    lead = dict(zip(wages[0], wages[2], strict=True))
    assert lead["本期收入"] == 10500 and lead["累计子女教育"] == 0  # the separate bonus is not wage income
    assert [r[0] for r in wages[1:]] == ["T-employee", "T-lead", "T-manager"]
    bonus = sheets["全年一次性奖金收入"]
    assert bonus[0] == layouts.IIT_BONUS_HEADERS
    assert bonus[1][:5] == ["T-lead", "lead-中文", "居民身份证", "110101199001011234", 12000]
    assert len(bonus) == 2


def test_the_iit_sheet_sums_the_month_over_its_locked_runs(scene, locked):
    # An off-cycle run in January pays employee a bonus of 30,000 taxed separately (tax 900): it is the
    # same tax month, so the sheet of either run reports it on the bonus sheet, beside lead's 12,000.
    with frozen_clock():
        runs.pay_item_record(
            actor=scene.actor("payroll_a"), employee=scene.emp("employee"), month=JAN, kind="annual_bonus",
            amount=D("30000"), reason="2024 annual bonus", bonus_method="separate",
        )  # fmt: skip
        extra = runs.payroll_run_create(
            actor=scene.actor("payroll_a"), pay_group=scene.group_a, month=JAN, kind=RunKind.OFF_CYCLE
        )
        runs.payroll_run_calculate(actor=scene.actor("payroll_a"), run=extra)
        pending = _sheets(exports.build("iit", locked).content)
        assert len(pending["全年一次性奖金收入"]) == 2  # the off-cycle run is not locked yet: not reported
        extra = runs.payroll_run_submit(actor=scene.actor("payroll_a"), run=extra)
        extra = runs.payroll_run_approve(actor=actor_for(scene.world.admin), run=extra)
        extra = runs.payroll_run_lock(actor=scene.actor("payroll_a"), run=extra)
        sheets = _sheets(exports.build("iit", extra).content)
    assert [r[:5] for r in sheets["全年一次性奖金收入"][1:]] == [
        ["T-employee", "employee-中文", "居民身份证", "110101199001011234", 30000],
        ["T-lead", "lead-中文", "居民身份证", "110101199001011234", 12000],
    ]
    wages = sheets["正常工资薪金收入"]
    employee = dict(zip(wages[0], wages[1], strict=True))
    assert (employee["本期收入"], employee["基本养老保险费"]) == (10500, 800)  # no second month of wages


def test_the_iit_sheet_as_csv_is_refused_when_a_bonus_needs_its_own_sheet(scene, locked):
    with pytest.raises(InvalidInput) as refused:
        exports.build("iit", locked, fmt="csv")
    assert "format" in refused.value.errors


def test_the_iit_sheet_as_csv_without_bonuses(world):
    with frozen_clock():
        s = build_scene(world)
        _salaries(s, [s.emp("manager")])
        run = _locked(s)
        out = exports.build("iit", run, fmt="csv")
    rows = _csv(out.content, "gb18030")
    assert rows[0][:4] == ["工号", "*姓名", "*证件类型", "*证件号码"]
    # employee and lead have no salary: no income, contributions on the city's floor of 7,384.
    assert rows[1][:10] == ["T-employee", "employee-中文", "居民身份证", "110101199001011234", "0.00", "0.00",
                            "590.72", "147.68", "36.92", "188.00"]  # fmt: skip
    assert rows[3][:10] == ["T-manager", "manager-中文", "居民身份证", "110101199001011234", "10500.00", "0.00",
                            "800.00", "200.00", "50.00", "700.00"]  # fmt: skip


# ------------------------------------------------------------------------------------------------ journal


def test_the_journal_sums_each_line_code_per_cost_centre(scene, locked):
    out = exports.build("journal", locked)
    rows = next(iter(_sheets(out.content).values()))
    assert rows[0] == ["Cost centre", "Line code", "Line", "Kind", "Amount", "People"]
    table = {(r[0], r[1]): (r[4], r[5]) for r in rows[1:]}
    # employee and lead are in Platform, manager in R&D.
    assert table[("Platform", "component.base")] == (20000, 2)
    assert table[("R&D", "component.base")] == (10000, 1)
    assert table[("Platform", "pension.employee")] == (-1600, 2)
    assert table[("Platform", "bonus")] == (12000, 1)
    assert table[("Platform", "net")] == (28975, 2)  # 8,697.50 + 20,277.50
    assert table[("R&D", "net")] == (8637.5, 1)
    assert table[("Platform", "pension.employer")] == (3200, 2)
    labels = {r[1]: r[2] for r in rows[1:]}
    assert labels["component.base"] == "基本工资" or labels["component.base"] == "Base salary"
    assert out.people == 3
    csv_rows = _csv(exports.build("journal", locked, fmt="csv").content, "utf-8-sig")
    assert ["Platform", "net", "Net pay", "Total", "28975.00", "2"] in csv_rows


def test_the_journal_puts_a_person_in_their_unit_at_the_end_of_the_month(scene, locked):
    # Moved to Sales in February: January's costs stay with Platform.
    from talentloop.organisation.models import EmploymentEvent

    emp = scene.emp("lead")
    EmploymentEvent.objects.create(employee=emp, kind="transfer", effective_date=dt.date(2025, 2, 1),
                                   org_unit=scene.world.sales)  # fmt: skip
    EmploymentEvent.objects.create(employee=emp, kind="hire", effective_date=dt.date(2019, 5, 6),
                                   org_unit=scene.world.platform)  # fmt: skip
    Employee.objects.filter(pk=emp.pk).update(org_unit=scene.world.sales)
    rows = next(iter(_sheets(exports.build("journal", locked).content).values()))
    assert {r[0] for r in rows[1:]} == {"Platform", "R&D"}


# ------------------------------------------------------------------------------------------------ contributions


def test_the_contribution_lists_give_each_city_and_fund_its_people_and_totals(scene, locked):
    out = exports.build("contributions", locked)
    sheets = _sheets(out.content)
    assert list(sheets) == [
        "上海 Pension insurance",
        "上海 Medical insurance",
        "上海 Unemployment insurance",
        "上海 Work injury insurance",
        "上海 Housing fund",
    ]
    pension = sheets["上海 Pension insurance"]
    assert pension[0] == ["Employee number", "Name", "Contribution base", "Employee amount", "Employer amount"]
    assert pension[1] == ["T-employee", "employee-中文", 10000, 800, 1600]
    assert pension[-1] == ["Total", "3 people", None, 2400, 4800]
    housing = sheets["上海 Housing fund"]
    assert housing[-1][3] == 2100
    assert out.people == 3
    with pytest.raises(InvalidInput):
        exports.build("contributions", locked, fmt="csv")


# ------------------------------------------------------------------------------------------------ access, audit


def test_exports_are_for_payroll_of_the_group_and_admins_and_audited_without_amounts(scene, locked):
    with frozen_clock():
        for persona in ("payroll_b", "payroll_none", "hr", "manager", "employee"):
            with pytest.raises(PermissionDenied):
                exports.export_for(scene.actor(persona), kind="bank", run=locked)
        assert not AuditEntry.objects.filter(action="read_sensitive").exists()
        exports.export_for(actor_for(scene.world.admin), kind="iit", run=locked)
    entry = AuditEntry.objects.get(action="read_sensitive")
    assert entry.entity_type == "payroll.payrollrun" and entry.entity_id == str(locked.pk)
    assert entry.changes == {"export": "iit", "format": "xlsx", "layout": None, "people": 3}
    text = f"{entry.summary} {entry.changes} {entry.entity_label}"
    for secret in ("8697", "10500", "6222020200112233445", "110101199001011234", "12000"):
        assert secret not in text


# ------------------------------------------------------------------------------------------------ layouts


def test_a_layout_with_an_unknown_field_is_refused_with_the_field_named(scene):
    actor = scene.actor("payroll_a")
    with pytest.raises(InvalidInput) as refused:
        export_layout_save(actor=actor, kind="bank", name="X", format="csv", encoding="gb18030",
                           columns=[{"field": "salary"}, {"field": "bank_account"}, {"field": "net_pay"},
                                    {"field": "constant"}])  # fmt: skip
    errors = refused.value.errors
    assert errors["columns.0.field"] == ["Unknown field “salary”."]
    assert "columns.3.value" in errors
    with pytest.raises(InvalidInput) as refused:
        export_layout_save(actor=actor, kind="bank", name="X", format="pdf", encoding="latin-1",
                           columns=[{"field": "name"}])  # fmt: skip
    assert set(refused.value.errors) == {"format", "encoding", "columns"}
    assert not ExportLayout.objects.exists()
    with pytest.raises(PermissionDenied):
        export_layout_save(actor=scene.actor("hr"), kind="bank", name="X", format="csv", encoding="gb18030",
                           columns=[{"field": "bank_account"}, {"field": "net_pay"}])  # fmt: skip


def test_the_default_layout_of_a_kind_is_used_and_only_one_is_default(scene, locked):
    actor = scene.actor("payroll_a")
    cols = [{"field": "net_pay"}, {"field": "bank_account"}]
    with frozen_clock():
        first = export_layout_save(actor=actor, kind="bank", name="A", format="csv", encoding="utf-8-sig",
                                   columns=cols, is_default=True)  # fmt: skip
        second = export_layout_save(actor=actor, kind="bank", name="B", format="xlsx", encoding="utf-8-sig",
                                    columns=cols, is_default=True)  # fmt: skip
        first.refresh_from_db()
        assert not first.is_default and second.is_default
        assert exports.build("bank", locked).format == "xlsx"
        with pytest.raises(InvalidInput):
            export_layout_save(actor=actor, kind="bank", name="B", format="csv", encoding="utf-8-sig", columns=cols)
        with pytest.raises(InvalidInput):
            exports.build("iit", locked, layout=second)
        with pytest.raises(InvalidInput):
            exports.build("journal", locked, layout=second)


# ------------------------------------------------------------------------------------------------ queries


def _more_people(scene: Scene, count: int) -> None:
    extra = []
    for i in range(count):
        emp = EmployeeFactory(org_unit=scene.world.platform, job_family=scene.world.engineering,
                              employee_number=f"X{i:03}", name=f"员工{i}", name_en=f"Extra {i}",
                              hire_date=dt.date(2019, 5, 6), bank_account=f"62220000{i:05}",
                              national_id=f"11010119900101{i:04}")  # fmt: skip
        contract(emp, scene.group_a.key)
        extra.append(emp)
    _salaries(scene, extra)


def _queries(run: PayrollRun) -> dict[str, int]:
    counts = {}
    for kind in exports.KINDS:
        with CaptureQueriesContext(connection) as ctx:
            exports.build(kind, run)
        counts[kind] = len(ctx.captured_queries)
    return counts


def test_the_number_of_queries_does_not_grow_with_the_people(world):
    with frozen_clock():
        s = build_scene(world)
        _salaries(s, [s.emp(p) for p in PEOPLE])
        small = _queries(_locked(s))
        PayrollRun.objects.all().delete()
        _more_people(s, 12)
        run = _locked(s)
        assert run.people == 15
        large = _queries(run)
    assert small == large
    assert large["bank"] <= 3 and large["iit"] <= 6


# ------------------------------------------------------------------------------------------------ writers


def test_the_workbook_writer_escapes_skips_empty_cells_and_names_sheets_as_excel_wants():
    from talentloop.payroll.exports.writers import Sheet, write_xlsx

    content = write_xlsx(
        [
            Sheet("A&B <x>", ["h1", "h2", "h3"], [["x&y", None, D("1.50")], ["", "=1+1", 3]], frozenset({2})),
            Sheet("A&B <x>", ["z"], [["\x01bad"]]),
            Sheet("a" * 40 + "[1]", ["z"], []),
        ]
    )
    book = load_workbook(io.BytesIO(content))  # the full reader, not only the streaming one
    first, second, third = book.worksheets
    assert (first.title, second.title, third.title) == ("A&B <x>", "A&B <x> (2)", "a" * 31)
    assert [[c.value for c in row] for row in first.iter_rows()] == [
        ["h1", "h2", "h3"],
        ["x&y", None, 1.5],  # the cell after an empty one keeps its column
        [None, "'=1+1", 3],  # a formula stays text
    ]
    assert first["C2"].number_format == "#,##0.00"
    assert second["A2"].value == "bad"  # a control character XML cannot hold is dropped


def test_rows_of_one_shape_take_the_quick_path_with_the_same_care():
    from talentloop.payroll.exports.writers import Sheet, write_xlsx

    rows = [["a", D("1.00"), 1], ["x&<y>", D("-0.50"), 2], ["=cmd", D("3.00"), 3], ["\x02z", D("4.00"), 4],
            ["", D("5.00"), 5], ["b", None, 6]]  # fmt: skip
    book = load_workbook(io.BytesIO(write_xlsx([Sheet("s", ["t", "m", "n"], rows, frozenset({1}))])))
    values = [[c.value for c in row] for row in book.active.iter_rows(min_row=2)]
    assert values == [["a", 1, 1], ["x&<y>", -0.5, 2], ["'=cmd", 3, 3], ["z", 4, 4], [None, 5, 5], ["b", None, 6]]
    assert book.active["B3"].number_format == "#,##0.00"
