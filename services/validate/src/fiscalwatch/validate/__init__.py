"""Validate: where a parsed disclosure's numbers disagree and which changes are alarming.

Pure: `validate(disclosure, history)` returns findings; nothing here does I/O. The rules are
listed in rules.yaml; table identities come with the parsed tables (printed or from the
templates), cross-table agreements and the narrative-to-table map are data too."""

from __future__ import annotations

from collections.abc import Sequence

from fiscalwatch.common.events import HistoryRecord
from fiscalwatch.common.model import Disclosure, Finding, Severity
from fiscalwatch.validate.config import ValidationConfig
from fiscalwatch.validate.figures import key_figures
from fiscalwatch.common.document import SourceDocument
from fiscalwatch.validate.form import code_name_findings, form_findings
from fiscalwatch.validate.text_checks import (
    attachment_findings, department_name_findings, placeholder_findings, tables_attached,
)
from fiscalwatch.validate.history import history_findings
from fiscalwatch.validate.narrative import (
    narrated_lists, narrative_against_itself, narrative_against_tables, stated_arithmetic, year_over_year,
)
from fiscalwatch.validate.tables import ROWS_BY_LABEL, cross_table_findings, hierarchy_findings, identity_findings

_SEVERITY_ORDER = {Severity.ERROR: 0, Severity.WARNING: 1, Severity.INFO: 2}


def validate(
    disclosure: Disclosure,
    history: Sequence[HistoryRecord] = (),
    config: ValidationConfig | None = None,
    document: SourceDocument | None = None,
) -> list[Finding]:
    """Every finding on `disclosure`. `history`: the department's other disclosures the store
    knows; `document`: the text, when at hand, for the checks that read it (placeholders)."""
    config = config or ValidationConfig()
    scope = ROWS_BY_LABEL.set({})  # rows looked up by label: indexed once per table in this call
    try:
        return _validate(disclosure, history, config, document)
    finally:
        ROWS_BY_LABEL.reset(scope)


def _validate(
    disclosure: Disclosure, history: Sequence[HistoryRecord], config: ValidationConfig, document: SourceDocument | None
) -> list[Finding]:
    findings: list[Finding] = []
    for table in disclosure.tables:
        findings += identity_findings(table)
        findings += hierarchy_findings(table)
    findings += cross_table_findings(disclosure)
    findings += narrative_against_tables(disclosure)
    findings += narrative_against_itself(disclosure)
    findings += narrated_lists(disclosure)
    findings += stated_arithmetic(disclosure)
    findings += year_over_year(disclosure, config)
    findings += history_findings(disclosure, history, config)
    # A file without any table that says its tables are an attachment lacks no table of its own.
    attached = tables_attached(document) if document is not None and not disclosure.tables else None
    findings += [f for f in form_findings(disclosure) if attached is None or f.rule_id != "F-001"]
    findings += code_name_findings(disclosure)
    if document is not None:
        findings += placeholder_findings(document)
        findings += department_name_findings(document, disclosure.metadata)
    if attached is not None:
        findings += attachment_findings(attached)
    return sorted(findings, key=lambda f: (_SEVERITY_ORDER[f.severity], f.rule_id))


def alert_kind(finding: Finding) -> str | None:
    """The alert channel a finding goes to (fiscalwatch.alert.<kind>); None: not alert-grade."""
    if finding.rule_id.startswith(("Y-", "B-")):
        return "yoy"
    if finding.severity is Severity.ERROR:
        return "form" if finding.rule_id.startswith("F-") else "mismatch"
    return None


__all__ = ["validate", "key_figures", "alert_kind", "ValidationConfig"]
