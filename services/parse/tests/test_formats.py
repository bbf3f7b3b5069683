"""Reading the formats disclosures are published in (DOCX, XLSX, HTML; text as the reference).

The central property: a seed rendered as DOCX, XLSX or HTML (tables as real tables, see
`format_fixtures`) parses to the same disclosure as the seed's text — the same metadata, the
same tables with the same rows, cells, values, printed numbers and units, the same identities,
the same narrative facts. Only where things are (line numbers) may differ.
"""

from __future__ import annotations

import io
import re
import sys
import zipfile
from decimal import Decimal
from pathlib import Path

import pytest

# The renderings come from format_fixtures.py beside this file (tests run in importlib mode).
sys.path.insert(0, str(Path(__file__).parent))
import format_fixtures as ff  # noqa: E402

from fiscalwatch.common.document import SourceDocument
from fiscalwatch.common.errors import UnreadableDocument
from fiscalwatch.common.model import Amount, Disclosure
from fiscalwatch.parse import formats
from fiscalwatch.parse.cli import EXIT_OK, EXIT_UNREADABLE, check
from fiscalwatch.parse.core import parse_document
from fiscalwatch.parse.formats import detect_format, read_document, read_path  # noqa: E402

SEEDS = Path(__file__).parent / "data" / "seeds"
# The seeds whose tables are tab-separated (one table row per line, cells between tabs).
TAB_SEEDS = ["001_6180a20aa6797444", "003_89e238493e659a45"]
RENDER = {"docx": ff.to_docx, "xlsx": ff.to_xlsx, "html": ff.to_html}
MEDIA = {
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "html": "text/html",
    "text": "text/plain",
}

_texts: dict[str, str] = {}
_parsed: dict[str, Disclosure] = {}


def seed_text(seed: str) -> str:
    if seed not in _texts:
        _texts[seed] = (SEEDS / f"{seed}.txt").read_text(encoding="utf-8")
    return _texts[seed]


def text_disclosure(seed: str) -> Disclosure:
    if seed not in _parsed:
        _parsed[seed] = parse_document(SourceDocument.from_bytes(f"{seed}.txt", (SEEDS / f"{seed}.txt").read_bytes()))
    return _parsed[seed]


# --- what "the same extract" means ------------------------------------------------------


def amount(a: Amount | None, raw: bool = True):
    if a is None:
        return None
    return (a.value, a.unit.value, a.raw) if raw else (a.value, a.unit.value)


def table_extract(t, raw: bool = True) -> dict:
    return {
        "number": t.number,
        "title": t.title,
        "unit": t.unit.value,
        "declared_empty": t.declared_empty,
        "empty_note": t.empty_note,
        "columns": [(c.id, c.label) for c in t.columns],
        "rows": [
            (r.key, r.key_kind, r.label, r.code, r.printed_code, r.line_number, r.level)
            for r in t.rows
        ],
        "cells": {
            (r.key, column): amount(a, raw) for r in t.rows for column, a in r.cells.items()
        },
        "identities": [(i.axis, i.target, [(x.sign, x.ref) for x in i.terms], i.origin, i.text) for i in t.identities],
    }


def fact_extract(f, raw: bool = True) -> tuple:
    change = f.change and (f.change.direction, amount(f.change.amount, raw),
                           f.change.rate and (f.change.rate.value, f.change.rate.raw),
                           f.change.base_year, amount(f.change.base_amount, raw))
    share = f.share and (f.share.rate.value, f.share.rate.raw, f.share.of)
    completion = f.completion and (amount(f.completion.budget, raw),
                                   f.completion.rate and f.completion.rate.value)
    return (f.quantity, f.scope, f.subject, f.year, amount(f.amount, raw), change, share, completion)


def assert_same_extract(expected: Disclosure, actual: Disclosure, raw: bool = True) -> None:
    """Table by table, row by row, cell by cell; then the facts; then the coverage."""
    assert actual.metadata == expected.metadata
    assert [t.template_id for t in actual.tables] == [t.template_id for t in expected.tables]
    for want, got in zip(expected.tables, actual.tables):
        w, g = table_extract(want, raw), table_extract(got, raw)
        for part in w:
            if part == "cells":
                missing = {k: v for k, v in w["cells"].items() if g["cells"].get(k) != v}
                extra = {k: v for k, v in g["cells"].items() if k not in w["cells"]}
                assert not missing and not extra, f"{want.template_id}: cells differ {missing=} {extra=}"
            else:
                assert g[part] == w[part], f"{want.template_id}: {part} differ"
    assert len(actual.facts) == len(expected.facts)
    for i, (want, got) in enumerate(zip(expected.facts, actual.facts)):
        assert fact_extract(got, raw) == fact_extract(want, raw), f"fact {i}: {want.sentence[:60]}"
    assert actual.coverage.tables_found == expected.coverage.tables_found
    assert actual.coverage.tables_missing == expected.coverage.tables_missing
    assert actual.coverage.tables_declared_empty == expected.coverage.tables_declared_empty
    # what was not understood is the same text (its line numbers differ)
    unread = lambda d: sorted(re.sub(r"\s+", "", _same_numbers(u.text, raw)) for u in d.coverage.unread_lines)  # noqa: E731
    assert unread(actual) == unread(expected)


def _same_numbers(text: str, raw: bool) -> str:
    """`text`, or (when printed numbers may differ: an XLSX without number formats prints
    4,342.30 as 4342.3) `text` with every number in its shortest form."""
    if raw:
        return text
    return re.sub(r"\d[\d,]*(?:\.\d+)?", lambda m: f"{Decimal(m.group().replace(',', '')).normalize():f}", text)


def assert_sources_point_into(document: SourceDocument, disclosure: Disclosure) -> None:
    """Every cell's and fact's source is a line of the read document that prints its amount."""
    lines = {line.number: line for line in document.lines}
    for table in disclosure.tables:
        for row in table.rows:
            for cell in row.cells.values():
                line = lines[cell.source.line]
                assert cell.raw in line.text
                assert line.page == cell.source.page
    for fact in disclosure.facts:
        assert fact.source.line in lines


# --- each format parses to the same disclosure as the text ------------------------------


@pytest.mark.parametrize("fmt", ["docx", "xlsx", "html"])
@pytest.mark.parametrize("seed", TAB_SEEDS)
def test_each_format_parses_to_the_same_extract_as_the_text(seed: str, fmt: str) -> None:
    expected = text_disclosure(seed)
    assert len(expected.tables) >= 8 and sum(len(t.rows) for t in expected.tables) > 100
    data = RENDER[fmt](seed_text(seed))
    document = read_document(f"{seed}.{fmt}", data)
    assert document.media_type == MEDIA[fmt]
    assert sum(1 for line in document.lines if line.cells) > 200  # the tables were tables
    actual = parse_document(document)
    assert_same_extract(expected, actual)
    assert actual.document.media_type == MEDIA[fmt]
    assert actual.document.sha256 == document.sha256
    assert_sources_point_into(document, actual)


def test_xlsx_amounts_are_read_back_exactly_from_floats_without_number_formats() -> None:
    """Amounts as plain float cells ("General" format): 15.00 is stored as 15.0 and read as
    "15" - the same value; 0.1-style floats never read as 0.10000000000000001."""
    seed = TAB_SEEDS[0]
    text = seed_text(seed)
    workbook_bytes = ff.to_xlsx(text)
    import openpyxl

    workbook = openpyxl.load_workbook(io.BytesIO(workbook_bytes))
    for row in workbook.active.iter_rows():
        for cell in row:
            cell.number_format = "General"
    out = io.BytesIO()
    workbook.save(out)
    actual = parse_document(read_document(f"{seed}.xlsx", out.getvalue()))
    assert_same_extract(text_disclosure(seed), actual, raw=False)
    raws = {c.raw for t in actual.tables for r in t.rows for c in r.cells.values()}
    assert "4342.35" in raws and not any(len(r.split(".")[-1]) > 2 for r in raws if "." in r)


def test_xlsx_with_a_sheet_per_table_points_each_cell_to_its_sheet() -> None:
    seed = TAB_SEEDS[0]
    expected = text_disclosure(seed)
    captions = [t.source.line for t in expected.tables]
    data = ff.to_xlsx(seed_text(seed), sheet_at=set(captions))
    document = read_document(f"{seed}.xlsx", data)
    assert document.pages == len(captions) + 1
    actual = parse_document(document)
    assert_same_extract(expected, actual)
    for index, table in enumerate(actual.tables, start=2):
        assert table.source.page == index
        assert all(c.source.page == index for r in table.rows for c in r.cells.values())
    assert_sources_point_into(document, actual)


def test_html_in_gb18030_declared_as_gbk_reads_the_same() -> None:
    seed = TAB_SEEDS[1]
    data = ff.to_html(seed_text(seed), encoding="gbk")
    with pytest.raises(UnicodeDecodeError):
        data.decode("utf-8")
    assert_same_extract(text_disclosure(seed), parse_document(read_document(f"{seed}.htm", data)))


def test_flattened_seed_reads_the_same_from_docx() -> None:
    """A seed without tab tables (its tables flattened into lines) is paragraphs in DOCX."""
    seed = "000_d606ceb80bbf38c6"
    actual = parse_document(read_document(f"{seed}.docx", ff.to_docx(seed_text(seed))))
    assert_same_extract(text_disclosure(seed), actual)


# --- the content decides, not the name ---------------------------------------------------


def test_a_docx_named_pdf_is_read_as_docx(tmp_path: Path) -> None:
    seed = TAB_SEEDS[0]
    path = tmp_path / "公开.pdf"
    path.write_bytes(ff.to_docx(seed_text(seed)))
    document = read_path(path)
    assert document.media_type == MEDIA["docx"] and document.name == str(path)
    assert_same_extract(text_disclosure(seed), parse_document(document))


def test_a_text_file_named_xlsx_is_read_as_text(tmp_path: Path) -> None:
    seed = TAB_SEEDS[1]
    path = tmp_path / "决算.xlsx"
    path.write_bytes((SEEDS / f"{seed}.txt").read_bytes())
    document = read_path(path)
    assert document.media_type == "text/plain"
    assert_same_extract(text_disclosure(seed), parse_document(document))


def test_declared_media_type_is_only_a_hint() -> None:
    seed = TAB_SEEDS[0]
    data = ff.to_html(seed_text(seed))
    document = read_document("download.pdf", data, media_type="application/pdf")
    assert document.media_type == "text/html"
    xlsx = read_document("x.bin", ff.to_xlsx(seed_text(seed)), media_type="application/octet-stream")
    assert xlsx.media_type == MEDIA["xlsx"]
    # where the content leaves it open (a fragment of markup), a declared HTML type decides
    fragment = "部门预算<br>单位：万元<table><tr><td>合计</td><td>1.00</td></tr></table>".encode("utf-8")
    assert read_document("f", fragment).media_type == "text/plain"
    as_html = read_document("f", fragment, media_type="text/html; charset=utf-8")
    assert as_html.media_type == "text/html" and as_html.lines[-1].cells == ("合计", "1.00")


def test_sha256_is_of_the_original_bytes() -> None:
    import hashlib

    data = ff.to_docx(seed_text(TAB_SEEDS[0]))
    assert read_document("a.docx", data).sha256 == hashlib.sha256(data).hexdigest()


@pytest.mark.parametrize(
    "data, expected",
    [
        (b"%PDF-1.7\n...", "pdf"),
        (b"\n%PDF-1.4", "pdf"),
        (b"<!DOCTYPE html><html><body><p>x</p></body></html>", "html"),
        (b"  <table><tr><td>1</td></tr></table>", "html"),
        ("2023年度部门决算\n项目\t金额\n说明：<table> 不是标记".encode("utf-8"), "text"),
        ("部门预算".encode("gb18030"), "text"),
    ],
)
def test_detect_format_by_content(data: bytes, expected: str) -> None:
    assert detect_format("x", data) == expected


# --- what cannot be read says why ----------------------------------------------------------


def _zip(entries: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in entries.items():
            archive.writestr(name, content)
    return out.getvalue()


def reason_of(data: bytes, name: str = "x.docx") -> str:
    with pytest.raises(UnreadableDocument) as caught:
        read_document(name, data)
    assert caught.value.name == name
    return caught.value.reason


def test_empty_file() -> None:
    assert reason_of(b"") == "the file is empty"
    assert reason_of(b"  \n\t ") == "the file is empty"


def test_a_zip_that_is_not_a_document() -> None:
    reason = reason_of(_zip({"2023/决算.pdf": b"%PDF-1.4", "readme.txt": b"hi"}), "bundle.zip")
    assert reason == "a zip archive, not a document (archives are unpacked by ingest)"


def test_legacy_doc_and_xls_are_an_unsupported_format() -> None:
    header = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 504
    doc = reason_of(header + "WordDocument".encode("utf-16-le") + b"\x00" * 64, "old.doc")
    assert "unsupported format" in doc and ".doc" in doc
    xls = reason_of(header + "Workbook".encode("utf-16-le"), "old.xls")
    assert "unsupported format" in xls and ".xls" in xls
    assert "unsupported format" in reason_of(header, "old.bin")


def test_truncated_docx_and_xlsx() -> None:
    docx_bytes = ff.to_docx(seed_text(TAB_SEEDS[0]))
    reason = reason_of(docx_bytes[: len(docx_bytes) // 2])
    assert "damaged or truncated DOCX" in reason
    xlsx_bytes = ff.to_xlsx(seed_text(TAB_SEEDS[0]))
    assert "damaged or truncated XLSX" in reason_of(xlsx_bytes[:-100], "x.xlsx")


def test_a_docx_with_a_broken_part_is_damaged() -> None:
    original = zipfile.ZipFile(io.BytesIO(ff.to_docx("第一段\n项目\t金额")))
    entries = {n: original.read(n) for n in original.namelist()}
    entries["word/document.xml"] = b"<w:document><w:body><w:p>"  # cut off
    reason = reason_of(_zip(entries))
    assert reason.startswith("a damaged DOCX file that cannot be read")


def test_other_recognised_formats_are_named() -> None:
    assert "RTF" in reason_of(b"{\\rtf1\\ansi hello}", "a.doc")
    assert "PNG image" in reason_of(b"\x89PNG\r\n\x1a\n" + b"\x00" * 20, "scan.pdf")
    odt = _zip({"mimetype": b"application/vnd.oasis.opendocument.text", "content.xml": b"<x/>"})
    assert "OpenDocument" in reason_of(odt, "a.odt")


def test_size_limit(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    assert formats.MAX_DOCUMENT_BYTES == 50 * 1024 * 1024
    monkeypatch.setattr(formats, "MAX_DOCUMENT_BYTES", 1000)
    assert "over the 1,000-byte limit" in reason_of(b"x" * 1001, "big.txt")
    path = tmp_path / "big.pdf"
    path.write_bytes(b"%PDF-" + b"x" * 2000)
    with pytest.raises(UnreadableDocument, match="over the 1,000-byte limit"):
        read_path(path)


def test_a_broken_pdf_is_unreadable_whether_or_not_the_pdf_reader_is_installed() -> None:
    with pytest.raises(UnreadableDocument):
        read_document("broken.pdf", b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj << >> endobj\n")


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(UnreadableDocument):
        read_path(tmp_path / "nope.docx")


# --- the readers' line structure -------------------------------------------------------------


def test_html_tables_merged_cells_keep_columns_aligned() -> None:
    page = """<html><head><meta charset="utf-8"><title>标题不读</title>
    <script>document.write("1,234.00")</script><style>.a{}</style></head><body>
    <h2>2024年部门预算</h2><p>第一行<br>第二行，支出
    1,234.00万元。</p>
    <table>
      <tr><td colspan="4">单位：万元</td></tr>
      <tr><th rowspan="2">项目</th><th colspan="3">本年支出</th></tr>
      <tr><th>合计</th><th>基本支出</th><th>项目支出</th></tr>
      <tr><td>合计</td><td>1,234.00</td><td>1,000.00</td><td>234.00</td></tr>
      <tr><td rowspan="2">一般公共<br>服务支出</td><td>10.00</td><td></td><td>10.00</td></tr>
      <tr><td>5.00</td><td>5.00</td></tr>
      <tr><td></td><td></td><td></td><td></td></tr>
    </table><div>注：本表无<!-- comment -->其他</div></body></html>"""
    document = read_document("a.html", page.encode("utf-8"))
    got = [(line.text, line.cells) for line in document.lines]
    assert got == [
        ("2024年部门预算", None),
        ("第一行", None),
        ("第二行，支出 1,234.00万元。", None),
        ("单位：万元", None),  # one cell across the table: a plain line
        ("项目\t本年支出\t\t", ("项目", "本年支出", "", "")),
        ("\t合计\t基本支出\t项目支出", ("", "合计", "基本支出", "项目支出")),
        ("合计\t1,234.00\t1,000.00\t234.00", ("合计", "1,234.00", "1,000.00", "234.00")),
        ("一般公共服务支出\t10.00\t\t10.00", ("一般公共服务支出", "10.00", "", "10.00")),
        ("\t5.00\t5.00", ("", "5.00", "5.00")),
        ("注：本表无其他", None),
    ]


def test_html_layout_tables_and_preformatted_text() -> None:
    """Portals lay pages out with a table whose cells hold the content (and its tables)."""
    page = """<html><body><table width="100%"><tr><td>导航</td></tr><tr><td>
      <p>收入决算表</p>
      <table><tr><td>项目</td><td>金额</td></tr><tr><td>合计</td><td>4,342.35</td></tr></table>
      <p>说明</p></td></tr></table>
      <pre>项目\t金额
合计\t1.00</pre></body></html>"""
    document = read_document("a.htm", page.encode("utf-8"))
    assert [(line.text, line.cells) for line in document.lines] == [
        ("导航", None),
        ("收入决算表", None),
        ("项目\t金额", ("项目", "金额")),
        ("合计\t4,342.35", ("合计", "4,342.35")),
        ("说明", None),
        ("项目\t金额", None),  # a tab line of its own: read by the tab layout as any text
        ("合计\t1.00", None),
    ]


def test_pdf_goes_to_the_pdf_reader_and_keeps_the_original_digest(monkeypatch: pytest.MonkeyPatch) -> None:
    import hashlib
    import types

    calls = []

    def fake_read(name: str, data: bytes) -> SourceDocument:
        calls.append(name)
        return SourceDocument.from_text(name, "2023年度某局部门决算")

    fake = types.ModuleType("fiscalwatch.parse.formats.pdf")
    fake.read = fake_read
    monkeypatch.setitem(sys.modules, "fiscalwatch.parse.formats.pdf", fake)
    monkeypatch.setattr(formats, "pdf", fake, raising=False)
    data = b"%PDF-1.7\n" + b"x" * 100
    document = read_document("named.docx", data)
    assert calls == ["named.docx"]
    assert document.media_type == "application/pdf"
    assert document.sha256 == hashlib.sha256(data).hexdigest()


def test_docx_reads_paragraphs_and_tables_in_body_order_with_merged_cells() -> None:
    import docx

    document = docx.Document()
    document.add_paragraph("2024年度某局部门预算")
    table = document.add_table(rows=3, cols=3)
    table.cell(0, 0).merge(table.cell(1, 0)).text = "项目"  # vertical merge
    table.cell(0, 1).merge(table.cell(0, 2)).text = "金额"  # horizontal merge
    table.cell(1, 1).text, table.cell(1, 2).text = "上年", "本年"
    table.cell(2, 0).text, table.cell(2, 1).text, table.cell(2, 2).text = "合计", "1.00", "2.50"
    document.add_paragraph("说明：本年\t支出")
    paragraph = document.add_paragraph("第一行")
    paragraph.add_run().add_break()
    paragraph.add_run("第二行")
    out = io.BytesIO()
    document.save(out)
    read = read_document("a.docx", out.getvalue())
    assert [(line.number, line.text, line.cells, line.page) for line in read.lines] == [
        (1, "2024年度某局部门预算", None, None),
        (2, "项目\t金额\t", ("项目", "金额", ""), None),
        (3, "\t上年\t本年", ("", "上年", "本年"), None),
        (4, "合计\t1.00\t2.50", ("合计", "1.00", "2.50"), None),
        (5, "说明：本年\t支出", None, None),  # a tab typed in a paragraph stays a tab
        (6, "第一行", None, None),
        (7, "第二行", None, None),
    ]


def test_xlsx_sheets_are_pages_and_numbers_print_without_float_artefacts() -> None:
    import openpyxl

    workbook = openpyxl.Workbook()
    first = workbook.active
    first.title = "封面"
    first.append(["2024年度某局部门决算"])
    second = workbook.create_sheet("公开01表")
    second.append(["项目", "行次", "金额", None, None])
    second.append(["合计", 1, 1099.73, 1234.5, 3.0])
    second.append([None, None, None])  # an empty row
    second.append(["一般", 2, 1099.73, 15.0, 2080505])
    second["C4"].number_format = "#,##0.00"
    second["D4"].number_format = "0.00"
    second.merge_cells("A6:C6")
    second["A6"] = "注：本表金额单位为万元"
    hidden = workbook.create_sheet("草稿")
    hidden.append(["不公开", 1])
    hidden.sheet_state = "hidden"
    out = io.BytesIO()
    workbook.save(out)
    read = read_document("a.xlsx", out.getvalue())
    assert read.pages == 3
    assert [(line.text, line.cells, line.page) for line in read.lines] == [
        ("封面", None, 1),
        ("2024年度某局部门决算", None, 1),
        ("公开01表", None, 2),
        ("项目\t行次\t金额", ("项目", "行次", "金额"), 2),
        ("合计\t1\t1099.73\t1234.5\t3", ("合计", "1", "1099.73", "1234.5", "3"), 2),
        ("一般\t2\t1,099.73\t15.00\t2080505", ("一般", "2", "1,099.73", "15.00", "2080505"), 2),
        ("注：本表金额单位为万元", None, 2),
    ]


@pytest.mark.parametrize(
    "value, number_format, printed",
    [
        (0.1 + 0.2, "General", "0.30000000000000004"),  # what the float is, not 0.3000000000000000444
        (1099.73, "General", "1099.73"),
        (15.0, "General", "15"),
        (1e16, "General", "10000000000000000"),
        (5, "0.00", "5.00"),
        (1099.73, "#,##0.00", "1,099.73"),
        (1234.5678, "0.00", "1234.57"),  # as the sheet displays it
        (1234.56, "#,##0", "1,234.56"),  # a format without decimals does not drop an amount's
        (0.1234, "0.00%", "12.34%"),
        (-1.5, "#,##0.00_);[Red]\\(#,##0.00\\)", "-1.50"),
        (42, '0.00"万元"', "42.00"),
    ],
)
def test_xlsx_number_printing(value, number_format: str, printed: str) -> None:
    from fiscalwatch.parse.formats.xlsx import format_number

    assert format_number(value, number_format) == printed


# --- `fiscalwatch check` and the service read every format -----------------------------------


def _report_summary(out: str) -> list[str]:
    """The report's department, region, year and table lines, without file names and line
    numbers (which differ between formats)."""
    keep = []
    for line in out.splitlines():
        if line.startswith(("department", "region", "year", "tables (")) or re.match(r"  \w+\.\w+", line):
            keep.append(re.sub(r"\s+line \d+$", "", line))
    return keep


def test_check_on_a_docx_prints_the_same_as_on_the_text(tmp_path: Path) -> None:
    seed = TAB_SEEDS[0]
    docx_path = tmp_path / f"{seed}.docx"
    docx_path.write_bytes(ff.to_docx(seed_text(seed)))
    results = {}
    for path in (SEEDS / f"{seed}.txt", docx_path):
        out, err = io.StringIO(), io.StringIO()
        code = check([path], "text", out, err, validate=lambda d, doc: [])
        assert code == EXIT_OK, err.getvalue()
        results[path.suffix] = _report_summary(out.getvalue())
    assert results[".docx"] == results[".txt"]
    assert any("武汉市医疗保障局" in line for line in results[".docx"])
    assert sum(1 for line in results[".docx"] if re.match(r"  (final|budget)\.", line)) >= 8


def test_check_reports_an_unreadable_file_with_its_reason(tmp_path: Path) -> None:
    archive = tmp_path / "决算.docx"
    archive.write_bytes(_zip({"a.txt": b"x"}))
    out, err = io.StringIO(), io.StringIO()
    code = check([archive, SEEDS / f"{TAB_SEEDS[0]}.txt"], "text", out, err, validate=lambda d, doc: [])
    assert code == EXIT_UNREADABLE
    assert f"{archive}: a zip archive, not a document" in err.getvalue()
    assert "武汉市医疗保障局" in out.getvalue()


def test_service_parse_bytes_reads_xlsx() -> None:
    pytest.importorskip("faststream")
    from fiscalwatch.parse.app import parse_bytes

    seed = TAB_SEEDS[1]
    disclosure = parse_bytes(f"{seed}.xlsx", ff.to_xlsx(seed_text(seed)))
    assert_same_extract(text_disclosure(seed), disclosure)
    assert disclosure.document.media_type == MEDIA["xlsx"]
    assert parse_bytes("x.bin", ff.to_xlsx(seed_text(seed)), media_type="application/pdf").metadata == disclosure.metadata
    # values are Decimals exactly as printed
    summary = disclosure.table("final.income_expenditure_summary")
    assert summary is not None
    assert any(c.value == Decimal("1099.73") for r in summary.rows for c in r.cells.values())
