"""Real parts for tests and benchmarks: a nats-server with JetStream on a free loopback port,
stopped (and its data removed) afterwards. Never the machine's own server on 4222."""

from __future__ import annotations

import contextlib
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

from fiscalwatch.common.up import EmbeddedNats


@contextlib.contextmanager
def nats_server() -> Iterator[str]:
    """Yields the URL of a fresh JetStream server; nothing of it is left afterwards."""
    directory = Path(tempfile.mkdtemp(prefix="fiscalwatch-nats-"))
    (directory / "logs").mkdir()
    try:
        with EmbeddedNats(directory) as server:
            yield server.url
    finally:
        shutil.rmtree(directory, ignore_errors=True)
