"""`SourceDocument`: text decoded as published (UTF-8 with or without its byte-order mark,
GB18030; any line ending), and its lines held by column but read as `DocumentLine`s that
keep their numbers, pages and cells however they are reached."""

from __future__ import annotations

import pytest

from fiscalwatch.common.document import DocumentLine, SourceDocument


def test_a_utf8_byte_order_mark_is_not_part_of_the_first_line() -> None:
    doc = SourceDocument.from_bytes("a.txt", "\ufeff部门预算\n第二行".encode("utf-8"))
    assert doc.texts == ("部门预算", "第二行")


def test_every_line_ending_ends_a_line_and_gb18030_is_read() -> None:
    doc = SourceDocument.from_bytes("a.txt", "一\r\n二\r三\n四".encode("gb18030"))
    assert doc.texts == ("一", "二", "三", "四")


def test_lines_are_numbered_from_one_and_a_slice_keeps_their_numbers() -> None:
    doc = SourceDocument.from_text("a.txt", "一\n二\n三\n四\n")
    lines = doc.lines
    assert len(lines) == 4 and lines[0] == DocumentLine(1, "一") and lines[-1] == DocumentLine(4, "四")
    middle = lines[1:3]
    assert list(middle) == [DocumentLine(2, "二"), DocumentLine(3, "三")]
    assert middle[1:][0].number == 3 and len(lines[3:9]) == 1 and len(lines[3:1]) == 0
    assert middle.fields_where(["", "三"]) == ([3], ["三"], [None], [None])
    with pytest.raises(IndexError):
        lines[4]
    with pytest.raises(IndexError):
        middle[-3]


def test_pages_and_cells_stay_with_their_lines() -> None:
    doc = SourceDocument.from_placed_lines(
        "a.pdf", [("标题", 1, None), ("合计\t1.00", 2, ("合计", "1.00"))], "0" * 64, media_type="application/pdf", pages=2
    )
    assert list(doc.lines) == [DocumentLine(1, "标题", 1, None), DocumentLine(2, "合计\t1.00", 2, ("合计", "1.00"))]
    assert doc.lines[1:][0].cells == ("合计", "1.00") and doc.text == "标题\n合计\t1.00"
    assert doc.lines[1:].fields_where([True]) == ([2], ["合计\t1.00"], [2], [("合计", "1.00")])


def test_columns_no_line_knows_are_not_kept() -> None:
    doc = SourceDocument.from_placed_lines("a.docx", [("一", None, None), ("二", None, None)], "0" * 64)
    assert doc.line_pages is None and doc.line_cells is None
    assert list(doc.lines) == [DocumentLine(1, "一"), DocumentLine(2, "二")]
    assert list(SourceDocument.from_placed_lines("b.docx", [], "0" * 64).lines) == []
