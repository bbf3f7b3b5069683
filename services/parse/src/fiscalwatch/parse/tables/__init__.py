"""Standard tables: recognised by declarative templates (see `../templates/*.yaml`), read by
one generic engine whatever the layout (tab-separated cells, lines flattened to
space-separated tokens, or cells a format reader already knows)."""

from __future__ import annotations

from dataclasses import dataclass, field

from fiscalwatch.common.document import SourceDocument
from fiscalwatch.common.model import DisclosureKind, Metadata, Table, UnreadLine


@dataclass(frozen=True)
class TableExtraction:
    tables: list[Table]
    consumed: frozenset[int]  # document line numbers understood as part of a table
    unread: list[UnreadLine] = field(default_factory=list)  # table lines not understood


def extract_tables(doc: SourceDocument, metadata: Metadata) -> TableExtraction:
    raise NotImplementedError


def mandatory_templates(kind: DisclosureKind) -> list[str]:
    raise NotImplementedError
