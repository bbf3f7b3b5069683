"""Narrative facts: every amount the text states, what it is, and the claims around it."""

from __future__ import annotations

from dataclasses import dataclass, field

from fiscalwatch.common.document import SourceDocument
from fiscalwatch.common.model import Metadata, NarrativeFact, UnreadLine


@dataclass(frozen=True)
class FactExtraction:
    facts: list[NarrativeFact]
    consumed: frozenset[int]  # lines whose numbers were all understood
    unread: list[UnreadLine] = field(default_factory=list)


def extract_facts(
    doc: SourceDocument, metadata: Metadata, table_lines: frozenset[int] = frozenset()
) -> FactExtraction:
    raise NotImplementedError
