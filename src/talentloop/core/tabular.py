"""Uploaded tables — CSV or Excel .xlsx — read into rows, the one pipeline of every import.

An importer (people, observations) names its columns; this module refuses what is not a table of
them before any row is looked at: a file over the size limit, a text encoding it cannot read, an
old .xls, a workbook that inflates past a sane size, a header wider than ``MAX_HEADER_COLUMNS``
(checked in linear time), unknown, repeated or missing columns, more rows than the importer takes.
What comes back is each non-blank data row with its line number, so the importer reports its
checks per row, in the file's own numbering. Errors are ``InvalidInput`` on the ``file`` field.
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import io
import re
import zipfile
from collections import Counter
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from django.utils.functional import Promise
from django.utils.translation import gettext as _

from talentloop.core.errors import InvalidInput

MAX_BYTES = 5 * 1024 * 1024
MAX_UNZIPPED_BYTES = 100 * 1024 * 1024  # a 5 MB workbook that inflates past this is not a table of ours
MAX_READ_COLUMNS = 64  # a workbook's cells read per row (no importer has more columns)
# Far more than any importer's columns; a wider header is a wrong file, refused before any work on it.
MAX_HEADER_COLUMNS = 200
SHOWN_NAMES = 20  # column names quoted in one message
StrOrPromise = str | Promise
EXTRA = "__extra__"  # set on a row with values beyond the header's last column


def file_error(message: str) -> InvalidInput:
    return InvalidInput(message, {"file": [message]})


@dataclass(frozen=True)
class Columns:
    """What an importer accepts. ``required`` lists column names, or tuples of names of which any one
    will do (a missing tuple is reported by its first name). ``too_wide`` is the importer's own
    message for a header wider than ``MAX_HEADER_COLUMNS`` (with ``%(n)s`` and ``%(max)s``), and
    ``no_rows`` the one for a header without data rows; both lazily translated, as a ``Columns`` is
    built when its module is imported."""

    allowed: Sequence[str]
    required: Sequence[str | tuple[str, ...]]
    max_rows: int
    too_wide: StrOrPromise
    no_rows: StrOrPromise


def decode(content: bytes) -> str:
    """UTF-8 with or without a byte-order mark, UTF-16 with one, else GB18030 (Chinese Excel)."""
    if content.startswith(codecs.BOM_UTF8):
        content = content[len(codecs.BOM_UTF8):]
    elif content.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            return content.decode("utf-16")
        except UnicodeDecodeError:
            pass
    for encoding in ("utf-8", "gb18030"):
        try:
            return content.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise file_error(_("The text encoding of the file is not recognised. Save it as CSV UTF-8 or as an "
                       "Excel workbook (.xlsx)."))


def csv_rows(content: bytes) -> Iterator[list[Any]]:
    """The rows of a CSV file; the delimiter (comma, tab or semicolon) is read off the first line."""
    text = decode(content)
    first = text.split("\n", 1)[0]
    delimiter = ","
    if "," not in first:
        delimiter = "\t" if "\t" in first else (";" if ";" in first else ",")
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        yield from reader
    except csv.Error as exc:
        message = _("The CSV file cannot be read near line %(line)s.") % {"line": reader.line_num}
        raise file_error(message) from exc


def xlsx_rows(content: bytes) -> Iterator[list[Any]]:
    """The rows of a workbook's first sheet, as cell values (dates as dates, numbers as numbers)."""
    import openpyxl  # heavy optional import: only when a workbook is uploaded, not at every start-up

    unreadable = _("The Excel workbook cannot be read. Save it again as .xlsx, or as CSV UTF-8.")
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            inflated = sum(info.file_size for info in archive.infolist())
    except (zipfile.BadZipFile, ValueError) as exc:
        raise file_error(unreadable) from exc
    if inflated > MAX_UNZIPPED_BYTES:
        raise file_error(_("The workbook is too large once unpacked. Keep only the employee sheet."))
    try:
        workbook = openpyxl.load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds of errors for broken workbooks
        raise file_error(unreadable) from exc
    try:
        sheet = workbook.worksheets[0]
        for values in sheet.iter_rows(max_col=MAX_READ_COLUMNS, values_only=True):
            yield list(values)
    except InvalidInput:
        raise
    except Exception as exc:
        raise file_error(unreadable) from exc
    finally:
        workbook.close()


def raw_rows(content: bytes) -> Iterator[list[Any]]:
    """Every row of an upload, CSV or .xlsx (told apart by the content, never the file name)."""
    if len(content) > MAX_BYTES:
        raise file_error(_("The file is larger than 5 MB. Split it into smaller files."))
    if not content.strip():
        raise file_error(_("The file is empty."))
    if content.startswith(b"PK\x03\x04"):
        return xlsx_rows(content)
    if content.startswith(b"\xd0\xcf\x11\xe0"):
        raise file_error(_("Old .xls workbooks are not supported. Save the file as .xlsx or as CSV UTF-8."))
    return csv_rows(content)


def cell_text(value: Any) -> str:
    """A cell as text: dates in ISO form, whole floats without ".0", an export's formula guard undone."""
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time(0) else value.isoformat(sep=" ")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else str(value)
    text = str(value).strip()
    if text.startswith("'") and text[1:2] in ("=", "+", "-", "@"):
        text = text[1:]  # undo the export's guard against formulas
    return text


def header_key(value: Any) -> str:
    return re.sub(r"[\s\-]+", "_", cell_text(value).lstrip("\ufeff").strip().lower())


def _names(names: Sequence[str]) -> str:
    return ", ".join(names[:SHOWN_NAMES]) + (" …" if len(names) > SHOWN_NAMES else "")


def check_header(values: list[Any], columns: Columns) -> list[str]:
    """The header's column keys, checked in linear time: a file with thousands of made-up columns is
    refused at once rather than compared column by column (trailing empty cells, as spreadsheets
    save them, do not count)."""
    width = len(values)
    while width and cell_text(values[width - 1]) == "":
        width -= 1
    if width > MAX_HEADER_COLUMNS:
        raise file_error(str(columns.too_wide) % {"n": f"{width:,}", "max": MAX_HEADER_COLUMNS})
    keys = [header_key(v) for v in values[:width]]
    problems = []
    allowed = set(columns.allowed)
    unknown = [k for k in keys if k and k not in allowed]
    if unknown:
        problems.append(_("Unknown columns: %(columns)s. The columns are: %(allowed)s.")
                        % {"columns": _names(unknown), "allowed": ", ".join(columns.allowed)})
    counts = Counter(k for k in keys if k)
    duplicated = sorted(k for k, n in counts.items() if n > 1)
    if duplicated:
        problems.append(_("Columns appear more than once: %(columns)s.") % {"columns": _names(duplicated)})
    missing = []
    for need in columns.required:
        options = need if isinstance(need, tuple) else (need,)
        if not any(k in counts for k in options):
            missing.append(options[0])
    if missing:
        problems.append(_("Required columns are missing: %(columns)s. The first row must hold the column "
                          "names.") % {"columns": ", ".join(missing)})
    if problems:
        raise InvalidInput(" ".join(problems), {"file": problems})
    return keys


def read_table(content: bytes, columns: Columns) -> tuple[list[str], list[tuple[int, dict[str, Any]]]]:
    """The header's column keys and the non-blank data rows as (line, {column: raw cell value}); a row
    with values past the header's last column carries ``EXTRA``."""
    header: list[str] | None = None
    rows: list[tuple[int, dict[str, Any]]] = []
    for line, values in enumerate(raw_rows(content), start=1):
        if all(cell_text(v) == "" for v in values):
            continue
        if header is None:
            header = check_header(values, columns)
            continue
        if len(rows) >= columns.max_rows:
            raise file_error(_("The file has more than %(max)s rows. Split it into smaller files.")
                             % {"max": f"{columns.max_rows:,}"})
        cells = {key: (values[i] if i < len(values) else None) for i, key in enumerate(header) if key}
        if any(cell_text(v) != "" for v in values[len(header):]):
            cells[EXTRA] = True
        rows.append((line, cells))
    if header is None:
        raise file_error(_("The file is empty."))
    if not rows:
        raise file_error(str(columns.no_rows))
    return header, rows
