"""HTML pages (a disclosure published as a web page, or a "Save as web page" export).

Block text becomes lines (a paragraph, a heading, a list item, text around a <br>); each
`<table>` row becomes one line, its cells joined by tabs and kept as `DocumentLine.cells`.
Merged cells keep the columns aligned the way the tab layout reads them everywhere else: a
cell spanning n columns is its text followed by n-1 empty cells, and a cell spanning rows
leaves an empty cell in the rows below. A row that is one cell across the table (a caption,
a unit, a note printed inside the table) is a plain line. Scripts, styles, comments and the
page's <head> are dropped. A table whose cells hold tables lays out the page: its cells are
read as blocks (and the tables in them as tables). Preformatted text (<pre>) keeps its lines
and tabs.

Encoding: a BOM, else the charset the page declares (<meta charset> / http-equiv), else UTF-8,
else GB18030; gb2312 and GBK are read as GB18030, the superset portals actually write.
"""

from __future__ import annotations

import re

from bs4 import BeautifulSoup, Comment, Doctype, NavigableString, Tag
from bs4.element import CData, Declaration, ProcessingInstruction

from fiscalwatch.common.document import SourceDocument
from fiscalwatch.common.errors import UnreadableDocument
from fiscalwatch.parse.formats import _CJK_RE, Line, build_document, cell_text, join_parts, row_line

MEDIA_TYPE = "text/html"

_CHARSET_RE = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]+)""", re.IGNORECASE)
_GB = {"gb2312", "gbk", "gb18030", "x-gbk", "gb_2312-80", "csgb2312", "euc-cn", "cp936", "windows-936"}

_DROPPED = {"script", "style", "noscript", "template", "head", "iframe", "object", "svg", "select", "button"}
_BLOCKS = {
    "address", "article", "aside", "blockquote", "body", "center", "dd", "details", "dialog",
    "dir", "div", "dl", "dt", "fieldset", "figcaption", "figure", "footer", "form", "h1", "h2",
    "h3", "h4", "h5", "h6", "header", "hr", "html", "li", "main", "menu", "nav", "ol", "p",
    "pre", "section", "summary", "ul", "caption", "tbody", "thead", "tfoot", "tr", "td", "th",
}
_SKIPPED_STRINGS = (Comment, Doctype, CData, Declaration, ProcessingInstruction)
_MAX_SPAN = 1000  # colspan/rowspan as published can be anything; a table is not wider


def decode(name: str, data: bytes) -> str:
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8", "replace")
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16", "replace")
    candidates = []
    found = _CHARSET_RE.search(data[:16384])
    if found:
        declared = found.group(1).decode("ascii", "replace").lower()
        candidates.append("gb18030" if declared in _GB else declared)
    candidates += ["utf-8", "gb18030"]
    for encoding in candidates:
        try:
            return data.decode(encoding)
        except (UnicodeDecodeError, LookupError):
            continue
    # Neither decodes whole: read what is readable rather than nothing (a stray byte in a
    # page footer must not lose the tables).
    utf8 = data.decode("utf-8", "replace")
    gb = data.decode("gb18030", "replace")
    return utf8 if utf8.count("\ufffd") <= gb.count("\ufffd") else gb


def read(name: str, data: bytes) -> SourceDocument:
    text = decode(name, data)
    soup = BeautifulSoup(text, "lxml")
    lines: list[Line] = []
    _Walker(lines).walk(soup)
    if not lines:
        raise UnreadableDocument(name, "an HTML page with no text")
    return build_document(name, data, lines, MEDIA_TYPE)


class _Walker:
    def __init__(self, lines: list[Line]) -> None:
        self.lines = lines
        self.buffer: list[str] = []

    def flush(self) -> None:
        if self.buffer:
            text = "".join(self.buffer)
            self.buffer = []
            for piece in text.replace("\r\n", "\n").replace("\r", "\n").split("\n"):
                piece = _unwrap(piece).replace(_TAB, "\t").rstrip()
                if piece.strip():
                    self.lines.append((piece, None, None))

    def walk(self, node: Tag) -> None:
        # Iterative (a stack of child iterators): a page nested thousands of levels deep is
        # read, not a RecursionError.
        stack = [iter(node.children)]
        blocks = [False]  # whether leaving the level ends a block
        while stack:
            child = next(stack[-1], None)
            if child is None:
                stack.pop()
                if blocks.pop():
                    self.flush()
                continue
            if isinstance(child, NavigableString):
                if isinstance(child, _SKIPPED_STRINGS):
                    continue
                # Newlines in the source are layout, not line breaks (only <br> and blocks are).
                self.buffer.append(str(child).replace("\n", _WRAP).replace("\r", _WRAP).replace("\t", " "))
                continue
            if not isinstance(child, Tag):
                continue
            tag = child.name.lower() if child.name else ""
            if tag in _DROPPED:
                continue
            if tag == "br":
                self.buffer.append("\n")
                continue
            if tag == "table":
                self.flush()
                if _is_layout(child):
                    # A table that lays out the page (its cells hold tables): each cell is
                    # read as blocks, so that the tables inside it are tables.
                    for tr in _own_rows(child):
                        for td in tr.find_all(["td", "th"], recursive=False):
                            self.walk(td)
                            self.flush()
                else:
                    self.table(child)
                continue
            if tag in ("pre", "textarea", "plaintext", "xmp", "listing"):
                # preformatted: its line breaks and tabs are the text's own
                self.flush()
                self.buffer.append(child.get_text().replace("\t", _TAB))
                self.flush()
                continue
            block = tag in _BLOCKS
            if block:
                self.flush()
            stack.append(iter(child.children))
            blocks.append(block)

    def table(self, table: Tag) -> None:
        rows = _own_rows(table)
        grid: list[tuple[list[str], int]] = []  # (cells, physical cell count)
        below: dict[int, int] = {}  # column -> rows still covered by a rowspan from above
        for tr in rows:
            cells: list[str] = []
            column = 0
            physical = 0

            def covered() -> None:
                nonlocal column
                while below.get(column, 0) > 0:
                    cells.append("")
                    below[column] -= 1
                    column += 1

            for td in tr.find_all(["td", "th"], recursive=False):
                covered()
                physical += 1
                colspan = _span(td.get("colspan"))
                rowspan = _span(td.get("rowspan"))
                cells.append(_cell(td))
                cells.extend([""] * (colspan - 1))
                if rowspan > 1:
                    for c in range(column, column + colspan):
                        below[c] = rowspan - 1
                column += colspan
            # columns covered from above past the row's last cell
            for c in sorted(k for k, v in below.items() if v > 0 and k >= column):
                cells.extend([""] * (c - column))
                cells.append("")
                below[c] -= 1
                column = c + 1
            grid.append((cells, physical))
        width = max((len(c) for c, _ in grid), default=0)
        for cells, physical in grid:
            if physical == 1 and width > 1 and sum(1 for c in cells if c) == 1 and cells[0]:
                line = row_line([cells[0]])  # one cell across the table: a caption or a note
            else:
                line = row_line(cells)
            if line:
                self.lines.append(line)


_WRAP = "\x01"  # a line break in the page's source (layout, not a line of the text)
_TAB = "\x02"  # a tab in preformatted text (a cell boundary, kept)
_WRAP_RE = re.compile(r"[ \t\f\v\xa0\x01]*\x01[ \t\f\v\xa0\x01]*")
_SPACE_RE = re.compile(r"[ \t\f\v\xa0]+")


def _unwrap(text: str) -> str:
    """A line's text: source line wraps removed (none between Chinese characters, one
    space elsewhere), runs of spaces as one."""

    def wrap(match: re.Match) -> str:
        before = text[match.start() - 1] if match.start() else ""
        after = text[match.end()] if match.end() < len(text) else ""
        if not before or not after or (_CJK_RE.match(before) and _CJK_RE.match(after)):
            return ""
        return " "

    return _SPACE_RE.sub(" ", _WRAP_RE.sub(wrap, text)).strip()


def _own_rows(table: Tag) -> list[Tag]:
    """The table's rows, not those of tables nested in its cells."""
    return [tr for tr in table.find_all("tr") if tr.find_parent("table") is table]


def _is_layout(table: Tag) -> bool:
    return any(
        td.find("table") is not None
        for tr in _own_rows(table)
        for td in tr.find_all(["td", "th"], recursive=False)
    )


def _span(value) -> int:
    try:
        span = int(str(value).strip()) if value is not None else 1
    except ValueError:
        return 1
    return min(max(span, 1), _MAX_SPAN)


def _cell(td: Tag) -> str:
    """A cell's text: its pieces (around <br>, in paragraphs or nested blocks) joined."""
    parts: list[str] = []
    current: list[str] = []
    for piece in td.descendants:
        if isinstance(piece, NavigableString):
            if isinstance(piece, _SKIPPED_STRINGS) or any(
                p.name in _DROPPED for p in piece.parents if isinstance(p, Tag) and p is not td
            ):
                continue
            current.append(str(piece))
        elif isinstance(piece, Tag) and (piece.name == "br" or piece.name in _BLOCKS):
            parts.append("".join(current))
            current = []
    parts.append("".join(current))
    return cell_text(join_parts(parts))
