"""Archives, pure: what a zip holds, and the limits that refuse one (zip bombs, paths leaving it)."""

from __future__ import annotations

import io
import stat
import zipfile

import pytest
from ingest_testing import zip_bomb, zip_of

from fiscalwatch.ingest.archive import ArchiveLimits, ArchiveRejected, is_archive, unpack, unsafe_path


def test_members_come_out_in_order_with_their_paths() -> None:
    data = zip_of({"2023/决算.txt": "甲".encode(), "2024/预算.txt": b"yi", "empty/": b""})
    members = unpack(data)
    assert [(m.name, m.data) for m in members] == [("2023/决算.txt", "甲".encode()), ("2024/预算.txt", b"yi")]


def test_what_counts_as_an_archive() -> None:
    data = zip_of({"a.txt": b"a"})
    assert is_archive("x.ZIP", data) and is_archive("download", data)
    assert not is_archive("report.docx", data) and not is_archive("report.xlsx", data)  # zips, but documents
    assert not is_archive("a.txt", b"plain text") and not is_archive("nameless", b"plain")


def test_a_zip_bomb_is_refused_from_its_directory_without_inflating() -> None:
    with pytest.raises(ArchiveRejected, match="zip bomb"):
        unpack(zip_bomb(20))


def test_a_member_lying_about_its_size_is_refused() -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("a.txt", b"x" * 50_000)
    # Declare 10 bytes in both headers: what inflates does not match, nothing of it is kept.
    raw = bytearray(buffer.getvalue())
    for offset in (raw.find(b"PK\x03\x04") + 22, raw.find(b"PK\x01\x02") + 24):
        raw[offset:offset + 4] = (10).to_bytes(4, "little")
    assert zipfile.ZipFile(io.BytesIO(bytes(raw))).getinfo("a.txt").file_size == 10
    with pytest.raises(ArchiveRejected, match="'a.txt' (cannot be read|inflates beyond)"):
        unpack(bytes(raw))


@pytest.mark.parametrize(("name", "why"), [
    ("../evil.txt", "leaves the archive"),
    ("a/../../evil.txt", "leaves the archive"),
    ("/etc/passwd", "absolute"),
    ("C:\\evil.txt", "absolute"),
    ("a!b.txt", "contains"),
])
def test_a_member_path_leaving_the_archive_is_refused(name, why) -> None:
    assert why in (unsafe_path(name) or "")
    with pytest.raises(ArchiveRejected, match=why):
        unpack(zip_of({"ok.txt": b"fine", name: b"evil"}))


def test_a_symbolic_link_is_refused() -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        link = zipfile.ZipInfo("link.txt")
        link.create_system = 3
        link.external_attr = (stat.S_IFLNK | 0o777) << 16
        archive.writestr(link, "/etc/passwd")
    with pytest.raises(ArchiveRejected, match="symbolic link"):
        unpack(buffer.getvalue())


def test_limits_on_members_and_total_size() -> None:
    with pytest.raises(ArchiveRejected, match="more than 2 members"):
        unpack(zip_of({f"{i}.txt": b"x" for i in range(3)}), ArchiveLimits(max_members=2))
    with pytest.raises(ArchiveRejected, match="uncompressed in all"):
        unpack(zip_of({"a.txt": b"a" * 60, "b.txt": b"b" * 60}, zipfile.ZIP_STORED), ArchiveLimits(max_total_bytes=100))
    with pytest.raises(ArchiveRejected, match="over the 50-byte limit"):
        unpack(zip_of({"a.txt": b"a" * 60}, zipfile.ZIP_STORED), ArchiveLimits(max_member_bytes=50))


def test_nested_archives_are_unpacked_one_level_and_no_deeper() -> None:
    inner = zip_of({"x.txt": b"x"})
    members = unpack(zip_of({"inner.zip": inner, "y.txt": b"y"}, zipfile.ZIP_STORED))
    assert [m.name for m in members] == ["inner.zip!x.txt", "y.txt"]
    with pytest.raises(ArchiveRejected, match="nested archive"):
        unpack(zip_of({"inner.zip": inner}, zipfile.ZIP_STORED), ArchiveLimits(max_depth=0))
    deeper = zip_of({"middle.zip": zip_of({"inner.zip": inner}, zipfile.ZIP_STORED)}, zipfile.ZIP_STORED)
    with pytest.raises(ArchiveRejected, match="'middle.zip!inner.zip' is deeper"):
        unpack(deeper)


def test_garbage_and_duplicates_are_refused() -> None:
    with pytest.raises(ArchiveRejected, match="not a readable zip"):
        unpack(b"PK\x03\x04 not really")
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("a.txt", b"1")
        with pytest.warns(UserWarning):
            archive.writestr("a.txt", b"2")
    with pytest.raises(ArchiveRejected, match="appears twice"):
        unpack(buffer.getvalue())
