"""Instructions per parse of each seed next to those of the bare number scan, counted by
valgrind's cachegrind: a deterministic measure for a machine too noisy to time small changes on.

    .venv/bin/python bench/bench_parse_instructions.py [SEED_PREFIX…]   # e.g. 002

Each count is (instructions of N+3 repetitions - those of N) / 3 in a fresh process, so start-up
and imports cancel out; PYTHONHASHSEED is fixed, so the same code gives the same count (to
about 0.2%). Instructions are not time: the interpreter retires fewer per second than the
regex engine's scan, so the time ratio (`bench_parse.py`, the issue's measure) runs about
1.3-1.5x the instruction ratio. Needs `valgrind` on the PATH.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SEEDS = sorted((ROOT / "services/parse/tests/data/seeds").glob("*.txt"))

_LOOP = """
import sys
from pathlib import Path
path, what, n = Path(sys.argv[1]), sys.argv[2], int(sys.argv[3])
raw = path.read_bytes()
if what == "parse":
    from fiscalwatch.common.document import SourceDocument
    from fiscalwatch.parse import parse_document
    parse_document(SourceDocument.from_bytes(path.name, raw))  # templates loaded before counting
    import gc
    for _ in range(n):
        disclosure = parse_document(SourceDocument.from_bytes(path.name, raw))
        gc.collect(0)  # with the result alive: the young collection a parse defers (bench_parse.py)
else:
    from fiscalwatch.parse.numbers import NUMBER_RE
    text = raw.decode("utf-8")
    for _ in range(n):
        sum(1 for _ in NUMBER_RE.finditer(text))
"""


def instructions(path: Path, what: str, n: int) -> int:
    env = {**os.environ, "PYTHONHASHSEED": "0"}
    run = subprocess.run(
        ["valgrind", "--tool=cachegrind", "--cache-sim=no", "--cachegrind-out-file=/dev/null",
         sys.executable, "-c", _LOOP, str(path), what, str(n)],
        capture_output=True, text=True, env=env, check=True,
    )
    found = re.search(r"I\s+refs:\s+([\d,]+)", run.stderr)
    if found is None:
        raise RuntimeError(f"no instruction count in valgrind's output:\n{run.stderr[-2000:]}")
    return int(found.group(1).replace(",", ""))


def per_call(path: Path, what: str) -> float:
    return (instructions(path, what, 4) - instructions(path, what, 1)) / 3


def main(prefixes: list[str]) -> int:
    if shutil.which("valgrind") is None:
        print("valgrind is not installed", file=sys.stderr)
        return 2
    paths = [p for p in SEEDS if not prefixes or any(p.name.startswith(x) for x in prefixes)]
    print(f"{'document':<28} {'scan M':>8} {'parse M':>8} {'ratio':>7}")
    for path in paths:
        scan, parse = per_call(path, "scan"), per_call(path, "parse")
        print(f"{path.name[:28]:<28} {scan / 1e6:>8.1f} {parse / 1e6:>8.1f} {parse / scan:>6.1f}x")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
