"""The shared contract: amounts stay Decimal with their unit through JSON, event ids are
deterministic, envelopes carry the CloudEvents attributes."""

from __future__ import annotations

import json
from datetime import datetime, timezone
from decimal import Decimal

from fiscalwatch.common.document import SourceDocument
from fiscalwatch.common.events import DocumentDiscovered, Envelope, Subjects, deterministic_id
from fiscalwatch.common.model import Amount, Disclosure, DisclosureKind, DocumentRef, Metadata, SourceRef, Unit


def test_amounts_serialise_as_strings_and_come_back_exact() -> None:
    amount = Amount(value=Decimal("44.876059"), unit=Unit.WAN_YUAN, raw="44.876059", source=SourceRef(line=3, column=7))
    data = json.loads(amount.model_dump_json())
    assert data["value"] == "44.876059" and data["unit"] == "万元"
    back = Amount.model_validate(data)
    assert back == amount and back.in_unit(Unit.YUAN) == Decimal("448760.59")


def test_disclosure_round_trips_through_json() -> None:
    disclosure = Disclosure(
        document=DocumentRef(name="a.txt", sha256="0" * 64),
        metadata=Metadata(department="武汉市某局（本级）", department_key="武汉市某局", fiscal_year=2023,
                          kind=DisclosureKind.FINAL_ACCOUNTS, unit=Unit.WAN_YUAN),
    )
    assert Disclosure.model_validate_json(disclosure.model_dump_json()) == disclosure


def test_event_ids_are_deterministic_and_distinct() -> None:
    assert deterministic_id("sha", "parsed") == deterministic_id("sha", "parsed")
    assert deterministic_id("sha", "parsed") != deterministic_id("sha", "validated")
    assert deterministic_id("a", "bc") != deterministic_id("ab", "c")  # parts are separated


def test_envelope_has_cloudevents_attributes_and_subjects_share_a_prefix() -> None:
    payload = DocumentDiscovered(sha256="f" * 64, object_store="documents", object_name="f" * 64, name="a.txt",
                                 size=10, source="/inbox/a.txt", discovered_at=datetime(2026, 1, 1, tzinfo=timezone.utc))
    envelope = Envelope[DocumentDiscovered](id=deterministic_id(payload.sha256, Subjects.DISCOVERED),
                                            source="fiscalwatch/ingest", type=Subjects.DISCOVERED, data=payload)
    data = json.loads(envelope.model_dump_json())
    assert {"specversion", "id", "source", "type", "time", "schemaversion", "data"} <= set(data)
    assert data["specversion"] == "1.0"
    assert all(s.startswith("fiscalwatch.") for s in (Subjects.PARSED, Subjects.alert("yoy"), Subjects.dead_letter("parse")))


def test_text_documents_keep_line_numbers() -> None:
    doc = SourceDocument.from_bytes("a.txt", "第一行\r\n\r\n第三行".encode("utf-8"))
    assert [(line.number, line.text) for line in doc.lines] == [(1, "第一行"), (2, ""), (3, "第三行")]


def test_the_checked_in_event_contract_is_what_the_code_says() -> None:
    """docs/schemas and docs/asyncapi are for downstream teams: they must not drift."""
    from pathlib import Path

    from fiscalwatch.common.cli import main

    docs = Path(__file__).parents[3] / "docs"
    assert main(["contract", "--out", str(docs), "--check"]) == 0, "run `fiscalwatch contract --out docs`"


def test_every_event_schema_describes_its_envelope_and_payload() -> None:
    from fiscalwatch.common.contract import render

    schema = json.loads(render()["schemas/DisclosureValidated.json"])
    assert {"specversion", "id", "source", "type", "time", "schemaversion", "data"} <= set(schema["properties"])
    validated = schema["$defs"]["DisclosureValidated"]["properties"]
    assert {"identity", "key_figures", "summary", "findings", "compared_with"} <= set(validated)


def test_input_errors_survive_pickling_with_file_place_and_reason():
    import pickle

    from fiscalwatch.common.errors import NotADisclosure, UnreadableDocument

    for error in (NotADisclosure("a/b.pdf", "no standard table", 12), UnreadableDocument("c.txt", "the file is empty")):
        copy = pickle.loads(pickle.dumps(error))
        assert type(copy) is type(error)
        assert (copy.name, copy.reason, copy.line) == (error.name, error.reason, error.line)
        assert str(copy) == str(error)
