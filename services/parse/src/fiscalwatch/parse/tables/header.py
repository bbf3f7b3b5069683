"""Reading a table's header: the 栏次 it prints, the words naming its columns, and which of
the template's columns are present."""

from __future__ import annotations

import re
from dataclasses import dataclass

from fiscalwatch.parse.tables.templates import ColumnSet, ColumnSpec, TemplateSpec
from fiscalwatch.parse.tables.text import Token, compact, small_int

# Header cells that sit on the 栏次 line without being column numbers.
_LANCI_WORDS = {"栏次", "类", "款", "项", "行次", "行"}
_LANCI_MAX = 40


def lanci_numbers(tokens: list[Token]) -> list[int] | None:
    """The column numbers a 栏次 line prints ("类 款 项 栏次 1 2 3"), else None."""
    numbers = []
    for token in tokens:
        if token.kind == "empty" or token.folded in _LANCI_WORDS:
            continue
        value = small_int(token.folded)
        if value is None or value > _LANCI_MAX:
            return None
        numbers.append(value)
    return numbers or None


def is_lanci_sequence(numbers: list[int]) -> bool:
    return all(b == a + 1 for a, b in zip(numbers, numbers[1:]))


@dataclass(frozen=True)
class Header:
    text: str  # compact, all header lines joined (栏次 lines excluded)
    lanci: tuple[int, ...]  # printed 栏次, in order
    lines: tuple[int, ...]  # document line numbers


def read_header(lines: list[list[Token]]) -> Header:
    text_parts: list[str] = []
    lanci: list[int] = []
    numbers: list[int] = []
    for tokens in lines:
        if len(tokens) == 1 and tokens[0].kind == "text":
            # (a flattened header prints most of its words a line each: such a line is one
            # word of the header's text, as the tests below would find)
            text_parts.append(tokens[0].folded)
            numbers.append(tokens[0].line)
            continue
        found = lanci_numbers(tokens)
        if found is None and any(t.folded == "栏次" for t in tokens):
            # "栏次 | | 1 | 栏次 | | 小计 | …": the numbers of a 栏次 line that also has words
            values = [small_int(t.folded) for t in tokens]
            found = [v for v in values if v is not None and v <= _LANCI_MAX] or None
            if found is not None:
                text_parts.extend(t.folded for t in tokens if t.kind == "text")
        if found is not None and (not lanci or found[0] == lanci[-1] + 1) and is_lanci_sequence(found):
            lanci.extend(found)
        else:
            text_parts.extend(t.folded for t in tokens if t.kind != "empty")
        if tokens:
            numbers.append(tokens[0].line)
    return Header("".join(text_parts), tuple(lanci), tuple(numbers))


def present_columns(columns: tuple[ColumnSpec, ...], header_text: str) -> list[ColumnSpec]:
    return [c for c in columns if c.required or any(p.search(header_text) for p in c.patterns)]


def choose_column_set(template: TemplateSpec, header_text: str) -> ColumnSet | None:
    """The column set whose `when` pattern the header matches, else the default set."""
    for column_set in template.column_sets:
        if column_set.when is None or column_set.when.search(header_text):
            return column_set
    return None


def column_ids(count: int, lanci: tuple[int, ...]) -> list[str]:
    """Printed 栏次 for the value columns when the table prints them (the last `count`
    numbers: budget tables number their code and name columns too), else 1..count."""
    if len(lanci) >= count > 0:
        return [str(n) for n in lanci[len(lanci) - count :]]
    return [str(i) for i in range(1, count + 1)]


_ECONOMIC_RE = re.compile(r"经济分类|经济科目")
_UNIT_RE = re.compile(r"单位(?:代码|编码)|\(单位\)代码")
_FUNCTION_RE = re.compile(r"功能|科目编码|科目代码")


def code_kind(template: TemplateSpec, header_text: str) -> str:
    """How the leading code of a row is to be read: the header says it when it names an
    economic classification or budget units; otherwise the template's default."""
    if template.row_codes in ("unit", "project"):
        return template.row_codes
    if _ECONOMIC_RE.search(header_text):
        return "economic"
    if template.row_codes in ("function", "economic") and not _FUNCTION_RE.search(header_text):
        if _UNIT_RE.search(header_text):
            return "unit"
    return template.row_codes


def section_starts(tokens: list[Token], pattern: re.Pattern[str]) -> list[int]:
    """Cell indices where side-by-side sections start on a tab header line."""
    return [t.column for t in tokens if t.kind == "text" and pattern.fullmatch(compact(t.text))]


def header_key(text: str) -> str:
    return compact(text)
