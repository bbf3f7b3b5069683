"""Where ingest looks for documents: the sources file (`FISCALWATCH_SOURCES`, YAML), pure.

```yaml
sources:
  - kind: directory          # files under a directory
    path: /data/inbox        # relative paths are relative to this file
    include: ["*.pdf", "*.zip"]
  - kind: http_listing       # a page listing disclosures, polled
    url: https://www.example.gov.cn/zfxxgk/czyjs/
    link_selector: "ul.list a"
    next_page: {selector: "a.next", max_pages: 5}
  - kind: push               # POST /api/v1/documents and fiscalwatch.ingest.push
```

Without a sources file, ingest watches the inbox directory (`FISCALWATCH_INBOX`) alone, as it
always did, plus the push endpoint when `FISCALWATCH_PUSH_TOKEN` is set."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Annotated, Literal, Union

import soupsieve
import yaml
from pydantic import BaseModel, ConfigDict, Field, PrivateAttr, ValidationError, field_validator, model_validator

DEFAULT_EXCLUDE = (".*", "*~", "*.part", "*.tmp")
PUSH_SUBJECT = "fiscalwatch.ingest.push"


class SourcesError(ValueError):
    """The sources file cannot be read or says something impossible."""


class _Source(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str | None = None  # how logs and events call it (unique; a default is derived)
    poll_seconds: float | None = Field(None, gt=0)  # default: FISCALWATCH_POLL_SECONDS

    @property
    def label(self) -> str:
        raise NotImplementedError


class DirectorySource(_Source):
    kind: Literal["directory"]
    path: Path
    recursive: bool = True
    include: tuple[str, ...] = ("*",)
    exclude: tuple[str, ...] = DEFAULT_EXCLUDE
    _inbox: bool = PrivateAttr(False)  # the FISCALWATCH_INBOX default: memory keys as before sources existed

    @property
    def label(self) -> str:
        return self.name or f"inbox:{self.path}"


def _check_rule(selector: str | None, pattern: str | None, what: str) -> None:
    if selector:
        try:
            soupsieve.compile(selector)
        except Exception as exc:  # noqa: BLE001 - soupsieve raises its own SelectorSyntaxError
            raise ValueError(f"{what}: the CSS selector {selector!r} is not valid: {exc}") from exc
    if pattern:
        try:
            re.compile(pattern)
        except re.error as exc:
            raise ValueError(f"{what}: the pattern {pattern!r} is not a valid regular expression: {exc}") from exc


class PageRule(BaseModel):
    """Which link leads to the next page of a listing, and how many pages to read at most."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    selector: str | None = None
    pattern: str | None = None
    max_pages: int = Field(5, ge=1)

    @model_validator(mode="after")
    def _one_rule(self) -> "PageRule":
        if not (self.selector or self.pattern):
            raise ValueError("next_page needs a selector or a pattern")
        _check_rule(self.selector, self.pattern, "next_page")
        return self


class HttpListingSource(_Source):
    kind: Literal["http_listing"]
    url: str
    link_selector: str | None = None  # CSS selector of the links to disclosures
    link_pattern: str | None = None  # regular expression searched in each link's href and text
    next_page: PageRule | None = None
    recheck_seconds: float = Field(86400.0, ge=0)  # a known document is asked again (conditionally) after this
    # Overrides of the FISCALWATCH_HTTP_* settings for this source:
    min_interval_seconds: float | None = Field(None, ge=0)
    timeout_seconds: float | None = Field(None, gt=0)
    retries: int | None = Field(None, ge=0)
    backoff_seconds: float | None = Field(None, ge=0)

    @field_validator("url")
    @classmethod
    def _http(cls, url: str) -> str:
        if not re.match(r"^https?://[^/\s]+", url):
            raise ValueError(f"{url!r} is not an http(s) URL")
        return url

    @model_validator(mode="after")
    def _a_link_rule(self) -> "HttpListingSource":
        if not (self.link_selector or self.link_pattern):
            raise ValueError("an http_listing needs link_selector or link_pattern")
        _check_rule(self.link_selector, self.link_pattern, "links")
        return self

    @property
    def label(self) -> str:
        return self.name or self.url


class PushSource(_Source):
    kind: Literal["push"]
    http: bool = True  # POST /api/v1/documents on the HTTP port (also needs FISCALWATCH_PUSH_TOKEN)
    nats: bool = True  # core NATS request-reply on `subject`
    subject: str = PUSH_SUBJECT

    @property
    def label(self) -> str:
        return self.name or "push"


Source = Annotated[Union[DirectorySource, HttpListingSource, PushSource], Field(discriminator="kind")]


class SourcesFile(BaseModel):
    model_config = ConfigDict(extra="forbid")

    sources: list[Source] = Field(min_length=1)

    @model_validator(mode="after")
    def _distinct(self) -> "SourcesFile":
        labels = [source.label for source in self.sources]
        twice = sorted({label for label in labels if labels.count(label) > 1})
        if twice:
            raise ValueError(f"two sources are called {', '.join(twice)}: give them distinct names")
        if sum(isinstance(source, PushSource) for source in self.sources) > 1:
            raise ValueError("at most one push source")
        return self


def parse_sources(text: str, relative_to: Path | None = None) -> list[Source]:
    """The sources a YAML text lists (a mapping with `sources:`, or the bare list)."""
    try:
        raw = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise SourcesError(f"the sources file is not valid YAML: {exc}") from exc
    if isinstance(raw, list):
        raw = {"sources": raw}
    if not isinstance(raw, dict):
        raise SourcesError("the sources file must be a mapping with a `sources:` list")
    try:
        sources = SourcesFile.model_validate(raw).sources
    except ValidationError as exc:
        problems = "; ".join(f"{'.'.join(str(p) for p in e['loc'])}: {e['msg']}" for e in exc.errors())
        raise SourcesError(f"the sources file is not valid: {problems}") from exc
    if relative_to is not None:
        sources = [source.model_copy(update={"path": relative_to / source.path})
                   if isinstance(source, DirectorySource) and not source.path.is_absolute() else source
                   for source in sources]
    return sources


def load_sources(path: Path) -> list[Source]:
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise SourcesError(f"cannot read the sources file {path}: {exc}") from exc
    try:
        return parse_sources(text, relative_to=path.parent)
    except SourcesError as exc:
        raise SourcesError(f"{path}: {exc}") from exc


def default_sources(inbox: Path, push: bool) -> list[Source]:
    """No sources file: the inbox directory, as always; the push endpoint when a token is set."""
    directory = DirectorySource(kind="directory", path=inbox)
    directory._inbox = True
    return [directory, *([PushSource(kind="push", nats=False)] if push else [])]
