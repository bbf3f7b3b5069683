"""Form and completeness: mandatory tables, and one amount unit throughout."""

from __future__ import annotations

from collections.abc import Iterator

from fiscalwatch.common.model import Disclosure, Evidence, Finding, SourceRef
from fiscalwatch.validate.catalogue import finding


def form_findings(disclosure: Disclosure) -> Iterator[Finding]:
    for template_id in disclosure.coverage.tables_missing:
        yield finding(
            "F-001", f"{template_id} 未公开且未说明“本单位无…”", f"{template_id} is neither present nor declared empty",
            [Evidence(table=template_id, source=SourceRef(line=0, text=disclosure.document.name))],
        )
    unit = disclosure.metadata.unit
    for table in disclosure.tables:
        if table.unit is not unit and not table.declared_empty:
            yield finding(
                "F-002", f"{table.template_id} 以{table.unit.value}列示，文件以{unit.value}为单位",
                f"{table.template_id} is in {table.unit.value} while the document is in {unit.value}",
                [Evidence(table=table.template_id, source=table.source)],
            )
