"""Fixtures shared by every test folder: real parts, started and cleaned up by the tests."""

from __future__ import annotations

import pytest

from fiscalwatch.common.testing import nats_server as _nats_server


@pytest.fixture
def nats_url():
    """A fresh nats-server with JetStream, on a free port, for one test."""
    with _nats_server() as url:
        yield url


POSTGRES_SERVER = "postgresql+psycopg://postgres@127.0.0.1:5432"


@pytest.fixture
def postgres_url():
    """A database of its own on the PostgreSQL server, dropped afterwards; skips, saying so,
    when no server is reachable (the SQLite variants still run)."""
    import uuid

    from sqlalchemy import create_engine, text

    name = f"fiscalwatch_test_{uuid.uuid4().hex[:12]}"
    try:
        admin = create_engine(f"{POSTGRES_SERVER}/postgres", isolation_level="AUTOCOMMIT",
                              connect_args={"connect_timeout": 3})
        with admin.connect() as connection:
            connection.execute(text(f'CREATE DATABASE "{name}"'))
    except Exception as exc:  # noqa: BLE001 - any failure means: no server to test against
        pytest.skip(f"PostgreSQL at 127.0.0.1:5432 is not reachable ({type(exc).__name__}); the SQLite variant ran")
    yield f"{POSTGRES_SERVER}/{name}"
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()
