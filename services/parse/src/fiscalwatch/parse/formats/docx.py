"""Word documents (DOCX), read with python-docx.

Paragraphs and tables are read in body order (the children of <w:body>: w:p, w:tbl, and the
content of w:sdt content controls such as a table of contents). A paragraph is a line (a
line break inside it starts a new line; a tab stays a tab). A table row is one line, its
cells joined by tabs and kept as `DocumentLine.cells`; merged cells keep the columns aligned
as the tab layout reads them: a cell spanning n grid columns is its text followed by n-1 empty
cells, a vertically merged continuation is an empty cell, and grid columns a row skips
(w:gridBefore / w:gridAfter) are empty cells. A cell's paragraphs are joined into one text;
a table nested in a cell contributes its text to that cell.

Pages are not known (Word lays them out when it renders); `page` is None.
"""

from __future__ import annotations

import io

import docx
from docx.oxml.ns import qn

from fiscalwatch.common.document import SourceDocument
from fiscalwatch.parse.formats import Line, build_document, cell_text, join_parts, row_line

MEDIA_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"

_P, _TBL, _SDT, _SDT_CONTENT = qn("w:p"), qn("w:tbl"), qn("w:sdt"), qn("w:sdtContent")
_TR, _TC, _TC_PR, _TR_PR = qn("w:tr"), qn("w:tc"), qn("w:tcPr"), qn("w:trPr")
_GRID_SPAN, _V_MERGE, _VAL = qn("w:gridSpan"), qn("w:vMerge"), qn("w:val")
_GRID_BEFORE, _GRID_AFTER = qn("w:gridBefore"), qn("w:gridAfter")
_T, _TAB, _BR, _CR, _NO_BREAK_HYPHEN = qn("w:t"), qn("w:tab"), qn("w:br"), qn("w:cr"), qn("w:noBreakHyphen")
_DEL, _R, _PTAB = qn("w:del"), qn("w:r"), qn("w:ptab")
_MAX_SPAN = 1000


def read(name: str, data: bytes) -> SourceDocument:
    document = docx.Document(io.BytesIO(data))
    body = document.element.body
    lines: list[Line] = []
    for element in _blocks(body):
        if element.tag == _P:
            for text in _paragraph_text(element).split("\n"):
                if text.strip():
                    lines.append((text.rstrip(), None, None))
        elif element.tag == _TBL:
            lines.extend(_table_lines(element))
    return build_document(name, data, lines, MEDIA_TYPE)


def _blocks(parent):
    """w:p and w:tbl children in document order, looking into content controls."""
    for child in parent.iterchildren():
        if child.tag in (_P, _TBL):
            yield child
        elif child.tag == _SDT:
            content = child.find(_SDT_CONTENT)
            if content is not None:
                yield from _blocks(content)


def _paragraph_text(p) -> str:
    """The visible text of a paragraph: runs (also inside hyperlinks, insertions, smart tags,
    simple fields), tabs as tabs, breaks as newlines; deleted text (tracked changes) left out."""
    out: list[str] = []
    for run in p.iter(_R):
        if any(a.tag == _DEL for a in run.iterancestors(_DEL)):
            continue
        # runs of a nested paragraph (a text box inside this one) are read with it; fine.
        for item in run.iterchildren():
            tag = item.tag
            if tag == _T:
                out.append(item.text or "")
            elif tag in (_TAB, _PTAB):
                out.append("\t")
            elif tag in (_BR, _CR):
                out.append("\n")
            elif tag == _NO_BREAK_HYPHEN:
                out.append("-")
    return "".join(out)


def _int_val(element, default: int) -> int:
    if element is None:
        return default
    try:
        return min(max(int(element.get(_VAL)), 0), _MAX_SPAN)
    except (TypeError, ValueError):
        return default


def _cell_text(tc) -> str:
    parts: list[str] = []
    for element in _blocks(tc):
        if element.tag == _P:
            parts.extend(_paragraph_text(element).replace("\t", " ").split("\n"))
        else:  # a nested table: its rows' text, in order
            for text, _, _ in _table_lines(element):
                parts.append(text.replace("\t", " "))
    return cell_text(join_parts(parts))


def _table_lines(tbl) -> list[Line]:
    rows: list[tuple[list[str], int]] = []
    for tr in _rows(tbl):
        cells: list[str] = []
        tr_pr = tr.find(_TR_PR)
        before = _int_val(tr_pr.find(_GRID_BEFORE), 0) if tr_pr is not None else 0
        after = _int_val(tr_pr.find(_GRID_AFTER), 0) if tr_pr is not None else 0
        cells.extend([""] * before)
        physical = 0
        for tc in _row_cells(tr):
            physical += 1
            tc_pr = tc.find(_TC_PR)
            span = 1
            continued = False
            if tc_pr is not None:
                span = max(_int_val(tc_pr.find(_GRID_SPAN), 1), 1)
                v_merge = tc_pr.find(_V_MERGE)
                # <w:vMerge/> (no val) continues the cell above; val="restart" starts one.
                continued = v_merge is not None and v_merge.get(_VAL, "continue") == "continue"
            cells.append("" if continued else _cell_text(tc))
            cells.extend([""] * (span - 1))
        cells.extend([""] * after)
        rows.append((cells, physical))
    width = max((len(c) for c, _ in rows), default=0)
    lines: list[Line] = []
    for cells, physical in rows:
        if physical == 1 and width > 1 and cells and cells[0] and not any(cells[1:]):
            line = row_line([cells[0]])  # one cell across the table: a caption or a note
        else:
            line = row_line(cells)
        if line:
            lines.append(line)
    return lines


def _rows(tbl):
    """The w:tr of a table, also those inside a content control."""
    for child in tbl.iterchildren():
        if child.tag == _TR:
            yield child
        elif child.tag == _SDT:
            content = child.find(_SDT_CONTENT)
            if content is not None:
                yield from content.iterchildren(_TR)


def _row_cells(tr):
    """The w:tc of a row, also those inside a content control or custom XML wrapper."""
    for child in tr.iterchildren():
        if child.tag == _TC:
            yield child
        elif child.tag == _SDT:
            content = child.find(_SDT_CONTENT)
            if content is not None:
                yield from content.iterchildren(_TC)
