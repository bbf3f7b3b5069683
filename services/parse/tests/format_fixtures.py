"""Render a seed text document in the formats disclosures are published in: DOCX, XLSX, HTML.

The seeds are text as extracted from published files: a table row is one line with its cells
separated by tabs. The renderings put those rows back into real tables (a Word table, rows of
worksheet cells, an HTML <table>) and every other line into a paragraph (a single-cell row in
the workbook), so that reading a rendering must give the same disclosure as the text.

To make the readers work for it:
- XLSX amounts are numeric cells (floats) with the number format that prints them as the seed
  does ("#,##0.00" for "1,099.73", "0.00" for "15.00"), so the reader must get the printed
  decimals back from a float; integers (行次, codes) are int cells.
- In header rows (rows without numbers), a cell followed by empty cells is merged across them
  (DOCX gridSpan, XLSX merged range, HTML colspan), as published headers are.

`python format_fixtures.py SEED.txt OUTDIR` writes the three files (for looking at them).
"""

from __future__ import annotations

import html
import io
import re
import sys
from decimal import Decimal
from pathlib import Path

_NUMBER_RE = re.compile(r"-?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?")


def blocks(text: str) -> list[tuple[str, list]]:
    """("table", rows of cells) for each run of tab-separated lines, ("line", text) otherwise."""
    out: list[tuple[str, list]] = []
    for line in text.splitlines():
        if "\t" in line:
            if out and out[-1][0] == "table":
                out[-1][1].append(line.split("\t"))
            else:
                out.append(("table", [line.split("\t")]))
        else:
            out.append(("line", line))
    for kind, rows in out:
        if kind == "table":
            width = max(len(r) for r in rows)
            for r in rows:
                r.extend([""] * (width - len(r)))
    return out


def number_of(cell: str) -> tuple[int | float, str] | None:
    """The numeric value a worksheet would hold for a printed number, and the number format
    that prints it back the same; None for text (and for numbers a cell cannot hold exactly:
    leading zeros, more than 15 digits)."""
    text = cell.strip()
    if not _NUMBER_RE.fullmatch(text):
        return None
    digits = text.replace(",", "").lstrip("-")
    if len(digits.replace(".", "")) > 15 or (len(digits) > 1 and digits[0] == "0" and digits[1] != "."):
        return None
    grouped = "," in text
    if "." not in text:
        return int(text.replace(",", "")), "#,##0" if grouped else "General"
    places = len(text.split(".")[1])
    fmt = ("#,##0" if grouped else "0") + "." + "0" * places
    return float(Decimal(text.replace(",", ""))), fmt


def _header_row(row: list[str]) -> bool:
    return not any(number_of(c) for c in row)


def _spans(row: list[str]) -> list[tuple[int, int]]:
    """(start, span) of each cell of a header row: a cell with text followed by empty cells
    spans them (within the row); an empty cell is a cell of its own."""
    spans: list[tuple[int, int]] = []
    i = 0
    while i < len(row):
        j = i + 1
        if row[i].strip():
            while j < len(row) and not row[j].strip():
                j += 1
        spans.append((i, j - i))
        i = j
    return spans


def to_docx(text: str, merge_headers: bool = True) -> bytes:
    import docx

    document = docx.Document()
    for kind, content in blocks(text):
        if kind == "line":
            document.add_paragraph(content)
            continue
        width = len(content[0])
        table = document.add_table(rows=len(content), cols=width)
        for r, row in enumerate(content):
            cells = table.rows[r].cells
            for c, value in enumerate(row):
                if value:
                    cells[c].text = value
            if merge_headers and _header_row(row):
                for start, span in _spans(row):
                    if span > 1:
                        cells[start].merge(cells[start + span - 1])
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def to_xlsx(text: str, title: str = "Sheet1", merge_headers: bool = True,
            sheet_at: set[int] = frozenset()) -> bytes:
    """`sheet_at`: line numbers (1-based) of the text that start a new sheet ("Sheet2", …),
    as workbooks published with one table per sheet are."""
    import openpyxl

    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = title
    r = 0
    line_number = 0
    for kind, content in blocks(text):
        rows = [[content]] if kind == "line" else content
        for row in rows:
            line_number += 1
            if line_number in sheet_at and r:
                sheet = workbook.create_sheet(f"Sheet{len(workbook.worksheets) + 1}")
                r = 0
            r += 1
            for c, value in enumerate(row, start=1):
                if not value:
                    continue
                number = number_of(value) if kind == "table" else None
                if number is None:
                    sheet.cell(row=r, column=c, value=value)
                else:
                    cell = sheet.cell(row=r, column=c, value=number[0])
                    cell.number_format = number[1]
            if kind == "table" and merge_headers and _header_row(row):
                for start, span in _spans(row):
                    if span > 1:
                        sheet.merge_cells(start_row=r, start_column=start + 1, end_row=r,
                                          end_column=start + span)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def to_html(text: str, encoding: str = "utf-8", merge_headers: bool = True) -> bytes:
    parts = [
        "<!DOCTYPE html>",
        f'<html><head><meta http-equiv="Content-Type" content="text/html; charset={encoding}">',
        "<title>部门预决算公开</title><style>td{border:1px solid}</style>",
        "<script>var x = '1,234.00 不是正文';</script></head><body>",
    ]
    for kind, content in blocks(text):
        if kind == "line":
            parts.append(f"<p>{html.escape(content)}</p>" if content.strip() else "<p></p>")
            continue
        parts.append("<table>")
        for row in content:
            spans = _spans(row) if merge_headers and _header_row(row) else [(i, 1) for i in range(len(row))]
            cells = "".join(
                f"<td{f' colspan={span}' if span > 1 else ''}>{html.escape(row[start])}</td>"
                for start, span in spans
            )
            parts.append(f"  <tr>{cells}</tr>")
        parts.append("</table>")
    parts.append("</body></html>")
    return "\n".join(parts).encode(encoding)


def main(argv: list[str]) -> int:
    seed, outdir = Path(argv[1]), Path(argv[2])
    outdir.mkdir(parents=True, exist_ok=True)
    text = seed.read_text(encoding="utf-8")
    (outdir / f"{seed.stem}.docx").write_bytes(to_docx(text))
    (outdir / f"{seed.stem}.xlsx").write_bytes(to_xlsx(text))
    (outdir / f"{seed.stem}.html").write_bytes(to_html(text))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
