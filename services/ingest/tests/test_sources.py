"""The sources file, pure: kinds, defaults, and the mistakes it refuses."""

from __future__ import annotations

from pathlib import Path

import pytest

from fiscalwatch.ingest.sources import (
    DirectorySource, HttpListingSource, PushSource, SourcesError, default_sources, load_sources, parse_sources,
)

EXAMPLE = """
sources:
  - kind: directory
    path: inbox
    include: ["*.pdf", "*.zip"]
    recursive: false
  - kind: directory
    name: shared
    path: /mnt/share
    poll_seconds: 60
  - kind: http_listing
    url: https://www.example.gov.cn/zfxxgk/czyjs/
    link_selector: "ul.list a"
    next_page: {selector: "a.next", max_pages: 3}
    poll_seconds: 3600
    min_interval_seconds: 2
  - kind: http_listing
    url: https://czj.example.gov.cn/ysgk/
    link_pattern: '\\.(pdf|xlsx|zip)$'
  - kind: push
    nats: false
"""


def test_several_sources_of_each_kind(tmp_path) -> None:
    (tmp_path / "sources.yaml").write_text(EXAMPLE, encoding="utf-8")
    first, shared, listing, other, push = load_sources(tmp_path / "sources.yaml")
    assert isinstance(first, DirectorySource) and first.path == tmp_path / "inbox"  # relative to the file
    assert first.include == ("*.pdf", "*.zip") and not first.recursive and first.exclude[0] == ".*"
    assert shared.label == "shared" and shared.path == Path("/mnt/share") and shared.poll_seconds == 60
    assert isinstance(listing, HttpListingSource) and listing.next_page.max_pages == 3
    assert listing.label == "https://www.example.gov.cn/zfxxgk/czyjs/" and listing.min_interval_seconds == 2
    assert other.link_pattern == r"\.(pdf|xlsx|zip)$" and other.next_page is None and other.recheck_seconds == 86400
    assert isinstance(push, PushSource) and push.http and not push.nats and push.subject == "fiscalwatch.ingest.push"


def test_a_bare_list_is_enough() -> None:
    [source] = parse_sources("- {kind: directory, path: /in}")
    assert source.label == "inbox:/in"


def test_without_a_sources_file_the_inbox_alone_and_push_with_a_token() -> None:
    [inbox] = default_sources(Path("inbox"), push=False)
    assert inbox.path == Path("inbox") and inbox.recursive and inbox._inbox and inbox.label == "inbox:inbox"
    _, push = default_sources(Path("inbox"), push=True)
    assert push.http and not push.nats


@pytest.mark.parametrize(("text", "complaint"), [
    ("sources: [{kind: ftp, url: x}]", "does not match any of the expected tags"),
    ("sources: [{kind: http_listing, url: 'ftp://x/'}]", "not an http"),
    ("sources: [{kind: http_listing, url: 'https://x/'}]", "link_selector or link_pattern"),
    ("sources: [{kind: http_listing, url: 'https://x/', link_selector: 'a['}]", "CSS selector"),
    ("sources: [{kind: http_listing, url: 'https://x/', link_pattern: '(pdf'}]", "regular expression"),
    ("sources: [{kind: http_listing, url: 'https://x/', link_pattern: pdf, next_page: {max_pages: 2}}]",
     "selector or a pattern"),
    ("sources: [{kind: directory, path: a}, {kind: directory, path: a}]", "distinct names"),
    ("sources: [{kind: push}, {kind: push, name: again}]", "at most one push"),
    ("sources: [{kind: directory, path: a, recursve: false}]", "Extra inputs"),
    ("sources: []", "at least 1"),
    ("sources: [", "not valid YAML"),
    ("just text", "mapping"),
])
def test_mistakes_are_refused_with_the_reason(text, complaint) -> None:
    with pytest.raises(SourcesError, match=complaint):
        parse_sources(text)


def test_a_missing_file_says_so(tmp_path) -> None:
    with pytest.raises(SourcesError, match="cannot read"):
        load_sources(tmp_path / "nope.yaml")
