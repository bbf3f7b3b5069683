"""Properties: the layout, the width of characters and arbitrary input do not change (or
break) what the table engine reads."""

from __future__ import annotations

import time
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from fiscalwatch.common.document import SourceDocument
from fiscalwatch.common.model import DisclosureKind, Metadata, Unit
from fiscalwatch.parse.tables import extract_tables

DATA = Path(__file__).parent / "data"
TAB_EXCERPT = (DATA / "tables_001_tab_excerpt.txt").read_text(encoding="utf-8")
FINAL = Metadata(department="d", department_key="d", fiscal_year=2023,
                 kind=DisclosureKind.FINAL_ACCOUNTS, unit=Unit.WAN_YUAN)
DETAIL = ("final.income", "final.expenditure")


def read(text: str):
    extraction = extract_tables(SourceDocument.from_text("t.txt", text), FINAL)
    return {
        t.template_id: {r.key: {c: a.value for c, a in r.cells.items()} for r in t.rows}
        for t in extraction.tables
    }


BASELINE = read(TAB_EXCERPT)


def reflow(text: str, indents: list[int]) -> str:
    """The flattened layout: empty cells dropped, cells joined by spaces, full-width
    spaces as indentation."""
    out = []
    for i, line in enumerate(text.splitlines()):
        if "\t" in line:
            cells = [c.strip() for c in line.split("\t") if c.strip()]
            line = "\u3000" * indents[i % len(indents)] + " ".join(cells)
        out.append(line)
    return "\n".join(out)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.integers(min_value=0, max_value=3), min_size=1, max_size=8))
def test_reflowing_a_tab_table_gives_the_same_cells(indents):
    flattened = read(reflow(TAB_EXCERPT, indents))
    for template_id in DETAIL:
        assert flattened[template_id] == BASELINE[template_id]


_TO_WIDE = {c: c + 0xFEE0 for c in range(0x21, 0x7F)}


@settings(max_examples=25, deadline=None)
@given(st.sets(st.integers(min_value=0, max_value=200)))
def test_full_width_digits_and_punctuation_give_the_same_extract(lines_to_widen):
    lines = TAB_EXCERPT.splitlines()
    widened = [
        line.translate(_TO_WIDE) if i in lines_to_widen else line for i, line in enumerate(lines)
    ]
    assert read("\n".join(widened)) == BASELINE


table_words = st.sampled_from([
    "2023年度收入决算表", "公开02表", "金额单位：万元", "合计", "208", "2080505", "1,234.56",
    "\t", " ", "\u3000", "\n", "注：", "1 栏各行 = (2+3) 栏各行", "本单位无", "栏次", "1 2 3",
    "收入支出决算总表", "项目", "行次", "(", "32+33+...+57", "9" * 40, "，", "表",
])


@settings(max_examples=150, deadline=None)
@given(st.one_of(st.text(max_size=400), st.lists(table_words, max_size=200).map("".join)))
def test_arbitrary_text_never_raises_and_returns_quickly(text):
    started = time.perf_counter()
    extract_tables(SourceDocument.from_text("x.txt", text), FINAL)
    assert time.perf_counter() - started < 2.0


def test_large_adversarial_input_stays_bounded():
    body = "2023年度收入决算表\n金额单位：万元\n" + ("208\t" * 200 + "\n") * 200 + ("1" * 5000 + "\n") * 50
    body += ("27行=(" + "1+" * 3000 + "\n")
    started = time.perf_counter()
    extract_tables(SourceDocument.from_text("x.txt", body), FINAL)
    assert time.perf_counter() - started < 10.0
