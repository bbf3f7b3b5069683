"""Pushes and archives against a real nats-server: the HTTP endpoint (token, 202, announced),
the NATS push subject, a zip with two documents, zip bombs and paths leaving the archive
dead-lettered with the reason and nothing of them announced."""

from __future__ import annotations

import base64
import json
import os
import time

import httpx
import nats
import pytest
from ingest_testing import Events, sha, zip_bomb, zip_of

from fiscalwatch.common.settings import Settings
from fiscalwatch.ingest.app import create

pytestmark = pytest.mark.integration
TOKEN = "s3cret-token"


def aged(path, seconds: float = 5) -> None:
    then = time.time() - seconds
    os.utime(path, (then, then))


def write_sources(tmp_path, *sources: dict) -> str:
    path = tmp_path / "sources.yaml"
    path.write_text(json.dumps({"sources": list(sources)}), encoding="utf-8")
    return str(path)


def service_for(nats_url, **settings):
    service = create(Settings(nats_url=nats_url, poll_seconds=3600, **settings))
    service.background.clear()
    return service


def client(service) -> httpx.AsyncClient:
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=service.http_app()), base_url="http://ingest")


async def test_the_push_endpoint_needs_the_token_and_announces_the_document(nats_url, tmp_path) -> None:
    events = await Events.listen(nats_url)
    service = service_for(nats_url, inbox=tmp_path / "inbox", push_token=TOKEN)
    async with service.running(), client(service) as http:
        document = "甲单位 2023 年度部门决算".encode()
        files = {"file": ("甲单位2023决算.txt", document, "text/plain")}
        assert (await http.post("/api/v1/documents", files=files)).status_code == 401
        wrong = await http.post("/api/v1/documents", files=files, headers={"Authorization": "Bearer nope"})
        assert wrong.status_code == 401 and wrong.headers["www-authenticate"] == "Bearer"
        auth = {"Authorization": f"Bearer {TOKEN}"}
        taken = await http.post("/api/v1/documents", files=files, headers=auth)
        assert taken.status_code == 202, taken.text
        assert taken.json()["sha256"] == sha(document) and taken.json()["new"] is True
        again = await http.post("/api/v1/documents", files=files, headers=auth)
        assert again.status_code == 202 and again.json()["new"] is False
        # A raw body, its name in the query, published at a known address.
        raw = await http.post("/api/v1/documents", content=b"second document",
                              params={"name": "b.txt", "url": "https://www.example.gov.cn/b.txt"}, headers=auth)
        assert raw.status_code == 202 and raw.json()["documents"][0]["version"] == 1
        assert (await http.post("/api/v1/documents", content=b"x", headers=auth)).status_code == 422  # no name
        assert (await http.post("/api/v1/documents", content=b"", params={"name": "e.txt"}, headers=auth)).status_code == 422
    await events.settle()
    assert events.names() == ["甲单位2023决算.txt", "b.txt"]
    assert events.found[0]["data"]["source"] == "push:http"
    assert events.found[1]["data"]["publication"] == "https://www.example.gov.cn/b.txt"
    await events.close()


async def test_without_a_token_there_is_no_push_endpoint(nats_url, tmp_path) -> None:
    service = service_for(nats_url, inbox=tmp_path)
    async with client(service) as http:  # not started: the route is simply not there
        answer = await http.post("/api/v1/documents", content=b"x", params={"name": "a.txt"},
                                 headers={"Authorization": "Bearer anything"})
    assert answer.status_code == 404


async def test_the_push_endpoint_refuses_a_zip_bomb(nats_url, tmp_path) -> None:
    events = await Events.listen(nats_url)
    service = service_for(nats_url, inbox=tmp_path, push_token=TOKEN)
    async with service.running(), client(service) as http:
        answer = await http.post("/api/v1/documents", files={"file": ("bomb.zip", zip_bomb(), "application/zip")},
                                 headers={"Authorization": f"Bearer {TOKEN}"})
    await events.settle()
    assert answer.status_code == 422 and "zip bomb" in answer.json()["detail"]
    assert events.found == [] and len(events.letters) == 1
    await events.close()


async def test_the_nats_push_subject(nats_url, tmp_path, web) -> None:
    web.put("/docs/c.txt", "丙单位 2024 年度部门预算", "text/plain")
    sources = write_sources(tmp_path, {"kind": "push", "http": False})
    events = await Events.listen(nats_url)
    async with service_for(nats_url, sources=sources, http_min_interval_seconds=0).running():
        connection = await nats.connect(nats_url)
        ask = lambda body: connection.request("fiscalwatch.ingest.push", json.dumps(body).encode(), timeout=10)  # noqa: E731
        data = "甲单位 2023 年度部门决算".encode()
        reply = json.loads((await ask({"name": "a.txt", "data": base64.b64encode(data).decode()})).data)
        assert reply["sha256"] == sha(data) and reply["new"] is True
        again = json.loads((await ask({"name": "a.txt", "data": base64.b64encode(data).decode()})).data)
        assert again["new"] is False
        # Told of a URL: ingest fetches it.
        fetched = json.loads((await ask({"url": web.url("/docs/c.txt")})).data)
        assert fetched["new"] is True and fetched["documents"][0]["name"] == "c.txt"
        assert "error" in json.loads((await ask({"name": "x.txt"})).data)
        assert "error" in json.loads((await connection.request("fiscalwatch.ingest.push", b"not json", timeout=10)).data)
        await connection.drain()
    await events.settle()
    assert events.names() == ["a.txt", "c.txt"]
    assert events.found[1]["data"]["source"] == "push:nats:fiscalwatch.ingest.push"
    await events.close()


async def test_the_nats_push_subject_is_off_without_a_push_source(nats_url, tmp_path) -> None:
    async with service_for(nats_url, inbox=tmp_path).running():
        connection = await nats.connect(nats_url)
        reply = await connection.request("fiscalwatch.ingest.push", json.dumps({"name": "a", "data": "eA=="}).encode(),
                                         timeout=10)
        await connection.drain()
    assert "not enabled" in json.loads(reply.data)["error"]


async def test_zips_in_a_directory_two_documents_announced_bombs_and_escapes_dead_lettered(nats_url, tmp_path) -> None:
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    (inbox / "pack.zip").write_bytes(zip_of({"a.txt": "甲单位 2023".encode(), "b.txt": "乙单位 2023".encode()}))
    (inbox / "bomb.zip").write_bytes(zip_bomb(200))
    (inbox / "evil.zip").write_bytes(zip_of({"fine.txt": b"looks fine", "../evil.txt": b"owned"}))
    for path in inbox.iterdir():
        aged(path)
    events = await Events.listen(nats_url)
    async with service_for(nats_url, inbox=inbox).running() as service:
        first = await service.scan_once()
        second = await service.scan_once()
    await events.settle()
    assert sorted(first.announced) == sorted([sha("甲单位 2023"), sha("乙单位 2023")]) and first.failed == 2
    assert second.announced == [] and second.failed == 0
    assert events.names() == ["pack.zip!a.txt", "pack.zip!b.txt"]  # nothing of the refused archives
    letters = {letter["data"]["subject"].rsplit("/", 1)[1]: letter["data"] for letter in events.letters}
    assert sorted(letters) == ["bomb.zip", "evil.zip"]
    assert "zip bomb" in letters["bomb.zip"]["reason"] and letters["bomb.zip"]["error_type"] == "ArchiveRejected"
    assert "leaves the archive" in letters["evil.zip"]["reason"] and letters["evil.zip"]["stage"] == "ingest"
    assert letters["evil.zip"]["document_sha256"] == sha((inbox / "evil.zip").read_bytes())
    await events.close()


async def test_several_sources_in_one_file(nats_url, tmp_path, web) -> None:
    for name in ("one", "two"):
        (tmp_path / name).mkdir()
        (tmp_path / name / f"{name}.txt").write_text(f"document {name}")
        (tmp_path / name / "skip.tmp").write_text("partial")
        aged(tmp_path / name / f"{name}.txt")
    web.put("/list/", '<a href="/docs/w.txt">w</a>')
    web.put("/docs/w.txt", "document web", "text/plain")
    sources = write_sources(
        tmp_path, {"kind": "directory", "path": "one"}, {"kind": "directory", "path": "two", "include": ["*.txt"]},
        {"kind": "http_listing", "url": web.url("/list/"), "link_selector": "a", "min_interval_seconds": 0})
    events = await Events.listen(nats_url)
    async with service_for(nats_url, sources=sources).running() as service:
        assert len(service.background) == 0 and len(service.ingest.watchers()) == 3
        scanned = await service.scan_once()
    await events.settle()
    assert sorted(scanned.announced) == sorted(sha(f"document {n}") for n in ("one", "two", "web"))
    assert sorted(events.names()) == ["one.txt", "two.txt", "w.txt"]
    await events.close()
