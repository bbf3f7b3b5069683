"""Text helpers shared by the table modules: compact forms of captions and labels, and the
tokens a table line is made of (tab cells, or space-separated words split at numbers).

Everything here is linear in the length of the line; the regexes have no nested
quantifiers, so arbitrary text cannot make them backtrack.
"""

from __future__ import annotations

import re
from decimal import Context, Decimal
from operator import itemgetter
from typing import Literal, NamedTuple

from fiscalwatch.parse.numbers import NUMBER, fold, parse_decimal

_WHITESPACE_RE = re.compile(r"\s+")
_WORD_RE = re.compile(r"\S+")

# A leading ordinal: "一、", "（一）", "(十二)", "1.", "1、", "廿一、".
_ORDINAL_RE = re.compile(
    r"^(?:[一二三四五六七八九十廿]{1,3}[、.]|\([一二三四五六七八九十廿]{1,3}\)|\d{1,2}[、.](?!\d))"
)

# Function / economic codes: 3, 5 or 7 digits (类 208, 款 20805, 项 2080505); 6 digits are
# either a 项 code cut short or a budget unit code (737001).
CODE_RE = re.compile(r"\d{3,7}")
# Project codes such as "42010322205T000000101".
PROJECT_CODE_RE = re.compile(r"[0-9A-Z]{12,30}")

# A word that starts with a number and goes on with text: "76.89二、项目支出", "2101501行政运行",
# "1.00批". Dates ("2023年") are not split.
_LEADING_NUMBER_RE = re.compile(rf"({NUMBER})(?=[^\dA-Za-z.,%年月日])")


def compact(text: str) -> str:
    """Full-width folded to ASCII and every whitespace removed: the form captions, header
    words and labels are compared in."""
    return _WHITESPACE_RE.sub("", fold(text))


def label_key(label: str) -> str:
    """The normalised label used as a row key: compact, leading ordinal removed."""
    return label_key_of_compact(compact(label))


def label_key_of_compact(key: str) -> str:
    """`label_key` of a text already compact (a token's `folded`)."""
    found = _ORDINAL_RE.match(key)
    return (key[found.end() :] or key) if found else key


_SMALL_INT_RE = re.compile(r"[0-9]{1,4}")


# These three are asked of nearly every cell: each tests the length first, in C, which most
# cells fail, and then exactly what its pattern says (`_SMALL_INT_RE`, `CODE_RE`, ...).


def small_int(text: str) -> int | None:
    """A short ASCII integer (a 行次 or 栏次), else None: never converts a huge digit run."""
    # (`_SMALL_INT_RE.fullmatch`, told by two string tests: ASCII digits are its digits)
    return int(text) if 0 < len(text) <= 4 and text.isdecimal() and text.isascii() else None


def is_code(text: str) -> bool:
    """`CODE_RE` (3 to 7 digits; `str.isdecimal` is the digits `\\d` matches)."""
    return 3 <= len(text) <= 7 and text.isdecimal()


def is_project_code(text: str) -> bool:
    return 12 <= len(text) <= 30 and bool(PROJECT_CODE_RE.fullmatch(text)) and any(c.isdigit() for c in text) and any(
        c.isalpha() for c in text
    )


TokenKind = Literal["number", "text", "empty"]


class Token(NamedTuple):
    """One cell of a table line: its text as printed, what it is, and its place.
    (A named tuple: documents have tens of thousands of cells, and tuples are cheap.)"""

    text: str
    kind: TokenKind
    line: int
    column: int  # cell index (tab layout) or token index (flattened layout)
    page: int | None = None
    # `compact(text)`: computed once, when the token is made (it is read many times).
    folded: str = ""
    # A number token's value as an integer count of its last printed place, and how many
    # places it prints ("2,557.34": 255734 and 2): read once when the token is made. Columns
    # are placed and rows settled by sums of these, exact integers, on a common scale
    # (`scaled`); only the values that become cells are made Decimals (`token_value`).
    # None for a digit run too long to be an amount (int() refuses one of thousands of digits).
    units: int | None = None
    places: int = 0


# A token's fields read in C (`map(folded_of, tokens)`: no comprehension per row).
line_of = itemgetter(Token._fields.index("line"))
kind_of = itemgetter(Token._fields.index("kind"))
folded_of = itemgetter(Token._fields.index("folded"))

MAX_UNIT_DIGITS = 60  # far beyond any amount; longer digit runs are read as Decimals


def number_parts(folded: str) -> tuple[int | None, int]:
    """(units, places) of a number as `NUMBER` admits it, folded ("-2,557.34" -> (-255734, 2))."""
    if "," in folded:
        folded = folded.replace(",", "")
    whole, _, fraction = folded.partition(".")
    return _units(whole, fraction)


def _units(whole: str, fraction: str) -> tuple[int | None, int]:
    if len(whole) + len(fraction) > MAX_UNIT_DIGITS:
        return None, len(fraction)
    return int(whole + fraction), len(fraction)


def _word_number(word: str) -> tuple[int | None, int] | None:
    """`number_parts(word)` when the word (folded, no spaces, starting with a digit or a
    sign) is a number as `NUMBER` admits it, else None. The common form, digits around at
    most one point ("460.00", most amounts), is told by `str.isdecimal` (the digits `\\d`
    matches) and read from the same split; the others ("-3.5", "2,557.34") by the pattern."""
    whole, dot, fraction = word.partition(".")
    if whole.isdecimal() and (fraction.isdecimal() or not dot):
        return _units(whole, fraction)
    if _NUMBER_WORD_RE.fullmatch(word):  # (`number_parts`: a number prints commas only before its point)
        return _units(whole.replace(",", ""), fraction)
    return None


def token_value(token: Token) -> Decimal:
    """The value of a number token, as `parse_decimal(token.text)` reads it."""
    if token.folded:
        return Decimal(token.folded.replace(",", ""))
    return parse_decimal(token.text)


def scaled(tokens: list[Token]) -> tuple[list[int], int]:
    """The tokens' values as integers on one common scale (of at least two places), and one
    cent on that scale: the candidate searches compare thousands of sums, and integer sums
    are exact and fast."""
    places = 2
    for token in tokens:
        if token.places > places:
            places = token.places
    ints = []
    for token in tokens:
        units = token.units
        if units is None:  # a digit run too long for int(): through a Decimal, exactly
            value = token_value(token)
            units = int(value.scaleb(token.places, Context(prec=len(token.folded) + 1)))
        ints.append(units * 10 ** (places - token.places) if token.places != places else units)
    return ints, 10 ** (places - 2)


_NUMBER_CELL_RE = re.compile(rf"\s*{NUMBER}\s*")


def _word_kind(folded: str) -> TokenKind:
    """"number" or "text", of a word (no spaces, not empty) given in its folded form: a
    number starts with a digit or a sign once folded."""
    if folded[0] not in "0123456789-":
        return "text"
    return "number" if _NUMBER_CELL_RE.fullmatch(folded) else "text"


def is_tab_line(text: str) -> bool:
    return "\t" in text


NUMBER_FIRST = frozenset("0123456789-")  # a number (and so a "number" token) starts so
# `word >= ":" or word < "-"` holds of a word whose first character sorts after
# "9" or before "-", and so is not in NUMBER_FIRST: told by two comparisons in C, without
# making the first character a string of its own (`word[0]` of a Chinese word makes one).
# A word it lets through that starts with "." or "/" (between "-" and "0") is read as text
# by the number tests that follow, as NUMBER_FIRST would have it.
_new_token = tuple.__new__  # Token(...) without the named tuple's Python-level __new__
_NUMBER_WORD_RE = re.compile(NUMBER)


def tab_tokens(text: str, line: int, page: int | None = None, cells=None, folded_text: str | None = None) -> list[Token]:
    """Cells of a tab-separated line (or the cells a format reader already knows), empties
    kept so that positions stay meaningful. `folded_text`: `fold(text)`, when the caller
    has it (a tab line's cells are then folded already)."""
    parts = list(cells) if cells is not None else text.split("\t")
    folded_parts = folded_text.split("\t") if cells is None and folded_text is not None else None
    if folded_parts is not None and len(folded_parts) != len(parts):
        folded_parts = None
    tokens = []
    append = tokens.append
    for i, p in enumerate(parts):
        if not p or p.isspace():
            append(_new_token(Token, ("", "empty", line, i, page, "", None, 0)))
            continue
        folded = fold(p) if folded_parts is None else folded_parts[i]
        key = "".join(folded.split())  # `compact(p)`
        # a cell that holds a number starts with a digit or a sign once folded
        # (a number prints no space inside it: `_NUMBER_CELL_RE` is `\s*NUMBER\s*`)
        if key >= ":" or key < "-" or (len(key) != len(folded) and len(key) != len(folded.strip())):
            append(_new_token(Token, (p.strip(), "text", line, i, page, key, None, 0)))
        elif key.isdecimal():  # (a code, or a whole amount: `_word_number`, inline)
            units = int(key) if len(key) <= MAX_UNIT_DIGITS else None
            append(_new_token(Token, (p.strip(), "number", line, i, page, key, units, 0)))
        elif (number := _word_number(key)) is not None:
            units, places = number
            append(_new_token(Token, (p.strip(), "number", line, i, page, key, units, places)))
        else:
            append(_new_token(Token, (p.strip(), "text", line, i, page, key, None, 0)))
    return tokens


def flat_tokens(text: str, line: int, page: int | None = None, folded: str | None = None) -> list[Token]:
    """Words of a flattened line. Indentation (full-width spaces) is dropped; a word that
    starts with a number and goes on with text is split in two. `folded`: `fold(text)`,
    when the caller has it."""
    if folded is None:
        folded = fold(text)  # same length as text: positions carry over to the printed form
    words = folded.split()
    if len(words) == 1:
        # Most words of a flattened table are a line of their own, most of them text or a
        # code: its one token, made at once (a word folds to one of the same length, and
        # spaces to spaces, so the printed word is the line stripped).
        word = words[0]
        if word >= ":" or word < "-":  # (`word[0] not in NUMBER_FIRST`, in C: see there)
            return [_new_token(Token, (text.strip() if folded != text else word, "text", line, 0, page, word, None, 0))]
        if word.isdecimal():  # (a code, or a whole amount: `_word_number`, inline)
            units = int(word) if len(word) <= MAX_UNIT_DIGITS else None
            return [_new_token(Token, (text.strip() if folded != text else word, "number", line, 0, page, word, units, 0))]
    if folded == text:
        printed_words = words
    else:
        # folding maps a space to a space and nothing else to one: the words split alike
        printed_words = text.split()
        if len(printed_words) != len(words):
            printed_words = [text[m.start() : m.end()] for m in _WORD_RE.finditer(folded)]
    tokens: list[Token] = []
    append = tokens.append
    for word, printed in zip(words, printed_words):
        if word >= ":" or word < "-":  # not in NUMBER_FIRST (in C): one text token
            append(_new_token(Token, (printed, "text", line, len(tokens), page, word, None, 0)))
        elif word.isdecimal():  # (a code, or a whole amount: `_word_number`, inline)
            units = int(word) if len(word) <= MAX_UNIT_DIGITS else None
            append(_new_token(Token, (printed, "number", line, len(tokens), page, word, units, 0)))
        else:
            # `_word_number(word)`, inline (its calls cost more than its tests)
            whole, _, fraction = word.partition(".")
            if whole.isdecimal() and fraction.isdecimal():  # digits around a point, as most amounts print ("460.00")
                units = int(whole + fraction) if len(word) <= MAX_UNIT_DIGITS + 1 else None
                append(_new_token(Token, (printed, "number", line, len(tokens), page, word, units, len(fraction))))
            elif _NUMBER_WORD_RE.fullmatch(word):  # "2,557.34", "-3.5"
                units, places = _units(whole.replace(",", ""), fraction)
                append(_new_token(Token, (printed, "number", line, len(tokens), page, word, units, places)))
            else:
                match = _LEADING_NUMBER_RE.match(word)
                if match and match.end() < len(word):
                    cut = match.end()
                    append(_word_token(printed[:cut], word[:cut], line, len(tokens), page))
                    append(_word_token(printed[cut:], word[cut:], line, len(tokens), page))
                else:
                    append(_word_token(printed, word, line, len(tokens), page))
    return tokens


def _word_token(printed: str, word: str, line: int, column: int, page: int | None) -> Token:
    """The token of a word (no spaces) printed as `printed`, `word` its folded form."""
    kind = _word_kind(word)
    units, places = number_parts(word) if kind == "number" else (None, 0)
    return _new_token(Token, (printed, kind, line, column, page, word, units, places))


def line_tokens(text: str, line: int, page: int | None = None, cells=None, folded: str | None = None) -> list[Token]:
    """`folded`: `fold(text)`, when the caller has it."""
    if cells is not None or "\t" in text:
        return tab_tokens(text, line, page, cells, folded)
    return flat_tokens(text, line, page, folded)
