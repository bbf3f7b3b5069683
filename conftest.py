"""Fixtures shared by every test folder: real parts, started and cleaned up by the tests."""

from __future__ import annotations

import pytest

from fiscalwatch.common.testing import nats_server as _nats_server


@pytest.fixture
def nats_url():
    """A fresh nats-server with JetStream, on a free port, for one test."""
    with _nats_server() as url:
        yield url
