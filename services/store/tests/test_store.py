"""The store against real databases: a SQLite file and the PostgreSQL server (a database of
its own per test run, dropped afterwards). Migrations, idempotent writes, exact decimals,
history answers."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import create_engine, func, select, text
from sqlalchemy.orm import Session

from fiscalwatch.common.document import SourceDocument
from fiscalwatch.common.model import DisclosureKind, Evidence, Finding, Severity, SourceRef
from fiscalwatch.parse import parse_document
from fiscalwatch.store.db import make_engine, upgrade
from fiscalwatch.store.repository import (
    NotStoredYet, history, store_disclosure, store_validation, stored_disclosure, to_revalidate,
)
from fiscalwatch.store.schema import Base, CellRecord, DisclosureRecord, FactRecord, FindingRecord

SEED = Path(__file__).parents[2] / "parse" / "tests" / "data" / "seeds" / "001_6180a20aa6797444.txt"
@pytest.fixture(params=["sqlite", "postgresql"])
def database(request, tmp_path):
    url = f"sqlite:///{tmp_path / 'store.db'}" if request.param == "sqlite" else request.getfixturevalue("postgres_url")
    upgrade(url)
    return url


@pytest.fixture(scope="module")
def disclosure():
    return parse_document(SourceDocument.from_path(SEED))


def count(session, record) -> int:
    return session.scalar(select(func.count()).select_from(record))


def test_migrations_build_exactly_the_schema(database) -> None:
    engine = make_engine(database)
    with engine.connect() as connection:
        diff = compare_metadata(MigrationContext.configure(connection), Base.metadata)
    engine.dispose()
    assert diff == []


def test_storing_the_same_disclosure_twice_leaves_one_copy(database, disclosure) -> None:
    engine = make_engine(database)
    for _ in range(2):
        with Session(engine) as session, session.begin():
            store_disclosure(session, disclosure)
    with Session(engine) as session:
        cells = sum(len(r.cells) for t in disclosure.tables for r in t.rows)
        assert (count(session, DisclosureRecord), count(session, CellRecord), count(session, FactRecord)) == (
            1, cells, len(disclosure.facts))
        assert stored_disclosure(session, disclosure.document.sha256) == disclosure
    engine.dispose()


def test_a_failed_write_leaves_the_previous_copy_whole(database, disclosure) -> None:
    engine = make_engine(database)
    with Session(engine) as session, session.begin():
        store_disclosure(session, disclosure)
    with pytest.raises(RuntimeError):
        with Session(engine) as session, session.begin():
            store_disclosure(session, disclosure)
            raise RuntimeError("crash in the middle of a redelivered write")
    with Session(engine) as session:
        assert count(session, CellRecord) == sum(len(r.cells) for t in disclosure.tables for r in t.rows)
    engine.dispose()


def test_decimals_come_back_exact(database, disclosure) -> None:
    engine = make_engine(database)
    finding = Finding(rule_id="A-002", severity=Severity.ERROR, message_zh="增减幅度计算错误", message_en="rate",
                      stated=Decimal("9.62"), expected=Decimal("12.52"), difference=Decimal("-2.90"),
                      evidence=(Evidence(fact=3, value=Decimal("44.876059"), source=SourceRef(line=7)),))
    with Session(engine) as session, session.begin():
        store_disclosure(session, disclosure)
        store_validation(session, disclosure.document.sha256, {"收支总计": Decimal("4342.35"), "微小": Decimal("0.000001")}, [finding])
        store_validation(session, disclosure.document.sha256, {"收支总计": Decimal("4342.35"), "微小": Decimal("0.000001")}, [finding])
    with Session(engine) as session:
        stored = session.scalars(select(FindingRecord)).one()
        assert (stored.stated, stored.expected, stored.difference) == (Decimal("9.62"), Decimal("12.52"), Decimal("-2.90"))
        assert stored.evidence[0]["value"] == "44.876059"
        cell = session.get(CellRecord, (disclosure.document.sha256, "final.income", "2080501", "1"))
        assert cell.value == Decimal("1.80") and str(cell.value) == "1.80"
        [record] = history(session, "武汉市医疗保障局", 2024)
        assert record.key_figures == {"收支总计": Decimal("4342.35"), "微小": Decimal("0.000001")}
        assert record.identity.kind is DisclosureKind.FINAL_ACCOUNTS and record.identity.fiscal_year == 2023
        assert history(session, "武汉市医疗保障局", 2026) == []
    engine.dispose()


def test_db_upgrade_command_migrates_an_empty_database(tmp_path, monkeypatch) -> None:
    from fiscalwatch.common.cli import main

    url = f"sqlite:///{tmp_path / 'cli.db'}"
    monkeypatch.setenv("FISCALWATCH_DATABASE_URL", url)
    assert main(["db", "upgrade"]) == 0
    engine = create_engine(url)
    with engine.connect() as connection:
        tables = {row[0] for row in connection.execute(text("SELECT name FROM sqlite_master WHERE type='table'"))}
    engine.dispose()
    assert {"disclosures", "cells", "facts", "key_figures", "findings", "alembic_version"} <= tables


def _as(disclosure, sha: str, year: int, kind: DisclosureKind | None = None):
    meta = disclosure.metadata.model_copy(update={"fiscal_year": year, "kind": kind or disclosure.metadata.kind})
    return disclosure.model_copy(update={"document": disclosure.document.model_copy(update={"sha256": sha}),
                                         "metadata": meta})


def test_a_disclosure_checked_before_its_history_arrived_is_sent_back_once(database, disclosure) -> None:
    """2023 is validated first, knowing no history; then 2022 arrives: 2023 must be checked
    again, once; the same year's budget then sends both final accounts back, once each."""
    engine = make_engine(database)
    y2023, y2022 = _as(disclosure, "3" * 64, 2023), _as(disclosure, "2" * 64, 2022)
    budget = _as(disclosure, "b" * 64, 2023, DisclosureKind.BUDGET)
    figures = {"收支总计": Decimal("1")}
    with Session(engine) as session, session.begin():
        store_disclosure(session, y2023)
        store_validation(session, y2023.document.sha256, figures, [], compared_with=[])
        assert to_revalidate(session, y2023.document.sha256) == []
        store_disclosure(session, y2022)
        assert to_revalidate(session, y2023.document.sha256) == []  # 2022 is not validated yet
        store_validation(session, y2022.document.sha256, figures, [], compared_with=[])
        assert to_revalidate(session, y2022.document.sha256) == ["3" * 64]
        assert to_revalidate(session, y2023.document.sha256) == ["3" * 64]  # seen from either side
        store_validation(session, y2023.document.sha256, figures, [], compared_with=["2" * 64])
        assert to_revalidate(session, y2022.document.sha256) == []
        assert to_revalidate(session, y2023.document.sha256) == []
        store_disclosure(session, budget)
        store_validation(session, budget.document.sha256, figures, [], compared_with=["2" * 64, "3" * 64])
        assert to_revalidate(session, budget.document.sha256) == ["3" * 64]  # 2022 is not its history
        assert [r.identity.sha256 for r in history(session, "武汉市医疗保障局", 2023)] == ["2" * 64, "b" * 64, "3" * 64]
    engine.dispose()


def test_a_validation_before_its_disclosure_is_refused_for_a_retry(database) -> None:
    engine = make_engine(database)
    with Session(engine) as session, pytest.raises(NotStoredYet):
        store_validation(session, "f" * 64, {}, [])
    engine.dispose()


def test_another_version_of_the_same_year_and_kind_is_not_history(database, disclosure) -> None:
    engine = make_engine(database)
    first, corrected = _as(disclosure, "1" * 64, 2023), _as(disclosure, "c" * 64, 2023)
    with Session(engine) as session, session.begin():
        for version in (first, corrected):
            store_disclosure(session, version)
            session.flush()
            store_validation(session, version.document.sha256, {"收支总计": Decimal("1")}, [], compared_with=[])
        assert to_revalidate(session, corrected.document.sha256) == []
        assert history(session, "武汉市医疗保障局", 2023, DisclosureKind.FINAL_ACCOUNTS) == []
        assert len(history(session, "武汉市医疗保障局", 2023, DisclosureKind.BUDGET)) == 2
    engine.dispose()
