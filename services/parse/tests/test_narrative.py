"""Narrative facts read from real sentences, and the same facts however the text wraps."""

from __future__ import annotations

import random
import time
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from fiscalwatch.common.document import SourceDocument
from fiscalwatch.common.model import DisclosureKind, Metadata, Unit
from fiscalwatch.parse.narrative import extract_facts

SEEDS = Path(__file__).parent / "data" / "seeds"


def meta(year: int, kind=DisclosureKind.FINAL_ACCOUNTS) -> Metadata:
    return Metadata(department="-", department_key="-", fiscal_year=year, kind=kind, unit=Unit.WAN_YUAN)


@pytest.fixture(scope="module")
def facts_000():
    doc = SourceDocument.from_path(SEEDS / "000_d606ceb80bbf38c6.txt")
    return extract_facts(doc, meta(2020)).facts


def budget_facts(text: str, codes: dict[str, str] | None = None):
    """The facts of `text` read as a 2026 budget's narrative."""
    return extract_facts(SourceDocument.from_text("t.txt", text), meta(2026, DisclosureKind.BUDGET), codes=codes).facts


def find(facts, quantity, value, scope=""):
    matches = [f for f in facts if f.quantity == quantity and f.scope == scope and f.amount.value == Decimal(value)]
    assert matches, f"no {quantity} [{scope}] = {value}"
    return matches[0]


def test_total_with_change_and_growth_stated_in_the_next_sentence(facts_000) -> None:
    # line 109: "2020 年度收、支总计 2,270.24 万元。与 2019 年度相" / "比，收、支总计各增加 2,202.94 万元，增长 3,273.31%，"
    total = find(facts_000, "收支总计", "2270.24")
    assert (total.source.line, total.amount.raw, total.amount.unit, total.year) == (109, "2,270.24", Unit.WAN_YUAN, 2020)
    change = total.change
    assert (change.direction, change.amount.value, change.rate.value, change.rate.places, change.base_year) == (
        "increase", Decimal("2202.94"), Decimal("3273.31"), 2, 2019)
    assert change.amount.source.line == 111


def test_amount_wrapped_mid_unit_keeps_its_line(facts_000) -> None:
    # "…财政拨款收、支总计各增加 1,891.10 万" / "" / "元，增长 2,809.96%。"
    total = find(facts_000, "收支总计", "1958.40", scope="财政拨款")
    assert total.change.amount.value == Decimal("1891.10") and total.change.amount.source.line == 159
    assert total.change.rate.value == Decimal("2809.96")


def test_shares_of_the_income_total(facts_000) -> None:
    fiscal = find(facts_000, "财政拨款收入", "1958.40")
    assert (fiscal.source.line, fiscal.share.rate.value, fiscal.share.of) == (123, Decimal("86.26"), "本年收入")
    other = find(facts_000, "其他收入", "311.84")
    assert other.share.rate.value == Decimal("13.74")


def test_completion_of_the_initial_budget(facts_000) -> None:
    # "2020 年度一般公共预算财政拨款支出年初预算为 531.54 万元，支出决算为 1,952.37 万元，完成年初预算的 367.30%。"
    spent = find(facts_000, "支出合计", "1952.37", scope="一般公共预算财政拨款")
    assert spent.completion.budget.value == Decimal("531.54") and spent.completion.rate.value == Decimal("367.30")
    # "7.社会保障和就业支出(类)。年初预算为 20.72 万元，支出决算为 9.77 万元，完成年初预算的 47.15%"
    social = [f for f in facts_000 if f.quantity == "function:208" and f.completion is not None]
    assert [(f.amount.value, f.completion.budget.value, f.completion.rate.value) for f in social] == [
        (Decimal("9.77"), Decimal("20.72"), Decimal("47.15"))]


def test_scopes_follow_the_section_headings(facts_000) -> None:
    assert find(facts_000, "基本支出", "240.45").scope == ""  # 三、支出决算情况说明
    assert find(facts_000, "基本支出", "239.55", scope="一般公共预算财政拨款")  # 五、一般公共预算财政拨款…
    assert find(facts_000, "人员经费", "183.35", scope="一般公共预算财政拨款")


def test_malformed_amount_is_read_with_its_raw_text(facts_000) -> None:
    # "12.交通运输支出(类)。年初预算为 0.00 万元，支出决算为 000 万元"
    odd = [f for f in facts_000 if f.amount.raw == "000"]
    assert len(odd) == 1 and odd[0].amount.value == 0 and odd[0].quantity == "function:214"


def test_change_printed_without_its_unit_takes_the_amounts_unit() -> None:
    text = ("2023年度收、支总计4,342.35万元。与2022年度相比，收、支总计各减少1,188.52，下降21.5%，"
            "主要原因是项目支出减少。\n")
    [total] = extract_facts(SourceDocument.from_text("t.txt", text), meta(2023)).facts
    assert (total.change.direction, total.change.amount.value, total.change.amount.unit) == ("decrease", Decimal("1188.52"), Unit.WAN_YUAN)
    assert total.change.rate.value == Decimal("21.5") and total.change.base_year == 2022


def test_growth_printed_without_the_word_or_the_sign() -> None:
    text = "2021 年收支总预算 3983.32 万元，比 2020 年预算增加 349.46 万元，\n\n9.62%，主要是基本支出增加。\n"
    [total] = extract_facts(SourceDocument.from_text("t.txt", text), meta(2021, DisclosureKind.BUDGET)).facts
    assert total.quantity == "收支总计" and total.change.rate.value == Decimal("9.62")
    unsigned = "2021 年收支总预算 3983.32 万元，比 2020 年预算增加 349.46 万元，增长 9.62，主要是基本支出增加。\n"
    [total] = extract_facts(SourceDocument.from_text("t.txt", unsigned), meta(2021, DisclosureKind.BUDGET)).facts
    assert total.change.rate.value == Decimal("9.62") and total.change.rate.has_percent_sign is False


def test_a_budget_states_its_item_as_the_amount_of_its_budget() -> None:
    # 国家信访局 (corpus 08): in a budget, "预算数为 A 万元" is the item's amount itself, not the
    # initial budget of an actual to follow (final accounts), and the change after it is A's.
    text = ("1.一般公共服务支出（类）信访事务（款）行政运行（项）\n"
            "2026年预算数为5,826.21万元，比2025年执行数增加271.14\n万元，增幅4.88%，主要是财政核定经费增加。\n")
    codes = {"201": "一般公共服务支出", "20140": "信访事务", "2014001": "行政运行"}
    [item] = budget_facts(text, codes)
    assert (item.quantity, item.amount.value) == ("function:2014001", Decimal("5826.21"))
    assert (item.change.direction, item.change.amount.value, item.change.rate.value) == ("increase", Decimal("271.14"), Decimal("4.88"))


def test_the_budget_a_change_is_from_is_no_fact_of_the_year() -> None:
    # 北京 (corpus 02): "比2025年年初预算数30385.62万元增加": the base of the change;
    # 苏州 (corpus 06): "（去年预算数为0万元，无法计算增减比率）"
    text = ("2026年度收入预算32852.05万元，比2025年年初预算数30385.62万元增加2466.43万元，增长8.12%。\n"
            "2026年项目支出1,140万元，与上年相比增加1,140万元（去年预算数为0万元，无法计算增减比率）。\n")
    facts = budget_facts(text)
    assert [(f.quantity, f.amount.value) for f in facts] == [("收入合计", Decimal("32852.05")), ("项目支出", Decimal("1140"))]
    assert facts[0].change.amount.value == Decimal("2466.43")


def test_final_accounts_read_the_initial_budget_as_what_the_actual_completes() -> None:
    text = "2020年度一般公共预算财政拨款支出年初预算为531.54万元，支出决算为1,952.37万元，完成年初预算的367.30%。\n"
    [actual] = extract_facts(SourceDocument.from_text("t.txt", text), meta(2020)).facts
    assert actual.amount.value == Decimal("1952.37") and actual.completion.budget.value == Decimal("531.54")


def test_a_glossary_entry_names_no_sections_scope() -> None:
    # 上海 (corpus 26): the glossary's last entry defines 机关运行经费 by the 一般公共预算财政拨款
    # it is paid from; the department's 支出预算 after it is not of that scope.
    text = ("名词解释\n（八）机关运行经费：指行政单位使用一般公共预算财政拨款安排的基本支出中的日常公用经费支出。\n"
            "2026年单位预算编制说明\n支出预算2,616万元，其中：财政拨款支出预算2,605万元。\n")
    facts = budget_facts(text)
    assert [(f.quantity, f.scope, f.amount.value) for f in facts] == [
        ("支出合计", "", Decimal("2616")), ("支出合计", "财政拨款", Decimal("2605"))]
    heading = "五、一般公共预算财政拨款支出情况说明\n支出预算2,605万元。\n"
    [fact] = budget_facts(heading)
    assert fact.scope == "一般公共预算财政拨款"


def test_fund_budgets_named_without_the_word_budget_are_their_scope() -> None:
    # 上海 (corpus 01): "政府性基金拨款支出预算0万元" is the fund budget's spending, not the department's
    text = ("支出预算47,145万元，其中：一般公共预算拨款支出预算47,145万元；政府性基金拨款支出预算0万元；"
            "国有资本经营预算拨款支出预算为0万元。\n")
    facts = budget_facts(text)
    assert [(f.quantity, f.scope) for f in facts] == [
        ("支出合计", ""), ("支出合计", "一般公共预算"), ("支出合计", "政府性基金预算"), ("支出合计", "国有资本经营预算")]


def test_a_class_listed_within_the_project_spending_is_not_the_classs_amount() -> None:
    # 长沙 (corpus 11): the class's project spending (417.41) is a part of its 1935.36
    text = ("2026年本单位支出预算1935.36万元，其中：一般公共服务支出1935.36万元。\n"
            "（二）项目支出：2026年本单位项目支出预算417.41万元，主要是单位为完成特定工作任务而发生的支出，"
            "其中：一般公共服务支出417.41万元，主要用于信访业务工作专项。\n")
    facts = budget_facts(text)
    assert [(f.quantity, f.amount.value) for f in facts] == [
        ("支出合计", Decimal("1935.36")), ("function:201", Decimal("1935.36")),
        ("项目支出", Decimal("417.41")), ("other", Decimal("417.41"))]


def test_a_class_named_in_the_reasons_for_a_change_is_not_the_classs_amount() -> None:
    # 苏州 (corpus 31): 13800 is one project's spending under 农林水, given as a reason
    text = ("（3）农林水支出（类）支出47,731.51万元，主要用于人员支出。与上年相比增加15,540.97万元，增长48.28%。"
            "主要原因是吴淞江（江苏段）整治工程在农林水支出（类）支出列支13800万元。\n"
            "2023年度一般公共预算财政拨款支出4,342.35万元，主要用于以下方面：\n"
            "1. 社会保障和就业（类）支出136.48万元，占3.1%。主要是用于2080505机关事业单位基本养老保险缴费支出134.68万元。\n")
    facts = budget_facts(text)
    assert [(f.quantity, f.amount.value) for f in facts] == [
        ("function:213", Decimal("47731.51")), ("other", Decimal("13800")), ("支出合计", Decimal("4342.35")),
        ("function:208", Decimal("136.48")), ("function:2080505", Decimal("134.68"))]


def test_a_heading_that_refers_to_its_table_is_still_a_heading() -> None:
    # 杭州 (corpus 07): "（四）…总体说明（详见表4）" heads the 财政拨款 section; the classes in it
    # are its 财政拨款 spending, not the department's (stated earlier, larger)
    text = ("（四）财政拨款收支预算情况的总体说明（详见表4）\n"
            "2026年财政拨款收支总预算91,842.80万元。支出包括：公共安全支出69,081.15万元。\n")
    facts = budget_facts(text)
    assert [(f.quantity, f.scope, f.subject) for f in facts] == [
        ("收支总计", "财政拨款", "2026年财政拨款收支总预算"), ("function:204", "财政拨款", "公共安全支出")]


def test_spending_by_use_names_personnel_and_running_costs_as_zhejiang_prints_them() -> None:
    text = ("2.按支出用途分类，包括人员支出58,486.35万元，占59.0%；日常公用支出12,237.94万元，占12.3%；"
            "项目支出28,506.17万元，占28.7%。\n人员支出标准 7 万元。\n")
    facts = budget_facts(text)
    assert [f.quantity for f in facts] == ["人员经费", "公用经费", "项目支出", "other"]


def test_items_of_a_use_list_are_not_the_departments_quantities() -> None:
    text = "（二）项目支出 2570.14 万元，其中：一般行政管理事务 2570.14 万元，主要用于：聘用人员经费 98 万元、医疗保障业务工作经费 2459.34 万元。\n"
    facts = extract_facts(SourceDocument.from_text("t.txt", text), meta(2021, DisclosureKind.BUDGET)).facts
    assert [f.quantity for f in facts if f.amount.value == Decimal("98")] == ["other"]


def test_lines_whose_numbers_are_all_understood_are_consumed_and_the_rest_reported() -> None:
    text = "武汉市某局在职实有人数 6 人。\n2020 年度收入合计 2,270.24 万元。\n用于突发公共卫生事件应急处理 1443.32 万元。\n"
    result = extract_facts(SourceDocument.from_text("t.txt", text), meta(2020))
    assert {1, 2} <= result.consumed and 3 not in result.consumed
    assert [u.line for u in result.unread] == [3]


# --- the same facts however the text is laid out --------------------------------------------

PARAGRAPH = (SEEDS / "000_d606ceb80bbf38c6.txt").read_text(encoding="utf-8").splitlines()[108:153]
JOINED = "".join(line.strip() for line in PARAGRAPH if line.strip() and not line.strip().startswith(("一、", "二、", "三、", "四、", "图")))


def signature(facts):
    return [
        (f.quantity, f.scope, f.year, f.amount.value,
         (f.change.direction, f.change.amount.value if f.change.amount else None, f.change.rate.value if f.change.rate else None, f.change.base_year) if f.change else None,
         f.share.rate.value if f.share else None)
        for f in facts
    ]


def read(text: str):
    return signature(extract_facts(SourceDocument.from_text("t.txt", text), meta(2020)).facts)


BASELINE = read(JOINED)


def test_baseline_paragraph_has_its_facts() -> None:
    assert len(BASELINE) >= 12
    assert BASELINE[0][:4] == ("收支总计", "", 2020, Decimal("2270.24"))


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.randoms(use_true_random=False))
def test_wrapping_at_random_points_with_blank_lines_gives_the_same_facts(rng: random.Random) -> None:
    pieces, i = [], 0
    while i < len(JOINED):
        step = rng.randint(3, 40)
        pieces.append(JOINED[i : i + step])
        i += step
    text = "".join(p + "\n" * rng.randint(1, 3) for p in pieces)
    assert read(text) == BASELINE


FULL_WIDTH = {ord(c): ord(c) + 0xFEE0 for c in "0123456789.,%()"}


def test_full_width_digits_and_punctuation_give_the_same_facts() -> None:
    assert read(JOINED.translate(FULL_WIDTH)) == BASELINE
    ascii_punct = JOINED.replace("，", ",").replace("；", ";").replace("：", ":").replace("（", "(").replace("）", ")")
    assert read(ascii_punct) == BASELINE


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.text(alphabet=st.sampled_from(list("收支总计入合年度增加减少长下降占万元%，。、：；0123456789. \n与比相")), max_size=2000))
def test_arbitrary_text_returns_quickly(text: str) -> None:
    start = time.perf_counter()
    extract_facts(SourceDocument.from_text("fuzz.txt", text), meta(2020))
    assert time.perf_counter() - start < 2.0


ITEMS_BY_LEVEL = """\
3.一般公共预算当年拨款具体使用情况。
（1）一般公共服务支出（类）财政事务（款）行政运
行（项）3685.65万元，主要用于局本级保障机构正常运转。
（2）公共安全支出（类）司法（款）行政运行（项）
8,553.80万元，主要用于司法局机关日常运行支出。
（一）科学技术支出（类）
1.科学技术管理事务（款）行政运行（项）支出1,304.01万元。
2.教育管理事务（款）行政运行（项）支出9.00万元。
"""
TABLE_CODES = {
    "201": "一般公共服务支出", "20106": "财政事务", "2010601": "行政运行",
    "204": "公共安全支出", "20406": "司法", "2040601": "行政运行",
    "206": "科学技术支出", "20601": "科学技术管理事务", "2060101": "行政运行",
}


def test_an_item_named_by_its_levels_is_that_item_and_never_its_class() -> None:
    """行政运行 is printed under every 款: the 类 and 款 the sentence names (or a heading
    above it) tell which; an item the tables do not print is not its class either."""
    facts = extract_facts(SourceDocument.from_text("x.txt", ITEMS_BY_LEVEL), meta(2026, DisclosureKind.BUDGET),
                          codes=TABLE_CODES).facts
    by_value = {str(f.amount.value): f.quantity for f in facts}
    assert by_value["3685.65"] == "function:2010601"
    assert by_value["8553.80"] == "function:2040601"
    assert by_value["1304.01"] == "function:2060101"  # its 类 from the heading above
    assert by_value["9.00"] == "other"  # 教育管理事务 is in no table: not 科学技术支出 either


def test_the_parts_of_procurement_as_other_provinces_name_them() -> None:
    """江苏 "拟采购货物支出", 上海 and 北京 "政府采购货物预算": the parts, never the total again."""
    text = ("2026年度政府采购支出预算总额393万元，其中：拟采购货物支出20万元、拟采购工程支出0万元、"
            "拟采购服务支出373万元。\n"
            "2026年度本单位政府采购预算8,082.60万元，其中：政府采购货物预算22.21万元、"
            "政府采购工程预算0.00万元、政府采购服务预算8,060.39万元。\n")
    facts = budget_facts(text)
    assert [(f.quantity, f.amount.value) for f in facts] == [
        ("政府采购支出", Decimal("393")),
        ("政府采购货物支出", Decimal("20")), ("政府采购工程支出", Decimal("0")), ("政府采购服务支出", Decimal("373")),
        ("政府采购支出", Decimal("8082.60")),
        ("政府采购货物支出", Decimal("22.21")), ("政府采购工程支出", Decimal("0.00")), ("政府采购服务支出", Decimal("8060.39")),
    ]


def test_a_change_after_a_list_of_parts_is_the_wholes() -> None:
    """"收入…，其中：A、B、C，较上年减少…" is the change of the 收入, not of C; a part followed by
    a change of its own keeps it."""
    text = ("本部门当年收入合计344,447.70万元，其中：一般公共预算拨款324,638.50万元、上年结转13,102.70万元、"
            "其他收入3,444.00万元，较上年减少129,422.00万元，下降27.31%。\n"
            "本部门支出合计100.00万元，其中：基本支出60.00万元，比上年增加5.00万元；项目支出40.00万元，"
            "比上年减少1.00万元。\n")
    facts = budget_facts(text)
    changed = {(f.quantity, str(f.amount.value)): f.change.amount.value for f in facts if f.change}
    assert changed == {
        ("收入合计", "344447.70"): Decimal("129422.00"),
        ("基本支出", "60.00"): Decimal("5.00"),
        ("项目支出", "40.00"): Decimal("1.00"),
    }


def test_an_unnamed_change_is_of_this_or_the_previous_sentence_only() -> None:
    # 国家信访局 (corpus 08): the amount the change is of is misprinted ("3,623.98为万元"), so
    # the sentence states no fact; its change is of nothing the paragraph before stated.
    facts = budget_facts(
        "支出包括：一般公共服务支出15,291.3万元，占81.65%；住房保障支出1,111.44万元，占5.93%。\n"
        "五、关于一般公共预算支出表的说明\n"
        "2026年，厉行节约办一切事业，严控一般性支出。\n"
        "减少较为明显的项级支出科目为2014099其他信访事务支出，2026年预算数3,623.98为万元，"
        "比2025年执行减少21,519.26万元，减少85.59%。\n"
    )
    assert all(f.change is None for f in facts)
    # the same change in the sentence right after its amount's is that amount's
    facts = budget_facts("2026年基本支出15,291.3万元。比2025年执行数减少21,519.26万元，减少58.46%。\n")
    assert find(facts, "基本支出", "15291.3").change.amount.value == Decimal("21519.26")


def test_a_change_naming_its_quantity_reaches_back_over_an_enumeration() -> None:
    # 烟台住建 (corpus 16): "2.支出预算增加…" changes the 支出预算 stated two sentences and three
    # facts before, not the 收支预算 whose change was stated since
    facts = budget_facts(
        "（二）支出预算：2026年支出预算45,967.29万元，其中：基本支出16,162.69万元，项目支出29,804.6万元。\n"
        "（三）增减变化情况：2026年收支预算45,967.29万元，比上年增加14,345.82万元，其中：\n"
        "1.支出预算增加14,345.82万元，其中基本支出增加258.79万元，项目支出增加14,087.02万元。\n"
    )
    assert find(facts, "支出合计", "45967.29").change.amount.value == Decimal("14345.82")
    assert find(facts, "基本支出", "16162.69").change.amount.value == Decimal("258.79")
    assert find(facts, "项目支出", "29804.6").change.amount.value == Decimal("14087.02")


def test_the_years_appropriation_is_not_its_income() -> None:
    # 国家信访局 / 湖州: "一般公共预算当年拨款收入 A" is the income; "一般公共预算当年(财政)拨款 A"
    # the appropriation a section then breaks down by class (杭州司法 counts the carry-over in)
    facts = budget_facts(
        "收入包括：一般公共预算当年拨款收入6838.41万元。\n"
        "湖州市财政局2026年一般公共预算当年拨款6838.41万元，比上年执行数减少772.20万元，下降10.1%。\n"
        "国家信访局2026年一般公共预算当年财政拨款16,474.82万元。\n"
    )
    assert find(facts, "财政拨款收入", "6838.41", scope="一般公共预算").source.line == 1
    appropriation = find(facts, "当年拨款", "6838.41", scope="一般公共预算")
    assert appropriation.change.amount.value == Decimal("772.20")
    find(facts, "当年拨款", "16474.82", scope="一般公共预算")


def test_one_projects_funds_are_not_the_departments() -> None:
    # 国家信访局 (corpus 08), a project's page: its carry-over is not the department's 上年结转
    facts = budget_facts(
        "收入包括：一般公共预算当年拨款收入16,474.82万元、上年结转2,254.12万元。\n"
        "（6）年度预算安排\n2026年拟安排该项目一般公共预算2,134.87万元（含上年结转750.00万元）。\n"
    )
    assert [f.amount.value for f in facts if f.quantity == "上年结转"] == [Decimal("2254.12")]
    assert {f.quantity for f in facts if f.source.line == 3} == {"other"}


def test_a_change_after_an_aside_in_brackets_is_of_the_amount_before_the_aside() -> None:
    # 广州 (corpus 05): the parts in brackets have changes of their own; the one after the
    # brackets is the whole's. 烟台 (corpus 16): a note left in brackets is no fact to change.
    facts = budget_facts(
        "公务用车购置及运行维护费364.17万元（公务用车购置费18万元，比上年增加18万元；公务用车运行维护费"
        "346.17万元，比上年增加3.02万元），比上年增加21.02万元，增长6.1%。\n"
        "2026年本部门委托业务费财政拨款预算为2,196.52万元，比上年预算（注：上年3,468.18万元，公开时请删除注释）"
        "减少1271.66万元，下降36.67%。\n"
    )
    assert find(facts, "公务用车购置及运行费", "364.17").change.amount.value == Decimal("21.02")
    assert find(facts, "公务用车运行费", "346.17").change.amount.value == Decimal("3.02")
    fee = next(f for f in facts if f.amount.value == Decimal("2196.52"))
    assert (fee.change.amount.value, fee.change.rate.value) == (Decimal("1271.66"), Decimal("36.67"))
    assert next(f for f in facts if f.amount.value == Decimal("3468.18")).change is None


def test_a_years_budget_of_income_and_spending_is_the_total() -> None:
    # 烟台 (corpus 16, 38): "（三）增减变化情况：2026年收支预算45,967.29万元，比上年增加14,345.82万元"
    facts = budget_facts("（三）增减变化情况：2026年收支预算45,967.29万元，比上年增加14,345.82万元，其中：\n")
    assert find(facts, "收支总计", "45967.29").change.amount.value == Decimal("14345.82")
