"""Excel workbooks (XLSX), read with openpyxl (read-only, cached values rather than formulas).

Each visible worksheet gives its title as a line (unless it is a default name such as
"Sheet1"), then each row as a line: its cells joined by
tabs and kept as `DocumentLine.cells` (trailing empty cells trimmed, empty rows skipped; a row
of one cell is a plain line). `page` is the sheet's 1-based index in the workbook, so evidence
can point to the sheet; `pages` is the number of sheets.

Numbers are written as the sheet displays them, without float artefacts: the decimals and
thousands separators of the cell's number format when it has them ("#,##0.00" shows
1099.73 as "1,099.73" and 5 as "5.00"), else the shortest form that reads back as the same
float (`repr`, never 1099.7300000000001; 1234.5 as "1234.5"; integral values as integers). Merged cells: the
value sits in the top-left cell and the others are empty, which keeps columns aligned.
"""

from __future__ import annotations

import datetime as dt
import io
import math
import re
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

import openpyxl

from fiscalwatch.common.document import SourceDocument
from fiscalwatch.parse.formats import Line, build_document, cell_text, row_line

MEDIA_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

# More rows than any disclosure table has; bounds a sheet with a million formatted rows.
MAX_ROWS_PER_SHEET = 200_000
MAX_COLUMNS = 1_000
# A title the application gave ("Sheet1", "工作表1") says nothing, and is not read as a line.
_DEFAULT_TITLE_RE = re.compile(r"(?i)(?:sheet|工作表|表)\s*\d*")


def read(name: str, data: bytes) -> SourceDocument:
    workbook = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    try:
        lines: list[Line] = []
        sheets = workbook.worksheets
        for index, sheet in enumerate(sheets, start=1):
            if not hasattr(sheet, "iter_rows") or getattr(sheet, "sheet_state", "visible") != "visible":
                continue  # a chart sheet, or a sheet the author hid
            if not _DEFAULT_TITLE_RE.fullmatch(sheet.title.strip()):
                lines.append((sheet.title, index, None))  # "公开01表", "收支总表": it says something
            # The dimension a sheet declares may be wrong (A1:XFD1048576 when whole rows are
            # formatted); without it, rows are not padded to it.
            sheet.reset_dimensions()
            for count, row in enumerate(sheet.iter_rows()):
                if count >= MAX_ROWS_PER_SHEET:
                    break
                cells = [format_cell(cell) for cell in row[:MAX_COLUMNS]]
                while cells and not cells[-1]:
                    cells.pop()
                line = row_line(cells, index)
                if line:
                    lines.append(line)
        return build_document(name, data, lines, MEDIA_TYPE, pages=len(sheets) or None)
    finally:
        workbook.close()


def format_cell(cell) -> str:
    value = getattr(cell, "value", None)
    if value is None:
        return ""
    if isinstance(value, str):
        return cell_text(value)
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, (int, float, Decimal)):
        return format_number(value, getattr(cell, "number_format", None) or "General")
    if isinstance(value, dt.datetime):
        if value.time() == dt.time(0):
            return value.date().isoformat()
        return value.isoformat(sep=" ")
    if isinstance(value, (dt.date, dt.time)):
        return value.isoformat()
    if isinstance(value, dt.timedelta):
        return str(value)
    return cell_text(str(value))


_QUOTED_RE = re.compile(r'"[^"]*"|\\.|\[[^\]]*\]|_.|\*.')
_DECIMALS_RE = re.compile(r"[0#?]\.([0#?]*)")


def format_number(value: int | float | Decimal, number_format: str) -> str:
    """The number as its format displays it (decimals, thousands separators, percent), else
    in its shortest exact form."""
    if isinstance(value, float):
        if not math.isfinite(value):
            return repr(value)
        number = Decimal(repr(value))
    else:
        number = Decimal(value)
    section = _QUOTED_RE.sub("", number_format.split(";")[0]).strip()
    if not section or section.lower() == "general" or "e+" in section.lower() or "e-" in section.lower() \
            or not any(ch in section for ch in "0#?"):
        return _plain(number)
    percent = "%" in section
    if percent:
        number = number * 100
    found = _DECIMALS_RE.search(section)
    places = sum(1 for ch in found.group(1) if ch == "0") if found else 0
    integer_part = section[: found.start() + 1] if found else section
    grouped = "," in integer_part
    try:
        shown = number.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)
    except InvalidOperation:
        return _plain(number)
    if shown != number and not found:
        # "0" / "#,##0" would show 1234.56 as 1,235: an amount's decimals are not dropped
        # because of a sloppy format (a format with decimals is shown as it displays)
        shown = number
    text = f"{shown:,f}" if grouped else f"{shown:f}"
    return text + ("%" if percent else "")


def _plain(number: Decimal) -> str:
    """Shortest exact form, no exponent: 1e16 as 10000000000000000, 2.50 as 2.5, 3.0 as 3."""
    if number == number.to_integral_value():
        return f"{number.quantize(Decimal(1)):f}"
    return f"{number.normalize():f}"
