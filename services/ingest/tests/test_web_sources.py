"""Listing pages on the web, against a real nats-server and a local HTTP server: each linked
document announced once, an unchanged page costs a 304, a changed document is a new version,
a flaky server is retried, a restarted ingest announces nothing twice."""

from __future__ import annotations

import json

import pytest
from ingest_testing import Events, sha, zip_of

from fiscalwatch.common.settings import Settings
from fiscalwatch.ingest.app import create

pytestmark = pytest.mark.integration

LISTING = """<html><body><ul class="list">
<li><a href="/docs/a.txt">甲单位2023年部门决算</a></li>
<li><a href="/docs/b.txt">乙单位2024年部门预算</a></li>
<li><a href="/about.html">关于我们</a></li>
</ul>{more}</body></html>"""


def listing_file(tmp_path, web, **extra) -> str:
    source = {"kind": "http_listing", "url": web.url("/list/"), "link_pattern": r"\.(txt|pdf|zip)$",
              "recheck_seconds": 0, "min_interval_seconds": 0, "backoff_seconds": 0.01, **extra}
    path = tmp_path / "sources.yaml"
    path.write_text(json.dumps({"sources": [source]}), encoding="utf-8")  # JSON is YAML
    return str(path)


def service_for(nats_url, sources: str, **settings):
    service = create(Settings(nats_url=nats_url, sources=sources, poll_seconds=3600, **settings))
    service.background.clear()  # passes are driven by the test
    return service


async def one_pass(nats_url, sources: str, **settings) -> list[str]:
    async with service_for(nats_url, sources, **settings).running() as service:
        return (await service.scan_once()).announced


def publish_documents(web) -> None:
    web.put("/list/", LISTING.format(more=""))
    web.put("/docs/a.txt", "甲单位 2023 年度部门决算", "text/plain; charset=utf-8")
    web.put("/docs/b.txt", "乙单位 2024 年度部门预算", "text/plain; charset=utf-8")


async def test_each_linked_document_is_announced_once_and_an_unchanged_page_costs_a_304(nats_url, tmp_path, web) -> None:
    publish_documents(web)
    sources = listing_file(tmp_path, web)
    events = await Events.listen(nats_url)
    async with service_for(nats_url, sources).running() as service:
        first = await service.scan_once()
        assert web.statuses() == [200, 200, 200]  # the page, then each linked document; not /about.html
        web.forget()
        second = await service.scan_once()
        requests = service.metrics.http_requests
        host = web.url("/").split("//")[1].split("/")[0]
        assert requests.labels(host, "200")._value.get() == 3 and requests.labels(host, "304")._value.get() == 3
    await events.settle()
    assert sorted(first.announced) == sorted([sha("甲单位 2023 年度部门决算"), sha("乙单位 2024 年度部门预算")])
    assert second.announced == [] and first.seen == second.seen == 2
    assert web.statuses() == [304, 304, 304]  # nothing changed: three conditional requests, no body
    assert events.names() == ["a.txt", "b.txt"]
    event = events.found[0]["data"]
    assert event["source"] == event["publication"] == web.url("/docs/a.txt") and event["version"] == 1
    assert event["media_type"] == "text/plain"
    assert all(hit.headers["User-Agent"].startswith("Fiscalwatch/") for hit in web.hits)
    await events.close()


async def test_a_changed_document_at_the_same_address_is_a_new_version(nats_url, tmp_path, web) -> None:
    publish_documents(web)
    sources = listing_file(tmp_path, web)
    events = await Events.listen(nats_url)
    assert len(await one_pass(nats_url, sources)) == 2
    web.put("/docs/a.txt", "甲单位 2023 年度部门决算（更正）", "text/plain; charset=utf-8")
    second = await one_pass(nats_url, sources)
    await events.settle()
    assert second == [sha("甲单位 2023 年度部门决算（更正）")]
    versions = [(e["data"]["publication"], e["data"]["version"]) for e in events.found if e["data"]["name"] == "a.txt"]
    assert versions == [(web.url("/docs/a.txt"), 1), (web.url("/docs/a.txt"), 2)]
    await events.close()


async def test_a_restarted_ingest_announces_nothing_twice_and_asks_conditionally(nats_url, tmp_path, web) -> None:
    publish_documents(web)
    sources = listing_file(tmp_path, web)
    events = await Events.listen(nats_url)
    assert len(await one_pass(nats_url, sources)) == 2
    web.forget()
    # A new service instance on the same NATS: the memory (and the validators) are in the KV bucket.
    assert await one_pass(nats_url, sources) == []
    assert web.statuses() == [304, 304, 304]
    # A new link on the page: only it is announced.
    web.put("/list/", LISTING.format(more='<a href="/docs/c.txt">丙单位</a>'))
    web.put("/docs/c.txt", "丙单位 2024 年度部门预算", "text/plain")
    assert await one_pass(nats_url, sources) == [sha("丙单位 2024 年度部门预算")]
    await events.settle()
    assert events.names() == ["a.txt", "b.txt", "c.txt"]
    await events.close()


async def test_a_flaky_server_is_retried(nats_url, tmp_path, web) -> None:
    publish_documents(web)
    web.put("/docs/a.txt", "甲单位 2023 年度部门决算", "text/plain", failures=2)
    web.put("/list/", LISTING.format(more=""), failures=2, retry_after="0")
    assert len(await one_pass(nats_url, listing_file(tmp_path, web))) == 2
    assert web.statuses("/list/") == [503, 503, 200]
    assert web.statuses("/docs/a.txt") == [503, 503, 200]


async def test_a_server_failing_for_good_is_tried_again_next_pass(nats_url, tmp_path, web) -> None:
    publish_documents(web)
    web.put("/docs/a.txt", "甲单位 2023 年度部门决算", "text/plain", failures=5)
    sources = listing_file(tmp_path, web, retries=1)
    async with service_for(nats_url, sources).running() as service:
        first = await service.scan_once()
        assert first.failed == 1 and first.announced == [sha("乙单位 2024 年度部门预算")]
        assert web.statuses("/docs/a.txt") == [503, 503]
        web.resources["/docs/a.txt"].failures = 0
        second = await service.scan_once()
    assert second.announced == [sha("甲单位 2023 年度部门决算")] and second.failed == 0


async def test_next_pages_are_followed_up_to_the_limit(nats_url, tmp_path, web) -> None:
    web.put("/list/", '<a href="/docs/1.txt">1</a><a class="next" href="/list/2">next</a>')
    web.put("/list/2", '<a href="/docs/2.txt">2</a><a class="next" href="/list/3">next</a>')
    web.put("/list/3", '<a href="/docs/3.txt">3</a>')
    for n in (1, 2, 3):
        web.put(f"/docs/{n}.txt", f"document {n}", "text/plain")
    sources = listing_file(tmp_path, web, next_page={"selector": "a.next", "max_pages": 2})
    async with service_for(nats_url, sources).running() as service:
        assert len((await service.scan_once()).announced) == 2
        assert "/list/3" not in [hit.path for hit in web.hits]
        web.forget()
        assert (await service.scan_once()).announced == []
    assert web.statuses("/list/") == web.statuses("/list/2") == [304]  # page 2 found from the remembered page 1


async def test_an_archive_on_the_web_is_announced_member_by_member(nats_url, tmp_path, web) -> None:
    web.put("/list/", '<a href="/docs/2023.zip">2023年预决算</a>')
    web.put("/docs/2023.zip", zip_of({"甲.txt": "甲单位 2023".encode(), "sub/乙.txt": "乙单位 2023".encode()}),
            "application/zip")
    events = await Events.listen(nats_url)
    sources = listing_file(tmp_path, web)
    assert len(await one_pass(nats_url, sources)) == 2
    assert await one_pass(nats_url, sources) == []
    await events.settle()
    assert events.names() == ["2023.zip!甲.txt", "2023.zip!sub/乙.txt"]
    assert events.found[1]["data"]["publication"] == web.url("/docs/2023.zip") + "!sub/乙.txt"
    assert events.found[1]["data"]["source"] == web.url("/docs/2023.zip")
    await events.close()
