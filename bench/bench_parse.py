"""Parse time per seed document next to a bare regex scan for numbers over the same text.

    .venv/bin/python bench/bench_parse.py [--stages] [FILES…]

Both are measured in this run, on this machine, best of N repetitions (the minimum is the
least disturbed by other work on a shared machine), taken in turns (scan, parse, scan,
parse, …) so that a slow spell of the machine weighs on both alike. Target (issue 2): parse <= 10x scan.
`--stages` also prints where each document's parse time goes (reading the text, metadata,
tables, narrative), each stage timed alone, best of N, so that the next change can aim.
"""

from __future__ import annotations

import gc
import sys
import time
from pathlib import Path

from fiscalwatch.common.document import SourceDocument
from fiscalwatch.parse import parse_document
from fiscalwatch.parse.core import function_codes
from fiscalwatch.parse.metadata import extract_metadata
from fiscalwatch.parse.narrative import extract_facts
from fiscalwatch.parse.numbers import NUMBER_RE, fold_and_compact_lines
from fiscalwatch.parse.tables import extract_tables

ROOT = Path(__file__).resolve().parents[1]
DEFAULT = sorted((ROOT / "services/parse/tests/data/seeds").glob("*.txt"))


def best_of(fn, repeat: int) -> float:
    best = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - start)
    return best


def best_of_alternating(first, second, repeat: int) -> tuple[float, float]:
    """Best times of `first` and `second`, run in turns."""
    best = [float("inf"), float("inf")]
    for _ in range(repeat):
        # garbage left by the previous turn is collected outside the timing; collections the
        # parse itself causes are timed (they are part of its cost)
        gc.collect()
        for k, fn in enumerate((first, second)):
            start = time.perf_counter()
            fn()
            best[k] = min(best[k], time.perf_counter() - start)
    return best[0], best[1]


def stages(path: Path, raw: bytes, repeat: int) -> str:
    """Each stage of `parse_document` timed alone, in ms (as core.parse_document runs them)."""
    doc = SourceDocument.from_bytes(path.name, raw)
    folded, keys = fold_and_compact_lines(list(doc.texts))
    metadata = extract_metadata(doc, keys)
    tables = extract_tables(doc, metadata, keys, folded)
    codes = function_codes(tables.tables)
    timed = {
        "text": best_of(lambda: SourceDocument.from_bytes(path.name, raw), repeat),
        "fold": best_of(lambda: fold_and_compact_lines(list(doc.texts)), repeat),
        "metadata": best_of(lambda: extract_metadata(doc, keys), repeat),
        "tables": best_of(lambda: extract_tables(doc, metadata, keys, folded), repeat),
        "narrative": best_of(
            lambda: extract_facts(doc, metadata, table_lines=tables.consumed, codes=codes, folded_lines=folded), repeat
        ),
    }
    return "  ".join(f"{name} {seconds * 1e3:.2f}" for name, seconds in timed.items())


def main(paths: list[Path], repeat: int = 40, show_stages: bool = False) -> int:
    print(f"{'document':<28} {'KiB':>6} {'scan ms':>9} {'parse ms':>9} {'ratio':>7}")
    worst = 0.0
    for path in paths:
        raw = path.read_bytes()
        text = raw.decode("utf-8")

        def scan() -> None:
            # the baseline: decode-free regex scan for every number in the text
            sum(1 for _ in NUMBER_RE.finditer(text))

        def parse() -> None:
            disclosure = parse_document(SourceDocument.from_bytes(path.name, raw))  # noqa: F841
            # with the result alive, the young collection a parse leaves for later (it runs
            # with the collector paused: `parse.collector`), so that its cost is timed, not
            # deferred
            gc.collect(0)

        parse()  # warm caches (templates, compiled patterns) outside the timing
        scan_s, parse_s = best_of_alternating(scan, parse, repeat)
        ratio = parse_s / scan_s
        worst = max(worst, ratio)
        print(f"{path.name[:28]:<28} {len(raw)/1024:>6.1f} {scan_s*1e3:>9.2f} {parse_s*1e3:>9.2f} {ratio:>6.1f}x")
        if show_stages:
            print(f"    stages (ms): {stages(path, raw, repeat)}")
    print(f"worst ratio {worst:.1f}x (target <= 10x)")
    return 0


if __name__ == "__main__":
    args = sys.argv[1:]
    show = "--stages" in args
    files = [Path(a) for a in args if a != "--stages"]
    sys.exit(main(files or DEFAULT, show_stages=show))
