"""Test helpers: a web server whose pages and failures the test controls, the events ingest
publishes as a subscriber hears them, and zip archives built in memory."""

from __future__ import annotations

import hashlib
import io
import json
import threading
import zipfile
from dataclasses import dataclass, field
from email.utils import formatdate
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import nats

from fiscalwatch.common.events import Subjects


@dataclass
class Resource:
    body: bytes
    content_type: str = "text/html; charset=utf-8"
    etag: str | None = None
    last_modified: str | None = None
    failures: int = 0  # answer 503 this many times before the body
    retry_after: str | None = None  # on those 503s
    headers: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Hit:
    path: str
    status: int
    headers: dict[str, str]


class Web:
    def __init__(self) -> None:
        self.resources: dict[str, Resource] = {}
        self.hits: list[Hit] = []
        self.lock = threading.Lock()
        self.server: ThreadingHTTPServer | None = None

    def put(self, path: str, body: bytes | str, content_type: str = "text/html; charset=utf-8", *,
            conditional: bool = True, **kwargs) -> Resource:
        data = body.encode("utf-8") if isinstance(body, str) else body
        resource = Resource(data, content_type, **kwargs)
        if conditional and resource.etag is None:
            resource.etag = '"' + hashlib.sha256(data).hexdigest()[:16] + '"'
        if conditional and resource.last_modified is None:
            resource.last_modified = formatdate(usegmt=True)
        with self.lock:
            self.resources[path] = resource
        return resource

    def url(self, path: str) -> str:
        assert self.server is not None
        return f"http://127.0.0.1:{self.server.server_address[1]}{path}"

    def statuses(self, path: str | None = None) -> list[int]:
        with self.lock:
            return [hit.status for hit in self.hits if path is None or hit.path == path]

    def forget(self) -> None:
        with self.lock:
            self.hits.clear()

    def start(self) -> None:
        web = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args) -> None:  # quiet
                pass

            def answer(self, status: int, body: bytes = b"", headers: dict[str, str] | None = None) -> None:
                with web.lock:
                    web.hits.append(Hit(self.path, status, dict(self.headers.items())))
                self.send_response(status)
                for name, value in (headers or {}).items():
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                if body:
                    self.wfile.write(body)

            def do_GET(self) -> None:  # noqa: N802
                with web.lock:
                    resource = web.resources.get(self.path)
                    failing = resource is not None and resource.failures > 0
                    if failing:
                        resource.failures -= 1
                if resource is None:
                    return self.answer(404, b"not here", {"Content-Type": "text/plain"})
                if failing:
                    return self.answer(503, b"busy", {"Retry-After": resource.retry_after} if resource.retry_after else {})
                validators = {k: v for k, v in (("ETag", resource.etag), ("Last-Modified", resource.last_modified)) if v}
                if resource.etag and self.headers.get("If-None-Match") == resource.etag:
                    return self.answer(304, b"", validators)
                if (not resource.etag and resource.last_modified
                        and self.headers.get("If-Modified-Since") == resource.last_modified):
                    return self.answer(304, b"", validators)
                self.answer(200, resource.body, {"Content-Type": resource.content_type, **validators, **resource.headers})

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def stop(self) -> None:
        if self.server is not None:
            self.server.shutdown()
            self.server.server_close()


class Events:
    """What ingest publishes, as a subscriber on core NATS hears it."""

    def __init__(self) -> None:
        self.found: list[dict] = []
        self.letters: list[dict] = []
        self.connection: nats.NATS | None = None

    @classmethod
    async def listen(cls, url: str) -> "Events":
        events = cls()
        events.connection = await nats.connect(url)

        async def keep(msg) -> None:
            (events.found if msg.subject == Subjects.DISCOVERED else events.letters).append(json.loads(msg.data))

        await events.connection.subscribe(Subjects.DISCOVERED, cb=keep)
        await events.connection.subscribe(f"{Subjects.DLQ}.>", cb=keep)
        await events.connection.flush()
        return events

    async def settle(self) -> None:
        assert self.connection is not None
        await self.connection.flush()
        import asyncio

        await asyncio.sleep(0.2)

    def names(self) -> list[str]:
        return [event["data"]["name"] for event in self.found]

    async def close(self) -> None:
        if self.connection is not None:
            await self.connection.drain()


def zip_of(members: dict[str, bytes], compression: int = zipfile.ZIP_DEFLATED) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def zip_bomb(megabytes: int = 200, name: str = "zeros.txt") -> bytes:
    """One member of `megabytes` MB of zeros, deflated to about 1/1000 of that: streamed, so the
    test never holds the inflated bytes."""
    buffer = io.BytesIO()
    chunk = bytes(1024 * 1024)
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        with archive.open(name, "w") as member:
            for _ in range(megabytes):
                member.write(chunk)
    return buffer.getvalue()


def sha(data: bytes | str) -> str:
    return hashlib.sha256(data.encode("utf-8") if isinstance(data, str) else data).hexdigest()
