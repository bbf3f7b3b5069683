"""Each rule: a case that must fire and one that must not."""

from __future__ import annotations

from decimal import Decimal

import pytest

from fiscalwatch.common.events import DisclosureIdentity, HistoryRecord
from fiscalwatch.common.model import DisclosureKind, Severity, Table, Unit
from fiscalwatch.validate import ValidationConfig, alert_kind, key_figures, validate
from fiscalwatch.validate.catalogue import rules

from validate_builders import (
    change, completion, disclosure, economic_row, fact, identity, line_row, row, share, table,
)


def ids(findings, severity=None):
    return sorted(f.rule_id for f in findings if severity is None or f.severity is severity)


def test_every_rule_has_an_id_severity_and_both_descriptions() -> None:
    catalogue = rules()
    assert len(catalogue) >= 20
    for rule in catalogue.values():
        assert rule.zh and rule.en and rule.severity in Severity


# --- identities ------------------------------------------------------------------------------

def income_table(total: str, parts: tuple[str, str], origin="printed"):
    return table("final.income", ["本年收入合计", "财政拨款收入", "其他收入"],
                 [row("合计", {"1": total, "2": parts[0], "3": parts[1]})],
                 [identity("column", "1", ["2", "3"], origin)])


def test_printed_column_identity_broken_is_an_error_naming_every_cell() -> None:
    [found] = validate(disclosure([income_table("100.00", ("60.00", "30.00"))]))
    assert found.rule_id == "T-001" and found.severity is Severity.ERROR
    assert (found.stated, found.expected, found.difference) == (Decimal("100.00"), Decimal("90.00"), Decimal("10.00"))
    assert {(e.table, e.row, e.column) for e in found.evidence} == {
        ("final.income", "合计", "1"), ("final.income", "合计", "2"), ("final.income", "合计", "3")}


def test_identity_that_holds_raises_nothing() -> None:
    assert validate(disclosure([income_table("90.00", ("60.00", "30.00"))])) == []


def test_a_cent_off_over_two_items_is_rounding_info_not_an_error() -> None:
    [found] = validate(disclosure([income_table("90.01", ("60.00", "30.00"))]))
    assert (found.rule_id, found.severity) == ("T-003", Severity.INFO)


def test_template_identity_has_its_own_rule() -> None:
    assert ids(validate(disclosure([income_table("91.00", ("60.00", "30.00"), origin="template")]))) == ["T-002"]


def layout_table(rows: list[tuple[str, str, str]], origin: str = "template"):
    return table("final.income", ["本年收入合计", "财政拨款收入", "其他收入"],
                 [row(f"r{i}", {k: v for k, v in zip("123", values) if v}) for i, values in enumerate(rows)],
                 [identity("column", "1", ["2", "3"], origin)])


def test_a_template_identity_failing_on_every_row_is_one_warning_that_the_layout_does_not_fit() -> None:
    # 其他收入 read where 财政拨款收入 is, on every row: the template, not the department, is wrong
    shifted = [("10.00", "10.00", "10.00"), ("20.00", "20.00", "20.00"), ("5.00", "5.00", "5.00")]
    [found] = validate(disclosure([layout_table(shifted)]))
    assert (found.rule_id, found.severity) == ("F-009", Severity.WARNING) and alert_kind(found) is None
    assert "3 of 3 rows" in found.message_en and len(found.evidence) == 3
    # one row wrong among rows that add up is the department's error, as is a printed identity
    one_wrong = [("10.00", "6.00", "4.00"), ("20.00", "20.00", "20.00"), ("5.00", "3.00", "2.00"), ("9.00", "9.00", "")]
    assert ids(validate(disclosure([layout_table(one_wrong)]))) == ["T-002"]
    assert ids(validate(disclosure([layout_table(shifted, origin="printed")]))) == ["T-001"] * 3


def test_row_identity_checks_every_column() -> None:
    summary = table("final.income_expenditure_summary", ["金额", "金额"], [
        line_row(1, "一、一般公共预算财政拨款收入", {"1": "50.00"}),
        line_row(8, "八、其他收入", {"1": "20.00"}),
        line_row(27, "本年收入合计", {"1": "75.00"}),
    ], [identity("row", "27", ["1", "8"])])
    [found] = validate(disclosure([summary]))
    assert found.rule_id == "T-001" and found.expected == Decimal("70.00")


# --- hierarchy ----------------------------------------------------------------------------------

def expenditure(class_value: str, section_value: str = "60.00"):
    return table("final.expenditure", ["本年支出合计"], [
        row("合计", {"1": class_value}),
        row("208", {"1": class_value}),
        row("20805", {"1": section_value}),
        row("2080505", {"1": "40.00"}),
        row("2080501", {"1": "20.00"}),
        row("20807", {"1": "30.00"}),
    ])


def test_class_that_is_not_the_sum_of_its_sections_is_flagged() -> None:
    found = validate(disclosure([expenditure("95.00")]))
    assert "H-001" in ids(found, Severity.ERROR)
    assert any(e.row == "208" for f in found for e in f.evidence)


def test_consistent_hierarchy_raises_nothing() -> None:
    assert validate(disclosure([expenditure("90.00")])) == []


def test_section_not_summing_its_items() -> None:
    assert ids(validate(disclosure([expenditure("90.00", section_value="61.00")])), Severity.ERROR).count("H-001") == 2


def test_economic_class_not_summing_its_items() -> None:
    basic = table("final.general_budget_basic", ["决算数"], [
        economic_row("301", {"1": "100.00"}), economic_row("30101", {"1": "50.00"}), economic_row("30102", {"1": "40.00"})])
    assert ids(validate(disclosure([basic]))) == ["H-002"]


def test_a_code_printed_in_parts_is_the_sum_of_its_rows() -> None:
    # 西安 (corpus 36) splits 30101 基本工资 by the government's economic code: two rows, one code
    def split_basic(total: str) -> Table:
        return table("budget.general_budget_basic", ["合计"], [
            economic_row("301", {"1": total}),
            economic_row("30101", {"1": "58.00"}, label="基本工资 50101 工资奖金津补贴"),
            economic_row("30101", {"1": "47.00"}, label="基本工资 50501 工资福利支出"),
            economic_row("30102", {"1": "20.00"})])
    assert ids(validate(disclosure([split_basic("125.00")]))) == []
    assert ids(validate(disclosure([split_basic("78.00")]))) == ["H-002"]
    # a row printed twice as it was counts once
    repeated = table("budget.general_budget_basic", ["合计"], [
        economic_row("301", {"1": "78.00"}), economic_row("30101", {"1": "58.00"}),
        economic_row("30101", {"1": "58.00"}), economic_row("30102", {"1": "20.00"})])
    assert ids(validate(disclosure([repeated]))) == []


# --- cross-table -------------------------------------------------------------------------------

def test_same_quantity_in_two_tables_must_agree() -> None:
    summary = table("final.income_expenditure_summary", ["金额", "金额"], [line_row(27, "本年收入合计", {"1": "100.00"})])
    income = table("final.income", ["本年收入合计"], [row("合计", {"1": "110.00"})])
    found = validate(disclosure([summary, income]))
    assert ids(found) == ["X-001"]
    assert {e.table for e in found[0].evidence} == {"final.income_expenditure_summary", "final.income"}
    income_ok = table("final.income", ["本年收入合计"], [row("合计", {"1": "100.00"})])
    assert validate(disclosure([summary, income_ok])) == []


def test_class_named_in_the_summary_against_its_coded_row() -> None:
    summary = table("final.income_expenditure_summary", ["金额", "金额"], [line_row(39, "八、社会保障和就业支出", {"2": "122.74"})])
    detail = table("final.expenditure", ["本年支出合计"], [row("208", {"1": "122.73"}, label="社会保障和就业支出")])
    assert ids(validate(disclosure([summary, detail]))) == ["T-003"]  # one cent: rounding
    detail_far = table("final.expenditure", ["本年支出合计"], [row("208", {"1": "120.00"}, label="社会保障和就业支出")])
    assert ids(validate(disclosure([summary, detail_far]))) == ["X-001"]


# --- narrative ---------------------------------------------------------------------------------

def test_narrative_amount_against_its_table() -> None:
    income = table("final.income", ["本年收入合计"], [row("合计", {"1": "4342.35"})])
    assert ids(validate(disclosure([income], [fact("收入合计", "4,342.53")]))) == ["N-001"]
    assert validate(disclosure([income], [fact("收入合计", "4,342.35")])) == []


def test_two_sentences_stating_different_amounts() -> None:
    facts = [fact("基本支出", "240.45", 10), fact("基本支出", "239.55", 20)]
    assert ids(validate(disclosure(facts=facts))) == ["N-002"]
    assert validate(disclosure(facts=[fact("基本支出", "1.8", 10), fact("基本支出", "1.80", 20)])) == []


def test_stated_growth_rate_is_checked_at_printed_precision() -> None:
    ok = fact("收支总计", "2,270.24", change=change("increase", "2,202.94", "3,273.31"))
    assert "A-002" not in ids(validate(disclosure(facts=[ok])))
    wrong = fact("收支总计", "2,270.24", change=change("increase", "2,202.94", "3,000.00"))
    assert "A-002" in ids(validate(disclosure(facts=[wrong])))
    # 001: 4,342.35 万元, down 1,188.52 万元, 下降21.5%: prior 5,530.87, 1188.52/5530.87 = 21.49%
    down = fact("收支总计", "4,342.35", year=2023, change=change("decrease", "1,188.52", "21.5", 2022))
    assert "A-002" not in ids(validate(disclosure(facts=[down], year=2023)))


def test_change_against_a_stated_prior_amount() -> None:
    stated = fact("支出合计", "150.00", change=change("increase", "40.00", None, base="100.00"))
    assert ids(validate(disclosure(facts=[stated]))) == ["A-001"]


def test_growth_from_zero_base_is_undefined() -> None:
    # 000: 机关运行经费 56.20 万元，比 2019 年度增加 56.20 万元，增长 100%
    found = validate(disclosure(facts=[fact("机关运行经费", "56.20", change=change("increase", "56.20", "100"))]))
    assert ("A-003", Severity.WARNING) in [(f.rule_id, f.severity) for f in found]


def test_share_of_the_whole() -> None:
    whole = fact("收入合计", "2,270.24", 10)
    good = fact("财政拨款收入", "1,958.40", 11, share=share("86.26", "本年收入"))
    bad = fact("其他收入", "311.84", 12, share=share("15.74", "本年收入"))
    assert ids(validate(disclosure(facts=[whole, good]))) == []
    # 86.26% + 15.74% of a complete breakdown is also 102%
    assert ids(validate(disclosure(facts=[whole, good, bad]))) == ["A-004", "A-006"]


def test_spending_by_class_is_never_a_share_of_one_source_of_income() -> None:
    # "财政拨款收支总计18,728.94万元…包括：一般公共预算当年拨款收入16,474.82万元、上年结转
    # 2,254.12万元；支出包括：…教育支出118.01万元，占0.63%": the whole is the 收支总计.
    total = fact("收支总计", "18,728.94", 10, scope="财政拨款")
    carried = fact("上年结转", "2,254.12", 11, scope="财政拨款")
    education = fact("function:205", "118.01", 12, scope="财政拨款", share=share("0.63"))
    assert ids(validate(disclosure(facts=[total, carried, education]))) == []
    wrong = fact("function:205", "118.01", 12, scope="财政拨款", share=share("5.24"))
    assert ids(validate(disclosure(facts=[total, carried, wrong]))) == ["A-004"]


def test_spending_by_class_after_the_years_appropriation_is_a_share_of_it() -> None:
    # 国家信访局 (corpus 08): "一般公共预算当年财政拨款16,474.82万元…（二）一般公共预算当年拨款
    # 结构情况：…一般公共服务（类）支出13,144.37万元，占79.78%": of the appropriation, not of the
    # 收支总计 18,728.91 stated before it.
    total = fact("收支总计", "18,728.91", 10, scope="财政拨款")
    appropriation = fact("当年拨款", "16,474.82", 20, scope="一般公共预算")
    general = fact("function:201", "13,144.37", 21, scope="一般公共预算", share=share("79.78"))
    assert ids(validate(disclosure(facts=[total, appropriation, general]))) == []
    assert ids(validate(disclosure(facts=[total, general]))) == ["A-004"]


def test_complete_breakdown_shares_add_to_100() -> None:
    whole = fact("支出合计", "100.00", 10)
    parts = [fact("基本支出", "40.00", 11, share=share("40.00", "本年支出")),
             fact("项目支出", "60.00", 12, share=share("60.00", "本年支出"))]
    assert validate(disclosure(facts=[whole, *parts])) == []
    off = [fact("基本支出", "40.00", 11, share=share("40.00", "本年支出")),
           fact("项目支出", "60.00", 12, share=share("59.00", "本年支出"))]
    assert ids(validate(disclosure(facts=[whole, *off]))) == ["A-004", "A-006"]


def test_a_zero_amount_heads_no_list_of_shares() -> None:
    # 苏州 (corpus 06): "收入预算合计186,241万元，包括本年收入186,241万元，上年结转结余0万元。
    # 其中：本年一般公共预算收入186,241万元，占100%；本年政府性基金预算收入0万元，占0%；…"
    # The zero sources are shares of 本年收入, not of the 0 carried over just before them.
    total = fact("收入合计", "186,241", 10)
    this_year = fact("本年收入", "186,241", 11)
    carried = fact("上年结转", "0", 12)
    shares = [fact("other", "186,241", 13, share=share("100")), fact("other", "0", 14, share=share("0")),
              fact("other", "0", 15, share=share("0"))]
    assert validate(disclosure(facts=[total, this_year, carried, *shares])) == []
    wrong = [*shares[:2], fact("other", "0", 15, share=share("3"))]
    assert ids(validate(disclosure(facts=[total, this_year, carried, *wrong]))) == ["A-004", "A-006"]


def test_completion_rate() -> None:
    ok = fact("支出合计", "1,952.37", scope="一般公共预算财政拨款", completion=completion("531.54", "367.30"))
    assert ids(validate(disclosure(facts=[ok]))) == []
    bad = fact("支出合计", "1,952.37", scope="一般公共预算财政拨款", completion=completion("531.54", "376.30"))
    assert ids(validate(disclosure(facts=[bad]))) == ["A-005"]
    zero = fact("function:201", "0.00", completion=completion("0.00", "0"))
    assert validate(disclosure(facts=[zero])) == []


# --- year over year ------------------------------------------------------------------------------

def test_000_jump_of_the_totals_raises_a_yoy_finding() -> None:
    jump = fact("收支总计", "2,270.24", change=change("increase", "2,202.94", "3,273.31"))
    found = [f for f in validate(disclosure(facts=[jump])) if f.rule_id == "Y-001"]
    assert len(found) == 1 and found[0].expected == Decimal("67.30") and alert_kind(found[0]) == "yoy"


@pytest.mark.parametrize("current, delta, rate", [("130.00", "30.00", "30.00"), ("40.00", "30.00", "300.00")])
def test_small_or_modest_changes_do_not_alert(current, delta, rate) -> None:
    # 30% is not beyond the 30% threshold; +30 万元 is under the 50 万元 floor
    assert "Y-001" not in ids(validate(disclosure(facts=[fact("支出合计", current, change=change("increase", delta, rate))])))


def test_thresholds_are_configuration() -> None:
    modest = fact("支出合计", "1,300.00", change=change("increase", "300.00", "30.00"))
    assert "Y-001" in ids(validate(disclosure(facts=[modest]), config=ValidationConfig(yoy_rate_percent=Decimal("20"))))


def record(year: int, kind: DisclosureKind, **figures: str) -> HistoryRecord:
    identity = DisclosureIdentity(sha256="1" * 64, name=f"{year}.txt", department="武汉市测试局", department_key="武汉市测试局",
                                  fiscal_year=year, kind=kind, unit=Unit.WAN_YUAN)
    return HistoryRecord(identity=identity, key_figures={k: Decimal(v) for k, v in figures.items()})


def test_prior_year_stated_in_the_text_against_its_own_disclosure() -> None:
    current = fact("收支总计", "2,270.24", change=change("increase", "2,202.94", "3,273.31"))
    found = validate(disclosure(facts=[current]), history=[record(2019, DisclosureKind.FINAL_ACCOUNTS, 收支总计="70.00")])
    assert "Y-002" in ids(found) and "Y-003" in ids(found)
    agreeing = validate(disclosure(facts=[current]), history=[record(2019, DisclosureKind.FINAL_ACCOUNTS, 收支总计="67.30")])
    assert "Y-002" not in ids(agreeing)


def test_final_accounts_against_the_same_years_budget() -> None:
    final = disclosure(facts=[fact("支出合计", "4,342.35", year=2023)], year=2023)
    assert "B-001" in ids(validate(final, history=[record(2023, DisclosureKind.BUDGET, 支出合计="2700.92")]))
    assert "B-001" not in ids(validate(final, history=[record(2023, DisclosureKind.BUDGET, 支出合计="4300.00")]))


# --- form ----------------------------------------------------------------------------------------

def test_missing_table_unit_slip_and_percent_sign() -> None:
    slip = table("final.income", ["本年收入合计"], [row("合计", {"1": "43423500.00"})], unit=Unit.YUAN)
    no_sign = fact("支出合计", "3,140.15", change=change("increase", "349.46", "12.52", sign=False))
    found = validate(disclosure([slip], [no_sign], missing=["final.three_public"]))
    assert {"F-001", "F-002", "F-003"} <= set(ids(found))


def test_a_table_in_another_unit_that_the_text_confirms_is_no_slip() -> None:
    # 上海: the “三公” table in 万元 among tables in 元, and the text says 143.14万元.
    three = table("budget.three_public", ["合计"], [row("合计", {"1": "143.14"})])
    income = table("budget.income", ["合计"], [row("合计", {"1": "36289100.00"})], unit=Unit.YUAN)
    stated = fact("三公经费", "143.14")  # in 万元
    found = ids(validate(disclosure([income, three], [stated], unit=Unit.YUAN)))
    assert "F-002" not in found
    assert "F-002" in ids(validate(disclosure([income, three], [], unit=Unit.YUAN)))


def test_a_class_of_fiscal_appropriations_is_read_from_the_fiscal_table_when_printed() -> None:
    # 江苏: "学前教育（项）支出6,111.65万元" under 财政拨款支出预算情况说明 is the 财政拨款支出表's
    # 6,111.65, not the 6,611.65 of all funds in the 支出总表.
    all_funds = table("budget.expenditure", ["合计"], [row("2050201", {"1": "6611.65"})])
    fiscal = table("budget.fiscal_expenditure", ["合计"], [row("2050201", {"1": "6111.65"})])
    stated = fact("function:2050201", "6,111.65", scope="财政拨款", year=2026)
    assert "N-001" not in ids(validate(disclosure([all_funds, fiscal], [stated], kind=DisclosureKind.BUDGET, year=2026)))
    assert "N-001" in ids(validate(disclosure([all_funds], [stated], kind=DisclosureKind.BUDGET, year=2026)))


def test_a_budgets_income_is_its_grand_total_whatever_the_summary_calls_it() -> None:
    # 福州 (corpus 12): "收入预算为61764.88万元" is the 收入合计 below 本年收入合计 53,764.88 and
    # 上年结转结余 8,000.00
    summary = table("budget.income_expenditure_summary", ["预算数"], [
        row("本年收入合计", {"1": "53764.88"}), row("上年结转结余", {"1": "8000.00"}), row("收入合计", {"1": "61764.88"})])
    stated = fact("收入合计", "61764.88", year=2026)
    assert "N-001" not in ids(validate(disclosure([summary], [stated], kind=DisclosureKind.BUDGET, year=2026)))
    wrong = fact("收入合计", "61746.88", year=2026)
    assert "N-001" in ids(validate(disclosure([summary], [wrong], kind=DisclosureKind.BUDGET, year=2026)))


def test_a_class_of_fiscal_appropriations_is_read_by_name_from_the_fiscal_summary() -> None:
    # 国家信访局 (corpus 08): "（四）财政拨款收支总表…支出包括：一般公共服务支出15,291.3万元" is
    # the 财政拨款收支总表's row 一般公共服务支出 (it prints no codes), not the 47,179.30 spent
    # on class 201 from all funds.
    all_funds = table("budget.expenditure", ["合计"], [row("201", {"1": "47179.30"})])
    fiscal = table("budget.fiscal_summary", ["预算数"], [row("一般公共服务支出", {"1": "15291.30"}, label="（一）一般公共服务支出")])
    stated = fact("function:201", "15,291.3", scope="财政拨款", year=2026)
    assert "N-001" not in ids(validate(disclosure([all_funds, fiscal], [stated], kind=DisclosureKind.BUDGET, year=2026)))
    wrong = fact("function:201", "15,921.3", scope="财政拨款", year=2026)
    assert "N-001" in ids(validate(disclosure([all_funds, fiscal], [wrong], kind=DisclosureKind.BUDGET, year=2026)))


def test_key_figures_come_from_tables_then_narrative() -> None:
    income = table("final.income", ["本年收入合计"], [row("合计", {"1": "100.00"})])
    figures = key_figures(disclosure([income], [fact("收入合计", "999.00"), fact("收支总计", "120.00")]))
    assert figures["收入合计"] == Decimal("100.00") and figures["收支总计"] == Decimal("120.00")


def test_template_placeholders_left_in_the_text_even_when_wrapped() -> None:
    from fiscalwatch.common.document import SourceDocument

    text = "其他收入 311.84 万元，占本年收入 13.74%。(简述本部门使用科\n\n目)\n年度目标 1（XX 分）\n比上年下降（增长）5%\n"
    found = validate(disclosure(), document=SourceDocument.from_text("t.txt", text))
    assert {f.rule_id for f in found} == {"F-004"}
    assert sorted(f.evidence[0].source.line for f in found) == [1, 4, 5]  # the bracket opens on line 1
    clean = "本年收入 311.84 万元，比上年下降 5%。项目（按支出功能分类）\n"
    assert validate(disclosure(), document=SourceDocument.from_text("t.txt", clean)) == []
    # 烟台 (corpus 16): the editor's note the template says to delete before publishing
    note = "委托业务费财政拨款预算为2,196.52万元，比上年预算（注：上年3,468.18万\n元，公开时请删除注释）减少1271.66万元。\n"
    found = validate(disclosure(), document=SourceDocument.from_text("t.txt", note))
    assert [(f.rule_id, f.evidence[0].source.line) for f in found] == [("F-004", 1)]
    remark = "（注：本表无数据，按要求公开空表。）\n"
    assert validate(disclosure(), document=SourceDocument.from_text("t.txt", remark)) == []


def test_code_whose_name_is_not_the_catalogues() -> None:
    wrong = table("final.expenditure", ["本年支出合计"], [row("2101501", {"1": "10.00"}, label="住房公积金")])
    assert ids(validate(disclosure([wrong]))) == ["F-005"]
    cut = table("final.expenditure", ["本年支出合计"], [row("2089999", {"1": "10.00"}, label="其他社会保障和就业支")])
    assert validate(disclosure([cut])) == []


def test_administrative_running_costs_against_public_funds() -> None:
    # GovBudgetChecker R009: 机关运行经费 in the text is the basic-expenditure table's 公用经费,
    # all of it for a department of administrative units; a department with 事业单位 spends
    # less on it than the table's total (烟台住建 201.87 of 1,043.69), never more.
    basic = table("final.general_budget_basic", ["决算数"], [row("公用经费合计", {"1": "291.90"})])
    assert validate(disclosure([basic], [fact("机关运行经费", "291.9")])) == []
    assert validate(disclosure([basic], [fact("机关运行经费", "219.90")])) == []
    assert ids(validate(disclosure([basic], [fact("机关运行经费", "391.90")]))) == ["N-001"]


def test_amount_written_in_yuan_where_the_table_has_wan_yuan() -> None:
    # GovBudgetChecker R001: "住房公积金 … 4,342.35 元" against 4,342.35 万元 in the table.
    from validate_builders import amount
    income = table("final.income", ["本年收入合计"], [row("合计", {"1": "4342.35"})])
    slip = fact("收入合计", "4,342.35").model_copy(update={"amount": amount("4,342.35", 10, Unit.YUAN)})
    assert ids(validate(disclosure([income], [slip]))) == ["F-002"]


def test_a_change_word_printed_twice() -> None:
    from fiscalwatch.common.document import SourceDocument

    text = "比2024年预算增加增加584.09万元。\n"
    assert [f.rule_id for f in validate(disclosure(), document=SourceDocument.from_text("t.txt", text))] == ["F-004"]


def test_a_header_naming_another_body_and_a_table_of_another_year() -> None:
    from fiscalwatch.common.document import SourceDocument

    text = "部门：武汉市测试局（本级）\n部门：武汉市测试局信息中心\n单位名称：(盖章)\n部门：武汉市另一局\n"
    found = validate(disclosure(), document=SourceDocument.from_text("t.txt", text))
    assert [(f.rule_id, f.evidence[0].source.line) for f in found] == [("F-006", 4)]
    old = table("final.income", ["本年收入合计"], [row("合计", {"1": "1.00"})]).model_copy(update={"title": "2019年度收入决算表"})
    assert ids(validate(disclosure([old], year=2020))) == ["F-007"]


def test_items_listed_under_a_total_must_add_up() -> None:
    # 004: "项目支出 920.15 万元，其中：一般公共预算本年拨款 920.15 万元。具体使用情况如下：" 3.6 + 500 + …
    head = fact("项目支出", "920.15", 10).model_copy(update={"sentence": "2024 年项目支出 920.15 万元，其中：一般公共预算本年拨款920.15 万元。具体使用情况如下："})
    items = [fact("other", v, 11 + i) for i, v in enumerate(["3.6", "500", "35.12", "98.88", "17.55", "260", "5"])]
    assert ids(validate(disclosure(facts=[head, *items]))) == []
    wrong = [*items[:-1], fact("other", "50", 20)]
    found = validate(disclosure(facts=[head, *wrong]))
    assert ids(found) == ["N-003"] and found[0].expected == Decimal("965.15")


def test_housing_fund_described_as_medical_spending() -> None:
    from fiscalwatch.common.document import SourceDocument

    text = "住房公积金（项）。主要用于：事业单位医疗保险支出。\n住房公积金：为职工缴存住房公积金。\n"
    found = validate(disclosure(), document=SourceDocument.from_text("t.txt", text))
    assert [(f.rule_id, f.evidence[0].source.line) for f in found] == [("F-008", 1)]


def test_tables_published_as_an_attachment_are_one_warning_not_an_error_per_table() -> None:
    # 北京 (corpus 02, 27): the 报表 are a second file; this one prints none of them
    from fiscalwatch.common.document import SourceDocument

    missing = ("budget.income", "budget.expenditure", "budget.three_public")
    bare = disclosure(kind=DisclosureKind.BUDGET, year=2026, missing=missing)
    text = "第二部分2026年度部门预算报表\n一、收支总表\n二、收入总表\n附件：北京市审计局2026年度部门预算报表\n"
    found = validate(bare, document=SourceDocument.from_text("t.txt", text))
    assert [(f.rule_id, f.severity, f.evidence[0].source.line) for f in found] == [("F-010", Severity.WARNING, 4)]
    # without the statement, or without the text, each missing table is an error
    plain = SourceDocument.from_text("t.txt", "第二部分2026年度部门预算报表\n一、收支总表\n")
    assert ids(validate(bare, document=plain)) == ["F-001"] * 3
    assert ids(validate(bare)) == ["F-001"] * 3
    # a file with tables of its own is held to the mandatory ones, attachment or not
    some = disclosure([table("budget.income", ["合计"], [row("合计", {"1": "1.00"})])], kind=DisclosureKind.BUDGET,
                      year=2026, missing=missing[1:])
    assert ids(validate(some, document=SourceDocument.from_text("t.txt", text))) == ["F-001"] * 2
