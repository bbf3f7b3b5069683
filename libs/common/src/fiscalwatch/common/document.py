"""The document form the parser reads: numbered lines of text, each with its page when known.

Readers of each published format (text, PDF, DOCX, XLSX, HTML) produce a `SourceDocument`;
the parser never sees bytes. For plain text, `SourceDocument.from_bytes` decodes UTF-8 or
GB18030 (the two encodings Chinese government portals publish in).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from itertools import count, repeat
from pathlib import Path
from typing import NamedTuple

from fiscalwatch.common.collector import collector_paused
from fiscalwatch.common.errors import UnreadableDocument

# A document larger than this is not a disclosure anyone published as text; refusing it
# early bounds the parser's time and memory.
MAX_TEXT_BYTES = 20 * 1024 * 1024


class DocumentLine(NamedTuple):
    """One line of a document. (A named tuple, not a validated model: a document has
    thousands of lines, every reader makes them from values it has just split, and
    validating each would cost more than parsing it.)"""

    number: int  # 1-based
    text: str
    page: int | None = None
    # Cell boundaries, when the format reader knows them (a PDF or XLSX table); the parser
    # then does not have to infer them from tabs or spaces.
    cells: tuple[str, ...] | None = None


def _plain_lines(texts: list[str]) -> tuple[DocumentLine, ...]:
    """`DocumentLine(n, text)` for every text, numbered from 1, made without a Python call
    per line (`tuple.__new__` of each (n, text, None, None), as the named tuple's own
    constructor would make it), with the collector paused: none is in a cycle, all live on."""
    with collector_paused():
        return tuple(map(tuple.__new__, repeat(DocumentLine), zip(count(1), texts, repeat(None), repeat(None))))


@dataclass(frozen=True, slots=True)
class SourceDocument:
    """What every format reader produces and the parser reads. In-process only (never
    sent over the broker): the services exchange the original bytes, or a document's lines
    as text, and each makes its own."""

    name: str
    sha256: str
    lines: tuple[DocumentLine, ...]
    media_type: str = "text/plain"
    pages: int | None = None

    @property
    def text(self) -> str:
        return "\n".join(line.text for line in self.lines)

    @classmethod
    def from_text(cls, name: str, text: str, sha256: str | None = None) -> "SourceDocument":
        digest = sha256 or hashlib.sha256(text.encode("utf-8")).hexdigest()
        return cls(name=name, sha256=digest, lines=_plain_lines(text.splitlines()))

    @classmethod
    def from_lines(cls, name: str, lines: list[str], sha256: str) -> "SourceDocument":
        """Numbered lines a reader made (of a PDF, DOCX, XLSX or HTML file)."""
        return cls(name=name, sha256=sha256, lines=_plain_lines(lines))

    @classmethod
    def from_bytes(cls, name: str, data: bytes) -> "SourceDocument":
        if len(data) > MAX_TEXT_BYTES:
            raise UnreadableDocument(
                name, f"text is {len(data):,} bytes, over the {MAX_TEXT_BYTES:,}-byte limit"
            )
        if not data.strip():
            raise UnreadableDocument(name, "the file is empty")
        digest = hashlib.sha256(data).hexdigest()
        return cls.from_text(name, decode_text(name, data), sha256=digest)

    @classmethod
    def from_path(cls, path: str | Path) -> "SourceDocument":
        p = Path(path)
        try:
            size = p.stat().st_size
            if size > MAX_TEXT_BYTES:
                raise UnreadableDocument(
                    str(p), f"text is {size:,} bytes, over the {MAX_TEXT_BYTES:,}-byte limit"
                )
            data = p.read_bytes()
        except OSError as exc:
            raise UnreadableDocument(str(p), exc.strerror or str(exc)) from exc
        return cls.from_bytes(str(p), data)


def decode_text(name: str, data: bytes) -> str:
    """UTF-8 (with or without BOM), else GB18030; anything else is not text."""
    if b"\x00" in data[:4096]:
        raise UnreadableDocument(name, "binary data (NUL bytes), not a text document")
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError as exc:
            last = exc
            continue
        return text.replace("\r\n", "\n").replace("\r", "\n")
    raise UnreadableDocument(
        name, f"not UTF-8 or GB18030 text (undecodable byte at offset {last.start})"
    )
