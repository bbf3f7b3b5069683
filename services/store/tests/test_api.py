"""The store's read-only HTTP API over a real (SQLite) database filled by the repository."""

from __future__ import annotations

from datetime import datetime, timezone
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session, sessionmaker

from fiscalwatch.common.document import SourceDocument
from fiscalwatch.common.events import AlertRaised, DeadLetter, DisclosureIdentity
from fiscalwatch.parse import parse_document
from fiscalwatch.store import repository
from fiscalwatch.store.api import api_router
from fiscalwatch.store.db import make_engine, upgrade
from fiscalwatch.validate import key_figures, validate

SEEDS = Path(__file__).parents[2] / "parse" / "tests" / "data" / "seeds"


@pytest.fixture(scope="module")
def client(tmp_path_factory):
    url = f"sqlite:///{tmp_path_factory.mktemp('api') / 'api.db'}"
    upgrade(url)
    engine = make_engine(url)
    with Session(engine) as session, session.begin():
        for name in ("000_d606ceb80bbf38c6.txt", "001_6180a20aa6797444.txt"):
            document = SourceDocument.from_path(SEEDS / name)
            disclosure = parse_document(document)
            findings = validate(disclosure, document=document)
            repository.store_disclosure(session, disclosure)
            session.flush()
            repository.store_validation(session, disclosure.document.sha256, key_figures(disclosure), findings)
            for i, finding in enumerate(f for f in findings if f.rule_id.startswith("Y-")):
                alert = AlertRaised(kind="yoy", identity=DisclosureIdentity.of(disclosure), finding=finding)
                repository.store_alert(session, f"{name}-{i}", alert, datetime.now(timezone.utc))
        repository.store_dead_letter(session, "dl-1", DeadLetter(
            stage="parse", reason="minutes.txt: not a disclosure", error_type="NotADisclosure",
            subject="fiscalwatch.disclosure.discovered", payload="{}", failed_at=datetime.now(timezone.utc)))
    app = FastAPI()
    app.include_router(api_router(sessionmaker(engine)))
    yield TestClient(app)
    engine.dispose()


def test_lists_disclosures_with_their_findings_by_severity(client) -> None:
    listed = client.get("/api/v1/disclosures").json()
    assert [(d["department_key"], d["fiscal_year"], d["kind"]) for d in listed] == [
        ("武汉市医疗保障局", 2023, "final_accounts"), ("武汉市洪山区医疗保障局", 2020, "final_accounts")]
    assert listed[1]["findings_by_severity"]["error"] >= 1
    assert [d["fiscal_year"] for d in client.get("/api/v1/disclosures", params={"year": 2020}).json()] == [2020]


def test_a_disclosure_with_its_key_figures_as_exact_decimal_strings(client) -> None:
    sha = client.get("/api/v1/disclosures", params={"year": 2020}).json()[0]["sha256"]
    detail = client.get(f"/api/v1/disclosures/{sha}").json()
    assert detail["key_figures"]["收支总计"] == "2270.24" and detail["document"] is None
    assert client.get(f"/api/v1/disclosures/{sha}", params={"full": True}).json()["document"]["document"]["sha256"] == sha
    findings = client.get(f"/api/v1/disclosures/{sha}/findings", params={"severity": "error"}).json()
    assert findings and {f["severity"] for f in findings} == {"error"}
    assert any(f["stated"] == "98.12" and f["expected"] == "98.42" for f in findings)


def test_alerts_dead_letters_and_a_departments_totals(client) -> None:
    alerts = client.get("/api/v1/alerts", params={"kind": "yoy"}).json()
    assert any("3273.31" in a["message_zh"] for a in alerts)
    assert client.get("/api/v1/alerts", params={"kind": "form"}).json() == []
    [letter] = client.get("/api/v1/dead-letters").json()
    assert letter["reason"] == "minutes.txt: not a disclosure"
    totals = client.get("/api/v1/departments/武汉市医疗保障局/totals").json()
    assert [(y["fiscal_year"], y["key_figures"]["收支总计"]) for y in totals["years"]] == [(2023, "4342.35")]


def test_unknown_things_are_404_and_bad_parameters_422(client) -> None:
    assert client.get("/api/v1/disclosures/" + "0" * 64).status_code == 404
    assert client.get("/api/v1/disclosures/" + "0" * 64 + "/findings").status_code == 404
    assert client.get("/api/v1/departments/nobody/totals").status_code == 404
    assert client.get("/api/v1/alerts", params={"limit": 0}).status_code == 422
