"""Database connection and migrations. The URL comes from FISCALWATCH_DATABASE_URL; the
embedded default is a SQLite file under ./.fiscalwatch/."""

from __future__ import annotations

import os
from importlib.resources import files
from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import Engine, create_engine, event

DEFAULT_URL = "sqlite:///.fiscalwatch/fiscalwatch.db"


def database_url() -> str:
    return os.environ.get("FISCALWATCH_DATABASE_URL", DEFAULT_URL)


def make_engine(url: str | None = None) -> Engine:
    url = url or database_url()
    if url.startswith("sqlite:///") and not url.startswith("sqlite:///:memory:"):
        Path(url.removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)
    engine = create_engine(url)
    if engine.dialect.name == "sqlite":
        # SQLite enforces foreign keys (and so the cascades) only when asked, per connection.
        # Write-ahead logging lets the API read while the consumers write, and with it
        # synchronous=NORMAL is still safe against corruption (a power cut may lose the last
        # commits, which JetStream then redelivers: they were not acknowledged).
        @event.listens_for(engine, "connect")
        def _pragmas(connection, _record) -> None:
            connection.execute("PRAGMA foreign_keys=ON")
            if not url.startswith("sqlite:///:memory:"):
                connection.execute("PRAGMA journal_mode=WAL")
                connection.execute("PRAGMA synchronous=NORMAL")

    return engine


def alembic_config(url: str) -> Config:
    config = Config()
    config.set_main_option("script_location", str(files("fiscalwatch.store").joinpath("migrations")))
    config.set_main_option("sqlalchemy.url", url)
    return config


def upgrade(url: str | None = None, revision: str = "head") -> None:
    url = url or database_url()
    make_engine(url).dispose()  # creates the SQLite file's folder
    command.upgrade(alembic_config(url), revision)
