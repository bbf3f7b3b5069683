"""The store's read-only HTTP API (/api/v1, OpenAPI at /api/v1/openapi.json): disclosures,
their findings, alerts, dead letters, and a department's totals across years. Amounts are
decimal strings in the document's unit, as everywhere in Fiscalwatch.

(No `from __future__ import annotations` here: FastAPI must see the real types of the
dependencies declared inside `api_router`.)"""


from collections.abc import Iterator
from datetime import datetime
from decimal import Decimal
from typing import Annotated, Any

from fastapi import APIRouter, Depends, HTTPException, Query
from pydantic import BaseModel
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from fiscalwatch.common.model import Finding
from fiscalwatch.store.schema import AlertRecord, DeadLetterRecord, DisclosureRecord, FindingRecord, KeyFigureRecord


class DisclosureSummary(BaseModel):
    sha256: str
    name: str
    department: str
    department_key: str
    region: str | None
    fiscal_year: int
    kind: str
    unit: str
    published: Any = None
    stored_at: datetime
    validated_at: datetime | None
    findings_by_severity: dict[str, int]


class DisclosureDetail(DisclosureSummary):
    key_figures: dict[str, Decimal]
    compared_with: list[str]
    document: dict | None = None  # the parsed Disclosure, with ?full=true


class AlertOut(BaseModel):
    id: str
    sha256: str
    kind: str
    department_key: str
    fiscal_year: int
    rule_id: str
    severity: str
    message_zh: str
    message_en: str
    finding: Finding
    raised_at: datetime


class DeadLetterOut(BaseModel):
    id: str
    stage: str
    reason: str
    error_type: str
    subject: str
    document_sha256: str | None
    deliveries: int | None
    failed_at: datetime


class YearTotals(BaseModel):
    fiscal_year: int
    kind: str
    sha256: str
    unit: str
    key_figures: dict[str, Decimal]


class DepartmentTotals(BaseModel):
    department_key: str
    years: list[YearTotals]


def api_router(sessions: sessionmaker[Session]) -> APIRouter:
    router = APIRouter(prefix="/api/v1", tags=["read"])

    def session() -> Iterator[Session]:
        with sessions() as s:
            yield s

    Db = Annotated[Session, Depends(session)]
    Limit = Annotated[int, Query(ge=1, le=1000)]

    def severities(db: Session, sha256s: list[str]) -> dict[str, dict[str, int]]:
        counts: dict[str, dict[str, int]] = {sha: {} for sha in sha256s}
        rows = db.execute(select(FindingRecord.sha256, FindingRecord.severity, func.count())
                          .where(FindingRecord.sha256.in_(sha256s))
                          .group_by(FindingRecord.sha256, FindingRecord.severity))
        for sha, severity, n in rows:
            counts[sha][severity] = n
        return counts

    def summary(row: DisclosureRecord, counts: dict[str, int]) -> dict[str, Any]:
        return dict(sha256=row.sha256, name=row.name, department=row.department, department_key=row.department_key,
                    region=row.region, fiscal_year=row.fiscal_year, kind=row.kind, unit=row.unit,
                    published=row.published, stored_at=row.stored_at, validated_at=row.validated_at,
                    findings_by_severity=counts)

    @router.get("/disclosures", response_model=list[DisclosureSummary])
    def list_disclosures(db: Db, department: str | None = None, year: int | None = None, kind: str | None = None,
                         limit: Limit = 100, offset: Annotated[int, Query(ge=0)] = 0) -> list[dict[str, Any]]:
        query = select(DisclosureRecord).order_by(DisclosureRecord.department_key, DisclosureRecord.fiscal_year,
                                                  DisclosureRecord.kind)
        if department:
            query = query.where(DisclosureRecord.department_key == department)
        if year:
            query = query.where(DisclosureRecord.fiscal_year == year)
        if kind:
            query = query.where(DisclosureRecord.kind == kind)
        rows = db.scalars(query.limit(limit).offset(offset)).all()
        counts = severities(db, [r.sha256 for r in rows])
        return [summary(r, counts[r.sha256]) for r in rows]

    @router.get("/disclosures/{sha256}", response_model=DisclosureDetail)
    def get_disclosure(db: Db, sha256: str, full: bool = False) -> dict[str, Any]:
        row = db.get(DisclosureRecord, sha256)
        if row is None:
            raise HTTPException(404, f"no disclosure {sha256}")
        figures = {k.quantity: k.value for k in db.scalars(select(KeyFigureRecord).where(KeyFigureRecord.sha256 == sha256))}
        return {**summary(row, severities(db, [sha256])[sha256]), "key_figures": figures,
                "compared_with": row.compared_with or [], "document": row.document if full else None}

    @router.get("/disclosures/{sha256}/findings", response_model=list[Finding])
    def get_findings(db: Db, sha256: str, severity: str | None = None) -> list[Finding]:
        if db.get(DisclosureRecord, sha256) is None:
            raise HTTPException(404, f"no disclosure {sha256}")
        query = select(FindingRecord).where(FindingRecord.sha256 == sha256).order_by(FindingRecord.position)
        if severity:
            query = query.where(FindingRecord.severity == severity)
        return [Finding(rule_id=f.rule_id, severity=f.severity, message_zh=f.message_zh, message_en=f.message_en,
                        stated=f.stated, expected=f.expected, difference=f.difference, evidence=f.evidence)
                for f in db.scalars(query)]

    @router.get("/alerts", response_model=list[AlertOut])
    def list_alerts(db: Db, kind: str | None = None, department: str | None = None, since: datetime | None = None,
                    limit: Limit = 100) -> list[AlertRecord]:
        query = select(AlertRecord).order_by(AlertRecord.raised_at.desc(), AlertRecord.id)
        if kind:
            query = query.where(AlertRecord.kind == kind)
        if department:
            query = query.where(AlertRecord.department_key == department)
        if since:
            query = query.where(AlertRecord.raised_at >= since)
        return list(db.scalars(query.limit(limit)))

    @router.get("/dead-letters", response_model=list[DeadLetterOut])
    def list_dead_letters(db: Db, stage: str | None = None, limit: Limit = 100) -> list[DeadLetterRecord]:
        query = select(DeadLetterRecord).order_by(DeadLetterRecord.failed_at.desc())
        if stage:
            query = query.where(DeadLetterRecord.stage == stage)
        return list(db.scalars(query.limit(limit)))

    @router.get("/departments/{department_key}/totals", response_model=DepartmentTotals)
    def department_totals(db: Db, department_key: str) -> dict[str, Any]:
        rows = db.scalars(select(DisclosureRecord).where(DisclosureRecord.department_key == department_key)
                          .order_by(DisclosureRecord.fiscal_year, DisclosureRecord.kind)).all()
        if not rows:
            raise HTTPException(404, f"no disclosures of {department_key}")
        years = []
        for row in rows:
            figures = {k.quantity: k.value for k in db.scalars(
                select(KeyFigureRecord).where(KeyFigureRecord.sha256 == row.sha256))}
            years.append(dict(fiscal_year=row.fiscal_year, kind=row.kind, sha256=row.sha256, unit=row.unit,
                              key_figures=figures))
        return {"department_key": department_key, "years": years}

    return router
