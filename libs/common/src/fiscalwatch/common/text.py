"""Text as these documents print it: full-width digits, letters and punctuation fold to ASCII
one character for one, so offsets into the folded text are offsets into the original."""

from __future__ import annotations

import re

_FOLD = {cp: cp - 0xFEE0 for cp in range(0xFF01, 0xFF5F)}
_FOLD[0x3000] = 0x20  # ideographic (full-width) space
_FOLD[0x2212] = 0x2D  # minus sign
_FOLD[0x00A0] = 0x20  # no-break space


# the characters that fold: most text holds none, and is then returned as it is (a search
# for one costs a fraction of translating every character)
_FOLDABLE_RE = re.compile("[\uFF01-\uFF5E\u3000\u2212\u00A0]")


def fold(text: str) -> str:
    """Full-width digits, letters and punctuation to ASCII; same length as the input."""
    if text.isascii() or _FOLDABLE_RE.search(text) is None:
        return text
    return text.translate(_FOLD)


_SPACE_RE = re.compile(r"\s+")
# Suffixes that name the reporting scope, not another body: 本级 (the department's own office,
# without subordinate units) and 汇总 (with them) name the same body year after year.
_SCOPE_SUFFIX_RE = re.compile(r"(?:\((?:局|委|办|厅)?本级\)|本级|\(汇总\)|\(机关\))$")


def compact(text: str) -> str:
    """Folded, every whitespace removed, brackets as ASCII: the form names are compared in."""
    return _SPACE_RE.sub("", fold(text)).replace("（", "(").replace("）", ")")


def department_key(department: str) -> str:
    """The same body across years and documents: full-width folded, spaces and the reporting
    scope (（本级）, 本级, （局本级）, （汇总）) removed."""
    return _SCOPE_SUFFIX_RE.sub("", compact(department))
