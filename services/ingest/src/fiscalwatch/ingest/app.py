"""The ingest service: watches the inbox directory and announces each new document once.

Every `poll_seconds` it looks at the inbox. A file it has not seen, or whose content changed,
is put into the Object Store (`fiscalwatch-documents`, named by its SHA-256) and announced on
`fiscalwatch.disclosure.discovered` with `Nats-Msg-Id` derived from that hash. What was
announced is remembered in the key-value bucket `fiscalwatch-ingest`, so a restart (or a second
replica) announces nothing twice. After each pass it says so on `fiscalwatch.ingest.scanned`."""

from __future__ import annotations

import asyncio
import hashlib
import json
import time
from datetime import datetime, timezone

from nats.js.errors import KeyNotFoundError, ObjectNotFoundError

from fiscalwatch.common.broker import DOCUMENTS_BUCKET, INGEST_MEMORY_BUCKET, envelope, publish
from fiscalwatch.common.events import DeadLetter, DocumentDiscovered, IngestScanned, Subjects
from fiscalwatch.common.logs import get_logger
from fiscalwatch.common.runtime import Service, publishes
from fiscalwatch.common.settings import Settings
from fiscalwatch.ingest.inbox import InboxFile, content_key, list_files, media_type, path_key, unchanged

log = get_logger(__name__)
SETTLE_SECONDS = 1.0  # a file modified more recently may still be being written: next pass


def create(settings: Settings | None = None) -> Service:
    service = Service.create("ingest", settings)
    root = service.settings.inbox
    source = f"inbox:{root}"

    async def remembered(kv, key: str) -> dict | None:
        try:
            entry = await kv.get(key)
        except KeyNotFoundError:
            return None
        return json.loads(entry.value) if entry and entry.value else None

    async def announce(file: InboxFile, data: bytes, sha: str) -> None:
        documents = await service.broker.object_storage(DOCUMENTS_BUCKET)
        try:
            await documents.get_info(sha)
        except ObjectNotFoundError:
            await documents.put(sha, data)
        found = DocumentDiscovered(
            sha256=sha, object_store=DOCUMENTS_BUCKET, object_name=sha, name=file.relative, size=len(data),
            media_type=media_type(file.relative), source=f"{source}/{file.relative}",
            discovered_at=datetime.now(timezone.utc),
        )
        await publish(service.broker, Subjects.DISCOVERED, envelope(
            found, source="ingest", type_=Subjects.DISCOVERED, id_parts=(sha,), subject=sha))
        service.metrics.documents_announced.labels("inbox").inc()
        log.info("document announced", file=file.relative, sha256=sha, size=len(data))

    async def scan_once() -> IngestScanned:
        kv = await service.broker.key_value(INGEST_MEMORY_BUCKET)
        files = await asyncio.to_thread(list_files, root)
        announced: list[str] = []
        failed = 0
        now = time.time_ns()
        for file in files:
            if now - file.mtime_ns < SETTLE_SECONDS * 1e9:
                continue
            key = path_key(file.relative)
            memory = await remembered(kv, key)
            if unchanged(file, memory):
                continue
            state = {"path": file.relative, "size": file.size, "mtime_ns": file.mtime_ns}
            if file.size > service.settings.max_document_bytes:
                failed += 1
                await service.consumers.dead_letter(
                    f"{source}/{file.relative}", json.dumps(state).encode(), None, None,
                    f"{file.relative}: {file.size:,} bytes, over the {service.settings.max_document_bytes:,}-byte limit",
                    "DocumentTooLarge")
                await kv.put(key, json.dumps({**state, "sha256": None}).encode())
                continue
            try:
                data = await asyncio.to_thread(file.path.read_bytes)
            except OSError as exc:
                log.warning("cannot read file, will try again", file=file.relative, error=str(exc))
                continue
            sha = hashlib.sha256(data).hexdigest()
            if (memory or {}).get("sha256") != sha and await remembered(kv, content_key(sha)) is None:
                await announce(file, data, sha)
                announced.append(sha)
                await kv.put(content_key(sha), json.dumps({"first_path": file.relative}).encode())
            await kv.put(key, json.dumps({**state, "sha256": sha}).encode())
        scanned = IngestScanned(source=source, seen=len(files), announced=announced, failed=failed,
                                scanned_at=datetime.now(timezone.utc))
        await service.broker.publish(scanned.model_dump_json().encode(), Subjects.SCANNED)
        return scanned

    async def watch() -> None:
        while True:
            try:
                await scan_once()
            except Exception:  # noqa: BLE001 - a failed pass is logged and tried again next time
                log.exception("inbox pass failed", inbox=str(root))
            await asyncio.sleep(service.settings.poll_seconds)

    publishes(service, Subjects.DISCOVERED, DocumentDiscovered,
              "A new document, or a new version of one, is in the Object Store (named by its SHA-256).")
    publishes(service, Subjects.SCANNED, IngestScanned, "Ingest finished a pass over a source (core NATS, not stored).")
    publishes(service, Subjects.dead_letter("ingest"), DeadLetter, "A file ingest could not take, with the reason.")
    service.background.append(watch)
    service.scan_once = scan_once  # type: ignore[attr-defined]  # tests drive passes directly
    return service
