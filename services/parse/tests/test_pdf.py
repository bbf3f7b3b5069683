"""The PDF reader: published PDFs (data/pdf/, copied from the corpus) read into the document
form and parsed; seeds rendered into PDFs (pdf_fixtures.py) parse to the same extract as
the seed text; bad inputs give clear errors."""

from __future__ import annotations

import hashlib
import io
import sys
from decimal import Decimal
from functools import cache
from pathlib import Path

import pytest

pytest.importorskip("pypdfium2")
pytest.importorskip("pdfplumber")

from fiscalwatch.common.document import SourceDocument  # noqa: E402
from fiscalwatch.common.errors import NotADisclosure, UnreadableDocument  # noqa: E402
from fiscalwatch.parse import parse_document  # noqa: E402
from fiscalwatch.parse.formats import pdf  # noqa: E402

HERE = Path(__file__).parent
PDFS = HERE / "data" / "pdf"
SEEDS = HERE / "data" / "seeds"


def corpus_file(prefix: str) -> Path:
    (path,) = PDFS.glob(f"{prefix}_*.pdf")
    return path


@cache
def read_corpus(prefix: str) -> SourceDocument:
    path = corpus_file(prefix)
    return pdf.read(path.name, path.read_bytes())


@cache
def parse_corpus(prefix: str):
    return parse_document(read_corpus(prefix))


# --- bad inputs ---------------------------------------------------------------------------


def reason_of(data: bytes, name: str = "x.pdf") -> str:
    with pytest.raises(UnreadableDocument) as info:
        pdf.read(name, data)
    assert info.value.name == name
    return info.value.reason


def test_empty_file():
    assert reason_of(b"") == "not a readable PDF: the file is empty (0 bytes)"


def test_html_saved_as_pdf():
    reason = reason_of(b"<!DOCTYPE html>\n<html><body>404</body></html>")
    assert reason.startswith("not a readable PDF: no %PDF header")


def test_truncated_pdf():
    data = corpus_file("24").read_bytes()
    assert reason_of(data[: len(data) // 2]).startswith("not a readable PDF: truncated")


def test_corrupt_pdf():
    # a PDF header and an end marker, nothing readable between
    reason = reason_of(b"%PDF-1.7\n" + bytes(range(256)) * 40 + b"\n%%EOF\n")
    assert reason.startswith("not a readable PDF:")


def encrypted(user_password: str) -> bytes:
    pypdf = pytest.importorskip("pypdf")
    reader = pypdf.PdfReader(io.BytesIO(render_seed("003")))
    writer = pypdf.PdfWriter()
    for page in reader.pages[:2]:
        writer.add_page(page)
    writer.encrypt(user_password=user_password, owner_password="owner-secret", algorithm="AES-128")
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def test_encrypted_pdf():
    assert reason_of(encrypted("secret")).startswith("encrypted PDF")


def test_pdf_encrypted_without_user_password_is_read():
    # restrictions only (an owner password): every reader opens it, so do we
    doc = pdf.read("x.pdf", encrypted(""))
    assert doc.pages == 2 and any("部门决算" in line.text for line in doc.lines)


def image_only_pdf(pages: int) -> bytes:
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfgen import canvas

    out = io.BytesIO()
    c = canvas.Canvas(out, pagesize=A4)
    for k in range(pages):
        # what a scan is to a text extractor: marks, no text
        c.setFillGray(0.2)
        c.rect(50, 700 - k * 10, 300, 40, fill=1, stroke=0)
        c.circle(300, 400, 80, fill=1)
        for y in range(100, 300, 12):
            c.line(60, y, 500, y)
        c.showPage()
    c.save()
    return out.getvalue()


def test_scanned_pdf_needs_ocr():
    assert reason_of(image_only_pdf(3)) == "needs OCR: no text layer on any of its 3 pages"


def test_page_limit(monkeypatch):
    monkeypatch.setattr(pdf, "MAX_PAGES", 10)
    reason = reason_of(corpus_file("24").read_bytes())
    assert "32 pages" in reason and "10-page limit" in reason


def test_size_limit(monkeypatch):
    monkeypatch.setattr(pdf, "MAX_BYTES", 1000)
    assert "over the 1,000-byte limit" in reason_of(corpus_file("24").read_bytes())


# --- published PDFs -------------------------------------------------------------------------

CORPUS = {
    # prefix: department, unit, the standard tables the file holds
    "03": (
        "深圳市民政局（本级）",
        "万元",
        {"budget.income_expenditure_summary", "budget.income", "budget.expenditure",
         "budget.fiscal_summary", "budget.three_public", "budget.government_fund",
         "budget.state_capital"},
    ),
    "24": (
        "湖州市财政局",
        "万元",
        {"budget.income_expenditure_summary", "budget.income", "budget.expenditure",
         "budget.fiscal_summary", "budget.general_budget_expenditure",
         "budget.general_budget_basic", "budget.three_public", "budget.government_fund",
         "budget.state_capital", "budget.project_expenditure"},
    ),
    "26": (
        # the title line reads "…（上海市统计数据管理中心）"; metadata drops the last "）"
        # (a metadata issue, not the reader's: see test_shanghai_values_in_yuan)
        "上海市统计和大数据研究院（上海市统计数据管理中心",
        "元",
        {"budget.income_expenditure_summary", "budget.income", "budget.expenditure",
         "budget.fiscal_summary", "budget.general_budget_expenditure",
         "budget.general_budget_basic", "budget.government_fund", "budget.state_capital"},
    ),
    "32": (
        "杭州市气象局",
        "万元",
        {"budget.income_expenditure_summary", "budget.income", "budget.expenditure",
         "budget.fiscal_summary", "budget.general_budget_expenditure",
         "budget.general_budget_basic", "budget.three_public", "budget.government_fund",
         "budget.state_capital", "budget.project_expenditure"},
    ),
}


@pytest.mark.parametrize("prefix", sorted(CORPUS))
def test_corpus_document_form(prefix):
    path = corpus_file(prefix)
    doc = read_corpus(prefix)
    assert doc.sha256 == hashlib.sha256(path.read_bytes()).hexdigest()
    assert doc.media_type == "application/pdf"
    assert doc.pages and doc.pages >= 20
    assert [line.number for line in doc.lines] == list(range(1, len(doc.lines) + 1))
    assert all(line.page is not None and 1 <= line.page <= doc.pages for line in doc.lines)
    pages = [line.page for line in doc.lines]
    assert pages == sorted(pages)  # reading order: page by page
    rows = [line for line in doc.lines if line.cells is not None]
    assert len(rows) > 50
    assert all(line.text == "\t".join(line.cells) for line in rows)


@pytest.mark.parametrize("prefix", sorted(CORPUS))
def test_corpus_metadata_and_tables(prefix):
    department, unit, tables = CORPUS[prefix]
    d = parse_corpus(prefix)
    assert d.metadata.department == department
    assert d.metadata.fiscal_year == 2026
    assert d.metadata.kind.value == "budget"
    assert d.metadata.unit.value == unit
    assert d.document.pages == read_corpus(prefix).pages
    assert tables <= set(d.coverage.tables_found)


def row(d, template_id: str, label: str, code: str | None = None):
    for table in d.tables:
        if table.template_id != template_id:
            continue
        for r in table.rows:
            if r.label.replace(" ", "") == label and (code is None or r.code == code) and r.cells:
                return r
    raise AssertionError(f"no row {label!r} in {template_id}")


def values(r) -> dict[str, Decimal]:
    return {k: a.value for k, a in r.cells.items()}


# Values read from the PDFs (checked against pdfplumber's extract_text of the page named)
def test_huzhou_values():
    d = parse_corpus("24")
    # p. 17 收支总表
    assert values(row(d, "budget.income_expenditure_summary", "一、财政拨款"))["1"] == Decimal("6838.41")
    # p. 20 支出总表: 201 一般公共服务支出 5356.01 = 3478.23 + 611.02 + 1266.75
    r = row(d, "budget.expenditure", "一般公共服务支出", "201")
    assert sorted(values(r).values()) == sorted(
        Decimal(v) for v in ("5356.01", "3478.23", "611.02", "1266.75")
    )
    assert row(d, "budget.expenditure", "行政运行", "2010601").cells["1"].value == Decimal("3685.65")
    # p. 28 “三公”经费: 合计 9.30
    assert row(d, "budget.three_public", "合计").cells["1"].value == Decimal("9.30")
    assert all(a.unit.value == "万元" for t in d.tables for r in t.rows for a in r.cells.values())


def test_hangzhou_meteorology_values():
    d = parse_corpus("32")
    # p. 16 收入总表: 合计 5,876.67 = 本年收入小计 5,876.67 (一般公共预算 5,753.07 + 其他收入
    # 123.61) + 上年结转结余 (none); the sources of 本年收入 and of 上年结转结余 are columns of their own
    r = row(d, "budget.income", "合计")
    assert values(r) == {"1": Decimal("5876.67"), "2": Decimal("5876.67"), "3": Decimal("5753.07"), "11": Decimal("123.61")}
    income = next(t for t in d.tables if t.template_id == "budget.income")
    assert [c.label for c in income.columns][10:13] == ["其他收入", "上年结转结余小计", "上年结转结余一般公共预算"]
    assert "12 = 13 + 14 + 15 + 16 + 17" in [i.text for i in income.identities]
    # p. 21 “三公”经费: 合计 24.02, 杭州市气象局 13.13
    assert row(d, "budget.three_public", "合计").cells["1"].value == Decimal("24.02")
    assert row(d, "budget.three_public", "杭州市气象局").cells["1"].value == Decimal("13.13")


def test_shanghai_values_in_yuan():
    doc = read_corpus("26")
    assert doc.lines[1].text == "预算单位：上海市统计和大数据研究院（上海市统计数据管理中心）"
    assert doc.lines[1].page == 1
    d = parse_corpus("26")
    # p. 7 收支总表, in 元: 一、财政拨款收入 26,054,663
    r = row(d, "budget.income_expenditure_summary", "一、财政拨款收入")
    assert r.cells["1"].value == Decimal("26054663") and r.cells["1"].unit.value == "元"
    # p. 17 基本支出: 301 工资福利支出 14,466,607
    assert row(d, "budget.general_budget_basic", "工资福利支出", "301").cells["1"].value == Decimal(
        "14466607"
    )


# --- page furniture, and layouts of other provinces ---------------------------------------


def test_page_numbers_and_running_headers_are_dropped_and_nothing_else():
    items = []
    for page in range(1, 7):
        items.append((page, None, "某某局2026年度单位预算公开"))  # running header
        items.append((page, None, f"表{page}"))  # a table number at the top: kept
        items.append((page, None, "单位：万元"))
        items.append((page, ("208", "社会保障和就业支出", "3.00"), "208\t社会保障和就业支出\t3.00"))
        items.append((page, None, "208" if page == 2 else "正文"))  # a code at an edge: kept
        items.append((page, None, f"- {page + 4} -" if page % 2 else str(page + 4)))  # page numbers
    kept = pdf.drop_page_furniture(items)
    texts = [text for _page, _cells, text in kept]
    assert "某某局2026年度单位预算公开" not in texts
    assert not any(t.startswith("- ") or t in {"6", "8", "10"} for t in texts)
    assert texts.count("单位：万元") == 6 and [t for t in texts if t.startswith("表")] == [f"表{p}" for p in range(1, 7)]
    assert "208" in texts and sum(1 for _p, cells, _t in kept if cells) == 6
    # one page alone has no running header: its lines are its own
    assert pdf.drop_page_furniture(items[:6]) == [i for i in items[:6] if i[2] != "- 5 -"]


def test_suzhou_tables_without_page_footers_and_the_fiscal_tables_of_their_own():
    d = parse_corpus("06")
    labels = {r.label for t in d.tables for r in t.rows}
    assert not any(label.strip("-—– ") == "" or "年度单位预算公开" in label for label in labels)
    # p. 18 公开05表 财政拨款支出表（功能科目）: 合计 186,241.00 = 2,281.84 + 183,959.16
    total = values(row(d, "budget.fiscal_expenditure", "合计"))
    assert total == {"1": Decimal("186241.00"), "2": Decimal("2281.84"), "3": Decimal("2058.18"),
                     "4": Decimal("223.66"), "5": Decimal("183959.16")}
    # and 财政拨款收支总表 before it ends where it ends: no function-code rows
    (summary,) = [t for t in d.tables if t.template_id == "budget.fiscal_summary"]
    assert not any(r.code for r in summary.rows)
    assert row(d, "budget.fiscal_basic", "工资福利支出", "301").cells
    # p. 29–30 政府采购支出表: 合计 393.00, the footer "- 29 -" between its rows not a row;
    # 江苏 prints the sources of funds first and their 总计 last
    procurement = next(t for t in d.tables if t.template_id == "budget.government_procurement")
    assert [c.label for c in procurement.columns] == ["一般公共预算资金", "政府性基金", "其他资金", "上年结转和结余资金", "总计"]
    assert values(row(d, "budget.government_procurement", "合计")) == {"1": Decimal("393.00"), "5": Decimal("393.00")}
    assert "5 = 1 + 2 + 3 + 4" in [i.text for i in procurement.identities]


def test_yantai_codes_printed_in_parts_and_changsha_codes_repeated_on_every_row():
    d = parse_corpus("38")
    # p. 15 公开表5: "| | 01 | 行政运行" under "201 | | |" and "| 08 | |" is 2010801
    r = row(d, "budget.general_budget_expenditure", "行政运行", "2010801")
    assert values(r) == {"1": Decimal("1531.26"), "2": Decimal("1531.26"), "3": Decimal("1326.76"), "4": Decimal("204.50")}
    # p. 10 公开表2, 山东's columns: 小计 is the 财政拨款 subtotal, 其他收入 before 上级补助收入
    income = next(t for t in d.tables if t.template_id == "budget.income")
    assert [c.label for c in income.columns][:2] == ["合计", "财政拨款收入小计"]
    assert [c.label for c in income.columns][8:10] == ["其他收入", "上级补助收入"]
    assert values(row(d, "budget.income", "合计")) == {
        "1": Decimal("3558.35"), "2": Decimal("2776.75"), "3": Decimal("2776.75"), "9": Decimal("781.60")
    }
    assert "1 = 2 + 6 + 7 + 8 + 9 + 10 + 11 + 12 + 13" in [i.text for i in income.identities]
    # p. 19 公开表7: the prior year's 三公 budget beside this year's, six columns each
    three = next(t for t in d.tables if t.template_id == "budget.three_public")
    assert values(row(d, "budget.three_public", "合计")) == {
        "1": Decimal("11.90"), "2": Decimal("8.50"), "6": Decimal("3.40"), "7": Decimal("3.40"), "12": Decimal("3.40")
    }
    assert {"1 = 2 + 3 + 6", "7 = 8 + 9 + 12"} <= {i.text for i in three.identities}
    d = parse_corpus("11")
    # p. 13 收入总体情况表: "201 | 40 | 04 | 信访业务" is 2014004
    assert row(d, "budget.income", "信访业务", "2014004").cells["1"].value == Decimal("417.41")


def test_shenzhen_values():
    d = parse_corpus("03")
    # p. 16 收支总表: 一、财政拨款 28,097.48; 1.一般公共预算拨款 8,761.33
    assert row(d, "budget.income_expenditure_summary", "一、财政拨款").cells["1"].value == Decimal("28097.48")
    assert row(d, "budget.income_expenditure_summary", "1.一般公共预算拨款").cells["1"].value == Decimal(
        "8761.33"
    )
    # p. 34 政府性基金: 229 其他支出 19,336.15
    assert row(d, "budget.government_fund", "其他支出", "229").cells["1"].value == Decimal("19336.15")


def test_shenzhen_table_rows_keep_cells():
    # p. 19 收入总表, read from the rulings: the unit's row, cell by cell
    doc = read_corpus("03")
    (line,) = [ln for ln in doc.lines if ln.cells and ln.cells[0] == "深圳市民政局（本级）" and ln.page == 19]
    assert line.cells == (
        "深圳市民政局（本级）", "28,283.46", "8,761.33", "19,336.15", "0.00", "0.00", "0.00",
        "0.00", "0.00", "0.00", "0.00", "185.98",
    )
    # a merged header cell is in its first column, the columns it covers empty
    (header,) = [ln for ln in doc.lines if ln.page == 16 and ln.cells and ln.cells[0] == "收 入"]
    assert header.cells == ("收 入", "", "支 出", "")


def test_corpus_file_that_is_not_a_disclosure():
    # 39: a notice about a department's hotline, published under a budget's name
    doc = read_corpus("39")
    assert doc.pages == 1 and doc.lines
    with pytest.raises(NotADisclosure):
        parse_document(doc)


# --- seeds rendered into PDFs ---------------------------------------------------------------


@cache
def render_seed(stem_prefix: str) -> bytes:
    sys.path.insert(0, str(HERE))
    try:
        from pdf_fixtures import render_seed as render
    finally:
        sys.path.remove(str(HERE))
    (seed,) = SEEDS.glob(f"{stem_prefix}_*.txt")
    return render(seed)


def extract(d):
    """Every table with its rows and cell values and units (not their source lines)."""
    return [
        (
            t.template_id,
            t.number,
            t.unit,
            tuple(c.id for c in t.columns),
            [
                (r.key, r.key_kind, r.label, r.code, r.line_number, r.level,
                 {k: (a.value, a.unit, a.raw) for k, a in r.cells.items()})
                for r in t.rows
            ],
            t.declared_empty,
            [i.text for i in t.identities],
        )
        for t in d.tables
    ]


@pytest.mark.parametrize("stem", ["001", "003"])
def test_rendered_seed_parses_like_the_seed(stem):
    (seed,) = SEEDS.glob(f"{stem}_*.txt")
    data = render_seed(stem)
    doc = pdf.read(f"{stem}.pdf", data)
    assert doc.pages and doc.pages >= 5  # several pages, tables running over page breaks
    assert all(line.page for line in doc.lines)
    expected = parse_document(SourceDocument.from_path(seed))
    got = parse_document(doc)
    assert got.metadata == expected.metadata
    assert got.document.sha256 == hashlib.sha256(data).hexdigest()
    assert got.coverage.tables_found == expected.coverage.tables_found
    assert got.coverage.tables_missing == expected.coverage.tables_missing
    want, have = extract(expected), extract(got)
    assert len(have) == len(want)
    for table_want, table_have in zip(want, have):
        assert table_have[:4] == table_want[:4]
        assert len(table_have[4]) == len(table_want[4]), table_want[0]
        for row_want, row_have in zip(table_want[4], table_have[4]):
            assert row_have == row_want, table_want[0]
        assert table_have[5:] == table_want[5:]
    assert sum(len(t[4]) for t in want) > 100


def test_rendered_seed_cells_come_from_the_grid():
    # the seed's tab-separated rows come back as the same cells, read from the rulings
    (seed,) = SEEDS.glob("001_*.txt")
    seed_rows = [line.split("\t") for line in seed.read_text(encoding="utf-8").splitlines() if "\t" in line]
    doc = pdf.read("001.pdf", render_seed("001"))
    pdf_rows = [list(line.cells) for line in doc.lines if line.cells is not None]
    assert len(pdf_rows) == len(seed_rows)
    for want, have in zip(seed_rows, pdf_rows):
        assert have[: len(want)] == [c.strip() for c in want]
        assert not any(have[len(want):])  # the grid's columns past a short row are empty
