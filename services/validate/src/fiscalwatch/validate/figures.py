"""Where narrative quantities live in the tables (figures.yaml), and a disclosure's key
figures: what downstream services and year-over-year checks compare."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from functools import cache
from importlib.resources import files

import yaml

from fiscalwatch.common.model import Disclosure, Evidence, NarrativeFact
from fiscalwatch.validate.form import code_catalogue
from fiscalwatch.validate.tables import find_column, find_row, _evidence


@cache
def _spec() -> dict:
    return yaml.safe_load(files(__package__).joinpath("figures.yaml").read_text(encoding="utf-8"))


@dataclass(frozen=True)
class TableFigure:
    value: Decimal  # in the document's unit
    evidence: Evidence
    at_most: bool = False  # the cell bounds the quantity from above (figures.yaml `at_most`)


def _from_source(disclosure: Disclosure, source: dict, rows: list[dict] | None = None) -> TableFigure | None:
    table = disclosure.table(source["table"])
    if table is None or table.declared_empty:
        return None
    column = find_column(table, source["columns"], source.get("side", 1))
    if column is None:
        return None
    for ref in rows or source["rows"]:
        row = find_row(table, ref)
        if row is not None and column in row.cells:
            # in the document's unit, as the text's amounts are compared: a table may print
            # its own (上海's “三公” table in 万元 among tables in 元)
            value = row.cells[column].in_unit(disclosure.metadata.unit)
            return TableFigure(value, _evidence(table, row, column), bool(source.get("at_most", False)))
    return None


def table_figure(disclosure: Disclosure, quantity: str, scope: str) -> TableFigure | None:
    """The table cell that prints the same quantity as a narrative fact, if any."""
    if quantity.startswith("function:"):
        code = quantity.split(":", 1)[1]
        for source in _spec()["function_codes"]:
            if scope not in source["scopes"]:
                continue
            if source.get("by_name"):
                # a table that names its classes without their codes (the 财政拨款收支总表)
                names = _names_of(disclosure, code)
                found = _from_source(disclosure, source, rows=[{"labels": names}]) if names else None
            else:
                found = _from_source(disclosure, source, rows=[{"code": code}])
            if found:
                return found
        return None
    for entry in _spec()["quantities"]:
        if entry["quantity"] == quantity and scope in entry["scopes"]:
            for source in entry["sources"]:
                found = _from_source(disclosure, source)
                if found:
                    return found
    return None


def _names_of(disclosure: Disclosure, code: str) -> list[str]:
    """The names the document's tables print for a function code, then the catalogue's."""
    printed = [row.label for table in disclosure.tables for row in table.rows if row.code == code and row.label]
    names, aliases = code_catalogue()
    return list(dict.fromkeys([*printed, *([names[code]] if code in names else []), *aliases.get(code, [])]))


def current_year_facts(disclosure: Disclosure) -> list[tuple[int, NarrativeFact]]:
    year = disclosure.metadata.fiscal_year
    return [(i, f) for i, f in enumerate(disclosure.facts) if f.year in (None, year)]


def key_figures(disclosure: Disclosure) -> dict[str, Decimal]:
    """The department-level totals, in the document's unit: from the tables, else from the
    narrative (for a document whose tables were lost)."""
    figures: dict[str, Decimal] = {}
    for entry in _spec()["quantities"]:
        if "" not in entry["scopes"] or entry["quantity"] in figures:
            continue
        for source in entry["sources"]:
            found = _from_source(disclosure, source)
            if found and not found.at_most:  # (a bound is not the figure: the text's is, if stated)
                figures[entry["quantity"]] = found.value
                break
    for _, fact in current_year_facts(disclosure):
        if fact.scope == "" and not fact.quantity.startswith(("function:", "economic:")):
            figures.setdefault(fact.quantity, fact.amount.in_unit(disclosure.metadata.unit))
    return figures
