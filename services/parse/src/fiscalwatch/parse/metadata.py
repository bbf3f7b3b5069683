"""Document metadata: department, region, fiscal year, kind, unit, publication date.

Read from the places a disclosure prints them: its title ("2023年度武汉市医疗保障局（本级）
决算公开"), its part headings ("第二部分 武汉市洪山区医疗保障局 2020 年度部门决算表"), the
"部门：" / "单位名称：" lines above its tables and their unit lines. Titles wrap, so the text is
searched with line breaks and spaces removed. A text that names no year, no department or no
budget / final-accounts title is not a disclosure, and the reason says which.
"""

from __future__ import annotations

import re
from collections import Counter
from datetime import date
from itertools import compress, count

from fiscalwatch.common.document import SourceDocument
from fiscalwatch.common.errors import NotADisclosure
from fiscalwatch.common.model import DisclosureKind, Metadata, Unit
from fiscalwatch.common.text import department_key
from fiscalwatch.parse.numbers import compact, compact_lines

__all__ = ["extract_metadata", "department_key", "region_of"]

# Titles, the table of contents and part headings are near the top; table headers
# ("单位名称：…") may be anywhere. Only this many non-empty lines are read for titles.
HEAD_LINES = 400

_SPACE_RE = re.compile(r"\s+")
_CJK = r"\u4e00-\u9fa5"
_BODY = rf"[{_CJK}()（）]{{2,40}}?"

# A title or part heading, read on one line or two joined (titles wrap): "2023年度武汉市医疗
# 保障局（本级）决算公开", "北京市审计局2026年度部门预算信息公开", "第二部分武汉市洪山区医疗
# 保障局2020年度部门决算表", "2026年度苏州市科学技术局单位预算公开".
TITLE_RE = re.compile(
    rf"^(?:附件\d*[:：]?)?(?:第[一二三四五六]部分[:：]?)?(?P<before>{_BODY})?(?P<year>20\d\d)年度?"
    rf"(?P<after>{_BODY})?(?:部门|单位)?(?P<kind>预算|决算)"
)
# "部门：武汉市医疗保障局（本级）", "单位名称：武汉市江汉区医疗保障局本级"
LABELLED_RE = re.compile(rf"(?:部门|单位名称|预算单位|编制单位|部门名称|填报单位)[:：](?P<name>[{_CJK}()（）]{{2,40}})")
# "第一部分 某局概况", a whole line, found in the head's lines joined: the pattern begins with its
# literal 第一部分 (a fast substring search; a leading "^" would make the scan try every position),
# and a match is kept only where a line begins.
OVERVIEW_RE = re.compile(rf"第一部分[:：]?(?P<name>{_BODY})概况(?![^\n])")
KIND_RE = re.compile(r"(?:部门|单位)(预算|决算)|(预算|决算)(?:公开|信息公开)|(决算|预算)(?:总表|明细表|情况说明)")
# KIND_RE's matches, counted about 5x faster: each holds one 预算 or 决算, and the scan looks for
# its 算 (a pattern that begins with a literal character is scanned for it by a plain loop, far
# cheaper than the test of a character class at every position); the look-behinds then read the
# 部门 / 单位 before it or the 公开 … after it. The group is the 预 or 决 before that 算.
_KIND_SCAN_RE = re.compile(
    r"算(?:(?<=(?:部门|单位)([预决])算)|(?<=([预决])算)(?=公开|信息公开|总表|明细表|情况说明))"
)
UNIT_RE = re.compile(r"(?:金额)?单位[:：](万元|元)")
# The same units counted (the optional 金额 before 单位 changes no match's unit), but with a
# literal first word the scan is a fast substring search.
_UNIT_COUNT_RE = re.compile(r"单位[:：](万元|元)")
DATE_RE = re.compile(r"(20\d\d)年(\d{1,2})月(\d{1,2})日")

# What a body's name ends in, optionally followed by its scope.
_BODY_END_RE = re.compile(
    r"^(.{2,38}?(?:委员会|局|委|中心|办公室|办公厅|厅|院|所|馆|站|队|会|处|社|校|园|台|团|部))"
    r"(?:\((?:局|委|办|厅)?本级\)|本级|\(汇总\)|\(机关\))?"
)
_REGION_RE = re.compile(rf"^((?:[{_CJK}]{{2,6}}?省)?[{_CJK}]{{2,5}}?市(?:[{_CJK}]{{1,4}}?[区县])?)")


def extract_metadata(doc: SourceDocument, keys: list[str] | None = None) -> Metadata:
    """`keys`: `compact` of every line's text, when the caller has them already."""
    every_line = keys if keys is not None else compact_lines(list(doc.texts))
    lines = list(filter(None, every_line))  # (a C loop: a comprehension costs 10x as much)
    text = "".join(lines)
    kind = _kind(text, doc.name)
    titles = _titles(lines[:HEAD_LINES])
    year = _year(titles, text, doc.name)
    department = _department(titles, lines, year, doc.name)
    return Metadata(
        department=_as_printed(department, doc, every_line),
        department_key=department_key(department),
        region=region_of(department),
        fiscal_year=year,
        kind=kind,
        unit=_unit(text),
        published=_published(lines[:12], year),
    )


def _as_printed(found: str, doc: SourceDocument, compacted: list[str] | None = None) -> str:
    """The department in the characters the document prints (full-width brackets kept):
    folding is one character for one, so the folded match locates the printed one.
    `compacted`: the compact form of each line, when already known."""
    if compacted is None:
        compacted = [compact(text) for text in doc.texts]
    for text, key in zip(doc.texts, compacted):
        if found not in key:
            continue
        # compact(raw) == key: folding turns no other character into a space, nor a space into
        # anything else.
        raw = _SPACE_RE.sub("", text)
        at = key.find(found)
        return raw[at : at + len(found)]
    return found


def _titles(lines: list[str]) -> list[re.Match[str]]:
    """Title matches on a line, or on up to four short lines joined (a cover page prints
    "2026 年度 / 福州市公安局治安管理 / 支队 / 单位预算" one phrase a line)."""
    found = []
    # every title ends in 预算 or 决算 and names a year (年): substring tests rule out most
    # lines faster than the pattern can, and only a line up to three before one holding 算
    # starts a title (those lines listed, rather than a test of every line's reach)
    holding_suan = compress(count(), ["算" in line for line in lines])
    starts = sorted({start for k in holding_suan for start in range(max(k - 3, 0), k + 1)})
    for i in starts:
        joined = ""
        for part in lines[i : i + 4]:
            joined += part
            if len(joined) > 80:
                break
            if "算" in joined and "年" in joined and (m := TITLE_RE.match(joined)):
                found.append(m)
                break
    return found


def _kind(text: str, name: str) -> DisclosureKind:
    # (KIND_RE's matches, counted by the first character of the 预算 or 决算 each names)
    counts = Counter(m[1] or m[2] for m in _KIND_SCAN_RE.finditer(text))
    if not counts:
        raise NotADisclosure(name, "no 部门预算 / 部门决算 title, heading or table: not a budget or final-accounts disclosure")
    # A final-accounts document also speaks of 预算 (年初预算), but names itself 决算 far more.
    return DisclosureKind.FINAL_ACCOUNTS if counts["决"] >= counts["预"] else DisclosureKind.BUDGET


def _year(titles: list[re.Match[str]], text: str, name: str) -> int:
    years = Counter(int(m.group("year")) for m in titles)
    if not years:
        years.update(int(y) for y in re.findall(r"(20\d\d)年度?(?:部门|单位)(?:预算|决算)", text))
    if not years:
        raise NotADisclosure(name, "no fiscal year in a budget or final-accounts title (e.g. '2023年度…部门决算')")
    return years.most_common(1)[0][0]


def _department(titles: list[re.Match[str]], lines: list[str], year: int, name: str) -> str:
    titled: list[str] = []
    for m in titles:
        if int(m.group("year")) == year:
            titled += [g for g in (m.group("before"), m.group("after")) if g]
    head = "\n".join(lines[:HEAD_LINES])
    for m in OVERVIEW_RE.finditer(head):
        if m.start() == 0 or head[m.start() - 1] == "\n":
            titled.append(m.group("name"))
    # (the lines are folded: "：" is ":" in them, and a line without one has no label)
    labelled = [m.group("name") for line in lines if ":" in line and (m := LABELLED_RE.search(line))]
    # A title names the department; table headers may name its sub-units, so a title
    # counts for more than a header line.
    votes: Counter[str] = Counter()
    first_printed: dict[str, str] = {}
    for weight, group in ((3, titled), (1, labelled)):
        for body in filter(None, map(_body, group)):
            key = department_key(body)
            votes[key] += weight
            first_printed.setdefault(key, body)
    if not votes:
        raise NotADisclosure(name, "no department named in the title, part headings or table headers")
    return first_printed[votes.most_common(1)[0][0]]


def _body(candidate: str) -> str | None:
    """The longest leading part of `candidate` that is a body's name, with its scope."""
    candidate = candidate.strip(":：,，。 ")
    if candidate.count("(") > candidate.count(")"):  # a bracket the page cut off
        candidate = candidate[: candidate.rindex("(")]
    best = None
    # Four characters at least: "市级部(门)" in a header is a phrase, not a body.
    for end in range(len(candidate), 3, -1):
        m = _BODY_END_RE.fullmatch(candidate[:end])
        if m:
            best = candidate[:end]
            break
    return best


def region_of(department: str) -> str | None:
    found = _REGION_RE.match(compact(department))
    return found.group(1) if found else None


def _unit(text: str) -> Unit:
    counts = Counter(_UNIT_COUNT_RE.findall(text))
    if not counts:
        return Unit.WAN_YUAN  # the national templates' unit, when a document never says
    return Unit.YUAN if counts["元"] > counts["万元"] else Unit.WAN_YUAN


def _published(head: list[str], year: int) -> date | None:
    """A date printed near the title, after the fiscal year it reports on."""
    for m in DATE_RE.finditer("".join(head)):
        y, month, day = (int(g) for g in m.groups())
        if y >= year:
            try:
                return date(y, month, day)
            except ValueError:
                continue
    return None
