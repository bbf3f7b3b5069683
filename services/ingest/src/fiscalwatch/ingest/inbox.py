"""The inbox source, pure: which files a directory holds and which of them may be new.

Deciding what is new needs the memory of what was announced (a key-value bucket, in the app);
this module only names things: the files to look at, the memory keys, a file's media type."""

from __future__ import annotations

import fnmatch
import hashlib
from dataclasses import dataclass
from pathlib import Path

MEDIA_TYPES = {
    ".txt": "text/plain",
    ".pdf": "application/pdf",
    ".html": "text/html",
    ".htm": "text/html",
    ".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ".zip": "application/zip",
}


@dataclass(frozen=True)
class InboxFile:
    path: Path
    relative: str  # POSIX path under the inbox: what the memory is keyed by
    size: int
    mtime_ns: int


def list_files(root: Path, include: tuple[str, ...] = ("*",), exclude: tuple[str, ...] = (".*", "*~", "*.part", "*.tmp"),
               recursive: bool = True) -> list[InboxFile]:
    """Regular files under `root` whose name matches an include pattern and no exclude pattern,
    in a stable order. Hidden files and the usual partial-download names are left out."""
    if not root.is_dir():
        return []
    paths = root.rglob("*") if recursive else root.glob("*")
    files = []
    for path in paths:
        relative = path.relative_to(root).as_posix()
        if any(fnmatch.fnmatch(part, pattern) for part in relative.split("/") for pattern in exclude):
            continue
        if not any(fnmatch.fnmatch(path.name, pattern) for pattern in include):
            continue
        try:
            stat = path.stat()
        except OSError:  # gone between listing and looking
            continue
        if path.is_file():
            files.append(InboxFile(path, relative, stat.st_size, stat.st_mtime_ns))
    return sorted(files, key=lambda f: f.relative)


def media_type(name: str) -> str:
    return MEDIA_TYPES.get(Path(name).suffix.lower(), "application/octet-stream")


def path_key(relative: str) -> str:
    """Memory key of a path (key-value keys allow few characters, so the path is hashed)."""
    return "path." + hashlib.sha256(relative.encode("utf-8")).hexdigest()


def content_key(sha256: str) -> str:
    return "sha256." + sha256


def unchanged(file: InboxFile, remembered: dict | None) -> bool:
    """Same size and modification time as when it was last read: no need to read it again."""
    return bool(remembered) and remembered.get("size") == file.size and remembered.get("mtime_ns") == file.mtime_ns
