"""Golden extracts: what a person read in each seed (golden/*.yaml), compared in full with
what the parser makes of it. The goldens are transcribed from the documents, never from the
parser's output; see golden/README.md."""

from __future__ import annotations

from decimal import Decimal
from functools import cache
from pathlib import Path

import pytest
import yaml

from fiscalwatch.common.document import SourceDocument
from fiscalwatch.parse import parse_document

HERE = Path(__file__).parent
GOLDENS = sorted((HERE / "golden").glob("*.yaml"))


@cache
def parsed(stem: str):
    return parse_document(SourceDocument.from_path(HERE / "data" / "seeds" / f"{stem}.txt"))


def golden(path: Path) -> dict:
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def table_cases():
    for path in GOLDENS:
        for template_id in golden(path).get("tables", {}):
            yield pytest.param(path, template_id, id=f"{path.stem[:3]}-{template_id}")


def identity_text(identity) -> str:
    terms = "".join(("+" if t.sign > 0 else "-") + t.ref for t in identity.terms).lstrip("+")
    return f"{identity.axis} {identity.target} = {terms}"


@pytest.mark.parametrize("path", GOLDENS, ids=lambda p: p.stem[:3])
def test_metadata(path: Path) -> None:
    expected = golden(path)["metadata"]
    meta = parsed(path.stem).metadata
    actual = {
        "department": meta.department, "department_key": meta.department_key, "region": meta.region,
        "fiscal_year": meta.fiscal_year, "kind": meta.kind.value, "unit": meta.unit.value,
        "published": meta.published,
    }
    assert actual == expected


@pytest.mark.parametrize("path", GOLDENS, ids=lambda p: p.stem[:3])
def test_the_same_tables_are_found(path: Path) -> None:
    expected = golden(path)
    # A golden may list tables it has not transcribed yet (with the reason in its comments).
    assert sorted(t.template_id for t in parsed(path.stem).tables) == sorted(
        [*expected.get("tables", {}), *expected.get("unchecked_tables", [])])


@pytest.mark.parametrize("path, template_id", list(table_cases()))
def test_table_in_full(path: Path, template_id: str) -> None:
    expected = golden(path)["tables"][template_id]
    table = parsed(path.stem).table(template_id)
    assert table is not None, f"{template_id} not found"
    assert (table.number, table.source.line, table.declared_empty) == (
        expected["number"], expected["line"], expected.get("declared_empty", False))
    printed = sorted(identity_text(i) for i in table.identities if i.origin == "printed")
    assert printed == sorted(expected["identities"]), f"{template_id} identities"
    actual = {r.key: {c: str(a.value) for c, a in r.cells.items()} for r in table.rows if r.cells}
    wanted = {str(k): {str(c): str(v) for c, v in cells.items()} for k, cells in expected["cells"].items()}
    missing = {k: v for k, v in wanted.items() if actual.get(k) != v}
    extra = {k: v for k, v in actual.items() if k not in wanted}
    assert not missing and not extra, (
        f"{template_id}: wrong or missing rows {[(k, v, actual.get(k)) for k, v in missing.items()]}; "
        f"extra non-empty rows {extra}")


@pytest.mark.parametrize("path", GOLDENS, ids=lambda p: p.stem[:3])
def test_key_facts(path: Path) -> None:
    facts = parsed(path.stem).facts
    problems = []
    for want in golden(path).get("facts", []):
        value = Decimal(want["value"])
        candidates = [f for f in facts if f.quantity == want["quantity"] and f.scope == want["scope"]
                      and f.amount.value == value and f.source.line == want["line"]]
        if not candidates:
            near = [(f.quantity, f.scope, str(f.amount.value), f.source.line) for f in facts if f.amount.value == value][:4]
            problems.append(f"missing {want['quantity']} [{want['scope']}] {value} at line {want['line']}; same value: {near}")
            continue
        fact = candidates[0]
        if "share" in want and (fact.share is None or fact.share.rate.value != Decimal(want["share"])):
            problems.append(f"{want['quantity']} share: {fact.share}")
        if "change" in want:
            c, w = fact.change, want["change"]
            got = c and (c.direction, c.amount and c.amount.value, c.rate and c.rate.value, c.base_year)
            if got != (w["direction"], Decimal(w["amount"]), Decimal(w["rate"]) if w.get("rate") else None, w["base_year"]):
                problems.append(f"{want['quantity']} change: {got} != {w}")
        if "completion" in want:
            c, w = fact.completion, want["completion"]
            got = c and (c.budget and c.budget.value, c.rate and c.rate.value)
            if got != (Decimal(w["budget"]), Decimal(w["rate"])):
                problems.append(f"{want['quantity']} completion: {got} != {w}")
    assert not problems, "\n".join(problems)
