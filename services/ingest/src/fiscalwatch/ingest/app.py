"""The ingest service: watches where disclosures are published and announces each new document once.

Its sources (`FISCALWATCH_SOURCES`, a YAML file; see `sources.py` and the service's README) are
directories, listing pages on the web (polled with conditional requests, politely), and pushes
(`POST /api/v1/documents`, and core NATS request-reply on `fiscalwatch.ingest.push`). Without a
sources file it watches the inbox directory `FISCALWATCH_INBOX`, as it always did.

A document it has not seen is put into the Object Store (`fiscalwatch-documents`, named by its
SHA-256) and announced on `fiscalwatch.disclosure.discovered` with `Nats-Msg-Id` derived from
that hash. When the document at an address (a path, a URL) changes, the new bytes are announced
as the next version of the same publication (`publication`, `version`). A `.zip` is unpacked and
each member announced as its own document (`archive.zip!member.pdf`); an archive breaking the
limits (a zip bomb, a path leaving the archive) is dead-lettered on `fiscalwatch.dlq.ingest`
and nothing of it is announced. What was announced, and the validators of every URL, are
remembered in the key-value bucket `fiscalwatch-ingest`, so a restart (or a second replica)
announces nothing twice and an unchanged page costs a 304. After each pass over a source it
says so on `fiscalwatch.ingest.scanned`."""

from __future__ import annotations

import asyncio
import base64
import binascii
import hashlib
import hmac
import json
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime, timezone

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from faststream.nats import NatsMessage
from nats.js.errors import KeyNotFoundError, ObjectNotFoundError
from pydantic import BaseModel, ConfigDict, ValidationError, model_validator

from fiscalwatch.common.broker import DOCUMENTS_BUCKET, INGEST_MEMORY_BUCKET, envelope, publish
from fiscalwatch.common.events import DeadLetter, DocumentDiscovered, IngestScanned, Subjects
from fiscalwatch.common.logs import get_logger
from fiscalwatch.common.runtime import Service, publishes
from fiscalwatch.common.settings import Settings
from fiscalwatch.ingest.archive import SEPARATOR, ArchiveLimits, ArchiveRejected, is_archive, unpack
from fiscalwatch.ingest.http import Fetched, FetchError, Fetcher, TooLarge
from fiscalwatch.ingest.inbox import content_key, list_files, media_type, path_key, unchanged
from fiscalwatch.ingest.listing import (
    conditional_headers, disposition_filename, extract_links, name_from, next_page, parse_html, url_key, validators,
)
from fiscalwatch.ingest.sources import (
    PUSH_SUBJECT, DirectorySource, HttpListingSource, PushSource, Source, default_sources, load_sources,
)

log = get_logger(__name__)
SETTLE_SECONDS = 1.0  # a file modified more recently may still be being written: next pass


@dataclass(frozen=True)
class Taken:
    """One document handled: announced (`new`), or already known."""

    name: str
    sha256: str
    new: bool
    version: int | None


@dataclass
class Outcome:
    sha256: str  # of the bytes received (the archive's, for an archive)
    documents: list[Taken] = field(default_factory=list)
    rejected: str | None = None  # why it was refused (dead-lettered): an archive breaking the limits, too large
    again: bool = False  # the same bytes as last time: nothing was done (a refusal was not repeated)

    @property
    def announced(self) -> list[str]:
        return [d.sha256 for d in self.documents if d.new]


class PushRequest(BaseModel):
    """The body of a request on `fiscalwatch.ingest.push`: the document's name and its bytes
    (base64), or where to fetch it; with both, `url` is the publication's address."""

    model_config = ConfigDict(extra="forbid")

    name: str | None = None
    url: str | None = None
    data: str | None = None  # base64

    @model_validator(mode="after")
    def _something(self) -> "PushRequest":
        if not self.data and not self.url:
            raise ValueError("give `data` (base64) or `url`")
        if self.data and not self.name:
            raise ValueError("`data` needs a `name`")
        return self


class Ingest:
    """What every source shares: the memory, the Object Store, announcing, archives, dead letters."""

    def __init__(self, service: Service, sources: list[Source]) -> None:
        self.service, self.settings, self.sources = service, service.settings, sources
        s = self.settings
        self.limits = ArchiveLimits(max_members=s.archive_max_members, max_total_bytes=s.archive_max_total_bytes,
                                    max_member_bytes=s.max_document_bytes, max_ratio=s.archive_max_ratio,
                                    max_depth=s.archive_max_depth)
        self.fetcher = Fetcher(user_agent=s.user_agent, timeout=s.http_timeout_seconds, retries=s.http_retries,
                               backoff_seconds=s.http_backoff_seconds, min_interval=s.http_min_interval_seconds,
                               max_bytes=s.max_document_bytes,
                               observe=lambda host, outcome: service.metrics.http_requests.labels(host, outcome).inc())
        self.push = next((source for source in sources if isinstance(source, PushSource)), None)

    # -- memory -------------------------------------------------------------------------------

    async def kv(self):
        return await self.service.broker.key_value(INGEST_MEMORY_BUCKET)

    @staticmethod
    async def remembered(kv, key: str) -> dict | None:
        try:
            entry = await kv.get(key)
        except KeyNotFoundError:
            return None
        return json.loads(entry.value) if entry and entry.value else None

    @staticmethod
    async def remember(kv, key: str, value: dict) -> None:
        await kv.put(key, json.dumps(value, ensure_ascii=False).encode())

    # -- taking documents ---------------------------------------------------------------------

    async def take(self, key: str, address: str, name: str, data: bytes, *, found_at: str, kind: str,
                   state: dict | None = None, media: str | None = None) -> Outcome:
        """The bytes found at `address` (remembered under `key`, with `state`): announced if new,
        as the next version if the address held other bytes before; an archive is unpacked."""
        kv = await self.kv()
        sha = hashlib.sha256(data).hexdigest()
        state = state or {}
        if not is_archive(name, data):
            return Outcome(sha, [await self.offer(kv, key, address, name, data, sha, found_at=found_at, kind=kind,
                                                  state=state, media=media)])
        memory = await self.remembered(kv, key) or {}
        if memory.get("sha256") == sha:  # the same archive as last time: its members are known
            await self.remember(kv, key, {**memory, **state})
            return Outcome(sha, rejected=memory.get("rejected"), again=True)
        try:
            members = await asyncio.to_thread(unpack, data, self.limits)
        except ArchiveRejected as exc:
            reason = f"{name}: archive refused, nothing of it announced: {exc}"
            log.warning("archive refused", name=name, address=address, reason=str(exc))
            await self.service.consumers.dead_letter(
                address, json.dumps({"subject": sha, "name": name, "address": address, "size": len(data)},
                                    ensure_ascii=False).encode(),
                None, None, reason, "ArchiveRejected")
            await self.remember(kv, key, {**state, "sha256": sha, "rejected": reason})
            return Outcome(sha, rejected=reason)
        outcome = Outcome(sha)
        for member in members:
            member_address = f"{address}{SEPARATOR}{member.name}"
            outcome.documents.append(await self.offer(
                kv, url_key(member_address, "member"), member_address, f"{name}{SEPARATOR}{member.name}", member.data,
                hashlib.sha256(member.data).hexdigest(), found_at=found_at, kind=kind, state={}, media=None))
        await self.remember(kv, key, {**state, "sha256": sha, "members": len(members)})
        return outcome

    async def offer(self, kv, key: str, address: str, name: str, data: bytes, sha: str, *, found_at: str, kind: str,
                    state: dict, media: str | None) -> Taken:
        memory = await self.remembered(kv, key) or {}
        version = memory.get("version") or (1 if memory.get("sha256") else 0)
        if memory.get("sha256") == sha:
            await self.remember(kv, key, {**memory, **state})
            return Taken(name, sha, False, version or None)
        # Bytes announced before (from another address, or this one earlier) are not announced
        # again: the pipeline has them. The address now holds them all the same.
        new = await self.remembered(kv, content_key(sha)) is None
        if new:
            version += 1
            await self.announce(name, data, sha, found_at=found_at, publication=address, version=version,
                                kind=kind, media=media)
            await self.remember(kv, content_key(sha), {"first_path": name, "publication": address})
        await self.remember(kv, key, {**memory, **state, "sha256": sha, "version": version})
        return Taken(name, sha, new, version or None)

    async def announce(self, name: str, data: bytes, sha: str, *, found_at: str, publication: str, version: int,
                       kind: str, media: str | None) -> None:
        documents = await self.service.broker.object_storage(DOCUMENTS_BUCKET)
        try:
            await documents.get_info(sha)
        except ObjectNotFoundError:
            await documents.put(sha, data)
        by_name = media_type(name)
        found = DocumentDiscovered(
            sha256=sha, object_store=DOCUMENTS_BUCKET, object_name=sha, name=name, size=len(data),
            media_type=by_name if by_name != "application/octet-stream" or not media else media,
            source=found_at, discovered_at=datetime.now(timezone.utc), publication=publication, version=version,
        )
        await publish(self.service.broker, Subjects.DISCOVERED, envelope(
            found, source="ingest", type_=Subjects.DISCOVERED, id_parts=(sha,), subject=sha))
        self.service.metrics.documents_announced.labels(kind).inc()
        log.info("document announced", name=name, sha256=sha, size=len(data), publication=publication, version=version)

    async def too_large(self, address: str, state: dict, reason: str) -> None:
        await self.service.consumers.dead_letter(address, json.dumps(state, ensure_ascii=False).encode(), None, None,
                                                 reason, "DocumentTooLarge")

    async def scanned(self, source: str, seen: int, announced: list[str], failed: int) -> IngestScanned:
        scanned = IngestScanned(source=source, seen=seen, announced=announced, failed=failed,
                                scanned_at=datetime.now(timezone.utc))
        await self.service.broker.publish(scanned.model_dump_json().encode(), Subjects.SCANNED)
        return scanned

    # -- directories --------------------------------------------------------------------------

    async def scan_directory(self, source: DirectorySource) -> IngestScanned:
        kv = await self.kv()
        root, label = source.path, source.label
        files = await asyncio.to_thread(list_files, root, source.include, source.exclude, source.recursive)
        announced: list[str] = []
        failed = 0
        now = time.time_ns()
        for file in files:
            if now - file.mtime_ns < SETTLE_SECONDS * 1e9:
                continue
            # The inbox of old keeps its keys; other directories' keys carry the source's name.
            key = path_key(file.relative if source._inbox else f"{label}\x1f{file.relative}")
            memory = await self.remembered(kv, key)
            if unchanged(file, memory):
                continue
            state = {"path": file.relative, "size": file.size, "mtime_ns": file.mtime_ns}
            if file.size > self.settings.max_document_bytes:
                failed += 1
                await self.too_large(f"{label}/{file.relative}", state,
                                     f"{file.relative}: {file.size:,} bytes, over the "
                                     f"{self.settings.max_document_bytes:,}-byte limit")
                await self.remember(kv, key, {**(memory or {}), **state, "sha256": None})
                continue
            try:
                data = await asyncio.to_thread(file.path.read_bytes)
            except OSError as exc:
                log.warning("cannot read file, will try again", file=file.relative, error=str(exc))
                continue
            address = f"{label}/{file.relative}"
            outcome = await self.take(key, address, file.relative, data, found_at=address, kind="inbox", state=state)
            announced += outcome.announced
            failed += bool(outcome.rejected and not outcome.again)
        return await self.scanned(label, len(files), announced, failed)

    # -- web listings -------------------------------------------------------------------------

    def _request_options(self, source: HttpListingSource | None) -> dict:
        if source is None:
            return {}
        return {"timeout": source.timeout_seconds, "retries": source.retries,
                "backoff_seconds": source.backoff_seconds, "min_interval": source.min_interval_seconds}

    async def scan_listing(self, source: HttpListingSource) -> IngestScanned:
        kv = await self.kv()
        options = self._request_options(source)
        rule = source.next_page
        links: list[str] = []
        visited: set[str] = set()
        failed = 0
        url: str | None = source.url
        while url and url not in visited and len(visited) < (rule.max_pages if rule else 1):
            visited.add(url)
            key = url_key(url, "page")
            memory = await self.remembered(kv, key) or {}
            try:
                page = await self.fetcher.get(url, conditional_headers(memory), **options)
            except (FetchError, TooLarge) as exc:
                log.warning("listing page not fetched, next pass", url=url, error=str(exc))
                failed += 1
                break
            if page.not_modified:
                found, url = memory.get("links", []), memory.get("next")
            elif page.status == 200:
                soup = parse_html(page.content, _charset(page))
                found = [link.url for link in extract_links(soup, page.url, source.link_selector, source.link_pattern)]
                url = next_page(soup, page.url, rule.selector, rule.pattern) if rule else None
                await self.remember(kv, key, {"url": page.url, **validators(page.headers), "links": found, "next": url})
            else:
                log.warning("listing page answered with an error, next pass", url=url, status=page.status)
                failed += 1
                break
            links += [link for link in found if link not in links]
        announced: list[str] = []
        for link in links:
            try:
                outcome = await self.fetch_document(link, found_at=link, source=source, kv=kv)
            except FetchError as exc:
                log.warning("document not fetched, next pass", url=link, error=str(exc))
                failed += 1
                continue
            if outcome is not None:
                announced += outcome.announced
                failed += bool(outcome.rejected and not outcome.again)
        return await self.scanned(source.label, len(links), announced, failed)

    async def fetch_document(self, url: str, *, found_at: str, source: HttpListingSource | None, kv,
                             kind: str = "http") -> Outcome | None:
        """Fetch (conditionally) the document at `url` and take it; None when nothing new was
        asked for (checked recently) or answered (304). `FetchError` when the server failed."""
        key = url_key(url, "url")
        memory = await self.remembered(kv, key) or {}
        now = time.time()
        if source is not None and now - memory.get("checked_at", 0) < source.recheck_seconds:
            return None
        try:
            fetched = await self.fetcher.get(url, conditional_headers(memory), **self._request_options(source))
        except TooLarge as exc:
            again = memory.get("too_large") == str(exc)
            if not again:
                await self.too_large(url, {"url": url}, str(exc))
            await self.remember(kv, key, {**memory, "checked_at": now, "too_large": str(exc)})
            return Outcome("", rejected=str(exc), again=again)
        if fetched.not_modified:
            await self.remember(kv, key, {**memory, "checked_at": now})
            return None
        if fetched.status != 200:
            raise FetchError(f"{url}: HTTP {fetched.status}")
        name = name_from(fetched.url, fetched.headers.get("content-disposition"), fetched.headers.get("content-type"))
        state = {"url": url, "checked_at": now, "etag": None, "last_modified": None, "too_large": None,
                 **validators(fetched.headers)}
        media = (fetched.headers.get("content-type") or "").split(";")[0].strip() or None
        return await self.take(key, url, name, fetched.content, found_at=found_at, kind=kind, state=state, media=media)

    # -- pushes ---------------------------------------------------------------------------------

    async def pushed(self, name: str | None, data: bytes | None, url: str | None, found_at: str) -> Outcome:
        """A document someone handed over (its bytes), or told of (its URL)."""
        if data is None:
            assert url is not None
            outcome = await self.fetch_document(url, found_at=found_at, source=None, kv=await self.kv(), kind="push")
            if outcome is None:  # 304: the document we hold is current
                memory = await self.remembered(await self.kv(), url_key(url, "url")) or {}
                return Outcome(memory.get("sha256") or "", [Taken(name or name_from(url), memory.get("sha256") or "",
                                                                   False, memory.get("version"))])
            return outcome
        assert name is not None
        address = url or f"push:{name}"
        key = url_key(address, "url" if url else "push")
        return await self.take(key, address, name, data, found_at=found_at, kind="push")

    # -- passes ---------------------------------------------------------------------------------

    def pollable(self) -> list[tuple[Source, Callable[[], Awaitable[IngestScanned]]]]:
        scans = []
        for source in self.sources:
            if isinstance(source, DirectorySource):
                scans.append((source, lambda s=source: self.scan_directory(s)))
            elif isinstance(source, HttpListingSource):
                scans.append((source, lambda s=source: self.scan_listing(s)))
        return scans

    async def scan_once(self) -> IngestScanned:
        """One pass over every polled source (tests drive passes this way); the sum of them."""
        results = [await scan() for _, scan in self.pollable()]
        if len(results) == 1:
            return results[0]
        return IngestScanned(source=", ".join(r.source for r in results), seen=sum(r.seen for r in results),
                             announced=[sha for r in results for sha in r.announced],
                             failed=sum(r.failed for r in results), scanned_at=datetime.now(timezone.utc))

    def watchers(self) -> list[Callable[[], Awaitable[None]]]:
        jobs = []
        for index, (source, scan) in enumerate(self.pollable()):
            async def watch(source=source, scan=scan) -> None:
                while True:
                    try:
                        await scan()
                    except Exception:  # noqa: BLE001 - a failed pass is logged and tried again next time
                        log.exception("pass over a source failed", source=source.label)
                    await asyncio.sleep(source.poll_seconds or self.settings.poll_seconds)
            watch.__name__ = f"watch_{source.kind}_{index}"
            jobs.append(watch)
        return jobs


def _charset(page: Fetched) -> str | None:
    content_type = page.headers.get("content-type") or ""
    for part in content_type.split(";")[1:]:
        key, _, value = part.strip().partition("=")
        if key.lower() == "charset" and value:
            return value.strip('"')
    return None


def push_router(ingest: Ingest, token: str) -> APIRouter:
    router = APIRouter(prefix="/api/v1", tags=["push"])
    limit = ingest.settings.max_document_bytes

    def problem(status: int, detail: str, **headers: str) -> JSONResponse:
        return JSONResponse({"detail": detail}, status_code=status, headers=headers or None)

    @router.post("/documents", status_code=202, summary="Hand ingest a document",
                 responses={202: {"description": "taken: its SHA-256 and whether it was new"},
                            401: {"description": "no or wrong bearer token"},
                            413: {"description": "over the document size limit"},
                            422: {"description": "no file, or an archive refused (dead-lettered)"}})
    async def push_document(request: Request) -> JSONResponse:
        """The file as multipart (`file`, optional `url`), or as the raw body with its name in
        `?name=` (or Content-Disposition); `?url=` says where it is published."""
        scheme, _, given = (request.headers.get("authorization") or "").partition(" ")
        if scheme.lower() != "bearer" or not hmac.compare_digest(given.strip().encode(), token.encode()):
            return problem(401, "a valid bearer token is needed", **{"WWW-Authenticate": "Bearer"})
        declared = request.headers.get("content-length")
        if declared and declared.isdigit() and int(declared) > limit + 64 * 1024:
            return problem(413, f"over the {limit:,}-byte document limit")
        url = request.query_params.get("url")
        if (request.headers.get("content-type") or "").startswith("multipart/form-data"):
            if not declared:  # the form is spooled before it can be looked at: its size must be known
                return problem(411, "a multipart upload needs a Content-Length")
            form = await request.form(max_files=1)
            upload = form.get("file")
            if upload is None or isinstance(upload, str):
                return problem(422, "the multipart form needs a `file` part")
            name, data = upload.filename, await upload.read()
            url = url or (form.get("url") if isinstance(form.get("url"), str) else None)
        else:
            name = request.query_params.get("name") or disposition_filename(request.headers.get("content-disposition"))
            body = bytearray()
            async for chunk in request.stream():
                body += chunk
                if len(body) > limit:
                    return problem(413, f"over the {limit:,}-byte document limit")
            data = bytes(body)
        if not name:
            return problem(422, "the document needs a name (`?name=`, or the file name of the upload)")
        if len(data) > limit:
            return problem(413, f"over the {limit:,}-byte document limit")
        if not data:
            return problem(422, "the document is empty")
        outcome = await ingest.pushed(name, data, url, found_at="push:http")
        if outcome.rejected:
            return problem(422, outcome.rejected)
        return JSONResponse(_reply(name, outcome), status_code=202)

    return router


def _reply(name: str | None, outcome: Outcome) -> dict:
    documents = [{"name": d.name, "sha256": d.sha256, "new": d.new, "version": d.version} for d in outcome.documents]
    return {"name": name, "sha256": outcome.sha256, "new": any(d.new for d in outcome.documents),
            "documents": documents}


async def _raw(message: NatsMessage) -> bytes:
    return message.body


def create(settings: Settings | None = None) -> Service:
    service = Service.create("ingest", settings)
    settings = service.settings
    token = settings.push_token.get_secret_value() if settings.push_token else ""
    sources = load_sources(settings.sources) if settings.sources else default_sources(settings.inbox, push=bool(token))
    ingest = Ingest(service, sources)
    service.on_stop.append(ingest.fetcher.close)

    push = ingest.push
    if push is not None and push.http:
        if token:
            service.routers.append(push_router(ingest, token))
        else:
            log.warning("push over HTTP is off: FISCALWATCH_PUSH_TOKEN is not set")
    nats_push = push is not None and push.nats
    subject = push.subject if push is not None else PUSH_SUBJECT

    @service.broker.subscriber(subject, queue="ingest", decoder=_raw, title=f"ingest:{subject}",
                               description="Push: a system that knows of a new document hands it over (core NATS "
                                           "request-reply). Request: JSON {name, url?, data? (base64)}; reply: JSON "
                                           "{name, sha256, new, documents: [{name, sha256, new, version}]} or {error}. "
                                           "Answered only when the sources file has a `push` source.")
    async def on_push(body: bytes) -> str:
        if not nats_push:
            return json.dumps({"error": "push over NATS is not enabled (no `push` source in FISCALWATCH_SOURCES)"})
        try:
            request = PushRequest.model_validate_json(body)
            data = base64.b64decode(request.data, validate=True) if request.data else None
        except (ValidationError, ValueError, binascii.Error) as exc:
            return json.dumps({"error": f"not a push request: {exc}"})
        if data is not None and len(data) > settings.max_document_bytes:
            return json.dumps({"error": f"over the {settings.max_document_bytes:,}-byte document limit"})
        try:
            outcome = await ingest.pushed(request.name, data, request.url, found_at=f"push:nats:{subject}")
        except FetchError as exc:
            return json.dumps({"error": f"cannot fetch the document: {exc}"})
        except Exception as exc:  # noqa: BLE001 - the requester gets an answer, not a timeout
            log.exception("push failed", name=request.name, url=request.url)
            return json.dumps({"error": f"push failed: {exc!r}"})
        if outcome.rejected:
            return json.dumps({"error": outcome.rejected, **_reply(request.name, outcome)})
        return json.dumps(_reply(request.name, outcome), ensure_ascii=False)

    publishes(service, Subjects.DISCOVERED, DocumentDiscovered,
              "A new document, or a new version of one, is in the Object Store (named by its SHA-256).")
    publishes(service, Subjects.SCANNED, IngestScanned, "Ingest finished a pass over a source (core NATS, not stored).")
    publishes(service, Subjects.dead_letter("ingest"), DeadLetter,
              "A file ingest could not take (too large, an archive refused), with the reason.")
    service.background.extend(ingest.watchers())
    service.scan_once = ingest.scan_once  # type: ignore[attr-defined]  # tests drive passes directly
    service.ingest = ingest  # type: ignore[attr-defined]
    return service
