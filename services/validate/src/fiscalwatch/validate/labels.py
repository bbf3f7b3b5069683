"""Labels compared as a reader compares them: full-width folded, spaces and the leading
ordinal (一、 (一) 1.) removed, the bracketed level words (类)(款)(项) dropped."""

from __future__ import annotations

import re

_FOLD = {cp: cp - 0xFEE0 for cp in range(0xFF01, 0xFF5F)}
_FOLD[0x3000] = 0x20
_SPACE_RE = re.compile(r"\s+")
_ORDINAL_RE = re.compile(r"^(?:[一二三四五六七八九十廿]{1,3}[、.]|\([一二三四五六七八九十廿]{1,3}\)|\d{1,2}[、.](?!\d))")
_LEVEL_RE = re.compile(r"\((?:类|款|项)\)")


def normalise_label(label: str) -> str:
    key = _SPACE_RE.sub("", label.translate(_FOLD))
    key = _ORDINAL_RE.sub("", key, count=1)
    return _LEVEL_RE.sub("", key)
