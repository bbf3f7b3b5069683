"""The document form the parser reads: numbered lines of text, each with its page when known.

Readers of each published format (text, PDF, DOCX, XLSX, HTML) produce a `SourceDocument`;
the parser never sees bytes. For plain text, `SourceDocument.from_bytes` decodes UTF-8 or
GB18030 (the two encodings Chinese government portals publish in).
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from itertools import compress, count, repeat
from pathlib import Path
from typing import NamedTuple, overload

from fiscalwatch.common.errors import UnreadableDocument

# A document larger than this is not a disclosure anyone published as text; refusing it
# early bounds the parser's time and memory.
MAX_TEXT_BYTES = 20 * 1024 * 1024


class DocumentLine(NamedTuple):
    """One line of a document, as `SourceDocument.lines` gives it."""

    number: int  # 1-based
    text: str
    page: int | None = None
    # Cell boundaries, when the format reader knows them (a PDF or XLSX table); the parser
    # then does not have to infer them from tabs or spaces.
    cells: tuple[str, ...] | None = None


_new_tuple = tuple.__new__


class Lines(Sequence[DocumentLine]):
    """Lines of a document as `DocumentLine`s, each made when it is read.

    A document holds its lines by column (`SourceDocument.texts`, `.line_pages`,
    `.line_cells`): the parser reads the texts of all of them but the other fields of only
    the few in tables, and an object per line (thousands per document, each one more object
    to make, for the collector to visit and to free) costs more than some of the stages
    that read them. A slice is a view of the same kind (its lines keep their numbers)."""

    __slots__ = ("_texts", "_pages", "_cells", "_first")

    def __init__(self, texts: tuple[str, ...], pages: tuple | None = None, cells: tuple | None = None, first: int = 1) -> None:
        self._texts, self._pages, self._cells, self._first = texts, pages, cells, first

    def __len__(self) -> int:
        return len(self._texts)

    def _line(self, i: int) -> DocumentLine:
        pages, cells = self._pages, self._cells
        return _new_tuple(DocumentLine, (
            self._first + i, self._texts[i],
            pages[i] if pages is not None else None, cells[i] if cells is not None else None,
        ))

    @overload
    def __getitem__(self, index: int) -> DocumentLine: ...
    @overload
    def __getitem__(self, index: slice) -> "Lines": ...
    def __getitem__(self, index):
        length = len(self._texts)
        if isinstance(index, slice):
            start, stop, step = index.indices(length)
            if step != 1:
                raise ValueError("lines are sliced in order, without a step")
            stop = max(start, stop)
            pages, cells = self._pages, self._cells
            return Lines(
                self._texts[start:stop], pages[start:stop] if pages is not None else None,
                cells[start:stop] if cells is not None else None, self._first + start,
            )
        if index < 0:
            index += length
        if not 0 <= index < length:
            raise IndexError("line index out of range")
        return self._line(index)

    # (made in C, each as `_line` makes it: a Python call per line costs as much as the line)
    def __iter__(self) -> Iterator[DocumentLine]:
        pages, cells = self._pages, self._cells
        return map(_new_tuple, repeat(DocumentLine), zip(
            count(self._first), self._texts,
            pages if pages is not None else repeat(None), cells if cells is not None else repeat(None),
        ))

    def fields_where(self, mask: Iterable[object]) -> tuple[list[int], list[str], list, list]:
        """The numbers, texts, pages and cells of the lines whose item in `mask` is true (a
        line's text, say, or its compact form: an empty one is false), a list each, picked in
        C by `compress`: for a reader that reads them field by field, with no line object."""
        mask = list(mask)
        pages, cells = self._pages, self._cells
        numbers = list(compress(range(self._first, self._first + len(self._texts)), mask))
        return (
            numbers,
            list(compress(self._texts, mask)),
            list(compress(pages, mask)) if pages is not None else [None] * len(numbers),
            list(compress(cells, mask)) if cells is not None else [None] * len(numbers),
        )


@dataclass(frozen=True, slots=True)
class SourceDocument:
    """What every format reader produces and the parser reads. In-process only (never
    sent over the broker): the services exchange the original bytes, or a document's lines
    as text, and each makes its own.

    Line n (1-based) is at index n - 1 of `texts`, and of `line_pages` and `line_cells`
    when the format reader knows pages or cells (else those are None)."""

    name: str
    sha256: str
    texts: tuple[str, ...]
    media_type: str = "text/plain"
    pages: int | None = None
    line_pages: tuple[int | None, ...] | None = None
    line_cells: tuple[tuple[str, ...] | None, ...] | None = None

    @property
    def lines(self) -> Lines:
        return Lines(self.texts, self.line_pages, self.line_cells)

    @property
    def text(self) -> str:
        return "\n".join(self.texts)

    @classmethod
    def from_text(cls, name: str, text: str, sha256: str | None = None) -> "SourceDocument":
        digest = sha256 or hashlib.sha256(text.encode("utf-8")).hexdigest()
        return cls(name=name, sha256=digest, texts=tuple(text.splitlines()))

    @classmethod
    def from_lines(cls, name: str, lines: list[str], sha256: str) -> "SourceDocument":
        """Numbered lines a reader made (of a PDF, DOCX, XLSX or HTML file)."""
        return cls(name=name, sha256=sha256, texts=tuple(lines))

    @classmethod
    def from_placed_lines(
        cls, name: str, lines: Iterable[tuple[str, int | None, tuple[str, ...] | None]], sha256: str,
        media_type: str = "text/plain", pages: int | None = None,
    ) -> "SourceDocument":
        """`from_lines` of lines a reader placed: (text, page, cells) of each, in order, the
        page and cells None where it knows none."""
        columns = tuple(zip(*lines))
        texts, line_pages, line_cells = columns if columns else ((), (), ())
        return cls(
            name=name, sha256=sha256, texts=texts, media_type=media_type, pages=pages,
            line_pages=None if line_pages.count(None) == len(line_pages) else line_pages,
            line_cells=None if line_cells.count(None) == len(line_cells) else line_cells,
        )

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
    # (UTF-8's byte-order mark dropped after decoding: the "utf-8-sig" codec that drops it is
    # written in Python, and costs a quarter more than the decoding itself)
    for encoding in ("utf-8", "gb18030"):
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError as exc:
            last = exc
            continue
        if encoding == "utf-8" and text.startswith("\ufeff"):
            text = text[1:]
        # (tested first: a `replace` that finds nothing still costs fifty times the test on
        # Chinese text)
        return text.replace("\r\n", "\n").replace("\r", "\n") if "\r" in text else text
    raise UnreadableDocument(
        name, f"not UTF-8 or GB18030 text (undecodable byte at offset {last.start})"
    )
