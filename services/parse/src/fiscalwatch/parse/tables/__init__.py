"""Standard tables: recognised by declarative templates (see `../templates/*.yaml`), read by
one generic engine whatever the layout (tab-separated cells, lines flattened to
space-separated tokens, or cells a format reader already knows).

The modules, in the order the engine uses them:
- `templates`: the YAML templates, loaded into dataclasses;
- `segment`: where each table starts and ends (captions, not the table of contents);
- `reader`: one region read into header, rows and notes (`header`, `rows`, `columns`
  for value-column inference, `notes` for printed identities and empty declarations);
- `build`: page splits merged, cut codes resolved (`codes`), keys and Amounts assigned.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from fiscalwatch.common.document import SourceDocument
from fiscalwatch.common.model import DisclosureKind, Metadata, Table, UnreadLine
from fiscalwatch.parse.numbers import compact_lines
from fiscalwatch.parse.tables.build import build_table, known_codes, merge_page_splits
from fiscalwatch.parse.tables.reader import ReadTable, read_region
from fiscalwatch.parse.tables.segment import caption_like, segment
from fiscalwatch.parse.tables.templates import load_templates, templates_for


@dataclass(frozen=True)
class TableExtraction:
    tables: list[Table]
    consumed: frozenset[int]  # document line numbers understood as part of a table
    unread: list[UnreadLine] = field(default_factory=list)  # table lines not understood
    # the lines that read as the caption of a table no template describes (a 绩效目标表)
    other_captions: tuple[int, ...] = ()


def extract_tables(
    doc: SourceDocument, metadata: Metadata, keys: list[str] | None = None, folded: list[str] | None = None
) -> TableExtraction:
    """`keys`: `compact` of every line's text, `folded`: `fold` of it, when the caller has them."""
    templates = templates_for(metadata.kind)
    # every line's compact form, made once (in one pass over the text) and read by both
    if keys is None:
        keys = compact_lines(list(doc.texts))
    with_table = [j for j, key in enumerate(keys) if "表" in key]
    regions = segment(doc.texts, templates, keys, with_table)
    lines = doc.lines  # (a view: a line object is made only for a line read)
    read_tables: list[ReadTable] = []
    for region in regions:
        # a region of the same template as the one before may be its continuation after a
        # page break (merge_page_splits decides); it reads on in that table's context
        previous = read_tables[-1] if read_tables and read_tables[-1].template is region.caption.template else None
        read_tables.append(read_region(lines, region, metadata.unit, keys, continues=previous, doc_folded=folded))
    read = merge_page_splits(read_tables)
    known = known_codes(read)
    tables = [build_table(table, known, doc.texts) for table in read]
    consumed: set[int] = set()
    unread: list[UnreadLine] = []
    for table in read:
        consumed |= table.consumed
        unread.extend(table.unread)
    unread_lines = {u.line for u in unread}
    other_captions = tuple(j + 1 for j in with_table if j + 1 not in consumed and caption_like(keys[j]))
    return TableExtraction(
        tables=tables, consumed=frozenset(consumed - unread_lines), unread=unread, other_captions=other_captions
    )


def mandatory_templates(kind: DisclosureKind) -> list[str]:
    return [t.id for t in load_templates() if t.kind is kind and t.mandatory]
