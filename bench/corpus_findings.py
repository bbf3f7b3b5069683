"""Findings on the real published corpus, by rule and by file: how much of what Fiscalwatch
says about documents it was not written for is about the documents, and how much is about
its own reading of them.

    .venv/bin/python bench/corpus_findings.py [DIR] [--rule T-002] [--file 06]

Published budgets come out of the finance departments' own systems, so a table identity that
fails on a real file is far more often a misread table (a column taken for another, a page
footer taken for a row, a caption missed) than an error of the department's. This prints the
error counts that a change to the parser or the templates should drive down, and, with
`--rule`, every finding of that rule with the first line of its evidence, to look at.
"""

from __future__ import annotations

import argparse
import collections
import sys
from pathlib import Path

from fiscalwatch.common.errors import FiscalwatchError
from fiscalwatch.parse import parse_document
from fiscalwatch.parse.formats import read_document
from fiscalwatch.validate import validate

CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpus" / "pdf"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("directory", nargs="?", type=Path, default=CORPUS)
    parser.add_argument("--rule", action="append", default=[], help="list the findings of this rule")
    parser.add_argument("--file", default="", help="only files whose name starts so")
    args = parser.parse_args()

    by_rule: collections.Counter[tuple[str, str]] = collections.Counter()
    files = sorted(p for p in args.directory.iterdir() if p.is_file() and p.name.startswith(args.file))
    if not files:
        print(f"no files in {args.directory}", file=sys.stderr)
        return 2
    read = 0
    print(f"{'file':<44} {'tables':>6} {'errors':>6} {'warnings':>8}")
    for path in files:
        try:
            document = read_document(path.name, path.read_bytes())
            disclosure = parse_document(document)
        except FiscalwatchError as exc:
            print(f"{path.name[:44]:<44} {'-':>6} {'-':>6} {'-':>8}  {type(exc).__name__}")
            continue
        read += 1
        findings = validate(disclosure, document=document)
        severities = collections.Counter(f.severity for f in findings)
        by_rule.update((f.rule_id, f.severity) for f in findings)
        print(f"{path.name[:44]:<44} {len(disclosure.tables):>6} {severities['error']:>6} {severities['warning']:>8}")
        for finding in findings:
            if finding.rule_id in args.rule:
                first = finding.evidence[0] if finding.evidence else None
                where = f"line {first.source.line}" if first else ""
                print(f"    {finding.rule_id} {where}: {finding.message_en[:160]}")
    errors = sum(n for (_, severity), n in by_rule.items() if severity == "error")
    print(f"\n{read} of {len(files)} files read; {errors} error findings")
    for (rule, severity), n in sorted(by_rule.items(), key=lambda item: (-item[1], item[0])):
        print(f"  {rule} {severity.value:<8} {n:>5}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
