"""The document form the parser reads: numbered lines of text, each with its page when known.

Readers of each published format (text, PDF, DOCX, XLSX, HTML) produce a `SourceDocument`;
the parser never sees bytes. For plain text, `SourceDocument.from_bytes` decodes UTF-8 or
GB18030 (the two encodings Chinese government portals publish in).
"""

from __future__ import annotations

import hashlib
from itertools import count
from pathlib import Path

from pydantic import BaseModel, ConfigDict

from fiscalwatch.common.errors import UnreadableDocument

# A document larger than this is not a disclosure anyone published as text; refusing it
# early bounds the parser's time and memory.
MAX_TEXT_BYTES = 20 * 1024 * 1024


class DocumentLine(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    number: int  # 1-based
    text: str
    page: int | None = None
    # Cell boundaries, when the format reader knows them (a PDF or XLSX table); the parser
    # then does not have to infer them from tabs or spaces.
    cells: tuple[str, ...] | None = None


# A document has thousands of lines, and validating each (an int and a str) costs more than
# reading it: `_plain_line` makes the same object `DocumentLine(number=n, text=t)` would,
# without validation (both values are what splitting a str gives, so nothing is left to check).
_new = object.__new__
_set_dict = BaseModel.__dict__["__dict__"].__set__
_set_fields_set = BaseModel.__dict__["__pydantic_fields_set__"].__set__
_set_extra = BaseModel.__dict__["__pydantic_extra__"].__set__
_set_private = BaseModel.__dict__["__pydantic_private__"].__set__
_PLAIN_FIELDS = frozenset({"number", "text"})


def _plain_line(number: int, text: str) -> DocumentLine:
    line = _new(DocumentLine)
    _set_dict(line, {"number": number, "text": text, "page": None, "cells": None})
    _set_fields_set(line, set(_PLAIN_FIELDS))
    _set_extra(line, None)
    _set_private(line, None)
    return line


class SourceDocument(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

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
        lines = tuple(map(_plain_line, count(1), text.splitlines()))
        return cls(name=name, sha256=digest, lines=lines)

    @classmethod
    def from_lines(cls, name: str, lines: list[str], sha256: str) -> "SourceDocument":
        """Numbered lines a reader made (of a PDF, DOCX, XLSX or HTML file)."""
        return cls(name=name, sha256=sha256, lines=tuple(map(_plain_line, count(1), lines)))

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
