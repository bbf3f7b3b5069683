import sys
from pathlib import Path

import pytest

# The ingest tests share a small web server and event helpers (ingest_testing.py) from this folder.
sys.path.insert(0, str(Path(__file__).parent))

from ingest_testing import Web  # noqa: E402


@pytest.fixture
def web():
    """A local HTTP server on 127.0.0.1 serving what the test puts there, counting every request."""
    server = Web()
    server.start()
    try:
        yield server
    finally:
        server.stop()
