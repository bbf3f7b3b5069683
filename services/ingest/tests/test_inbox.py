"""The inbox listing, pure: which files are looked at, and when a file needs reading again."""

from __future__ import annotations

import os

from fiscalwatch.ingest.inbox import content_key, list_files, media_type, path_key, unchanged


def test_lists_files_recursively_in_a_stable_order_leaving_out_hidden_and_partial_ones(tmp_path) -> None:
    for name in ("b.txt", "a.pdf", "sub/c.docx", ".hidden", "d.txt.part", ".git/config", "e~"):
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(b"x")
    assert [f.relative for f in list_files(tmp_path)] == ["a.pdf", "b.txt", "sub/c.docx"]
    assert [f.relative for f in list_files(tmp_path, recursive=False)] == ["a.pdf", "b.txt"]
    assert [f.relative for f in list_files(tmp_path, include=("*.txt",))] == ["b.txt"]


def test_a_missing_inbox_is_empty(tmp_path) -> None:
    assert list_files(tmp_path / "nowhere") == []


def test_a_file_is_read_again_only_when_its_size_or_time_changed(tmp_path) -> None:
    path = tmp_path / "a.txt"
    path.write_text("one")
    [file] = list_files(tmp_path)
    memory = {"size": file.size, "mtime_ns": file.mtime_ns, "sha256": "x"}
    assert unchanged(file, memory) and not unchanged(file, None)
    os.utime(path, ns=(file.mtime_ns + 10**9, file.mtime_ns + 10**9))
    [touched] = list_files(tmp_path)
    assert not unchanged(touched, memory)


def test_memory_keys_are_valid_key_value_keys_and_distinct() -> None:
    keys = {path_key("年报/2023 决算.pdf"), path_key("年报/2023 决算.PDF"), content_key("ab" * 32)}
    assert len(keys) == 3
    assert all(all(c.isalnum() or c in "._-" for c in key) for key in keys)


def test_media_types_follow_the_extension() -> None:
    assert media_type("a.TXT") == "text/plain" and media_type("x/y.pdf") == "application/pdf"
    assert media_type("no_extension") == "application/octet-stream"
