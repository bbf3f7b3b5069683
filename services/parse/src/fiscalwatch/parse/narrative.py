"""Narrative facts: every amount the text states, what it is, and the claims around it.

The narrative lines (those no table claimed) are re-joined into one stream, because published
text wraps anywhere, even inside a number ("1,891.10 万" / "元"); every character keeps its
line, so each amount is still found at its printed place. The stream is cut into sentences
at "。" and at headings, each amount classified by the words printed before it (its subject,
matched against quantities.yaml), and the claims after it attached: a stated change and its
growth rate, a share of a whole, a completion rate of the initial budget.
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass, field
from decimal import Decimal
from functools import cache
from importlib.resources import files
from itertools import accumulate, chain, compress
from operator import add, itemgetter

import yaml

from fiscalwatch.common.document import SourceDocument
from fiscalwatch.common.model import (
    Amount, Change, Completion, DisclosureKind, Metadata, NarrativeFact, Percent, Share, SourceRef, Unit, UnreadLine,
    unchecked,
)
from fiscalwatch.parse.numbers import NUMBER, SCAN_NUMBER_RE, compact_lines, fold
from fiscalwatch.parse.regex_tree import first_characters

# A heading starts a new sentence even when the previous one has no full stop.
# ("1." only when words follow: a line "0." is a number wrapped in two, not a list item.)
_HEADING_RE = re.compile(
    r"^\s*(?:第[一二三四五六七八九十]+部分|[一二三四五六七八九十]+、|[(（][一二三四五六七八九十]+[)）]|\d{1,2}[.、．]\s*(?=[\u4e00-\u9fa5]))"
)
# What a heading starts with (what `_HEADING_RE` can match first, its `\s*` aside).
_HEADING_START_RE = re.compile(r"[第一二三四五六七八九十(（\d]")
_match_start = re.Match.start
_match_span = re.Match.span
# How many facts before a sentence a change naming its quantity may be of ("（二）支出预算：…
# 45,967.29万元，其中：基本支出…，项目支出…。（三）…收支预算…比上年增加…。…2.支出预算增加…"):
# an enumeration of changes follows the amounts it changes by a few facts.
_NAMED_CHANGE_REACH = 6
_SENTENCE_END = "。！？\n"
_CLAUSE_BREAK = "，,；;：:、"
_AMOUNT_RE = SCAN_NUMBER_RE
_UNITS = r"万元|元|亿元"
_PERCENT_AFTER_RE = re.compile(r"\s*%")
# Numbers that are not money: counts, dates, years, list markers.
_COUNT_WORDS = (
    r"年|月|日|号|人|个|辆|次|家|台|套|件|项|名|户|双|只|支|瓶|吨|盒|份|批|天|小时|分|条|篇|期|场|所|处|级|类|倍|万只|万双|万副|万个|万盒|万片|万人|亿|周|岁|张|本|间|座|平方米|米|公里|种|%|\.|、|\)|）"
)
# What follows a number, read by one match: a unit (money when it ends within the sentence
# and is not 亿元), or a count word. No count word begins a unit but 亿 (亿元), and both
# begin after the same spaces: a count follows exactly when the unit is absent or 亿元.
_AFTER_NUMBER = rf"\s*(?:(?P<unit>{_UNITS})|(?P<count>{_COUNT_WORDS}))"
# Every number of the stream and what follows it, found by one scan (rather than a match after
# each number): the number as `_AMOUNT_RE` finds it, then a look-ahead that reads `_AFTER_NUMBER`
# there, or nothing (the "|)"), and consumes nothing, so that the scan goes on where
# `_AMOUNT_RE`'s does and finds the same numbers (tests/test_fast_patterns.py holds it to both).
_NUMBER_AND_AFTER_RE = re.compile(rf"{_AMOUNT_RE.pattern}(?={_AFTER_NUMBER}|)")
_YEAR_RE = re.compile(r"(20\d\d)\s*年")
_BASE_YEAR_RE = re.compile(r"(?:与|比|较|同)\s*(20\d\d)\s*年")
_PRIOR_YEAR_RE = re.compile(r"(?:与|比|较)\s*上(?:一)?年")
_BUDGET_PHRASE_RE = re.compile(r"(?:年初预算|全年预算|调整后预算|预算数)(?:数)?为?\s*$")
# a clause naming what a change is from: "比2025年年初预算数", "(去年预算数为"
_COMPARED_RE = re.compile(r"\s*(?:比|较|同比|与|相比)|.*(?:去年|上年度?|上一年度?)(?:年初)?(?:预算|执行)")
_ACTUAL_PHRASE_RE = re.compile(r"(?:支出决算|决算|执行数|实际支出|支出)(?:数)?为?\s*$")
_SHARE_RE = re.compile(rf"\s*[，,]?\s*占(?P<of>[^，。；\d%]{{0,20}}?)(?:的)?\s*(?P<p>{NUMBER})\s*(?P<pct>%)?")
_COMPLETION_RE = re.compile(rf"\s*[，,]?\s*完成(?:了)?(?P<which>年初|全年|调整后)?预算(?:数)?的?\s*(?P<p>{NUMBER})\s*(?P<pct>%)?")
_RATE_AFTER_CHANGE_RE = re.compile(
    rf"\s*[，,]?\s*(?P<w>增长|下降|增幅为?|降幅为?|上升|减少|增加)?\s*(?P<p>{NUMBER})\s*(?P<pct>%)?"
)
_CODE_SUBJECT_RE = re.compile(r"(?<!\d)(\d{7}|\d{5})(?!\d)[^\d，。；]{2,30}$")
_CODE_SUBJECT_SPAN = 7 + 30 + 2  # the longest match, and "$" before a final newline
# _CODE_SUBJECT_RE's matches, found by a scan for digits (as for SCAN_NUMBER_RE: the first
# digit is consumed first, then the look-behind checks the character before it), not an
# attempt at every character; tests/test_fast_patterns.py holds the two to the same matches.
_CODE_SUBJECT_SCAN_RE = re.compile(r"(\d(?<!\d.)(?:\d{6}|\d{4}))(?!\d)[^\d，。；]{2,30}$")
# The levels a sentence names: "一般公共服务支出(类)财政事务(款)行政运行(项)".
_LEVEL_RE = re.compile(r"([\u4e00-\u9fa5]+?)(?:支出)?\((类|款|项)\)")
# _LEVEL_RE's matches, found in time linear in the text (tests/test_fast_patterns.py holds the
# two to the same matches). _LEVEL_RE is tried at every character of a run of Chinese, and from
# each it reads on to the run's end: quadratic in the run. But a run can only be named up to
# where it ends, so a match from inside a run exists only if one from its first character does
# (and that one is found first): trying only where a run begins finds the same matches. (The
# first character is consumed before the look-behind, which then checks the one before it, so
# that the scan can still skip to the Chinese characters, as for SCAN_NUMBER_RE.)
_LEVEL_SCAN_RE = re.compile(r"([\u4e00-\u9fa5](?<![\u4e00-\u9fa5].)[\u4e00-\u9fa5]*?)(?:支出)?\((类|款|项)\)")
_LEVEL_DIGITS = {"类": 3, "款": 5, "项": 7}
_APPROPRIATION_INCOME_RE = re.compile(r"(?:财政|预算)?拨款(?:本年)?收入")
_LIST_MARKER_RE = re.compile(r"^(?:\d{1,2}[、.．]|[(（]?[一二三四五六七八九十]+[)）、])")
# A part or section heading ("第三部分", "五、"; group `top`) or a sub-heading ("（二）"): one
# match tells which (they begin with different characters).
_SECTION_HEADING_RE = re.compile(r"\s*(?:(?P<top>第[一二三四五六七八九十]+部分|[一二三四五六七八九十]+、)|[(（][一二三四五六七八九十]+[)）])")
_ENTRY_RE = re.compile(r"[：:]\s*\S")  # "（一）财政拨款收入：是…": text after a colon
_CLASS_SUFFIX_RE = re.compile(r"(?:支出)?\s*[(（]类[)）]\s*(?:支出)?|类级|支出类|类支出")


@dataclass(frozen=True)
class FactExtraction:
    facts: list[NarrativeFact]
    consumed: frozenset[int]  # lines whose numbers were all understood
    unread: list[UnreadLine] = field(default_factory=list)
    headings: tuple[int, ...] = ()  # the lines read as headings ("第三部分 名词解释", "一、…")


# A quantity's phrase is at most this long, and an amount follows it within NEAR_GAP
# characters ("收、支总计各增加", "支出决算为").
MAX_PHRASE, NEAR_GAP = 16, 6
MAX_SUBJECT = 80


@dataclass(frozen=True)
class _Alternation:
    """Patterns in an order of preference (the specific first), joined to tell in a few
    searches which is the first that matches anywhere in a text, instead of one search each."""

    # One search finds where any pattern matches, and which is the first in order to match
    # there: pattern k is followed by an empty group k + 1, the only group its branch closes,
    # so the match's `lastindex` names the branch that matched.
    finder: re.Pattern[str]

    @classmethod
    def of(cls, patterns: list[str]) -> _Alternation:
        if any(re.compile(p).groups for p in patterns):
            raise ValueError("a pattern with groups of its own would shift the group numbers that tell them apart")
        alternation = "|".join(f"(?:{p})()" for p in patterns)
        starts = first_characters(alternation)
        if starts is None:
            return cls(re.compile(alternation))
        # A search for an alternation the regex engine cannot see the first characters of
        # tries every branch at every character (~2,000 instructions a character for the
        # quantities). Led by a class of its first characters, the search skips in C to the
        # next character a match can begin with; there the look-behind steps back over that
        # character and tries the alternation from it (the match starts where it would).
        return cls(re.compile(f"[{starts}](?<=(?={alternation})[\\s\\S])"))

    def first_matching(self, text: str) -> int | None:
        """The index of the first pattern (in order) that matches anywhere in `text`: at each
        place any matches, the alternation reports the first in order that matches there, so
        the least reported over all places is the first that matches at all."""
        first = None
        # (a search from a later start still sees the characters before it: "(?<!事业单位)")
        found = self.finder.search(text)
        while found is not None:
            index = found.lastindex - 1
            first = index if first is None else min(first, index)
            found = self.finder.search(text, found.start() + 1)
        return first


@dataclass(frozen=True)
class _Vocabulary:
    quantities: list[tuple[str, re.Pattern[str]]]
    quantity_phrases: _Alternation  # pattern k is quantities[k]'s
    scopes: list[str]
    scope_phrases: _Alternation  # pattern k is scopes[k]'s
    increase: re.Pattern[str]
    decrease: re.Pattern[str]
    classes: list[tuple[str, str]]  # (code, name) longest names first
    economic: list[tuple[str, str]]
    economic_endings: tuple[str, ...]  # every economic name, and with 为: one endswith test
    class_by_spending_name: dict[str, str]  # name + "支出" -> code, the first in `classes` order


@cache
def vocabulary() -> _Vocabulary:
    data = yaml.safe_load(files(__package__).joinpath("quantities.yaml").read_text(encoding="utf-8"))
    classes = sorted(((str(k), v) for k, v in data["function_classes"].items()), key=lambda kv: -len(kv[1]))
    by_name: dict[str, str] = {}
    for code, name in classes:
        by_name.setdefault(name + "支出", code)
    return _Vocabulary(
        quantities=[(q["quantity"], re.compile(q["pattern"])) for q in data["quantities"]],
        quantity_phrases=_Alternation.of([q["pattern"] for q in data["quantities"]]),
        scopes=[s["scope"] for s in data["scopes"]],
        scope_phrases=_Alternation.of([s["pattern"] for s in data["scopes"]]),
        increase=re.compile(rf"(?:{data['changes']['increase']})$"),
        decrease=re.compile(rf"(?:{data['changes']['decrease']})$"),
        classes=classes,
        economic=[(str(k), v) for k, v in data["economic_classes"].items()],
        economic_endings=tuple(e for v in data["economic_classes"].values() for e in (v, v + "为")),
        class_by_spending_name=by_name,
    )


# --- the stream -------------------------------------------------------------------------------


@dataclass
class _Stream:
    """The narrative lines joined; `starts[i]` is where line `numbers[i]` begins in `text`."""

    text: str
    starts: list[int]
    numbers: list[int]
    pages: list[int | None]
    originals: list[str]
    headings: list[int] = field(default_factory=list)  # the line numbers of headings

    def place(self, offset: int) -> tuple[int, int, int | None]:
        i = max(0, bisect.bisect_right(self.starts, offset) - 1)
        return self.numbers[i], offset - self.starts[i] + self.stripped(i), self.pages[i]

    def stripped(self, i: int) -> int:
        """The characters stripped from the start of line `i`: counted when asked (for the
        few lines that hold an amount), not for every line."""
        original = self.originals[i]
        return len(original) - len(original.lstrip())

    def lines_between(self, start: int, end: int) -> range:
        first = max(0, bisect.bisect_right(self.starts, start) - 1)
        last = max(0, bisect.bisect_right(self.starts, max(start, end - 1)) - 1)
        return range(first, last + 1)


def _stream(
    doc: SourceDocument, skip: frozenset[int], folded_lines: list[str] | None = None, keys: list[str] | None = None
) -> _Stream:
    """`folded_lines`: `fold` of every line's text, `keys`: `compact` of it, when the caller
    has them already."""
    if keys is None:
        keys = compact_lines(list(doc.texts))
    # The narrative lines: they print something (their compact form holds a character) and
    # no table claimed them (line n is at index n - 1), picked by one `compress` of the lines
    # (the claimed ones blanked in a copy of the keys: no integer is made per line); then,
    # of the few left, those no tab or cell boundary makes a table row (blanked too: the keys
    # then pick the lines' folded texts as well).
    narrative_keys = keys.copy()
    for number in skip:
        narrative_keys[number - 1] = ""
    numbers, originals, pages, cells = doc.lines.fields_where(narrative_keys)
    # (most documents print no tab and know no cells outside their tables: one test of all
    # the lines, in C, tells, and the lines are then picked once)
    if cells.count(None) < len(cells) or "\t" in "".join(originals):
        for number, text, line_cells in zip(numbers, originals, cells):
            if line_cells is not None or "\t" in text:
                narrative_keys[number - 1] = ""
        numbers, originals, pages, cells = doc.lines.fields_where(narrative_keys)
    # folding is one character for one, and turns no space into anything else nor
    # anything else into a space: the stream is folded parts, stripped as printed
    if folded_lines is not None:
        parts = list(map(str.strip, compress(folded_lines, narrative_keys)))
    else:
        parts = [fold(text.strip()) for text in originals]
    lengths = list(map(len, parts))
    # A heading ends whatever sentence came before (a line break before it), and a heading
    # line is a sentence of its own (a line break after it): how many breaks stand right
    # before each line's text.
    breaks_before = [0] * len(parts)
    # (a part starts with no space: a heading marker is its first character, and most lines
    # are ruled out by that character alone)
    first_characters = "".join(map(itemgetter(0), parts))
    headings: list[int] = []
    for k in map(_match_start, _HEADING_START_RE.finditer(first_characters)):
        folded = parts[k]
        marker = _HEADING_RE.match(folded)
        if marker is None:
            continue
        if k:  # the first line has no sentence before it to end
            parts[k] = "\n" + folded
            breaks_before[k] += 1
        if _is_heading_folded(folded, marker):
            headings.append(numbers[k])
            parts[k] += "\n"
            if k + 1 < len(parts):
                breaks_before[k + 1] += 1
    # a line starts after every line before it and every break up to it
    starts = list(accumulate(map(add, chain((0,), lengths), breaks_before)))
    return _Stream(
        text="".join(parts),
        starts=starts,
        numbers=numbers,
        pages=pages,
        originals=originals,
        headings=headings,
    )


def _positions(text: str, characters: str) -> list[int]:
    """Where any of `characters` stands in `text`, in order. (One `str.find` scan per character
    rather than one scan for a class of them: a class is tested at every character of the
    text, ~50 instructions each, while `find` skips to the next one at a few per character.)"""
    found = []
    for character in characters:
        at = text.find(character)
        while at >= 0:
            found.append(at)
            at = text.find(character, at + 1)
    found.sort()
    return found


def _is_code(raw: str, following: str) -> bool:
    """"2080501行政单位离退休": a function or economic code printed before its name."""
    return len(raw) in (3, 5, 7) and raw.isdigit() and "\u4e00" <= following <= "\u9fa5"


def _is_heading_line(text: str) -> bool:
    """A short numbered line with no amount on it: "五、一般公共预算财政拨款支出决算情况说明"."""
    folded = fold(text)
    return _is_heading_folded(folded, _HEADING_RE.match(folded))


# What `str.isdigit` may hold true of: a word character that is neither a Chinese character
# nor a Latin letter ("①" and "²" are digits too). Most titles hold none, which one search
# tells at a fraction of the cost of calling `str.isdigit` on every character.
_MAY_BE_DIGIT_RE = re.compile(r"[^\W\u4e00-\u9fffA-Za-z_]")
_TABLE_REFERENCE_RE = re.compile(r"\((?:详|参)?见(?:附)?表\s*\d+(?:[-—]\d+)?\)$")  # "(详见表4)" ending a heading


def _is_heading_folded(folded: str, marker: re.Match[str] | None) -> bool:
    # Any digit after the marker may be an amount that goes on in the next line, except the
    # number of the table a heading refers to ("（四）财政拨款收支预算情况的总体说明（详见表4）").
    if len(folded) > 32 or not marker:
        return False
    title = folded[marker.end() :]
    if title.endswith(")") and "表" in title:
        title = _TABLE_REFERENCE_RE.sub("", title)
    return not (_MAY_BE_DIGIT_RE.search(title) and any(map(str.isdigit, title)))


# --- reading ----------------------------------------------------------------------------------


@dataclass
class _Draft:
    """A fact being read; frozen into a NarrativeFact at the end."""

    quantity: str
    scope: str
    subject: str
    year: int | None
    amount: Amount
    sentence: str
    source: SourceRef
    change: dict = field(default_factory=dict)
    share: Share | None = None
    completion: Completion | None = None


class _Reader:
    def __init__(self, doc: SourceDocument, metadata: Metadata, stream: _Stream, codes: dict[str, str]) -> None:
        self.doc, self.metadata, self.stream = doc, metadata, stream
        self.codes = codes  # function codes printed in the tables -> their names (folded)
        self.final_accounts = metadata.kind is DisclosureKind.FINAL_ACCOUNTS
        self.class_named = ""  # the last 类 a sentence or heading named ("(一)科学技术支出(类)")
        self.vocab = vocabulary()
        self.facts: list[_Draft] = []
        self.understood: list[tuple[int, int]] = []  # stream spans of understood numbers
        # The span of every number in the stream, in order (`read` finds them).
        self.number_spans: list[tuple[int, int]] = []
        self.unclassified: list[tuple[int, str]] = []  # (stream offset, subject)
        self.topic: tuple[str, str] | None = None  # (quantity, scope) carried from a heading sentence
        # A sentence without amounts names the topic of the next; it is classified only when
        # the next sentence asks for it (most never do, and such sentences can be long):
        # (sentence, the section scope when it was read).
        self._pending_topic: tuple[str, str] | None = None
        self.section_scope = ""  # the scope the current heading names
        # The first fact of the sentence before the one being read (the count of facts, when
        # it stated none): a change is of a fact of this sentence or of that one, never of
        # one further back ("2026年预算数3,623.98为万元，比2025年执行减少…", its amount
        # misprinted, changes nothing the paragraph before stated).
        self._previous_first = 0
        # Where the clause breaks are in the stream, found by one scan of the document rather
        # than one scan before each number (`_clause_before` runs for every number).
        self._breaks = _positions(stream.text, _CLAUSE_BREAK)

    def read(self) -> None:
        text = self.stream.text
        # Every number in the stream, found by one scan: no number goes on across a sentence's
        # end (no sentence end is a character of one), so a sentence's numbers are those of
        # the stream between its start and end, as a scan of the sentence would find them.
        numbers = list(_NUMBER_AND_AFTER_RE.finditer(text))
        self.number_spans = list(map(_match_span, numbers))
        number_starts = list(map(_match_start, numbers))
        first = 0  # the first number not in an earlier sentence
        start = 0
        for end in _positions(text, _SENTENCE_END) + [len(text)]:  # (the text ends the last)
            if end > start:
                last = bisect.bisect_left(number_starts, end, first)
                if last > first:
                    self._sentence(start, end, numbers[first:last])
                    first = last
                else:  # (most sentences: what `_sentence` does with one that has no numbers)
                    self._without_amounts(text[start:end])
            start = end + 1

    def _sentence(self, start: int, end: int, numbers: list[re.Match[str]]) -> None:
        """Reads the sentence `text[start:end]`, whose numbers are `numbers`."""
        text = self.stream.text
        sentence = text[start:end]
        first_fact = len(self.facts)
        pending_budget: Amount | None = None
        initial_budget: Amount | None = None  # "年初预算为 A": what "完成年初预算的 P%" is of
        had_money = False
        # the sentence's year is only needed for a fact, and most sentences state none
        sentence_year: int | None = None
        year_read = False
        original: str | None = None  # the sentence as printed, made for its first fact
        position = start
        for match in numbers:
            number_start, after = match.span()
            if number_start < position:
                continue  # already read as part of a claim
            printed_unit = match["unit"]  # (what follows it: `_NUMBER_AND_AFTER_RE` read that too)
            # (the unit is the amount's only when it ends within the sentence)
            if printed_unit is None or printed_unit == "亿元" or match.end("unit") > end:
                # a change without its unit ends its clause, after a fact ("各减少1,188.52，")
                if (
                    self.facts
                    and (after == end or text[after] in "，,；;")
                    and self._change_amount_without_unit(match, start, end, first_fact)
                ):
                    position = self._position
                    continue
                counted = printed_unit == "亿元" or match.lastgroup == "count"
                if (
                    counted
                    or self._is_marker(text, number_start)
                    or _is_code(match.group(), text[after : after + 1])
                ):
                    self.understood.append((number_start, after))
                continue
            had_money = True
            raw = match.group()
            prefix = self._clause_before(start, number_start)
            unit = Unit.WAN_YUAN if printed_unit == "万元" else Unit.YUAN
            amount = self._amount(raw, unit, number_start)
            claim_end = match.end("unit")
            self.understood.append((number_start, claim_end))
            direction = self._direction(prefix)
            if direction is not None:
                position = self._attach_change(direction, amount, prefix, sentence, claim_end, end, first_fact)
                continue
            if _BUDGET_PHRASE_RE.search(prefix) and (self.final_accounts or _COMPARED_RE.match(prefix)):
                # "…财政拨款支出年初预算为 A 万元，支出决算为 B 万元": the budget's clause names
                # what the actual that follows is; "比2025年年初预算数 A 万元增加…" is what a
                # change is from. (In a budget, "2026年预算数为 A 万元，比2025年执行数增加…"
                # states the amount itself: there is no actual to follow.)
                pending_budget = amount
                if "年初" in prefix:
                    initial_budget = amount
                budget_topic = self._classify(_BUDGET_PHRASE_RE.sub("", prefix), sentence, first_fact, topic_only=True)
                if budget_topic[0] != "other":
                    self.topic, self._pending_topic = budget_topic, None
                position = claim_end
                continue
            quantity, scope = self._classify(prefix, sentence, first_fact)
            if not year_read:
                sentence_year, year_read = self._year(sentence), True
            if original is None:
                original = self._original(start, end)
            draft = _Draft(
                quantity=quantity, scope=scope, subject=prefix.strip() or quantity,
                year=sentence_year, amount=amount, sentence=original,
                source=amount.source,
            )
            if quantity == "other":
                self.unclassified.append((number_start, prefix.strip()))
            position = self._claims(draft, claim_end, end, pending_budget, initial_budget)
            if draft.completion is not None:
                pending_budget = initial_budget = None
            self.facts.append(draft)
        if not had_money:
            self._without_amounts(sentence)
        else:
            self.topic, self._pending_topic = None, None
        self._previous_first = first_fact

    def _without_amounts(self, sentence: str) -> None:
        """A sentence without amounts ("7.社会保障和就业支出(类)。") names the topic of the next;
        a topic lasts one sentence."""
        self._heading_scope(sentence)
        self._remember_class(sentence)  # "(一)科学技术支出(类)": the 类 of the items below
        self.topic, self._pending_topic = None, (sentence, self.section_scope)
        self._previous_first = len(self.facts)

    def _current_topic(self) -> tuple[str, str] | None:
        """The topic carried from the previous sentence, classified when first asked for, as
        it would have been when that sentence was read (its section scope; no fact of its own)."""
        if self._pending_topic is not None:
            sentence, scope = self._pending_topic
            self._pending_topic = None
            current_scope, self.section_scope = self.section_scope, scope
            try:
                topic = self._classify(sentence, sentence, len(self.facts), topic_only=True)
            finally:
                self.section_scope = current_scope
            self.topic = topic if topic[0] != "other" else None
        return self.topic

    # -- pieces -----------------------------------------------------------------------------

    def _clause_before(self, sentence_start: int, number_start: int) -> str:
        text = self.stream.text
        # A subject is short; looking further back than this only costs time (and makes the
        # scan quadratic on long unpunctuated lines such as flattened tables).
        sentence_start = max(sentence_start, number_start - MAX_SUBJECT)
        # The clause breaks in reach, nearest first.
        breaks = self._breaks
        first = bisect.bisect_left(breaks, sentence_start)
        for k in range(bisect.bisect_left(breaks, number_start) - 1, first - 1, -1):
            at = breaks[k]
            c = text[at]
            # "、" separates list items ("住宿费 0.00 万元、旅费 …") but also joins words
            # ("收、支总计"): it ends a clause only after an amount or a rate.
            if c == "、" and text[at - 1 : at] not in ("元", "%"):
                continue
            # "1.党建、结对共建：3.6 万元": the name stands before the colon.
            if c in "：:" and not text[at + 1 : number_start].strip() and at > sentence_start:
                continue
            return text[at + 1 : number_start]
        return text[sentence_start:number_start]

    def _is_marker(self, text: str, start: int) -> bool:
        before = text[max(0, start - 1) : start].strip() or text[max(0, start - 2) : start - 1]
        return before in ("第", "(", "（", "【", "[", "图", "表", "件")  # 第3, (1), 图1, 表 2, 附件1

    def _year(self, sentence: str) -> int | None:
        bases = {m.start(1) for m in _BASE_YEAR_RE.finditer(sentence)}
        for m in _YEAR_RE.finditer(sentence):
            if m.start(1) not in bases and not sentence[m.end() : m.end() + 1].isdigit():
                year = int(m.group(1))
                if year in (self.metadata.fiscal_year, self.metadata.fiscal_year - 1, self.metadata.fiscal_year + 1):
                    return year
        return self.metadata.fiscal_year

    # `raw` is always a NUMBER matched in the folded stream: what `parse_decimal` and
    # `decimal_places` would check and fold of it is known, and only the commas are left.
    # The models are made `unchecked`: every value is typed here (an int line and column, a
    # Decimal, a Unit), and validating each cost as much as reading the amount.
    def _amount(self, raw: str, unit: Unit, offset: int) -> Amount:
        line, column, page = self.stream.place(offset)
        source = unchecked(SourceRef, {"line": line, "column": column, "page": page, "text": None})
        return unchecked(Amount, {"value": Decimal(raw.replace(",", "")), "unit": unit, "raw": raw, "source": source})

    def _percent(self, raw: str, has_sign: bool, offset: int) -> Percent:
        line, column, page = self.stream.place(offset)
        places = len(raw) - raw.index(".") - 1 if "." in raw else 0
        source = unchecked(SourceRef, {"line": line, "column": column, "page": page, "text": None})
        return unchecked(Percent, {"value": Decimal(raw.replace(",", "")), "raw": raw, "places": places,
                                   "has_percent_sign": has_sign, "source": source})

    def _direction(self, prefix: str) -> str | None:
        stripped = prefix.rstrip()
        if self.vocab.decrease.search(stripped):
            return "decrease"
        if self.vocab.increase.search(stripped):
            return "increase"
        return None

    def _change_amount_without_unit(self, match: re.Match[str], start: int, end: int, first_fact: int) -> bool:
        """'各减少1,188.52，下降21.5%': a change printed without its unit takes the unit of
        the amount it changes."""
        # Most numbers without a unit are years, dates and counts: the cheap tests come first,
        # and the clause before the number is read only for a number that can be a change.
        if not self.facts:
            return False  # no fact to change
        following = self.stream.text[match.end() : match.end() + 1]
        if following not in ("，", ",", "；", ";", "") and match.end() != end:
            return False
        prefix = self._clause_before(start, match.start())
        direction = self._direction(prefix)
        if direction is None:
            return False
        target = self._change_target(prefix, first_fact, at=match.start())
        if target is None:
            return False
        amount = self._amount(match.group(), target.amount.unit, match.start())
        self.understood.append((match.start(), match.end()))
        self._position = self._attach_change(direction, amount, prefix, self.stream.text[start:end], match.end(), end, first_fact)
        return True

    def _change_target(self, prefix: str, first_fact: int, at: int | None = None) -> _Draft | None:
        """The fact a change belongs to: the latest one of the quantity the clause names (among
        the last few), else the latest fact in this or the previous sentence. `at`: where the
        change's amount stands in the stream."""
        if not self.facts:
            return None
        named = self._match_quantity(prefix)
        if named:
            # a fact the clause names may be a few back ("…支出合计减少…。主要原因是基本支出较
            # 上年增长102.23万元" names the 基本支出 stated in the sentence before that)
            for draft in reversed(self.facts[max(0, first_fact - _NAMED_CHANGE_REACH) :]):
                if draft.quantity == named:
                    return draft
        head = self._head_of_list(first_fact)
        if head is not None:
            return head
        # unnamed, it is the latest fact of this sentence or the one before, not counting an
        # aside in brackets closed before the change ("预算为2,196.52万元，比上年预算（注：上年
        # 3,468.18万元，公开时请删除注释）减少1271.66万元": the 2,196.52's change)
        candidates = self.facts[min(self._previous_first, first_fact) :]
        if not candidates:
            return None
        if at is not None and ")" in self.stream.text[self._offset_of(candidates[-1].amount) : at]:
            for draft in reversed(candidates):
                if not self._is_aside(self._offset_of(draft.amount), at):
                    return draft
        return candidates[-1]

    def _is_aside(self, offset: int, at: int) -> bool:
        """Whether the amount at `offset` stands in brackets that close before `at`."""
        depth = 0
        for character in self.stream.text[offset:at]:
            if character == "(":
                depth += 1
            elif character == ")":
                depth -= 1
                if depth < 0:
                    return True
        return False

    def _head_of_list(self, first_fact: int) -> _Draft | None:
        """The amount a list of its parts follows, when a change comes after the list's last
        part: "收入344,447.70万元，其中：一般公共预算拨款324,638.50万元、…、其他收入3,444.00万元，
        较上年减少129,422.00万元" is the 收入's change. Only for parts enumerated with 、 and
        without changes of their own (a part followed by its change is that part's)."""
        drafts = self.facts[first_fact:]
        if len(drafts) < 3 or any(d.change for d in drafts[1:]):
            return None
        text = self.stream.text
        head, first_part, last_part = (self._offset_of(d.amount) for d in (drafts[0], drafts[1], drafts[-1]))
        if "其中" not in text[head:first_part] or "、" not in text[first_part:last_part]:
            return None
        return drafts[0]

    def _attach_change(self, direction: str, amount: Amount, prefix: str, sentence: str, after: int, end: int, first_fact: int) -> int:
        target = self._change_target(prefix, first_fact, at=after)
        text = self.stream.text
        if target is None:
            self.unclassified.append((self._offset_of(amount), prefix.strip()))
            return after
        base_year = None
        year_match = None
        for year_match in _BASE_YEAR_RE.finditer(sentence):
            pass
        if year_match is not None:
            base_year = int(year_match.group(1))
        elif _PRIOR_YEAR_RE.search(sentence):
            base_year = (target.year or self.metadata.fiscal_year) - 1
        change = {"direction": direction, "amount": amount, "base_year": base_year}
        rate = _RATE_AFTER_CHANGE_RE.match(text, after, end)
        position = after
        if rate and (rate.group("w") or rate.group("pct")):
            change["rate"] = self._percent(rate.group("p"), bool(rate.group("pct")), rate.start("p"))
            self.understood.append((rate.start("p"), rate.end()))
            position = rate.end()
        if not target.change:
            target.change = change
        return position

    def _offset_of(self, amount: Amount) -> int:
        i = self.stream.numbers.index(amount.source.line)
        return self.stream.starts[i] + (amount.source.column or 0) - self.stream.stripped(i)

    def _claims(
        self, draft: _Draft, after: int, end: int, pending_budget: Amount | None, initial_budget: Amount | None = None
    ) -> int:
        text = self.stream.text
        share = _SHARE_RE.match(text, after, end)
        if share:
            rate = self._percent(share.group("p"), bool(share.group("pct")), share.start("p"))
            draft.share = unchecked(Share, {"rate": rate, "of": share.group("of").strip()})
            self.understood.append((share.start("p"), share.end()))
            after = share.end()
        completion = _COMPLETION_RE.match(text, after, end)
        if completion:
            draft.completion = unchecked(Completion, {
                # "完成年初预算的" is of the initial budget even when an adjusted one was stated since.
                "budget": initial_budget if completion.group("which") == "年初" and initial_budget else pending_budget,
                "rate": self._percent(completion.group("p"), bool(completion.group("pct")), completion.start("p")),
            })
            self.understood.append((completion.start("p"), completion.end()))
            after = completion.end()
        return after

    def _match_quantity(self, subject: str, near: bool = False) -> str | None:
        """The first quantity (in the vocabulary's specific-first order) whose phrase stands in
        `subject`; with `near`, only a phrase the amount follows closely ("项目支出主要用于机构
        运转 3 万元" names a project's use, not 项目支出)."""
        if near:
            subject = subject[-(MAX_PHRASE + NEAR_GAP) :]  # only a phrase close to the amount counts
        first = self.vocab.quantity_phrases.first_matching(subject)
        if first is None:
            return None
        if not near:
            return self.vocab.quantities[first][0]
        for quantity, pattern in self.vocab.quantities[first:]:
            # (most phrases are not there: one search tells, cheaper than starting a finditer)
            if pattern.search(subject) is None:
                continue
            for m in pattern.finditer(subject):
                gap = subject[m.end() :]
                if len(gap.strip()) <= NEAR_GAP and "用于" not in gap:
                    return quantity
        return None

    def _function_or_economic(self, subject: str) -> str | None:
        # The code and the name after it (at most 7 + 30 characters) end the subject: only its
        # tail need be searched (the look-behind still sees the character before).
        code = _CODE_SUBJECT_SCAN_RE.search(subject, max(0, len(subject) - _CODE_SUBJECT_SPAN))
        if code:
            return f"function:{code.group(1)}"
        # the subject without its spaces: what `re.sub(r"\s+", "", …)` makes ("\s" is what
        # `str.isspace` holds true of), by one split and join in C, not a substitution
        compact = "".join(subject.split())
        if "类" in compact and _CLASS_SUFFIX_RE.search(compact):
            for code, name in self.vocab.classes:
                if name in compact:
                    return f"function:{code}"
        # Budgets name a class without "(类)": "1、社会保障和就业支出 14.54 万元".
        bare = _LIST_MARKER_RE.sub("", compact)
        if bare.endswith("支出"):
            code = self.vocab.class_by_spending_name.get(bare)
            if code is not None:
                return f"function:{code}"
        if not compact.endswith(self.vocab.economic_endings):
            return None
        for code, name in self.vocab.economic:
            if compact.endswith(name) or compact.endswith(name + "为"):
                return f"economic:{code}"
        return None

    def _scope(self, subject: str, quantity: str) -> str:
        """The scope the clause names, else the scope of the section it stands in (for
        quantities that are not themselves a kind of appropriation)."""
        # The quantity's own words are no scope: "一般公共预算财政拨款本年收入" is 财政拨款收入 of
        # the 一般公共预算, "财政拨款收入" alone is the department's.
        searched = _APPROPRIATION_INCOME_RE.sub("预算收入", subject) if quantity == "财政拨款收入" else subject
        named = self.vocab.scope_phrases.first_matching(searched)
        if named is not None:
            return self.vocab.scopes[named]
        return self.section_scope if quantity != "财政拨款收入" else ""

    def _heading_scope(self, sentence: str) -> None:
        """A heading sets the scope of the section below it: "五、一般公共预算财政拨款支出决算
        情况说明". A sub-heading that only says 财政拨款 under it does not widen it."""
        heading = _SECTION_HEADING_RE.match(sentence)
        if heading is None:
            return
        if _ENTRY_RE.search(sentence):
            # a numbered entry of a glossary or list, not a heading: it names no section's scope
            # ("（八）机关运行经费：指…使用一般公共预算财政拨款安排的…")
            return
        index = self.vocab.scope_phrases.first_matching(sentence)
        named = self.vocab.scopes[index] if index is not None else ""
        if heading["top"] is not None:
            self.section_scope = named
        elif named and not (named == "财政拨款" and self.section_scope.endswith("财政拨款")):
            self.section_scope = named

    def _remember_class(self, folded: str) -> None:
        """The 类 a subject or heading names, for the items below it that name only their 款."""
        if "(类)" in folded and (named := _levels(folded).get("类")):
            self.class_named = named

    def _item_code(self, folded: str) -> str | None:
        """The code of the 款 or 项 a subject names by its levels ("公共安全支出(类)司法(款)行政
        运行(项)"), found among the codes the tables print: the deepest name, under the 款 and 类
        the sentence (or, for the 类, an earlier one) names. None when the tables print no such
        code, or several fit (行政运行 of which 款?)."""
        named = _levels(folded)
        deepest = "项" if "项" in named else "款"
        if deepest not in named:
            return None
        digits = _LEVEL_DIGITS[deepest]
        candidates = [c for c, label in self.codes.items() if len(c) == digits and _same_name(label, named[deepest])]
        if "款" in named and deepest == "项":
            candidates = [c for c in candidates if _same_name(self.codes.get(c[:5], ""), named["款"])]
        class_name = named.get("类", self.class_named)
        if len(candidates) > 1 and class_name:
            candidates = [c for c in candidates if _same_name(self.codes.get(c[:3], ""), class_name)]
        return candidates[0] if len(candidates) == 1 else None

    def _classify(self, subject: str, sentence: str, first_fact: int, topic_only: bool = False) -> tuple[str, str]:
        folded = fold(subject)
        self._remember_class(folded)
        if "(项)" in folded or "(款)" in folded:
            # an item named by its levels is that item, never its 类 (which the words name too)
            code = self._item_code(folded)
            return (f"function:{code}", self._scope(subject, "function")) if code else ("other", "")
        coded = self._function_or_economic(subject)
        if coded:
            # Not the class's (or item's) amount: one named in the reasons for a change ("主要原因是…
            # 工程在农林水支出(类)支出列支13800万元"; a list of uses names the classes' own: "主要是用于
            # 2080501行政单位离退休1.8万元"), or a class's part of the sentence's 基本支出 or 项目支出
            # ("项目支出预算417.41万元，…其中：一般公共服务支出417.41万元").
            if not topic_only and (
                "原因" in _before(sentence, subject) + subject
                or (coded.startswith("function:") and self._within_basic_or_project(sentence, first_fact))
            ):
                return ("other", "")
            return coded, self._scope(subject, coded)
        if not topic_only and "项目" in sentence and _ONE_PROJECT_SCAN_RE.search(_before(sentence, subject) + subject):
            # "2026年拟安排该项目一般公共预算2,134.87万元（含上年结转750.00万元）": one project's
            # funds, not the department's 财政拨款 or 上年结转
            return ("other", "")
        quantity = self._match_quantity(subject, near=not topic_only)
        if quantity is not None and not topic_only and "用于" in _before(sentence, subject):
            quantity = None  # "主要用于：聘用人员经费 98 万元" lists uses, not the department's 人员经费
        if quantity is None and not topic_only:
            # "支出决算为 B", or in a budget "预算数为 A": the amount of what the sentence before named
            stated = _ACTUAL_PHRASE_RE.search(subject) or (not self.final_accounts and _BUDGET_PHRASE_RE.search(subject))
            if stated and (topic := self._current_topic()) is not None:
                return topic
            if subject.strip() in ("", "其中") and self.facts[first_fact:]:
                return ("other", "")
        if quantity is None:
            return ("other", "")
        scope = self._scope(subject, quantity)
        if not scope and len(self.facts) > first_fact and "其中" in sentence:
            scope = self.facts[first_fact].scope  # "…财政拨款基本支出 239.55 万元，其中，人员经费 183.35 万元"
        return quantity, scope

    def _within_basic_or_project(self, sentence: str, first_fact: int) -> bool:
        """Whether the sentence lists the parts of its 基本支出 or 项目支出 ("其中：")."""
        return "其中" in sentence and any(d.quantity in ("基本支出", "项目支出") for d in self.facts[first_fact:])

    def _original(self, start: int, end: int) -> str:
        """The sentence as printed (full-width kept), lines re-joined."""
        pieces = []
        for i in self.stream.lines_between(start, end):
            pieces.append(self.stream.originals[i].strip())
        joined = "".join(pieces)
        return joined if len(joined) <= 600 else joined[:600] + "…"


_ONE_PROJECT_RE = re.compile(r"该项目|(?<!基)本项目|此项目")
# _ONE_PROJECT_RE's matches, found by a scan for their first characters (a pattern that begins
# with a character class is scanned for it; _ONE_PROJECT_RE, with a look-behind first in one
# branch, is tried at every character): the look-behind, after the first character, checks
# the two before ("基本" only when that character is 本). tests/test_fast_patterns.py holds the
# two to the same matches.
_ONE_PROJECT_SCAN_RE = re.compile(r"[该本此](?<!基本)项目")


def _before(sentence: str, subject: str) -> str:
    """The sentence before the subject (all of it, for a subject it does not hold)."""
    return sentence[: sentence.find(subject)] if subject in sentence else sentence


def _levels(folded: str) -> dict[str, str]:
    """The name a text gives each level: {"类": "公共安全", "款": "司法", "项": "行政运行"}."""
    return {level: name for name, level in _LEVEL_SCAN_RE.findall(folded.replace(" ", ""))}


def _same_name(printed: str, named: str) -> bool:
    """A table's name for a code and the name a sentence gives it: equal, or one the other
    with 支出 (一般公共服务支出 / 一般公共服务)."""
    return bool(named) and (printed == named or printed == named + "支出" or printed + "支出" == named)


def extract_facts(
    doc: SourceDocument,
    metadata: Metadata,
    table_lines: frozenset[int] = frozenset(),
    codes: dict[str, str] | None = None,
    folded_lines: list[str] | None = None,
    keys: list[str] | None = None,
) -> FactExtraction:
    """`codes`: function codes → their names (folded) as this document's tables print them,
    so that a sentence naming an item ("…(款)行政单位离退休(项)") is linked to its code. `folded_lines`:
    `fold` of every line's text, `keys`: `compact` of it, when the caller has them already."""
    stream = _stream(doc, table_lines, folded_lines, keys)
    reader = _Reader(doc, metadata, stream, codes or {})
    reader.read()
    facts = [
        unchecked(NarrativeFact, {
            "quantity": d.quantity, "scope": d.scope, "subject": d.subject[-60:], "year": d.year, "amount": d.amount,
            "change": _change(d.change) if d.change else None, "share": d.share, "completion": d.completion,
            "sentence": d.sentence, "source": d.source,
        })
        for d in reader.facts
    ]
    consumed, unread = _coverage(stream, reader)
    return FactExtraction(facts=facts, consumed=consumed, unread=unread, headings=tuple(stream.headings))


def _change(change: dict) -> Change:
    """`Change(**change)`, unchecked: `_attach_change` typed its values, and states no base amount."""
    return unchecked(Change, {"direction": change["direction"], "amount": change["amount"], "rate": change.get("rate"),
                              "base_year": change["base_year"], "base_amount": None})


def _coverage(stream: _Stream, reader: _Reader) -> tuple[frozenset[int], list[UnreadLine]]:
    """A narrative line is understood when every number on it was read as an amount, a claim,
    a year, a date or a count; a money amount that could not be classified is reported.

    A line's numbers are those the reader found in the stream, except where a number goes on
    across the line's start or end ("1,891" / ".10"): a line touched by one is scanned on its
    own, as its numbers then are the pieces printed on it. (Scanned alone, a line untouched by
    such a number has exactly the stream's numbers within it.)"""
    understood = sorted(reader.understood)
    starts = list(map(itemgetter(0), understood))
    # The end of the last (widest) understood span at each start: what `is_understood` finds
    # for a number where such a span starts, as nearly every number is read (its own span, or
    # its claim's).
    widest_at = dict(understood)
    text = stream.text
    line_starts = stream.starts
    ends = line_starts[1:] + [len(text)]
    unclassified_lines = {stream.place(offset)[0]: subject for offset, subject in reader.unclassified}

    def is_understood(start: int, end: int) -> bool:
        k = bisect.bisect_right(starts, start) - 1
        return k >= 0 and understood[k][1] >= end

    not_understood: set[int] = set()  # stream line indexes
    split: set[int] = set()  # lines a number goes on from or to
    i = 0
    for start, end in reader.number_spans:
        i = bisect.bisect_right(ends, start, i)  # the line the number starts on
        if end > ends[i]:
            last = i
            while ends[last] < end:
                last += 1
            split.update(range(i, last + 1))
        elif widest_at.get(start, -1) < end and not is_understood(start, end):
            not_understood.add(i)
    for i in split:
        if all(is_understood(*m.span()) for m in _AMOUNT_RE.finditer(text, line_starts[i], ends[i])):
            not_understood.discard(i)
        else:
            not_understood.add(i)
    # (each line is once in the stream: set arithmetic, not a test per line)
    consumed = set(stream.numbers)
    consumed.difference_update(map(stream.numbers.__getitem__, not_understood))
    consumed.difference_update(unclassified_lines)
    # (the stream's lines are the document's in order, each once: a line's index in them is
    # found by bisection, what `list.index` finds, for the few unclassified lines)
    unread = [
        unchecked(UnreadLine, {"line": line, "text": stream.originals[bisect.bisect_left(stream.numbers, line)],
                               "reason": f"amount not classified (subject: {subject[-30:] or '-'})"})
        for line, subject in sorted(unclassified_lines.items())
    ]
    return frozenset(consumed), unread
