"""Writes and reads of the store. Writes are idempotent: storing the same disclosure or the
same validation twice leaves one copy (a document's children are replaced, in the caller's
transaction, never appended)."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from fiscalwatch.common.events import DisclosureIdentity, HistoryRecord
from fiscalwatch.common.model import Disclosure, DisclosureKind, Finding, Unit
from fiscalwatch.store.schema import CellRecord, DisclosureRecord, FactRecord, FindingRecord, KeyFigureRecord


def store_disclosure(session: Session, disclosure: Disclosure) -> None:
    sha, meta = disclosure.document.sha256, disclosure.metadata
    session.merge(DisclosureRecord(
        sha256=sha, name=disclosure.document.name, department=meta.department,
        department_key=meta.department_key, region=meta.region, fiscal_year=meta.fiscal_year,
        kind=meta.kind.value, unit=meta.unit.value, published=meta.published,
        schema_version=disclosure.schema_version, document=disclosure.model_dump(mode="json"),
    ))
    session.flush()
    for record in (CellRecord, FactRecord):
        session.execute(delete(record).where(record.sha256 == sha))
    session.add_all(
        CellRecord(sha256=sha, table_id=table.template_id, row_key=row.key, column_id=column,
                   value=amount.value, unit=amount.unit.value, line=amount.source.line)
        for table in disclosure.tables for row in table.rows for column, amount in row.cells.items()
    )
    session.add_all(
        FactRecord(sha256=sha, position=i, quantity=f.quantity, scope=f.scope, year=f.year,
                   value=f.amount.value, unit=f.amount.unit.value, line=f.source.line)
        for i, f in enumerate(disclosure.facts)
    )


def store_validation(session: Session, sha256: str, key_figures: dict[str, Decimal], findings: Sequence[Finding]) -> None:
    for record in (KeyFigureRecord, FindingRecord):
        session.execute(delete(record).where(record.sha256 == sha256))
    session.add_all(KeyFigureRecord(sha256=sha256, quantity=q, value=v) for q, v in key_figures.items())
    session.add_all(
        FindingRecord(sha256=sha256, position=i, rule_id=f.rule_id, severity=f.severity.value,
                      message_zh=f.message_zh, message_en=f.message_en, stated=f.stated,
                      expected=f.expected, difference=f.difference,
                      evidence=[e.model_dump(mode="json") for e in f.evidence])
        for i, f in enumerate(findings)
    )


def history(session: Session, department_key: str, fiscal_year: int) -> list[HistoryRecord]:
    """The department's disclosures of the prior year and of the same year (budget and final
    accounts), with their key figures: what validation compares a disclosure with."""
    rows = session.scalars(
        select(DisclosureRecord)
        .where(DisclosureRecord.department_key == department_key)
        .where(DisclosureRecord.fiscal_year.in_((fiscal_year - 1, fiscal_year)))
        .order_by(DisclosureRecord.fiscal_year, DisclosureRecord.kind)
    ).all()
    records = []
    for row in rows:
        figures = {k.quantity: k.value for k in session.scalars(
            select(KeyFigureRecord).where(KeyFigureRecord.sha256 == row.sha256))}
        records.append(HistoryRecord(
            identity=DisclosureIdentity(
                sha256=row.sha256, name=row.name, department=row.department,
                department_key=row.department_key, region=row.region, fiscal_year=row.fiscal_year,
                kind=DisclosureKind(row.kind), unit=Unit(row.unit)),
            key_figures=figures,
        ))
    return records


def stored_disclosure(session: Session, sha256: str) -> Disclosure | None:
    row = session.get(DisclosureRecord, sha256)
    return None if row is None else Disclosure.model_validate(row.document)
