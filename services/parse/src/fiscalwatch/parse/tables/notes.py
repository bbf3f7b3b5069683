"""Table notes: the identities a table prints under it, and explicit empty declarations.

    27行 = (1+2+3+4+5+6+7+8)行；31行 = (27+28+29)行；   -> row identities
    58行 = (32+33+...+57)行                              -> a range 32..57
    1 栏各行 = (2+3+4+5+6+7) 栏各行。                     -> column identity, every row
    6 栏各行 = (1+2-3) 栏各行；3 栏各行 = (4+5) 栏各行      -> signed terms
    1 栏 = (2+3+6) 栏                                    -> column identity
"""

from __future__ import annotations

import re
from functools import lru_cache

from fiscalwatch.common.model import Identity, SourceRef, Term, unchecked
from fiscalwatch.parse.tables.segment import EMPTY_NOTE_RE
from fiscalwatch.parse.tables.text import compact

MAX_RANGE = 200  # "32+33+...+57" expands to at most this many terms

# Each further term starts with its sign, so a run of digits splits only one way and the
# pattern cannot backtrack on long inputs.
_TERM = r"(?:\d{1,3}|\.{2,3}|…{1,2})"
_IDENTITY_RE = re.compile(
    rf"(\d{{1,3}})(行|栏)(?:各行)?=\(?([+-]?{_TERM}(?:[+-]{_TERM})*)\)?(?:行|栏)(?:各行)?"
)
_TERM_RE = re.compile(r"([+-]?)(\d{1,3}|\.{2,3}|…{1,2})")
NOTE_START_RE = re.compile(r"^[(（]?(?:注|说明|备注)\s*[:：]")  # "注：…", "（注：…）"


@lru_cache(maxsize=4096)
def term(sign: int, ref: str) -> Term:
    """`Term(sign=sign, ref=ref)`, one object for each: a term is immutable, and the same few
    (row 1 to 60, columns 1 to 12, the codes of a table's rows) recur in every table and
    document ("58行 = (32+33+...+57)行" alone makes 26)."""
    return unchecked(Term, {"sign": sign, "ref": ref})


def _terms(body: str) -> tuple[Term, ...] | None:
    parts = _TERM_RE.findall(body)
    terms: list[Term] = []
    pending_range = False
    for sign, ref in parts:
        if not ref[0].isdigit():
            pending_range = True
            continue
        value = int(ref)
        if pending_range and terms:
            start = int(terms[-1].ref) + 1
            if value - start > MAX_RANGE:
                return None
            terms.extend([term(1, str(n)) for n in range(start, value)])
            pending_range = False
        terms.append(term(-1 if sign == "-" else 1, str(value)))
    return tuple(terms) if terms else None


def parse_identities(text: str, source: SourceRef | None = None) -> list[Identity]:
    """Every identity printed in one note line, in order."""
    return parse_identities_of_key(compact(text), source)


def parse_identities_of_key(key: str, source: SourceRef | None = None) -> list[Identity]:
    """`parse_identities` of a line already compact."""
    if "=" not in key:  # every identity prints one
        return []
    key = key.replace("（", "(").replace("）", ")")
    found = []
    for match in _IDENTITY_RE.finditer(key):
        terms = _terms(match.group(3))
        if terms is None:
            continue
        found.append(
            unchecked(Identity, {
                "axis": "row" if match.group(2) == "行" else "column",
                "target": match.group(1),
                "terms": terms,
                "rows": (),
                "origin": "printed",
                "text": match.group(0),
                "source": source,
            })
        )
    return found


def empty_note(text: str) -> str | None:
    """The empty declaration a line makes ("本单位无政府性基金。"), if any."""
    return empty_note_of_key(compact(text))


def empty_note_of_key(key: str) -> str | None:
    """`empty_note` of a line already compact."""
    found = EMPTY_NOTE_RE.search(key) if "本" in key and "无" in key else None
    return found.group() if found else None


def is_note_line(text: str) -> bool:
    return is_note_key(compact(text))


def is_note_key(key: str) -> bool:
    """`is_note_line` for a line already compact. (Each pattern is tried only on a line that
    holds its literal: "注/说明/备注" first, "=", "本"; most table lines hold none.)"""
    return bool(
        (key[:1] in NOTE_FIRST_CHARS and NOTE_START_RE.match(key))
        or ("=" in key and _IDENTITY_RE.search(key))
        or ("本" in key and EMPTY_NOTE_RE.search(key))
    )


NOTE_FIRST_CHARS = frozenset("注说备(（")  # what NOTE_START_RE can start with
