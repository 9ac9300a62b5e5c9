"""CSV and Excel writers for the payroll exports: rows streamed into the file, money written from the
Decimal as it is (never through float), text that a spreadsheet would run as a formula kept as text."""

from __future__ import annotations

import csv
import io
import zipfile
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CSV = "text/csv"
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
FORMULA_FIRST = frozenset(FORMULA_START)


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


def write_csv(sheet: Sheet, encoding: str) -> bytes:
    """One sheet as CSV in ``encoding`` ("utf-8-sig" writes the byte-order mark Excel needs; "gb18030"
    is what Chinese banks' uploads read). GB18030 encodes every Unicode character, so nothing is lost.
    Money is written with its two places. The per-cell work stays inline: it runs for every cell of
    100,000 rows."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow([guard(h) for h in sheet.header])
    first, text, money = FORMULA_FIRST, str, Decimal
    writer.writerows(
        [
            ("'" + v if v[:1] in first else v) if v.__class__ is text else (f"{v:.2f}" if v.__class__ is money else v)
            for v in row
        ]
        for row in sheet.rows
    )
    return buffer.getvalue().encode(encoding)


def write_xlsx(sheets: Sequence[Sheet]) -> bytes:
    """The sheets as one Office Open XML workbook, written directly: each row becomes its XML text and
    goes into the compressed sheet as it comes (memory does not grow with the rows). openpyxl, even in
    its write-only mode, spends some 40 microseconds a cell without lxml — 100 seconds for the 24
    columns of 100,000 people's IIT sheet; this writer needs about one. Text is written inline (no
    shared-string table), money as a number with the built-in "#,##0.00" format, an empty value as no
    cell at all."""
    buffer = io.BytesIO()
    titles = _unique_titles([s.title for s in sheets])
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=1) as book:
        book.writestr("[Content_Types].xml", _content_types(len(sheets)))
        book.writestr("_rels/.rels", _ROOT_RELS)
        book.writestr("xl/workbook.xml", _workbook(titles))
        book.writestr("xl/_rels/workbook.xml.rels", _workbook_rels(len(sheets)))
        book.writestr("xl/styles.xml", _STYLES)
        for n, sheet in enumerate(sheets, 1):
            with book.open(f"xl/worksheets/sheet{n}.xml", "w") as stream:
                _write_sheet(stream, sheet)
    return buffer.getvalue()


_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_PKG_REL = "http://schemas.openxmlformats.org/package/2006/relationships"
_ROOT_RELS = (
    f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<Relationships xmlns="{_PKG_REL}">'
    f'<Relationship Id="rId1" Type="{_REL}/officeDocument" Target="xl/workbook.xml"/></Relationships>'
)
_STYLES = (
    f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<styleSheet xmlns="{_MAIN}">'
    '<fonts count="1"><font><sz val="11"/><name val="Calibri"/></font></fonts>'
    '<fills count="2"><fill><patternFill patternType="none"/></fill><fill><patternFill patternType="gray125"/></fill>'
    "</fills>"
    '<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>'
    '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>'
    '<cellXfs count="2"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>'
    '<xf numFmtId="4" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/></cellXfs>'
    '<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles>'
    "</styleSheet>"
)
# Characters XML 1.0 does not allow (control characters other than tab and line breaks) are dropped.
_ILLEGAL = {c: None for c in range(32) if c not in (9, 10, 13)}


def _content_types(count: int) -> str:
    sheets = "".join(
        f'<Override PartName="/xl/worksheets/sheet{n}.xml" '
        'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
        for n in range(1, count + 1)
    )
    return (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
        '<Default Extension="xml" ContentType="application/xml"/>'
        '<Override PartName="/xl/workbook.xml" '
        'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
        '<Override PartName="/xl/styles.xml" '
        'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>'
        f"{sheets}</Types>"
    )


def _workbook(titles: list[str]) -> str:
    sheets = "".join(
        f'<sheet name="{_escape(t, quote=True)}" sheetId="{n}" r:id="rId{n}"/>' for n, t in enumerate(titles, 1)
    )
    return (
        f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<workbook xmlns="{_MAIN}" xmlns:r="{_REL}">'
        f"<sheets>{sheets}</sheets></workbook>"
    )


def _workbook_rels(count: int) -> str:
    rels = "".join(
        f'<Relationship Id="rId{n}" Type="{_REL}/worksheet" Target="worksheets/sheet{n}.xml"/>'
        for n in range(1, count + 1)
    )
    return (
        f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<Relationships xmlns="{_PKG_REL}">{rels}'
        f'<Relationship Id="rId{count + 1}" Type="{_REL}/styles" Target="styles.xml"/></Relationships>'
    )


def _escape(text: str, *, quote: bool = False) -> str:
    text = text.translate(_ILLEGAL) if not text.isprintable() else text
    if "&" in text:
        text = text.replace("&", "&amp;")
    if "<" in text:
        text = text.replace("<", "&lt;")
    if ">" in text:
        text = text.replace(">", "&gt;")
    if quote and '"' in text:
        text = text.replace('"', "&quot;")
    return text


def _column_letters(count: int) -> list[str]:
    out = []
    for i in range(1, count + 1):
        name = ""
        while i:
            i, rest = divmod(i - 1, 26)
            name = chr(65 + rest) + name
        out.append(name)
    return out


def _write_sheet(stream: Any, sheet: Sheet) -> None:
    """The sheet's XML, row by row. A cell carries its reference only after an empty cell (cells without
    one take the next column), which halves the text of a full row."""
    stream.write(
        f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<worksheet xmlns="{_MAIN}"><sheetData>'.encode()
    )
    letters = _column_letters(max(len(sheet.header), 1))
    money = sheet.money
    chunk: list[str] = []
    # Rows whose cells are all filled text, Decimal or int, of the same types as the first data row, go
    # through one %-template (the common case: every row of an export has the same shape); any other
    # row is written cell by cell below.
    shape: tuple[type, ...] | None = None
    template = ""
    text_columns: list[int] = []
    for r, row in enumerate(_rows(sheet), 1):
        if r == 2:
            shape, template, text_columns = _row_template(row, money)
        if shape is not None and tuple(map(type, row)) == shape and "" not in row:
            values = list(row)
            for i in text_columns:
                v = values[i]
                if v[:1] in FORMULA_FIRST or not v.isprintable() or "&" in v or "<" in v or ">" in v:
                    values[i] = _escape(guard(v))
            chunk.append(template % (r, *values))
            if len(chunk) >= 2000:
                stream.write("".join(chunk).encode())
                chunk = []
            continue
        if len(row) > len(letters):
            letters = _column_letters(len(row))
        cells = []
        gap = False
        for i, value in enumerate(row):
            kind = value.__class__
            if value is None or (kind is str and not value):
                gap = True
                continue
            ref = f' r="{letters[i]}{r}"' if gap else ""
            gap = False
            if kind is Decimal:
                cells.append(f'<c{ref} s="1"><v>{value:f}</v></c>' if i in money else f"<c{ref}><v>{value:f}</v></c>")
            elif kind is str:
                if value.startswith(FORMULA_START):
                    value = "'" + value
                if not value.isprintable() or "&" in value or "<" in value or ">" in value:
                    value = _escape(value)
                cells.append(f'<c{ref} t="inlineStr"><is><t xml:space="preserve">{value}</t></is></c>')
            elif kind is bool:
                cells.append(f'<c{ref} t="b"><v>{int(value)}</v></c>')
            elif kind is int or kind is float:
                cells.append(f"<c{ref}><v>{value}</v></c>")
            else:
                text = _escape(str(guard(str(value))))
                cells.append(f'<c{ref} t="inlineStr"><is><t xml:space="preserve">{text}</t></is></c>')
        chunk.append(f'<row r="{r}">{"".join(cells)}</row>')
        if len(chunk) >= 2000:
            stream.write("".join(chunk).encode())
            chunk = []
    chunk.append("</sheetData></worksheet>")
    stream.write("".join(chunk).encode())


def _row_template(row: Sequence[Any], money: frozenset[int]) -> tuple[tuple[type, ...] | None, str, list[int]]:
    """The %-template of rows shaped like ``row`` (None when a cell is empty or of another type)."""
    parts = ['<row r="%d">']
    text_columns = []
    for i, value in enumerate(row):
        kind = value.__class__
        if kind is str and value:
            parts.append('<c t="inlineStr"><is><t xml:space="preserve">%s</t></is></c>')
            text_columns.append(i)
        elif kind is Decimal:
            parts.append('<c s="1"><v>%s</v></c>' if i in money else "<c><v>%s</v></c>")
        elif kind is int:
            parts.append("<c><v>%s</v></c>")
        else:
            return None, "", []
    parts.append("</row>")
    return tuple(type(v) for v in row), "".join(parts), text_columns


def _rows(sheet: Sheet) -> Iterator[Sequence[Any]]:
    yield sheet.header
    yield from sheet.rows


def _unique_titles(titles: list[str]) -> list[str]:
    """Sheet names as Excel takes them: no reserved character, at most 31 characters, no two alike
    (Excel compares them without case)."""
    seen: set[str] = set()
    out = []
    for title in titles:
        name = _sheet_title(title)
        n = 2
        while name.lower() in seen:
            suffix = f" ({n})"
            name = _sheet_title(title)[: 31 - len(suffix)] + suffix
            n += 1
        seen.add(name.lower())
        out.append(name)
    return out


def _sheet_title(title: str) -> str:
    """Excel refuses some characters in a sheet name and more than 31 characters."""
    for bad in "[]:*?/\\":
        title = title.replace(bad, " ")
    return title[:31] or "Sheet"
