"""The validate service: a parsed disclosure in, its findings and alerts out.

Subscribes to `fiscalwatch.disclosure.parsed` (durable consumer `validate`) and to
`fiscalwatch.disclosure.revalidate` (`validate-again`: the store sends a disclosure back when a
related one, e.g. its prior year, arrived after it). Asks the store for the department's
history over request-reply (`fiscalwatch.store.history`; the store owns the database), calls
the pure core, publishes `fiscalwatch.disclosure.validated` and one `fiscalwatch.alert.<kind>`
per alert-grade finding."""

from __future__ import annotations

import asyncio
import os
from collections import Counter

from faststream.nats import NatsMessage

from fiscalwatch.common.broker import envelope, fetch_document, fetch_lines, publish
from fiscalwatch.common.document import SourceDocument
from fiscalwatch.common.events import (
    AlertRaised, AlertRef, DeadLetter, DisclosureIdentity, DisclosureParsed, DisclosureValidated, Envelope, FindingSummary,
    HistoryRequest, HistoryResponse, Subjects,
)
from fiscalwatch.common.model import Finding, Severity
from fiscalwatch.common.runtime import Service, publishes
from fiscalwatch.common.settings import Settings
from fiscalwatch.validate import ValidationConfig, alert_kind, key_figures, validate


def validation_config_from_env() -> ValidationConfig:
    """FISCALWATCH_YOY_RATE_PERCENT, FISCALWATCH_YOY_FLOOR_WAN_YUAN, … override the defaults."""
    overrides = {name: os.environ[f"FISCALWATCH_{name.upper()}"]
                 for name in ValidationConfig.model_fields if f"FISCALWATCH_{name.upper()}" in os.environ}
    return ValidationConfig(**overrides)


def summarise(findings: list[Finding]) -> FindingSummary:
    by_severity = Counter(f.severity for f in findings)
    return FindingSummary(total=len(findings), by_severity={s: by_severity.get(s, 0) for s in Severity},
                          rule_ids=sorted({f.rule_id for f in findings}))


def alert_id(identity: DisclosureIdentity, finding: Finding) -> tuple[str, ...]:
    """The same finding on the same document is the same alert, however often it is re-checked;
    two findings that differ in anything (message, values, evidence) are two alerts."""
    return (identity.sha256, finding.model_dump_json())


def create(settings: Settings | None = None) -> Service:
    service = Service.create("validate", settings)
    config = validation_config_from_env()

    async def history(identity: DisclosureIdentity) -> HistoryResponse:
        request = HistoryRequest(department_key=identity.department_key, fiscal_year=identity.fiscal_year,
                                 kind=identity.kind)
        reply = await service.broker.request(request.model_dump_json().encode(), Subjects.HISTORY,
                                             timeout=service.settings.history_timeout_seconds)
        response = HistoryResponse.model_validate_json(reply.body)
        # The disclosure itself is no history of its own.
        return HistoryResponse(records=[r for r in response.records if r.identity.sha256 != identity.sha256])

    async def read_text(identity: DisclosureIdentity, media_type: str) -> SourceDocument | None:
        """The document's numbered lines, as the parser read them: the text file itself, or the
        lines parse kept for a PDF, DOCX, XLSX or HTML file (None, and the checks that read the
        text are skipped, if they were not kept)."""
        if media_type != "text/plain":
            lines = await fetch_lines(service.broker, identity.sha256)
            return None if lines is None else SourceDocument.from_lines(identity.name, lines, sha256=identity.sha256)
        data = await fetch_document(service.broker, identity.sha256, identity.sha256)
        return SourceDocument.from_bytes(identity.name, data)

    async def check(event: Envelope[DisclosureParsed], _message: NatsMessage) -> None:
        parsed = event.data
        identity, disclosure = parsed.identity, parsed.disclosure
        records = (await history(identity)).records
        document = await read_text(identity, disclosure.document.media_type)
        findings = await asyncio.to_thread(validate, disclosure, records, config, document)
        compared_with = sorted(r.identity.sha256 for r in records)
        alerts = [(i, kind, envelope(AlertRaised(kind=kind, identity=identity, finding=finding), source="validate",
                                     type_=Subjects.alert(kind), id_parts=alert_id(identity, finding),
                                     subject=identity.sha256))
                  for i, finding in enumerate(findings) if (kind := alert_kind(finding))]
        validated = DisclosureValidated(
            identity=identity, key_figures=key_figures(disclosure), summary=summarise(findings), findings=findings,
            compared_with=compared_with, alerts=[AlertRef(id=event.id, kind=kind, finding=i) for i, kind, event in alerts])
        await publish(service.broker, Subjects.VALIDATED, envelope(
            validated, source="validate", type_=Subjects.VALIDATED, id_parts=(identity.sha256, *compared_with),
            subject=identity.sha256))
        for _, kind, event in alerts:
            await publish(service.broker, Subjects.alert(kind), event)
            service.metrics.alerts.labels(kind).inc()
        for finding in findings:
            service.metrics.findings.labels(finding.severity.value, finding.rule_id).inc()

    service.consumers.consume(Subjects.PARSED, "validate", DisclosureParsed,
                              "Check each parsed disclosure: ledger identities, narrative against tables, "
                              "year-over-year changes against the department's history.")(check)
    service.consumers.consume(Subjects.REVALIDATE, "validate-again", DisclosureParsed,
                              "Check a disclosure again because a related one (its prior year, or the same "
                              "year's budget or final accounts) arrived after it.")(check)
    publishes(service, Subjects.VALIDATED, DisclosureValidated,
              "A disclosure's identity, key totals, findings and their summary: what downstream needs without a query.")
    for kind in ("mismatch", "yoy", "form"):
        publishes(service, Subjects.alert(kind), AlertRaised, f"An alert-grade finding ({kind}) with its evidence.")
    publishes(service, Subjects.dead_letter("validate"), DeadLetter, "A message validation gave up on, with the reason.")
    return service
