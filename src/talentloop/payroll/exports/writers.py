"""CSV and Excel writers for the payroll exports: rows streamed into the file, money written from the
Decimal as it is (never through float), text that a spreadsheet would run as a formula kept as text."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CSV = "text/csv"
MONEY_FORMAT = "#,##0.00"
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


@dataclass
class Sheet:
    title: str
    header: list[str]
    rows: Iterable[Sequence[Any]]
    # Columns (0-based) holding money, formatted with two places in Excel.
    money: frozenset[int] = frozenset()


def guard(value: Any) -> Any:
    """Text a spreadsheet would read as a formula is kept as text (a leading apostrophe)."""
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value


def _csv_value(value: Any) -> Any:
    if isinstance(value, Decimal):
        return f"{value:.2f}"
    return guard(value)


def write_csv(sheet: Sheet, encoding: str) -> bytes:
    """One sheet as CSV in ``encoding`` ("utf-8-sig" writes the byte-order mark Excel needs; "gb18030"
    is what Chinese banks' uploads read). GB18030 encodes every Unicode character, so nothing is lost."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow([guard(h) for h in sheet.header])
    writer.writerows([_csv_value(v) for v in row] for row in sheet.rows)
    return buffer.getvalue().encode(encoding)


def write_xlsx(sheets: Sequence[Sheet]) -> bytes:
    """The sheets as one workbook, written in openpyxl's write-only mode (rows go straight to the file:
    memory does not grow with the rows)."""
    from openpyxl import Workbook  # heavy import: only when a workbook is written
    from openpyxl.cell import WriteOnlyCell

    workbook = Workbook(write_only=True)
    for sheet in sheets:
        ws = workbook.create_sheet(_sheet_title(sheet.title))
        ws.append([guard(h) for h in sheet.header])
        money = sheet.money
        if money:
            # One styled cell per money column, reused for every row: the writer serialises each row as
            # it is appended, so the cell's value can change after.
            cells = {i: WriteOnlyCell(ws) for i in money}
            for cell in cells.values():
                cell.number_format = MONEY_FORMAT
            for row in sheet.rows:
                out: list[Any] = []
                for i, value in enumerate(row):
                    if i in cells and isinstance(value, Decimal):
                        cell = cells[i]
                        cell.value = value
                        out.append(cell)
                    else:
                        out.append(guard(value))
                ws.append(out)
        else:
            for row in sheet.rows:
                ws.append([guard(v) for v in row])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _sheet_title(title: str) -> str:
    """Excel refuses some characters in a sheet name and more than 31 characters."""
    for bad in "[]:*?/\\":
        title = title.replace(bad, " ")
    return title[:31] or "Sheet"
