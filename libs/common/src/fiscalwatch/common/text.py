"""Text as these documents print it: full-width digits, letters and punctuation fold to ASCII
one character for one, so offsets into the folded text are offsets into the original."""

from __future__ import annotations

_FOLD = {cp: cp - 0xFEE0 for cp in range(0xFF01, 0xFF5F)}
_FOLD[0x3000] = 0x20  # ideographic (full-width) space
_FOLD[0x2212] = 0x2D  # minus sign
_FOLD[0x00A0] = 0x20  # no-break space


def fold(text: str) -> str:
    """Full-width digits, letters and punctuation to ASCII; same length as the input."""
    return text.translate(_FOLD)
