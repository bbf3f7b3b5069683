"""Archives, pure: a `.zip` from any source is unpacked, and each file in it is a document.

An archive is untrusted input. Before anything is inflated, its directory is checked against
`ArchiveLimits` (how many members, their declared total size, each member's compression ratio,
member paths: nothing absolute, no `..`, no symlinks, no encrypted members, no duplicates); then
the members are inflated in chunks and the *actual* sizes are held to the same limits (declared
sizes can lie). Any violation rejects the whole archive (`ArchiveRejected`, with the reason):
nothing of it is announced. A `.zip` inside the archive is unpacked too, up to `max_depth`
levels; deeper, the archive is rejected. Members are named `outer.zip!dir/inner.pdf`
(`outer.zip!inner.zip!file.pdf` one level down)."""

from __future__ import annotations

import io
import stat
import zipfile
from dataclasses import dataclass
from pathlib import PurePosixPath

ZIP_MAGIC = (b"PK\x03\x04", b"PK\x05\x06")  # a local file header; the end record of an empty archive
SEPARATOR = "!"
CHUNK = 64 * 1024


@dataclass(frozen=True)
class ArchiveLimits:
    max_members: int = 1000  # files, over all nesting levels
    max_total_bytes: int = 200 * 1024 * 1024  # uncompressed, over all nesting levels
    max_member_bytes: int = 50 * 1024 * 1024  # one file (the document size limit)
    max_ratio: float = 100.0  # uncompressed / compressed size of one member
    max_depth: int = 1  # levels of zip inside zip that are unpacked (0: a nested zip is refused)


@dataclass(frozen=True)
class Member:
    name: str  # the path inside the archive (inside nested ones: `inner.zip!file.pdf`)
    data: bytes


class ArchiveRejected(ValueError):
    """The archive breaks a limit, or cannot be read: the reason says which."""


def is_archive(name: str, data: bytes) -> bool:
    """A zip by its name; or, nameless, by its first bytes. (.docx/.xlsx are zips too, and are
    documents: only a `.zip` name, or no known extension at all, makes an archive.)"""
    suffix = PurePosixPath(name).suffix.lower()
    if suffix == ".zip":
        return True
    return suffix in ("", ".bin") and data.startswith(ZIP_MAGIC)


def unsafe_path(name: str) -> str | None:
    """Why a member path may not be written anywhere, or None when it is a plain relative path."""
    if not name or "\x00" in name:
        return "an empty member name"
    if name.startswith(("/", "\\")) or (len(name) > 1 and name[1] == ":"):
        return f"the absolute member path {name!r}"
    parts = name.replace("\\", "/").split("/")
    if ".." in parts:
        return f"the member path {name!r} leaves the archive (..)"
    if SEPARATOR in name:
        return f"the member name {name!r} contains {SEPARATOR!r}"
    return None


def _is_symlink(info: zipfile.ZipInfo) -> bool:
    return info.create_system == 3 and stat.S_ISLNK(info.external_attr >> 16)


def unpack(data: bytes, limits: ArchiveLimits = ArchiveLimits()) -> list[Member]:
    """The files of a zip archive, in archive order, or `ArchiveRejected` with the reason."""
    budget = _Budget(limits)
    return _unpack(data, limits, budget, depth=0, prefix="")


@dataclass
class _Budget:
    limits: ArchiveLimits
    members: int = 0
    declared: int = 0
    inflated: int = 0

    def count(self, name: str) -> None:
        self.members += 1
        if self.members > self.limits.max_members:
            raise ArchiveRejected(f"more than {self.limits.max_members:,} members (at {name!r})")


def _unpack(data: bytes, limits: ArchiveLimits, budget: _Budget, depth: int, prefix: str) -> list[Member]:
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError) as exc:
        raise ArchiveRejected(f"not a readable zip archive{_where(prefix)}: {exc}") from exc
    with archive:
        infos = [info for info in archive.infolist() if not info.is_dir()]
        # Everything the directory says is checked before a byte is inflated.
        seen: set[str] = set()
        for info in infos:
            where = prefix + info.filename
            budget.count(where)
            reason = unsafe_path(info.filename)
            if reason:
                raise ArchiveRejected(reason + _where(prefix))
            if _is_symlink(info):
                raise ArchiveRejected(f"the member {where!r} is a symbolic link")
            if info.flag_bits & 0x1:
                raise ArchiveRejected(f"the member {where!r} is encrypted")
            if info.filename in seen:
                raise ArchiveRejected(f"the member name {where!r} appears twice")
            seen.add(info.filename)
            _check_ratio(where, info.file_size, info.compress_size, limits)
            if info.file_size > limits.max_member_bytes:
                raise ArchiveRejected(f"the member {where!r} is {info.file_size:,} bytes uncompressed, "
                                      f"over the {limits.max_member_bytes:,}-byte limit")
            budget.declared += info.file_size
            if budget.declared > limits.max_total_bytes:
                raise ArchiveRejected(f"over {limits.max_total_bytes:,} bytes uncompressed in all "
                                      f"(possibly a zip bomb; at {where!r})")
        members: list[Member] = []
        for info in infos:
            where = prefix + info.filename
            content = _inflate(archive, info, where, limits, budget)
            if is_archive(info.filename, content):
                if depth >= limits.max_depth:
                    raise ArchiveRejected(f"the nested archive {where!r} is deeper than {limits.max_depth} "
                                          f"level(s) of zip inside zip")
                members.extend(_unpack(content, limits, budget, depth + 1, where + SEPARATOR))
            else:
                members.append(Member(where, content))
        return members


def _check_ratio(where: str, size: int, compressed: int, limits: ArchiveLimits) -> None:
    if size > 0 and size / max(compressed, 1) > limits.max_ratio:
        raise ArchiveRejected(f"the member {where!r} inflates {size:,} bytes from {compressed:,} "
                              f"(ratio {size / max(compressed, 1):,.0f} over the limit {limits.max_ratio:g}): a zip bomb?")


def _inflate(archive: zipfile.ZipFile, info: zipfile.ZipInfo, where: str, limits: ArchiveLimits,
             budget: _Budget) -> bytes:
    """A member's bytes, read in chunks so that a member lying about its size stops at the limit."""
    cap = min(limits.max_member_bytes, int(max(info.compress_size, 1) * limits.max_ratio))
    out = bytearray()
    try:
        with archive.open(info) as stream:
            while chunk := stream.read(CHUNK):
                out += chunk
                budget.inflated += len(chunk)
                if len(out) > cap:
                    raise ArchiveRejected(f"the member {where!r} inflates beyond what its entry declares "
                                          f"(over {cap:,} bytes): a zip bomb?")
                if budget.inflated > limits.max_total_bytes:
                    raise ArchiveRejected(f"over {limits.max_total_bytes:,} bytes uncompressed in all "
                                          f"(possibly a zip bomb; at {where!r})")
    except ArchiveRejected:
        raise
    except (zipfile.BadZipFile, NotImplementedError, RuntimeError, EOFError, OSError, ValueError) as exc:
        raise ArchiveRejected(f"the member {where!r} cannot be read: {exc}") from exc
    return bytes(out)


def _where(prefix: str) -> str:
    return f" (in {prefix.rstrip(SEPARATOR)!r})" if prefix else ""
