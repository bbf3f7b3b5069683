"""The placement search by groups of candidates (`columns.placement_plan`) finds what
scoring every candidate in order finds.

`ranked_placements` sums a row's values once per group of candidates whose values get the
same coefficients; the readable search it stands in for scores each candidate in the order
of preference. These tests hold the two to the same placements, ties in the same order."""

from __future__ import annotations

from operator import mul

from hypothesis import given, settings
from hypothesis import strategies as st

from fiscalwatch.parse.tables.columns import (
    ColumnIdentity,
    _candidates_by_priority,
    identity_coefficients,
    placement_plan,
    ranked_placements,
)


def scored_in_order(ints, cent, n, coefficients, priority, keep):
    """Every candidate scored in the order of preference: the first `keep` that break the
    fewest identities."""
    k = len(ints)
    if k == 0:
        return [()]
    if k > n:
        return []
    if k == n:
        return [tuple(range(n))]
    scored = []
    for candidate in _candidates_by_priority(n, k, tuple(priority)):
        count = sum(
            1
            for coefficient, terms in coefficients
            if abs(sum(map(mul, [coefficient[p] for p in candidate], ints))) > cent * terms
        )
        scored.append((count, candidate))
    best = min(count for count, _ in scored)
    return [c for count, c in scored if count == best][:keep]


@st.composite
def rows_of_a_table(draw):
    n = draw(st.integers(1, 9))
    identities = []
    for _ in range(draw(st.integers(0, 3))):
        target = draw(st.integers(0, n - 1))
        others = [p for p in range(n) if p != target]
        terms = draw(st.lists(st.sampled_from(others), unique=True, max_size=len(others))) if others else []
        signs = draw(st.lists(st.sampled_from([1, -1]), min_size=len(terms), max_size=len(terms)))
        identities.append(ColumnIdentity(target, tuple(zip(signs, terms))))
    priority = draw(st.permutations(list(range(n))))[: draw(st.integers(0, n))]
    # few distinct values, so that sums hold and ties are common
    pool = draw(st.lists(st.integers(-3, 300), min_size=1, max_size=4))
    ints = draw(st.lists(st.sampled_from(pool + [sum(pool)]), max_size=n + 1))
    return n, identities, tuple(priority), ints, draw(st.sampled_from([1, 10])), draw(st.sampled_from([1, 2, 6, 16]))


@settings(max_examples=1500, deadline=None)
@given(rows_of_a_table())
def test_the_placements_by_group_are_those_of_every_candidate_scored(row) -> None:
    n, identities, priority, ints, cent, keep = row
    coefficients = identity_coefficients(identities, n)
    plan = placement_plan(n, len(ints), priority, coefficients)
    expected = scored_in_order(ints, cent, n, coefficients, priority, keep)
    assert ranked_placements(ints, cent, plan, keep) == expected


def test_a_row_under_a_total_and_its_parts() -> None:
    # 合计 = 基本支出 + 人员经费 …: a value equal to the 合计 may be under any other column
    identity = ColumnIdentity(0, tuple((1, p) for p in range(1, 5)))
    coefficients = identity_coefficients([identity], 5)
    plan = placement_plan(5, 2, (0, 1, 4, 2, 3), coefficients)
    assert len(plan.groups) == 2
    assert ranked_placements([92015, 92015], 1, plan, 3) == [(0, 1), (0, 4), (0, 2)]
    assert ranked_placements([92015, 100], 1, plan, 2) == scored_in_order([92015, 100], 1, 5, coefficients, (0, 1, 4, 2, 3), 2)


def shift_by_filling_columns(cells, cent, n, identities):
    """The shift of tab cells as it was found: each shift's columns filled, and every
    identity's sum over them taken."""
    numbered = [i for i, c in enumerate(cells) if c is not None]
    if not numbered:
        return 0
    lowest, highest = -numbered[0], n - 1 - numbered[-1]
    if lowest > highest:
        return None
    right_aligned = n - len(cells)
    checks = [
        (identity.target, [(sign, pos) for sign, pos in identity.terms if 0 <= pos < n], cent * max(1, len(identity.terms)))
        for identity in identities
    ]

    def cost(shift):
        filled = [0] * n
        for i in numbered:
            filled[i + shift] = cells[i]
        missed = 0
        for target, terms, tolerance in checks:
            actual = filled[target] if 0 <= target < n else 0
            if abs(actual - sum([sign * filled[pos] for sign, pos in terms])) > tolerance:
                missed += 1
        return (missed, abs(shift - right_aligned), -shift)

    return min(range(lowest, highest + 1), key=cost)


@st.composite
def tab_cells_of_a_table(draw):
    n = draw(st.integers(1, 9))
    identities = []
    for _ in range(draw(st.integers(0, 3))):
        target = draw(st.integers(0, n))  # (one past the columns: an identity over a column not printed)
        terms = draw(st.lists(st.integers(-1, n + 1), unique=True, max_size=n + 1))
        signs = draw(st.lists(st.sampled_from([1, -1]), min_size=len(terms), max_size=len(terms)))
        identities.append(ColumnIdentity(target, tuple(zip(signs, terms))))
    pool = draw(st.lists(st.integers(-3, 300), min_size=1, max_size=4))
    cells = draw(st.lists(st.one_of(st.none(), st.sampled_from(pool + [sum(pool)])), max_size=n + 3))
    return n, identities, cells, draw(st.sampled_from([1, 10]))


@settings(max_examples=1500, deadline=None)
@given(tab_cells_of_a_table())
def test_the_shift_by_coefficients_is_the_shift_of_filled_columns(table) -> None:
    from fiscalwatch.parse.tables.columns import infer_shift_scaled

    n, identities, cells, cent = table
    expected = shift_by_filling_columns(cells, cent, n, identities)
    assert infer_shift_scaled(cells, cent, n, identity_coefficients(identities, n)) == expected
