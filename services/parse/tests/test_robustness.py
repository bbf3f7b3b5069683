"""Bad input gets a clear error naming the file, within bounded time, and never anything else."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from fiscalwatch.common.document import MAX_TEXT_BYTES, SourceDocument
from fiscalwatch.common.errors import FiscalwatchError, NotADisclosure, UnreadableDocument
from fiscalwatch.parse import parse_document

NOTICE = "关于开展2024年度安全生产检查的通知\n\n各单位：\n请于10月15日前报送材料。\n\n办公室\n2024年9月1日\n"


def test_empty_file_is_unreadable_with_its_name(tmp_path: Path) -> None:
    path = tmp_path / "empty.txt"
    path.write_bytes(b"")
    with pytest.raises(UnreadableDocument) as caught:
        SourceDocument.from_path(path)
    assert str(path) in str(caught.value) and "empty" in str(caught.value)


def test_binary_bytes_are_unreadable(tmp_path: Path) -> None:
    path = tmp_path / "scan.pdf"
    path.write_bytes(b"%PDF-1.7\n\x00\x01\x02binary")
    with pytest.raises(UnreadableDocument, match="binary"):
        SourceDocument.from_path(path)


def test_undecodable_bytes_name_the_offset(tmp_path: Path) -> None:
    path = tmp_path / "latin.txt"
    path.write_bytes("预算".encode("utf-8") + b"\xff\xfe\xfd\xfc" * 3)
    with pytest.raises(UnreadableDocument, match="offset"):
        SourceDocument.from_path(path)


def test_gb18030_text_is_decoded() -> None:
    doc = SourceDocument.from_bytes("gbk.txt", "2024年部门预算\n单位：万元\n".encode("gb18030"))
    assert doc.lines[0].text == "2024年部门预算"


def test_a_50_mb_file_is_refused_quickly(tmp_path: Path) -> None:
    path = tmp_path / "huge.txt"
    with path.open("wb") as out:
        out.truncate(50 * 1024 * 1024)  # sparse: the size is what matters
    assert path.stat().st_size > MAX_TEXT_BYTES
    start = time.perf_counter()
    with pytest.raises(UnreadableDocument, match="limit"):
        SourceDocument.from_path(path)
    assert time.perf_counter() - start < 1.0


def test_a_notice_is_not_a_disclosure() -> None:
    with pytest.raises(NotADisclosure) as caught:
        parse_document(SourceDocument.from_text("notice.txt", NOTICE))
    assert caught.value.name == "notice.txt" and caught.value.reason


PORTAL_INDEXES = sorted((Path(__file__).parent / "data" / "not_disclosures").glob("*.pdf"))


@pytest.mark.parametrize("path", PORTAL_INDEXES, ids=lambda p: p.name[:2])
def test_a_portal_index_of_disclosures_is_not_one(path: Path) -> None:
    """重庆's portal pages saved as "…部门预算.pdf" (HTML): titled "…2026年预算公开", they list
    the disclosures of the department's units, but print no table and state no amount."""
    from fiscalwatch.parse.formats import read_document

    document = read_document(path.name, path.read_bytes())
    assert document.media_type == "text/html"
    with pytest.raises(NotADisclosure) as caught:
        parse_document(document)
    assert caught.value.name == path.name and "no standard table" in caught.value.reason


def test_a_disclosure_of_narrative_only_is_still_one() -> None:
    text = "武汉市某局2023年度部门决算\n一、收入支出决算总体情况说明\n2023年度收、支总计2,270.24万元。\n"
    disclosure = parse_document(SourceDocument.from_text("narrative.txt", text))
    assert not disclosure.tables and disclosure.facts


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.binary(max_size=4000))
def test_arbitrary_bytes_give_a_clear_error_or_a_disclosure(data: bytes) -> None:
    start = time.perf_counter()
    try:
        parse_document(SourceDocument.from_bytes("fuzz.bin", data))
    except FiscalwatchError as exc:
        assert exc.name == "fuzz.bin" and exc.reason
    assert time.perf_counter() - start < 2.0


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.text(alphabet=st.sampled_from(list("部门预算决算2024年度万元单位：表合计总计收入支出0123456789.,%　 \t\n（）()一二三")), max_size=3000))
def test_arbitrary_disclosure_like_text_never_crashes(text: str) -> None:
    start = time.perf_counter()
    try:
        parse_document(SourceDocument.from_text("fuzz.txt", text))
    except NotADisclosure as exc:
        assert exc.reason
    assert time.perf_counter() - start < 2.0
