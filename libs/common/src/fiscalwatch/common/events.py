"""Event schemas: the contract between Fiscalwatch services and with downstream subscribers.

Every message is an `Envelope` (CloudEvents 1.0 attributes plus `schemaversion`) around one
payload model defined here. Event ids are deterministic (derived from the document hash and
what the event says), so a redelivered message republishes the same ids and JetStream's
duplicate window (`Nats-Msg-Id`) and the store's idempotent writes absorb it.
"""

from __future__ import annotations

import hashlib
from datetime import datetime, timezone
from decimal import Decimal
from typing import Generic, Literal, TypeVar

from pydantic import BaseModel, ConfigDict, Field

from fiscalwatch.common.model import Disclosure, DisclosureKind, Finding, Severity, Unit

SCHEMA_VERSION = "1"
SUBJECT_PREFIX = "fiscalwatch"


class Subjects:
    """NATS subjects, all under one prefix."""

    DISCLOSURE = f"{SUBJECT_PREFIX}.disclosure"
    DISCOVERED = f"{DISCLOSURE}.discovered"
    PARSED = f"{DISCLOSURE}.parsed"
    VALIDATED = f"{DISCLOSURE}.validated"
    REVALIDATE = f"{DISCLOSURE}.revalidate"  # store: a related disclosure arrived, check this one again
    STORED = f"{DISCLOSURE}.stored"  # store: a disclosure and its validation are persisted
    ALERT = f"{SUBJECT_PREFIX}.alert"  # + ".<kind>": mismatch, yoy, form
    DLQ = f"{SUBJECT_PREFIX}.dlq"  # + ".<stage>": ingest, parse, validate, store
    HISTORY = f"{SUBJECT_PREFIX}.store.history"  # request-reply, served by store
    SCANNED = f"{SUBJECT_PREFIX}.ingest.scanned"  # core NATS, not stored: ingest finished a pass over its sources

    @staticmethod
    def alert(kind: str) -> str:
        return f"{Subjects.ALERT}.{kind}"

    @staticmethod
    def dead_letter(stage: str) -> str:
        return f"{Subjects.DLQ}.{stage}"


def deterministic_id(*parts: str) -> str:
    """Same inputs, same id: what makes redelivery and republishing idempotent."""
    return hashlib.sha256("\x1f".join(parts).encode("utf-8")).hexdigest()[:32]


class _Payload(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class DocumentDiscovered(_Payload):
    """A new document (or a new version of one) is in the Object Store."""

    sha256: str
    object_store: str  # bucket name
    object_name: str
    name: str  # original file name
    size: int
    media_type: str = "text/plain"
    source: str  # where it was found: a path, URL or push endpoint
    discovered_at: datetime
    publication: str | None = None  # the stable address of the publication (a URL, a path, `….zip!member`)
    version: int | None = None  # 1, 2, …: announced versions (different bytes) of that publication


class DisclosureIdentity(_Payload):
    sha256: str
    name: str
    department: str
    department_key: str
    region: str | None = None
    fiscal_year: int
    kind: DisclosureKind
    unit: Unit

    @classmethod
    def of(cls, disclosure: Disclosure) -> "DisclosureIdentity":
        meta = disclosure.metadata
        return cls(
            sha256=disclosure.document.sha256, name=disclosure.document.name, department=meta.department,
            department_key=meta.department_key, region=meta.region, fiscal_year=meta.fiscal_year,
            kind=meta.kind, unit=meta.unit,
        )


class DisclosureParsed(_Payload):
    identity: DisclosureIdentity
    disclosure: Disclosure


class FindingSummary(_Payload):
    total: int
    by_severity: dict[Severity, int]
    rule_ids: list[str]


class AlertRef(_Payload):
    """An alert published for a finding: its event id and channel."""

    id: str
    kind: Literal["mismatch", "yoy", "form"]
    finding: int  # index into `findings`


class DisclosureValidated(_Payload):
    """What a downstream service needs without a database query."""

    identity: DisclosureIdentity
    key_figures: dict[str, Decimal]  # quantity -> amount in the document's unit (收支总计 …)
    summary: FindingSummary
    findings: list[Finding]
    compared_with: list[str] = []  # sha256 of the disclosures the history checks used
    alerts: list[AlertRef] = []  # the alerts published for these findings (fiscalwatch.alert.<kind>)


class AlertRaised(_Payload):
    kind: Literal["mismatch", "yoy", "form"]
    identity: DisclosureIdentity
    finding: Finding


class DeadLetter(_Payload):
    stage: Literal["ingest", "parse", "validate", "store"]
    reason: str
    error_type: str
    subject: str  # where the message came from
    message_id: str | None = None
    deliveries: int | None = None
    payload: str  # the original message body, as received (UTF-8, or base64 when binary)
    payload_encoding: Literal["utf-8", "base64"] = "utf-8"
    document_sha256: str | None = None  # the document the message was about, when known
    failed_at: datetime


class DisclosureStored(_Payload):
    """The store has persisted a disclosure's validation (the end of the pipeline)."""

    identity: DisclosureIdentity
    findings: int
    revalidating: list[str] = []  # sha256 of related disclosures sent back to validation


class IngestScanned(_Payload):
    """Ingest finished a pass over a source."""

    source: str
    seen: int
    announced: list[str]  # sha256 of the documents announced in this pass
    failed: int = 0
    scanned_at: datetime


class HistoryRequest(_Payload):
    department_key: str
    fiscal_year: int  # the year being validated; the store answers with the years around it
    kind: DisclosureKind | None = None  # the kind being validated: of the same year, only the other kind is history


class HistoryRecord(_Payload):
    identity: DisclosureIdentity
    key_figures: dict[str, Decimal]


class HistoryResponse(_Payload):
    records: list[HistoryRecord]  # prior-year disclosures and same-year budget/final


P = TypeVar("P", bound=BaseModel)


class Envelope(BaseModel, Generic[P]):
    """CloudEvents 1.0 attributes around a payload."""

    model_config = ConfigDict(extra="forbid")

    specversion: Literal["1.0"] = "1.0"
    id: str
    source: str  # the emitting service, e.g. "fiscalwatch/parse"
    type: str  # e.g. "fiscalwatch.disclosure.parsed"
    time: datetime = Field(default_factory=lambda: datetime.now(timezone.utc))
    subject: str | None = None  # the document's sha256
    datacontenttype: Literal["application/json"] = "application/json"
    schemaversion: str = SCHEMA_VERSION
    data: P
