"""Whole seed documents, parsed and validated: the findings each must raise, computed by hand
from the documents (the arithmetic is in the comments), and the claims that must hold."""

from __future__ import annotations

from decimal import Decimal
from functools import cache
from pathlib import Path

from fiscalwatch.common.document import SourceDocument
from fiscalwatch.common.model import Severity
from fiscalwatch.parse import parse_document
from fiscalwatch.validate import alert_kind, validate

SEEDS = Path(__file__).parents[2] / "parse" / "tests" / "data" / "seeds"


@cache
def checked(stem: str):
    document = SourceDocument.from_path(SEEDS / f"{stem}.txt")
    disclosure = parse_document(document)
    return disclosure, validate(disclosure, document=document)


def rule_values(findings, rule_id):
    return sorted((f.stated, f.expected) for f in findings if f.rule_id == rule_id)


def test_000_raises_the_jump_of_its_totals() -> None:
    disclosure, findings = checked("000_d606ceb80bbf38c6")
    # 收、支总计 2,270.24 万元, 各增加 2,202.94 万元: 2019 = 67.30; 2202.94 / 67.30 = 3273.31%
    yoy = [f for f in findings if f.rule_id == "Y-001" and f.stated == Decimal("2270.24")]
    assert len(yoy) == 1 and yoy[0].expected == Decimal("67.30") and alert_kind(yoy[0]) == "yoy"
    assert any(e.source.line == 109 for e in yoy[0].evidence)


def test_000_stated_arithmetic() -> None:
    _, findings = checked("000_d606ceb80bbf38c6")
    # Shares of 财政拨款支出 1,952.37: 卫生健康 1,921.53 -> 98.42% (printed 98.12%);
    # 其他 6.03 -> 0.31% (printed 0.30%). 社会保障和就业 9.77 -> 0.50%, 住房保障 21.07 -> 1.08% hold.
    assert rule_values(findings, "A-004") == [
        (Decimal("0.30"), Decimal("0.31")), (Decimal("98.12"), Decimal("98.42"))]
    # Growth rates hold: 3,273.31% (above), 1891.10/67.30 = 2809.96%, 1885.07/67.30 = 2801.00%;
    # completion 1952.37/531.54 = 367.30%, 9.77/20.72 = 47.15%, 1921.53/489.07 = 392.89%,
    # 21.07/21.75 = 96.87%; income shares 86.26% + 13.74%, spending 10.59% + 89.41% hold.
    assert rule_values(findings, "A-002") == [] and rule_values(findings, "A-005") == []
    assert rule_values(findings, "A-006") == []
    # 机关运行经费 56.20 万元, "比 2019 年度增加 56.20 万元，增长 100%": from nothing, undefined.
    assert [f.rule_id for f in findings if f.rule_id == "A-003"] == ["A-003"]


def test_000_form() -> None:
    disclosure, findings = checked("000_d606ceb80bbf38c6")
    # The tables were lost: seven captions stand with nothing under them.
    assert len([f for f in findings if f.rule_id == "F-001"]) == 7
    placeholders = [f for f in findings if f.rule_id == "F-004"]
    assert any("XX 分" in f.message_zh for f in placeholders)
    assert any("简述本部门使用科目" in f.message_zh for f in placeholders)
    # 其他支出(类) is 6.03 万元 in the structure (line 243) and 0.00 in the execution list (line 431).
    assert rule_values(findings, "N-002") == [(Decimal("0.00"), Decimal("6.03"))]


def test_001_share_of_procurement_and_consistent_tables() -> None:
    _, findings = checked("001_6180a20aa6797444")
    # 授予中小企业合同金额 355.81 / 政府采购支出总额 1,613.88 = 22.05% (printed 22.12%);
    # 278.36 / 355.81 = 78.23% holds. 资金 2,625.84 is 100% of 项目支出 2,625.84 (printed 60.5%,
    # which is its share of all spending 4,342.35).
    assert rule_values(findings, "A-004") == [
        (Decimal("22.12"), Decimal("22.05")), (Decimal("60.5"), Decimal("100.0"))]
    # 1,188.52 / (4,342.35 + 1,188.52) = 21.49% -> "下降21.5%" holds; 4342.35/2700.92 = 160.8% holds.
    assert rule_values(findings, "A-002") == [] and rule_values(findings, "A-005") == []
    assert [f for f in findings if f.rule_id.startswith(("T-", "H-", "X-", "N-"))] == []


def test_002_growth_rate_that_does_not_follow() -> None:
    _, findings = checked("002_3ffa69ecbae1edde")
    # 本年预算 3,140.15, 比 2020 年预算增加 349.46: prior 2,790.69, 349.46 / 2,790.69 = 12.52%, printed 9.62%.
    assert rule_values(findings, "A-002") == [(Decimal("9.62"), Decimal("12.52"))]
    # "一般公共预算财政拨款本年收入 3140.15 万元，上年结转 843.17 万元" (line 77) against "其中：一般公共
    # 预算财政拨款收入 3983.32 万元，占 100%" (line 193), which counts the carry-over as income.
    assert rule_values(findings, "N-002") == [(Decimal("3983.32"), Decimal("3140.15"))]
    assert {f.rule_id for f in findings if f.severity is Severity.ERROR} == {"A-002", "N-002"}


def test_003_truncated_share_and_one_cent_tails() -> None:
    _, findings = checked("003_89e238493e659a45")
    # 卫生健康 888.19 / 1,099.73 = 80.76% -> 80.8 at one decimal, printed 80.7.
    assert rule_values(findings, "A-004") == [(Decimal("80.7"), Decimal("80.8"))]
    # 收支总计 减少 4,638.17 to 1,099.73: -80.8% against 2023: a year-over-year alert.
    assert any(f.rule_id == "Y-001" and f.stated == Decimal("1099.73") for f in findings)
    # "年初预算为 1,073.78 万元，调整后预算数为 1,099.73 万元，支出决算为 1,099.73 万元，完成年初预算的
    # 100%": of the initial budget it is 1,099.73 / 1,073.78 = 102%.
    assert rule_values(findings, "A-005") == [(Decimal("100"), Decimal("102"))]
    # The tables' one-cent differences are rounding, not errors.
    assert {f.rule_id for f in findings if f.severity is Severity.ERROR} == {"A-004", "A-005"}


def test_004_is_consistent() -> None:
    _, findings = checked("004_18719c7196d92fe5")
    assert [f for f in findings if f.severity is Severity.ERROR] == []
