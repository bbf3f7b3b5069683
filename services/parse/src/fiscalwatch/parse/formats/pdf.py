"""PDF reader: the text layer of a published PDF becomes a `SourceDocument`.

Each line keeps its page. A table drawn with ruling lines becomes one line per table row,
with the cells as the PDF's rulings delimit them (`DocumentLine.cells`, and the text the
cells joined by tabs, the layout the table engine reads as tab-separated); a cell's text
wrapped over several lines is joined without spaces. Text outside ruled tables becomes
lines in reading order (top to bottom on each page); words set far apart on a line
(an unruled table) are separated by a space, the flattened layout the engine also reads.

Measured (bench/bench_pdf.py over the corpus): pdfplumber spends ~40 ms a page in
pdfminer's content-stream interpretation alone (its bare `extract_text` reads ~24 pages/s),
while its `find_tables` adds little once the characters are parsed. PDFium (pypdfium2, which
pdfplumber itself depends on) gives every character's box and every path's segments at
~300 pages/s, so this reader takes characters and ruling lines from PDFium and finds the
cells itself:

- ruling lines: the axis-aligned segments of every visible path (a rectangle gives its four
  sides, a thin filled rectangle is one line), in form XObjects too, merged when collinear;
- a text line is a table line when at least two vertical rulings cross it; its row is the
  band between the nearest horizontal rulings above and below, so the lines of a wrapped
  cell fall in the same row;
- a row's cells are the spans between the vertical rulings that cross the band; a cell
  spanning several of the table's columns (a merged header) is written in its first column
  with empty cells after it, as a spreadsheet export writes merged cells.

Limits, each an `UnreadableDocument`: more than MAX_BYTES or MAX_PAGES, not a PDF (or
truncated, corrupt), encrypted with a password, or no text layer on any page ("needs OCR").
"""

from __future__ import annotations

import ctypes
import hashlib
import re
import threading
from bisect import bisect_left, bisect_right
from dataclasses import dataclass

from fiscalwatch.common.document import SourceDocument
from fiscalwatch.common.errors import UnreadableDocument

MAX_BYTES = 50 * 1024 * 1024
MAX_PAGES = 1000
MEDIA_TYPE = "application/pdf"

# PDFium is not thread-safe: one document is read at a time in a process.
_LOCK = threading.Lock()

_SPACES = re.compile(r"\s+")
_TOL = 1.5  # points: rulings this close are the same line
_MIN_RULE = 3.0  # points: a shorter segment is a tick, not a ruling


def read(name: str, data: bytes) -> SourceDocument:
    """The PDF `data` (the bytes as published) as numbered lines with their pages."""
    _check_bytes(name, data)
    import pypdfium2 as pdfium

    with _LOCK:
        try:
            pdf = pdfium.PdfDocument(data)
        except pdfium.PdfiumError as exc:
            raise _open_error(name, exc) from exc
        plumber = None
        try:
            pages = len(pdf)
            if pages > MAX_PAGES:
                raise UnreadableDocument(
                    name, f"PDF has {pages:,} pages, over the {MAX_PAGES:,}-page limit"
                )
            if pages == 0:
                raise UnreadableDocument(name, "not a readable PDF: it has no pages")
            items: list[tuple[int, tuple[str, ...] | None, str]] = []
            chars_seen = 0
            for index in range(pages):
                try:
                    page = pdf[index]
                except pdfium.PdfiumError as exc:
                    raise UnreadableDocument(
                        name, f"not a readable PDF: page {index + 1} cannot be loaded ({exc})"
                    ) from exc
                try:
                    chars, h_rules, v_rules = _page_content(page)
                    lost = _lost_text(page)
                finally:
                    page.close()
                if lost:
                    # PDFium drops some text (see _lost_text): pdfminer reads this page's
                    # characters instead
                    if plumber is None:
                        plumber = _open_plumber(name, data)
                    chars = _plumber_chars(plumber.pages[index])
                chars_seen += len(chars)
                for cells, text in _page_lines(chars, h_rules, v_rules):
                    items.append((index + 1, cells, text))
        finally:
            pdf.close()
            if plumber is not None:
                plumber.close()
    if chars_seen == 0:
        raise UnreadableDocument(
            name, f"needs OCR: no text layer on any of its {pages} page{'s' if pages != 1 else ''}"
        )
    items = drop_page_furniture(items)
    return SourceDocument.from_placed_lines(
        name, [(text, page, cells) for page, cells, text in items], hashlib.sha256(data).hexdigest(),
        media_type=MEDIA_TYPE, pages=pages,
    )


# A page number as printed in a footer or header, compact: "- 29 -", "— 9 —", "第 3 页",
# "第3页 共10页", "3/10".
_DECORATED_RE = re.compile(r"[-—–－]\d{1,4}[-—–－]|第\d{1,4}页(?:共\d{1,4}页)?|\d{1,4}/\d{1,4}")
_UNIT_LINE_RE = re.compile(r"单位[:：]|万元")
_DIGITS_RE = re.compile(r"\d+")
_EDGE = 2  # lines at the top and at the bottom of a page where furniture sits


def drop_page_furniture(items: list[tuple[int, tuple[str, ...] | None, str]]):
    """The page lines without their furniture: page numbers and running headers/footers.

    They are not content, and inside a table they would be read as rows ("- 29 -" is a row
    labelled "-" worth 29). Only lines outside ruled tables at a page's top or bottom edge
    qualify:
    - a decorated page number ("- 29 -", "第3页");
    - a bare number that runs with the page (its value minus the page's index is the same on
      at least half the pages: a code printed alone at a page's edge does not);
    - a running header or footer: the same text (digits aside) at an edge of at least half
      the pages, and at least three, unless it names a table ("表3", a caption) or a unit:
      a table split over pages repeats those, and the table reader needs them.
    """
    pages: dict[int, list[int]] = {}
    for index, (page, cells, _text) in enumerate(items):
        if cells is None:
            pages.setdefault(page, []).append(index)
    edges = {i for indices in pages.values() for i in (*indices[:_EDGE], *indices[-_EDGE:])}
    keys = {i: _SPACES.sub("", items[i][2]) for i in edges}
    shapes = {i: _DIGITS_RE.sub("#", key) for i, key in keys.items()}  # "- 29 -" and "- 30 -" alike
    half = max(3, (len(pages) + 1) // 2)
    repeated: dict[str, set[int]] = {}
    offsets: dict[int, set[int]] = {}
    for i, key in keys.items():
        page = items[i][0]
        repeated.setdefault(shapes[i], set()).add(page)
        if key.isdigit() and len(key) <= 4:
            offsets.setdefault(int(key) - page, set()).add(page)
    running = {shape for shape, on in repeated.items() if len(on) >= half}
    running_offsets = {offset for offset, on in offsets.items() if len(on) >= half}
    furniture = set()
    for i, key in keys.items():
        if not key or "表" in key or _UNIT_LINE_RE.search(key):
            continue
        if _DECORATED_RE.fullmatch(key) or shapes[i] in running and not key.isdigit():
            furniture.add(i)
        elif key.isdigit() and int(key) - items[i][0] in running_offsets:
            furniture.add(i)
    return [item for index, item in enumerate(items) if index not in furniture]


def _check_bytes(name: str, data: bytes) -> None:
    if len(data) > MAX_BYTES:
        raise UnreadableDocument(
            name, f"PDF is {len(data):,} bytes, over the {MAX_BYTES:,}-byte limit"
        )
    if not data:
        raise UnreadableDocument(name, "not a readable PDF: the file is empty (0 bytes)")
    head = data[:1024]
    if b"%PDF-" not in head:
        start = data[:16].decode("latin-1", "replace").strip()
        raise UnreadableDocument(
            name, f"not a readable PDF: no %PDF header (the file starts {start!r})"
        )
    # Every complete PDF ends with %%EOF (some writers add a few bytes after it); a file cut
    # short in transfer does not, and PDFium would silently read what is left of it.
    if b"%%EOF" not in data[-2048:]:
        raise UnreadableDocument(
            name, "not a readable PDF: truncated (no %%EOF marker at the end of the file)"
        )


def _open_error(name: str, exc: Exception) -> UnreadableDocument:
    import pypdfium2.raw as raw

    code = getattr(exc, "err_code", None)
    if code == raw.FPDF_ERR_PASSWORD:
        return UnreadableDocument(name, "encrypted PDF (it cannot be opened without a password)")
    if code == raw.FPDF_ERR_SECURITY:
        return UnreadableDocument(name, "encrypted PDF (unsupported security handler)")
    return UnreadableDocument(name, f"not a readable PDF: {exc}")


# ---------------------------------------------------------------------------------------
# Characters and rulings of a page, in display coordinates (x right, y down from the top)


@dataclass(slots=True)
class _Char:
    text: str
    x0: float
    top: float
    x1: float
    bottom: float

    @property
    def cx(self) -> float:
        return (self.x0 + self.x1) / 2

    @property
    def cy(self) -> float:
        return (self.top + self.bottom) / 2


def _transform(rotation: int, width: float, height: float):
    """Maps PDF user space (y up) to the page as displayed (y down), /Rotate applied."""
    if rotation == 90:
        return lambda x, y: (y, x)
    if rotation == 180:
        return lambda x, y: (width - x, y)
    if rotation == 270:
        return lambda x, y: (height - y, width - x)
    return lambda x, y: (x, height - y)


def _page_content(page):
    import pypdfium2.raw as raw

    rotation = page.get_rotation() % 360
    to_display = _transform(rotation, *_user_size(page))
    chars = _chars(page, to_display, raw)
    h_rules, v_rules = _rules(page, to_display, raw)
    return chars, h_rules, v_rules


def _lost_text(page) -> bool:
    """Whether PDFium's text page misses text the page draws. Seen with the predefined CMap
    UniGB-UCS2-H (a non-embedded STSong-Light, as iText and ReportLab write it): a text
    object drawing one CJK character (a table's lone 行, 类, 款, 项) gets zero width and no
    text, while pdfminer reads it."""
    import pypdfium2.raw as raw

    textpage = page.get_textpage()
    try:
        for obj in page.get_objects(filter=[raw.FPDF_PAGEOBJ_TEXT], max_depth=4):
            if raw.FPDFTextObj_GetText(obj.raw, textpage.raw, None, 0) <= 2:
                left, bottom, right, top = obj.get_bounds()
                if right - left < 0.01:
                    font = raw.FPDFTextObj_GetFont(obj.raw)
                    if font and not raw.FPDFFont_GetIsEmbedded(font):
                        return True
        return False
    finally:
        textpage.close()


def _open_plumber(name: str, data: bytes):
    import io

    import pdfplumber

    try:
        return pdfplumber.open(io.BytesIO(data))
    except Exception as exc:  # pdfminer raises many kinds on a damaged file
        raise UnreadableDocument(name, f"not a readable PDF: {exc}") from exc


def _plumber_chars(page) -> list[_Char]:
    out: list[_Char] = []
    seen: set[tuple[str, int, int]] = set()
    for c in page.chars:
        ch = c["text"]
        if not ch:
            continue
        if ch.isspace() or ch == "\u3000":
            ch = " "
        else:
            key = (ch, int(c["x0"] // 2), int(c["top"] // 2))
            if key in seen:
                continue
            seen.add(key)
        out.append(_Char(ch, c["x0"], c["top"], c["x1"], c["bottom"]))
    return out


def _user_size(page):
    import pypdfium2.raw as raw

    return raw.FPDF_GetPageWidthF(page.raw), raw.FPDF_GetPageHeightF(page.raw)


def _chars(page, to_display, raw) -> list[_Char]:
    textpage = page.get_textpage()
    try:
        tp = textpage.raw
        n = raw.FPDFText_CountChars(tp)
        rect = raw.FS_RECTF()
        seen: set[tuple[str, int, int]] = set()
        out: list[_Char] = []
        get_unicode = raw.FPDFText_GetUnicode
        is_generated = raw.FPDFText_IsGenerated
        loose_box = raw.FPDFText_GetLooseCharBox
        for i in range(n):
            code = get_unicode(tp, i)
            if code in (0, 0xFFFE, 0xFFFF) or is_generated(tp, i) == 1:
                continue
            ch = chr(code)
            if ch.isspace() or ch == "\u3000":
                ch = " "
            elif not ch.isprintable():
                continue
            if not loose_box(tp, i, rect):
                continue
            xa, ya = to_display(rect.left, rect.top)
            xb, yb = to_display(rect.right, rect.bottom)
            x0, x1 = (xa, xb) if xa <= xb else (xb, xa)
            t, b = (ya, yb) if ya <= yb else (yb, ya)
            if ch != " ":
                # text drawn twice a hair apart (simulated bold) is one text
                key = (ch, int(x0 // 2), int(t // 2))
                if key in seen:
                    continue
                seen.add(key)
            out.append(_Char(ch, x0, t, x1, b))
        return out
    finally:
        textpage.close()


def _rules(page, to_display, raw):
    """Horizontal rulings (y, x0, x1) and vertical rulings (x, y0, y1), merged."""
    horizontal: list[tuple[float, float, float]] = []
    vertical: list[tuple[float, float, float]] = []
    matrices: dict[int, tuple[float, ...]] = {}
    fs = raw.FS_MATRIX()
    x = ctypes.c_float()
    y = ctypes.c_float()
    fill = ctypes.c_int()
    stroke = ctypes.c_int()
    rgba = tuple(ctypes.c_uint() for _ in range(4))

    def add(p, q):
        (xa, ya), (xb, yb) = to_display(*p), to_display(*q)
        if abs(ya - yb) <= _TOL and abs(xa - xb) >= _MIN_RULE:
            horizontal.append(((ya + yb) / 2, min(xa, xb), max(xa, xb)))
        elif abs(xa - xb) <= _TOL and abs(ya - yb) >= _MIN_RULE:
            vertical.append(((xa + xb) / 2, min(ya, yb), max(ya, yb)))

    for obj in page.get_objects(max_depth=4):
        kind = obj.type
        if kind not in (raw.FPDF_PAGEOBJ_PATH, raw.FPDF_PAGEOBJ_FORM):
            continue
        if not raw.FPDFPageObj_GetMatrix(obj.raw, fs):
            continue
        m = (fs.a, fs.b, fs.c, fs.d, fs.e, fs.f)
        if obj.level > 0 and (obj.level - 1) in matrices:
            m = _concat(m, matrices[obj.level - 1])
        if kind == raw.FPDF_PAGEOBJ_FORM:
            matrices[obj.level] = m
            continue
        if not _visible(obj.raw, raw, fill, stroke, rgba):
            continue
        a, b, c, d, e, f = m
        points: list[tuple[float, float, int, bool]] = []
        for i in range(raw.FPDFPath_CountSegments(obj.raw)):
            seg = raw.FPDFPath_GetPathSegment(obj.raw, i)
            if not raw.FPDFPathSegment_GetPoint(seg, x, y):
                continue
            px, py = x.value, y.value
            points.append(
                (
                    a * px + c * py + e,
                    b * px + d * py + f,
                    raw.FPDFPathSegment_GetType(seg),
                    bool(raw.FPDFPathSegment_GetClose(seg)),
                )
            )
        if not points:
            continue
        xs = [p[0] for p in points]
        ys = [p[1] for p in points]
        w, h = max(xs) - min(xs), max(ys) - min(ys)
        if (w <= 2 * _TOL) != (h <= 2 * _TOL):
            # a line, or a thin filled rectangle drawn as one: one ruling along it
            if w <= 2 * _TOL:
                mx = (min(xs) + max(xs)) / 2
                add((mx, min(ys)), (mx, max(ys)))
            else:
                my = (min(ys) + max(ys)) / 2
                add((min(xs), my), (max(xs), my))
            continue
        start = prev = None
        for px, py, kind_, close in points:
            if kind_ == raw.FPDF_SEGMENT_MOVETO or prev is None:
                start = prev = (px, py)
                continue
            if kind_ == raw.FPDF_SEGMENT_LINETO:
                add(prev, (px, py))
            prev = (px, py)
            if close and start is not None:
                add(prev, start)
                prev = start
    return _merge(horizontal), _merge(vertical)


def _visible(obj, raw, fill, stroke, rgba) -> bool:
    """Whether a path draws anything a reader sees as a line: stroked or filled, in a colour
    other than white (white boxes are backgrounds, white strokes erase)."""
    if not raw.FPDFPath_GetDrawMode(obj, fill, stroke):
        return True
    if stroke.value and raw.FPDFPageObj_GetStrokeColor(obj, *rgba) and not _blank(rgba):
        return True
    if fill.value and raw.FPDFPageObj_GetFillColor(obj, *rgba) and not _blank(rgba):
        return True
    return False


def _blank(rgba) -> bool:
    r, g, b, a = (c.value for c in rgba)
    return a == 0 or (r > 240 and g > 240 and b > 240)


def _concat(m, n):
    """m then n (PDF row-vector convention: p' = p·m·n)."""
    a, b, c, d, e, f = m
    A, B, C, D, E, F = n
    return (
        a * A + b * C,
        a * B + b * D,
        c * A + d * C,
        c * B + d * D,
        e * A + f * C + E,
        e * B + f * D + F,
    )


def _merge(segments):
    """Collinear segments (same position within _TOL) that touch or overlap become one."""
    out: list[tuple[float, float, float]] = []
    for pos, lo, hi in sorted(segments):
        merged = False
        # the candidates are the last few segments at (nearly) the same position
        for k in range(len(out) - 1, -1, -1):
            p, l, h = out[k]
            if pos - p > _TOL:
                break
            if lo <= h + _TOL and hi >= l - _TOL:
                out[k] = (p, min(l, lo), max(h, hi))
                merged = True
                break
        if not merged:
            out.append((pos, lo, hi))
    return out


# ---------------------------------------------------------------------------------------
# Lines and table rows


def _group_lines(chars: list[_Char]) -> list[list[_Char]]:
    """Characters in visual lines: a character whose vertical middle falls within the
    current line's extent joins it; each line is in reading order (left to right)."""
    lines: list[list[_Char]] = []
    bounds: list[list[float]] = []
    for ch in sorted(chars, key=lambda c: (c.cy, c.x0)):
        if ch.text == " " and not lines:
            continue
        if lines:
            top, bottom = bounds[-1]
            if top - 0.1 <= ch.cy <= bottom + 0.1 or (ch.text == " " and ch.cy <= bottom + 2):
                lines[-1].append(ch)
                continue
        if ch.text == " ":
            continue
        lines.append([ch])
        bounds.append([ch.top, ch.bottom])
    for line in lines:
        line.sort(key=lambda c: c.x0)
    return lines


def _join(chars: list[_Char], gap_space: float | None) -> str:
    """Characters of one visual line as text: spaces the PDF has kept (one for a run), and a
    space for a gap wider than `gap_space` times the character height (None: never)."""
    parts: list[str] = []
    prev: _Char | None = None
    for ch in chars:
        if ch.text == " ":
            if parts and parts[-1] != " ":
                parts.append(" ")
            continue
        if (
            gap_space is not None
            and prev is not None
            and parts
            and parts[-1] != " "
            and ch.x0 - prev.x1 > gap_space * max(ch.bottom - ch.top, 1.0)
        ):
            parts.append(" ")
        parts.append(ch.text)
        prev = ch
    return "".join(parts).strip()


def _cell_text(chars: list[_Char]) -> str:
    if not chars:
        return ""
    lines = _group_lines(chars)
    text = "".join(_join(line, 1.0) for line in lines)
    return _SPACES.sub(" ", text).strip()


def _crossing(v_rules, lo: float, hi: float) -> list[float]:
    """x of the vertical rulings that cross the whole span lo..hi (y)."""
    return [x for x, y0, y1 in v_rules if y0 <= lo + _TOL and y1 >= hi - _TOL]


def _page_lines(chars, h_rules, v_rules):
    """(cells or None, text) of each line of a page, top to bottom."""
    lines = _group_lines(chars)
    if not lines:
        return []
    items: list[tuple[float, float, tuple[str, ...] | None, str]] = []
    rows: dict[tuple[float, float, float, float], list[_Char]] = {}
    if v_rules and h_rules:
        h_sorted = sorted(h_rules)
        h_ys = [h[0] for h in h_sorted]
    for line in lines:
        real = [c for c in line if c.text != " "]
        if not real:
            continue
        top = min(c.top for c in real)
        bottom = max(c.bottom for c in real)
        cy = (top + bottom) / 2
        band = None
        if v_rules and h_rules:
            xs = _crossing(v_rules, cy, cy)
            if len(xs) >= 2:
                left, right = min(xs), max(xs)
                inside = sum(1 for c in real if left - _TOL <= c.cx <= right + _TOL)
                if inside * 5 >= len(real) * 4:
                    band = _band(h_sorted, h_ys, cy, left, right)
        if band is None:
            items.append((top, real[0].x0, None, _join(line, 1.0)))
        else:
            rows.setdefault(band, []).extend(line)
    for table in _tables(rows):
        # the table's columns: every vertical ruling within its width that reaches it
        t_top, t_bottom = table[0][0], max(band[1] for band in table)
        left, right = table[0][2], table[0][3]
        columns = _cluster(
            x for x, y0, y1 in v_rules
            if left - _TOL <= x <= right + _TOL and y0 <= t_bottom - _TOL and y1 >= t_top + _TOL
        )
        table_rows = []
        for band in table:
            cells, spans = _row_cells(rows[band], v_rules, columns, *band)
            if spans == 1:
                # one cell across the whole table (a title or note inside the frame): text
                for line in _group_lines(rows[band]):
                    items.append((min(c.top for c in line), line[0].x0, None, _join(line, 1.0)))
            elif any(cells):
                table_rows.append((band[0], cells))
        for top, cells in table_rows:
            items.append((top, left, cells, "\t".join(cells)))
    items.sort(key=lambda item: (item[0], item[1]))
    return [(cells, text) for _, _, cells, text in items if text.strip() or cells]


def _band(h_sorted, h_ys, cy, left, right):
    """The row band (top, bottom, left, right) holding a table line whose middle is at cy:
    the nearest horizontal rulings above and below it within the table's width."""
    width = right - left
    top = bottom = None
    for k in range(bisect_right(h_ys, cy) - 1, -1, -1):
        y, x0, x1 = h_sorted[k]
        if min(x1, right) - max(x0, left) > min(width * 0.05, 20) or x1 - x0 > width * 0.5:
            if x0 <= right + _TOL and x1 >= left - _TOL:
                top = y
                break
    for k in range(bisect_left(h_ys, cy), len(h_sorted)):
        y, x0, x1 = h_sorted[k]
        if min(x1, right) - max(x0, left) > min(width * 0.05, 20) or x1 - x0 > width * 0.5:
            if x0 <= right + _TOL and x1 >= left - _TOL:
                bottom = y
                break
    if top is None or bottom is None:
        return None
    return (round(top, 1), round(bottom, 1), round(left, 1), round(right, 1))


def _tables(rows) -> list[list[tuple[float, float, float, float]]]:
    """Row bands grouped in tables: bands of the same width, each starting where the one
    above it ends."""
    tables: list[list[tuple[float, float, float, float]]] = []
    for band in sorted(rows, key=lambda b: (b[2], b[3], b[0])):
        last = tables[-1][-1] if tables else None
        if (
            last is not None
            and abs(last[2] - band[2]) <= 2 * _TOL
            and abs(last[3] - band[3]) <= 2 * _TOL
            and band[0] <= last[1] + 2 * _TOL
        ):
            tables[-1].append(band)
        else:
            tables.append([band])
    return tables


def _row_cells(row_chars, v_rules, columns, top, bottom, left, right):
    """The cells of a row band, one per column of the table (a cell spanning columns is in
    its first column, the columns it covers are empty), and how many cells it has."""
    mid = (top + bottom) / 2
    separators = _cluster(
        x for x, y0, y1 in v_rules
        if left - _TOL <= x <= right + _TOL and y0 <= mid and y1 >= mid
    )
    if len(separators) < 2:
        separators = [left, right]
    if len(columns) < len(separators):
        columns = separators
    slots: list[list[_Char]] = [[] for _ in range(len(columns) - 1)]
    for ch in row_chars:
        # the cell (between separators) holding the character, then that cell's first column
        k = bisect_right(separators, ch.cx) - 1
        k = min(max(k, 0), len(separators) - 2)
        col = bisect_left(columns, separators[k] - _TOL)
        col = min(max(col, 0), len(slots) - 1)
        slots[col].append(ch)
    return tuple(_cell_text(chars) for chars in slots), len(separators) - 1


def _cluster(values) -> list[float]:
    out: list[float] = []
    for v in sorted(values):
        if not out or v - out[-1] > 2 * _TOL:
            out.append(v)
    return out
