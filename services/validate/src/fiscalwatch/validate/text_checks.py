"""Checks that read the document's text itself: template text left unfilled."""

from __future__ import annotations

import bisect
import re
from collections.abc import Iterator
from functools import cache
from importlib.resources import files

import yaml

from fiscalwatch.common.document import SourceDocument
from fiscalwatch.common.model import Evidence, Finding, SourceRef
from fiscalwatch.validate.catalogue import finding


@cache
def _patterns() -> list[tuple[re.Pattern[str], str]]:
    data = yaml.safe_load(files(__package__).joinpath("placeholders.yaml").read_text(encoding="utf-8"))
    return [(re.compile(p["pattern"]), p["what"]) for p in data["placeholders"]]


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
    for pattern, what in _patterns():
        for match in pattern.finditer(joined):
            line = numbers[bisect.bisect_right(starts, match.start()) - 1]
            yield finding(
                "F-004", f"{what.split(' / ')[0]}“{match.group()}”（第 {line} 行）",
                f"{what.split(' / ')[-1]} '{match.group()}' (line {line})",
                [Evidence(source=SourceRef(line=line, text=match.group()))],
            )
