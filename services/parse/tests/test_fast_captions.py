"""The faster way segmentation finds a caption's template says what the plain one said.

`segment._Titles` finds a caption's template by testing, before it runs a template's titles,
the words those must hold; one alternation of every template's titles, in order, says which
template a caption is. These tests hold the one to the other, on arbitrary captions made of
the templates' own words and on every line of the seeds."""

from __future__ import annotations

import re
from pathlib import Path

from hypothesis import example, given, settings
from hypothesis import strategies as st

from fiscalwatch.common.model import DisclosureKind
from fiscalwatch.parse.numbers import compact_lines
from fiscalwatch.parse.regex_tree import required_words
from fiscalwatch.parse.tables.segment import _titles_of, caption_text_of_key
from fiscalwatch.parse.tables.templates import templates_for

SEEDS = sorted((Path(__file__).parent / "data" / "seeds").glob("*.txt"))


def _by_alternation(templates, key: str):
    """The template of a caption as one alternation of all titles says it: the first whose
    titles fullmatch."""
    alternation = re.compile(
        "|".join(
            f"(?P<t{i}>{'|'.join(f'(?:{p.pattern})' for p in template.titles)})"
            for i, template in enumerate(templates)
            if template.titles
        )
    )
    found = alternation.fullmatch(key)
    return templates[int(found.lastgroup[1:])] if found else None


def _title_words() -> list[str]:
    """The templates' required words, cut in parts too, and what titles put around them."""
    words = {"表", "(", ")", "按", "分", "经济", "功能", "科目", "分类", "预算", "决算", "情况", "明细", "总", "体情况", "年度",
             "2024", "2024年度", "年", "支出", "收入", "财政", "拨款", "“", "”", '"', "、", "及", "部门", "本级", "收", "x"}
    for kind in DisclosureKind:
        for template in templates_for(kind):
            for title in template.titles:
                for word in required_words(title):
                    words.add(word)
                    words.update(word[i : i + 2] for i in range(0, len(word), 2))
    return sorted(words)


CAPTIONS = st.lists(st.sampled_from(_title_words()), max_size=9).map("".join)


@settings(max_examples=1500, deadline=None)
@given(CAPTIONS)
@example("一般公共预算“三公”经费支出情况表")
@example("2024年度支出决算表")
@example("财政拨款收入支出决算总表")
@example("部门收支总表")
def test_the_title_matcher_picks_the_template_the_alternation_picks(key: str) -> None:
    for kind in DisclosureKind:
        templates = templates_for(kind)
        assert _titles_of(templates).template_of(key) is _by_alternation(templates, key), (kind, key)


def test_the_title_matcher_on_every_line_of_the_seeds() -> None:
    for path in SEEDS:
        for key in compact_lines(path.read_text(encoding="utf-8").splitlines()):
            if "表" not in key:
                continue
            text, _ = caption_text_of_key(key)
            for candidate in {key, text}:
                for kind in DisclosureKind:
                    templates = templates_for(kind)
                    assert _titles_of(templates).template_of(candidate) is _by_alternation(templates, candidate), candidate


def test_required_words_are_the_literals_outside_any_group() -> None:
    assert required_words(re.compile(r".{0,24}?(?<!收)(?<!拨款)支出(?:预算)?总(?:体情况)?表")) == ("支出", "总", "表")
    assert required_words(re.compile(r".{0,24}?一般公共预算支出(?:预算)?表\(分单位\)")) == ("一般公共预算支出", "表(分单位)")
    assert required_words(re.compile(r"(?:.{0,20}?\d{2,4}年度?)?支出决算表")) == ("支出决算表",)
    assert required_words(re.compile(r"收入表|支出表")) == ()  # an alternative: none known
    assert required_words(re.compile(r"收入表", re.IGNORECASE)) == ()
