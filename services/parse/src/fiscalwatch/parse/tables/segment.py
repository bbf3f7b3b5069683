"""Segmentation: where each standard table starts and ends in the document.

A caption is a line (or two lines, when the caption is broken) whose compact text, once its
printed number ("公开01表", "(表 1)") and leading ordinal are removed, matches a template
title. A table of contents lists the same titles, so a caption only opens a table when a
unit line or a table number follows it before the next caption, or when the next line
declares the table empty (本单位无…). A table runs to the next caption, to a part heading
(第三部分…), or to a caption-like line of a table no template knows (绩效目标表).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from fiscalwatch.common.model import Unit
from fiscalwatch.parse.tables.templates import TemplateSpec
from fiscalwatch.parse.numbers import compact_lines
from fiscalwatch.parse.regex_tree import required_words
from fiscalwatch.parse.tables.text import compact

MAX_CAPTION_CHARS = 70
LOOKAHEAD_LINES = 8  # non-empty lines after a caption in which a unit or number must appear

# A printed table number, alone or at the end of a caption: 公开01表, 公开 02 表, 预算01表,
# 部门公开表 12, 部门公开表13-1, (表 1), 表1, 公开表3.
_NUMBER = r"(?:部门)?公开表\d{1,2}(?:-\d)?|公开\d{1,2}表|预算\d{1,2}表|表\d{1,2}(?:-\d)?"
NUMBER_LINE_RE = re.compile(rf"(?:{_NUMBER})(?:(?:金额)?单位[:：](?:万元|元))?")
_TRAILING_NUMBER_RE = re.compile(rf"[(（]?(?:{_NUMBER})[)）]?$")
_TRAILING_NUMBER_CHARS = len("（部门公开表12-1）")  # the longest _TRAILING_NUMBER_RE matches
_NUMBER_IN_LINE_RE = re.compile(rf"(?:{_NUMBER})")
_LEADING_RE = re.compile(
    r"^(?:附件\d{0,2}[:：]?)?(?:[一二三四五六七八九十]{1,3}[、.]|表\d{1,2}(?:-\d)?[.、．:：]?|\d{1,2}[.、](?!\d))?"
)
# What a caption may add about the carry-over, which names no other table: "(不含上年结转)" after
# it, or "-不含上年结转" at the end of its own parenthesis.
_CARRYOVER_QUALIFIER_RE = re.compile(r"\((?:不)?含上年结转[^()]{0,6}\)$|[-—](?:不)?含上年结转[^()]{0,6}(?=\)$)")
UNIT_RE = re.compile(r"单位[:：]?(万元|元)(?![\u4e00-\u9fff])")
_PART_RE = re.compile(r"^第[一二三四五六七八九十]{1,3}部分")
# "本单位无政府性基金。", "本部门2024年度无财政拨款“三公”经费支出", "本单位当年无…"
EMPTY_NOTE_RE = re.compile(r"本(?:单位|部门)[^。；;]{0,24}?无[^。；;]{0,60}")
_SENTENCE_RE = re.compile(r"[。；;=：:，,]")  # a line with these is not the start of a caption
_CAPTION_LIKE_RE = re.compile(r"^[^,，。；;:：]{4,50}表(?:\([^()]{1,12}\))?$")  # "…明细表（按功能科目分）"


@dataclass(frozen=True)
class Caption:
    template: TemplateSpec
    first_line: int  # index into the document's lines
    last_line: int
    title: str  # as printed, lines joined
    number: str | None  # as printed, when on the caption line


@dataclass(frozen=True)
class Region:
    caption: Caption
    start: int  # index of the caption's first line
    end: int  # index one past the region's last line


def caption_text(text: str) -> tuple[str, str | None]:
    """The compact caption with its printed number and leading ordinal removed, and the
    number (compact) when the caption carries one."""
    return caption_text_of_key(compact(text))


def caption_text_of_key(key: str) -> tuple[str, str | None]:
    """`caption_text` of a line already compact."""
    number = None
    # a number at the end is at most _TRAILING_NUMBER_CHARS long: searched for there only
    # (a search from the start would try every position of the caption)
    found = _TRAILING_NUMBER_RE.search(key, max(0, len(key) - _TRAILING_NUMBER_CHARS))
    if found and found.start() > 0:
        number = found.group().strip("()（）")
        key = key[: found.start()]
    key = _LEADING_RE.sub("", key, count=1)
    if "上年结转" in key:  # "…收支表(不含上年结转)", "…(按支出经济分类科目-不含上年结转)" (西安)
        key = _CARRYOVER_QUALIFIER_RE.sub("", key)
    return key, number


def match_caption(text: str, templates: tuple[TemplateSpec, ...]) -> tuple[TemplateSpec, str | None] | None:
    if len(text) > MAX_CAPTION_CHARS * 2:
        return None
    return _match_caption(compact(text), _titles_of(templates), {})


def _match_caption(
    key: str,
    titles: "_Titles",
    by_title: dict[str, TemplateSpec | None],
) -> tuple[TemplateSpec, str | None] | None:
    """`key`: the line (or lines) compact; `titles`: `_titles_of(templates)`; `by_title`: the
    template (or None) of each caption text already matched in this document."""
    # Every standard caption names a 表; most lines do not, and this keeps the per-line
    # cost of caption search to one substring test.
    if "表" not in key:
        return None
    key, number = caption_text_of_key(key)
    if not key or len(key) > MAX_CAPTION_CHARS:
        return None
    # A document prints each caption text more than once (in its table of contents, on each
    # page a table continues on): each text is matched once.
    if key in by_title:
        template = by_title[key]
    else:
        template = by_title[key] = titles.template_of(key)
    return (template, number) if template is not None else None


class _Titles:
    """The templates' title patterns, asked which template's titles fullmatch a caption: the
    first template's in order, as one alternation of them all would say.

    The alternation itself costs 100,000-350,000 instructions a caption: each title starts
    with a lazy `.{0,24}?`, so every title is tried at every start it allows, whatever the
    caption says. But a title's fullmatch holds every run of plain characters the pattern
    spells outside any group ("支出", "总", "表" of `.{0,24}?(?<!收)支出(?:预算)?总(?:体情况)?表`):
    a template is only matched when, for one of its titles, the caption holds them all
    (substring tests, a few instructions each)."""

    def __init__(self, templates: tuple[TemplateSpec, ...]) -> None:
        # (template, its titles as one pattern, each title's required words)
        self._candidates = [
            (
                template,
                re.compile("|".join(f"(?:{p.pattern})" for p in template.titles)),
                tuple(required_words(p) for p in template.titles),
            )
            for template in templates
            if template.titles
        ]

    def template_of(self, key: str) -> TemplateSpec | None:
        for template, titles, required in self._candidates:
            # (a title whose words are not all in the caption cannot match it; one whose
            # words are: the template's titles are matched. Loops, not any/all of
            # generators: a generator costs more to make than the tests it runs.)
            for words in required:
                for word in words:
                    if word not in key:
                        break
                else:
                    if titles.fullmatch(key):
                        return template
                    break
        return None


@lru_cache(maxsize=8)
def _titles_of(templates: tuple[TemplateSpec, ...]) -> _Titles:
    """(Templates hash by identity: the cache costs a lookup, not a hash of every spec.)"""
    return _Titles(templates)


def unit_of(text: str) -> Unit | None:
    return unit_of_key(compact(text))


def unit_of_key(key: str) -> Unit | None:
    """`unit_of` for a line already compact."""
    found = UNIT_RE.search(key) if "单位" in key else None
    if not found:
        return None
    return Unit.WAN_YUAN if found.group(1) == "万元" else Unit.YUAN


def number_of(text: str) -> str | None:
    """The table number a short line prints ("公开 01 表 单位：万元" -> "公开01表")."""
    return number_of_key(compact(text))


def number_of_key(key: str) -> str | None:
    """`number_of` for a line already compact."""
    key = key.strip("()（）")
    if len(key) > 30 or not NUMBER_LINE_RE.fullmatch(key):
        return None
    found = _NUMBER_IN_LINE_RE.search(key)
    return found.group() if found else None


def is_stop_line(text: str) -> bool:
    """A line that ends any table: a part heading or the caption of a non-standard table."""
    return is_stop_key(compact(text))


def is_stop_key(key: str) -> bool:
    """`is_stop_line` for a line already compact."""
    if not key or len(key) > 60:
        return False
    if _PART_RE.match(key):
        return True
    return _reads_as_caption(key) and number_of_key(key) is None


def caption_like(key: str) -> bool:
    """A line (compact) that reads as a table's caption, known to a template or not: short,
    no sentence, ending in 表 ("项目支出绩效目标表", "…明细表（按功能科目分）")."""
    return len(key) <= 60 and not _SENTENCE_RE.search(key) and _reads_as_caption(key)


def _reads_as_caption(key: str) -> bool:
    if "表" not in key:  # (what _CAPTION_LIKE_RE ends in, tested first)
        return False
    stripped, _ = caption_text_of_key(key)
    return bool(_CAPTION_LIKE_RE.match(stripped))


def _nonempty_after(keys: list[str], index: int, limit: int) -> list[int]:
    """The first `limit` non-empty lines after line `index`. (A line is empty when its compact
    form is: `compact` drops the whitespace `str.strip` would, without making a string.)"""
    found = []
    for j in range(index + 1, len(keys)):
        if keys[j]:
            found.append(j)
            if len(found) >= limit:
                break
    return found


def find_captions(
    texts: tuple[str, ...],
    templates: tuple[TemplateSpec, ...],
    keys: list[str] | None = None,
    with_table: list[int] | None = None,
) -> list[Caption]:
    """Every line (or pair of lines) that reads as a template caption, in order. `keys`:
    `compact` of every line's text, `with_table`: the indexes of those that hold a 表, when
    the caller has them already."""
    if keys is None:
        keys = compact_lines(list(texts))
    captions: list[Caption] = []
    # A caption (one line, or two joined) names a 表: a line is only looked at when it, or
    # one of the two lines after it (the most a broken caption's second line can be on),
    # holds one.
    titles = _titles_of(templates)
    by_title: dict[str, TemplateSpec | None] = {}
    matched: dict[int, tuple[TemplateSpec, str | None] | None] = {}  # line -> its match alone

    def match_line(j: int) -> tuple[TemplateSpec, str | None] | None:
        # a line is matched alone once, though it is read as a line and as the one after
        if j not in matched:
            matched[j] = _match_caption(keys[j], titles, by_title)
        return matched[j]

    # the lines to look at, in order: those holding a 表 and the two before each
    if with_table is None:
        with_table = [j for j, key in enumerate(keys) if "表" in key]
    looked_at = sorted({k for j in with_table for k in range(max(j - 2, 0), j + 1)})
    i = 0
    for position in looked_at:
        if position < i:
            continue  # inside the caption found last
        i = position
        text = texts[i]
        if not keys[i] or len(text) > MAX_CAPTION_CHARS * 2:
            continue
        hit = match_line(i)
        last = i
        if hit is None and "\t" not in text and not _SENTENCE_RE.search(text):
            # the next non-empty line, when it is at most two lines on
            nxt = next((j for j in range(i + 1, min(i + 3, len(texts))) if keys[j]), None)
            following = texts[nxt] if nxt is not None else ""
            if (
                nxt is not None
                # a caption names a 表: two lines without one cannot be a caption
                and ("表" in text or "表" in following)
                and (len(following) > MAX_CAPTION_CHARS * 2 or match_line(nxt) is None)
            ):
                joined = text + following
                hit = _match_caption(keys[i] + keys[nxt], titles, by_title) if len(joined) <= MAX_CAPTION_CHARS * 2 else None
                last = nxt
                text = text.strip() + following.strip()
        if hit is not None:
            template, number = hit
            captions.append(Caption(template, i, last, text.strip(), number))
            i = last + 1
    return captions


def _opens_table(caption: Caption, next_start: int, keys: list[str]) -> bool:
    """A real table has a unit line or its number after the caption (before the next
    caption), or an explicit empty note right after it; a table of contents has neither."""
    if caption.number and unit_of_key(keys[caption.first_line]):
        return True
    ahead = [j for j in _nonempty_after(keys, caption.last_line, LOOKAHEAD_LINES) if j < next_start]
    if ahead and EMPTY_NOTE_RE.search(keys[ahead[0]]):
        return True
    # a number printed right above the next caption is that table's ("表1" after the last line
    # of a table of contents)
    next_number = ahead[-1] if ahead and _nonempty_after(keys, ahead[-1], 1) == [next_start] else None
    return any(unit_of_key(keys[j]) or (j != next_number and number_of_key(keys[j])) for j in ahead)


def segment(
    texts: tuple[str, ...],
    templates: tuple[TemplateSpec, ...],
    keys: list[str] | None = None,
    with_table: list[int] | None = None,
) -> list[Region]:
    """The table regions of a document whose lines' texts are `texts`. `keys`: `compact` of
    every line's text, `with_table`: the indexes of those that hold a 表, when the caller has
    them already."""
    if keys is None:
        keys = compact_lines(list(texts))
    captions = find_captions(texts, templates, keys, with_table)
    accepted = []
    for k, caption in enumerate(captions):
        next_start = captions[k + 1].first_line if k + 1 < len(captions) else len(texts)
        if _opens_table(caption, next_start, keys):
            accepted.append(caption)
    regions = []
    for k, caption in enumerate(accepted):
        limit = accepted[k + 1].first_line if k + 1 < len(accepted) else len(texts)
        end = caption.last_line + 1
        while end < limit:
            key = keys[end]
            # (what is_stop_key needs first, tested here: most lines hold neither; `in` first,
            # for it makes no string, as `key[:1]` does, and costs a quarter of it)
            if ("表" in key or ("第" in key and key[0] == "第")) and is_stop_key(key):
                break
            end += 1
        # a number line printed just before the next caption belongs to the next table
        while end > caption.last_line + 1 and (
            not keys[end - 1] or number_of_key(keys[end - 1])
        ):
            end -= 1
        regions.append(Region(caption, caption.first_line, end))
    return regions
