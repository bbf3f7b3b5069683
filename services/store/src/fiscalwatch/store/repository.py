"""Writes and reads of the store. Writes are idempotent: storing the same disclosure or the
same validation twice leaves one copy (a document's children are replaced, in the caller's
transaction, never appended)."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal

from datetime import datetime, timezone

from sqlalchemy import and_, delete, insert, or_, select
from sqlalchemy.orm import Session

from fiscalwatch.common.events import AlertRaised, DeadLetter, DisclosureIdentity, HistoryRecord
from fiscalwatch.common.model import Disclosure, DisclosureKind, Finding, Unit
from fiscalwatch.store.schema import (
    AlertRecord, CellRecord, DeadLetterRecord, DisclosureRecord, FactRecord, FindingRecord, KeyFigureRecord,
)


class NotStoredYet(LookupError):
    """A validation arrived before its disclosure: retried, the disclosure's event is on its way."""

    def __init__(self, sha256: str) -> None:
        super().__init__(f"disclosure {sha256} is not stored yet")


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
    # Bulk inserts (one statement, many rows): a disclosure has about a thousand cells.
    cells = [dict(sha256=sha, table_id=table.template_id, row_key=row.key, column_id=column,
                  value=amount.value, unit=amount.unit.value, line=amount.source.line)
             for table in disclosure.tables for row in table.rows for column, amount in row.cells.items()]
    facts = [dict(sha256=sha, position=i, quantity=f.quantity, scope=f.scope, year=f.year,
                  value=f.amount.value, unit=f.amount.unit.value, line=f.source.line)
             for i, f in enumerate(disclosure.facts)]
    for record, rows in ((CellRecord, cells), (FactRecord, facts)):
        if rows:
            session.execute(insert(record.__table__), rows)  # Core executemany: no ORM bookkeeping per row


def store_validation(session: Session, sha256: str, key_figures: dict[str, Decimal], findings: Sequence[Finding],
                     compared_with: Sequence[str] = ()) -> None:
    disclosure = session.get(DisclosureRecord, sha256)
    if disclosure is None:
        raise NotStoredYet(sha256)
    disclosure.validated_at = datetime.now(timezone.utc)
    disclosure.compared_with = sorted(compared_with)
    for record in (KeyFigureRecord, FindingRecord):
        session.execute(delete(record).where(record.sha256 == sha256))
    figures = [dict(sha256=sha256, quantity=q, value=v) for q, v in key_figures.items()]
    rows = [dict(sha256=sha256, position=i, rule_id=f.rule_id, severity=f.severity.value,
                 message_zh=f.message_zh, message_en=f.message_en, stated=f.stated,
                 expected=f.expected, difference=f.difference,
                 evidence=[e.model_dump(mode="json") for e in f.evidence])
            for i, f in enumerate(findings)]
    for record, values in ((KeyFigureRecord, figures), (FindingRecord, rows)):
        if values:
            session.execute(insert(record.__table__), values)


def _history_of(fiscal_year: int, kind: str | None):
    """Which disclosures are history for one of `fiscal_year` and `kind`: the prior year's, and
    the same year's other kind (budget against final accounts). Another version of the same
    year and kind (a corrected republication) is not history."""
    same_year = DisclosureRecord.fiscal_year == fiscal_year
    if kind is not None:
        same_year = and_(same_year, DisclosureRecord.kind != kind)
    return or_(DisclosureRecord.fiscal_year == fiscal_year - 1, same_year)


def history(session: Session, department_key: str, fiscal_year: int,
            kind: DisclosureKind | None = None) -> list[HistoryRecord]:
    """The department's validated disclosures that are history for a disclosure of
    `fiscal_year` and `kind` (see `_history_of`), with their key figures: what validation
    compares it with."""
    rows = session.scalars(
        select(DisclosureRecord)
        .where(DisclosureRecord.department_key == department_key)
        .where(_history_of(fiscal_year, kind.value if kind else None))
        .where(DisclosureRecord.validated_at.is_not(None))
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


def to_revalidate(session: Session, sha256: str) -> list[str]:
    """Disclosures whose year-over-year and budget-against-final checks ran without a related,
    validated disclosure that the store now has: `sha256` itself when its history has grown
    since it was checked, and the disclosures `sha256` is history for (the next year's, the same
    year's other kind). Each comes back once: after its new check it has compared with them all."""
    this = session.get(DisclosureRecord, sha256)
    if this is None or this.validated_at is None:
        return []
    related = session.scalars(
        select(DisclosureRecord)
        .where(DisclosureRecord.department_key == this.department_key)
        .where(DisclosureRecord.sha256 != sha256)
        .where(DisclosureRecord.validated_at.is_not(None))
        .where(DisclosureRecord.fiscal_year.in_((this.fiscal_year - 1, this.fiscal_year, this.fiscal_year + 1)))
    ).all()

    def is_history(a: DisclosureRecord, b: DisclosureRecord) -> bool:
        """Is `a` history for `b`?"""
        return a.fiscal_year == b.fiscal_year - 1 or (a.fiscal_year == b.fiscal_year and a.kind != b.kind)

    again = []
    own_history = {r.sha256 for r in related if is_history(r, this)}
    if own_history - set(this.compared_with or ()):
        again.append(sha256)
    for other in related:
        if is_history(this, other) and sha256 not in (other.compared_with or ()):
            again.append(other.sha256)
    return sorted(set(again))


def store_alert(session: Session, event_id: str, alert: AlertRaised, raised_at: datetime) -> None:
    store_alerts(session, [(event_id, alert)], raised_at)


def store_alerts(session: Session, alerts: Sequence[tuple[str, AlertRaised]], raised_at: datetime) -> None:
    """Alerts by their event ids: one already stored is replaced, so a redelivery leaves one copy."""
    alerts = list(dict(alerts).items())  # one row per id, whatever the caller passed
    if not alerts:
        return
    session.execute(delete(AlertRecord).where(AlertRecord.id.in_([event_id for event_id, _ in alerts])))
    session.execute(insert(AlertRecord), [
        dict(id=event_id, sha256=a.identity.sha256, kind=a.kind, department_key=a.identity.department_key,
             fiscal_year=a.identity.fiscal_year, rule_id=a.finding.rule_id, severity=a.finding.severity.value,
             message_zh=a.finding.message_zh, message_en=a.finding.message_en,
             finding=a.finding.model_dump(mode="json"), raised_at=raised_at)
        for event_id, a in alerts
    ])


def store_dead_letter(session: Session, event_id: str, letter: DeadLetter) -> None:
    session.merge(DeadLetterRecord(id=event_id, **letter.model_dump(exclude={"stage"}), stage=letter.stage))


def stored_disclosure(session: Session, sha256: str) -> Disclosure | None:
    row = session.get(DisclosureRecord, sha256)
    return None if row is None else Disclosure.model_validate(row.document)
