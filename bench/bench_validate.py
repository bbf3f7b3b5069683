"""Validation time per seed next to its parse time, measured in the same run.

    .venv/bin/python bench/bench_validate.py [FILES…]

Best of N repetitions of each step (the minimum is the least disturbed on a shared machine).
"""

from __future__ import annotations

import sys
from pathlib import Path

from fiscalwatch.common.document import SourceDocument
from fiscalwatch.parse import parse_document
from fiscalwatch.validate import validate

from bench_parse import DEFAULT, best_of  # the same seeds and the same timing


def main(paths: list[Path], repeat: int = 20) -> int:
    print(f"{'document':<28} {'parse ms':>9} {'validate ms':>12} {'findings':>9} {'validate/parse':>15}")
    for path in paths:
        document = SourceDocument.from_path(path)
        disclosure = parse_document(document)
        findings = validate(disclosure, document=document)
        parse_s = best_of(lambda: parse_document(document), repeat)
        validate_s = best_of(lambda: validate(disclosure, document=document), repeat)
        print(f"{path.name[:28]:<28} {parse_s*1e3:>9.2f} {validate_s*1e3:>12.2f} {len(findings):>9} {validate_s/parse_s:>14.2f}x")
    return 0


if __name__ == "__main__":
    sys.exit(main([Path(a) for a in sys.argv[1:]] or DEFAULT))
