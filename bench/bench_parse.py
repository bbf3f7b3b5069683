"""Parse time per seed document next to a bare regex scan for numbers over the same text.

    .venv/bin/python bench/bench_parse.py [FILES…]

Both are measured in this run, on this machine, best of N repetitions (the minimum is the
least disturbed by other work on a shared machine). Target (issue 2): parse <= 10x scan.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

from fiscalwatch.common.document import SourceDocument
from fiscalwatch.parse import parse_document
from fiscalwatch.parse.numbers import NUMBER_RE

ROOT = Path(__file__).resolve().parents[1]
DEFAULT = sorted((ROOT / "services/parse/tests/data/seeds").glob("*.txt"))


def best_of(fn, repeat: int) -> float:
    best = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - start)
    return best


def main(paths: list[Path], repeat: int = 20) -> int:
    print(f"{'document':<28} {'KiB':>6} {'scan ms':>9} {'parse ms':>9} {'ratio':>7}")
    worst = 0.0
    for path in paths:
        raw = path.read_bytes()
        text = raw.decode("utf-8")

        def scan() -> None:
            # the baseline: decode-free regex scan for every number in the text
            sum(1 for _ in NUMBER_RE.finditer(text))

        def parse() -> None:
            parse_document(SourceDocument.from_bytes(path.name, raw))

        parse()  # warm caches (templates, compiled patterns) outside the timing
        scan_s, parse_s = best_of(scan, repeat), best_of(parse, repeat)
        ratio = parse_s / scan_s
        worst = max(worst, ratio)
        print(f"{path.name[:28]:<28} {len(raw)/1024:>6.1f} {scan_s*1e3:>9.2f} {parse_s*1e3:>9.2f} {ratio:>6.1f}x")
    print(f"worst ratio {worst:.1f}x (target <= 10x)")
    return 0


if __name__ == "__main__":
    args = [Path(a) for a in sys.argv[1:]]
    sys.exit(main(args or DEFAULT))
