"""From tables as read to the `Table` model: page-split tables merged, cut codes resolved,
row keys assigned (code, 行次, label), cells turned into Amounts, identities completed
from the template when the document prints none."""

from __future__ import annotations

import re
from decimal import Decimal
from functools import lru_cache

from fiscalwatch.common.model import Amount, Column, Identity, Row, SourceRef, Table, unchecked
from fiscalwatch.parse.tables.codes import level_of, resolve_code
from fiscalwatch.parse.tables.notes import term
from fiscalwatch.parse.tables.reader import ReadTable
from fiscalwatch.parse.tables.rows import RawRow, has_ordinal
from fiscalwatch.parse.tables.text import label_key


def merge_page_splits(tables: list[ReadTable]) -> list[ReadTable]:
    """A table continued on the next page repeats its caption and header: consecutive
    tables of the same template (and the same printed number, when both print one) are
    one table."""
    merged: list[ReadTable] = []
    for table in tables:
        last = merged[-1] if merged else None
        if (
            last is not None
            and last.template.id == table.template.id
            and (last.number is None or table.number is None or last.number == table.number)
            and not last.declared_empty
        ):
            last.rows.extend(table.rows)
            last.consumed |= table.consumed
            last.unread.extend(table.unread)
            last.identities.extend(table.identities)
            last.end_line = table.end_line
            if not last.columns:
                last.columns = table.columns
            continue
        merged.append(table)
    return merged


def known_codes(tables: list[ReadTable]) -> dict[str, set[str]]:
    """Full function codes printed anywhere in the document, with the names printed for them."""
    known: dict[str, set[str]] = {}
    for table in tables:
        if table.code_kind != "function":
            continue
        for row in table.rows:
            if row.code and len(row.code) == 7:
                known.setdefault(row.code, set()).add(row.label)
    return known


def _row_key(row: RawRow, label: str, table: ReadTable, known: dict[str, set[str]], by_first_digit: bool):
    """(key, key_kind, code, level); `label`: the row's `label` (joined once by the caller);
    `by_first_digit`: a summary table that names no code kind, whose codes say their own
    (economic classes start with 3 or 5)."""
    if row.code:
        code = row.code
        if by_first_digit:
            kind = "economic" if code[0] in "35" else "function"
        else:
            kind = table.code_kind
        if kind == "function" and len(code) == 6:
            code = resolve_code(code, label, known) or code
        key = f"{code}/{row.unit_code}" if row.unit_code else code
        if kind == "function":
            return key, "function_code", code, level_of(code)
        if kind == "economic":
            return key, "economic_code", code, None
        return key, "label", code, None
    if row.line_number is not None:
        return str(row.line_number), "line_number", None, None
    return row.label_key or table.template.unlabelled_row, "label", None, None


def build_table(table: ReadTable, known: dict[str, set[str]], doc_texts: tuple[str, ...]) -> Table:
    """`doc_texts`: the text of each of the document's lines (line n at index n - 1), quoted as
    a row's source."""
    ids_by_section: dict[int, list[str]] = {}
    for column in table.columns:
        ids_by_section.setdefault(column.section, []).append(column.id)
    rows: list[Row] = []
    unit = table.unit
    seen: dict[str, int] = {}
    values: dict[str, Decimal] = {}  # a cell's value by its compact form
    table.rows.sort(key=lambda r: r.section)  # side-by-side sections are stacked, in order
    unlabelled = table.template.unlabelled_row
    by_first_digit = table.template.layout == "sections" and table.code_kind == "none"
    for raw in table.rows:
        label = raw.label
        key, kind, code, level = _row_key(raw, label, table, known, by_first_digit)
        if not key:
            key, kind = "row", "label"
        count = seen[key] = seen.get(key, 0) + 1
        if count > 1:
            key = f"{key}#{count}"
        cells: dict[str, Amount] = {}
        if raw.cells:
            ids = ids_by_section.get(raw.section, [])
            width = len(ids)
            for pos, tok in sorted(raw.cells.items()):
                if pos < width:
                    source = unchecked(SourceRef, {"line": tok.line, "column": tok.column, "page": tok.page, "text": None})
                    # (`token_value`, inline: a cell is a number token, its compact form the
                    # number; a Decimal is immutable, so cells printing the same number share one)
                    folded = tok.folded
                    value = values.get(folded)
                    if value is None:
                        value = values[folded] = Decimal(folded.replace(",", ""))
                    cells[ids[pos]] = unchecked(Amount, {"value": value, "unit": unit, "raw": tok.text, "source": source})
        tokens = raw.tokens
        if tokens:
            first = tokens[0].line
            if tokens[-1].line == first:  # (most rows: one line; a row's tokens go in line order)
                text = doc_texts[first - 1].strip()
            else:
                lines = raw.lines
                first = lines[0]
                text = " | ".join([doc_texts[n - 1].strip() for n in lines])
            page = tokens[0].page
        else:
            first, text, page = table.source.line, None, None
        printed = raw.code
        rows.append(
            unchecked(Row, {
                "key": key,
                "key_kind": kind,
                "label": label or (unlabelled if not printed and raw.line_number is None else ""),
                "code": code,
                "printed_code": printed if printed and printed != code else None,
                "line_number": raw.line_number,
                "level": level,
                "cells": cells,
                "source": unchecked(SourceRef, {"line": first, "column": None, "page": page, "text": text}),
            })
        )
    columns: list[Column] = []
    seen_ids: set[str] = set()
    for column in table.columns:
        if column.id in seen_ids:
            continue
        seen_ids.add(column.id)
        columns.append(unchecked(Column, {"id": column.id, "label": column.label}))
    identities = table.identities or template_identities(table, rows)
    return unchecked(Table, {
        "template_id": table.template.id,
        "number": table.number,
        "title": table.title,
        "unit": table.unit,
        "columns": tuple(columns),
        "rows": tuple(rows),
        "identities": tuple(identities),
        "declared_empty": table.declared_empty,
        "empty_note": table.empty_note,
        "source": table.source,
        "end_line": table.end_line,
    })


def template_identities(table: ReadTable, rows: list[Row]) -> list[Identity]:
    """The Ministry's identities from the template, in this document's column ids and row
    keys; terms this document does not print are left out."""
    found: list[Identity] = []
    identities = table.template.identities_for(table.column_set)
    label_keys: list[str] | None = None  # each row's label_key, made once for all row identities
    finders: dict[str | None, _RowFinder] = {}  # by section key
    sections: _Sections | None = None  # the columns' sections, made once for all column identities
    for spec in identities:
        if spec.axis == "column":
            if sections is None:
                sections = _Sections(table, rows)
            identity = _column_identity(table, sections, spec, identities)
        else:
            if label_keys is None:
                # (a printed label's key from its words' compact forms; the key of a label
                # the template gives an unlabelled row, from that label)
                label_keys = [
                    raw.label_key if raw.label_parts else (label_key(row.label) if row.label else "")
                    for raw, row in zip(table.rows, rows)
                ]
            identity = _row_identity(table, rows, spec, label_keys, finders)
        if identity is not None:
            found.append(identity)
    return found


class _Sections:
    """A table's side-by-side sections (one, for most tables): each one's column ids by
    template key, and the keys of its rows."""

    def __init__(self, table: ReadTable, rows: list[Row]) -> None:
        self.order = sorted({c.section for c in table.columns})
        self.ids: dict[int, dict[str, str]] = {section: {} for section in self.order}
        for column in table.columns:
            self.ids[column.section][column.key] = column.id
        self._table, self._rows = table, rows
        self._covered: dict[int, tuple[str, ...]] = {}

    def covered(self, section: int) -> tuple[str, ...]:
        """The keys of the section's rows; none when the table has one section (it covers all)."""
        if len(self.order) <= 1:
            return ()
        if section not in self._covered:
            self._covered[section] = tuple(
                row.key for raw, row in zip(self._table.rows, self._rows) if raw.section == section
            )
        return self._covered[section]


def _column_identity(table: ReadTable, sections: _Sections, spec, identities) -> Identity | None:
    for section in sections.order:
        ids = sections.ids[section]
        if spec.target not in ids:
            continue
        terms = tuple(
            term(sign, ids[key])
            for sign, key in table.template.column_terms(spec, frozenset(ids), identities)
        )
        if not terms:
            continue
        text = f"{ids[spec.target]} = " + " ".join(
            f"{'+' if t.sign > 0 else '-'} {t.ref}" for t in terms
        ).lstrip("+ ")
        # Side by side, the sections share column ids: the identity covers its own rows only.
        return unchecked(Identity, {
            "axis": "column", "target": ids[spec.target], "terms": terms, "rows": sections.covered(section),
            "origin": "template", "text": text, "source": None,
        })
    return None


def _section_rows(
    table: ReadTable, rows: list[Row], label_keys: list[str], section_key: str | None
) -> list[tuple[RawRow, Row, str]]:
    """(row as read, row, its label_key) of the rows in the section (every row without one)."""
    triples = list(zip(table.rows, rows, label_keys))
    if section_key is None or not table.section_keys:
        return triples
    wanted = {i for i, k in enumerate(table.section_keys) if k == section_key}
    return [triple for triple in triples if triple[0].section in wanted]


class _RowFinder:
    """The rows (of `_section_rows`) a template's row pattern names: those whose key is the
    pattern, or whose label key it fullmatches. Most patterns are plain names ("本年收入合计"):
    those are looked up, not matched against every row."""

    def __init__(self, triples: list[tuple[RawRow, Row, str]]) -> None:
        self.triples = triples
        self._named: dict[str, list[int]] = {}  # a row's key, and a labelled row's label key
        for i, (_, row, key) in enumerate(triples):
            self._named.setdefault(row.key, []).append(i)
            if row.label and key != row.key:
                self._named.setdefault(key, []).append(i)

    def find(self, pattern: str) -> list[int]:
        if _is_plain(pattern):
            # (a row whose key and label key are both the name is listed once)
            return sorted(set(self._named.get(pattern, ())))
        regex = re.compile(pattern)
        return [
            i for i, (_, row, key) in enumerate(self.triples)
            if row.key == pattern or (row.label and regex.fullmatch(key))
        ]


@lru_cache(maxsize=1024)
def _is_plain(pattern: str) -> bool:
    """A pattern without special characters: it fullmatches exactly itself."""
    return re.escape(pattern) == pattern


_SUB_ITEM_RE = re.compile(r"\s*(?:\d+\s*[.、．]|[(（][一二三四五六七八九十\d]+[)）]|其中)")


def _row_identity(
    table: ReadTable, rows: list[Row], spec, label_keys: list[str], finders: dict[str | None, _RowFinder]
) -> Identity | None:
    """`finders`: the rows of each section, made once for all of a table's row identities."""
    finder = finders.get(spec.section)
    if finder is None:
        finder = finders[spec.section] = _RowFinder(_section_rows(table, rows, label_keys, spec.section))
    pairs = finder.triples
    targets = finder.find(spec.target)
    if not targets:
        return None
    target = targets[0]
    if spec.section_items:
        term_rows = [
            pairs[i][1] for i in range(target)
            if pairs[i][1].label and has_ordinal(pairs[i][1].label)
        ]
        terms = tuple(term(1, r.key) for r in term_rows)
    else:
        terms_list = []
        found: list[int] = []
        for sign, pattern in spec.terms:
            hits = [i for i in finder.find(pattern) if i != target]
            if hits:
                found.append(hits[0])
                terms_list.append(term(sign, pairs[hits[0]][1].key))
        if spec.rows_between and found and found[0] < target:
            # every labelled row between the first term and the target, once, but not the parts
            # of one of them ("上年结余、结转 | 1.财政拨款结余、结转 | 2.非财政拨款结余、结转", 深圳)
            taken = set(found)
            terms_list += [
                term(1, pairs[i][1].key)
                for i in range(found[0] + 1, target)
                if i not in taken and pairs[i][1].label and not _SUB_ITEM_RE.match(pairs[i][1].label)
            ]
        terms = tuple(terms_list)
    if not terms:
        return None
    target_key = pairs[target][1].key
    text = f"{target_key} = " + " + ".join(t.ref for t in terms)
    return unchecked(Identity, {
        "axis": "row", "target": target_key, "terms": terms, "rows": (), "origin": "template",
        "text": text, "source": None,
    })
