"""Metadata of the seeds and of other cities' disclosures, read as printed; non-disclosures
refused with their reason."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from fiscalwatch.common.document import SourceDocument
from fiscalwatch.common.errors import NotADisclosure
from fiscalwatch.common.model import DisclosureKind, Unit
from fiscalwatch.parse.metadata import department_key, extract_metadata, region_of

DATA = Path(__file__).parent / "data"
FINAL, BUDGET = DisclosureKind.FINAL_ACCOUNTS, DisclosureKind.BUDGET


@pytest.mark.parametrize("path, department, key, region, year, kind, published", [
    ("seeds/000_d606ceb80bbf38c6.txt", "武汉市洪山区医疗保障局", "武汉市洪山区医疗保障局", "武汉市洪山区", 2020, FINAL, None),
    ("seeds/001_6180a20aa6797444.txt", "武汉市医疗保障局（本级）", "武汉市医疗保障局", "武汉市", 2023, FINAL, date(2024, 10, 11)),
    ("seeds/002_3ffa69ecbae1edde.txt", "武汉市医疗保障局（本级）", "武汉市医疗保障局", "武汉市", 2021, BUDGET, None),
    ("seeds/003_89e238493e659a45.txt", "武汉市黄陂区医疗保障服务中心", "武汉市黄陂区医疗保障服务中心", "武汉市黄陂区", 2024, FINAL, date(2025, 10, 15)),
    ("seeds/004_18719c7196d92fe5.txt", "武汉市江汉区医疗保障局本级", "武汉市江汉区医疗保障局", "武汉市江汉区", 2024, BUDGET, None),
    ("corpus_heads/02_2026年北京市审计局部门预算.txt", "北京市审计局", "北京市审计局", "北京市", 2026, BUDGET, None),
    ("corpus_heads/12_福州_公安局交通警察局_2026年部门预算.txt", "福州市公安局交通管理支队", "福州市公安局交通管理支队", "福州市", 2026, BUDGET, None),
    ("corpus_heads/14_2026年西安市公安局部门预算.txt", "西安市公安局（汇总）", "西安市公安局", "西安市", 2026, BUDGET, None),
])
def test_metadata_as_printed(path, department, key, region, year, kind, published) -> None:
    meta = extract_metadata(SourceDocument.from_path(DATA / path))
    assert (meta.department, meta.department_key, meta.region) == (department, key, region)
    assert (meta.fiscal_year, meta.kind, meta.published) == (year, kind, published)
    assert meta.unit is Unit.WAN_YUAN or path.startswith("corpus_heads/14")


def test_the_same_body_links_across_years_and_spellings() -> None:
    spellings = ["武汉市医疗保障局（本级）", "武汉市医疗保障局(本级)", "武汉市医疗保障局本级", "武汉市医疗保障局（局本级）",
                 "武汉市 医疗保障局", "武汉市医疗保障局"]
    assert {department_key(s) for s in spellings} == {"武汉市医疗保障局"}
    assert department_key("武汉市洪山区医疗保障局") != department_key("武汉市医疗保障局")
    assert region_of("武汉市黄陂区医疗保障服务中心") == "武汉市黄陂区"


def test_unit_in_yuan_is_read_from_the_unit_lines() -> None:
    text = "2026年度某市某局部门预算\n单位名称：某市某局\n表1 收支总表\n单位：元\n合计 1,000.00\n单位：元\n"
    assert extract_metadata(SourceDocument.from_text("yuan.txt", text)).unit is Unit.YUAN


@pytest.mark.parametrize("path, reason", [
    ("corpus_heads/13_2026年济南市审计局部门预算.txt", "部门预算"),   # 政府信息公开申请表
    ("corpus_heads/19_2026年长春市财政局部门预算.txt", "部门预算"),   # 法治政府建设报告
    ("corpus_heads/22_2026年绵阳市政府办公厅部门预算.txt", "部门预算"),  # 印发…应急预案的通知
])
def test_other_documents_saved_as_disclosures_are_refused_with_a_reason(path, reason) -> None:
    with pytest.raises(NotADisclosure) as caught:
        extract_metadata(SourceDocument.from_path(DATA / path))
    assert reason in caught.value.reason and caught.value.name.endswith(Path(path).name)


def test_a_disclosure_without_a_year_is_refused_saying_so() -> None:
    with pytest.raises(NotADisclosure, match="fiscal year"):
        extract_metadata(SourceDocument.from_text("x.txt", "某市某局部门预算\n单位名称：某市某局\n"))
