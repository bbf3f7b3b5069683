"""The table engine's pure parts: column inference, printed identities, code resolution,
captions and templates."""

from __future__ import annotations

from decimal import Decimal

from fiscalwatch.common.model import DisclosureKind
from fiscalwatch.parse.tables.codes import resolve_code
from fiscalwatch.parse.tables.columns import ColumnIdentity, infer_positions, infer_shift
from fiscalwatch.parse.tables.notes import empty_note, parse_identities
from fiscalwatch.parse.tables.segment import caption_text, match_caption, number_of, unit_of
from fiscalwatch.parse.tables.templates import load_templates, parse_template, templates_for
from fiscalwatch.common.model import Unit

D = Decimal
# 合计 | 基本支出小计 | 人员经费 | 公用经费 | 项目支出: 0 = 1 + 4, 1 = 2 + 3
BUDGET05 = [ColumnIdentity(0, ((1, 1), (1, 4))), ColumnIdentity(1, ((1, 2), (1, 3)))]


def test_inference_keeps_the_assignment_that_satisfies_the_identities():
    assert infer_positions([D("920.15"), D("920.15")], 5, BUDGET05, [0, 1, 4, 2, 3]) == (0, 4)
    assert infer_positions([D("14.54")] * 3, 5, BUDGET05, [0, 1, 4, 2, 3]) == (0, 1, 2)
    assert infer_positions([D("131.05"), D("131.05"), D("111.54"), D("19.51")], 5, BUDGET05, []) == (0, 1, 2, 3)


def test_inference_tie_break_follows_the_template_priority():
    three_public = [ColumnIdentity(0, ((1, 1), (1, 2), (1, 5))), ColumnIdentity(2, ((1, 3), (1, 4)))]
    values = [D("33.54"), D("22.80"), D("5.99"), D("5.99"), D("4.75")]
    assert infer_positions(values, 6, three_public, [0, 2, 4, 5, 1, 3]) == (0, 1, 2, 4, 5)
    assert infer_positions(values, 6, three_public, [0, 2, 3, 5, 1, 4]) == (0, 1, 2, 3, 5)


def test_inference_refuses_more_values_than_columns():
    assert infer_positions([D(1)] * 4, 3, [], []) is None


def test_shift_realigns_tab_cells_offset_against_the_header():
    identity = [ColumnIdentity(0, tuple((1, i) for i in range(1, 6)))]
    # 001 公开03表: one empty cell too many before the values
    cells = [None, D("136.48"), D("136.48"), None, None, None, None]
    assert infer_shift(cells, 6, identity) == -1
    # 003 公开05表: no offset, trailing cell missing
    assert infer_shift([D("122.73"), D("122.73"), None], 3, [ColumnIdentity(0, ((1, 1), (1, 2)))]) == 0


def test_printed_identities():
    [row27, row31] = parse_identities("27行 = (1+2+3+4+5+6+7+8)行；31行 = (27+28+29)行；")
    assert (row27.axis, row27.target, [t.ref for t in row27.terms]) == ("row", "27", [str(i) for i in range(1, 9)])
    assert row31.origin == "printed"
    [row58, row62] = parse_identities("58行 = (32+33+...+57)行；62行 = (58+59+60)行。")
    assert [t.ref for t in row58.terms] == [str(i) for i in range(32, 58)]
    [six, three] = parse_identities("6 栏各行 = (1+2-3) 栏各行；3 栏各行 = (4+5) 栏各行。")
    assert six.axis == "column" and [(t.sign, t.ref) for t in six.terms] == [(1, "1"), (1, "2"), (-1, "3")]
    assert [t.ref for t in three.terms] == ["4", "5"]
    found = parse_identities("1 栏 = (2+3+6) 栏；3 栏 = (4+5) 栏；7 栏 = (8+9+12) 栏；9 栏 = (10+11) 栏。")
    assert [(i.target, [t.ref for t in i.terms]) for i in found] == [
        ("1", ["2", "3", "6"]), ("3", ["4", "5"]), ("7", ["8", "9", "12"]), ("9", ["10", "11"])
    ]
    assert parse_identities("１栏各行＝（２＋３）栏各行")[0].target == "1"  # full-width
    assert parse_identities("注：本表反映部门本年度各项支出情况。") == []


def test_empty_declarations():
    assert empty_note("本单位当年无政府性基金预算财政拨款收入支出。")
    assert empty_note("说明：本单位无政府性基金。") == "本单位无政府性基金"
    assert empty_note("本部门 2024 年度无财政拨款“三公”经费支出。")
    assert empty_note("本单位无一般公共预算财政拨款“三公”经费支出")
    assert empty_note("注：本表反映部门本年度取得的各项收入情况。") is None


def test_cut_codes_resolve_by_name():
    known = {"2080502": {"事业单位离退休"}, "2080505": {"机关事业单位基本养老"}, "2089999": {"其他社会保障和就业支"}}
    assert resolve_code("208050", "事业单位离退休", known) == "2080502"
    assert resolve_code("208050", "机关事业单位基本养老保险", known) == "2080505"
    assert resolve_code("208999", "其他社会保障和就业支出", known) == "2089999"
    assert resolve_code("208050", "完全不同的名称", known) is None


def test_captions_numbers_and_units():
    final = templates_for(DisclosureKind.FINAL_ACCOUNTS)
    budget = templates_for(DisclosureKind.BUDGET)
    assert match_caption("2023年度收入支出决算总表", final)[0].id == "final.income_expenditure_summary"
    assert match_caption("2023年度财政拨款收入支出决算总表", final)[0].id == "final.fiscal_summary"
    assert match_caption("24 年度一般公共预算财政拨款基本支出决算明细表", final)[0].id == "final.general_budget_basic"
    assert match_caption("2023 年度支出决算表", final)[0].id == "final.expenditure"
    assert match_caption("一、收入支出决算总表(表 1)", final)[1] == "表1"
    assert match_caption("表 1.财政拨款收支总体情况表", budget)[0].id == "budget.fiscal_summary"
    assert match_caption("2024年一般公共预算支出表(分单位)", budget)[0].id == "budget.general_budget_by_unit"
    assert match_caption("2024年一般公共预算支出表(分功能科目)", budget)[0].id == "budget.general_budget_expenditure"
    assert match_caption("一、收入支出决算总体情况说明", final) is None
    assert match_caption("2024年江汉区项目支出(绩效目标）申报表", budget) is None
    assert match_caption("公开 02 表", final) is None
    assert caption_text("2023年度收入决算表(表 2)") == ("2023年度收入决算表", "表2")


def test_captions_of_other_provinces():
    budget = templates_for(DisclosureKind.BUDGET)
    captions = {
        # 福建: 一般公共预算拨款, without 财政
        "2026年度一般公共预算拨款支出预算表": "budget.general_budget_expenditure",
        "2026年度政府性基金预算拨款支出预算表": "budget.government_fund",
        "2026年度国有资本经营预算拨款支出预算表": "budget.state_capital",
        "2026年度一般公共预算基本支出经济分类情况表": "budget.general_budget_basic",
        # 陕西, 广东: the classification in brackets after the title
        "部门综合预算一般公共预算支出明细表（按支出功能分类科目）": "budget.general_budget_expenditure",
        "部门综合预算一般公共预算基本支出明细表（按支出经济分类科目）": "budget.general_budget_basic",
        "一般公共预算基本支出情况表（按经济分类科目）": "budget.general_budget_basic",
        "部门综合预算一般公共预算拨款“三公”经费及会议费、培训费支出预算表": "budget.three_public",
        "一般公共预算“三公”经费、会议费、培训费支出表": "budget.three_public",
        "2026年单位“三公”经费和机关运行经费预算表": "budget.three_public",
        # 西安: what the caption adds about the carry-over names no other table
        "2022年部门综合预算政府性基金收支表（不含上年结转）": "budget.government_fund",
        "2022年部门综合预算一般公共预算基本支出明细表（按支出经济分类科目-不含上年结转）": "budget.general_budget_basic",
        "2022年部门综合预算一般公共预算拨款“三公”经费、会议费、培训费表（不含上年结转）": "budget.three_public",
    }
    for caption, template in captions.items():
        assert match_caption(caption, budget)[0].id == template, caption
    # the basic spending by function, and all spending by economic class, are other tables
    assert match_caption("部门综合预算一般公共预算基本支出明细表（按支出功能分类科目）", budget) is None
    assert match_caption("2026年度一般公共预算支出经济分类情况表", budget) is None
    assert number_of("公开 01 表 单位：万元") == "公开01表"
    assert number_of("部门公开表 12 单位：万元") == "部门公开表12"
    assert unit_of("金额单位：万元") is Unit.WAN_YUAN and unit_of("单位:元") is Unit.YUAN
    assert unit_of("单位：武汉市黄陂区医疗保障服务中心") is None


def test_every_template_file_loads_and_a_new_file_is_just_data():
    ids = [t.id for t in load_templates()]
    assert len(ids) == len(set(ids)) == 24
    extra = parse_template({
        "id": "budget.example", "kind": "budget", "titles": [".{0,24}?示例表"],
        "columns": [{"key": "total", "label": "合计", "required": True}],
        "identities": [{"column": "total = a - b"}],
    })
    assert extra.matches_title("2024年示例表")
    assert extra.identities[0].terms == ((1, "a"), (-1, "b"))


def test_a_variant_has_its_own_identities_and_a_missing_subtotal_is_replaced_by_its_parts():
    template = parse_template({
        "id": "budget.example", "kind": "budget", "titles": ["例表"],
        "variants": [
            {"when": "专户", "identities": [{"column": "total = subtotal + carryover"}, {"column": "subtotal = general + special"}],
             "columns": [{"key": k, "label": k} for k in ("total", "subtotal", "general", "special", "carryover")]},
        ],
        "columns": [{"key": k, "label": k} for k in ("total", "general", "other")],
        "identities": [{"column": "total = general + other"}],
    })
    variant, default = template.column_sets
    assert [i.target for i in template.identities_for(default)] == ["total"]
    own = template.identities_for(variant)
    assert [(i.target, i.terms) for i in own] == [
        ("total", ((1, "subtotal"), (1, "carryover"))), ("subtotal", ((1, "general"), (1, "special")))
    ]
    # 小计 printed: as written; not printed: its parts stand in for it; a part not printed is empty
    assert template.column_terms(own[0], frozenset({"total", "subtotal", "carryover"}), own) == ((1, "subtotal"), (1, "carryover"))
    assert template.column_terms(own[0], frozenset({"total", "general", "special", "carryover"}), own) == (
        (1, "general"), (1, "special"), (1, "carryover")
    )
    assert template.column_terms(own[0], frozenset({"total", "general"}), own) == ((1, "general"),)


def test_number_tokens_carry_exact_integer_values_on_a_common_scale():
    from fiscalwatch.parse.tables.text import flat_tokens, scaled, token_value

    tokens = flat_tokens("2,557.34 -3.5 12 0.000001 " + "9" * 80, 1)
    assert [(t.units, t.places) for t in tokens[:4]] == [(255734, 2), (-35, 1), (12, 0), (1, 6)]
    assert tokens[4].units is None  # too long for int(): read through Decimal instead
    ints, cent = scaled(tokens)
    assert cent == 10**4  # one cent at six places
    assert ints[:4] == [2557340000, -3500000, 12000000, 1]
    assert ints[4] == int("9" * 80) * 10**6
    assert [token_value(t) for t in tokens[:2]] == [D("2557.34"), D("-3.5")]
    assert scaled(tokens[:1]) == ([255734], 1)
