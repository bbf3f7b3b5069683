"""Rows as printed: which tokens of a row are its code, its name, its budget unit, its 行次
and its values. Column assignment happens later (`columns.py`); keys later still (`build.py`).

Detail tables (rows keyed by code) are read the same way in both layouts: a row is the
tokens of one tab line, or the tokens of consecutive flattened lines up to the line that
ends with the row's values (names wrap, codes sit on a line of their own). Summary tables
print sections side by side; a tab line is cut into sections by the header's cell
positions, a flattened line by the alternation of labels and values.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from fiscalwatch.parse.numbers import PERCENT_RE
from fiscalwatch.parse.tables.text import Token, compact, folded_of, is_code, is_project_code, kind_of, label_key_of_compact, line_of

_ORDINAL_START_RE = re.compile(r"^(?:[一二三四五六七八九十廿]{1,3}、|\([一二三四五六七八九十廿]{1,3}\))")
UNIT_CODE_LENGTHS = (3, 6)


@dataclass(slots=True)
class RawRow:
    tokens: list[Token]
    code: str | None = None
    label_parts: list[Token] = field(default_factory=list)
    unit_code: str | None = None
    unit_name: str = ""
    line_number: int | None = None
    values: list[Token] = field(default_factory=list)
    value_cells: list[Token] | None = None  # tab layout: the run of cells holding the values
    section: int = 0
    cells: dict[int, Token] = field(default_factory=dict)  # value position -> token

    @property
    def lines(self) -> list[int]:
        return sorted(set(map(line_of, self.tokens)))

    @property
    def label_key(self) -> str:
        """`text.label_key(self.label)`, from the compact forms its words already have."""
        return label_key_of_compact("".join(map(folded_of, self.label_parts)))

    @property
    def label(self) -> str:
        """The label's tokens joined: by a space on one line, directly across a wrap."""
        parts = self.label_parts
        if not parts:
            return ""
        out = parts[0].text
        line = parts[0].line
        for token in parts[1:]:
            out += (" " + token.text) if token.line == line else token.text
            line = token.line
        return out.strip()


def nonempty(tokens: list[Token]) -> list[Token]:
    return [t for t in tokens if t.kind != "empty"]


def first_item(tokens: list[Token]) -> Token | None:
    """The first non-empty token (without making the list of them)."""
    for token in tokens:
        if token.kind != "empty":
            return token
    return None


def starts_with_code(tokens: list[Token]) -> bool:
    first = first_item(tokens)
    return first is not None and (is_code(first.folded) or is_project_code(first.folded))


def ends_with_values(items: list[Token]) -> bool:
    """Whether a line (its non-empty tokens, the last of them a number) ends with values: a
    lone code does not (part of a wrapped row), nor does a budget unit code after a word
    ("政策管理 737001": a unit code ending a wrapped line, not a value)."""
    last = items[-1].folded
    if len(items) == 1:  # a lone function, economic, unit or project code
        return not ((last.isdigit() and 3 <= len(last) <= 7) or is_project_code(last))
    return not (items[-2].kind != "number" and last.isdigit() and len(last) in UNIT_CODE_LENGTHS)


def has_ordinal(text: str) -> bool:
    return bool(_ORDINAL_START_RE.match(compact(text)))


def has_ordinal_compact(key: str) -> bool:
    """`has_ordinal` of a text already compact (a token's `folded`)."""
    return bool(_ORDINAL_START_RE.match(key))


def parse_detail_row(tokens: list[Token], free_text: bool, tab: bool) -> RawRow:
    """Split a detail row into code, name, unit code and name, and values. (`tab`: the
    tokens are cells, empties kept; else words, none of them empty.)"""
    items = nonempty(tokens) if tab else tokens
    if not items:
        return RawRow(tokens=tokens)
    if items[0].kind == "text" and items[0].folded.startswith("["):
        items = [*_split_bracketed_code(items[0]), *items[1:]]
    start = 0
    code = None
    if is_code(items[0].folded) or is_project_code(items[0].folded):
        code = items[0].folded
        start = 1
    # values: the trailing run of numbers; a free-text table may print text after them
    end = len(items)
    run = 0
    # (in tab cells, rates among the values go on their run, holding no amount: "…| -20,442.30 |
    # -60.86% | 3,099.90 | 30.86%", the change on the year before)
    while run < end - start and (items[end - 1 - run].kind == "number" or (tab and _is_percent_cell(items[end - 1 - run]))):
        run += 1
    if run == 0 and free_text:
        last = max((i for i in range(start, end) if items[i].kind == "number"), default=None)
        if last is not None:
            end = last + 1
            while run < end - start and items[end - 1 - run].kind == "number":
                run += 1
    run_tokens = items[end - run : end]
    # (a run of words is numbers only: only tab cells put rates on it)
    values = [t for t in run_tokens if t.kind == "number"] if tab else run_tokens
    body = items[start : end - run]
    unit_code, unit_name = None, ""
    # a budget-unit code inside the row: a 3- or 6-digit number after the row's name, followed
    # by the unit's name (so neither the first word nor the last: a short body has none)
    for i in range(1, len(body) - 1):
        folded = body[i].folded
        if folded.isdigit() and len(folded) in UNIT_CODE_LENGTHS and body[i + 1].kind == "text":
            unit_code = folded
            unit_name = "".join([t.text for t in body[i + 1 :]])
            body = body[:i]
            break
    value_cells = None
    if tab and values:
        line = values[0].line
        # the values by identity: comparing tokens field by field (as `in` would) costs more
        value_tokens = {id(t) for t in run_tokens}  # (with the rates among them)
        last_text = max((t.column for t in items if t.line == line and id(t) not in value_tokens), default=-1)
        value_cells = [t for t in tokens if t.line == line and t.column > last_text]
    # (made once, with every field it has, in the fields' order: a row is made for every row
    # of every table, and keywords cost the call nearly twice as much)
    return RawRow(tokens, code, body, unit_code, unit_name, None, values, value_cells)


def _is_percent_cell(token: Token) -> bool:
    return token.kind == "text" and token.folded.endswith("%") and PERCENT_RE.fullmatch(token.folded) is not None


_BRACKETED_CODE_RE = re.compile(r"\[(\d{3,7})\](.+)")  # 广东: "[2080501]行政单位离退休"


def _split_bracketed_code(token: Token) -> list[Token]:
    """A code printed in brackets before its name, in one cell: the code and the name, as a
    table printing them apart has them (same line and cell)."""
    found = _BRACKETED_CODE_RE.fullmatch(token.folded)
    if found is None:
        return [token]
    code, name = found.group(1), found.group(2)
    # the printed text folds to the same length: the name is printed at the same place
    printed = token.text[len(token.text) - len(name) :] if len(token.text) >= len(name) else name
    return [
        token._replace(text=code, kind="number", folded=code, units=int(code), places=0),
        token._replace(text=printed, folded=name, units=None, places=0),
    ]


def split_sections_flat(items: list[Token], known_label=lambda text: False) -> list[tuple[list[Token], list[Token]]]:
    """A flattened summary line (its non-empty tokens) as (label tokens, value tokens)
    segments, in order. A new segment starts after values, at an ordinal ("二、项目支出"), at a
    code followed by its name ("204 公共安全支出"), or at a label the template knows ("支出类别分类")."""
    segments: list[tuple[list[Token], list[Token]]] = []
    label: list[Token] = []
    values: list[Token] = []
    kinds = list(map(kind_of, items))  # (in C: each token with its kind and the next one's, below)
    next_kinds = kinds[1:]
    next_kinds.append("")
    for token, kind, next_kind in zip(items, kinds, next_kinds):
        if kind == "text":
            # (the label tests only when the segment has a label and no values yet: the
            # label may then go on, unless it is a code alone, whose name this is)
            starts_new = values or (
                label
                and not (len(label) == 1 and label[0].kind == "number")
                and (_ORDINAL_START_RE.match(token.folded) or known_label(token.folded))
            )
        elif next_kind == "text" and is_code(token.folded):  # a code followed by its name
            starts_new = values or (label and not (len(label) == 1 and label[0].kind == "number"))
        else:
            values.append(token)
            continue
        if starts_new:
            segments.append((label, values))
            label, values = [], []
        label.append(token)
    if label or values:
        segments.append((label, values))
    return segments
