"""Form and completeness: mandatory tables, and one amount unit throughout (or a table's own
unit, when the text confirms it)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from functools import cache
from importlib.resources import files

import yaml

from fiscalwatch.common.model import Disclosure, Evidence, Finding, SourceRef, Table
from fiscalwatch.validate.catalogue import finding
from fiscalwatch.validate.labels import normalise_label

_YEAR_RE = re.compile(r"(20\d\d)\s*年")


def form_findings(disclosure: Disclosure) -> Iterator[Finding]:
    for template_id in disclosure.coverage.tables_missing:
        yield finding(
            "F-001", f"{template_id} 未公开且未说明“本单位无…”", f"{template_id} is neither present nor declared empty",
            [Evidence(table=template_id, source=SourceRef(line=0, text=disclosure.document.name))],
        )
    year = disclosure.metadata.fiscal_year
    for table in disclosure.tables:
        printed = _YEAR_RE.search(table.title)
        if printed and int(printed.group(1)) != year:
            yield finding(
                "F-007", f"{table.template_id} 标题为“{table.title}”，文件年度为 {year}",
                f"{table.template_id} is titled '{table.title}' in a {year} disclosure",
                [Evidence(table=table.template_id, source=table.source)],
            )
    unit = disclosure.metadata.unit
    for table in disclosure.tables:
        if table.unit is not unit and not table.declared_empty and not _unit_confirmed_by_text(table, disclosure):
            yield finding(
                "F-002", f"{table.template_id} 以{table.unit.value}列示，文件以{unit.value}为单位",
                f"{table.template_id} is in {table.unit.value} while the document is in {unit.value}",
                [Evidence(table=table.template_id, source=table.source)],
            )


def _unit_confirmed_by_text(table: Table, disclosure: Disclosure) -> bool:
    """The text states one of the table's amounts in the table's own unit (上海 prints its
    “三公” table in 万元 among tables in 元, and says "“三公”经费预算数为143.14万元"): the table
    is in the unit it declares, and no slip was made."""
    printed = {cell.value for row in table.rows for cell in row.cells.values() if cell.value}
    return any(fact.amount.unit is table.unit and fact.amount.value in printed for fact in disclosure.facts)


@cache
def code_catalogue() -> tuple[dict[str, str], dict[str, list[str]]]:
    """The names of function and economic codes (codes.yaml), and other names for them."""
    data = yaml.safe_load(files(__package__).joinpath("codes.yaml").read_text(encoding="utf-8"))
    names = {**data["function"], **data["economic"]}
    return {str(k): v for k, v in names.items()}, {str(k): v for k, v in (data.get("aliases") or {}).items()}


def code_name_findings(disclosure: Disclosure) -> Iterator[Finding]:
    """A printed name that is not the catalogue's name for its code: a wrong code or a wrong
    name. A name cut off by a narrow column (a prefix) or followed by a neighbour's words is
    accepted: what matters is that the two do not contradict each other."""
    names, aliases = code_catalogue()
    seen: set[tuple[str, str]] = set()
    for table in disclosure.tables:
        for row in table.rows:
            if not row.code or row.key_kind not in ("function_code", "economic_code") or "/" in row.key:
                continue
            name = names.get(row.code)
            printed = normalise_label(row.label)
            if name is None or not printed or (row.code, printed) in seen:
                continue
            seen.add((row.code, printed))
            accepted = [normalise_label(n) for n in [name, *aliases.get(row.code, [])]]
            if any(printed.startswith(a) or (len(printed) >= 4 and a.startswith(printed)) for a in accepted):
                continue
            yield finding(
                "F-005", f"{row.code} 列示为“{row.label}”，科目名称应为“{name}”",
                f"{row.code} is printed as '{row.label}', the catalogue names it '{name}'",
                [Evidence(table=table.template_id, row=row.key, source=row.source)],
            )
