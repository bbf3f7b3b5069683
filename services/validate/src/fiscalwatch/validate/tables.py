"""Checks inside and across tables: identities (printed or from the template), the
classification hierarchy (类 = Σ款 = Σ项, 301 = Σ301xx), and cross-table agreement."""

from __future__ import annotations

from collections.abc import Iterator
from contextvars import ContextVar
from decimal import Decimal
from functools import cache
from importlib.resources import files

import yaml

from fiscalwatch.common.model import Amount, Disclosure, Evidence, Finding, Row, Table
from fiscalwatch.validate.arithmetic import Verdict, compare, sum_tolerance
from fiscalwatch.validate.catalogue import finding
from fiscalwatch.validate.labels import normalise_label


def _evidence(table: Table, row: Row, column: str) -> Evidence:
    cell = row.cells.get(column)
    source = cell.source if cell else row.source
    if source.text is None and row.source.text is not None:
        source = source.model_copy(update={"text": row.source.text})
    return Evidence(
        table=table.template_id, row=row.key, column=column,
        value=cell.value if cell else Decimal(0), source=source,
    )


def _value(row: Row, column: str) -> Decimal:
    cell = row.cells.get(column)
    return cell.value if cell else Decimal(0)


def _check_sum(
    rule_id: str, table: Table, target: tuple[Row, str], terms: list[tuple[int, Row, str]], what_zh: str, what_en: str
) -> Finding | None:
    """target = Σ sign·term; a finding when it does not hold (info within rounding)."""
    target_row, target_column = target
    involved: list[Amount] = [c for c in (target_row.cells.get(target_column),) if c] + [
        c for _, row, column in terms if (c := row.cells.get(column))
    ]
    if not involved:
        return None  # an all-empty line: nothing is claimed
    stated = _value(target_row, target_column)
    expected = sum((sign * _value(row, column) for sign, row, column in terms), Decimal(0))
    verdict = compare(stated, expected, sum_tolerance(involved))
    if verdict is Verdict.EXACT:
        return None
    evidence = [_evidence(table, target_row, target_column)] + [
        _evidence(table, row, column) for _, row, column in terms if row.cells.get(column)
    ]
    detail_zh = f"{table.template_id} {what_zh}：列示 {stated}，计算 {expected}"
    detail_en = f"{table.template_id} {what_en}: printed {stated}, computed {expected}"
    if verdict is Verdict.ROUNDING:
        return finding("T-003", detail_zh, detail_en, evidence, stated, expected)
    return finding(rule_id, detail_zh, detail_en, evidence, stated, expected)


def identity_findings(table: Table) -> Iterator[Finding]:
    rows_by_key = {row.key: row for row in table.rows}
    columns = [c.id for c in table.columns]
    for identity in table.identities:
        rule_id = "T-001" if identity.origin == "printed" else "T-002"
        if identity.axis == "row":
            target = rows_by_key.get(identity.target)
            terms = [(t.sign, rows_by_key.get(t.ref)) for t in identity.terms]
            if target is None or any(row is None for _, row in terms):
                continue  # the table does not print every row the identity names
            for column in columns:
                found = _check_sum(
                    rule_id, table, (target, column), [(s, r, column) for s, r in terms],
                    f"{identity.text}（{column}栏）", f"{identity.text} (column {column})",
                )
                if found:
                    yield found
        else:
            selected = [rows_by_key[k] for k in identity.rows if k in rows_by_key] if identity.rows else table.rows
            checked, failed = 0, []
            for row in selected:
                terms = [(t.sign, row, t.ref) for t in identity.terms]
                if row.cells.get(identity.target) or any(row.cells.get(t.ref) for t in identity.terms):
                    checked += 1
                found = _check_sum(
                    rule_id, table, (row, identity.target), terms,
                    f"{identity.text}（{row.key} 行）", f"{identity.text} (row {row.key})",
                )
                if found:
                    failed.append(found)
            errors = [f for f in failed if f.rule_id == "T-002"]
            if _misfit(identity.origin, len(errors), checked):
                yield _layout_misfit(table, identity.text, errors, checked)
                failed = [f for f in failed if f.rule_id != "T-002"]
            yield from failed


# A template identity that fails on (nearly) every row it covers says that the table's columns
# are not the ones the template knows (a layout no variant describes yet), not that the
# department got every row wrong: the published tables come out of the finance systems, which
# add up. One warning then stands for the table instead of an error per row.
MISFIT_MIN_ROWS = 3
MISFIT_SHARE = Decimal("0.8")


def _misfit(origin: str, failed: int, checked: int) -> bool:
    return origin == "template" and failed >= MISFIT_MIN_ROWS and failed >= MISFIT_SHARE * checked


def _layout_misfit(table: Table, identity: str, errors: list[Finding], checked: int) -> Finding:
    first = errors[0]
    return finding(
        "F-009",
        f"{table.template_id} 标准模板勾稽关系 {identity} 在 {len(errors)}/{checked} 行均不成立，表格栏目与模板不符，未按此关系核对",
        f"{table.template_id}: the template identity {identity} fails on {len(errors)} of {checked} rows; "
        "the table's columns do not fit the template, so it was not checked against it",
        [ev for f in errors[:3] for ev in f.evidence[:1]],
        first.stated,
        first.expected,
    )


def hierarchy_findings(table: Table) -> Iterator[Finding]:
    """Every code with sub-codes printed equals their sum, in every column; the table's 合计
    equals the sum of its class rows."""
    coded = [r for r in table.rows if r.code and r.key_kind in ("function_code", "economic_code") and "/" not in r.key]
    if not coded:
        return
    by_code = _rows_by_code(coded)
    columns = [c.id for c in table.columns]
    for parent in coded:
        if len(by_code[parent.code]) > 1:
            continue  # a code printed in parts: no one row of it is the total of its sub-codes
        children = _children(parent.code, by_code)
        if not children:
            continue
        rule_id = "H-001" if parent.key_kind == "function_code" else "H-002"
        for column in columns:
            found = _check_sum(
                rule_id, table, (parent, column), [(1, child, column) for child in children],
                f"{parent.code} {parent.label} = Σ下级科目（{column}栏）",
                f"{parent.code} {parent.label} = sum of sub-codes (column {column})",
            )
            if found:
                yield found
    total = next((r for r in table.rows if r.key_kind == "label" and normalise_label(r.label) == "合计"), None)
    classes = [r for r in coded if len(r.code) == 3 and r.key_kind == "function_code"]
    if total is not None and classes:
        for column in columns:
            found = _check_sum(
                "H-003", table, (total, column), [(1, c, column) for c in classes],
                f"合计 = Σ类级科目（{column}栏）", f"total = sum of class rows (column {column})",
            )
            if found:
                yield found


def _rows_by_code(coded: list[Row]) -> dict[str, list[Row]]:
    """The rows of each code. A code on several rows with different names is printed in parts
    (西安 splits 30101 基本工资 by the government's economic code: "30101 基本工资 50101 工资奖金
    津补贴" and "30101 基本工资 50501 工资福利支出"), and its amount is their sum; a row repeated
    as it was (same name, same cells) counts once."""
    found: dict[str, list[Row]] = {}
    printed: dict[str, set[tuple]] = {}  # each code's rows as printed: name and values
    for row in coded:
        seen = printed.setdefault(row.code, set())
        values = (row.label, tuple(sorted((k, a.value) for k, a in row.cells.items())))
        if values not in seen:
            seen.add(values)
            found.setdefault(row.code, []).append(row)
    return found


def _children(code: str, by_code: dict[str, list[Row]]) -> list[Row]:
    """Direct sub-codes: 3 -> 5 digits, 5 -> 7 digits (function, economic), every row of each."""
    length = {3: 5, 5: 7}.get(len(code))
    if length is None:
        return []
    return [row for c, rows in by_code.items() if len(c) == length and c.startswith(code) for row in rows]


# --- cross-table agreement -------------------------------------------------------------


@cache
def agreements() -> list[dict]:
    return yaml.safe_load(files(__package__).joinpath("agreements.yaml").read_text(encoding="utf-8"))["agreements"]


# Each table's rows by normalised label, made once per `validate` call (which sets the dict;
# tables are looked up by identity, alive for the whole call) and not kept beyond it.
ROWS_BY_LABEL: ContextVar[dict[int, dict[str, Row]] | None] = ContextVar("rows_by_label", default=None)


def rows_by_label(table: Table) -> dict[str, Row]:
    """The first row of each normalised label."""
    made = ROWS_BY_LABEL.get()
    found = made.get(id(table)) if made is not None else None
    if found is None:
        found = {}
        for row in table.rows:
            found.setdefault(normalise_label(row.label), row)
        if made is not None:
            made[id(table)] = found
    return found


def find_row(table: Table, ref: dict) -> Row | None:
    """A row by code, by 行次 or by normalised label (the first that matches)."""
    if "code" in ref:
        return next((r for r in table.rows if r.code == str(ref["code"]) and "/" not in r.key), None)
    # Labels in the order given: the first is the preferred one.
    by_label = rows_by_label(table)
    for label in (normalise_label(x) for x in ref.get("labels", [])):
        row = by_label.get(label)
        if row is not None:
            return row
    return None


def find_column(table: Table, labels: list[str], side: int = 1) -> str | None:
    """The id of the column labelled like one of `labels` (the side-th such column, for
    tables printing the same label on their income and expenditure sides)."""
    wanted = [normalise_label(x) for x in labels]
    for exact in (True, False):
        matching = [
            c.id for c in table.columns
            if any((normalise_label(c.label) == w) if exact else normalise_label(c.label).endswith(w) for w in wanted)
        ]
        if len(matching) >= side:
            return matching[side - 1]
    return None


def _side_value(disclosure: Disclosure, side: dict) -> tuple[Decimal, list[Evidence]] | None:
    table = disclosure.table(side["table"])
    if table is None or table.declared_empty:
        return None
    column = find_column(table, side["columns"], side.get("side", 1))
    if column is None:
        return None
    total, evidence, any_row = Decimal(0), [], False
    for ref in side["rows"]:
        row = find_row(table, ref)
        if row is None:
            return None
        any_row = True
        total += _value(row, column)
        if row.cells.get(column):
            evidence.append(_evidence(table, row, column))
    return (total, evidence) if any_row else None


def cross_table_findings(disclosure: Disclosure) -> Iterator[Finding]:
    for agreement in agreements():
        left = _side_value(disclosure, agreement["left"])
        right = _side_value(disclosure, agreement["right"])
        if left is None or right is None or not (left[1] or right[1]):
            continue
        evidence = left[1] + right[1]
        tolerance = sum_tolerance([disclosure.table(e.table).row(e.row).cells[e.column] for e in evidence])
        verdict = compare(left[0], right[0], tolerance)
        if verdict is Verdict.EXACT:
            continue
        rule_id = "T-003" if verdict is Verdict.ROUNDING else "X-001"
        yield finding(
            rule_id,
            f"{agreement['name']}：{agreement['left']['table']} 为 {left[0]}，{agreement['right']['table']} 为 {right[0]}",
            f"{agreement['name']}: {agreement['left']['table']} has {left[0]}, {agreement['right']['table']} has {right[0]}",
            evidence, left[0], right[0],
        )
    yield from _class_rows_agree(disclosure)


def _class_rows_agree(disclosure: Disclosure) -> Iterator[Finding]:
    """Function classes restated across tables: the summary table's expenditure lines
    (named, not coded) against the class rows of the detail tables, by class name."""
    for spec in agreements_by_class():
        summary = disclosure.table(spec["summary"])
        detail = disclosure.table(spec["detail"])
        if summary is None or detail is None:
            continue
        summary_column = find_column(summary, spec["summary_columns"], spec.get("side", 1))
        detail_column = find_column(detail, spec["detail_columns"])
        if summary_column is None or detail_column is None:
            continue
        classes = {normalise_label(r.label): r for r in detail.rows if r.code and len(r.code) == 3 and r.key_kind == "function_code"}
        for row in summary.rows:
            cell = row.cells.get(summary_column)
            match = classes.get(normalise_label(row.label))
            if cell is None or match is None:
                continue
            other = match.cells.get(detail_column)
            if other is None or other.value == cell.value:
                continue
            evidence = [_evidence(summary, row, summary_column), _evidence(detail, match, detail_column)]
            verdict = compare(cell.value, other.value, sum_tolerance([cell, other]))
            yield finding(
                "T-003" if verdict is Verdict.ROUNDING else "X-001",
                f"{match.label}（{match.code}）：{summary.template_id} 为 {cell.value}，{detail.template_id} 为 {other.value}",
                f"{match.label} ({match.code}): {summary.template_id} has {cell.value}, {detail.template_id} has {other.value}",
                evidence, cell.value, other.value,
            )


@cache
def agreements_by_class() -> list[dict]:
    return yaml.safe_load(files(__package__).joinpath("agreements.yaml").read_text(encoding="utf-8"))["class_rows"]

