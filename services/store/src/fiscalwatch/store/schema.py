"""The database schema (SQLAlchemy 2.0). Amounts are stored as their exact decimal text, so
that SQLite (whose NUMERIC is a float) and PostgreSQL give back the same Decimal."""

from __future__ import annotations

from datetime import date, datetime, timezone
from decimal import Decimal

from sqlalchemy import JSON, Date, DateTime, ForeignKey, Integer, String, Text, TypeDecorator
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


class ExactDecimal(TypeDecorator[Decimal]):
    """A Decimal stored as its text: exact on every database."""

    impl = String(48)
    cache_ok = True

    def process_bind_param(self, value: Decimal | None, dialect) -> str | None:
        return None if value is None else str(value)

    def process_result_value(self, value: str | None, dialect) -> Decimal | None:
        return None if value is None else Decimal(value)


def _now() -> datetime:
    return datetime.now(timezone.utc)


class Base(DeclarativeBase):
    pass


class DisclosureRecord(Base):
    __tablename__ = "disclosures"

    sha256: Mapped[str] = mapped_column(String(64), primary_key=True)
    name: Mapped[str] = mapped_column(String(500))
    department: Mapped[str] = mapped_column(String(200))
    department_key: Mapped[str] = mapped_column(String(200), index=True)
    region: Mapped[str | None] = mapped_column(String(100))
    fiscal_year: Mapped[int] = mapped_column(Integer, index=True)
    kind: Mapped[str] = mapped_column(String(20))
    unit: Mapped[str] = mapped_column(String(8))
    published: Mapped[date | None] = mapped_column(Date)
    schema_version: Mapped[str] = mapped_column(String(10))
    # The whole Disclosure as JSON (about 100 KB): loaded only when asked for, not with every row.
    document: Mapped[dict] = mapped_column(JSON, deferred=True)
    stored_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=_now)
    # Set when its validation is stored; history answers with validated disclosures only.
    validated_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    compared_with: Mapped[list | None] = mapped_column(JSON)  # sha256 of the history its validation used


class CellRecord(Base):
    __tablename__ = "cells"

    sha256: Mapped[str] = mapped_column(ForeignKey("disclosures.sha256", ondelete="CASCADE"), primary_key=True)
    table_id: Mapped[str] = mapped_column(String(80), primary_key=True)
    row_key: Mapped[str] = mapped_column(String(200), primary_key=True)
    column_id: Mapped[str] = mapped_column(String(20), primary_key=True)
    value: Mapped[Decimal] = mapped_column(ExactDecimal)
    unit: Mapped[str] = mapped_column(String(8))
    line: Mapped[int] = mapped_column(Integer)


class FactRecord(Base):
    __tablename__ = "facts"

    sha256: Mapped[str] = mapped_column(ForeignKey("disclosures.sha256", ondelete="CASCADE"), primary_key=True)
    position: Mapped[int] = mapped_column(Integer, primary_key=True)
    quantity: Mapped[str] = mapped_column(String(80), index=True)
    scope: Mapped[str] = mapped_column(String(40))
    year: Mapped[int | None] = mapped_column(Integer)
    value: Mapped[Decimal] = mapped_column(ExactDecimal)
    unit: Mapped[str] = mapped_column(String(8))
    line: Mapped[int] = mapped_column(Integer)


class KeyFigureRecord(Base):
    __tablename__ = "key_figures"

    sha256: Mapped[str] = mapped_column(ForeignKey("disclosures.sha256", ondelete="CASCADE"), primary_key=True)
    quantity: Mapped[str] = mapped_column(String(80), primary_key=True)
    value: Mapped[Decimal] = mapped_column(ExactDecimal)


class FindingRecord(Base):
    __tablename__ = "findings"

    sha256: Mapped[str] = mapped_column(ForeignKey("disclosures.sha256", ondelete="CASCADE"), primary_key=True)
    position: Mapped[int] = mapped_column(Integer, primary_key=True)
    rule_id: Mapped[str] = mapped_column(String(20), index=True)
    severity: Mapped[str] = mapped_column(String(10), index=True)
    message_zh: Mapped[str] = mapped_column(Text)
    message_en: Mapped[str] = mapped_column(Text)
    stated: Mapped[Decimal | None] = mapped_column(ExactDecimal)
    expected: Mapped[Decimal | None] = mapped_column(ExactDecimal)
    difference: Mapped[Decimal | None] = mapped_column(ExactDecimal)
    evidence: Mapped[list] = mapped_column(JSON)


class AlertRecord(Base):
    """An alert as published (fiscalwatch.alert.<kind>); its id is the event's, so a redelivered
    alert is the same row. No foreign key: an alert may arrive before its disclosure is stored."""

    __tablename__ = "alerts"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    sha256: Mapped[str] = mapped_column(String(64), index=True)
    kind: Mapped[str] = mapped_column(String(20), index=True)
    department_key: Mapped[str] = mapped_column(String(200), index=True)
    fiscal_year: Mapped[int] = mapped_column(Integer)
    rule_id: Mapped[str] = mapped_column(String(20))
    severity: Mapped[str] = mapped_column(String(10))
    message_zh: Mapped[str] = mapped_column(Text)
    message_en: Mapped[str] = mapped_column(Text)
    finding: Mapped[dict] = mapped_column(JSON)
    raised_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)


class DeadLetterRecord(Base):
    """A message a service gave up on, with the reason: what operators look at first."""

    __tablename__ = "dead_letters"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    stage: Mapped[str] = mapped_column(String(20), index=True)
    reason: Mapped[str] = mapped_column(Text)
    error_type: Mapped[str] = mapped_column(String(100))
    subject: Mapped[str] = mapped_column(String(200))
    message_id: Mapped[str | None] = mapped_column(String(64))
    document_sha256: Mapped[str | None] = mapped_column(String(64), index=True)
    deliveries: Mapped[int | None] = mapped_column(Integer)
    payload: Mapped[str] = mapped_column(Text)
    payload_encoding: Mapped[str] = mapped_column(String(10))
    failed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)
