"""Comparisons at the precision things are printed with.

Published amounts are rounded to their last printed place, so a sum of n printed items may
miss its printed total by up to n half-units: a `rounding` difference, not an error. A printed
percentage is checked against the range the rounded amounts allow, at its printed places.
"""

from __future__ import annotations

from decimal import Decimal
from enum import Enum
from itertools import product

from fiscalwatch.common.model import Amount, Percent

HUNDRED = Decimal(100)


class Verdict(Enum):
    EXACT = "exact"
    ROUNDING = "rounding"
    MISMATCH = "mismatch"


def half_unit(raw_places: int) -> Decimal:
    return Decimal(1).scaleb(-raw_places) / 2


def places(amount: Amount) -> int:
    exponent = amount.value.as_tuple().exponent
    return max(0, -exponent) if isinstance(exponent, int) else 0


def sum_tolerance(amounts: list[Amount]) -> Decimal:
    """How far a total may miss the sum of its printed items through rounding alone."""
    if not amounts:
        return Decimal(0)
    finest = max(places(a) for a in amounts)
    # Every item and the total itself carry their own rounding.
    return half_unit(max(finest, 2)) * len(amounts)


def compare(stated: Decimal, expected: Decimal, tolerance: Decimal) -> Verdict:
    difference = abs(stated - expected)
    if difference == 0:
        return Verdict.EXACT
    return Verdict.ROUNDING if difference <= tolerance else Verdict.MISMATCH


def interval(amount: Amount) -> tuple[Decimal, Decimal]:
    h = half_unit(max(places(amount), 2))
    return amount.value - h, amount.value + h


def ratio_range(numerator: tuple[Decimal, Decimal], denominator: tuple[Decimal, Decimal]) -> tuple[Decimal, Decimal] | None:
    """Range of 100·n/d over the rounding intervals; None when d may be zero."""
    if denominator[0] <= 0 <= denominator[1]:
        return None
    values = [HUNDRED * n / d for n, d in product(numerator, denominator)]
    return min(values), max(values)


def percent_agrees(stated: Percent, allowed: tuple[Decimal, Decimal]) -> bool:
    """The printed percentage is consistent when some value in the allowed range rounds to it."""
    h = half_unit(stated.places)
    return stated.value + h >= allowed[0] and stated.value - h <= allowed[1]


def quantize_like(value: Decimal, stated: Percent) -> Decimal:
    return value.quantize(Decimal(1).scaleb(-stated.places))
