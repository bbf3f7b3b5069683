"""PDF reading speed: each corpus PDF read end to end (formats.pdf.read + parse_document +
validate) next to pdfplumber's bare `page.extract_text()` over the same pages, in this run.

    .venv/bin/python bench/bench_pdf.py [FILES…]     (default: /work/shared/corpus/pdf/*.pdf)

Files that are not disclosures (NotADisclosure) or cannot be read (UnreadableDocument) are
counted and listed; their time up to the error is still in the end-to-end total. Targets:
>= 35 pages/s end to end, <= 2x the bare extract_text time, < 500 MB peak memory reading the
largest file (measured in a fresh child process: ru_maxrss, which covers PDFium's C heap).
"""

from __future__ import annotations

import resource
import subprocess
import sys
import time
from pathlib import Path

import pdfplumber

from fiscalwatch.common.errors import NotADisclosure, UnreadableDocument
from fiscalwatch.parse import parse_document
from fiscalwatch.parse.formats import pdf
from fiscalwatch.validate import validate

CORPUS = Path("/work/shared/corpus/pdf")


def end_to_end(path: Path) -> tuple[str, int | None]:
    data = path.read_bytes()
    try:
        doc = pdf.read(path.name, data)
    except UnreadableDocument as exc:
        return f"unreadable: {exc.reason}", None
    try:
        disclosure = parse_document(doc)
    except NotADisclosure:
        return "not a disclosure", doc.pages
    findings = validate(disclosure)
    n = len(findings) if hasattr(findings, "__len__") else len(getattr(findings, "findings", ()))
    return f"{len(disclosure.tables)} tables, {n} findings", doc.pages


def bare(path: Path) -> int:
    try:
        with pdfplumber.open(path) as doc:
            for page in doc.pages:
                page.extract_text()
            return len(doc.pages)
    except Exception:
        return 0


def peak_memory(path: Path) -> float:
    """MB at peak (ru_maxrss) of a fresh process reading the file end to end."""
    code = (
        "import resource, sys; sys.path.insert(0, %r); import bench_pdf; "
        "bench_pdf.end_to_end(bench_pdf.Path(%r)); "
        "print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)"
    ) % (str(Path(__file__).parent), str(path))
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return int(out.stdout.split()[-1]) / 1024


def main(argv: list[str]) -> None:
    files = [Path(a) for a in argv] or sorted(CORPUS.glob("*.pdf"))
    print(f"{'file':<44} {'pages':>5} {'read s':>7} {'p/s':>7} {'bare s':>7} {'ratio':>6}  result")
    total_pages = total_read = total_bare = 0.0
    skipped: list[str] = []
    for path in files:
        start = time.perf_counter()
        result, pages = end_to_end(path)
        read_s = time.perf_counter() - start
        start = time.perf_counter()
        bare_pages = bare(path)
        bare_s = time.perf_counter() - start
        if pages is None or result == "not a disclosure":
            skipped.append(f"{path.name}: {result}")
        if pages:
            total_pages += pages
            total_read += read_s
            total_bare += bare_s
        ratio = read_s / bare_s if bare_s and bare_pages else float("nan")
        print(
            f"{path.name[:44]:<44} {pages or 0:>5} {read_s:>7.3f} "
            f"{(pages or 0) / read_s:>7.1f} {bare_s:>7.3f} {ratio:>6.2f}  {result}"
        )
    print(
        f"\nTOTAL {int(total_pages)} pages: end to end {total_read:.2f} s = "
        f"{total_pages / total_read:.1f} pages/s; bare pdfplumber extract_text {total_bare:.2f} s = "
        f"{total_pages / total_bare:.1f} pages/s; ratio {total_read / total_bare:.2f}x"
    )
    print(f"skipped ({len(skipped)}): " + "; ".join(skipped))
    largest = max(files, key=lambda p: p.stat().st_size)
    print(
        f"peak memory reading the largest file ({largest.name}, "
        f"{largest.stat().st_size / 1e6:.1f} MB): {peak_memory(largest):.0f} MB (ru_maxrss, fresh process)"
    )
    print(f"this process ru_maxrss: {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB")


if __name__ == "__main__":
    main(sys.argv[1:])
