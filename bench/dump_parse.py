"""Every seed's and corpus PDF's parse written as JSON, one file each, to compare two versions
of the parser: a speed change must leave every byte as it was.

    .venv/bin/python bench/dump_parse.py OUTDIR        # then: diff -rq OLDDIR OUTDIR

The corpus PDFs (`../shared/corpus/pdf/`, when present) are read once and their text kept in
OUTDIR/../.dump_parse_documents.pkl: reading PDFs is slow and is not what such a change touches.
A file that cannot be parsed is written as its error.
"""

from __future__ import annotations

import pickle
import sys
from pathlib import Path

from fiscalwatch.common.document import SourceDocument
from fiscalwatch.parse import parse_document

ROOT = Path(__file__).resolve().parents[1]
SEEDS = sorted((ROOT / "services/parse/tests/data/seeds").glob("*.txt"))
CORPUS = sorted((ROOT.parent / "shared/corpus/pdf").glob("*.pdf"))


def documents(cache: Path) -> dict[str, SourceDocument | None]:
    if cache.exists():
        return pickle.loads(cache.read_bytes())
    from fiscalwatch.parse.formats import read_document

    found: dict[str, SourceDocument | None] = {p.name: SourceDocument.from_bytes(p.name, p.read_bytes()) for p in SEEDS}
    for path in CORPUS:
        try:
            found[path.name] = read_document(path.name, path.read_bytes())
        except Exception:  # noqa: BLE001 - a file no reader takes is no parse to compare
            found[path.name] = None
    cache.write_bytes(pickle.dumps(found))
    return found


def main(out: Path) -> int:
    out.mkdir(parents=True, exist_ok=True)
    written = 0
    for name, doc in documents(out.resolve().parent / ".dump_parse_documents.pkl").items():
        if doc is None:
            continue
        try:
            text = parse_document(doc).model_dump_json(indent=1)
        except Exception as error:  # noqa: BLE001 - the error is part of what is compared
            text = f"ERROR {type(error).__name__}: {error}"
        (out / f"{name}.json").write_text(text, encoding="utf-8")
        written += 1
    print(f"wrote {written} parses to {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main(Path(sys.argv[1])))
