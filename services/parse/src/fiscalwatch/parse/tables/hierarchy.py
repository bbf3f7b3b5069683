"""Settling ambiguous flattened rows by the sums of their parents.

"2101505 医疗保障政策管理 2,557.34 2,557.34" under 总计 | 基本支出 | 项目支出 satisfies
总计 = 基本 + 项目 whether the second value is 基本 or 项目. The rows of a function-code table
nest (合计 › 类 › 款 › 项), and a parent's every column is the sum of its children's: the
candidates of the ambiguous children are chosen together so that the sums hold best.
Parents are settled before their children (合计 first, then 类, 款).
"""

from __future__ import annotations

from bisect import insort
from itertools import product

from fiscalwatch.parse.tables.rows import RawRow

MAX_COMBINATIONS = 1024
MAX_CHOICES_PER_ROW = 6


def _parent_indexes(rows: list[RawRow], is_total: list[bool]) -> list[int | None]:
    """Each row's parent: the nearest row before it whose code its own code extends (208 for
    20805), or, for a 类 (a 3-digit code), the nearest 合计 / 总计 row if that is nearer.
    `is_total[j]`: row j is a 合计 / 总计 row without a code (`_total_rows`). Found in one
    pass: the last row of every code seen so far is remembered."""
    last_of_code: dict[str, int] = {}
    last_row_of = last_of_code.get
    lengths: list[int] = []  # of the codes seen so far, ascending (a table prints 3, 5 and 7)
    last_total: int | None = None
    parents: list[int | None] = []
    for i, row in enumerate(rows):
        code = row.code
        parent = None
        if code and code.isdigit():
            # the last row of each shorter prefix of the code, the nearest of them (a prefix
            # of a length no code seen has is no row's: not looked up)
            for k in lengths:
                if k >= len(code):
                    break
                j = last_row_of(code[:k])
                if j is not None and (parent is None or j > parent):
                    parent = j
            if len(code) == 3 and last_total is not None and (parent is None or last_total > parent):
                parent = last_total
            last_of_code[code] = i
            if len(code) not in lengths:
                insort(lengths, len(code))
        if is_total[i]:
            last_total = i
        parents.append(parent)
    return parents


def _total_rows(rows: list[RawRow]) -> list[bool]:
    # Worked out once per row (a label is joined from its tokens on every read), not on
    # every step of every row's search for its parent.
    return [row.code is None and row.label_key in ("合计", "总计") for row in rows]


def settle_by_parents(
    rows: list[RawRow], candidates: dict[int, list[tuple[int, ...]]], units: list[tuple[list[int], int]]
) -> None:
    """`candidates[i]`: the tied assignments of row i's values (best first). `units[i]`: the
    values of row i's cells as integers, in order, and one cent on their scale (`scaled`; of
    an ambiguous row, its values). Rewrites the cells of ambiguous rows in place."""
    if not any(len(tied) > 1 for tied in candidates.values()):
        return  # nothing to settle
    children: dict[int, list[int]] = {}
    for i, parent in enumerate(_parent_indexes(rows, _total_rows(rows))):
        if parent is not None:
            children.setdefault(parent, []).append(i)
    # Every value of the table as an integer on one scale (exact sums, cheaper than Decimal):
    # the rows' own, brought to the finest of them where a row prints fewer places. A scale
    # finer than a group's own changes no comparison, as the tolerance is counted in cents
    # on the same scale.
    cent = max(row_cent for _, row_cent in units)
    row_values: list[list[int]] = []  # of an ambiguous row, its values as its cells hold them
    row_cells: list[dict[int, int]] = []
    for row, (ints, row_cent) in zip(rows, units):
        if row_cent != cent:
            ints = [value * (cent // row_cent) for value in ints]
        row_values.append(ints)
        row_cells.append(dict(zip(row.cells, ints)))
    for parent in sorted(children, key=lambda p: (len(rows[p].code or ""), p)):
        kids = children[parent]
        ambiguous = [k for k in kids if len(candidates.get(k, ())) > 1]
        if not ambiguous or not row_cells[parent]:
            continue
        target = row_cells[parent]
        tolerance = cent * max(1, len(kids))
        # The cells as placed are every row's first choice: when they add up, the search
        # would stop at its first combination, and nothing changes. (Tested first: the
        # common case, before the search's inputs are made.)
        sums: dict[int, int] = {}
        for k in kids:
            for pos, value in row_cells[k].items():
                sums[pos] = sums.get(pos, 0) + value
        if sums == target or all(
            abs(sums.get(c, 0) - target.get(c, 0)) <= tolerance for c in sums.keys() | target.keys()
        ):
            continue
        options = [candidates[k][:MAX_CHOICES_PER_ROW] for k in ambiguous]
        total = 1
        for option in options:
            total *= len(option)
        if total > MAX_COMBINATIONS:
            continue
        fixed: dict[int, int] = {}
        for k in kids:
            if k not in ambiguous:
                for pos, value in row_cells[k].items():
                    fixed[pos] = fixed.get(pos, 0) + value
        values = [row_values[k] for k in ambiguous]
        best = _best_choice(options, values, fixed, target, tolerance)
        for k, positions in zip(ambiguous, best):
            rows[k].cells = dict(zip(positions, rows[k].values))
            row_cells[k] = dict(zip(positions, row_values[k]))  # what its own children add up to


def _best_choice(
    options: list[list[tuple[int, ...]]],
    values: list[list[int]],
    fixed: dict[int, int],
    target: dict[int, int],
    tolerance: int,
) -> tuple[tuple[int, ...], ...]:
    """The first combination of the options (one per ambiguous row, in `product` order) with
    the fewest columns whose sum misses the parent's value by more than `tolerance` (all on
    one integer scale)."""
    columns = sorted(set(fixed) | set(target) | {pos for option in options for c in option for pos in c})
    index = {c: i for i, c in enumerate(columns)}
    base = [0] * len(columns)
    for pos, v in fixed.items():
        base[index[pos]] = v
    wanted = [0] * len(columns)
    for pos, v in target.items():
        wanted[index[pos]] = v
    # (column index, value) of each row's option, made when a combination first uses it:
    # the search mostly stops at one of the first combinations
    contributions: list[dict[int, list[tuple[int, int]]]] = [{} for _ in options]

    def contribution(row: int, pick: int) -> list[tuple[int, int]]:
        made = contributions[row].get(pick)
        if made is None:
            made = contributions[row][pick] = [(index[pos], value) for pos, value in zip(options[row][pick], values[row])]
        return made

    best_count, best_choice = None, None
    for picks in product(*[range(len(option)) for option in options]):
        sums = base[:]
        for row, pick in enumerate(picks):
            for i, value in contribution(row, pick):
                sums[i] += value
        count = 0
        for s, w in zip(sums, wanted):
            if abs(s - w) > tolerance:
                count += 1
        if best_count is None or count < best_count:
            best_count, best_choice = count, picks
            if count == 0:
                break
    return tuple(option[pick] for option, pick in zip(options, best_choice))
