"""Ingest against a real nats-server: each document announced once, across passes and
restarts; a changed file is a new version; the bytes are in the Object Store."""

from __future__ import annotations

import asyncio
import hashlib
import json
import os
import time

import nats
import pytest

from fiscalwatch.common.broker import DOCUMENTS_BUCKET
from fiscalwatch.common.events import Subjects
from fiscalwatch.common.settings import Settings
from fiscalwatch.ingest.app import create

pytestmark = pytest.mark.integration


def aged(path, seconds: float = 5) -> None:
    """Make a file look settled (ingest leaves files modified in the last second for later)."""
    then = time.time() - seconds
    os.utime(path, (then, then))


async def announcements(url: str) -> tuple[nats.NATS, list[dict], list[dict]]:
    connection = await nats.connect(url)
    found: list[dict] = []
    letters: list[dict] = []

    async def keep(msg) -> None:
        (found if msg.subject == Subjects.DISCOVERED else letters).append(json.loads(msg.data))

    await connection.subscribe(Subjects.DISCOVERED, cb=keep)
    await connection.subscribe(f"{Subjects.DLQ}.>", cb=keep)
    return connection, found, letters


async def one_pass(url: str, inbox, **settings) -> list[str]:
    service = create(Settings(nats_url=url, inbox=inbox, poll_seconds=3600, **settings))
    service.background.clear()  # passes are driven by the test
    async with service.running():
        scanned = await service.scan_once()
    return scanned.announced


async def test_each_document_is_announced_once_across_passes_and_restarts(nats_url, tmp_path) -> None:
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    (inbox / "a.txt").write_text("甲单位 2023 年度部门决算", encoding="utf-8")
    (inbox / "sub").mkdir()
    (inbox / "sub" / "b.txt").write_text("乙单位 2024 年度部门预算", encoding="utf-8")
    (inbox / "copy-of-a.txt").write_text("甲单位 2023 年度部门决算", encoding="utf-8")  # same content
    (inbox / "fresh.txt").write_text("being written")
    for path in (inbox / "a.txt", inbox / "sub" / "b.txt", inbox / "copy-of-a.txt"):
        aged(path)
    connection, found, _ = await announcements(nats_url)

    first = await one_pass(nats_url, inbox)
    second = await one_pass(nats_url, inbox)  # a restarted ingest: a new process, the same memory
    await asyncio.sleep(0.2)
    sha_a = hashlib.sha256("甲单位 2023 年度部门决算".encode()).hexdigest()
    assert len(first) == 2 and sha_a in first and second == []
    assert sorted(f["data"]["name"] for f in found) == ["a.txt", "sub/b.txt"]
    event = next(f for f in found if f["data"]["name"] == "a.txt")
    assert event["subject"] == sha_a and event["data"]["object_name"] == sha_a

    # The bytes travel through the Object Store, not in the message.
    bucket = await connection.jetstream().object_store(DOCUMENTS_BUCKET)
    assert (await bucket.get(sha_a)).data == "甲单位 2023 年度部门决算".encode()

    # A file that settled since is announced by the next pass; a changed file is a new version.
    aged(inbox / "fresh.txt")
    (inbox / "a.txt").write_text("甲单位 2023 年度部门决算（更正）", encoding="utf-8")
    aged(inbox / "a.txt", 2)
    third = await one_pass(nats_url, inbox)
    await asyncio.sleep(0.2)
    await connection.drain()
    assert len(third) == 2
    assert [f["data"]["name"] for f in found[2:]] == ["a.txt", "fresh.txt"]


async def test_a_file_over_the_size_limit_is_dead_lettered_once_and_the_others_go_on(nats_url, tmp_path) -> None:
    (tmp_path / "huge.txt").write_bytes(b"x" * 2000)
    (tmp_path / "ok.txt").write_bytes(b"y" * 10)
    aged(tmp_path / "huge.txt")
    aged(tmp_path / "ok.txt")
    connection, found, letters = await announcements(nats_url)
    assert len(await one_pass(nats_url, tmp_path, max_document_bytes=1000)) == 1
    assert await one_pass(nats_url, tmp_path, max_document_bytes=1000) == []
    await asyncio.sleep(0.2)
    await connection.drain()
    assert [f["data"]["name"] for f in found] == ["ok.txt"]
    assert len(letters) == 1 and letters[0]["data"]["stage"] == "ingest"
    assert "huge.txt" in letters[0]["data"]["reason"] and "limit" in letters[0]["data"]["reason"]
