"""Listing pages and HTTP politeness, pure: links picked by a rule, the next page, conditional
headers, retry delays, the per-host pace, file names."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from email.utils import format_datetime

from fiscalwatch.ingest.listing import (
    HostPacer, backoff, conditional_headers, extract_links, host_of, name_from, next_page, retry_after, retryable,
    url_key, validators,
)

PAGE = """<html><head><meta charset="utf-8"><title>预决算公开</title></head><body>
<div class="nav"><a href="/">首页</a> <a href="mailto:x@example.gov.cn">信箱</a></div>
<ul class="list">
  <li><a href="2024/t20240201_1.pdf">2024年部门预算</a></li>
  <li><a href="./2023/t20230801_2.html#top">2023年部门决算</a></li>
  <li><a href="http://other.example.org/file.xlsx">附件</a></li>
  <li><a href="2024/t20240201_1.pdf">2024年部门预算（重复）</a></li>
  <li><span class="attachment"><a href="javascript:void(0)">下载</a></span></li>
</ul>
<div class="page"><a class="prev" href="index.html">上一页</a><a class="next" href="index_2.html">下一页</a></div>
</body></html>"""
BASE = "https://www.example.gov.cn/zfxxgk/czyjs/index_1.html"


def test_a_css_selector_picks_links_made_absolute_in_page_order_each_once() -> None:
    links = extract_links(PAGE.encode(), BASE, selector="ul.list li")
    assert [link.url for link in links] == [
        "https://www.example.gov.cn/zfxxgk/czyjs/2024/t20240201_1.pdf",
        "https://www.example.gov.cn/zfxxgk/czyjs/2023/t20230801_2.html",  # fragment dropped
        "http://other.example.org/file.xlsx",
    ]
    assert links[0].text == "2024年部门预算"


def test_a_pattern_matches_the_href_or_the_text() -> None:
    assert [link.url.rsplit("/", 1)[1] for link in extract_links(PAGE, BASE, pattern=r"\.pdf$")] == ["t20240201_1.pdf"]
    assert [link.text for link in extract_links(PAGE, BASE, pattern="决算")] == ["2023年部门决算"]
    # Both: a link must satisfy both.
    assert extract_links(PAGE, BASE, selector="ul.list a", pattern="xlsx")[0].text == "附件"
    assert extract_links(PAGE, BASE, selector="div.nav a", pattern="pdf") == []


def test_a_base_element_and_an_encoding_other_than_utf8_are_respected() -> None:
    page = '<html><head><meta charset="gbk"><base href="https://cdn.example.gov.cn/files/"></head>' \
           '<body><a href="决算.pdf">2023年决算</a></body></html>'
    [link] = extract_links(page.encode("gbk"), BASE, pattern="决算")
    assert link.url == "https://cdn.example.gov.cn/files/决算.pdf" and link.text == "2023年决算"


def test_the_next_page() -> None:
    assert next_page(PAGE, BASE, selector="a.next") == "https://www.example.gov.cn/zfxxgk/czyjs/index_2.html"
    assert next_page(PAGE, BASE, pattern="下一页") == "https://www.example.gov.cn/zfxxgk/czyjs/index_2.html"
    assert next_page(PAGE, BASE, selector="a.missing") is None
    assert next_page(PAGE, "https://www.example.gov.cn/zfxxgk/czyjs/index_2.html", selector="a.next") is None


def test_conditional_requests_use_what_the_last_answer_said() -> None:
    kept = validators({"etag": '"abc"', "last-modified": "Wed, 01 May 2024 00:00:00 GMT", "content-type": "x"})
    assert kept == {"etag": '"abc"', "last_modified": "Wed, 01 May 2024 00:00:00 GMT"}
    assert conditional_headers(kept) == {"If-None-Match": '"abc"', "If-Modified-Since": "Wed, 01 May 2024 00:00:00 GMT"}
    assert conditional_headers(None) == {} and conditional_headers({"etag": None}) == {}


def test_retries_back_off_exponentially_and_honour_retry_after() -> None:
    assert [retryable(s) for s in (200, 304, 404, 429, 500, 503)] == [False, False, False, True, True, True]
    assert [backoff(n, 0.5) for n in (1, 2, 3, 4)] == [0.5, 1.0, 2.0, 4.0]
    assert backoff(10, 1.0, cap=30) == 30
    assert backoff(1, 0.5, asked=7) == 7 and backoff(3, 4.0, asked=1) == 16
    now = datetime(2024, 5, 1, tzinfo=timezone.utc)
    assert retry_after("120") == 120.0
    assert retry_after(format_datetime(now + timedelta(seconds=90), usegmt=True), now) == 90.0
    assert retry_after("soon") is None and retry_after(None) is None


def test_the_pace_per_host() -> None:
    pacer = HostPacer(interval=2.0)
    assert pacer.reserve("a.gov.cn", now=100.0) == 0  # first request: at once
    assert pacer.reserve("a.gov.cn", now=100.5) == 1.5  # then one every 2 s
    assert pacer.reserve("a.gov.cn", now=100.5) == 3.5  # queued behind the previous booking
    assert pacer.reserve("b.gov.cn", now=100.5) == 0  # other hosts are independent
    assert pacer.reserve("a.gov.cn", now=200.0) == 0  # long after: at once
    assert pacer.reserve("a.gov.cn", now=200.0, interval=0) == 2.0  # a source's own interval for its turn
    assert host_of("https://user@WWW.Example.gov.cn:8443/x") == "www.example.gov.cn:8443"


def test_file_names_and_memory_keys() -> None:
    assert name_from("https://h/a/%E5%86%B3%E7%AE%97.pdf?id=1") == "决算.pdf"
    assert name_from("https://h/download?id=1", 'attachment; filename="2023 决算.pdf"') == "2023 决算.pdf"
    assert name_from("https://h/d", "attachment; filename*=UTF-8''%E9%A2%84%E7%AE%97.xlsx") == "预算.xlsx"
    assert name_from("https://h/d", 'attachment; filename="../../etc/a!b.pdf"') == "a_b.pdf"
    assert name_from("https://h.gov.cn/") == "h.gov.cn.html"
    assert name_from("https://h/download", None, "application/pdf") == "download.pdf"
    assert name_from("https://h/art/2024/t20240201_9", None, "text/html; charset=gbk") == "t20240201_9.html"
    assert name_from("https://h/a.v2", None, "application/x-unknown") == "a.v2"
    keys = {url_key("https://h/a"), url_key("https://h/b"), url_key("https://h/a", "page")}
    assert len(keys) == 3 and all(all(c.isalnum() or c in "._-" for c in key) for key in keys)
