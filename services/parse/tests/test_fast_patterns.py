"""The fast patterns find what the readable ones they stand in for find.

`NUMBER_RE` and `KIND_RE` say what a number and a document's kind word are; the readers scan
with `SCAN_NUMBER_RE` and `_KIND_SCAN_RE`, written for speed. These tests
hold the two to the same matches on arbitrary text."""

from __future__ import annotations

from collections import Counter

from hypothesis import example, given, settings
from hypothesis import strategies as st

from fiscalwatch.parse.metadata import _KIND_SCAN_RE, KIND_RE
from fiscalwatch.parse.numbers import NUMBER_RE, SCAN_NUMBER_RE

NUMBERS_AND_NEIGHBOURS = st.text(alphabet=st.sampled_from(list("0123456789.,-%万元年 a一\n")), max_size=40)
KIND_WORDS = st.lists(
    st.sampled_from(["部门", "单位", "预算", "决算", "公开", "信息公开", "总表", "明细表", "情况说明", "部", "单", "算", "预", "决", "年", "x"]),
    max_size=14,
).map("".join)


@settings(max_examples=400, deadline=None)
@given(NUMBERS_AND_NEIGHBOURS)
def test_the_number_scan_finds_the_numbers_number_re_finds(text: str) -> None:
    spans = [m.span() for m in NUMBER_RE.finditer(text)]
    assert [m.span() for m in SCAN_NUMBER_RE.finditer(text)] == spans


def test_the_number_scan_on_printed_numbers() -> None:
    text = "收、支总计 2,270.24 万元，增长 3,273.31%；1.8,2080505；-3.5；.5；12,34；2023年"
    spans = [m.span() for m in NUMBER_RE.finditer(text)]
    assert [m.group() for m in NUMBER_RE.finditer(text)][:3] == ["2,270.24", "3,273.31", "1.8"]
    assert [m.span() for m in SCAN_NUMBER_RE.finditer(text)] == spans


@settings(max_examples=400, deadline=None)
@given(KIND_WORDS)
def test_kind_scan_counts_what_kind_re_counts(text: str) -> None:
    expected = Counter(next(g for g in m.groups() if g)[0] for m in KIND_RE.finditer(text))
    assert Counter(m[1] or m[2] for m in _KIND_SCAN_RE.finditer(text)) == expected


CELL_TEXT = st.text(alphabet=st.sampled_from(list("0123456789０１٣²¹ABZaz一.-")), max_size=32)


@settings(max_examples=600, deadline=None)
@given(CELL_TEXT)
def test_cell_tests_say_what_their_patterns_say(text: str) -> None:
    from fiscalwatch.parse.tables.text import _SMALL_INT_RE, CODE_RE, PROJECT_CODE_RE, is_code, is_project_code, small_int

    assert is_code(text) == bool(CODE_RE.fullmatch(text))
    assert small_int(text) == (int(text) if _SMALL_INT_RE.fullmatch(text) else None)
    has_digit_and_letter = any(c.isdigit() for c in text) and any(c.isalpha() for c in text)
    assert is_project_code(text) == (bool(PROJECT_CODE_RE.fullmatch(text)) and has_digit_and_letter)


def test_cell_tests_on_printed_codes() -> None:
    from fiscalwatch.parse.tables.text import is_code, is_project_code

    assert is_code("2080505") and is_code("٢٠٨") and not is_code("²⁰⁸") and not is_code("20805051")
    assert is_project_code("42010322205T000000101") and not is_project_code("420103222050000")


@settings(max_examples=600, deadline=None)
@given(NUMBERS_AND_NEIGHBOURS)
def test_a_word_is_read_as_a_number_exactly_where_number_admits_it(text: str) -> None:
    import re

    from fiscalwatch.parse.numbers import NUMBER
    from fiscalwatch.parse.tables.text import _word_number, number_parts

    if text and text[0] in "0123456789-" and not any(c.isspace() for c in text):
        found = re.fullmatch(NUMBER, text)
        assert (_word_number(text) is not None) == bool(found)
        if found:
            assert _word_number(text) == number_parts(text)


CAPTION_TEXT = st.lists(
    st.sampled_from(["部门", "公开", "表", "预算", "收入", "(", ")", "（", "）", "-", "1", "2", "0", "年", "总"]), max_size=20
).map("".join)


@settings(max_examples=600, deadline=None)
@given(CAPTION_TEXT)
@example("收入总表(部门公开表12-1)")  # the longest number there is
def test_a_table_number_is_searched_for_only_where_it_can_end_the_caption(key: str) -> None:
    from fiscalwatch.parse.tables.segment import _TRAILING_NUMBER_CHARS, _TRAILING_NUMBER_RE

    everywhere = _TRAILING_NUMBER_RE.search(key)
    at_the_end = _TRAILING_NUMBER_RE.search(key, max(0, len(key) - _TRAILING_NUMBER_CHARS))
    assert (everywhere and everywhere.span()) == (at_the_end and at_the_end.span())


WORDS_AND_CELLS = st.lists(
    st.text(alphabet=st.sampled_from(list("0123456789٣².,-批 　\u00a0")), min_size=1, max_size=12), min_size=1, max_size=5
)


@settings(max_examples=600, deadline=None)
@given(WORDS_AND_CELLS)
def test_tokens_are_numbers_exactly_where_the_number_pattern_says(cells: list[str]) -> None:
    from fiscalwatch.parse.numbers import fold
    from fiscalwatch.parse.tables.text import _NUMBER_CELL_RE, _NUMBER_WORD_RE, flat_tokens, number_parts, tab_tokens

    for token, cell in zip(tab_tokens("\t".join(cells), 1), cells):
        if not cell.strip():
            assert token.kind == "empty"
            continue
        # (a number starts with an ASCII digit or a sign once folded: "٣" is text)
        is_number = fold(cell).strip()[0] in "0123456789-" and bool(_NUMBER_CELL_RE.fullmatch(fold(cell)))
        assert token.kind == ("number" if is_number else "text"), cell
        if is_number:
            assert (token.units, token.places) == number_parts(token.folded)
    line = " ".join(cells)
    for token in flat_tokens(line, 1):
        if token.kind == "number":
            assert _NUMBER_WORD_RE.fullmatch(token.folded) and (token.units, token.places) == number_parts(token.folded)


LEVEL_WORDS = st.lists(
    st.sampled_from(["支出", "支", "出", "公共安全", "司法", "行", "(", ")", "类", "款", "项", "(类)", "(款)", "(项)", "1", ",", "a"]),
    max_size=16,
).map("".join)


@settings(max_examples=600, deadline=None)
@given(LEVEL_WORDS)
def test_the_level_scan_finds_what_level_re_finds(text: str) -> None:
    from fiscalwatch.parse.narrative import _LEVEL_RE, _LEVEL_SCAN_RE

    assert _LEVEL_SCAN_RE.findall(text) == _LEVEL_RE.findall(text)


def test_the_level_scan_on_printed_levels() -> None:
    from fiscalwatch.parse.narrative import _LEVEL_RE, _LEVEL_SCAN_RE

    text = "公共安全支出(类)司法(款)行政运行(项)支出1,2(类)，支出支出(款)出(项)"
    assert _LEVEL_RE.findall(text)[:3] == [("公共安全", "类"), ("司法", "款"), ("行政运行", "项")]
    assert _LEVEL_SCAN_RE.findall(text) == _LEVEL_RE.findall(text)


def test_the_listed_spaces_are_every_space_but_the_line_break() -> None:
    import re
    import sys

    from fiscalwatch.parse.numbers import _A_SPACE_BUT_NEWLINE_RE

    negated = re.compile(r"[^\S\n]")
    every = "".join(map(chr, range(sys.maxunicode + 1)))
    assert [m.start() for m in _A_SPACE_BUT_NEWLINE_RE.finditer(every)] == [m.start() for m in negated.finditer(every)]


FOLDABLE_AND_SPACES = st.lists(
    st.text(alphabet=st.sampled_from(list("a一1,.：（）　\u00a0\u2003\x0b\r\t \n０Ａ－％")), max_size=12), max_size=8
)


@settings(max_examples=500, deadline=None)
@given(FOLDABLE_AND_SPACES)
@example(["收入\u3000合计", "", "１,２３４.５\u00a0万元"])
@example(["a\nb", "c"])  # a line holding a line break itself
def test_fold_and_compact_in_one_is_fold_then_compact(texts: list[str]) -> None:
    from fiscalwatch.parse.numbers import compact_folded_lines, fold_and_compact_lines, fold_lines

    folded = fold_lines(texts)
    assert fold_and_compact_lines(texts) == (folded, compact_folded_lines(folded))


def test_fold_and_compact_in_one_on_every_character() -> None:
    import sys

    from fiscalwatch.parse.numbers import compact_folded_lines, fold_and_compact_lines, fold_lines

    every = ["".join(map(chr, range(start, min(start + 4096, sys.maxunicode + 1)))) for start in range(0, sys.maxunicode + 1, 4096)]
    every = [line.replace("\n", "") for line in every]
    folded = fold_lines(every)
    assert fold_and_compact_lines(every) == (folded, compact_folded_lines(folded))


def test_the_digit_pretest_holds_every_digit() -> None:
    """A heading's title is tested with `str.isdigit` only where `_MAY_BE_DIGIT_RE` finds a
    character: it must find every character `str.isdigit` holds true of."""
    import sys

    from fiscalwatch.parse.narrative import _MAY_BE_DIGIT_RE

    digits = [chr(c) for c in range(sys.maxunicode + 1) if chr(c).isdigit()]
    assert len(digits) > 700  # (ASCII, full-width, superscripts, circled …)
    assert [c for c in digits if not _MAY_BE_DIGIT_RE.match(c)] == []


NUMBERS_AND_WHAT_FOLLOWS = st.lists(
    st.sampled_from(["1", "2,345", ".5", "-", "20", "万元", "元", "亿元", "亿", "万", "万人", "年", "%", "、", "）", " ", "\n", "增加", "x"]),
    max_size=16,
).map("".join)


@settings(max_examples=600, deadline=None)
@given(NUMBERS_AND_WHAT_FOLLOWS)
@example("3 亿元，5 万元。12 万人 7\n元 8")
def test_the_number_scan_reads_what_follows_each_number_as_a_match_after_it_would(text: str) -> None:
    import re

    from fiscalwatch.parse.narrative import _AFTER_NUMBER, _NUMBER_AND_AFTER_RE

    after = re.compile(_AFTER_NUMBER)
    found = list(_NUMBER_AND_AFTER_RE.finditer(text))
    assert [m.span() for m in found] == [m.span() for m in SCAN_NUMBER_RE.finditer(text)]
    for m in found:
        following = after.match(text, m.end())
        assert m["unit"] == (following["unit"] if following is not None else None)
        if m["unit"] is not None:
            assert m.end("unit") == following.end("unit")
        # a count word follows exactly when the look-ahead's last group is `count`
        assert (m.lastgroup == "count") == (following is not None and following["unit"] is None)


@settings(max_examples=600, deadline=None)
@given(st.lists(st.sampled_from(["该", "本", "此", "基", "项", "目", "项目", "x"]), max_size=14).map("".join))
@example("基本项目，本项目；该项目此项目")
def test_the_one_project_scan_finds_what_one_project_re_finds(text: str) -> None:
    from fiscalwatch.parse.narrative import _ONE_PROJECT_RE, _ONE_PROJECT_SCAN_RE

    assert [m.span() for m in _ONE_PROJECT_SCAN_RE.finditer(text)] == [m.span() for m in _ONE_PROJECT_RE.finditer(text)]


def test_a_split_and_join_removes_the_spaces_a_substitution_of_them_removes() -> None:
    """A subject is stripped of its spaces by `"".join(subject.split())`, for `re.sub(r"\\s+", "", subject)`."""
    import re
    import sys

    every = "".join(map(chr, range(sys.maxunicode + 1)))
    assert "".join(every.split()) == re.sub(r"\s+", "", every)


@settings(max_examples=600, deadline=None)
@given(st.lists(st.sampled_from(["1", "20805", "01", "0", "行政", "单位", "，", " ", "\n", "x"]), max_size=14).map("".join), st.integers(0, 12))
@example("2080501行政单位离退休", 0)
@example("12080501行政单位 208050行政", 3)
def test_the_code_subject_scan_finds_what_code_subject_re_finds(text: str, start: int) -> None:
    from fiscalwatch.parse.narrative import _CODE_SUBJECT_RE, _CODE_SUBJECT_SCAN_RE

    found, expected = _CODE_SUBJECT_SCAN_RE.search(text, start), _CODE_SUBJECT_RE.search(text, start)
    assert (found and (found.span(), found.group(1))) == (expected and (expected.span(), expected.group(1)))


def test_a_word_is_told_from_a_number_by_comparisons_as_by_its_first_character() -> None:
    """`word >= ":" or word < "-"` (tokens, reader) passes only words whose first character is
    not in NUMBER_FIRST; the ones it lets through that are ("." and "/") come out text."""
    import sys

    from fiscalwatch.parse.tables.text import NUMBER_FIRST, flat_tokens, tab_tokens

    for c in map(chr, range(sys.maxunicode + 1)):
        for word in (c, c + "1", c + "批"):
            if word >= ":" or word < "-":
                assert c not in NUMBER_FIRST
            else:
                assert c in NUMBER_FIRST or c in "./"
    for word in (".", ".5", "/", "/2", "./3", ".5批"):
        assert [t.kind for t in flat_tokens(word, 1)] == ["text"]
        assert [t.kind for t in flat_tokens("合计 " + word, 1)] == ["text", "text"]
        assert [t.kind for t in tab_tokens(word + "\t1", 1)] == ["text", "number"]


def _phrase_pieces() -> list[str]:
    """Pieces of the vocabulary's phrases (and their neighbours), for texts in which many of
    them match, overlap and nearly match."""
    from fiscalwatch.parse.narrative import vocabulary

    words = [quantity for quantity, _ in vocabulary().quantities] + vocabulary().scopes
    return sorted({w[i : i + n] for w in words for n in (1, 2, 4) for i in range(0, len(w), n)}) + ["“", "”", "事业单位", " ", "x"]


@settings(max_examples=600, deadline=None)
@given(st.lists(st.sampled_from(_phrase_pieces()), max_size=10).map("".join))
@example("事业单位经营收入，经营收入")
@example("“三公”经费支出预算")
@example("一般公共预算当年拨款收入")
def test_an_alternation_tells_the_first_pattern_that_matches_anywhere(text: str) -> None:
    """What `_Alternation.first_matching` finds (in a few searches led by the characters a
    phrase can begin with) is what a search for each pattern in turn would find."""
    import re

    from fiscalwatch.parse.narrative import vocabulary

    vocab = vocabulary()
    for alternation, patterns in (
        (vocab.quantity_phrases, [pattern.pattern for _, pattern in vocab.quantities]),
        (vocab.scope_phrases, _scope_patterns()),
    ):
        expected = next((k for k, p in enumerate(patterns) if re.search(p, text)), None)
        assert alternation.first_matching(text) == expected


def _scope_patterns() -> list[str]:
    from importlib.resources import files

    import yaml

    data = yaml.safe_load(files("fiscalwatch.parse").joinpath("quantities.yaml").read_text(encoding="utf-8"))
    return [s["pattern"] for s in data["scopes"]]


def test_the_first_characters_of_a_pattern_are_read_from_its_parse() -> None:
    import re

    from fiscalwatch.parse.narrative import vocabulary
    from fiscalwatch.parse.regex_tree import first_characters

    assert first_characters("a?b") == "ab"
    assert first_characters("(?:x|y)*z|(?<!q)w") == "xyzw"
    assert first_characters("[a-c]d|^e()") == "a-ce"
    assert first_characters("(?:a|)b") == "ab"
    # unknown, or any character: every character is tried
    for pattern in (r"\d+", "a*", "(?i)a", ".b", "[^a]", "(?:a|.)"):
        assert first_characters(pattern) is None
    # every quantity and scope phrase begins with a character it names: their searches are led by it
    assert all(re.fullmatch(r"\[.+\]\(\?<=.*", a.finder.pattern) for a in (vocabulary().quantity_phrases, vocabulary().scope_phrases))
