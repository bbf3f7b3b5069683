"""Reading numbers as printed: amounts with thousands separators, percentages, full-width
digits and punctuation. Pure functions; every value is a `Decimal`.
"""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation

from fiscalwatch.common.text import fold

__all__ = ["fold", "parse_decimal", "is_number", "decimal_places", "NUMBER", "NUMBER_RE", "PERCENT_RE"]

# A number as printed in these documents: "2,270.24", "1443.32", "44.876059", "-3.5".
# Thousands groups must be exactly three digits, so "1.8,2080505" is two numbers.
NUMBER = r"-?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?"
NUMBER_RE = re.compile(rf"(?<![\d.]){NUMBER}(?![\d])")
PERCENT_RE = re.compile(rf"(?<![\d.])({NUMBER})\s*%")
FULL_NUMBER_RE = re.compile(rf"\s*{NUMBER}\s*")


def parse_decimal(raw: str) -> Decimal:
    """'2,270.24' -> Decimal('2270.24'); raises ValueError for anything that is not a number."""
    cleaned = fold(raw).strip().replace(",", "")
    if not cleaned or not re.fullmatch(r"-?\d+(?:\.\d+)?", cleaned):
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
