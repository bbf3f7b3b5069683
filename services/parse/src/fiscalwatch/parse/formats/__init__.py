"""Readers of the formats disclosures are published in: PDF, DOCX, XLSX, HTML and plain text.

`read_document(name, data)` chooses the reader by what the bytes ARE (their magic bytes and
structure), not by the file's extension or the media type a server declared: portals serve
DOCX files named `.pdf`, XLSX files as `application/octet-stream`, and HTML error pages as
`application/pdf`. Every reader returns a `SourceDocument` whose lines keep where they came
from (a table row's cells, a sheet's index as its page) and whose `sha256` is that of the
original bytes.

Formats that are recognised but not read (legacy OLE2 .doc/.xls, OpenDocument, RTF, images)
and zip archives that are not a document raise `UnreadableDocument` with a reason an operator
can act on.
"""

from __future__ import annotations

import dataclasses
import hashlib
import io
import re
import zipfile
from pathlib import Path
from typing import Callable

from fiscalwatch.common.document import SourceDocument
from fiscalwatch.common.errors import FiscalwatchError, UnreadableDocument

__all__ = ["MAX_DOCUMENT_BYTES", "Line", "build_document", "detect_format", "read_document", "read_path"]

# The largest file read at all (a budget PDF with scanned annexes is a few MB; 50 MB bounds
# the parser's time and memory).
MAX_DOCUMENT_BYTES = 50 * 1024 * 1024
# A DOCX/XLSX is a zip: the parts it unpacks to are bounded too (a zip bomb is small on disk).
MAX_UNPACKED_BYTES = 400 * 1024 * 1024

MEDIA_TYPES = {
    "pdf": "application/pdf",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "html": "text/html",
    "text": "text/plain",
}

_OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_ZIP_MAGICS = (b"PK\x03\x04", b"PK\x05\x06", b"PK\x07\x08")
_HTML_MARKERS = re.compile(
    rb"<(?:!doctype\s+html|html|head|body|table|meta\s|title|div|p)[\s>/]", re.IGNORECASE
)
_IMAGES = {
    b"\x89PNG\r\n\x1a\n": "a PNG image",
    b"\xff\xd8\xff": "a JPEG image",
    b"GIF87a": "a GIF image",
    b"GIF89a": "a GIF image",
    b"II*\x00": "a TIFF image",
    b"MM\x00*": "a TIFF image",
}


def detect_format(name: str, data: bytes) -> str:
    """"pdf", "docx", "xlsx", "html" or "text" from the content; raises `UnreadableDocument`
    for what is recognised but not read (and for what is empty)."""
    if not data.strip():
        raise UnreadableDocument(name, "the file is empty")
    head = data[:1024]
    if b"%PDF-" in head:  # the header may follow a few bytes of junk (the spec allows 1024)
        return "pdf"
    if data.startswith(_ZIP_MAGICS):
        return _zip_format(name, data)
    if data.startswith(_OLE2):
        if _utf16(b"EncryptedPackage") in data:
            raise UnreadableDocument(
                name, "unsupported format: a password-protected (encrypted) Office document"
            )
        kind = _ole2_kind(data)
        raise UnreadableDocument(
            name,
            f"unsupported format: a legacy {kind} binary file (OLE2); "
            "only PDF, DOCX, XLSX, HTML and text are read (convert it to DOCX/XLSX or PDF)",
        )
    if data.startswith(b"{\\rtf"):
        raise UnreadableDocument(name, "unsupported format: an RTF document")
    for magic, what in _IMAGES.items():
        if data.startswith(magic):
            raise UnreadableDocument(name, f"unsupported format: {what}, not a text document (a scan needs OCR)")
    if _looks_like_html(data):
        return "html"
    return "text"


def _utf16(text: bytes) -> bytes:
    return text.decode("ascii").encode("utf-16-le")


def _ole2_kind(data: bytes) -> str:
    """Which legacy Office file an OLE2 container is, from its directory's stream names."""
    if _utf16(b"WordDocument") in data:
        return "Word .doc"
    if _utf16(b"Workbook") in data or _utf16(b"Book") in data:
        return "Excel .xls"
    if _utf16(b"PowerPoint Document") in data:
        return "PowerPoint .ppt"
    return ".doc/.xls"


def _looks_like_html(data: bytes) -> bool:
    head = data[:8192]
    for bom in (b"\xef\xbb\xbf",):
        if head.startswith(bom):
            head = head[len(bom):]
    start = head.lstrip()
    if not start.startswith(b"<"):
        # a text document that merely mentions "<table>" is text; markup starts with a tag
        return False
    return bool(_HTML_MARKERS.search(head))


def _zip_format(name: str, data: bytes) -> str:
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        names = set(archive.namelist())
        content_types = ""
        if "[Content_Types].xml" in names:
            content_types = archive.read("[Content_Types].xml")[:65536].decode("utf-8", "replace")
        unpacked = sum(info.file_size for info in archive.infolist())
        mimetype = ""
        if "mimetype" in names:
            mimetype = archive.read("mimetype")[:200].decode("ascii", "replace")
    except (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError, OSError, KeyError,
            NotImplementedError, RuntimeError) as exc:
        # Damaged: say what it was meant to be when the local headers still tell.
        if b"word/document.xml" in data or b"word/" in data[:4096]:
            what = "DOCX document"
        elif b"xl/workbook.xml" in data or b"xl/" in data[:4096]:
            what = "XLSX workbook"
        else:
            what = "zip archive"
        raise UnreadableDocument(name, f"a damaged or truncated {what} ({exc})") from exc
    if "opendocument" in mimetype:
        raise UnreadableDocument(
            name, "unsupported format: an OpenDocument file (ODT/ODS); only DOCX and XLSX are read"
        )
    if "word/document.xml" in names or "wordprocessingml.document.main" in content_types:
        kind = "docx"
    elif "xl/workbook.xml" in names or "spreadsheetml.sheet.main" in content_types:
        kind = "xlsx"
    elif "ppt/presentation.xml" in names:
        raise UnreadableDocument(name, "unsupported format: a PowerPoint presentation (PPTX)")
    else:
        raise UnreadableDocument(
            name, "a zip archive, not a document (archives are unpacked by ingest)"
        )
    if unpacked > MAX_UNPACKED_BYTES:
        raise UnreadableDocument(
            name,
            f"the {kind.upper()} unpacks to {unpacked:,} bytes, over the "
            f"{MAX_UNPACKED_BYTES:,}-byte limit",
        )
    return kind


def _reader(kind: str) -> Callable[[str, bytes], SourceDocument]:
    if kind == "pdf":
        try:
            from fiscalwatch.parse.formats import pdf  # written separately; imported when needed
        except ImportError as exc:
            raise RuntimeError(f"the PDF reader is not available here ({exc})") from exc
        return pdf.read
    if kind == "docx":
        from fiscalwatch.parse.formats import docx

        return docx.read
    if kind == "xlsx":
        from fiscalwatch.parse.formats import xlsx

        return xlsx.read
    if kind == "html":
        from fiscalwatch.parse.formats import html

        return html.read
    return SourceDocument.from_bytes


def read_document(name: str, data: bytes, media_type: str | None = None) -> SourceDocument:
    """The document in `data`, read by the reader its content calls for.

    `media_type` (as declared by a server or by ingest) is only a hint: the content decides,
    so that a file with a wrong extension or a wrong declared type is still read correctly.
    It decides only where the content leaves it open: markup that does not start like a page
    is read as HTML when declared `text/html`.
    """
    if len(data) > MAX_DOCUMENT_BYTES:
        raise UnreadableDocument(
            name, f"the file is {len(data):,} bytes, over the {MAX_DOCUMENT_BYTES:,}-byte limit"
        )
    kind = detect_format(name, data)
    if kind == "text" and _declared_html(media_type) and b"<" in data[:65536]:
        # markup that does not start like a page (a fragment a server declared as HTML)
        kind = "html"
    try:
        read = _reader(kind)
    except RuntimeError as exc:
        raise UnreadableDocument(name, str(exc)) from exc
    try:
        document = read(name, data)
    except FiscalwatchError:
        raise
    except MemoryError:
        raise
    except Exception as exc:  # noqa: BLE001 - a damaged file breaks a library anywhere
        label = "text" if kind == "text" else kind.upper()
        raise UnreadableDocument(
            name, f"a damaged {label} file that cannot be read ({type(exc).__name__}: {exc})"
        ) from exc
    digest = hashlib.sha256(data).hexdigest()
    update = {}
    if document.sha256 != digest:
        update["sha256"] = digest
    if document.name != name:
        update["name"] = name
    if document.media_type != MEDIA_TYPES[kind]:
        update["media_type"] = MEDIA_TYPES[kind]
    return dataclasses.replace(document, **update) if update else document


def _declared_html(media_type: str | None) -> bool:
    declared = (media_type or "").split(";")[0].strip().lower()
    return declared in ("text/html", "application/xhtml+xml")


def read_path(path: str | Path) -> SourceDocument:
    """The document in the file at `path` (its name in errors and in the result: the path)."""
    p = Path(path)
    try:
        size = p.stat().st_size
        if size > MAX_DOCUMENT_BYTES:
            raise UnreadableDocument(
                str(p), f"the file is {size:,} bytes, over the {MAX_DOCUMENT_BYTES:,}-byte limit"
            )
        data = p.read_bytes()
    except OSError as exc:
        raise UnreadableDocument(str(p), exc.strerror or str(exc)) from exc
    return read_document(str(p), data)


# --- helpers the readers share ----------------------------------------------------------

# One line a reader made: its text, its page (or sheet) when known, its cells when it is a
# table row.
Line = tuple[str, "int | None", "tuple[str, ...] | None"]

_SPACES_RE = re.compile(r"\s+")
_CJK_RE = re.compile(r"[\u2e80-\u9fff\uf900-\ufaff\uff00-\uffef\u3000-\u303f]")


def join_parts(parts: list[str]) -> str:
    """Pieces of one cell (its paragraphs, the text around a <br>) as one string: Chinese
    text wraps inside a cell without a space ("一般公共预算" / "财政拨款收入"), other
    words are kept apart by one."""
    out = ""
    for part in parts:
        part = _SPACES_RE.sub(" ", part).strip()
        if not part:
            continue
        if out and not (_CJK_RE.match(out[-1]) or _CJK_RE.match(part[0])):
            out += " "
        out += part
    return out


def cell_text(text: str) -> str:
    """A cell's text on one line: line breaks inside it joined as `join_parts` does, a tab
    as a space (a tab separates cells), the ends stripped; its other spacing as written."""
    if "\n" in text or "\r" in text:
        return join_parts(text.replace("\t", " ").splitlines())
    return text.replace("\t", " ").strip()


def row_line(cells: list[str], page: int | None = None) -> Line | None:
    """The line of a table row: cells joined by tabs, the cells kept. A row with no text is
    no line; a row of one cell (a caption or note printed across the table) is a plain line."""
    if not any(c.strip() for c in cells):
        return None
    if len(cells) == 1:
        return (cells[0], page, None)
    return ("\t".join(cells), page, tuple(cells))


def build_document(name: str, data: bytes, lines: list[Line], media_type: str,
                   pages: int | None = None) -> SourceDocument:
    """The `SourceDocument` of the lines a reader made (numbered from 1)."""
    if not any(text.strip() for text, _, _ in lines):
        raise UnreadableDocument(name, "the document holds no text")
    return SourceDocument.from_placed_lines(name, lines, hashlib.sha256(data).hexdigest(), media_type=media_type, pages=pages)
