"""Standard tables read from excerpts of the seed documents (public disclosures), in both
layouts: exact cells (Decimal), their places, code resolution, empty tables, the table of
contents, page splits and changed numbering."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

from fiscalwatch.common.document import SourceDocument
from fiscalwatch.common.model import DisclosureKind, Metadata, Unit
from fiscalwatch.parse.tables import extract_tables, mandatory_templates

DATA = Path(__file__).parent / "data"


def metadata(kind: DisclosureKind, unit: Unit = Unit.WAN_YUAN) -> Metadata:
    return Metadata(department="测试部门", department_key="测试部门", fiscal_year=2023, kind=kind, unit=unit)


def extract(name: str, kind: DisclosureKind, text: str | None = None):
    text = text if text is not None else (DATA / name).read_text(encoding="utf-8")
    return extract_tables(SourceDocument.from_text(name, text), metadata(kind))


def cells(table) -> dict[str, dict[str, Decimal]]:
    return {row.key: {c: a.value for c, a in row.cells.items()} for row in table.rows}


def by_id(extraction):
    return {t.template_id: t for t in extraction.tables}


FINAL = DisclosureKind.FINAL_ACCOUNTS
BUDGET = DisclosureKind.BUDGET


# --- tab layout (001) ------------------------------------------------------------------------


def test_tab_detail_table_reads_every_cell_with_its_place():
    tables = by_id(extract("tables_001_tab_excerpt.txt", FINAL))
    income = tables["final.income"]
    assert income.number == "公开02表" and income.unit is Unit.WAN_YUAN
    assert [c.id for c in income.columns] == ["1", "2", "3", "4", "5", "6", "7"]
    got = cells(income)
    assert got["合计"] == {"1": Decimal("4342.35"), "2": Decimal("4342.35")}
    assert got["2080505"] == {"1": Decimal("134.68"), "2": Decimal("134.68")}
    assert len(income.rows) == 20
    row = income.row("2080505")
    assert row.key_kind == "function_code" and row.level == "item"
    assert row.label == "机关事业单位基本养老保险缴费支出"
    amount = row.cells["1"]
    assert amount.raw == "134.68" and amount.source.column == 4
    line = amount.source.line
    excerpt = (DATA / "tables_001_tab_excerpt.txt").read_text(encoding="utf-8").splitlines()
    assert excerpt[line - 1].startswith("2080505\t")


def test_tab_rows_shifted_against_the_header_are_realigned():
    # 公开03表: data rows carry one empty cell more than the header; 项目支出 only rows
    got = cells(by_id(extract("tables_001_tab_excerpt.txt", FINAL))["final.expenditure"])
    assert got["合计"] == {"1": Decimal("4342.35"), "2": Decimal("1716.51"), "3": Decimal("2625.84")}
    assert got["2101505"] == {"1": Decimal("2505.92"), "3": Decimal("2505.92")}
    assert got["222"] == {"1": Decimal("119.92"), "3": Decimal("119.92")}
    assert got["210"] == {"1": Decimal("3897.69"), "2": Decimal("1391.77"), "3": Decimal("2505.92")}


def test_tab_side_by_side_summary_is_keyed_by_line_number_and_stacked():
    table = by_id(extract("tables_001_tab_excerpt.txt", FINAL))["final.income_expenditure_summary"]
    got = cells(table)
    assert got["1"] == {"1": Decimal("4342.35")}
    assert got["39"] == {"2": Decimal("136.48")}
    assert got["58"] == {"2": Decimal("4342.35")}
    assert got["9"] == {}  # a 行次 printed without a label is still a row
    keys = [r.key for r in table.rows]
    assert keys.index("31") < keys.index("32")  # 收入 section first, then 支出
    assert table.row("27").label == "本年收入合计"
    printed = {(i.target, tuple(t.ref for t in i.terms)) for i in table.identities}
    assert ("31", ("27", "28", "29")) in printed
    assert ("58", tuple(str(n) for n in range(32, 58))) in printed
    assert all(i.origin == "printed" for i in table.identities)


def test_tab_empty_tables_and_three_public_single_row():
    tables = by_id(extract("tables_001_tab_empty_and_three_public.txt", FINAL))
    fund = tables["final.government_fund"]
    assert fund.declared_empty and "无政府性基金" in fund.empty_note
    assert {(i.target, tuple((t.sign, t.ref) for t in i.terms)) for i in fund.identities} == {
        ("6", ((1, "1"), (1, "2"), (-1, "3"))),
        ("3", ((1, "4"), (1, "5"))),
    }
    assert tables["final.state_capital"].declared_empty
    three = tables["final.three_public"]
    assert not three.declared_empty
    assert cells(three) == {
        "合计": {k: Decimal(v) for k, v in {"1": "6.14", "3": "5.39", "5": "5.39", "6": "0.75",
                                           "7": "6.14", "9": "5.39", "11": "5.39", "12": "0.75"}.items()}
    }


# --- cut codes (003) ----------------------------------------------------------------------------


def test_six_digit_codes_resolve_against_the_documents_full_codes():
    table = by_id(extract("tables_003_cut_codes.txt", FINAL))["final.expenditure"]
    got = cells(table)
    assert got["2080502"] == {"1": Decimal("24.05"), "2": Decimal("24.05")}
    assert got["2080505"] == {"1": Decimal("78.83"), "2": Decimal("78.83")}
    assert got["2101506"] == {"1": Decimal("100.00"), "3": Decimal("100.00")}
    assert table.row("2080505").printed_code == "208050"
    assert table.row("2101550").printed_code == "210155"
    assert table.row("2080505").level == "item"
    # no printed identities in 003: the template supplies them
    assert [(i.origin, i.target) for i in table.identities] == [("template", "1")]


# --- flattened layout (004, 002) ---------------------------------------------------------------


def test_flattened_values_are_placed_by_the_column_identities():
    table = by_id(extract("tables_004_flat_excerpt.txt", BUDGET))["budget.general_budget_expenditure"]
    assert [c.label for c in table.columns] == ["合计", "基本支出", "人员经费", "公用经费", "项目支出"]
    got = cells(table)
    assert got["2101502"] == {"1": Decimal("920.15"), "5": Decimal("920.15")}
    assert got["2101501"] == {"1": Decimal("131.05"), "2": Decimal("131.05"), "3": Decimal("111.54"), "4": Decimal("19.51")}
    assert got["208"] == {"1": Decimal("14.54"), "2": Decimal("14.54"), "3": Decimal("14.54")}


def test_table_split_over_two_pages_is_one_table():
    extraction = extract("tables_004_flat_excerpt.txt", BUDGET)
    basic = [t for t in extraction.tables if t.template_id == "budget.general_budget_basic"]
    assert len(basic) == 1
    got = cells(basic[0])
    assert got["合计"] == {"1": Decimal("189.23"), "2": Decimal("169.72"), "3": Decimal("19.51")}
    assert got["30228"] == {"1": Decimal("0.62"), "3": Decimal("0.62")}  # first page, 公用经费
    assert got["30299"]["1"] == Decimal("3.00")  # second page
    assert len(basic[0].rows) == 17
    assert basic[0].row("30101").key_kind == "economic_code"


def test_flattened_empty_declarations():
    tables = by_id(extract("tables_004_flat_excerpt.txt", BUDGET))
    assert tables["budget.government_fund"].declared_empty
    assert tables["budget.state_capital"].declared_empty
    assert tables["budget.government_fund"].empty_note.startswith("本单位无政府性基金")


def test_wrapped_names_and_unit_code_rows():
    table = by_id(extract("tables_002_flat_wrapped.txt", BUDGET))["budget.expenditure"]
    got = cells(table)
    assert got["2080505/737001"] == {"5": Decimal("67.20"), "6": Decimal("67.20")}
    assert table.row("2080505/737001").label == "机关事业单位基本养老保险缴费支出"
    assert got["2101505/737001"] == {"5": Decimal("2557.34"), "7": Decimal("2557.34")}  # by the parent's sums
    assert got["2101501/737001"] == {"5": Decimal("1086.97"), "6": Decimal("1086.97")}
    assert got["20805"] == {"5": Decimal("76.89"), "6": Decimal("76.89")}
    assert table.row("20805").label == "行政事业单位养老支出"


# --- captions --------------------------------------------------------------------------------


def test_table_of_contents_is_not_a_table():
    extraction = extract("tables_002_toc_and_table.txt", BUDGET)
    assert [t.template_id for t in extraction.tables] == ["budget.general_budget_expenditure"]
    table = extraction.tables[0]
    assert table.source.line > 30  # the caption after the contents, not the 表 2. line
    assert cells(table)["合计"] == {"5": Decimal("3983.32"), "6": Decimal("1413.18"), "7": Decimal("2570.14")}
    toc_lines = set(range(1, 31))
    assert not (extraction.consumed & toc_lines)


def test_captions_without_tables_only_open_declared_empty_ones():
    extraction = extract("tables_000_captions_only.txt", FINAL)
    assert [(t.template_id, t.declared_empty) for t in extraction.tables] == [
        ("final.three_public", True),
        ("final.state_capital", True),
    ]
    assert all(not t.rows for t in extraction.tables)


def test_changed_numbering_gives_the_same_extract():
    text = (DATA / "tables_001_tab_excerpt.txt").read_text(encoding="utf-8")
    renumbered = text.replace("公开01表", "表1").replace("公开 02 表", "预算02表").replace("公开 03 表", "(表 3)")
    before = by_id(extract("a.txt", FINAL, text))
    after = by_id(extract("b.txt", FINAL, renumbered))
    assert before.keys() == after.keys()
    for template_id in before:
        assert cells(before[template_id]) == cells(after[template_id])
    assert after["final.income"].number == "预算02表"


def test_unit_in_yuan_is_read_from_the_unit_line():
    text = (DATA / "tables_001_tab_excerpt.txt").read_text(encoding="utf-8").replace("金额单位：万元", "金额单位：元")
    tables = by_id(extract("a.txt", FINAL, text))
    assert tables["final.income"].unit is Unit.YUAN
    assert tables["final.income"].row("合计").cells["1"].unit is Unit.YUAN


def test_mandatory_templates_per_kind():
    final = mandatory_templates(FINAL)
    assert len(final) == 9 and "final.three_public" in final
    budget = mandatory_templates(BUDGET)
    assert "budget.fiscal_summary" in budget and all(t.startswith("budget.") for t in budget)



# --- codes printed in parts, one cell each under 类 | 款 | 项 ----------------------------------

SPLIT_CODES = """\
一般公共预算支出情况表
单位：万元
科目编码\t\t\t\t\t基本支出\t\t\t
类\t款\t项\t科目名称\t合 计\t小 计\t人员支出\t日常公用支出\t项目支出
\t\t\t合 计\t474.40\t469.90\t468.68\t1.22\t4.50
201\t\t\t一般公共服务支出\t4.50\t\t\t\t4.50
\t08\t\t审计事务\t4.50\t\t\t\t4.50
\t\t04\t审计业务\t4.50\t\t\t\t4.50
208\t\t\t社会保障和就业支出\t469.90\t469.90\t468.68\t1.22\t
208\t05\t\t行政事业单位养老支出\t469.90\t469.90\t468.68\t1.22\t
208\t05\t01\t行政单位离退休\t199.48\t199.48\t199.48\t\t
\t\t05\t机关事业单位基本养老保险缴费支出\t270.42\t270.42\t269.20\t1.22\t
"""


def test_codes_printed_in_parts_become_whole_codes_and_the_columns_their_names():
    """类 and 款 printed on the row that opens them only, or on every row: the same codes.
    人员支出 / 日常公用支出 are the 人员经费 / 公用经费 columns under another name."""
    table = by_id(extract("split.txt", BUDGET, SPLIT_CODES))["budget.general_budget_expenditure"]
    assert [c.label for c in table.columns] == ["合计", "基本支出", "人员经费", "公用经费", "项目支出"]
    assert [r.key for r in table.rows] == ["合计", "201", "20108", "2010804", "208", "20805", "2080501", "2080505"]
    assert [r.level for r in table.rows[1:4]] == ["class", "section", "item"]
    got = cells(table)
    assert got["2010804"] == {"1": Decimal("4.50"), "5": Decimal("4.50")}
    assert got["2080505"] == {
        "1": Decimal("270.42"), "2": Decimal("270.42"), "3": Decimal("269.20"), "4": Decimal("1.22")
    }
    assert table.row("2080501").label == "行政单位离退休"


THREE_PUBLIC_DOWN_THE_PAGE = """\
2026年度一般公共预算“三公”经费支出预算表
单位：万元
项目\t预算数
合计\t312.75
1、因公出国（境）费用\t0.00
2、公务接待费\t18.85
3、公务用车购置及运行费\t293.90
其中：（1）公务用车购置费\t261.90
（2）公务用车运行费\t32.00
"""


def test_three_public_printed_down_the_page_gets_its_identities_as_rows():
    table = by_id(extract("three.txt", BUDGET, THREE_PUBLIC_DOWN_THE_PAGE))["budget.three_public"]
    assert [c.label for c in table.columns] == ["预算数"]
    assert cells(table)["合计"] == {"1": Decimal("312.75")}
    identities = {i.target: [t.ref for t in i.terms] for i in table.identities if i.origin == "template"}
    assert identities["合计"] == ["因公出国(境)费用", "公务接待费", "公务用车购置及运行费"]
    assert len(identities["公务用车购置及运行费"]) == 2


NUMBERED_ROWS = """\
表5
2022年部门综合预算一般公共预算支出明细表（按功能科目分）
金额单位：元
序号\t功能科目编码\t功能科目名称\t合计\t人员经费支出\t公用经费支出\t专项业务经费支出\t备注
1\t\t合计\t1100.00\t600.00\t100.00\t400.00\t
2\t201\t一般公共服务支出\t1100.00\t600.00\t100.00\t400.00\t
3\t20113\t商贸事务\t1100.00\t600.00\t100.00\t400.00\t
4\t2011301\t行政运行\t700.00\t600.00\t100.00\t0.00\t
5\t2011399\t其他商贸事务支出\t400.00\t0.00\t0.00\t400.00\t
表7
2022年部门综合预算一般公共预算基本支出明细表（按功能科目分）
金额单位：元
序号\t功能科目编码\t功能科目名称\t合计\t人员经费支出\t公用经费支出\t备注
1\t\t合计\t700.00\t600.00\t100.00\t
"""


def test_rows_numbered_in_a_sequence_column_and_a_table_without_basic_spending():
    """陕西: a 序号 before the code, 人员经费 + 公用经费 + 专项业务经费 = 合计 (no 基本支出 column),
    and the next table, which no template knows, ends this one though its caption ends in
    a parenthesis."""
    extraction = extract("numbered.txt", BUDGET, NUMBERED_ROWS)
    table = by_id(extraction)["budget.general_budget_expenditure"]
    assert [r.key for r in table.rows] == ["合计", "201", "20113", "2011301", "2011399"]
    assert [c.label for c in table.columns] == ["合计", "人员经费", "公用经费", "项目支出"]
    assert cells(table)["2011301"] == {"1": Decimal("700.00"), "2": Decimal("600.00"), "3": Decimal("100.00"), "4": Decimal("0.00")}
    assert [i.text for i in table.identities] == ["1 = 2 + 3 + 4"]
    assert table.unit is Unit.YUAN


# --- 三公 tables of other provinces, and where a table ends -----------------------------------

THREE_PUBLIC_WITH_MEETINGS = """\
公开09表
一般公共预算“三公”经费、会议费、培训费支出表
单位：苏州市科学技术局 单位：万元
\t\t公务用车购置及运行维护费\t\t\t\t\t
“三公”经费合计\t因公出国（境）费\t小计\t公务用车购置费\t公务用车运行维护费\t公务接待费\t会议费\t培训费
241.17\t0.00\t140.80\t36.00\t104.80\t100.37\t37.97\t925.46
公开10表
政府性基金预算支出表
"""


def test_three_public_with_meetings_and_training():
    """江苏 prints 会议费 and 培训费 after the 三公 columns, in the same table."""
    table = by_id(extract("js.txt", BUDGET, THREE_PUBLIC_WITH_MEETINGS))["budget.three_public"]
    assert [c.label for c in table.columns][-2:] == ["会议费", "培训费"]
    assert cells(table)["合计"] == {
        "1": Decimal("241.17"), "2": Decimal("0.00"), "3": Decimal("140.80"), "4": Decimal("36.00"),
        "5": Decimal("104.80"), "6": Decimal("100.37"), "7": Decimal("37.97"), "8": Decimal("925.46"),
    }
    assert [i.text for i in table.identities] == ["1 = 2 + 3 + 6", "3 = 4 + 5"]


THREE_PUBLIC_AND_OFFICE_COSTS = """\
2026年单位“三公”经费和机关运行经费预算表
编制单位：上海市统计局 单位:万元
“三公”经费预算数\t\t\t\t\t\t
\t\t\t公务用车购置及运行费\t\t\t机关运行经费预算数
合计\t因公出国(境)费\t公务接待费\t小计\t购置费\t运行费\t
143.14\t109.14\t20.00\t14.00\t\t14.00\t1,673.72
其他相关情况说明
一、2026年“三公”经费预算情况说明
2026年“三公”经费预算数为143.14万元，比2025年预算减少20.36万元。其中：
（一）因公出国（境）费109.14万元，比2025年预算增加4.14万元。
"""


def test_three_public_with_office_costs_ends_where_the_text_begins():
    """上海: 公务接待费 before the car's columns, the 机关运行经费 last; the table is the last
    one, and the narrative after it is not one of its rows."""
    extraction = extract("sh.txt", BUDGET, THREE_PUBLIC_AND_OFFICE_COSTS)
    table = by_id(extraction)["budget.three_public"]
    assert [c.label for c in table.columns] == [
        "合计", "因公出国(境)费", "公务接待费", "公务用车购置及运行费小计", "公务用车购置费", "公务用车运行费", "机关运行经费",
    ]
    assert [r.key for r in table.rows] == ["合计"]
    assert cells(table)["合计"]["7"] == Decimal("1673.72") and "5" not in cells(table)["合计"]
    assert table.end_line == 6
    assert not {7, 8, 9, 10} & extraction.consumed  # left to the narrative reader


EMPTY_WITH_A_BRACKETED_NOTE = """\
部门公开表7
政府性基金预算支出表
单位:万元
\t\t2026年政府性基金预算支出\t\t
科目编码\t科目名称\t合计\t基本支出\t项目支出
合 计\t\t\t
（注：2026年国家信访局部门预算中没有使用政府性基金预算拨款安排的支出。）
部门公开表8
"""


def test_a_note_in_brackets_is_a_note_not_a_row():
    table = by_id(extract("note.txt", BUDGET, EMPTY_WITH_A_BRACKETED_NOTE))["budget.government_fund"]
    assert [r.key for r in table.rows] == ["合计"]
    assert table.end_line == 7


GUANGDONG = """\
表5
一般公共预算支出情况表（按功能分类科目）
单位名称：广州市城市管理和综合执法局 单位：万元
功能科目名称\t一般公共预算支出\t\t
\t小计\t其中：基本支出\t项目支出
合计\t1,891.07\t796.76\t1,094.31
[212]城乡社区支出\t1,891.07\t796.76\t1,094.31
[21201]城乡社区管理事务\t1,891.07\t796.76\t1,094.31
[2120104]城管执法\t1,791.07\t696.76\t1,094.31
[2120199]其他城乡社区管理事务支出\t100.00\t100.00\t0.00
注：无。
表6
一般公共预算基本支出情况表（按经济分类科目）
单位名称：广州市城市管理和综合执法局 单位：万元
部门预算支出经济科目\t预算
合计\t796.76
[301]工资福利支出\t700.00
[30101]基本工资\t700.00
部门预算支出经济科目\t预算
[302]商品和服务支出\t96.76
[30201]办公费\t96.76
注：无。
"""


def test_guangdong_codes_in_brackets_and_one_column_of_basic_spending():
    """广东: the code in brackets before its name, in the name's cell; captions ending in
    （按功能分类科目）; the basic spending in one column (预算), its header printed again after
    the page break (not a row)."""
    tables = by_id(extract("gd.txt", BUDGET, GUANGDONG))
    spending = tables["budget.general_budget_expenditure"]
    assert [r.key for r in spending.rows] == ["合计", "212", "21201", "2120104", "2120199"]
    assert spending.row("2120104").label == "城管执法" and spending.row("2120104").level == "item"
    assert cells(spending)["2120104"] == {"1": Decimal("1791.07"), "2": Decimal("696.76"), "3": Decimal("1094.31")}
    basic = tables["budget.general_budget_basic"]
    assert [c.label for c in basic.columns] == ["合计"]
    assert [r.key for r in basic.rows] == ["合计", "301", "30101", "302", "30201"]
    assert cells(basic)["302"] == {"1": Decimal("96.76")}


XIAN_THREE_PUBLIC = """\
报表目录
表12\t部门综合预算政府采购（资产配置、购买服务）预算表
表13\t部门综合预算一般公共预算拨款“三公”经费及会议费、培训费支出预算表
表14\t部门专项业务经费绩效目标表

表1
部门综合预算收支总表
单位：元
项目\t预算数
表13
部门综合预算一般公共预算拨款“三公”经费及会议费、培训费支出预算表
单位：元
\t\t上年\t\t\t\t\t\t\t\t\t当年\t\t\t\t\t\t\t\t\t增减变化情况\t\t\t\t\t\t\t\t
\t\t\t一般公共预算拨款安排的“三公”经费预算\t\t\t\t\t\t\t\t\t一般公共预算拨款安排的“三公”经费预算\t\t\t\t\t\t\t\t\t一般公共预算拨款安排的“三公”经费预算\t\t\t\t\t\t\t
单位编码\t单位名称\t合计\t\t因公出国\t\t公务用车购置及运行维护费\t\t\t会议费\t培训费\t合计\t\t因公出国\t\t公务用车购置及运行维护费\t\t\t会议费\t培训费\t合计\t\t因公出国\t\t公务用车购置及运行维护费\t\t\t会议费\t培训费
\t\t\t小计\t（境）费用\t公务接待费\t小计\t公务用车购置费\t公务用车运行维护费\t\t\t\t小计\t（境）费用\t公务接待费\t小计\t公务用车购置费\t公务用车运行维护费\t\t\t\t小计\t（境）费用\t公务接待费\t小计\t公务用车购置费\t公务用车运行维护费\t\t
合计\t\t1,335,000.00\t1,235,000.00\t\t10,000.00\t1,225,000.00\t\t1,225,000.00\t\t100,000.00\t2,514,000.00\t2,514,000.00\t\t20,000.00\t2,494,000.00\t\t2,494,000.00\t\t\t1,179,000.00\t1,279,000.00\t\t10,000.00\t1,269,000.00\t\t1,269,000.00\t\t-100,000.00
"""


def test_three_public_of_three_years_by_unit_and_a_contents_line_is_no_table():
    """陕西: the prior year, this year and the change side by side, each with its 会议费 and
    培训费; the contents' line naming the same table is not one, though "表1" follows it."""
    extraction = extract("xa.txt", BUDGET, XIAN_THREE_PUBLIC)
    three = [t for t in extraction.tables if t.template_id == "budget.three_public"]
    assert len(three) == 1 and three[0].source.line == 11
    table = three[0]
    assert len(table.columns) == 27 and table.columns[10].label == "合计" and table.columns[9].label.startswith("三公经费、会议费")
    row = cells(table)["合计"]
    assert row["10"] == Decimal("2514000.00") and row["11"] == Decimal("2514000.00") and row["19"] == Decimal("1179000.00")
    assert row["27"] == Decimal("-100000.00") and "12" not in row
    assert "10 = 11 + 17 + 18" in [i.text for i in table.identities]
    assert "19 = 10 - 1" in [i.text for i in table.identities]  # the change: this year less the last


XIAN_INCOME_AND_SPENDING = """\
表2
部门综合预算收入总表
单位：元
\t\t部门预算\t\t\t\t\t\t\t\t\t\t\t
\t\t\t一般公共预算拨款\t\t\t\t\t\t\t\t\t\t
单位编码\t单位名称\t合计\t小计\t其中：专项资金列入部门预算项目\t政府性基金拨款\t上级补助收入\t事业收入\t事业单位经营收入\t使用非财政拨款结余\t对附属单位上缴收入\t上年结转\t上年实户资金余额\t其他收入
合计\t\t3,444,476,979.18\t3,246,385,029.74\t30,890,000.00\t\t\t\t\t\t\t131,027,041.73\t32,624,907.71\t34,440,000.00
表3
部门综合预算支出总表
单位：元
\t\t部门预算\t\t\t\t\t\t\t\t\t
\t\t\t一般公共预算拨款\t\t\t\t\t\t\t\t
单位编码\t单位名称\t合计\t小计\t其中：专项资金列入部门预算的项目\t政府性基金拨款\t事业收入\t事业单位经营收入\t对附属单位上缴收入\t上年实户资金余额\t其他收入\t上年结转
合计\t\t3,444,476,979.18\t3,246,385,029.74\t30,890,000.00\t\t\t\t\t32,624,907.71\t34,440,000.00\t131,027,041.73
"""


def test_xian_income_and_spending_by_the_funds_that_pay_for_it():
    """陕西: both totals by source of funds, with a 其中 column that is part of the 一般公共预算
    column (and so not one of the total's terms)."""
    tables = by_id(extract("xa2.txt", BUDGET, XIAN_INCOME_AND_SPENDING))
    income, spending = tables["budget.income"], tables["budget.expenditure"]
    assert len(income.columns) == 12 and income.columns[2].label.startswith("其中")
    assert cells(income)["合计"]["10"] == Decimal("131027041.73") and cells(income)["合计"]["12"] == Decimal("34440000.00")
    assert [i.text for i in income.identities] == ["1 = 2 + 4 + 5 + 6 + 7 + 8 + 9 + 10 + 11 + 12"]
    assert len(spending.columns) == 10 and cells(spending)["合计"]["10"] == Decimal("131027041.73")
    assert [i.text for i in spending.identities] == ["1 = 2 + 4 + 5 + 6 + 7 + 8 + 9 + 10"]


RATES_AMONG_THE_VALUES = """\
一般公共预算支出表
单位：万元
科目编码\t科目名称\t合计\t基本支出\t项目支出\t比上年增减(%)
201\t一般公共服务支出\t13,144.37\t6,668.44\t6,475.93\t-60.86%
2014001\t行政运行\t5,826.21\t5,826.21\t\t4.88%
"""


def test_cells_of_rates_after_the_values_are_no_part_of_the_name():
    # 国家信访局 (corpus 08) prints the change on the year before, in 万元 and in %, after
    # the year's columns: a rate is a value's cell (holding no amount), not text of the name.
    table = by_id(extract("rates.txt", BUDGET, RATES_AMONG_THE_VALUES))["budget.general_budget_expenditure"]
    assert [(r.key, r.label) for r in table.rows] == [("201", "一般公共服务支出"), ("2014001", "行政运行")]
    assert cells(table)["201"] == {"1": Decimal("13144.37"), "2": Decimal("6668.44"), "3": Decimal("6475.93")}
    assert cells(table)["2014001"] == {"1": Decimal("5826.21"), "2": Decimal("5826.21")}


INCOME_LISTED_UNDER_THE_YEARS_TOTAL = """\
收支总体情况表
部门（单位）：烟台市住房和城乡建设局 单位：万元
收 入\t\t支 出\t
项目\t预算数\t项目\t预算数
一、财政拨款收入\t45,832.29\t一、一般公共服务支出\t
五、其他收入\t75.00\t四、教育支出\t45,967.29
本 年 收 入 合 计\t45,907.29\t本 年 支 出 合 计\t45,967.29
上级补助收入\t60.00\t\t
上年结转\t\t结转下年\t
1.财政拨款结余、结转\t\t\t
收 入 总 计\t45,967.29\t支 出 总 计\t45,967.29
"""


def test_income_listed_between_the_years_total_and_the_grand_total_is_a_term_of_it():
    # 烟台 (corpus 16, 山东) prints 上级补助收入 under 本年收入合计: 收入总计 adds it, but not
    # the parts of a row between (深圳's "上年结余、结转 | 1.财政拨款结余、结转")
    table = by_id(extract("yantai.txt", BUDGET, INCOME_LISTED_UNDER_THE_YEARS_TOTAL))["budget.income_expenditure_summary"]
    identities = {i.target: [t.ref for t in i.terms] for i in table.identities if i.axis == "row"}
    assert identities["收入总计"] == ["本年收入合计", "上年结转", "上级补助收入"]
    assert identities["支出总计"] == ["本年支出合计", "结转下年"]


THREE_PUBLIC_RECEPTION_FIRST = """\
2026年一般公共预算“三公”经费支出情况表
部门名称：长沙市信访局 单位：万元
\t三公经费预（决）算数（财政拨款）\t\t\t\t\t
部门名称\t小计\t公务接待费\t因公出国（境）费\t公务用车购置及运行费\t其中：公务用车购置\t其中：公务用车运行费
合计\t8.00\t3.00\t\t5.00\t\t5.00
"""


def test_three_public_in_hunans_order_reads_each_column_as_printed():
    # 长沙 (corpus 11): 小计 is the total, 公务接待费 comes first
    table = by_id(extract("changsha.txt", BUDGET, THREE_PUBLIC_RECEPTION_FIRST))["budget.three_public"]
    assert [c.label for c in table.columns][:4] == ["合计", "公务接待费", "因公出国(境)费", "公务用车购置及运行费"]
    assert cells(table)["合计"] == {"1": Decimal("8.00"), "2": Decimal("3.00"), "4": Decimal("5.00"), "6": Decimal("5.00")}


ZHEJIANG_EXPENDITURE = """\
2026年市级部门支出预算总表
341-湖州市财政局 单位:万元
\t\t\t基本支出\t\t\t事业单位\t上缴上级\t对附属单
科目编码\t科目名称\t总计\t人员支出\t公用经费\t项目支出\t经营支出\t支出\t位补助支出
**\t**\t1\t2\t3\t4\t5\t6\t7
\t合计\t6838.41\t4944.99\t626.67\t1266.75\t\t\t
201\t一般公共服务支出\t5356.01\t3478.23\t611.02\t1266.75\t\t\t
2010601\t行政运行\t3685.65\t3102.63\t583.02\t\t\t\t
"""


def test_spending_whose_basic_part_only_heads_its_personnel_and_public_columns():
    """浙江 (湖州, 杭州): 总计 | 人员支出 | 公用经费 (日常公用支出) | 项目支出 | 事业单位经营支出 |
    上缴上级支出 | 对附属单位补助支出, 基本支出 a heading over the first two parts only."""
    table = by_id(extract("zhejiang.txt", BUDGET, ZHEJIANG_EXPENDITURE))["budget.expenditure"]
    assert [c.label for c in table.columns] == ["总计", "人员支出", "公用经费", "项目支出", "事业单位经营支出", "上缴上级支出", "对附属单位补助支出"]
    assert cells(table)["合计"] == {"1": Decimal("6838.41"), "2": Decimal("4944.99"), "3": Decimal("626.67"), "4": Decimal("1266.75")}
    assert cells(table)["2010601"] == {"1": Decimal("3685.65"), "2": Decimal("3102.63"), "3": Decimal("583.02")}
    assert [i.text for i in table.identities] == ["1 = 2 + 3 + 4 + 5 + 6 + 7"]
    hangzhou = ZHEJIANG_EXPENDITURE.replace("科目编码\t科目名称\t总计\t人员支出\t公用经费", "科目编码\t科目名称\t总计\t人员支出\t日常公用支出")
    assert cells(by_id(extract("zhejiang.txt", BUDGET, hangzhou))["budget.expenditure"]) == cells(table)


OTHER_TABLE_AFTER_A_STANDARD_ONE = """\
武汉市测试局2026年部门预算
一、部门收支总表
部门收支总表
单位：万元
收入\t\t支出\t
项目\t预算数\t项目\t预算数
一、一般公共预算拨款收入\t100.00\t一、一般公共服务支出\t100.00
收入总计\t100.00\t支出总计\t100.00
项目支出绩效目标表
项目名称\t信息化运行维护
年度预算资金总额\t122.22
产出指标\t数量指标\t系统数量\t3个
第三部分 名词解释
附注：数据 3,456.78 来源于系统
"""


def test_numbers_in_a_table_no_template_describes_are_reported_with_its_caption():
    """A project's 绩效目标表 (西安, 烟台: hundreds of lines) is no standard table: its numbers
    are reported as unread, naming the table and its line, up to the part heading after it."""
    from fiscalwatch.parse import parse_document

    disclosure = parse_document(SourceDocument.from_text("other.txt", OTHER_TABLE_AFTER_A_STANDARD_ONE))
    reasons = {u.line: u.reason for u in disclosure.coverage.unread_lines}
    assert reasons[11] == reasons[12] == "number in a table no standard template describes: 项目支出绩效目标表 (line 9)"
    assert reasons[14] == "number outside any recognised table or statement"
