"""Renders a seed text document into a PDF, the way a portal's PDF export draws it.

Every run of tab-separated lines is drawn as a real table: a grid of ruled cells (as many
columns as the widest row; a cell's text too wide for its column wraps inside the cell over
several lines), every other line as text. Chinese text is set in the CID font STSong-Light
(one of the Adobe-GB1 fonts every PDF reader knows), on as many landscape A4 pages as the
document needs; a table runs on over page breaks, row by row. Blank lines are not drawn (a
PDF has none).

`render_seed(path) -> bytes`; run as a script to write the PDFs next to the seeds' names:
    python services/parse/tests/pdf_fixtures.py OUT_DIR
"""

from __future__ import annotations

import io
import sys
from pathlib import Path

from reportlab.lib.pagesizes import A4, landscape
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.pdfgen import canvas

FONT = "STSong-Light"
TEXT_SIZE = 9.0
CELL_SIZE = 7.0
MARGIN = 36.0
CELL_PAD = 2.5
LEADING = 1.25  # line height as a multiple of the font size
MAX_COLUMN = 150.0  # points: a wider cell's text wraps

pdfmetrics.registerFont(UnicodeCIDFont(FONT))


def _width(text: str, size: float) -> float:
    return pdfmetrics.stringWidth(text, FONT, size)


def _wrap(text: str, width: float, size: float) -> list[str]:
    """Text cut into lines no wider than `width`. A cut never falls next to a space (the
    reader joins a cell's lines without one), so joining the lines gives the text back."""
    lines: list[str] = []
    rest = text
    while rest and _width(rest, size) > width:
        cut = 1
        while cut < len(rest) and _width(rest[: cut + 1], size) <= width:
            cut += 1
        while 1 < cut < len(rest) and (rest[cut - 1] == " " or rest[cut] == " "):
            cut -= 1
        lines.append(rest[:cut])
        rest = rest[cut:]
    if rest:
        lines.append(rest)
    return lines or [""]


def _blocks(text: str):
    """("text", line) and ("table", [cells of each row]) in document order."""
    table: list[list[str]] = []
    for line in text.splitlines():
        if "\t" in line:
            table.append([cell.strip() for cell in line.split("\t")])
            continue
        if table:
            yield "table", table
            table = []
        if line.strip():
            yield "text", line.strip()
    if table:
        yield "table", table


class _Writer:
    def __init__(self) -> None:
        self.buffer = io.BytesIO()
        self.size = landscape(A4)
        self.canvas = canvas.Canvas(self.buffer, pagesize=self.size)
        self.canvas.setTitle("fixture")
        self.y = self.size[1] - MARGIN
        self.blank = True

    def room(self, height: float) -> None:
        if self.y - height < MARGIN and not self.blank:
            self.canvas.showPage()
            self.y = self.size[1] - MARGIN
            self.blank = True

    def text(self, line: str) -> None:
        usable = self.size[0] - 2 * MARGIN
        size = TEXT_SIZE
        while _width(line, size) > usable and size > 3:
            size -= 0.5  # never wrapped: a narrative line stays one line
        self.room(size * LEADING)
        self.y -= size * LEADING
        self.canvas.setFont(FONT, size)
        self.canvas.drawString(MARGIN, self.y + size * 0.25, line)
        self.blank = False

    def table(self, rows: list[list[str]]) -> None:
        n = max(len(r) for r in rows)
        rows = [r + [""] * (n - len(r)) for r in rows]
        usable = self.size[0] - 2 * MARGIN
        widths = [
            min(MAX_COLUMN, max(_width(r[k], CELL_SIZE) for r in rows) + 2 * CELL_PAD) + 8
            for k in range(n)
        ]
        scale = min(1.0, usable / sum(widths))
        widths = [w * scale for w in widths]
        xs = [MARGIN]
        for w in widths:
            xs.append(xs[-1] + w)
        c = self.canvas
        for row in rows:
            wrapped = [_wrap(cell, w - 2 * CELL_PAD, CELL_SIZE) for cell, w in zip(row, widths)]
            height = max(len(w) for w in wrapped) * CELL_SIZE * LEADING + 2 * CELL_PAD
            self.room(height)
            top, bottom = self.y, self.y - height
            c.setLineWidth(0.5)
            c.line(xs[0], top, xs[-1], top)
            c.line(xs[0], bottom, xs[-1], bottom)
            for x in xs:
                c.line(x, top, x, bottom)
            c.setFont(FONT, CELL_SIZE)
            for x, lines in zip(xs, wrapped):
                for k, line in enumerate(lines):
                    baseline = top - CELL_PAD - (k + 1) * CELL_SIZE * LEADING + CELL_SIZE * 0.3
                    c.drawString(x + CELL_PAD, baseline, line)
            self.y = bottom
            self.blank = False
        self.y -= TEXT_SIZE * 0.5

    def finish(self) -> bytes:
        self.canvas.showPage()
        self.canvas.save()
        return self.buffer.getvalue()


def render_text(text: str) -> bytes:
    writer = _Writer()
    for kind, block in _blocks(text):
        if kind == "text":
            writer.text(block)
        else:
            writer.table(block)
    return writer.finish()


def render_seed(path: str | Path) -> bytes:
    return render_text(Path(path).read_text(encoding="utf-8"))


if __name__ == "__main__":
    out = Path(sys.argv[1])
    out.mkdir(parents=True, exist_ok=True)
    for seed in sorted((Path(__file__).parent / "data" / "seeds").glob("*.txt")):
        (out / f"{seed.stem}.pdf").write_bytes(render_seed(seed))
        print(out / f"{seed.stem}.pdf")
