"""Ingest's HTTP client (httpx): polite GETs of listing pages and documents.

Every request names the project (User-Agent), waits its turn for the host (at least
`min_interval` seconds between two requests to one host, over all sources), is conditional
when the caller passes the validators it remembers, and is retried with exponential backoff
after a connect error, a timeout, a 5xx or a 429 (a Retry-After header is honoured, up to
`max_wait` seconds; a server asking for longer is left alone until the next pass). Bodies
larger than `max_bytes` are not read to the end."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

import httpx

from fiscalwatch.common.logs import get_logger
from fiscalwatch.ingest.listing import HostPacer, backoff, host_of, retry_after, retryable

log = get_logger(__name__)


@dataclass(frozen=True)
class Fetched:
    url: str  # where the answer came from (after redirects)
    status: int
    content: bytes  # empty for a 304
    headers: httpx.Headers

    @property
    def not_modified(self) -> bool:
        return self.status == 304


class FetchError(Exception):
    """No usable answer, even after retrying: try again on the next pass."""


class TooLarge(Exception):
    """The body is over the document size limit: no retry will change that."""


class Fetcher:
    def __init__(self, *, user_agent: str, timeout: float = 30.0, retries: int = 3, backoff_seconds: float = 1.0,
                 min_interval: float = 1.0, max_bytes: int = 50 * 1024 * 1024, max_wait: float = 120.0,
                 sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
                 clock: Callable[[], float] = time.monotonic, transport: httpx.AsyncBaseTransport | None = None,
                 observe: Callable[[str, str], None] | None = None) -> None:
        self.user_agent, self.timeout, self.retries, self.backoff_seconds = user_agent, timeout, retries, backoff_seconds
        self.max_bytes, self.max_wait, self.sleep, self.clock = max_bytes, max_wait, sleep, clock
        self.pacer = HostPacer(min_interval)
        self._transport = transport
        self._client: httpx.AsyncClient | None = None
        self.observe = observe or (lambda host, outcome: None)  # (host, "200" / "304" / "ConnectError" …)

    @property
    def client(self) -> httpx.AsyncClient:
        if self._client is None:
            self._client = httpx.AsyncClient(headers={"User-Agent": self.user_agent}, follow_redirects=True,
                                             timeout=self.timeout, transport=self._transport)
        return self._client

    async def close(self) -> None:
        if self._client is not None:
            await self._client.aclose()
            self._client = None

    async def get(self, url: str, headers: dict[str, str] | None = None, *, timeout: float | None = None,
                  retries: int | None = None, backoff_seconds: float | None = None,
                  min_interval: float | None = None) -> Fetched:
        """One GET, retried as above. Any final status but 5xx/429 is returned (200, 304, 404…)."""
        retries = self.retries if retries is None else retries
        base = self.backoff_seconds if backoff_seconds is None else backoff_seconds
        host = host_of(url)
        for attempt in range(1, retries + 2):
            wait = self.pacer.reserve(host, self.clock(), min_interval)
            if wait > 0:
                await self.sleep(wait)
            try:
                async with self.client.stream("GET", url, headers=headers or {},
                                              timeout=timeout or self.timeout) as response:
                    self.observe(host, str(response.status_code))
                    if retryable(response.status_code):
                        asked = retry_after(response.headers.get("retry-after"))
                        problem = f"HTTP {response.status_code}"
                        if attempt > retries:
                            raise FetchError(f"{url}: {problem} after {attempt} attempts")
                        if asked is not None and asked > self.max_wait:
                            raise FetchError(f"{url}: {problem}, asked to come back in {asked:.0f} s")
                        delay = backoff(attempt, base, asked=asked)
                    else:
                        content = b"" if response.status_code == 304 else await self._read(response, url)
                        return Fetched(str(response.url), response.status_code, content, response.headers)
            except httpx.TransportError as exc:  # connect errors, timeouts, broken connections
                self.observe(host, type(exc).__name__)
                problem = f"{type(exc).__name__}: {exc}"
                if attempt > retries:
                    raise FetchError(f"{url}: {problem} after {attempt} attempts") from exc
                delay = backoff(attempt, base)
            log.info("request failed, will retry", url=url, problem=problem, attempt=attempt, retry_in=delay)
            await self.sleep(delay)
        raise AssertionError("unreachable")

    async def _read(self, response: httpx.Response, url: str) -> bytes:
        declared = response.headers.get("content-length")
        if declared and declared.isdigit() and int(declared) > self.max_bytes:
            raise TooLarge(f"{url}: {int(declared):,} bytes, over the {self.max_bytes:,}-byte limit")
        body = bytearray()
        async for chunk in response.aiter_bytes():
            body += chunk
            if len(body) > self.max_bytes:
                raise TooLarge(f"{url}: over the {self.max_bytes:,}-byte limit")
        return bytes(body)
