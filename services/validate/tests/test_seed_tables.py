"""Validation of the seeds' real tables, with the findings computed by hand from the documents,
and the mutation test: any cell that takes part in an identity, changed by more than the
rounding tolerance, is flagged."""

from __future__ import annotations

import random
from decimal import Decimal
from functools import cache
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from fiscalwatch.common.document import SourceDocument
from fiscalwatch.common.model import Disclosure, DisclosureKind, DocumentRef, Metadata, Severity, Table, Unit
from fiscalwatch.parse.tables import extract_tables
from fiscalwatch.validate import validate

SEEDS = Path(__file__).parents[2] / "parse" / "tests" / "data" / "seeds"


@cache
def seed_disclosure(stem: str, kind: DisclosureKind, year: int) -> Disclosure:
    doc = SourceDocument.from_path(SEEDS / f"{stem}.txt")
    meta = Metadata(department="-", department_key="-", fiscal_year=year, kind=kind, unit=Unit.WAN_YUAN)
    return Disclosure(document=DocumentRef(name=stem, sha256=doc.sha256), metadata=meta,
                      tables=tuple(extract_tables(doc, meta).tables))


def test_001_tables_are_consistent() -> None:
    # Checked by hand: 公开01/02/03/05 totals 4,342.35 = 136.48 + 3,897.69 + 188.26 + 119.92;
    # 公开06 301 = 1,422.61 = Σ301xx, 302 = 291.90 = Σ302xx, 人员经费 1,424.61 = 301 + 303 (2.00);
    # 公开05 基本支出 1,716.51 = 1,424.61 + 291.90; 公开09 6.14 = 5.39 + 0.75.
    assert validate(seed_disclosure("001_6180a20aa6797444", DisclosureKind.FINAL_ACCOUNTS, 2023)) == []


def test_003_tables_have_one_cent_tails_only() -> None:
    # Checked by hand: the class rows 122.73 + 888.19 + 88.80 = 1,099.72 while every table
    # prints 合计 1,099.73; 公开01/04 print 社会保障和就业支出 122.74 where 02/03/05 print 122.73;
    # 人员经费 963.12 + 公用经费 36.60 = 999.72 against 基本支出 999.73. All within one cent:
    # 尾数误差 (info), which the document's own note allows for.
    findings = validate(seed_disclosure("003_89e238493e659a45", DisclosureKind.FINAL_ACCOUNTS, 2024))
    assert findings and all(f.severity is Severity.INFO and f.rule_id == "T-003" for f in findings)
    assert all(abs(f.difference) == Decimal("0.01") for f in findings)
    rows = {(e.table, e.row) for f in findings for e in f.evidence}
    assert ("final.income_expenditure_summary", "38") in rows  # 122.74 in 公开01表
    assert ("final.general_budget_basic", "人员经费合计") in rows


def test_budget_seed_tables_raise_no_error() -> None:
    for stem, year in (("002_3ffa69ecbae1edde", 2021), ("004_18719c7196d92fe5", 2024)):
        findings = validate(seed_disclosure(stem, DisclosureKind.BUDGET, year))
        assert [f for f in findings if f.severity is Severity.ERROR] == [], stem


# --- mutation ------------------------------------------------------------------------------------

def participating_cells(disclosure: Disclosure) -> list[tuple[str, str, str]]:
    """(table, row, column) of every printed cell that takes part in an identity or the code
    hierarchy of its table."""
    cells = []
    for table in disclosure.tables:
        codes = {r.code for r in table.rows if r.code and "/" not in r.key}
        for row in table.rows:
            for column in row.cells:
                if _in_identity(table, row.key, column) or _in_hierarchy(row, codes):
                    cells.append((table.template_id, row.key, column))
    return cells


def _in_identity(table: Table, row_key: str, column: str) -> bool:
    for identity in table.identities:
        if identity.axis == "column":
            refs = {identity.target, *(t.ref for t in identity.terms)}
            if column in refs and (not identity.rows or row_key in identity.rows):
                return True
        elif row_key in {identity.target, *(t.ref for t in identity.terms)}:
            return True
    return False


def _in_hierarchy(row, codes: set[str]) -> bool:
    if not row.code or "/" in row.key:
        return False
    has_parent = any(row.code != c and row.code.startswith(c) and len(c) in (3, 5) and len(row.code) - len(c) == 2 for c in codes)
    has_child = any(c != row.code and c.startswith(row.code) and len(c) - len(row.code) == 2 for c in codes)
    return has_parent or has_child


def mutate(disclosure: Disclosure, target: tuple[str, str, str], delta: Decimal) -> Disclosure:
    table_id, row_key, column = target
    tables = []
    for table in disclosure.tables:
        if table.template_id == table_id:
            rows = tuple(
                r.model_copy(update={"cells": {**r.cells, column: r.cells[column].model_copy(
                    update={"value": r.cells[column].value + delta})}}) if r.key == row_key else r
                for r in table.rows
            )
            table = table.model_copy(update={"rows": rows})
        tables.append(table)
    return disclosure.model_copy(update={"tables": tuple(tables)})


def detected(disclosure: Disclosure, target: tuple[str, str, str]) -> bool:
    return any(
        f.severity is Severity.ERROR and any((e.table, e.row, e.column) == target for e in f.evidence)
        for f in validate(disclosure)
    )


# The widest identity of 001 (58行 = 32+…+57) allows 27 half-cents of rounding: 0.135.
CONSISTENT = ("001_6180a20aa6797444", DisclosureKind.FINAL_ACCOUNTS, 2023)


@settings(max_examples=150, deadline=None)
@given(st.data())
def test_any_participating_cell_changed_beyond_tolerance_is_flagged(data) -> None:
    base = seed_disclosure(*CONSISTENT)
    target = data.draw(st.sampled_from(participating_cells(base)))
    delta = data.draw(st.decimals(min_value=Decimal("0.15"), max_value=Decimal("100000"), places=2))
    sign = data.draw(st.sampled_from([1, -1]))
    assert detected(mutate(base, target, sign * delta), target), target


def test_mutation_detection_rate_is_printed_and_at_least_99_percent(capsys) -> None:
    base = seed_disclosure(*CONSISTENT)
    cells = participating_cells(base)
    rng = random.Random(20261124)
    trials = 400
    hits = 0
    for _ in range(trials):
        target = rng.choice(cells)
        delta = Decimal(rng.randint(15, 10_000_000)) / 100 * rng.choice([1, -1])
        hits += detected(mutate(base, target, delta), target)
    rate = hits / trials
    with capsys.disabled():
        print(f"\nmutation detection: {hits}/{trials} = {rate:.1%} over {len(cells)} participating cells of 001")
    assert rate >= 0.99
