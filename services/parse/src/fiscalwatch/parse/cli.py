"""`fiscalwatch check PATH…`: parse (and, when installed, validate) documents offline.

Exit codes: 0 every file was read and no document has an `error` finding; 1 a document has an
`error` finding; 2 a file is not a disclosure or cannot be read (the others are still reported).
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TextIO

from fiscalwatch.common.document import SourceDocument
from fiscalwatch.common.errors import FiscalwatchError
from fiscalwatch.common.model import Disclosure, Finding, Severity
from fiscalwatch.parse.core import parse_document

EXIT_OK, EXIT_FINDINGS, EXIT_UNREADABLE = 0, 1, 2

Reader = Callable[[Path], SourceDocument]
Validator = Callable[[Disclosure, SourceDocument], Sequence[Finding]]


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "check",
        help="parse and check disclosure files offline",
        description="Parse each file and print what was read: department, year, kind, the "
        "standard tables with row counts, the narrative facts, findings, and what could "
        "not be read.",
    )
    parser.add_argument("paths", nargs="+", type=Path, metavar="PATH")
    parser.add_argument("--format", choices=("text", "json"), default="text")
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    return check(args.paths, args.format, sys.stdout, sys.stderr)


def check(
    paths: Sequence[Path],
    output_format: str,
    out: TextIO,
    err: TextIO,
    read: Reader | None = None,
    validate: Validator | None = None,
) -> int:
    read = read or _default_reader()
    validate = validate if validate is not None else _default_validator()
    exit_code = EXIT_OK
    results: list[dict] = []
    for path in paths:
        try:
            document = read(path)
            disclosure = parse_document(document)
        except FiscalwatchError as exc:
            print(f"fiscalwatch check: {exc}", file=err)
            exit_code = EXIT_UNREADABLE
            continue
        if validate is not None:
            disclosure = disclosure.model_copy(update={"findings": tuple(validate(disclosure, document))})
        if any(f.severity is Severity.ERROR for f in disclosure.findings) and exit_code == EXIT_OK:
            exit_code = EXIT_FINDINGS
        if output_format == "json":
            results.append(disclosure.model_dump(mode="json"))
        else:
            out.write(render_text(disclosure))
    if output_format == "json":
        json.dump(results, out, ensure_ascii=False, indent=2)
        out.write("\n")
    return exit_code


def _default_reader() -> Reader:
    """Every format disclosures are published in (PDF, DOCX, XLSX, HTML, text), chosen by the
    file's content, not its extension."""
    from fiscalwatch.parse.formats import read_path

    return read_path


def _default_validator() -> Validator | None:
    try:
        from fiscalwatch.validate import validate  # type: ignore[import-not-found]
    except ImportError:
        return None
    return lambda disclosure, document: validate(disclosure, document=document)


def render_text(d: Disclosure) -> str:
    m = d.metadata
    lines = [
        f"== {d.document.name}",
        f"department  {m.department}  (key {m.department_key})",
        f"region      {m.region or '-'}",
        f"year        {m.fiscal_year}   kind {m.kind.value}   unit {m.unit.value}"
        + (f"   published {m.published.isoformat()}" if m.published else ""),
        "",
        f"tables ({len(d.tables)} found, {len(d.coverage.tables_missing)} missing)",
    ]
    for t in d.tables:
        state = "declared empty" if t.declared_empty else f"{len(t.rows)} rows"
        cells = sum(len(r.cells) for r in t.rows)
        printed = sum(1 for i in t.identities if i.origin == "printed")
        lines.append(
            f"  {t.template_id:<40} {t.number or '':<10} {state:>14}  {cells:>4} cells  "
            f"{len(t.identities)} identities ({printed} printed)  line {t.source.line}"
        )
    for missing in d.coverage.tables_missing:
        lines.append(f"  {missing:<40} MISSING")
    lines += ["", f"narrative facts ({len(d.facts)})"]
    for f in d.facts:
        claims = []
        if f.change:
            c = f.change
            parts = [c.direction or "", f"{c.amount.raw}" if c.amount else "", f"{c.rate.raw}%" if c.rate else ""]
            claims.append(f"vs {c.base_year or '?'}: " + " ".join(p for p in parts if p))
        if f.share:
            claims.append(f"share {f.share.rate.raw}% of {f.share.of}")
        if f.completion and f.completion.rate:
            claims.append(f"completion {f.completion.rate.raw}%")
        scope = f"[{f.scope}] " if f.scope else ""
        lines.append(
            f"  line {f.source.line:>5}  {scope}{f.quantity} {f.year or ''}: "
            f"{f.amount.raw} {f.amount.unit.value}" + (f"  ({'; '.join(claims)})" if claims else "")
        )
    if d.findings:
        lines += ["", f"findings ({len(d.findings)})"]
        for severity in (Severity.ERROR, Severity.WARNING, Severity.INFO):
            group = [f for f in d.findings if f.severity is severity]
            if group:
                lines.append(f"  {severity.value} ({len(group)})")
                for f in group:
                    lines.append(f"    {f.rule_id}  {f.message_zh} / {f.message_en}")
                    for e in f.evidence:
                        where = " ".join(x for x in (e.table, e.row and f"row {e.row}", e.column and f"col {e.column}") if x)
                        quote = f"  «{e.source.text.strip()}»" if e.source.text else ""
                        lines.append(f"      line {e.source.line} {where}{quote}")
    unread = d.coverage.unread_lines
    lines += ["", f"not understood ({len(unread)} lines with numbers)"]
    for u in unread[:50]:
        lines.append(f"  line {u.line:>5}  {u.reason}: {u.text.strip()[:80]}")
    if len(unread) > 50:
        lines.append(f"  … {len(unread) - 50} more (see --format json)")
    return "\n".join(lines) + "\n\n"
