"""Reading numbers as printed: amounts with thousands separators, percentages, full-width
digits and punctuation. Pure functions; every value is a `Decimal`.
"""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation

from fiscalwatch.common import text as _common_text

__all__ = ["fold", "compact", "compact_lines", "fold_lines", "compact_folded_lines", "fold_and_compact_lines", "parse_decimal", "is_number", "decimal_places", "NUMBER", "NUMBER_RE", "SCAN_NUMBER_RE", "PERCENT_RE"]

# `fold` as in fiscalwatch.common.text (the same table), but fast: `str.translate` looks every
# character up in the table, which costs as much as a regex scan of the whole text; here only
# the characters that fold are found (by one character class) and replaced.
_FOLD_CHARS = {chr(k): (chr(v) if isinstance(v, int) else v) for k, v in _common_text._FOLD.items()}
_FOLDABLE_RE = re.compile("[" + "".join(re.escape(c) for c in sorted(_FOLD_CHARS)) + "]")
_fold_sub = _FOLDABLE_RE.sub
_fold_char = _FOLD_CHARS.__getitem__


def _fold_match(m: re.Match[str]) -> str:
    return _fold_char(m.group())


def fold(text: str) -> str:
    """Full-width digits, letters and punctuation to ASCII; same length as the input."""
    if text.isascii():
        return text
    return _fold_sub(_fold_match, text)


def fold_long(text: str) -> str:
    """`fold` for a long text (a whole document): the few distinct characters that fold are
    found once and each replaced by one `str.replace` (no callback per character)."""
    if text.isascii():
        return text
    for c in set(_FOLDABLE_RE.findall(text)):
        text = text.replace(c, _FOLD_CHARS[c])
    return text


_SPACE_RE = re.compile(r"\s+")
_SPACE_BUT_NEWLINE_RE = re.compile(r"[^\S\n]+")
# `[^\S\n]` spelt out (every character `\s` matches, but a line break; tests/test_fast_patterns.py
# holds it to that): a class of listed characters is scanned for many times faster than a
# negated category, and most texts hold none of those but the space and the tab.
_A_SPACE_BUT_NEWLINE_RE = re.compile("[\t\x0b\x0c\r\x1c-\x20\x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]")


# The spaces `_drop_spaces_but_newlines` does not drop with `str.replace` (every one but " ", "\t"
# and the line break), and every character that folds: what one scan of a text for both finds
# tells `fold_and_compact_lines` which characters to fold and whether the slow drop is needed.
_ODD_SPACES = "\x0b\x0c\r\x1c-\x1f\x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000"
_FOLDABLE_OR_ODD_SPACE_RE = re.compile(_FOLDABLE_RE.pattern[:-1] + _ODD_SPACES + "]")


def _drop_spaces_but_newlines(text: str) -> str:
    # spaces and tabs are most of the whitespace, and `str.replace` drops them fastest
    text = text.replace(" ", "").replace("\t", "")
    return _SPACE_BUT_NEWLINE_RE.sub("", text) if _A_SPACE_BUT_NEWLINE_RE.search(text) else text


def compact(text: str) -> str:
    """As fiscalwatch.common.text.compact: folded, every whitespace removed, brackets ASCII
    (folding already turns full-width brackets into ASCII ones)."""
    return _SPACE_RE.sub("", fold(text))


def compact_lines(texts: list[str]) -> list[str]:
    """`[compact(t) for t in texts]`, folded and stripped of spaces in one pass over the
    joined text (per line, the calls cost several times a scan of the text)."""
    return compact_folded_lines(fold_lines(texts))


def fold_lines(texts: list[str]) -> list[str]:
    """`[fold(t) for t in texts]`, folded in one pass over the joined text."""
    joined = "\n".join(texts)
    if joined.count("\n") != len(texts) - 1:  # a line that holds a line break itself
        return [fold(t) for t in texts]
    return fold_long(joined).split("\n") if texts else []


def compact_folded_lines(folded: list[str]) -> list[str]:
    """`compact` of lines already folded (`fold_lines`): their spaces dropped in one pass."""
    joined = "\n".join(folded)
    if joined.count("\n") != len(folded) - 1:
        return [_SPACE_RE.sub("", t) for t in folded]
    return _drop_spaces_but_newlines(joined).split("\n") if folded else []


def fold_and_compact_lines(texts: list[str]) -> tuple[list[str], list[str]]:
    """`fold_lines(texts)` and `compact_folded_lines` of them, for a quarter less: the lines are
    joined once, and one scan finds both the characters to fold and the spaces that only a
    pattern drops (`compact_folded_lines` scans for those a second time)."""
    joined = "\n".join(texts)
    if not texts or joined.count("\n") != len(texts) - 1:
        folded = fold_lines(texts)
        return folded, compact_folded_lines(folded)
    found = set(_FOLDABLE_OR_ODD_SPACE_RE.findall(joined))
    folded = joined
    for c in found & _FOLD_CHARS.keys():
        folded = folded.replace(c, _FOLD_CHARS[c])
    compacted = folded.replace(" ", "").replace("\t", "")
    # folding turns no character into an odd space, and two of them (U+00A0, U+3000) into " "
    if found - _FOLD_CHARS.keys():
        compacted = _SPACE_BUT_NEWLINE_RE.sub("", compacted)
    return folded.split("\n"), compacted.split("\n")


# A number as printed in these documents: "2,270.24", "1443.32", "44.876059", "-3.5".
# Thousands groups must be exactly three digits, so "1.8,2080505" is two numbers.
NUMBER = r"-?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?"
NUMBER_RE = re.compile(rf"(?<![\d.]){NUMBER}(?![\d])")
# NUMBER_RE's matches, found about 3x faster (NUMBER_RE itself is left as is: it says what a
# number is, tests/test_fast_patterns.py holds this to it, and bench/bench_parse.py measures
# parsing against it). A pattern that begins with a character class is scanned for that
# class, with no attempt at the positions that hold neither "-" nor a digit, and most
# positions hold neither; so the first character is consumed first, and the look-behind (of
# width two) then checks the one before it.
SCAN_NUMBER_RE = re.compile(r"[-\d](?<![\d.].)(?:(?<=-)\d|(?<=\d))(?:\d{0,2}(?:,\d{3})+|\d*)(?:\.\d+)?(?!\d)")
PERCENT_RE = re.compile(rf"(?<![\d.])({NUMBER})\s*%")
FULL_NUMBER_RE = re.compile(rf"\s*{NUMBER}\s*")


_DECIMAL_RE = re.compile(r"-?\d+(?:\.\d+)?")


def parse_decimal(raw: str) -> Decimal:
    """'2,270.24' -> Decimal('2270.24'); raises ValueError for anything that is not a number."""
    cleaned = fold(raw).strip().replace(",", "")
    if not _DECIMAL_RE.fullmatch(cleaned):
        raise ValueError(f"not a number: {raw!r}")
    try:
        return Decimal(cleaned)
    except InvalidOperation as exc:  # pragma: no cover - the regex admits only numbers
        raise ValueError(f"not a number: {raw!r}") from exc


def is_number(cell: str) -> bool:
    return bool(FULL_NUMBER_RE.fullmatch(fold(cell))) if cell else False


def decimal_places(raw: str) -> int:
    folded = fold(raw).strip().rstrip("%").strip()
    return len(folded.split(".", 1)[1]) if "." in folded else 0
