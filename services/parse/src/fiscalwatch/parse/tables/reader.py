"""Reading one table region: caption block, header, rows, notes.

The region's lines are classified in order: the caption block (caption, table number,
unit, department and year lines), header lines, data rows, then notes. Rows are read by the
layout of their line (tab cells, or flattened words); values are placed into the template's
columns by `columns.py`.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from functools import lru_cache
from itertools import compress
from dataclasses import dataclass, field
from typing import Callable

from fiscalwatch.common.document import DocumentLine, Lines
from fiscalwatch.common.model import Identity, SourceRef, Unit, UnreadLine, unchecked
from fiscalwatch.parse.numbers import compact_lines
from fiscalwatch.parse.tables import columns as infer
from fiscalwatch.parse.tables.header import (
    Header,
    choose_column_set,
    code_kind,
    column_ids,
    is_lanci_sequence,
    lanci_numbers,
    present_columns,
    read_header,
    section_starts,
)
from fiscalwatch.parse.tables.hierarchy import MAX_CHOICES_PER_ROW, settle_by_parents
from fiscalwatch.parse.tables.notes import NOTE_FIRST_CHARS, empty_note_of_key, is_note_key, parse_identities_of_key
from fiscalwatch.parse.tables.rows import (
    RawRow,
    has_ordinal_compact,
    nonempty,
    parse_detail_row,
    split_sections_flat,
    starts_with_code,
    ends_with_values,
)
from fiscalwatch.parse.tables.segment import Region, number_of, number_of_key, unit_of_key
from fiscalwatch.parse.tables.templates import ColumnSet, ColumnSpec, TemplateSpec
from fiscalwatch.parse.tables.text import (
    Token,
    is_code,
    is_project_code,
    flat_tokens,
    folded_of,
    is_tab_line,
    kind_of,
    label_key_of_compact,
    line_of,
    line_tokens,
    scaled,
    small_int,
    tab_tokens,
)

_META_RE = re.compile(r"^(?:部门|单位|单位名称|预算代码|编制单位|填报单位|部门名称)[:：]|^\d{2,4}年度?$|^\d{4}年\d{1,2}月")
_TOTAL_LABELS = {"合计", "总计"}
_TOTAL_ENDS = tuple(_TOTAL_LABELS)
_NOTE_CONTINUATION_RE = re.compile(r"^\d{1,2}[.、]\D")


# Token(...) made without the named tuple's Python-level __new__
_new_tuple = tuple.__new__

# A table line as read: (its tokens, whether they are cells). Cells are known (tab-separated
# or from the format reader), empties kept; a line that is not has only the words it prints
# (no empty tokens). A plain tuple, unpacked where read: one is made per table line, and a
# named tuple costs several times as much to make and free.
DataLine = tuple[list[Token], bool]


@dataclass
class ReadColumn:
    id: str
    label: str
    key: str  # template column key
    section: int = 0


@dataclass
class ReadTable:
    template: TemplateSpec
    title: str
    number: str | None
    unit: Unit
    columns: list[ReadColumn]
    rows: list[RawRow]
    code_kind: str
    identities: list[Identity] = field(default_factory=list)
    declared_empty: bool = False
    empty_note: str | None = None
    source: SourceRef | None = None
    end_line: int | None = None
    consumed: set[int] = field(default_factory=set)
    unread: list[UnreadLine] = field(default_factory=list)
    section_keys: list[str] = field(default_factory=list)
    column_set: ColumnSet | None = None  # the template's column set the header chose
    # codes printed in parts: the 类 and 类+款 open at the table's end (a page split goes on)
    code_parents: list[str] = field(default_factory=list)


def _is_values_only(tokens: list[Token]) -> bool:
    items = nonempty(tokens)
    if not items or any(t.kind != "number" for t in items):
        return False
    numbers = lanci_numbers(tokens)
    return not (numbers and is_lanci_sequence(numbers))


def _is_data_start(tokens: list[Token], template: TemplateSpec, following: Callable[[], list[Token]]) -> bool:
    """`following()`: the tokens of the next line (asked for only by a lone 合计)."""
    if len(tokens) == 1 and tokens[0].kind == "text":
        # (most lines of a flattened header: one word) a row only when it opens a section
        # or is a lone 合计 with its values on the next line, as the tests below find
        word = tokens[0].folded
        if template.layout == "sections" and has_ordinal_compact(word):
            return True
        return word.endswith(_TOTAL_ENDS) and label_key_of_compact(word) in _TOTAL_LABELS and _is_values_only(following())
    items = nonempty(tokens)
    if not items:
        return False
    first = items[0]
    if template.layout == "sections" and has_ordinal_compact(first.folded):
        return True
    if first.kind == "text" and first.folded.endswith(_TOTAL_ENDS) and label_key_of_compact(first.folded) in _TOTAL_LABELS:
        if any(t.kind == "text" for t in items[1:]):
            return False  # a header line that starts with the word 合计
        # a lone 合计 is a row when it has cells (tab) or values, or its values follow
        return len(items) > 1 or len(tokens) > len(items) or _is_values_only(following())
    if (is_code(first.folded) or is_project_code(first.folded)) and any(t.kind == "text" for t in items[1:]):
        return True  # a code and a name
    if all(t.kind == "text" for t in items):
        return False  # (most header lines) what follows needs a number
    named = next((i for i, t in enumerate(items) if t.kind == "text"), None)
    if named is not None and _has_amount(items[named + 1 :]):
        # a name and an amount after it: a header prints no amounts ("财政拨款 | 28,097.48 |
        # 一、教育支出 | 12.23"; "| | 02 | 事业单位医疗 | 22.75", a page going on under 类|款|项)
        return True
    # values alone, one with a point (a 栏次 line "1 2 3 …" prints none: told before its numbers are read)
    return any("." in t.folded for t in items) and _is_values_only(tokens)


_HEADING_OF_PROSE_RE = re.compile(r"^(?:[一二三四五六七八九十]{1,3}、|\([一二三四五六七八九十]{1,3}\))?[^\d,，。；;:：]{2,30}(?:说明|情况)$")


def _is_prose(key: str) -> bool:
    """A line of the text after a table, not a row: a sentence ("…预算数为143.14万元，比2025年
    预算减少20.36万元。"), or the heading of one ("其他相关情况说明", "一、…情况说明"). A
    table's rows print no full stop, and a heading ending in 说明 or 情况 holds no amount."""
    return "。" in key or (key.endswith(_PROSE_HEADING_ENDS) and bool(_HEADING_OF_PROSE_RE.match(key)))


_PROSE_HEADING_ENDS = ("说明", "情况")  # how _HEADING_OF_PROSE_RE ends: tested first, in C


def _has_amount(tokens: list[Token]) -> bool:
    return any(t.kind == "number" and "." in t.folded for t in tokens)


def _caption_block(lines: Lines, keys: list[str], region: Region, before: list[DocumentLine]):
    """Number, unit, and the index where the header starts (`keys`: the lines compact)."""
    number = region.caption.number
    unit = unit_of_key(keys[0])
    consumed = {line.number for line in lines[: region.caption.last_line - region.start + 1]}
    for line in before:  # "预算01表" printed above the caption
        found = number_of(line.text)
        if found:
            number = number or found
            consumed.add(line.number)
    i = region.caption.last_line - region.start + 1
    while i < len(lines):
        text = lines[i].text
        key = keys[i]
        found_number = number_of_key(key)
        found_unit = unit_of_key(key)
        if not key:
            i += 1
            continue
        if found_number or (found_unit and len(key) <= 30) or (_META_RE.search(key) and "\t" not in text):
            number = number or found_number
            unit = unit or found_unit
            consumed.add(lines[i].number)
            i += 1
            continue
        break
    return number, unit, consumed, i


def read_region(
    doc_lines: Lines,
    region: Region,
    default_unit: Unit,
    doc_keys: list[str] | None = None,
    continues: ReadTable | None = None,
    doc_folded: list[str] | None = None,
) -> ReadTable:
    """`doc_keys`: `compact` of every document line's text, `doc_folded`: `fold` of it,
    when the caller has them. `continues`: the table this region may continue after a
    page break (the same template)."""
    lines = doc_lines[region.start : region.end]
    if doc_keys is None:
        keys = compact_lines([line.text for line in lines])
    else:
        keys = doc_keys[region.start : region.end]
    before = [
        line for line in doc_lines[max(0, region.start - 3) : region.start] if line.text.strip()
    ]
    template = region.caption.template
    number, unit, consumed, i = _caption_block(lines, keys, region, before)

    header_lines: list[list[Token]] = []
    header_keys: set[str] = set()  # the header lines compact
    data_lines: list[DataLine] = []
    note_lines: list[tuple[DocumentLine, str]] = []  # with the line compact
    in_notes = False
    end_line = lines[region.caption.last_line - region.start].number
    # the lines that hold text, picked in C (a region is mostly blank lines between its words,
    # and a comprehension per list cost a bytecode loop each), read field by field (no line
    # object is made for them)
    holds_text = keys[i:]
    line_numbers, line_texts, line_pages, line_cells = lines[i:].fields_where(holds_text)
    remaining_keys = list(filter(None, holds_text))
    remaining_folded = (
        list(compress(doc_folded[region.start + i : region.end], holds_text)) if doc_folded is not None else None
    )
    tokenized: dict[int, list[Token]] = {}  # each line is tokenized once, though read twice

    def tokens_after() -> list[Token]:  # the tokens of the line after the one being read
        following = position + 1
        if following >= len(line_texts):
            return []
        tokens = tokenized.get(following)
        if tokens is None:
            folded = remaining_folded[following] if remaining_folded is not None else None
            tokens = tokenized[following] = line_tokens(
                line_texts[following], line_numbers[following], line_pages[following], line_cells[following], folded
            )
        return tokens

    # What a note or the prose after the table must hold, looked for once in the region:
    # where it holds none, a line needs only the test of its first character, not a call.
    joined = "\n".join(remaining_keys)
    # (besides a line starting 注, 说明 …: an identity, or an empty declaration "本单位无…")
    may_be_note = "=" in joined or "本单位" in joined or "本部门" in joined
    may_be_prose = "。" in joined or "说明" in joined or "情况" in joined
    for position, (line_number, text, page, cells) in enumerate(zip(line_numbers, line_texts, line_pages, line_cells)):
        # (every line here holds text)
        key = remaining_keys[position]
        if in_notes or ((may_be_note or key[:1] in NOTE_FIRST_CHARS) and is_note_key(key)):
            if in_notes and not (is_note_key(key) or _NOTE_CONTINUATION_RE.match(key)):
                break  # the notes are over; what follows is not this table's
            in_notes = True
            note_lines.append((DocumentLine(line_number, text, page, cells), key))
            end_line = line_number
            continue
        if data_lines and may_be_prose and _is_prose(key):
            break  # the text after the table ("其他相关情况说明", "一、…情况说明。…")
        if data_lines and key in header_keys and (len(key) >= 6 or cells is not None or is_tab_line(text)):
            # the header repeated after a page break, not a row (a short word on a flattened
            # line may be a wrapped name's end: "行政事业单位养老 / 支出")
            consumed.add(line_number)
            continue
        tokens = tokenized.pop(position, None) if tokenized else None
        tab = cells is not None or "\t" in text
        if tokens is None:  # (`line_tokens`, its two cases inline: a call per table line less)
            folded = remaining_folded[position] if remaining_folded is not None else None
            if tab:
                tokens = tab_tokens(text, line_number, page, cells, folded)
            elif folded is not None and len(key) == len(folded) and (key >= ":" or key < "-"):  # (not in NUMBER_FIRST, in C)
                # one word of text, alone on its line (most lines of a flattened header): its
                # token, as `flat_tokens` makes it, made here (a line that folds to its compact
                # form holds no space: the word is the line)
                tokens = [_new_tuple(Token, (text, "text", line_number, 0, page, key, None, 0))]
            else:
                tokens = flat_tokens(text, line_number, page, folded)
        if not data_lines and "单位" in key:  # (what `unit_of_key` needs, tested here)
            found_unit = unit_of_key(key)
            if found_unit and not is_tab_line(text) and len(key) <= 40:
                unit = unit or found_unit
                consumed.add(line_number)
                continue
        if data_lines or _is_data_start(tokens, template, tokens_after):
            data_lines.append((tokens, tab))
        else:
            header_lines.append(tokens)
            header_keys.add(key)
        end_line = line_number

    header = read_header(header_lines)
    caption_line = doc_lines[region.start]
    table = ReadTable(
        template=template,
        title=region.caption.title,
        number=number,
        unit=unit or default_unit,
        columns=[],
        rows=[],
        code_kind=code_kind(template, header.text),
        source=unchecked(SourceRef, {"line": caption_line.number, "column": None, "page": caption_line.page, "text": region.caption.title}),
        end_line=end_line,
    )
    consumed |= set(header.lines)
    table.consumed = consumed
    if template.layout == "sections":
        _read_sections(table, header, header_lines, data_lines)
    else:
        table.code_parents = list(continues.code_parents) if continues is not None else []
        # (what each needs the header to print, looked for in its lines first: most print neither)
        printed = "".join(header_keys)
        if "序" in printed:
            data_lines = _drop_sequence_numbers(header_lines, data_lines)
        if "类" in printed and "款" in printed:
            data_lines = _join_split_codes(header_lines, data_lines, table.code_parents)
        _read_detail(table, header, data_lines)
    _read_notes(table, note_lines)
    return table


# --- detail tables ----------------------------------------------------------------------

_SEQUENCE_RE = re.compile(r"序+号+")


def _drop_sequence_numbers(header_lines: list[list[Token]], data_lines: list[DataLine]) -> list[DataLine]:
    """Rows numbered in a 序号 column before their code ("2 | 201 | 一般公共服务支出 | …"): the
    number is the row's place, not its code or a value, and is left out."""
    column = next(
        (t.column for tokens in header_lines for t in tokens if t.kind == "text" and _SEQUENCE_RE.fullmatch(t.folded)),
        None,
    )
    if column is None:
        return data_lines
    dropped = []
    for data in data_lines:
        tokens, tab = data
        if tab and column < len(tokens) and tokens[column].folded.isdigit() and len(tokens[column].folded) <= 4:
            number = tokens[column]
            blank = Token("", "empty", number.line, number.column, number.page, "")
            data = ([*tokens[:column], blank, *tokens[column + 1 :]], tab)
        dropped.append(data)
    return dropped


_CODE_PART_DIGITS = (3, 2, 2)  # 类 208, 款 05, 项 01: 2080501


def _join_split_codes(
    header_lines: list[list[Token]], data_lines: list[DataLine], parents: list[str]
) -> list[DataLine]:
    """Rows whose code is printed in parts, one cell each under 类 | 款 | 项 (or 类 | 款 of an
    economic code), the 类 and 款 printed only on the row that opens them ("208 | | | 社会保障",
    "| 05 | | 行政事业单位养老支出", "| | 01 | 行政单位离退休") or on every row ("208 | 05 | 01"):
    each row gets its whole code (2080501) in the first of those cells, as a table printing
    whole codes has it. `parents`: the 类 and 类+款 open before the first row (a table going
    on after a page break), updated in place."""
    start = width = None
    for tokens in header_lines:
        words = [t.folded for t in tokens]
        for i in range(len(words) - 1):
            if words[i : i + 2] == ["类", "款"]:
                start, width = i, 3 if words[i + 2 : i + 3] == ["项"] else 2
                break
        if start is not None:
            break
    if start is None:
        return data_lines
    joined = []
    for data in data_lines:
        row_tokens, tab = data
        parts = row_tokens[start : start + width]
        if not tab or len(parts) < width:
            joined.append(data)
            continue
        printed = [k for k, t in enumerate(parts) if t.kind != "empty"]
        # the printed parts: a run from the row's level on ("| 05 |", or "201 | 40 | 01")
        fits = bool(printed) and printed == list(range(printed[0], printed[-1] + 1)) and all(
            parts[k].folded.isdigit() and len(parts[k].folded) == _CODE_PART_DIGITS[k] for k in printed
        )
        level, deepest = (printed[0], printed[-1]) if fits else (0, 0)
        if not fits or len(parents) < level:
            joined.append(data)
            continue
        code = (parents[level - 1] if level else "") + "".join(parts[k].folded for k in printed)
        parents[level:] = [code[: sum(_CODE_PART_DIGITS[: k + 1])] for k in range(level, deepest + 1)]
        first = parts[0]
        whole = Token(code, "number", first.line, first.column, first.page, code, int(code))
        blanks = [Token("", "empty", t.line, t.column, t.page, "") for t in parts[1:]]
        joined.append(([*row_tokens[:start], whole, *blanks, *row_tokens[start + width :]], tab))
    return joined


@lru_cache(maxsize=1024)
def _column_shape(
    template: TemplateSpec, keys: tuple[str, ...], column_set: ColumnSet | None
) -> tuple[tuple[tuple[tuple[int, ...], int], ...], tuple[int, ...]]:
    """What placing a row's values needs of a table's columns (`keys`, in order): the
    template's column identities over them, as `identity_coefficients`, and the template's
    order of preference as their positions. Cached: it depends on the template and the
    header's columns only, never on a document's values (as `templates._column_terms`), and
    the same few recur in every document."""
    identities = _column_identities(template, keys, column_set)
    priority = tuple(keys.index(k) for k in template.priority if k in keys)
    return infer.identity_coefficients(identities, len(keys)), priority


def _column_identities(
    template: TemplateSpec, keys: tuple[str, ...], column_set: ColumnSet | None
) -> tuple[infer.ColumnIdentity, ...]:
    """The template's column identities over the columns a table prints (`keys`, in order)."""
    position = {key: i for i, key in enumerate(keys)}
    identities = template.identities_for(column_set)
    found = []
    for spec in identities:
        if spec.axis != "column" or spec.target not in position:
            continue
        terms = tuple((sign, position[key]) for sign, key in template.column_terms(spec, frozenset(position), identities))
        if terms:
            found.append(infer.ColumnIdentity(position[spec.target], terms))
    return tuple(found)


def _group_detail_rows(data_lines: list[DataLine], free_text: bool = False) -> list[tuple[list[Token], bool]]:
    """Tokens of each row, and whether they are tab cells. A tab line is a row, except a
    line with a label and no values followed by a line of values only (a 合计 row split
    over lines). Flattened lines accumulate until the line that ends with the row's values
    (names wrap, codes sit on a line of their own)."""
    groups: list[tuple[list[Token], bool]] = []
    pending: list[Token] = []
    pending_has_values = False
    for tokens, tab in data_lines:  # (unpacked: cheaper than reading two named fields)
        items = nonempty(tokens) if tab else tokens
        if not items:
            continue
        if tab:
            if pending:
                groups.append((pending, False))
                pending, pending_has_values = [], False
            previous = groups[-1] if groups else None
            if (
                previous is not None
                and previous[1]
                and _is_values_only(tokens)
                and not any(t.kind == "number" for t in nonempty(previous[0])[1:])
            ):
                groups[-1] = (previous[0] + list(tokens), True)
            else:
                groups.append((list(tokens), True))
            continue
        first = items[0]
        if pending:
            code = first.folded  # (flattened words: the first is the line's first item)
            starts_new = (
                # a 3/5/7-digit or project code opens a row (a 6-digit one may be a budget
                # unit's, inside a wrapped row)
                (code.isdigit() and len(code) in (3, 5, 7))
                or is_project_code(code)
                # (the label ends so: tested first, in C, before its ordinal is stripped)
                or (first.kind == "text" and code.endswith(_TOTAL_ENDS) and label_key_of_compact(code) in _TOTAL_LABELS)
                # free-text tables: a unit code with its name opens the next unit's row
                or (free_text and len(items) > 1 and items[1].kind == "text" and is_code(code))
            )
            if starts_new and (pending_has_values or _has_code_and_label(pending)):
                groups.append((pending, False))
                pending, pending_has_values = [], False
        pending.extend(tokens)
        if items[-1].kind == "number" and ends_with_values(items):
            groups.append((pending, False))
            pending, pending_has_values = [], False
        elif len(items) > 1 and "number" in map(kind_of, items[1:]):
            pending_has_values = True
    if pending:
        groups.append((pending, False))
    return groups


def _has_code_and_label(tokens: list[Token]) -> bool:
    items = nonempty(tokens)
    return bool(items) and starts_with_code(items) and any(t.kind == "text" for t in items[1:])


def _read_detail(table: ReadTable, header: Header, data_lines: list[DataLine]) -> None:
    template = table.template
    table.column_set = choose_column_set(template, header.text)
    specs = present_columns(table.column_set.columns, header.text) if table.column_set else []
    ids = column_ids(len(specs), header.lanci)
    table.columns = [ReadColumn(ids[i], spec.label, spec.key) for i, spec in enumerate(specs)]
    keys = [spec.key for spec in specs]
    coefficients, priority = _column_shape(template, tuple(keys), table.column_set)
    n = len(specs)
    ambiguous: dict[int, list[tuple[int, ...]]] = {}
    # a template order -> its positions here, and the placement plans of that order by the
    # number of values (the same few orders and counts recur on every row)
    plans: dict[tuple[str, ...], tuple[tuple[int, ...], dict[int, infer.PlacementPlan]]] = {}
    # each row's cells as integers, in order, and one cent on their scale (as `scaled` made
    # them to place the values): what settling adds up
    row_units: list[tuple[list[int], int]] = []
    for tokens, tab in _group_detail_rows(data_lines, template.free_text):
        row = parse_detail_row(tokens, template.free_text, tab)
        table.consumed.update(map(line_of, tokens))
        if not row.code and not row.label_parts and not row.values:
            continue
        values = row.values
        if len(values) > n and template.free_text:
            values = values[len(values) - n :]  # quantities and prices before the money
            row.values = values
        units: tuple[list[int], int] = ([], 1)
        if tab and row.value_cells is not None:
            cells = row.value_cells
            numbered = [i for i, t in enumerate(cells) if t.kind == "number"]  # the cells holding values
            numbers = [cells[i] for i in numbered]
            ints, cent = scaled(numbers)
            shift = infer.infer_shift_of_numbered(numbered, len(cells), ints, cent, n, coefficients)
            if shift is not None:
                row.cells = dict(zip([i + shift for i in numbered], numbers))
                units = ints, cent
        if not row.cells and values:
            ints, cent = scaled(values)
            preferred = template.priority_for(row.code)
            planned = plans.get(preferred)
            if planned is None:
                row_priority = tuple(keys.index(k) for k in preferred if k in keys) or priority
                planned = plans[preferred] = (row_priority, {})
            plan = planned[1].get(len(ints))
            if plan is None:
                plan = planned[1][len(ints)] = infer.placement_plan(n, len(ints), planned[0], coefficients)
            # settling reads no more than its first choices of a row: none more are sought
            ranked = infer.ranked_placements(ints, cent, plan, keep=MAX_CHOICES_PER_ROW)
            positions = ranked[0] if ranked else None
            if len(ranked) > 1:
                ambiguous[len(table.rows)] = ranked
            if positions is None:
                table.unread.append(
                    UnreadLine(
                        line=values[0].line,
                        text=" ".join(t.text for t in tokens if t.kind != "empty"),
                        reason=f"{len(values)} values for {n} columns of {template.id}",
                    )
                )
                continue
            row.cells = dict(zip(positions, values))
            units = ints, cent
        table.rows.append(row)
        row_units.append(units)
    settle_by_parents(table.rows, ambiguous, row_units)


# --- side-by-side summary tables ----------------------------------------------------------


def _section_columns(table: ReadTable, header: Header) -> list[list[ColumnSpec]]:
    return [present_columns(s.columns, header.text) for s in table.template.sections]


def _read_sections(
    table: ReadTable, header: Header, header_lines: list[list[Token]], data_lines: list[DataLine]
) -> None:
    template = table.template
    per_section = _section_columns(table, header)
    # tab layout: section starts and 行次 positions from the header line that shows them
    starts: list[int] = []
    for tokens in header_lines:
        found = section_starts(tokens, template.sections[0].header)
        if len(found) >= 2 and len(found) > len(starts):
            starts = found
    line_number_cols = {
        t.column for tokens in header_lines for t in tokens if t.folded in ("行次", "行")
    }
    section_count = max(len(starts), 1) if starts else len(template.sections)
    widths = [len(per_section[min(s, len(per_section) - 1)]) for s in range(section_count)]
    # ids: printed 栏次 run across sections, else positions within a section
    lanci = list(header.lanci)
    columns: list[ReadColumn] = []
    if len(lanci) >= sum(widths) > 0:
        k = 0
        for s in range(section_count):
            specs = per_section[min(s, len(per_section) - 1)]
            for spec in specs:
                columns.append(ReadColumn(str(lanci[k]), spec.label, spec.key, s))
                k += 1
    else:
        for s in range(section_count):
            specs = per_section[min(s, len(per_section) - 1)]
            for j, spec in enumerate(specs):
                columns.append(ReadColumn(str(j + 1), spec.label, spec.key, s))
    table.columns = columns
    table.section_keys = [
        template.sections[min(s, len(template.sections) - 1)].key for s in range(section_count)
    ]
    known_row = template.known_row_re.fullmatch

    def known(text: str) -> bool:
        return known_row(label_key_of_compact(text)) is not None

    later = _later_sections(template, section_count)
    previous: RawRow | None = None
    for tokens, tab in data_lines:
        items = nonempty(tokens) if tab else tokens
        if not items:
            continue
        table.consumed.add(items[0].line)
        if starts and tab:
            rows = _section_rows_tab(tokens, starts, line_number_cols, widths)
        else:
            if len(items) == 1 and items[0].kind == "text" and previous is not None and len(items[0].folded) <= 4 and not has_ordinal_compact(items[0].folded):
                previous.label_parts.append(items[0])  # a label wrapped onto its own line
                previous.tokens.append(items[0])
                continue
            rows = _section_rows_flat(items, known, later)
        for row in rows:
            if row.label_parts or row.values or row.line_number is not None or row.code:
                table.rows.append(row)
                previous = row


def _section_rows_tab(tokens: list[Token], starts: list[int], line_number_cols: set[int], widths: list[int]) -> list[RawRow]:
    bounds = starts + [10**6]
    rows = [RawRow(tokens=[], section=s) for s in range(len(starts))]
    has_text = [False] * len(starts)
    # each printed cell with its section: the section whose cells hold its column (the first,
    # for a cell before them all)
    cells = [(token, max(bisect_right(starts, token.column) - 1, 0)) for token in tokens if token.kind != "empty"]
    for token, s in cells:
        row = rows[s]
        line_number = small_int(token.folded) if token.column in line_number_cols else None
        if line_number is not None:
            row.line_number = line_number
            row.tokens.append(token)
            has_text[s] = True
        elif token.kind == "text":
            row.label_parts.append(token)
            row.tokens.append(token)
            has_text[s] = True
        elif token.column == starts[s] and is_code_cell(token):
            row.code = token.folded
            row.tokens.append(token)
            has_text[s] = True
    # Values start after a section's label and 行次 cells; fixed before any value is placed,
    # so that a row's second value does not move the start (and land on the first's column).
    value_starts = [
        max([starts[s]] + [t.column + 1 for t in row.tokens if t.column < bounds[s + 1]])
        if row.tokens else starts[s] + 1
        for s, row in enumerate(rows)
    ]
    for token, s in cells:
        if token.kind != "number":
            continue
        if token.column in line_number_cols or (token.column == starts[s] and rows[s].code == token.folded):
            continue
        while s > 0 and not has_text[s]:
            s -= 1  # a value printed past its section's cells ("公用经费合计 … 291.90")
        row = rows[s]
        position = min(max(token.column - value_starts[s], 0), max(widths[s] - 1, 0))
        row.values.append(token)
        row.tokens.append(token)
        row.cells[position] = token
    return rows


def is_code_cell(token: Token) -> bool:
    return token.kind == "number" and token.folded.isdigit() and len(token.folded) in (3, 5, 7)


def _section_rows_flat(items: list[Token], known: Callable[[str], bool], later: tuple[re.Pattern[str] | None, ...]) -> list[RawRow]:
    """`items`: a line's non-empty tokens; `known`: whether a label (compact) is one the
    template knows; `later`: `_later_sections(template, section_count)`."""
    rows = []
    proposed = 0  # segments go left to right: each after the section of the one before
    for label, values in split_sections_flat(items, known):
        section = proposed = _section_for(label, proposed, later)
        proposed += 1
        code = None
        tokens_of_row = label + values
        if label and is_code_cell(label[0]):
            code = label[0].folded
            label = label[1:]
        # (the segment's own lists: split_sections_flat made them for this row; every field
        # given in order, as `rows.parse_detail_row` makes its rows: keywords cost nearly twice)
        rows.append(RawRow(tokens_of_row, code, label, None, "", None, values, None, section, dict(enumerate(values))))
    return rows


@lru_cache(maxsize=64)
def _later_sections(template: TemplateSpec, count: int) -> tuple[re.Pattern[str] | None, ...]:
    """For each section p a segment may be proposed for, the row patterns of sections p, p + 1,
    … (of the first `count`) as one alternation whose group names the first that matches
    ("s2"): one regex run per segment instead of one per section. None for a p no later
    section can take a segment from (the last section, or past the template's sections).
    (Templates hash by identity: the cache costs a lookup, not a hash of every spec.)"""
    sections = template.sections[:count]
    return tuple(
        re.compile("|".join(f"(?P<s{s}>{sections[s].row_re.pattern})" for s in range(p, len(sections))))
        if p < len(sections) - 1
        else None
        for p in range(count)
    )


def _section_for(label: list[Token], proposed: int, later: tuple[re.Pattern[str] | None, ...]) -> int:
    """The section a flattened segment (its label tokens) belongs to: the proposed one
    (segments go left to right), unless its label is known to belong to a later section and
    not to the proposed one. `later`: `_later_sections(template, section_count)`."""
    proposed = min(proposed, len(later) - 1)
    pattern = later[proposed]
    if pattern is None:  # (no later section: the label's key is not needed)
        return proposed
    text = label_key_of_compact("".join(map(folded_of, label)))  # (`label_key` of their text)
    found = pattern.fullmatch(text) if text else None
    return int(found.lastgroup[1:]) if found else proposed


# --- notes ----------------------------------------------------------------------------------


def _read_notes(table: ReadTable, note_lines: list[tuple[DocumentLine, str]]) -> None:
    for line, key in note_lines:
        table.consumed.add(line.number)
        source = unchecked(SourceRef, {"line": line.number, "column": None, "page": line.page, "text": line.text.strip()})
        table.identities.extend(parse_identities_of_key(key, source))
        note = empty_note_of_key(key)
        if note and not table.declared_empty:
            has_values = any(row.cells for row in table.rows)
            if not has_values:
                table.declared_empty = True
                table.empty_note = note

