"""The parse service: a discovered document in, a parsed disclosure out.

Subscribes to `fiscalwatch.disclosure.discovered` (durable consumer `parse`), reads the bytes
from the Object Store, calls the pure core, publishes `fiscalwatch.disclosure.parsed`. A file
that is not a disclosure or cannot be read goes to `fiscalwatch.dlq.parse` with the reason."""

from __future__ import annotations

import asyncio

from faststream.nats import NatsMessage

from fiscalwatch.common.broker import envelope, fetch_document, publish, store_lines
from fiscalwatch.common.document import SourceDocument
from fiscalwatch.common.events import (
    DeadLetter, DisclosureIdentity, DisclosureParsed, DocumentDiscovered, Envelope, Subjects,
)
from fiscalwatch.common.model import Disclosure
from fiscalwatch.common.runtime import Service, publishes
from fiscalwatch.common.settings import Settings
from fiscalwatch.parse.core import parse_document
from fiscalwatch.parse.formats import read_document


def read_and_parse(name: str, data: bytes, media_type: str | None = None) -> tuple[SourceDocument, Disclosure]:
    """The disclosure in a published file of any format read (PDF, DOCX, XLSX, HTML, text):
    the content decides the reader; `media_type`, when declared, is only a hint."""
    document = read_document(name, data, media_type)
    return document, parse_document(document)


def parse_bytes(name: str, data: bytes, media_type: str | None = None) -> Disclosure:
    return read_and_parse(name, data, media_type)[1]


def create(settings: Settings | None = None) -> Service:
    service = Service.create("parse", settings)

    @service.consumers.consume(Subjects.DISCOVERED, "parse", DocumentDiscovered,
                               "Parse each discovered document into tables, metadata and narrative facts.",
                               # CPU-bound: threads would only take turns on the GIL. Scale with replicas.
                               max_workers=1)
    async def on_discovered(event: Envelope[DocumentDiscovered], _message: NatsMessage) -> None:
        found = event.data
        data = await fetch_document(service.broker, found.object_name, found.sha256)
        # CPU-bound: off the event loop, so health checks and heartbeats keep answering.
        document, disclosure = await asyncio.to_thread(read_and_parse, found.name, data, found.media_type)
        if document.media_type != "text/plain":
            # Validation reads the text too (placeholders, names): it gets the lines as read here.
            await store_lines(service.broker, found.sha256, list(document.texts))
        parsed = DisclosureParsed(identity=DisclosureIdentity.of(disclosure), disclosure=disclosure)
        await publish(service.broker, Subjects.PARSED, envelope(
            parsed, source="parse", type_=Subjects.PARSED, id_parts=(found.sha256,), subject=found.sha256))

    publishes(service, Subjects.PARSED, DisclosureParsed,
              "A document parsed into metadata, standard tables (cells with unit and place) and narrative facts.")
    publishes(service, Subjects.dead_letter("parse"), DeadLetter,
              "A document that is not a disclosure or cannot be read, or a message that failed too often.")
    return service
