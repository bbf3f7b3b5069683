"""Table readings of the seed documents that once went wrong, checked against the document."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

from fiscalwatch.common.document import SourceDocument
from fiscalwatch.common.model import DisclosureKind, Metadata, Unit
from fiscalwatch.parse.tables import extract_tables

SEEDS = Path(__file__).parent / "data" / "seeds"


def tables(stem: str, kind: DisclosureKind) -> dict:
    doc = SourceDocument.from_path(SEEDS / f"{stem}.txt")
    meta = Metadata(department="-", department_key="-", fiscal_year=2024, kind=kind, unit=Unit.WAN_YUAN)
    return {t.template_id: t for t in extract_tables(doc, meta).tables}


def cells(table, key: str) -> dict[str, Decimal]:
    return {c: a.value for c, a in table.row(key).cells.items()}


@pytest.mark.parametrize("stem, row, value", [
    ("001_6180a20aa6797444", "40", "136.48"),  # "\t8\t\t八、社会保障和就业支出\t40\t136.48\t136.48\t\t"
    ("003_89e238493e659a45", "40", "122.74"),
])
def test_side_by_side_tab_row_keeps_every_value_in_its_column(stem, row, value) -> None:
    summary = tables(stem, DisclosureKind.FINAL_ACCOUNTS)["final.fiscal_summary"]
    # 支出 side: 合计 (栏次 2) and 一般公共预算财政拨款 (栏次 3) both print the amount.
    assert cells(summary, row) == {"2": Decimal(value), "3": Decimal(value)}


def test_economic_classes_fall_in_their_own_kind_of_expense() -> None:
    basic = tables("004_18719c7196d92fe5", DisclosureKind.BUDGET)["budget.general_budget_basic"]
    by_label = {c.label: c.id for c in basic.columns}
    personnel, public = by_label["人员经费"], by_label["公用经费"]
    for row in basic.rows:
        if row.code and row.code.startswith("302"):
            assert personnel not in row.cells, row.key
            assert public in row.cells, row.key
        if row.code and row.code.startswith("301"):
            assert public not in row.cells, row.key


def test_template_identities_of_side_by_side_tables_cover_their_own_section() -> None:
    summary = tables("002_3ffa69ecbae1edde", DisclosureKind.BUDGET)["budget.fiscal_summary"]
    column_identities = [i for i in summary.identities if i.axis == "column"]
    assert column_identities  # 合计 = 一般公共预算 + 政府性基金 + 国有资本经营 on the 支出 side
    income_rows = {r.key for r in summary.rows if "拨款" in r.label and not r.label.endswith("支出")}
    for identity in column_identities:
        assert identity.rows, identity.text
        assert not income_rows & set(identity.rows)  # income lines have no such split
