"""Settling ambiguous flattened rows by the sums of their parents.

"2101505 医疗保障政策管理 2,557.34 2,557.34" under 总计 | 基本支出 | 项目支出 satisfies
总计 = 基本 + 项目 whether the second value is 基本 or 项目. The rows of a function-code table
nest (合计 › 类 › 款 › 项), and a parent's every column is the sum of its children's: the
candidates of the ambiguous children are chosen together so that the sums hold best.
Parents are settled before their children (合计 first, then 类, 款).
"""

from __future__ import annotations

from decimal import Decimal
from itertools import product

from fiscalwatch.parse.numbers import parse_decimal
from fiscalwatch.parse.tables.columns import ROUNDING
from fiscalwatch.parse.tables.rows import RawRow
from fiscalwatch.parse.tables.text import Token, label_key

MAX_COMBINATIONS = 1024
MAX_CHOICES_PER_ROW = 6


def _parent_index(rows: list[RawRow], i: int) -> int | None:
    code = rows[i].code
    if not code or not code.isdigit():
        return None
    for j in range(i - 1, -1, -1):
        other = rows[j].code
        if other and other.isdigit() and len(other) < len(code) and code.startswith(other):
            return j
        if other is None and label_key(rows[j].label) in ("合计", "总计") and len(code) == 3:
            return j
    return None


def _value(token: Token) -> Decimal:
    return parse_decimal(token.text)


def settle_by_parents(rows: list[RawRow], candidates: dict[int, list[tuple[int, ...]]]) -> None:
    """`candidates[i]`: the tied assignments of row i's values (best first). Rewrites the
    cells of ambiguous rows in place."""
    children: dict[int, list[int]] = {}
    for i in range(len(rows)):
        parent = _parent_index(rows, i)
        if parent is not None:
            children.setdefault(parent, []).append(i)
    for parent in sorted(children, key=lambda p: (len(rows[p].code or ""), p)):
        kids = children[parent]
        ambiguous = [k for k in kids if len(candidates.get(k, ())) > 1]
        if not ambiguous or not rows[parent].cells:
            continue
        options = [candidates[k][:MAX_CHOICES_PER_ROW] for k in ambiguous]
        values = {k: [_value(t) for t in rows[k].values] for k in ambiguous}
        total = 1
        for option in options:
            total *= len(option)
        if total > MAX_COMBINATIONS:
            continue
        target = {pos: _value(tok) for pos, tok in rows[parent].cells.items()}
        fixed: dict[int, Decimal] = {}
        for k in kids:
            if k not in ambiguous:
                for pos, tok in rows[k].cells.items():
                    fixed[pos] = fixed.get(pos, Decimal(0)) + _value(tok)

        def mismatches(choice: tuple[tuple[int, ...], ...]) -> int:
            sums = dict(fixed)
            for k, positions in zip(ambiguous, choice):
                for pos, value in zip(positions, values[k]):
                    sums[pos] = sums.get(pos, Decimal(0)) + value
            columns = set(sums) | set(target)
            tolerance = ROUNDING * max(1, len(kids))
            return sum(
                1 for c in columns
                if abs(sums.get(c, Decimal(0)) - target.get(c, Decimal(0))) > tolerance
            )

        best = min(product(*options), key=mismatches)  # ties keep the first (priority) choice
        for k, positions in zip(ambiguous, best):
            rows[k].cells = dict(zip(positions, rows[k].values))
