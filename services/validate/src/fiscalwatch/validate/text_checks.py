"""Checks that read the document's text itself: template text left unfilled, another body
named in a header, tables published in an attachment rather than in the file."""

from __future__ import annotations

import bisect
import re
from collections.abc import Iterator
from functools import cache
from importlib.resources import files

import yaml

from fiscalwatch.common.document import SourceDocument
from fiscalwatch.common.model import Evidence, Finding, Metadata, SourceRef
from fiscalwatch.common.text import compact, department_key, fold
from fiscalwatch.validate.catalogue import finding


@cache
def _patterns() -> list[tuple[re.Pattern[str], str, str]]:
    data = yaml.safe_load(files(__package__).joinpath("placeholders.yaml").read_text(encoding="utf-8"))
    return [(re.compile(p["pattern"]), p["what"], p.get("rule", "F-004")) for p in data["placeholders"]]


def placeholder_findings(document: SourceDocument) -> Iterator[Finding]:
    # One string of the non-empty lines, joined without breaks, so that a bracket wrapped
    # over two lines is still one bracket; `starts` maps offsets back to line numbers.
    pieces, starts, numbers, offset = [], [], [], 0
    for line in document.lines:
        text = line.text.strip()
        if text:
            pieces.append(text)
            starts.append(offset)
            numbers.append(line.number)
            offset += len(text)
    joined = "".join(pieces)
    for pattern, what, rule_id in _patterns():
        for match in pattern.finditer(joined):
            line = numbers[bisect.bisect_right(starts, match.start()) - 1]
            yield finding(
                rule_id, f"{what.split(' / ')[0]}“{match.group()}”（第 {line} 行）",
                f"{what.split(' / ')[-1]} '{match.group()}' (line {line})",
                [Evidence(source=SourceRef(line=line, text=match.group()))],
            )


# "部门：武汉市医疗保障局（本级）", "单位：武汉市黄陂区医疗保障服务中心 2024 年度", "单位名称：…"
_BODY_RE = re.compile(r"(委员会|局|委|中心|办公室|办公厅|厅|院|所|馆|站|队|处|社|校|园|台|团|部)$")
_NAMED_BODY_RE = re.compile(r"^\s*(?:部门|部门名称|单位|单位名称)\s*[:：]\s*([^\d\s][^\d]*)")


def department_name_findings(document: SourceDocument, metadata: Metadata) -> Iterator[Finding]:
    """A table header naming another body than the document's (GovBudgetChecker R006: a
    district missing from the name, a short name for the full one). A subordinate unit, whose
    name contains the department's, is not another body."""
    own = metadata.department_key
    seen: set[str] = set()
    for line in document.lines:
        found = _NAMED_BODY_RE.match(fold(line.text))
        if not found:
            continue
        printed = found.group(1).strip()
        if printed.startswith(("万元", "元")) or len(printed) < 4:
            continue  # "单位：万元" is the unit, not a body
        key = department_key(printed)
        if key in seen or own in key or not _BODY_RE.search(key):
            continue  # the department itself, one of its units, or no body ("(盖章)")
        seen.add(key)
        yield finding(
            "F-006", f"第 {line.number} 行为“{printed}”，文件为“{metadata.department}”",
            f"line {line.number} names '{printed}', the document is '{metadata.department}'",
            [Evidence(source=SourceRef(line=line.number, page=line.page, text=line.text))],
        )


# "附件：北京市审计局2026年度部门预算报表", "报表详见附件": the standard tables are another file.
_TABLES_ATTACHED_RE = re.compile(r"附件\d*:?.{0,40}?(?:预算|决算)(?:报)?表|(?:报表|表格).{0,8}?(?:详|参)?见附件")


def tables_attached(document: SourceDocument) -> SourceRef | None:
    """Where the document says its standard tables are published as an attachment (a portal
    that puts the 报表 in a second file, as 北京 does), if it says so."""
    for line in document.lines:
        if "附件" not in line.text:
            continue
        if _TABLES_ATTACHED_RE.search(compact(line.text)):
            return SourceRef(line=line.number, page=line.page, text=line.text.strip())
    return None


def attachment_findings(source: SourceRef) -> Iterator[Finding]:
    """In place of a missing-table error per table: one warning that the tables are elsewhere
    (the table checks could not run on this file)."""
    yield finding(
        "F-010", f"第 {source.line} 行：“{source.text}”", f"line {source.line}: '{source.text}'",
        [Evidence(source=source)],
    )
