"""Listing pages and HTTP politeness, pure: which links of a page are disclosures, which page
comes next, the headers of a conditional request, when a request may be retried and after how
long, and when the next request to a host may go. The requests themselves are in `http.py`."""

from __future__ import annotations

import email.utils
import hashlib
import re
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import PurePosixPath
from urllib.parse import unquote, urldefrag, urljoin, urlsplit

from bs4 import BeautifulSoup

from fiscalwatch.ingest.inbox import MEDIA_TYPES

RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})


@dataclass(frozen=True)
class Link:
    url: str  # absolute, without its fragment
    text: str


def parse_html(content: bytes | str, encoding: str | None = None) -> BeautifulSoup:
    """A page as served (bytes: the encoding comes from the header, else the page's <meta>)."""
    if isinstance(content, bytes):
        return BeautifulSoup(content, "html.parser", from_encoding=encoding)
    return BeautifulSoup(content, "html.parser")


def base_url(page: BeautifulSoup, url: str) -> str:
    base = page.find("base", href=True)
    return urljoin(url, base["href"]) if base else url


def extract_links(page: BeautifulSoup | bytes | str, url: str, selector: str | None = None,
                  pattern: str | None = None) -> list[Link]:
    """The links of a page that a rule picks, absolute, in page order, each once.

    `selector` is a CSS selector: the elements it picks that have an href (or the first <a href>
    inside them). `pattern` is a regular expression searched in each link's href (as written and
    resolved) and text. With both, a link must satisfy both; with neither, every link counts.
    Only http(s) links are kept (no mailto:, javascript:)."""
    soup = page if isinstance(page, BeautifulSoup) else parse_html(page)
    base = base_url(soup, url)
    if selector:
        anchors = []
        for element in soup.select(selector):
            anchor = element if element.has_attr("href") else element.find("a", href=True)
            if anchor is not None:
                anchors.append(anchor)
    else:
        anchors = soup.find_all("a", href=True)
    regex = re.compile(pattern) if pattern else None
    links: list[Link] = []
    seen: set[str] = set()
    for anchor in anchors:
        href = str(anchor["href"]).strip()
        text = " ".join(anchor.get_text(" ", strip=True).split())
        absolute = urldefrag(urljoin(base, href)).url
        if urlsplit(absolute).scheme not in ("http", "https"):
            continue
        if regex and not (regex.search(href) or regex.search(absolute) or regex.search(text)):
            continue
        if absolute not in seen:
            seen.add(absolute)
            links.append(Link(absolute, text))
    return links


def next_page(page: BeautifulSoup | bytes | str, url: str, selector: str | None = None,
              pattern: str | None = None) -> str | None:
    """The URL of the next listing page, by the same kind of rule as links; None at the last page
    (or when the rule points back at the page itself)."""
    links = extract_links(page, url, selector, pattern)
    here = urldefrag(url).url
    return next((link.url for link in links if link.url != here), None)


def conditional_headers(memory: dict | None) -> dict[str, str]:
    """If-None-Match / If-Modified-Since from what the last answer for this URL said."""
    headers: dict[str, str] = {}
    if memory and memory.get("etag"):
        headers["If-None-Match"] = memory["etag"]
    if memory and memory.get("last_modified"):
        headers["If-Modified-Since"] = memory["last_modified"]
    return headers


def validators(headers) -> dict[str, str]:
    """What to remember of a 200 answer for the next conditional request (ETag, Last-Modified)."""
    kept = {}
    if headers.get("etag"):
        kept["etag"] = headers["etag"]
    if headers.get("last-modified"):
        kept["last_modified"] = headers["last-modified"]
    return kept


def retryable(status: int) -> bool:
    return status in RETRY_STATUSES


def retry_after(value: str | None, now: datetime | None = None) -> float | None:
    """Seconds a Retry-After header asks for (delta-seconds or an HTTP date), None if absent or bad."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=timezone.utc)
    return max(0.0, (when - (now or datetime.now(timezone.utc))).total_seconds())


def backoff(attempt: int, base: float, cap: float = 60.0, asked: float | None = None) -> float:
    """Delay before retry number `attempt` (1-based): base·2^(attempt-1), capped; a server's
    Retry-After, when given, is honoured instead (when longer)."""
    delay = min(cap, base * 2 ** (attempt - 1))
    return max(delay, asked) if asked is not None else delay


@dataclass
class HostPacer:
    """Per-host rate limit bookkeeping: at least `interval` seconds between two requests to a host.

    `reserve` books the next free slot for a host and says how long to wait for it; booking is
    synchronous, so concurrent callers on one event loop queue up without a lock."""

    interval: float = 1.0
    next_slot: dict[str, float] = field(default_factory=dict)

    def reserve(self, host: str, now: float, interval: float | None = None) -> float:
        gap = self.interval if interval is None else interval
        slot = max(now, self.next_slot.get(host, now))
        self.next_slot[host] = slot + gap
        return slot - now


def host_of(url: str) -> str:
    return urlsplit(url).netloc.rsplit("@", 1)[-1].lower()


def disposition_filename(content_disposition: str | None) -> str | None:
    """The file name a Content-Disposition header gives (RFC 6266 `filename*` first), if any."""
    if not content_disposition:
        return None
    match = re.search(r"filename\*\s*=\s*([\w-]+)''([^;]+)", content_disposition, re.I)
    if match:
        try:
            return _plain(unquote(match.group(2).strip().strip('"'), encoding=match.group(1), errors="strict")) or None
        except (LookupError, UnicodeDecodeError):
            pass
    match = re.search(r'filename\s*=\s*"([^"]*)"|filename\s*=\s*([^;]+)', content_disposition, re.I)
    if match:
        return _plain((match.group(1) or match.group(2) or "").strip()) or None
    return None


def name_from(url: str, content_disposition: str | None = None, content_type: str | None = None) -> str:
    """A document's file name: Content-Disposition's filename, else the URL path's last segment;
    when that has no known extension, one from the Content-Type (parse goes by the extension)."""
    name = disposition_filename(content_disposition) or _plain(unquote(PurePosixPath(urlsplit(url).path).name))
    if not name:  # a site's or a folder's root: a page
        return (urlsplit(url).hostname or "index") + ".html"
    if PurePosixPath(name).suffix.lower() not in MEDIA_TYPES:
        kind = (content_type or "").split(";")[0].strip().lower()
        extension = next((ext for ext, media in MEDIA_TYPES.items() if media == kind), None)
        if extension:
            name += extension
    return name


def _plain(name: str) -> str:
    """Only the last path segment, without the archive separator (a name, not a path)."""
    return name.replace("\\", "/").rsplit("/", 1)[-1].replace("!", "_").strip()


def url_key(url: str, kind: str = "url") -> str:
    """Memory key of a URL (key-value keys allow few characters, so the URL is hashed)."""
    return f"{kind}." + hashlib.sha256(url.encode("utf-8")).hexdigest()
