"""Documents per second through the running pipeline, next to parse+validate of the same
documents in one process, measured in the same run. Target: the pipeline keeps at least half.

    .venv/bin/python bench/bench_pipeline.py [--copies 8] [--database-url URL]

The corpus is the seeds repeated under distinct names (each copy gets a distinct last line, so
that its hash, and so its identity, differs). A real nats-server and the four services run as
separate processes (`fiscalwatch serve …`, SQLite by default); the clock runs from the moment
the corpus lands in the inbox until the store has announced every document stored.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

import nats

from fiscalwatch.common.document import SourceDocument
from fiscalwatch.common.events import Subjects
from fiscalwatch.common.testing import nats_server
from fiscalwatch.common.up import free_port
from fiscalwatch.parse import parse_document
from fiscalwatch.validate import validate

SEEDS = Path(__file__).parents[1] / "services" / "parse" / "tests" / "data" / "seeds"
FISCALWATCH = [sys.executable, "-m", "fiscalwatch.common.cli"]


def corpus(copies: int) -> list[tuple[str, bytes]]:
    documents = []
    for k in range(copies):
        for seed in sorted(SEEDS.glob("*.txt")):
            data = seed.read_bytes() + f"\n（基准测试副本 {k}）\n".encode()
            documents.append((f"{seed.stem}-copy{k}.txt", data))
    return documents


def in_process_rate(documents: list[tuple[str, bytes]]) -> float:
    started = time.perf_counter()
    for name, data in documents:
        document = SourceDocument.from_bytes(name, data)
        validate(parse_document(document), document=document)
    return len(documents) / (time.perf_counter() - started)


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process so far (Linux)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def ready(port: int) -> bool:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/health/ready", timeout=1) as response:
            return response.status == 200
    except OSError:
        return False


async def pipeline_rate(documents: list[tuple[str, bytes]], database_url: str | None, work: Path) -> float:
    inbox = work / "inbox"
    inbox.mkdir()
    with nats_server() as url:
        env = {**os.environ, "FISCALWATCH_NATS_URL": url, "FISCALWATCH_INBOX": str(inbox),
               "FISCALWATCH_DATABASE_URL": database_url or f"sqlite:///{work / 'bench.db'}",
               "FISCALWATCH_POLL_SECONDS": "0.2", "FISCALWATCH_LOG_FORMAT": "json", "FISCALWATCH_LOG_LEVEL": os.environ.get("FISCALWATCH_LOG_LEVEL", "WARNING")}
        subprocess.run([*FISCALWATCH, "db", "upgrade"], env=env, check=True, capture_output=True)
        ports = {name: free_port() for name in ("ingest", "parse", "validate", "store")}
        processes = [subprocess.Popen([*FISCALWATCH, "serve", name], env={**env, "FISCALWATCH_HTTP_PORT": str(port)},
                                      stdout=subprocess.DEVNULL, stderr=open(work / f"{name}.log", "wb"))
                     for name, port in ports.items()]
        profilers: list[subprocess.Popen] = []
        try:
            while not all(ready(port) for port in ports.values()):
                await asyncio.sleep(0.1)
            connection = await nats.connect(url)
            stored: set[str] = set()
            failed: list[str] = []

            async def on_event(msg) -> None:
                event = json.loads(msg.data)
                (failed.append(event["data"]["reason"]) if ".dlq." in msg.subject else stored.add(event["subject"]))

            await connection.subscribe(Subjects.STORED, cb=on_event)
            await connection.subscribe(f"{Subjects.DLQ}.>", cb=on_event)
            staging = work / "staging"
            staging.mkdir()
            for name, data in documents:
                (staging / name).write_bytes(data)
                then = time.time() - 10
                os.utime(staging / name, (then, then))
            if os.environ.get("BENCH_PROFILE"):  # e.g. BENCH_PROFILE=validate: sample it with py-spy
                name = os.environ["BENCH_PROFILE"]
                target = processes[list(ports).index(name)].pid
                # py-spy stops by itself, and writes its samples, when the service does.
                profilers.append(subprocess.Popen(
                    ["py-spy", "record", "-o", str(work / f"{name}.svg"), "--format", "raw", "-p", str(target), "-t"],
                    stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))
                await asyncio.sleep(1)
            before = {name: cpu_seconds(process.pid) for name, process in zip(ports, processes)}
            started = time.perf_counter()
            os.rename(staging, inbox / "corpus")  # the whole corpus appears at once
            while len(stored) + len(failed) < len(documents):
                await asyncio.sleep(0.01)
            elapsed = time.perf_counter() - started
            cpu = {name: cpu_seconds(process.pid) - before[name] for name, process in zip(ports, processes)}
            print("CPU seconds per service during the run: "
                  + ", ".join(f"{name} {seconds:.2f}" for name, seconds in cpu.items())
                  + f" (wall {elapsed:.2f})")
            await connection.drain()
            if failed:
                print(f"{len(failed)} documents failed, e.g. {failed[0]}", file=sys.stderr)
            return len(documents) / elapsed
        finally:
            for process in processes:
                process.terminate()
            for process in processes:
                process.wait(60)
            for profiler in profilers:
                profiler.wait(60)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--copies", type=int, default=8)
    parser.add_argument("--database-url", default=None, help="default: a fresh SQLite file")
    parser.add_argument("--keep", action="store_true", help="keep the work directory (service logs)")
    args = parser.parse_args()
    documents = corpus(args.copies)
    print(f"corpus: {len(documents)} documents ({sum(len(d) for _, d in documents) / 1e6:.1f} MB), "
          f"{os.cpu_count()} CPUs")
    baseline = in_process_rate(documents)
    print(f"parse+validate in one process   {baseline:8.1f} documents/s")
    work = Path(tempfile.mkdtemp(prefix="fiscalwatch-bench-"))
    try:
        rate = asyncio.run(pipeline_rate(documents, args.database_url, work))
    finally:
        if args.keep:
            print(f"service logs kept in {work}", file=sys.stderr)
        else:
            shutil.rmtree(work, ignore_errors=True)
    print(f"pipeline end to end (stored)    {rate:8.1f} documents/s")
    print(f"pipeline / in-process           {rate / baseline:8.2f}   (target >= 0.50)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
