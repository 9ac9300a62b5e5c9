"""core.tabular: the one reading pipeline of the employee and observation uploads."""

from __future__ import annotations

import io

import openpyxl
import pytest

from talentloop.core import tabular
from talentloop.core.errors import InvalidInput

COLUMNS = tabular.Columns(allowed=["number", "id", "name", "day"], required=[("number", "id"), "name"], max_rows=3,
                          too_wide="%(n)s columns; at most %(max)s.", no_rows="No people.")


def read(text: str | bytes):
    return tabular.read_table(text.encode() if isinstance(text, str) else text, COLUMNS)


def test_rows_come_with_their_line_numbers_and_blank_lines_are_skipped():
    header, rows = read("Number,Name\n\nE-1,王小明\n,,\nE-2,李雷,extra\n")
    assert header == ["number", "name"]
    assert rows == [(3, {"number": "E-1", "name": "王小明"}),
                    (5, {"number": "E-2", "name": "李雷", tabular.EXTRA: True})]


def test_encodings_and_delimiters():
    assert read("\ufeffid;name\n7;Ann\n".encode())[1] == [(2, {"id": "7", "name": "Ann"})]
    assert read("number\tname\nE-1\t张三\n".encode("gb18030"))[1] == [(2, {"number": "E-1", "name": "张三"})]


def test_a_workbook_is_read_from_its_first_sheet():
    book = openpyxl.Workbook()
    book.active.append(["number", "name", "day"])
    book.active.append(["E-1", "Ann", 3.0])
    out = io.BytesIO()
    book.save(out)
    assert read(out.getvalue())[1] == [(2, {"number": "E-1", "name": "Ann", "day": 3.0})]


@pytest.mark.parametrize(("content", "message"), [
    ("", "empty"),
    ("number,name\n", "No people."),
    ("number,nom\nE-1,x\n", "Unknown columns: nom"),
    ("name,name\nx,y\n", "Columns appear more than once: name"),
    ("name\nAnn\n", "Required columns are missing: number"),
    ("number,name\n" + "E,x\n" * 4, "more than 3 rows"),
    ("number,name," + ",".join(f"c{i}" for i in range(250)) + "\nE,x\n", "252 columns; at most 200."),
])
def test_what_is_not_a_table_of_ours_is_refused_on_the_file_field(content, message):
    with pytest.raises(InvalidInput) as info:
        read(content)
    assert message in info.value.detail and info.value.errors["file"]


def test_old_workbooks_oversized_files_and_unknown_encodings_are_refused():
    for content in (b"\xd0\xcf\x11\xe0rest", b"x" * (tabular.MAX_BYTES + 1), b"number,name\n\xff\xfe\xfa,\x81\n"):
        with pytest.raises(InvalidInput):
            read(content)


def test_trailing_empty_header_cells_do_not_count_towards_the_width():
    assert tabular.check_header(["number", "name", *[""] * 500], COLUMNS) == ["number", "name"]
