"""The parsing core: `SourceDocument` in, `Disclosure` out. Pure: no I/O.

It composes four readers, each owning its part of the document:
- `metadata.extract_metadata`: department, region, year, kind, unit, publication date
  (raises `NotADisclosure` for text that is not a budget or final-accounts disclosure;
  so does `parse_document` for one that names budgets but prints no table and no amount);
- `tables.extract_tables`: the standard tables, recognised by their templates;
- `narrative.extract_facts`: every amount the text states, with the claims around it;
- the coverage report: which standard tables were found, which are missing, and every line
  holding a number that no reader understood.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from itertools import compress

from fiscalwatch.common.document import SourceDocument
from fiscalwatch.common.errors import NotADisclosure
from fiscalwatch.common.model import Coverage, Disclosure, DocumentRef, Table, UnreadLine, unchecked
from fiscalwatch.parse.collector import collector_paused
from fiscalwatch.parse.metadata import extract_metadata
from fiscalwatch.parse.narrative import FactExtraction, extract_facts
from fiscalwatch.parse.numbers import SCAN_NUMBER_RE, fold, fold_and_compact_lines
from fiscalwatch.parse.tables import TableExtraction, extract_tables, mandatory_templates

_UNREAD_REASON = "number outside any recognised table or statement"


def function_codes(tables: list[Table]) -> dict[str, str]:
    """Every function code the tables print, with its name, folded and without spaces (a name
    such as 行政运行 recurs under many 款: the narrative tells them apart by the 类 and 款 a
    sentence names)."""
    return {
        row.code: fold(row.label).replace(" ", "")
        for table in tables
        for row in table.rows
        if row.key_kind == "function_code" and row.code and len(row.code) in (3, 5, 7)
    }


def _reasons_outside(doc: SourceDocument, lines: list[int], tables: TableExtraction, narrative: FactExtraction) -> list[str]:
    """Why each of `lines` (numbers no reader understood, in order) was not read: inside a
    table no template describes ("项目支出绩效目标表", a project's 绩效目标: named, with the line
    of its caption), or outside any table or statement. Such a table runs from its caption to
    the next caption, standard table, heading ("第三部分 名词解释") or sentence read as a fact."""
    starts = tables.other_captions
    if not starts:
        return [_UNREAD_REASON] * len(lines)
    ends = sorted(
        {t.source.line for t in tables.tables} | {t.end_line for t in tables.tables if t.end_line}
        | set(narrative.headings) | {f.source.line for f in narrative.facts}
    )
    reasons = []
    for n in lines:
        k = bisect_right(starts, n) - 1  # the last caption before line n
        e = bisect_left(ends, n) - 1  # the last end before it
        if k >= 0 and (e < 0 or ends[e] < starts[k]):
            reasons.append(f"number in a table no standard template describes: {doc.texts[starts[k] - 1].strip()} (line {starts[k]})")
        else:
            reasons.append(_UNREAD_REASON)
    return reasons


def parse_document(doc: SourceDocument) -> Disclosure:
    with collector_paused():
        return _parse(doc)


def _parse(doc: SourceDocument) -> Disclosure:
    # Every line folded, and compact, once (each in one pass over the text): all readers
    # read them.
    folded_lines, keys = fold_and_compact_lines(list(doc.texts))
    metadata = extract_metadata(doc, keys)
    tables = extract_tables(doc, metadata, keys, folded_lines)
    narrative = extract_facts(
        doc, metadata, table_lines=tables.consumed, codes=function_codes(tables.tables), folded_lines=folded_lines,
        keys=keys,
    )
    if not tables.tables and not narrative.facts:
        # A portal's index of disclosures ("1、某局2026年部门预算情况说明" …) or a notice names
        # budgets in its title and headings, but prints no table and states no amount.
        raise NotADisclosure(
            doc.name,
            "no standard table and no amount stated in its text: a page that names budgets "
            "(an index of disclosures, a notice), not a budget or final-accounts disclosure",
        )
    unread = [*tables.unread, *narrative.unread]
    # the lines that print something (line n is at index n - 1) that no reader understood or
    # reported, found by set arithmetic rather than a test per line, then those of them that
    # hold a number
    accounted = tables.consumed | narrative.consumed | {u.line for u in unread}
    printing = set(compress(range(1, len(keys) + 1), keys))
    printing.difference_update(accounted)
    search = SCAN_NUMBER_RE.search
    outside = [n for n in sorted(printing) if search(folded_lines[n - 1])]
    reasons = _reasons_outside(doc, outside, tables, narrative) if outside else []
    unread += [
        unchecked(UnreadLine, {"line": n, "text": doc.texts[n - 1], "reason": reason})
        for n, reason in zip(outside, reasons)
    ]
    found = tuple(t.template_id for t in tables.tables)
    coverage = Coverage(
        tables_found=found,
        tables_missing=tuple(t for t in mandatory_templates(metadata.kind) if t not in found),
        tables_declared_empty=tuple(t.template_id for t in tables.tables if t.declared_empty),
        unread_lines=tuple(sorted(unread, key=lambda u: u.line)),
    )
    return Disclosure(
        document=DocumentRef(
            name=doc.name, sha256=doc.sha256, pages=doc.pages, media_type=doc.media_type
        ),
        metadata=metadata,
        tables=tuple(tables.tables),
        facts=tuple(narrative.facts),
        coverage=coverage,
    )
