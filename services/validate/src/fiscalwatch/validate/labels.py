"""Labels compared as a reader compares them: full-width folded, spaces and the leading
ordinal (一、 (一) 1.) removed, the bracketed level words (类)(款)(项) dropped."""

from __future__ import annotations

import re

from fiscalwatch.common.text import fold

_ORDINAL_RE = re.compile(r"^(?:[一二三四五六七八九十廿]{1,3}[、.]|\([一二三四五六七八九十廿]{1,3}\)|\d{1,2}[、.](?!\d))")
_LEVEL_RE = re.compile(r"\((?:类|款|项)\)")


def normalise_label(label: str) -> str:
    key = "".join(fold(label).split())  # every whitespace removed
    ordinal = _ORDINAL_RE.match(key)
    if ordinal:
        key = key[ordinal.end() :]
    return _LEVEL_RE.sub("", key) if "(" in key else key
