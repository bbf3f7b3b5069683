"""Column inference: which value column each printed value of a row belongs to.

A flattened line drops its empty cells, so "2101502 一般行政管理事务 920.15 920.15" under
合计 | 基本支出小计 | 人员经费 | 公用经费 | 项目支出 could be any two of five columns. The
candidates are the order-preserving assignments of the k values to the n columns; the one
kept violates the fewest of the template's column identities (合计 = 基本支出 + 项目支出 …),
then fills the columns the template says are most often filled. A tab line keeps its empty
cells, so only its alignment against the header is uncertain (rows shifted by one cell):
there the candidates are the shifts, preferring values right-aligned to the last column.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from itertools import combinations, islice, repeat
from functools import lru_cache
from math import comb
from operator import add, mul

MAX_CANDIDATES = 5000  # beyond this, the first candidates in order are enough
ROUNDING = Decimal("0.01")  # published tables round each cell; sums may be off by a cent


@dataclass(frozen=True)
class ColumnIdentity:
    """target = Σ sign·term, over value-column positions (0-based)."""

    target: int
    terms: tuple[tuple[int, int], ...]  # (sign, position)


def _scaled(values: list[Decimal]) -> tuple[list[int], int]:
    """The values as integers on one common scale, and one cent on that scale: the
    candidate search compares thousands of sums, and integer sums are exact and fast."""
    exponents = [v.as_tuple().exponent for v in values]
    places = max([2] + [-e for e in exponents if isinstance(e, int)])
    return [int(v.scaleb(places)) for v in values], 10 ** (places - 2)


@lru_cache(maxsize=1024)
def _candidates_by_priority(n: int, k: int, priority: tuple[int, ...]) -> tuple[tuple[int, ...], ...]:
    """The order-preserving placements of k values in n columns, in the template's order of
    preference. Cached: it depends on the table's shape only, never on a document's values."""
    rank = {pos: i for i, pos in enumerate(priority)}
    candidates = combinations(range(n), k)
    if comb(n, k) > MAX_CANDIDATES:
        candidates = islice(candidates, MAX_CANDIDATES)
    return tuple(sorted(candidates, key=lambda c: (sum(rank.get(p, len(rank) + p) for p in c), c)))


def ranked_positions(
    values: list[Decimal], n: int, identities: list[ColumnIdentity], priority: list[int], keep: int = 16
) -> list[tuple[int, ...]]:
    """The assignments of `values` (in order) to `n` columns that violate the fewest column
    identities, best first by the template's priority; empty when k > n."""
    ints, cent = _scaled(values)
    plan = placement_plan(n, len(ints), tuple(priority), identity_coefficients(identities, n))
    return ranked_placements(ints, cent, plan, keep)


def identity_coefficients(identities: list[ColumnIdentity], n: int) -> tuple[tuple[tuple[int, ...], int], ...]:
    """Each identity as the coefficient of every column in its miss, target - Σ sign·term
    (a value at column p adds coefficient[p] times itself), with its number of terms (its
    tolerance, in cents). The same for every row of a table: made once per table. (A column
    outside the table's n is empty: it adds nothing.)"""
    found = []
    for identity in identities:
        coefficient = [0] * n
        if 0 <= identity.target < n:
            coefficient[identity.target] += 1
        for sign, pos in identity.terms:
            if 0 <= pos < n:
                coefficient[pos] -= sign
        found.append((tuple(coefficient), max(1, len(identity.terms))))
    return tuple(found)


@dataclass(frozen=True)
class PlacementPlan:
    """The candidates of one table shape (n columns, k values, a priority, the identities),
    grouped by the coefficients their values get.

    An identity's miss is linear in the values placed: a candidate's miss is the sum of each
    value times its column's coefficient. Two candidates whose values get the same
    coefficients (under 合计 = Σ the other columns: every placement of the first value on 合计
    and the others anywhere else) miss every identity by the same amounts, so a row's values
    need one sum per group, not per candidate: a table of twelve columns has hundreds of
    candidates and two groups."""

    answer: list[tuple[int, ...]] | None  # the placements when there is no choice (k = 0, k >= n)
    # per group: its checks, (the coefficients of its values, the identity's number of terms:
    # its tolerance in cents) per identity; its candidates (a list: sliced, it is the answer)
    # and their places in the order of preference
    groups: tuple[tuple[tuple[tuple[tuple[int, ...], int], ...], list[tuple[int, ...]], tuple[int, ...]], ...]
    identities: int


@lru_cache(maxsize=1024)
def placement_plan(
    n: int, k: int, priority: tuple[int, ...], coefficients: tuple[tuple[tuple[int, ...], int], ...]
) -> PlacementPlan:
    """The plan of `ranked_placements` for k values in n columns, the identities as
    `identity_coefficients`. Cached: it depends on the table's shape only, never on a
    document's values (as `_candidates_by_priority`)."""
    if k == 0:
        return PlacementPlan([()], (), len(coefficients))
    if k > n:
        return PlacementPlan([], (), len(coefficients))
    if k == n:
        return PlacementPlan([tuple(range(n))], (), len(coefficients))
    groups: dict[tuple[tuple[tuple[int, ...], int], ...], tuple[list[tuple[int, ...]], list[int]]] = {}
    for place, candidate in enumerate(_candidates_by_priority(n, k, priority)):
        checks = tuple((tuple(coefficient[p] for p in candidate), terms) for coefficient, terms in coefficients)
        members, places = groups.setdefault(checks, ([], []))
        members.append(candidate)
        places.append(place)
    return PlacementPlan(
        None, tuple((checks, members, tuple(places)) for checks, (members, places) in groups.items()), len(coefficients)
    )


def ranked_placements(ints: list[int], cent: int, plan: PlacementPlan, keep: int = 16) -> list[tuple[int, ...]]:
    """`ranked_positions` of values given as integers on one scale, `cent` one cent on it
    (`text.scaled` of the values' tokens), their table's shape as `placement_plan`: the
    first `keep` candidates, in order of preference, of those that break the fewest identities."""
    if plan.answer is not None:
        return plan.answer[:]
    fewest = plan.identities + 1  # (more than any group can break)
    for group in plan.groups:
        count = 0
        for coefficients, terms in group[0]:
            if abs(sum(map(mul, coefficients, ints))) > cent * terms:
                count += 1
        if count < fewest:
            fewest, first, tied = count, group, None
        elif count == fewest:
            tied = [first, group] if tied is None else [*tied, group]
    if tied is None:
        return first[1][:keep]
    # several groups tie: their candidates interleave in the order of preference
    merged = sorted(pair for _, members, places in tied for pair in zip(places[:keep], members[:keep]))
    return [candidate for _, candidate in merged[:keep]]


def infer_positions(
    values: list[Decimal], n: int, identities: list[ColumnIdentity], priority: list[int]
) -> tuple[int, ...] | None:
    """Positions (0-based, increasing) of `values` among `n` columns, or None when there
    are more values than columns."""
    ranked = ranked_positions(values, n, identities, priority, keep=1)
    return ranked[0] if ranked else None


def infer_shift(
    cells: list[Decimal | None], n: int, identities: list[ColumnIdentity]
) -> int | None:
    """The shift s such that cell i is column i + s, for a run of tab cells (None = empty)
    that may be offset against the header. Every value must land on a column."""
    ints, cent = _scaled([c for c in cells if c is not None])
    found = iter(ints)
    cells = [None if c is None else next(found) for c in cells]
    return infer_shift_scaled(cells, cent, n, identity_coefficients(identities, n))


def infer_shift_scaled(
    cells: list[int | None], cent: int, n: int, coefficients: tuple[tuple[tuple[int, ...], int], ...]
) -> int | None:
    """`infer_shift` of cells given as integers on one scale, `cent` one cent on it, the
    identities as `identity_coefficients`."""
    numbered = [i for i, c in enumerate(cells) if c is not None]
    return infer_shift_of_numbered(numbered, len(cells), [cells[i] for i in numbered], cent, n, coefficients)


def infer_shift_of_numbered(
    numbered: list[int], width: int, ints: list[int], cent: int, n: int, coefficients: tuple[tuple[tuple[int, ...], int], ...]
) -> int | None:
    """`infer_shift_scaled` of a run of `width` cells given by the places of those holding a
    value (`numbered`, ascending) and their values (`ints`, as there): what a row's cells
    are read as, without a list of them with its empties."""
    if not numbered:
        return 0
    lowest, highest = -numbered[0], n - 1 - numbered[-1]
    if lowest > highest:
        return None
    right_aligned = n - width
    if lowest == highest:
        return lowest  # one shift puts every value on a column

    def cost(shift: int) -> tuple[int, int, int]:
        # every value lands on a column (the shifts tried are those that fit): an identity's
        # miss is each value times the coefficient of its column, summed
        columns = list(map(add, numbered, repeat(shift)))
        missed = 0
        for coefficient, terms in coefficients:
            if abs(sum(map(mul, map(coefficient.__getitem__, columns), ints))) > cent * terms:
                missed += 1
        return (missed, abs(shift - right_aligned), -shift)

    return min(range(lowest, highest + 1), key=cost)
